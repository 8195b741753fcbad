/**
 * Allocation-free, non-throwing fixed-point scanners for the decoders' hot path, plus the micro-dollar
 * money unit used for amounts that Kalshi sends with 6 decimals.
 *
 * The scanner itself is `scanFixed` of `@kalshi-platform/market` (money.ts), which also has the throwing parsers;
 * these variants return `NaN` instead of throwing so that `decodeWsFrame` can reject a bad value without the
 * cost of an exception, and they accept exactly the same texts: optional `-` (signed variants only), digits,
 * optional `.` and up to N decimals; extra decimals are accepted only when they are zeros (`"0.42000"`), since
 * the value stays exact. No exponent, no whitespace, no `+`, no `Infinity`/`NaN`.
 *
 * Units (docs.kalshi.com/getting_started/fixed_point_migration):
 * - price: `*_dollars` strings, 4 decimals → {@link PriceTicks} (1/10000 dollar).
 * - size: `*_fp` strings, 2 decimals → {@link SizeCentis} (1/100 contract).
 * - money amounts (costs, fees, PnL, exposure, `fee_cost`): "US dollar amount as a fixed-point decimal string
 *   with up to 6 decimal places" (Kalshi OpenAPI description of `*_dollars` amount fields) → {@link DollarsMicros}.
 */
import { DollarsMicros, MICROS_PER_DOLLAR, PriceTicks, scanFixed as scan, SizeCentis } from '@kalshi-platform/market';

export { formatDollarsMicros, MICROS_PER_CENT, MICROS_PER_DOLLAR, MICROS_PER_TICK } from '@kalshi-platform/market';
export type { DollarsMicros } from '@kalshi-platform/market';
/**
 * Scans a non-negative dollar price string (`"0.4200"`, 0-4 decimals) into ticks; `NaN` if it is not one.
 * Does not check the 0..10000 range (callers do).
 */
export function priceTicksOrNaN(text: string): PriceTicks {
  return scan(text, 4, 10_000, false);
}

/** Scans a signed dollar string with at most 4 decimals into ticks (`"-0.0546"` → -546); `NaN` if invalid. */
export function signedTicksOrNaN(text: string): PriceTicks {
  return scan(text, 4, 10_000, true);
}

/** Scans a signed contract-count string (`"13.00"`, `"-1.84"`, 0-2 decimals) into centis; `NaN` if invalid. */
export function sizeCentisOrNaN(text: string): SizeCentis {
  return scan(text, 2, 100, true);
}

/** Scans a signed dollar amount (`"0.054600"`, 0-6 decimals) into micro-dollars; `NaN` if invalid. */
export function dollarsMicrosOrNaN(text: string): DollarsMicros {
  return scan(text, 6, MICROS_PER_DOLLAR, true);
}
