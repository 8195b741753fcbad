/**
 * Incremental detector of sportsbook edges (issue #5 items 4-5, signals): fair values from the odds consensus in,
 * Kalshi quotes in, versioned `sportsbook_edge` signals out.
 *
 * Judgement calls (ours, documented):
 * - Signal id = `sbe1:<marketTicker>:<side>:<priceTicks>:<oddsObservedTsMs>` (readable, collision-free, no hash):
 *   the same opportunity (same market, side, ask and odds observation) always gets the same id, so an order id
 *   derived from it can never be doubled by a retry or a re-emission. A fair value that changes WITHOUT a new
 *   observation time keeps the ids (the consensus should not change for the same observation); a new observation
 *   or a new ask gives a new id.
 * - A signal is "live" from createdTsMs until expiresTsMs (exclusive); a live id is never emitted again, an expired
 *   one may be (with the same id) if the opportunity is still there.
 * - Sizing buys at the signal's price only: `kellySize` is run on the TOP ask level alone, so `sizeCentis` can be
 *   filled by a limit order at `priceTicks` (deeper levels would need another price and another id). A signal
 *   whose size is 0 (bankroll, Kelly or a cap leaves no room) is not emitted: there is nothing to execute.
 * - Confidence = `sportsbookConfidence` with the consensus' book count and dispersion and the top ask's size.
 * - Each side is evaluated on its own (both can qualify only on a crossed book).
 * - Staleness: nothing is emitted when `tsMs − observedTsMs > maxOddsAgeMs`; odds observed after `tsMs` (clock skew)
 *   count as fresh.
 *
 * Plain synchronous state, no I/O, no clock: every time is the `tsMs` passed in.
 */
import { ONE_DOLLAR, type DollarsMicros, type PriceTicks, type SizeCentis, describeValue } from '@kalshi-platform/market';
import type { Consensus, MatchedKalshiEvent } from '@kalshi-platform/odds';
import { type SportsbookConfidenceParams, fairDispersion, sportsbookConfidence } from './confidence';
import { type AskLevel, type ContractSide, type SideEdge, type TakerFeeSettings, checkAsks, checkSizeStep, resolveTakerFees, sportsbookEdge, WHOLE_CONTRACT_CENTIS } from './edge';
import { checkInteger, checkNumber, checkProbability, SportsbookInputError } from './errors';
import { kellySize, type SizingCaps } from './kelly';

/** Version tag in every signal id; bump when the id's meaning changes. */
export const SPORTSBOOK_SIGNAL_ID_VERSION = 'sbe1';

/** The fair value of one Kalshi market's YES, from the consensus outcome the matching mapped to it. */
export interface SportsbookFairValue {
  marketTicker: string;
  /** consensus fair probability of the outcome that makes this market's YES pay, in [0,1] */
  fairYes: number;
  /** books in the consensus, integer >= 0 */
  bookCount: number;
  /** standard deviation of the books' fair probabilities of the outcome (>= 0), see `fairDispersion` */
  dispersion: number;
  /** The Odds API event id */
  oddsEventId: string;
  /** when the odds were observed (e.g. fetched), Unix epoch ms, integer; part of the signal id */
  observedTsMs: number;
  /** de-vig method and aggregate of the consensus, for the reasons (optional) */
  method?: Consensus['method'];
  aggregate?: Consensus['consensus'];
}

/** Top-of-book quote, as the ArbitrageDetector's: a side is empty when its price is <= 0 or its size <= 0. */
export interface SportsbookTopQuote {
  marketTicker: string;
  yesBidTicks: PriceTicks;
  yesBidSizeCentis: SizeCentis;
  noBidTicks: PriceTicks;
  noBidSizeCentis: SizeCentis;
}

/** Full ask ladders (ascending `[priceTicks, sizeCentis]`, YES ask = 10000 − NO bid). */
export interface SportsbookLadderQuote {
  marketTicker: string;
  yesAsks: readonly AskLevel[];
  noAsks: readonly AskLevel[];
}

export type SportsbookQuote = SportsbookTopQuote | SportsbookLadderQuote;

/** A versioned, self-describing trading signal. */
export interface SportsbookSignalV1 {
  v: 1;
  /** deterministic: `sbe1:<marketTicker>:<side>:<priceTicks>:<oddsObservedTsMs>` */
  id: string;
  kind: 'sportsbook_edge';
  marketTicker: string;
  side: ContractSide;
  action: 'buy';
  /** the side's best ask, ticks */
  priceTicks: PriceTicks;
  /** probability the side pays × 10000 (real ticks) */
  fairTicks: number;
  /** fairTicks − priceTicks (real ticks) */
  grossEdgeTicks: number;
  /** grossEdgeTicks − taker fee per contract (real ticks), >= minEdgeTicks */
  netEdgeTicks: number;
  /** in [0,1], >= minConfidence */
  confidence: number;
  /** fractional-Kelly size at priceTicks, centis, > 0, within the caps */
  sizeCentis: SizeCentis;
  /** human-readable justification */
  reasons: string[];
  createdTsMs: number;
  /** createdTsMs + ttlMs */
  expiresTsMs: number;
  oddsEventId: string;
  oddsObservedTsMs: number;
}

/** Options of {@link SportsbookEdgeDetector}. */
export interface SportsbookDetectorOptions {
  /** minimum net edge per contract, ticks (>= 0; 100 = $0.01) */
  minEdgeTicks: number;
  /** minimum confidence in [0,1] (default 0) */
  minConfidence?: number;
  /** odds older than this vs the quote's tsMs produce nothing, ms (integer >= 0) */
  maxOddsAgeMs: number;
  /** signal lifetime, ms (integer >= 1) */
  ttlMs: number;
  /** bankroll for Kelly sizing, micros (integer >= 0) */
  bankrollMicros: DollarsMicros;
  /** Kelly multiplier in (0,1] (0.5 = half Kelly) */
  kellyFraction: number;
  caps?: SizingCaps;
  /** market size step, centis 1..100 (default 100) */
  sizeStepCentis?: SizeCentis;
  fees?: TakerFeeSettings;
  confidenceParams?: SportsbookConfidenceParams;
}

interface Book {
  yesAsks: readonly AskLevel[];
  noAsks: readonly AskLevel[];
}

/** The id of a signal (see the module comment). */
export function sportsbookSignalId(marketTicker: string, side: ContractSide, priceTicks: PriceTicks, oddsObservedTsMs: number): string {
  return `${SPORTSBOOK_SIGNAL_ID_VERSION}:${marketTicker}:${side}:${priceTicks}:${oddsObservedTsMs}`;
}

/**
 * Fair values of a matched Kalshi event's markets from the consensus of its Odds API event: each market's YES gets
 * the consensus probability of the outcome the matching mapped to it, the book count and the dispersion of the
 * books' fair probabilities of that outcome.
 * @throws SportsbookInputError naming `match.outcomes[i].outcomeName` when the consensus has no such outcome.
 */
export function fairValuesFromMatch(match: MatchedKalshiEvent, consensus: Consensus, observedTsMs: number): SportsbookFairValue[] {
  return match.outcomes.map((o, i) => {
    const k = consensus.outcomes.findIndex((c) => c.name === o.outcomeName);
    if (k < 0) throw new SportsbookInputError(`match.outcomes[${i}].outcomeName`, `no outcome ${describeValue(o.outcomeName)} in the consensus`);
    return {
      marketTicker: o.marketTicker,
      fairYes: consensus.outcomes[k].fairProbability,
      bookCount: consensus.books.length,
      dispersion: fairDispersion(consensus.books.map((b) => b.fair[k])),
      oddsEventId: match.oddsEventId,
      observedTsMs,
      method: consensus.method,
      aggregate: consensus.consensus,
    };
  });
}

const dollars = (ticks: number): string => (ticks / ONE_DOLLAR).toFixed(4);

/**
 * Emits a {@link SportsbookSignalV1} for a side of a market when, at the quote's time, its fair value is fresh
 * (`tsMs − observedTsMs <= maxOddsAgeMs`), the net edge at the best ask (after the conservative taker fee, see
 * `sportsbookEdge`) is >= minEdgeTicks, the confidence is >= minConfidence, the Kelly size at that ask is > 0 and
 * the signal's id is not live. Ids and liveness: see the module comment.
 */
export class SportsbookEdgeDetector {
  private readonly o: Required<Omit<SportsbookDetectorOptions, 'caps' | 'fees' | 'confidenceParams'>> & Pick<SportsbookDetectorOptions, 'caps' | 'fees' | 'confidenceParams'>;
  private readonly fair = new Map<string, SportsbookFairValue>();
  private readonly books = new Map<string, Book>();
  /** per market: live signal id → expiresTsMs */
  private readonly live = new Map<string, Map<string, number>>();

  /** @throws SportsbookInputError naming the option on a bad value. */
  constructor(opts: SportsbookDetectorOptions) {
    if (typeof opts !== 'object' || opts === null) throw new SportsbookInputError('opts', `expected an object, got ${describeValue(opts)}`);
    const kellyFraction = checkNumber(opts.kellyFraction, 'opts.kellyFraction', 0, 1);
    if (kellyFraction === 0) throw new SportsbookInputError('opts.kellyFraction', 'expected a number in (0,1], got 0');
    resolveTakerFees(opts.fees, 'opts.fees');
    this.o = {
      minEdgeTicks: checkNumber(opts.minEdgeTicks, 'opts.minEdgeTicks', 0),
      minConfidence: checkNumber(opts.minConfidence ?? 0, 'opts.minConfidence', 0, 1),
      maxOddsAgeMs: checkInteger(opts.maxOddsAgeMs, 'opts.maxOddsAgeMs', 0),
      ttlMs: checkInteger(opts.ttlMs, 'opts.ttlMs', 1),
      bankrollMicros: checkInteger(opts.bankrollMicros, 'opts.bankrollMicros', 0),
      kellyFraction,
      sizeStepCentis: checkSizeStep(opts.sizeStepCentis ?? WHOLE_CONTRACT_CENTIS, 'opts.sizeStepCentis'),
      caps: opts.caps,
      fees: opts.fees,
      confidenceParams: opts.confidenceParams,
    };
    // validate caps and confidence params once, up front (same checks as at use)
    kellySize({ winProbability: 0, asks: [], bankrollMicros: 0, kellyFraction, minEdgeTicks: 0, caps: opts.caps });
    sportsbookConfidence({ bookCount: 0, dispersion: 0, depthCentis: 0 }, opts.confidenceParams);
  }

  /**
   * Sets (upserts) the fair values of the given markets (others are kept) and re-evaluates those with a known book.
   * @param tsMs the current time (ms): staleness is measured and signals are stamped with it
   * @returns the signals this caused
   * @throws SportsbookInputError naming `entries[i].<field>` on a bad entry (nothing is applied then)
   */
  setFairValues(entries: readonly SportsbookFairValue[], tsMs: number): SportsbookSignalV1[] {
    if (!Array.isArray(entries)) throw new SportsbookInputError('entries', `expected an array, got ${describeValue(entries)}`);
    checkInteger(tsMs, 'tsMs', Number.MIN_SAFE_INTEGER);
    const checked = entries.map((e, i) => checkFairValue(e, `entries[${i}]`));
    for (const e of checked) this.fair.set(e.marketTicker, e);
    const out: SportsbookSignalV1[] = [];
    for (const e of checked) this.evaluate(e.marketTicker, tsMs, out);
    return out;
  }

  /** Forgets a market's fair value (e.g. the match was withdrawn). */
  clearFairValue(marketTicker: string): void {
    this.fair.delete(marketTicker);
  }

  /**
   * Applies a market's book (top of book or full ask ladders) and returns the signals it caused.
   * @param tsMs the quote's time (ms)
   * @throws SportsbookInputError on a malformed quote (a bid not an integer in 0..10000, a bad ladder)
   */
  onQuote(q: SportsbookQuote, tsMs: number): SportsbookSignalV1[] {
    if (typeof q !== 'object' || q === null || typeof q.marketTicker !== 'string') throw new SportsbookInputError('quote', `expected a quote with a marketTicker, got ${describeValue(q)}`);
    checkInteger(tsMs, 'tsMs', Number.MIN_SAFE_INTEGER);
    const book: Book =
      'yesAsks' in q
        ? { yesAsks: checkAsks(q.yesAsks, 'quote.yesAsks'), noAsks: checkAsks(q.noAsks, 'quote.noAsks') }
        : { yesAsks: askFromBid(q.noBidTicks, q.noBidSizeCentis, 'no'), noAsks: askFromBid(q.yesBidTicks, q.yesBidSizeCentis, 'yes') };
    this.books.set(q.marketTicker, book);
    const out: SportsbookSignalV1[] = [];
    this.evaluate(q.marketTicker, tsMs, out);
    return out;
  }

  /** Marks a market's book as unknown until its next quote. */
  invalidate(marketTicker: string): void {
    this.books.delete(marketTicker);
  }

  /** Ids live at `tsMs` (all markets), sorted. */
  liveIds(tsMs: number): string[] {
    const ids: string[] = [];
    for (const m of this.live.values()) for (const [id, exp] of m) if (exp > tsMs) ids.push(id);
    return ids.sort();
  }

  // ---------------------------------------------------------------------------------------------------

  private evaluate(ticker: string, tsMs: number, out: SportsbookSignalV1[]): void {
    const fv = this.fair.get(ticker);
    const book = this.books.get(ticker);
    if (fv === undefined || book === undefined) return;
    let live = this.live.get(ticker);
    if (live !== undefined) {
      for (const [id, exp] of live) if (exp <= tsMs) live.delete(id);
      if (live.size === 0) this.live.delete(ticker);
    }
    const age = tsMs - fv.observedTsMs;
    if (age > this.o.maxOddsAgeMs) return;
    const o = this.o;
    const edge = sportsbookEdge({ fairYes: fv.fairYes, yesAsks: book.yesAsks, noAsks: book.noAsks, fees: o.fees, sizeStepCentis: o.sizeStepCentis });
    for (const s of [edge.yes, edge.no]) {
      if (s === null || !(s.netEdgeTicks >= o.minEdgeTicks)) continue;
      const conf = sportsbookConfidence({ bookCount: fv.bookCount, dispersion: fv.dispersion, depthCentis: s.askSizeCentis }, o.confidenceParams);
      if (!(conf.confidence >= o.minConfidence)) continue;
      const id = sportsbookSignalId(ticker, s.side, s.askTicks, fv.observedTsMs);
      if (live?.has(id)) continue;
      const winProbability = s.side === 'yes' ? fv.fairYes : 1 - fv.fairYes;
      const size = kellySize({
        winProbability,
        asks: [[s.askTicks, s.askSizeCentis]],
        bankrollMicros: o.bankrollMicros,
        kellyFraction: o.kellyFraction,
        minEdgeTicks: o.minEdgeTicks,
        caps: o.caps,
        sizeStepCentis: o.sizeStepCentis,
        fees: o.fees,
      });
      if (size.contractsCentis === 0) continue;
      const expiresTsMs = tsMs + o.ttlMs;
      if (live === undefined) this.live.set(ticker, (live = new Map()));
      live.set(id, expiresTsMs);
      out.push({
        v: 1,
        id,
        kind: 'sportsbook_edge',
        marketTicker: ticker,
        side: s.side,
        action: 'buy',
        priceTicks: s.askTicks,
        fairTicks: s.fairTicks,
        grossEdgeTicks: s.grossEdgeTicks,
        netEdgeTicks: s.netEdgeTicks,
        confidence: conf.confidence,
        sizeCentis: size.contractsCentis,
        reasons: this.reasons(fv, s, conf, size.contractsCentis, size.stopReason, age),
        createdTsMs: tsMs,
        expiresTsMs,
        oddsEventId: fv.oddsEventId,
        oddsObservedTsMs: fv.observedTsMs,
      });
    }
  }

  private reasons(fv: SportsbookFairValue, s: SideEdge, conf: ReturnType<typeof sportsbookConfidence>, sizeCentis: SizeCentis, stop: string, ageMs: number): string[] {
    const how = fv.aggregate !== undefined || fv.method !== undefined ? ` (${[fv.aggregate, fv.method].filter((x) => x !== undefined).join(', ')})` : '';
    const books = `${fv.bookCount} book${fv.bookCount === 1 ? '' : 's'}${how}`;
    const fair = s.side === 'yes' ? `consensus ${fv.fairYes.toFixed(4)} from ${books}` : `consensus ${dollars(s.fairTicks)} for NO (1 − YES ${fv.fairYes.toFixed(4)}) from ${books}`;
    return [
      fair,
      `odds event ${fv.oddsEventId} observed ${ageMs} ms before`,
      `${s.side.toUpperCase()} ask ${dollars(s.askTicks)} + fee ${dollars(s.feePerContractTicks)}`,
      `net edge ${dollars(s.netEdgeTicks)} >= threshold ${dollars(this.o.minEdgeTicks)}`,
      `confidence ${conf.confidence.toFixed(4)} >= ${this.o.minConfidence.toFixed(4)} (books ${conf.books.toFixed(2)}, agreement ${conf.agreement.toFixed(2)}, depth ${conf.depth.toFixed(2)}; dispersion ${fv.dispersion.toFixed(4)})`,
      `size ${(sizeCentis / 100).toFixed(2)} contracts at ${dollars(s.askTicks)} (${this.o.kellyFraction} Kelly, stopped by ${stop})`,
    ];
  }
}

/** The one-level ask ladder of the other side from a best bid: empty when the bid is <= 0 or its size <= 0. */
function askFromBid(bid: unknown, size: unknown, side: 'yes' | 'no'): AskLevel[] {
  const field = `quote.${side}BidTicks`;
  if (typeof bid !== 'number' || Number.isNaN(bid)) throw new SportsbookInputError(field, `expected a number, got ${describeValue(bid)}`);
  if (typeof size !== 'number' || Number.isNaN(size)) throw new SportsbookInputError(`quote.${side}BidSizeCentis`, `expected a number, got ${describeValue(size)}`);
  if (bid <= 0 || size <= 0) return [];
  if (!Number.isSafeInteger(bid) || bid > ONE_DOLLAR) throw new SportsbookInputError(field, `expected an integer bid in 0..${ONE_DOLLAR} ticks, got ${describeValue(bid)}`);
  if (bid === ONE_DOLLAR) return []; // an ask of $0 is not a tradable price
  return [[ONE_DOLLAR - bid, checkInteger(size, `quote.${side}BidSizeCentis`, 1)]];
}

function checkFairValue(e: SportsbookFairValue, f: string): SportsbookFairValue {
  if (typeof e !== 'object' || e === null) throw new SportsbookInputError(f, `expected an object, got ${describeValue(e)}`);
  if (typeof e.marketTicker !== 'string' || e.marketTicker === '') throw new SportsbookInputError(`${f}.marketTicker`, `expected a non-empty string, got ${describeValue(e.marketTicker)}`);
  if (typeof e.oddsEventId !== 'string') throw new SportsbookInputError(`${f}.oddsEventId`, `expected a string, got ${describeValue(e.oddsEventId)}`);
  checkProbability(e.fairYes, `${f}.fairYes`);
  checkInteger(e.bookCount, `${f}.bookCount`, 0);
  checkNumber(e.dispersion, `${f}.dispersion`, 0);
  checkInteger(e.observedTsMs, `${f}.observedTsMs`, Number.MIN_SAFE_INTEGER);
  return { ...e };
}
