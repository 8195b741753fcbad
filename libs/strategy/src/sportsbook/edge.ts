/**
 * Edge of a Kalshi binary market against a sportsbook consensus (issue #5 item 4, `sportsbook_edge`).
 *
 * Units (as in `@kalshi-platform/market`): prices are PriceTicks (integer 1/10000 dollar, $1 = 10000), sizes
 * SizeCentis (integer 1/100 contract). Probabilities are plain numbers in [0,1]. A fair probability p is worth
 * `p × 10000` ticks per contract ("fair ticks"); that product is a real number, so edges are real numbers of ticks
 * (not rounded: rounding a probability to whole ticks would invent or hide up to half a tick of edge).
 *
 * Book semantics (docs.kalshi.com/getting_started/orderbook_responses): Kalshi's book holds bids only; the YES ask
 * ladder is `10000 − p` for every NO bid `p` (with that bid's size), the NO ask ladder likewise from the YES bids.
 * Buying at an ask is a taker trade.
 *
 * Fees (Kalshi fee schedule; rounding docs.kalshi.com/getting_started/fee_rounding): the taker fee of a fill of C
 * contracts at price P is `round_up(rate × C × P × (1 − P))` to `feeRoundingTicks`, computed by
 * `tradingFeeTicks` of `@kalshi-platform/market` (not re-implemented here). The fee charged against the edge of
 * the marginal contract is {@link takerFeePerContractTicks}: the fee of ONE size step, scaled to one contract and
 * rounded up to a whole tick. With the default step of one whole contract this is exactly the one-contract fee the
 * arbitrage detector charges (`libs/strategy/src/arbitrage/detector.ts`), and for the same reason it is an upper
 * bound: with x the unrounded fee of one step in rounding steps, a fill of k steps costs `ceil(k·x) <= k·ceil(x)`,
 * so the per-contract fee of any fill of whole steps never exceeds the one-step fee. It assumes every fill is a
 * whole number of steps (always true in whole-contract markets); a fill of a fraction of a step can cost up to one
 * rounding step more than this bound.
 */
import {
  FEE_ROUNDING_TICKS_CENTICENT,
  ONE_DOLLAR,
  type OrderBook,
  type PriceTicks,
  SIZE_SCALE,
  type SizeCentis,
  STANDARD_TAKER_FEE_BPS,
  tradingFeeTicks,
} from '@kalshi-platform/market';
import { checkInteger, checkProbability, SportsbookInputError } from './errors';
import { describeValue } from '@kalshi-platform/market';

/** One ask level: `[priceTicks, sizeCentis]`, price in 1..9999 ticks, size > 0 centis. */
export type AskLevel = readonly [PriceTicks, SizeCentis];

/** A side of a binary market. */
export type ContractSide = 'yes' | 'no';

/**
 * Taker fee settings (Kalshi fee schedule; docs.kalshi.com/getting_started/fee_rounding), as in the arbitrage
 * detector's `DetectorOptions`:
 * - `takerFeeBps`: fee multiplier in basis points, integer >= 0, default 700 (= 0.07, the standard taker rate);
 * - `feeRoundingTicks`: the fee of a fill is rounded UP to this step, integer >= 1, default 1 ($0.0001); 100 gives
 *   the whole-cent rounding a non-direct member ends up paying.
 */
export interface TakerFeeSettings {
  takerFeeBps?: number;
  feeRoundingTicks?: number;
}

/** Default size step: one whole contract (Kalshi markets without fractional trading). */
export const WHOLE_CONTRACT_CENTIS: SizeCentis = SIZE_SCALE;

/** Fee settings after defaults and validation. */
export interface ResolvedFees {
  rateBps: number;
  roundingTicks: PriceTicks;
}

/**
 * Applies the defaults of {@link TakerFeeSettings} and validates them.
 * @throws SportsbookInputError naming `${field}.takerFeeBps` or `${field}.feeRoundingTicks`.
 */
export function resolveTakerFees(fees: TakerFeeSettings | undefined, field = 'fees'): ResolvedFees {
  if (fees !== undefined && (typeof fees !== 'object' || fees === null)) throw new SportsbookInputError(field, `expected an object, got ${describeValue(fees)}`);
  const rateBps = checkInteger(fees?.takerFeeBps ?? STANDARD_TAKER_FEE_BPS, `${field}.takerFeeBps`, 0);
  const roundingTicks = checkInteger(fees?.feeRoundingTicks ?? FEE_ROUNDING_TICKS_CENTICENT, `${field}.feeRoundingTicks`, 1);
  return { rateBps, roundingTicks };
}

/**
 * Conservative taker fee per contract for the marginal contract bought at `priceTicks`, in whole ticks:
 * `ceil(tradingFeeTicks(price, step) × 100 / step)`. For the default step (100 centis = 1 contract) it is the
 * one-contract fee `tradingFeeTicks(price, 100)`, e.g. $0.50 at 0.07: ceil(0.07 × 0.5 × 0.5 = 0.0175) = 175 ticks.
 * See the module comment for why this bounds the real per-contract fee of any fill of whole steps.
 * @param priceTicks 1..9999
 * @param sizeStepCentis the market's size step in centis (100 = whole contracts), 1..100
 * @throws SportsbookInputError on a bad price, step or fee setting.
 */
export function takerFeePerContractTicks(priceTicks: PriceTicks, sizeStepCentis: SizeCentis = WHOLE_CONTRACT_CENTIS, fees?: TakerFeeSettings): PriceTicks {
  checkAskPrice(priceTicks, 'priceTicks');
  checkSizeStep(sizeStepCentis, 'sizeStepCentis');
  const f = resolveTakerFees(fees);
  return perContractFee(priceTicks, sizeStepCentis, f);
}

/** Fee of one step (ticks) at `priceTicks`, unvalidated. */
export function stepFeeTicks(priceTicks: PriceTicks, sizeStepCentis: SizeCentis, f: ResolvedFees): PriceTicks {
  return tradingFeeTicks(priceTicks, sizeStepCentis, f.rateBps, f.roundingTicks);
}

/** `ceil(stepFee × 100 / step)`, unvalidated. */
export function perContractFee(priceTicks: PriceTicks, sizeStepCentis: SizeCentis, f: ResolvedFees): PriceTicks {
  const stepFee = stepFeeTicks(priceTicks, sizeStepCentis, f);
  return Math.ceil((stepFee * SIZE_SCALE) / sizeStepCentis); // integers < 2^53: exact numerator, exact ceil
}

/** @throws SportsbookInputError unless `v` is an integer price in 1..9999 ticks. */
export function checkAskPrice(v: unknown, field: string): PriceTicks {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > ONE_DOLLAR - 1) {
    throw new SportsbookInputError(field, `expected an integer price in 1..${ONE_DOLLAR - 1} ticks, got ${describeValue(v)}`);
  }
  return v;
}

/** @throws SportsbookInputError unless `v` is an integer size step in 1..100 centis. */
export function checkSizeStep(v: unknown, field: string): SizeCentis {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > SIZE_SCALE) {
    throw new SportsbookInputError(field, `expected an integer size step in 1..${SIZE_SCALE} centis, got ${describeValue(v)}`);
  }
  return v;
}

/**
 * Validates an ask ladder: an array of `[priceTicks, sizeCentis]`, prices integers in 1..9999 strictly ascending,
 * sizes integers > 0.
 * @throws SportsbookInputError naming the level, e.g. `yesAsks[1][0]`.
 */
export function checkAsks(asks: unknown, field: string): readonly AskLevel[] {
  if (!Array.isArray(asks)) throw new SportsbookInputError(field, `expected an array of [priceTicks, sizeCentis], got ${describeValue(asks)}`);
  let prev = 0;
  for (let i = 0; i < asks.length; i++) {
    const level: unknown = asks[i];
    if (!Array.isArray(level) || level.length !== 2) throw new SportsbookInputError(`${field}[${i}]`, `expected [priceTicks, sizeCentis], got ${describeValue(level)}`);
    const price = checkAskPrice(level[0], `${field}[${i}][0]`);
    checkInteger(level[1], `${field}[${i}][1]`, 1);
    if (price <= prev) throw new SportsbookInputError(`${field}[${i}][0]`, `prices must be strictly ascending, got ${price} after ${prev}`);
    prev = price;
  }
  return asks as readonly AskLevel[];
}

/**
 * The YES and NO ask ladders of a Kalshi book, ascending by price: YES asks are `10000 − p` over the NO bids
 * (best NO bid first), NO asks `10000 − p` over the YES bids (docs.kalshi.com/getting_started/orderbook_responses).
 * An invalid book (no snapshot, stale) has empty ladders.
 */
export function asksFromOrderBook(book: OrderBook): { yesAsks: AskLevel[]; noAsks: AskLevel[] } {
  const flip = (side: ContractSide): AskLevel[] => book.depth(side, Number.MAX_SAFE_INTEGER).map(([p, s]) => [ONE_DOLLAR - p, s] as const);
  return { yesAsks: flip('no'), noAsks: flip('yes') };
}

/** Input of {@link sportsbookEdge}. */
export interface SportsbookEdgeInput {
  /** Consensus fair probability that the market resolves YES, in [0,1] (e.g. `@kalshi-platform/odds` `consensus`). */
  fairYes: number;
  /** YES asks, ascending `[priceTicks, sizeCentis]` (only the first level is used here). */
  yesAsks: readonly AskLevel[];
  /** NO asks, ascending `[priceTicks, sizeCentis]`. */
  noAsks: readonly AskLevel[];
  /** Taker fee settings (default 0.07, rounded up to $0.0001). */
  fees?: TakerFeeSettings;
  /** The market's size step in centis, 1..100 (default 100 = whole contracts); sets the fee bound. */
  sizeStepCentis?: SizeCentis;
}

/** Edge of buying one side at its best ask, per one contract. */
export interface SideEdge {
  side: ContractSide;
  /** best ask of this side, ticks */
  askTicks: PriceTicks;
  /** size at the best ask, centis */
  askSizeCentis: SizeCentis;
  /** probability this side pays × 10000 (real): `fairYes × 10000` for YES, `10000 − fairYes × 10000` for NO */
  fairTicks: number;
  /** {@link takerFeePerContractTicks} at the ask (integer ticks) */
  feePerContractTicks: PriceTicks;
  /** `fairTicks − askTicks` (real ticks) */
  grossEdgeTicks: number;
  /** `grossEdgeTicks − feePerContractTicks` (real ticks) */
  netEdgeTicks: number;
}

/** Result of {@link sportsbookEdge}. */
export interface SportsbookEdgeResult {
  /** null when the YES ask ladder is empty */
  yes: SideEdge | null;
  /** null when the NO ask ladder is empty */
  no: SideEdge | null;
  /** the side with the larger net edge, if that edge is > 0 (a tie goes to YES); null when neither side is positive */
  best: SideEdge | null;
}

/**
 * Top-of-book edge per contract of each side against a fair probability:
 * - YES: `net = fair × 10000 − (yesAsk + fee(yesAsk))`;
 * - NO:  `net = (1 − fair) × 10000 − (noAsk + fee(noAsk))`;
 * with `fee` = {@link takerFeePerContractTicks}. Example: fair 0.55, YES ask $0.50 → gross 500, fee 175, net 325 ticks.
 *
 * Symmetry (exact up to the floating-point rounding of `fair × 10000`): the YES result for `(fair, yesAsks, noAsks)`
 * equals the NO result for `(1 − fair, noAsks, yesAsks)`, because the fee is symmetric in P ↔ 1 − P. The two sides
 * are antisymmetric up to the book's spread: `grossYes + grossNo = 10000 − yesAsk − noAsk` (= −(YES ask − YES bid),
 * independent of `fair`), so on a locked book `grossYes = −grossNo`, and on an uncrossed book at most one side has
 * a positive gross (hence net) edge.
 * @throws SportsbookInputError naming the field on a probability outside [0,1], a malformed ladder or bad fees.
 */
export function sportsbookEdge(input: SportsbookEdgeInput): SportsbookEdgeResult {
  if (typeof input !== 'object' || input === null) throw new SportsbookInputError('input', `expected an object, got ${describeValue(input)}`);
  const fairYes = checkProbability(input.fairYes, 'fairYes');
  const yesAsks = checkAsks(input.yesAsks, 'yesAsks');
  const noAsks = checkAsks(input.noAsks, 'noAsks');
  const fees = resolveTakerFees(input.fees);
  const step = checkSizeStep(input.sizeStepCentis ?? WHOLE_CONTRACT_CENTIS, 'sizeStepCentis');
  const fairYesTicks = fairYes * ONE_DOLLAR;
  const yes = sideEdge('yes', fairYesTicks, yesAsks, fees, step);
  const no = sideEdge('no', ONE_DOLLAR - fairYesTicks, noAsks, fees, step);
  let best: SideEdge | null = null;
  if (yes && yes.netEdgeTicks > 0) best = yes;
  if (no && no.netEdgeTicks > 0 && (best === null || no.netEdgeTicks > best.netEdgeTicks)) best = no;
  return { yes, no, best };
}

function sideEdge(side: ContractSide, fairTicks: number, asks: readonly AskLevel[], fees: ResolvedFees, step: SizeCentis): SideEdge | null {
  if (asks.length === 0) return null;
  const [askTicks, askSizeCentis] = asks[0];
  const feePerContractTicks = perContractFee(askTicks, step, fees);
  const grossEdgeTicks = fairTicks - askTicks;
  return { side, askTicks, askSizeCentis, fairTicks, feePerContractTicks, grossEdgeTicks, netEdgeTicks: grossEdgeTicks - feePerContractTicks };
}
