/**
 * De-vig: from one book's implied probabilities π_1..π_n of one market (2-way, or 3-way with a draw) to fair
 * probabilities p_1..p_n that sum to 1.
 *
 * Notation: π_i = implied probability of outcome i (1/decimal price, see `formats.ts`); S = Σ π_i the **book sum**;
 * **overround** (vig) = S − 1 (e.g. −110/−110: S = 2·110/210 = 1.047619…, overround 4.76%).
 *
 * Methods (each returns p_i in (0,1) with |Σ p_i − 1| ≤ 1e-12, and preserves the order of the π_i):
 * - `multiplicative` (a.k.a. basic / normalisation): p_i = π_i / S. Štrumbelj 2014 ("On determining probability
 *   forecasts from betting odds", International Journal of Forecasting 30(4):934-943), "basic normalization".
 *   Valid for any S > 0, including a book with no or negative overround (S ≤ 1, e.g. best prices across books).
 * - `additive`: subtract an equal share of the overround, p_i = π_i − (S − 1)/n. Valid for any S; when S > 1 and a
 *   longshot's π_i ≤ (S − 1)/n its fair probability would be ≤ 0: that book is **rejected** with
 *   {@link DevigError} `additive_nonpositive` (clamping to 0 and renormalising would silently move probability
 *   between the other outcomes; callers that want a value should use another method). With n = 2 this never
 *   happens (p_i = (1 + π_i − π_j)/2 > 0). Clarke, Kovalchik & Ingram 2017 ("Adjusting bookmaker's odds to allow
 *   for overround", American Journal of Sports Science 5(6):45-49) compare it with the others.
 * - `power`: p_i = π_i^k with k solved from Σ π_i^k = 1 (k > 1 when S > 1, k < 1 when S < 1, k = 1 when S = 1).
 *   Clarke, Kovalchik & Ingram 2017. Solved by safeguarded Newton (bisection fallback) to |Σ π_i^k − 1| ≤ 1e-14,
 *   then normalised. Valid for any S; on absurd books (k in the hundreds) a longshot's π_i^k can underflow to 0:
 *   {@link DevigError} `underflow` rather than a fair probability of exactly 0.
 * - `shin`: Shin's insider-trading model (Shin 1993, "Measuring the incidence of insider trading in a market for
 *   state-contingent claims", The Economic Journal 103(420):1141-1153), in the form given by Štrumbelj 2014 (eq. for
 *   p_i given the insider share z, after Jullien & Salanié 1994):
 *       p_i(z) = ( sqrt(z² + 4(1 − z) π_i² / S) − z ) / ( 2(1 − z) ),
 *   with z ∈ [0,1) solved from Σ p_i(z) = 1 (by bisection: Σ p_i(0) = √S > 1 and Σ p_i(z) → Σπ_i²/S < 1 as z → 1).
 *   Evaluated in the algebraically identical, cancellation-free form p_i = 2π_i² / (S·(z + sqrt(z² + 4(1−z)π_i²/S))).
 *   Requires S ≥ 1 (z ≥ 0 is the share of insiders): S < 1 throws {@link DevigError} `negative_overround`.
 *   Note: with two outcomes Shin's p_i equals the additive one exactly ((1 + π_i − π_j)/2; follows from
 *   p_1 + p_2 = 1 in the formula above), only z differs; the two methods differ from n = 3 on.
 *
 * A book with zero overround (|S − 1| ≤ 1e-12) returns π_i / S for every method (their parameters are then the
 * neutral k = 1, z = 0, share = 0), so all four methods agree on it.
 *
 * Probabilities are JS numbers: this is not money (see `formats.ts`).
 */
import { DevigError, InvalidOddsError } from './errors';
import { describeValue } from '@kalshi-platform/market';
import { assertOpenProbability } from './formats';

/** The four de-vig methods. */
export type DevigMethod = 'multiplicative' | 'additive' | 'power' | 'shin';

/** All de-vig methods, in the order above. */
export const DEVIG_METHODS: readonly DevigMethod[] = ['multiplicative', 'additive', 'power', 'shin'];

/** |S − 1| at or below which a book counts as having zero overround. */
export const ZERO_OVERROUND_TOLERANCE = 1e-12;

/** Result of a de-vig of one market of one book. Arrays are in the order of the input. */
export interface DevigResult {
  method: DevigMethod;
  /** The input implied probabilities π_i. */
  implied: number[];
  /** Fair probabilities p_i, each in (0,1), summing to 1 within 1e-12. */
  fair: number[];
  /** S = Σ π_i. */
  bookSum: number;
  /** S − 1 (negative for a book whose prices sum below 1, e.g. best prices across books). */
  overround: number;
  /**
   * The method's solved parameter: `power` → the exponent k; `shin` → the insider share z; `additive` → the share
   * (S − 1)/n subtracted from each π_i; `multiplicative` → the divisor S.
   */
  parameter: number;
}

function checkImplied(implied: readonly number[]): number[] {
  if (!Array.isArray(implied)) {
    throw new InvalidOddsError('invalid_argument', `expected an array of implied probabilities, got ${describeValue(implied)}`, implied);
  }
  if (implied.length < 2) throw new DevigError('too_few_outcomes', `a market needs at least 2 outcomes to de-vig, got ${implied.length}`);
  return implied.map((p, i) => assertOpenProbability(p, `implied probability [${i}]`));
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/** Divides by the sum (removes the last ~1e-16 of float residue; never changes order). */
function normalise(xs: readonly number[]): number[] {
  const s = sum(xs);
  return xs.map((x) => x / s);
}

/**
 * Multiplicative de-vig: p_i = π_i / S (Štrumbelj 2014, "basic normalization"). Valid for any book sum.
 * @param implied π_i, each in (0,1), at least 2.
 * @throws DevigError `too_few_outcomes`; InvalidOddsError `invalid_probability` for a π_i outside (0,1).
 */
export function devigMultiplicative(implied: readonly number[]): DevigResult {
  const pi = checkImplied(implied);
  const S = sum(pi);
  return { method: 'multiplicative', implied: pi, fair: pi.map((x) => x / S), bookSum: S, overround: S - 1, parameter: S };
}

/**
 * Additive de-vig: p_i = π_i − (S − 1)/n (Clarke, Kovalchik & Ingram 2017). Valid for any book sum.
 * @throws DevigError `additive_nonpositive` when some p_i would be ≤ 0 (a longshot in a high-vig book with n ≥ 3),
 * naming the outcome index; `too_few_outcomes`; InvalidOddsError for a π_i outside (0,1).
 */
export function devigAdditive(implied: readonly number[]): DevigResult {
  const pi = checkImplied(implied);
  const S = sum(pi);
  if (Math.abs(S - 1) <= ZERO_OVERROUND_TOLERANCE) return zero('additive', pi, S, 0);
  const share = (S - 1) / pi.length;
  const raw = pi.map((x) => x - share);
  raw.forEach((p, i) => {
    if (!(p > 0)) {
      throw new DevigError(
        'additive_nonpositive',
        `additive de-vig gives outcome [${i}] a fair probability ${p} <= 0 (implied ${pi[i]} minus share ${share} of overround ${S - 1}); use multiplicative, power or shin for this book`,
      );
    }
  });
  return { method: 'additive', implied: pi, fair: normalise(raw), bookSum: S, overround: S - 1, parameter: share };
}

/**
 * Power de-vig: p_i = π_i^k with Σ π_i^k = 1 (Clarke, Kovalchik & Ingram 2017). Valid for any book sum; k is solved
 * by Newton's method safeguarded by a bisection bracket to |Σ π_i^k − 1| ≤ 1e-14, then the p_i are normalised.
 * @throws DevigError `too_few_outcomes` | `underflow` | `no_convergence`; InvalidOddsError for a π_i outside (0,1).
 */
export function devigPower(implied: readonly number[]): DevigResult {
  const pi = checkImplied(implied);
  const S = sum(pi);
  if (Math.abs(S - 1) <= ZERO_OVERROUND_TOLERANCE) return zero('power', pi, S, 1);
  const logs = pi.map((x) => Math.log(x));
  const g = (k: number): number => {
    let s = 0;
    for (const l of logs) s += Math.exp(k * l);
    return s - 1;
  };
  const dg = (k: number): number => {
    let s = 0;
    for (const l of logs) s += l * Math.exp(k * l);
    return s;
  };
  // g is decreasing in k (all log π_i < 0), g(0) = n − 1 > 0; bracket [lo, hi] with g(lo) > 0 > g(hi).
  let lo: number;
  let hi: number;
  if (S > 1) {
    lo = 1;
    hi = 2;
    for (let i = 0; g(hi) > 0; i++) {
      if (i > 60) throw new DevigError('no_convergence', `power de-vig: no exponent found for book sum ${S}`);
      lo = hi;
      hi *= 2;
    }
  } else {
    lo = 0;
    hi = 1;
  }
  let k = S > 1 ? lo : hi;
  let converged = false;
  for (let i = 0; i < 200; i++) {
    const gk = g(k);
    if (Math.abs(gk) <= 1e-14) {
      converged = true;
      break;
    }
    if (gk > 0) lo = k;
    else hi = k;
    let next = k - gk / dg(k);
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (next === k || hi - lo <= Number.EPSILON * hi) {
      converged = Math.abs(g(next)) <= 1e-12;
      k = next;
      break;
    }
    k = next;
  }
  if (!converged) throw new DevigError('no_convergence', `power de-vig did not converge for implied ${describeValue(pi)}`);
  const fair = normalise(logs.map((l) => Math.exp(k * l)));
  const zeroAt = fair.findIndex((p) => !(p > 0));
  if (zeroAt >= 0) {
    throw new DevigError('underflow', `power de-vig: outcome [${zeroAt}] implied ${pi[zeroAt]} raised to k = ${k} underflows to 0 (book sum ${S}); use multiplicative or shin for this book`);
  }
  return { method: 'power', implied: pi, fair, bookSum: S, overround: S - 1, parameter: k };
}

/** Shin's p_i(z) in the cancellation-free form 2π_i² / (S·(z + sqrt(z² + 4(1−z)π_i²/S))). */
function shinProbabilities(pi: readonly number[], S: number, z: number): number[] {
  return pi.map((x) => (2 * x * x) / (S * (z + Math.sqrt(z * z + (4 * (1 - z) * x * x) / S))));
}

/**
 * Shin de-vig (Shin 1993; formula as in Štrumbelj 2014): p_i = (sqrt(z² + 4(1−z)π_i²/S) − z) / (2(1−z)), with the
 * insider share z ∈ [0,1) solved by bisection from Σ p_i = 1 (to the last representable z), then normalised.
 * @throws DevigError `negative_overround` when S < 1 − 1e-12 (no z ≥ 0 exists); `too_few_outcomes`;
 * `no_convergence`; InvalidOddsError for a π_i outside (0,1).
 */
export function devigShin(implied: readonly number[]): DevigResult {
  const pi = checkImplied(implied);
  const S = sum(pi);
  if (Math.abs(S - 1) <= ZERO_OVERROUND_TOLERANCE) return zero('shin', pi, S, 0);
  if (S < 1) {
    throw new DevigError('negative_overround', `Shin de-vig needs a book sum >= 1 (insider share z >= 0), got ${S} (overround ${S - 1}); use multiplicative, additive or power`);
  }
  const h = (z: number): number => sum(shinProbabilities(pi, S, z)) - 1;
  let lo = 0; // h(0) = √S − 1 > 0
  let hi = 0.5;
  for (let i = 0; h(hi) >= 0; i++) {
    if (i > 60) throw new DevigError('no_convergence', `Shin de-vig: no insider share z found for implied ${describeValue(pi)}`);
    lo = hi;
    hi = (1 + hi) / 2;
  }
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) break;
    if (h(mid) > 0) lo = mid;
    else hi = mid;
  }
  const z = Math.abs(h(lo)) <= Math.abs(h(hi)) ? lo : hi;
  const raw = shinProbabilities(pi, S, z);
  if (Math.abs(sum(raw) - 1) > 1e-12) throw new DevigError('no_convergence', `Shin de-vig did not converge for implied ${describeValue(pi)}`);
  return { method: 'shin', implied: pi, fair: normalise(raw), bookSum: S, overround: S - 1, parameter: z };
}

function zero(method: DevigMethod, pi: number[], S: number, parameter: number): DevigResult {
  return { method, implied: pi, fair: pi.map((x) => x / S), bookSum: S, overround: S - 1, parameter };
}

/**
 * De-vigs one market of one book with the given method (see the module doc for each method's source and its
 * behaviour on zero/negative overround).
 * @param implied the outcomes' implied probabilities π_i (each in (0,1); 2-way, or 3-way with a draw, or more).
 * @throws DevigError | InvalidOddsError as the method does; InvalidOddsError `invalid_argument` for an unknown method.
 */
export function devig(implied: readonly number[], method: DevigMethod = 'multiplicative'): DevigResult {
  switch (method) {
    case 'multiplicative':
      return devigMultiplicative(implied);
    case 'additive':
      return devigAdditive(implied);
    case 'power':
      return devigPower(implied);
    case 'shin':
      return devigShin(implied);
    default:
      throw new InvalidOddsError('invalid_argument', `expected a de-vig method ${DEVIG_METHODS.map((m) => JSON.stringify(m)).join(' | ')}, got ${describeValue(method)}`, method);
  }
}
