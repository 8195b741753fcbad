/**
 * Public types of the matching engine of the mock Kalshi exchange.
 *
 * Units everywhere: prices {@link PriceTicks} (integer 1/10000 dollar, $1 = 10000), sizes {@link SizeCentis}
 * (integer 1/100 contract), cash that is a price times a size {@link Micros} (integer 1/1,000,000 dollar; a tick
 * times a centi is one micro), balances and fees {@link PriceTicks} (Kalshi rounds direct members' balances to
 * $0.0001, docs.kalshi.com/getting_started/fee_rounding). Timestamps are milliseconds since the Unix epoch, supplied
 * by the caller (the engine has no clock of its own). Positions are signed centis in YES terms: +100 = long 1 YES,
 * -100 = long 1 NO (Kalshi's `position_fp` convention).
 */
import type { Level, PriceTicks, SizeCentis, TickStructure } from '@kalshi-platform/market';
import type { Micros } from './fixed';

export type { Micros } from './fixed';

/** Contract side of an order (Kalshi `side`). */
export type Side = 'yes' | 'no';
/** Direction of an order (Kalshi `action`). */
export type Action = 'buy' | 'sell';
/** Kalshi `time_in_force` (docs.kalshi.com/api-reference/orders/create-order). */
export type TimeInForce = 'good_till_canceled' | 'immediate_or_cancel' | 'fill_or_kill';
/**
 * Kalshi `self_trade_prevention_type` (docs.kalshi.com/api-reference/orders/create-order): `taker_at_cross` cancels
 * the taker order when it would trade against another order of the same account ("execution stops and any partial
 * fills already matched are executed"); `maker` cancels the resting maker order and continues matching.
 */
export type SelfTradePrevention = 'taker_at_cross' | 'maker';
/**
 * Order status as Kalshi reports it: `resting` (on the book), `executed` (fully filled), `canceled` (any other end);
 * plus `pending` while an accepted order is still being matched within the call (it appears only in the events that
 * precede the order's `order_resting` / `order_filled` / `order_canceled`).
 */
export type OrderStatus = 'pending' | 'resting' | 'executed' | 'canceled';
/** Market lifecycle, driven by method calls: open -> closed -> determined -> settled. */
export type MarketStatus = 'open' | 'closed' | 'determined' | 'settled';
/** Outcome of a determined market. */
export type MarketResult = 'yes' | 'no';

/**
 * A new order (Kalshi `POST /portfolio/orders`, docs.kalshi.com/api-reference/orders/create-order), already decoded
 * into integers.
 */
export interface OrderRequest {
  /** Exchange-assigned order id; must not collide with a live (resting) order. */
  orderId: string;
  /** Client order id; unique per account over the engine's lifetime (Kalshi answers a duplicate with 409). */
  clientOrderId?: string;
  accountId: string;
  marketTicker: string;
  side: Side;
  action: Action;
  /** Limit price in the order's own side terms (Kalshi `yes_price_dollars` / `no_price_dollars`), ticks; must be valid for the market's tick structure. */
  priceTicks: PriceTicks;
  /** Size in centis, a positive integer; a multiple of 100 unless the market has fractional trading enabled. */
  sizeCentis: SizeCentis;
  /** Default `good_till_canceled`. */
  timeInForce?: TimeInForce;
  /** Rejected (`post_only_would_cross`) instead of taking liquidity. Only with `good_till_canceled`. */
  postOnly?: boolean;
  /** May only reduce the account's position in this market: size capped at the position, rejected if it would not reduce it. */
  reduceOnly?: boolean;
  /**
   * Kalshi `buy_max_cost` (in ticks here; Kalshi's field is cents): maximum total cost (sum of fill price x size, fees
   * excluded) of a buy. As Kalshi documents, the order then behaves as fill-or-kill: it fills entirely, now, within the
   * cost, or not at all. Only for `action: 'buy'`.
   */
  buyMaxCostTicks?: PriceTicks;
  /**
   * Kalshi `expiration_ts` (in ms here; Kalshi's is seconds): a good_till_canceled order is canceled once the engine
   * clock reaches it; a time already reached makes it immediate-or-cancel. Rejected with immediate_or_cancel (as
   * Kalshi does); irrelevant (ignored) with fill_or_kill, which never rests.
   */
  expirationTsMs?: number;
  /** Default `taker_at_cross`. */
  selfTradePrevention?: SelfTradePrevention;
}

/** Why an order (or another request) was refused. Nothing changed when a request is rejected. */
export type RejectReason =
  | 'unknown_account'
  | 'unknown_market'
  | 'market_not_open'
  | 'duplicate_order_id'
  | 'duplicate_client_order_id'
  | 'invalid_order_id'
  | 'invalid_side'
  | 'invalid_action'
  | 'invalid_price'
  | 'invalid_size'
  | 'fractional_not_allowed'
  | 'invalid_time_in_force'
  | 'invalid_self_trade_prevention'
  | 'post_only_requires_good_till_canceled'
  | 'post_only_would_cross'
  | 'expiration_not_allowed_with_immediate_or_cancel'
  | 'invalid_expiration'
  | 'reduce_only_would_not_reduce'
  | 'buy_max_cost_on_sell'
  | 'invalid_buy_max_cost'
  | 'insufficient_balance'
  | 'order_not_found'
  | 'invalid_decrease'
  | 'invalid_amend'
  | 'invalid_amount'
  | 'position_limit_exceeded'
  | 'account_exists'
  | 'invalid_account_id'
  | 'market_exists'
  | 'invalid_market_config'
  | 'invalid_transition';

/** Why a live order ended without filling completely. */
export type CancelReason =
  /** canceled by its owner (cancel, or decrease to zero) */
  | 'user_canceled'
  /** immediate_or_cancel: the part that did not fill at once */
  | 'immediate_or_cancel'
  /** fill_or_kill (or buy_max_cost): could not fill entirely at once (within the cost cap) */
  | 'fill_or_kill'
  /** self-trade prevention canceled this order (taker under taker_at_cross, maker under maker) */
  | 'self_trade_prevention'
  /** a reduce-only order whose position is gone (or smaller than its size and then zero) */
  | 'reduce_only'
  /** the market closed */
  | 'market_closed'
  /** replaced by an amend that changed price or grew the size (the order continues under the same id) */
  | 'amended';

/** Snapshot of an order (Kalshi `Order`, docs.kalshi.com/api-reference/orders/get-order), integers. */
export interface OrderView {
  orderId: string;
  clientOrderId?: string;
  accountId: string;
  marketTicker: string;
  side: Side;
  action: Action;
  /** Own-side limit price, ticks. */
  priceTicks: PriceTicks;
  /** The same limit in YES terms, ticks. */
  yesPriceTicks: PriceTicks;
  /** Size at entry (after a reduce-only cap), centis. */
  initialCentis: SizeCentis;
  remainingCentis: SizeCentis;
  filledCentis: SizeCentis;
  status: OrderStatus;
  timeInForce: TimeInForce;
  postOnly: boolean;
  reduceOnly: boolean;
  selfTradePrevention: SelfTradePrevention;
  expirationTsMs?: number;
  createdTsMs: number;
  /** Sum of price x size of the fills where this order took / made liquidity, micros (own-side prices). */
  takerFillCostMicros: Micros;
  makerFillCostMicros: Micros;
  /** Trade fees paid as taker / maker, ticks. */
  takerFeesTicks: PriceTicks;
  makerFeesTicks: PriceTicks;
  /** Arrival sequence (time priority within a price; smaller = older). */
  seq: number;
}

/**
 * One side of a trade, as Kalshi's `fill` (WebSocket `fill` channel, `GET /portfolio/fills`). Each match produces
 * two fills with the same `tradeId`: the taker's and the maker's.
 */
export interface Fill {
  tradeId: string;
  orderId: string;
  accountId: string;
  marketTicker: string;
  side: Side;
  action: Action;
  /** Trade price in this order's own side terms, ticks (= yesPriceTicks for a YES order, 10000 - yesPriceTicks for a NO order). */
  priceTicks: PriceTicks;
  /** Trade price in YES terms, ticks: the maker's resting price. */
  yesPriceTicks: PriceTicks;
  sizeCentis: SizeCentis;
  isTaker: boolean;
  /** Trade fee `round_up(rate x C x P x (1-P))` to the fee rounding step (default $0.0001), ticks. */
  feeTicks: PriceTicks;
  /** Kalshi rounding fee of this fill (sub-balance-precision part of the cash change), micros; usually 0. */
  roundingFeeMicros: Micros;
  /** Rebate of accumulated rounding fees paid back with this fill, ticks; usually 0. */
  rebateTicks: PriceTicks;
  tsMs: number;
}

/** Position of an account in a market (Kalshi `market_positions`), integers. */
export interface PositionView {
  accountId: string;
  marketTicker: string;
  /** Signed centis, YES terms (+ YES held, - NO held). */
  positionCentis: SizeCentis;
  /** What the held contracts cost (Kalshi `market_exposure` / `position_cost`), micros. */
  costBasisMicros: Micros;
  /** Realized PnL from closing trades and settlement, gross of fees, micros. */
  realizedPnlMicros: Micros;
  /** Fees paid in this market (trade fees + rounding fees - rebates), micros. */
  feesPaidMicros: Micros;
  /** Collateral held for this account's live orders in this market (worst-case cash outflow), micros. */
  collateralMicros: Micros;
  /** Fee reserve held for the live orders, ticks. */
  feeReserveTicks: PriceTicks;
  /** Maximum loss in this market: cost basis + collateral + fee reserve, micros. */
  exposureMicros: Micros;
  /** Contracts traded in this market, centis. */
  volumeCentis: SizeCentis;
  restingOrders: number;
}

/** Balance of an account (Kalshi `GET /portfolio/balance`), integers. */
export interface AccountView {
  accountId: string;
  /** All cash the account has, ticks (a multiple of the balance precision). */
  cashTicks: PriceTicks;
  /** Part of the cash held for live orders (collateral rounded up to a tick + fee reserves), ticks. */
  lockedTicks: PriceTicks;
  /** cash - locked: what new orders and withdrawals may use, ticks. */
  availableTicks: PriceTicks;
  /** Net deposits (deposits - withdrawals), ticks. */
  netDepositsTicks: PriceTicks;
  feesPaidMicros: Micros;
  realizedPnlMicros: Micros;
  /** Sum of the positions' cost bases, micros. */
  costBasisMicros: Micros;
  positions: PositionView[];
}

/** Market definition for {@link MatchingEngine.createMarket}. */
export interface MarketConfig {
  marketTicker: string;
  /** Series of the market (fees are configured per series). Default: the market ticker's prefix before the first '-'. */
  seriesTicker?: string;
  /** Kalshi `price_level_structure`. Default `linear_cent`. */
  tickStructure?: TickStructure;
  /** Kalshi `fractional_trading_enabled`: sizes may then be any number of centis. Default false (multiples of 100). */
  fractionalTradingEnabled?: boolean;
  /** Override of the series taker fee multiplier, basis points. */
  takerFeeBps?: number;
  /** Override of the series maker fee multiplier, basis points. */
  makerFeeBps?: number;
}

/** Fee multipliers of a series, basis points (700 = 0.07). */
export interface SeriesFees {
  takerFeeBps: number;
  makerFeeBps: number;
}

/** Snapshot of a market. */
export interface MarketView {
  marketTicker: string;
  seriesTicker: string;
  tickStructure: TickStructure;
  fractionalTradingEnabled: boolean;
  status: MarketStatus;
  result?: MarketResult;
  takerFeeBps: number;
  makerFeeBps: number;
  /** Contracts outstanding (YES held = NO held), centis. */
  openInterestCentis: SizeCentis;
  /** Contracts traded, centis. */
  volumeCentis: SizeCentis;
  restingOrders: number;
}

/**
 * The book as Kalshi publishes it (docs.kalshi.com/getting_started/orderbook_responses): bids only, one ladder of
 * YES bids and one of NO bids (= the YES asks mirrored, 10000 - p), each ascending by price (best bid LAST), levels
 * `[priceTicks, sizeCentis]` aggregated over the resting orders.
 */
export interface BookView {
  marketTicker: string;
  yes: Level[];
  no: Level[];
}

/** One level change of the published book (drives Kalshi `orderbook_delta`). */
export interface BookDelta {
  marketTicker: string;
  /** Which published ladder changed. */
  side: Side;
  /** Price in that ladder's terms (NO ladder: 10000 - YES ask), ticks. */
  priceTicks: PriceTicks;
  /** Signed change of the aggregate size, centis (never 0). */
  deltaCentis: SizeCentis;
  /** New aggregate size at the level, centis (0 = the level is gone). */
  sizeCentis: SizeCentis;
}

/** Common fields of the order life-cycle events. */
export interface OrderEventBase {
  orderId: string;
  clientOrderId: string | undefined;
  accountId: string;
  marketTicker: string;
  side: Side;
  action: Action;
  priceTicks: PriceTicks;
  remainingCentis: SizeCentis;
  filledCentis: SizeCentis;
  status: OrderStatus;
  tsMs: number;
}

/** Events out of every engine call, in the order they happened (fan them out to REST, WebSocket `fill` / `user_orders` / `market_positions` / `orderbook_delta`, FIX ExecutionReports). */
export type EngineEvent =
  | ({ type: 'order_accepted'; initialCentis: SizeCentis } & OrderEventBase)
  | ({ type: 'order_resting' } & OrderEventBase)
  | ({ type: 'order_partially_filled' } & OrderEventBase)
  | ({ type: 'order_filled' } & OrderEventBase)
  | ({ type: 'order_canceled'; reason: CancelReason; canceledCentis: SizeCentis } & OrderEventBase)
  | ({ type: 'order_expired'; canceledCentis: SizeCentis } & OrderEventBase)
  | ({ type: 'order_decreased'; reducedByCentis: SizeCentis } & OrderEventBase)
  | ({ type: 'order_amended'; previousPriceTicks: PriceTicks } & OrderEventBase)
  | {
      type: 'order_rejected';
      orderId: string;
      clientOrderId: string | undefined;
      accountId: string;
      marketTicker: string;
      reason: RejectReason;
      message: string;
      tsMs: number;
    }
  | ({ type: 'fill' } & Fill)
  | ({ type: 'position_changed'; tsMs: number } & Pick<
      PositionView,
      'accountId' | 'marketTicker' | 'positionCentis' | 'costBasisMicros' | 'realizedPnlMicros' | 'feesPaidMicros' | 'volumeCentis'
    >)
  | ({ type: 'orderbook_delta'; tsMs: number } & BookDelta)
  | { type: 'market_status_changed'; marketTicker: string; status: MarketStatus; result?: MarketResult; tsMs: number }
  | {
      type: 'settlement';
      accountId: string;
      marketTicker: string;
      result: MarketResult;
      /** Position settled, centis (YES terms). */
      positionCentis: SizeCentis;
      /** $1 per winning contract, ticks. */
      payoutTicks: PriceTicks;
      /** Realized PnL of the settlement (payout - cost basis), micros. */
      realizedPnlMicros: Micros;
      tsMs: number;
    }
  | { type: 'balance_changed'; accountId: string; cashTicks: PriceTicks; availableTicks: PriceTicks; deltaTicks: PriceTicks; tsMs: number };

/** Narrows {@link EngineEvent} by its `type`. */
export type EventOf<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

/** Result of a request that was refused: nothing changed; `reason` names the problem, `message` says it in words. */
export interface Rejected {
  ok: false;
  reason: RejectReason;
  message: string;
  events: EngineEvent[];
}

/** Result of {@link MatchingEngine.placeOrder}. */
export type PlaceResult =
  | {
      ok: true;
      orderId: string;
      /** Status after this call: `resting`, `executed`, or `canceled` (IOC remainder, FOK, STP). */
      status: OrderStatus;
      filledCentis: SizeCentis;
      remainingCentis: SizeCentis;
      /** Size the order was accepted with (a reduce-only order may be capped below the request). */
      acceptedCentis: SizeCentis;
      cancelReason?: CancelReason;
      events: EngineEvent[];
    }
  | Rejected;

/** Result of a request that only produces events (cancel, decrease, lifecycle, deposits). */
export type OpResult = { ok: true; events: EngineEvent[] } | Rejected;

/** Options of {@link MatchingEngine}. */
export interface EngineOptions {
  /** Initial engine clock, ms. Default 0. */
  nowMs?: number;
  /** Fee multipliers of series without their own entry. Default taker 700 bps (0.07), maker 0. */
  defaultFees?: SeriesFees;
  /** Fee multipliers per series ticker. */
  seriesFees?: Record<string, SeriesFees>;
  /** Rounding step of trade fees, ticks. Default 1 ($0.0001, docs.kalshi.com/getting_started/fee_rounding). */
  feeRoundingTicks?: PriceTicks;
  /**
   * Target balance precision, ticks: 1 ($0.0001, direct members; default) or 100 ($0.01, non-direct members).
   * Balances are kept at this precision and the remainder of each fill's cash change is charged as Kalshi's rounding
   * fee (docs.kalshi.com/getting_started/fee_rounding).
   */
  balancePrecisionTicks?: 1 | 100;
  /** Prefix of generated trade ids (`T1`, `T2`, ...). Default `T`. Ignored when `tradeId` is given. */
  tradeIdPrefix?: string;
  /**
   * Trade id of the n-th trade (n = 1, 2, ...). Must be deterministic in n, since a journal replay regenerates the
   * ids; Kalshi's trade ids are UUIDs, which the mock venue derives from n.
   */
  tradeId?: (n: number) => string;
  /** Emit `orderbook_delta` events in the per-call event arrays. Default true. */
  bookDeltaEvents?: boolean;
  /** Called for every book level change, in addition to (or instead of) the events. */
  onBookDelta?: (delta: BookDelta, tsMs: number) => void;
}
