/**
 * Incremental detector of arbitrage inside Kalshi, reported as episodes.
 */
import { ONE_DOLLAR, PriceTicks } from '@kalshi-platform/market';
import {
  feeTable,
  compareLegShapes,
  compareRungs,
  dominates,
  episodeKey,
  FeeSettings,
  feeBpsForSeries,
  LegShape,
  normalizeEvents,
  resolveFeeSettings,
  Rung,
  rungOf,
} from './reference';
import type { DetectorOptions, Episode, EpisodeEvent, EventRef, Leg, MarketQuote, OpportunityKind } from './types';

/** The result of an update that changed nothing: shared and frozen, so the hot path allocates nothing. */
const NO_EVENTS: EpisodeEvent[] = Object.freeze([]) as unknown as EpisodeEvent[];

const KIND_CROSS = 0;
const KIND_BASKET_YES = 1;
const KIND_BASKET_NO = 2;
const KIND_LADDER = 3;
const KIND_NAMES: readonly OpportunityKind[] = ['cross', 'basket_yes', 'basket_no', 'ladder'];

/** One arbitrage structure (a fixed set of legs) and its open episode, if any. */
class Slot {
  open: Episode | null = null;
  constructor(
    readonly kind: number,
    readonly key: string,
    readonly eventTicker: string,
    /** leg market ids, in leg order (sorted by ticker, YES before NO) */
    readonly legIds: Int32Array,
    /** 1 when the leg buys NO (priced off the YES bid), 0 when it buys YES (priced off the NO bid) */
    readonly legIsNo: Uint8Array,
    readonly legTickers: readonly string[],
    readonly fees: Int32Array,
    /** cross / ladder: the market whose YES is bought (the "low" rung; the market itself for cross) */
    readonly lowId: number,
    /** cross / ladder: the market whose NO is bought (the "high" rung) */
    readonly highId: number,
  ) {}
}

/** A mutually exclusive event of n >= 2 markets with running sums of the known bids. */
class Basket {
  sumYesBid = 0;
  knownYesBids = 0;
  sumNoBid = 0;
  knownNoBids = 0;
  constructor(
    readonly ids: Int32Array,
    readonly yesSlot: Slot,
    readonly noSlot: Slot,
  ) {}
}

/** The above-strike markets of one event, sorted by compareRungs, with a slot per dominating pair. */
class Ladder {
  constructor(
    readonly ids: Int32Array,
    /** pairs[low * k + high] is the slot of (buy YES low, buy NO high), or null if low does not dominate high */
    readonly pairs: (Slot | null)[],
  ) {}
}

interface LadderRef {
  ladder: Ladder;
  pos: number;
}

const NO_BASKETS: readonly Basket[] = Object.freeze([]) as readonly Basket[];
const NO_LADDERS: readonly LadderRef[] = Object.freeze([]) as readonly LadderRef[];

function snapshot(e: Episode): Episode {
  const legs: Leg[] = new Array(e.legs.length);
  for (let i = 0; i < legs.length; i++) {
    const l = e.legs[i];
    legs[i] = { marketTicker: l.marketTicker, side: l.side, action: 'buy', priceTicks: l.priceTicks };
  }
  return {
    key: e.key,
    kind: e.kind,
    eventTicker: e.eventTicker,
    legs,
    openedTsMs: e.openedTsMs,
    closedTsMs: e.closedTsMs,
    maxGrossEdgeTicks: e.maxGrossEdgeTicks,
    maxNetEdgeTicks: e.maxNetEdgeTicks,
    updates: e.updates,
  };
}

/**
 * Detects four kinds of riskless arbitrage inside Kalshi from top-of-book quotes and reports each as an
 * episode (the period during which it stayed available). All edges are per ONE contract per leg, taken at
 * the top of book (the size there is not checked beyond "the side is non-empty"), in PriceTicks:
 *
 * - `cross`: on one market, YES bid + NO bid > $1. Buy YES at its ask ($1 - NO bid) and NO at its ask
 *   ($1 - YES bid): cost = $2 - (yesBid + noBid) < $1, payout exactly $1; gross = yesBid + noBid - $1.
 *   Runs for every quoted market, with or without reference data; its eventTicker is the first event
 *   listing the market, or '' when none does.
 * - `basket_yes`: in a `mutuallyExclusive` event of n >= 2 markets, buy YES on every market at its ask;
 *   gross = $1 - sum(yesAsk) = sum(noBid) - (n - 1)·$1. This ASSUMES the event's listed markets are
 *   exhaustive (exactly one resolves YES), as Kalshi's mutually exclusive events are when all their markets
 *   are listed (pass the complete market list, e.g. from `GET /events?with_nested_markets=true`). If none of
 *   them can resolve YES (a missing "other" outcome, a not-yet-listed market) the basket pays $0 and this
 *   is not an arbitrage.
 * - `basket_no`: in a `mutuallyExclusive` event of n >= 2 markets, buy NO on every market at its ask; at most
 *   one resolves YES so at least n - 1 NO contracts pay $1: gross = (n - 1)·$1 - sum(noAsk) = sum(yesBid) - $1.
 *   Needs no exhaustiveness assumption.
 * - `ladder`: among one event's "above strike" markets (`strikeType` 'greater' / 'greater_or_equal' with a
 *   finite `floorStrike`), for rungs low, high where low's YES set strictly contains high's (s_low < s_high,
 *   or equal strikes with low '>=' and high '>'): if YES bid(high) > YES ask(low), buy YES(low) at its ask and
 *   NO(high) at $1 - YES bid(high). Payoff >= $1 in every state; gross = bidHigh - askLow. The event need
 *   not be mutually exclusive.
 *
 * A basket is evaluable only while EVERY market of the event has a known price on the side it needs (the
 * NO bid for basket_yes, the YES bid for basket_no): a market never quoted, invalidated, or with that side
 * empty makes it non-evaluable, which closes an open episode. Likewise for the two sides used by cross /
 * ladder.
 *
 * Net edge = gross - sum over legs of `tradingFeeTicks(legPrice, 100, rate, rounding)`: the taker fee of ONE
 * contract per leg. That is the conservative bound for any whole number of contracts C >= 1: the fee of C
 * contracts is ceil(x·C) rounding steps (x = the unrounded fee of one contract in steps) and, because
 * C·ceil(x) is an integer >= x·C, ceil(x·C) <= C·ceil(x), i.e. ceil(x·C)/C <= ceil(x): the per-contract fee
 * of a larger order never exceeds the one-contract fee, so the real per-contract net edge is at least the
 * one reported. (It does not hold for fractional sizes below one contract.) The rate is the event's series
 * override (`feeBpsBySeries`) or `takerFeeBps`; the rounding step `feeRoundingTicks` (docs.kalshi.com,
 * getting_started/fee_rounding; 100 gives the whole-cent rounding a non-direct member pays).
 *
 * Episodes: keyed by kind + event ticker + the sorted legs (see Episode.key). An episode opens at the `tsMs`
 * of the update that made gross > 0, closes at the `tsMs` of the update (or invalidate) that made it false
 * or non-evaluable; a recurrence opens a NEW episode. While open it tracks the maximum gross and the
 * maximum net edge separately, and `legs[].priceTicks` are the leg prices at the first moment of the
 * maximum gross edge. Legs are sorted by market ticker, YES before NO.
 *
 * Cost: reference data is indexed once in setEvents (markets -> mutually exclusive baskets with running
 * sums, and -> ladder rung positions with a precomputed slot per pair). onQuote is O(1) for cross and
 * baskets (O(n) fee sums only while a basket is open) plus O(k) for a market on a ladder of k rungs; a quote
 * that does not change any best price returns at once, and nothing is allocated unless an episode changes.
 * Fees come from a precomputed table per rate.
 *
 * Plain synchronous state, no I/O; `tsMs` is recorded as given (no clock is read, no ordering is enforced).
 * Closed episodes are kept until `pruneClosed()`.
 */
export class ArbitrageDetector {
  private readonly fees: FeeSettings;
  private readonly defaultFeeTable: Int32Array;

  private readonly idOf = new Map<string, number>();
  private readonly tickers: string[] = [];
  /** best YES / NO bid per market id, -1 when unknown or empty */
  private readonly yesBid: number[] = [];
  private readonly noBid: number[] = [];
  private readonly crossSlots: Slot[] = [];
  private basketsOf: (readonly Basket[])[] = [];
  private laddersOf: (readonly LadderRef[])[] = [];
  private readonly history: Episode[] = [];
  private readonly openSet = new Set<Episode>();
  /** events produced since the last onQuote / invalidate / drainEvents returned */
  private out: EpisodeEvent[] | null = null;
  private lastTsMs = 0;

  /**
   * @param events reference data (may be empty and supplied later with setEvents)
   * @param opts fee settings: `takerFeeBps` (default 700 = 0.07), `feeRoundingTicks` (default 1 = $0.0001),
   *   `feeBpsBySeries` (per-series multipliers)
   * @throws FixedPointError if a fee rate is not a non-negative integer or the rounding step not a positive integer
   */
  constructor(events: EventRef[], opts?: DetectorOptions) {
    this.fees = resolveFeeSettings(opts);
    this.defaultFeeTable = this.tableFor(this.fees.takerFeeBps);
    this.setEvents(events);
  }

  /**
   * Replaces the reference data (events may arrive or be refreshed after quotes). Known quotes are kept;
   * every structure is rebuilt and re-evaluated against them. An open episode whose key still exists
   * continues (same episode); one whose structure disappeared closes; a structure that is now in
   * arbitrage opens an episode. Because this method returns nothing, the resulting EpisodeEvents are
   * queued and returned at the front of the next onQuote / invalidate result, or at once by drainEvents().
   *
   * Note that a cross episode's key includes its event ticker, so a market first seen without reference
   * data and later listed in an event gets a new cross key (the old episode closes, a new one opens).
   *
   * @param events the complete reference data (replaces the previous one); see normalizeEvents for duplicates
   * @param tsMs timestamp for the episodes this opens or closes; default the last tsMs seen (0 before any)
   */
  setEvents(events: EventRef[], tsMs: number = this.lastTsMs): void {
    const norm = normalizeEvents(events);
    // carry open episodes over by key
    const carried = new Map<string, Episode>();
    for (const ep of this.openSet) carried.set(ep.key, ep);
    const adopt = (slot: Slot): Slot => {
      const ep = carried.get(slot.key);
      if (ep !== undefined) {
        slot.open = ep;
        carried.delete(slot.key);
      }
      return slot;
    };

    for (const e of norm) for (const m of e.markets) this.idFor(m.marketTicker);
    const n = this.tickers.length;
    const crossEventOf: string[] = new Array(n).fill('');
    const crossFeeOf: Int32Array[] = new Array(n).fill(this.defaultFeeTable);
    const crossSet: boolean[] = new Array(n).fill(false);
    const basketsOf: Basket[][] = new Array(n);
    const laddersOf: LadderRef[][] = new Array(n);
    const baskets: Basket[] = [];
    const ladders: Ladder[] = [];

    for (const e of norm) {
      const fees = this.tableFor(feeBpsForSeries(this.fees, e.seriesTicker));
      for (const m of e.markets) {
        const id = this.idFor(m.marketTicker);
        if (!crossSet[id]) {
          crossSet[id] = true;
          crossEventOf[id] = e.eventTicker;
          crossFeeOf[id] = fees;
        }
      }
      if (e.mutuallyExclusive && e.markets.length >= 2) {
        const ids = Int32Array.from(e.markets, (m) => this.idFor(m.marketTicker));
        const basket = new Basket(
          ids,
          adopt(this.makeBasketSlot(KIND_BASKET_YES, e.eventTicker, ids, fees)),
          adopt(this.makeBasketSlot(KIND_BASKET_NO, e.eventTicker, ids, fees)),
        );
        baskets.push(basket);
        for (const id of ids) (basketsOf[id] ??= []).push(basket);
      }
      const rungs: Rung[] = [];
      for (const m of e.markets) {
        const r = rungOf(m);
        if (r !== null) rungs.push(r);
      }
      if (rungs.length >= 2) {
        rungs.sort(compareRungs);
        const k = rungs.length;
        const ids = Int32Array.from(rungs, (r) => this.idFor(r.marketTicker));
        const pairs: (Slot | null)[] = new Array(k * k).fill(null);
        for (let lo = 0; lo < k; lo++) {
          for (let hi = 0; hi < k; hi++) {
            if (lo !== hi && dominates(rungs[lo], rungs[hi])) {
              pairs[lo * k + hi] = adopt(this.makePairSlot(KIND_LADDER, e.eventTicker, ids[lo], ids[hi], fees));
            }
          }
        }
        const ladder = new Ladder(ids, pairs);
        ladders.push(ladder);
        for (let pos = 0; pos < k; pos++) (laddersOf[ids[pos]] ??= []).push({ ladder, pos });
      }
    }

    for (let id = 0; id < n; id++) {
      const slot = this.crossSlots[id];
      if (slot.eventTicker !== crossEventOf[id] || slot.fees !== crossFeeOf[id]) {
        const fresh = this.makePairSlot(KIND_CROSS, crossEventOf[id], id, id, crossFeeOf[id]);
        if (slot.open !== null && fresh.key === slot.key) fresh.open = slot.open;
        this.crossSlots[id] = fresh;
      }
      carried.delete(this.crossSlots[id].key);
    }

    this.basketsOf = Array.from({ length: n }, (_, id) => basketsOf[id] ?? NO_BASKETS);
    this.laddersOf = Array.from({ length: n }, (_, id) => laddersOf[id] ?? NO_LADDERS);

    // episodes whose structure is gone
    for (const ep of carried.values()) this.closeEpisode(ep, tsMs);
    // re-evaluate everything against the current quotes
    for (let id = 0; id < n; id++) this.evalPair(this.crossSlots[id], tsMs);
    for (const b of baskets) {
      b.sumYesBid = b.knownYesBids = b.sumNoBid = b.knownNoBids = 0;
      for (const id of b.ids) {
        if (this.yesBid[id] >= 0) {
          b.sumYesBid += this.yesBid[id];
          b.knownYesBids++;
        }
        if (this.noBid[id] >= 0) {
          b.sumNoBid += this.noBid[id];
          b.knownNoBids++;
        }
      }
      this.evalBasketYes(b, tsMs);
      this.evalBasketNo(b, tsMs);
    }
    for (const l of ladders) for (const s of l.pairs) if (s !== null) this.evalPair(s, tsMs);
  }

  /**
   * Applies a top-of-book update of one market and returns the episode changes it caused (plus any queued
   * by setEvents). Call after EVERY book update of the market. Markets without reference data still run
   * `cross`.
   *
   * @param q the market's best bids; a side is empty when its price is negative or its size <= 0
   * @param tsMs the update's timestamp (ms), stamped on episodes it opens or closes
   * @returns the changes in evaluation order (cross, basket_yes, basket_no, ladder pairs); when nothing
   *   changed, a shared frozen empty array (do not mutate it)
   * @throws RangeError if a non-empty side's price is not an integer in 0..10000 ticks
   */
  onQuote(q: MarketQuote, tsMs: number): EpisodeEvent[] {
    this.lastTsMs = tsMs;
    let id = this.idOf.get(q.marketTicker);
    if (id === undefined) id = this.idFor(q.marketTicker);
    let y = q.yesBidTicks;
    let nb = q.noBidTicks;
    if (y < 0 || !(q.yesBidSizeCentis > 0)) y = -1;
    else if (!(y <= ONE_DOLLAR && Number.isInteger(y))) throw new RangeError(`${q.marketTicker}: YES bid ${y} ticks is not an integer in 0..${ONE_DOLLAR}`);
    if (nb < 0 || !(q.noBidSizeCentis > 0)) nb = -1;
    else if (!(nb <= ONE_DOLLAR && Number.isInteger(nb))) throw new RangeError(`${q.marketTicker}: NO bid ${nb} ticks is not an integer in 0..${ONE_DOLLAR}`);
    if (y !== this.yesBid[id] || nb !== this.noBid[id]) this.apply(id, y, nb, tsMs);
    const out = this.out;
    if (out === null) return NO_EVENTS;
    this.out = null;
    return out;
  }

  /**
   * Marks a market's book as stale: its quote becomes unknown until the next onQuote, which closes every
   * episode that depends on it (its cross, its events' baskets, its ladder pairs).
   * @param marketTicker the market (an unknown ticker is ignored)
   * @param tsMs timestamp stamped on the episodes this closes
   * @returns the changes (plus any queued by setEvents); a shared frozen empty array when none
   */
  invalidate(marketTicker: string, tsMs: number): EpisodeEvent[] {
    this.lastTsMs = tsMs;
    const id = this.idOf.get(marketTicker);
    if (id !== undefined && (this.yesBid[id] !== -1 || this.noBid[id] !== -1)) this.apply(id, -1, -1, tsMs);
    const out = this.out;
    if (out === null) return NO_EVENTS;
    this.out = null;
    return out;
  }

  /** Returns (and clears) the events queued by setEvents since the last onQuote / invalidate. */
  drainEvents(): EpisodeEvent[] {
    const out = this.out;
    this.out = null;
    return out ?? [];
  }

  /** All episodes kept (open and closed), in order of opening, as snapshots. */
  episodes(): Episode[] {
    return this.history.map(snapshot);
  }

  /** The open episodes, in order of opening, as snapshots. */
  openEpisodes(): Episode[] {
    const r: Episode[] = [];
    for (const ep of this.openSet) r.push(snapshot(ep));
    return r;
  }

  /** Number of open episodes (no allocation). */
  openCount(): number {
    return this.openSet.size;
  }

  /**
   * Forgets closed episodes (episodes() otherwise grows without bound in a long-running process).
   * @returns how many were removed
   */
  pruneClosed(): number {
    let w = 0;
    const h = this.history;
    for (let r = 0; r < h.length; r++) if (h[r].closedTsMs === null) h[w++] = h[r];
    const removed = h.length - w;
    h.length = w;
    return removed;
  }

  // ---------------------------------------------------------------------------------------------------

  private tableFor(rateBps: number): Int32Array {
    return feeTable(rateBps, this.fees.feeRoundingTicks);
  }

  private idFor(ticker: string): number {
    const known = this.idOf.get(ticker);
    if (known !== undefined) return known;
    const id = this.tickers.length;
    this.idOf.set(ticker, id);
    this.tickers.push(ticker);
    this.yesBid.push(-1);
    this.noBid.push(-1);
    this.basketsOf.push(NO_BASKETS);
    this.laddersOf.push(NO_LADDERS);
    this.crossSlots.push(this.makePairSlot(KIND_CROSS, '', id, id, this.defaultFeeTable));
    return id;
  }

  /** cross (low = high = the market) or ladder (YES low + NO high) */
  private makePairSlot(kind: number, eventTicker: string, lowId: number, highId: number, fees: Int32Array): Slot {
    const shapes: (LegShape & { id: number; isNo: number })[] = [
      { marketTicker: this.tickers[lowId], side: 'yes', id: lowId, isNo: 0 },
      { marketTicker: this.tickers[highId], side: 'no', id: highId, isNo: 1 },
    ];
    shapes.sort(compareLegShapes);
    return new Slot(
      kind,
      episodeKey(KIND_NAMES[kind], eventTicker, shapes),
      eventTicker,
      Int32Array.from(shapes, (s) => s.id),
      Uint8Array.from(shapes, (s) => s.isNo),
      shapes.map((s) => s.marketTicker),
      fees,
      lowId,
      highId,
    );
  }

  private makeBasketSlot(kind: number, eventTicker: string, ids: Int32Array, fees: Int32Array): Slot {
    const side: 'yes' | 'no' = kind === KIND_BASKET_YES ? 'yes' : 'no';
    const shapes = Array.from(ids, (id) => ({ marketTicker: this.tickers[id], side, id }));
    shapes.sort(compareLegShapes);
    const isNo = kind === KIND_BASKET_NO ? 1 : 0;
    return new Slot(
      kind,
      episodeKey(KIND_NAMES[kind], eventTicker, shapes),
      eventTicker,
      Int32Array.from(shapes, (s) => s.id),
      new Uint8Array(shapes.length).fill(isNo),
      shapes.map((s) => s.marketTicker),
      fees,
      -1,
      -1,
    );
  }

  /** Stores the market's new bids and re-evaluates every structure that reads a changed side. */
  private apply(id: number, y: number, nb: number, tsMs: number): void {
    const y0 = this.yesBid[id];
    const n0 = this.noBid[id];
    this.yesBid[id] = y;
    this.noBid[id] = nb;
    const yesChanged = y !== y0;
    const noChanged = nb !== n0;

    this.evalPair(this.crossSlots[id], tsMs);

    const bs = this.basketsOf[id];
    for (let i = 0; i < bs.length; i++) {
      const b = bs[i];
      if (noChanged) {
        if (n0 >= 0) {
          b.sumNoBid -= n0;
          b.knownNoBids--;
        }
        if (nb >= 0) {
          b.sumNoBid += nb;
          b.knownNoBids++;
        }
        this.evalBasketYes(b, tsMs);
      }
      if (yesChanged) {
        if (y0 >= 0) {
          b.sumYesBid -= y0;
          b.knownYesBids--;
        }
        if (y >= 0) {
          b.sumYesBid += y;
          b.knownYesBids++;
        }
        this.evalBasketNo(b, tsMs);
      }
    }

    const ls = this.laddersOf[id];
    for (let i = 0; i < ls.length; i++) {
      const { ladder, pos } = ls[i];
      const pairs = ladder.pairs;
      const k = ladder.ids.length;
      for (let q = 0; q < k; q++) {
        if (q === pos) continue;
        if (yesChanged) {
          const s = pairs[q * k + pos]; // this market is the high rung (its YES bid prices the NO leg)
          if (s !== null) this.evalPair(s, tsMs);
        }
        if (noChanged) {
          const s = pairs[pos * k + q]; // this market is the low rung (its NO bid prices the YES leg)
          if (s !== null) this.evalPair(s, tsMs);
        }
      }
    }
  }

  /** cross / ladder: gross = YES bid(high) + NO bid(low) - $1 when both are known. */
  private evalPair(s: Slot, tsMs: number): void {
    const nbLow = this.noBid[s.lowId];
    const ybHigh = this.yesBid[s.highId];
    const gross = nbLow >= 0 && ybHigh >= 0 ? ybHigh + nbLow - ONE_DOLLAR : 0;
    if (gross > 0 || s.open !== null) this.settle(s, gross, tsMs);
  }

  /** basket_yes: gross = $1 - sum(1 - noBid) = sum(noBid) - (n - 1)·$1 when every NO bid is known. */
  private evalBasketYes(b: Basket, tsMs: number): void {
    const n = b.ids.length;
    const gross = b.knownNoBids === n ? b.sumNoBid - (n - 1) * ONE_DOLLAR : 0;
    if (gross > 0 || b.yesSlot.open !== null) this.settle(b.yesSlot, gross, tsMs);
  }

  /** basket_no: gross = (n - 1)·$1 - sum(1 - yesBid) = sum(yesBid) - $1 when every YES bid is known. */
  private evalBasketNo(b: Basket, tsMs: number): void {
    const gross = b.knownYesBids === b.ids.length ? b.sumYesBid - ONE_DOLLAR : 0;
    if (gross > 0 || b.noSlot.open !== null) this.settle(b.noSlot, gross, tsMs);
  }

  /** Price of leg i of slot s at the current quotes (the ask of the bought side). */
  private legPrice(s: Slot, i: number): PriceTicks {
    const id = s.legIds[i];
    return ONE_DOLLAR - (s.legIsNo[i] ? this.yesBid[id] : this.noBid[id]);
  }

  /** Opens / updates / closes the slot's episode given the current gross edge (<= 0: condition false). */
  private settle(s: Slot, gross: PriceTicks, tsMs: number): void {
    const ep = s.open;
    if (gross <= 0) {
      if (ep !== null) {
        s.open = null;
        this.closeEpisode(ep, tsMs);
      }
      return;
    }
    const nLegs = s.legIds.length;
    let fee = 0;
    for (let i = 0; i < nLegs; i++) fee += s.fees[this.legPrice(s, i)];
    const net = gross - fee;
    if (ep === null) {
      const legs: Leg[] = new Array(nLegs);
      for (let i = 0; i < nLegs; i++) {
        legs[i] = { marketTicker: s.legTickers[i], side: s.legIsNo[i] ? 'no' : 'yes', action: 'buy', priceTicks: this.legPrice(s, i) };
      }
      const fresh: Episode = {
        key: s.key,
        kind: KIND_NAMES[s.kind],
        eventTicker: s.eventTicker,
        legs,
        openedTsMs: tsMs,
        closedTsMs: null,
        maxGrossEdgeTicks: gross,
        maxNetEdgeTicks: net,
        updates: 0,
      };
      s.open = fresh;
      this.history.push(fresh);
      this.openSet.add(fresh);
      this.emit('opened', fresh);
      return;
    }
    let changed = false;
    if (gross > ep.maxGrossEdgeTicks) {
      ep.maxGrossEdgeTicks = gross;
      for (let i = 0; i < nLegs; i++) ep.legs[i].priceTicks = this.legPrice(s, i);
      changed = true;
    }
    if (net > ep.maxNetEdgeTicks) {
      ep.maxNetEdgeTicks = net;
      changed = true;
    }
    if (changed) {
      ep.updates++;
      this.emit('updated', ep);
    }
  }

  private closeEpisode(ep: Episode, tsMs: number): void {
    ep.closedTsMs = tsMs;
    this.openSet.delete(ep);
    this.emit('closed', ep);
  }

  private emit(type: EpisodeEvent['type'], ep: Episode): void {
    const ev: EpisodeEvent = { type, episode: snapshot(ep) };
    if (this.out === null) this.out = [ev];
    else this.out.push(ev);
  }
}
