import fc from 'fast-check';
import { tradingFeeTicks } from '@kalshi-platform/market';
import { ceilDiv, feeTicks, floorRemainder, mulDivFloor } from './fixed';

describe('exact integer helpers', () => {
  it('feeTicks equals the BigInt reference tradingFeeTicks (docs.kalshi.com/getting_started/fee_rounding)', () => {
    expect(feeTicks(1700, 552, 700)).toBe(546); // 0.07 x 5.52 x 0.17 x 0.83 = 0.05452104 -> $0.0546
    expect(feeTicks(5000, 100, 700)).toBe(175);
    expect(feeTicks(5000, 100, 700, 100)).toBe(200); // whole-cent rounding
    expect(feeTicks(0, 100, 700)).toBe(0);
    expect(feeTicks(10_000, 100, 700)).toBe(0);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 5_000_000_000 }), fc.constant(3_000_000_000)),
        fc.oneof(fc.constantFrom(0, 175, 350, 700, 1_000, 10_000), fc.integer({ min: 0, max: 20_000 })),
        fc.constantFrom(1, 10, 100),
        (price, size, rate, rounding) => {
          expect(feeTicks(price, size, rate, rounding)).toBe(tradingFeeTicks(price, size, rate, rounding));
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('mulDivFloor is exact beyond 2^53', () => {
    expect(mulDivFloor(7, 3, 2)).toBe(10);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 1_000_000_000 }), fc.integer({ min: 1, max: 1_000_000_000 }), (a, b, c) => {
        const exact = (BigInt(a) * BigInt(b)) / BigInt(c);
        if (exact <= BigInt(Number.MAX_SAFE_INTEGER)) expect(BigInt(mulDivFloor(a, b, c))).toBe(exact);
      }),
    );
  });

  it('ceilDiv and floorRemainder', () => {
    expect(ceilDiv(0, 100)).toBe(0);
    expect(ceilDiv(1, 100)).toBe(1);
    expect(ceilDiv(200, 100)).toBe(2);
    expect(floorRemainder(-993_050, 100)).toBe(50); // floor toward -infinity: -993,100 + 50
    expect(floorRemainder(165, 100)).toBe(65);
    expect(floorRemainder(-200, 100)).toBe(0);
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.constantFrom(100, 10_000), (x, unit) => {
        const r = floorRemainder(x, unit);
        expect(r >= 0 && r < unit).toBe(true);
        expect((x - r) % unit === 0).toBe(true);
      }),
    );
  });
});
