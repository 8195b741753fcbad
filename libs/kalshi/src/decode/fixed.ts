/**
 * Allocation-free, non-throwing fixed-point scanners for the decoders' hot path, plus the micro-dollar
 * money unit used for amounts that Kalshi sends with 6 decimals.
 *
 * `@kalshi-platform/market` (money.ts) has the canonical throwing parsers (`parsePriceDollars`, `parseSizeFp`);
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
import type { PriceTicks, SizeCentis } from '@kalshi-platform/market';

/**
 * A money amount in integer micro-dollars (1/1,000,000 dollar): `"0.054600"` → 54600, `"-4.95"` → -4950000.
 * Used for amounts (fees, costs, PnL, balances), never for per-contract prices (those are PriceTicks).
 * Safe-integer range covers ±$9 billion exactly.
 */
export type DollarsMicros = number;

/** Micro-dollars per dollar. */
export const MICROS_PER_DOLLAR = 1_000_000;
/** Micro-dollars per legacy integer cent (`balance: 10000` cents = $100 = 100,000,000 µ$). */
export const MICROS_PER_CENT = 10_000;
/** Micro-dollars per price tick (1/10000 dollar, a "centi-cent"). */
export const MICROS_PER_TICK = 100;

const INT_LIMIT = 1e15;

function scan(text: string, maxDecimals: number, scale: number, allowNegative: boolean): number {
  const n = text.length;
  if (n === 0 || n > 40) return NaN;
  let i = 0;
  let negative = false;
  if (text.charCodeAt(0) === 45 /* - */) {
    if (!allowNegative) return NaN;
    negative = true;
    i = 1;
  }
  let intPart = 0;
  let digits = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    intPart = intPart * 10 + c;
    digits++;
  }
  if (intPart > INT_LIMIT) return NaN;
  let frac = 0;
  let fracDigits = 0;
  if (i < n && text.charCodeAt(i) === 46 /* . */) {
    i++;
    for (; i < n; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return NaN;
      if (fracDigits >= maxDecimals) {
        if (c !== 0) return NaN; // more precision than the unit holds
        continue;
      }
      frac = frac * 10 + c;
      fracDigits++;
    }
  }
  if (i !== n) return NaN;
  if (digits === 0 && fracDigits === 0) return NaN; // "", "-", ".", "-."
  for (let k = fracDigits; k < maxDecimals; k++) frac *= 10;
  const value = intPart * scale + frac;
  if (!Number.isSafeInteger(value)) return NaN;
  return negative && value !== 0 ? -value : value;
}

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

function formatScaled(value: number, scale: number, decimals: number): string {
  const negative = value < 0;
  const abs = negative ? -value : value;
  const whole = Math.floor(abs / scale);
  const frac = abs - whole * scale;
  return `${negative ? '-' : ''}${whole}.${String(frac).padStart(decimals, '0')}`;
}

/**
 * Formats micro-dollars as Kalshi's 6-decimal amount string (the `fee_cost` shape): 54600 → `"0.054600"`.
 * @throws RangeError if `micros` is not a safe integer.
 */
export function formatDollarsMicros(micros: DollarsMicros): string {
  if (!Number.isSafeInteger(micros)) throw new RangeError(`cannot format ${String(micros)} as micro-dollars: not a safe integer`);
  return formatScaled(micros, MICROS_PER_DOLLAR, 6);
}
