/**
 * Kalshi WebSocket v2 client on `ws`: signed upgrade, subscribe / unsubscribe / update_subscription,
 * per-sid sequence tracking with gap recovery, heartbeat-based dead-connection detection, reconnect with
 * exponential backoff and jitter, and resubscription after every reconnect.
 *
 * Rules from Kalshi's docs (websockets/*, KALSHI_API.md "WebSocket v2"):
 * - `seq` counts per `sid` and is shared by snapshots, deltas and `ok` replies on that sid; a gap means the
 *   sid's books can no longer be trusted. Recovery: `update_subscription {action: "get_snapshot"}` for the
 *   sid's markets; if that is refused or times out, unsubscribe and subscribe again. Books stay stale
 *   (deltas for them are dropped and counted) until their snapshot lands.
 * - There is no resume after reconnect: every subscription is made again and starts with snapshots.
 * - The server pings every 10 s; silence for `heartbeatTimeoutMs` means the connection is dead.
 * - Every connection is signed like a REST call over `timestamp + "GET" + "/trade-api/ws/v2"`.
 *
 * Events (EventEmitter): `snapshot` (frame, tsMs), `delta` (frame, tsMs), `stale` (marketTicker, reason,
 * tsMs), `receivedDelta` (frame: EVERY decoded delta as received, before the seq and staleness checks, for
 * recording; `delta` is only the ones to apply), `frame` (any other decoded frame), `malformed` (DecodeError, raw text), `connected`,
 * `disconnected` (code, reason), `error` is never emitted (errors are counted and logged via `log`).
 */
import { EventEmitter } from 'node:events';
import type { KeyObject } from 'node:crypto';
import WebSocket from 'ws';
import { signRequest } from '../auth';
import { decodeWsFrame, OrderbookDeltaFrame, OrderbookSnapshotFrame } from '../decode';

/** Reason a book went stale. */
export type StaleReason = 'seq_gap' | 'disconnect' | 'resubscribe';

/** Reconnect policy: delay = min(maxDelayMs, initialDelayMs * factor^attempt), then jittered. */
export interface ReconnectPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** 0..1: the delay is drawn uniformly from [delay*(1-jitter), delay] ("equal jitter" for 0.5) */
  jitter: number;
}

export interface KalshiWsClientOptions {
  /** e.g. `wss://external-api-ws.kalshi.com/trade-api/ws/v2` or the mock's `ws://127.0.0.1:8080/trade-api/ws/v2` */
  url: string;
  /** API key id and RSA private key (PEM or KeyObject); required by Kalshi for every connection */
  credentials?: { keyId: string; privateKeyPem?: string; privateKey?: KeyObject };
  /** silence (no frame, no ping) longer than this marks the connection dead; default 30 000 ms */
  heartbeatTimeoutMs?: number;
  reconnect?: Partial<ReconnectPolicy>;
  /** how long to wait for get_snapshot replies before falling back to resubscribe; default 5 000 ms */
  snapshotTimeoutMs?: number;
  /** random source in [0,1) for jitter (tests pass a seeded one) */
  random?: () => number;
  /** diagnostic log sink; secrets are never passed to it */
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

/** Counters of the client, monotonically increasing over its lifetime. */
export interface KalshiWsStats {
  framesReceived: number;
  snapshots: number;
  deltas: number;
  malformed: number;
  gapsDetected: number;
  /** snapshots received for books that were stale (after a gap, a reconnect or a resubscribe) */
  resyncs: number;
  reconnects: number;
  /** deltas dropped because their book was stale */
  droppedStale: number;
  /** frames with a seq at or below the last one seen on their sid (duplicates) */
  duplicates: number;
  /** frames for a sid this client does not know */
  unknownSid: number;
  errorsReceived: number;
}

interface SidState {
  channel: string;
  lastSeq: number | undefined;
  markets: Set<string>;
}

interface PendingCommand {
  cmd: 'subscribe' | 'unsubscribe' | 'update_subscription';
  channel?: string;
  markets?: string[];
  sid?: number;
  action?: string;
}

const ORDERBOOK = 'orderbook_delta';

/** See the module docstring. */
export class KalshiWsClient extends EventEmitter {
  readonly stats: KalshiWsStats = {
    framesReceived: 0,
    snapshots: 0,
    deltas: 0,
    malformed: 0,
    gapsDetected: 0,
    resyncs: 0,
    reconnects: 0,
    droppedStale: 0,
    duplicates: 0,
    unknownSid: 0,
    errorsReceived: 0,
  };
  /** exchange time of the latest frame that carried `ts_ms` */
  lastTsMs = 0;

  private ws: WebSocket | null = null;
  private closedByUser = false;
  private attempt = 0;
  private nextId = 1;
  private lastActivityMs = 0;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly desired = new Map<string, Set<string>>();
  private readonly sids = new Map<number, SidState>();
  private readonly pending = new Map<number, PendingCommand>();
  /** market -> true while its book is stale and a snapshot is awaited */
  private readonly stale = new Set<string>();
  private readonly resyncTimers = new Map<number, NodeJS.Timeout>();
  private readonly policy: ReconnectPolicy;
  private readonly heartbeatTimeoutMs: number;
  private readonly snapshotTimeoutMs: number;
  private readonly random: () => number;
  private readonly log: (level: 'info' | 'warn' | 'error', msg: string) => void;
  private connectedOnce: (() => void) | null = null;

  constructor(private readonly opts: KalshiWsClientOptions) {
    super();
    this.policy = { initialDelayMs: 250, maxDelayMs: 30_000, factor: 2, jitter: 0.5, ...opts.reconnect };
    this.heartbeatTimeoutMs = opts.heartbeatTimeoutMs ?? 30_000;
    this.snapshotTimeoutMs = opts.snapshotTimeoutMs ?? 5_000;
    this.random = opts.random ?? Math.random;
    this.log = opts.log ?? (() => undefined);
  }

  /** True while a connection is open. */
  get connected(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Markets whose book is stale and awaiting a snapshot. */
  get pendingResyncs(): number {
    return this.stale.size;
  }

  /** Number of markets currently subscribed on the orderbook channel. */
  get subscribedMarkets(): number {
    return this.desired.get(ORDERBOOK)?.size ?? 0;
  }

  /** Opens the connection; resolves when the first connection is open. Reconnects forever until `close()`. */
  start(): Promise<void> {
    this.closedByUser = false;
    return new Promise((resolve) => {
      this.connectedOnce = resolve;
      this.connect();
    });
  }

  /** Closes for good (no reconnect). */
  close(): void {
    this.closedByUser = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    for (const t of this.resyncTimers.values()) clearTimeout(t);
    this.resyncTimers.clear();
    this.ws?.close(1000, 'client closing');
    this.ws = null;
  }

  /**
   * Adds markets to the order book subscription (snapshots then deltas). Before the first `subscribed`
   * reply this extends the pending subscribe; after it, `update_subscription add_markets` is sent.
   * The set is remembered and resubscribed after every reconnect.
   */
  subscribeOrderbook(marketTickers: string[]): void {
    this.subscribeChannel(ORDERBOOK, marketTickers);
  }

  /** Subscribes a channel (e.g. `ticker`, `trade`, `fill`) for the given markets (or all, when empty). */
  subscribeChannel(channel: string, marketTickers: string[] = []): void {
    let set = this.desired.get(channel);
    const isNew = !set;
    if (!set) {
      set = new Set();
      this.desired.set(channel, set);
    }
    const added = marketTickers.filter((t) => !set!.has(t));
    for (const t of added) set.add(t);
    if (!this.connected) return;
    const existing = [...this.sids.entries()].find(([, s]) => s.channel === channel);
    if (isNew || !existing) {
      // a subscribe for this channel still awaiting `subscribed`: the added markets follow as add_markets
      // when it lands (see onSubscribed); a second subscribe would duplicate every frame on another sid
      if (!this.subscribePending(channel)) this.sendSubscribe(channel, [...set]);
    } else if (added.length > 0) {
      const [sid] = existing;
      this.send({ cmd: 'update_subscription', params: { sids: [sid], market_tickers: added, action: 'add_markets' } }, { cmd: 'update_subscription', sid, action: 'add_markets', markets: added });
      for (const t of added) existing[1].markets.add(t);
    }
  }

  private connect(): void {
    const headers: Record<string, string> = {};
    const c = this.opts.credentials;
    if (c) {
      const privateKey = c.privateKey ?? c.privateKeyPem;
      if (!privateKey) throw new Error('Kalshi credentials need privateKeyPem or privateKey');
      Object.assign(headers, signRequest({ keyId: c.keyId, privateKey: privateKey as KeyObject } as never, 'GET', new URL(this.opts.url).pathname));
    }
    const ws = new WebSocket(this.opts.url, { headers, perMessageDeflate: false });
    this.ws = ws;
    ws.on('open', () => {
      this.attempt = 0;
      this.lastActivityMs = Date.now();
      this.startHeartbeat();
      this.log('info', `connected to ${this.opts.url}`);
      this.emit('connected');
      for (const [channel, set] of this.desired) this.sendSubscribe(channel, [...set]);
      const once = this.connectedOnce;
      this.connectedOnce = null;
      once?.();
    });
    ws.on('message', (data: WebSocket.RawData) => {
      this.lastActivityMs = Date.now();
      this.onMessage(data as Buffer);
    });
    ws.on('ping', () => {
      this.lastActivityMs = Date.now();
    });
    ws.on('pong', () => {
      this.lastActivityMs = Date.now();
    });
    ws.on('unexpected-response', (_req, res) => {
      this.log('warn', `WebSocket upgrade refused: HTTP ${res.statusCode}`);
      // With an 'unexpected-response' listener, `ws` leaves the handshake to us: abort it, so that 'close' fires
      // and the reconnect backoff runs (otherwise the client hangs in CONNECTING forever).
      ws.terminate();
    });
    ws.on('error', (err) => {
      this.log('warn', `WebSocket error: ${err.message}`);
    });
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onDisconnected(code, reason.toString());
    });
  }

  private onDisconnected(code: number, reason: string): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    for (const t of this.resyncTimers.values()) clearTimeout(t);
    this.resyncTimers.clear();
    const tsMs = this.lastTsMs;
    for (const st of this.sids.values()) {
      if (st.channel !== ORDERBOOK) continue;
      for (const m of st.markets) this.markStale(m, 'disconnect', tsMs);
    }
    // books of desired markets never snapshotted on this connection are stale too
    for (const m of this.desired.get(ORDERBOOK) ?? []) this.markStale(m, 'disconnect', tsMs);
    this.sids.clear();
    this.pending.clear();
    this.emit('disconnected', code, reason);
    if (this.closedByUser) return;
    const base = Math.min(this.policy.maxDelayMs, this.policy.initialDelayMs * this.policy.factor ** this.attempt);
    const delay = Math.round(base * (1 - this.policy.jitter * this.random()));
    this.attempt++;
    this.stats.reconnects++;
    this.log('warn', `disconnected (${code}${reason ? ' ' + reason : ''}); reconnecting in ${delay} ms (attempt ${this.attempt})`);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private startHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    const every = Math.max(50, Math.min(5_000, Math.floor(this.heartbeatTimeoutMs / 3)));
    this.heartbeatTimer = setInterval(() => {
      if (Date.now() - this.lastActivityMs > this.heartbeatTimeoutMs) {
        this.log('warn', `no frame or ping for ${this.heartbeatTimeoutMs} ms: connection presumed dead`);
        this.ws?.terminate();
      }
    }, every);
    this.heartbeatTimer.unref();
  }

  private send(body: Record<string, unknown>, pending: PendingCommand): number {
    const id = this.nextId++;
    this.pending.set(id, pending);
    this.ws?.send(JSON.stringify({ id, ...body }));
    return id;
  }

  private sendSubscribe(channel: string, markets: string[]): void {
    const params: Record<string, unknown> = { channels: [channel] };
    if (markets.length > 0) params.market_tickers = markets;
    this.send({ cmd: 'subscribe', params }, { cmd: 'subscribe', channel, markets });
  }

  private onMessage(data: Buffer): void {
    this.stats.framesReceived++;
    const r = decodeWsFrame(data);
    if (!r.ok) {
      this.stats.malformed++;
      this.emit('malformed', r.error, data.toString('utf8', 0, Math.min(data.length, 512)));
      return;
    }
    const f = r.value;
    switch (f.type) {
      case 'orderbook_delta':
        return this.onDelta(f);
      case 'orderbook_snapshot':
        return this.onSnapshot(f);
      case 'subscribed':
        return this.onSubscribed(f.id, f.sid, f.channel);
      case 'ok':
        if (f.sid !== undefined) {
          const st = this.sids.get(f.sid);
          if (st && f.seq !== undefined) this.checkSeq(f.sid, st, f.seq);
          if (st && f.marketTickers) st.markets = new Set(f.marketTickers);
        }
        if (f.id !== undefined) this.pending.delete(f.id);
        break;
      case 'unsubscribed':
        this.sids.delete(f.sid);
        if (f.id !== undefined) this.pending.delete(f.id);
        break;
      case 'error':
        this.onErrorFrame(f.id, f.code, f.msg);
        break;
      default:
        break;
    }
    if ('tsMs' in f && typeof f.tsMs === 'number') this.lastTsMs = f.tsMs;
    this.emit('frame', f);
  }

  private onSubscribed(id: number | undefined, sid: number, channel: string): void {
    const p = id !== undefined ? this.pending.get(id) : undefined;
    if (id !== undefined) this.pending.delete(id);
    const st: SidState = { channel, lastSeq: undefined, markets: new Set(p?.markets ?? []) };
    this.sids.set(sid, st);
    // markets desired after the subscribe was sent (an empty list subscribed every market: nothing to add)
    const added = p?.markets && p.markets.length > 0 ? [...(this.desired.get(channel) ?? [])].filter((t) => !st.markets.has(t)) : [];
    if (added.length > 0) {
      this.send({ cmd: 'update_subscription', params: { sids: [sid], market_tickers: added, action: 'add_markets' } }, { cmd: 'update_subscription', sid, action: 'add_markets', markets: added });
      for (const t of added) st.markets.add(t);
    }
  }

  private subscribePending(channel: string): boolean {
    for (const p of this.pending.values()) if (p.cmd === 'subscribe' && p.channel === channel) return true;
    return false;
  }

  private onErrorFrame(id: number | undefined, code: number, msg: string): void {
    this.stats.errorsReceived++;
    const p = id !== undefined ? this.pending.get(id) : undefined;
    if (id !== undefined) this.pending.delete(id);
    this.log('warn', `exchange error ${code}: ${msg}${p ? ` (reply to ${p.cmd}${p.action ? ' ' + p.action : ''})` : ''}`);
    if (p && p.cmd === 'update_subscription' && p.action === 'get_snapshot' && p.sid !== undefined) {
      this.resubscribe(p.sid);
    } else if (p && p.cmd === 'subscribe' && p.channel) {
      // a refused subscribe leaves the channel unsubscribed: try again after a pause (the markets stay desired)
      const channel = p.channel;
      const retry = setTimeout(() => {
        const hasSid = [...this.sids.values()].some((st) => st.channel === channel);
        const set = this.desired.get(channel);
        if (this.connected && !hasSid && set) this.sendSubscribe(channel, [...set]);
      }, this.policy.initialDelayMs * 4);
      retry.unref();
    }
  }

  /** Returns false when the frame must be dropped (duplicate or unknown sid). */
  private checkSeq(sid: number, st: SidState, seq: number): boolean {
    const last = st.lastSeq;
    if (last !== undefined && seq !== last + 1) {
      if (seq <= last) {
        this.stats.duplicates++;
        return false;
      }
      this.stats.gapsDetected++;
      st.lastSeq = seq;
      this.onGap(sid, st, last, seq);
      return true;
    }
    st.lastSeq = seq;
    return true;
  }

  private onGap(sid: number, st: SidState, last: number, seq: number): void {
    this.log('warn', `seq gap on sid ${sid}: expected ${last + 1}, got ${seq}; requesting snapshots for ${st.markets.size} market(s)`);
    const markets = [...st.markets];
    for (const m of markets) this.markStale(m, 'seq_gap', this.lastTsMs);
    if (markets.length === 0) return;
    this.send({ cmd: 'update_subscription', params: { sids: [sid], market_tickers: markets, action: 'get_snapshot' } }, { cmd: 'update_subscription', sid, action: 'get_snapshot', markets });
    const prev = this.resyncTimers.get(sid);
    if (prev) clearTimeout(prev);
    const timer = setTimeout(() => {
      this.resyncTimers.delete(sid);
      const st2 = this.sids.get(sid);
      if (st2 && [...st2.markets].some((m) => this.stale.has(m))) {
        this.log('warn', `get_snapshot on sid ${sid} not answered in ${this.snapshotTimeoutMs} ms: resubscribing`);
        this.resubscribe(sid);
      }
    }, this.snapshotTimeoutMs);
    timer.unref();
    this.resyncTimers.set(sid, timer);
  }

  /** Fallback recovery: unsubscribe the sid and subscribe its markets again (fresh snapshots). */
  private resubscribe(sid: number): void {
    const st = this.sids.get(sid);
    if (!st) return;
    this.sids.delete(sid);
    for (const m of st.markets) this.markStale(m, 'resubscribe', this.lastTsMs);
    this.send({ cmd: 'unsubscribe', params: { sids: [sid] } }, { cmd: 'unsubscribe', sid });
    this.sendSubscribe(st.channel, [...st.markets]);
  }

  private markStale(market: string, reason: StaleReason, tsMs: number): void {
    if (this.stale.has(market)) return;
    this.stale.add(market);
    this.emit('stale', market, reason, tsMs);
  }

  private onSnapshot(f: OrderbookSnapshotFrame): void {
    const st = this.sids.get(f.sid);
    if (!st) {
      this.stats.unknownSid++;
      return;
    }
    if (!this.checkSeq(f.sid, st, f.seq)) return;
    st.markets.add(f.marketTicker);
    this.stats.snapshots++;
    if (this.stale.delete(f.marketTicker)) this.stats.resyncs++;
    this.emit('snapshot', f, this.lastTsMs);
  }

  private onDelta(f: OrderbookDeltaFrame): void {
    if (f.tsMs !== undefined) this.lastTsMs = f.tsMs;
    this.emit('receivedDelta', f);
    const st = this.sids.get(f.sid);
    if (!st) {
      this.stats.unknownSid++;
      return;
    }
    if (!this.checkSeq(f.sid, st, f.seq)) return;
    this.stats.deltas++;
    if (this.stale.has(f.marketTicker)) {
      this.stats.droppedStale++;
      return;
    }
    this.emit('delta', f, this.lastTsMs);
  }
}
