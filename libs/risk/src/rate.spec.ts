import fc from 'fast-check';
import { CANCEL_WRITE_COST, EXCHANGE_WRITE_BURST_MS, ORDER_RATE_TIERS, ORDER_WRITE_COST, RiskInputError, WriteTokenBucket, type OrderRateTier } from './index';

describe('WriteTokenBucket', () => {
  it('tier numbers match docs.kalshi.com/getting_started/rate_limits', () => {
    expect(Object.fromEntries(Object.entries(ORDER_RATE_TIERS).map(([k, v]) => [k, v.writePerSec]))).toEqual({ basic: 100, advanced: 300, premier: 1000, paragon: 2000, prime: 4000 });
    expect([ORDER_WRITE_COST, CANCEL_WRITE_COST]).toEqual([10, 2]);
  });

  it('basic: 10 orders at once, then one per 100 ms; the clock going backwards refills nothing', () => {
    const b = new WriteTokenBucket(100, 1000, 0);
    for (let i = 0; i < 10; i++) expect(b.take(ORDER_WRITE_COST, 0)).toBe(true);
    expect(b.take(ORDER_WRITE_COST, 99)).toBe(false);
    expect(b.take(ORDER_WRITE_COST, 100)).toBe(true);
    expect(b.take(ORDER_WRITE_COST, 50)).toBe(false);
    b.debit(CANCEL_WRITE_COST, 300); // 20 tokens refilled, 2 debited
    expect(b.availableMilli(300)).toBe(18_000);
    expect(() => new WriteTokenBucket(0, 1000, 0)).toThrow(RiskInputError);
  });

  const tierArb = fc.constantFrom<OrderRateTier>('basic', 'advanced', 'premier', 'paragon', 'prime');
  type Step = { dt: number; kind: 'order' | 'cancel' };
  const stepArb = fc.record({ dt: fc.integer({ min: 0, max: 40 }), kind: fc.constantFrom<Step['kind']>('order', 'order', 'order', 'cancel') });

  it('never allows more than capacity + rate x window over any window (property)', () => {
    fc.assert(
      fc.property(tierArb, fc.integer({ min: 1, max: EXCHANGE_WRITE_BURST_MS }), fc.array(stepArb, { maxLength: 400 }), (tier, burstMs, steps) => {
        const rate = ORDER_RATE_TIERS[tier].writePerSec;
        const b = new WriteTokenBucket(rate, Math.max(burstMs, Math.ceil((ORDER_WRITE_COST * 1000) / rate)), 0);
        let now = 0;
        const taken: Array<{ t: number; cost: number }> = [];
        for (const s of steps) {
          now += s.dt;
          if (s.kind === 'order') {
            if (b.take(ORDER_WRITE_COST, now)) taken.push({ t: now, cost: ORDER_WRITE_COST });
          } else b.debit(CANCEL_WRITE_COST, now); // forced traffic only lowers what orders get
        }
        // every window [t_i, t_j]: tokens x 1000 <= capacity (milli) + rate x (t_j - t_i) ms
        for (let i = 0; i < taken.length; i++) {
          let sum = 0;
          for (let j = i; j < taken.length; j++) {
            sum += taken[j].cost;
            expect(sum * 1000).toBeLessThanOrEqual(b.capacityMilli + rate * (taken[j].t - taken[i].t));
            // and so within Kalshi's own bucket (2 s of budget)
            expect(sum * 1000).toBeLessThanOrEqual(rate * EXCHANGE_WRITE_BURST_MS + rate * (taken[j].t - taken[i].t));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
