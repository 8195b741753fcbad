/** Hand-computed examples of the (heuristic) sportsbook confidence. */
import type { Consensus } from '@kalshi-platform/odds';
import { confidenceFromConsensus, fairDispersion, sportsbookConfidence, SportsbookInputError } from './index';

describe('sportsbookConfidence', () => {
  it('defaults: 6 books, dispersion 0.01, 100 contracts → (6/9)·(1/1.5)·(1/2) = 0.2222', () => {
    const c = sportsbookConfidence({ bookCount: 6, dispersion: 0.01, depthCentis: 10_000 });
    expect(c.books).toBeCloseTo(6 / 9, 12);
    expect(c.agreement).toBeCloseTo(2 / 3, 12);
    expect(c.depth).toBeCloseTo(0.5, 12);
    expect(c.confidence).toBeCloseTo(2 / 9, 12);
  });

  it('0 books or no depth → 0; perfect agreement → agreement 1; custom parameters', () => {
    expect(sportsbookConfidence({ bookCount: 0, dispersion: 0, depthCentis: 10_000 }).confidence).toBe(0);
    expect(sportsbookConfidence({ bookCount: 5, dispersion: 0, depthCentis: 0 }).confidence).toBe(0);
    expect(sportsbookConfidence({ bookCount: 5, dispersion: 0, depthCentis: 1 }).agreement).toBe(1);
    // booksHalf 1, scale 0.05, depthHalf 100: (1/2)·(1/(1+0.05/0.05))·(100/200) = 0.125
    expect(sportsbookConfidence({ bookCount: 1, dispersion: 0.05, depthCentis: 100 }, { booksHalf: 1, dispersionScale: 0.05, depthHalfCentis: 100 }).confidence).toBeCloseTo(0.125, 12);
  });

  it('fairDispersion: population standard deviation', () => {
    // 0.50, 0.52, 0.54: mean 0.52, variance (0.0004 + 0 + 0.0004)/3
    expect(fairDispersion([0.5, 0.52, 0.54])).toBeCloseTo(Math.sqrt(0.0008 / 3), 12);
    expect(fairDispersion([0.6])).toBe(0);
    expect(fairDispersion([])).toBe(0);
  });

  it('from an odds consensus: per-book fair probabilities of the outcome', () => {
    const consensus: Consensus = {
      method: 'multiplicative',
      consensus: 'median',
      outcomes: [
        { name: 'A', fairProbability: 0.52 },
        { name: 'B', fairProbability: 0.48 },
      ],
      books: [0.5, 0.52, 0.54].map((p, i) => ({ bookmaker: `b${i}`, lastUpdateMs: 0, implied: [p, 1 - p], fair: [p, 1 - p], overround: 0 })),
      dropped: [],
    };
    const c = confidenceFromConsensus(consensus, 'B', 10_000);
    const sd = Math.sqrt(0.0008 / 3); // same for B = 1 − A
    expect(c.books).toBeCloseTo(0.5, 12);
    expect(c.agreement).toBeCloseTo(1 / (1 + sd / 0.02), 9);
    expect(() => confidenceFromConsensus(consensus, 'C', 1)).toThrow(SportsbookInputError);
  });

  it('bad input names the field', () => {
    expect(() => sportsbookConfidence({ bookCount: 1.5, dispersion: 0, depthCentis: 0 })).toThrow(/^bookCount:/);
    expect(() => sportsbookConfidence({ bookCount: 1, dispersion: -0.1, depthCentis: 0 })).toThrow(/^dispersion:/);
    expect(() => sportsbookConfidence({ bookCount: 1, dispersion: 0, depthCentis: -1 })).toThrow(/^depthCentis:/);
    expect(() => sportsbookConfidence({ bookCount: 1, dispersion: 0, depthCentis: 0 }, { booksHalf: 0 })).toThrow(/^params\.booksHalf:/);
    expect(() => fairDispersion([0.5, 2])).toThrow(/^probabilities\[1\]:/);
  });
});
