import fc from 'fast-check';
import { americanToImplied, decimalToImplied, devig, devigAdditive, devigMultiplicative, devigPower, devigShin, DEVIG_METHODS, DevigError, InvalidOddsError, type DevigMethod } from './index';

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

describe('de-vig of one book', () => {
  // -110 / -110: π = 110/210 each, S = 220/210 = 1.047619…, overround 4.7619%; symmetric → 0.5 / 0.5 for every method
  it('a symmetric -110/-110 book gives 0.5/0.5 with every method', () => {
    const pi = [americanToImplied(-110), americanToImplied(-110)];
    for (const m of DEVIG_METHODS) {
      const r = devig(pi, m);
      expect(r.fair[0]).toBeCloseTo(0.5, 14);
      expect(r.fair[1]).toBeCloseTo(0.5, 14);
      expect(r.overround).toBeCloseTo(220 / 210 - 1, 15);
      expect(r.bookSum).toBeCloseTo(220 / 210, 15);
    }
  });

  it('multiplicative and additive on -160/+115 (hand arithmetic)', () => {
    // π = 160/260 = 8/13, 100/215 = 20/43; S = 604/559
    // multiplicative: 8/13 ÷ 604/559 = 344/604 = 86/151; 20/43 ÷ 604/559 = 65/151
    // additive: share = (604/559 − 1)/2 = 45/1118; 8/13 − 45/1118 = 643/1118; 20/43 − 45/1118 = 475/1118
    const pi = [americanToImplied(-160), americanToImplied(115)];
    expect(devigMultiplicative(pi).fair[0]).toBeCloseTo(86 / 151, 14);
    expect(devigMultiplicative(pi).fair[1]).toBeCloseTo(65 / 151, 14);
    expect(devigMultiplicative(pi).parameter).toBeCloseTo(604 / 559, 14);
    expect(devigAdditive(pi).fair[0]).toBeCloseTo(643 / 1118, 14);
    expect(devigAdditive(pi).parameter).toBeCloseTo(45 / 1118, 14);
  });

  it('power on -160/+115: the exponent k solves (8/13)^k + (20/43)^k = 1', () => {
    const r = devigPower([8 / 13, 20 / 43]);
    expect(r.parameter).toBeGreaterThan(1);
    expect((8 / 13) ** r.parameter + (20 / 43) ** r.parameter).toBeCloseTo(1, 13);
    expect(r.fair[0]).toBeCloseTo((8 / 13) ** r.parameter, 13);
  });

  it('shin on two outcomes equals additive ((1 + π_i − π_j)/2) and z satisfies the formula', () => {
    // Σ p_i = 1 with p_i = (√(z² + 4(1−z)π_i²/S) − z)/(2(1−z)) gives √B = 1 + (1−z)(π_2² − π_1²)/S for outcome 2,
    // hence p_2 = ½ + (π_2² − π_1²)/(2S) = ½ + (π_2 − π_1)/2 since π_1 + π_2 = S.
    const pi = [8 / 13, 20 / 43];
    const r = devigShin(pi);
    expect(r.fair[0]).toBeCloseTo((1 + 8 / 13 - 20 / 43) / 2, 13); // 643/1118
    const S = 604 / 559;
    const z = r.parameter;
    expect(z).toBeGreaterThan(0);
    expect(z).toBeLessThan(1);
    const formula = pi.map((x) => (Math.sqrt(z * z + (4 * (1 - z) * x * x) / S) - z) / (2 * (1 - z)));
    expect(formula[0]).toBeCloseTo(r.fair[0], 12);
    expect(sum(formula)).toBeCloseTo(1, 12);
  });

  it('shin on a 3-way market matches the reference implementation (Python package "shin", README example)', () => {
    // decimal odds [2.6, 2.4, 4.3] → [0.37299406033208965, 0.4047794109200184, 0.2222265287474275]
    const r = devigShin([2.6, 2.4, 4.3].map(decimalToImplied));
    expect(r.fair[0]).toBeCloseTo(0.37299406033208965, 8);
    expect(r.fair[1]).toBeCloseTo(0.4047794109200184, 8);
    expect(r.fair[2]).toBeCloseTo(0.2222265287474275, 8);
    // with 3 outcomes shin differs from additive
    expect(Math.abs(r.fair[2] - devigAdditive([2.6, 2.4, 4.3].map(decimalToImplied)).fair[2])).toBeGreaterThan(1e-4);
  });

  it('3-way with a draw: all methods sum to 1, longshot shrinks most under power/shin (favourite-longshot bias)', () => {
    const pi = [1 / 1.8, 1 / 3.6, 1 / 4.75]; // home / draw / away, S ≈ 1.0433
    const m = devigMultiplicative(pi).fair;
    for (const method of DEVIG_METHODS) expect(sum(devig(pi, method).fair)).toBeCloseTo(1, 12);
    expect(devigPower(pi).fair[2]).toBeLessThan(m[2]);
    expect(devigShin(pi).fair[2]).toBeLessThan(m[2]);
  });

  it('negative overround: multiplicative/additive/power scale up, shin throws', () => {
    const pi = [0.45, 0.5]; // S = 0.95 (an arbitrage across books)
    expect(devigMultiplicative(pi).fair).toEqual([0.45 / 0.95, 0.5 / 0.95]);
    expect(devigAdditive(pi).fair[0]).toBeCloseTo(0.475, 14);
    const pw = devigPower(pi);
    expect(pw.parameter).toBeLessThan(1);
    expect(sum(pw.fair)).toBeCloseTo(1, 14);
    expect(() => devigShin(pi)).toThrow(DevigError);
    expect(() => devigShin(pi)).toThrow('Shin de-vig needs a book sum >= 1');
  });

  it('additive rejects a book that would give a longshot a non-positive fair probability', () => {
    const pi = [0.9, 0.3, 0.02]; // S = 1.22, share 0.0733 > 0.02
    expect(() => devigAdditive(pi)).toThrow(DevigError);
    expect(() => devigAdditive(pi)).toThrow(/outcome \[2\] a fair probability -0\.05\d+ <= 0/);
    for (const m of ['multiplicative', 'power', 'shin'] as const) expect(devig(pi, m).fair[2]).toBeGreaterThan(0);
  });

  it('power reports an underflowing longshot on an absurd book instead of returning 0', () => {
    expect(() => devigPower([0.9872005170214427, 0.998, 0.002, 0.002])).toThrow(/underflows to 0/);
  });

  it('rejects fewer than 2 outcomes, non-finite or out-of-range probabilities and unknown methods', () => {
    expect(() => devig([0.5])).toThrow(new DevigError('too_few_outcomes', 'a market needs at least 2 outcomes to de-vig, got 1'));
    expect(() => devig([0.5, NaN])).toThrow('expected implied probability [1] strictly between 0 and 1, got NaN');
    expect(() => devig([0.5, 1])).toThrow(InvalidOddsError);
    expect(() => devig([0.5, -0.1], 'power')).toThrow(InvalidOddsError);
    expect(() => devig([0.5, 0.6], 'logit' as DevigMethod)).toThrow('expected a de-vig method "multiplicative" | "additive" | "power" | "shin", got "logit"');
    expect(() => devig('0.5,0.5' as never)).toThrow(InvalidOddsError);
  });

  it('handles extreme books from the capture (−10000 / +2200)', () => {
    const pi = [americanToImplied(-10000), americanToImplied(2200)];
    for (const m of DEVIG_METHODS) {
      const r = devig(pi, m);
      expect(sum(r.fair)).toBeCloseTo(1, 12);
      expect(r.fair[1]).toBeGreaterThan(0);
      expect(r.fair[1]).toBeLessThan(0.05);
    }
  });
});

describe('de-vig properties (fast-check)', () => {
  /** Arbitrary books: 2..5 implied probabilities in [0.002, 0.998], any book sum. */
  const anyBook = fc.array(fc.double({ min: 0.002, max: 0.998, noNaN: true }), { minLength: 2, maxLength: 5 });
  /** Realistic books: fair probabilities (from weights) marked up by an overround of 0..25%, multiplicatively. */
  const realisticBook = fc
    .tuple(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 4 }), fc.double({ min: 0, max: 0.25, noNaN: true }))
    .map(([w, o]) => w.map((x) => ((x / sum(w)) * (1 + o)) as number))
    .filter((pi) => pi.every((x) => x > 0 && x < 1));

  const check = (pi: number[], method: DevigMethod): boolean => {
    const S = sum(pi);
    const expectThrow = (method === 'shin' && S < 1 - 1e-12) || (method === 'additive' && Math.abs(S - 1) > 1e-12 && pi.some((x) => !(x - (S - 1) / pi.length > 0)));
    let r;
    try {
      r = devig(pi, method);
    } catch (e) {
      if (expectThrow && e instanceof DevigError) return true;
      // power underflow only on absurd books (overround far beyond any real book)
      if (method === 'power' && e instanceof DevigError && e.code === 'underflow') return S > 1.5;
      throw e;
    }
    if (expectThrow) return false;
    if (!r.fair.every((p) => p > 0 && p < 1)) return false;
    if (Math.abs(sum(r.fair) - 1) > 1e-12) return false;
    // order of the implied probabilities is preserved (ties stay ties or keep order)
    for (let i = 0; i < pi.length; i++) for (let j = 0; j < pi.length; j++) if (pi[i] < pi[j] && !(r.fair[i] <= r.fair[j])) return false;
    return true;
  };

  for (const method of DEVIG_METHODS) {
    it(`${method}: fair probabilities in (0,1), sum 1 within 1e-12, order preserved (arbitrary books)`, () => {
      fc.assert(fc.property(anyBook, (pi) => check(pi, method)), { numRuns: 500 });
    });
    it(`${method}: same on realistic books (overround 0..25%)`, () => {
      fc.assert(fc.property(realisticBook, (pi) => check(pi, method)), { numRuns: 500 });
    });
  }

  it('all four methods agree when the book has zero overround', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 2, maxLength: 5 }), (w) => {
        const pi = w.map((x) => x / sum(w));
        const base = devigMultiplicative(pi).fair;
        return DEVIG_METHODS.every((m) => devig(pi, m).fair.every((p, i) => Math.abs(p - base[i]) <= 1e-12 && Math.abs(p - pi[i]) <= 1e-12));
      }),
    );
  });

  it('all four methods converge continuously to the implied probabilities as the overround goes to 0', () => {
    const fair = [0.2, 0.3, 0.5];
    const pi = fair.map((x) => x * (1 + 1e-9));
    for (const m of DEVIG_METHODS) devig(pi, m).fair.forEach((p, i) => expect(p).toBeCloseTo(fair[i], 8));
  });

  it('shin and additive coincide on every 2-outcome book with positive overround', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (a, b) => {
        fc.pre(a + b > 1 + 1e-9);
        const s = devigShin([a, b]).fair;
        const ad = devigAdditive([a, b]).fair;
        return Math.abs(s[0] - ad[0]) <= 1e-9;
      }),
    );
  });
});
