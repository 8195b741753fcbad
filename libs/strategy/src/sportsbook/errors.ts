/**
 * Errors of the sportsbook-edge module.
 */
import { describeValue } from '@kalshi-platform/market';

/**
 * Thrown on bad input to {@link sportsbookEdge}, {@link kellySize} or {@link sportsbookConfidence}: `field` is the
 * path of the offending input (e.g. `yesAsks[2][0]`, `kellyFraction`, `caps.maxMarketCostMicros`) and the message
 * names it together with the value and what was expected.
 */
export class SportsbookInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'SportsbookInputError';
  }
}


/** @throws SportsbookInputError unless `v` is a finite number in [0,1]. */
export function checkProbability(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new SportsbookInputError(field, `expected a probability in [0,1], got ${describeValue(v)}`);
  }
  return v;
}

/** @throws SportsbookInputError unless `v` is a safe integer >= `min`. */
export function checkInteger(v: unknown, field: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new SportsbookInputError(field, `expected an integer >= ${min}, got ${describeValue(v)}`);
  }
  return v;
}

/** @throws SportsbookInputError unless `v` is a finite number >= `min` (and, when `max` is given, <= `max`). */
export function checkNumber(v: unknown, field: string, min: number, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    const range = max === Infinity ? `>= ${min}` : `in [${min},${max}]`;
    throw new SportsbookInputError(field, `expected a finite number ${range}, got ${describeValue(v)}`);
  }
  return v;
}
