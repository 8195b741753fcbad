/**
 * Errors of the sportsbook-edge module.
 */

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

/** `String(v)` for numbers, JSON-ish for the rest, shortened. */
export function describeValue(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  try {
    const s = JSON.stringify(v);
    return s === undefined ? typeof v : s.length > 60 ? `${s.slice(0, 60)}…` : s;
  } catch {
    return typeof v;
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
