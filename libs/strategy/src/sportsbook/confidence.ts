/**
 * Confidence in a sportsbook edge: a number in [0,1]. A HEURISTIC of this library (not from a published source):
 *
 *   confidence = books × agreement × depth
 *   books     = n / (n + booksHalf)                      (0 books → 0; saturates towards 1; = 1/2 at booksHalf)
 *   agreement = 1 / (1 + dispersion / dispersionScale)   (books agreeing exactly → 1; = 1/2 at dispersionScale)
 *   depth     = d / (d + depthHalfCentis)                (no size at the price → 0; = 1/2 at depthHalfCentis)
 *
 * with n the number of books in the consensus, dispersion the (population) standard deviation of their fair
 * probabilities of the outcome, d the size available at the price in centis. Each factor lies in [0,1) (agreement
 * in (0,1]) and is monotone in its own argument, so the product is non-decreasing in n and d and non-increasing in
 * the dispersion (property-tested). Defaults: booksHalf 3, dispersionScale 0.02 (two probability points, about
 * the spread between books quoting the same state of a game), depthHalfCentis 10000 (100 contracts).
 */
import type { SizeCentis } from '@kalshi-platform/market';
import type { Consensus } from '@kalshi-platform/odds';
import { checkInteger, checkNumber, checkProbability, SportsbookInputError } from './errors';
import { describeValue } from '@kalshi-platform/market';

/** Inputs of {@link sportsbookConfidence}. */
export interface SportsbookConfidenceInput {
  /** number of books in the consensus, integer >= 0 */
  bookCount: number;
  /** standard deviation of the books' fair probabilities (probability units, >= 0); see {@link fairDispersion} */
  dispersion: number;
  /** size available at the price (e.g. the top ask, or the size the sizing would take), centis, integer >= 0 */
  depthCentis: SizeCentis;
}

/** Shape parameters of {@link sportsbookConfidence}; each is where its factor equals 1/2. All > 0. */
export interface SportsbookConfidenceParams {
  /** default 3 books */
  booksHalf?: number;
  /** default 0.02 (probability) */
  dispersionScale?: number;
  /** default 10000 centis (100 contracts) */
  depthHalfCentis?: number;
}

/** The three factors and their product. */
export interface SportsbookConfidence {
  books: number;
  agreement: number;
  depth: number;
  /** books × agreement × depth, in [0,1] */
  confidence: number;
}

/**
 * The heuristic confidence of the module comment.
 * Example (defaults): 6 books, dispersion 0.01, 100 contracts → (6/9) × (1/1.5) × (1/2) = 0.2222….
 * @throws SportsbookInputError naming the field on a negative or non-integer count, a negative or non-finite
 *   dispersion or depth, or a non-positive parameter.
 */
export function sportsbookConfidence(input: SportsbookConfidenceInput, params: SportsbookConfidenceParams = {}): SportsbookConfidence {
  if (typeof input !== 'object' || input === null) throw new SportsbookInputError('input', `expected an object, got ${describeValue(input)}`);
  const n = checkInteger(input.bookCount, 'bookCount', 0);
  const sd = checkNumber(input.dispersion, 'dispersion', 0);
  const d = checkInteger(input.depthCentis, 'depthCentis', 0);
  const booksHalf = positive(params.booksHalf ?? 3, 'params.booksHalf');
  const scale = positive(params.dispersionScale ?? 0.02, 'params.dispersionScale');
  const depthHalf = positive(params.depthHalfCentis ?? 10_000, 'params.depthHalfCentis');
  const books = n / (n + booksHalf);
  const agreement = 1 / (1 + sd / scale);
  const depth = d / (d + depthHalf);
  return { books, agreement, depth, confidence: books * agreement * depth };
}

function positive(v: unknown, field: string): number {
  const x = checkNumber(v, field, 0);
  if (x === 0) throw new SportsbookInputError(field, 'expected a number > 0, got 0');
  return x;
}

/**
 * Population standard deviation of fair probabilities (0 for zero or one value).
 * @throws SportsbookInputError naming `probabilities[i]` on a value outside [0,1].
 */
export function fairDispersion(probabilities: readonly number[]): number {
  if (!Array.isArray(probabilities)) throw new SportsbookInputError('probabilities', `expected an array, got ${describeValue(probabilities)}`);
  const n = probabilities.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += checkProbability(probabilities[i], `probabilities[${i}]`);
  const mean = sum / n;
  let ss = 0;
  for (const p of probabilities) ss += (p - mean) * (p - mean);
  return Math.sqrt(ss / n);
}

/**
 * {@link sportsbookConfidence} of one outcome of an `@kalshi-platform/odds` {@link Consensus}: n = the books used,
 * dispersion = {@link fairDispersion} of their de-vigged probabilities of `outcomeName`.
 * @throws SportsbookInputError naming `outcomeName` when the consensus has no such outcome, or as sportsbookConfidence.
 */
export function confidenceFromConsensus(consensus: Consensus, outcomeName: string, depthCentis: SizeCentis, params?: SportsbookConfidenceParams): SportsbookConfidence {
  const k = consensus.outcomes.findIndex((o) => o.name === outcomeName);
  if (k < 0) throw new SportsbookInputError('outcomeName', `no outcome ${describeValue(outcomeName)} in the consensus (${consensus.outcomes.map((o) => o.name).join(', ')})`);
  const fair = consensus.books.map((b) => b.fair[k]);
  return sportsbookConfidence({ bookCount: fair.length, dispersion: fairDispersion(fair), depthCentis }, params);
}
