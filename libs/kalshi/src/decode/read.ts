/**
 * Internal field readers used by the non-hot-path decoders (not exported from the package).
 *
 * Readers throw `FieldError`; {@link runDecoder} turns it into `{ ok: false, error: { kind: 'invalid_field',
 * field, message } }`, so the public decoders never throw.
 */
import type { PriceTicks, SizeCentis } from '@kalshi-platform/market';
import { decodeFailure, describeValue, isRec, type DecodeResult, type Rec } from './common';
import { dollarsMicrosOrNaN, MICROS_PER_CENT, priceTicksOrNaN, sizeCentisOrNaN, type DollarsMicros } from './fixed';

/** Thrown by the field readers, caught by {@link runDecoder}. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'FieldError';
  }
}

/** Joins a parent path and a key: `join('msg', 'sid')` → `msg.sid`, `join('', 'sid')` → `sid`. */
export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Throws a FieldError `"<field>: expected <expected>, got <value>"`. */
export function fieldFail(field: string, expected: string, value: unknown): never {
  throw new FieldError(field, `${field}: expected ${expected}, got ${describeValue(value)}`);
}

/**
 * Runs a throwing decoder body and converts its outcome into a {@link DecodeResult}. Any unexpected exception
 * (e.g. a throwing getter on a caller-supplied object) becomes an `invalid_field` error, never a throw.
 */
export function runDecoder<T>(frameType: string, body: () => T): DecodeResult<T> {
  try {
    return { ok: true, value: body() };
  } catch (e) {
    if (e instanceof FieldError) return decodeFailure('invalid_field', e.message, e.field, frameType);
    const message = e instanceof Error ? e.message : describeValue(e);
    return decodeFailure('invalid_field', `unexpected error while decoding ${frameType}: ${message}`, undefined, frameType);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Field readers. `path` is the path of the object `o` itself; absent (`undefined`) and, for optional readers,
// `null` mean "not there". Readers throw FieldError.
// ---------------------------------------------------------------------------------------------------------

/** Requires `v` to be an object. */
export function reqObj(v: unknown, path: string): Rec {
  if (!isRec(v)) fieldFail(path === '' ? '(root)' : path, 'an object', v);
  return v;
}

/** Reads `o[key]` as an object, or undefined when absent/null. */
export function optObj(o: Rec, key: string, path: string): Rec | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  return reqObj(v, join(path, key));
}

/** Reads a required string. */
export function reqStr(o: Rec, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') fieldFail(join(path, key), 'a string', v);
  return v;
}

/** Reads a required non-empty string (tickers, ids). */
export function reqId(o: Rec, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) fieldFail(join(path, key), 'a non-empty string', v);
  return v;
}

/** Reads an optional string (undefined or null → undefined). */
export function optStr(o: Rec, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fieldFail(join(path, key), 'a string', v);
  return v;
}

/** Reads a required boolean. */
export function reqBool(o: Rec, key: string, path: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') fieldFail(join(path, key), 'a boolean', v);
  return v;
}

/** Reads an optional boolean. */
export function optBool(o: Rec, key: string, path: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fieldFail(join(path, key), 'a boolean', v);
  return v;
}

/** Reads a required safe integer ≥ `min`. */
export function reqInt(o: Rec, key: string, path: string, min = Number.MIN_SAFE_INTEGER): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fieldFail(join(path, key), min === 0 ? 'a non-negative integer' : 'an integer', v);
  return v;
}

/** Reads an optional safe integer ≥ `min`. */
export function optInt(o: Rec, key: string, path: string, min = Number.MIN_SAFE_INTEGER): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  return reqInt(o, key, path, min);
}

/**
 * Reads an optional integer that Kalshi sometimes sends as a decimal-digit string (e.g. `settlement_timer_seconds:
 * "1800"` and candlestick `end_period_ts: "1781143200"` in the ccxt capture, typed as integers in the OpenAPI).
 */
export function optLooseInt(o: Rec, key: string, path: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v)) return Number(v);
  fieldFail(join(path, key), 'an integer (or a string of digits)', v);
}

/** Reads a required loose integer (see {@link optLooseInt}). */
export function reqLooseInt(o: Rec, key: string, path: string): number {
  const v = optLooseInt(o, key, path);
  if (v === undefined) fieldFail(join(path, key), 'an integer (or a string of digits)', o[key]);
  return v;
}

/**
 * Reads an optional finite number that may arrive as a number or a numeric string (strikes: `floor_strike: 1000`
 * in REST, `"4487"` in the `market_lifecycle_v2` docs example). Strikes are not money; a float is fine here.
 */
export function optNumeric(o: Rec, key: string, path: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?(\d+\.?\d*|\.\d+)$/.test(v)) return Number(v);
  fieldFail(join(path, key), 'a finite number (or numeric string)', v);
}

/** Reads a required string that must be one of `values`. */
export function reqEnum<T extends string>(o: Rec, key: string, path: string, values: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) fieldFail(join(path, key), `one of ${values.map((x) => JSON.stringify(x)).join('|')}`, v);
  return v as T;
}

/** Reads an optional enum string (undefined/null → undefined). */
export function optEnum<T extends string>(o: Rec, key: string, path: string, values: readonly T[]): T | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  return reqEnum(o, key, path, values);
}

/** Reads a required array. */
export function reqArr(o: Rec, key: string, path: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) fieldFail(join(path, key), 'an array', v);
  return v;
}

/** Reads an optional array (undefined/null → undefined). */
export function optArr(o: Rec, key: string, path: string): unknown[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  return reqArr(o, key, path);
}

/** Reads an optional array of strings. */
export function optStrArr(o: Rec, key: string, path: string): string[] | undefined {
  const a = optArr(o, key, path);
  if (a === undefined) return undefined;
  const p = join(path, key);
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'string') fieldFail(join(p, i), 'a string', a[i]);
  return a as string[];
}

/** Maps every element of a required array of objects. */
export function mapObjArr<T>(o: Rec, key: string, path: string, fn: (item: Rec, itemPath: string) => T): T[] {
  const a = reqArr(o, key, path);
  const p = join(path, key);
  const out: T[] = new Array<T>(a.length);
  for (let i = 0; i < a.length; i++) {
    const ip = join(p, i);
    out[i] = fn(reqObj(a[i], ip), ip);
  }
  return out;
}

/** Like {@link mapObjArr} for an optional array (undefined/null → undefined). */
export function mapOptObjArr<T>(o: Rec, key: string, path: string, fn: (item: Rec, itemPath: string) => T): T[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  return mapObjArr(o, key, path, fn);
}

/** Parses a dollar price string into ticks, requiring 0..10000 (a per-contract price of a binary contract). */
export function priceFromDollarsText(v: unknown, field: string): PriceTicks {
  const t = typeof v === 'string' ? priceTicksOrNaN(v) : NaN;
  if (!(t >= 0 && t <= 10_000)) fieldFail(field, 'a dollar price string with at most 4 decimals in 0..1', v);
  return t;
}

/** Converts a legacy integer-cent price into ticks, requiring an integer 0..100. */
export function priceFromCentsValue(v: unknown, field: string): PriceTicks {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100) fieldFail(field, 'an integer price in cents 0..100', v);
  return v * 100;
}

/** Parses a contract-count string (`_fp`, 0-2 decimals, signed) into centis. */
export function sizeFromFpText(v: unknown, field: string, allowNegative: boolean): SizeCentis {
  const c = typeof v === 'string' ? sizeCentisOrNaN(v) : NaN;
  if (Number.isNaN(c) || (!allowNegative && c < 0)) fieldFail(field, `a${allowNegative ? '' : ' non-negative'} contract-count string with at most 2 decimals`, v);
  return c;
}

/** Converts a legacy integer contract count into centis. */
export function sizeFromCountValue(v: unknown, field: string, allowNegative: boolean): SizeCentis {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || !Number.isSafeInteger(v * 100) || (!allowNegative && v < 0)) {
    fieldFail(field, `a${allowNegative ? 'n' : ' non-negative'} integer contract count`, v);
  }
  return v * 100;
}

/** Parses a signed dollar amount string (0-6 decimals) into micro-dollars. */
export function moneyFromDollarsText(v: unknown, field: string): DollarsMicros {
  const m = typeof v === 'string' ? dollarsMicrosOrNaN(v) : NaN;
  if (Number.isNaN(m)) fieldFail(field, 'a dollar amount string with at most 6 decimals', v);
  return m;
}

/** Converts a legacy integer amount in units of `microsPerUnit` (cents: 10000, centi-cents: 100) into micro-dollars. */
export function moneyFromIntValue(v: unknown, field: string, microsPerUnit = MICROS_PER_CENT): DollarsMicros {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || !Number.isSafeInteger(v * microsPerUnit)) fieldFail(field, 'an integer amount', v);
  return v * microsPerUnit;
}

/**
 * Reads a price preferring the fixed-point key (`yes_bid_dollars`) over the legacy integer-cent key (`yes_bid`).
 * `null` counts as absent. Returns undefined when neither is there and `required` is false.
 */
export function readPrice(o: Rec, path: string, dollarsKey: string, centsKey: string | undefined, required: boolean): PriceTicks | undefined {
  const d = o[dollarsKey];
  if (d !== undefined && d !== null) return priceFromDollarsText(d, join(path, dollarsKey));
  if (centsKey !== undefined) {
    const c = o[centsKey];
    if (c !== undefined && c !== null) return priceFromCentsValue(c, join(path, centsKey));
  }
  if (required) fieldFail(join(path, dollarsKey), centsKey ? `a dollar price string (or legacy integer cents in "${centsKey}")` : 'a dollar price string', d);
  return undefined;
}

/** Reads a contract count preferring `<x>_fp` strings over legacy integer counts. */
export function readSize(o: Rec, path: string, fpKey: string, countKey: string | undefined, required: boolean, allowNegative = false): SizeCentis | undefined {
  const f = o[fpKey];
  if (f !== undefined && f !== null) return sizeFromFpText(f, join(path, fpKey), allowNegative);
  if (countKey !== undefined) {
    const c = o[countKey];
    if (c !== undefined && c !== null) return sizeFromCountValue(c, join(path, countKey), allowNegative);
  }
  if (required) fieldFail(join(path, fpKey), countKey ? `a contract-count string (or legacy integer in "${countKey}")` : 'a contract-count string', f);
  return undefined;
}

/**
 * Reads a money amount preferring the `_dollars` string (0-6 decimals) over a legacy integer (cents unless
 * `microsPerUnit` says otherwise).
 */
export function readMoney(o: Rec, path: string, dollarsKey: string, legacyKey: string | undefined, required: boolean, microsPerUnit = MICROS_PER_CENT): DollarsMicros | undefined {
  const d = o[dollarsKey];
  if (d !== undefined && d !== null) return moneyFromDollarsText(d, join(path, dollarsKey));
  if (legacyKey !== undefined) {
    const c = o[legacyKey];
    if (c !== undefined && c !== null) return moneyFromIntValue(c, join(path, legacyKey), microsPerUnit);
  }
  if (required) fieldFail(join(path, dollarsKey), legacyKey ? `a dollar amount string (or legacy integer in "${legacyKey}")` : 'a dollar amount string', d);
  return undefined;
}

/** Assigns `value` to `target[key]` only when it is not undefined (keeps optional keys absent). */
export function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value as T[K];
}

/** {@link readPrice} for a required field (never undefined). */
export function reqPrice(o: Rec, path: string, dollarsKey: string, centsKey: string | undefined): PriceTicks {
  return readPrice(o, path, dollarsKey, centsKey, true) as PriceTicks;
}

/** {@link readSize} for a required field (never undefined). */
export function reqSize(o: Rec, path: string, fpKey: string, countKey: string | undefined, allowNegative = false): SizeCentis {
  return readSize(o, path, fpKey, countKey, true, allowNegative) as SizeCentis;
}

/** {@link readMoney} for a required field (never undefined). */
export function reqMoney(o: Rec, path: string, dollarsKey: string, legacyKey: string | undefined, microsPerUnit = MICROS_PER_CENT): DollarsMicros {
  return readMoney(o, path, dollarsKey, legacyKey, true, microsPerUnit) as DollarsMicros;
}
