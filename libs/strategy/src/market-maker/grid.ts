/**
 * Moving on a Kalshi market's price grid (its `price_level_structure`).
 *
 * All prices are {@link PriceTicks} (integer 1/10000 $). A grid price is one {@link isValidPrice} accepts: an
 * integer in 1..9999 that is a multiple of the tick size at that price — $0.01 (100 ticks) under `linear_cent`,
 * $0.001 (10 ticks) under `deci_cent`, and under `tapered_deci_cent` $0.001 below $0.10 and above $0.90 with $0.01
 * in [$0.10, $0.90] (docs.kalshi.com/getting_started/fixed_point_migration, "Price Level Structures"; libs/market
 * ticks.ts). Every band's edges are multiples of both tick sizes, so rounding to the tick size that applies at a
 * price always lands on the grid.
 */
import { isValidPrice, MAX_RESTING_PRICE_TICKS, MIN_RESTING_PRICE_TICKS, tickSizeAt, type PriceTicks, type TickStructure } from '@kalshi-platform/market';

/** Lowest grid price of a structure (ticks): 100 ($0.01) under `linear_cent`, 10 ($0.001) otherwise. */
export function lowestGridPrice(structure: TickStructure): PriceTicks {
  return ceilToGrid(structure, MIN_RESTING_PRICE_TICKS)!;
}

/** Highest grid price of a structure (ticks): 9900 ($0.99) under `linear_cent`, 9990 ($0.999) otherwise. */
export function highestGridPrice(structure: TickStructure): PriceTicks {
  return floorToGrid(structure, MAX_RESTING_PRICE_TICKS)!;
}

/**
 * The highest grid price ≤ `priceTicks`, or `null` when there is none (below the lowest grid price).
 * `priceTicks` must be an integer; values above 9999 are first lowered to 9999.
 * @throws RangeError for a non-integer price.
 */
export function floorToGrid(structure: TickStructure, priceTicks: PriceTicks): PriceTicks | null {
  if (!Number.isSafeInteger(priceTicks)) throw new RangeError(`price must be an integer number of ticks, got ${priceTicks}`);
  const p = Math.min(priceTicks, MAX_RESTING_PRICE_TICKS);
  if (p < MIN_RESTING_PRICE_TICKS) return null;
  const t = tickSizeAt(structure, p);
  const q = p - (p % t);
  return q >= MIN_RESTING_PRICE_TICKS ? q : null;
}

/**
 * The lowest grid price ≥ `priceTicks`, or `null` when there is none (above the highest grid price).
 * `priceTicks` must be an integer; values below 1 are first raised to 1.
 * @throws RangeError for a non-integer price.
 */
export function ceilToGrid(structure: TickStructure, priceTicks: PriceTicks): PriceTicks | null {
  if (!Number.isSafeInteger(priceTicks)) throw new RangeError(`price must be an integer number of ticks, got ${priceTicks}`);
  const p = Math.max(priceTicks, MIN_RESTING_PRICE_TICKS);
  if (p > MAX_RESTING_PRICE_TICKS) return null;
  const t = tickSizeAt(structure, p);
  const r = p % t;
  const q = r === 0 ? p : p + (t - r);
  return q <= MAX_RESTING_PRICE_TICKS && isValidPrice(structure, q) ? q : null;
}

/** The next grid price above `priceTicks` (which need not be on the grid), or `null` at the top. */
export function gridUp(structure: TickStructure, priceTicks: PriceTicks): PriceTicks | null {
  return ceilToGrid(structure, priceTicks + 1);
}

/** The next grid price below `priceTicks` (which need not be on the grid), or `null` at the bottom. */
export function gridDown(structure: TickStructure, priceTicks: PriceTicks): PriceTicks | null {
  return floorToGrid(structure, priceTicks - 1);
}
