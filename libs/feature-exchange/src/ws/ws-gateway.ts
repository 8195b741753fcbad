/**
 * The mock exchange's WebSocket v2 endpoint (`/trade-api/ws/v2`): verifies the signed upgrade, speaks
 * Kalshi's command protocol (subscribe, unsubscribe, update_subscription with add_markets /
 * delete_markets / get_snapshot, list_subscriptions), numbers frames per sid with `seq` (shared by
 * snapshots, deltas and `ok` replies, as the real demo capture shows), and pings every 10 s.
 *
 * Protocol source: docs.kalshi.com asyncapi.yaml (commands, error codes) and KALSHI_API.md.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import {
  Dialect,
  encodeError,
  encodeOk,
  encodeOrderbookDelta,
  encodeOrderbookSnapshot,
  encodeSubscribed,
  EncodeError,
  FillFrame,
  OrderbookDeltaFrame,
} from '@kalshi-platform/kalshi';
import type { KeyRegistry } from '../auth/key-registry';
import type { OrderBook } from '@kalshi-platform/market';
import type { FaultController } from '../faults/fault-spec';
import type { ReplayEngine, ReplaySink } from '../replay/replay-engine';
import type { Venue } from '../venue/venue';

export const WS_PATH = '/trade-api/ws/v2';

/** Channels this mock accepts; `orderbook_delta` and `fill` carry data in replay mode. */
export const SUPPORTED_CHANNELS = new Set(['orderbook_delta', 'fill', 'ticker', 'trade', 'market_lifecycle_v2', 'user_orders', 'market_positions']);

/** Kalshi WS error codes (asyncapi.yaml, "Error Codes Reference"). */
export const WsErrorCode = {
  UNABLE_TO_PROCESS: 1,
  PARAMS_REQUIRED: 2,
  CHANNELS_REQUIRED: 3,
  SIDS_REQUIRED: 4,
  UNKNOWN_COMMAND: 5,
  UNKNOWN_SID: 7,
  UNKNOWN_CHANNEL: 8,
  INVALID_PARAMETER: 11,
  EXACTLY_ONE_SID: 12,
  UNSUPPORTED_ACTION: 13,
} as const;

interface Sub {
  sid: number;
  channel: string;
  /** null = every market */
  markets: Set<string> | null;
  seq: number;
}

interface Session {
  id: number;
  ws: WebSocket;
  keyId: string;
  subs: Map<number, Sub>;
  nextSid: number;
  framesSent: number;
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

export interface GatewayOptions {
  dialect: Dialect;
  pingIntervalMs: number;
  /** accept unsigned connections (never in a real deployment; for clients without keys) */
  allowUnauthenticated: boolean;
  /** close the first client connection that has been sent this many frames, once (fault injection) */
  disconnectAfterFrames?: number;
}

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
  readonly stats: GatewayStats = { connections: 0, activeConnections: 0, refusedUpgrades: 0, framesSent: 0, commands: 0, badCommands: 0, forcedDisconnects: 0, encodeErrors: 0 };

  constructor(
    private readonly src: GatewaySources,
    private readonly keys: KeyRegistry,
    private readonly opts: GatewayOptions,
    private readonly log: (msg: string) => void = () => undefined,
  ) {
    src.replay?.attach(this);
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

  close(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const s of this.sessions) s.ws.terminate();
    this.sessions.clear();
    this.wss.close();
  }

  /** Force-closes every client connection (fault injection; clients must reconnect). */
  disconnectAll(code = 1012, reason = 'mock exchange: forced disconnect'): number {
    let n = 0;
    for (const s of this.sessions) {
      s.ws.close(code, reason);
      n++;
    }
    this.stats.forcedDisconnects += n;
    return n;
  }

  bufferedBytes(): number {
    let max = 0;
    for (const s of this.sessions) if (s.ws.bufferedAmount > max) max = s.ws.bufferedAmount;
    return max;
  }

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
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, keyId));
  }

  private refuse(socket: Duplex, status: number, reason: string): void {
    this.stats.refusedUpgrades++;
    const body = JSON.stringify({ error: { code: 'unauthorized', message: reason } });
    socket.once('finish', () => socket.destroy());
    socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Not Found'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }

  private onConnection(ws: WebSocket, keyId: string): void {
    const s: Session = { id: this.nextSessionId++, ws, keyId, subs: new Map(), nextSid: 1, framesSent: 0 };
    this.sessions.add(s);
    this.stats.connections++;
    this.stats.activeConnections++;
    ws.on('message', (data) => this.onCommand(s, data.toString()));
    ws.on('close', () => {
      this.sessions.delete(s);
      this.stats.activeConnections--;
    });
    ws.on('error', () => undefined);
  }

  private sendRaw(s: Session, text: string): void {
    if (s.ws.readyState !== WebSocket.OPEN) return;
    s.ws.send(text);
    s.framesSent++;
    this.stats.framesSent++;
    const limit = this.opts.disconnectAfterFrames;
    if (limit !== undefined && this.disconnectsDone === 0 && s.framesSent >= limit) {
      this.disconnectsDone++;
      this.stats.forcedDisconnects++;
      this.log(`fault: closing connection ${s.id} after ${s.framesSent} frames`);
      s.ws.close(1012, 'mock exchange fault: disconnect');
    }
  }

  /**
   * Sends a data frame encoded by `encode`. A frame the dialect cannot express (EncodeError, e.g. a fractional
   * size in legacy_cents) is counted and logged instead of sent, never thrown into the replay loop or the socket's
   * message handler (that crashed the process); its seq is already consumed, so the client sees a gap and resyncs.
   */
  private sendEncoded(s: Session, encode: () => string): void {
    let text: string;
    try {
      text = encode();
    } catch (e) {
      if (!(e instanceof EncodeError)) throw e;
      const n = ++this.stats.encodeErrors;
      if (n <= 10) this.log(`cannot encode a frame in ${this.opts.dialect}, not sent: ${e.message}${n === 10 ? ' (further encode errors are only counted)' : ''}`);
      return;
    }
    this.sendRaw(s, text);
  }

  private error(s: Session, id: number | undefined, code: number, msg: string): void {
    this.stats.badCommands++;
    this.sendRaw(s, encodeError({ id, code, msg }));
  }

  private onCommand(s: Session, text: string): void {
    this.stats.commands++;
    let cmd: { id?: unknown; cmd?: unknown; params?: Record<string, unknown> };
    try {
      cmd = JSON.parse(text);
    } catch {
      return this.error(s, undefined, WsErrorCode.UNABLE_TO_PROCESS, 'Unable to process message: not JSON');
    }
    if (typeof cmd !== 'object' || cmd === null) return this.error(s, undefined, WsErrorCode.UNABLE_TO_PROCESS, 'Unable to process message: not an object');
    const id = typeof cmd.id === 'number' && Number.isInteger(cmd.id) ? cmd.id : undefined;
    const params = cmd.params;
    switch (cmd.cmd) {
      case 'subscribe':
        return this.subscribe(s, id, params);
      case 'unsubscribe':
        return this.unsubscribe(s, id, params);
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

  private subscribe(s: Session, id: number | undefined, params: Record<string, unknown> | undefined): void {
    if (!params || typeof params !== 'object') return this.error(s, id, WsErrorCode.PARAMS_REQUIRED, 'Params required');
    const channels = params.channels;
    if (!Array.isArray(channels) || channels.length === 0) return this.error(s, id, WsErrorCode.CHANNELS_REQUIRED, 'Channels required');
    const tickers = this.tickersParam(params);
    if (tickers === 'invalid') return this.error(s, id, WsErrorCode.INVALID_PARAMETER, 'market_tickers must be an array of non-empty strings');
    for (const ch of channels) {
      if (typeof ch !== 'string' || !SUPPORTED_CHANNELS.has(ch)) return this.error(s, id, WsErrorCode.UNKNOWN_CHANNEL, `Unknown channel name ${JSON.stringify(ch)}`);
    }
    for (const ch of channels as string[]) {
      const sub: Sub = { sid: s.nextSid++, channel: ch, markets: tickers ? new Set(tickers) : null, seq: 0 };
      s.subs.set(sub.sid, sub);
      this.sendRaw(s, encodeSubscribed({ id, sid: sub.sid, channel: ch }));
      if (ch === 'orderbook_delta') {
        const markets = tickers ?? [...this.src.books.keys()];
        for (const m of markets) this.sendSnapshot(s, sub, m);
        this.src.replay?.start();
      }
    }
  }

  private unsubscribe(s: Session, id: number | undefined, params: Record<string, unknown> | undefined): void {
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
    if (!params || typeof params !== 'object') return this.error(s, id, WsErrorCode.PARAMS_REQUIRED, 'Params required');
    const sids = Array.isArray(params.sids) ? params.sids : params.sid !== undefined ? [params.sid] : [];
    if (sids.length !== 1) return this.error(s, id, WsErrorCode.EXACTLY_ONE_SID, 'Exactly one subscription ID is required');
    const sub = typeof sids[0] === 'number' ? s.subs.get(sids[0]) : undefined;
    if (!sub) return this.error(s, id, WsErrorCode.UNKNOWN_SID, `Unknown subscription ID ${JSON.stringify(sids[0])}`);
    const tickers = this.tickersParam(params);
    if (tickers === 'invalid') return this.error(s, id, WsErrorCode.INVALID_PARAMETER, 'market_tickers must be an array of non-empty strings');
    const action = params.action;
    if (action === 'add_markets' || action === 'delete_markets') {
      if (!tickers) return this.error(s, id, WsErrorCode.INVALID_PARAMETER, `${action} needs market_tickers`);
      if (sub.markets === null) sub.markets = new Set(this.src.books.keys());
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
      const markets = (tickers ?? (sub.markets ? [...sub.markets] : [...this.src.books.keys()])).filter((m) => this.covers(sub, m));
      for (const m of markets) this.sendSnapshot(s, sub, m);
      return;
    }
    return this.error(s, id, WsErrorCode.UNSUPPORTED_ACTION, `Unsupported action ${JSON.stringify(action)}`);
  }

  private covers(sub: Sub, market: string): boolean {
    return sub.markets === null || sub.markets.has(market);
  }

  private sendSnapshot(s: Session, sub: Sub, market: string): void {
    const book = this.src.books.get(market);
    if (!book || !book.valid) return; // no true book yet: the recorded snapshot will be sent when it is replayed
    const seq = ++sub.seq;
    this.sendEncoded(s, () =>
      encodeOrderbookSnapshot(
        { sid: sub.sid, seq, marketTicker: market, marketId: this.src.marketId(market), yes: book.levels('yes'), no: book.levels('no') },
        this.opts.dialect,
      ),
    );
  }

  // --- ReplaySink ---

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
        const seq = ++sub.seq;
        if (dropped) continue;
        this.sendEncoded(s, () =>
          encodeOrderbookDelta(
            { sid: sub.sid, seq, marketTicker: f.marketTicker, marketId: f.marketId, side: f.side, priceTicks: f.priceTicks, deltaCentis: f.deltaCentis, tsMs: f.tsMs, clientOrderId: f.clientOrderId },
            this.opts.dialect,
          ),
        );
      }
    }
  }

  onMalformed(raw: string): void {
    for (const s of this.sessions) {
      for (const sub of s.subs.values()) {
        if (sub.channel === 'orderbook_delta') {
          this.sendRaw(s, raw);
          break;
        }
      }
    }
  }

  onFill(_f: FillFrame, raw: string): void {
    for (const s of this.sessions) {
      for (const sub of s.subs.values()) {
        if (sub.channel !== 'fill') continue;
        // own fills carry no seq; re-stamp the recorded frame with this subscription's sid
        const parsed = JSON.parse(raw) as Record<string, unknown>;
        parsed.sid = sub.sid;
        this.sendRaw(s, JSON.stringify(parsed));
      }
    }
  }
}
