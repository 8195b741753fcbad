/**
 * Consensus fair probabilities of one event market across sportsbooks.
 *
 * Pipeline (each step reports the books it drops, with the reason):
 * 1. `duplicate_bookmaker`: a second quote from the same bookmaker key is dropped (the first is kept);
 * 2. `stale`: with `maxAgeMs` and `nowMs` given, a quote with `nowMs − lastUpdateMs > maxAgeMs` is dropped (a
 *    quote stamped after `nowMs`, i.e. clock skew, is kept); with neither given nothing is dropped for age;
 * 3. `invalid_quote`: a quote whose prices are not valid in the given format, has duplicate or empty outcome names,
 *    or that the de-vig method rejects (e.g. Shin on a book summing below 1), is dropped with the error's message;
 * 4. `outcome_mismatch`: the reference outcome set is the set of outcome names carried by the most remaining books
 *    (ties: the one seen first); books with a different set are dropped;
 * 5. `outlier` (option `outlierThreshold`, default 0.15, `null` disables): with at least `minBooksForOutliers`
 *    (default 3) books left, the cross-book median fair probability of every outcome is taken over all remaining
 *    books and a book is dropped when any of its fair probabilities is more than the threshold (absolute probability
 *    points) from that median. One pass, against the median including the outliers (a median is not moved by a
 *    minority of wild quotes). With fewer books it is skipped: two books that disagree cannot say which is wrong.
 *    0.15 is a sanity filter, not a value judgement: the capture's in-play games show books at −2000 and −115 on
 *    the same NHL game (fair 0.91 vs 0.50), while books quoting the same state of a game sit within a few points.
 * 6. the consensus fair probability of each outcome is the median (default; mean of the middle two for an even
 *    count) or the mean of the remaining books' fair probabilities, then **renormalised** to sum to 1 (medians of
 *    the outcomes need not sum to 1).
 *
 * Method and sources of each de-vig: see `devig.ts`. Consensus by median/mean of de-vigged books: Štrumbelj 2014
 * ("On determining probability forecasts from betting odds", International Journal of Forecasting 30(4):934-943)
 * averages the de-vigged probabilities of several bookmakers; the median is this library's robust variant.
 */
import { ConsensusError, InvalidOddsError, OddsError } from './errors';
import { describeValue } from '@kalshi-platform/market';
import { devig, DEVIG_METHODS, type DevigMethod } from './devig';
import { toImpliedProbability } from './formats';

/** One outcome of a book's quote: its name (team, "Draw", …) and price. */
export interface QuoteOutcome {
  name: string;
  /** American price (default) or decimal price, per {@link ConsensusOptions.priceFormat}. */
  price: number;
}

/** One book's quote of one event market (e.g. the `h2h` market of one game). */
export interface BookQuote {
  /** Bookmaker key, e.g. `draftkings`. */
  bookmaker: string;
  /** When the book last updated this market, Unix epoch milliseconds. */
  lastUpdateMs: number;
  outcomes: QuoteOutcome[];
}

/** How the per-book fair probabilities are combined. */
export type ConsensusAggregate = 'median' | 'mean';

/** Options of {@link consensus}. */
export interface ConsensusOptions {
  /** De-vig method per book (default `multiplicative`). */
  method?: DevigMethod;
  /** `median` (default) or `mean` across books, per outcome. */
  consensus?: ConsensusAggregate;
  /** Price format of the quotes: `american` (default) or `decimal`. */
  priceFormat?: 'american' | 'decimal';
  /** Maximum age of a quote in ms (≥ 0); requires `nowMs`. Absent: no age filter. */
  maxAgeMs?: number;
  /** "Now", Unix epoch ms, for `maxAgeMs`. */
  nowMs?: number;
  /** Absolute distance in probability (0..1) from the cross-book median beyond which a book is an outlier; default 0.15; `null` disables. */
  outlierThreshold?: number | null;
  /** Minimum number of books for outlier rejection to run (default 3, at least 3). */
  minBooksForOutliers?: number;
  /**
   * When outlier rejection drops at least this many books as there are left (default 1: as many or more), the books
   * do not agree on the market (e.g. in play, some books frozen on old prices) and there is no consensus
   * (`ConsensusError` code `disagreement`); `null` disables the check.
   */
  maxOutliersPerKept?: number | null;
}

/** Why a book was left out of the consensus. */
export type DropReason = 'duplicate_bookmaker' | 'stale' | 'invalid_quote' | 'outcome_mismatch' | 'outlier';

/** A book left out, with the reason and a human-readable detail (ages, distances, the error message). */
export interface DroppedBook {
  bookmaker: string;
  reason: DropReason;
  detail: string;
}

/** A book used in the consensus: its fair probabilities (in the order of {@link Consensus.outcomes}) and overround. */
export interface ConsensusBook {
  bookmaker: string;
  lastUpdateMs: number;
  /** Implied probabilities π_i, consensus outcome order. */
  implied: number[];
  /** De-vigged fair probabilities p_i, consensus outcome order. */
  fair: number[];
  /** The book's overround S − 1. */
  overround: number;
}

/** The consensus of one event market. */
export interface Consensus {
  method: DevigMethod;
  consensus: ConsensusAggregate;
  /** Per outcome (in the order of the first book carrying the reference outcome set): consensus fair probability; these sum to 1. */
  outcomes: { name: string; fairProbability: number }[];
  /** The books used, in input order. */
  books: ConsensusBook[];
  /** The books left out, in the order they were dropped (pipeline step, then input order). */
  dropped: DroppedBook[];
}

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new InvalidOddsError('invalid_argument', 'median of an empty list', xs);
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function mean(xs: readonly number[]): number {
  let t = 0;
  for (const x of xs) t += x;
  return t / xs.length;
}

function optionsError(message: string, value: unknown): never {
  throw new ConsensusError('invalid_options', `${message}, got ${describeValue(value)}`);
}

function checkOptions(o: ConsensusOptions): Required<Omit<ConsensusOptions, 'maxAgeMs' | 'nowMs'>> & { maxAgeMs?: number; nowMs?: number } {
  const method = o.method ?? 'multiplicative';
  if (!DEVIG_METHODS.includes(method)) optionsError(`method: expected one of ${DEVIG_METHODS.join(' | ')}`, method);
  const agg = o.consensus ?? 'median';
  if (agg !== 'median' && agg !== 'mean') optionsError('consensus: expected "median" | "mean"', agg);
  const priceFormat = o.priceFormat ?? 'american';
  if (priceFormat !== 'american' && priceFormat !== 'decimal') optionsError('priceFormat: expected "american" | "decimal"', priceFormat);
  if ((o.maxAgeMs === undefined) !== (o.nowMs === undefined)) optionsError('maxAgeMs and nowMs go together: give both or neither', { maxAgeMs: o.maxAgeMs, nowMs: o.nowMs });
  if (o.maxAgeMs !== undefined && !(Number.isFinite(o.maxAgeMs) && o.maxAgeMs >= 0)) optionsError('maxAgeMs: expected a finite number >= 0', o.maxAgeMs);
  if (o.nowMs !== undefined && !Number.isFinite(o.nowMs)) optionsError('nowMs: expected a finite epoch-ms number', o.nowMs);
  const thr = o.outlierThreshold === undefined ? 0.15 : o.outlierThreshold;
  if (thr !== null && !(Number.isFinite(thr) && thr > 0 && thr <= 1)) optionsError('outlierThreshold: expected a number in (0,1] or null', thr);
  const minBooks = o.minBooksForOutliers ?? 3;
  if (!Number.isSafeInteger(minBooks) || minBooks < 3) optionsError('minBooksForOutliers: expected an integer >= 3', minBooks);
  const maxOut = o.maxOutliersPerKept === undefined ? 1 : o.maxOutliersPerKept;
  if (maxOut !== null && !(Number.isFinite(maxOut) && maxOut > 0)) optionsError('maxOutliersPerKept: expected a positive number or null', maxOut);
  return { method, consensus: agg, priceFormat, maxAgeMs: o.maxAgeMs, nowMs: o.nowMs, outlierThreshold: thr, minBooksForOutliers: minBooks, maxOutliersPerKept: maxOut };
}

interface Work {
  quote: BookQuote;
  names: string[];
  key: string;
}

/**
 * Consensus fair probabilities of one event market across books (pipeline in the module doc).
 * @param quotes one quote per book (American prices unless `priceFormat: 'decimal'`), 2 or more outcomes each.
 * @param options see {@link ConsensusOptions}; defaults: multiplicative de-vig, median, no age filter, outlier
 * threshold 0.15 from 3 books on.
 * @returns per-outcome consensus fair probabilities summing to 1 (within 1e-12), the books used (with their own
 * fair probabilities) and the dropped books with reasons.
 * @throws ConsensusError `invalid_options` for bad options (naming the option); `no_books` when no book is left
 * (its `dropped` lists why each went). A bad individual quote never throws: it is dropped as `invalid_quote`.
 */
export function consensus(quotes: readonly BookQuote[], options: ConsensusOptions = {}): Consensus {
  if (!Array.isArray(quotes as unknown)) optionsError('quotes: expected an array of book quotes', quotes);
  const o = checkOptions(options);
  const dropped: DroppedBook[] = [];
  const drop = (bookmaker: string, reason: DropReason, detail: string): void => {
    dropped.push({ bookmaker, reason, detail });
  };

  // 1-3: duplicates, staleness, per-quote validity
  const seen = new Set<string>();
  const valid: Work[] = [];
  quotes.forEach((q: BookQuote, idx: number) => {
    const bookmaker = typeof q?.bookmaker === 'string' && q.bookmaker !== '' ? q.bookmaker : `#${idx}`;
    if (seen.has(bookmaker)) return drop(bookmaker, 'duplicate_bookmaker', `a quote from ${bookmaker} was already used (quote #${idx})`);
    seen.add(bookmaker);
    if (typeof q?.lastUpdateMs !== 'number' || !Number.isFinite(q.lastUpdateMs)) {
      return drop(bookmaker, 'invalid_quote', `lastUpdateMs: expected epoch milliseconds, got ${describeValue(q?.lastUpdateMs)}`);
    }
    if (o.maxAgeMs !== undefined && o.nowMs !== undefined && o.nowMs - q.lastUpdateMs > o.maxAgeMs) {
      return drop(bookmaker, 'stale', `last update ${new Date(q.lastUpdateMs).toISOString()} is ${o.nowMs - q.lastUpdateMs} ms before now, more than maxAgeMs ${o.maxAgeMs}`);
    }
    if (!Array.isArray(q.outcomes) || q.outcomes.length < 2) return drop(bookmaker, 'invalid_quote', `outcomes: expected at least 2 outcomes, got ${describeValue(q.outcomes)}`);
    const names = q.outcomes.map((x: QuoteOutcome) => x?.name);
    if (names.some((n) => typeof n !== 'string' || n === '')) return drop(bookmaker, 'invalid_quote', `outcomes: every outcome needs a non-empty name, got ${describeValue(names)}`);
    if (new Set(names).size !== names.length) return drop(bookmaker, 'invalid_quote', `outcomes: duplicate outcome names ${describeValue(names)}`);
    valid.push({ quote: q, names, key: JSON.stringify([...names].sort()) });
  });

  // 4: reference outcome set = most common set (first seen on ties)
  const counts = new Map<string, number>();
  for (const w of valid) counts.set(w.key, (counts.get(w.key) ?? 0) + 1);
  let refKey = '';
  let best = 0;
  for (const w of valid) {
    const c = counts.get(w.key) ?? 0;
    if (c > best) [refKey, best] = [w.key, c];
  }
  const refNames = valid.find((w) => w.key === refKey)?.names ?? [];

  // de-vig each book in the reference outcome order
  let books: ConsensusBook[] = [];
  for (const w of valid) {
    const bookmaker = w.quote.bookmaker;
    if (w.key !== refKey) {
      drop(bookmaker, 'outcome_mismatch', `outcomes ${describeValue(w.names)} differ from the consensus outcome set ${describeValue(refNames)}`);
      continue;
    }
    try {
      const implied = refNames.map((n) => {
        const oc = w.quote.outcomes.find((x) => x.name === n) as QuoteOutcome;
        try {
          return toImpliedProbability(oc.price, o.priceFormat);
        } catch (e) {
          throw e instanceof OddsError ? new InvalidOddsError('invalid_price', `outcome ${JSON.stringify(n)} price: ${e.message}`, oc.price) : e;
        }
      });
      const r = devig(implied, o.method);
      books.push({ bookmaker, lastUpdateMs: w.quote.lastUpdateMs, implied: r.implied, fair: r.fair, overround: r.overround });
    } catch (e) {
      if (!(e instanceof OddsError)) throw e;
      drop(bookmaker, 'invalid_quote', e.message);
    }
  }

  // 5: outliers against the cross-book median
  if (o.outlierThreshold !== null && books.length >= o.minBooksForOutliers) {
    const med = refNames.map((_, i) => median(books.map((b) => b.fair[i])));
    const kept: ConsensusBook[] = [];
    for (const b of books) {
      let worst = -1;
      let dist = 0;
      b.fair.forEach((p, i) => {
        const d = Math.abs(p - med[i]);
        if (d > dist) [worst, dist] = [i, d];
      });
      if (dist > o.outlierThreshold) {
        drop(
          b.bookmaker,
          'outlier',
          `fair probability of ${JSON.stringify(refNames[worst])} is ${b.fair[worst].toFixed(4)}, ${dist.toFixed(4)} from the cross-book median ${med[worst].toFixed(4)} (threshold ${o.outlierThreshold})`,
        );
      } else kept.push(b);
    }
    const outliers = books.length - kept.length;
    const limit = o.maxOutliersPerKept;
    if (limit !== null && outliers > 0 && outliers >= limit * kept.length) {
      throw new ConsensusError(
        'disagreement',
        `books disagree: ${outliers} of ${books.length} are more than ${o.outlierThreshold} from the cross-book median (${dropped
          .filter((d) => d.reason === 'outlier')
          .map((d) => d.bookmaker)
          .join(', ')})`,
        dropped,
      );
    }
    books = kept;
  }

  if (books.length === 0) {
    throw new ConsensusError('no_books', `no book left for a consensus (${dropped.length} dropped: ${dropped.map((d) => `${d.bookmaker}: ${d.reason}`).join(', ') || 'no quotes given'})`, dropped);
  }

  // 6: aggregate and renormalise
  const agg = o.consensus === 'median' ? median : mean;
  const raw = refNames.map((_, i) => agg(books.map((b) => b.fair[i])));
  const total = raw.reduce((a, b) => a + b, 0);
  return {
    method: o.method,
    consensus: o.consensus,
    outcomes: refNames.map((name, i) => ({ name, fairProbability: raw[i] / total })),
    books,
    dropped,
  };
}
