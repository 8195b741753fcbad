/**
 * Odds formats ↔ implied probability.
 *
 * Three quoting conventions for the same number (the payout of a 1-unit stake):
 * - **American** (moneyline): `+150` = win 150 on a 100 stake, `-110` = stake 110 to win 100; |price| ≥ 100 (`+100`
 *   and `-100` both mean even money);
 * - **decimal** (European): total return per unit stake including the stake, > 1 (`2.5` ≡ `+150`, `1.909…` ≡ `-110`);
 * - **fractional** (UK): profit/stake as a ratio string, `"5/2"` ≡ decimal 3.5 ≡ `+250`.
 *
 * The **implied probability** of a price is the break-even probability 1 / decimal: `-110` → 110/210 ≈ 0.5238,
 * `+150` → 100/250 = 0.4. The implied probabilities of one market's outcomes sum to more than 1 by the book's
 * **overround** (vig); removing it ("de-vig", see `devig.ts`) gives **fair probabilities**.
 * Source for the formats and the inverse-odds definition: Štrumbelj 2014, "On determining probability forecasts
 * from betting odds", International Journal of Forecasting 30(4):934-943, §2 (implied probability = inverse decimal
 * odds); American prices as sent by The Odds API v4 (`oddsFormat=american`, https://the-odds-api.com/liveapi/guides/v4/).
 *
 * Units: probabilities are plain JS numbers in [0,1]. This is deliberate: probability math (de-vig solves
 * non-linear equations, consensus takes medians) is not money. Money (stakes, prices of Kalshi contracts, fees)
 * stays integer elsewhere (`@kalshi-platform/market`: ticks, micro-dollars); a fair probability becomes money only
 * when someone converts it to a Kalshi price, with that library's explicit rounding.
 */
import { InvalidOddsError } from './errors';
import { describeValue } from '@kalshi-platform/market';

/** The three odds formats. */
export type OddsFormat = 'american' | 'decimal' | 'fractional';

/** A fractional price as a pair of positive integers: `"5/2"` → `{ numerator: 5, denominator: 2 }`. */
export interface FractionalOdds {
  numerator: number;
  denominator: number;
}

function badPrice(expected: string, value: unknown): never {
  throw new InvalidOddsError('invalid_price', `expected ${expected}, got ${describeValue(value)}`, value);
}

/** Throws {@link InvalidOddsError} unless `price` is a finite number with |price| ≥ 100. Returns it. */
export function assertAmerican(price: unknown): number {
  if (typeof price !== 'number' || !Number.isFinite(price) || Math.abs(price) < 100) badPrice('an American price (a finite number with |price| >= 100)', price);
  return price;
}

/** Throws {@link InvalidOddsError} unless `price` is a finite decimal price > 1. Returns it. */
export function assertDecimal(price: unknown): number {
  if (typeof price !== 'number' || !Number.isFinite(price) || !(price > 1)) badPrice('a decimal price (a finite number > 1)', price);
  return price;
}

/** Throws {@link InvalidOddsError} unless `p` is a finite probability strictly inside (0,1). Returns it. */
export function assertOpenProbability(p: unknown, what = 'a probability'): number {
  if (typeof p !== 'number' || !Number.isFinite(p) || !(p > 0 && p < 1)) {
    throw new InvalidOddsError('invalid_probability', `expected ${what} strictly between 0 and 1, got ${describeValue(p)}`, p);
  }
  return p;
}

/**
 * American price → implied probability in (0,1): `+150` → 100/(150+100) = 0.4; `-110` → 110/(110+100) ≈ 0.5238;
 * `±100` → 0.5. Non-integer prices (e.g. from {@link impliedToAmerican}) are accepted.
 * @throws InvalidOddsError (`invalid_price`) for a non-finite price or |price| < 100.
 */
export function americanToImplied(price: number): number {
  assertAmerican(price);
  return price > 0 ? 100 / (price + 100) : -price / (-price + 100);
}

/**
 * Implied probability in (0,1) → American price (not rounded): p > 0.5 → −100·p/(1−p) (favourite, negative);
 * p ≤ 0.5 → +100·(1−p)/p (underdog; p = 0.5 gives `+100`, the conventional sign for even money).
 * Example: 0.6 → −150, 0.4 → +150. Round with `Math.round` if an integer quote is wanted.
 * @throws InvalidOddsError (`invalid_probability`) unless 0 < p < 1.
 */
export function impliedToAmerican(p: number): number {
  assertOpenProbability(p);
  return p > 0.5 ? (-100 * p) / (1 - p) : (100 * (1 - p)) / p;
}

/**
 * Decimal price (> 1) → implied probability 1/decimal: `2.5` → 0.4.
 * @throws InvalidOddsError (`invalid_price`) for a non-finite price or price ≤ 1.
 */
export function decimalToImplied(price: number): number {
  assertDecimal(price);
  return 1 / price;
}

/**
 * Implied probability in (0,1) → decimal price 1/p: 0.4 → 2.5.
 * @throws InvalidOddsError (`invalid_probability`) unless 0 < p < 1.
 */
export function impliedToDecimal(p: number): number {
  assertOpenProbability(p);
  return 1 / p;
}

/**
 * American → decimal: `+150` → 1 + 150/100 = 2.5; `-110` → 1 + 100/110 ≈ 1.9091; `±100` → 2.
 * @throws InvalidOddsError (`invalid_price`) for a non-finite price or |price| < 100.
 */
export function americanToDecimal(price: number): number {
  assertAmerican(price);
  return price > 0 ? 1 + price / 100 : 1 + 100 / -price;
}

/**
 * Decimal → American (not rounded): d ≥ 2 → +(d−1)·100; d < 2 → −100/(d−1). `2.5` → +150, `1.5` → −200, `2` → +100.
 * @throws InvalidOddsError (`invalid_price`) for a non-finite price or price ≤ 1.
 */
export function decimalToAmerican(price: number): number {
  assertDecimal(price);
  return price >= 2 ? (price - 1) * 100 : -100 / (price - 1);
}

/**
 * Parses a fractional price: `"5/2"` → `{5, 2}`; whitespace around the numbers is allowed; `"evens"`/`"evs"`
 * (any case) → `{1, 1}`. Both parts must be positive safe integers (a `0/1` price would be a certain loss of the
 * stake's profit, i.e. decimal 1, which is not a price).
 * @throws InvalidOddsError (`invalid_price`) naming the text otherwise.
 */
export function parseFractional(text: string): FractionalOdds {
  if (typeof text !== 'string') badPrice('a fractional price string like "5/2"', text);
  const t = text.trim();
  if (/^(evens|evs)$/i.test(t)) return { numerator: 1, denominator: 1 };
  const m = /^(\d{1,15})\s*\/\s*(\d{1,15})$/.exec(t);
  const numerator = m ? Number(m[1]) : NaN;
  const denominator = m ? Number(m[2]) : NaN;
  if (!(numerator > 0 && denominator > 0)) badPrice('a fractional price string "n/d" with positive integers n and d (e.g. "5/2")', text);
  return { numerator, denominator };
}

/**
 * Fractional → decimal: `"5/2"` → 1 + 5/2 = 3.5.
 * @throws InvalidOddsError (`invalid_price`) for a malformed string (see {@link parseFractional}).
 */
export function fractionalToDecimal(text: string): number {
  const { numerator, denominator } = parseFractional(text);
  return 1 + numerator / denominator;
}

/**
 * Fractional → implied probability d/(n+d): `"5/2"` → 2/7 ≈ 0.2857; `"1/1"` → 0.5.
 * @throws InvalidOddsError (`invalid_price`) for a malformed string.
 */
export function fractionalToImplied(text: string): number {
  const { numerator, denominator } = parseFractional(text);
  return denominator / (numerator + denominator);
}

/**
 * Decimal → fractional string, the best rational approximation n/d of (decimal − 1) with d ≤ `maxDenominator`
 * (continued-fraction convergents and semiconvergents; exact whenever (decimal − 1) is such a ratio):
 * `3.5` → `"5/2"`, `1.909090…` → `"10/11"`, `2` → `"1/1"`. Fractional odds are a display format; the result is
 * only as exact as `maxDenominator` allows.
 * @throws InvalidOddsError (`invalid_price`) for a decimal ≤ 1 or non-finite; (`invalid_argument`) for a
 * `maxDenominator` that is not a positive safe integer.
 */
export function decimalToFractional(price: number, maxDenominator = 100): string {
  assertDecimal(price);
  if (!Number.isSafeInteger(maxDenominator) || maxDenominator < 1) {
    throw new InvalidOddsError('invalid_argument', `expected maxDenominator to be a positive integer, got ${describeValue(maxDenominator)}`, maxDenominator);
  }
  const [n, d] = bestRational(price - 1, maxDenominator);
  // A tiny profit ratio can round to 0/d; the smallest representable positive ratio is 1/maxDenominator.
  return n === 0 ? `1/${maxDenominator}` : `${n}/${d}`;
}

/**
 * Implied probability → fractional string (see {@link decimalToFractional}): 2/7 → `"5/2"`, 0.5 → `"1/1"`.
 * @throws InvalidOddsError unless 0 < p < 1.
 */
export function impliedToFractional(p: number, maxDenominator = 100): string {
  return decimalToFractional(impliedToDecimal(p), maxDenominator);
}

/** Best rational approximation of x ≥ 0 with denominator ≤ maxDen (Stern–Brocot via continued fractions). */
function bestRational(x: number, maxDen: number): [number, number] {
  let [h0, h1, k0, k1] = [0, 1, 1, 0]; // convergents h/k: h_{-2}=0,h_{-1}=1; k_{-2}=1,k_{-1}=0
  let y = x;
  for (let i = 0; i < 64; i++) {
    const a = Math.floor(y);
    const k2 = a * k1 + k0;
    if (k2 > maxDen) {
      // semiconvergent: largest t with t*k1 + k0 <= maxDen; take whichever of it and the last convergent is closer
      const t = Math.floor((maxDen - k0) / k1);
      const hs = t * h1 + h0;
      const ks = t * k1 + k0;
      return Math.abs(hs / ks - x) < Math.abs(h1 / k1 - x) ? [hs, ks] : [h1, k1];
    }
    const h2 = a * h1 + h0;
    [h0, h1, k0, k1] = [h1, h2, k1, k2];
    const frac = y - a;
    if (frac < 1e-12 || Math.abs(h1 / k1 - x) < 1e-15 * Math.max(1, x)) break;
    y = 1 / frac;
  }
  return [h1, k1];
}

/**
 * Any price → implied probability, by format. American and decimal prices are numbers, fractional prices strings.
 * @throws InvalidOddsError (`invalid_price`) when the price is not valid in that format (including a string for
 * American/decimal or a number for fractional).
 */
export function toImpliedProbability(price: number | string, format: OddsFormat): number {
  switch (format) {
    case 'american':
      return americanToImplied(price as number);
    case 'decimal':
      return decimalToImplied(price as number);
    case 'fractional':
      return fractionalToImplied(price as string);
    default:
      throw new InvalidOddsError('invalid_argument', `expected format "american" | "decimal" | "fractional", got ${describeValue(format)}`, format);
  }
}

/**
 * Rounds a probability to `places` decimals, half-up, and returns it as a fixed-point string: `0.12345` →
 * `"0.1235"`, `0.5` → `"0.5000"`, `1` → `"1.0000"`, `1e-7` → `"0.0000"`. Used for the CLI's "fair probabilities
 * as decimal strings with 4 places".
 *
 * Which decimal value is rounded: the **shortest decimal string that round-trips to the number** (ECMAScript
 * `Number.prototype.toString`), i.e. the value as it prints. The rounding itself is done on that digit string with
 * BigInt arithmetic, so it is exact and independent of the binary artefact: `0.00015` (stored as
 * 0.000149999999999999986…) gives `"0.0002"` where `toFixed(4)` gives `"0.0001"`; `0.12345` (stored as
 * 0.123450000000000004…) gives `"0.1235"` either way. Values that carry their own float error (e.g. a computed
 * 0.12344999999999999) print and round as what they are. Negative zero formats as zero.
 * @param p probability in [0,1]
 * @param places decimals, an integer 0..20 (default 4)
 * @throws InvalidOddsError (`invalid_probability`) for p outside [0,1] or non-finite; (`invalid_argument`) for
 * bad `places`.
 */
export function formatProbability(p: number, places = 4): string {
  if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1) {
    throw new InvalidOddsError('invalid_probability', `expected a probability in [0,1], got ${describeValue(p)}`, p);
  }
  if (!Number.isInteger(places) || places < 0 || places > 20) {
    throw new InvalidOddsError('invalid_argument', `expected places to be an integer 0..20, got ${describeValue(places)}`, places);
  }
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(p === 0 ? 0 : p));
  if (m === null) throw new InvalidOddsError('invalid_probability', `cannot format probability ${describeValue(p)}`, p);
  const intPart = m[1];
  const fracPart = m[2] ?? '';
  const exp = m[3] === undefined ? 0 : Number(m[3]);
  // p = D × 10^e10 with D the integer formed by all digits
  const digits = BigInt(intPart + fracPart);
  const e10 = exp - fracPart.length;
  const shift = e10 + places; // scaled = D × 10^shift
  let scaled: bigint;
  if (shift >= 0) {
    scaled = digits * 10n ** BigInt(shift);
  } else {
    const div = 10n ** BigInt(-shift);
    scaled = digits / div;
    if ((digits % div) * 2n >= div) scaled += 1n; // half-up (p ≥ 0)
  }
  if (places === 0) return scaled.toString();
  const s = scaled.toString().padStart(places + 1, '0');
  return `${s.slice(0, s.length - places)}.${s.slice(s.length - places)}`;
}
