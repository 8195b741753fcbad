import fc from 'fast-check';
import { collateralRequirement, DOLLAR } from './state';

/**
 * Independent oracle: the worst cash outflow over every subset of unit fills of one side, where the first `held`
 * filled units close contracts the account holds (cash in p, or 1 - p for bids closing NO) instead of opening the
 * other side (cash out).
 */
function worstOneSide(costs: number[], held: number): number {
  let worst = 0;
  const n = costs.length;
  for (let mask = 0; mask < 1 << n; mask++) {
    let out = 0;
    let k = 0;
    for (let i = 0; i < n; i++) {
      if ((mask & (1 << i)) === 0) continue;
      out += costs[i];
      k++;
    }
    out -= DOLLAR * Math.min(held, k); // each closing unit swings cost c into a gain of $1 - c
    if (out > worst) worst = out;
  }
  return worst;
}

describe('collateralRequirement (worst-case outflow of live orders)', () => {
  it('locks price x size for buys, nothing for covered sells', () => {
    expect(collateralRequirement(0, 10, 4_000 * 10, 0, 0)).toBe(40_000); // bid 10 centis at 0.40
    expect(collateralRequirement(100, 0, 0, 100, 4_000 * 100)).toBe(0); // hold 1 YES, sell it at 0.60
    expect(collateralRequirement(100, 0, 0, 300, 4_000 * 300)).toBe(200_000); // sell 3 at 0.60 holding 1: 2 x 0.40 - 0.60
    expect(collateralRequirement(-100, 100, 7_000 * 100, 0, 0)).toBe(0); // hold 1 NO, buy YES at 0.70 closes it
  });

  it('equals the brute-force worst case over all subsets of unit fills (each side; sides added)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -6, max: 6 }),
        fc.array(fc.integer({ min: 1, max: 99 }), { maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 99 }), { maxLength: 6 }),
        (pos, bidPrices, askPrices) => {
          // one unit = 1 centi; prices in cents -> ticks
          const bidCosts = bidPrices.map((c) => c * 100); // a bid opens YES at p
          const askCosts = askPrices.map((c) => DOLLAR - c * 100); // an ask opens NO at 1 - p
          const expected = worstOneSide(bidCosts, pos < 0 ? -pos : 0) + worstOneSide(askCosts, pos > 0 ? pos : 0);
          const got = collateralRequirement(
            pos,
            bidCosts.length,
            bidCosts.reduce((s, x) => s + x, 0),
            askCosts.length,
            askCosts.reduce((s, x) => s + x, 0),
          );
          expect(got).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
