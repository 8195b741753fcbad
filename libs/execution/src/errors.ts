import { ONE_DOLLAR, describeValue } from '@kalshi-platform/market';

/**
 * Thrown when a value handed to the execution library is malformed (empty id, non-integer or out-of-range price or
 * size, unknown enum value...). The message starts with the offending field's path, e.g.
 * `event.countCentis: got 1.5, expected an integer >= 1`. Subclasses narrow the origin ({@link LedgerInputError}).
 */
export class ExecutionInputError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutionInputError';
  }
}

/** Factory of the error a validator throws (lets the ledger throw its own subclass). */
export type InputErrorFactory = (message: string) => Error;

const defaultError: InputErrorFactory = (m) => new ExecutionInputError(m);

/** @throws unless `v` is a non-empty string */
export function requireNonEmptyString(field: string, v: unknown, err: InputErrorFactory = defaultError): asserts v is string {
  if (typeof v !== 'string' || v === '') throw err(`${field}: got ${describeValue(v)}, expected a non-empty string`);
}

/** @throws unless `v` is a safe integer >= `min` (and <= `max` when given) */
export function requireInt(field: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER, err: InputErrorFactory = defaultError): asserts v is number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`;
    throw err(`${field}: got ${describeValue(v)}, expected an integer ${range}`);
  }
}

/** @throws unless `v` is any safe integer (negative allowed) */
export function requireSafeInt(field: string, v: unknown, err: InputErrorFactory = defaultError): asserts v is number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw err(`${field}: got ${describeValue(v)}, expected a safe integer`);
}

/** @throws unless `v` is a finite number (a time in epoch ms) */
export function requireTime(field: string, v: unknown, err: InputErrorFactory = defaultError): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw err(`${field}: got ${describeValue(v)}, expected a finite epoch-ms number`);
}

/** @throws unless `v` is a limit/fill price in 1/10000 $, an integer 1..9999 */
export function requirePriceTicks(field: string, v: unknown, err: InputErrorFactory = defaultError): asserts v is number {
  requireInt(field, v, 1, ONE_DOLLAR - 1, err);
}

/** @throws unless `v` is `'yes'` or `'no'` */
export function requireSide(field: string, v: unknown, err: InputErrorFactory = defaultError): asserts v is 'yes' | 'no' {
  if (v !== 'yes' && v !== 'no') throw err(`${field}: got ${describeValue(v)}, expected 'yes' | 'no'`);
}

/** @throws unless `v` is `'buy'` or `'sell'` */
export function requireAction(field: string, v: unknown, err: InputErrorFactory = defaultError): asserts v is 'buy' | 'sell' {
  if (v !== 'buy' && v !== 'sell') throw err(`${field}: got ${describeValue(v)}, expected 'buy' | 'sell'`);
}

/** @throws unless `v` is a non-null object */
export function requireObject(field: string, v: unknown, err: InputErrorFactory = defaultError): asserts v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) throw err(`${field}: got ${describeValue(v)}, expected an object`);
}
