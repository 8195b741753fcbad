/**
 * Exact integer arithmetic for the matching engine's hot path.
 *
 * Units (see also `@kalshi-platform/market` money.ts):
 * - price: {@link PriceTicks}, integer 1/10000 dollar ($1 = 10000);
 * - size: {@link SizeCentis}, integer 1/100 contract;
 * - cash amounts that are a price times a size: {@link Micros}, integer 1/1,000,000 dollar. A tick times a centi is
 *   exactly one micro-dollar (1e-4 $ x 1e-2 = 1e-6 $), so `priceTicks * sizeCentis` is an exact cost in micros. Kalshi's
 *   own dollar fields carry up to 6 decimals for the same reason ("intermediate calculations can reach up to 6 decimal
 *   places", docs.kalshi.com/getting_started/fixed_point_migration).
 *
 * Every function here is exact on safe integers (no binary-floating-point rounding leaks into a result): products
 * that could exceed 2^53 are split or fall back to BigInt.
 */
import { tradingFeeTicks, type PriceTicks, type SizeCentis } from '@kalshi-platform/market';

/** Cash in 1/1,000,000 dollar (an integer). 1 tick = 100 micros; $1 = 1,000,000 micros. */
export type Micros = number;

/** Micros per price tick (1/10000 $ = 100 x 1/1,000,000 $). */
export const MICROS_PER_TICK = 100;
/** $1 per contract expressed per centi-contract in micros: the payout of 1/100 winning contract ($0.01 = 10,000 micros). */
export const MICROS_PER_CENTI_PAYOUT: Micros = 10_000;

const E5 = 100_000;
const E10 = 10_000_000_000;
const MAX_FAST_SIZE = 3_000_000_000; // ah (<= 2.5e6 at 10,000 bps) x size stays below 2^53

/**
 * Kalshi trading fee `round_up(rate x C x P x (1 - P))` in ticks, bit-for-bit equal to
 * `tradingFeeTicks` of `@kalshi-platform/market` (docs.kalshi.com/getting_started/fee_rounding) but without BigInt on
 * the common path: `rate x P x (1 - P)` (<= 2.5e11) is split in two halves so that every partial product stays below
 * 2^53; `%` on doubles is exact, so the quotient and the round-up are exact. Falls back to the BigInt reference for
 * sizes above 3e9 centis or rates above 10,000 bps.
 * @param priceTicks P in ticks, 0..10000 (YES or NO terms: the formula is symmetric)
 * @param sizeCentis C in centis, >= 0
 * @param rateBps multiplier in basis points (700 = 0.07)
 * @param roundingTicks rounding step in ticks (1 = $0.0001)
 * @throws FixedPointError (from the reference) only on the fallback path for invalid input; callers pass validated values.
 */
export function feeTicks(priceTicks: PriceTicks, sizeCentis: SizeCentis, rateBps: number, roundingTicks: PriceTicks = 1): PriceTicks {
  if (rateBps === 0 || sizeCentis === 0) return 0;
  if (sizeCentis > MAX_FAST_SIZE || rateBps > 10_000 || rateBps < 0 || priceTicks < 0 || priceTicks > 10_000) {
    return tradingFeeTicks(priceTicks, sizeCentis, rateBps, roundingTicks);
  }
  const a = rateBps * priceTicks * (10_000 - priceTicks); // <= 2.5e11, exact
  if (a === 0) return 0;
  let fee: number;
  const direct = a * sizeCentis;
  if (direct <= Number.MAX_SAFE_INTEGER) {
    // the common case (e.g. size < 5,000 contracts at 0.07): one exact product
    const r = direct % E10;
    fee = (direct - r) / E10 + (r > 0 ? 1 : 0);
  } else {
    // ceil(a * size / 1e10) with a = ah * 1e5 + al
    const al = a % E5;
    const ah = (a - al) / E5;
    const t1 = ah * sizeCentis; // < 2^53
    const t0 = al * sizeCentis; // < 1e5 * 3e9 < 2^53
    const r1 = t1 % E5;
    const q1 = (t1 - r1) / E5; // a*size/1e10 = q1 + (r1*1e5 + t0)/1e10
    const rr = r1 * E5 + t0; // < 1e10 + 3e14
    const r = rr % E10;
    fee = q1 + (rr - r) / E10 + (r > 0 ? 1 : 0);
  }
  if (roundingTicks !== 1) {
    const m = fee % roundingTicks;
    if (m !== 0) fee += roundingTicks - m;
  }
  return fee;
}

/**
 * floor(a x b / c) for non-negative safe integers a, b and a positive safe integer c, exact.
 * Used to take the cost basis of a partially closed position pro rata.
 */
export function mulDivFloor(a: number, b: number, c: number): number {
  const p = a * b;
  if (p <= Number.MAX_SAFE_INTEGER) {
    const r = p % c;
    return (p - r) / c;
  }
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** ceil(a / b) for a safe integer a >= 0 and a positive safe integer b, exact. */
export function ceilDiv(a: number, b: number): number {
  const r = a % b;
  return r === 0 ? a / b : (a - r) / b + 1;
}

/**
 * Splits a signed cash change (micros) into the part aligned to `unitMicros` (rounded toward negative infinity) and
 * the non-negative remainder, Kalshi's rounding fee (docs.kalshi.com/getting_started/fee_rounding: "Floor
 * balance_change toward negative infinity to the user's target balance precision; rounding_fee = balance_change -
 * floor(balance_change)"). Returns the remainder; the aligned part is `change - remainder`.
 */
export function floorRemainder(changeMicros: Micros, unitMicros: Micros): Micros {
  const r = changeMicros % unitMicros; // sign follows the dividend (and may be -0)
  return r < 0 ? r + unitMicros : r === 0 ? 0 : r;
}
