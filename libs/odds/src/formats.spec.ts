import fc from 'fast-check';
import {
  americanToDecimal,
  americanToImplied,
  decimalToAmerican,
  decimalToFractional,
  decimalToImplied,
  formatProbability,
  fractionalToDecimal,
  fractionalToImplied,
  impliedToAmerican,
  impliedToDecimal,
  impliedToFractional,
  InvalidOddsError,
  parseFractional,
  toImpliedProbability,
} from './index';

const close = (a: number, b: number, rel = 1e-12): boolean => Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

describe('odds formats <-> implied probability', () => {
  it('converts the textbook examples', () => {
    expect(americanToImplied(-110)).toBeCloseTo(110 / 210, 15); // 0.5238…
    expect(americanToImplied(150)).toBeCloseTo(0.4, 15); // 100/250
    expect(americanToImplied(100)).toBe(0.5);
    expect(americanToImplied(-100)).toBe(0.5);
    expect(americanToDecimal(150)).toBe(2.5);
    expect(americanToDecimal(-110)).toBeCloseTo(1 + 100 / 110, 15);
    expect(americanToDecimal(-100)).toBe(2);
    expect(decimalToAmerican(2.5)).toBeCloseTo(150, 12);
    expect(decimalToAmerican(1.5)).toBeCloseTo(-200, 12);
    expect(decimalToAmerican(2)).toBe(100);
    expect(impliedToAmerican(0.6)).toBeCloseTo(-150, 12);
    expect(impliedToAmerican(0.4)).toBeCloseTo(150, 12);
    expect(impliedToAmerican(0.5)).toBe(100);
    expect(decimalToImplied(2.5)).toBe(0.4);
    expect(impliedToDecimal(0.4)).toBe(2.5);
    expect(parseFractional('5/2')).toEqual({ numerator: 5, denominator: 2 });
    expect(parseFractional(' 11 / 10 ')).toEqual({ numerator: 11, denominator: 10 });
    expect(parseFractional('Evens')).toEqual({ numerator: 1, denominator: 1 });
    expect(fractionalToDecimal('5/2')).toBe(3.5);
    expect(fractionalToImplied('5/2')).toBeCloseTo(2 / 7, 15);
    expect(decimalToFractional(3.5)).toBe('5/2');
    expect(decimalToFractional(americanToDecimal(-110))).toBe('10/11');
    expect(decimalToFractional(2)).toBe('1/1');
    expect(impliedToFractional(2 / 7)).toBe('5/2');
    expect(decimalToFractional(1.001, 100)).toBe('1/100'); // profit 0.001 is below the finest 1/100 step
    expect(toImpliedProbability(-110, 'american')).toBeCloseTo(110 / 210, 15);
    expect(toImpliedProbability(1.91, 'decimal')).toBeCloseTo(1 / 1.91, 15);
    expect(toImpliedProbability('5/2', 'fractional')).toBeCloseTo(2 / 7, 15);
  });

  it('rejects bad input with InvalidOddsError naming the value', () => {
    expect(() => americanToImplied(50)).toThrow(InvalidOddsError);
    expect(() => americanToImplied(50)).toThrow('expected an American price (a finite number with |price| >= 100), got 50');
    expect(() => americanToImplied(NaN)).toThrow('got NaN');
    expect(() => americanToImplied(-99.5)).toThrow(InvalidOddsError);
    expect(() => decimalToImplied(1)).toThrow('expected a decimal price (a finite number > 1), got 1');
    expect(() => decimalToImplied(Infinity)).toThrow(InvalidOddsError);
    expect(() => impliedToAmerican(1)).toThrow('expected a probability strictly between 0 and 1, got 1');
    expect(() => impliedToDecimal(0)).toThrow(InvalidOddsError);
    expect(() => parseFractional('5:2')).toThrow('expected a fractional price string "n/d" with positive integers n and d (e.g. "5/2"), got "5:2"');
    expect(() => parseFractional('0/1')).toThrow(InvalidOddsError);
    expect(() => parseFractional('1.5/2')).toThrow(InvalidOddsError);
    expect(() => toImpliedProbability('-110', 'american')).toThrow('got "-110"');
    expect(() => toImpliedProbability(1, 'moneyline' as never)).toThrow('expected format "american" | "decimal" | "fractional", got "moneyline"');
    expect(() => decimalToFractional(2, 0)).toThrow('maxDenominator');
    try {
      americanToImplied(42);
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidOddsError);
      expect((e as InvalidOddsError).code).toBe('invalid_price');
      expect((e as InvalidOddsError).value).toBe(42);
    }
  });

  const american = fc.oneof(fc.integer({ min: -1_000_000, max: -101 }), fc.integer({ min: 100, max: 1_000_000 }));

  it('property: American -> implied -> American and American -> decimal -> American round-trip', () => {
    fc.assert(
      fc.property(american, (a) => {
        const p = americanToImplied(a);
        return p > 0 && p < 1 && close(impliedToAmerican(p), a, 1e-9) && close(decimalToAmerican(americanToDecimal(a)), a, 1e-9) && close(decimalToImplied(americanToDecimal(a)), p);
      }),
    );
  });

  it('property: -100 and +100 are both even money and map back to +100', () => {
    expect(impliedToAmerican(americanToImplied(-100))).toBe(100);
    expect(decimalToAmerican(americanToDecimal(-100))).toBe(100);
  });

  it('property: decimal -> implied -> decimal and decimal -> American -> decimal round-trip', () => {
    fc.assert(
      fc.property(fc.double({ min: 1.0001, max: 10_000, noNaN: true }), (d) => close(impliedToDecimal(decimalToImplied(d)), d) && close(americanToDecimal(decimalToAmerican(d)), d)),
    );
  });

  it('property: implied -> American -> implied and implied -> decimal -> implied round-trip', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), (p) => close(americanToImplied(impliedToAmerican(p)), p) && close(decimalToImplied(impliedToDecimal(p)), p)),
    );
  });

  it('property: integer fractional prices round-trip through decimal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 }), (n, d) => {
        const g = gcd(n, d);
        return decimalToFractional(fractionalToDecimal(`${n}/${d}`), 100) === `${n / g}/${d / g}`;
      }),
    );
  });
});

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

describe('formatProbability', () => {
  it('rounds half-up at the 4th decimal of the printed value', () => {
    expect(formatProbability(0.12345)).toBe('0.1235');
    expect(formatProbability(0.00015)).toBe('0.0002'); // toFixed(4) says "0.0001": binary 0.000149999…
    expect((0.00015).toFixed(4)).toBe('0.0001');
    expect(formatProbability(0.5555, 3)).toBe('0.556'); // binary 0.55549999…; toFixed(3) gives "0.555"
    expect(formatProbability(0.99995)).toBe('1.0000');
    expect(formatProbability(0.99994999)).toBe('0.9999');
    expect(formatProbability(0.5)).toBe('0.5000');
    expect(formatProbability(1)).toBe('1.0000');
    expect(formatProbability(0)).toBe('0.0000');
    expect(formatProbability(-0)).toBe('0.0000');
    expect(formatProbability(1e-7)).toBe('0.0000');
    expect(formatProbability(5e-5)).toBe('0.0001');
    expect(formatProbability(4.9999e-5)).toBe('0.0000');
    expect(formatProbability(0.1 + 0.2 - 0.2)).toBe('0.1000'); // 0.10000000000000003
    expect(formatProbability(0.30000000000000004)).toBe('0.3000');
    expect(formatProbability(0.45, 0)).toBe('0');
    expect(formatProbability(0.5, 0)).toBe('1');
    expect(formatProbability(2451 / 4151)).toBe('0.5905');
  });

  it('rejects values outside [0,1] and bad places', () => {
    expect(() => formatProbability(1.00001)).toThrow('expected a probability in [0,1], got 1.00001');
    expect(() => formatProbability(-0.1)).toThrow(InvalidOddsError);
    expect(() => formatProbability(NaN)).toThrow('got NaN');
    expect(() => formatProbability(0.5, 2.5)).toThrow('expected places to be an integer 0..20, got 2.5');
  });

  it('property: on values k/10^6 it equals integer half-up rounding of k/100', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (k) => {
        const q = Math.floor(k / 100) + (k % 100 >= 50 ? 1 : 0);
        const expected = `${Math.floor(q / 10_000)}.${String(q % 10_000).padStart(4, '0')}`;
        return formatProbability(k / 1_000_000) === expected;
      }),
    );
  });

  it('property: the string parses back to within half a unit of the last place', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 12 }), (p, places) => {
        const s = formatProbability(p, places);
        return new RegExp(`^[01]${places > 0 ? `\\.\\d{${places}}` : ''}$`).test(s) && Math.abs(Number(s) - p) <= 0.5 * 10 ** -places + 1e-15;
      }),
    );
  });
});
