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

/** Options of {@link MemoryHotCache}. */
export interface MemoryHotCacheOptions {
  /** Maximum number of entries (BBOs + odds + counters together); least recently used is evicted. Default 10 000. */
  maxEntries?: number;
  /** Key namespace, default `kp:` (kept for parity with Redis; only matters for debugging). */
  keyPrefix?: string;
  /** Clock in Unix epoch milliseconds; injectable for tests. Default `Date.now`. */
  now?: () => number;
}

interface Entry {
  value: string;
  /** Absolute expiry, epoch ms; `Infinity` for no TTL. */
  expiresAtMs: number;
}

/**
 * Process-local {@link HotCache}: an LRU (Map insertion order, refreshed on read and write) bounded to
 * `maxEntries` entries, with per-entry TTL checked lazily on access. Single-threaded JS makes every
 * operation atomic. Note: eviction also applies to rate-limit counters, which then restart at 1.
 */
export class MemoryHotCache implements HotCache {
  readonly maxEntries: number;
  readonly keyPrefix: string;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  constructor(options: MemoryHotCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? 10_000;
    if (!Number.isSafeInteger(maxEntries) || maxEntries <= 0) {
      throw new RangeError(`maxEntries must be a positive integer, got ${String(maxEntries)}`);
    }
    this.maxEntries = maxEntries;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.now = options.now ?? Date.now;
  }

  /** Current number of stored entries (including not-yet-collected expired ones). */
  get size(): number {
    return this.entries.size;
  }

  async setBbo(ticker: string, bbo: Bbo): Promise<void> {
    this.assertOpen();
    assertKey('ticker', ticker);
    this.put(this.bboKey(ticker), encodeBbo(bbo), Infinity);
  }

  async getBbo(ticker: string): Promise<Bbo | null> {
    this.assertOpen();
    assertKey('ticker', ticker);
    const raw = this.read(this.bboKey(ticker));
    return raw === null ? null : decodeBbo(raw);
  }

  async getBbos(tickers: readonly string[]): Promise<(Bbo | null)[]> {
    this.assertOpen();
    tickers.forEach((t) => assertKey('ticker', t));
    return tickers.map((t) => {
      const raw = this.read(this.bboKey(t));
      return raw === null ? null : decodeBbo(raw);
    });
  }

  async setOdds(key: string, json: string, ttlMs: number): Promise<void> {
    this.assertOpen();
    assertKey('key', key);
    if (typeof json !== 'string') throw new RangeError('json must be a string');
    assertPositiveMs('ttlMs', ttlMs);
    this.put(this.oddsKey(key), json, this.now() + ttlMs);
  }

  async getOdds(key: string): Promise<string | null> {
    this.assertOpen();
    assertKey('key', key);
    return this.read(this.oddsKey(key));
  }

  async incrWindow(key: string, windowMs: number): Promise<number> {
    this.assertOpen();
    assertKey('key', key);
    assertPositiveMs('windowMs', windowMs);
    const k = this.rateKey(key);
    const existing = this.live(k);
    if (existing === undefined) {
      this.put(k, '1', this.now() + windowMs);
      return 1;
    }
    const count = Number(existing.value) + 1;
    this.put(k, String(count), existing.expiresAtMs);
    return count;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.entries.clear();
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

  private assertOpen(): void {
    if (this.closed) throw new Error('MemoryHotCache is closed');
  }

  /** Live entry (expired ones are dropped), refreshed as most recently used. */
  private live(k: string): Entry | undefined {
    const e = this.entries.get(k);
    if (e === undefined) return undefined;
    this.entries.delete(k);
    if (e.expiresAtMs <= this.now()) return undefined;
    this.entries.set(k, e);
    return e;
  }

  private read(k: string): string | null {
    return this.live(k)?.value ?? null;
  }

  private put(k: string, value: string, expiresAtMs: number): void {
    this.entries.delete(k);
    this.entries.set(k, { value, expiresAtMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
