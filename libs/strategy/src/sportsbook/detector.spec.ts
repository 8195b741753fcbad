/**
 * SportsbookEdgeDetector: hand-computed example, gating (threshold, confidence, staleness, size), liveness and id
 * determinism, plus a fast-check property over random fair values and quote streams.
 */
import fc from 'fast-check';
import type { Consensus, MatchedKalshiEvent } from '@kalshi-platform/odds';
import {
  fairValuesFromMatch,
  SportsbookEdgeDetector,
  type SportsbookDetectorOptions,
  type SportsbookFairValue,
  SportsbookInputError,
  sportsbookSignalId,
  type SportsbookSignalV1,
  type SportsbookTopQuote,
  takerFeePerContractTicks,
} from './index';

const T = 'KXNBAGAME-26JAN15BOSLAL-BOS';
const OBS = 1_000_000;

const opts = (o: Partial<SportsbookDetectorOptions> = {}): SportsbookDetectorOptions => ({
  minEdgeTicks: 100,
  minConfidence: 0.1,
  maxOddsAgeMs: 60_000,
  ttlMs: 5_000,
  bankrollMicros: 1_000_000_000, // $1,000
  kellyFraction: 0.5,
  ...o,
});

const fv = (o: Partial<SportsbookFairValue> = {}): SportsbookFairValue => ({
  marketTicker: T,
  fairYes: 0.55,
  bookCount: 3,
  dispersion: 0.01,
  oddsEventId: 'ev1',
  observedTsMs: OBS,
  method: 'multiplicative',
  aggregate: 'median',
  ...o,
});

/** YES ask = 10000 − noBid, NO ask = 10000 − yesBid. */
const quote = (noBid: number, yesBid = 4900, size = 10_000): SportsbookTopQuote => ({ marketTicker: T, yesBidTicks: yesBid, yesBidSizeCentis: size, noBidTicks: noBid, noBidSizeCentis: size });

describe('SportsbookEdgeDetector', () => {
  it('hand-computed: fair 0.55, YES ask 0.50 → fee 175, net 325 ticks, one signal with those numbers and reasons', () => {
    const d = new SportsbookEdgeDetector(opts());
    expect(d.setFairValues([fv()], OBS)).toEqual([]); // no book yet
    const out = d.onQuote(quote(5000), OBS + 2000);
    expect(out).toHaveLength(1);
    const s = out[0];
    // Kelly: q = (5000 + 175)/10000 = 0.5175, f* = 0.0325/0.4825 = 0.067358; half Kelly of $1,000 = $33.679;
    // one contract costs $0.50 + $0.0175 = $0.5175 → floor(65.08) = 65 contracts.
    // confidence = 3/(3+3) · 1/(1 + 0.01/0.02) · 10000/(10000+10000) = 0.5 · 2/3 · 0.5 = 1/6.
    expect(s).toMatchObject({
      v: 1,
      id: `sbe1:${T}:yes:5000:${OBS}`,
      kind: 'sportsbook_edge',
      marketTicker: T,
      side: 'yes',
      action: 'buy',
      priceTicks: 5000,
      sizeCentis: 6500,
      createdTsMs: OBS + 2000,
      expiresTsMs: OBS + 7000,
      oddsEventId: 'ev1',
      oddsObservedTsMs: OBS,
    });
    expect(s.fairTicks).toBeCloseTo(5500, 9);
    expect(s.grossEdgeTicks).toBeCloseTo(500, 9);
    expect(s.netEdgeTicks).toBeCloseTo(325, 9);
    expect(s.confidence).toBeCloseTo(1 / 6, 12);
    expect(s.reasons).toEqual([
      'consensus 0.5500 from 3 books (median, multiplicative)',
      'odds event ev1 observed 2000 ms before',
      'YES ask 0.5000 + fee 0.0175',
      'net edge 0.0325 >= threshold 0.0100',
      'confidence 0.1667 >= 0.1000 (books 0.50, agreement 0.67, depth 0.50; dispersion 0.0100)',
      'size 65.00 contracts at 0.5000 (0.5 Kelly, stopped by kelly)',
    ]);
  });

  it('NO side: fair 0.40, NO ask 0.56 (YES bid 0.44) → fee 173, net 227; reasons state the NO fair', () => {
    const d = new SportsbookEdgeDetector(opts());
    d.setFairValues([fv({ fairYes: 0.4 })], OBS);
    const [s, ...rest] = d.onQuote(quote(5500, 4400), OBS);
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ side: 'no', priceTicks: 5600, id: `sbe1:${T}:no:5600:${OBS}` });
    expect(s.netEdgeTicks).toBeCloseTo(227, 9);
    expect(s.reasons[0]).toBe('consensus 0.6000 for NO (1 − YES 0.4000) from 3 books (median, multiplicative)');
    expect(s.reasons[2]).toBe('NO ask 0.5600 + fee 0.0173');
  });

  it('full ask ladders are accepted; only the top level is sized (a limit at the signal price)', () => {
    const d = new SportsbookEdgeDetector(opts({ kellyFraction: 1, minConfidence: 0 }));
    d.setFairValues([fv()], OBS);
    const [s] = d.onQuote({ marketTicker: T, yesAsks: [[5000, 3000], [5010, 100_000]], noAsks: [] }, OBS);
    expect(s).toMatchObject({ priceTicks: 5000, sizeCentis: 3000 }); // the top level's 30 contracts
  });

  it('nothing below the threshold, below minConfidence, on stale odds, or when the size is 0', () => {
    // net 325 < 400
    let d = new SportsbookEdgeDetector(opts({ minEdgeTicks: 400 }));
    d.setFairValues([fv()], OBS);
    expect(d.onQuote(quote(5000), OBS)).toEqual([]);
    // exactly at the threshold (fair 0.5275 → net 0.0275 − ... = 100): emitted (>=)
    d = new SportsbookEdgeDetector(opts());
    d.setFairValues([fv({ fairYes: 0.5275 })], OBS);
    expect(d.onQuote(quote(5000), OBS)).toHaveLength(1);
    // confidence 1/6 < 0.2
    d = new SportsbookEdgeDetector(opts({ minConfidence: 0.2 }));
    d.setFairValues([fv()], OBS);
    expect(d.onQuote(quote(5000), OBS)).toEqual([]);
    // stale: 60,001 ms old; 60,000 is still fresh
    d = new SportsbookEdgeDetector(opts());
    d.setFairValues([fv()], OBS);
    expect(d.onQuote(quote(5000), OBS + 60_001)).toEqual([]);
    expect(d.onQuote(quote(5000), OBS + 60_000)).toHaveLength(1);
    // no bankroll → Kelly size 0 → nothing to execute
    d = new SportsbookEdgeDetector(opts({ bankrollMicros: 0 }));
    d.setFairValues([fv()], OBS);
    expect(d.onQuote(quote(5000), OBS)).toEqual([]);
    // empty YES ask side (NO bid 0) → nothing
    d = new SportsbookEdgeDetector(opts());
    d.setFairValues([fv()], OBS);
    expect(d.onQuote(quote(0), OBS)).toEqual([]);
  });

  it('same quote twice → one signal; again after expiry with the same id; price change → new id', () => {
    const d = new SportsbookEdgeDetector(opts());
    d.setFairValues([fv()], OBS);
    const [a] = d.onQuote(quote(5000), OBS);
    expect(d.onQuote(quote(5000), OBS + 100)).toEqual([]);
    expect(d.onQuote(quote(5000, 4800), OBS + 200)).toEqual([]); // other side moved, same YES opportunity
    expect(d.liveIds(OBS + 200)).toEqual([a.id]);
    const [b] = d.onQuote(quote(5010), OBS + 300); // YES ask 0.4990
    expect(b.id).toBe(`sbe1:${T}:yes:4990:${OBS}`);
    expect(b.id).not.toBe(a.id);
    expect(d.onQuote(quote(5000), OBS + 400)).toEqual([]); // back to 0.50: that id is still live
    const [c] = d.onQuote(quote(5000), OBS + 5000); // expired at OBS + 5000 → re-emitted with the same id
    expect(c.id).toBe(a.id);
    expect(c.expiresTsMs).toBe(OBS + 10_000);
  });

  it('fair change: a new observation re-emits at once (new id) from setFairValues; the same observation keeps the id', () => {
    const d = new SportsbookEdgeDetector(opts());
    d.setFairValues([fv()], OBS);
    const [a] = d.onQuote(quote(5000), OBS);
    expect(d.setFairValues([fv({ fairYes: 0.56 })], OBS + 10)).toEqual([]); // same observation time: same id, live
    const [b] = d.setFairValues([fv({ fairYes: 0.56, observedTsMs: OBS + 20 })], OBS + 30);
    expect(b.id).toBe(`sbe1:${T}:yes:5000:${OBS + 20}`);
    expect(b.id).not.toBe(a.id);
    expect(b.netEdgeTicks).toBeCloseTo(425, 9);
    expect(b.createdTsMs).toBe(OBS + 30);
  });

  it('id determinism: two detectors fed the same inputs give the same ids; the id uses only its five parts', () => {
    const run = (): string[] => {
      const d = new SportsbookEdgeDetector(opts());
      d.setFairValues([fv()], OBS);
      return [...d.onQuote(quote(5000), OBS + 1), ...d.onQuote(quote(5020), OBS + 2)].map((s) => s.id);
    };
    expect(run()).toEqual(run());
    expect(run()).toEqual([sportsbookSignalId(T, 'yes', 5000, OBS), sportsbookSignalId(T, 'yes', 4980, OBS)]);
    // created time, bankroll, fair and size do not enter the id
    const d = new SportsbookEdgeDetector(opts({ bankrollMicros: 5_000_000_000 }));
    d.setFairValues([fv({ fairYes: 0.6 })], OBS);
    expect(d.onQuote(quote(5000), OBS + 999)[0].id).toBe(sportsbookSignalId(T, 'yes', 5000, OBS));
  });

  it('fairValuesFromMatch maps each market to its outcome in the consensus', () => {
    const consensus: Consensus = {
      method: 'multiplicative',
      consensus: 'median',
      outcomes: [
        { name: 'Boston Celtics', fairProbability: 0.5905 },
        { name: 'Los Angeles Lakers', fairProbability: 0.4095 },
      ],
      books: [0.58, 0.59, 0.6].map((p, i) => ({ bookmaker: `b${i}`, lastUpdateMs: 0, implied: [p, 1 - p], fair: [p, 1 - p], overround: 0 })),
      dropped: [],
    };
    const match = {
      status: 'matched',
      eventTicker: 'KXNBAGAME-26JAN15BOSLAL',
      seriesTicker: 'KXNBAGAME',
      sportKey: 'basketball_nba',
      oddsEventId: 'ev1',
      how: 'alias',
      confidence: 1,
      commenceTsMs: 0,
      outcomes: [
        { marketTicker: T, outcomeName: 'Boston Celtics', side: 'home' },
        { marketTicker: 'KXNBAGAME-26JAN15BOSLAL-LAL', outcomeName: 'Los Angeles Lakers', side: 'away' },
      ],
      teams: [],
    } satisfies MatchedKalshiEvent;
    const [bos, lal] = fairValuesFromMatch(match, consensus, OBS);
    expect(bos).toMatchObject({ marketTicker: T, fairYes: 0.5905, bookCount: 3, oddsEventId: 'ev1', observedTsMs: OBS, method: 'multiplicative', aggregate: 'median' });
    expect(bos.dispersion).toBeCloseTo(Math.sqrt(0.0002 / 3), 12);
    expect(lal.fairYes).toBe(0.4095);
    const d = new SportsbookEdgeDetector(opts());
    d.setFairValues([bos, lal], OBS);
    expect(d.onQuote(quote(4600), OBS)[0].reasons[0]).toBe('consensus 0.5905 from 3 books (median, multiplicative)');
    expect(() => fairValuesFromMatch({ ...match, outcomes: [{ marketTicker: T, outcomeName: 'X', side: 'home' }] }, consensus, OBS)).toThrow(/^match\.outcomes\[0\]\.outcomeName:/);
  });

  it('bad input throws SportsbookInputError naming the field', () => {
    expect(() => new SportsbookEdgeDetector(opts({ ttlMs: 0 }))).toThrow(/^opts\.ttlMs:/);
    expect(() => new SportsbookEdgeDetector(opts({ kellyFraction: 0 }))).toThrow(/^opts\.kellyFraction:/);
    expect(() => new SportsbookEdgeDetector(opts({ caps: { maxContractsCentis: -1 } }))).toThrow(/^caps\.maxContractsCentis:/);
    const d = new SportsbookEdgeDetector(opts());
    expect(() => d.setFairValues([fv(), fv({ fairYes: 1.5 })], OBS)).toThrow(/^entries\[1\]\.fairYes:/);
    expect(() => d.onQuote(quote(5000.5), OBS)).toThrow(SportsbookInputError);
    expect(() => d.onQuote({ marketTicker: T, yesAsks: [[5000, 1], [4000, 1]], noAsks: [] }, OBS)).toThrow(/^quote\.yesAsks\[1\]\[0\]:/);
  });
});

describe('SportsbookEdgeDetector properties', () => {
  const tickers = ['A', 'B'];
  const step = fc.record({
    kind: fc.constantFrom('quote', 'quote', 'quote', 'fair'),
    ticker: fc.constantFrom(...tickers),
    yesBid: fc.oneof(fc.integer({ min: 3500, max: 6500 }), fc.integer({ min: -1, max: 10_000 })),
    noBid: fc.oneof(fc.integer({ min: 3500, max: 6500 }), fc.integer({ min: -1, max: 10_000 })),
    size: fc.integer({ min: 0, max: 50_000 }),
    fairYes: fc.oneof(fc.double({ min: 0.3, max: 0.7, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
    bookCount: fc.integer({ min: 0, max: 12 }),
    dispersion: fc.double({ min: 0, max: 0.1, noNaN: true }),
    dt: fc.oneof(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 20_000 })),
    obsLag: fc.oneof(fc.integer({ min: -1_000, max: 5_000 }), fc.integer({ min: -1_000, max: 90_000 })),
  });
  const options = fc.record({
    minEdgeTicks: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.double({ min: 0, max: 1000, noNaN: true })),
    minConfidence: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.3, noNaN: true })),
    maxOddsAgeMs: fc.integer({ min: 0, max: 60_000 }),
    ttlMs: fc.integer({ min: 1, max: 30_000 }),
    bankrollMicros: fc.integer({ min: 0, max: 10_000_000_000 }),
    kellyFraction: fc.double({ min: 0.01, max: 1, noNaN: true }),
    caps: fc.record({ maxContractsCentis: fc.integer({ min: 0, max: 20_000 }), maxMarketCostMicros: fc.integer({ min: 0, max: 200_000_000 }) }, { requiredKeys: [] }),
    fees: fc.record({ takerFeeBps: fc.constantFrom(0, 700, 1750), feeRoundingTicks: fc.constantFrom(1, 100) }),
  });

  it('every signal: net edge >= threshold, confidence >= min, expires > created, size > 0 within caps and top size; no live id repeated', () => {
    let emitted = 0;
    fc.assert(
      fc.property(options, fc.array(step, { maxLength: 40 }), (o, steps) => {
        const d = new SportsbookEdgeDetector(o);
        const liveUntil = new Map<string, number>();
        const fair = new Map<string, SportsbookFairValue>();
        const tops = new Map<string, SportsbookTopQuote>();
        let t = 0;
        for (const s of steps) {
          t += s.dt;
          let out: SportsbookSignalV1[];
          if (s.kind === 'fair') {
            const e = { marketTicker: s.ticker, fairYes: s.fairYes, bookCount: s.bookCount, dispersion: s.dispersion, oddsEventId: 'e', observedTsMs: t - s.obsLag };
            fair.set(s.ticker, e);
            out = d.setFairValues([e], t);
          } else {
            const q = { marketTicker: s.ticker, yesBidTicks: s.yesBid, yesBidSizeCentis: s.size, noBidTicks: s.noBid, noBidSizeCentis: s.size };
            tops.set(s.ticker, q);
            out = d.onQuote(q, t);
          }
          for (const sig of out) {
            const f = fair.get(sig.marketTicker);
            const q = tops.get(sig.marketTicker);
            if (f === undefined || q === undefined) throw new Error('signal without a fair value and a quote');
            emitted++;
            expect(sig.netEdgeTicks).toBeGreaterThanOrEqual(o.minEdgeTicks);
            expect(sig.confidence).toBeGreaterThanOrEqual(o.minConfidence);
            expect(sig.createdTsMs).toBe(t);
            expect(sig.expiresTsMs).toBeGreaterThan(sig.createdTsMs);
            expect(t - sig.oddsObservedTsMs).toBeLessThanOrEqual(o.maxOddsAgeMs);
            expect(sig.sizeCentis).toBeGreaterThan(0);
            expect(sig.sizeCentis).toBeLessThanOrEqual(q.yesBidSizeCentis); // top size (both sides share it here)
            if (o.caps.maxContractsCentis !== undefined) expect(sig.sizeCentis).toBeLessThanOrEqual(o.caps.maxContractsCentis);
            const cost = sig.sizeCentis * sig.priceTicks + (sig.sizeCentis / 100) * takerFeePerContractTicks(sig.priceTicks, 100, o.fees) * 100;
            if (o.caps.maxMarketCostMicros !== undefined) expect(cost).toBeLessThanOrEqual(o.caps.maxMarketCostMicros);
            expect(cost).toBeLessThanOrEqual(o.kellyFraction * o.bankrollMicros + 1e-6);
            expect(sig.priceTicks).toBe(sig.side === 'yes' ? 10_000 - q.noBidTicks : 10_000 - q.yesBidTicks);
            expect(sig.fairTicks).toBeCloseTo(sig.side === 'yes' ? f.fairYes * 10_000 : 10_000 - f.fairYes * 10_000, 6);
            expect(sig.id).toBe(sportsbookSignalId(sig.marketTicker, sig.side, sig.priceTicks, sig.oddsObservedTsMs));
            expect((liveUntil.get(sig.id) ?? -Infinity) <= t).toBe(true);
            liveUntil.set(sig.id, sig.expiresTsMs);
          }
        }
      }),
      { numRuns: 500 },
    );
    expect(emitted).toBeGreaterThan(100); // the property is not vacuous
  });
});
