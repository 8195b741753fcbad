/**
 * Property tests (fast-check) of sportsbookEdge, kellySize and sportsbookConfidence over random books, fees, size
 * steps, caps and probabilities.
 */
import fc from 'fast-check';
import { type AskLevel, kellySize, type KellySizeInput, sportsbookConfidence, sportsbookEdge, type SportsbookConfidenceInput, takerFeePerContractTicks } from './index';

const ladder: fc.Arbitrary<AskLevel[]> = fc
  .uniqueArray(fc.integer({ min: 1, max: 9999 }), { maxLength: 6 })
  .chain((prices) => fc.tuple(fc.constant([...prices].sort((a, b) => a - b)), fc.array(fc.integer({ min: 1, max: 50_000 }), { minLength: prices.length, maxLength: prices.length })))
  .map(([prices, sizes]) => prices.map((p, i) => [p, sizes[i]] as const));

const fees = fc.record({ takerFeeBps: fc.constantFrom(0, 350, 700, 1750), feeRoundingTicks: fc.constantFrom(1, 100) });
const step = fc.constantFrom(100, 100, 50, 10, 1);
const prob = fc.double({ min: 0, max: 1, noNaN: true });

const sizingInput: fc.Arbitrary<KellySizeInput> = fc.record({
  winProbability: prob,
  asks: ladder,
  bankrollMicros: fc.integer({ min: 0, max: 10_000_000_000 }),
  kellyFraction: fc.double({ min: 0.01, max: 1, noNaN: true }),
  minEdgeTicks: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2000 }), fc.double({ min: 0, max: 2000, noNaN: true })),
  caps: fc.record(
    {
      maxMarketCostMicros: fc.integer({ min: 0, max: 500_000_000 }),
      maxEventCostMicros: fc.integer({ min: 0, max: 500_000_000 }),
      maxBankrollFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      maxContractsCentis: fc.integer({ min: 0, max: 100_000 }),
    },
    { requiredKeys: [] },
  ),
  existing: fc.record({ marketCostMicros: fc.integer({ min: 0, max: 100_000_000 }), eventCostMicros: fc.integer({ min: 0, max: 200_000_000 }) }, { requiredKeys: [] }),
  sizeStepCentis: step,
  fees,
});

const stepOf = (i: KellySizeInput): number => i.sizeStepCentis ?? 100;
const topNet = (i: KellySizeInput): number => i.winProbability * 10_000 - i.asks[0][0] - takerFeePerContractTicks(i.asks[0][0], stepOf(i), i.fees);

describe('kellySize properties', () => {
  it('never exceeds a cap, the book, or the Kelly bound at the last level; sizes are whole steps; totals add up', () => {
    fc.assert(
      fc.property(sizingInput, (input) => {
        const r = kellySize(input);
        const s = stepOf(input);
        const caps = input.caps ?? {};
        const mkt = input.existing?.marketCostMicros ?? 0;
        const evt = input.existing?.eventCostMicros ?? 0;
        expect(r.contractsCentis % s).toBe(0);
        expect(r.contractsCentis).toBe(r.fills.reduce((a, f) => a + f.sizeCentis, 0));
        expect(r.contractsCentis).toBeLessThanOrEqual(input.asks.reduce((a, [, size]) => a + Math.floor(size / s) * s, 0));
        if (r.contractsCentis > 0) {
          if (caps.maxMarketCostMicros !== undefined) expect(r.totalCostMicros + mkt).toBeLessThanOrEqual(caps.maxMarketCostMicros);
          if (caps.maxEventCostMicros !== undefined) expect(r.totalCostMicros + evt).toBeLessThanOrEqual(caps.maxEventCostMicros);
          if (caps.maxBankrollFraction !== undefined) expect(r.totalCostMicros + mkt).toBeLessThanOrEqual(caps.maxBankrollFraction * input.bankrollMicros);
          const last = r.fills[r.fills.length - 1];
          expect(r.totalCostMicros).toBeLessThanOrEqual(input.kellyFraction * last.fullKelly * input.bankrollMicros + 1e-3);
        }
        if (caps.maxContractsCentis !== undefined) expect(r.contractsCentis).toBeLessThanOrEqual(caps.maxContractsCentis);
        expect(r.premiumMicros).toBe(r.fills.reduce((a, f) => a + f.sizeCentis * f.priceTicks, 0));
        expect(r.feeMicros).toBe(r.fills.reduce((a, f) => a + f.feeMicros, 0));
        expect(r.totalCostMicros).toBe(r.premiumMicros + r.feeMicros);
        // EV = Σ per-contract net edges, up to the fee bound (fee per contract is rounded up to whole ticks)
        const evFromEdges = r.fills.reduce((a, f) => a + f.netEdgeTicks * f.sizeCentis, 0);
        expect(r.expectedValueMicros).toBeGreaterThanOrEqual(evFromEdges - 1e-3 * Math.max(1, r.contractsCentis));
      }),
      { numRuns: 500 },
    );
  });

  it('takes a prefix of the book (levels under one step passed over), every level but the last in full, each clearing the threshold', () => {
    fc.assert(
      fc.property(sizingInput, (input) => {
        const r = kellySize(input);
        const s = stepOf(input);
        // levels holding less than one step cannot be bought and are passed over
        const usable = input.asks.filter(([, size]) => size >= s);
        r.fills.forEach((f, i) => {
          expect(f.priceTicks).toBe(usable[i][0]);
          expect(f.netEdgeTicks).toBeGreaterThanOrEqual(input.minEdgeTicks);
          if (i < r.fills.length - 1) expect(f.sizeCentis).toBe(Math.floor(usable[i][1] / s) * s);
        });
        if (r.stopReason === 'depth') expect(r.contractsCentis).toBe(input.asks.reduce((a, [, size]) => a + Math.floor(size / s) * s, 0));
      }),
      { numRuns: 500 },
    );
  });

  it('is 0 (stop threshold) when the top-of-book net edge is below the threshold', () => {
    fc.assert(
      fc.property(sizingInput, (input) => {
        fc.pre(input.asks.length > 0 && topNet(input) < input.minEdgeTicks);
        const r = kellySize(input);
        expect(r.contractsCentis).toBe(0);
        expect(r.stopReason).toBe('threshold');
      }),
      { numRuns: 300 },
    );
  });

  it('is non-decreasing in the win probability', () => {
    fc.assert(
      fc.property(sizingInput, prob, prob, (input, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(kellySize({ ...input, winProbability: lo }).contractsCentis).toBeLessThanOrEqual(kellySize({ ...input, winProbability: hi }).contractsCentis);
      }),
      { numRuns: 500 },
    );
  });

  it('is non-decreasing in the bankroll', () => {
    const bankroll = fc.integer({ min: 0, max: 10_000_000_000 });
    fc.assert(
      fc.property(sizingInput, bankroll, bankroll, (input, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(kellySize({ ...input, bankrollMicros: lo }).contractsCentis).toBeLessThanOrEqual(kellySize({ ...input, bankrollMicros: hi }).contractsCentis);
      }),
      { numRuns: 500 },
    );
  });
});

describe('sportsbookEdge properties', () => {
  const edgeInput = fc.record({ fairYes: prob, yesAsks: ladder, noAsks: ladder, fees, sizeStepCentis: step });

  it('mirror symmetry: YES of (fair, A, B) = NO of (1 − fair, B, A), fees equal exactly', () => {
    fc.assert(
      fc.property(edgeInput, (input) => {
        const r = sportsbookEdge(input);
        const m = sportsbookEdge({ ...input, fairYes: 1 - input.fairYes, yesAsks: input.noAsks, noAsks: input.yesAsks });
        for (const [x, y] of [
          [r.yes, m.no],
          [r.no, m.yes],
        ] as const) {
          if (x === null || y === null) {
            expect(x).toBe(y);
            continue;
          }
          expect(y.askTicks).toBe(x.askTicks);
          expect(y.feePerContractTicks).toBe(x.feePerContractTicks);
          expect(y.netEdgeTicks).toBeCloseTo(x.netEdgeTicks, 6);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('antisymmetry up to the spread: grossYes + grossNo = 10000 − yesAsk − noAsk, whatever the fair; uncrossed → at most one side positive', () => {
    fc.assert(
      fc.property(edgeInput, (input) => {
        fc.pre(input.yesAsks.length > 0 && input.noAsks.length > 0);
        const r = sportsbookEdge(input);
        const { yes, no } = r;
        if (yes === null || no === null) throw new Error('both ladders are non-empty');
        const sum = 10_000 - input.yesAsks[0][0] - input.noAsks[0][0];
        expect(yes.grossEdgeTicks + no.grossEdgeTicks).toBeCloseTo(sum, 6);
        expect(yes.netEdgeTicks + no.netEdgeTicks).toBeCloseTo(sum - yes.feePerContractTicks - no.feePerContractTicks, 6);
        if (sum <= 0) expect(yes.grossEdgeTicks > 1e-9 && no.grossEdgeTicks > 1e-9).toBe(false);
        if (r.best) expect(r.best.netEdgeTicks).toBe(Math.max(yes.netEdgeTicks, no.netEdgeTicks));
      }),
      { numRuns: 500 },
    );
  });

  it('net edge is gross minus the fee, the fee is >= 0, and a larger fair raises YES and lowers NO', () => {
    fc.assert(
      fc.property(edgeInput, prob, (input, other) => {
        const r = sportsbookEdge(input);
        const o = sportsbookEdge({ ...input, fairYes: other });
        if (r.yes) {
          expect(r.yes.feePerContractTicks).toBeGreaterThanOrEqual(0);
          expect(r.yes.netEdgeTicks).toBeCloseTo(r.yes.grossEdgeTicks - r.yes.feePerContractTicks, 9);
          if (other >= input.fairYes) expect(o.yes?.netEdgeTicks).toBeGreaterThanOrEqual(r.yes.netEdgeTicks);
        }
        if (r.no && other >= input.fairYes) expect(o.no?.netEdgeTicks).toBeLessThanOrEqual(r.no.netEdgeTicks);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sportsbookConfidence properties', () => {
  const conf: fc.Arbitrary<SportsbookConfidenceInput> = fc.record({
    bookCount: fc.integer({ min: 0, max: 50 }),
    dispersion: fc.double({ min: 0, max: 0.5, noNaN: true }),
    depthCentis: fc.integer({ min: 0, max: 10_000_000 }),
  });

  it('lies in [0,1]; non-decreasing in books and depth, non-increasing in dispersion', () => {
    fc.assert(
      fc.property(conf, conf, (a, b) => {
        const c = (x: SportsbookConfidenceInput): number => sportsbookConfidence(x).confidence;
        const base = c(a);
        expect(base).toBeGreaterThanOrEqual(0);
        expect(base).toBeLessThanOrEqual(1);
        const more = Math.max(a.bookCount, b.bookCount);
        expect(c({ ...a, bookCount: more })).toBeGreaterThanOrEqual(base);
        expect(c({ ...a, depthCentis: Math.max(a.depthCentis, b.depthCentis) })).toBeGreaterThanOrEqual(base);
        expect(c({ ...a, dispersion: Math.max(a.dispersion, b.dispersion) })).toBeLessThanOrEqual(base);
      }),
      { numRuns: 1000 },
    );
  });
});
