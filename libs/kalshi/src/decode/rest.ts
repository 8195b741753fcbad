/**
 * Typed decoders for Kalshi REST v2 response bodies.
 *
 * Every decoder is `decodeXxx(body: unknown): DecodeResult<Xxx>` and never throws. Both unit dialects are
 * accepted: the fixed-point fields (`*_dollars` price/amount strings, `*_fp` count strings; the only ones since
 * 2026-03-12) are preferred, legacy integer fields (`yes_bid: 6` cents, `count: 32` contracts, `balance: 10000`
 * cents, `taker_fees: 44740` cents) are used when the fixed-point field is absent
 * (docs.kalshi.com/getting_started/fixed_point_migration). Units of the results:
 * - prices (per-contract quotes) → {@link PriceTicks} (integer 1/10000 $);
 * - contract counts, volumes, open interest, positions → {@link SizeCentis} (integer 1/100 contract);
 * - money amounts (costs, fees, PnL, exposure, balance, liquidity) → {@link DollarsMicros} (integer 1/1,000,000 $;
 *   Kalshi sends these with up to 6 decimals, e.g. `"4.950000"` in the demo capture's positions).
 *
 * The core bodies (markets, events, order books, trades, candlesticks, series, exchange, portfolio, orders,
 * order groups, queue positions) are decoded by hand into camelCase types. The remaining exotic bodies
 * (milestones, multivariate collections, structured targets, tags, incentive programs, live data, sport
 * filters, fee changes, user-data timestamp, event metadata) are validated with loose zod schemas and returned
 * in their wire (snake_case) shape, unknown keys kept.
 *
 * Shapes: Kalshi OpenAPI (docs.kalshi.com/openapi.yaml, api-reference/*) as recorded in shared/data
 * (kalshi-starter-golden-rest, ccxt-kalshi-static-responses-2026-06, kalshi-demo-ws-capture-2026-07-01/rest_calls.jsonl,
 * kalshi-legacy-cents-2025-01). Recorded oddities that are accepted: `settlement_timer_seconds` and candlestick
 * `end_period_ts` as digit strings (ccxt capture), all-null legacy order books, candlestick `price.*` nulls.
 */
import { z } from 'zod';
import type { PriceTicks, SizeCentis } from '@kalshi-platform/market';
import { decodeFailure, describeValue, isRec, PRICE_LEVEL_STRUCTURES, type BidAsk, type BuySell, type DecodeResult, type Dialect, type Level, type PriceLevelStructure, type Rec, type YesNo } from './common';
import type { DollarsMicros } from './fixed';
import {
  fieldFail,
  join,
  mapObjArr,
  mapOptObjArr,
  optArr,
  optBool,
  optEnum,
  optInt,
  optLooseInt,
  optNumeric,
  optObj,
  optStr,
  optStrArr,
  priceFromCentsValue,
  priceFromDollarsText,
  put,
  readMoney,
  readPrice,
  readSize,
  reqMoney,
  reqPrice,
  reqSize,
  reqArr,
  reqBool,
  reqEnum,
  reqId,
  reqLooseInt,
  reqObj,
  reqStr,
  runDecoder,
  sizeFromCountValue,
  sizeFromFpText,
} from './read';

const YES_NO: readonly YesNo[] = ['yes', 'no'];
const BOOK_SIDES: readonly BidAsk[] = ['bid', 'ask'];
const BUY_SELL: readonly BuySell[] = ['buy', 'sell'];

function hasAny(m: Rec, keys: readonly string[]): boolean {
  for (const k of keys) if (m[k] !== undefined && m[k] !== null) return true;
  return false;
}

function root(body: unknown): Rec {
  return reqObj(body, '');
}

/** A page of a cursor-paginated list. `cursor` is absent, `""` or null (→ undefined) on the last page. */
export interface Page {
  cursor?: string;
}

function cursorOf(o: Rec): string | undefined {
  const c = optStr(o, 'cursor', '');
  return c === '' ? undefined : c;
}

/**
 * A decoder for a cursor-paged list body `{<key>: [...], cursor}`: every item through `item`, the cursor
 * normalised by `cursorOf`. Never throws (see runDecoder).
 */
function pageDecoder<K extends string, T, P extends Page & { [k in K]: T[] }>(name: string, key: K, item: (o: Rec, path: string) => T): (body: unknown) => DecodeResult<P> {
  return (body: unknown) =>
    runDecoder(name, () => {
      const o = root(body);
      const page = { [key]: mapObjArr(o, key, '', item) } as P;
      put(page as Page, 'cursor', cursorOf(o));
      return page;
    });
}

// =========================================================================================================
// Markets
// =========================================================================================================

/** One entry of a market's `price_ranges` (the explicit tick grid), in ticks. */
export interface PriceRange {
  startTicks: PriceTicks;
  endTicks: PriceTicks;
  stepTicks: PriceTicks;
}

/** One leg of a multivariate (combo) market. */
export interface MveLeg {
  eventTicker?: string;
  marketTicker?: string;
  side?: YesNo;
}

/**
 * A Kalshi market (`GET /markets`, `GET /markets/{ticker}`, nested in events). Prices in ticks from
 * `*_dollars` (or legacy cents), sizes in centis from `*_fp` (or legacy counts), `liquidityMicros` from
 * `liquidity_dollars` (or legacy cents). `priceLevelStructure` defaults to `linear_cent` when absent (pre-2026
 * payloads); an unknown structure name is rejected. `yesBid/yesAsk/noBid/noAsk` are required.
 */
export interface Market {
  ticker: string;
  eventTicker: string;
  seriesTicker?: string;
  marketType?: string;
  /** `initialized|active|inactive|closed|determined|disputed|amended|finalized` (docs getting_started/market_lifecycle); older payloads also use `open`/`settled`. */
  status: string;
  title?: string;
  subtitle?: string;
  yesSubTitle?: string;
  noSubTitle?: string;
  category?: string;
  priceLevelStructure: PriceLevelStructure;
  priceRanges?: PriceRange[];
  fractionalTradingEnabled?: boolean;
  strikeType?: string;
  floorStrike?: number;
  capStrike?: number;
  customStrike?: Record<string, unknown>;
  yesBidTicks: PriceTicks;
  yesAskTicks: PriceTicks;
  noBidTicks: PriceTicks;
  noAskTicks: PriceTicks;
  lastPriceTicks?: PriceTicks;
  previousPriceTicks?: PriceTicks;
  previousYesBidTicks?: PriceTicks;
  previousYesAskTicks?: PriceTicks;
  yesBidSizeCentis?: SizeCentis;
  yesAskSizeCentis?: SizeCentis;
  volumeCentis?: SizeCentis;
  volume24hCentis?: SizeCentis;
  openInterestCentis?: SizeCentis;
  liquidityMicros?: DollarsMicros;
  notionalValueTicks?: PriceTicks;
  settlementValueTicks?: PriceTicks;
  /** Legacy `tick_size` in cents (pre-2026). */
  tickSizeCents?: number;
  openTime?: string;
  closeTime?: string;
  expirationTime?: string;
  expectedExpirationTime?: string;
  latestExpirationTime?: string;
  createdTime?: string;
  updatedTime?: string;
  settlementTimerSeconds?: number;
  result?: string;
  canCloseEarly?: boolean;
  earlyCloseCondition?: string;
  expirationValue?: string;
  rulesPrimary?: string;
  rulesSecondary?: string;
  responsePriceUnits?: string;
  mveCollectionTicker?: string;
  mveSelectedLegs?: MveLeg[];
  dialect: Dialect;
}

function decodeMarketObj(m: Rec, p: string): Market {
  const mk: Market = {
    ticker: reqId(m, 'ticker', p),
    eventTicker: reqId(m, 'event_ticker', p),
    status: reqStr(m, 'status', p),
    priceLevelStructure: optEnum(m, 'price_level_structure', p, PRICE_LEVEL_STRUCTURES) ?? 'linear_cent',
    yesBidTicks: reqPrice(m, p, 'yes_bid_dollars', 'yes_bid'),
    yesAskTicks: reqPrice(m, p, 'yes_ask_dollars', 'yes_ask'),
    noBidTicks: reqPrice(m, p, 'no_bid_dollars', 'no_bid'),
    noAskTicks: reqPrice(m, p, 'no_ask_dollars', 'no_ask'),
    dialect: hasAny(m, ['yes_bid_dollars', 'yes_ask_dollars', 'no_bid_dollars', 'no_ask_dollars', 'last_price_dollars']) ? 'fixed_point' : 'legacy_cents',
  };
  put(mk, 'seriesTicker', optStr(m, 'series_ticker', p));
  put(mk, 'marketType', optStr(m, 'market_type', p));
  put(mk, 'title', optStr(m, 'title', p));
  put(mk, 'subtitle', optStr(m, 'subtitle', p));
  put(mk, 'yesSubTitle', optStr(m, 'yes_sub_title', p));
  put(mk, 'noSubTitle', optStr(m, 'no_sub_title', p));
  put(mk, 'category', optStr(m, 'category', p));
  put(
    mk,
    'priceRanges',
    mapOptObjArr(m, 'price_ranges', p, (r, rp) => ({
      startTicks: priceFromDollarsText(r.start, join(rp, 'start')),
      endTicks: priceFromDollarsText(r.end, join(rp, 'end')),
      stepTicks: priceFromDollarsText(r.step, join(rp, 'step')),
    })),
  );
  put(mk, 'fractionalTradingEnabled', optBool(m, 'fractional_trading_enabled', p));
  put(mk, 'strikeType', optStr(m, 'strike_type', p));
  put(mk, 'floorStrike', optNumeric(m, 'floor_strike', p));
  put(mk, 'capStrike', optNumeric(m, 'cap_strike', p));
  put(mk, 'customStrike', optObj(m, 'custom_strike', p));
  put(mk, 'lastPriceTicks', readPrice(m, p, 'last_price_dollars', 'last_price', false));
  put(mk, 'previousPriceTicks', readPrice(m, p, 'previous_price_dollars', 'previous_price', false));
  put(mk, 'previousYesBidTicks', readPrice(m, p, 'previous_yes_bid_dollars', 'previous_yes_bid', false));
  put(mk, 'previousYesAskTicks', readPrice(m, p, 'previous_yes_ask_dollars', 'previous_yes_ask', false));
  put(mk, 'yesBidSizeCentis', readSize(m, p, 'yes_bid_size_fp', undefined, false));
  put(mk, 'yesAskSizeCentis', readSize(m, p, 'yes_ask_size_fp', undefined, false));
  put(mk, 'volumeCentis', readSize(m, p, 'volume_fp', 'volume', false));
  put(mk, 'volume24hCentis', readSize(m, p, 'volume_24h_fp', 'volume_24h', false));
  put(mk, 'openInterestCentis', readSize(m, p, 'open_interest_fp', 'open_interest', false));
  put(mk, 'liquidityMicros', readMoney(m, p, 'liquidity_dollars', 'liquidity', false));
  put(mk, 'notionalValueTicks', readPrice(m, p, 'notional_value_dollars', 'notional_value', false));
  put(mk, 'settlementValueTicks', readPrice(m, p, 'settlement_value_dollars', 'settlement_value', false));
  put(mk, 'tickSizeCents', optInt(m, 'tick_size', p, 0));
  put(mk, 'openTime', optStr(m, 'open_time', p));
  put(mk, 'closeTime', optStr(m, 'close_time', p));
  put(mk, 'expirationTime', optStr(m, 'expiration_time', p));
  put(mk, 'expectedExpirationTime', optStr(m, 'expected_expiration_time', p));
  put(mk, 'latestExpirationTime', optStr(m, 'latest_expiration_time', p));
  put(mk, 'createdTime', optStr(m, 'created_time', p));
  put(mk, 'updatedTime', optStr(m, 'updated_time', p));
  put(mk, 'settlementTimerSeconds', optLooseInt(m, 'settlement_timer_seconds', p));
  put(mk, 'result', optStr(m, 'result', p));
  put(mk, 'canCloseEarly', optBool(m, 'can_close_early', p));
  put(mk, 'earlyCloseCondition', optStr(m, 'early_close_condition', p));
  put(mk, 'expirationValue', optStr(m, 'expiration_value', p));
  put(mk, 'rulesPrimary', optStr(m, 'rules_primary', p));
  put(mk, 'rulesSecondary', optStr(m, 'rules_secondary', p));
  put(mk, 'responsePriceUnits', optStr(m, 'response_price_units', p));
  put(mk, 'mveCollectionTicker', optStr(m, 'mve_collection_ticker', p));
  put(
    mk,
    'mveSelectedLegs',
    mapOptObjArr(m, 'mve_selected_legs', p, (l, lp) => {
      const leg: MveLeg = {};
      put(leg, 'eventTicker', optStr(l, 'event_ticker', lp));
      put(leg, 'marketTicker', optStr(l, 'market_ticker', lp));
      put(leg, 'side', optEnum(l, 'side', lp, YES_NO));
      return leg;
    }),
  );
  return mk;
}

/** `GET /markets` → `{markets, cursor}`. */
export interface MarketsPage extends Page {
  markets: Market[];
}

/** Decodes `GET /markets` (docs api-reference/market/get-markets). */
export const decodeMarketsList: (body: unknown) => DecodeResult<MarketsPage> = pageDecoder('markets_list', 'markets', decodeMarketObj);

/** Decodes `GET /markets/{ticker}` → `{market}` into the {@link Market}. */
export function decodeMarket(body: unknown): DecodeResult<Market> {
  return runDecoder('market_single', () => decodeMarketObj(reqObj(root(body).market, 'market'), 'market'));
}

// =========================================================================================================
// Events
// =========================================================================================================

/** A Kalshi event (`GET /events`, `GET /events/{ticker}`); `markets` when nested (`with_nested_markets=true`) or returned alongside. */
export interface KalshiEvent {
  eventTicker: string;
  seriesTicker: string;
  title: string;
  subTitle?: string;
  category?: string;
  mutuallyExclusive: boolean;
  collateralReturnType?: string;
  strikePeriod?: string;
  strikeDate?: string;
  availableOnBrokers?: boolean;
  markets?: Market[];
}

function decodeEventObj(e: Rec, p: string): KalshiEvent {
  const ev: KalshiEvent = {
    eventTicker: reqId(e, 'event_ticker', p),
    seriesTicker: reqStr(e, 'series_ticker', p),
    title: reqStr(e, 'title', p),
    mutuallyExclusive: reqBool(e, 'mutually_exclusive', p),
  };
  put(ev, 'subTitle', optStr(e, 'sub_title', p));
  put(ev, 'category', optStr(e, 'category', p));
  put(ev, 'collateralReturnType', optStr(e, 'collateral_return_type', p));
  put(ev, 'strikePeriod', optStr(e, 'strike_period', p));
  put(ev, 'strikeDate', optStr(e, 'strike_date', p));
  put(ev, 'availableOnBrokers', optBool(e, 'available_on_brokers', p));
  put(ev, 'markets', mapOptObjArr(e, 'markets', p, decodeMarketObj));
  return ev;
}

/** `GET /events` → `{events, cursor, milestones?}`. */
export interface EventsPage extends Page {
  events: KalshiEvent[];
  milestones?: unknown[];
}

/** Decodes `GET /events` (also `GET /events/multivariate`), with or without nested markets, either dialect. */
export function decodeEventsList(body: unknown): DecodeResult<EventsPage> {
  return runDecoder('events_list', () => {
    const o = root(body);
    const page: EventsPage = { events: mapObjArr(o, 'events', '', decodeEventObj) };
    put(page, 'cursor', cursorOf(o));
    put(page, 'milestones', optArr(o, 'milestones', ''));
    return page;
  });
}

/** Decodes `GET /events/{event_ticker}` → `{event, markets}`; the top-level `markets` become `event.markets`. */
export function decodeEvent(body: unknown): DecodeResult<KalshiEvent> {
  return runDecoder('event_single', () => {
    const o = root(body);
    const ev = decodeEventObj(reqObj(o.event, 'event'), 'event');
    const top = mapOptObjArr(o, 'markets', '', decodeMarketObj);
    if (top !== undefined) ev.markets = top;
    return ev;
  });
}

// =========================================================================================================
// Order book
// =========================================================================================================

/** A market's REST order book: YES and NO bid ladders, ascending by price (best bid last), as Kalshi sends them. */
export interface Orderbook {
  yes: Level[];
  no: Level[];
  dialect: Dialect;
}

function restLadder(v: unknown, field: string, kind: 'dollars' | 'cents'): Level[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fieldFail(field, 'an array of [price, size] pairs', v);
  const out: Level[] = [];
  let prev = -1;
  for (let i = 0; i < v.length; i++) {
    const lv = v[i];
    const lp = join(field, i);
    if (!Array.isArray(lv) || lv.length !== 2) fieldFail(lp, 'a [price, size] pair', lv);
    const price = kind === 'dollars' ? priceFromDollarsText(lv[0], join(lp, 0)) : priceFromCentsValue(lv[0], join(lp, 0));
    if (price <= prev) fieldFail(join(lp, 0), "a price above the previous level's (ladders are strictly ascending)", lv[0]);
    const size = typeof lv[1] === 'number' ? sizeFromCountValue(lv[1], join(lp, 1), false) : sizeFromFpText(lv[1], join(lp, 1), false);
    out.push([price, size]);
    prev = price;
  }
  return out;
}

/**
 * Decodes `GET /markets/{ticker}/orderbook`: current `{orderbook_fp: {yes_dollars, no_dollars}}` (levels
 * `["0.4200", "13.00"]`), or legacy `{orderbook: {yes, no, yes_dollars, no_dollars}}` (cents levels `[42, 13]`,
 * transitional `["0.4200", 13]`; any side may be null = empty). Prefers `orderbook_fp`, then `*_dollars`.
 * Source: docs.kalshi.com/api-reference/market/get-market-orderbook; getting_started/orderbook_responses.
 */
export function decodeOrderbook(body: unknown): DecodeResult<Orderbook> {
  return runDecoder('orderbook', () => {
    const o = root(body);
    const fp = optObj(o, 'orderbook_fp', '');
    if (fp !== undefined) {
      return { yes: restLadder(fp.yes_dollars, 'orderbook_fp.yes_dollars', 'dollars'), no: restLadder(fp.no_dollars, 'orderbook_fp.no_dollars', 'dollars'), dialect: 'fixed_point' };
    }
    const ob = reqObj(o.orderbook, 'orderbook');
    const side = (s: 'yes' | 'no'): [Level[], boolean] => {
      const d = ob[`${s}_dollars`];
      if (d !== undefined && d !== null) return [restLadder(d, `orderbook.${s}_dollars`, 'dollars'), true];
      return [restLadder(ob[s], `orderbook.${s}`, 'cents'), false];
    };
    const [yes, yesFixed] = side('yes');
    const [no, noFixed] = side('no');
    const legacyUsed = (!yesFixed && ob.yes != null) || (!noFixed && ob.no != null);
    return { yes, no, dialect: legacyUsed && !yesFixed && !noFixed ? 'legacy_cents' : 'fixed_point' };
  });
}

// =========================================================================================================
// Trades
// =========================================================================================================

/** A public trade (`GET /markets/trades`). `takerSide` from `taker_side`, else `taker_outcome_side`. */
export interface Trade {
  tradeId: string;
  ticker: string;
  yesPriceTicks: PriceTicks;
  noPriceTicks: PriceTicks;
  countCentis: SizeCentis;
  takerSide?: YesNo;
  takerOutcomeSide?: YesNo;
  takerBookSide?: BidAsk;
  createdTime?: string;
  isBlockTrade?: boolean;
  dialect: Dialect;
}

function decodeTradeObj(t: Rec, p: string): Trade {
  const tr: Trade = {
    tradeId: reqId(t, 'trade_id', p),
    ticker: reqId(t, 'ticker', p),
    yesPriceTicks: reqPrice(t, p, 'yes_price_dollars', 'yes_price'),
    noPriceTicks: reqPrice(t, p, 'no_price_dollars', 'no_price'),
    countCentis: reqSize(t, p, 'count_fp', 'count'),
    dialect: hasAny(t, ['yes_price_dollars', 'no_price_dollars', 'count_fp']) ? 'fixed_point' : 'legacy_cents',
  };
  const ts = optEnum(t, 'taker_side', p, YES_NO);
  const tos = optEnum(t, 'taker_outcome_side', p, YES_NO);
  put(tr, 'takerSide', ts ?? tos);
  put(tr, 'takerOutcomeSide', tos);
  put(tr, 'takerBookSide', optEnum(t, 'taker_book_side', p, BOOK_SIDES));
  put(tr, 'createdTime', optStr(t, 'created_time', p));
  put(tr, 'isBlockTrade', optBool(t, 'is_block_trade', p));
  return tr;
}

/** `GET /markets/trades` → `{trades, cursor}`. */
export interface TradesPage extends Page {
  trades: Trade[];
}

/** Decodes `GET /markets/trades` (docs api-reference/market/get-trades). Legacy `price` (a float of dollars) is ignored. */
export const decodeTrades: (body: unknown) => DecodeResult<TradesPage> = pageDecoder('trades_list', 'trades', decodeTradeObj);

// =========================================================================================================
// Candlesticks
// =========================================================================================================

/** Open/high/low/close in ticks; a member is absent when Kalshi sent null or nothing (no trades in the period). */
export interface Ohlc {
  openTicks?: PriceTicks;
  highTicks?: PriceTicks;
  lowTicks?: PriceTicks;
  closeTicks?: PriceTicks;
}

/** Traded-price statistics of a candle (`price`); `meanTicks` comes from `mean_dollars` (legacy `mean` cents are rounded and ignored when `mean_dollars` exists). */
export interface CandlePrice extends Ohlc {
  meanTicks?: PriceTicks;
  previousTicks?: PriceTicks;
  minTicks?: PriceTicks;
  maxTicks?: PriceTicks;
}

/** One candlestick. `endPeriodTs` is Unix seconds (accepted as a number or digit string). */
export interface Candlestick {
  endPeriodTs: number;
  openInterestCentis?: SizeCentis;
  volumeCentis?: SizeCentis;
  price: CandlePrice;
  yesBid: Ohlc;
  yesAsk: Ohlc;
}

function decodeOhlcInto<T extends Ohlc>(target: T, o: Rec | undefined, p: string, extra: readonly (keyof CandlePrice & string)[] = []): T {
  if (o === undefined) return target;
  const map: Record<string, string> = { openTicks: 'open', highTicks: 'high', lowTicks: 'low', closeTicks: 'close', meanTicks: 'mean', previousTicks: 'previous', minTicks: 'min', maxTicks: 'max' };
  for (const k of ['openTicks', 'highTicks', 'lowTicks', 'closeTicks', ...extra]) {
    const w = map[k];
    put(target as Record<string, unknown>, k, readPrice(o, p, `${w}_dollars`, w, false));
  }
  return target;
}

function decodeCandleObj(c: Rec, p: string): Candlestick {
  const cs: Candlestick = {
    endPeriodTs: reqLooseInt(c, 'end_period_ts', p),
    price: decodeOhlcInto<CandlePrice>({}, optObj(c, 'price', p), join(p, 'price'), ['meanTicks', 'previousTicks', 'minTicks', 'maxTicks']),
    yesBid: decodeOhlcInto<Ohlc>({}, optObj(c, 'yes_bid', p), join(p, 'yes_bid')),
    yesAsk: decodeOhlcInto<Ohlc>({}, optObj(c, 'yes_ask', p), join(p, 'yes_ask')),
  };
  put(cs, 'openInterestCentis', readSize(c, p, 'open_interest_fp', 'open_interest', false));
  put(cs, 'volumeCentis', readSize(c, p, 'volume_fp', 'volume', false));
  return cs;
}

/** `GET /series/{s}/markets/{t}/candlesticks` → `{ticker, candlesticks}` (also the series-candlesticks body). */
export interface MarketCandlesticks {
  ticker?: string;
  candlesticks: Candlestick[];
}

/** Decodes a market's (or a series') candlesticks body. */
export function decodeMarketCandlesticks(body: unknown): DecodeResult<MarketCandlesticks> {
  return runDecoder('market_candlesticks', () => {
    const o = root(body);
    const r: MarketCandlesticks = { candlesticks: mapObjArr(o, 'candlesticks', '', decodeCandleObj) };
    put(r, 'ticker', optStr(o, 'ticker', ''));
    return r;
  });
}

/** `GET /markets/candlesticks?tickers=` (batch) → `{markets: [{market_ticker, candlesticks}]}`. */
export interface BatchCandlesticks {
  markets: { marketTicker: string; candlesticks: Candlestick[] }[];
}

/** Decodes the batch candlesticks body. */
export function decodeBatchCandlesticks(body: unknown): DecodeResult<BatchCandlesticks> {
  return runDecoder('candlesticks_batch', () => ({
    markets: mapObjArr(root(body), 'markets', '', (m, p) => ({ marketTicker: reqId(m, 'market_ticker', p), candlesticks: mapObjArr(m, 'candlesticks', p, decodeCandleObj) })),
  }));
}

/** `GET /series/{s}/events/{e}/candlesticks` → `{market_tickers, market_candlesticks: Candlestick[][], adjusted_end_ts}`. */
export interface EventCandlesticks {
  marketTickers: string[];
  marketCandlesticks: Candlestick[][];
  adjustedEndTs?: number;
}

/** Decodes the event candlesticks body; `marketCandlesticks[i]` belongs to `marketTickers[i]`. */
export function decodeEventCandlesticks(body: unknown): DecodeResult<EventCandlesticks> {
  return runDecoder('event_candlesticks', () => {
    const o = root(body);
    const tickers = optStrArr(o, 'market_tickers', '');
    if (tickers === undefined) fieldFail('market_tickers', 'an array of strings', o.market_tickers);
    const groups = reqArr(o, 'market_candlesticks', '');
    const mc = groups.map((g, i) => {
      const gp = join('market_candlesticks', i);
      if (!Array.isArray(g)) fieldFail(gp, 'an array of candlesticks', g);
      return g.map((c, j) => decodeCandleObj(reqObj(c, join(gp, j)), join(gp, j)));
    });
    if (mc.length !== tickers.length) fieldFail('market_candlesticks', `${tickers.length} arrays (one per market_tickers entry)`, `${mc.length} arrays`);
    const r: EventCandlesticks = { marketTickers: tickers, marketCandlesticks: mc };
    put(r, 'adjustedEndTs', optLooseInt(o, 'adjusted_end_ts', ''));
    return r;
  });
}

// =========================================================================================================
// Series
// =========================================================================================================

/** A series (`GET /series`, `GET /series/{ticker}`). `feeMultiplier` is a plain number (e.g. 1). */
export interface Series {
  ticker: string;
  title: string;
  category?: string;
  frequency?: string;
  feeType?: string;
  feeMultiplier?: number;
  tags?: string[];
  settlementSources?: { name?: string; url?: string }[];
  contractUrl?: string;
  contractTermsUrl?: string;
  additionalProhibitions?: string[];
  productMetadata?: Record<string, unknown>;
}

function decodeSeriesObj(s: Rec, p: string): Series {
  const se: Series = { ticker: reqId(s, 'ticker', p), title: reqStr(s, 'title', p) };
  put(se, 'category', optStr(s, 'category', p));
  put(se, 'frequency', optStr(s, 'frequency', p));
  put(se, 'feeType', optStr(s, 'fee_type', p));
  put(se, 'feeMultiplier', optNumeric(s, 'fee_multiplier', p));
  put(se, 'tags', optStrArr(s, 'tags', p));
  put(
    se,
    'settlementSources',
    mapOptObjArr(s, 'settlement_sources', p, (x, xp) => {
      const src: { name?: string; url?: string } = {};
      put(src, 'name', optStr(x, 'name', xp));
      put(src, 'url', optStr(x, 'url', xp));
      return src;
    }),
  );
  put(se, 'contractUrl', optStr(s, 'contract_url', p));
  put(se, 'contractTermsUrl', optStr(s, 'contract_terms_url', p));
  put(se, 'additionalProhibitions', optStrArr(s, 'additional_prohibitions', p));
  put(se, 'productMetadata', optObj(s, 'product_metadata', p));
  return se;
}

/** `GET /series` → `{series: Series[], cursor?}`. */
export interface SeriesPage extends Page {
  series: Series[];
}

/** Decodes `GET /series`. */
export const decodeSeriesList: (body: unknown) => DecodeResult<SeriesPage> = pageDecoder('series_list', 'series', decodeSeriesObj);

/** Decodes `GET /series/{ticker}` → `{series}`. */
export function decodeSeries(body: unknown): DecodeResult<Series> {
  return runDecoder('series_single', () => decodeSeriesObj(reqObj(root(body).series, 'series'), 'series'));
}

// =========================================================================================================
// Exchange
// =========================================================================================================

/** `GET /exchange/status`. */
export interface ExchangeStatus {
  exchangeActive: boolean;
  tradingActive: boolean;
  exchangeEstimatedResumeTime?: string;
}

/** Decodes `GET /exchange/status`. */
export function decodeExchangeStatus(body: unknown): DecodeResult<ExchangeStatus> {
  return runDecoder('exchange_status', () => {
    const o = root(body);
    const s: ExchangeStatus = { exchangeActive: reqBool(o, 'exchange_active', ''), tradingActive: reqBool(o, 'trading_active', '') };
    put(s, 'exchangeEstimatedResumeTime', optStr(o, 'exchange_estimated_resume_time', ''));
    return s;
  });
}

/** Days of the week as keys of `standard_hours`. */
export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
/** A weekday key. */
export type Weekday = (typeof WEEKDAYS)[number];

/** One block of the weekly trading schedule: `openTime`/`closeTime` are `HH:MM` ET strings as sent. */
export interface ExchangeSession {
  openTime: string;
  closeTime: string;
}

/** `GET /exchange/schedule` → `{schedule: {standard_hours: [...], maintenance_windows: [...]}}`. */
export interface ExchangeSchedule {
  standardHours: { startTime?: string; endTime?: string; days: Record<Weekday, ExchangeSession[]> }[];
  maintenanceWindows: { startDatetime?: string; endDatetime?: string }[];
}

/** Decodes `GET /exchange/schedule`. */
export function decodeExchangeSchedule(body: unknown): DecodeResult<ExchangeSchedule> {
  return runDecoder('exchange_schedule', () => {
    const s = reqObj(root(body).schedule, 'schedule');
    return {
      standardHours: mapObjArr(s, 'standard_hours', 'schedule', (h, hp) => {
        const days = {} as Record<Weekday, ExchangeSession[]>;
        for (const d of WEEKDAYS) {
          days[d] = mapOptObjArr(h, d, hp, (x, xp) => ({ openTime: reqStr(x, 'open_time', xp), closeTime: reqStr(x, 'close_time', xp) })) ?? [];
        }
        const r: ExchangeSchedule['standardHours'][number] = { days };
        put(r, 'startTime', optStr(h, 'start_time', hp));
        put(r, 'endTime', optStr(h, 'end_time', hp));
        return r;
      }),
      maintenanceWindows:
        mapOptObjArr(s, 'maintenance_windows', 'schedule', (w, wp) => {
          const r: { startDatetime?: string; endDatetime?: string } = {};
          put(r, 'startDatetime', optStr(w, 'start_datetime', wp));
          put(r, 'endDatetime', optStr(w, 'end_datetime', wp));
          return r;
        }) ?? [],
    };
  });
}

/** `GET /exchange/announcements` → `{announcements: [{type, message, delivery_time, status}]}`. */
export interface ExchangeAnnouncements {
  announcements: { type?: string; message: string; deliveryTime?: string; status?: string }[];
}

/** Decodes `GET /exchange/announcements`. */
export function decodeExchangeAnnouncements(body: unknown): DecodeResult<ExchangeAnnouncements> {
  return runDecoder('exchange_announcements', () => ({
    announcements: mapObjArr(root(body), 'announcements', '', (a, p) => {
      const r: ExchangeAnnouncements['announcements'][number] = { message: reqStr(a, 'message', p) };
      put(r, 'type', optStr(a, 'type', p));
      put(r, 'deliveryTime', optStr(a, 'delivery_time', p));
      put(r, 'status', optStr(a, 'status', p));
      return r;
    }),
  }));
}

// =========================================================================================================
// Portfolio: orders
// =========================================================================================================

/**
 * An order (`GET /portfolio/orders[/{id}]`, create/cancel/amend/decrease responses). Counts from `*_count_fp`
 * (legacy `*_count`), prices from `yes_price_dollars`/`no_price_dollars` (legacy cents), fees/costs in
 * micro-dollars from `*_dollars` (legacy cents).
 */
export interface Order {
  orderId: string;
  userId?: string;
  clientOrderId?: string;
  ticker: string;
  side: YesNo;
  action: BuySell;
  outcomeSide?: YesNo;
  bookSide?: BidAsk;
  type?: string;
  /** `resting|canceled|executed|pending` (OpenAPI `OrderStatus`). */
  status: string;
  yesPriceTicks: PriceTicks;
  noPriceTicks?: PriceTicks;
  initialCountCentis?: SizeCentis;
  fillCountCentis?: SizeCentis;
  remainingCountCentis?: SizeCentis;
  /** Deprecated by Kalshi (use the queue-position endpoints); as sent. */
  queuePosition?: number;
  takerFeesMicros?: DollarsMicros;
  makerFeesMicros?: DollarsMicros;
  takerFillCostMicros?: DollarsMicros;
  makerFillCostMicros?: DollarsMicros;
  createdTime?: string;
  lastUpdateTime?: string;
  expirationTime?: string;
  orderGroupId?: string;
  selfTradePreventionType?: string;
  timeInForce?: string;
  dialect: Dialect;
}

function decodeOrderObj(o: Rec, p: string): Order {
  const ord: Order = {
    orderId: reqId(o, 'order_id', p),
    ticker: reqId(o, 'ticker', p),
    side: reqEnum(o, 'side', p, YES_NO),
    action: reqEnum(o, 'action', p, BUY_SELL),
    status: reqStr(o, 'status', p),
    yesPriceTicks: reqPrice(o, p, 'yes_price_dollars', 'yes_price'),
    dialect: hasAny(o, ['yes_price_dollars', 'fill_count_fp', 'remaining_count_fp', 'initial_count_fp']) ? 'fixed_point' : 'legacy_cents',
  };
  put(ord, 'userId', optStr(o, 'user_id', p));
  put(ord, 'clientOrderId', optStr(o, 'client_order_id', p));
  put(ord, 'outcomeSide', optEnum(o, 'outcome_side', p, YES_NO));
  put(ord, 'bookSide', optEnum(o, 'book_side', p, BOOK_SIDES));
  put(ord, 'type', optStr(o, 'type', p));
  put(ord, 'noPriceTicks', readPrice(o, p, 'no_price_dollars', 'no_price', false));
  put(ord, 'initialCountCentis', readSize(o, p, 'initial_count_fp', 'initial_count', false));
  put(ord, 'fillCountCentis', readSize(o, p, 'fill_count_fp', 'fill_count', false));
  put(ord, 'remainingCountCentis', readSize(o, p, 'remaining_count_fp', 'remaining_count', false));
  put(ord, 'queuePosition', optInt(o, 'queue_position', p));
  put(ord, 'takerFeesMicros', readMoney(o, p, 'taker_fees_dollars', 'taker_fees', false));
  put(ord, 'makerFeesMicros', readMoney(o, p, 'maker_fees_dollars', 'maker_fees', false));
  put(ord, 'takerFillCostMicros', readMoney(o, p, 'taker_fill_cost_dollars', 'taker_fill_cost', false));
  put(ord, 'makerFillCostMicros', readMoney(o, p, 'maker_fill_cost_dollars', 'maker_fill_cost', false));
  put(ord, 'createdTime', optStr(o, 'created_time', p));
  put(ord, 'lastUpdateTime', optStr(o, 'last_update_time', p));
  put(ord, 'expirationTime', optStr(o, 'expiration_time', p));
  put(ord, 'orderGroupId', optStr(o, 'order_group_id', p));
  put(ord, 'selfTradePreventionType', optStr(o, 'self_trade_prevention_type', p));
  put(ord, 'timeInForce', optStr(o, 'time_in_force', p));
  return ord;
}

/** `GET /portfolio/orders` → `{orders, cursor}`. */
export interface OrdersPage extends Page {
  orders: Order[];
}

/** Decodes `GET /portfolio/orders`. */
export const decodeOrders: (body: unknown) => DecodeResult<OrdersPage> = pageDecoder('portfolio_orders', 'orders', decodeOrderObj);

/** Decodes any `{order}` body: `GET /portfolio/orders/{id}`, `POST /portfolio/orders` (201), `POST …/decrease`. */
export function decodeOrder(body: unknown): DecodeResult<Order> {
  return runDecoder('order', () => decodeOrderObj(reqObj(root(body).order, 'order'), 'order'));
}

/** `DELETE /portfolio/orders/{id}` → `{order, reduced_by}`: the canceled order and how much was removed. */
export interface CancelOrderResponse {
  order: Order;
  reducedByCentis?: SizeCentis;
}

/** Decodes the cancel-order body (`reduced_by_fp`, legacy `reduced_by`). */
export function decodeCancelOrder(body: unknown): DecodeResult<CancelOrderResponse> {
  return runDecoder('cancel_order', () => {
    const o = root(body);
    const r: CancelOrderResponse = { order: decodeOrderObj(reqObj(o.order, 'order'), 'order') };
    put(r, 'reducedByCentis', readSize(o, '', 'reduced_by_fp', 'reduced_by', false));
    return r;
  });
}

/** `POST /portfolio/orders/{id}/amend` → `{old_order, order}`. */
export interface AmendOrderResponse {
  oldOrder: Order;
  order: Order;
}

/** Decodes the amend-order body. */
export function decodeAmendOrder(body: unknown): DecodeResult<AmendOrderResponse> {
  return runDecoder('amend_order', () => {
    const o = root(body);
    return { oldOrder: decodeOrderObj(reqObj(o.old_order, 'old_order'), 'old_order'), order: decodeOrderObj(reqObj(o.order, 'order'), 'order') };
  });
}

/** Kalshi's REST error object: `{code, message, details?, service?}` (e.g. `{"code":"permission_denied","message":"permission denied"}`). */
export interface ApiError {
  code: string;
  message: string;
  details?: string;
  service?: string;
}

function decodeApiErrorObj(e: Rec, p: string): ApiError {
  const r: ApiError = { code: reqStr(e, 'code', p), message: reqStr(e, 'message', p) };
  put(r, 'details', optStr(e, 'details', p));
  put(r, 'service', optStr(e, 'service', p));
  return r;
}

/** A REST error body `{"error": {...}}`. (A 429 carries `{"error":"too many requests"}` — a bare string — which is accepted too.) */
export interface ApiErrorBody {
  error: ApiError;
}

/** Decodes a REST error body; a bare string `error` becomes `{code: "", message: <string>}`. */
export function decodeApiError(body: unknown): DecodeResult<ApiErrorBody> {
  return runDecoder('api_error', () => {
    const o = root(body);
    if (typeof o.error === 'string') return { error: { code: '', message: o.error } };
    return { error: decodeApiErrorObj(reqObj(o.error, 'error'), 'error') };
  });
}

/** One result of `POST /portfolio/orders/batched`: the order, or an error. */
export interface BatchCreateResult {
  clientOrderId?: string;
  order?: Order;
  error?: ApiError;
}

/** Decodes `POST /portfolio/orders/batched` → `{orders: [{client_order_id, order|null, error|null}]}`. */
export function decodeBatchCreateOrders(body: unknown): DecodeResult<{ orders: BatchCreateResult[] }> {
  return runDecoder('batch_create_orders', () => ({
    orders: mapObjArr(root(body), 'orders', '', (x, p) => {
      const r: BatchCreateResult = {};
      put(r, 'clientOrderId', optStr(x, 'client_order_id', p));
      const ord = optObj(x, 'order', p);
      if (ord) r.order = decodeOrderObj(ord, join(p, 'order'));
      const e = optObj(x, 'error', p);
      if (e) r.error = decodeApiErrorObj(e, join(p, 'error'));
      return r;
    }),
  }));
}

/** One result of `DELETE /portfolio/orders/batched`. */
export interface BatchCancelResult {
  orderId?: string;
  order?: Order;
  reducedByCentis?: SizeCentis;
  error?: ApiError;
}

/** Decodes `DELETE /portfolio/orders/batched` → `{orders: [{order_id, order|null, reduced_by, error|null}]}`. */
export function decodeBatchCancelOrders(body: unknown): DecodeResult<{ orders: BatchCancelResult[] }> {
  return runDecoder('batch_cancel_orders', () => ({
    orders: mapObjArr(root(body), 'orders', '', (x, p) => {
      const r: BatchCancelResult = {};
      const id = optStr(x, 'order_id', p);
      if (id) r.orderId = id;
      const ord = optObj(x, 'order', p);
      if (ord) r.order = decodeOrderObj(ord, join(p, 'order'));
      put(r, 'reducedByCentis', readSize(x, p, 'reduced_by_fp', 'reduced_by', false));
      const e = optObj(x, 'error', p);
      if (e) r.error = decodeApiErrorObj(e, join(p, 'error'));
      return r;
    }),
  }));
}

// =========================================================================================================
// Portfolio: fills, positions, balance, settlements, resting value
// =========================================================================================================

/**
 * One of the user's fills (`GET /portfolio/fills`). Price from `yes_price_dollars`, else the interim
 * `yes_price_fixed` (Jan 2026 recordings), else legacy cents; `feeCostMicros` from `fee_cost` when sent.
 */
export interface Fill {
  fillId?: string;
  tradeId: string;
  orderId: string;
  clientOrderId?: string;
  ticker: string;
  side: YesNo;
  action: BuySell;
  outcomeSide?: YesNo;
  bookSide?: BidAsk;
  purchasedSide?: YesNo;
  isTaker: boolean;
  yesPriceTicks: PriceTicks;
  noPriceTicks?: PriceTicks;
  countCentis: SizeCentis;
  feeCostMicros?: DollarsMicros;
  createdTime?: string;
  /** Unix seconds as sent (`ts`). */
  ts?: number;
  dialect: Dialect;
}

function decodeFillObj(f: Rec, p: string): Fill {
  const ticker = f.ticker === undefined && typeof f.market_ticker === 'string' ? reqId(f, 'market_ticker', p) : reqId(f, 'ticker', p);
  const fill: Fill = {
    tradeId: reqId(f, 'trade_id', p),
    orderId: reqId(f, 'order_id', p),
    ticker,
    side: reqEnum(f, 'side', p, YES_NO),
    action: reqEnum(f, 'action', p, BUY_SELL),
    isTaker: reqBool(f, 'is_taker', p),
    yesPriceTicks: readPrice(f, p, 'yes_price_dollars', undefined, false) ?? reqPrice(f, p, 'yes_price_fixed', 'yes_price'),
    countCentis: reqSize(f, p, 'count_fp', 'count'),
    dialect: hasAny(f, ['yes_price_dollars', 'yes_price_fixed', 'count_fp']) ? 'fixed_point' : 'legacy_cents',
  };
  put(fill, 'fillId', optStr(f, 'fill_id', p));
  put(fill, 'clientOrderId', optStr(f, 'client_order_id', p));
  put(fill, 'outcomeSide', optEnum(f, 'outcome_side', p, YES_NO));
  put(fill, 'bookSide', optEnum(f, 'book_side', p, BOOK_SIDES));
  put(fill, 'purchasedSide', optEnum(f, 'purchased_side', p, YES_NO));
  put(fill, 'noPriceTicks', readPrice(f, p, 'no_price_dollars', undefined, false) ?? readPrice(f, p, 'no_price_fixed', 'no_price', false));
  put(fill, 'feeCostMicros', readMoney(f, p, 'fee_cost', undefined, false));
  put(fill, 'createdTime', optStr(f, 'created_time', p));
  put(fill, 'ts', optInt(f, 'ts', p, 0));
  return fill;
}

/** `GET /portfolio/fills` → `{fills, cursor}`. */
export interface FillsPage extends Page {
  fills: Fill[];
}

/** Decodes `GET /portfolio/fills`. Legacy `price` (a float of dollars) is ignored. */
export const decodeFills: (body: unknown) => DecodeResult<FillsPage> = pageDecoder('portfolio_fills', 'fills', decodeFillObj);

/** A market position (`GET /portfolio/positions` → `market_positions[]`). `positionCentis` is signed (negative = NO). */
export interface MarketPosition {
  ticker: string;
  positionCentis: SizeCentis;
  marketExposureMicros?: DollarsMicros;
  realizedPnlMicros?: DollarsMicros;
  feesPaidMicros?: DollarsMicros;
  totalTradedMicros?: DollarsMicros;
  restingOrdersCount?: number;
  lastUpdatedTs?: string;
}

/** An event position (`event_positions[]`). */
export interface EventPosition {
  eventTicker: string;
  totalCostMicros?: DollarsMicros;
  totalCostSharesCentis?: SizeCentis;
  eventExposureMicros?: DollarsMicros;
  realizedPnlMicros?: DollarsMicros;
  feesPaidMicros?: DollarsMicros;
}

/** `GET /portfolio/positions` → `{market_positions, event_positions, cursor}`. */
export interface Positions extends Page {
  marketPositions: MarketPosition[];
  eventPositions: EventPosition[];
}

/** Decodes `GET /portfolio/positions` (amount strings may carry 6 decimals, e.g. `"4.950000"`). */
export function decodePositions(body: unknown): DecodeResult<Positions> {
  return runDecoder('portfolio_positions', () => {
    const o = root(body);
    const r: Positions = {
      marketPositions:
        mapOptObjArr(o, 'market_positions', '', (m, p) => {
          const mp: MarketPosition = { ticker: reqId(m, 'ticker', p), positionCentis: reqSize(m, p, 'position_fp', 'position', true) };
          put(mp, 'marketExposureMicros', readMoney(m, p, 'market_exposure_dollars', 'market_exposure', false));
          put(mp, 'realizedPnlMicros', readMoney(m, p, 'realized_pnl_dollars', 'realized_pnl', false));
          put(mp, 'feesPaidMicros', readMoney(m, p, 'fees_paid_dollars', 'fees_paid', false));
          put(mp, 'totalTradedMicros', readMoney(m, p, 'total_traded_dollars', 'total_traded', false));
          put(mp, 'restingOrdersCount', optInt(m, 'resting_orders_count', p, 0));
          put(mp, 'lastUpdatedTs', optStr(m, 'last_updated_ts', p));
          return mp;
        }) ?? [],
      eventPositions:
        mapOptObjArr(o, 'event_positions', '', (e, p) => {
          const ep: EventPosition = { eventTicker: reqId(e, 'event_ticker', p) };
          put(ep, 'totalCostMicros', readMoney(e, p, 'total_cost_dollars', 'total_cost', false));
          put(ep, 'totalCostSharesCentis', readSize(e, p, 'total_cost_shares_fp', 'total_cost_shares', false, true));
          put(ep, 'eventExposureMicros', readMoney(e, p, 'event_exposure_dollars', 'event_exposure', false));
          put(ep, 'realizedPnlMicros', readMoney(e, p, 'realized_pnl_dollars', 'realized_pnl', false));
          put(ep, 'feesPaidMicros', readMoney(e, p, 'fees_paid_dollars', 'fees_paid', false));
          return ep;
        }) ?? [],
    };
    put(r, 'cursor', cursorOf(o));
    return r;
  });
}

/** `GET /portfolio/balance` → `{balance, portfolio_value, updated_ts}` (integers in cents; `*_dollars` strings preferred when present). */
export interface Balance {
  balanceMicros: DollarsMicros;
  portfolioValueMicros?: DollarsMicros;
  /** Unix seconds. */
  updatedTs?: number;
}

/** Decodes `GET /portfolio/balance`. */
export function decodeBalance(body: unknown): DecodeResult<Balance> {
  return runDecoder('portfolio_balance', () => {
    const o = root(body);
    const b: Balance = { balanceMicros: reqMoney(o, '', 'balance_dollars', 'balance') };
    put(b, 'portfolioValueMicros', readMoney(o, '', 'portfolio_value_dollars', 'portfolio_value', false));
    put(b, 'updatedTs', optInt(o, 'updated_ts', '', 0));
    return b;
  });
}

/** A settlement (`GET /portfolio/settlements`). Legacy cost/revenue integers are cents. */
export interface Settlement {
  ticker: string;
  eventTicker?: string;
  marketResult: string;
  yesCountCentis?: SizeCentis;
  noCountCentis?: SizeCentis;
  yesTotalCostMicros?: DollarsMicros;
  noTotalCostMicros?: DollarsMicros;
  revenueMicros?: DollarsMicros;
  feeCostMicros?: DollarsMicros;
  /** Legacy `value` as sent (OpenAPI: payout of one YES contract in cents; the sanitized golden file has 4559, so the unit is not verifiable). */
  value?: number;
  settledTime?: string;
}

/** `GET /portfolio/settlements` → `{settlements, cursor}`. */
export interface SettlementsPage extends Page {
  settlements: Settlement[];
}

/** Decodes `GET /portfolio/settlements`. */
export function decodeSettlements(body: unknown): DecodeResult<SettlementsPage> {
  return runDecoder('portfolio_settlements', () => {
    const o = root(body);
    const page: SettlementsPage = {
      settlements: mapObjArr(o, 'settlements', '', (s, p) => {
        const st: Settlement = { ticker: reqId(s, 'ticker', p), marketResult: reqStr(s, 'market_result', p) };
        put(st, 'eventTicker', optStr(s, 'event_ticker', p));
        put(st, 'yesCountCentis', readSize(s, p, 'yes_count_fp', 'yes_count', false));
        put(st, 'noCountCentis', readSize(s, p, 'no_count_fp', 'no_count', false));
        put(st, 'yesTotalCostMicros', readMoney(s, p, 'yes_total_cost_dollars', 'yes_total_cost', false));
        put(st, 'noTotalCostMicros', readMoney(s, p, 'no_total_cost_dollars', 'no_total_cost', false));
        put(st, 'revenueMicros', readMoney(s, p, 'revenue_dollars', 'revenue', false));
        put(st, 'feeCostMicros', readMoney(s, p, 'fee_cost', undefined, false));
        put(st, 'value', optNumeric(s, 'value', p));
        put(st, 'settledTime', optStr(s, 'settled_time', p));
        return st;
      }),
    };
    put(page, 'cursor', cursorOf(o));
    return page;
  });
}

/** `GET /portfolio/summary/total_resting_order_value` → `{total_resting_order_value}` (cents). */
export interface TotalRestingOrderValue {
  totalRestingOrderValueMicros: DollarsMicros;
}

/**
 * Decodes the total-resting-order-value body, or the error body this endpoint returns to non-FCM accounts
 * (`{"error":{"code":"permission_denied",…}}`, as recorded in the golden file).
 */
export function decodeTotalRestingOrderValue(body: unknown): DecodeResult<TotalRestingOrderValue | ApiErrorBody> {
  if (isRec(body) && body.error !== undefined) return decodeApiError(body);
  return runDecoder('portfolio_total_resting_order_value', () => ({
    totalRestingOrderValueMicros: reqMoney(root(body), '', 'total_resting_order_value_dollars', 'total_resting_order_value'),
  }));
}

// =========================================================================================================
// Order groups, queue positions
// =========================================================================================================

/** `POST /portfolio/order_groups/create` → `{order_group_id}`. */
export function decodeOrderGroupCreated(body: unknown): DecodeResult<{ orderGroupId: string }> {
  return runDecoder('order_group_create', () => ({ orderGroupId: reqId(root(body), 'order_group_id', '') }));
}

/** An order group. `contractsLimitCentis` from `contracts_limit_fp` (legacy `contracts_limit`) when sent. */
export interface OrderGroup {
  id?: string;
  isAutoCancelEnabled: boolean;
  contractsLimitCentis?: SizeCentis;
  /** Order ids (single-group body only). */
  orders?: string[];
}

function decodeOrderGroupObj(g: Rec, p: string): OrderGroup {
  const r: OrderGroup = { isAutoCancelEnabled: reqBool(g, 'is_auto_cancel_enabled', p) };
  put(r, 'id', optStr(g, 'id', p) ?? optStr(g, 'order_group_id', p));
  put(r, 'contractsLimitCentis', readSize(g, p, 'contracts_limit_fp', 'contracts_limit', false));
  put(r, 'orders', optStrArr(g, 'orders', p));
  return r;
}

/** Decodes `GET /portfolio/order_groups/{id}` → `{is_auto_cancel_enabled, orders}`. */
export function decodeOrderGroup(body: unknown): DecodeResult<OrderGroup> {
  return runDecoder('order_group_single', () => decodeOrderGroupObj(root(body), ''));
}

/** Decodes `GET /portfolio/order_groups` → `{order_groups: [{id, is_auto_cancel_enabled}]}`. */
export function decodeOrderGroups(body: unknown): DecodeResult<{ orderGroups: OrderGroup[] }> {
  return runDecoder('order_groups_list', () => ({ orderGroups: mapObjArr(root(body), 'order_groups', '', decodeOrderGroupObj) }));
}

/** Decodes an empty-object body (`DELETE /portfolio/order_groups/{id}`, `PUT …/reset`): `{}`; extra keys are ignored. */
export function decodeEmpty(body: unknown): DecodeResult<Record<string, never>> {
  return runDecoder('empty', () => {
    root(body);
    return {};
  });
}

/** Decodes `GET /portfolio/orders/{id}/queue_position` → `{queue_position}` (contracts ahead; `queue_position_fp` preferred). */
export function decodeQueuePosition(body: unknown): DecodeResult<{ queuePositionCentis: SizeCentis }> {
  return runDecoder('order_queue_position', () => ({ queuePositionCentis: reqSize(root(body), '', 'queue_position_fp', 'queue_position') }));
}

/** One entry of `GET /portfolio/orders/queue_positions`. */
export interface QueuePosition {
  orderId: string;
  marketTicker: string;
  queuePositionCentis: SizeCentis;
}

/** Decodes `GET /portfolio/orders/queue_positions` → `{queue_positions: [{order_id, market_ticker, queue_position}]}`. */
export function decodeQueuePositions(body: unknown): DecodeResult<{ queuePositions: QueuePosition[] }> {
  return runDecoder('order_queue_positions', () => ({
    queuePositions: mapObjArr(root(body), 'queue_positions', '', (q, p) => ({
      orderId: reqId(q, 'order_id', p),
      marketTicker: reqId(q, 'market_ticker', p),
      queuePositionCentis: reqSize(q, p, 'queue_position_fp', 'queue_position'),
    })),
  }));
}

// =========================================================================================================
// Exotic bodies: loosely typed (wire shape, unknown keys kept), validated with zod
// =========================================================================================================

const zStr = z.string();
const zInt = z.number().int();
const zNullableStr = z.string().nullable().optional();
const zDetails = z.record(z.string(), z.unknown());

/** A milestone (`GET /milestones`, `/milestones/{id}`), wire shape. */
export const MilestoneSchema = z.looseObject({
  id: zStr,
  category: zStr,
  type: zStr,
  title: zStr,
  start_date: zStr,
  end_date: zNullableStr,
  related_event_tickers: z.array(zStr),
  primary_event_tickers: z.array(zStr),
  details: zDetails,
  last_updated_ts: zStr,
  notification_message: zStr.optional(),
  source_id: zStr.optional(),
});
/** A milestone as returned (wire shape). */
export type Milestone = z.infer<typeof MilestoneSchema>;
/** `GET /milestones` → `{milestones, cursor}`. */
export const MilestonesListSchema = z.looseObject({ milestones: z.array(MilestoneSchema), cursor: zNullableStr });
/** `GET /milestones/{id}` → `{milestone}`. */
export const MilestoneSingleSchema = z.looseObject({ milestone: MilestoneSchema });

/** A multivariate event collection (`GET /multivariate_event_collections[/{ticker}]`), wire shape. */
export const MultivariateCollectionSchema = z.looseObject({
  collection_ticker: zStr,
  series_ticker: zStr,
  title: zStr,
  description: zStr,
  open_date: zStr,
  close_date: zStr,
  associated_event_tickers: z.array(zStr),
  associated_events: z.array(
    z.looseObject({ ticker: zStr, is_yes_only: z.boolean(), size_max: zInt.nullable().optional(), size_min: zInt.nullable().optional(), active_quoters: z.array(zStr).optional() }),
  ),
  is_ordered: z.boolean(),
  is_single_market_per_event: z.boolean(),
  is_all_yes: z.boolean(),
  size_min: zInt,
  size_max: zInt,
  functional_description: zStr,
});
/** A multivariate event collection as returned (wire shape). */
export type MultivariateCollection = z.infer<typeof MultivariateCollectionSchema>;
/** `GET /multivariate_event_collections` → `{multivariate_contracts, cursor}`. */
export const MultivariateCollectionsListSchema = z.looseObject({ multivariate_contracts: z.array(MultivariateCollectionSchema), cursor: zNullableStr });
/** `GET /multivariate_event_collections/{ticker}` → `{multivariate_contract}`. */
export const MultivariateCollectionSingleSchema = z.looseObject({ multivariate_contract: MultivariateCollectionSchema });
/** `PUT /multivariate_event_collections/{ticker}/lookup` → `{event_ticker, market_ticker}`. */
export const MultivariateLookupSchema = z.looseObject({ event_ticker: zStr, market_ticker: zStr });

/** `GET /events/{ticker}/metadata`. */
export const EventMetadataSchema = z.looseObject({
  image_url: zStr,
  featured_image_url: zStr.optional(),
  market_details: z.array(z.looseObject({ market_ticker: zStr, image_url: zStr.optional(), color_code: zStr.optional() })),
  settlement_sources: z.array(z.looseObject({ name: zStr, url: zStr })),
});

/** A structured target (`GET /structured_targets[/{id}]`). */
export const StructuredTargetSchema = z.looseObject({ id: zStr, name: zStr, type: zStr, details: zDetails, source_id: zStr.optional(), last_updated_ts: zStr.optional() });
/** `GET /structured_targets` → `{structured_targets, cursor}`. */
export const StructuredTargetsListSchema = z.looseObject({ structured_targets: z.array(StructuredTargetSchema), cursor: zNullableStr });
/** `GET /structured_targets/{id}` → `{structured_target}`. */
export const StructuredTargetSingleSchema = z.looseObject({ structured_target: StructuredTargetSchema });

/** `GET /search/tags_by_categories`: category → tags (null when none). */
export const TagsByCategoriesSchema = z.looseObject({ tags_by_categories: z.record(zStr, z.array(zStr).nullable()) });

/** `GET /incentive_programs`. `period_reward` is an integer in centi-cents per the OpenAPI; kept as sent. */
export const IncentiveProgramsSchema = z.looseObject({
  incentive_programs: z.array(
    z.looseObject({
      id: zStr,
      market_ticker: zStr,
      incentive_type: zStr,
      start_date: zStr,
      end_date: zStr,
      period_reward: zInt,
      paid_out: z.boolean(),
      discount_factor_bps: zInt.nullable().optional(),
      target_size: zInt.nullable().optional(),
    }),
  ),
  next_cursor: zNullableStr,
});

/** Live data of a milestone (`GET /live_data/{type}/milestone/{id}`, batch `GET /live_data/batch`). */
export const LiveDataSchema = z.looseObject({ type: zStr, details: zDetails, milestone_id: zStr });
/** `GET /live_data/{type}/milestone/{id}` → `{live_data}`. */
export const LiveDataSingleSchema = z.looseObject({ live_data: LiveDataSchema });
/** `GET /live_data/batch` → `{live_datas}`. */
export const LiveDataBatchSchema = z.looseObject({ live_datas: z.array(LiveDataSchema) });

/** `GET /search/filters_by_sport`. */
export const FiltersBySportSchema = z.looseObject({
  filters_by_sports: z.record(zStr, z.looseObject({ scopes: z.array(zStr), competitions: z.record(zStr, z.looseObject({ scopes: z.array(zStr) })) })),
  sport_ordering: z.array(zStr),
});

/** `GET /series/fee_changes`. */
export const SeriesFeeChangesSchema = z.looseObject({
  series_fee_change_arr: z.array(z.looseObject({ series_ticker: zStr.optional(), fee_type: zStr.optional(), fee_multiplier: z.union([z.number(), zStr]).optional(), scheduled_ts: z.union([zStr, zInt]).optional() })),
});

/** `GET /exchange/user_data_timestamp` → `{as_of_time}`. */
export const UserDataTimestampSchema = z.looseObject({ as_of_time: zStr });

/**
 * Validates `body` with a zod schema and returns the parsed (wire-shaped) value, or an `invalid_field` error
 * naming the first offending path and its value. Never throws.
 */
export function decodeWithSchema<S extends z.ZodType>(schema: S, body: unknown, name: string): DecodeResult<z.infer<S>> {
  let r: ReturnType<S['safeParse']>;
  try {
    r = schema.safeParse(body) as ReturnType<S['safeParse']>;
  } catch (e) {
    return decodeFailure('invalid_field', `unexpected error while decoding ${name}: ${e instanceof Error ? e.message : describeValue(e)}`, undefined, name);
  }
  if (r.success) return { ok: true, value: r.data as z.infer<S> };
  const issue = r.error.issues[0];
  const pathParts = issue?.path ?? [];
  let field = '';
  let v: unknown = body;
  for (const k of pathParts) {
    field = typeof k === 'number' ? `${field}[${k}]` : field === '' ? String(k) : `${field}.${String(k)}`;
    v = isRec(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[k as string | number] : undefined;
  }
  const shown = field === '' ? '(root)' : field;
  return decodeFailure('invalid_field', `${shown}: ${issue?.message ?? 'invalid'}, got ${describeValue(v)}`, shown, name);
}

// =========================================================================================================
// Dispatcher
// =========================================================================================================

/**
 * Decoders by endpoint name. Names are the `_metadata.endpoint` values of the golden fixtures
 * (`kalshi-starter-golden-rest`), plus `market_candlesticks` and `api_error`.
 */
export const REST_DECODERS = {
  markets_list: decodeMarketsList,
  market_single: decodeMarket,
  events_list: decodeEventsList,
  events_multivariate_list: decodeEventsList,
  event_single: decodeEvent,
  event_metadata: (b: unknown) => decodeWithSchema(EventMetadataSchema, b, 'event_metadata'),
  orderbook: decodeOrderbook,
  trades_list: decodeTrades,
  market_candlesticks: decodeMarketCandlesticks,
  series_candlesticks: decodeMarketCandlesticks,
  candlesticks_batch: decodeBatchCandlesticks,
  event_candlesticks: decodeEventCandlesticks,
  series_list: decodeSeriesList,
  series_single: decodeSeries,
  series_fee_changes: (b: unknown) => decodeWithSchema(SeriesFeeChangesSchema, b, 'series_fee_changes'),
  exchange_status: decodeExchangeStatus,
  exchange_schedule: decodeExchangeSchedule,
  exchange_announcements: decodeExchangeAnnouncements,
  user_data_timestamp: (b: unknown) => decodeWithSchema(UserDataTimestampSchema, b, 'user_data_timestamp'),
  portfolio_orders: decodeOrders,
  portfolio_order_single: decodeOrder,
  create_order: decodeOrder,
  decrease_order: decodeOrder,
  cancel_order: decodeCancelOrder,
  amend_order: decodeAmendOrder,
  batch_create_orders: decodeBatchCreateOrders,
  batch_cancel_orders: decodeBatchCancelOrders,
  portfolio_fills: decodeFills,
  portfolio_positions: decodePositions,
  portfolio_balance: decodeBalance,
  portfolio_settlements: decodeSettlements,
  portfolio_total_resting_order_value: decodeTotalRestingOrderValue,
  order_group_create: decodeOrderGroupCreated,
  order_group_delete: decodeEmpty,
  order_group_reset: decodeEmpty,
  order_group_single: decodeOrderGroup,
  order_groups_list: decodeOrderGroups,
  order_queue_position: decodeQueuePosition,
  order_queue_positions: decodeQueuePositions,
  milestones_list: (b: unknown) => decodeWithSchema(MilestonesListSchema, b, 'milestones_list'),
  milestone_single: (b: unknown) => decodeWithSchema(MilestoneSingleSchema, b, 'milestone_single'),
  multivariate_event_collections_list: (b: unknown) => decodeWithSchema(MultivariateCollectionsListSchema, b, 'multivariate_event_collections_list'),
  multivariate_event_collection_single: (b: unknown) => decodeWithSchema(MultivariateCollectionSingleSchema, b, 'multivariate_event_collection_single'),
  multivariate_event_collection_lookup_tickers: (b: unknown) => decodeWithSchema(MultivariateLookupSchema, b, 'multivariate_event_collection_lookup_tickers'),
  structured_targets_list: (b: unknown) => decodeWithSchema(StructuredTargetsListSchema, b, 'structured_targets_list'),
  structured_target_single: (b: unknown) => decodeWithSchema(StructuredTargetSingleSchema, b, 'structured_target_single'),
  tags_by_categories: (b: unknown) => decodeWithSchema(TagsByCategoriesSchema, b, 'tags_by_categories'),
  incentive_programs: (b: unknown) => decodeWithSchema(IncentiveProgramsSchema, b, 'incentive_programs'),
  live_data_batch: (b: unknown) => decodeWithSchema(LiveDataBatchSchema, b, 'live_data_batch'),
  live_data_milestone: (b: unknown) => decodeWithSchema(LiveDataSingleSchema, b, 'live_data_milestone'),
  filters_by_sport: (b: unknown) => decodeWithSchema(FiltersBySportSchema, b, 'filters_by_sport'),
  api_error: decodeApiError,
} as const;

/** An endpoint name accepted by {@link decodeRestBody}. */
export type RestEndpointName = keyof typeof REST_DECODERS;

/** The decoded type of an endpoint's body. */
export type RestBody<N extends RestEndpointName> = ReturnType<(typeof REST_DECODERS)[N]> extends DecodeResult<infer T> ? T : never;

/**
 * Decodes a REST body by endpoint name (see {@link REST_DECODERS}). An unknown name yields
 * `{ok: false, error: {kind: 'unknown_type'}}`. Never throws.
 */
export function decodeRestBody<N extends RestEndpointName>(endpointName: N, body: unknown): DecodeResult<RestBody<N>>;
export function decodeRestBody(endpointName: string, body: unknown): DecodeResult<unknown>;
export function decodeRestBody(endpointName: string, body: unknown): DecodeResult<unknown> {
  const fn = Object.prototype.hasOwnProperty.call(REST_DECODERS, endpointName) ? (REST_DECODERS as Record<string, (b: unknown) => DecodeResult<unknown>>)[endpointName] : undefined;
  if (fn === undefined) return decodeFailure('unknown_type', `unknown REST endpoint name ${describeValue(endpointName)}`, undefined, String(endpointName));
  return fn(body);
}
