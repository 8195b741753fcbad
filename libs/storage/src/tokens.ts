/**
 * Injection tokens for the storage adapters, as plain symbols so this library stays framework-free. The feature
 * modules (ingestion, ticker plant, detection) take them as optional providers: absent = that service stores nothing.
 */

/** A {@link TickStore} (QuestDB or embedded) the service writes its rows through. */
export const TICK_STORE = Symbol('TICK_STORE');

/** A {@link HotCache} (Redis or in-memory LRU) for latest BBO, odds and rate-limit counters. */
export const HOT_CACHE = Symbol('HOT_CACHE');
