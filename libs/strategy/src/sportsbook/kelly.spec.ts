/**
 * Hand-computed examples of kellySize / fullKellyFraction. Amounts in micros ($1 = 1,000,000); C centis at P ticks
 * cost C × P micros. Kelly: f* = (p − q)/(1 − q) with q = (ask + fee per contract)/$1 (Kelly 1956; the fee is part of
 * the stake). Fee 0.07·P·(1−P) per contract rounded up to $0.0001 (docs.kalshi.com/getting_started/fee_rounding).
 */
import { fullKellyFraction, kellySize, type KellySizeInput, SportsbookInputError } from './index';

const BANKROLL_1000 = 1_000_000_000; // $1,000 in micros

describe('fullKellyFraction', () => {
  it('(p − q)/(1 − q): 0.55 at 0.50 → 0.1; 0.6 at 0.5175 → 0.0825/0.4825; no bet when p <= q', () => {
    expect(fullKellyFraction(0.55, 0.5)).toBeCloseTo(0.1, 12);
    expect(fullKellyFraction(0.6, 0.5175)).toBeCloseTo(0.0825 / 0.4825, 12);
    expect(fullKellyFraction(0.5, 0.5)).toBe(0);
    expect(fullKellyFraction(0.4, 0.5)).toBe(0);
    expect(fullKellyFraction(1, 0.5)).toBe(1);
    expect(() => fullKellyFraction(0.5, 1.5)).toThrow(SportsbookInputError);
  });
});

describe('kellySize', () => {
  const base: KellySizeInput = {
    winProbability: 0.55,
    asks: [[5000, 20_000]],
    bankrollMicros: BANKROLL_1000,
    kellyFraction: 0.5,
    minEdgeTicks: 0,
    fees: { takerFeeBps: 0 },
  };

  it('no fee: p 0.55 at 0.50, half Kelly, $1,000 → f* 0.1, stake $50 → 100 contracts, EV $5, stop kelly', () => {
    const r = kellySize(base);
    expect(r.contractsCentis).toBe(10_000);
    expect(r.premiumMicros).toBe(50_000_000);
    expect(r.feeMicros).toBe(0);
    expect(r.totalCostMicros).toBe(50_000_000);
    expect(r.averagePriceTicks).toBe(5000);
    expect(r.expectedValueMicros).toBeCloseTo(5_000_000, 3); // 0.55 × $100 − $50
    expect(r.stopReason).toBe('kelly');
    expect(r.fills).toHaveLength(1);
    // book holding exactly 100 contracts: all taken, stop 'depth'
    expect(kellySize({ ...base, asks: [[5000, 10_000]] })).toMatchObject({ contractsCentis: 10_000, stopReason: 'depth' });
  });

  it('0.07 fee: q = 0.5175, f* = 0.0325/0.4825 = 0.067358, half → $33.6788 → 65 contracts (outlay $0.5175 each)', () => {
    const r = kellySize({ ...base, fees: undefined });
    // 65 × $0.5175 = $33.6375 <= $33.6788 < 66 × $0.5175 = $34.155
    expect(r.contractsCentis).toBe(6500);
    expect(r.premiumMicros).toBe(32_500_000); // 65 × $0.50
    expect(r.feeMicros).toBe(1_137_500); // 65 × $0.0175
    expect(r.totalCostMicros).toBe(33_637_500);
    expect(r.expectedValueMicros).toBeCloseTo(2_112_500, 3); // 0.55 × $65 − $33.6375 = 65 × net edge $0.0325
    expect(r.fills[0]).toMatchObject({ priceTicks: 5000, sizeCentis: 6500, feeMicros: 1_137_500, feePerContractTicks: 175 });
    expect(r.fills[0].netEdgeTicks).toBeCloseTo(325, 9);
    expect(r.fills[0].fullKelly).toBeCloseTo(0.0325 / 0.4825, 12);
    expect(r.stopReason).toBe('kelly');
  });

  const walk: KellySizeInput = {
    winProbability: 0.6,
    asks: [
      [5000, 2000],
      [5400, 5000],
      [5700, 10_000],
    ],
    bankrollMicros: BANKROLL_1000,
    kellyFraction: 1,
    minEdgeTicks: 200,
  };

  it('walks the book: 20 @ 0.50 and 50 @ 0.54 taken, stops at 0.57 (net 128 < 200 ticks)', () => {
    // L1 0.50: fee 0.0175, net 0.60 − 0.5175 = 825 ticks; f* = 0.0825/0.4825 = 0.17098 → $170.98 → all 20 (outlay $10.35)
    // L2 0.54: fee ceil(0.07·0.54·0.46 = 0.017388) = 0.0174, net 426; f* = 0.0426/0.4426 = 0.096249 → $96.25;
    //          room ($96.25 − $10.35)/$0.5574 = 154.1 ≥ 50 → all 50 (outlay $10.35 + $27.87 = $38.22)
    // L3 0.57: fee ceil(0.07·0.57·0.43 = 0.017157) = 0.0172, net 0.60 − 0.57 − 0.0172 = 128 < 200 → threshold
    const r = kellySize(walk);
    expect(r.fills.map((f) => [f.priceTicks, f.sizeCentis, f.feePerContractTicks])).toEqual([
      [5000, 2000, 175],
      [5400, 5000, 174],
    ]);
    expect(r.contractsCentis).toBe(7000);
    expect(r.premiumMicros).toBe(37_000_000); // 20 × 0.50 + 50 × 0.54
    expect(r.feeMicros).toBe(1_220_000); // 20 × 0.0175 + 50 × 0.0174
    expect(r.totalCostMicros).toBe(38_220_000);
    expect(r.averagePriceTicks).toBeCloseTo(37_000_000 / 7000, 9); // 5285.714… ticks, not rounded
    expect(r.expectedValueMicros).toBeCloseTo(3_780_000, 3); // 0.6 × $70 − $38.22 = 20 × 825 + 50 × 426 ticks
    expect(r.stopReason).toBe('threshold');
  });

  it('walks the book: with min edge 100 the 0.57 level clears the threshold but Kelly wants no more', () => {
    // L3: q = 0.5872, f* = 0.0128/0.4128 = 0.031008 → $31.01 < $38.22 already spent → kelly
    const r = kellySize({ ...walk, minEdgeTicks: 100 });
    expect(r.contractsCentis).toBe(7000);
    expect(r.stopReason).toBe('kelly');
  });

  it('threshold at the top of book: nothing bought', () => {
    // p 0.51 at 0.50: net 0.51 − 0.50 − 0.0175 = −75 ticks
    expect(kellySize({ ...base, winProbability: 0.51, fees: undefined })).toMatchObject({ contractsCentis: 0, fills: [], totalCostMicros: 0, averagePriceTicks: 0, stopReason: 'threshold' });
    // net exactly 325: a threshold of 325 is cleared, 326 is not
    expect(kellySize({ ...base, fees: undefined, minEdgeTicks: 325 }).contractsCentis).toBe(6500);
    expect(kellySize({ ...base, fees: undefined, minEdgeTicks: 326 })).toMatchObject({ contractsCentis: 0, stopReason: 'threshold' });
  });

  it('caps (fee 0, Kelly would buy 100 contracts at $0.50)', () => {
    // market cap $30 → 60 contracts
    expect(kellySize({ ...base, caps: { maxMarketCostMicros: 30_000_000 } })).toMatchObject({ contractsCentis: 6000, stopReason: 'cap' });
    // event cap $100 with $80 already in the event → $20 → 40 contracts
    expect(kellySize({ ...base, caps: { maxEventCostMicros: 100_000_000 }, existing: { eventCostMicros: 80_000_000 } })).toMatchObject({ contractsCentis: 4000, stopReason: 'cap' });
    // 2% of $1,000 = $20 → 40; with $5 already in this market → $15 → 30
    expect(kellySize({ ...base, caps: { maxBankrollFraction: 0.02 } }).contractsCentis).toBe(4000);
    expect(kellySize({ ...base, caps: { maxBankrollFraction: 0.02 }, existing: { marketCostMicros: 5_000_000 } }).contractsCentis).toBe(3000);
    // contract cap 25.5 → floored to the whole-contract step: 25
    expect(kellySize({ ...base, caps: { maxContractsCentis: 2550 } })).toMatchObject({ contractsCentis: 2500, stopReason: 'cap' });
    // already over the cap: nothing
    expect(kellySize({ ...base, caps: { maxMarketCostMicros: 1_000_000 }, existing: { marketCostMicros: 2_000_000 } })).toMatchObject({ contractsCentis: 0, stopReason: 'cap' });
    // a cap looser than Kelly changes nothing
    expect(kellySize({ ...base, caps: { maxMarketCostMicros: 60_000_000 } })).toMatchObject({ contractsCentis: 10_000, stopReason: 'kelly' });
  });

  it('size step: whole contracts floor a $50.005 stake to 100; a 0.01 step gives 100.01', () => {
    const bankroll = 1_000_100_000; // half Kelly 0.1 → $50.005
    expect(kellySize({ ...base, bankrollMicros: bankroll }).contractsCentis).toBe(10_000);
    expect(kellySize({ ...base, bankrollMicros: bankroll, sizeStepCentis: 1 }).contractsCentis).toBe(10_001);
    // a level of 150.50 contracts is taken as 150 whole contracts (the 0.50 remainder is below the step)
    expect(kellySize({ ...base, kellyFraction: 1, asks: [[5000, 15_050], [5100, 10_000]] }).fills[0].sizeCentis).toBe(15_000);
  });

  it('bad input throws SportsbookInputError naming the field', () => {
    const field = (over: Partial<KellySizeInput>): string | undefined => {
      try {
        kellySize({ ...base, ...over } as KellySizeInput);
      } catch (e) {
        expect(e).toBeInstanceOf(SportsbookInputError);
        return (e as SportsbookInputError).field;
      }
      return undefined;
    };
    expect(field({ winProbability: -0.1 })).toBe('winProbability');
    expect(field({ kellyFraction: 0 })).toBe('kellyFraction');
    expect(field({ kellyFraction: 1.5 })).toBe('kellyFraction');
    expect(field({ bankrollMicros: 1.5 })).toBe('bankrollMicros');
    expect(field({ minEdgeTicks: -1 })).toBe('minEdgeTicks');
    expect(field({ asks: [[5000, 100], [5000, 100]] })).toBe('asks[1][0]');
    expect(field({ caps: { maxBankrollFraction: 2 } })).toBe('caps.maxBankrollFraction');
    expect(field({ caps: { maxMarketCostMicros: -1 } })).toBe('caps.maxMarketCostMicros');
    expect(field({ existing: { marketCostMicros: -1 } })).toBe('existing.marketCostMicros');
    expect(field({ sizeStepCentis: 0 })).toBe('sizeStepCentis');
    expect(field({ fees: { takerFeeBps: 1.5 } })).toBe('fees.takerFeeBps');
  });
});
