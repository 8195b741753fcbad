/**
 * Pure mapping between Kalshi's FIX dialect (docs.kalshi.com fix/*: FIXT.1.1 transport, FIX50SP2 application) and the
 * venue's integer order model. No I/O, no jspurefix types: the acceptor reads tags off jspurefix's parsed view with a
 * {@link FieldGetter} and hands the objects built here to jspurefix's encoder.
 *
 * Units: prices are {@link PriceTicks} (1/10000 dollar), sizes {@link SizeCentis} (1/100 contract); on the wire a
 * price is a dollar string with up to 4 decimals (`44=0.4200`) and a quantity a contract count with up to 2 decimals
 * (`38=12.50`). Money is never a float: wire strings are scanned with `scanFixed` and written with `formatFixed`.
 *
 * Kalshi treats every FIX order as a bid or an ask for YES (docs.kalshi.com/fix/order-entry): `54=1` buys YES at
 * `44`, `54=2` sells YES at `44` (the same as buying NO at $1 - `44`). Prices on the wire are always YES prices; an
 * order the venue holds on the NO side (placed over REST) is shown in YES terms (its Side flipped, its price 1 - p).
 */
import * as crypto from 'node:crypto';
import {
  formatFixUtcTimestamp,
  isValidKalshiClOrdId,
  KALSHI_FIX_APPL_VER_ID,
  KALSHI_FIX_BEGIN_STRING,
  KALSHI_FIX_ORDER_ENTRY_TARGET,
  KALSHI_FIX_TIME_IN_FORCE,
  KALSHI_PSS_SALT_LENGTH,
  kalshiFixLogonSigningString,
  kalshiFixSide,
  kalshiFixYesPrice,
  parseFixUtcTimestamp,
  parseKalshiFixPrice,
  parseKalshiFixQty,
  signKalshiFixLogon,
  type KalshiFixLogonFields,
} from '@kalshi-platform/kalshi';
import { formatFixed, formatPriceDollars, formatSizeFp, type PriceTicks, type SizeCentis } from '@kalshi-platform/market';
import type { Action, RejectReason, Side, TimeInForce } from '@kalshi-platform/matching';
import type { VenueOrderInput } from '../venue/venue';

/** Reads one tag of a received message as its exact wire text (`undefined` when absent). */
export type FieldGetter = (tag: number) => string | undefined;

/** Tag numbers used by the acceptor (FIX 5.0 SP2 / FIXT.1.1 field numbers). */
export const TAG = {
  AvgPx: 6,
  BeginString: 8,
  ClOrdID: 11,
  CumQty: 14,
  ExecID: 17,
  ExecInst: 18,
  LastPx: 31,
  LastQty: 32,
  MsgSeqNum: 34,
  MsgType: 35,
  OrderID: 37,
  OrderQty: 38,
  OrdStatus: 39,
  OrdType: 40,
  OrigClOrdID: 41,
  Price: 44,
  RefSeqNum: 45,
  SenderCompID: 49,
  SendingTime: 52,
  Side: 54,
  Symbol: 55,
  TargetCompID: 56,
  Text: 58,
  TimeInForce: 59,
  RawDataLength: 95,
  RawData: 96,
  CxlRejReason: 102,
  OrdRejReason: 103,
  HeartBtInt: 108,
  ExpireTime: 126,
  ResetSeqNumFlag: 141,
  ExecType: 150,
  LeavesQty: 151,
  CxlRejResponseTo: 434,
  MassCancelRequestType: 530,
  MassCancelResponse: 531,
  MassCancelRejectReason: 532,
  TotalAffectedOrders: 533,
  TrdMatchID: 880,
  DefaultApplVerID: 1137,
} as const;

/** SOH, the FIX field delimiter (also the separator of the Logon signing string). */
export const SOH = '\x01';
/** TargetCompID of Kalshi's order-entry session without retransmission (`KalshiNR`). */
export const KALSHI_NR = KALSHI_FIX_ORDER_ENTRY_TARGET;
/** FIXT.1.1 BeginString. */
export const FIXT_11 = KALSHI_FIX_BEGIN_STRING;
/** DefaultApplVerID (1137) of FIX 5.0 SP2 (`9`). */
export const APPL_VER_FIX50SP2 = KALSHI_FIX_APPL_VER_ID;
/** Largest accepted clock difference between a Logon's SendingTime and the acceptor's clock, ms. */
export const LOGON_MAX_SKEW_MS = 5_000;

/** ExecType (150) values sent. */
export type ExecTypeCode = '0' | '4' | '5' | '8' | 'C' | 'F';
/** OrdStatus (39) values sent. */
export type OrdStatusCode = '0' | '1' | '2' | '4' | '5' | '8' | 'C';
/** FIX Side (54): 1 = buy YES, 2 = sell YES. */
export type FixSide = '1' | '2';

/** Outcome of parsing a request: the value, or the reason to refuse it (in words, for tag 58). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string; ordRejReason?: number };

const fail = <T>(reason: string, ordRejReason?: number): Parsed<T> => ({ ok: false, reason, ordRejReason });

// ------------------------------------------------------------------------------------------------ scalars

// The wire scalars and side/price mapping are the FIX client's (libs/kalshi/src/fix), under the acceptor's names.

/** Kalshi ClOrdID rule (docs.kalshi.com/fix/order-entry): 1..64 characters of `[-\w:+=/]`. */
export const isValidClOrdId: (id: string | undefined) => id is string = isValidKalshiClOrdId;

/** Parses a wire quantity (`"12"`, `"12.5"`, `"12.50"`; at most 2 decimals) into centis; NaN unless positive. */
export function parseFixQty(text: string | undefined): SizeCentis {
  const v = parseKalshiFixQty(text);
  return v > 0 ? v : NaN;
}

/** Parses a wire YES price in dollars (`"0.42"`, at most 4 decimals) into ticks; NaN unless strictly inside $0..$1. */
export const parseFixPrice = parseKalshiFixPrice;

/**
 * Parses a FIX UTCTimestamp (`YYYYMMDD-HH:MM:SS` with an optional fraction of 1..9 digits, truncated to ms) into
 * ms since the epoch; NaN for anything else (including impossible dates such as 20260231).
 */
export const parseUtcTimestamp = parseFixUtcTimestamp;

/** Formats ms since the epoch as a FIX UTCTimestamp with milliseconds, `YYYYMMDD-HH:MM:SS.sss` (what jspurefix writes). */
export const formatUtcTimestamp = formatFixUtcTimestamp;

/** FIX Side of an order held as (side, action): buying YES or selling NO is a YES bid (`1`), else a YES ask (`2`). */
export const fixSideOf: (side: Side, action: Action) => FixSide = kalshiFixSide;

/** YES price of an own-side price, ticks. */
export const yesPriceOf: (side: Side, ownPriceTicks: PriceTicks) => PriceTicks = kalshiFixYesPrice;

/** Own-side price of a YES price for an order on `side`, ticks (the same flip as {@link yesPriceOf}). */
export const ownPriceOf: (side: Side, yesPriceTicks: PriceTicks) => PriceTicks = kalshiFixYesPrice;

/**
 * AvgPx (6) as a dollar string: the size-weighted average YES fill price, exact at 4 decimals when it is a whole
 * tick, else rounded half-up to 6 decimals. `yesCostMicros` = sum of YES price (ticks) x size (centis).
 */
export function formatAvgPx(yesCostMicros: number, cumCentis: SizeCentis): string {
  if (!(cumCentis > 0)) return '0';
  // dollars x 1e6 = micros x 100 / centis (a micro here is 1e-6 $), rounded half-up in exact integer arithmetic
  const num = BigInt(yesCostMicros) * 200n + BigInt(cumCentis);
  const q = num / (2n * BigInt(cumCentis));
  if (q % 100n === 0n) return formatPriceDollars(Number(q / 100n));
  return formatFixed(Number(q), 1_000_000, 6);
}

/** Formats ticks as a wire price (`"0.4200"`). */
export const wirePrice = (ticks: PriceTicks): string => formatPriceDollars(ticks);
/** Formats centis as a wire quantity (`"12.50"`). */
export const wireQty = (centis: SizeCentis): string => formatSizeFp(centis);

// ------------------------------------------------------------------------------------------------ requests

/** A decoded NewOrderSingle (35=D). */
export interface FixNewOrder {
  clOrdId: string;
  input: VenueOrderInput;
  /** for the reject report: the wire values, echoed */
  fixSide: FixSide;
  yesPriceTicks: PriceTicks;
  sizeCentis: SizeCentis;
}

/** Maps TimeInForce (59) and ExpireTime (126) to the venue's time in force and expiration. */
function timeInForce(get: FieldGetter): Parsed<{ tif: TimeInForce; expirationTsMs?: number }> {
  const t = get(TAG.TimeInForce);
  switch (t) {
    case undefined:
    case '0': // Day: the mock has no trading day, treated as GTC
    case '1':
      return { ok: true, value: { tif: 'good_till_canceled' } };
    case '3':
      return { ok: true, value: { tif: 'immediate_or_cancel' } };
    case '4':
      return { ok: true, value: { tif: 'fill_or_kill' } };
    case '6': {
      const exp = parseUtcTimestamp(get(TAG.ExpireTime));
      if (Number.isNaN(exp)) return fail('TimeInForce 6 (GTD) needs ExpireTime (126) as a UTCTimestamp', 11);
      return { ok: true, value: { tif: 'good_till_canceled', expirationTsMs: exp } };
    }
    default:
      return fail(`unsupported TimeInForce (59) ${JSON.stringify(t)}: use 0, 1, 3, 4 or 6`, 11);
  }
}

/** ExecInst (18): only `6` (post only) is supported. */
function execInst(get: FieldGetter): Parsed<boolean> {
  const v = get(TAG.ExecInst);
  if (v === undefined) return { ok: true, value: false };
  const flags = v.split(' ').filter((x) => x !== '');
  if (flags.some((f) => f !== '6')) return fail(`unsupported ExecInst (18) ${JSON.stringify(v)}: only 6 (post only)`, 11);
  return { ok: true, value: flags.length > 0 };
}

/**
 * Decodes a NewOrderSingle (35=D): 11, 38, 40=2, 44, 54 (1|2), 55, optional 59/126 and 18=6. Side 2 becomes a sell
 * of YES at the YES price, which the engine books as the same YES ask as Kalshi's "buy NO at 1 - p".
 */
export function parseNewOrderSingle(get: FieldGetter): Parsed<FixNewOrder> {
  const clOrdId = get(TAG.ClOrdID);
  if (!isValidClOrdId(clOrdId)) return fail('ClOrdID (11) must be 1-64 characters of [A-Za-z0-9_:+=/-]');
  const symbol = get(TAG.Symbol);
  if (!symbol) return fail('Symbol (55) is required', 1);
  const ordType = get(TAG.OrdType);
  if (ordType !== '2') return fail(`OrdType (40) must be 2 (limit), got ${JSON.stringify(ordType ?? null)}`, 11);
  const sideTag = get(TAG.Side);
  if (sideTag !== '1' && sideTag !== '2') return fail(`Side (54) must be 1 (buy YES) or 2 (sell YES), got ${JSON.stringify(sideTag ?? null)}`, 11);
  const size = parseFixQty(get(TAG.OrderQty));
  if (Number.isNaN(size)) return fail(`OrderQty (38) must be a positive number with at most 2 decimals, got ${JSON.stringify(get(TAG.OrderQty) ?? null)}`, 13);
  const price = parseFixPrice(get(TAG.Price));
  if (Number.isNaN(price)) return fail(`Price (44) must be a dollar price strictly between 0 and 1 with at most 4 decimals, got ${JSON.stringify(get(TAG.Price) ?? null)}`, 99);
  const tif = timeInForce(get);
  if (!tif.ok) return tif;
  const postOnly = execInst(get);
  if (!postOnly.ok) return postOnly;
  const input: VenueOrderInput = {
    marketTicker: symbol,
    side: 'yes',
    action: sideTag === '1' ? 'buy' : 'sell',
    priceTicks: price,
    sizeCentis: size,
    clientOrderId: clOrdId,
    timeInForce: tif.value.tif,
  };
  if (tif.value.expirationTsMs !== undefined) input.expirationTsMs = tif.value.expirationTsMs;
  if (postOnly.value) input.postOnly = true;
  return { ok: true, value: { clOrdId, input, fixSide: sideTag, yesPriceTicks: price, sizeCentis: size } };
}

/** Identifies the order a cancel or replace refers to: OrderID (37) wins over OrigClOrdID (41). */
export interface FixOrderRef {
  /** ClOrdID (11) of this request */
  clOrdId: string;
  origClOrdId?: string;
  orderId?: string;
  symbol?: string;
  fixSide?: string;
}

function orderRef(get: FieldGetter, what: string): Parsed<FixOrderRef> {
  const clOrdId = get(TAG.ClOrdID);
  if (!isValidClOrdId(clOrdId)) return fail(`${what}: ClOrdID (11) must be 1-64 characters of [A-Za-z0-9_:+=/-]`);
  const origClOrdId = get(TAG.OrigClOrdID);
  const orderId = get(TAG.OrderID);
  if (!origClOrdId && !orderId) return fail(`${what}: give OrigClOrdID (41) and/or OrderID (37)`);
  const ref: FixOrderRef = { clOrdId };
  if (origClOrdId) ref.origClOrdId = origClOrdId;
  if (orderId) ref.orderId = orderId;
  const symbol = get(TAG.Symbol);
  if (symbol) ref.symbol = symbol;
  const side = get(TAG.Side);
  if (side) ref.fixSide = side;
  return { ok: true, value: ref };
}

/** Decodes an OrderCancelRequest (35=F): 11, 41 and/or 37 (55 and 54 optional; checked against the order when given). */
export function parseCancelRequest(get: FieldGetter): Parsed<FixOrderRef> {
  return orderRef(get, 'OrderCancelRequest');
}

/** A decoded OrderCancelReplaceRequest (35=G). */
export interface FixReplace extends FixOrderRef {
  /** new YES limit price, ticks */
  yesPriceTicks?: PriceTicks;
  /** new TOTAL quantity (filled + remaining), centis */
  totalCentis?: SizeCentis;
}

/** Decodes an OrderCancelReplaceRequest (35=G): the order reference plus a new Price (44) and/or OrderQty (38, new total). */
export function parseReplaceRequest(get: FieldGetter): Parsed<FixReplace> {
  const ref = orderRef(get, 'OrderCancelReplaceRequest');
  if (!ref.ok) return ref;
  const out: FixReplace = { ...ref.value };
  const ordType = get(TAG.OrdType);
  if (ordType !== undefined && ordType !== '2') return fail(`OrdType (40) must be 2 (limit), got ${JSON.stringify(ordType)}`);
  const priceText = get(TAG.Price);
  if (priceText !== undefined) {
    const p = parseFixPrice(priceText);
    if (Number.isNaN(p)) return fail(`Price (44) must be a dollar price strictly between 0 and 1 with at most 4 decimals, got ${JSON.stringify(priceText)}`);
    out.yesPriceTicks = p;
  }
  const qtyText = get(TAG.OrderQty);
  if (qtyText !== undefined) {
    const q = parseFixQty(qtyText);
    if (Number.isNaN(q)) return fail(`OrderQty (38) must be a positive number with at most 2 decimals, got ${JSON.stringify(qtyText)}`);
    out.totalCentis = q;
  }
  if (out.yesPriceTicks === undefined && out.totalCentis === undefined) return fail('OrderCancelReplaceRequest: give a new Price (44) and/or OrderQty (38)');
  return { ok: true, value: out };
}

/** A decoded OrderMassCancelRequest (35=q). */
export interface FixMassCancel {
  clOrdId: string;
  /** 530: 1 = every order in Symbol (55), 7 = every order */
  requestType: '1' | '7';
  symbol?: string;
}

/** Decodes an OrderMassCancelRequest (35=q): 11, 530 = 1 (with 55) or 7. */
export function parseMassCancelRequest(get: FieldGetter): Parsed<FixMassCancel> {
  const clOrdId = get(TAG.ClOrdID);
  if (!isValidClOrdId(clOrdId)) return fail('ClOrdID (11) must be 1-64 characters of [A-Za-z0-9_:+=/-]');
  const type = get(TAG.MassCancelRequestType);
  if (type === '7') return { ok: true, value: { clOrdId, requestType: '7' } };
  if (type === '1') {
    const symbol = get(TAG.Symbol);
    if (!symbol) return fail('MassCancelRequestType 1 needs Symbol (55)', 1);
    return { ok: true, value: { clOrdId, requestType: '1', symbol } };
  }
  return fail(`unsupported MassCancelRequestType (530) ${JSON.stringify(type ?? null)}: use 1 (by Symbol) or 7 (all orders)`, 0);
}

// ------------------------------------------------------------------------------------------------ reports

/** OrdRejReason (103) for an engine rejection: 1 unknown symbol, 2 exchange closed, 3 exceeds limit, 6 duplicate, 13 incorrect quantity, 99 other. */
export function ordRejReasonOf(reason: RejectReason | string): number {
  switch (reason) {
    case 'unknown_market':
      return 1;
    case 'market_not_open':
      return 2;
    case 'insufficient_balance':
    case 'position_limit_exceeded':
      return 3;
    case 'duplicate_client_order_id':
    case 'duplicate_order_id':
      return 6;
    case 'invalid_size':
    case 'fractional_not_allowed':
      return 13;
    default:
      return 99;
  }
}

/** CxlRejReason (102) for an engine rejection: 1 unknown order, 6 duplicate ClOrdID, 99 other. */
export function cxlRejReasonOf(reason: RejectReason | string): number {
  switch (reason) {
    case 'order_not_found':
      return 1;
    case 'duplicate_client_order_id':
      return 6;
    default:
      return 99;
  }
}

/** Everything an ExecutionReport (35=8) carries; prices in YES terms. */
export interface ExecReportFields {
  execId: string;
  execType: ExecTypeCode;
  ordStatus: OrdStatusCode;
  /** `NONE` when the venue never assigned one (order refused before entry) */
  orderId: string;
  clOrdId?: string;
  origClOrdId?: string;
  symbol: string;
  fixSide: FixSide;
  yesPriceTicks?: PriceTicks;
  /** OrderQty (38): filled + open quantity, centis (for a canceled order: filled + what was open when it ended) */
  orderQtyCentis: SizeCentis;
  cumCentis: SizeCentis;
  leavesCentis: SizeCentis;
  /** sum of YES fill price x size, micros, for AvgPx */
  yesCostMicros: number;
  lastPxTicks?: PriceTicks;
  lastQtyCentis?: SizeCentis;
  tradeId?: string;
  timeInForce?: TimeInForce;
  ordRejReason?: number;
  text?: string;
  transactTimeMs: number;
}

const TIF_CODE: Record<TimeInForce, string> = KALSHI_FIX_TIME_IN_FORCE;

/** Builds the jspurefix object of an ExecutionReport (35=8), FIX50SP2 field names (components nested). */
export function buildExecutionReport(f: ExecReportFields): Record<string, unknown> {
  const o: Record<string, unknown> = {
    OrderID: f.orderId,
    ExecID: f.execId,
    ExecType: f.execType,
    OrdStatus: f.ordStatus,
    Instrument: { Symbol: f.symbol },
    Side: f.fixSide,
    OrderQtyData: { OrderQty: wireQty(f.orderQtyCentis) },
    OrdType: '2',
    LeavesQty: wireQty(f.leavesCentis),
    CumQty: wireQty(f.cumCentis),
    AvgPx: formatAvgPx(f.yesCostMicros, f.cumCentis),
    TransactTime: new Date(f.transactTimeMs),
  };
  if (f.clOrdId !== undefined) o.ClOrdID = f.clOrdId;
  if (f.origClOrdId !== undefined) o.OrigClOrdID = f.origClOrdId;
  if (f.yesPriceTicks !== undefined) o.Price = wirePrice(f.yesPriceTicks);
  if (f.timeInForce !== undefined) o.TimeInForce = TIF_CODE[f.timeInForce];
  if (f.lastPxTicks !== undefined) o.LastPx = wirePrice(f.lastPxTicks);
  if (f.lastQtyCentis !== undefined) o.LastQty = wireQty(f.lastQtyCentis);
  if (f.tradeId !== undefined) o.TrdMatchID = f.tradeId;
  if (f.ordRejReason !== undefined) o.OrdRejReason = f.ordRejReason;
  if (f.text !== undefined) o.Text = f.text.slice(0, 512);
  return o;
}

/** Builds an OrderCancelReject (35=9); `responseTo` 1 = to an F, 2 = to a G. */
export function buildCancelReject(f: {
  orderId?: string;
  clOrdId: string;
  origClOrdId?: string;
  ordStatus: OrdStatusCode;
  responseTo: '1' | '2';
  cxlRejReason: number;
  text: string;
  transactTimeMs: number;
}): Record<string, unknown> {
  const o: Record<string, unknown> = {
    OrderID: f.orderId ?? 'NONE',
    ClOrdID: f.clOrdId,
    OrdStatus: f.ordStatus,
    CxlRejResponseTo: f.responseTo,
    CxlRejReason: f.cxlRejReason,
    TransactTime: new Date(f.transactTimeMs),
    Text: f.text.slice(0, 512),
  };
  if (f.origClOrdId !== undefined) o.OrigClOrdID = f.origClOrdId;
  return o;
}

/** Builds an OrderMassCancelReport (35=r); `response` = the request type when done, `0` when refused. */
export function buildMassCancelReport(f: {
  clOrdId?: string;
  reportId: string;
  requestType: string;
  response: '0' | '1' | '7';
  affected: number;
  symbol?: string;
  rejectReason?: number;
  text?: string;
  transactTimeMs: number;
}): Record<string, unknown> {
  const o: Record<string, unknown> = {
    OrderID: f.reportId,
    MassActionReportID: f.reportId,
    MassCancelRequestType: f.requestType,
    MassCancelResponse: f.response,
    TotalAffectedOrders: f.affected,
    TransactTime: new Date(f.transactTimeMs),
  };
  if (f.clOrdId !== undefined) o.ClOrdID = f.clOrdId;
  if (f.symbol !== undefined) o.Instrument = { Symbol: f.symbol };
  if (f.rejectReason !== undefined) o.MassCancelRejectReason = f.rejectReason;
  if (f.text !== undefined) o.Text = f.text.slice(0, 512);
  return o;
}

// ------------------------------------------------------------------------------------------------ logon signature

/** The header values of a Logon as they are on the wire. */
export type LogonSigningFields = KalshiFixLogonFields;

/**
 * The string Kalshi signs for a FIX Logon (docs.kalshi.com/fix/session-management, "Signature Generation"): SendingTime, MsgType, MsgSeqNum,
 * SenderCompID, TargetCompID joined by SOH, exactly as on the wire (`20260701-12:00:00.000\x01A\x011\x01<key>\x01KalshiNR`).
 */
export const logonSigningString = kalshiFixLogonSigningString;

/** Signs a Logon for RawData (96): base64 RSA-PSS / SHA-256 / MGF1-SHA-256, salt 32 bytes (what clients do). */
export const signLogon = signKalshiFixLogon;

const PSS = { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: KALSHI_PSS_SALT_LENGTH } as const;

/** Verifies a Logon's RawData (96) signature; false for malformed base64 or a wrong key, never throws. */
export function verifyLogonSignature(publicKey: crypto.KeyObject, f: LogonSigningFields, signatureBase64: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureBase64) || signatureBase64.length % 4 !== 0 || signatureBase64.length > 4096) return false;
  try {
    return crypto.verify('sha256', Buffer.from(logonSigningString(f), 'utf8'), { key: publicKey, ...PSS }, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}
