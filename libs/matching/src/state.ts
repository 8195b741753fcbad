/**
 * Internal mutable state of the engine: markets, accounts and per-(account, market) positions, plus the collateral
 * formula. Not exported from the package; the public API returns views (types.ts).
 */
import type { TickStructure } from '@kalshi-platform/market';
import type { BookOrder } from './book-order';
import type { Micros } from './fixed';
import { PriceLadder } from './ladder';
import type { MarketResult, MarketStatus } from './types';

/** $1 in ticks: the payout of a winning contract and the sum of a YES and a NO price that cross. */
export const DOLLAR = 10_000;

export class MarketState {
  /** Resting YES bids: buy YES at p and sell NO at 10000 - p. */
  readonly bids = new PriceLadder(true, 1001, 10);
  /** Resting YES asks: sell YES at p and buy NO at 10000 - p. */
  readonly asks = new PriceLadder(false, 1001, 10);
  status: MarketStatus = 'open';
  result: MarketResult | undefined = undefined;
  /** Every position ever opened in this market (settlement walks them). */
  readonly positions: PositionState[] = [];
  openInterestCentis = 0;
  volumeCentis = 0;
  /** Live reduce-only orders resting on the bid / ask ladder (a dry run can only use level aggregates when 0). */
  reduceOnlyBids = 0;
  reduceOnlyAsks = 0;
  /** Smallest possible fill, centis: 100 unless fractional trading is enabled. */
  readonly minFillCentis: number;

  constructor(
    /** Dense index of the market in its engine (positions are looked up by it). */
    readonly index: number,
    readonly ticker: string,
    readonly series: string,
    readonly tickStructure: TickStructure,
    readonly fractional: boolean,
    readonly takerFeeBps: number,
    readonly makerFeeBps: number,
    /** Per-fill slack of the fee reserve for Kalshi's rounding fee, ticks (0 when no fill can leave a remainder). */
    readonly roundingSlackTicks: number,
  ) {
    this.minFillCentis = fractional ? 1 : 100;
  }
}

export class AccountState {
  cashTicks = 0;
  /** Sum of the positions' collateral requirements, micros. */
  collateralMicros = 0;
  /** Sum of the live orders' fee reserves, ticks. */
  feeReserveTicks = 0;
  netDepositsTicks = 0;
  feesPaidMicros = 0;
  realizedPnlMicros = 0;
  costBasisMicros = 0;
  readonly positions = new Map<string, PositionState>();
  /** The same positions indexed by {@link MarketState.index} (the hot-path lookup). */
  readonly byMarket: (PositionState | undefined)[] = [];
  /** Client order ids ever used by this account (Kalshi answers a duplicate with 409). */
  readonly clientOrderIds = new Set<string>();

  constructor(readonly id: string) {}

  /** cash - collateral - fee reserves, micros (never negative; see the accounting notes in engine.ts). */
  availableMicros(): Micros {
    return this.cashTicks * 100 - this.collateralMicros - this.feeReserveTicks * 100;
  }
}

export class PositionState {
  /** Signed centis, YES terms. */
  pos = 0;
  costBasisMicros = 0;
  realizedPnlMicros = 0;
  feesPaidMicros = 0;
  volumeCentis = 0;
  /** Live YES-bid orders of this account here (resting, or the incoming order while it matches): total size and sum of yesPrice x size. */
  bidSize = 0;
  bidNotional = 0;
  /** Live YES-ask orders: total size and sum of (10000 - yesPrice) x size (what buying the NO side would cost). */
  askSize = 0;
  askNotional = 0;
  /** Current collateral requirement, micros (see {@link collateralRequirement}). */
  collateralMicros = 0;
  feeReserveTicks = 0;
  /** Resting orders on the bid / ask ladder. */
  bidOrders = 0;
  askOrders = 0;
  /** Resting reduce-only orders (re-capped whenever the position shrinks). */
  readonly reduceOnly: BookOrder[] = [];

  constructor(
    readonly account: AccountState,
    readonly market: MarketState,
  ) {}
}

/**
 * Collateral an account must hold for its live orders in one market, micros: the worst-case cash outflow if they fill.
 *
 * `max(0, bidNotional - $1 x min(NO held, bidSize)) + max(0, askNotional - $1 x min(YES held, askSize))`
 *
 * - A YES bid (buy YES at p, or sell NO at 1 - p) costs p per contract when it opens a position, and returns 1 - p
 *   when it closes NO the account holds (YES + NO of one market pay back $1). Over any set of bid fills, the NO held
 *   covers the first `NO held` contracts, each turning a cost of p into a gain of 1 - p, a swing of exactly $1; the
 *   worst case is all bids filling: `bidNotional - $1 x min(NO held, bidSize)`.
 * - A YES ask (sell YES at p, or buy NO at 1 - p) symmetrically costs 1 - p when it opens NO and returns p when it
 *   sells YES held. So a buy at price x size locks exactly price x size; selling contracts you hold needs no
 *   collateral; selling beyond them locks what opening the other side costs ((1 - p) per contract) less what selling
 *   the held ones brings in (e.g. holding 1 YES, a sell of 3 YES at 0.60 locks 2 x 0.40 - 0.60 = $0.20).
 * The two sides are added (conservative: fills on both sides only ever net out).
 *
 * Safety (proved in the engine notes, checked by the property tests): a fill never lowers `cash - collateral - fee
 * reserve`, so an order accepted with enough available cash can never drive a balance negative.
 */
export function collateralRequirement(pos: number, bidSize: number, bidNotional: number, askSize: number, askNotional: number): Micros {
  let r = 0;
  const noHeld = pos < 0 ? -pos : 0;
  const outB = bidNotional - DOLLAR * (noHeld < bidSize ? noHeld : bidSize);
  if (outB > 0) r += outB;
  const yesHeld = pos > 0 ? pos : 0;
  const outA = askNotional - DOLLAR * (yesHeld < askSize ? yesHeld : askSize);
  if (outA > 0) r += outA;
  return r;
}
