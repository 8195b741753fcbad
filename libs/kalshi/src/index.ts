export * from './decode';
export * from './auth';
export * from './client';
export * from './fix';
