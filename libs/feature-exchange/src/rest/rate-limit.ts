/**
 * Token-bucket rate limits of the mock exchange's REST API, as Kalshi documents them
 * (docs.kalshi.com/getting_started/rate_limits, read Aug 2026):
 *
 * - two independent budgets per API key: **read** (GET endpoints and anything not routed elsewhere) and **write**
 *   (order placement, amends, decreases, cancels — the order endpoints; API-key management is not among them, so it
 *   is billed to the read bucket as Kalshi says "anything not explicitly routed elsewhere");
 * - a request costs 10 tokens unless its page says otherwise: a cancel costs 2 (Cancel Order (V2) page: "Rate limit:
 *   2 tokens per request"; the older page's "each cancel counts as 0.2 transactions" is the same ratio);
 * - batches are billed per item ("a batch request costs the same as making each call individually"): a batch create
 *   of N orders costs 10 x N, a batch cancel of N orders 2 x N;
 * - the buckets refill continuously at the tier's budget per second; the read bucket holds 1 s of budget, the write
 *   bucket 2 s ("Your Write bucket holds two seconds of your per-second budget");
 * - an exhausted bucket answers `429` with the body `{"error":"too many requests"}` and no `Retry-After` /
 *   `X-RateLimit-*` header.
 *
 * Tiers (tokens per second, read / write): Basic 200/100, Advanced 300/300, Premier 1,000/1,000, Paragon 2,000/2,000,
 * Prime 4,000/4,000. Unsigned (public market-data) requests are limited per remote IP with their own read bucket:
 * Kalshi does not document unauthenticated limits; the mock's default is {@link DEFAULT_PUBLIC_READ_PER_SEC}.
 *
 * Token amounts are kept as integer milli-tokens (no floating point accumulates).
 */

/** Per-second token budgets of one rate-limit tier. */
export interface RateLimitTier {
  /** refill of the read bucket, tokens per second */
  readPerSec: number;
  /** refill of the write bucket, tokens per second */
  writePerSec: number;
}

/** Kalshi's access tiers (docs.kalshi.com/getting_started/rate_limits, "Tiers and budgets"). */
export const RATE_LIMIT_TIERS = {
  basic: { readPerSec: 200, writePerSec: 100 },
  advanced: { readPerSec: 300, writePerSec: 300 },
  premier: { readPerSec: 1_000, writePerSec: 1_000 },
  paragon: { readPerSec: 2_000, writePerSec: 2_000 },
  prime: { readPerSec: 4_000, writePerSec: 4_000 },
} as const satisfies Record<string, RateLimitTier>;

/** Name of a documented tier. */
export type RateLimitTierName = keyof typeof RATE_LIMIT_TIERS;

/** Tokens of a request whose endpoint page names no other cost. */
export const DEFAULT_REQUEST_COST = 10;
/** Tokens of one order cancel (single, or per item of a batch cancel). */
export const CANCEL_REQUEST_COST = 2;
/** Seconds of budget the read bucket holds. */
export const READ_BURST_SECONDS = 1;
/** Seconds of budget the write bucket holds (Kalshi: "Your Write bucket holds two seconds of your per-second budget"). */
export const WRITE_BURST_SECONDS = 2;
/** Default refill of the per-IP bucket of unsigned requests, tokens per second (100 requests/s at 10 tokens). */
export const DEFAULT_PUBLIC_READ_PER_SEC = 1_000;
/** Largest batch Kalshi accepts (Batch Create / Batch Cancel Orders pages: "up to 20"). */
export const MAX_BATCH_ITEMS = 20;

/** The exact body of a rate-limited answer. */
export const TOO_MANY_REQUESTS_BODY = { error: 'too many requests' } as const;

/** Rate-limit configuration (`EXCHANGE_OPTIONS.rateLimits`); `false` turns limiting off. */
export interface RateLimitOptions extends RateLimitTier {
  /** seconds of budget the read bucket holds (default {@link READ_BURST_SECONDS}) */
  readBurstSec?: number;
  /** seconds of budget the write bucket holds (default {@link WRITE_BURST_SECONDS}) */
  writeBurstSec?: number;
  /** refill of the per-IP bucket of unsigned requests, tokens per second (default {@link DEFAULT_PUBLIC_READ_PER_SEC}) */
  publicReadPerSec?: number;
}

/** Which budget a request draws from. */
export type BucketKind = 'read' | 'write';

/** A token bucket: `capacity` tokens, refilled at `ratePerSec`; starts full. Integer milli-tokens inside. */
export class TokenBucket {
  private milli: number;
  private readonly capMilli: number;
  private lastMs: number;

  constructor(
    readonly ratePerSec: number,
    readonly capacity: number,
    nowMs: number,
  ) {
    this.capMilli = Math.round(capacity * 1000);
    this.milli = this.capMilli;
    this.lastMs = nowMs;
  }

  private refill(nowMs: number): void {
    const dt = nowMs - this.lastMs;
    if (dt > 0) {
      // tokens/s x ms = milli-tokens
      this.milli = Math.min(this.capMilli, this.milli + Math.floor(dt * this.ratePerSec));
      this.lastMs = nowMs;
    }
  }

  /** Takes `cost` tokens if the bucket holds them; false (nothing taken) otherwise. */
  take(cost: number, nowMs: number): boolean {
    this.refill(nowMs);
    const need = Math.round(cost * 1000);
    if (this.milli < need) return false;
    this.milli -= need;
    return true;
  }

  /** Tokens available now (whole tokens, rounded down). */
  available(nowMs: number): number {
    this.refill(nowMs);
    return Math.floor(this.milli / 1000);
  }

  /** True when the bucket is full (idle long enough to be forgotten). */
  isFull(nowMs: number): boolean {
    this.refill(nowMs);
    return this.milli >= this.capMilli;
  }
}

/** Counters of {@link RateLimiter}. */
export interface RateLimitStats {
  allowed: number;
  limited: number;
}

/**
 * The buckets of a running exchange, keyed by who is charged (`key:<api key id>` or `ip:<address>`) and bucket kind.
 * Idle (full) buckets are forgotten now and then, so per-IP buckets do not pile up.
 */
export class RateLimiter {
  readonly stats: RateLimitStats = { allowed: 0, limited: 0 };
  private readonly buckets = new Map<string, TokenBucket>();
  private lastPruneMs: number;

  /** @param options a tier (plus optional burst/public settings), or `false` = no limits */
  constructor(
    readonly options: RateLimitOptions | false,
    private readonly clock: () => number = Date.now,
  ) {
    this.lastPruneMs = clock();
    if (options) {
      for (const [k, v] of Object.entries(options)) {
        if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) throw new RangeError(`rateLimits.${k} must be a positive number, got ${String(v)}`);
      }
    }
  }

  /** True when limits are on. */
  get enabled(): boolean {
    return this.options !== false;
  }

  /**
   * Charges `cost` tokens to the `kind` bucket of `who` (`public` = the per-IP bucket of unsigned requests).
   * @returns false when the bucket cannot cover the cost (answer 429; nothing was taken).
   */
  take(who: string, kind: BucketKind | 'public', cost: number): boolean {
    const o = this.options;
    if (!o) return true;
    const now = this.clock();
    const id = `${kind}|${who}`;
    let b = this.buckets.get(id);
    if (!b) {
      const rate = kind === 'write' ? o.writePerSec : kind === 'read' ? o.readPerSec : (o.publicReadPerSec ?? DEFAULT_PUBLIC_READ_PER_SEC);
      const burst = kind === 'write' ? (o.writeBurstSec ?? WRITE_BURST_SECONDS) : (o.readBurstSec ?? READ_BURST_SECONDS);
      b = new TokenBucket(rate, rate * burst, now);
      this.buckets.set(id, b);
    }
    const ok = b.take(cost, now);
    if (ok) this.stats.allowed++;
    else this.stats.limited++;
    if (now - this.lastPruneMs > 10_000) this.prune(now);
    return ok;
  }

  /** Tokens left in a bucket (full capacity when it was never used); undefined when limits are off. */
  available(who: string, kind: BucketKind | 'public'): number | undefined {
    if (!this.options) return undefined;
    const b = this.buckets.get(`${kind}|${who}`);
    return b ? b.available(this.clock()) : undefined;
  }

  private prune(now: number): void {
    this.lastPruneMs = now;
    for (const [id, b] of this.buckets) if (b.isFull(now)) this.buckets.delete(id);
  }
}

/** Items of a batch body (`orders` for a create, `ids` or `orders` for a cancel), at least 1, at most {@link MAX_BATCH_ITEMS}. */
function batchItems(body: unknown): number {
  if (!body || typeof body !== 'object') return 1;
  const b = body as Record<string, unknown>;
  const n = Array.isArray(b.orders) ? b.orders.length : Array.isArray(b.ids) ? b.ids.length : 1;
  return Math.min(Math.max(n, 1), MAX_BATCH_ITEMS);
}

const API_V2 = '/trade-api/v2/';
const V2_ORDERS = 'portfolio/events/orders';

/**
 * Bucket and token cost of a request (see the module docstring).
 * @param method HTTP method
 * @param path request path from `/trade-api/v2/...`, without query
 * @param body the parsed JSON body (batch sizes)
 */
export function requestCost(method: string, path: string, body: unknown): { bucket: BucketKind; cost: number } {
  const m = method.toUpperCase();
  // without the API prefix and trailing slashes; V1 `portfolio/orders…` and V2 `portfolio/events/orders…` alike
  let p = path.startsWith(API_V2) ? path.slice(API_V2.length) : path;
  let end = p.length;
  while (end > 0 && p.charCodeAt(end - 1) === 47 /* '/' */) end--;
  if (end < p.length) p = p.slice(0, end);
  if (p.startsWith(V2_ORDERS)) p = 'portfolio/orders' + p.slice(V2_ORDERS.length);
  if (p === 'portfolio/orders' && (m === 'POST' || m === 'DELETE')) return { bucket: 'write', cost: DEFAULT_REQUEST_COST };
  if (p === 'portfolio/orders/batched') {
    if (m === 'POST') return { bucket: 'write', cost: DEFAULT_REQUEST_COST * batchItems(body) };
    if (m === 'DELETE') return { bucket: 'write', cost: CANCEL_REQUEST_COST * batchItems(body) };
  }
  if (/^portfolio\/orders\/[^/]+$/.test(p) && m === 'DELETE') return { bucket: 'write', cost: CANCEL_REQUEST_COST };
  if (/^portfolio\/orders\/[^/]+\/(amend|decrease)$/.test(p) && m === 'POST') return { bucket: 'write', cost: DEFAULT_REQUEST_COST };
  return { bucket: 'read', cost: DEFAULT_REQUEST_COST };
}
