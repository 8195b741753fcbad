export * from './types';
export * from './memory-hot-cache';
export * from './redis-hot-cache';
export * from './create-hot-cache';
export * from './rate-limiter';
