/**
 * Property tests (fast-check) for ArbitrageDetector and scanOpportunities over random reference data,
 * quote sequences, invalidations and reference refreshes.
 */
import fc from 'fast-check';
import { ONE_DOLLAR, tradingFeeTicks } from '@kalshi-platform/market';
import {
  ArbitrageDetector,
  DetectorOptions,
  Episode,
  EpisodeEvent,
  EventRef,
  Leg,
  MarketQuote,
  OpportunityKind,
  scanOpportunities,
} from '../index';

// ---- a random universe: one event of n markets (mutually exclusive or not), one strike event, a stray market

interface Universe {
  meEvent: EventRef;
  ladderEvent: EventRef;
  tickers: string[];
}

const universeArb: fc.Arbitrary<Universe> = fc
  .record({
    n: fc.integer({ min: 2, max: 4 }),
    mutuallyExclusive: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    series: fc.constantFrom(undefined, 'S1'),
    rungs: fc.array(
      fc.record({ strike: fc.constantFrom(10, 20, 30), strikeType: fc.constantFrom('greater', 'greater_or_equal', 'between') }),
      { minLength: 2, maxLength: 4 },
    ),
  })
  .map(({ n, mutuallyExclusive, series, rungs }) => {
    const meEvent: EventRef = {
      eventTicker: 'ME',
      seriesTicker: series,
      mutuallyExclusive,
      markets: Array.from({ length: n }, (_, i) => ({ marketTicker: `ME-${i}`, eventTicker: 'ME' })),
    };
    const ladderEvent: EventRef = {
      eventTicker: 'LAD',
      seriesTicker: 'S1',
      mutuallyExclusive: false,
      markets: rungs.map((r, i) => ({
        marketTicker: `LAD-${i}`,
        eventTicker: 'LAD',
        strikeType: r.strikeType,
        floorStrike: r.strike,
        capStrike: r.strikeType === 'between' ? r.strike + 5 : undefined,
      })),
    };
    return { meEvent, ladderEvent, tickers: [...meEvent.markets, ...ladderEvent.markets].map((m) => m.marketTicker).concat('X') };
  });

/** reference variants a refresh can switch between: everything, nothing, the first event only */
function variantEvents(u: Universe, variant: number): EventRef[] {
  return variant === 0 ? [u.meEvent, u.ladderEvent] : variant === 1 ? [] : [u.meEvent];
}

const optsArb: fc.Arbitrary<DetectorOptions> = fc.record({
  takerFeeBps: fc.constantFrom(undefined, 0, 700, 1750),
  feeRoundingTicks: fc.constantFrom(undefined, 1, 100),
  feeBpsBySeries: fc.constantFrom(undefined, { S1: 350 }),
});

/** bids: empty, whole cents (to hit exact ties such as YES + NO = $1), or any tick */
const bidArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(-1) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 100 }).map((c) => c * 100) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: ONE_DOLLAR }) },
  { weight: 2, arbitrary: fc.integer({ min: 70, max: 100 }).map((c) => c * 100) }, // high bids: more crosses and baskets
);
const dtArb = fc.integer({ min: 0, max: 3 });

type Action =
  | { t: 'q'; m: number; y: number; n: number; dt: number }
  | { t: 'inv'; m: number; dt: number }
  | { t: 'ref'; variant: number; drain: boolean; dt: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ t: fc.constant('q' as const), m: fc.nat(), y: bidArb, n: bidArb, dt: dtArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('inv' as const), m: fc.nat(), dt: dtArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('ref' as const), variant: fc.integer({ min: 0, max: 2 }), drain: fc.boolean(), dt: dtArb }) },
);

function quote(marketTicker: string, y: number, n: number): MarketQuote {
  return { marketTicker, yesBidTicks: y, yesBidSizeCentis: y < 0 ? 0 : 100, noBidTicks: n, noBidSizeCentis: n < 0 ? 0 : 100 };
}

// ---- resolution states and payoffs

/** Every resolution state relevant to an opportunity, as "does market t resolve YES?" predicates. */
function states(u: Universe, kind: OpportunityKind, legs: Leg[]): ((ticker: string) => boolean)[] {
  const meTickers = u.meEvent.markets.map((m) => m.marketTicker);
  switch (kind) {
    case 'cross':
      return [() => true, () => false];
    case 'basket_yes': // exhaustive: exactly one market wins
      return meTickers.map((w) => (t: string) => t === w);
    case 'basket_no': // at most one wins
      return [...meTickers.map((w) => (t: string) => t === w), () => false];
    case 'ladder': {
      const strikes = u.ladderEvent.markets.map((m) => m.floorStrike as number);
      const grid = [Math.min(...strikes) - 10, Math.max(...strikes) + 10];
      for (const s of strikes) grid.push(s - 5, s, s + 5);
      const refOf = new Map(u.ladderEvent.markets.map((m) => [m.marketTicker, m]));
      expect(legs.every((l) => refOf.get(l.marketTicker)?.strikeType !== 'between')).toBe(true);
      return grid.map((x) => (t: string) => {
        const m = refOf.get(t)!;
        return m.strikeType === 'greater_or_equal' ? x >= m.floorStrike! : x > m.floorStrike!;
      });
    }
  }
}

/** min over resolution states of (payoff − cost), per one contract per leg, in ticks */
function worstCasePnl(u: Universe, kind: OpportunityKind, legs: Leg[]): number {
  const cost = legs.reduce((a, l) => a + l.priceTicks, 0);
  let worst = Infinity;
  for (const yes of states(u, kind, legs)) {
    const payoff = legs.reduce((a, l) => a + (yes(l.marketTicker) === (l.side === 'yes') ? ONE_DOLLAR : 0), 0);
    worst = Math.min(worst, payoff - cost);
  }
  return worst;
}

function rateFor(u: Universe, opts: DetectorOptions, eventTicker: string): number {
  const ev = [u.meEvent, u.ladderEvent].find((e) => e.eventTicker === eventTicker);
  const series = ev?.seriesTicker;
  if (series !== undefined && opts.feeBpsBySeries && series in opts.feeBpsBySeries) return opts.feeBpsBySeries[series];
  return opts.takerFeeBps ?? 700;
}

function legFees(u: Universe, opts: DetectorOptions, eventTicker: string, legs: Leg[]): number {
  const rate = rateFor(u, opts, eventTicker);
  return legs.reduce((a, l) => a + tradingFeeTicks(l.priceTicks, 100, rate, opts.feeRoundingTicks ?? 1), 0);
}

const keysOf = (xs: { key: string }[]): string[] => xs.map((x) => x.key).sort();

// ---- driving a detector through a random scenario

interface Run {
  detector: ArbitrageDetector;
  events: EventRef[];
  last: Map<string, MarketQuote>;
  ts: number;
}

/**
 * Feeds the actions, checking after every step that the open episodes are exactly the opportunities a
 * from-scratch scan of the last quotes finds, and that the emitted events replay to the same open set.
 */
function drive(u: Universe, opts: DetectorOptions, initialVariant: number, actions: Action[]): Run {
  let events = variantEvents(u, initialVariant);
  const d = new ArbitrageDetector(events, opts);
  const last = new Map<string, MarketQuote>();
  const replayOpen = new Map<string, Episode>();
  const absorb = (evs: EpisodeEvent[]): void => {
    for (const e of evs) {
      const k = e.episode.key;
      if (e.type === 'opened') {
        expect(replayOpen.has(k)).toBe(false); // never two open episodes for one key
        expect(e.episode.closedTsMs).toBeNull();
        replayOpen.set(k, e.episode);
      } else {
        expect(replayOpen.get(k)?.openedTsMs).toBe(e.episode.openedTsMs);
        if (e.type === 'closed') replayOpen.delete(k);
        else replayOpen.set(k, e.episode);
      }
    }
  };
  let ts = 0;
  let pending = false;
  for (const a of actions) {
    ts += a.dt;
    if (a.t === 'q') {
      const q = quote(u.tickers[a.m % u.tickers.length], a.y, a.n);
      last.set(q.marketTicker, q);
      absorb(d.onQuote(q, ts));
      pending = false;
    } else if (a.t === 'inv') {
      const t = u.tickers[a.m % u.tickers.length];
      last.delete(t);
      absorb(d.invalidate(t, ts));
      pending = false;
    } else {
      events = variantEvents(u, a.variant);
      d.setEvents(events, ts);
      if (a.drain) {
        absorb(d.drainEvents());
        pending = false;
      } else pending = true; // delivered with the next onQuote / invalidate
    }

    // no episode open when its condition is false, and every true condition has an open episode
    const scan = scanOpportunities(events, last.values(), opts);
    const open = d.openEpisodes();
    expect(keysOf(open)).toEqual(keysOf(scan));
    const byKey = new Map(scan.map((o) => [o.key, o]));
    for (const e of open) {
      const o = byKey.get(e.key)!;
      expect([e.kind, e.eventTicker]).toEqual([o.kind, o.eventTicker]);
      expect(e.maxGrossEdgeTicks).toBeGreaterThanOrEqual(o.grossEdgeTicks);
      expect(e.maxNetEdgeTicks).toBeGreaterThanOrEqual(o.netEdgeTicks);
    }
    if (!pending) expect([...replayOpen.keys()].sort()).toEqual(keysOf(open));
  }
  absorb(d.drainEvents());
  expect([...replayOpen.keys()].sort()).toEqual(keysOf(d.openEpisodes()));
  return { detector: d, events, last, ts };
}

const scenarioArb = fc.tuple(universeArb, optsArb, fc.integer({ min: 0, max: 2 }), fc.array(actionArb, { maxLength: 80 }));

describe('ArbitrageDetector properties', () => {
  it('open episodes always equal the from-scratch scan of the last quotes (none open while its condition is false)', () => {
    fc.assert(
      fc.property(scenarioArb, ([u, opts, v, actions]) => {
        drive(u, opts, v, actions);
      }),
      { numRuns: 300 },
    );
  });

  it('gross edge = min over resolution states of (payoff − cost) for the legs at the max; net <= gross', () => {
    fc.assert(
      fc.property(scenarioArb, ([u, opts, v, actions]) => {
        const { detector } = drive(u, opts, v, actions);
        for (const e of detector.episodes()) {
          expect(e.maxGrossEdgeTicks).toBeGreaterThan(0);
          expect(worstCasePnl(u, e.kind, e.legs)).toBe(e.maxGrossEdgeTicks);
          expect(e.maxNetEdgeTicks).toBeLessThanOrEqual(e.maxGrossEdgeTicks);
          // the net at the moment of the max gross was seen, so the max net is at least that
          expect(e.maxNetEdgeTicks).toBeGreaterThanOrEqual(e.maxGrossEdgeTicks - legFees(u, opts, e.eventTicker, e.legs));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('episodes of one key never overlap', () => {
    fc.assert(
      fc.property(scenarioArb, ([u, opts, v, actions]) => {
        const { detector } = drive(u, opts, v, actions);
        const lastOf = new Map<string, Episode>();
        for (const e of detector.episodes()) {
          // episodes() is in order of opening
          const prev = lastOf.get(e.key);
          if (prev !== undefined) {
            expect(prev.closedTsMs).not.toBeNull();
            expect(prev.closedTsMs!).toBeLessThanOrEqual(e.openedTsMs);
          }
          if (e.closedTsMs !== null) expect(e.closedTsMs).toBeGreaterThanOrEqual(e.openedTsMs);
          lastOf.set(e.key, e);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('state after any sequence equals a fresh detector fed only the last quotes', () => {
    fc.assert(
      fc.property(scenarioArb, ([u, opts, v, actions]) => {
        const { detector, events, last, ts } = drive(u, opts, v, actions);
        const fresh = new ArbitrageDetector(events, opts);
        for (const q of last.values()) fresh.onQuote(q, ts + 1);
        expect(keysOf(fresh.openEpisodes())).toEqual(keysOf(detector.openEpisodes()));
        const scan = new Map(scanOpportunities(events, last.values(), opts).map((o) => [o.key, o]));
        for (const e of fresh.openEpisodes()) {
          const o = scan.get(e.key)!;
          // each structure was evaluated once its last market arrived, so its maxima are the current edges
          expect([e.maxGrossEdgeTicks, e.maxNetEdgeTicks, e.legs]).toEqual([o.grossEdgeTicks, o.netEdgeTicks, o.legs]);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('scanOpportunities properties', () => {
  const quotesArb = fc.array(fc.tuple(fc.nat(), bidArb, bidArb), { maxLength: 12 });

  it('gross = min over resolution states of (payoff − cost) > 0; net = gross − one-contract fees <= gross', () => {
    fc.assert(
      fc.property(universeArb, optsArb, quotesArb, (u, opts, raw) => {
        const events = [u.meEvent, u.ladderEvent];
        const quotes = raw.map(([m, y, n]) => quote(u.tickers[m % u.tickers.length], y, n));
        for (const o of scanOpportunities(events, quotes, opts)) {
          expect(o.grossEdgeTicks).toBeGreaterThan(0);
          expect(worstCasePnl(u, o.kind, o.legs)).toBe(o.grossEdgeTicks);
          expect(o.netEdgeTicks).toBe(o.grossEdgeTicks - legFees(u, opts, o.eventTicker, o.legs));
          expect(o.netEdgeTicks).toBeLessThanOrEqual(o.grossEdgeTicks);
          if (o.kind === 'basket_yes' || o.kind === 'basket_no') expect(u.meEvent.mutuallyExclusive).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
