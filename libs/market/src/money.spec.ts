import { FEE_ROUNDING_TICKS_CENT, formatPriceDollars, formatSizeFp, parsePriceDollars, parseSizeFp, FixedPointError, tradingFeeTicks } from './index';

describe('fixed-point money and fees', () => {
  it('parses and formats Kalshi strings exactly', () => {
    expect(parsePriceDollars('0.4200')).toBe(4200);
    expect(parsePriceDollars('0.163')).toBe(1630);
    expect(parseSizeFp('-1.84')).toBe(-184);
    expect(parseSizeFp('1406474.86')).toBe(140647486);
    expect(formatPriceDollars(1630)).toBe('0.1630');
    expect(formatSizeFp(-184)).toBe('-1.84');
  });
  it('rejects malformed values with a message naming them', () => {
    expect(() => parsePriceDollars('0.42001')).toThrow(/0\.42001/);
    expect(() => parsePriceDollars('-0.10')).toThrow(FixedPointError);
    expect(() => parseSizeFp('abc')).toThrow(/"abc"/);
    expect(() => parseSizeFp('')).toThrow(FixedPointError);
  });
  it('computes the taker fee rounded up to the cent', () => {
    // 0.07*1*0.5*0.5 = 0.0175: $0.0175 at centicent rounding, $0.02 rounded to the cent
    expect(tradingFeeTicks(5000, 100)).toBe(175);
    expect(tradingFeeTicks(5000, 100, 700, FEE_ROUNDING_TICKS_CENT)).toBe(200);
    expect(tradingFeeTicks(5000, 10000)).toBe(17500); // 100 contracts -> $1.75
    // Oracles: the two real fills in the demo capture (fee_cost "0.054600" and "0.011000").
    expect(tradingFeeTicks(1700, 552)).toBe(546); // 0.07*5.52*0.17*0.83 = 0.05452104 -> 0.0546
    expect(tradingFeeTicks(8400, 116)).toBe(110); // NO at 0.84: 0.07*1.16*0.84*0.16 = 0.01091328 -> 0.0110
    expect(tradingFeeTicks(1700, 552, 700, FEE_ROUNDING_TICKS_CENT)).toBe(600);
  });
});
