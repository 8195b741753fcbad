/**
 * FIX order-entry acceptor of the mock exchange: Kalshi's `KalshiNR` session (order entry, no retransmission) over
 * plain TCP, built on jspurefix 5.11 (its AsciiSession session layer, parser, encoder and FIX50SP2 dictionary).
 * Sources: docs.kalshi.com fix/session-management, fix/order-entry, fix/common-components.
 *
 * Transport: plain TCP, no TLS (Kalshi requires TLS; the mock listens on loopback). FIXT.1.1 / FIX50SP2
 * (BeginString `FIXT.1.1`, DefaultApplVerID 1137=9). SenderCompID (49) of the client = its API key id;
 * TargetCompID (56) = `KalshiNR`. One session per key id: a new accepted logon for a key replaces its old session.
 *
 * Session level (jspurefix): Logon (A), Logout (5), Heartbeat (0), TestRequest (1) -> Heartbeat, ResendRequest (2)
 * -> SequenceReset-GapFill (4, 123=Y, 43=Y) over the whole range (no retransmission), SequenceReset from the client,
 * Reject (3) for a bad checksum, an unknown message type, a tag not in the dictionary or a missing required tag
 * (TransactTime 60 and, on F/G, Side 54 / OrdType 40 are optional, as in Kalshi's examples).
 * Logon checks, refused with a Logout (5) whose Text (58) names the problem: TargetCompID = KalshiNR, BeginString
 * FIXT.1.1, 1137=9, 141=Y (Kalshi requires it for KalshiNR), 3 <= HeartBtInt (108) <= 3600 (used for both sides),
 * known key, SendingTime (52) within ±5 s of the acceptor's clock, and RawData (96, with 95) = base64 RSA-PSS-SHA256
 * (MGF1-SHA256, salt 32) of `SendingTime SOH MsgType SOH MsgSeqNum SOH SenderCompID SOH TargetCompID` (wire values);
 * a signature is accepted once (replay protection shared with REST); a connection without an accepted Logon within
 * `logonTimeoutMs` (10 s) is closed. Optional Logon tags accepted: 8013
 * CancelOrdersOnDisconnect (Y: the account's orders are canceled when the session ends), 21005 UseDollars and
 * 21003 SkipPendingExecReports (ignored: prices are always dollars, pending reports are never sent).
 *
 * Application messages (prices are YES prices in fixed-point dollars, up to 4 decimals; quantities in contracts, up
 * to 2 decimals):
 * - NewOrderSingle D: 11 ClOrdID (1-64 of [-\w:+=/], unique among the account's open orders), 38 OrderQty, 40=2,
 *   44 Price, 54 Side (1 buy YES; 2 sell YES = Kalshi's "buy NO at 1 - p"), 55 Symbol, 59 TimeInForce (0 Day = GTC,
 *   1 GTC, 3 IOC, 4 FOK, 6 GTD with 126 ExpireTime), 18 ExecInst=6 post only, 2964 SelfTradePreventionType (1 taker
 *   at cross, 2 maker). Refused -> ExecutionReport 150=8/39=8 with 103 OrdRejReason and 58 Text.
 * - OrderCancelRequest F: 11, 41 OrigClOrdID and/or 37 OrderID (37 wins). OrderCancelReplaceRequest G: same
 *   reference plus 44 new Price and/or 38 new TOTAL quantity (the venue is asked for remaining = total - filled).
 *   Unknown order or refusal -> OrderCancelReject 9 (434 = 1 for F, 2 for G; 102 = 1 unknown order, 6 duplicate
 *   ClOrdID, 99 other; 58 Text).
 * - OrderMassCancelRequest q: 530 = 1 (orders in 55 Symbol) or 7 (all orders) -> OrderMassCancelReport r (531 = the
 *   request type, 0 when refused with 532; 533 TotalAffectedOrders), sent after the cancels' ExecutionReports.
 * - ExecutionReport 8 for every order event of the session's account, whatever the source (REST orders too, like a
 *   drop copy): 150/39 = 0/0 New, F/1|2 Trade (31 LastPx, 32 LastQty, 880 TrdMatchID), 5/5 Replaced (after G or a
 *   REST amend/decrease), 4/4 Canceled (user cancel, IOC/FOK remainder, self-trade prevention: reason in 58),
 *   C/C Expired, 8/8 Rejected; always 37, 17 ExecID (unique), 55, 54, 38 (= 14 + 151; for an ended order its filled
 *   plus what was open when it ended), 44, 14 CumQty, 151 LeavesQty, 6 AvgPx (size-weighted YES fill price), 60.
 *   11 is the ClOrdID of the last request that changed the order (41 = the one before), as Kalshi documents.
 * - Any other application message -> BusinessMessageReject j (380=3 unsupported message type).
 *
 * Not supported: TLS; KalshiRT/KalshiDC/KalshiMD/KalshiRFQ sessions (retransmission, drop-copy-only and market-data
 * sessions); retransmission of application messages (ResendRequest is always gap-filled); cents prices (UseDollars=N);
 * order groups (526), sub-accounts (453/448/452, 79), 21006/21009, pending-state reports (150=A/6/E), settlement
 * reports, ListenerSession, OrderStatusRequest (H), MassStatus. Messages of a session are processed strictly in order;
 * a key's previous session is stopped only once a new logon for that key has passed every check.
 */
import 'reflect-metadata';
import * as net from 'node:net';
import {
  AsciiSession,
  AsciiSessionMsgFactory,
  JsFixConfig,
  MemorySessionStore,
  MsgTransport,
  SessionContainer,
  TcpDuplex,
  asMutable,
  type FixDefinitions,
  type IFixMsgStoreRecord,
  type IFixSessionStore,
  type IJsFixConfig,
  type JsFixLoggerFactory,
  type ISessionDescription,
  type MsgView,
  type SessionId,
} from 'jspurefix';
import { makeSessionScope } from 'jspurefix/dist/runtime/session-scope';
import { kalshiFixLogFactory, loadKalshiFixDictionary } from '@kalshi-platform/kalshi';
import type { EngineEvent, EventOf, OrderView, SelfTradePrevention, Side, Action, TimeInForce } from '@kalshi-platform/matching';
import type { Venue } from '../venue/venue';
import {
  APPL_VER_FIX50SP2,
  FIXT_11,
  KALSHI_NR,
  LOGON_MAX_SKEW_MS,
  TAG,
  buildCancelReject,
  buildExecutionReport,
  buildMassCancelReport,
  cxlRejReasonOf,
  fixSideOf,
  isValidClOrdId,
  ordRejReasonOf,
  ownPriceOf,
  parseCancelRequest,
  parseFixPrice,
  parseFixQty,
  parseMassCancelRequest,
  parseNewOrderSingle,
  parseReplaceRequest,
  parseUtcTimestamp,
  verifyLogonSignature,
  yesPriceOf,
  type ExecTypeCode,
  type FieldGetter,
  type FixNewOrder,
  type FixOrderRef,
  type FixReplace,
  type FixMassCancel,
  type FixSide,
  type OrdStatusCode,
  type Parsed,
} from './fix-mapping';

/** What the acceptor needs of the venue (the real {@link Venue} satisfies it). */
export type FixVenue = Pick<Venue, 'engine' | 'accountForKey' | 'publicKeyFor' | 'placeOrder' | 'cancelOrder' | 'cancelAllOrders' | 'amendOrder' | 'onEvents'> & {
  /** optional replay protection of logon signatures (the venue's key registry) */
  keys?: { markSeen(signature: string, nowMs?: number): boolean };
};

/** Options of {@link startFixAcceptor}. */
export interface FixAcceptorOptions {
  /** interface to listen on, e.g. `127.0.0.1` */
  host: string;
  /** TCP port; 0 = any free port (read it back from the handle) */
  port: number;
  venue: FixVenue;
  /** warnings and errors (jspurefix's and the acceptor's); nothing is written to the console */
  log?: (m: string) => void;
  /** clock for the logon SendingTime check, ms (default Date.now) */
  clock?: () => number;
  /** a connection without an accepted Logon after this long is closed, ms (default 10,000) */
  logonTimeoutMs?: number;
}

/** Counters of a running acceptor (live object, read only for callers). */
export interface FixAcceptorStats {
  connections: number;
  activeSessions: number;
  logons: number;
  logonsRejected: number;
  /** application messages received from logged-on sessions */
  appMessagesIn: number;
  executionReports: number;
  cancelRejects: number;
  massCancelReports: number;
  businessRejects: number;
}

/** Handle of a running acceptor. */
export interface FixAcceptorHandle {
  /** the port actually listened on */
  port: number;
  stats: FixAcceptorStats;
  /** Stops listening, ends every session (no Logout exchange) and unsubscribes from the venue. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the FIX acceptor (see the module docstring for the supported messages and tags) on plain TCP.
 * The first call in a process loads jspurefix's FIX50SP2 dictionary (about 1.5 s); later calls reuse it.
 * @throws when the dictionary cannot be loaded or the port cannot be listened on (the promise rejects).
 */
export async function startFixAcceptor(opts: FixAcceptorOptions): Promise<FixAcceptorHandle> {
  const log = opts.log ?? (() => undefined);
  const logonTimeoutMs = opts.logonTimeoutMs ?? 10_000;
  // jspurefix's warnings and errors go to `log` as `fix <logger>: <message>`
  const [definitions, logFactory] = await Promise.all([kalshiFixDefinitions(), kalshiFixLogFactory((_level, m) => log(m), 'fix')]);
  const hub = new FixHub(opts.venue, log, opts.clock ?? Date.now);
  const config = makeAcceptorConfig(definitions, logFactory, opts.host, opts.port);

  const sockets = new Set<net.Socket>();
  let nextId = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', (e) => log(`fix: socket error: ${e.message}`));
    socket.on('close', () => sockets.delete(socket));
    hub.stats.connections++;
    try {
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      // Mirrors jspurefix TcpAcceptor.onSocket: every connection gets its own DI scope (buffers, description,
      // message factory), its transport and its session.
      const scoped = makeSessionScope(config);
      const transport = new MsgTransport(++nextId, scoped, new TcpDuplex(socket));
      const session = new KalshiNrSession(scoped, hub);
      session.on('error', () => undefined); // reported through onStopped; never an unhandled 'error' event
      session.run(transport).catch((e: Error) => log(`fix: session on transport ${transport.id} ended: ${e.message}`));
      // jspurefix waits for a Logon forever; a venue should not
      const timer = setTimeout(() => {
        if (session.ready) return;
        log(`fix: transport ${transport.id}: no accepted Logon within ${logonTimeoutMs} ms, closing`);
        session.requestStop('no logon');
        socket.destroy();
      }, logonTimeoutMs);
      timer.unref();
      socket.on('close', () => clearTimeout(timer));
    } catch (e) {
      log(`fix: cannot start a session: ${(e as Error).message}`);
      socket.destroy();
    }
  });
  server.on('error', (e) => log(`fix: listener error: ${e.message}`));
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  hub.start();

  let closed: Promise<void> | null = null;
  return {
    port,
    stats: hub.stats,
    close(): Promise<void> {
      if (closed) return closed;
      closed = new Promise<void>((resolve) => {
        hub.stop();
        server.close(() => resolve());
        for (const s of hub.allSessions()) s.requestStop('acceptor closing');
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}

// ------------------------------------------------------------------------------------------------ jspurefix setup

/**
 * jspurefix's FIX50SP2 dictionary with Kalshi's additions (Logon tags 8013/21005/21003; TransactTime, Side and
 * OrdType optional where Kalshi's examples omit them), loaded once per process (about 1.5 s) and shared: the
 * acceptor and the FIX client of libs/kalshi use the same one ({@link loadKalshiFixDictionary}), and so can any
 * other jspurefix client of the mock.
 */
export const kalshiFixDefinitions: () => Promise<FixDefinitions> = loadKalshiFixDictionary;

/**
 * Session store that keeps sequence numbers only: KalshiNR never retransmits, so message bodies are not stored
 * (a long-running mock would otherwise keep every ExecutionReport it sent).
 */
class SeqOnlySessionStore extends MemorySessionStore {
  override async put(_record: IFixMsgStoreRecord): Promise<void> {
    /* not kept */
  }
}

/** The listener's configuration: wildcard TargetCompID (bound to each client's key id at its Logon). */
function makeAcceptorConfig(definitions: FixDefinitions, logFactory: JsFixLoggerFactory, host: string, port: number): IJsFixConfig {
  // SenderSubID/TargetSubID/Username/Password are absent on purpose (jspurefix would otherwise send empty tags).
  const description = {
    application: { name: 'kalshi-mock-fix', type: 'acceptor', protocol: 'ascii', dictionary: 'data/FIX50SP2.xml', tcp: { host, port }, reconnectSeconds: 0, resilient: false },
    Name: KALSHI_NR,
    SenderCompId: KALSHI_NR,
    TargetCompID: AsciiSession.WildcardCompId,
    BeginString: FIXT_11,
    HeartBtInt: 30,
    ResetSeqNumFlag: false,
    LastReceivedSeqNum: 0,
    Logon: { DefaultApplVerID: APPL_VER_FIX50SP2, Username: null, Password: null },
    store: { type: 'memory', resendGapFillOnly: true },
  } as unknown as ISessionDescription;
  const msgFactory = new AsciiSessionMsgFactory(description);
  const sc = new SessionContainer(() => msgFactory);
  const child = sc.newChild(description);
  const config = new JsFixConfig(msgFactory, definitions, description, 1 /* SOH */, logFactory);
  sc.registerSession(config, child);
  config.sessionStoreFactory = { create: (id: SessionId): IFixSessionStore => new SeqOnlySessionStore(id) };
  // no jspurefix SessionRegistry: it would stop a key's live session as soon as any logon names the key, before the
  // signature is checked; FixHub.addSession replaces a key's session after a verified logon instead
  return config;
}

// ------------------------------------------------------------------------------------------------ session

/** Wire text of a tag, valid only while the view's event runs. */
const getter = (view: MsgView): FieldGetter => (tag) => view.getString(tag) ?? undefined;

/** One client connection: jspurefix handles the session layer, this class the Kalshi logon and the application messages. */
class KalshiNrSession extends AsciiSession {
  keyId: string | undefined;
  accountId: string | undefined;
  ready = false;
  cancelOnDisconnect = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(config: IJsFixConfig, private readonly hub: FixHub) {
    super(config);
    this.logReceivedMsgs = false;
  }

  /** Sends an application message if the session is up; false when it is not. */
  sendApp(msgType: string, body: Record<string, unknown>): boolean {
    if (!this.ready) return false;
    this.send(msgType, body);
    return true;
  }

  protected override onLogon(view: MsgView): boolean | Promise<boolean> {
    const get = getter(view);
    let verdict: Parsed<LogonOk>;
    try {
      verdict = this.hub.checkLogon(get);
    } catch (e) {
      verdict = { ok: false, reason: `logon check failed: ${(e as Error).message}` };
    }
    if (!verdict.ok) {
      this.hub.stats.logonsRejected++;
      this.hub.log(`fix: logon refused for ${JSON.stringify(get(TAG.SenderCompID) ?? '')}: ${verdict.reason}`);
      // a rejected promise makes jspurefix answer with a Logout carrying the reason, then hang up
      return Promise.reject(new Error(verdict.reason));
    }
    this.keyId = verdict.value.keyId;
    this.accountId = verdict.value.accountId;
    this.cancelOnDisconnect = get(8013) === 'Y';
    // FIX: the initiator's HeartBtInt applies to both sides; echo it (and 141=Y) on our Logon
    const hb = verdict.value.heartBtInt;
    const description = asMutable(this.config.description);
    description.HeartBtInt = hb;
    description.ResetSeqNumFlag = true;
    (this.sessionState as { heartBeat: number }).heartBeat = hb;
    return true;
  }

  protected override onReady(): void {
    this.ready = true;
    this.hub.stats.logons++;
    this.hub.addSession(this);
  }

  protected override onStopped(error?: Error): void {
    const wasReady = this.ready;
    this.ready = false;
    if (wasReady) this.hub.removeSession(this);
    if (error && wasReady) this.hub.log(`fix: session ${this.keyId ?? '?'} ended: ${error.message}`);
    if (wasReady && this.cancelOnDisconnect && this.accountId) this.hub.cancelOnDisconnect(this.accountId);
  }

  protected override onApplicationMsg(msgType: string, view: MsgView): void {
    if (!this.ready) return;
    this.hub.stats.appMessagesIn++;
    const get = getter(view);
    let job: () => Promise<void>;
    try {
      job = this.decode(msgType, get);
    } catch (e) {
      this.hub.log(`fix: cannot decode ${msgType} from ${this.keyId ?? '?'}: ${(e as Error).message}`);
      return;
    }
    this.queue = this.queue.then(job).catch((e: Error) => this.hub.log(`fix: ${msgType} from ${this.keyId ?? '?'} failed: ${e.message}`));
  }

  /** Decodes a message now (the view is recycled when its event returns) into the job that acts on it, in order. */
  private decode(msgType: string, get: FieldGetter): () => Promise<void> {
    let job: () => Promise<void>;
    switch (msgType) {
      case 'D': {
        const p = parseNewOrderSingle(get);
        const echo = echoOf(get);
        const stp = get(2964);
        job = () => this.hub.newOrder(this, p, echo, stp);
        break;
      }
      case 'F': {
        const p = parseCancelRequest(get);
        const echo = { clOrdId: get(TAG.ClOrdID), origClOrdId: get(TAG.OrigClOrdID) };
        job = () => this.hub.cancelOrReplace(this, p, echo, '1');
        break;
      }
      case 'G': {
        const p = parseReplaceRequest(get);
        const echo = { clOrdId: get(TAG.ClOrdID), origClOrdId: get(TAG.OrigClOrdID) };
        job = () => this.hub.cancelOrReplace(this, p, echo, '2');
        break;
      }
      case 'q': {
        const p = parseMassCancelRequest(get);
        const echo = { clOrdId: get(TAG.ClOrdID), requestType: get(TAG.MassCancelRequestType) ?? '' };
        job = () => this.hub.massCancel(this, p, echo);
        break;
      }
      default: {
        const seq = Number(get(TAG.MsgSeqNum) ?? 0);
        job = async () => {
          this.hub.stats.businessRejects++;
          this.sendApp('j', { RefSeqNum: seq, RefMsgType: msgType, BusinessRejectReason: 3, Text: `unsupported message type ${msgType} on ${KALSHI_NR}` });
        };
      }
    }
    return job;
  }

  protected override onDecoded(): void {
    /* no FIX log file */
  }

  protected override onEncoded(): void {
    /* no FIX log file */
  }
}

/** Wire values of a NewOrderSingle, echoed on its reject report. */
interface OrderEcho {
  clOrdId?: string;
  symbol?: string;
  side?: string;
  qty?: string;
  price?: string;
}

function echoOf(get: FieldGetter): OrderEcho {
  return { clOrdId: get(TAG.ClOrdID), symbol: get(TAG.Symbol), side: get(TAG.Side), qty: get(TAG.OrderQty), price: get(TAG.Price) };
}

// ------------------------------------------------------------------------------------------------ hub

/** What the FIX layer knows of a live order (from the venue's events), YES terms. */
interface TrackedOrder {
  orderId: string;
  accountId: string;
  symbol: string;
  side: Side;
  action: Action;
  fixSide: FixSide;
  yesPriceTicks: number;
  timeInForce?: TimeInForce;
  /** ClOrdID of the last request that changed the order (11 on its reports) */
  clOrdId?: string;
  /** every ClOrdID that names this order (its own and those of replaces/cancels) */
  aliases: string[];
  cumCentis: number;
  leavesCentis: number;
  /** filled + open, centis */
  orderQtyCentis: number;
  /** sum of YES fill price x size, micros */
  yesCostMicros: number;
  /** the FIX request being applied (its ClOrdIDs go on the resulting report) */
  pending?: { kind: 'cancel' | 'replace'; clOrdId: string; origClOrdId?: string };
}

type LogonOk = { keyId: string; accountId: string; heartBtInt: number };

/** Acceptor-wide state: sessions by account, the order tracker, the venue event fan-out, request handling. */
class FixHub {
  readonly stats: FixAcceptorStats = {
    connections: 0,
    activeSessions: 0,
    logons: 0,
    logonsRejected: 0,
    appMessagesIn: 0,
    executionReports: 0,
    cancelRejects: 0,
    massCancelReports: 0,
    businessRejects: 0,
  };
  private readonly sessions = new Map<string, Set<KalshiNrSession>>();
  private readonly orders = new Map<string, TrackedOrder>();
  /** account -> ClOrdID -> order id (open orders only) */
  private readonly aliases = new Map<string, Map<string, string>>();
  private readonly execPrefix = Date.now().toString(36);
  private execSeq = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly venue: FixVenue,
    readonly log: (m: string) => void,
    private readonly clock: () => number,
  ) {}

  start(): void {
    for (const o of this.venue.engine.listOrders({})) this.track(this.fromView(o));
    this.unsubscribe = this.venue.onEvents((events) => {
      try {
        this.onEvents(events);
      } catch (e) {
        this.log(`fix: event fan-out failed: ${(e as Error).message}`);
      }
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  allSessions(): KalshiNrSession[] {
    return [...this.sessions.values()].flatMap((s) => [...s]);
  }

  addSession(s: KalshiNrSession): void {
    if (!s.accountId) return;
    for (const other of this.sessions.get(s.accountId) ?? []) {
      if (other !== s && other.keyId === s.keyId) {
        this.removeSession(other);
        other.requestStop(`replaced by a new logon for key ${s.keyId}`);
      }
    }
    let set = this.sessions.get(s.accountId);
    if (!set) this.sessions.set(s.accountId, (set = new Set()));
    set.add(s);
    this.stats.activeSessions++;
  }

  removeSession(s: KalshiNrSession): void {
    const set = s.accountId ? this.sessions.get(s.accountId) : undefined;
    if (set?.delete(s)) {
      this.stats.activeSessions--;
      if (set.size === 0) this.sessions.delete(s.accountId as string);
    }
  }

  cancelOnDisconnect(accountId: string): void {
    this.venue.cancelAllOrders(accountId).catch((e: Error) => this.log(`fix: cancel-on-disconnect for ${accountId} failed: ${e.message}`));
  }

  // -------------------------------------------------------------------------------------------- logon

  /** Kalshi's logon checks (see the module docstring); the reason names the first problem found. */
  checkLogon(get: FieldGetter): Parsed<LogonOk> {
    const bad = (reason: string): Parsed<LogonOk> => ({ ok: false, reason });
    const keyId = get(TAG.SenderCompID) ?? '';
    const target = get(TAG.TargetCompID) ?? '';
    if (target !== KALSHI_NR) return bad(`TargetCompID must be ${KALSHI_NR} (the only session of this mock), got ${JSON.stringify(target)}`);
    if (get(TAG.BeginString) !== FIXT_11) return bad(`BeginString must be ${FIXT_11}`);
    if (get(TAG.DefaultApplVerID) !== APPL_VER_FIX50SP2) return bad(`DefaultApplVerID (1137) must be ${APPL_VER_FIX50SP2} (FIX50SP2)`);
    if (get(TAG.ResetSeqNumFlag) !== 'Y') return bad(`ResetSeqNumFlag (141) must be Y for ${KALSHI_NR}`);
    const hbText = get(TAG.HeartBtInt) ?? '';
    const hb = /^\d{1,4}$/.test(hbText) ? Number(hbText) : NaN;
    if (!(hb >= 3 && hb <= 3600)) return bad(`HeartBtInt (108) must be 3..3600 seconds, got ${JSON.stringify(hbText)}`);
    const publicKey = this.venue.publicKeyFor(keyId);
    const accountId = this.venue.accountForKey(keyId);
    if (!publicKey || !accountId) return bad('unknown API key id (SenderCompID)');
    const sendingTime = get(TAG.SendingTime) ?? '';
    const ts = parseUtcTimestamp(sendingTime);
    if (Number.isNaN(ts)) return bad('SendingTime (52) is not a UTCTimestamp');
    const skew = this.clock() - ts;
    if (Math.abs(skew) > LOGON_MAX_SKEW_MS) return bad(`stale SendingTime: ${skew} ms from server time, outside ±${LOGON_MAX_SKEW_MS} ms`);
    const signature = get(TAG.RawData);
    if (!signature) return bad('RawData (96) with the logon signature is missing');
    const fields = { sendingTime, msgType: 'A', msgSeqNum: get(TAG.MsgSeqNum) ?? '', senderCompId: keyId, targetCompId: target };
    if (!verifyLogonSignature(publicKey, fields, signature)) return bad('signature mismatch (RawData 96)');
    if (this.venue.keys && !this.venue.keys.markSeen(signature, this.clock())) return bad('replayed logon signature');
    return { ok: true, value: { keyId, accountId, heartBtInt: hb } };
  }

  // -------------------------------------------------------------------------------------------- requests

  async newOrder(s: KalshiNrSession, p: Parsed<FixNewOrder>, echo: OrderEcho, stp: string | undefined): Promise<void> {
    const account = s.accountId as string;
    const refuse = (text: string, ordRejReason = 99, orderId = 'NONE') => {
      const fixSide: FixSide = echo.side === '2' ? '2' : '1';
      const price = parseFixPrice(echo.price);
      const qty = parseFixQty(echo.qty);
      this.send(s, buildExecutionReport({
        execId: this.nextExecId(),
        execType: '8',
        ordStatus: '8',
        orderId,
        clOrdId: echo.clOrdId,
        symbol: echo.symbol || 'NONE',
        fixSide,
        yesPriceTicks: Number.isNaN(price) ? undefined : price,
        orderQtyCentis: Number.isNaN(qty) ? 0 : qty,
        cumCentis: 0,
        leavesCentis: 0,
        yesCostMicros: 0,
        ordRejReason,
        text,
        transactTimeMs: this.clock(),
      }));
    };
    if (!p.ok) return refuse(p.reason, p.ordRejReason);
    const { clOrdId, input } = p.value;
    if (stp !== undefined) {
      const map: Record<string, SelfTradePrevention> = { '1': 'taker_at_cross', '2': 'maker' };
      if (!map[stp]) return refuse(`unsupported SelfTradePreventionType (2964) ${JSON.stringify(stp)}: use 1 or 2`, 11);
      input.selfTradePrevention = map[stp];
    }
    if (this.aliasesOf(account).has(clOrdId)) return refuse(`ClOrdID ${clOrdId} names an open order`, 6);
    let r;
    try {
      r = await this.venue.placeOrder(account, input, 'fix');
    } catch (e) {
      return refuse(`order not placed: ${(e as Error).message}`);
    }
    if (!r.ok) {
      const rej = r.events.find((e): e is EventOf<'order_rejected'> => e.type === 'order_rejected');
      return refuse(r.message, ordRejReasonOf(r.reason), rej?.orderId ?? 'NONE');
    }
  }

  /** OrderCancelRequest (responseTo 1) or OrderCancelReplaceRequest (2). */
  async cancelOrReplace(s: KalshiNrSession, p: Parsed<FixOrderRef | FixReplace>, echo: { clOrdId?: string; origClOrdId?: string }, responseTo: '1' | '2'): Promise<void> {
    const account = s.accountId as string;
    const refuse = (text: string, reason: number, t?: TrackedOrder) => {
      this.stats.cancelRejects++;
      s.sendApp('9', buildCancelReject({
        orderId: t?.orderId,
        clOrdId: isValidClOrdId(echo.clOrdId) ? echo.clOrdId : 'NONE',
        origClOrdId: echo.origClOrdId,
        ordStatus: t ? this.liveStatus(t) : '8',
        responseTo,
        cxlRejReason: reason,
        text,
        transactTimeMs: this.clock(),
      }));
    };
    if (!p.ok) return refuse(p.reason, 99);
    const ref = p.value;
    const aliases = this.aliasesOf(account);
    let t: TrackedOrder | undefined;
    if (ref.orderId !== undefined) {
      t = this.orders.get(ref.orderId);
      if (t && t.accountId !== account) t = undefined;
      if (t && ref.origClOrdId !== undefined && !t.aliases.includes(ref.origClOrdId)) return refuse(`OrigClOrdID ${ref.origClOrdId} does not name order ${ref.orderId}`, 99, t);
    } else if (ref.origClOrdId !== undefined) {
      const id = aliases.get(ref.origClOrdId);
      t = id === undefined ? undefined : this.orders.get(id);
    }
    if (!t) return refuse('unknown order: no open order with that OrderID/OrigClOrdID', 1);
    if (ref.symbol !== undefined && ref.symbol !== t.symbol) return refuse(`Symbol ${ref.symbol} is not the order's (${t.symbol})`, 99, t);
    if (ref.fixSide !== undefined && ref.fixSide !== t.fixSide) return refuse(`Side ${ref.fixSide} is not the order's (${t.fixSide})`, 99, t);
    if (aliases.has(ref.clOrdId)) return refuse(`ClOrdID ${ref.clOrdId} names an open order`, 6, t);
    const pending = { kind: responseTo === '1' ? ('cancel' as const) : ('replace' as const), clOrdId: ref.clOrdId, origClOrdId: t.clOrdId };
    let r;
    if (responseTo === '1') {
      t.pending = pending;
      try {
        r = await this.venue.cancelOrder(account, t.orderId);
      } catch (e) {
        r = { ok: false as const, reason: 'internal', message: (e as Error).message };
      }
    } else {
      const rep = ref as FixReplace;
      const change: { priceTicks?: number; remainingCentis?: number } = {};
      if (rep.yesPriceTicks !== undefined && rep.yesPriceTicks !== t.yesPriceTicks) change.priceTicks = ownPriceOf(t.side, rep.yesPriceTicks);
      if (rep.totalCentis !== undefined) {
        const remaining = rep.totalCentis - t.cumCentis;
        if (remaining <= 0) return refuse(`OrderQty ${rep.totalCentis / 100} does not exceed the filled quantity ${t.cumCentis / 100}`, 99, t);
        if (remaining !== t.leavesCentis) change.remainingCentis = remaining;
      }
      if (change.priceTicks === undefined && change.remainingCentis === undefined) {
        // nothing to change at the venue: acknowledge the new ClOrdID
        this.rename(t, pending.clOrdId);
        this.report(t, '5', '5', { origClOrdId: pending.origClOrdId });
        return;
      }
      t.pending = pending;
      try {
        r = await this.venue.amendOrder(account, t.orderId, change);
      } catch (e) {
        r = { ok: false as const, reason: 'internal', message: (e as Error).message };
      }
    }
    if (t.pending === pending) t.pending = undefined;
    if (!r.ok) return refuse(r.message, cxlRejReasonOf(r.reason), this.orders.get(t.orderId));
  }

  async massCancel(s: KalshiNrSession, p: Parsed<FixMassCancel>, echo: { clOrdId?: string; requestType: string }): Promise<void> {
    const account = s.accountId as string;
    const reportId = `MC${this.nextExecId()}`;
    const send = (f: Omit<Parameters<typeof buildMassCancelReport>[0], 'reportId' | 'transactTimeMs'>) => {
      this.stats.massCancelReports++;
      s.sendApp('r', buildMassCancelReport({ ...f, reportId, transactTimeMs: this.clock() }));
    };
    const clOrdId = isValidClOrdId(echo.clOrdId) ? echo.clOrdId : undefined;
    if (!p.ok) return send({ clOrdId, requestType: echo.requestType || '0', response: '0', affected: 0, rejectReason: p.ordRejReason ?? 99, text: p.reason });
    const { requestType, symbol } = p.value;
    let r;
    try {
      r = await this.venue.cancelAllOrders(account, symbol);
    } catch (e) {
      r = { ok: false as const, reason: 'internal', message: (e as Error).message };
    }
    if (!r.ok) return send({ clOrdId, requestType, symbol, response: '0', affected: 0, rejectReason: 99, text: r.message });
    const affected = r.events.filter((e) => e.type === 'order_canceled').length;
    send({ clOrdId, requestType, symbol, response: requestType, affected });
  }

  // -------------------------------------------------------------------------------------------- events

  /** Updates the tracker from a command's events and sends the ExecutionReports to the owning accounts' sessions. */
  onEvents(events: EngineEvent[]): void {
    for (const ev of events) {
      switch (ev.type) {
        case 'order_accepted': {
          const t = this.track({
            orderId: ev.orderId,
            accountId: ev.accountId,
            symbol: ev.marketTicker,
            side: ev.side,
            action: ev.action,
            fixSide: fixSideOf(ev.side, ev.action),
            yesPriceTicks: yesPriceOf(ev.side, ev.priceTicks),
            timeInForce: this.venue.engine.getOrder(ev.orderId)?.timeInForce,
            clOrdId: ev.clientOrderId,
            aliases: [],
            cumCentis: ev.filledCentis,
            leavesCentis: ev.initialCentis,
            orderQtyCentis: ev.initialCentis,
            yesCostMicros: 0,
          });
          this.report(t, '0', '0');
          break;
        }
        case 'fill': {
          const t = this.orders.get(ev.orderId) ?? this.track(this.seedFromFill(ev));
          t.cumCentis += ev.sizeCentis;
          t.leavesCentis = Math.max(0, t.leavesCentis - ev.sizeCentis);
          t.yesCostMicros += ev.yesPriceTicks * ev.sizeCentis;
          this.report(t, 'F', t.leavesCentis === 0 ? '2' : '1', { lastPxTicks: ev.yesPriceTicks, lastQtyCentis: ev.sizeCentis, tradeId: ev.tradeId });
          break;
        }
        case 'order_resting':
        case 'order_partially_filled':
        case 'order_filled': {
          const t = this.sync(ev);
          if (ev.type === 'order_filled') this.forget(t);
          break;
        }
        case 'order_canceled':
        case 'order_expired': {
          if (ev.type === 'order_canceled' && ev.reason === 'amended') break;
          const t = this.orders.get(ev.orderId) ?? this.track(this.seedFromEvent(ev));
          t.orderQtyCentis = ev.filledCentis + ev.canceledCentis;
          t.cumCentis = ev.filledCentis;
          t.leavesCentis = 0;
          const pend = t.pending?.kind === 'cancel' && ev.type === 'order_canceled' && ev.reason === 'user_canceled' ? t.pending : undefined;
          if (pend) this.rename(t, pend.clOrdId);
          const text = ev.type === 'order_canceled' ? `canceled: ${ev.reason}` : 'expired';
          if (ev.type === 'order_canceled') this.report(t, '4', '4', { origClOrdId: pend?.origClOrdId, text });
          else this.report(t, 'C', 'C', { text });
          this.forget(t);
          break;
        }
        case 'order_amended':
        case 'order_decreased': {
          const t = this.orders.get(ev.orderId) ?? this.track(this.seedFromEvent(ev));
          t.yesPriceTicks = yesPriceOf(ev.side, ev.priceTicks);
          t.cumCentis = ev.filledCentis;
          t.leavesCentis = ev.remainingCentis;
          t.orderQtyCentis = ev.filledCentis + ev.remainingCentis;
          const pend = t.pending?.kind === 'replace' ? t.pending : undefined;
          if (pend) {
            this.rename(t, pend.clOrdId);
            t.pending = undefined;
          }
          this.report(t, '5', '5', { origClOrdId: pend?.origClOrdId });
          break;
        }
        default:
          break; // order_rejected: answered by the request handler; the rest is not order state
      }
    }
  }

  // -------------------------------------------------------------------------------------------- tracker

  private aliasesOf(accountId: string): Map<string, string> {
    let m = this.aliases.get(accountId);
    if (!m) this.aliases.set(accountId, (m = new Map()));
    return m;
  }

  private track(t: TrackedOrder): TrackedOrder {
    this.orders.set(t.orderId, t);
    if (t.clOrdId !== undefined) {
      t.aliases.push(t.clOrdId);
      this.aliasesOf(t.accountId).set(t.clOrdId, t.orderId);
    }
    return t;
  }

  /** Makes `clOrdId` the order's current ClOrdID (and a name it can be referred to by). */
  private rename(t: TrackedOrder, clOrdId: string): void {
    t.clOrdId = clOrdId;
    t.aliases.push(clOrdId);
    this.aliasesOf(t.accountId).set(clOrdId, t.orderId);
  }

  private forget(t: TrackedOrder): void {
    this.orders.delete(t.orderId);
    const m = this.aliases.get(t.accountId);
    if (m) {
      for (const a of t.aliases) if (m.get(a) === t.orderId) m.delete(a);
      if (m.size === 0) this.aliases.delete(t.accountId);
    }
  }

  private sync(ev: EventOf<'order_resting' | 'order_partially_filled' | 'order_filled'>): TrackedOrder {
    const t = this.orders.get(ev.orderId) ?? this.track(this.seedFromEvent(ev));
    t.cumCentis = ev.filledCentis;
    t.leavesCentis = ev.remainingCentis;
    t.orderQtyCentis = ev.filledCentis + ev.remainingCentis;
    return t;
  }

  private fromView(o: OrderView): TrackedOrder {
    const cost = o.takerFillCostMicros + o.makerFillCostMicros;
    return {
      orderId: o.orderId,
      accountId: o.accountId,
      symbol: o.marketTicker,
      side: o.side,
      action: o.action,
      fixSide: fixSideOf(o.side, o.action),
      yesPriceTicks: o.yesPriceTicks,
      timeInForce: o.timeInForce,
      clOrdId: o.clientOrderId,
      aliases: [],
      cumCentis: o.filledCentis,
      leavesCentis: o.remainingCentis,
      orderQtyCentis: o.filledCentis + o.remainingCentis,
      // own-side cost to YES terms: a NO fill at n is a YES trade at 1 - n
      yesCostMicros: o.side === 'yes' ? cost : o.filledCentis * 10_000 - cost,
    };
  }

  /** An order first seen in a lifecycle event (it existed before the acceptor started and was not resting then). */
  private seedFromEvent(ev: EventOf<'order_resting' | 'order_partially_filled' | 'order_filled' | 'order_canceled' | 'order_expired' | 'order_amended' | 'order_decreased'>): TrackedOrder {
    return {
      orderId: ev.orderId,
      accountId: ev.accountId,
      symbol: ev.marketTicker,
      side: ev.side,
      action: ev.action,
      fixSide: fixSideOf(ev.side, ev.action),
      yesPriceTicks: yesPriceOf(ev.side, ev.priceTicks),
      clOrdId: ev.clientOrderId,
      aliases: [],
      cumCentis: ev.filledCentis,
      leavesCentis: ev.remainingCentis,
      orderQtyCentis: ev.filledCentis + ev.remainingCentis,
      yesCostMicros: 0,
    };
  }

  private seedFromFill(ev: EventOf<'fill'>): TrackedOrder {
    const view = this.venue.engine.getOrder(ev.orderId);
    if (view) {
      // the view is after the whole command: step back over this fill
      const t = this.fromView(view);
      t.cumCentis -= ev.sizeCentis;
      t.leavesCentis += ev.sizeCentis;
      t.yesCostMicros -= ev.yesPriceTicks * ev.sizeCentis;
      return t;
    }
    return {
      orderId: ev.orderId,
      accountId: ev.accountId,
      symbol: ev.marketTicker,
      side: ev.side,
      action: ev.action,
      fixSide: fixSideOf(ev.side, ev.action),
      yesPriceTicks: ev.yesPriceTicks,
      aliases: [],
      cumCentis: 0,
      leavesCentis: ev.sizeCentis,
      orderQtyCentis: ev.sizeCentis,
      yesCostMicros: 0,
    };
  }

  private liveStatus(t: TrackedOrder): OrdStatusCode {
    return t.cumCentis > 0 ? '1' : '0';
  }

  // -------------------------------------------------------------------------------------------- output

  private nextExecId(): string {
    return `${this.execPrefix}-${++this.execSeq}`;
  }

  /** Sends an ExecutionReport about `t` to every session of its account. */
  private report(
    t: TrackedOrder,
    execType: ExecTypeCode,
    ordStatus: OrdStatusCode,
    extra: { origClOrdId?: string; lastPxTicks?: number; lastQtyCentis?: number; tradeId?: string; text?: string } = {},
  ): void {
    const sessions = this.sessions.get(t.accountId);
    if (!sessions || sessions.size === 0) return;
    const er = buildExecutionReport({
      execId: this.nextExecId(),
      execType,
      ordStatus,
      orderId: t.orderId,
      clOrdId: t.clOrdId,
      origClOrdId: extra.origClOrdId,
      symbol: t.symbol,
      fixSide: t.fixSide,
      yesPriceTicks: t.yesPriceTicks,
      orderQtyCentis: t.orderQtyCentis,
      cumCentis: t.cumCentis,
      leavesCentis: t.leavesCentis,
      yesCostMicros: t.yesCostMicros,
      lastPxTicks: extra.lastPxTicks,
      lastQtyCentis: extra.lastQtyCentis,
      tradeId: extra.tradeId,
      timeInForce: t.timeInForce,
      text: extra.text,
      transactTimeMs: this.clock(),
    });
    for (const s of sessions) this.send(s, er);
  }

  private send(s: KalshiNrSession, er: Record<string, unknown>): void {
    if (s.sendApp('8', er)) this.stats.executionReports++;
  }
}
