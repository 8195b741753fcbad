/**
 * Typed errors of the odds library. Every rejection of bad input is one of these (never a bare `TypeError` from
 * deep inside the arithmetic), and every message names what was wrong and quotes the offending value.
 */

/** Base class of every error thrown by `@kalshi-platform/odds`; `code` says which kind. */
export class OddsError extends Error {
  constructor(
    /** Machine-readable kind, e.g. `invalid_price`, `too_few_outcomes`, `negative_overround`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'OddsError';
  }
}

/**
 * A price or probability that is not a valid value of its odds format: a non-finite number, an American price with
 * |price| < 100, a decimal price ≤ 1, a malformed fractional string, a probability outside (0,1), … `value` is the
 * offending input as given.
 */
export class InvalidOddsError extends OddsError {
  constructor(
    code: 'invalid_price' | 'invalid_probability' | 'invalid_argument',
    message: string,
    readonly value: unknown,
  ) {
    super(code, message);
    this.name = 'InvalidOddsError';
  }
}

/**
 * A de-vig method cannot be applied to this book: fewer than 2 outcomes, a negative overround for a method that
 * needs a positive one (Shin), an additive de-vig that would make an outcome's fair probability ≤ 0, or a solver
 * power de-vig whose longshot probability underflows to 0 (only on absurd books, e.g. overround ~100% with a
 * 0.002 longshot: k ≈ 120), or a solver that did not converge (not observed; kept so that a failure is reported,
 * never silently wrong).
 */
export class DevigError extends OddsError {
  constructor(code: 'too_few_outcomes' | 'negative_overround' | 'additive_nonpositive' | 'underflow' | 'no_convergence', message: string) {
    super(code, message);
    this.name = 'DevigError';
  }
}

/** Invalid consensus options, no book left to form a consensus from, or books that disagree (`dropped` says why each book went). */
export class ConsensusError extends OddsError {
  constructor(
    code: 'invalid_options' | 'no_books' | 'disagreement',
    message: string,
    /** For `no_books` / `disagreement`: every book dropped and the reason. */
    readonly dropped: readonly { bookmaker: string; reason: string; detail: string }[] = [],
  ) {
    super(code, message);
    this.name = 'ConsensusError';
  }
}

/**
 * The Odds API response did not have the documented shape. `path` locates the offending field from the root array
 * (`[3].bookmakers[1].markets[0].outcomes[0].price`), the message quotes the value.
 */
export class OddsDecodeError extends OddsError {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super('invalid_field', message);
    this.name = 'OddsDecodeError';
  }
}
