/**
 * Kalshi WebSocket v2 frame decoder and encoders.
 *
 * - {@link decodeWsFrame}: text/bytes/parsed JSON → typed {@link WsFrame}, accepting both unit dialects
 *   (fixed point since 2026-03-12, and legacy integer cents), never throwing.
 * - `encode*`: typed frame → the exact JSON text Kalshi sends (key order as in the real demo capture
 *   `kalshi-demo-ws-capture-2026-07-01`), in either dialect, for the mock exchange.
 *
 * Hot path: `orderbook_snapshot` and `orderbook_delta` are decoded by hand-written checks with no closures,
 * no exceptions and no allocation beyond the result (and its levels). All other frames use the field readers of
 * `common.ts`.
 *
 * Sources: docs.kalshi.com/asyncapi.yaml and docs.kalshi.com/websockets/* (shapes), getting_started/fixed_point_migration
 * (units), KALSHI_API.md, and the captures under shared/data.
 */
import { formatPriceDollars, formatSizeFp, type PriceTicks, type SizeCentis } from '@kalshi-platform/market';
import { decodeFailure, describeValue, isRec, PRICE_LEVEL_STRUCTURES, type BidAsk, type BuySell, type DecodeResult, type Dialect, type Level, type Rec, type YesNo } from './common';
import {
  join,
  mapObjArr,
  optBool,
  optEnum,
  optInt,
  optNumeric,
  optObj,
  optStr,
  optStrArr,
  put,
  readMoney,
  readPrice,
  readSize,
  reqPrice,
  reqSize,
  reqEnum,
  reqId,
  reqInt,
  reqObj,
  reqStr,
  runDecoder,
  fieldFail,
} from './read';
import { formatDollarsMicros, MICROS_PER_CENT, MICROS_PER_TICK, priceTicksOrNaN, sizeCentisOrNaN } from './fixed';
import type {
  ErrorFrame,
  EventLifecycleFrame,
  FillFrame,
  ListSubscriptionsFrame,
  MarketLifecycleFrame,
  MarketLifecycleMetadata,
  MarketPositionFrame,
  OkFrame,
  OrderbookDeltaFrame,
  OrderbookSnapshotFrame,
  OrderGroupUpdateFrame,
  SubscribedFrame,
  TickerFrame,
  TradeFrame,
  UnsubscribedFrame,
  UserOrderFrame,
  WsFrame,
  WsSubscriptionInfo,
} from './ws-types';

const YES_NO: readonly YesNo[] = ['yes', 'no'];
const BOOK_SIDES: readonly BidAsk[] = ['bid', 'ask'];
const BUY_SELL: readonly BuySell[] = ['buy', 'sell'];

// =========================================================================================================
// Decoding
// =========================================================================================================

/**
 * Decodes one Kalshi WebSocket text frame.
 *
 * @param raw the frame as a string, a Buffer/Uint8Array (UTF-8), an array of Buffers (a fragmented message as
 *   the `ws` library delivers it), or an already-parsed JSON value.
 * @returns `{ok: true, value}` with a typed {@link WsFrame}, or `{ok: false, error}` where `error.kind` is
 *   `malformed_json` (not JSON), `not_an_object` (JSON but not an object), `unknown_type` (a `type` this library
 *   does not decode, e.g. RFQ `communications` frames) or `invalid_field` (missing/wrong-typed/out-of-range field;
 *   `error.field` is the dotted path and the message quotes the value). Never throws.
 *
 * Dialects: fixed-point fields (`*_dollars`, `*_fp`) are preferred whenever present; legacy integer-cent fields
 * are used otherwise; the frame's `dialect` says which (docs.kalshi.com/getting_started/fixed_point_migration).
 * Book prices must be in 1..9999 ticks, ladder levels strictly ascending, snapshot sizes ≥ 0, prices at most
 * 4 decimals and sizes at most 2 (extra decimals are accepted only if they are zeros).
 */
export function decodeWsFrame(raw: string | Buffer | unknown): DecodeResult<WsFrame> {
  let value: unknown = raw;
  try {
    if (typeof raw === 'string') {
      value = parseJson(raw);
      if (value === PARSE_FAILED) return malformed(raw);
    } else if (raw instanceof Uint8Array) {
      const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
      value = parseJson(text);
      if (value === PARSE_FAILED) return malformed(text);
    } else if (raw instanceof ArrayBuffer) {
      const text = Buffer.from(raw).toString('utf8');
      value = parseJson(text);
      if (value === PARSE_FAILED) return malformed(text);
    } else if (Array.isArray(raw) && raw.length > 0 && raw.every((x) => x instanceof Uint8Array)) {
      const text = Buffer.concat(raw as Uint8Array[]).toString('utf8');
      value = parseJson(text);
      if (value === PARSE_FAILED) return malformed(text);
    }
    return decodeParsed(value);
  } catch (e) {
    // Only reachable through hostile caller-supplied objects (throwing getters, proxies).
    return decodeFailure('invalid_field', `unexpected error while decoding frame: ${e instanceof Error ? e.message : describeValue(e)}`);
  }
}

const PARSE_FAILED: unique symbol = Symbol('parse failed');
let lastParseError = '';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    lastParseError = e instanceof Error ? e.message : String(e);
    return PARSE_FAILED;
  }
}

function malformed(text: string): DecodeResult<never> {
  return decodeFailure('malformed_json', `frame is not valid JSON (${lastParseError}): ${describeValue(text.length > 80 ? `${text.slice(0, 80)}…` : text)}`);
}

function decodeParsed(v: unknown): DecodeResult<WsFrame> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return decodeFailure('not_an_object', `frame must be a JSON object, got ${Array.isArray(v) ? 'an array' : describeValue(v)}`);
  }
  const o = v as Rec;
  const type = o.type;
  if (typeof type !== 'string') return decodeFailure('invalid_field', `type: expected a string, got ${describeValue(type)}`, 'type');
  switch (type) {
    case 'orderbook_delta':
      return decodeDelta(o);
    case 'orderbook_snapshot':
      return decodeSnapshot(o);
    case 'ticker':
      return runDecoder(type, () => decodeTicker(o));
    case 'trade':
      return runDecoder(type, () => decodeTrade(o));
    case 'fill':
      return runDecoder(type, () => decodeFill(o));
    case 'ok':
      return runDecoder<OkFrame | ListSubscriptionsFrame>(type, () => decodeOk(o));
    case 'subscribed':
      return runDecoder(type, () => decodeSubscribed(o));
    case 'unsubscribed':
      return runDecoder(type, () => decodeUnsubscribed(o));
    case 'error':
      return runDecoder(type, () => decodeError(o));
    case 'list_subscriptions':
      return runDecoder(type, () => decodeListSubscriptions(o));
    case 'user_order':
      return runDecoder(type, () => decodeUserOrder(o));
    case 'market_position':
    case 'market_positions':
      return runDecoder('market_position', () => decodeMarketPosition(o));
    case 'market_lifecycle_v2':
      return runDecoder(type, () => decodeMarketLifecycle(o));
    case 'event_lifecycle':
      return runDecoder(type, () => decodeEventLifecycle(o));
    case 'order_group_updates':
      return runDecoder(type, () => decodeOrderGroupUpdate(o));
    default:
      return decodeFailure('unknown_type', `unknown frame type ${describeValue(type)}`, 'type', type);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Hot path: orderbook_snapshot / orderbook_delta
// ---------------------------------------------------------------------------------------------------------

function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function bad(frameType: string, field: string, expected: string, value: unknown): DecodeResult<never> {
  return decodeFailure('invalid_field', `${field}: expected ${expected}, got ${describeValue(value)}`, field, frameType);
}

// Set by the level scanners when they return null.
let levelErrField = '';
let levelErrExpected = '';
let levelErrValue: unknown = undefined;

function levelFail(field: string, expected: string, value: unknown): null {
  levelErrField = field;
  levelErrExpected = expected;
  levelErrValue = value;
  return null;
}

/**
 * Fixed-point ladder: `[["0.0100","1406474.86"], …]`. `numericSizesOk` additionally accepts integer contract
 * counts as sizes (the transitional `yes_dollars` form `[["0.0800", 300]]`).
 */
function scanDollarLevels(arr: unknown, field: string, numericSizesOk: boolean): Level[] | null {
  if (arr === null) return [];
  if (!Array.isArray(arr)) return levelFail(field, 'an array of [price, size] pairs', arr);
  const n = arr.length;
  const out: Level[] = [];
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const lv = arr[i];
    if (!Array.isArray(lv) || lv.length !== 2) return levelFail(`${field}[${i}]`, 'a [price, size] pair', lv);
    const ps = lv[0];
    const price = typeof ps === 'string' ? priceTicksOrNaN(ps) : NaN;
    if (!(price >= 1 && price <= 9999)) return levelFail(`${field}[${i}][0]`, 'a dollar price string with at most 4 decimals strictly between 0 and 1', ps);
    if (price <= prev) return levelFail(`${field}[${i}][0]`, `a price above the previous level's (ladders are strictly ascending)`, ps);
    const ss = lv[1];
    let size: number;
    if (typeof ss === 'string') size = sizeCentisOrNaN(ss);
    else if (numericSizesOk && typeof ss === 'number' && Number.isSafeInteger(ss)) size = ss * 100;
    else size = NaN;
    if (!(size >= 0)) return levelFail(`${field}[${i}][1]`, 'a non-negative contract-count string with at most 2 decimals', ss);
    out.push([price, size]);
    prev = price;
  }
  return out;
}

/** Legacy ladder: `[[cents, count], …]`, integers. */
function scanCentLevels(arr: unknown, field: string): Level[] | null {
  if (arr === null) return [];
  if (!Array.isArray(arr)) return levelFail(field, 'an array of [cents, count] pairs', arr);
  const n = arr.length;
  const out: Level[] = [];
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const lv = arr[i];
    if (!Array.isArray(lv) || lv.length !== 2) return levelFail(`${field}[${i}]`, 'a [cents, count] pair', lv);
    const c = lv[0];
    if (!(typeof c === 'number' && Number.isInteger(c) && c >= 1 && c <= 99)) return levelFail(`${field}[${i}][0]`, 'an integer price in cents 1..99', c);
    const price = c * 100;
    if (price <= prev) return levelFail(`${field}[${i}][0]`, `a price above the previous level's (ladders are strictly ascending)`, c);
    const q = lv[1];
    if (!(typeof q === 'number' && Number.isSafeInteger(q) && q >= 0 && q <= 90_000_000_000_000)) return levelFail(`${field}[${i}][1]`, 'a non-negative integer contract count', q);
    out.push([price, q * 100]);
    prev = price;
  }
  return out;
}

function decodeSnapshot(o: Rec): DecodeResult<OrderbookSnapshotFrame> {
  const T = 'orderbook_snapshot';
  const sid = o.sid;
  if (!isUint(sid)) return bad(T, 'sid', 'a non-negative integer', sid);
  const seq = o.seq;
  if (!isUint(seq)) return bad(T, 'seq', 'a non-negative integer', seq);
  const m = o.msg;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return bad(T, 'msg', 'an object', m);
  const msg = m as Rec;
  const ticker = msg.market_ticker;
  if (typeof ticker !== 'string' || ticker.length === 0) return bad(T, 'msg.market_ticker', 'a non-empty string', ticker);
  const marketId = msg.market_id;
  if (marketId !== undefined && typeof marketId !== 'string') return bad(T, 'msg.market_id', 'a string', marketId);

  // Per side: `*_dollars_fp` (current) > `*_dollars` (transitional) > legacy cents; absent = empty side.
  let fixedUsed = false;
  let legacyUsed = false;
  let yes: Level[] | null;
  let no: Level[] | null;
  let v: unknown;
  if ((v = msg.yes_dollars_fp) !== undefined) {
    yes = scanDollarLevels(v, 'msg.yes_dollars_fp', false);
    fixedUsed = true;
  } else if ((v = msg.yes_dollars) !== undefined) {
    yes = scanDollarLevels(v, 'msg.yes_dollars', true);
    fixedUsed = true;
  } else if ((v = msg.yes) !== undefined) {
    yes = scanCentLevels(v, 'msg.yes');
    legacyUsed = true;
  } else yes = [];
  if (yes === null) return bad(T, levelErrField, levelErrExpected, levelErrValue);
  if ((v = msg.no_dollars_fp) !== undefined) {
    no = scanDollarLevels(v, 'msg.no_dollars_fp', false);
    fixedUsed = true;
  } else if ((v = msg.no_dollars) !== undefined) {
    no = scanDollarLevels(v, 'msg.no_dollars', true);
    fixedUsed = true;
  } else if ((v = msg.no) !== undefined) {
    no = scanCentLevels(v, 'msg.no');
    legacyUsed = true;
  } else no = [];
  if (no === null) return bad(T, levelErrField, levelErrExpected, levelErrValue);
  const dialect: Dialect = legacyUsed && !fixedUsed ? 'legacy_cents' : 'fixed_point';

  return {
    ok: true,
    value: { type: T, sid, seq, marketTicker: ticker, marketId: marketId as string | undefined, yes, no, dialect },
  };
}

function decodeDelta(o: Rec): DecodeResult<OrderbookDeltaFrame> {
  const T = 'orderbook_delta';
  const sid = o.sid;
  if (!isUint(sid)) return bad(T, 'sid', 'a non-negative integer', sid);
  const seq = o.seq;
  if (!isUint(seq)) return bad(T, 'seq', 'a non-negative integer', seq);
  const m = o.msg;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return bad(T, 'msg', 'an object', m);
  const msg = m as Rec;
  const ticker = msg.market_ticker;
  if (typeof ticker !== 'string' || ticker.length === 0) return bad(T, 'msg.market_ticker', 'a non-empty string', ticker);
  const marketId = msg.market_id;
  if (marketId !== undefined && typeof marketId !== 'string') return bad(T, 'msg.market_id', 'a string', marketId);
  const side = msg.side;
  if (side !== 'yes' && side !== 'no') return bad(T, 'msg.side', '"yes" or "no"', side);

  let fixed = false;
  let price: number;
  const pd = msg.price_dollars;
  if (pd !== undefined) {
    price = typeof pd === 'string' ? priceTicksOrNaN(pd) : NaN;
    if (!(price >= 1 && price <= 9999)) return bad(T, 'msg.price_dollars', 'a dollar price string with at most 4 decimals strictly between 0 and 1', pd);
    fixed = true;
  } else {
    const pc = msg.price;
    if (!(typeof pc === 'number' && Number.isInteger(pc) && pc >= 1 && pc <= 99)) {
      return bad(T, pc === undefined ? 'msg.price_dollars' : 'msg.price', 'a dollar price string in "price_dollars" (or legacy integer cents 1..99 in "price")', pc);
    }
    price = pc * 100;
  }

  let delta: number;
  const df = msg.delta_fp;
  if (df !== undefined) {
    delta = typeof df === 'string' ? sizeCentisOrNaN(df) : NaN;
    if (Number.isNaN(delta)) return bad(T, 'msg.delta_fp', 'a signed contract-count string with at most 2 decimals', df);
    fixed = true;
  } else {
    const dc = msg.delta;
    if (!(typeof dc === 'number' && Number.isSafeInteger(dc) && Math.abs(dc) <= 90_000_000_000_000)) {
      return bad(T, dc === undefined ? 'msg.delta_fp' : 'msg.delta', 'a signed contract-count string in "delta_fp" (or legacy integer in "delta")', dc);
    }
    delta = dc * 100;
  }

  const tsMs = msg.ts_ms;
  if (tsMs !== undefined && !isUint(tsMs)) return bad(T, 'msg.ts_ms', 'a non-negative integer (Unix ms)', tsMs);
  const ts = msg.ts;
  if (ts !== undefined && typeof ts !== 'string') return bad(T, 'msg.ts', 'an RFC 3339 string', ts);
  const coid = msg.client_order_id;
  if (coid !== undefined && typeof coid !== 'string') return bad(T, 'msg.client_order_id', 'a string', coid);
  const sub = msg.subaccount;
  if (sub !== undefined && !isUint(sub)) return bad(T, 'msg.subaccount', 'a non-negative integer', sub);

  return {
    ok: true,
    value: {
      type: T,
      sid,
      seq,
      marketTicker: ticker,
      marketId: marketId as string | undefined,
      side,
      priceTicks: price,
      deltaCentis: delta,
      tsMs: tsMs as number | undefined,
      ts: ts as string | undefined,
      clientOrderId: coid as string | undefined,
      subaccount: sub as number | undefined,
      dialect: fixed ? 'fixed_point' : 'legacy_cents',
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Other frames (field readers, FieldError → DecodeResult via runDecoder)
// ---------------------------------------------------------------------------------------------------------

function msgOf(o: Rec): Rec {
  return reqObj(o.msg, 'msg');
}

/** tsMs from `ts_ms`, else `ts` (Unix seconds) × 1000. */
function readTsMs(m: Rec, path: string): number {
  const ms = optInt(m, 'ts_ms', path, 0);
  if (ms !== undefined) return ms;
  const s = m.ts;
  if (typeof s === 'number' && Number.isSafeInteger(s) && s >= 0) return s * 1000;
  return fieldFail(join(path, 'ts_ms'), 'a Unix-ms integer in "ts_ms" (or Unix seconds in "ts")', m.ts_ms);
}

function hasAny(m: Rec, keys: readonly string[]): boolean {
  for (const k of keys) if (m[k] !== undefined && m[k] !== null) return true;
  return false;
}

function decodeTicker(o: Rec): TickerFrame {
  const m = msgOf(o);
  const p = 'msg';
  const price = reqPrice(m, p, 'price_dollars', 'price');
  const f: TickerFrame = {
    type: 'ticker',
    sid: reqInt(o, 'sid', '', 0),
    marketTicker: reqId(m, 'market_ticker', p),
    priceTicks: price,
    lastPriceTicks: price,
    yesBidTicks: reqPrice(m, p, 'yes_bid_dollars', 'yes_bid'),
    yesAskTicks: reqPrice(m, p, 'yes_ask_dollars', 'yes_ask'),
    tsMs: readTsMs(m, p),
    dialect: hasAny(m, ['price_dollars', 'yes_bid_dollars', 'yes_ask_dollars', 'volume_fp']) ? 'fixed_point' : 'legacy_cents',
  };
  put(f, 'seq', optInt(o, 'seq', '', 0));
  put(f, 'marketId', optStr(m, 'market_id', p));
  put(f, 'yesBidSizeCentis', readSize(m, p, 'yes_bid_size_fp', undefined, false));
  put(f, 'yesAskSizeCentis', readSize(m, p, 'yes_ask_size_fp', undefined, false));
  put(f, 'lastTradeSizeCentis', readSize(m, p, 'last_trade_size_fp', undefined, false));
  put(f, 'volumeCentis', readSize(m, p, 'volume_fp', 'volume', false));
  put(f, 'openInterestCentis', readSize(m, p, 'open_interest_fp', 'open_interest', false));
  put(f, 'dollarVolume', optInt(m, 'dollar_volume', p));
  put(f, 'dollarOpenInterest', optInt(m, 'dollar_open_interest', p));
  put(f, 'time', optStr(m, 'time', p));
  return f;
}

function decodeTrade(o: Rec): TradeFrame {
  const m = msgOf(o);
  const p = 'msg';
  const takerSide = optEnum(m, 'taker_side', p, YES_NO);
  const takerOutcomeSide = optEnum(m, 'taker_outcome_side', p, YES_NO);
  const side = takerSide ?? takerOutcomeSide;
  if (side === undefined) fieldFail(join(p, 'taker_side'), '"yes" or "no" (in "taker_side" or "taker_outcome_side")', m.taker_side);
  const f: TradeFrame = {
    type: 'trade',
    sid: reqInt(o, 'sid', '', 0),
    tradeId: reqId(m, 'trade_id', p),
    marketTicker: m.market_ticker === undefined && typeof m.ticker === 'string' ? reqId(m, 'ticker', p) : reqId(m, 'market_ticker', p),
    yesPriceTicks: reqPrice(m, p, 'yes_price_dollars', 'yes_price'),
    noPriceTicks: reqPrice(m, p, 'no_price_dollars', 'no_price'),
    countCentis: reqSize(m, p, 'count_fp', 'count'),
    takerSide: side,
    tsMs: readTsMs(m, p),
    dialect: hasAny(m, ['yes_price_dollars', 'no_price_dollars', 'count_fp']) ? 'fixed_point' : 'legacy_cents',
  };
  put(f, 'seq', optInt(o, 'seq', '', 0));
  put(f, 'takerOutcomeSide', takerOutcomeSide);
  put(f, 'takerBookSide', optEnum(m, 'taker_book_side', p, BOOK_SIDES));
  put(f, 'createdTime', optStr(m, 'created_time', p));
  return f;
}

function decodeFill(o: Rec): FillFrame {
  const m = msgOf(o);
  const p = 'msg';
  const f: FillFrame = {
    type: 'fill',
    sid: reqInt(o, 'sid', '', 0),
    tradeId: reqId(m, 'trade_id', p),
    orderId: reqId(m, 'order_id', p),
    marketTicker: m.market_ticker === undefined && typeof m.ticker === 'string' ? reqId(m, 'ticker', p) : reqId(m, 'market_ticker', p),
    isTaker: reqBoolField(m, 'is_taker', p),
    side: reqEnum(m, 'side', p, YES_NO),
    action: reqEnum(m, 'action', p, BUY_SELL),
    yesPriceTicks: reqPrice(m, p, 'yes_price_dollars', 'yes_price'),
    countCentis: reqSize(m, p, 'count_fp', 'count'),
    tsMs: readTsMs(m, p),
    dialect: hasAny(m, ['yes_price_dollars', 'count_fp', 'post_position_fp']) ? 'fixed_point' : 'legacy_cents',
  };
  put(f, 'seq', optInt(o, 'seq', '', 0));
  put(f, 'clientOrderId', optStr(m, 'client_order_id', p));
  put(f, 'noPriceTicks', readPrice(m, p, 'no_price_dollars', 'no_price', false));
  put(f, 'feeCostMicros', readMoney(m, p, 'fee_cost', undefined, false));
  put(f, 'postPositionCentis', readSize(m, p, 'post_position_fp', 'post_position', false, true));
  put(f, 'purchasedSide', optEnum(m, 'purchased_side', p, YES_NO));
  put(f, 'outcomeSide', optEnum(m, 'outcome_side', p, YES_NO));
  put(f, 'bookSide', optEnum(m, 'book_side', p, BOOK_SIDES));
  put(f, 'subaccount', optInt(m, 'subaccount', p, 0) ?? optInt(m, 'subaccount_number', p, 0));
  return f;
}

function reqBoolField(m: Rec, key: string, path: string): boolean {
  const v = optBool(m, key, path);
  if (v === undefined) fieldFail(join(path, key), 'a boolean', m[key]);
  return v;
}

function decodeSubscriptionInfo(s: Rec, path: string): WsSubscriptionInfo {
  const info: WsSubscriptionInfo = { sid: reqInt(s, 'sid', path, 0) };
  put(info, 'channel', optStr(s, 'channel', path));
  put(info, 'channels', optStrArr(s, 'channels', path));
  put(info, 'marketTickers', optStrArr(s, 'market_tickers', path));
  put(info, 'marketIds', optStrArr(s, 'market_ids', path));
  put(info, 'eventTickers', optStrArr(s, 'event_tickers', path));
  return info;
}

function decodeOk(o: Rec): OkFrame | ListSubscriptionsFrame {
  if (Array.isArray(o.msg)) {
    const f: ListSubscriptionsFrame = { type: 'list_subscriptions', subscriptions: mapObjArr(o, 'msg', '', decodeSubscriptionInfo) };
    put(f, 'id', optInt(o, 'id', '', 0));
    return f;
  }
  const f: OkFrame = { type: 'ok' };
  put(f, 'id', optInt(o, 'id', '', 0));
  put(f, 'sid', optInt(o, 'sid', '', 0));
  put(f, 'seq', optInt(o, 'seq', '', 0));
  const m = optObj(o, 'msg', '');
  if (m !== undefined) put(f, 'marketTickers', optStrArr(m, 'market_tickers', 'msg'));
  return f;
}

function decodeSubscribed(o: Rec): SubscribedFrame {
  const m = msgOf(o);
  const sid = optInt(m, 'sid', 'msg', 0) ?? optInt(o, 'sid', '', 0);
  if (sid === undefined) fieldFail('msg.sid', 'a non-negative integer', m.sid);
  const id = optInt(o, 'id', '', 0);
  const channel = reqId(m, 'channel', 'msg');
  return id === undefined ? { type: 'subscribed', sid, channel } : { type: 'subscribed', id, sid, channel };
}

function decodeUnsubscribed(o: Rec): UnsubscribedFrame {
  const m = isRec(o.msg) ? o.msg : undefined;
  const sid = optInt(o, 'sid', '', 0) ?? (m ? optInt(m, 'sid', 'msg', 0) : undefined);
  if (sid === undefined) fieldFail('sid', 'a non-negative integer', o.sid);
  const f: UnsubscribedFrame = { type: 'unsubscribed', sid };
  put(f, 'id', optInt(o, 'id', '', 0));
  put(f, 'seq', optInt(o, 'seq', '', 0));
  return f;
}

function decodeError(o: Rec): ErrorFrame {
  const m = msgOf(o);
  const f: ErrorFrame = { type: 'error', code: reqInt(m, 'code', 'msg'), msg: reqStr(m, 'msg', 'msg') };
  put(f, 'id', optInt(o, 'id', '', 0));
  put(f, 'sid', optInt(o, 'sid', '', 0));
  return f;
}

function decodeListSubscriptions(o: Rec): ListSubscriptionsFrame {
  let subs: WsSubscriptionInfo[];
  if (Array.isArray(o.msg)) subs = mapObjArr(o, 'msg', '', decodeSubscriptionInfo);
  else if (isRec(o.msg) && o.msg.subscriptions !== undefined) subs = mapObjArr(o.msg, 'subscriptions', 'msg', decodeSubscriptionInfo);
  else subs = mapObjArr(o, 'subscriptions', '', decodeSubscriptionInfo);
  const f: ListSubscriptionsFrame = { type: 'list_subscriptions', subscriptions: subs };
  put(f, 'id', optInt(o, 'id', '', 0));
  return f;
}

function decodeUserOrder(o: Rec): UserOrderFrame {
  const m = msgOf(o);
  const p = 'msg';
  const f: UserOrderFrame = {
    type: 'user_order',
    sid: reqInt(o, 'sid', '', 0),
    orderId: reqId(m, 'order_id', p),
    ticker: m.ticker === undefined && typeof m.market_ticker === 'string' ? reqId(m, 'market_ticker', p) : reqId(m, 'ticker', p),
    dialect: hasAny(m, ['yes_price_dollars', 'fill_count_fp', 'remaining_count_fp', 'initial_count_fp']) ? 'fixed_point' : 'legacy_cents',
  };
  put(f, 'seq', optInt(o, 'seq', '', 0));
  put(f, 'userId', optStr(m, 'user_id', p));
  put(f, 'status', optStr(m, 'status', p));
  put(f, 'side', optEnum(m, 'side', p, YES_NO));
  put(f, 'isYes', optBool(m, 'is_yes', p));
  put(f, 'outcomeSide', optEnum(m, 'outcome_side', p, YES_NO));
  put(f, 'bookSide', optEnum(m, 'book_side', p, BOOK_SIDES));
  put(f, 'yesPriceTicks', readPrice(m, p, 'yes_price_dollars', 'yes_price', false));
  put(f, 'fillCountCentis', readSize(m, p, 'fill_count_fp', 'fill_count', false));
  put(f, 'remainingCountCentis', readSize(m, p, 'remaining_count_fp', 'remaining_count', false));
  put(f, 'initialCountCentis', readSize(m, p, 'initial_count_fp', 'initial_count', false));
  put(f, 'takerFillCostMicros', readMoney(m, p, 'taker_fill_cost_dollars', 'taker_fill_cost', false));
  put(f, 'makerFillCostMicros', readMoney(m, p, 'maker_fill_cost_dollars', 'maker_fill_cost', false));
  put(f, 'takerFeesMicros', readMoney(m, p, 'taker_fees_dollars', 'taker_fees', false));
  put(f, 'makerFeesMicros', readMoney(m, p, 'maker_fees_dollars', 'maker_fees', false));
  put(f, 'clientOrderId', optStr(m, 'client_order_id', p));
  put(f, 'orderGroupId', optStr(m, 'order_group_id', p));
  put(f, 'selfTradePreventionType', optStr(m, 'self_trade_prevention_type', p));
  put(f, 'createdTime', optStr(m, 'created_time', p));
  put(f, 'createdTsMs', optInt(m, 'created_ts_ms', p, 0));
  put(f, 'lastUpdateTime', optStr(m, 'last_update_time', p));
  put(f, 'lastUpdatedTsMs', optInt(m, 'last_updated_ts_ms', p, 0));
  put(f, 'expirationTime', optStr(m, 'expiration_time', p));
  put(f, 'expirationTsMs', optInt(m, 'expiration_ts_ms', p, 0));
  put(f, 'subaccountNumber', optInt(m, 'subaccount_number', p, 0));
  put(f, 'exchangeIndex', optInt(m, 'exchange_index', p));
  return f;
}

function decodeMarketPosition(o: Rec): MarketPositionFrame {
  const m = msgOf(o);
  const p = 'msg';
  const f: MarketPositionFrame = {
    type: 'market_position',
    sid: reqInt(o, 'sid', '', 0),
    marketTicker: reqId(m, 'market_ticker', p),
    positionCentis: reqSize(m, p, 'position_fp', 'position', true),
    dialect: hasAny(m, ['position_fp', 'position_cost_dollars', 'volume_fp']) ? 'fixed_point' : 'legacy_cents',
  };
  put(f, 'seq', optInt(o, 'seq', '', 0));
  put(f, 'userId', optStr(m, 'user_id', p));
  // Legacy integer amounts on this channel were centi-cents (1/10000 $).
  put(f, 'positionCostMicros', readMoney(m, p, 'position_cost_dollars', 'position_cost', false, MICROS_PER_TICK));
  put(f, 'realizedPnlMicros', readMoney(m, p, 'realized_pnl_dollars', 'realized_pnl', false, MICROS_PER_TICK));
  put(f, 'feesPaidMicros', readMoney(m, p, 'fees_paid_dollars', 'fees_paid', false, MICROS_PER_TICK));
  put(f, 'positionFeeCostMicros', readMoney(m, p, 'position_fee_cost_dollars', 'position_fee_cost', false, MICROS_PER_TICK));
  put(f, 'volumeCentis', readSize(m, p, 'volume_fp', 'volume', false));
  put(f, 'subaccount', optInt(m, 'subaccount', p, 0));
  return f;
}

function decodeLifecycleMetadata(a: Rec, p: string): MarketLifecycleMetadata {
  const md: MarketLifecycleMetadata = {};
  put(md, 'name', optStr(a, 'name', p));
  put(md, 'title', optStr(a, 'title', p));
  put(md, 'yesSubTitle', optStr(a, 'yes_sub_title', p));
  put(md, 'noSubTitle', optStr(a, 'no_sub_title', p));
  put(md, 'rulesPrimary', optStr(a, 'rules_primary', p));
  put(md, 'rulesSecondary', optStr(a, 'rules_secondary', p));
  put(md, 'canCloseEarly', optBool(a, 'can_close_early', p));
  put(md, 'eventTicker', optStr(a, 'event_ticker', p));
  put(md, 'expectedExpirationTs', optInt(a, 'expected_expiration_ts', p));
  put(md, 'strikeType', optStr(a, 'strike_type', p));
  put(md, 'floorStrike', optNumeric(a, 'floor_strike', p));
  put(md, 'capStrike', optNumeric(a, 'cap_strike', p));
  put(md, 'customStrike', optObj(a, 'custom_strike', p));
  return md;
}

function decodeMarketLifecycle(o: Rec): MarketLifecycleFrame {
  const m = msgOf(o);
  const p = 'msg';
  const f: MarketLifecycleFrame = {
    type: 'market_lifecycle_v2',
    sid: reqInt(o, 'sid', '', 0),
    marketTicker: reqId(m, 'market_ticker', p),
    eventType: reqId(m, 'event_type', p),
  };
  put(f, 'seq', optInt(o, 'seq', '', 0));
  put(f, 'openTs', optInt(m, 'open_ts', p));
  put(f, 'closeTs', optInt(m, 'close_ts', p));
  put(f, 'result', optStr(m, 'result', p));
  put(f, 'determinationTs', optInt(m, 'determination_ts', p));
  // `settlement_value`: a dollar string (AsyncAPI), legacy integer cents, or `settlement_value_dollars`.
  const sv = m.settlement_value;
  if (typeof sv === 'number') put(f, 'settlementValueTicks', readPrice(m, p, 'settlement_value_dollars', 'settlement_value', false));
  else if (sv !== undefined && sv !== null) put(f, 'settlementValueTicks', readPrice(m, p, 'settlement_value', undefined, false));
  else put(f, 'settlementValueTicks', readPrice(m, p, 'settlement_value_dollars', undefined, false));
  put(f, 'settledTs', optInt(m, 'settled_ts', p));
  put(f, 'isDeactivated', optBool(m, 'is_deactivated', p));
  put(f, 'fractionalTradingEnabled', optBool(m, 'fractional_trading_enabled', p));
  put(f, 'priceLevelStructure', optEnum(m, 'price_level_structure', p, PRICE_LEVEL_STRUCTURES));
  const a = optObj(m, 'additional_metadata', p);
  if (a !== undefined) f.additionalMetadata = decodeLifecycleMetadata(a, join(p, 'additional_metadata'));
  return f;
}

function decodeEventLifecycle(o: Rec): EventLifecycleFrame {
  const m = msgOf(o);
  const p = 'msg';
  const f: EventLifecycleFrame = { type: 'event_lifecycle', sid: reqInt(o, 'sid', '', 0), eventTicker: reqId(m, 'event_ticker', p) };
  put(f, 'seq', optInt(o, 'seq', '', 0));
  put(f, 'title', optStr(m, 'title', p));
  put(f, 'subTitle', optStr(m, 'sub_title', p) ?? optStr(m, 'subtitle', p));
  put(f, 'collateralReturnType', optStr(m, 'collateral_return_type', p));
  put(f, 'seriesTicker', optStr(m, 'series_ticker', p));
  put(f, 'strikeDate', optInt(m, 'strike_date', p));
  put(f, 'strikePeriod', optStr(m, 'strike_period', p));
  return f;
}

function decodeOrderGroupUpdate(o: Rec): OrderGroupUpdateFrame {
  const m = msgOf(o);
  const p = 'msg';
  const f: OrderGroupUpdateFrame = {
    type: 'order_group_updates',
    sid: reqInt(o, 'sid', '', 0),
    eventType: reqId(m, 'event_type', p),
    orderGroupId: reqId(m, 'order_group_id', p),
  };
  put(f, 'seq', optInt(o, 'seq', '', 0));
  put(f, 'contractsLimitCentis', readSize(m, p, 'contracts_limit_fp', 'contracts_limit', false));
  return f;
}

// =========================================================================================================
// Encoding (mock exchange)
// =========================================================================================================

/**
 * Thrown by the `encode*` functions when a frame cannot be expressed in the requested dialect (a price that is
 * not a whole cent or a size that is not a whole contract in `legacy_cents`) or holds an invalid number.
 * The message names the field and the value.
 */
export class EncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncodeError';
  }
}

function encInt(v: number, field: string): string {
  if (!Number.isSafeInteger(v)) throw new EncodeError(`${field}: ${describeValue(v)} is not a safe integer`);
  return String(v);
}

function encPrice(ticks: PriceTicks, field: string): string {
  if (!Number.isSafeInteger(ticks) || ticks < 0) throw new EncodeError(`${field}: ${describeValue(ticks)} is not a non-negative integer number of ticks`);
  return `"${formatPriceDollars(ticks)}"`;
}

function encSize(centis: SizeCentis, field: string): string {
  if (!Number.isSafeInteger(centis)) throw new EncodeError(`${field}: ${describeValue(centis)} is not an integer number of centis`);
  return `"${formatSizeFp(centis)}"`;
}

function encCents(ticks: PriceTicks, field: string): string {
  if (!Number.isSafeInteger(ticks) || ticks % 100 !== 0) {
    throw new EncodeError(`${field}: price ${describeValue(ticks)} ticks ($${Number.isSafeInteger(ticks) ? formatPriceDollars(ticks) : '?'}) is not a whole cent; the legacy_cents dialect cannot express it`);
  }
  return String(ticks / 100);
}

function encCount(centis: SizeCentis, field: string): string {
  if (!Number.isSafeInteger(centis) || centis % 100 !== 0) {
    throw new EncodeError(`${field}: size ${describeValue(centis)} centis (${Number.isSafeInteger(centis) ? formatSizeFp(centis) : '?'} contracts) is not a whole contract; the legacy_cents dialect cannot express it`);
  }
  return String(centis / 100);
}

function encStr(s: string, field: string): string {
  if (typeof s !== 'string') throw new EncodeError(`${field}: expected a string, got ${describeValue(s)}`);
  return JSON.stringify(s);
}

function envelope(type: string, sid: number, seq: number | undefined, msg: string): string {
  return `{"type":"${type}","sid":${encInt(sid, 'sid')}${seq !== undefined ? `,"seq":${encInt(seq, 'seq')}` : ''},"msg":{${msg}}}`;
}

/**
 * Formats Unix microseconds as Kalshi's WebSocket `ts` string: RFC 3339 UTC with the fraction's trailing zeros
 * trimmed, as Go's RFC3339Nano does (demo capture: `"2026-07-01T02:31:45.308599Z"`, `"…:45.30867Z"`; a whole
 * second has no fraction).
 * @throws EncodeError if `epochMicros` is not a non-negative safe integer.
 */
export function formatWsTimestamp(epochMicros: number): string {
  if (!Number.isSafeInteger(epochMicros) || epochMicros < 0) throw new EncodeError(`ts: ${describeValue(epochMicros)} is not a non-negative integer of Unix microseconds`);
  const base = new Date(Math.floor(epochMicros / 1000)).toISOString().slice(0, 19);
  const frac = String(epochMicros % 1_000_000).padStart(6, '0').replace(/0+$/, '');
  return frac === '' ? `${base}Z` : `${base}.${frac}Z`;
}

function ladderFp(levels: Level[], field: string): string {
  let s = '';
  for (let i = 0; i < levels.length; i++) {
    const lv = levels[i];
    s += `${i === 0 ? '' : ','}[${encPrice(lv[0], `${field}[${i}][0]`)},${encSize(lv[1], `${field}[${i}][1]`)}]`;
  }
  return `[${s}]`;
}

function ladderCents(levels: Level[], field: string): string {
  let s = '';
  for (let i = 0; i < levels.length; i++) {
    const lv = levels[i];
    s += `${i === 0 ? '' : ','}[${encCents(lv[0], `${field}[${i}][0]`)},${encCount(lv[1], `${field}[${i}][1]`)}]`;
  }
  return `[${s}]`;
}

/**
 * Encodes an `orderbook_snapshot` exactly as Kalshi sends it. Fixed point:
 * `{"type":"orderbook_snapshot","sid":…,"seq":…,"msg":{"market_ticker":…,"market_id":…,"yes_dollars_fp":[["0.0100","1406474.86"],…],"no_dollars_fp":[…]}}`
 * (4-decimal prices, 2-decimal sizes; an empty side's key is omitted; `market_id` omitted when undefined).
 * Legacy: `msg.yes`/`msg.no` as `[[cents, count], …]`.
 * @throws EncodeError in `legacy_cents` if a price is not a whole cent or a size not a whole contract, or on non-integer numbers.
 */
export function encodeOrderbookSnapshot(f: Omit<OrderbookSnapshotFrame, 'type' | 'dialect'>, dialect: Dialect): string {
  let msg = `"market_ticker":${encStr(f.marketTicker, 'marketTicker')}`;
  if (f.marketId !== undefined) msg += `,"market_id":${encStr(f.marketId, 'marketId')}`;
  if (dialect === 'legacy_cents') {
    if (f.yes.length > 0) msg += `,"yes":${ladderCents(f.yes, 'yes')}`;
    if (f.no.length > 0) msg += `,"no":${ladderCents(f.no, 'no')}`;
  } else {
    if (f.yes.length > 0) msg += `,"yes_dollars_fp":${ladderFp(f.yes, 'yes')}`;
    if (f.no.length > 0) msg += `,"no_dollars_fp":${ladderFp(f.no, 'no')}`;
  }
  return envelope('orderbook_snapshot', f.sid, f.seq, msg);
}

/**
 * Encodes an `orderbook_delta`. Fixed point, key order as in the demo capture:
 * `{"type":"orderbook_delta","sid":…,"seq":…,"msg":{"market_ticker":…,"market_id":…,"price_dollars":"0.7400","delta_fp":"-1.84","side":"no","ts":"2026-07-01T02:31:45.308599Z","ts_ms":1782873105308}}`;
 * `client_order_id`/`subaccount` (when set) follow `side`. `ts` is `f.ts` verbatim when given, else formatted from
 * `tsMs` (see {@link formatWsTimestamp}); both are omitted when neither is set.
 * Legacy: `{"market_ticker":…,"market_id":…,"price":74,"delta":-2,"side":"no"}` (no timestamps; the legacy
 * dialect did not carry them).
 * @throws EncodeError in `legacy_cents` if the price is not a whole cent or the delta not a whole contract.
 */
export function encodeOrderbookDelta(f: Omit<OrderbookDeltaFrame, 'type' | 'dialect'>, dialect: Dialect): string {
  if (f.side !== 'yes' && f.side !== 'no') throw new EncodeError(`side: expected "yes" or "no", got ${describeValue(f.side)}`);
  let msg = `"market_ticker":${encStr(f.marketTicker, 'marketTicker')}`;
  if (f.marketId !== undefined) msg += `,"market_id":${encStr(f.marketId, 'marketId')}`;
  if (dialect === 'legacy_cents') {
    msg += `,"price":${encCents(f.priceTicks, 'priceTicks')},"delta":${encCount(f.deltaCentis, 'deltaCentis')},"side":"${f.side}"`;
    if (f.clientOrderId !== undefined) msg += `,"client_order_id":${encStr(f.clientOrderId, 'clientOrderId')}`;
    return envelope('orderbook_delta', f.sid, f.seq, msg);
  }
  msg += `,"price_dollars":${encPrice(f.priceTicks, 'priceTicks')},"delta_fp":${encSize(f.deltaCentis, 'deltaCentis')},"side":"${f.side}"`;
  if (f.clientOrderId !== undefined) msg += `,"client_order_id":${encStr(f.clientOrderId, 'clientOrderId')}`;
  if (f.subaccount !== undefined) msg += `,"subaccount":${encInt(f.subaccount, 'subaccount')}`;
  if (f.ts !== undefined) msg += `,"ts":${encStr(f.ts, 'ts')}`;
  else if (f.tsMs !== undefined) msg += `,"ts":"${formatWsTimestamp(f.tsMs * 1000)}"`;
  if (f.tsMs !== undefined) msg += `,"ts_ms":${encInt(f.tsMs, 'tsMs')}`;
  return envelope('orderbook_delta', f.sid, f.seq, msg);
}

/** Encodes a `subscribed` reply: `{"type":"subscribed","id":2,"msg":{"channel":"orderbook_delta","sid":1}}` (`id` omitted when undefined). */
export function encodeSubscribed(f: Omit<SubscribedFrame, 'type'>): string {
  return `{"type":"subscribed"${f.id !== undefined ? `,"id":${encInt(f.id, 'id')}` : ''},"msg":{"channel":${encStr(f.channel, 'channel')},"sid":${encInt(f.sid, 'sid')}}}`;
}

/** Encodes an `unsubscribed` reply: `{"type":"unsubscribed","id":3,"sid":2,"seq":7}`. */
export function encodeUnsubscribed(f: Omit<UnsubscribedFrame, 'type'>): string {
  return `{"type":"unsubscribed"${f.id !== undefined ? `,"id":${encInt(f.id, 'id')}` : ''},"sid":${encInt(f.sid, 'sid')}${f.seq !== undefined ? `,"seq":${encInt(f.seq, 'seq')}` : ''}}`;
}

/**
 * Encodes an `ok` reply as in the demo capture: `{"type":"ok","id":6,"sid":1,"seq":1,"msg":{"market_tickers":[…]}}`.
 * Absent fields are omitted; `msg` is omitted when `marketTickers` is undefined.
 */
export function encodeOk(f: Omit<OkFrame, 'type'>): string {
  let s = '{"type":"ok"';
  if (f.id !== undefined) s += `,"id":${encInt(f.id, 'id')}`;
  if (f.sid !== undefined) s += `,"sid":${encInt(f.sid, 'sid')}`;
  if (f.seq !== undefined) s += `,"seq":${encInt(f.seq, 'seq')}`;
  if (f.marketTickers !== undefined) s += `,"msg":{"market_tickers":[${f.marketTickers.map((t, i) => encStr(t, `marketTickers[${i}]`)).join(',')}]}`;
  return `${s}}`;
}

/** Encodes an `error` reply: `{"type":"error","id":123,"msg":{"code":6,"msg":"Already subscribed"}}` (`sid` after `id` when set). */
export function encodeError(f: Omit<ErrorFrame, 'type'>): string {
  let s = '{"type":"error"';
  if (f.id !== undefined) s += `,"id":${encInt(f.id, 'id')}`;
  if (f.sid !== undefined) s += `,"sid":${encInt(f.sid, 'sid')}`;
  return `${s},"msg":{"code":${encInt(f.code, 'code')},"msg":${encStr(f.msg, 'msg')}}}`;
}

/**
 * Encodes a `fill` frame. Fixed point, key order as in the demo capture:
 * `{"type":"fill","sid":2,"msg":{"trade_id","order_id","market_ticker","is_taker","side","ts","ts_ms","yes_price_dollars",
 * "count_fp","fee_cost":"0.054600","action","post_position_fp","purchased_side","outcome_side","book_side","subaccount"}}`
 * — optional fields are omitted when undefined; `client_order_id` follows `order_id`, `no_price_dollars` follows
 * `yes_price_dollars`; `ts` (seconds) is `floor(tsMs / 1000)`; `fee_cost` has 6 decimals.
 * Legacy: `yes_price`/`no_price` cents, `count`, `post_position` integers.
 * @throws EncodeError in `legacy_cents` on a non-whole-cent price or non-whole-contract size.
 */
export function encodeFill(f: Omit<FillFrame, 'type' | 'dialect'>, dialect: Dialect = 'fixed_point'): string {
  const legacy = dialect === 'legacy_cents';
  let msg = `"trade_id":${encStr(f.tradeId, 'tradeId')},"order_id":${encStr(f.orderId, 'orderId')}`;
  if (f.clientOrderId !== undefined) msg += `,"client_order_id":${encStr(f.clientOrderId, 'clientOrderId')}`;
  msg += `,"market_ticker":${encStr(f.marketTicker, 'marketTicker')},"is_taker":${f.isTaker ? 'true' : 'false'},"side":${encStr(f.side, 'side')}`;
  const tsMs = encInt(f.tsMs, 'tsMs');
  msg += `,"ts":${Math.floor(f.tsMs / 1000)}`;
  if (!legacy) msg += `,"ts_ms":${tsMs}`;
  if (legacy) {
    msg += `,"yes_price":${encCents(f.yesPriceTicks, 'yesPriceTicks')}`;
    msg += `,"no_price":${encCents(f.noPriceTicks ?? 10_000 - f.yesPriceTicks, 'noPriceTicks')}`;
    msg += `,"count":${encCount(f.countCentis, 'countCentis')}`;
  } else {
    msg += `,"yes_price_dollars":${encPrice(f.yesPriceTicks, 'yesPriceTicks')}`;
    if (f.noPriceTicks !== undefined) msg += `,"no_price_dollars":${encPrice(f.noPriceTicks, 'noPriceTicks')}`;
    msg += `,"count_fp":${encSize(f.countCentis, 'countCentis')}`;
  }
  if (f.feeCostMicros !== undefined) {
    if (!Number.isSafeInteger(f.feeCostMicros)) throw new EncodeError(`feeCostMicros: ${describeValue(f.feeCostMicros)} is not a safe integer`);
    msg += `,"fee_cost":"${formatDollarsMicros(f.feeCostMicros)}"`;
  }
  msg += `,"action":${encStr(f.action, 'action')}`;
  if (f.postPositionCentis !== undefined) {
    msg += legacy ? `,"post_position":${encCount(f.postPositionCentis, 'postPositionCentis')}` : `,"post_position_fp":${encSize(f.postPositionCentis, 'postPositionCentis')}`;
  }
  if (f.purchasedSide !== undefined) msg += `,"purchased_side":${encStr(f.purchasedSide, 'purchasedSide')}`;
  if (f.outcomeSide !== undefined) msg += `,"outcome_side":${encStr(f.outcomeSide, 'outcomeSide')}`;
  if (f.bookSide !== undefined) msg += `,"book_side":${encStr(f.bookSide, 'bookSide')}`;
  if (f.subaccount !== undefined) msg += `,"subaccount":${encInt(f.subaccount, 'subaccount')}`;
  return envelope('fill', f.sid, f.seq, msg);
}

/**
 * Encodes a `ticker` frame. Key order follows the real captures: legacy (2025-01 file)
 * `market_id, market_ticker, price, yes_bid, yes_ask, volume, open_interest, dollar_volume, dollar_open_interest, ts`;
 * fixed point (the 2026-02 ssmd frames minus their legacy fields, plus `ts_ms`/`time` of the current AsyncAPI)
 * `market_id, market_ticker, price_dollars, yes_bid_dollars, yes_ask_dollars, volume_fp, open_interest_fp, dollar_volume,
 * dollar_open_interest, yes_bid_size_fp, yes_ask_size_fp, last_trade_size_fp, ts, ts_ms, time`. Undefined optional
 * fields are omitted; `ts` = `floor(tsMs / 1000)`.
 * @throws EncodeError in `legacy_cents` on sub-cent prices or fractional volumes.
 */
export function encodeTicker(f: Omit<TickerFrame, 'type' | 'dialect' | 'lastPriceTicks'> & { lastPriceTicks?: PriceTicks }, dialect: Dialect = 'fixed_point'): string {
  const legacy = dialect === 'legacy_cents';
  let msg = '';
  if (f.marketId !== undefined) msg += `"market_id":${encStr(f.marketId, 'marketId')},`;
  msg += `"market_ticker":${encStr(f.marketTicker, 'marketTicker')}`;
  const tsMs = encInt(f.tsMs, 'tsMs');
  if (legacy) {
    msg += `,"price":${encCents(f.priceTicks, 'priceTicks')},"yes_bid":${encCents(f.yesBidTicks, 'yesBidTicks')},"yes_ask":${encCents(f.yesAskTicks, 'yesAskTicks')}`;
    if (f.volumeCentis !== undefined) msg += `,"volume":${encCount(f.volumeCentis, 'volumeCentis')}`;
    if (f.openInterestCentis !== undefined) msg += `,"open_interest":${encCount(f.openInterestCentis, 'openInterestCentis')}`;
  } else {
    msg += `,"price_dollars":${encPrice(f.priceTicks, 'priceTicks')},"yes_bid_dollars":${encPrice(f.yesBidTicks, 'yesBidTicks')},"yes_ask_dollars":${encPrice(f.yesAskTicks, 'yesAskTicks')}`;
    if (f.volumeCentis !== undefined) msg += `,"volume_fp":${encSize(f.volumeCentis, 'volumeCentis')}`;
    if (f.openInterestCentis !== undefined) msg += `,"open_interest_fp":${encSize(f.openInterestCentis, 'openInterestCentis')}`;
  }
  if (f.dollarVolume !== undefined) msg += `,"dollar_volume":${encInt(f.dollarVolume, 'dollarVolume')}`;
  if (f.dollarOpenInterest !== undefined) msg += `,"dollar_open_interest":${encInt(f.dollarOpenInterest, 'dollarOpenInterest')}`;
  if (!legacy) {
    if (f.yesBidSizeCentis !== undefined) msg += `,"yes_bid_size_fp":${encSize(f.yesBidSizeCentis, 'yesBidSizeCentis')}`;
    if (f.yesAskSizeCentis !== undefined) msg += `,"yes_ask_size_fp":${encSize(f.yesAskSizeCentis, 'yesAskSizeCentis')}`;
    if (f.lastTradeSizeCentis !== undefined) msg += `,"last_trade_size_fp":${encSize(f.lastTradeSizeCentis, 'lastTradeSizeCentis')}`;
  }
  msg += `,"ts":${Math.floor(f.tsMs / 1000)}`;
  if (!legacy) {
    msg += `,"ts_ms":${tsMs}`;
    if (f.time !== undefined) msg += `,"time":${encStr(f.time, 'time')}`;
  }
  return envelope('ticker', f.sid, f.seq, msg);
}

/**
 * Encodes a public `trade` frame. Fixed point: `trade_id, market_ticker, yes_price_dollars, no_price_dollars, count_fp,
 * taker_side, taker_outcome_side?, taker_book_side?, ts, ts_ms`; legacy (ssmd 2026-02 order minus the new fields):
 * `trade_id, market_ticker, yes_price, no_price, count, taker_side, ts`.
 * @throws EncodeError in `legacy_cents` on sub-cent prices or fractional counts.
 */
export function encodeTrade(f: Omit<TradeFrame, 'type' | 'dialect'>, dialect: Dialect = 'fixed_point'): string {
  const legacy = dialect === 'legacy_cents';
  let msg = `"trade_id":${encStr(f.tradeId, 'tradeId')},"market_ticker":${encStr(f.marketTicker, 'marketTicker')}`;
  if (legacy) {
    msg += `,"yes_price":${encCents(f.yesPriceTicks, 'yesPriceTicks')},"no_price":${encCents(f.noPriceTicks, 'noPriceTicks')},"count":${encCount(f.countCentis, 'countCentis')}`;
  } else {
    msg += `,"yes_price_dollars":${encPrice(f.yesPriceTicks, 'yesPriceTicks')},"no_price_dollars":${encPrice(f.noPriceTicks, 'noPriceTicks')},"count_fp":${encSize(f.countCentis, 'countCentis')}`;
  }
  msg += `,"taker_side":${encStr(f.takerSide, 'takerSide')}`;
  if (!legacy) {
    if (f.takerOutcomeSide !== undefined) msg += `,"taker_outcome_side":${encStr(f.takerOutcomeSide, 'takerOutcomeSide')}`;
    if (f.takerBookSide !== undefined) msg += `,"taker_book_side":${encStr(f.takerBookSide, 'takerBookSide')}`;
  }
  const tsMs = encInt(f.tsMs, 'tsMs');
  msg += `,"ts":${Math.floor(f.tsMs / 1000)}`;
  if (!legacy) msg += `,"ts_ms":${tsMs}`;
  return envelope('trade', f.sid, f.seq, msg);
}

// ---------------------------------------------------------------------------------------------------------
// Private and lifecycle channels (user_orders, market_positions, market_lifecycle_v2)
// ---------------------------------------------------------------------------------------------------------

function encBool(v: boolean, field: string): string {
  if (typeof v !== 'boolean') throw new EncodeError(`${field}: expected a boolean, got ${describeValue(v)}`);
  return v ? 'true' : 'false';
}

/** Micro-dollars as a 6-decimal dollar string (`54600` -> `"0.054600"`), as the demo capture's `fee_cost`. */
function encMoney(micros: number, field: string): string {
  if (!Number.isSafeInteger(micros)) throw new EncodeError(`${field}: ${describeValue(micros)} is not an integer number of micro-dollars`);
  return `"${formatDollarsMicros(micros)}"`;
}

/** Micro-dollars as a legacy integer in units of `microsPerUnit` (cents: 10000; centi-cents: 100). */
function encMoneyUnits(micros: number, microsPerUnit: number, unit: string, field: string): string {
  if (!Number.isSafeInteger(micros) || micros % microsPerUnit !== 0) {
    throw new EncodeError(`${field}: ${describeValue(micros)} micro-dollars ($${Number.isSafeInteger(micros) ? formatDollarsMicros(micros) : '?'}) is not a whole number of ${unit}; the legacy_cents dialect cannot express it`);
  }
  return String(micros / microsPerUnit);
}

/**
 * Encodes a `user_order` frame (channel `user_orders`). Fixed point, keys in the order of the AsyncAPI `userOrder`
 * payload: `order_id, user_id, ticker, status, side, is_yes, outcome_side, book_side, yes_price_dollars, fill_count_fp,
 * remaining_count_fp, initial_count_fp, taker_fill_cost_dollars, maker_fill_cost_dollars, taker_fees_dollars,
 * maker_fees_dollars, client_order_id, order_group_id, self_trade_prevention_type, created_time, created_ts_ms,
 * last_update_time, last_updated_ts_ms, expiration_time, expiration_ts_ms, subaccount_number, exchange_index`; undefined
 * fields are omitted; money has 6 decimals. Legacy: `yes_price` (cents), `fill_count`/`remaining_count`/`initial_count`
 * (contracts) and `taker_fill_cost`/`maker_fill_cost`/`taker_fees`/`maker_fees` (cents).
 * Source: docs.kalshi.com/websockets/user-orders (asyncapi.yaml `user_orders`).
 * @throws EncodeError in `legacy_cents` on a sub-cent price or money amount or a fractional count.
 */
export function encodeUserOrder(f: Omit<UserOrderFrame, 'type' | 'dialect'>, dialect: Dialect = 'fixed_point'): string {
  const legacy = dialect === 'legacy_cents';
  let msg = `"order_id":${encStr(f.orderId, 'orderId')}`;
  if (f.userId !== undefined) msg += `,"user_id":${encStr(f.userId, 'userId')}`;
  msg += `,"ticker":${encStr(f.ticker, 'ticker')}`;
  if (f.status !== undefined) msg += `,"status":${encStr(f.status, 'status')}`;
  if (f.side !== undefined) msg += `,"side":${encStr(f.side, 'side')}`;
  if (f.isYes !== undefined) msg += `,"is_yes":${encBool(f.isYes, 'isYes')}`;
  if (f.outcomeSide !== undefined) msg += `,"outcome_side":${encStr(f.outcomeSide, 'outcomeSide')}`;
  if (f.bookSide !== undefined) msg += `,"book_side":${encStr(f.bookSide, 'bookSide')}`;
  if (legacy) {
    if (f.yesPriceTicks !== undefined) msg += `,"yes_price":${encCents(f.yesPriceTicks, 'yesPriceTicks')}`;
    if (f.fillCountCentis !== undefined) msg += `,"fill_count":${encCount(f.fillCountCentis, 'fillCountCentis')}`;
    if (f.remainingCountCentis !== undefined) msg += `,"remaining_count":${encCount(f.remainingCountCentis, 'remainingCountCentis')}`;
    if (f.initialCountCentis !== undefined) msg += `,"initial_count":${encCount(f.initialCountCentis, 'initialCountCentis')}`;
    if (f.takerFillCostMicros !== undefined) msg += `,"taker_fill_cost":${encMoneyUnits(f.takerFillCostMicros, MICROS_PER_CENT, 'cents', 'takerFillCostMicros')}`;
    if (f.makerFillCostMicros !== undefined) msg += `,"maker_fill_cost":${encMoneyUnits(f.makerFillCostMicros, MICROS_PER_CENT, 'cents', 'makerFillCostMicros')}`;
    if (f.takerFeesMicros !== undefined) msg += `,"taker_fees":${encMoneyUnits(f.takerFeesMicros, MICROS_PER_CENT, 'cents', 'takerFeesMicros')}`;
    if (f.makerFeesMicros !== undefined) msg += `,"maker_fees":${encMoneyUnits(f.makerFeesMicros, MICROS_PER_CENT, 'cents', 'makerFeesMicros')}`;
  } else {
    if (f.yesPriceTicks !== undefined) msg += `,"yes_price_dollars":${encPrice(f.yesPriceTicks, 'yesPriceTicks')}`;
    if (f.fillCountCentis !== undefined) msg += `,"fill_count_fp":${encSize(f.fillCountCentis, 'fillCountCentis')}`;
    if (f.remainingCountCentis !== undefined) msg += `,"remaining_count_fp":${encSize(f.remainingCountCentis, 'remainingCountCentis')}`;
    if (f.initialCountCentis !== undefined) msg += `,"initial_count_fp":${encSize(f.initialCountCentis, 'initialCountCentis')}`;
    if (f.takerFillCostMicros !== undefined) msg += `,"taker_fill_cost_dollars":${encMoney(f.takerFillCostMicros, 'takerFillCostMicros')}`;
    if (f.makerFillCostMicros !== undefined) msg += `,"maker_fill_cost_dollars":${encMoney(f.makerFillCostMicros, 'makerFillCostMicros')}`;
    if (f.takerFeesMicros !== undefined) msg += `,"taker_fees_dollars":${encMoney(f.takerFeesMicros, 'takerFeesMicros')}`;
    if (f.makerFeesMicros !== undefined) msg += `,"maker_fees_dollars":${encMoney(f.makerFeesMicros, 'makerFeesMicros')}`;
  }
  if (f.clientOrderId !== undefined) msg += `,"client_order_id":${encStr(f.clientOrderId, 'clientOrderId')}`;
  if (f.orderGroupId !== undefined) msg += `,"order_group_id":${encStr(f.orderGroupId, 'orderGroupId')}`;
  if (f.selfTradePreventionType !== undefined) msg += `,"self_trade_prevention_type":${encStr(f.selfTradePreventionType, 'selfTradePreventionType')}`;
  if (f.createdTime !== undefined) msg += `,"created_time":${encStr(f.createdTime, 'createdTime')}`;
  if (f.createdTsMs !== undefined) msg += `,"created_ts_ms":${encInt(f.createdTsMs, 'createdTsMs')}`;
  if (f.lastUpdateTime !== undefined) msg += `,"last_update_time":${encStr(f.lastUpdateTime, 'lastUpdateTime')}`;
  if (f.lastUpdatedTsMs !== undefined) msg += `,"last_updated_ts_ms":${encInt(f.lastUpdatedTsMs, 'lastUpdatedTsMs')}`;
  if (f.expirationTime !== undefined) msg += `,"expiration_time":${encStr(f.expirationTime, 'expirationTime')}`;
  if (f.expirationTsMs !== undefined) msg += `,"expiration_ts_ms":${encInt(f.expirationTsMs, 'expirationTsMs')}`;
  if (f.subaccountNumber !== undefined) msg += `,"subaccount_number":${encInt(f.subaccountNumber, 'subaccountNumber')}`;
  if (f.exchangeIndex !== undefined) msg += `,"exchange_index":${encInt(f.exchangeIndex, 'exchangeIndex')}`;
  return envelope('user_order', f.sid, f.seq, msg);
}

/**
 * Encodes a `market_position` frame (channel `market_positions`). Fixed point: `user_id, market_ticker, position_fp,
 * position_cost_dollars, realized_pnl_dollars, fees_paid_dollars, position_fee_cost_dollars, volume_fp, subaccount`
 * (undefined fields omitted; money with 6 decimals). Legacy: `position`/`volume` (contracts) and `position_cost`,
 * `realized_pnl`, `fees_paid`, `position_fee_cost` in centi-cents (1/10000 $), as the channel's 2025 announcement states.
 * Source: docs.kalshi.com/websockets/market-positions; trading-api.readme.io changelog "Added Market Positions WS Channel".
 * @throws EncodeError in `legacy_cents` on a fractional count or an amount that is not a whole centi-cent.
 */
export function encodeMarketPosition(f: Omit<MarketPositionFrame, 'type' | 'dialect'>, dialect: Dialect = 'fixed_point'): string {
  const legacy = dialect === 'legacy_cents';
  let msg = '';
  if (f.userId !== undefined) msg += `"user_id":${encStr(f.userId, 'userId')},`;
  msg += `"market_ticker":${encStr(f.marketTicker, 'marketTicker')}`;
  const money = (v: number | undefined, fixedKey: string, legacyKey: string, field: string): void => {
    if (v === undefined) return;
    msg += legacy ? `,"${legacyKey}":${encMoneyUnits(v, MICROS_PER_TICK, 'centi-cents', field)}` : `,"${fixedKey}":${encMoney(v, field)}`;
  };
  msg += legacy ? `,"position":${encCount(f.positionCentis, 'positionCentis')}` : `,"position_fp":${encSize(f.positionCentis, 'positionCentis')}`;
  money(f.positionCostMicros, 'position_cost_dollars', 'position_cost', 'positionCostMicros');
  money(f.realizedPnlMicros, 'realized_pnl_dollars', 'realized_pnl', 'realizedPnlMicros');
  money(f.feesPaidMicros, 'fees_paid_dollars', 'fees_paid', 'feesPaidMicros');
  money(f.positionFeeCostMicros, 'position_fee_cost_dollars', 'position_fee_cost', 'positionFeeCostMicros');
  if (f.volumeCentis !== undefined) msg += legacy ? `,"volume":${encCount(f.volumeCentis, 'volumeCentis')}` : `,"volume_fp":${encSize(f.volumeCentis, 'volumeCentis')}`;
  if (f.subaccount !== undefined) msg += `,"subaccount":${encInt(f.subaccount, 'subaccount')}`;
  return envelope('market_position', f.sid, f.seq, msg);
}

function encMetadata(md: MarketLifecycleMetadata): string {
  const parts: string[] = [];
  const str = (k: string, v: string | undefined, field: string) => v !== undefined && parts.push(`"${k}":${encStr(v, field)}`);
  const num = (k: string, v: number | undefined, field: string) => {
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new EncodeError(`${field}: ${describeValue(v)} is not a finite number`);
    parts.push(`"${k}":${JSON.stringify(v)}`);
  };
  str('name', md.name, 'additionalMetadata.name');
  str('title', md.title, 'additionalMetadata.title');
  str('yes_sub_title', md.yesSubTitle, 'additionalMetadata.yesSubTitle');
  str('no_sub_title', md.noSubTitle, 'additionalMetadata.noSubTitle');
  str('rules_primary', md.rulesPrimary, 'additionalMetadata.rulesPrimary');
  str('rules_secondary', md.rulesSecondary, 'additionalMetadata.rulesSecondary');
  if (md.canCloseEarly !== undefined) parts.push(`"can_close_early":${encBool(md.canCloseEarly, 'additionalMetadata.canCloseEarly')}`);
  str('event_ticker', md.eventTicker, 'additionalMetadata.eventTicker');
  if (md.expectedExpirationTs !== undefined) parts.push(`"expected_expiration_ts":${encInt(md.expectedExpirationTs, 'additionalMetadata.expectedExpirationTs')}`);
  str('strike_type', md.strikeType, 'additionalMetadata.strikeType');
  num('floor_strike', md.floorStrike, 'additionalMetadata.floorStrike');
  num('cap_strike', md.capStrike, 'additionalMetadata.capStrike');
  if (md.customStrike !== undefined) parts.push(`"custom_strike":${JSON.stringify(md.customStrike)}`);
  return `{${parts.join(',')}}`;
}

/**
 * Encodes a `market_lifecycle_v2` frame: `market_ticker, event_type, open_ts, close_ts, result, determination_ts,
 * settlement_value, settled_ts, is_deactivated, fractional_trading_enabled, price_level_structure, additional_metadata`
 * (undefined fields omitted; timestamps are Unix seconds as sent). `settlement_value` is a dollar string (`"1.0000"`) in
 * fixed point and integer cents in legacy; no other field depends on the dialect.
 * Source: docs.kalshi.com/websockets/market-and-event-lifecycle (asyncapi.yaml `market_lifecycle_v2`).
 * @throws EncodeError on non-integer timestamps, or a sub-cent settlement value in `legacy_cents`.
 */
export function encodeMarketLifecycle(f: Omit<MarketLifecycleFrame, 'type'>, dialect: Dialect = 'fixed_point'): string {
  let msg = `"market_ticker":${encStr(f.marketTicker, 'marketTicker')},"event_type":${encStr(f.eventType, 'eventType')}`;
  if (f.openTs !== undefined) msg += `,"open_ts":${encInt(f.openTs, 'openTs')}`;
  if (f.closeTs !== undefined) msg += `,"close_ts":${encInt(f.closeTs, 'closeTs')}`;
  if (f.result !== undefined) msg += `,"result":${encStr(f.result, 'result')}`;
  if (f.determinationTs !== undefined) msg += `,"determination_ts":${encInt(f.determinationTs, 'determinationTs')}`;
  if (f.settlementValueTicks !== undefined) {
    msg += `,"settlement_value":${dialect === 'legacy_cents' ? encCents(f.settlementValueTicks, 'settlementValueTicks') : encPrice(f.settlementValueTicks, 'settlementValueTicks')}`;
  }
  if (f.settledTs !== undefined) msg += `,"settled_ts":${encInt(f.settledTs, 'settledTs')}`;
  if (f.isDeactivated !== undefined) msg += `,"is_deactivated":${encBool(f.isDeactivated, 'isDeactivated')}`;
  if (f.fractionalTradingEnabled !== undefined) msg += `,"fractional_trading_enabled":${encBool(f.fractionalTradingEnabled, 'fractionalTradingEnabled')}`;
  if (f.priceLevelStructure !== undefined) msg += `,"price_level_structure":${encStr(f.priceLevelStructure, 'priceLevelStructure')}`;
  if (f.additionalMetadata !== undefined) msg += `,"additional_metadata":${encMetadata(f.additionalMetadata)}`;
  return envelope('market_lifecycle_v2', f.sid, f.seq, msg);
}

/**
 * Encodes an `event_lifecycle` frame (delivered on the `market_lifecycle_v2` channel): `event_ticker, title, sub_title,
 * collateral_return_type, series_ticker, strike_date, strike_period` (undefined fields omitted), as the docs example.
 * Source: docs.kalshi.com/websockets/market-and-event-lifecycle.
 */
export function encodeEventLifecycle(f: Omit<EventLifecycleFrame, 'type'>): string {
  let msg = `"event_ticker":${encStr(f.eventTicker, 'eventTicker')}`;
  if (f.title !== undefined) msg += `,"title":${encStr(f.title, 'title')}`;
  if (f.subTitle !== undefined) msg += `,"sub_title":${encStr(f.subTitle, 'subTitle')}`;
  if (f.collateralReturnType !== undefined) msg += `,"collateral_return_type":${encStr(f.collateralReturnType, 'collateralReturnType')}`;
  if (f.seriesTicker !== undefined) msg += `,"series_ticker":${encStr(f.seriesTicker, 'seriesTicker')}`;
  if (f.strikeDate !== undefined) msg += `,"strike_date":${encInt(f.strikeDate, 'strikeDate')}`;
  if (f.strikePeriod !== undefined) msg += `,"strike_period":${encStr(f.strikePeriod, 'strikePeriod')}`;
  return envelope('event_lifecycle', f.sid, f.seq, msg);
}
