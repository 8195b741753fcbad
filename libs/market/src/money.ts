/**
 * Exact fixed-point money and size types for Kalshi.
 *
 * Kalshi sends prices as dollar strings with up to 4 decimals (`"0.4200"`, fields ending `_dollars`) and
 * contract counts as strings with up to 2 decimals (`"13.00"`, fields ending `_fp`) since the fixed-point
 * migration of 2026-03-12 (docs.kalshi.com, getting_started/fixed_point_migration). Internally every price
 * is an integer number of 1/10000 dollar ("ticks" of this library, not the market's tick size) and every
 * size an integer number of 1/100 contract ("centis"). Both stay far below 2^53, so plain JS numbers are
 * exact; binary floating point is never used for money.
 */

/** Price in 1/10000 dollar (an integer; 4200 = $0.42). A binary contract's price lies in 0..10000. */
export type PriceTicks = number;
/** Size in 1/100 contract (an integer; 1300 = 13.00 contracts). Deltas may be negative. */
export type SizeCentis = number;

/** Ticks per dollar. */
export const PRICE_SCALE = 10_000;
/** Centis per contract. */
export const SIZE_SCALE = 100;
/** $1, the payout of one winning contract, in ticks. */
export const ONE_DOLLAR: PriceTicks = PRICE_SCALE;

/** Thrown when a price or size string/number is not a valid fixed-point value; the message names it. */
export class FixedPointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FixedPointError';
  }
}

/**
 * Scans a fixed-point decimal string into an integer of `scale` units per whole, without throwing and
 * without allocating: optional `-` (when `allowNegative`), digits, optional `.` and up to `maxDecimals`
 * decimals (extra decimals are accepted only when they are zeros, since the value stays exact). No `+`,
 * exponent, whitespace, `Infinity` or `NaN`. Returns `NaN` for anything else or outside the safe-integer
 * range. The hot path of the decoders uses it directly; `parsePriceDollars` & co. wrap it with a clear error.
 */
export function scanFixed(text: string, maxDecimals: number, scale: number, allowNegative: boolean): number {
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
  if (intPart > 1e15) return NaN;
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

function parseFixed(text: string, maxDecimals: number, scale: number, what: string, allowNegative: boolean): number {
  if (typeof text !== 'string') throw new FixedPointError(`${what}: expected a decimal string, got ${typeof text}`);
  const value = scanFixed(text, maxDecimals, scale, allowNegative);
  if (!Number.isNaN(value)) return value;
  if (!allowNegative && text.startsWith('-')) throw new FixedPointError(`${what}: "${text}" must not be negative`);
  const m = /^-?\d*\.(\d*)$/.exec(text);
  if (m && m[1].replace(/0+$/, '').length > maxDecimals) throw new FixedPointError(`${what}: "${text}" has more than ${maxDecimals} decimals`);
  if (/^-?(\d+\.?\d*|\.\d+)$/.test(text)) throw new FixedPointError(`${what}: "${text}" is out of range`);
  throw new FixedPointError(`${what}: "${text}" is not a decimal number`);
}

/**
 * Parses a Kalshi dollar string (`"0.4200"`, 0-4 decimals) into ticks.
 * @throws FixedPointError naming the text if it is not a non-negative decimal with at most 4 decimals.
 */
export function parsePriceDollars(text: string): PriceTicks {
  return parseFixed(text, 4, PRICE_SCALE, 'price_dollars', false);
}

/**
 * Parses a signed dollar amount (`"-0.0546"`, 0-4 decimals) into ticks, e.g. PnL or cash.
 * @throws FixedPointError naming the text.
 */
export function parseSignedDollars(text: string): PriceTicks {
  return parseFixed(text, 4, PRICE_SCALE, 'dollars', true);
}

/**
 * Parses a Kalshi contract-count string (`"13.00"`, `"-1.84"`, 0-2 decimals) into centis.
 * Negative values are allowed (order book deltas are signed).
 * @throws FixedPointError naming the text.
 */
export function parseSizeFp(text: string): SizeCentis {
  return parseFixed(text, 2, SIZE_SCALE, 'size_fp', true);
}

/** Formats an integer of `scale` units per whole with exactly `decimals` decimals (`formatFixed(-184, 100, 2)` = `"-1.84"`). @throws FixedPointError for a non-integer. */
export function formatFixed(value: number, scale: number, decimals: number): string {
  if (!Number.isSafeInteger(value)) throw new FixedPointError(`cannot format non-integer fixed-point value ${value}`);
  const negative = value < 0;
  const abs = negative ? -value : value;
  const whole = Math.floor(abs / scale);
  const frac = abs - whole * scale;
  const fracText = String(frac).padStart(decimals, '0');
  return `${negative ? '-' : ''}${whole}.${fracText}`;
}

/** Formats ticks as Kalshi's 4-decimal dollar string: 4200 -> `"0.4200"`, -546 -> `"-0.0546"`. */
export function formatPriceDollars(ticks: PriceTicks): string {
  return formatFixed(ticks, PRICE_SCALE, 4);
}

/** Formats centis as Kalshi's 2-decimal count string: 1300 -> `"13.00"`, -184 -> `"-1.84"`. */
export function formatSizeFp(centis: SizeCentis): string {
  return formatFixed(centis, SIZE_SCALE, 2);
}

/**
 * Converts a legacy integer-cent price (pre-2026-03-12 payloads: `yes_price: 42`) into ticks.
 * @throws FixedPointError if `cents` is not an integer in 0..100.
 */
export function priceFromCents(cents: number): PriceTicks {
  if (!Number.isInteger(cents) || cents < 0 || cents > 100) throw new FixedPointError(`price in cents: ${cents} is not an integer in 0..100`);
  return cents * 100;
}

/**
 * Converts a legacy integer contract count (pre-2026-03-12 payloads: `count: 13`, signed book `delta`) into centis.
 * @throws FixedPointError if `count` is not a safe integer.
 */
export function sizeFromContracts(count: number): SizeCentis {
  if (!Number.isSafeInteger(count)) throw new FixedPointError(`contract count: ${count} is not an integer`);
  return count * SIZE_SCALE;
}

/**
 * A money amount in integer micro-dollars (1/1,000,000 dollar): `"0.054600"` -> 54600, `"-4.95"` -> -4950000.
 * Kalshi sends amounts (fees, costs, PnL, balances, exposure) with up to 6 decimals (Kalshi OpenAPI, `*_dollars`
 * amount fields; docs.kalshi.com/getting_started/fixed_point_migration: "intermediate calculations can reach
 * up to 6 decimal places"). Never used for per-contract prices (those are PriceTicks).
 */
export type DollarsMicros = number;
/** Micro-dollars per dollar. */
export const MICROS_PER_DOLLAR = 1_000_000;
/** Micro-dollars per legacy integer cent. */
export const MICROS_PER_CENT = 10_000;
/** Micro-dollars per price tick (1/10000 dollar). */
export const MICROS_PER_TICK = 100;

/** Formats micro-dollars as Kalshi's 6-decimal amount string: 54600 -> `"0.054600"`. @throws FixedPointError for a non-integer. */
export function formatDollarsMicros(micros: DollarsMicros): string {
  return formatFixed(micros, MICROS_PER_DOLLAR, 6);
}
