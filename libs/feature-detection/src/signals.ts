/**
 * Detection's trading signals (issue #5 item 5): the bus contract `SignalV1` (libs/bus/src/trading.ts) built from
 * libs/strategy's outputs, and its `trade_signals` rows (one per leg) for the tick store.
 */
import type { SignalV1 } from '@kalshi-platform/bus';
import { ONE_DOLLAR, type PriceTicks, type SizeCentis } from '@kalshi-platform/market';
import type { TradeSignalRow } from '@kalshi-platform/storage';
import type { Episode, SportsbookSignalV1 } from '@kalshi-platform/strategy';

/** Version tag in every arbitrage signal id; bump when the id's meaning changes. */
export const ARB_SIGNAL_ID_VERSION = 'arb1';

/**
 * Id of the signal of one arbitrage episode: `arb1:<episodeKey>:<openedTsMs>`. An episode has one signal (sent when
 * it opens), the key names its kind, event and legs, and the opening time tells two episodes of the same key apart,
 * so a re-emission (a replay of the same feed) gets the same id and a new episode a new one.
 */
export function arbSignalId(episodeKey: string, openedTsMs: number): string {
  return `${ARB_SIGNAL_ID_VERSION}:${episodeKey}:${openedTsMs}`;
}

const dollars = (ticks: number): string => (ticks / ONE_DOLLAR).toFixed(4);

/** Options of {@link arbEpisodeToSignal}. */
export interface ArbSignalOptions {
  /** when the episode opened, epoch ms (> 0: for an episode opened before any exchange time, the first one seen) */
  openedTsMs: number;
  /** the exchange time of the BBO that opened it (or of the first timed BBO after), epoch ms */
  createdTsMs: number;
  /** size of every leg, centis (> 0) */
  sizeCentis: SizeCentis;
  /** lifetime, ms (>= 1): expiresTsMs = createdTsMs + ttlMs */
  ttlMs: number;
}

/**
 * The signal of an arbitrage episode that just opened (libs/strategy ArbitrageDetector `opened`): buy every leg at
 * the ask the detector saw, `sizeCentis` each; `fairTicks` null (an arbitrage has no model fair value); edges per set
 * (one contract of each leg), gross and net of Kalshi's taker fees, as the episode reports them; confidence 1 (a
 * structural edge at the quoted prices, no model); `source` = `{ episodeKey, openedTsMs }`.
 */
export function arbEpisodeToSignal(e: Episode, o: ArbSignalOptions): SignalV1 {
  const legs = e.legs.map((l) => ({ marketTicker: l.marketTicker, eventTicker: e.eventTicker, side: l.side, action: l.action, priceTicks: l.priceTicks, sizeCentis: o.sizeCentis }));
  const cost: PriceTicks = e.legs.reduce((s, l) => s + l.priceTicks, 0);
  return {
    v: 1,
    id: arbSignalId(e.key, o.openedTsMs),
    kind: e.kind,
    legs,
    fairTicks: null,
    grossEdgeTicks: e.maxGrossEdgeTicks,
    netEdgeTicks: e.maxNetEdgeTicks,
    confidence: 1,
    reasons: [
      `${e.kind} arbitrage on ${e.eventTicker}: buy ${e.legs.map((l) => `${l.side.toUpperCase()} ${l.marketTicker} at ${dollars(l.priceTicks)}`).join(', ')} (cost ${dollars(cost)} per set)`,
      `gross edge ${dollars(e.maxGrossEdgeTicks)} per set, net ${dollars(e.maxNetEdgeTicks)} after Kalshi taker fees`,
      `episode ${e.key} opened at ${new Date(o.openedTsMs).toISOString()}`,
      `size ${(o.sizeCentis / 100).toFixed(2)} contracts per leg (configured), valid ${o.ttlMs} ms`,
    ],
    createdTsMs: o.createdTsMs,
    expiresTsMs: o.createdTsMs + o.ttlMs,
    source: { episodeKey: e.key, openedTsMs: o.openedTsMs },
  };
}

/**
 * libs/strategy's SportsbookSignalV1 -> the bus SignalV1: one leg (buy `side` at `priceTicks`, `sizeCentis`), the
 * market's `eventTicker` from the reference data, everything else as the detector computed it (same id);
 * `source` = `{ oddsEventId, oddsObservedTsMs }`.
 */
export function sportsbookSignalToV1(s: SportsbookSignalV1, eventTicker: string): SignalV1 {
  return {
    v: 1,
    id: s.id,
    kind: s.kind,
    legs: [{ marketTicker: s.marketTicker, eventTicker, side: s.side, action: s.action, priceTicks: s.priceTicks, sizeCentis: s.sizeCentis }],
    fairTicks: s.fairTicks,
    grossEdgeTicks: s.grossEdgeTicks,
    netEdgeTicks: s.netEdgeTicks,
    confidence: s.confidence,
    reasons: [...s.reasons],
    createdTsMs: s.createdTsMs,
    expiresTsMs: s.expiresTsMs,
    source: { oddsEventId: s.oddsEventId, oddsObservedTsMs: s.oddsObservedTsMs },
  };
}

/**
 * A signal's `trade_signals` rows: one per leg (`leg` = its index), the signal-level values (fair value, edges,
 * confidence, expiry, reasons as a JSON array, source as a JSON object or null) repeated on each; `ts` = createdTsMs.
 */
export function signalToRows(s: SignalV1): TradeSignalRow[] {
  const reasons = JSON.stringify(s.reasons);
  const source = s.source === undefined ? null : JSON.stringify(s.source);
  return s.legs.map((l, i) => ({
    table: 'trade_signals',
    signalId: s.id,
    kind: s.kind,
    leg: i,
    marketTicker: l.marketTicker,
    eventTicker: l.eventTicker,
    side: l.side,
    action: l.action,
    priceTicks: l.priceTicks,
    sizeCentis: l.sizeCentis,
    fairTicks: s.fairTicks,
    grossEdgeTicks: s.grossEdgeTicks,
    netEdgeTicks: s.netEdgeTicks,
    confidence: s.confidence,
    expiresTs: s.expiresTsMs,
    reasons,
    source,
    ts: s.createdTsMs,
  }));
}
