import Redis, { type RedisOptions } from 'ioredis';
import {
  type Bbo,
  DEFAULT_KEY_PREFIX,
  type HotCache,
  assertKey,
  assertPositiveMs,
  decodeBbo,
  encodeBbo,
  cacheKeys,
} from './types';

/** Options of {@link RedisHotCache}. */
export interface RedisHotCacheOptions {
  /** Connection URL, e.g. `redis://127.0.0.1:6379/0` (the `REDIS_URL` setting). */
  redisUrl: string;
  /** Key namespace prepended to every key, default `kp:`. */
  keyPrefix?: string;
  /** Extra ioredis options (merged over the defaults below). */
  redisOptions?: RedisOptions;
}

/**
 * Fixed-window increment, atomic inside Redis: INCR, then set the window's expiry (PEXPIRE, ms) when the
 * key has none (first hit of the window, or a stray key without TTL). Returns the new count.
 */
const INCR_WINDOW_LUA = `
local n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
`;

/**
 * {@link HotCache} on Redis via ioredis. Keys: `<prefix>bbo:<ticker>` (string, no TTL),
 * `<prefix>odds:<key>` (string, PX ttl), `<prefix>rl:<key>` (integer counter, PX window).
 * Redis failures (connection refused, timeouts, wrong type...) reject with an Error whose message names
 * the operation and key, the original error as `cause`; connection errors never crash the process.
 */
export class RedisHotCache implements HotCache {
  readonly keyPrefix: string;
  private readonly redis: Redis;
  private closed = false;
  /** Last connection-level error, for diagnostics. */
  lastConnectionError: Error | undefined;

  constructor(options: RedisHotCacheOptions) {
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.redis = new Redis(options.redisUrl, {
      // Fail commands instead of queueing them forever while Redis is unreachable.
      maxRetriesPerRequest: 2,
      connectTimeout: 5_000,
      // ioredis keeps a timer this long (ms) after disconnect() to destroy a dead socket; keep shutdown quick.
      disconnectTimeout: 200,
      ...options.redisOptions,
    });
    // Without a listener ioredis logs "Unhandled error event"; keep the last one for diagnostics.
    this.redis.on('error', (err: Error) => {
      this.lastConnectionError = err;
    });
  }

  async setBbo(ticker: string, bbo: Bbo): Promise<void> {
    assertKey('ticker', ticker);
    const value = encodeBbo(bbo);
    await this.run('setBbo', ticker, () => this.redis.set(this.bboKey(ticker), value));
  }

  async getBbo(ticker: string): Promise<Bbo | null> {
    assertKey('ticker', ticker);
    const raw = await this.run('getBbo', ticker, () => this.redis.get(this.bboKey(ticker)));
    return raw === null ? null : decodeBbo(raw);
  }

  async getBbos(tickers: readonly string[]): Promise<(Bbo | null)[]> {
    tickers.forEach((t) => assertKey('ticker', t));
    if (tickers.length === 0) return [];
    const raws = await this.run('getBbos', `${tickers.length} tickers`, () =>
      this.redis.mget(tickers.map((t) => this.bboKey(t))),
    );
    return raws.map((raw) => (raw === null ? null : decodeBbo(raw)));
  }

  async setOdds(key: string, json: string, ttlMs: number): Promise<void> {
    assertKey('key', key);
    if (typeof json !== 'string') throw new RangeError('json must be a string');
    assertPositiveMs('ttlMs', ttlMs);
    await this.run('setOdds', key, () => this.redis.set(this.oddsKey(key), json, 'PX', ttlMs));
  }

  async getOdds(key: string): Promise<string | null> {
    assertKey('key', key);
    return this.run('getOdds', key, () => this.redis.get(this.oddsKey(key)));
  }

  async incrWindow(key: string, windowMs: number): Promise<number> {
    assertKey('key', key);
    assertPositiveMs('windowMs', windowMs);
    const n = await this.run('incrWindow', key, () => this.redis.eval(INCR_WINDOW_LUA, 1, this.rateKey(key), windowMs));
    return Number(n);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.redis.status === 'ready') {
      try {
        await this.redis.quit();
        return;
      } catch {
        // fall through to a hard disconnect
      }
    }
    this.redis.disconnect();
  }

  private bboKey(ticker: string): string {
    return cacheKeys.bbo(this.keyPrefix, ticker);
  }
  private oddsKey(key: string): string {
    return cacheKeys.odds(this.keyPrefix, key);
  }
  private rateKey(key: string): string {
    return cacheKeys.rate(this.keyPrefix, key);
  }

  private async run<T>(op: string, subject: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error(`RedisHotCache.${op}(${subject}) failed: cache is closed`);
    try {
      return await fn();
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`RedisHotCache.${op}(${subject}) failed: ${msg}`, { cause: err });
    }
  }
}
