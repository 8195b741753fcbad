/**
 * A rate limit shared by every process of one account, on the hot cache's fixed-window counters (issue #4: "rate-limit
 * counters"). Kalshi budgets requests per API key and second across all of a user's clients (tiers: basic 200 read
 * tokens/s ... prime 4000, 10 tokens a request; https://docs.kalshi.com/getting_started/rate_limits), so a backfill,
 * ingestion and execution running side by side must share one budget: with Redis they do; with the in-memory cache
 * the limit is per process.
 *
 * Algorithm: one counter per UTC second (`<key>:<epoch second>`, expiring after 2 s). `acquire()` increments the
 * current second's counter; when the result is within `perSecond` the request may go, otherwise it sleeps until the
 * next second and tries again. Over-increments of refused attempts only make that second more conservative.
 */
import type { HotCache } from './types';

export interface SharedRateLimiterOptions {
  /** counter name, e.g. `kalshi-read:<api key id>` */
  key: string;
  /** requests allowed in one UTC second (>= 1) */
  perSecond: number;
  /** clock, ms since the epoch (tests) */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** See the module docstring. @throws RangeError for a bad `perSecond` or empty key */
export class SharedRateLimiter {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** attempts refused because the second's budget was used */
  throttled = 0;

  constructor(
    private readonly cache: HotCache,
    private readonly opts: SharedRateLimiterOptions,
  ) {
    if (!Number.isSafeInteger(opts.perSecond) || opts.perSecond < 1) throw new RangeError(`perSecond must be a positive integer, got ${String(opts.perSecond)}`);
    if (!opts.key) throw new RangeError('key must be a non-empty string');
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /**
   * Resolves when one request may be sent in the current second; returns the second (epoch s) it was granted in.
   * @throws the cache's error (e.g. Redis unreachable): the caller decides whether to go on without the shared limit
   */
  async acquire(signal?: AbortSignal): Promise<number> {
    for (;;) {
      const nowMs = this.now();
      const second = Math.floor(nowMs / 1000);
      const n = await this.cache.incrWindow(`${this.opts.key}:${second}`, 2_000);
      if (n <= this.opts.perSecond) return second;
      this.throttled++;
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      await this.sleep((second + 1) * 1000 - nowMs + 1);
    }
  }
}
