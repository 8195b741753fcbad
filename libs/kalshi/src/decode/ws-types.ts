/**
 * Typed Kalshi WebSocket v2 frames (server → client), as produced by {@link decodeWsFrame}.
 *
 * Shapes follow Kalshi's AsyncAPI (docs.kalshi.com/asyncapi.yaml and the pages under docs.kalshi.com/websockets/)
 * and the real captures in `shared/data` (demo capture 2026-07-01, ssmd ticker/trade 2026-02-12, legacy ticker
 * 2025-01-16). Every frame is `{type, sid?, seq?, id?, msg}` on the wire; here the envelope fields and the
 * `msg` fields are flattened into one camelCase object.
 *
 * Units: prices are {@link PriceTicks} (integer 1/10000 dollar), contract counts {@link SizeCentis} (integer
 * 1/100 contract), money amounts {@link DollarsMicros} (integer 1/1,000,000 dollar), timestamps `tsMs`
 * (integer Unix milliseconds; from `ts_ms`, else `ts` seconds × 1000).
 *
 * Optional fields: on the two hot-path frames (`orderbook_snapshot`, `orderbook_delta`) every declared key is
 * always present and is `undefined` when the wire field was absent (one hidden class for all frames); on all
 * other frames absent fields are left out. Treat "absent" and "undefined" alike.
 *
 * No heartbeat data frame exists: Kalshi's 10-second heartbeat is a WebSocket Ping control frame (payload
 * `heartbeat`), handled by the WebSocket library, never a JSON text frame (docs.kalshi.com/websockets/websocket-connection).
 */
import type { PriceTicks, SizeCentis } from '@kalshi-platform/market';
import type { BidAsk, BuySell, Dialect, Level, PriceLevelStructure, YesNo } from './common';
import type { DollarsMicros } from './fixed';

/**
 * `orderbook_snapshot` (channel `orderbook_delta`): the full YES and NO bid ladders of one market.
 * Wire (fixed point): `{"type":"orderbook_snapshot","sid":1,"seq":2,"msg":{"market_ticker":…,"market_id":…,
 * "yes_dollars_fp":[["0.0100","1406474.86"],…],"no_dollars_fp":[…]}}`; a side's key is absent when the side is empty.
 * Legacy: `msg.yes`/`msg.no` = `[[cents, count], …]`. Transitional `yes_dollars`/`no_dollars` (`[["0.0800", 300]]`)
 * are accepted too. Ladders are ascending by price (best bid last), strictly increasing, prices in 1..9999 ticks,
 * sizes ≥ 0; the decoder rejects anything else.
 * Source: docs.kalshi.com/websockets/orderbook-updates; getting_started/orderbook_responses.
 */
export interface OrderbookSnapshotFrame {
  type: 'orderbook_snapshot';
  sid: number;
  seq: number;
  marketTicker: string;
  marketId?: string;
  yes: Level[];
  no: Level[];
  dialect: Dialect;
}

/**
 * `orderbook_delta` (channel `orderbook_delta`): a signed change of the resting size at one price of one side.
 * Wire (fixed point): `{"type":"orderbook_delta","sid":1,"seq":10,"msg":{"market_ticker":…,"market_id":…,
 * "price_dollars":"0.7400","delta_fp":"-1.84","side":"no","ts":"2026-07-01T02:31:45.308599Z","ts_ms":1782873105308}}`.
 * Legacy: `price` (integer cents) and `delta` (integer contracts).
 * `ts` is kept verbatim (RFC 3339, up to microseconds, trailing zeros trimmed) so that re-encoding is byte-exact;
 * it is not parsed on the hot path. `clientOrderId`/`subaccount` appear when the change was caused by one of
 * the subscriber's own orders. Source: docs.kalshi.com/websockets/orderbook-updates.
 */
export interface OrderbookDeltaFrame {
  type: 'orderbook_delta';
  sid: number;
  seq: number;
  marketTicker: string;
  marketId?: string;
  side: YesNo;
  priceTicks: PriceTicks;
  deltaCentis: SizeCentis;
  tsMs?: number;
  /** The wire `ts` string, verbatim (RFC 3339 with up to 6 fractional digits). */
  ts?: string;
  clientOrderId?: string;
  subaccount?: number;
  dialect: Dialect;
}

/** `subscribed` reply to a `subscribe` command: `{"type":"subscribed","id":2,"msg":{"channel":"orderbook_delta","sid":1}}`. */
export interface SubscribedFrame {
  type: 'subscribed';
  id?: number;
  sid: number;
  channel: string;
}

/** `unsubscribed` reply to `unsubscribe`: `{"type":"unsubscribed","id":3,"sid":2,"seq":7}` (docs.kalshi.com/websockets). */
export interface UnsubscribedFrame {
  type: 'unsubscribed';
  id?: number;
  sid: number;
  seq?: number;
}

/**
 * `ok` reply (e.g. to `update_subscription`): `{"type":"ok","id":6,"sid":1,"seq":1,"msg":{"market_tickers":[…]}}`.
 * Note (demo capture): an `ok` on a data sid consumes a number of that sid's `seq`.
 */
export interface OkFrame {
  type: 'ok';
  id?: number;
  sid?: number;
  seq?: number;
  marketTickers?: string[];
}

/**
 * `error` reply: `{"type":"error","id":123,"msg":{"code":6,"msg":"Already subscribed"}}`. See
 * {@link WS_ERROR_CODES} for the documented codes (docs.kalshi.com/asyncapi.yaml, "Error Codes Reference").
 */
export interface ErrorFrame {
  type: 'error';
  id?: number;
  sid?: number;
  code: number;
  msg: string;
}

/** One subscription as listed by `list_subscriptions`. */
export interface WsSubscriptionInfo {
  sid: number;
  channel?: string;
  channels?: string[];
  marketTickers?: string[];
  marketIds?: string[];
  eventTickers?: string[];
}

/**
 * Reply to the `list_subscriptions` command. Accepted wire forms (Kalshi's docs and clients disagree):
 * `{"type":"list_subscriptions","id":4,"msg":{"subscriptions":[{"sid":1,"channel":"ticker",…}]}}`,
 * the same with `subscriptions` at top level, or an `ok` frame whose `msg` is the array of subscriptions.
 */
export interface ListSubscriptionsFrame {
  type: 'list_subscriptions';
  id?: number;
  subscriptions: WsSubscriptionInfo[];
}

/**
 * `ticker` (channel `ticker`): market summary. No `seq` (KALSHI_API.md; ssmd capture). Fixed point: `price_dollars`,
 * `yes_bid_dollars`, `yes_ask_dollars`, `*_size_fp`, `volume_fp`, `open_interest_fp`; legacy: `price`, `yes_bid`,
 * `yes_ask` (cents), `volume`, `open_interest` (contracts). `dollar_volume`/`dollar_open_interest` are integers
 * (whole dollars) in both dialects. Source: docs.kalshi.com/websockets/market-ticker.
 */
export interface TickerFrame {
  type: 'ticker';
  sid: number;
  seq?: number;
  marketTicker: string;
  marketId?: string;
  /** Last traded price (`price_dollars` / legacy `price`). */
  priceTicks: PriceTicks;
  /** Alias of {@link TickerFrame.priceTicks}. */
  lastPriceTicks: PriceTicks;
  yesBidTicks: PriceTicks;
  yesAskTicks: PriceTicks;
  yesBidSizeCentis?: SizeCentis;
  yesAskSizeCentis?: SizeCentis;
  lastTradeSizeCentis?: SizeCentis;
  volumeCentis?: SizeCentis;
  openInterestCentis?: SizeCentis;
  /** `dollar_volume`, whole dollars as sent. */
  dollarVolume?: number;
  /** `dollar_open_interest`, whole dollars as sent. */
  dollarOpenInterest?: number;
  tsMs: number;
  /** `time` (RFC 3339) when sent. */
  time?: string;
  dialect: Dialect;
}

/**
 * `trade` (channel `trade`): a public trade print. Fixed point: `yes_price_dollars`, `no_price_dollars`,
 * `count_fp`; legacy: `yes_price`, `no_price` (cents), `count`. `taker_outcome_side`/`taker_book_side` were added
 * in May 2026 (getting_started/order_direction); `takerSide` falls back to `taker_outcome_side` when `taker_side`
 * is absent. Source: docs.kalshi.com/websockets/public-trades.
 */
export interface TradeFrame {
  type: 'trade';
  sid: number;
  seq?: number;
  tradeId: string;
  marketTicker: string;
  yesPriceTicks: PriceTicks;
  noPriceTicks: PriceTicks;
  countCentis: SizeCentis;
  takerSide: YesNo;
  takerOutcomeSide?: YesNo;
  takerBookSide?: BidAsk;
  tsMs: number;
  createdTime?: string;
  dialect: Dialect;
}

/**
 * `fill` (channel `fill`, private): one of the subscriber's own fills. Demo capture shape:
 * `{trade_id, order_id, market_ticker, is_taker, side, ts, ts_ms, yes_price_dollars, count_fp, fee_cost:"0.054600",
 * action, post_position_fp, purchased_side, outcome_side, book_side, subaccount}`; the `fill` sid carries no `seq`.
 * `fee_cost` has 6 decimals and is kept exactly as integer micro-dollars in `feeCostMicros` (54600 = $0.0546).
 * Legacy: `yes_price`/`no_price` cents, `count`, `post_position`. Source: docs.kalshi.com/websockets/user-fills.
 */
export interface FillFrame {
  type: 'fill';
  sid: number;
  seq?: number;
  tradeId: string;
  orderId: string;
  clientOrderId?: string;
  marketTicker: string;
  isTaker: boolean;
  side: YesNo;
  action: BuySell;
  yesPriceTicks: PriceTicks;
  /** Only when the wire carried `no_price_dollars`/`no_price`. */
  noPriceTicks?: PriceTicks;
  countCentis: SizeCentis;
  /** `fee_cost` in micro-dollars (exact; the wire has 6 decimals). */
  feeCostMicros?: DollarsMicros;
  /** Position after the fill (`post_position_fp`), signed. */
  postPositionCentis?: SizeCentis;
  purchasedSide?: YesNo;
  outcomeSide?: YesNo;
  bookSide?: BidAsk;
  subaccount?: number;
  tsMs: number;
  dialect: Dialect;
}

/** Order statuses (OpenAPI `OrderStatus`). Unknown strings are passed through. */
export type OrderStatus = 'resting' | 'canceled' | 'executed' | 'pending';

/**
 * `user_order` (channel `user_orders`, private): an order of the subscriber was created or changed.
 * Fields per the AsyncAPI `userOrder` message: `order_id, user_id, ticker, status, side, is_yes, outcome_side,
 * book_side, yes_price_dollars, fill_count_fp, remaining_count_fp, initial_count_fp, taker_fill_cost_dollars,
 * maker_fill_cost_dollars, taker_fees_dollars, maker_fees_dollars, client_order_id, order_group_id,
 * self_trade_prevention_type, created_time, created_ts_ms, last_update_time, last_updated_ts_ms, expiration_time,
 * expiration_ts_ms, subaccount_number, exchange_index`. Source: docs.kalshi.com/websockets/user-orders.
 */
export interface UserOrderFrame {
  type: 'user_order';
  sid: number;
  seq?: number;
  orderId: string;
  userId?: string;
  ticker: string;
  status?: OrderStatus | (string & {});
  side?: YesNo;
  isYes?: boolean;
  outcomeSide?: YesNo;
  bookSide?: BidAsk;
  yesPriceTicks?: PriceTicks;
  fillCountCentis?: SizeCentis;
  remainingCountCentis?: SizeCentis;
  initialCountCentis?: SizeCentis;
  takerFillCostMicros?: DollarsMicros;
  makerFillCostMicros?: DollarsMicros;
  takerFeesMicros?: DollarsMicros;
  makerFeesMicros?: DollarsMicros;
  clientOrderId?: string;
  orderGroupId?: string;
  selfTradePreventionType?: string;
  createdTime?: string;
  createdTsMs?: number;
  lastUpdateTime?: string;
  lastUpdatedTsMs?: number;
  expirationTime?: string;
  expirationTsMs?: number;
  subaccountNumber?: number;
  exchangeIndex?: number;
  dialect: Dialect;
}

/**
 * `market_position` (channel `market_positions`, private): the subscriber's position in one market changed.
 * Fixed point: `position_fp, position_cost_dollars, realized_pnl_dollars, fees_paid_dollars,
 * position_fee_cost_dollars, volume_fp`; legacy integers `position`, `volume` (contracts) and `position_cost`,
 * `realized_pnl`, `fees_paid` in centi-cents (1/10000 dollar, as the pre-2026 docs of this channel stated).
 * The wire `type` is `market_position` (singular); `market_positions` is accepted too.
 * Source: docs.kalshi.com/websockets/market-positions.
 */
export interface MarketPositionFrame {
  type: 'market_position';
  sid: number;
  seq?: number;
  userId?: string;
  marketTicker: string;
  positionCentis: SizeCentis;
  positionCostMicros?: DollarsMicros;
  realizedPnlMicros?: DollarsMicros;
  feesPaidMicros?: DollarsMicros;
  positionFeeCostMicros?: DollarsMicros;
  volumeCentis?: SizeCentis;
  subaccount?: number;
  dialect: Dialect;
}

/** `event_type` values of `market_lifecycle_v2` (docs.kalshi.com/getting_started/market_lifecycle). Unknown strings are passed through. */
export type MarketLifecycleEventType =
  | 'created'
  | 'activated'
  | 'deactivated'
  | 'close_date_updated'
  | 'determined'
  | 'settled'
  | 'price_level_structure_updated'
  | 'metadata_updated'
  | 'fractional_trading_updated';

/** `additional_metadata` of a `created` (or `metadata_updated`) lifecycle event. Strikes may arrive as numbers or numeric strings. */
export interface MarketLifecycleMetadata {
  name?: string;
  title?: string;
  yesSubTitle?: string;
  noSubTitle?: string;
  rulesPrimary?: string;
  rulesSecondary?: string;
  canCloseEarly?: boolean;
  eventTicker?: string;
  expectedExpirationTs?: number;
  strikeType?: string;
  floorStrike?: number;
  capStrike?: number;
  customStrike?: Record<string, unknown>;
}

/**
 * `market_lifecycle_v2` (channel `market_lifecycle_v2`): market state changes. Example (docs):
 * `{"type":"market_lifecycle_v2","sid":13,"msg":{"market_ticker":"INXD-23SEP14-B4487","event_type":"created",
 * "open_ts":1694635200,"close_ts":1694721600,"additional_metadata":{…,"floor_strike":"4487"}}}`.
 * Timestamps (`openTs`, `closeTs`, `determinationTs`, `settledTs`) are Unix seconds as sent.
 * `settlement_value` is accepted as a dollar string or legacy cents and returned in ticks.
 * Source: docs.kalshi.com/websockets/market-and-event-lifecycle.
 */
export interface MarketLifecycleFrame {
  type: 'market_lifecycle_v2';
  sid: number;
  seq?: number;
  marketTicker: string;
  eventType: MarketLifecycleEventType | (string & {});
  openTs?: number;
  closeTs?: number;
  result?: string;
  determinationTs?: number;
  settlementValueTicks?: PriceTicks;
  settledTs?: number;
  isDeactivated?: boolean;
  fractionalTradingEnabled?: boolean;
  priceLevelStructure?: PriceLevelStructure;
  additionalMetadata?: MarketLifecycleMetadata;
}

/**
 * `event_lifecycle` (delivered on the `market_lifecycle_v2` channel): a new event. Example (docs):
 * `{"type":"event_lifecycle","sid":5,"msg":{"event_ticker":"INXD-23SEP14","title":…,"sub_title":…,
 * "collateral_return_type":"DIRECNET","series_ticker":"INXD","strike_date":1694721600}}`.
 */
export interface EventLifecycleFrame {
  type: 'event_lifecycle';
  sid: number;
  seq?: number;
  eventTicker: string;
  title?: string;
  subTitle?: string;
  collateralReturnType?: string;
  seriesTicker?: string;
  strikeDate?: number;
  strikePeriod?: string;
}

/** `order_group_updates` (channel `order_group_updates`, private): `{event_type, order_group_id, contracts_limit_fp?}`. */
export interface OrderGroupUpdateFrame {
  type: 'order_group_updates';
  sid: number;
  seq?: number;
  eventType: 'created' | 'triggered' | 'reset' | 'deleted' | 'limit_updated' | (string & {});
  orderGroupId: string;
  contractsLimitCentis?: SizeCentis;
}

/** Every frame {@link decodeWsFrame} can return, discriminated by `type`. */
export type WsFrame =
  | OrderbookSnapshotFrame
  | OrderbookDeltaFrame
  | SubscribedFrame
  | UnsubscribedFrame
  | OkFrame
  | ErrorFrame
  | ListSubscriptionsFrame
  | TickerFrame
  | TradeFrame
  | FillFrame
  | UserOrderFrame
  | MarketPositionFrame
  | MarketLifecycleFrame
  | EventLifecycleFrame
  | OrderGroupUpdateFrame;

/** The `type` discriminator values of {@link WsFrame}. */
export type WsFrameType = WsFrame['type'];

/**
 * Kalshi WebSocket error codes. Codes 1-13 and their names are quoted from docs.kalshi.com/asyncapi.yaml
 * ("Error Codes Reference"); the names of 14-29 are as mirrored from that table by NautilusTrader's
 * `KalshiWsErrorCode` enum (the search excerpt of the AsyncAPI page stopped at 13). Codes 16 and 17 are not in
 * the current table and 6 is retired. KALSHI_API.md calls 10, 17 and 25 terminal (resubscribe); the current
 * table has no 17.
 */
export const WS_ERROR_CODES: Readonly<Record<number, string>> = Object.freeze({
  1: 'Unable to process message',
  2: 'Params required',
  3: 'Channels required',
  4: 'Subscription IDs required',
  5: 'Unknown command',
  6: 'Retired (not emitted)',
  7: 'Unknown subscription ID',
  8: 'Unknown channel name',
  9: 'Authentication required',
  10: 'Channel error',
  11: 'Invalid parameter',
  12: 'Exactly one subscription ID is required',
  13: 'Unsupported action',
  14: 'Market ticker required',
  15: 'Action required',
  18: 'Command timeout',
  19: 'Invalid shard factor',
  20: 'Shard factor required',
  21: 'Invalid shard key',
  22: 'Shard factor too large',
  23: 'Match IDs required',
  24: 'Index IDs required',
  25: 'Subscription buffer overflow',
  26: 'Subscription market limit exceeded',
  27: 'Too many requests',
  28: 'Underlying tickers required',
  29: 'Invalid update interval',
});
