/** The execution app's NestJS module (issue #5 item 6): risk gate, order routes, fills, positions, reconciliation, kill switch. */
export * from './execution.config';
export * from './execution.controller';
export * from './execution.http';
export * from './execution.module';
export * from './execution.service';
export * from './execution.store';
export * from './order-route';
export * from './tokens';
