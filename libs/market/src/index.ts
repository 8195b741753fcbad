export * from './money';
export * from './fees';
export * from './ticks';
export * from './order-book';
export * from './describe';
