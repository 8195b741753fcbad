import { FixedPointError, PRICE_SCALE, PriceTicks, SizeCentis } from './money';

/** Kalshi's standard taker fee multiplier, 0.07, in basis points. */
export const STANDARD_TAKER_FEE_BPS = 700;

/**
 * Rounding step of the trade fee: Kalshi rounds the fee model's result UP to the nearest $0.0001
 * ("centicent") per fill (docs.kalshi.com/getting_started/fee_rounding). Confirmed by the real demo
 * capture (`kalshi-demo-ws-capture-2026-07-01`): a taker fill of 5.52 YES at $0.17 reports
 * `fee_cost "0.054600"` (0.07 x 5.52 x 0.17 x 0.83 = 0.05452104 -> 0.0546).
 */
export const FEE_ROUNDING_TICKS_CENTICENT: PriceTicks = 1;
/**
 * Whole-cent rounding (`ceil_to_cent`), what a non-direct member's balance ends up paying after Kalshi's
 * "rounding fee" (same doc page), and the conservative bound for edge calculations.
 */
export const FEE_ROUNDING_TICKS_CENT: PriceTicks = 100;

/**
 * Kalshi trading fee for one fill or order: `round_up(rate x C x P x (1 - P))` dollars for C contracts at
 * price P (Kalshi fee schedule; the standard taker rate is 0.07, some series use other multipliers, makers
 * often pay none), rounded up to `roundingTicks` (default $0.0001, see FEE_ROUNDING_TICKS_CENTICENT).
 *
 * Exact: computed in BigInt.
 * @param priceTicks price P in 1/10000 dollar, 0..10000
 * @param sizeCentis count C in 1/100 contract, >= 0
 * @param rateBps fee multiplier in basis points (700 = 0.07)
 * @param roundingTicks the step the fee is rounded up to, in ticks (1 = $0.0001, 100 = $0.01)
 * @returns the fee in ticks (a multiple of `roundingTicks`)
 * @throws FixedPointError on a price outside 0..10000, a negative size or rate, a non-positive rounding step, or non-integers.
 */
export function tradingFeeTicks(
  priceTicks: PriceTicks,
  sizeCentis: SizeCentis,
  rateBps: number = STANDARD_TAKER_FEE_BPS,
  roundingTicks: PriceTicks = FEE_ROUNDING_TICKS_CENTICENT,
): PriceTicks {
  if (!Number.isSafeInteger(priceTicks) || priceTicks < 0 || priceTicks > PRICE_SCALE) {
    throw new FixedPointError(`fee: price ${priceTicks} ticks is outside 0..${PRICE_SCALE}`);
  }
  if (!Number.isSafeInteger(sizeCentis) || sizeCentis < 0) throw new FixedPointError(`fee: size ${sizeCentis} centis must be a non-negative integer`);
  if (!Number.isSafeInteger(rateBps) || rateBps < 0) throw new FixedPointError(`fee: rate ${rateBps} bps must be a non-negative integer`);
  if (!Number.isSafeInteger(roundingTicks) || roundingTicks <= 0) throw new FixedPointError(`fee: rounding step ${roundingTicks} ticks must be a positive integer`);
  // fee in ticks = (rateBps/1e4) * (C/1e2) * P * (1e4-P)/1e4  =  rateBps*C*P*(1e4-P) / 1e10
  const numerator = BigInt(rateBps) * BigInt(sizeCentis) * BigInt(priceTicks) * BigInt(PRICE_SCALE - priceTicks);
  const denominator = 10n ** 10n * BigInt(roundingTicks);
  const steps = (numerator + denominator - 1n) / denominator;
  return Number(steps) * roundingTicks;
}
