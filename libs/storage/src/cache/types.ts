/**
 * Hot cache contract (issue #4, part 3): latest best bid/offer per market, short-lived odds
 * documents and fixed-window rate-limit counters. Implemented by {@link RedisHotCache} (shared,
 * when `REDIS_URL` is set) and {@link MemoryHotCache} (process-local LRU with TTL otherwise).
 */

/**
 * Latest top of book for one market, YES side. All fields are integers; never floats.
 * - `*Ticks`: price in ticks of $0.0001 (libs/market `PriceTicks`: $0.56 = 5600; 0..10000 for a binary contract).
 *   The ticker plant writes an empty side as bid 0 / ask 10000 with size 0.
 * - `*SizeCentis`: resting size in centi-contracts (1 contract = 100 centis).
 * - `tsMs`: exchange/observation timestamp in Unix epoch milliseconds.
 */
export interface Bbo {
  readonly yesBidTicks: number;
  readonly yesBidSizeCentis: number;
  readonly yesAskTicks: number;
  readonly yesAskSizeCentis: number;
  readonly tsMs: number;
}

/** Field order of the compact wire string; do not reorder (stored values depend on it). */
export const BBO_FIELDS = ['yesBidTicks', 'yesBidSizeCentis', 'yesAskTicks', 'yesAskSizeCentis', 'tsMs'] as const;

/** Hot cache operations. Every method is async; failures are rejected promises, never throws synchronously. */
export interface HotCache {
  /** Store the latest BBO of `ticker`, replacing any previous value (no TTL). Rejects with RangeError on non-integer fields. */
  setBbo(ticker: string, bbo: Bbo): Promise<void>;
  /** Latest BBO of `ticker`, or `null` if none is cached. */
  getBbo(ticker: string): Promise<Bbo | null>;
  /** Latest BBOs of many tickers in one round trip; result is aligned with `tickers` (`null` where missing). */
  getBbos(tickers: readonly string[]): Promise<(Bbo | null)[]>;
  /** Store an odds document (opaque JSON string) that expires after `ttlMs` milliseconds (positive integer). */
  setOdds(key: string, json: string, ttlMs: number): Promise<void>;
  /** The odds document stored under `key`, or `null` if absent or expired. */
  getOdds(key: string): Promise<string | null>;
  /**
   * Atomically increment the fixed-window counter `key` and return the new count (1 for the first hit).
   * The window starts at the first increment and lasts `windowMs` milliseconds (positive integer); when it
   * expires the counter disappears and the next call returns 1 again.
   */
  incrWindow(key: string, windowMs: number): Promise<number>;
  /** Release resources (Redis connection / memory). Idempotent; other calls reject afterwards. */
  close(): Promise<void>;
}

/** Default key namespace. */
export const DEFAULT_KEY_PREFIX = 'kp:';

/** Validate a BBO and encode it as `bidTicks:bidSizeCentis:askTicks:askSizeCentis:tsMs` (base-10 integers). */
export function encodeBbo(bbo: Bbo): string {
  if (bbo === null || typeof bbo !== 'object') {
    throw new RangeError('bbo must be an object');
  }
  const parts: string[] = [];
  for (const field of BBO_FIELDS) {
    const v: unknown = bbo[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(`bbo.${field} must be a non-negative safe integer, got ${String(v)}`);
    }
    parts.push(String(v));
  }
  return parts.join(':');
}

/** Decode a string written by {@link encodeBbo}; throws Error on a corrupt value. */
export function decodeBbo(raw: string): Bbo {
  const parts = raw.split(':');
  if (parts.length !== BBO_FIELDS.length || !parts.every((p) => /^\d{1,16}$/.test(p))) {
    throw new Error(`corrupt BBO value in cache: ${JSON.stringify(raw.slice(0, 64))}`);
  }
  const n = parts.map(Number);
  return { yesBidTicks: n[0], yesBidSizeCentis: n[1], yesAskTicks: n[2], yesAskSizeCentis: n[3], tsMs: n[4] };
}

/** Throw RangeError unless `value` is a positive safe integer (durations in milliseconds). */
export function assertPositiveMs(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer number of milliseconds, got ${String(value)}`);
  }
}

/** Throw RangeError unless `value` is a non-empty string (cache keys / tickers). */
export function assertKey(name: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new RangeError(`${name} must be a non-empty string`);
  }
}

/** Redis/memory key of each kind of entry, under a key prefix (one naming for both implementations). */
export const cacheKeys = {
  bbo: (prefix: string, ticker: string): string => `${prefix}bbo:${ticker}`,
  odds: (prefix: string, key: string): string => `${prefix}odds:${key}`,
  rate: (prefix: string, key: string): string => `${prefix}rl:${key}`,
};
