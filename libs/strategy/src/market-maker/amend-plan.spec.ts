/**
 * The order in which the market maker moves its two quotes: examples (the mid jumping past the spread) and fast-check
 * properties (for any resting pair and next quote, applying the steps one at a time never rests a bid ≥ an ask, and
 * ends at the next quote; up moves the ask first, down the bid first), also over real quoter paths.
 */
import fc from 'fast-check';
import { TICK_STRUCTURES, type TickStructure } from '@kalshi-platform/market';
import { MarketMakerQuoter, planQuoteMoves, quotesCross, type QuoteStep, type RestingQuotes } from '../index';

interface Next {
  bidTicks: number;
  askTicks: number;
}

/** Applies the steps one at a time; returns every intermediate resting state (after each step). */
function simulate(resting: RestingQuotes, next: Next, steps: QuoteStep[]): RestingQuotes[] {
  const state: RestingQuotes = { ...resting };
  const states: RestingQuotes[] = [];
  for (const s of steps) {
    const key = s.side === 'bid' ? 'bidTicks' : 'askTicks';
    if (s.op === 'move') state[key] = next[key];
    else delete state[key];
    states.push({ ...state });
  }
  return states;
}

const price = fc.integer({ min: 1, max: 9999 });
/** a quote with bid < ask */
const quoteArb = fc.tuple(price, price).filter(([a, b]) => a !== b).map(([a, b]): Next => ({ bidTicks: Math.min(a, b), askTicks: Math.max(a, b) }));
/** resting quotes: either side may be missing; when both rest they do not cross */
const restingArb = fc
  .record({ q: quoteArb, bid: fc.boolean(), ask: fc.boolean() })
  .map(({ q, bid, ask }): RestingQuotes => ({ ...(bid ? { bidTicks: q.bidTicks } : {}), ...(ask ? { askTicks: q.askTicks } : {}) }));

describe('planQuoteMoves', () => {
  it('moves the ask first when the mid jumps up past the spread, the bid first when it jumps down', () => {
    // linear_cent band 0.09..0.11: mid 0.09 (0.09/0.10) -> mid 0.11 (0.10/0.11): the new bid 0.10 = the resting ask
    expect(planQuoteMoves({ bidTicks: 900, askTicks: 1000 }, { bidTicks: 1000, askTicks: 1100 })).toEqual([
      { op: 'move', side: 'ask' },
      { op: 'move', side: 'bid' },
    ]);
    expect(planQuoteMoves({ bidTicks: 1000, askTicks: 1100 }, { bidTicks: 900, askTicks: 1000 })).toEqual([
      { op: 'move', side: 'bid' },
      { op: 'move', side: 'ask' },
    ]);
    // a jump of several spreads
    expect(planQuoteMoves({ bidTicks: 4000, askTicks: 4020 }, { bidTicks: 4500, askTicks: 4520 })[0]).toEqual({ op: 'move', side: 'ask' });
    expect(planQuoteMoves({ bidTicks: 4500, askTicks: 4520 }, { bidTicks: 4000, askTicks: 4020 })[0]).toEqual({ op: 'move', side: 'bid' });
    // one side resting: the other side is placed first on an up move
    expect(planQuoteMoves({ bidTicks: 900 }, { bidTicks: 1000, askTicks: 1100 })[0]).toEqual({ op: 'move', side: 'ask' });
    expect(planQuoteMoves({ askTicks: 1100 }, { bidTicks: 900, askTicks: 1000 })[0]).toEqual({ op: 'move', side: 'bid' });
    // nothing resting / unchanged: bid first
    expect(planQuoteMoves({}, { bidTicks: 900, askTicks: 1100 })[0]).toEqual({ op: 'move', side: 'bid' });
    expect(planQuoteMoves({ bidTicks: 900, askTicks: 1100 }, { bidTicks: 900, askTicks: 1100 })[0]).toEqual({ op: 'move', side: 'bid' });
  });

  it('cancels the ask first when the resting pair already crosses both ways, and refuses a crossed next quote', () => {
    expect(planQuoteMoves({ bidTicks: 1200, askTicks: 1000 }, { bidTicks: 1100, askTicks: 1150 })).toEqual([
      { op: 'cancel', side: 'ask' },
      { op: 'move', side: 'bid' },
      { op: 'move', side: 'ask' },
    ]);
    expect(() => planQuoteMoves({}, { bidTicks: 1000, askTicks: 1000 })).toThrow(RangeError);
    expect(() => planQuoteMoves({ bidTicks: 0.5 }, { bidTicks: 900, askTicks: 1000 })).toThrow(RangeError);
  });

  it('never rests a bid >= an ask while moving, ends at the next quote, and needs no cancel (any pair)', () => {
    fc.assert(
      fc.property(restingArb, quoteArb, (resting, next) => {
        const steps = planQuoteMoves(resting, next);
        expect(steps.map((s) => s.op)).toEqual(['move', 'move']);
        expect(steps.map((s) => s.side).sort()).toEqual(['ask', 'bid']);
        const states = simulate(resting, next, steps);
        for (const s of states) expect(quotesCross(s.bidTicks, s.askTicks)).toBe(false);
        expect(states[states.length - 1]).toEqual(next);
      }),
      { numRuns: 2000 },
    );
  });

  it('moves the side moving away from the other first: up -> ask first, down -> bid first', () => {
    fc.assert(
      fc.property(quoteArb, quoteArb, (prev, next) => {
        const first = planQuoteMoves(prev, next)[0].side;
        const delta = next.bidTicks - prev.bidTicks + (next.askTicks - prev.askTicks);
        expect(first).toBe(delta > 0 ? 'ask' : 'bid');
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves no crossed state after the first step even from a resting pair that crosses', () => {
    const anyResting = fc.record({ bidTicks: fc.option(price, { nil: undefined }), askTicks: fc.option(price, { nil: undefined }) });
    fc.assert(
      fc.property(anyResting, quoteArb, (resting, next) => {
        const states = simulate(resting, next, planQuoteMoves(resting, next));
        for (const s of states) expect(quotesCross(s.bidTicks, s.askTicks)).toBe(false);
        expect(states[states.length - 1]).toEqual(next);
      }),
      { numRuns: 2000 },
    );
  });

  it('never crosses along real quoter paths (any grid, band, spread, step and seed)', () => {
    const params = fc
      .record({
        structure: fc.constantFrom<TickStructure>(...TICK_STRUCTURES),
        lo: fc.integer({ min: 1, max: 9998 }),
        width: fc.integer({ min: 1, max: 9998 }),
        spreadTicks: fc.integer({ min: 1, max: 2000 }),
        maxStepGridTicks: fc.integer({ min: 1, max: 20 }),
        seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      })
      .filter((p) => p.lo + p.width <= 9999);
    fc.assert(
      fc.property(params, (p) => {
        let quoter: MarketMakerQuoter;
        try {
          quoter = new MarketMakerQuoter({ structure: p.structure, priceMinTicks: p.lo, priceMaxTicks: p.lo + p.width, spreadTicks: p.spreadTicks, maxStepGridTicks: p.maxStepGridTicks, seed: p.seed });
        } catch {
          return; // band holds fewer than two grid prices
        }
        let resting: RestingQuotes = quoter.current();
        for (let i = 0; i < 30; i++) {
          const next = quoter.next();
          for (const s of simulate(resting, next, planQuoteMoves(resting, next))) expect(quotesCross(s.bidTicks, s.askTicks)).toBe(false);
          resting = { bidTicks: next.bidTicks, askTicks: next.askTicks };
        }
      }),
      { numRuns: 300 },
    );
  });
});
