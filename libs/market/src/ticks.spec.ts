import {
  isValidPrice,
  parsePriceDollars,
  parseTickStructure,
  tickSizeAt,
  TICK_STRUCTURES,
  TickStructureError,
  type TickStructure,
} from './index';

const p = parsePriceDollars;

describe('tick structures (docs.kalshi.com/getting_started/fixed_point_migration)', () => {
  it('linear_cent is $0.01 everywhere', () => {
    for (const price of [1, 100, 950, 1000, 5000, 9000, 9050, 9999]) expect(tickSizeAt('linear_cent', price)).toBe(100);
    expect(isValidPrice('linear_cent', p('0.01'))).toBe(true);
    expect(isValidPrice('linear_cent', p('0.42'))).toBe(true);
    expect(isValidPrice('linear_cent', p('0.99'))).toBe(true);
    expect(isValidPrice('linear_cent', p('0.163'))).toBe(false);
    expect(isValidPrice('linear_cent', p('0.005'))).toBe(false);
    expect(isValidPrice('linear_cent', p('0.995'))).toBe(false);
  });

  it('deci_cent is $0.001 everywhere, e.g. KXCOLONIZEMARS-50 quoting 0.1630', () => {
    for (const price of [10, 950, 1000, 1630, 5000, 9000, 9990]) expect(tickSizeAt('deci_cent', price)).toBe(10);
    expect(isValidPrice('deci_cent', p('0.1630'))).toBe(true);
    expect(isValidPrice('deci_cent', p('0.8370'))).toBe(true);
    expect(isValidPrice('deci_cent', p('0.001'))).toBe(true);
    expect(isValidPrice('deci_cent', p('0.999'))).toBe(true);
    expect(isValidPrice('deci_cent', p('0.42'))).toBe(true);
    expect(isValidPrice('deci_cent', p('0.1635'))).toBe(false); // 4th decimal: not on any Kalshi grid
    expect(isValidPrice('deci_cent', 1)).toBe(false);
  });

  it('tapered_deci_cent is $0.001 below 0.10 and above 0.90, $0.01 on [0.10, 0.90]', () => {
    const t: TickStructure = 'tapered_deci_cent';
    expect(tickSizeAt(t, p('0.099'))).toBe(10);
    expect(tickSizeAt(t, p('0.10'))).toBe(100); // boundary belongs to the cent band (documented choice)
    expect(tickSizeAt(t, p('0.50'))).toBe(100);
    expect(tickSizeAt(t, p('0.90'))).toBe(100); // boundary belongs to the cent band
    expect(tickSizeAt(t, p('0.901'))).toBe(10);
    // tails: deci-cent prices are valid
    expect(isValidPrice(t, p('0.001'))).toBe(true);
    expect(isValidPrice(t, p('0.095'))).toBe(true);
    expect(isValidPrice(t, p('0.099'))).toBe(true);
    expect(isValidPrice(t, p('0.901'))).toBe(true);
    expect(isValidPrice(t, p('0.999'))).toBe(true);
    // boundaries: on the grid either way
    expect(isValidPrice(t, p('0.10'))).toBe(true);
    expect(isValidPrice(t, p('0.90'))).toBe(true);
    // middle band: cents only
    expect(isValidPrice(t, p('0.11'))).toBe(true);
    expect(isValidPrice(t, p('0.89'))).toBe(true);
    expect(isValidPrice(t, p('0.101'))).toBe(false);
    expect(isValidPrice(t, p('0.105'))).toBe(false);
    expect(isValidPrice(t, p('0.163'))).toBe(false);
    expect(isValidPrice(t, p('0.899'))).toBe(false);
  });

  it('counts the valid prices of each grid', () => {
    const count = (s: TickStructure) => {
      let n = 0;
      for (let price = -5; price <= 10_005; price++) if (isValidPrice(s, price)) n++;
      return n;
    };
    expect(count('linear_cent')).toBe(99); // 0.01..0.99
    expect(count('deci_cent')).toBe(999); // 0.001..0.999
    // 0.001..0.099 (99) + 0.10..0.90 (81) + 0.901..0.999 (99)
    expect(count('tapered_deci_cent')).toBe(99 + 81 + 99);
  });

  it('rejects non-resting and non-integer prices in every structure', () => {
    for (const s of TICK_STRUCTURES) {
      for (const bad of [0, 10_000, -100, 10_100, 4200.5, NaN, Infinity, -Infinity]) expect(isValidPrice(s, bad)).toBe(false);
    }
  });

  it('parses price_level_structure strictly and names a bad value', () => {
    expect(parseTickStructure('linear_cent')).toBe('linear_cent');
    expect(parseTickStructure('tapered_deci_cent')).toBe('tapered_deci_cent');
    expect(parseTickStructure('deci_cent')).toBe('deci_cent');
    expect(() => parseTickStructure('Linear_Cent')).toThrow(TickStructureError);
    expect(() => parseTickStructure('quarter_cent')).toThrow(/"quarter_cent"/);
    expect(() => parseTickStructure('')).toThrow(/""/);
    expect(() => tickSizeAt('bogus' as TickStructure, 5000)).toThrow(/"bogus"/);
  });
});
