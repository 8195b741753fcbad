/**
 * Market-maker quoting: grid moves, band, quotes, the seeded walk — examples and fast-check properties
 * (quotes always on the grid, bid < ask, inside the band, NO leg on the grid, spread kept away from the edges).
 */
import fc from 'fast-check';
import { isValidPrice, ONE_DOLLAR, TICK_STRUCTURES, type TickStructure } from '@kalshi-platform/market';
import {
  ceilToGrid,
  floorToGrid,
  gridDown,
  gridUp,
  highestGridPrice,
  initialMid,
  lowestGridPrice,
  MarketMakerQuoter,
  quoteAround,
  quoteBand,
  RandomWalk,
  SeededRandom,
} from '../index';

const structureArb = fc.constantFrom<TickStructure>(...TICK_STRUCTURES);

describe('grid moves', () => {
  it('snaps to each structure (tapered_deci_cent edges at $0.10 and $0.90)', () => {
    expect(floorToGrid('linear_cent', 4249)).toBe(4200);
    expect(ceilToGrid('linear_cent', 4201)).toBe(4300);
    expect(floorToGrid('deci_cent', 1639)).toBe(1630);
    expect(ceilToGrid('deci_cent', 1631)).toBe(1640);
    expect(gridDown('tapered_deci_cent', 1000)).toBe(990);
    expect(gridUp('tapered_deci_cent', 990)).toBe(1000);
    expect(gridUp('tapered_deci_cent', 1000)).toBe(1100);
    expect(gridUp('tapered_deci_cent', 9000)).toBe(9010);
    expect(gridDown('tapered_deci_cent', 9010)).toBe(9000);
    expect(gridDown('tapered_deci_cent', 9000)).toBe(8900);
    expect(lowestGridPrice('linear_cent')).toBe(100);
    expect(highestGridPrice('linear_cent')).toBe(9900);
    expect(lowestGridPrice('tapered_deci_cent')).toBe(10);
    expect(highestGridPrice('deci_cent')).toBe(9990);
    expect(gridUp('linear_cent', 9900)).toBeNull();
    expect(gridDown('deci_cent', 10)).toBeNull();
    expect(() => floorToGrid('linear_cent', 0.5)).toThrow(RangeError);
  });

  it('floor/ceil return the nearest grid prices around any price', () => {
    fc.assert(
      fc.property(structureArb, fc.integer({ min: -100, max: 10_100 }), (s, p) => {
        const f = floorToGrid(s, p);
        const c = ceilToGrid(s, p);
        if (f !== null) {
          expect(isValidPrice(s, f)).toBe(true);
          expect(f).toBeLessThanOrEqual(p);
          // nothing on the grid strictly between f and p
          const up = gridUp(s, f);
          expect(up === null || up > p).toBe(true);
        } else expect(p).toBeLessThan(lowestGridPrice(s));
        if (c !== null) {
          expect(isValidPrice(s, c)).toBe(true);
          expect(c).toBeGreaterThanOrEqual(p);
          const down = gridDown(s, c);
          expect(down === null || down < p).toBe(true);
        } else expect(p).toBeGreaterThan(highestGridPrice(s));
      }),
    );
  });
});

describe('quoteBand / initialMid / quoteAround', () => {
  it('snaps the band inward and refuses one that cannot hold a bid below an ask', () => {
    expect(quoteBand('linear_cent', 500, 9500)).toEqual({ structure: 'linear_cent', lowTicks: 500, highTicks: 9500 });
    expect(quoteBand('linear_cent', 501, 9599)).toEqual({ structure: 'linear_cent', lowTicks: 600, highTicks: 9500 });
    expect(() => quoteBand('linear_cent', 4210, 4290)).toThrow(/fewer than two/);
    expect(() => quoteBand('deci_cent', 5000, 5000)).toThrow(/below/);
  });

  it('starts at the market mid when the book is two-sided, else mid-band', () => {
    const band = quoteBand('linear_cent', 500, 9500);
    expect(initialMid(band, 800, 1200)).toBe(1000);
    expect(initialMid(band, 800, 1100)).toBe(900); // 950 -> grid floor
    expect(initialMid(band, 0, 10_000)).toBe(5000);
    expect(initialMid(band, undefined, undefined)).toBe(5000);
    expect(initialMid(band, 100, 200)).toBe(500); // clamped into the band
  });

  it('quotes spread/2 either side, rounded outward to the grid', () => {
    const lc = quoteBand('linear_cent', 500, 9500);
    expect(quoteAround(lc, 5000, 400)).toEqual({ midTicks: 5000, bidTicks: 4800, askTicks: 5200 });
    expect(quoteAround(lc, 5000, 50)).toEqual({ midTicks: 5000, bidTicks: 4900, askTicks: 5100 });
    // clamped at the edge: the bid sits on the band's low edge
    expect(quoteAround(lc, 500, 400)).toEqual({ midTicks: 500, bidTicks: 500, askTicks: 700 });
    expect(quoteAround(lc, 9500, 400)).toEqual({ midTicks: 9500, bidTicks: 9300, askTicks: 9500 });
    const dc = quoteBand('deci_cent', 500, 9500);
    expect(quoteAround(dc, 5030, 400)).toEqual({ midTicks: 5030, bidTicks: 4830, askTicks: 5230 });
    const narrow = quoteBand('linear_cent', 4200, 4300);
    expect(quoteAround(narrow, 4200, 400)).toEqual({ midTicks: 4200, bidTicks: 4200, askTicks: 4300 });
    expect(quoteAround(narrow, 4300, 400)).toEqual({ midTicks: 4300, bidTicks: 4200, askTicks: 4300 });
    expect(() => quoteAround(lc, 5000, 0)).toThrow(RangeError);
    expect(() => quoteAround(lc, 400, 100)).toThrow(/outside the band/);
  });

  it('property: quotes are on the grid, bid < ask, inside the band; the NO leg is on the grid; spread kept away from the edges', () => {
    const arb = fc
      .record({ s: structureArb, a: fc.integer({ min: 1, max: 9999 }), b: fc.integer({ min: 1, max: 9999 }), spread: fc.integer({ min: 1, max: 3000 }), m: fc.integer({ min: 0, max: 9999 }) })
      .filter(({ s, a, b }) => {
        try {
          quoteBand(s, Math.min(a, b), Math.max(a, b));
          return true;
        } catch {
          return false;
        }
      });
    fc.assert(
      fc.property(arb, ({ s, a, b, spread, m }) => {
        const band = quoteBand(s, Math.min(a, b), Math.max(a, b));
        const mid = initialMid(band, m, m + 1); // any start, clamped and snapped
        const q = quoteAround(band, mid, spread);
        expect(isValidPrice(s, q.midTicks)).toBe(true);
        expect(isValidPrice(s, q.bidTicks)).toBe(true);
        expect(isValidPrice(s, q.askTicks)).toBe(true);
        expect(isValidPrice(s, ONE_DOLLAR - q.askTicks)).toBe(true);
        expect(q.bidTicks).toBeLessThan(q.askTicks);
        expect(q.bidTicks).toBeGreaterThanOrEqual(band.lowTicks);
        expect(q.askTicks).toBeLessThanOrEqual(band.highTicks);
        expect(q.bidTicks).toBeLessThanOrEqual(mid);
        expect(q.askTicks).toBeGreaterThanOrEqual(mid);
        const half = Math.floor(spread / 2);
        if (mid - half >= band.lowTicks && mid + (spread - half) <= band.highTicks) expect(q.askTicks - q.bidTicks).toBeGreaterThanOrEqual(spread);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('SeededRandom / RandomWalk / MarketMakerQuoter', () => {
  it('is deterministic per seed and unbiased in range', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const xs = Array.from({ length: 50 }, () => a.nextInt(10));
    expect(Array.from({ length: 50 }, () => b.nextInt(10))).toEqual(xs);
    expect(xs.every((x) => Number.isInteger(x) && x >= 0 && x < 10)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(5);
    expect(Array.from({ length: 50 }, () => new SeededRandom(8).nextInt(10))).not.toEqual(xs);
    expect(() => a.nextInt(0)).toThrow(RangeError);
  });

  it('property: the walk stays on the grid inside the band, moves every step by at most maxStep grid steps', () => {
    fc.assert(
      fc.property(
        structureArb,
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 9999 }),
        (s, a, b, maxStep, seed, start) => {
          let band;
          try {
            band = quoteBand(s, Math.min(a, b), Math.max(a, b));
          } catch {
            return;
          }
          const w = new RandomWalk({ band, startTicks: start, maxStepGridTicks: maxStep, seed });
          let prev = w.midTicks;
          expect(isValidPrice(s, prev)).toBe(true);
          for (let i = 0; i < 40; i++) {
            const p = w.step();
            expect(isValidPrice(s, p)).toBe(true);
            expect(p).toBeGreaterThanOrEqual(band.lowTicks);
            expect(p).toBeLessThanOrEqual(band.highTicks);
            expect(p).not.toBe(prev);
            // at most maxStep grid steps away
            let lo = prev;
            let hi = prev;
            for (let k = 0; k < maxStep; k++) {
              lo = gridDown(s, lo) ?? lo;
              hi = gridUp(s, hi) ?? hi;
            }
            expect(p).toBeGreaterThanOrEqual(lo);
            expect(p).toBeLessThanOrEqual(hi);
            prev = p;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the quoter replays the same path for the same seed and a different one for another seed', () => {
    const params = { structure: 'deci_cent' as const, priceMinTicks: 500, priceMaxTicks: 9500, spreadTicks: 400, seed: 1 };
    const path = (seed: number) => {
      const q = new MarketMakerQuoter({ ...params, seed });
      return [q.current(), ...Array.from({ length: 20 }, () => q.next())];
    };
    const p1 = path(1);
    expect(path(1)).toEqual(p1);
    expect(path(2)).not.toEqual(p1);
    expect(p1[0]).toEqual({ midTicks: 5000, bidTicks: 4800, askTicks: 5200 });
    for (let i = 1; i < p1.length; i++) expect(p1[i].midTicks).not.toBe(p1[i - 1].midTicks);
    expect(() => new MarketMakerQuoter({ ...params, spreadTicks: 0 })).toThrow(RangeError);
    expect(() => new MarketMakerQuoter({ ...params, maxStepGridTicks: 0 })).toThrow(RangeError);
  });
});
