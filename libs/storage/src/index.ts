/** Storage adapters (issue #4): tick store (QuestDB ILP), cache (Redis or in-memory LRU with TTL). */
export * from './cache';
export * from './ticks';
export * from './tokens';
export * from './relational';
