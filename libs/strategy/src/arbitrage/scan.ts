/**
 * From-scratch scan for the arbitrage structures of ArbitrageDetector on one set of quotes.
 *
 * Deliberately simple (no incremental state, gross computed as payout minus the sum of leg prices): it is
 * the reference the detector is tested against, and is handy for one-off snapshots (a REST endpoint, a
 * backtest checkpoint). Cost O(markets + sum over events of n + k^2) per call.
 */
import { ONE_DOLLAR, PriceTicks, tradingFeeTicks } from '@kalshi-platform/market';
import {
  compareLegShapes,
  dominates,
  episodeKey,
  feeBpsForSeries,
  LegShape,
  normalizeEvents,
  ONE_CONTRACT_CENTIS,
  resolveFeeSettings,
  rungOf,
  Rung,
} from './reference';
import type { DetectorOptions, EventRef, Leg, MarketQuote, Opportunity, OpportunityKind } from './types';

/**
 * Lists every arbitrage present in `quotes` (gross edge > 0), with the same definitions, keys, leg order,
 * fee rules and evaluability rules as ArbitrageDetector (see its docstring): cross on every quoted market,
 * basket_yes / basket_no on mutually exclusive events of n >= 2 markets all of which have the needed side,
 * ladder on dominating pairs of above-strike markets of one event.
 *
 * @param events reference data (normalised like the detector: last definition of an event wins)
 * @param quotes top-of-book quotes; when a ticker appears more than once the LAST quote counts. A side is
 *   empty when its price is negative or its size <= 0.
 * @param opts fee settings as for ArbitrageDetector
 * @returns opportunities ordered: crosses in order of first appearance of each market (reference markets
 *   first, then the others in quote order), then per event basket_yes, basket_no, ladder pairs
 * @throws RangeError on a non-empty side priced outside 0..10000 ticks or not an integer;
 *   FixedPointError on bad fee options
 */
export function scanOpportunities(events: readonly EventRef[], quotes: Iterable<MarketQuote>, opts?: DetectorOptions): Opportunity[] {
  const fees = resolveFeeSettings(opts);
  const norm = normalizeEvents(events);
  const yesBid = new Map<string, number>();
  const noBid = new Map<string, number>();
  for (const q of quotes) {
    yesBid.set(q.marketTicker, sideBid(q.marketTicker, q.yesBidTicks, q.yesBidSizeCentis, 'YES'));
    noBid.set(q.marketTicker, sideBid(q.marketTicker, q.noBidTicks, q.noBidSizeCentis, 'NO'));
  }
  /** ask of `side` on `ticker`, or null when the opposite bid is unknown */
  const ask = (ticker: string, side: 'yes' | 'no'): PriceTicks | null => {
    const bid = (side === 'yes' ? noBid : yesBid).get(ticker) ?? -1;
    return bid < 0 ? null : ONE_DOLLAR - bid;
  };
  const out: Opportunity[] = [];
  const make = (kind: OpportunityKind, eventTicker: string, shapes: LegShape[], payout: PriceTicks, rateBps: number): void => {
    const legs: Leg[] = [];
    for (const s of [...shapes].sort(compareLegShapes)) {
      const p = ask(s.marketTicker, s.side);
      if (p === null) return; // not evaluable
      legs.push({ marketTicker: s.marketTicker, side: s.side, action: 'buy', priceTicks: p });
    }
    const cost = legs.reduce((a, l) => a + l.priceTicks, 0);
    const gross = payout - cost;
    if (gross <= 0) return;
    const fee = legs.reduce((a, l) => a + tradingFeeTicks(l.priceTicks, ONE_CONTRACT_CENTIS, rateBps, fees.feeRoundingTicks), 0);
    out.push({ key: episodeKey(kind, eventTicker, legs), kind, eventTicker, legs, grossEdgeTicks: gross, netEdgeTicks: gross - fee });
  };

  // cross: every market we know of (reference or quoted), its first event, that event's fee rate
  const crossEvent = new Map<string, { eventTicker: string; rate: number }>();
  for (const e of norm) {
    for (const m of e.markets) {
      if (!crossEvent.has(m.marketTicker)) crossEvent.set(m.marketTicker, { eventTicker: e.eventTicker, rate: feeBpsForSeries(fees, e.seriesTicker) });
    }
  }
  for (const t of yesBid.keys()) if (!crossEvent.has(t)) crossEvent.set(t, { eventTicker: '', rate: fees.takerFeeBps });
  for (const [t, { eventTicker, rate }] of crossEvent) {
    make('cross', eventTicker, [{ marketTicker: t, side: 'yes' }, { marketTicker: t, side: 'no' }], ONE_DOLLAR, rate);
  }

  for (const e of norm) {
    const rate = feeBpsForSeries(fees, e.seriesTicker);
    const n = e.markets.length;
    if (e.mutuallyExclusive && n >= 2) {
      // exactly one wins (exhaustive assumption): the YES basket pays $1
      make('basket_yes', e.eventTicker, e.markets.map((m) => ({ marketTicker: m.marketTicker, side: 'yes' as const })), ONE_DOLLAR, rate);
      // at most one wins: at least n - 1 NO legs pay $1
      make('basket_no', e.eventTicker, e.markets.map((m) => ({ marketTicker: m.marketTicker, side: 'no' as const })), (n - 1) * ONE_DOLLAR, rate);
    }
    const rungs = e.markets.map(rungOf).filter((r): r is Rung => r !== null);
    for (const low of rungs) {
      for (const high of rungs) {
        if (low === high || !dominates(low, high)) continue;
        make('ladder', e.eventTicker, [{ marketTicker: low.marketTicker, side: 'yes' }, { marketTicker: high.marketTicker, side: 'no' }], ONE_DOLLAR, rate);
      }
    }
  }
  return out;
}

function sideBid(ticker: string, price: number, size: number, side: string): number {
  if (price < 0 || !(size > 0)) return -1;
  if (!(Number.isInteger(price) && price <= ONE_DOLLAR)) throw new RangeError(`${ticker}: ${side} bid ${price} ticks is not an integer in 0..${ONE_DOLLAR}`);
  return price;
}
