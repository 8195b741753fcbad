/**
 * Kalshi price grids ("price level structures").
 *
 * Every Kalshi market carries a `price_level_structure` that fixes which prices an order may rest at
 * (docs.kalshi.com/getting_started/fixed_point_migration, "Price Level Structures"):
 *
 * | structure           | range           | tick size |
 * | ------------------- | --------------- | --------- |
 * | `linear_cent`       | $0.00 – $1.00   | $0.01     |
 * | `tapered_deci_cent` | $0.00 – $0.10   | $0.001    |
 * |                     | $0.10 – $0.90   | $0.01     |
 * |                     | $0.90 – $1.00   | $0.001    |
 * | `deci_cent`         | $0.00 – $1.00   | $0.001    |
 *
 * Prices here are {@link PriceTicks} (integer 1/10000 dollar), so $0.01 = 100 ticks and $0.001 = 10 ticks.
 * The market's own `price_ranges` array states the same grid explicitly; this module encodes the three named
 * structures so that the hot path does not have to interpret `price_ranges`.
 */
import type { PriceTicks } from './money';

/**
 * A market's `price_level_structure` (docs.kalshi.com/getting_started/fixed_point_migration).
 * `linear_cent`: $0.01 everywhere; `tapered_deci_cent`: $0.001 below $0.10 and above $0.90, $0.01 between;
 * `deci_cent`: $0.001 everywhere.
 */
export type TickStructure = 'linear_cent' | 'tapered_deci_cent' | 'deci_cent';

/** All tick structures this library knows, in the order of the Kalshi documentation table. */
export const TICK_STRUCTURES: readonly TickStructure[] = Object.freeze(['linear_cent', 'tapered_deci_cent', 'deci_cent'] as const);

/** One cent ($0.01) in ticks. */
export const CENT_TICKS: PriceTicks = 100;
/** One deci-cent ($0.001) in ticks: the finest tick any Kalshi structure uses. */
export const DECI_CENT_TICKS: PriceTicks = 10;
/** Lowest price a resting order may have in any structure, in ticks (the range check is 1..9999; the grid narrows it further). */
export const MIN_RESTING_PRICE_TICKS: PriceTicks = 1;
/** Highest price a resting order may have in any structure, in ticks. */
export const MAX_RESTING_PRICE_TICKS: PriceTicks = 9_999;
/** Lower edge of the cent band of `tapered_deci_cent`: $0.10 (1000 ticks), itself in the cent band. */
export const TAPERED_CENT_BAND_LOW: PriceTicks = 1_000;
/** Upper edge of the cent band of `tapered_deci_cent`: $0.90 (9000 ticks), itself in the cent band. */
export const TAPERED_CENT_BAND_HIGH: PriceTicks = 9_000;

/** Thrown by {@link parseTickStructure} (and anything that checks a structure name); the message names the bad value. */
export class TickStructureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TickStructureError';
  }
}

/**
 * The tick size, in ticks, that applies at `priceTicks` under `structure`: 100 ($0.01) or 10 ($0.001).
 *
 * Boundaries of `tapered_deci_cent`: the closed interval [$0.10, $0.90] (1000..9000 ticks) is the cent band,
 * so `tickSizeAt('tapered_deci_cent', 1000)` and `(…, 9000)` return 100; prices strictly below $0.10 or
 * strictly above $0.90 return 10. This choice does not affect validity — $0.10 and $0.90 are multiples of
 * $0.01 and therefore on both grids — but it does mean the next valid price *below* $0.10 is $0.099 and the
 * next one *above* $0.90 is $0.901, one deci-cent away, whereas the neighbours inside the band are a cent away.
 *
 * Does not validate `priceTicks` (use {@link isValidPrice}); cheap enough for hot paths.
 * Source: docs.kalshi.com/getting_started/fixed_point_migration.
 * @throws TickStructureError if `structure` is not one of the three known names (only possible from untyped input).
 */
export function tickSizeAt(structure: TickStructure, priceTicks: PriceTicks): PriceTicks {
  switch (structure) {
    case 'linear_cent':
      return CENT_TICKS;
    case 'deci_cent':
      return DECI_CENT_TICKS;
    case 'tapered_deci_cent':
      return priceTicks < TAPERED_CENT_BAND_LOW || priceTicks > TAPERED_CENT_BAND_HIGH ? DECI_CENT_TICKS : CENT_TICKS;
    default:
      throw new TickStructureError(`unknown price_level_structure ${JSON.stringify(structure)}`);
  }
}

/**
 * Whether `priceTicks` is a price an order may rest at under `structure`: an integer in 1..9999
 * ({@link MIN_RESTING_PRICE_TICKS}..{@link MAX_RESTING_PRICE_TICKS}; $0 and $1 are never resting prices) that is
 * a multiple of {@link tickSizeAt} at that price. Examples: 1630 ($0.163) is valid under `deci_cent` but not
 * `linear_cent`; 950 ($0.095) and 9050 ($0.905) are valid under `tapered_deci_cent`, 1050 ($0.105) is not.
 * Returns false (never throws) for NaN, fractions and out-of-range values.
 * Source: docs.kalshi.com/getting_started/fixed_point_migration.
 * @throws TickStructureError only if `structure` is not a known name.
 */
export function isValidPrice(structure: TickStructure, priceTicks: PriceTicks): boolean {
  return (
    Number.isInteger(priceTicks) &&
    priceTicks >= MIN_RESTING_PRICE_TICKS &&
    priceTicks <= MAX_RESTING_PRICE_TICKS &&
    priceTicks % tickSizeAt(structure, priceTicks) === 0
  );
}

/**
 * Parses a market's `price_level_structure` string (exact, case-sensitive, as Kalshi sends it).
 * @throws TickStructureError naming the bad value and listing the accepted ones.
 */
export function parseTickStructure(text: string): TickStructure {
  if (text === 'linear_cent' || text === 'tapered_deci_cent' || text === 'deci_cent') return text;
  throw new TickStructureError(`unknown price_level_structure ${JSON.stringify(text)} (expected one of ${TICK_STRUCTURES.join(', ')})`);
}
