/**
 * The mock exchange's WebSocket v2 endpoint (`/trade-api/ws/v2`): verifies the signed upgrade, speaks
 * Kalshi's command protocol (subscribe, unsubscribe, update_subscription with add_markets /
 * delete_markets / get_snapshot, list_subscriptions), numbers frames per sid with `seq` (shared by
 * snapshots, deltas and `ok` replies, as the real demo capture shows), and pings every 10 s.
 *
 * Two sources of data frames:
 * - replay mode: the {@link ReplayEngine} pushes recorded snapshots, deltas and fills ({@link ReplaySink}).
 * - live mode: the venue's published events, turned into channel messages by {@link LiveFeed}
 *   (`orderbook_delta`, `ticker`, `trade`, `market_lifecycle_v2`, and the private `fill`, `user_orders`,
 *   `market_positions` of the connection's account). Private channels need a signed connection (error 9 otherwise).
 *
 * Which frames carry `seq` (per sid): orderbook snapshots/deltas and `ok` replies (demo capture), `trade` (the ssmd
 * production capture has it); `ticker` (KALSHI_API.md, ssmd capture), `fill` (demo capture), `user_order`,
 * `market_position` and `market_lifecycle_v2` (docs examples) carry none.
 *
 * Faults on the wire ({@link FaultController}, may change at run time): `drop=N` (live: every Nth delta of a sid is not
 * sent, its seq is consumed; replay: the seeded recorded deltas chosen at start), `disconnect=N` (live: each connection
 * is closed with 1012 once it was sent N frames; replay: the first such connection only, as before), `stale=N` (after
 * every Nth delta of a sid an earlier delta of that sid is sent again with its old seq), `latency=MS` (data frames leave
 * MS later; per-connection order is kept, control replies queue behind delayed frames), `legacy` (frames in the
 * pre-2026-03-12 integer-cent dialect; frames it cannot express are counted in `encodeErrors`, not sent).
 *
 * Protocol source: docs.kalshi.com asyncapi.yaml (commands, error codes) and KALSHI_API.md.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import {
  decodeWsFrame,
  Dialect,
  encodeError,
  encodeFill,
  encodeMarketLifecycle,
  encodeMarketPosition,
  encodeOk,
  encodeOrderbookDelta,
  encodeOrderbookSnapshot,
  encodeSubscribed,
  encodeTicker,
  encodeTrade,
  encodeUserOrder,
  EncodeError,
  FillFrame,
  OrderbookDeltaFrame,
} from '@kalshi-platform/kalshi';
import type { KeyRegistry } from '../auth/key-registry';
import type { OrderBook } from '@kalshi-platform/market';
import type { EngineEvent } from '@kalshi-platform/matching';
import type { FaultController, FaultSpec } from '../faults/fault-spec';
import { mulberry32 } from '../replay/faults';
import type { ReplayEngine, ReplaySink } from '../replay/replay-engine';
import type { Venue, VenueCommand } from '../venue/venue';
import { LiveFeed, type LiveMessage } from './live-channels';

/** Path of the WebSocket endpoint (the upgrade is signed over it). */
export const WS_PATH = '/trade-api/ws/v2';

/** Channels this mock accepts; in replay mode only `orderbook_delta` and `fill` carry data. */
export const SUPPORTED_CHANNELS = new Set(['orderbook_delta', 'fill', 'ticker', 'trade', 'market_lifecycle_v2', 'user_orders', 'market_positions']);

/** Channels that need an authenticated connection with an account (docs.kalshi.com quick_start_websockets, asyncapi.yaml). */
export const PRIVATE_CHANNELS = new Set(['fill', 'user_orders', 'market_positions']);

/** Kalshi WS error codes (asyncapi.yaml, "Error Codes Reference"). */
export const WsErrorCode = {
  UNABLE_TO_PROCESS: 1,
  PARAMS_REQUIRED: 2,
  CHANNELS_REQUIRED: 3,
  SIDS_REQUIRED: 4,
  UNKNOWN_COMMAND: 5,
  UNKNOWN_SID: 7,
  UNKNOWN_CHANNEL: 8,
  AUTHENTICATION_REQUIRED: 9,
  INVALID_PARAMETER: 11,
  EXACTLY_ONE_SID: 12,
  UNSUPPORTED_ACTION: 13,
} as const;

/** How many recent delta frames per sid are kept for `stale` re-sends. */
const STALE_WINDOW = 16;

interface Sub {
  sid: number;
  channel: string;
  /** null = every market */
  markets: Set<string> | null;
  seq: number;
  /** orderbook deltas produced on this sid (sent or dropped): drives `drop=N` and `stale=N` */
  deltas: number;
  /** the last delta frames sent on this sid, as sent (for `stale`) */
  recent: string[];
}

interface Outgoing {
  text: string;
  dueMs: number;
}

interface Session {
  id: number;
  ws: WebSocket;
  keyId: string;
  /** the account of the signing key; undefined for unauthenticated connections */
  accountId: string | undefined;
  subs: Map<number, Sub>;
  nextSid: number;
  framesSent: number;
  /** frames waiting for their time (`latency`); while non-empty, every frame queues behind them (order is kept) */
  queue: Outgoing[];
  timer: NodeJS.Timeout | null;
  /** live `disconnect=N` already applied to this connection */
  faultClosed: boolean;
  closed: boolean;
}

/** What the gateway serves: the books (venue mirror books in live mode, true replay books in replay mode). */
export interface GatewaySources {
  books: ReadonlyMap<string, OrderBook>;
  /** Kalshi `market_id` of a market, if known */
  marketId(marketTicker: string): string | undefined;
  /** replay mode: the capture player (started by the first orderbook_delta subscription) */
  replay: ReplayEngine | null;
  /** live mode: the venue whose events drive the channels */
  venue: Venue | null;
  faults: FaultController;
}

/** Configuration of {@link WsGateway}. */
export interface GatewayOptions {
  dialect: Dialect;
  pingIntervalMs: number;
  /** accept unsigned connections (never in a real deployment; for clients without keys) */
  allowUnauthenticated: boolean;
  /** replay mode: close the first client connection that has been sent this many frames, once (fault injection) */
  disconnectAfterFrames?: number;
}

/** Counters of {@link WsGateway} (exposed by `GET /mock/replay`). */
export interface GatewayStats {
  connections: number;
  activeConnections: number;
  refusedUpgrades: number;
  framesSent: number;
  commands: number;
  badCommands: number;
  forcedDisconnects: number;
  /** data frames not sent because the dialect cannot express them (legacy_cents and fractional sizes/sub-cent prices) */
  encodeErrors: number;
}

/** See the module docstring. */
export class WsGateway implements ReplaySink {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly sessions = new Set<Session>();
  private nextSessionId = 1;
  private pingTimer: NodeJS.Timeout | null = null;
  private disconnectsDone = 0;
  /** replay-mode disconnect limit (`disconnectAfterFrames`, then `faults.disconnect` after a run-time change) */
  private replayDisconnectLimit: number | undefined;
  private dialect: Dialect;
  private rnd: () => number;
  private readonly live: LiveFeed | null;
  private readonly unsubscribe: Array<() => void> = [];
  readonly stats: GatewayStats = { connections: 0, activeConnections: 0, refusedUpgrades: 0, framesSent: 0, commands: 0, badCommands: 0, forcedDisconnects: 0, encodeErrors: 0 };

  constructor(
    private readonly src: GatewaySources,
    private readonly keys: KeyRegistry,
    private readonly opts: GatewayOptions,
    private readonly log: (msg: string) => void = () => undefined,
  ) {
    this.dialect = opts.dialect;
    this.replayDisconnectLimit = opts.disconnectAfterFrames;
    this.rnd = mulberry32(src.faults.current.seed);
    this.unsubscribe.push(src.faults.onChange((spec) => this.onFaultsChanged(spec)));
    src.replay?.attach(this);
    this.live = src.venue ? new LiveFeed(src.venue) : null;
    if (src.venue) this.unsubscribe.push(src.venue.onEvents((events, command) => this.onVenueEvents(events, command)));
  }

  /** Hooks the gateway onto an HTTP server's `upgrade` event. */
  attach(server: HttpServer): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.pingTimer = setInterval(() => {
      for (const s of this.sessions) if (s.ws.readyState === WebSocket.OPEN) s.ws.ping('heartbeat');
    }, this.opts.pingIntervalMs);
    this.pingTimer.unref();
  }

  /** Frames sent to each open connection (diagnostics, quiescence checks). */
  connectionFrames(): number[] {
    return [...this.sessions].map((s) => s.framesSent);
  }

  /** Stops pinging, closes every connection and detaches from the venue and the fault controller. */
  close(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const u of this.unsubscribe) u();
    this.unsubscribe.length = 0;
    for (const s of [...this.sessions]) {
      s.ws.terminate();
      this.dropSession(s);
    }
    this.wss.close();
  }

  /** Force-closes every client connection (fault injection; clients must reconnect). Counted as forced disconnects. */
  disconnectAll(code = 1012, reason = 'mock exchange: forced disconnect'): number {
    let n = 0;
    for (const s of this.sessions) {
      s.ws.close(code, reason);
      n++;
    }
    this.stats.forcedDisconnects += n;
    this.src.faults.stats.forcedDisconnects += n;
    return n;
  }

  /** The largest number of bytes waiting in one subscriber socket (replay backpressure). */
  bufferedBytes(): number {
    let max = 0;
    for (const s of this.sessions) if (s.ws.bufferedAmount > max) max = s.ws.bufferedAmount;
    return max;
  }

  /** The dialect frames are encoded in now (`legacy` fault or the configured dialect). */
  get currentDialect(): Dialect {
    return this.dialect;
  }

  private onFaultsChanged(spec: FaultSpec): void {
    this.dialect = spec.legacy ? 'legacy_cents' : 'fixed_point';
    if (spec.disconnect !== this.replayDisconnectLimit) {
      this.replayDisconnectLimit = spec.disconnect;
      this.disconnectsDone = 0;
    }
    this.rnd = mulberry32(spec.seed);
  }

  // ------------------------------------------------------------------------------------------- connections

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH) {
      this.refuse(socket, 404, `no WebSocket endpoint at ${path}`);
      return;
    }
    let keyId = 'anonymous';
    const auth = this.keys.verify(req.headers, 'GET', WS_PATH);
    if (auth.ok) keyId = auth.keyId;
    else if (!this.opts.allowUnauthenticated) {
      this.refuse(socket, auth.status, auth.reason);
      return;
    }
    const accountId = auth.ok ? auth.accountId : undefined;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, keyId, accountId));
  }

  private refuse(socket: Duplex, status: number, reason: string): void {
    this.stats.refusedUpgrades++;
    const body = JSON.stringify({ error: { code: 'unauthorized', message: reason } });
    socket.once('finish', () => socket.destroy());
    socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Not Found'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }

  private onConnection(ws: WebSocket, keyId: string, accountId: string | undefined): void {
    const s: Session = { id: this.nextSessionId++, ws, keyId, accountId, subs: new Map(), nextSid: 1, framesSent: 0, queue: [], timer: null, faultClosed: false, closed: false };
    this.sessions.add(s);
    this.stats.connections++;
    this.stats.activeConnections++;
    ws.on('message', (data) => {
      try {
        this.onCommand(s, data.toString());
      } catch (e) {
        // a bug must not take the process down with it: answer like Kalshi's generic error and keep the connection
        this.log(`ws command failed on connection ${s.id}: ${(e as Error).message}`);
        this.error(s, undefined, WsErrorCode.UNABLE_TO_PROCESS, 'Unable to process message');
      }
    });
    ws.on('close', () => this.dropSession(s));
    ws.on('error', (e) => {
      this.log(`ws connection ${s.id} error: ${e.message}`);
      ws.terminate();
      this.dropSession(s);
    });
  }

  private dropSession(s: Session): void {
    if (s.closed) return;
    s.closed = true;
    if (s.timer) clearTimeout(s.timer);
    s.timer = null;
    s.queue.length = 0;
    this.sessions.delete(s);
    this.stats.activeConnections--;
  }

  // ------------------------------------------------------------------------------------------- sending

  /**
   * Sends a frame in connection order. A data frame is delayed by the current `latency` fault; any frame queues behind
   * frames still waiting, so a control reply never overtakes a delayed data frame (seq stays monotonic on the wire).
   */
  private sendRaw(s: Session, text: string, data = false): void {
    if (s.closed || s.ws.readyState !== WebSocket.OPEN) return;
    const latency = data ? (this.src.faults.current.latencyMs ?? 0) : 0;
    if (latency <= 0 && s.queue.length === 0) {
      this.write(s, text);
      return;
    }
    const last = s.queue.length > 0 ? s.queue[s.queue.length - 1].dueMs : 0;
    s.queue.push({ text, dueMs: Math.max(Date.now() + latency, last) });
    this.schedule(s);
  }

  private schedule(s: Session): void {
    if (s.timer || s.queue.length === 0 || s.closed) return;
    s.timer = setTimeout(() => {
      s.timer = null;
      const now = Date.now();
      while (s.queue.length > 0 && s.queue[0].dueMs <= now && !s.closed) this.write(s, s.queue.shift()!.text);
      this.schedule(s);
    }, Math.max(0, s.queue[0].dueMs - Date.now()));
  }

  private write(s: Session, text: string): void {
    if (s.ws.readyState !== WebSocket.OPEN) return;
    s.ws.send(text);
    s.framesSent++;
    this.stats.framesSent++;
    if (this.live) {
      const limit = this.src.faults.current.disconnect;
      if (limit !== undefined && !s.faultClosed && s.framesSent >= limit) {
        s.faultClosed = true;
        this.forceClose(s);
      }
      return;
    }
    const limit = this.replayDisconnectLimit;
    if (limit !== undefined && this.disconnectsDone === 0 && s.framesSent >= limit) {
      this.disconnectsDone++;
      this.forceClose(s);
    }
  }

  private forceClose(s: Session): void {
    this.stats.forcedDisconnects++;
    this.src.faults.stats.forcedDisconnects++;
    this.log(`fault: closing connection ${s.id} after ${s.framesSent} frames`);
    s.queue.length = 0;
    s.ws.close(1012, 'mock exchange fault: disconnect');
  }

  /**
   * Sends a data frame encoded by `encode` in the current dialect; returns the text sent, or null. A frame the dialect
   * cannot express (EncodeError, e.g. a fractional size in legacy_cents) is counted and logged instead of sent, never
   * thrown into the replay loop or the socket's message handler (that crashed the process); a seq it consumed shows as
   * a gap and the client resyncs.
   */
  private sendEncoded(s: Session, encode: (d: Dialect) => string): string | null {
    let text: string;
    try {
      text = encode(this.dialect);
    } catch (e) {
      if (!(e instanceof EncodeError)) throw e;
      const n = ++this.stats.encodeErrors;
      if (n <= 10) this.log(`cannot encode a frame in ${this.dialect}, not sent: ${e.message}${n === 10 ? ' (further encode errors are only counted)' : ''}`);
      return null;
    }
    this.sendRaw(s, text, true);
    return text;
  }

  private error(s: Session, id: number | undefined, code: number, msg: string): void {
    this.stats.badCommands++;
    this.sendRaw(s, encodeError({ id, code, msg }));
  }

  // ------------------------------------------------------------------------------------------- commands

  private onCommand(s: Session, text: string): void {
    this.stats.commands++;
    let cmd: { id?: unknown; cmd?: unknown; params?: Record<string, unknown> };
    try {
      cmd = JSON.parse(text);
    } catch {
      return this.error(s, undefined, WsErrorCode.UNABLE_TO_PROCESS, 'Unable to process message: not JSON');
    }
    if (typeof cmd !== 'object' || cmd === null || Array.isArray(cmd)) return this.error(s, undefined, WsErrorCode.UNABLE_TO_PROCESS, 'Unable to process message: not an object');
    const id = typeof cmd.id === 'number' && Number.isInteger(cmd.id) ? cmd.id : undefined;
    const params = typeof cmd.params === 'object' && cmd.params !== null && !Array.isArray(cmd.params) ? cmd.params : undefined;
    switch (cmd.cmd) {
      case 'subscribe':
        return this.subscribe(s, id, params);
      case 'unsubscribe':
        return this.unsubscribeCmd(s, id, params);
      case 'update_subscription':
        return this.update(s, id, params);
      case 'list_subscriptions':
        this.sendRaw(s, JSON.stringify({ id, type: 'ok', msg: [...s.subs.values()].map((x) => ({ channel: x.channel, sid: x.sid })) }));
        return;
      default:
        return this.error(s, id, WsErrorCode.UNKNOWN_COMMAND, `Unknown command ${JSON.stringify(cmd.cmd)}`);
    }
  }

  private tickersParam(params: Record<string, unknown>): string[] | null | 'invalid' {
    const many = params.market_tickers;
    const one = params.market_ticker;
    if (many === undefined && one === undefined) return null;
    const list = many !== undefined ? many : [one];
    if (!Array.isArray(list) || !list.every((t) => typeof t === 'string' && t.length > 0)) return 'invalid';
    return list as string[];
  }

  /** Markets of the book source (live: the published books; replay: the replay's books). */
  private allMarkets(): string[] {
    return this.live ? this.live.marketTickers() : [...this.src.books.keys()];
  }

  private subscribe(s: Session, id: number | undefined, params: Record<string, unknown> | undefined): void {
    if (!params) return this.error(s, id, WsErrorCode.PARAMS_REQUIRED, 'Params required');
    const channels = params.channels;
    if (!Array.isArray(channels) || channels.length === 0) return this.error(s, id, WsErrorCode.CHANNELS_REQUIRED, 'Channels required');
    const tickers = this.tickersParam(params);
    if (tickers === 'invalid') return this.error(s, id, WsErrorCode.INVALID_PARAMETER, 'market_tickers must be an array of non-empty strings');
    for (const ch of channels) {
      if (typeof ch !== 'string' || !SUPPORTED_CHANNELS.has(ch)) return this.error(s, id, WsErrorCode.UNKNOWN_CHANNEL, `Unknown channel name ${JSON.stringify(ch)}`);
      // live mode: a private channel needs a signed connection whose key belongs to an account
      if (this.live && PRIVATE_CHANNELS.has(ch) && s.accountId === undefined) return this.error(s, id, WsErrorCode.AUTHENTICATION_REQUIRED, `Authentication required for channel ${ch}`);
    }
    for (const ch of channels as string[]) {
      const sub: Sub = { sid: s.nextSid++, channel: ch, markets: tickers ? new Set(tickers) : null, seq: 0, deltas: 0, recent: [] };
      s.subs.set(sub.sid, sub);
      this.sendRaw(s, encodeSubscribed({ id, sid: sub.sid, channel: ch }));
      if (ch === 'orderbook_delta') {
        const markets = tickers ?? this.allMarkets();
        for (const m of markets) this.sendSnapshot(s, sub, m);
        this.src.replay?.start();
      } else if (ch === 'ticker' && this.live && params.send_initial_snapshot === true) {
        const now = Date.now();
        for (const m of tickers ?? this.allMarkets()) {
          const body = this.live.tickerNow(m, now);
          if (body) this.sendEncoded(s, (d) => encodeTicker({ sid: sub.sid, ...body }, d));
        }
      }
    }
  }

  private unsubscribeCmd(s: Session, id: number | undefined, params: Record<string, unknown> | undefined): void {
    const sids = params?.sids;
    if (!Array.isArray(sids) || sids.length === 0) return this.error(s, id, WsErrorCode.SIDS_REQUIRED, 'Subscription IDs required');
    for (const sid of sids) {
      const sub = typeof sid === 'number' ? s.subs.get(sid) : undefined;
      if (!sub) {
        this.error(s, id, WsErrorCode.UNKNOWN_SID, `Unknown subscription ID ${JSON.stringify(sid)}`);
        continue;
      }
      s.subs.delete(sub.sid);
      this.sendRaw(s, JSON.stringify({ id, sid: sub.sid, seq: ++sub.seq, type: 'unsubscribed' }));
    }
  }

  private update(s: Session, id: number | undefined, params: Record<string, unknown> | undefined): void {
    if (!params) return this.error(s, id, WsErrorCode.PARAMS_REQUIRED, 'Params required');
    const sids = Array.isArray(params.sids) ? params.sids : params.sid !== undefined ? [params.sid] : [];
    if (sids.length !== 1) return this.error(s, id, WsErrorCode.EXACTLY_ONE_SID, 'Exactly one subscription ID is required');
    const sub = typeof sids[0] === 'number' ? s.subs.get(sids[0]) : undefined;
    if (!sub) return this.error(s, id, WsErrorCode.UNKNOWN_SID, `Unknown subscription ID ${JSON.stringify(sids[0])}`);
    const tickers = this.tickersParam(params);
    if (tickers === 'invalid') return this.error(s, id, WsErrorCode.INVALID_PARAMETER, 'market_tickers must be an array of non-empty strings');
    const action = params.action;
    if (action === 'add_markets' || action === 'delete_markets') {
      if (!tickers) return this.error(s, id, WsErrorCode.INVALID_PARAMETER, `${action} needs market_tickers`);
      if (sub.markets === null) sub.markets = new Set(this.allMarkets());
      for (const t of tickers) {
        if (action === 'add_markets') sub.markets.add(t);
        else sub.markets.delete(t);
      }
      this.sendRaw(s, encodeOk({ id, sid: sub.sid, seq: ++sub.seq, marketTickers: [...sub.markets].sort() }));
      if (action === 'add_markets' && sub.channel === 'orderbook_delta') for (const t of tickers) this.sendSnapshot(s, sub, t);
      return;
    }
    if (action === 'get_snapshot') {
      if (sub.channel !== 'orderbook_delta') return this.error(s, id, WsErrorCode.UNSUPPORTED_ACTION, 'get_snapshot is only supported on orderbook_delta');
      // only markets of this subscription: a snapshot of another market would arrive on a sid that does not carry it
      const markets = (tickers ?? (sub.markets ? [...sub.markets] : this.allMarkets())).filter((m) => this.covers(sub, m));
      for (const m of markets) this.sendSnapshot(s, sub, m);
      return;
    }
    return this.error(s, id, WsErrorCode.UNSUPPORTED_ACTION, `Unsupported action ${JSON.stringify(action)}`);
  }

  private covers(sub: Sub, market: string): boolean {
    return sub.markets === null || sub.markets.has(market);
  }

  private sendSnapshot(s: Session, sub: Sub, market: string): void {
    const book = this.live ? this.live.books.get(market) : this.src.books.get(market);
    if (!book || !book.valid) return; // no true book yet: the recorded snapshot will be sent when it is replayed
    const seq = ++sub.seq;
    const marketId = this.live ? this.live.marketId(market) : this.src.marketId(market);
    this.sendEncoded(s, (d) => encodeOrderbookSnapshot({ sid: sub.sid, seq, marketTicker: market, marketId, yes: book.levels('yes'), no: book.levels('no') }, d));
  }

  /**
   * Numbers and sends one orderbook delta on a sid, applying the wire faults: a delta dropped by the replay's seeded
   * choice (`dropped`) or by live `drop=N` consumes its seq unsent; `stale=N` re-sends an earlier delta of the sid with
   * its old seq after every Nth delta.
   */
  private sendDelta(s: Session, sub: Sub, f: Omit<OrderbookDeltaFrame, 'type' | 'dialect' | 'sid' | 'seq'>, dropped: boolean): void {
    const seq = ++sub.seq;
    const n = ++sub.deltas;
    const faults = this.src.faults;
    const spec = faults.current;
    const drop = dropped || (this.live !== null && spec.drop !== undefined && spec.drop > 0 && n % spec.drop === 0);
    if (drop) {
      faults.stats.framesDropped++;
    } else {
      const text = this.sendEncoded(s, (d) => encodeOrderbookDelta({ ...f, sid: sub.sid, seq }, d));
      if (text !== null && spec.stale) {
        sub.recent.push(text);
        if (sub.recent.length > STALE_WINDOW) sub.recent.shift();
      }
    }
    if (spec.stale && n % spec.stale === 0 && sub.recent.length > 0) {
      const old = sub.recent[Math.floor(this.rnd() * sub.recent.length)];
      faults.stats.staleFramesSent++;
      this.sendRaw(s, old, true);
    }
  }

  // ------------------------------------------------------------------------------------------- live mode

  private onVenueEvents(events: EngineEvent[], command: VenueCommand): void {
    if (!this.live) return;
    const messages = this.live.onCommand(events, command);
    if (this.sessions.size === 0) return;
    for (const m of messages) this.fanOut(m);
  }

  private fanOut(m: LiveMessage): void {
    for (const s of this.sessions) {
      if ('account' in m && m.account !== s.accountId) continue;
      for (const sub of s.subs.values()) {
        if (m.channel === 'orderbook_reset') {
          if (sub.channel === 'orderbook_delta' && this.covers(sub, m.market)) this.sendSnapshot(s, sub, m.market);
          continue;
        }
        if (sub.channel !== m.channel) continue;
        // market_lifecycle_v2 does not support market filters (docs): every market
        if (m.channel !== 'market_lifecycle_v2' && !this.covers(sub, m.market)) continue;
        this.sendLive(s, sub, m);
      }
    }
  }

  private sendLive(s: Session, sub: Sub, m: LiveMessage): void {
    const sid = sub.sid;
    switch (m.channel) {
      case 'orderbook_delta':
        return this.sendDelta(s, sub, { marketTicker: m.market, ...m.delta }, false);
      case 'ticker':
        this.sendEncoded(s, (d) => encodeTicker({ sid, ...m.body }, d));
        return;
      case 'trade': {
        const seq = ++sub.seq;
        this.sendEncoded(s, (d) => encodeTrade({ sid, seq, ...m.body }, d));
        return;
      }
      case 'fill':
        this.sendEncoded(s, (d) => encodeFill({ sid, ...m.body }, d));
        return;
      case 'user_orders':
        this.sendEncoded(s, (d) => encodeUserOrder({ sid, ...m.body }, d));
        return;
      case 'market_positions':
        this.sendEncoded(s, (d) => encodeMarketPosition({ sid, ...m.body }, d));
        return;
      case 'market_lifecycle_v2':
        this.sendEncoded(s, (d) => encodeMarketLifecycle({ sid, ...m.body }, d));
        return;
    }
  }

  // ------------------------------------------------------------------------------------------- ReplaySink

  onBookReset(marketTicker: string): void {
    for (const s of this.sessions) {
      for (const sub of s.subs.values()) {
        if (sub.channel === 'orderbook_delta' && this.covers(sub, marketTicker)) this.sendSnapshot(s, sub, marketTicker);
      }
    }
  }

  onDelta(f: OrderbookDeltaFrame, _tsMs: number, dropped: boolean): void {
    for (const s of this.sessions) {
      for (const sub of s.subs.values()) {
        if (sub.channel !== 'orderbook_delta' || !this.covers(sub, f.marketTicker)) continue;
        this.sendDelta(s, sub, { marketTicker: f.marketTicker, marketId: f.marketId, side: f.side, priceTicks: f.priceTicks, deltaCentis: f.deltaCentis, tsMs: f.tsMs, clientOrderId: f.clientOrderId }, dropped);
      }
    }
  }

  onMalformed(raw: string): void {
    for (const s of this.sessions) {
      for (const sub of s.subs.values()) {
        if (sub.channel === 'orderbook_delta') {
          this.sendRaw(s, raw, true);
          break;
        }
      }
    }
  }

  onFill(f: FillFrame, raw: string): void {
    for (const s of this.sessions) {
      for (const sub of s.subs.values()) {
        if (sub.channel !== 'fill') continue;
        if (this.dialect === 'legacy_cents') {
          // re-encode the recorded frame in the legacy dialect (counted, not sent, when it cannot be expressed)
          const d = decodeWsFrame(raw);
          const frame = d.ok && d.value.type === 'fill' ? d.value : f;
          this.sendEncoded(s, (dialect) => encodeFill({ ...frame, sid: sub.sid }, dialect));
          continue;
        }
        // own fills carry no seq; re-stamp the recorded frame with this subscription's sid
        const parsed = JSON.parse(raw) as Record<string, unknown>;
        parsed.sid = sub.sid;
        this.sendRaw(s, JSON.stringify(parsed), true);
      }
    }
  }
}
