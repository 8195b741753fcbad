/**
 * Reference-data helpers shared by the incremental detector and the from-scratch scan: event
 * normalisation, episode keys, strike dominance for ladders, and fee resolution.
 */
import { ONE_DOLLAR, PriceTicks, STANDARD_TAKER_FEE_BPS, tradingFeeTicks } from '@kalshi-platform/market';
import type { DetectorOptions, EventRef, MarketRef, OpportunityKind } from './types';

/** One contract, in centis (the size every edge is computed for). */
export const ONE_CONTRACT_CENTIS = 100;

/** Resolved fee settings. */
export interface FeeSettings {
  takerFeeBps: number;
  feeRoundingTicks: PriceTicks;
  feeBpsBySeries: Record<string, number>;
}

/**
 * Fills in the option defaults (700 bps, $0.0001 rounding, no series overrides).
 * @throws FixedPointError (from tradingFeeTicks) if a rate is not a non-negative integer or the rounding
 *   step is not a positive integer.
 */
export function resolveFeeSettings(opts: DetectorOptions | undefined): FeeSettings {
  const s: FeeSettings = {
    takerFeeBps: opts?.takerFeeBps ?? STANDARD_TAKER_FEE_BPS,
    feeRoundingTicks: opts?.feeRoundingTicks ?? 1,
    feeBpsBySeries: { ...(opts?.feeBpsBySeries ?? {}) },
  };
  // validate eagerly so a bad option fails at construction, not on the first opportunity
  tradingFeeTicks(5000, ONE_CONTRACT_CENTIS, s.takerFeeBps, s.feeRoundingTicks);
  for (const rate of Object.values(s.feeBpsBySeries)) tradingFeeTicks(5000, ONE_CONTRACT_CENTIS, rate, s.feeRoundingTicks);
  return s;
}

/** The fee multiplier (bps) that applies to an event: its series' override, else the default. */
export function feeBpsForSeries(settings: FeeSettings, seriesTicker: string | undefined): number {
  if (seriesTicker !== undefined && Object.prototype.hasOwnProperty.call(settings.feeBpsBySeries, seriesTicker)) {
    return settings.feeBpsBySeries[seriesTicker];
  }
  return settings.takerFeeBps;
}

const feeTableCache = new Map<string, Int32Array>();

/**
 * Table of the one-contract taker fee for every price 0..10000 ticks: `table[p] =
 * tradingFeeTicks(p, 100, rateBps, roundingTicks)`. Lets the hot path price fees with one array read.
 * Tables are cached per (rate, rounding) for the process and shared: treat them as read-only (40 KB each).
 * @throws FixedPointError on an invalid rate or rounding step (see tradingFeeTicks)
 */
export function feeTable(rateBps: number, roundingTicks: PriceTicks): Int32Array {
  const cacheKey = `${rateBps}/${roundingTicks}`;
  let t = feeTableCache.get(cacheKey);
  if (t === undefined) {
    t = new Int32Array(ONE_DOLLAR + 1);
    for (let p = 0; p <= ONE_DOLLAR; p++) t[p] = tradingFeeTicks(p, ONE_CONTRACT_CENTIS, rateBps, roundingTicks);
    feeTableCache.set(cacheKey, t);
  }
  return t;
}

/** A normalised event: duplicates removed. */
export interface NormalizedEvent {
  eventTicker: string;
  seriesTicker: string | undefined;
  mutuallyExclusive: boolean;
  /** markets in the order of the event's list, each ticker once (first occurrence kept) */
  markets: MarketRef[];
}

/**
 * Normalises reference data: an event ticker listed twice keeps its LAST definition (a refresh appended
 * to an older list wins); a market ticker listed twice inside one event keeps its first entry.
 * Order: events in order of their last definition, markets in list order.
 */
export function normalizeEvents(events: readonly EventRef[]): NormalizedEvent[] {
  const byTicker = new Map<string, EventRef>();
  for (const e of events) {
    byTicker.delete(e.eventTicker);
    byTicker.set(e.eventTicker, e);
  }
  const out: NormalizedEvent[] = [];
  for (const e of byTicker.values()) {
    const seen = new Set<string>();
    const markets: MarketRef[] = [];
    for (const m of e.markets) {
      if (seen.has(m.marketTicker)) continue;
      seen.add(m.marketTicker);
      markets.push(m);
    }
    out.push({ eventTicker: e.eventTicker, seriesTicker: e.seriesTicker, mutuallyExclusive: e.mutuallyExclusive, markets });
  }
  return out;
}

/** A leg without a price: which side of which market is bought. */
export interface LegShape {
  marketTicker: string;
  side: 'yes' | 'no';
}

/** Orders legs by market ticker (code-unit order), YES before NO on the same market. */
export function compareLegShapes(a: LegShape, b: LegShape): number {
  if (a.marketTicker !== b.marketTicker) return a.marketTicker < b.marketTicker ? -1 : 1;
  if (a.side === b.side) return 0;
  return a.side === 'yes' ? -1 : 1;
}

/**
 * The episode key: `kind|eventTicker|ticker/side,ticker/side,...`, legs sorted with compareLegShapes.
 * `legs` must already be sorted.
 */
export function episodeKey(kind: OpportunityKind, eventTicker: string, sortedLegs: readonly LegShape[]): string {
  let s = `${kind}|${eventTicker}|`;
  for (let i = 0; i < sortedLegs.length; i++) s += `${i ? ',' : ''}${sortedLegs[i].marketTicker}/${sortedLegs[i].side}`;
  return s;
}

/** An "above strike" market: YES iff underlying > strike ('greater') or >= strike ('greater_or_equal'). */
export interface Rung {
  marketTicker: string;
  strike: number;
  inclusive: boolean;
}

/** The rung of a market, or null when it is not an above-strike market with a finite floor strike. */
export function rungOf(m: MarketRef): Rung | null {
  if (m.strikeType !== 'greater' && m.strikeType !== 'greater_or_equal') return null;
  if (typeof m.floorStrike !== 'number' || !Number.isFinite(m.floorStrike)) return null;
  return { marketTicker: m.marketTicker, strike: m.floorStrike, inclusive: m.strikeType === 'greater_or_equal' };
}

/**
 * True when rung `low`'s YES set strictly contains rung `high`'s: `low.strike < high.strike`, or equal strikes
 * with `low` '>=' and `high` '>'. Then YES(low) + NO(high) pays at least $1 in every state of the
 * underlying (both YES: 1 + 0; only low YES: 1 + 1; neither: 0 + 1).
 */
export function dominates(low: Rung, high: Rung): boolean {
  return low.strike < high.strike || (low.strike === high.strike && low.inclusive && !high.inclusive);
}

/** Sort order of rungs: by strike, '>=' before '>' at equal strikes (so a dominating rung comes first). */
export function compareRungs(a: Rung, b: Rung): number {
  if (a.strike !== b.strike) return a.strike - b.strike;
  return (b.inclusive ? 1 : 0) - (a.inclusive ? 1 : 0);
}
