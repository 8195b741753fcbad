/**
 * FIX order-entry client for Kalshi's `KalshiNR` session (order entry without retransmission), built on jspurefix
 * (its AsciiSession session layer, parser, encoder and FIX50SP2 dictionary: no FIX parser of ours).
 *
 * Sources (Kalshi's FIX documentation): docs.kalshi.com fix/session-management (logon, RawData signature, heartbeats,
 * sequence reset), fix/order-entry (NewOrderSingle, OrderCancelRequest, ExecutionReport, OrderCancelReject, Side and
 * price conventions), fix/common-components (header, BusinessMessageReject). The repository's mock exchange speaks the
 * same dialect (libs/feature-exchange/src/fix, docs/exchange.md "FIX"); this client is tested against it.
 *
 * Session: plain TCP (Kalshi's production endpoint is TLS; put a TLS terminator in front or use a tunnel - this client
 * opens a plain socket), FIXT.1.1 with DefaultApplVerID 1137=9 (FIX 5.0 SP2), SenderCompID (49) = the API key id,
 * TargetCompID (56) = `KalshiNR`, ResetSeqNumFlag 141=Y on every Logon (KalshiNR sessions start at 1; nothing is ever
 * retransmitted, so sent messages are not kept). The Logon carries RawDataLength (95) / RawData (96) = base64
 * RSA-PSS-SHA256 (MGF1-SHA256, salt 32 bytes) of `SendingTime SOH MsgType SOH MsgSeqNum SOH SenderCompID SOH
 * TargetCompID`, exactly as those header values are on the wire ({@link kalshiFixLogonSigningString}). jspurefix
 * answers TestRequests, sends heartbeats every HeartBtInt and ends the session when the peer goes silent.
 *
 * Prices and sizes: Kalshi's FIX prices are always YES prices in dollars (`44=0.4500`, up to 4 decimals) and
 * quantities are contracts (`38=2.50`, up to 2 decimals); `54=1` buys YES, `54=2` sells YES. Requests of this client
 * are in Kalshi REST terms (side yes|no, action buy|sell, price of that side in 1/10000 $ "ticks", size in 1/100
 * contract "centis"): buy NO at q is sent as sell YES (`54=2`) at 10000 - q, sell NO at q as buy YES (`54=1`) at
 * 10000 - q ({@link kalshiFixOrderSide}). Reports are mapped back to the order's own side. Money is never a float: wire
 * strings are written from integers with `formatPriceDollars` / `formatSizeFp` and read digit-wise with `scanFixed`.
 *
 * jspurefix (about 1.3 s to load, needs `reflect-metadata`) is loaded on the first {@link KalshiFixOrderClient.connect},
 * so importing `@kalshi-platform/kalshi` stays cheap for REST/WebSocket users.
 *
 * Not supported: TLS, OrderCancelReplaceRequest (G), OrderMassCancelRequest (q), OrderStatusRequest (H), the
 * KalshiRT/KalshiDC/KalshiMD/RFQ sessions, cents prices (UseDollars=N), order groups and sub-accounts, automatic
 * reconnection (call `connect()` again after `'disconnected'`).
 */
import * as crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import type * as Jspurefix from 'jspurefix';
import type { FixDefinitions, IJsFixConfig, IJsFixLogger, ILooseObject, ISessionDescription, IStandardHeader, MsgView, SendCallback, SessionId } from 'jspurefix';
import { formatPriceDollars, formatSizeFp, PRICE_SCALE, scanFixed, SIZE_SCALE, type PriceTicks, type SizeCentis } from '@kalshi-platform/market';
import { KALSHI_PSS_SALT_LENGTH, loadPrivateKey } from '../auth/signing';

// ------------------------------------------------------------------------------------------------ public types

/** Options of {@link KalshiFixOrderClient}. */
export interface KalshiFixOrderClientOptions {
  /** FIX acceptor host (e.g. `127.0.0.1` for the mock exchange) */
  host: string;
  /** FIX acceptor TCP port */
  port: number;
  /** API key id (SenderCompID per Kalshi FIX) */
  keyId: string;
  /** RSA private key of the API key, PEM (PKCS#1 or PKCS#8); used only to sign the Logon, never logged */
  privateKeyPem: string;
  /** TargetCompID (56); default {@link KALSHI_FIX_ORDER_ENTRY_TARGET} (`KalshiNR`, the only session the mock accepts) */
  targetCompId?: string;
  /** HeartBtInt (108), seconds, 3..3600 (default 30); both sides heartbeat at this interval */
  heartbeatSec?: number;
  /** diagnostics (connect, logon, disconnect, rejects, jspurefix warnings); key material is never passed here */
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

/** A limit order in Kalshi REST terms, for {@link KalshiFixOrderClient.placeOrder}. */
export interface FixOrderRequest {
  /** ClOrdID (11): 1..64 characters of `[A-Za-z0-9_:+=/-]`, unique per account (Kalshi refuses a reused one) */
  clientOrderId: string;
  /** market ticker, Symbol (55) */
  marketTicker: string;
  /** the contract side the price refers to */
  side: 'yes' | 'no';
  action: 'buy' | 'sell';
  /** limit price of `side`, integer 1..9999 in 1/10000 $ (4500 = $0.45) */
  priceTicks: number;
  /** quantity, integer > 0 in 1/100 contract (250 = 2.5 contracts; fractions only on markets that allow them) */
  countCentis: number;
  /** default `good_till_canceled` (59=1); `immediate_or_cancel` 59=3; `fill_or_kill` 59=4 */
  timeInForce?: 'good_till_canceled' | 'immediate_or_cancel' | 'fill_or_kill';
  /** expiration, ms since the epoch: sent as TimeInForce 6 (GTD) with ExpireTime (126); good_till_canceled only */
  expirationTsMs?: number;
  /** post only: ExecInst (18) = 6 */
  postOnly?: boolean;
}

/** Order status of a {@link FixExecution}, in Kalshi REST words (plus `partially_filled`). */
export type FixOrderStatus = 'pending' | 'resting' | 'partially_filled' | 'executed' | 'canceled' | 'rejected';

/**
 * One ExecutionReport (35=8), mapped to the order's own side (or, from an OrderCancelReject, see
 * {@link KalshiFixOrderClient.cancelOrder}). Quantities are integers in 1/100 contract, prices in 1/10000 $.
 */
export interface FixExecution {
  /**
   * the order's ClOrdID as placed: for reports answering a cancel (whose tag 11 is the cancel's own ClOrdID) the
   * ClOrdID of the order it canceled; for orders this client does not know, tag 11 (`''` when absent)
   */
  clientOrderId: string;
  /** OrderID (37); null when the exchange assigned none (`NONE`, e.g. a refused order) */
  orderId: string | null;
  /** ExecType (150) as on the wire: 0 New, F Trade, 4 Canceled, 5 Replaced, C Expired, 8 Rejected; `''` for an OrderCancelReject */
  execType: string;
  /** OrdStatus (39) as on the wire: 0 New, 1 Partially filled, 2 Filled, 4 Canceled, C Expired, 8 Rejected, ... */
  ordStatus: string;
  /** mapped status ({@link kalshiFixStatusOf}); `rejected` from an OrderCancelReject means the CANCEL was refused */
  status: FixOrderStatus;
  /**
   * LastPx (31) of a Trade, as the price of the ORDER's side (a NO order's fill at YES 0.45 is 5500); null when
   * absent. Orders this client did not place are taken in the wire's YES terms.
   */
  lastPriceTicks: number | null;
  /** LastQty (32), 0 when absent */
  lastQtyCentis: number;
  /** CumQty (14): filled so far */
  cumQtyCentis: number;
  /** LeavesQty (151): still open (0 once the order ended) */
  leavesQtyCentis: number;
  /** ExecID (17) */
  execId: string | null;
  /** TrdMatchID (880) of a Trade: the same on both sides of the match */
  tradeId: string | null;
  /** Text (58), e.g. the reject reason */
  text: string | null;
  /** TransactTime (60), ms since the epoch; the time of receipt when absent or unreadable */
  tsMs: number;
}

/** What went wrong, on a {@link KalshiFixError}. */
export type KalshiFixErrorCode =
  | 'invalid_request'
  | 'not_connected'
  | 'connect_failed'
  | 'logon_refused'
  | 'logon_timeout'
  | 'duplicate_in_flight'
  | 'send_failed'
  | 'session_reject'
  | 'business_reject'
  | 'timeout'
  | 'disconnected'
  | 'closed';

/**
 * Error of {@link KalshiFixOrderClient}: `code` says which (see {@link KalshiFixErrorCode}); the message names the
 * request (ClOrdID), the endpoint and the exchange's reason (Text 58, reject codes). Never contains key material.
 */
export class KalshiFixError extends Error {
  constructor(
    readonly code: KalshiFixErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KalshiFixError';
  }
}

// ------------------------------------------------------------------------------------------------ constants

/** TargetCompID of Kalshi's order-entry session without retransmission (docs.kalshi.com fix/session-management). */
export const KALSHI_FIX_ORDER_ENTRY_TARGET = 'KalshiNR';
/** BeginString (8) of Kalshi FIX: FIXT.1.1. */
export const KALSHI_FIX_BEGIN_STRING = 'FIXT.1.1';
/** DefaultApplVerID (1137) of Kalshi FIX: 9 = FIX 5.0 SP2. */
export const KALSHI_FIX_APPL_VER_ID = '9';
/** Default wait of {@link KalshiFixOrderClient.placeOrder} / {@link KalshiFixOrderClient.cancelOrder}, ms. */
export const KALSHI_FIX_DEFAULT_TIMEOUT_MS = 10_000;

const SOH = '\x01';
const CONNECT_TIMEOUT_MS = 10_000;
const LOGON_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 5_000;

/** Tags read off received messages (FIX 5.0 SP2 / FIXT.1.1 numbers). */
const T = {
  ClOrdID: 11,
  CumQty: 14,
  ExecID: 17,
  LastPx: 31,
  LastQty: 32,
  OrderID: 37,
  OrdStatus: 39,
  OrigClOrdID: 41,
  RefSeqNum: 45,
  Text: 58,
  TransactTime: 60,
  CxlRejReason: 102,
  ExecType: 150,
  LeavesQty: 151,
  RefTagID: 371,
  RefMsgType: 372,
  SessionRejectReason: 373,
  BusinessRejectRefID: 379,
  BusinessRejectReason: 380,
  TrdMatchID: 880,
} as const;

// ------------------------------------------------------------------------------------------------ logon signature

/** The header values of a Logon, exactly as they are on the wire. */
export interface KalshiFixLogonFields {
  /** SendingTime (52), e.g. `20260701-12:00:00.000` */
  sendingTime: string;
  /** MsgType (35): `A` */
  msgType: string;
  /** MsgSeqNum (34) as written, e.g. `1` */
  msgSeqNum: string;
  /** SenderCompID (49): the API key id */
  senderCompId: string;
  /** TargetCompID (56), e.g. `KalshiNR` */
  targetCompId: string;
}

/**
 * The string Kalshi verifies for a FIX Logon (docs.kalshi.com fix/session-management, "Signature Generation"):
 * SendingTime, MsgType, MsgSeqNum, SenderCompID and TargetCompID joined by SOH, as on the wire:
 * `20260701-12:00:00.000\x01A\x011\x01<key id>\x01KalshiNR`.
 */
export function kalshiFixLogonSigningString(f: KalshiFixLogonFields): string {
  return [f.sendingTime, f.msgType, f.msgSeqNum, f.senderCompId, f.targetCompId].join(SOH);
}

/**
 * Signs a Logon for RawData (96): base64 of RSA-PSS / SHA-256 / MGF1-SHA-256 with a 32-byte salt (the same scheme as
 * Kalshi's REST signatures, see ../auth/signing.ts) over {@link kalshiFixLogonSigningString}.
 * @param privateKey a loaded RSA private key, or PEM text / a PEM file path (read with `loadPrivateKey`).
 * @throws KalshiAuthError for an unusable key (the message never contains key material).
 */
export function signKalshiFixLogon(privateKey: crypto.KeyObject | string, f: KalshiFixLogonFields): string {
  const key = typeof privateKey === 'string' ? loadPrivateKey(privateKey) : privateKey;
  return crypto
    .sign('sha256', Buffer.from(kalshiFixLogonSigningString(f), 'utf8'), { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: KALSHI_PSS_SALT_LENGTH })
    .toString('base64');
}

/** Formats ms since the epoch as a FIX UTCTimestamp with milliseconds, `YYYYMMDD-HH:MM:SS.sss` (what jspurefix writes). */
export function formatFixUtcTimestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

/**
 * Parses a FIX UTCTimestamp (`YYYYMMDD-HH:MM:SS` with an optional fraction of 1..9 digits, truncated to ms) into ms
 * since the epoch; NaN for anything else (including impossible dates such as 20260231).
 */
export function parseFixUtcTimestamp(text: string | undefined): number {
  if (text === undefined) return NaN;
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(text);
  if (!m) return NaN;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return NaN;
  const ms = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const check = new Date(t);
  return check.getUTCDate() === d && check.getUTCMonth() === mo - 1 ? t : NaN;
}

// ------------------------------------------------------------------------------------------------ mapping

/**
 * Parses a wire YES price in dollars (`"0.42"`, `"0.4200"`: at most 4 decimals, no sign, no exponent) into 1/10000 $
 * ticks, exactly (no floats); NaN unless strictly between $0 and $1.
 */
export function parseKalshiFixPrice(text: string | undefined): PriceTicks {
  if (text === undefined) return NaN;
  const v = scanFixed(text, 4, PRICE_SCALE, false);
  return v > 0 && v < PRICE_SCALE ? v : NaN;
}

/**
 * Parses a wire quantity in contracts (`"12"`, `"12.5"`, `"12.50"`: at most 2 decimals, no sign) into 1/100 contract
 * centis, exactly (no floats); 0 is accepted (CumQty, LeavesQty); NaN for anything unreadable or absent.
 */
export function parseKalshiFixQty(text: string | undefined): SizeCentis {
  if (text === undefined) return NaN;
  return scanFixed(text, 2, SIZE_SCALE, false);
}

/** FIX Side (54) of an order held as (side, action): buying YES or selling NO is a YES bid (`1`), else a YES ask (`2`). */
export function kalshiFixSide(side: 'yes' | 'no', action: 'buy' | 'sell'): '1' | '2' {
  return (side === 'yes') === (action === 'buy') ? '1' : '2';
}

/**
 * YES price of a price of `side` (1/10000 $): unchanged for YES, 10000 - p for NO. The map is its own inverse, so it
 * also turns a wire YES price into the price of an order's own side.
 */
export function kalshiFixYesPrice(side: 'yes' | 'no', priceTicks: PriceTicks): PriceTicks {
  return side === 'yes' ? priceTicks : PRICE_SCALE - priceTicks;
}

/**
 * Kalshi FIX side and YES price of an order given in REST terms (docs.kalshi.com fix/order-entry: every FIX order is
 * a YES bid `54=1` or a YES ask `54=2` at a YES price): buy YES at p -> (`1`, p); sell YES at p -> (`2`, p);
 * buy NO at q -> (`2`, 10000 - q); sell NO at q -> (`1`, 10000 - q). Prices in 1/10000 $.
 */
export function kalshiFixOrderSide(side: 'yes' | 'no', action: 'buy' | 'sell', priceTicks: PriceTicks): { fixSide: '1' | '2'; yesPriceTicks: PriceTicks } {
  return { fixSide: kalshiFixSide(side, action), yesPriceTicks: kalshiFixYesPrice(side, priceTicks) };
}

/**
 * Maps ExecType (150) / OrdStatus (39) to a {@link FixOrderStatus}: 150=8 or 39=8 -> rejected; 39=0 -> resting;
 * 1 -> partially_filled; 2 -> executed; 4, C (expired), 3 (done for day) -> canceled; A (pending new) -> pending;
 * anything else (5 replaced, 6/E pending cancel/replace, ...) from the quantities: open -> resting or
 * partially_filled, nothing open but filled -> executed, else pending.
 */
export function kalshiFixStatusOf(execType: string, ordStatus: string, leavesQtyCentis: SizeCentis, cumQtyCentis: SizeCentis): FixOrderStatus {
  if (execType === '8' || ordStatus === '8') return 'rejected';
  switch (ordStatus) {
    case '0':
      return 'resting';
    case '1':
      return 'partially_filled';
    case '2':
      return 'executed';
    case '3':
    case '4':
    case 'C':
      return 'canceled';
    case 'A':
      return 'pending';
    default:
      if (leavesQtyCentis > 0) return cumQtyCentis > 0 ? 'partially_filled' : 'resting';
      return cumQtyCentis > 0 ? 'executed' : 'pending';
  }
}

/** Kalshi's ClOrdID rule (docs.kalshi.com fix/order-entry): 1..64 characters of `[-\w:+=/]`. */
export function isValidKalshiClOrdId(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= 64 && /^[-\w:+=/]+$/.test(id);
}

/** TimeInForce (59) of each REST time in force: GTC `1`, IOC `3`, FOK `4` (GTD is `6` with ExpireTime 126). */
export const KALSHI_FIX_TIME_IN_FORCE = { good_till_canceled: '1', immediate_or_cancel: '3', fill_or_kill: '4' } as const;

/** Validates a request and builds the NewOrderSingle body (jspurefix FIX50SP2 names); throws KalshiFixError. */
function newOrderSingle(o: FixOrderRequest): { body: ILooseObject; fixSide: '1' | '2' } {
  const bad = (what: string) => new KalshiFixError('invalid_request', `invalid order ${JSON.stringify(String(o?.clientOrderId ?? '')).slice(0, 80)}: ${what}`);
  if (o === null || typeof o !== 'object') throw bad('expected an order object');
  if (!isValidKalshiClOrdId(o.clientOrderId)) throw bad('clientOrderId must be 1-64 characters of [A-Za-z0-9_:+=/-]');
  if (typeof o.marketTicker !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(o.marketTicker)) throw bad('marketTicker must be 1-128 printable ASCII characters');
  if (o.side !== 'yes' && o.side !== 'no') throw bad(`side must be yes or no, got ${JSON.stringify(o.side)}`);
  if (o.action !== 'buy' && o.action !== 'sell') throw bad(`action must be buy or sell, got ${JSON.stringify(o.action)}`);
  if (!Number.isInteger(o.priceTicks) || o.priceTicks < 1 || o.priceTicks >= PRICE_SCALE) throw bad(`priceTicks must be an integer 1..9999 (1/10000 $), got ${String(o.priceTicks)}`);
  if (!Number.isSafeInteger(o.countCentis) || o.countCentis < 1) throw bad(`countCentis must be a positive integer (1/100 contract), got ${String(o.countCentis)}`);
  const tif = o.timeInForce ?? 'good_till_canceled';
  if (!(tif in KALSHI_FIX_TIME_IN_FORCE)) throw bad(`timeInForce must be good_till_canceled, immediate_or_cancel or fill_or_kill, got ${JSON.stringify(tif)}`);
  if (o.postOnly !== undefined && typeof o.postOnly !== 'boolean') throw bad('postOnly must be a boolean');
  const { fixSide, yesPriceTicks } = kalshiFixOrderSide(o.side, o.action, o.priceTicks);
  const body: ILooseObject = {
    ClOrdID: o.clientOrderId,
    Instrument: { Symbol: o.marketTicker },
    Side: fixSide,
    TransactTime: new Date(),
    OrderQtyData: { OrderQty: formatSizeFp(o.countCentis) },
    OrdType: '2',
    Price: formatPriceDollars(yesPriceTicks),
    TimeInForce: KALSHI_FIX_TIME_IN_FORCE[tif],
  };
  if (o.expirationTsMs !== undefined) {
    if (!Number.isSafeInteger(o.expirationTsMs) || o.expirationTsMs <= 0) throw bad(`expirationTsMs must be a positive integer of ms since the epoch, got ${String(o.expirationTsMs)}`);
    if (tif !== 'good_till_canceled') throw bad(`expirationTsMs needs timeInForce good_till_canceled, got ${tif}`);
    body.TimeInForce = '6';
    body.ExpireTime = new Date(o.expirationTsMs);
  }
  if (o.postOnly) body.ExecInst = '6';
  return { body, fixSide };
}

// ------------------------------------------------------------------------------------------------ jspurefix

type JspurefixModule = typeof Jspurefix;

let runtimePromise: Promise<JspurefixModule> | null = null;

/** Loads jspurefix (and the `reflect-metadata` polyfill its DI container needs) once per process. */
function loadJspurefix(): Promise<JspurefixModule> {
  if (!runtimePromise) {
    runtimePromise = (async () => {
      await import('reflect-metadata');
      return import('jspurefix');
    })().catch((e: Error) => {
      runtimePromise = null;
      throw new KalshiFixError('connect_failed', `cannot load jspurefix: ${e.message}`);
    });
  }
  return runtimePromise;
}

let dictionaryPromise: Promise<FixDefinitions> | null = null;

/**
 * jspurefix's FIX50SP2 dictionary with Kalshi's additions, loaded once per process (about 1.5 s) and shared by every
 * client and by the mock exchange's acceptor (libs/feature-exchange/src/fix). Additions (docs.kalshi.com
 * fix/order-entry, fix/session-management): Kalshi's own Logon tags 8013 CancelOrdersOnDisconnect, 21005 UseDollars
 * and 21003 SkipPendingExecReports are declared, so jspurefix does not reject them as unknown (2964
 * SelfTradePreventionType is FIX50SP2's SelfMatchPreventionInstruction on D); TransactTime (60) on D/F/G/q and
 * Side/OrdType on F/G are optional (Kalshi's examples send neither).
 * @throws KalshiFixError (`connect_failed`) when jspurefix or its dictionary cannot be loaded (the promise rejects).
 */
export function loadKalshiFixDictionary(): Promise<FixDefinitions> {
  if (!dictionaryPromise) {
    dictionaryPromise = loadJspurefix()
      .then(async (jf) => {
        const d = await new jf.DefinitionFactory().getDefinitions('data/FIX50SP2.xml');
        extendForKalshi(jf, d);
        return d;
      })
      .catch((e: Error) => {
        dictionaryPromise = null;
        throw e instanceof KalshiFixError ? e : new KalshiFixError('connect_failed', `cannot load the jspurefix FIX50SP2 dictionary: ${e.message}`);
      });
  }
  return dictionaryPromise;
}

/** See {@link loadKalshiFixDictionary}. */
function extendForKalshi(jf: JspurefixModule, d: FixDefinitions): void {
  const addField = (tag: number, name: string, type: string, messages: string[]) => {
    let def = d.tagToSimple[tag];
    if (!def) {
      def = new jf.SimpleFieldDefinition(String(tag), name, name, null, null, type, null);
      d.addSimpleFieldDef(def);
    }
    for (const m of messages) {
      const set = d.message.get(m);
      if (set && !set.containedTag[tag]) new jf.ContainedSetBuilder(set).add(new jf.ContainedSimpleField(def, set.fields.length, false, false));
    }
  };
  addField(8013, 'CancelOrdersOnDisconnect', 'BOOLEAN', ['Logon']);
  addField(21005, 'UseDollars', 'BOOLEAN', ['Logon']);
  addField(21003, 'SkipPendingExecReports', 'BOOLEAN', ['Logon']);
  const relax = (message: string, tags: number[]) => {
    const set = d.message.get(message);
    if (!set) return;
    for (const f of set.fields) {
      if (f instanceof jf.ContainedSimpleField && tags.includes(f.definition.tag)) {
        (f as { required: boolean }).required = false;
        delete set.localRequired[f.definition.tag];
      }
    }
  };
  relax('NewOrderSingle', [60]);
  relax('OrderCancelRequest', [60, 54]);
  relax('OrderCancelReplaceRequest', [60, 54, 40]);
  relax('OrderMassCancelRequest', [60]);
}

/**
 * A jspurefix logger factory that passes jspurefix's warnings and errors (both at level `warn`) to `log` as
 * `<prefix> <logger type>: <message>` and drops info/debug (per-message chatter). The client's (prefix `jspurefix`),
 * shared with the mock exchange's acceptor. Loads jspurefix on first use.
 * @throws KalshiFixError (`connect_failed`) when jspurefix cannot be loaded (the promise rejects).
 */
export async function kalshiFixLogFactory(log: (level: 'warn' | 'error', msg: string) => void, prefix = 'jspurefix'): Promise<Jspurefix.JsFixLoggerFactory> {
  return sessionClasses(await loadJspurefix()).newLogFactory(log, prefix);
}

/** What the jspurefix session reports to its client. */
interface SessionHooks {
  /** SendingTime and RawData of the Logon about to be sent with MsgSeqNum `seq` */
  signLogon(seq: number): { sendingTime: string; signature: string };
  ready(): void;
  stopped(error: Error | undefined): void;
  logout(text: string | null): void;
  sessionReject(view: MsgView): void;
  application(msgType: string, view: MsgView): void;
}

/** The jspurefix subclasses, defined once jspurefix is loaded. */
interface SessionClasses {
  newSession(config: IJsFixConfig, hooks: SessionHooks): ClientSessionApi;
  newMsgFactory(description: ISessionDescription): Jspurefix.AsciiSessionMsgFactory;
  newLogFactory(log: (level: 'warn' | 'error', msg: string) => void, prefix: string): Jspurefix.JsFixLoggerFactory;
  newSeqOnlyStore(id: SessionId): Jspurefix.IFixSessionStore;
}

/** The part of the session the client uses. */
interface ClientSessionApi {
  run(transport: Jspurefix.MsgTransport): Promise<number>;
  sendApp(msgType: string, body: ILooseObject, callback: SendCallback): void;
  logout(): void;
  requestStop(reason: string): void;
}

let classes: SessionClasses | null = null;

function sessionClasses(jf: JspurefixModule): SessionClasses {
  if (classes) return classes;

  /** Stamps the Logon's SendingTime chosen (and signed) by the session (jspurefix would write its own clock). */
  class SigningMsgFactory extends jf.AsciiSessionMsgFactory {
    logonSendingTime: string | null = null;

    override header(msgType: string, seqNum: number, time: Date, overrideData?: Partial<IStandardHeader>): ILooseObject {
      const h = super.header(msgType, seqNum, time, overrideData);
      if (msgType === 'A' && this.logonSendingTime) h.SendingTime = this.logonSendingTime;
      return h;
    }
  }

  /** KalshiNR never retransmits: keep sequence numbers only, not every message sent. */
  class SeqOnlySessionStore extends jf.MemorySessionStore {
    override async put(): Promise<void> {
      /* not kept */
    }
  }

  /** jspurefix initiator session: signs its Logon, forwards everything else to the client. */
  class ClientSession extends jf.AsciiSession implements ClientSessionApi {
    constructor(
      config: IJsFixConfig,
      private readonly hooks: SessionHooks,
    ) {
      super(config);
      this.logReceivedMsgs = false;
      this.on('error', () => undefined); // reported through onStopped
    }

    /** Kalshi Logon: RawDataLength (95) / RawData (96) = signature of the header values as sent. */
    override sendLogon(): void {
      const factory = this.config.factory as SigningMsgFactory;
      const seq = (this.transport?.transmitter as unknown as { msgSeqNum: number } | undefined)?.msgSeqNum ?? 1;
      const { sendingTime, signature } = this.hooks.signLogon(seq);
      factory.logonSendingTime = sendingTime;
      const logon = factory.logon();
      logon.RawDataLength = signature.length;
      logon.RawData = signature;
      this.send('A', logon);
    }

    sendApp(msgType: string, body: ILooseObject, callback: SendCallback): void {
      this.send(msgType, body, callback);
    }

    logout(): void {
      this.done();
    }

    protected override peerLogout(view: MsgView): void {
      this.hooks.logout(view.getString(T.Text));
      super.peerLogout(view);
    }

    protected override onSessionMsg(msgType: string, view: MsgView): void {
      super.onSessionMsg(msgType, view);
      if (msgType === '3') this.hooks.sessionReject(view);
    }

    protected override onApplicationMsg(msgType: string, view: MsgView): void {
      this.hooks.application(msgType, view);
    }

    protected override onLogon(): boolean {
      return true;
    }

    protected override onReady(): void {
      this.hooks.ready();
    }

    protected override onStopped(error?: Error): void {
      this.hooks.stopped(error);
    }

    protected override onDecoded(): void {
      /* no FIX log */
    }

    protected override onEncoded(): void {
      /* no FIX log */
    }
  }

  /** jspurefix's warnings and errors to a log callback; info/debug (per-message chatter) dropped. See {@link kalshiFixLogFactory}. */
  class CallbackLogFactory extends jf.JsFixLoggerFactory {
    constructor(
      private readonly log: (level: 'warn' | 'error', msg: string) => void,
      private readonly prefix: string,
    ) {
      super();
    }

    logger(type: string): IJsFixLogger {
      const { log, prefix } = this;
      return {
        info: () => undefined,
        debug: () => undefined,
        warning: (m: string) => log('warn', `${prefix} ${type}: ${m}`),
        error: (e: Error) => log('warn', `${prefix} ${type}: ${e?.message ?? String(e)}`),
      };
    }

    plain(): IJsFixLogger {
      return { info: () => undefined, debug: () => undefined, warning: () => undefined, error: () => undefined };
    }
  }

  classes = {
    newSession: (config, hooks) => new ClientSession(config, hooks),
    newMsgFactory: (description) => new SigningMsgFactory(description),
    newLogFactory: (log, prefix) => new CallbackLogFactory(log, prefix),
    newSeqOnlyStore: (id) => new SeqOnlySessionStore(id),
  };
  return classes;
}

// ------------------------------------------------------------------------------------------------ client

/** An order this client placed (or is placing), for mapping its reports to its own side. */
interface TrackedOrder {
  clientOrderId: string;
  side: 'yes' | 'no';
  symbol: string;
  fixSide: '1' | '2';
  orderId: string | null;
  cumCentis: SizeCentis;
  leavesCentis: SizeCentis;
  /** ClOrdIDs that name it: its own and those of cancels sent for it */
  aliases: string[];
  /** in the client's maps (false for the shadow of a duplicate ClOrdID) */
  registered: boolean;
}

/** A request waiting for its answer. */
interface Pending {
  kind: 'place' | 'cancel';
  /** ClOrdID (11) of the request */
  clOrdId: string;
  /** cancel: the clientOrderId / orderId given to cancelOrder */
  origClientOrderId?: string;
  origOrderId?: string | null;
  order: TrackedOrder | undefined;
  /** place: OrderID of a live order that already had this ClOrdID (its reports are not the answer) */
  shadowedOrderId?: string | null;
  seq?: number;
  timer: NodeJS.Timeout;
  resolve(e: FixExecution): void;
  reject(e: Error): void;
}

type Getter = (tag: number) => string | undefined;
const getter = (view: MsgView): Getter => (tag) => view.getString(tag) ?? undefined;

/**
 * FIX order-entry client of Kalshi's `KalshiNR` session (see the module docstring for the dialect and its sources).
 *
 * Events:
 * - `'execution'` (e: {@link FixExecution}) for EVERY ExecutionReport (35=8) received, whatever the order's origin
 *   (Kalshi sends the account's REST orders too);
 * - `'cancelReject'` (e: {@link FixExecution}) for every OrderCancelReject (35=9) (not an ExecutionReport, so not an
 *   `'execution'`: the order's state did not change);
 * - `'connected'` () once a Logon is accepted;
 * - `'disconnected'` (reason?: Error) when a logged-on session ends (no reason after {@link close}).
 * Listener exceptions are caught and logged. No `'error'` event is ever emitted.
 *
 * Requests in flight when the session ends are rejected (`disconnected`). Order tracking survives a reconnect.
 */
export class KalshiFixOrderClient extends EventEmitter {
  private readonly host: string;
  private readonly port: number;
  private readonly keyId: string;
  private readonly targetCompId: string;
  private readonly heartbeatSec: number;
  private readonly privateKey: crypto.KeyObject;
  private readonly log: (level: 'info' | 'warn' | 'error', msg: string) => void;

  private state: 'idle' | 'connecting' | 'connected' | 'closing' = 'idle';
  private connecting: Promise<void> | null = null;
  private session: ClientSessionApi | null = null;
  private socket: net.Socket | null = null;
  private sessionEnded: Promise<void> | null = null;
  private transportSeq = 0;
  /** 'connected' was emitted and 'disconnected' not yet */
  private announced = false;

  private readonly pendingPlaces = new Map<string, Pending>();
  private readonly pendingCancels = new Map<string, Pending>();
  private readonly bySeq = new Map<number, Pending>();
  private readonly byClOrdId = new Map<string, TrackedOrder>();
  private readonly byOrderId = new Map<string, TrackedOrder>();

  /**
   * @throws KalshiFixError (`invalid_request`) for a bad host/port/keyId/targetCompId/heartbeatSec, KalshiAuthError
   *   for an unusable private key (never quoting it).
   */
  constructor(opts: KalshiFixOrderClientOptions) {
    super();
    const bad = (m: string) => new KalshiFixError('invalid_request', `KalshiFixOrderClient: ${m}`);
    if (typeof opts?.host !== 'string' || opts.host.length === 0) throw bad('host must be a non-empty string');
    if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65_535) throw bad(`port must be 1..65535, got ${String(opts.port)}`);
    if (typeof opts.keyId !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(opts.keyId)) throw bad('keyId must be 1-128 printable ASCII characters');
    const target = opts.targetCompId ?? KALSHI_FIX_ORDER_ENTRY_TARGET;
    if (typeof target !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(target)) throw bad('targetCompId must be 1-64 printable ASCII characters');
    const hb = opts.heartbeatSec ?? 30;
    if (!Number.isInteger(hb) || hb < 3 || hb > 3600) throw bad(`heartbeatSec must be an integer 3..3600, got ${String(hb)}`);
    this.host = opts.host;
    this.port = opts.port;
    this.keyId = opts.keyId;
    this.targetCompId = target;
    this.heartbeatSec = hb;
    this.privateKey = loadPrivateKey(opts.privateKeyPem);
    this.log = opts.log ?? (() => undefined);
  }

  /** True while a session is logged on (between `'connected'` and `'disconnected'`). */
  get connected(): boolean {
    return this.state === 'connected';
  }

  /**
   * Opens the TCP connection and logs on (signed Logon, ResetSeqNumFlag=Y); resolves once the acceptor's Logon
   * arrives, then emits `'connected'`. Resolves at once when already connected; concurrent calls share one attempt.
   * The first call in a process loads jspurefix and its dictionary (about 3 s).
   * @throws KalshiFixError: `connect_failed` (TCP refused/unreachable, no connection within 10 s, socket closed before
   *   any answer), `logon_refused` (the acceptor answered with a Logout: its Text (58) is in the message, e.g.
   *   `signature mismatch (RawData 96)` or `unknown API key id (SenderCompID)`), `logon_timeout` (no answer within
   *   10 s), `closed` (close() was called meanwhile).
   */
  connect(): Promise<void> {
    if (this.state === 'connected') return Promise.resolve();
    if (this.connecting) return this.connecting;
    if (this.state === 'closing') return Promise.reject(new KalshiFixError('closed', `FIX ${this.endpoint()}: close() in progress`));
    this.state = 'connecting';
    this.connecting = this.doConnect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /**
   * Sends a NewOrderSingle (35=D): 11 ClOrdID, 55 Symbol, 54 Side and 44 Price in YES terms ({@link kalshiFixOrderSide}),
   * 38 OrderQty, 40=2 (limit), 59 TimeInForce (1, 3, 4, or 6 + 126 ExpireTime), 18=6 when post only, 60 TransactTime.
   * Resolves with the FIRST ExecutionReport for that ClOrdID, whatever it is: New (`resting`), Rejected (`rejected`,
   * e.g. a reused ClOrdID, an unknown market, insufficient balance: reason in `text`), or a Trade; later reports
   * arrive as `'execution'` events. Reports about a live order that already had this ClOrdID are not the answer.
   * @param timeoutMs wait for the answer (default 10,000 ms).
   * @throws KalshiFixError: `invalid_request` (validation, nothing sent), `not_connected`, `duplicate_in_flight` (a
   *   request with this ClOrdID is already waiting), `session_reject` (Reject 35=3 naming RefSeqNum: reason 373 and
   *   Text), `business_reject` (BusinessMessageReject 35=j: 380 and Text), `timeout`, `disconnected`, `send_failed`.
   */
  async placeOrder(o: FixOrderRequest, timeoutMs: number = KALSHI_FIX_DEFAULT_TIMEOUT_MS): Promise<FixExecution> {
    const { body, fixSide } = newOrderSingle(o);
    const session = this.requireSession(`NewOrderSingle ${o.clientOrderId}`);
    const id = o.clientOrderId;
    if (this.pendingPlaces.has(id) || this.pendingCancels.has(id)) throw new KalshiFixError('duplicate_in_flight', `NewOrderSingle ${id}: a request with this ClOrdID is already waiting for its answer`);
    const existing = this.byClOrdId.get(id);
    const order: TrackedOrder = { clientOrderId: id, side: o.side, symbol: o.marketTicker, fixSide, orderId: null, cumCentis: 0, leavesCentis: o.countCentis, aliases: [id], registered: false };
    if (!existing) this.track(order);
    return this.request(session, 'D', body, timeoutMs, { kind: 'place', clOrdId: id, order, shadowedOrderId: existing ? existing.orderId : undefined });
  }

  /**
   * Sends an OrderCancelRequest (35=F) with a fresh ClOrdID (11), OrigClOrdID (41) = `clientOrderId` and OrderID
   * (37) = `orderId` when given (the exchange uses 37 first), plus Symbol/Side when this client placed the order.
   * Resolves with the ExecutionReport answering it (`canceled`; its `clientOrderId` is the order's, not the cancel's)
   * or, when the exchange refuses the cancel (unknown or already ended order...), with an OrderCancelReject (35=9)
   * mapped to a FixExecution: `status` `rejected` (the CANCEL was refused), `execType` `''`, `ordStatus` = the
   * order's 39, `text` = the reason (58), quantities = the last ones known to this client (0 if none).
   * @param clientOrderId the order's ClOrdID (may be `''` when `orderId` is given)
   * @param orderId the exchange's OrderID, or null to name the order by `clientOrderId` only
   * @param timeoutMs wait for the answer (default 10,000 ms).
   * @throws KalshiFixError: `invalid_request`, `not_connected`, `session_reject`, `business_reject`, `timeout`,
   *   `disconnected`, `send_failed`.
   */
  async cancelOrder(clientOrderId: string, orderId: string | null, timeoutMs: number = KALSHI_FIX_DEFAULT_TIMEOUT_MS): Promise<FixExecution> {
    const useClOrdId = isValidKalshiClOrdId(clientOrderId);
    const useOrderId = typeof orderId === 'string' && /^[\x21-\x7e]{1,128}$/.test(orderId);
    if (!useClOrdId && !useOrderId) throw new KalshiFixError('invalid_request', `cancel: give a valid clientOrderId (1-64 of [A-Za-z0-9_:+=/-]) and/or orderId, got ${JSON.stringify(clientOrderId)} / ${JSON.stringify(orderId)}`);
    const session = this.requireSession(`OrderCancelRequest for ${clientOrderId || orderId}`);
    const order = (useOrderId ? this.byOrderId.get(orderId) : undefined) ?? (useClOrdId ? this.byClOrdId.get(clientOrderId) : undefined);
    const cancelId = crypto.randomUUID();
    const body: ILooseObject = { ClOrdID: cancelId, TransactTime: new Date() };
    if (useClOrdId) body.OrigClOrdID = clientOrderId;
    if (useOrderId) body.OrderID = orderId;
    if (order) {
      body.Instrument = { Symbol: order.symbol };
      body.Side = order.fixSide;
      this.alias(order, cancelId);
    }
    return this.request(session, 'F', body, timeoutMs, { kind: 'cancel', clOrdId: cancelId, order, origClientOrderId: clientOrderId, origOrderId: useOrderId ? orderId : null });
  }

  /**
   * Ends the session: Logout (35=5), waits for the acceptor's Logout (at most 5 s), closes the socket; emits
   * `'disconnected'` (no reason) if it was logged on. Aborts a connect in progress. Requests still waiting are
   * rejected (`disconnected`). Never throws; resolves at once when not connected.
   */
  async close(): Promise<void> {
    if (this.state === 'idle') return;
    if (this.state === 'connecting') {
      this.state = 'closing';
      this.socket?.destroy();
      this.session?.requestStop('close() during connect');
      await this.connecting?.catch(() => undefined);
      this.state = 'idle';
      return;
    }
    if (this.state === 'closing') {
      await this.sessionEnded;
      return;
    }
    this.state = 'closing';
    const ended = this.sessionEnded;
    const socket = this.socket;
    this.session?.logout();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([ended?.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), CLOSE_TIMEOUT_MS)))]);
    clearTimeout(timer);
    if (timedOut) {
      this.log('warn', `FIX ${this.endpoint()}: no Logout answer within ${CLOSE_TIMEOUT_MS} ms, closing the socket`);
      this.session?.requestStop('logout not confirmed');
      await ended;
    }
    if (socket && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          socket.destroy();
          resolve();
        }, 1_000);
        socket.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        socket.end();
      });
    }
    this.state = 'idle';
  }

  // -------------------------------------------------------------------------------------------- connection

  private endpoint(): string {
    return `${this.host}:${this.port}`;
  }

  private async doConnect(): Promise<void> {
    let socket: net.Socket | null = null;
    try {
      const [jf, definitions] = await Promise.all([loadJspurefix(), loadKalshiFixDictionary()]);
      this.assertNotClosing();
      const cls = sessionClasses(jf);
      socket = await this.openSocket();
      this.assertNotClosing();
      this.socket = socket;

      const description = {
        application: { name: `kalshi-fix-${this.keyId}`, type: 'initiator', protocol: 'ascii', dictionary: 'data/FIX50SP2.xml', tcp: { host: this.host, port: this.port }, reconnectSeconds: 0, resilient: false },
        Name: this.keyId,
        SenderCompId: this.keyId,
        TargetCompID: this.targetCompId,
        BeginString: KALSHI_FIX_BEGIN_STRING,
        HeartBtInt: this.heartbeatSec,
        ResetSeqNumFlag: true,
        // Username/Password null: jspurefix would otherwise send them empty
        Logon: { DefaultApplVerID: KALSHI_FIX_APPL_VER_ID, Username: null, Password: null },
      } as unknown as ISessionDescription;
      const factory = cls.newMsgFactory(description);
      const container = new jf.SessionContainer(() => factory);
      const child = container.newChild(description);
      const config = new jf.JsFixConfig(factory, definitions, description, 1 /* SOH */, cls.newLogFactory((level, m) => this.log(level, m), 'jspurefix'));
      container.registerSession(config, child);
      config.sessionStoreFactory = { create: (id: SessionId) => cls.newSeqOnlyStore(id) };

      let logout: string | null = null;
      let ready = false;
      let settle: { resolve(): void; reject(e: Error): void } | null = null;
      const loggedOn = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
      let endSession!: () => void;
      this.sessionEnded = new Promise<void>((r) => (endSession = r));
      const endpoint = this.endpoint();
      const session = cls.newSession(config, {
        signLogon: (seq) => {
          const sendingTime = formatFixUtcTimestamp(Date.now());
          const signature = signKalshiFixLogon(this.privateKey, { sendingTime, msgType: 'A', msgSeqNum: String(seq), senderCompId: this.keyId, targetCompId: this.targetCompId });
          return { sendingTime, signature };
        },
        ready: () => {
          ready = true;
          settle?.resolve();
        },
        logout: (text) => {
          logout = text;
        },
        stopped: (error) => {
          endSession();
          if (this.session === session) {
            this.session = null;
            this.socket = null;
          }
          socket?.destroy();
          if (!ready) {
            const reason = logout ?? error?.message ?? 'session ended';
            settle?.reject(
              logout !== null
                ? new KalshiFixError('logon_refused', `FIX logon to ${endpoint} as ${this.keyId} (TargetCompID ${this.targetCompId}) refused: ${reason}`)
                : new KalshiFixError('connect_failed', `FIX logon to ${endpoint} as ${this.keyId}: connection ended before the logon was answered (${reason})`),
            );
            return;
          }
          this.onDisconnected(this.state === 'closing' ? undefined : (error ?? new Error(logout !== null ? `Logout from ${endpoint}: ${logout}` : `session with ${endpoint} ended`)));
        },
        sessionReject: (view) => this.onSessionReject(getter(view)),
        application: (msgType, view) => this.onApplication(msgType, getter(view)),
      });
      this.session = session;
      const transport = new jf.MsgTransport(++this.transportSeq, config, new jf.TcpDuplex(socket));
      // jspurefix sees a socket error as a receive error; a close without FIN is caught here
      socket.on('close', () => session.requestStop('TCP connection closed'));
      session.run(transport).catch((e: Error) => this.log('warn', `FIX ${endpoint}: session ended: ${e.message}`));

      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new KalshiFixError('logon_timeout', `FIX logon to ${endpoint} as ${this.keyId}: no answer within ${LOGON_TIMEOUT_MS} ms`)), LOGON_TIMEOUT_MS);
      });
      try {
        await Promise.race([loggedOn, timeout]);
      } finally {
        clearTimeout(timer);
      }
      this.assertNotClosing();
      this.state = 'connected';
      this.log('info', `FIX ${endpoint}: logged on as ${this.keyId} (TargetCompID ${this.targetCompId}, HeartBtInt ${this.heartbeatSec})`);
      this.announced = true;
      this.safeEmit('connected');
    } catch (e) {
      this.session?.requestStop('connect failed');
      this.session = null;
      this.socket = null;
      socket?.destroy();
      if (this.state === 'connecting') this.state = 'idle';
      const err = e instanceof KalshiFixError ? e : new KalshiFixError('connect_failed', `FIX ${this.endpoint()}: ${(e as Error).message}`);
      this.log('warn', err.message);
      throw err;
    }
  }

  private assertNotClosing(): void {
    if (this.state === 'closing') throw new KalshiFixError('closed', `FIX ${this.endpoint()}: closed while connecting`);
  }

  private openSocket(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ host: this.host, port: this.port });
      // close() during connect destroys the socket: no 'error', only 'close'
      socket.once('close', () => {
        clearTimeout(timer);
        reject(new KalshiFixError(this.state === 'closing' ? 'closed' : 'connect_failed', `FIX ${this.endpoint()}: TCP connection closed while connecting`));
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new KalshiFixError('connect_failed', `FIX ${this.endpoint()}: no TCP connection within ${CONNECT_TIMEOUT_MS} ms`));
      }, CONNECT_TIMEOUT_MS);
      const onError = (e: Error) => {
        clearTimeout(timer);
        reject(new KalshiFixError('connect_failed', `FIX ${this.endpoint()}: TCP connect failed: ${e.message}`));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        socket.on('error', (e) => this.log('warn', `FIX ${this.endpoint()}: socket error: ${e.message}`));
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 30_000);
        resolve(socket);
      });
      this.socket = socket; // close() during connect destroys it
    });
  }

  private onDisconnected(reason: Error | undefined): void {
    if (this.state === 'connected') this.state = 'idle';
    const why = reason ? `: ${reason.message}` : '';
    for (const p of [...this.pendingPlaces.values(), ...this.pendingCancels.values()]) {
      this.fail(p, new KalshiFixError('disconnected', `${p.kind === 'place' ? 'NewOrderSingle' : 'OrderCancelRequest'} ${p.clOrdId}: FIX session with ${this.endpoint()} ended before the answer${why}`));
    }
    if (!this.announced) return;
    this.announced = false;
    this.log(reason ? 'warn' : 'info', `FIX ${this.endpoint()}: disconnected${why}`);
    this.safeEmit('disconnected', reason);
  }

  private requireSession(what: string): ClientSessionApi {
    if (this.state !== 'connected' || !this.session) throw new KalshiFixError('not_connected', `${what}: not connected (call connect() first)`);
    return this.session;
  }

  // -------------------------------------------------------------------------------------------- requests

  private request(session: ClientSessionApi, msgType: string, body: ILooseObject, timeoutMs: number, p: Omit<Pending, 'timer' | 'resolve' | 'reject'>): Promise<FixExecution> {
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) timeoutMs = KALSHI_FIX_DEFAULT_TIMEOUT_MS;
    const what = msgType === 'D' ? 'NewOrderSingle' : 'OrderCancelRequest';
    return new Promise<FixExecution>((resolve, reject) => {
      const pending: Pending = {
        ...p,
        resolve,
        reject,
        timer: setTimeout(() => this.fail(pending, new KalshiFixError('timeout', `${what} ${p.clOrdId}: no answer from ${this.endpoint()} within ${timeoutMs} ms`)), timeoutMs),
      };
      (p.kind === 'place' ? this.pendingPlaces : this.pendingCancels).set(p.clOrdId, pending);
      try {
        session.sendApp(msgType, body, (error, result) => {
          if (error) return this.fail(pending, new KalshiFixError('send_failed', `${what} ${p.clOrdId}: not sent: ${error.message}`));
          const seq = Number(result?.header?.MsgSeqNum);
          if (Number.isSafeInteger(seq) && this.isPending(pending)) {
            pending.seq = seq;
            this.bySeq.set(seq, pending);
          }
        });
      } catch (e) {
        this.fail(pending, new KalshiFixError('send_failed', `${what} ${p.clOrdId}: not sent: ${(e as Error).message}`));
      }
    });
  }

  private isPending(p: Pending): boolean {
    return (p.kind === 'place' ? this.pendingPlaces : this.pendingCancels).get(p.clOrdId) === p;
  }

  private finish(p: Pending): boolean {
    if (!this.isPending(p)) return false;
    clearTimeout(p.timer);
    (p.kind === 'place' ? this.pendingPlaces : this.pendingCancels).delete(p.clOrdId);
    if (p.seq !== undefined && this.bySeq.get(p.seq) === p) this.bySeq.delete(p.seq);
    return true;
  }

  private fail(p: Pending, e: KalshiFixError): void {
    if (!this.finish(p)) return;
    if (e.code !== 'timeout' && e.code !== 'disconnected' && p.order) {
      // the request never reached the book: a new order is forgotten, a cancel's ClOrdID no longer names the order
      if (p.kind === 'place' && p.order.orderId === null) this.forget(p.order);
      if (p.kind === 'cancel') this.unalias(p.order, p.clOrdId);
    }
    this.log('warn', e.message);
    p.reject(e);
  }

  // -------------------------------------------------------------------------------------------- order tracking

  private track(o: TrackedOrder): void {
    o.registered = true;
    for (const a of o.aliases) this.byClOrdId.set(a, o);
    if (o.orderId !== null) this.byOrderId.set(o.orderId, o);
  }

  private alias(o: TrackedOrder, clOrdId: string): void {
    o.aliases.push(clOrdId);
    if (o.registered) this.byClOrdId.set(clOrdId, o);
  }

  private unalias(o: TrackedOrder, clOrdId: string): void {
    o.aliases = o.aliases.filter((a) => a !== clOrdId);
    if (o.registered && this.byClOrdId.get(clOrdId) === o) this.byClOrdId.delete(clOrdId);
  }

  private forget(o: TrackedOrder): void {
    if (!o.registered) return;
    o.registered = false;
    for (const a of o.aliases) if (this.byClOrdId.get(a) === o) this.byClOrdId.delete(a);
    if (o.orderId !== null && this.byOrderId.get(o.orderId) === o) this.byOrderId.delete(o.orderId);
  }

  // -------------------------------------------------------------------------------------------- inbound

  private onApplication(msgType: string, get: Getter): void {
    try {
      switch (msgType) {
        case '8':
          return this.onExecutionReport(get);
        case '9':
          return this.onCancelReject(get);
        case 'j':
          return this.onBusinessReject(get);
        default:
          this.log('warn', `FIX ${this.endpoint()}: ignored application message 35=${msgType}`);
      }
    } catch (e) {
      this.log('error', `FIX ${this.endpoint()}: cannot handle 35=${msgType}: ${(e as Error).message}`);
    }
  }

  private qty(get: Getter, tag: number, name: string): SizeCentis {
    const text = get(tag);
    if (text === undefined) return 0;
    const v = parseKalshiFixQty(text);
    if (Number.isNaN(v)) {
      this.log('warn', `FIX ${this.endpoint()}: unreadable ${name} (${tag}) ${JSON.stringify(text.slice(0, 40))}, taken as 0`);
      return 0;
    }
    return v;
  }

  private yesPrice(get: Getter, tag: number, name: string): PriceTicks | null {
    const text = get(tag);
    if (text === undefined) return null;
    const v = parseKalshiFixPrice(text);
    if (Number.isNaN(v)) {
      this.log('warn', `FIX ${this.endpoint()}: unreadable ${name} (${tag}) ${JSON.stringify(text.slice(0, 40))}, ignored`);
      return null;
    }
    return v;
  }

  private tsOf(get: Getter): number {
    const t = parseFixUtcTimestamp(get(T.TransactTime));
    return Number.isNaN(t) ? Date.now() : t;
  }

  private onExecutionReport(get: Getter): void {
    const clOrdId = get(T.ClOrdID);
    const rawOrderId = get(T.OrderID);
    const orderId = rawOrderId && rawOrderId !== 'NONE' ? rawOrderId : null;
    const execType = get(T.ExecType) ?? '';
    const ordStatus = get(T.OrdStatus) ?? '';
    const rejected = execType === '8' || ordStatus === '8';

    let place = clOrdId !== undefined ? this.pendingPlaces.get(clOrdId) : undefined;
    // a report about the live order that already had this ClOrdID is not the answer to the duplicate
    if (place && !rejected && place.shadowedOrderId !== undefined && place.shadowedOrderId !== null && orderId === place.shadowedOrderId) place = undefined;
    const cancel = clOrdId !== undefined ? this.pendingCancels.get(clOrdId) : undefined;
    const tracked = (clOrdId !== undefined ? this.byClOrdId.get(clOrdId) : undefined) ?? (orderId !== null ? this.byOrderId.get(orderId) : undefined);
    const order = place?.order ?? cancel?.order ?? tracked;

    const cum = this.qty(get, T.CumQty, 'CumQty');
    const leaves = this.qty(get, T.LeavesQty, 'LeavesQty');
    const lastYes = this.yesPrice(get, T.LastPx, 'LastPx');
    const side = order?.side ?? 'yes';
    const status = kalshiFixStatusOf(execType, ordStatus, leaves, cum);
    let clientOrderId: string;
    if (order) clientOrderId = order.clientOrderId;
    else if (cancel) clientOrderId = cancel.origClientOrderId || get(T.OrigClOrdID) || clOrdId || '';
    else clientOrderId = clOrdId ?? '';
    const exec: FixExecution = {
      clientOrderId,
      orderId,
      execType,
      ordStatus,
      status,
      lastPriceTicks: lastYes === null ? null : kalshiFixYesPrice(side, lastYes),
      lastQtyCentis: this.qty(get, T.LastQty, 'LastQty'),
      cumQtyCentis: cum,
      leavesQtyCentis: leaves,
      execId: get(T.ExecID) ?? null,
      tradeId: get(T.TrdMatchID) ?? null,
      text: get(T.Text) ?? null,
      tsMs: this.tsOf(get),
    };

    // a rejection never touches an acknowledged order of another OrderID (e.g. the live order of a reused ClOrdID)
    if (order && !(rejected && order.orderId !== null && order.orderId !== orderId)) {
      if (orderId !== null && order.orderId === null) {
        order.orderId = orderId;
        if (order.registered) this.byOrderId.set(orderId, order);
      }
      order.cumCentis = cum;
      order.leavesCentis = leaves;
      if (status === 'executed' || status === 'canceled' || status === 'rejected') this.forget(order);
    }
    this.safeEmit('execution', exec);
    if (place && this.finish(place)) place.resolve(exec);
    if (cancel && this.finish(cancel)) cancel.resolve(exec);
  }

  private onCancelReject(get: Getter): void {
    const clOrdId = get(T.ClOrdID);
    const cancel = clOrdId !== undefined ? this.pendingCancels.get(clOrdId) : undefined;
    const rawOrderId = get(T.OrderID);
    const orderId = rawOrderId && rawOrderId !== 'NONE' ? rawOrderId : null;
    const orig = get(T.OrigClOrdID);
    const order = cancel?.order ?? (orderId !== null ? this.byOrderId.get(orderId) : undefined) ?? (orig !== undefined ? this.byClOrdId.get(orig) : undefined);
    if (order && clOrdId !== undefined) this.unalias(order, clOrdId);
    const text = get(T.Text) ?? null;
    const exec: FixExecution = {
      clientOrderId: order?.clientOrderId ?? (cancel?.origClientOrderId || orig) ?? '',
      orderId: orderId ?? order?.orderId ?? cancel?.origOrderId ?? null,
      execType: '',
      ordStatus: get(T.OrdStatus) ?? '',
      status: 'rejected',
      lastPriceTicks: null,
      lastQtyCentis: 0,
      cumQtyCentis: order?.cumCentis ?? 0,
      leavesQtyCentis: order?.leavesCentis ?? 0,
      execId: null,
      tradeId: null,
      text,
      tsMs: this.tsOf(get),
    };
    this.log('warn', `FIX ${this.endpoint()}: OrderCancelReject for ${exec.clientOrderId || exec.orderId || '?'}: 102=${get(T.CxlRejReason) ?? '?'} ${text ?? ''}`);
    this.safeEmit('cancelReject', exec);
    if (cancel && this.finish(cancel)) cancel.resolve(exec);
  }

  private onBusinessReject(get: Getter): void {
    const refSeq = Number(get(T.RefSeqNum));
    const refId = get(T.BusinessRejectRefID);
    const p = (refId !== undefined ? (this.pendingPlaces.get(refId) ?? this.pendingCancels.get(refId)) : undefined) ?? this.bySeq.get(refSeq);
    const msg = `BusinessMessageReject (35=j) of 35=${get(T.RefMsgType) ?? '?'} seq ${get(T.RefSeqNum) ?? '?'}: reason 380=${get(T.BusinessRejectReason) ?? '?'}: ${get(T.Text) ?? '(no text)'}`;
    if (!p) return this.log('warn', `FIX ${this.endpoint()}: ${msg}`);
    this.fail(p, new KalshiFixError('business_reject', `${p.kind === 'place' ? 'NewOrderSingle' : 'OrderCancelRequest'} ${p.clOrdId} refused by ${this.endpoint()}: ${msg}`));
  }

  private onSessionReject(get: Getter): void {
    const refSeq = Number(get(T.RefSeqNum));
    const p = this.bySeq.get(refSeq);
    const msg = `Reject (35=3) of 35=${get(T.RefMsgType) ?? '?'} seq ${get(T.RefSeqNum) ?? '?'}: reason 373=${get(T.SessionRejectReason) ?? '?'}${get(T.RefTagID) ? `, tag ${get(T.RefTagID)}` : ''}: ${get(T.Text) ?? '(no text)'}`;
    if (!p) return this.log('warn', `FIX ${this.endpoint()}: ${msg}`);
    this.fail(p, new KalshiFixError('session_reject', `${p.kind === 'place' ? 'NewOrderSingle' : 'OrderCancelRequest'} ${p.clOrdId} refused by ${this.endpoint()}: ${msg}`));
  }

  private safeEmit(event: string, ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
    } catch (e) {
      this.log('error', `FIX ${this.endpoint()}: a '${event}' listener threw: ${(e as Error).message}`);
    }
  }
}
