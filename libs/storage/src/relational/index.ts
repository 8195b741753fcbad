/** The platform's relational store (issue #4 part 2): typeorm entities, hand-written migrations, open / migrate. */
export * from './entities';
export * from './migrations';
export * from './relational-store';
