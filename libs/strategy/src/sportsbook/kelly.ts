/**
 * Fractional-Kelly sizing of a taker buy of one side of a Kalshi binary market, walking the ask ladder.
 *
 * Kelly (J. L. Kelly Jr., "A New Interpretation of Information Rate", Bell System Technical Journal 35(4), 1956):
 * a bettor maximising the expected log of wealth stakes the fraction f* of the bankroll that maximises
 * `G(f) = p·log(1 + b·f) + (1 − p)·log(1 − f)` for a bet paying b per unit staked with win probability p;
 * `G'(f) = 0` gives `f* = (b·p − (1 − p)) / b`. A binary contract bought at q (dollars, 0 < q < 1) that pays $1
 * returns `b = (1 − q)/q` per dollar staked, so
 *
 *   f* = (p·(1 − q)/q − (1 − p)) / ((1 − q)/q) = (p·(1 − q) − (1 − p)·q) / (1 − q) = (p − q) / (1 − q),
 *
 * (0 when p <= q: no bet). Fractional Kelly (stake λ·f*, 0 < λ <= 1) trades growth for a much smaller variance and
 * robustness to an overestimated p (E. O. Thorp, "The Kelly criterion in blackjack, sports betting and the stock
 * market", Handbook of Asset and Liability Management, 2006; half Kelly keeps 3/4 of the growth rate).
 *
 * Judgement calls (ours, documented):
 * - q is the EFFECTIVE price of the marginal contract, `(price + fee per contract) / 10000`: the fee is part of the
 *   stake and is not paid back, so the bet's odds are `b = (1 − q_eff)/q_eff`. With a zero fee rate this is the
 *   textbook formula on the ask.
 * - Walking the book, the Kelly bound at level i uses that level's q_i: the cash spent so far plus this level's
 *   fill must stay within `λ·f*(q_i)·bankroll`. Since asks ascend (and `f*` falls as q rises), this is stricter than
 *   the bound at the average price, hence conservative. Once a level cannot be taken in full the walk stops (levels
 *   are never skipped): the taker order this models sweeps the book in price order.
 * - The Kelly bound applies to this order alone; existing exposure only counts against the caps.
 * - Amounts (bankroll, caps, costs, fees, EV) are DollarsMicros (integer 1/1,000,000 dollar, as Kalshi's amount
 *   fields): buying C centis at P ticks costs exactly `C × P` micros, a fee of F ticks is `100 × F` micros.
 */
import { type DollarsMicros, MICROS_PER_TICK, ONE_DOLLAR, type PriceTicks, type SizeCentis } from '@kalshi-platform/market';
import {
  type AskLevel,
  checkAsks,
  checkSizeStep,
  perContractFee,
  resolveTakerFees,
  stepFeeTicks,
  type TakerFeeSettings,
  WHOLE_CONTRACT_CENTIS,
} from './edge';
import { checkInteger, checkNumber, checkProbability, SportsbookInputError } from './errors';
import { describeValue } from '@kalshi-platform/market';

/** Micros paid out by one winning centi-contract ($0.01). */
const PAYOUT_MICROS_PER_CENTI = 10_000;
/** Absorbs binary floating-point noise in the Kelly stake (e.g. (0.55 − 0.5)/0.5 = 0.10000000000000009), in steps. */
const KELLY_STEP_SLACK = 1e-9;

/**
 * Full Kelly fraction of bankroll for a binary contract costing q and paying 1 with probability p:
 * `(p − q)/(1 − q)` when p > q, else 0 (and 0 for q >= 1). Example: p 0.55, q 0.50 → 0.1.
 * @throws SportsbookInputError naming `p` or `q` outside [0,1].
 */
export function fullKellyFraction(p: number, q: number): number {
  checkProbability(p, 'p');
  checkProbability(q, 'q');
  return kelly(p, q);
}

function kelly(p: number, q: number): number {
  if (q >= 1 || p <= q) return 0;
  return (p - q) / (1 - q);
}

/**
 * Caps on the order (all optional; absent = no cap). Cost caps count CASH OUTLAY = premium + fee bound, in micros.
 * - `maxMarketCostMicros`: outlay in this market, `existing.marketCostMicros` included;
 * - `maxEventCostMicros`: outlay in the event (all its markets), `existing.eventCostMicros` included;
 * - `maxBankrollFraction`: outlay in this market (existing included) <= fraction × bankroll, fraction in [0,1];
 * - `maxContractsCentis`: size of this order, centis.
 */
export interface SizingCaps {
  maxMarketCostMicros?: DollarsMicros;
  maxEventCostMicros?: DollarsMicros;
  maxBankrollFraction?: number;
  maxContractsCentis?: SizeCentis;
}

/** Outlay already committed (micros, >= 0, default 0), counted against the caps only. */
export interface ExistingExposure {
  marketCostMicros?: DollarsMicros;
  eventCostMicros?: DollarsMicros;
}

/** Input of {@link kellySize}. */
export interface KellySizeInput {
  /** probability that the side bought pays (fairYes for YES, 1 − fairYes for NO), in [0,1] */
  winProbability: number;
  /** asks of that side, ascending `[priceTicks, sizeCentis]` */
  asks: readonly AskLevel[];
  /** bankroll, micros, integer >= 0 */
  bankrollMicros: DollarsMicros;
  /** λ, the Kelly multiplier, in (0,1] (0.5 = half Kelly) */
  kellyFraction: number;
  /** minimum net edge per contract of the marginal contract, ticks (real, >= 0) */
  minEdgeTicks: number;
  caps?: SizingCaps;
  existing?: ExistingExposure;
  /** size step, centis, 1..100 (default 100 = whole contracts); sizes are floored to it */
  sizeStepCentis?: SizeCentis;
  fees?: TakerFeeSettings;
}

/** Why the walk stopped. */
export type SizingStopReason =
  /** the next level's marginal net edge is below `minEdgeTicks` (at the top: nothing bought) */
  | 'threshold'
  /** the Kelly bound at the next level's price allows less than that level */
  | 'kelly'
  /** a cap allows less than the next level */
  | 'cap'
  /** the whole ladder was taken (or it is empty) */
  | 'depth';

/** The part of the order filled at one level. */
export interface SizedFill {
  priceTicks: PriceTicks;
  sizeCentis: SizeCentis;
  /** conservative fee bound of this fill: (size / step) × fee of one step, micros */
  feeMicros: DollarsMicros;
  /** fee per contract charged against the edge (ticks), see `takerFeePerContractTicks` */
  feePerContractTicks: PriceTicks;
  /** marginal net edge per contract here: fair − price − feePerContract (real ticks), >= minEdgeTicks */
  netEdgeTicks: number;
  /** full Kelly fraction at this level's effective price */
  fullKelly: number;
}

/** Result of {@link kellySize}. */
export interface KellySizeResult {
  /** contracts to buy, centis (a multiple of the step) */
  contractsCentis: SizeCentis;
  /** levels taken, in book order */
  fills: SizedFill[];
  /** premium Σ size × price, micros (exact) */
  premiumMicros: DollarsMicros;
  /** fee bound Σ fill fees, micros (exact integer; an upper bound of Kalshi's fee when fills are whole steps) */
  feeMicros: DollarsMicros;
  /** premiumMicros + feeMicros */
  totalCostMicros: DollarsMicros;
  /** premiumMicros / contractsCentis: the exact average price in (real) ticks, not rounded; 0 when nothing is bought */
  averagePriceTicks: number;
  /** p × payout − totalCost = p × contractsCentis × 10000 − totalCostMicros (real micros) */
  expectedValueMicros: number;
  stopReason: SizingStopReason;
}

/**
 * Fractional-Kelly size of a taker buy, walking `asks` in order. At level i (price P_i, fee per contract F_i =
 * `takerFeePerContractTicks(P_i)`, fee of one step φ_i, outlay per step c_i = step × P_i + 100 × φ_i micros):
 * 1. stop (`threshold`) if `p × 10000 − P_i − F_i < minEdgeTicks`;
 * 2. take n_i steps, the largest n <= floor(size_i / step) with outlay so far + n × c_i within
 *    `λ × f*(q_i) × bankroll` (q_i = (P_i + F_i)/10000) and within every cost cap, and the order within
 *    `maxContractsCentis`;
 * 3. continue only if the level was taken in full; else stop with `kelly` or `cap`, whichever allowed less (a tie
 *    reports `kelly`). After the last level: `depth`. A level's size is floored to the step; a level holding less
 *    than one step counts as taken in full (nothing of it can be bought) and the walk goes on. The modelled cost is
 *    then an upper bound: a real sweep would combine such remainders with the next, dearer level.
 *
 * Properties (property-tested): the size never exceeds a cap or the book's depth; it is 0 when the top's net edge is
 * below the threshold; every taken level clears the threshold; it is non-decreasing in p and in the bankroll (two
 * runs take the same full levels until the first level one of them cannot take in full, where the one with the
 * larger p / bankroll is allowed at least as much).
 *
 * Example (in the spec): p 0.55, one ask $0.50 × 200, fee rate 0, half Kelly, $1,000: f* = 0.1, stake $50 → 100
 * contracts, stop `kelly`. With the 0.07 fee: q = 0.5175, f* = 0.0325/0.4825 = 0.06736, stake $33.68 → 65 contracts.
 * @throws SportsbookInputError naming the field on any bad input.
 */
export function kellySize(input: KellySizeInput): KellySizeResult {
  if (typeof input !== 'object' || input === null) throw new SportsbookInputError('input', `expected an object, got ${describeValue(input)}`);
  const p = checkProbability(input.winProbability, 'winProbability');
  const asks = checkAsks(input.asks, 'asks');
  const bankroll = checkInteger(input.bankrollMicros, 'bankrollMicros', 0);
  const lambda = checkNumber(input.kellyFraction, 'kellyFraction', 0, 1);
  if (lambda === 0) throw new SportsbookInputError('kellyFraction', 'expected a number in (0,1], got 0');
  const minEdge = checkNumber(input.minEdgeTicks, 'minEdgeTicks', 0);
  const step = checkSizeStep(input.sizeStepCentis ?? WHOLE_CONTRACT_CENTIS, 'sizeStepCentis');
  const fees = resolveTakerFees(input.fees);
  const caps = checkObject(input.caps, 'caps') as SizingCaps;
  const existing = checkObject(input.existing, 'existing') as ExistingExposure;
  const marketExisting = checkInteger(existing.marketCostMicros ?? 0, 'existing.marketCostMicros', 0);
  const eventExisting = checkInteger(existing.eventCostMicros ?? 0, 'existing.eventCostMicros', 0);

  // Room for this order's outlay under the cost caps (micros, may be fractional via the bankroll fraction).
  let costRoom = Infinity;
  if (caps.maxMarketCostMicros !== undefined) costRoom = Math.min(costRoom, checkInteger(caps.maxMarketCostMicros, 'caps.maxMarketCostMicros', 0) - marketExisting);
  if (caps.maxEventCostMicros !== undefined) costRoom = Math.min(costRoom, checkInteger(caps.maxEventCostMicros, 'caps.maxEventCostMicros', 0) - eventExisting);
  if (caps.maxBankrollFraction !== undefined) costRoom = Math.min(costRoom, checkNumber(caps.maxBankrollFraction, 'caps.maxBankrollFraction', 0, 1) * bankroll - marketExisting);
  const maxSteps = caps.maxContractsCentis === undefined ? Infinity : Math.floor(checkInteger(caps.maxContractsCentis, 'caps.maxContractsCentis', 0) / step);

  const fairTicks = p * ONE_DOLLAR;
  const fills: SizedFill[] = [];
  let outlay = 0; // micros, integer
  let steps = 0;
  let premium = 0;
  let feeTotal = 0;
  let stopReason: SizingStopReason = 'depth';
  for (const [price, size] of asks) {
    const stepFee = stepFeeTicks(price, step, fees);
    const feePerContractTicks = perContractFee(price, step, fees);
    const netEdgeTicks = fairTicks - price - feePerContractTicks;
    if (netEdgeTicks < minEdge) {
      stopReason = 'threshold';
      break;
    }
    const stepCost = step * price + stepFee * MICROS_PER_TICK; // micros per step, integer
    const fullKelly = kelly(p, (price + feePerContractTicks) / ONE_DOLLAR);
    const kellyStake = lambda * fullKelly * bankroll;
    const depthSteps = Math.floor(size / step);
    const kellySteps = Math.max(0, Math.floor((kellyStake - outlay) / stepCost + KELLY_STEP_SLACK));
    const capSteps = Math.max(0, Math.min(Math.floor((costRoom - outlay) / stepCost), maxSteps - steps));
    const n = Math.min(depthSteps, kellySteps, capSteps);
    if (n > 0) {
      const sizeCentis = n * step;
      const feeMicros = n * stepFee * MICROS_PER_TICK;
      fills.push({ priceTicks: price, sizeCentis, feeMicros, feePerContractTicks, netEdgeTicks, fullKelly });
      steps += n;
      outlay += n * stepCost;
      premium += sizeCentis * price;
      feeTotal += feeMicros;
    }
    if (n < depthSteps) {
      stopReason = kellySteps <= capSteps ? 'kelly' : 'cap';
      break;
    }
  }
  const contractsCentis = steps * step;
  return {
    contractsCentis,
    fills,
    premiumMicros: premium,
    feeMicros: feeTotal,
    totalCostMicros: premium + feeTotal,
    averagePriceTicks: contractsCentis === 0 ? 0 : premium / contractsCentis,
    expectedValueMicros: p * contractsCentis * PAYOUT_MICROS_PER_CENTI - (premium + feeTotal),
    stopReason,
  };
}

function checkObject(v: unknown, field: string): object {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SportsbookInputError(field, `expected an object, got ${describeValue(v)}`);
  return v;
}
