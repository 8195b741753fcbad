import { MemoryHotCache } from './memory-hot-cache';
import { RedisHotCache } from './redis-hot-cache';
import type { HotCache } from './types';

/** Configuration of {@link createHotCache}. */
export interface HotCacheConfig {
  /** `REDIS_URL`; when set (non-empty) a {@link RedisHotCache} is used, otherwise a {@link MemoryHotCache}. */
  redisUrl?: string;
  /** Entry bound of the in-memory cache (ignored for Redis). Default 10 000. */
  maxEntries?: number;
  /** Key namespace, default `kp:`. */
  keyPrefix?: string;
}

/** Pick the hot cache implementation from configuration (Redis if `redisUrl` is set, else in-memory LRU). */
export function createHotCache(config: HotCacheConfig = {}): HotCache {
  const redisUrl = config.redisUrl?.trim();
  if (redisUrl) {
    return new RedisHotCache({ redisUrl, keyPrefix: config.keyPrefix });
  }
  return new MemoryHotCache({ maxEntries: config.maxEntries, keyPrefix: config.keyPrefix });
}
