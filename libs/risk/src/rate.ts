import { RiskInputError, requireInt } from './limits';

/**
 * Write-token budgets of Kalshi's rate-limit tiers, tokens per second
 * (docs.kalshi.com/getting_started/rate_limits, "Tiers and budgets": read / write Basic 200/100, Advanced 300/300,
 * Premier 1,000/1,000, Paragon 2,000/2,000, Prime 4,000/4,000). The same numbers as the mock exchange's
 * `RATE_LIMIT_TIERS` (libs/feature-exchange/src/rest/rate-limit.ts), repeated here because a domain library may
 * not import a feature library. Only the write budget matters for orders.
 */
export const ORDER_RATE_TIERS = {
  basic: { readPerSec: 200, writePerSec: 100 },
  advanced: { readPerSec: 300, writePerSec: 300 },
  premier: { readPerSec: 1_000, writePerSec: 1_000 },
  paragon: { readPerSec: 2_000, writePerSec: 2_000 },
  prime: { readPerSec: 4_000, writePerSec: 4_000 },
} as const;

/** Name of a Kalshi rate-limit tier. */
export type OrderRateTier = keyof typeof ORDER_RATE_TIERS;

/** Write tokens one order placement costs (Kalshi: a request costs 10 tokens unless its page says otherwise). */
export const ORDER_WRITE_COST = 10;
/** Write tokens one cancel costs (Kalshi Cancel Order page: "Rate limit: 2 tokens per request"). */
export const CANCEL_WRITE_COST = 2;
/** What Kalshi's write bucket holds: two seconds of the per-second budget ("Your Write bucket holds two seconds of your per-second budget"), in ms. */
export const EXCHANGE_WRITE_BURST_MS = 2_000;
/**
 * What the gate's order bucket holds by default: one second of the tier's write budget, in ms. Half of the
 * exchange's bucket, so the gate stays inside Kalshi's limit with room for cancels and clock skew.
 */
export const DEFAULT_ORDER_BURST_MS = 1_000;

/**
 * A token bucket on an injected clock: holds at most `ratePerSec x burstMs / 1000` tokens, starts full and refills
 * continuously at `ratePerSec`. Tokens are kept as integer milli-tokens (tokens/s x ms = milli-tokens), so no
 * floating point accumulates. A clock that goes backwards refills nothing (the last time seen is kept).
 *
 * Guarantee (property-tested): over any window from `t0` to `t1` the tokens taken are at most
 * `capacity + ratePerSec x (t1 - t0) / 1000`.
 */
export class WriteTokenBucket {
  private milli: number;
  private lastMs: number;
  /** capacity in milli-tokens */
  readonly capacityMilli: number;

  /**
   * @param ratePerSec refill in tokens per second, a positive integer
   * @param burstMs capacity in milliseconds of that rate, a positive integer
   * @param nowMs the clock now (the bucket starts full)
   * @throws RiskInputError on a non-positive or non-integer rate or burst
   */
  constructor(
    readonly ratePerSec: number,
    readonly burstMs: number,
    nowMs: number,
  ) {
    requireInt('ratePerSec', ratePerSec, 1);
    requireInt('burstMs', burstMs, 1);
    if (!Number.isFinite(nowMs)) throw new RiskInputError(`nowMs: ${nowMs} is not a finite number`);
    this.capacityMilli = ratePerSec * burstMs;
    this.milli = this.capacityMilli;
    this.lastMs = nowMs;
  }

  /** Capacity in whole tokens (rounded down). */
  get capacity(): number {
    return Math.floor(this.capacityMilli / 1000);
  }

  private refill(nowMs: number): void {
    const dt = Math.floor(nowMs - this.lastMs);
    if (dt > 0) {
      this.milli = Math.min(this.capacityMilli, this.milli + dt * this.ratePerSec);
      this.lastMs += dt;
    }
  }

  /** Milli-tokens available at `nowMs`. */
  availableMilli(nowMs: number): number {
    this.refill(nowMs);
    return this.milli;
  }

  /** True when `cost` tokens are available at `nowMs` (nothing taken). */
  canTake(cost: number, nowMs: number): boolean {
    return this.availableMilli(nowMs) >= cost * 1000;
  }

  /** Takes `cost` tokens if available; false (nothing taken) otherwise. */
  take(cost: number, nowMs: number): boolean {
    if (!this.canTake(cost, nowMs)) return false;
    this.milli -= cost * 1000;
    return true;
  }

  /** Takes up to `cost` tokens whatever is available (never below zero): traffic that must go out anyway, such as cancels. */
  debit(cost: number, nowMs: number): void {
    this.refill(nowMs);
    this.milli = Math.max(0, this.milli - cost * 1000);
  }
}
