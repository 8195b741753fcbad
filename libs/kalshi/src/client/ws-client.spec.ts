/**
 * KalshiWsClient against a scripted `ws` WebSocketServer on 127.0.0.1 (real sockets): seq-gap recovery
 * (get_snapshot, error and timeout fallbacks to resubscribe), stale books, reconnect backoff with an injected
 * random source, heartbeat-based dead-connection detection, malformed and duplicate frames, signed upgrades.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { generateKalshiKeyPair, verifyRequestSignature } from '../auth';
import type { DecodeError, OrderbookDeltaFrame, OrderbookSnapshotFrame } from '../decode';
import { KalshiWsClient, type KalshiWsClientOptions, type StaleReason } from './ws-client';

const WS_PATH = '/trade-api/ws/v2';
const A = 'KXA-26JAN01-T1';
const B = 'KXB-26JAN01-T2';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function waitUntil(cond: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 3));
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One accepted connection of the scripted server: records the client's commands, sends what the test says. */
class ServerConn {
  readonly commands: Json[] = [];
  closedAt: number | null = null;
  closeCode: number | null = null;

  constructor(
    readonly ws: WebSocket,
    readonly headers: IncomingMessage['headers'],
    readonly openedAt: number,
  ) {
    ws.on('message', (d) => this.commands.push(JSON.parse(d.toString())));
    ws.on('close', (code) => {
      this.closedAt = Date.now();
      this.closeCode = code;
    });
    ws.on('error', () => undefined);
  }

  send(frame: Json | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  async command(pred: (c: Json) => boolean, what: string, timeoutMs = 3_000): Promise<Json> {
    let found: Json;
    await waitUntil(
      () => {
        found = this.commands.find(pred);
        return found !== undefined;
      },
      what,
      timeoutMs,
    );
    return found;
  }

  /** Waits for the subscribe command and answers `subscribed` with `sid`; returns the command. */
  async acceptSubscribe(sid: number): Promise<Json> {
    const cmd = await this.command((c) => c.cmd === 'subscribe', 'subscribe');
    this.send({ type: 'subscribed', id: cmd.id, msg: { channel: cmd.params.channels[0], sid } });
    return cmd;
  }
}

/** A scripted Kalshi-like WS server. `refuse` (per upgrade attempt number, 0-based) answers an HTTP status instead of upgrading. */
class ScriptServer {
  readonly conns: ServerConn[] = [];
  readonly upgrades: Array<{ at: number; headers: IncomingMessage['headers'] }> = [];
  refuse: (attempt: number) => number | null = () => null;
  private wss!: WebSocketServer;

  url = '';

  async start(): Promise<void> {
    this.wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      path: WS_PATH,
      perMessageDeflate: false,
      verifyClient: (info, cb) => {
        const attempt = this.upgrades.length;
        this.upgrades.push({ at: Date.now(), headers: info.req.headers });
        const status = this.refuse(attempt);
        if (status !== null) cb(false, status, 'refused by test');
        else cb(true);
      },
    });
    this.wss.on('connection', (ws, req) => this.conns.push(new ServerConn(ws, req.headers, Date.now())));
    await new Promise<void>((r) => this.wss.once('listening', () => r()));
    this.url = `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}${WS_PATH}`;
  }

  async conn(i: number, timeoutMs = 3_000): Promise<ServerConn> {
    await waitUntil(() => this.conns.length > i, `server connection #${i + 1}`, timeoutMs);
    return this.conns[i];
  }

  async stop(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}

const snapshot = (sid: number, seq: number, ticker: string, yes: string[][] = [['0.4200', '10.00']], no: string[][] = [['0.5000', '5.00']]) => ({
  type: 'orderbook_snapshot',
  sid,
  seq,
  msg: { market_ticker: ticker, yes_dollars_fp: yes, no_dollars_fp: no },
});
const delta = (sid: number, seq: number, ticker: string, d = '1.00', tsMs = 1_700_000_000_000 + seq) => ({
  type: 'orderbook_delta',
  sid,
  seq,
  msg: { market_ticker: ticker, price_dollars: '0.4200', delta_fp: d, side: 'yes', ts_ms: tsMs },
});

/** A client plus everything it emitted. */
function makeClient(url: string, opts: Partial<KalshiWsClientOptions> = {}) {
  const logs: string[] = [];
  const client = new KalshiWsClient({ url, heartbeatTimeoutMs: 60_000, snapshotTimeoutMs: 60_000, reconnect: { initialDelayMs: 20 }, log: (_l, m) => logs.push(m), ...opts });
  const ev = {
    snapshots: [] as OrderbookSnapshotFrame[],
    deltas: [] as OrderbookDeltaFrame[],
    stale: [] as Array<[string, StaleReason]>,
    malformed: [] as DecodeError[],
    connected: [] as number[],
    disconnected: [] as Array<{ at: number; code: number }>,
  };
  client.on('snapshot', (f: OrderbookSnapshotFrame) => ev.snapshots.push(f));
  client.on('delta', (f: OrderbookDeltaFrame) => ev.deltas.push(f));
  client.on('stale', (m: string, r: StaleReason) => ev.stale.push([m, r]));
  client.on('malformed', (e: DecodeError) => ev.malformed.push(e));
  client.on('connected', () => ev.connected.push(Date.now()));
  client.on('disconnected', (code: number) => ev.disconnected.push({ at: Date.now(), code }));
  return { client, ev, logs };
}

describe('KalshiWsClient', () => {
  let server: ScriptServer;
  let client: KalshiWsClient | null = null;

  beforeEach(async () => {
    server = new ScriptServer();
    await server.start();
  });
  afterEach(async () => {
    client?.close();
    client = null;
    await server.stop();
  });

  /** Connects a client subscribed to [A, B], answers `subscribed` (sid 1) and both snapshots (seq 1, 2). */
  async function connected(opts: Partial<KalshiWsClientOptions> = {}) {
    const made = makeClient(server.url, opts);
    client = made.client;
    made.client.subscribeOrderbook([A, B]);
    await made.client.start();
    const conn = await server.conn(0);
    const sub = await conn.acceptSubscribe(1);
    expect(sub).toEqual({ id: sub.id, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [A, B] } });
    conn.send(snapshot(1, 1, A));
    conn.send(snapshot(1, 2, B));
    await waitUntil(() => made.ev.snapshots.length === 2, 'two snapshots');
    return { ...made, conn };
  }

  it('a seq gap marks the sid\'s books stale, requests get_snapshot, drops stale deltas, and resyncs on the snapshot', async () => {
    const { client: c, ev, conn } = await connected();
    conn.send(delta(1, 3, A));
    await waitUntil(() => ev.deltas.length === 1, 'first delta');
    expect(ev.stale).toEqual([]);

    conn.send(delta(1, 5, A)); // seq 4 missing
    const req = await conn.command((x) => x.cmd === 'update_subscription', 'get_snapshot request');
    expect(req.params).toEqual({ sids: [1], market_tickers: [A, B], action: 'get_snapshot' });
    expect(ev.stale).toEqual([
      [A, 'seq_gap'],
      [B, 'seq_gap'],
    ]);
    expect(c.stats.gapsDetected).toBe(1);
    expect(c.pendingResyncs).toBe(2);

    conn.send(delta(1, 6, B));
    await waitUntil(() => c.stats.droppedStale === 2, 'two stale deltas dropped');
    expect(ev.deltas.length).toBe(1);

    conn.send(snapshot(1, 7, A, [['0.4200', '12.00']]));
    await waitUntil(() => ev.snapshots.length === 3, 'resync snapshot of A');
    expect(c.stats.resyncs).toBe(1);
    expect(ev.snapshots[2]).toMatchObject({ marketTicker: A, seq: 7, yes: [[4200, 1200]] });

    conn.send(delta(1, 8, A)); // A is fresh again: emitted
    conn.send(delta(1, 9, B)); // B still stale: dropped
    await waitUntil(() => c.stats.droppedStale === 3 && ev.deltas.length === 2, 'A delta emitted, B delta dropped');
    expect(ev.deltas[1]).toMatchObject({ marketTicker: A, seq: 8 });

    conn.send(snapshot(1, 10, B));
    await waitUntil(() => c.stats.resyncs === 2, 'B resynced');
    expect(c.pendingResyncs).toBe(0);
    expect(c.stats.gapsDetected).toBe(1);
    // no fallback: nothing else was sent
    expect(conn.commands.map((x) => x.cmd)).toEqual(['subscribe', 'update_subscription']);
  });

  it('an error reply to get_snapshot falls back to unsubscribe + subscribe of the same markets', async () => {
    const { client: c, ev, conn } = await connected();
    conn.send(delta(1, 4, A)); // gap (seq 3 missing)
    const req = await conn.command((x) => x.cmd === 'update_subscription', 'get_snapshot request');
    conn.send({ type: 'error', id: req.id, msg: { code: 10, msg: 'Channel error' } });
    const unsub = await conn.command((x) => x.cmd === 'unsubscribe', 'unsubscribe');
    expect(unsub.params).toEqual({ sids: [1] });
    const resub = await conn.command((x) => x.cmd === 'subscribe' && x.id !== conn.commands[0].id, 'second subscribe');
    expect(resub.params.channels).toEqual(['orderbook_delta']);
    expect([...resub.params.market_tickers].sort()).toEqual([A, B].sort());
    expect(c.stats.errorsReceived).toBe(1);
    // the new subscription's snapshots resync both books
    conn.send({ type: 'unsubscribed', id: unsub.id, sid: 1, seq: 5 });
    conn.send({ type: 'subscribed', id: resub.id, msg: { channel: 'orderbook_delta', sid: 2 } });
    conn.send(delta(1, 6, A)); // late frame of the old sid: unknown now, not emitted
    conn.send(snapshot(2, 1, A));
    conn.send(snapshot(2, 2, B));
    conn.send(delta(2, 3, B));
    await waitUntil(() => c.stats.resyncs === 2 && ev.deltas.length === 1, 'resync through the new sid');
    expect(ev.deltas[0]).toMatchObject({ marketTicker: B, sid: 2, seq: 3 });
    expect(c.stats.unknownSid).toBe(1);
    expect(c.pendingResyncs).toBe(0);
  });

  it('no snapshot within snapshotTimeoutMs falls back to unsubscribe + subscribe', async () => {
    const { client: c, conn } = await connected({ snapshotTimeoutMs: 150 });
    conn.send(delta(1, 9, A));
    await conn.command((x) => x.cmd === 'update_subscription', 'get_snapshot request');
    const askedAt = Date.now();
    await conn.command((x) => x.cmd === 'unsubscribe', 'unsubscribe after timeout', 2_000);
    const waited = Date.now() - askedAt;
    expect(waited).toBeGreaterThanOrEqual(120);
    expect(waited).toBeLessThan(1_000);
    const cmds = conn.commands.map((x) => x.cmd);
    expect(cmds).toEqual(['subscribe', 'update_subscription', 'unsubscribe', 'subscribe']);
    expect(c.pendingResyncs).toBe(2);
  });

  it('the timeout does not fire when the snapshots arrive in time', async () => {
    const { client: c, conn } = await connected({ snapshotTimeoutMs: 100 });
    conn.send(delta(1, 4, A));
    await conn.command((x) => x.cmd === 'update_subscription', 'get_snapshot request');
    conn.send(snapshot(1, 5, A));
    conn.send(snapshot(1, 6, B));
    await waitUntil(() => c.stats.resyncs === 2, 'resynced');
    await sleep(250);
    expect(conn.commands.map((x) => x.cmd)).toEqual(['subscribe', 'update_subscription']);
  });

  it('server close -> books stale (disconnect), reconnect after the policy\'s jittered delay, same markets resubscribed', async () => {
    const randoms = [0.25];
    const { client: c, ev, conn } = await connected({ reconnect: { initialDelayMs: 200, factor: 2, maxDelayMs: 5_000, jitter: 0.5 }, random: () => randoms.shift() ?? 0 });
    conn.ws.close(1012, 'restart');
    await waitUntil(() => ev.disconnected.length === 1, 'disconnected');
    expect(ev.disconnected[0].code).toBe(1012);
    expect(ev.stale.sort()).toEqual([
      [A, 'disconnect'],
      [B, 'disconnect'],
    ]);
    expect(c.connected).toBe(false);
    const conn2 = await server.conn(1);
    // delay = 200 * (1 - 0.5 * 0.25) = 175 ms
    const delay = server.upgrades[1].at - ev.disconnected[0].at;
    expect(delay).toBeGreaterThanOrEqual(170);
    expect(delay).toBeLessThan(175 + 100);
    const sub = await conn2.acceptSubscribe(1);
    expect(sub.params).toEqual({ channels: ['orderbook_delta'], market_tickers: [A, B] });
    conn2.send(snapshot(1, 1, A));
    conn2.send(snapshot(1, 2, B));
    conn2.send(delta(1, 3, A));
    await waitUntil(() => c.stats.resyncs === 2 && ev.deltas.length === 1, 'resynced after reconnect');
    expect(c.stats.reconnects).toBe(1);
    expect(c.stats.gapsDetected).toBe(0); // a new connection starts a new seq
    expect(c.connected).toBe(true);
  });

  it('backoff grows by the factor while upgrades are refused and resets after a successful connection', async () => {
    // attempt 0: base 60, r=0 -> 60; attempt 1: base 180, r=0.5 -> 135; attempt 2: base 540, r=0.9 -> 297
    const randoms = [0, 0.5, 0.9, 0];
    const { client: c, ev, conn } = await connected({ reconnect: { initialDelayMs: 60, factor: 3, maxDelayMs: 5_000, jitter: 0.5 }, random: () => randoms.shift() ?? 0 });
    server.refuse = (attempt) => (attempt === 1 || attempt === 2 ? 503 : null);
    conn.ws.close(1012, 'restart');
    const conn2 = await server.conn(1, 3_000);
    expect(server.upgrades.length).toBe(4);
    const gaps = [server.upgrades[1].at - ev.disconnected[0].at, server.upgrades[2].at - server.upgrades[1].at, server.upgrades[3].at - server.upgrades[2].at];
    const expected = [60, 135, 297];
    gaps.forEach((g, i) => {
      expect({ i, ok: g >= expected[i] - 5 && g < expected[i] + 80, g }).toMatchObject({ i, ok: true });
    });
    expect(c.stats.reconnects).toBe(3);
    await conn2.acceptSubscribe(1);
    await waitUntil(() => c.connected, 'connected');
    // after a successful open the attempt counter is back to 0: next delay is 60 * (1 - 0.5 * 0) = 60
    conn2.ws.close(1012, 'again');
    await server.conn(2);
    const last = server.upgrades[4].at - ev.disconnected[ev.disconnected.length - 1].at;
    expect(last).toBeGreaterThanOrEqual(55);
    expect(last).toBeLessThan(60 + 80);
  });

  it('a silent server (no frames, no pings) beyond heartbeatTimeoutMs is terminated and reconnected', async () => {
    const { client: c, ev, conn } = await connected({ heartbeatTimeoutMs: 300 });
    const lastFrameAt = Date.now();
    await waitUntil(() => conn.closedAt !== null, 'client to drop the silent connection', 2_000);
    const silentFor = conn.closedAt! - lastFrameAt;
    expect(silentFor).toBeGreaterThanOrEqual(290);
    expect(silentFor).toBeLessThan(1_000);
    expect(conn.closeCode).toBe(1006); // terminated, no close handshake
    const conn2 = await server.conn(1);
    await conn2.acceptSubscribe(1);
    await waitUntil(() => c.connected, 'reconnected');
    expect(ev.disconnected.length).toBe(1);
    expect(ev.stale.map(([, r]) => r)).toEqual(['disconnect', 'disconnect']);
  });

  it('server pings count as liveness: a quiet but pinging server is not dropped', async () => {
    const { ev, conn } = await connected({ heartbeatTimeoutMs: 200 });
    const pinger = setInterval(() => conn.ws.ping('heartbeat'), 50);
    try {
      await sleep(700);
    } finally {
      clearInterval(pinger);
    }
    expect(conn.closedAt).toBeNull();
    expect(ev.disconnected).toEqual([]);
  });

  it('malformed frames are counted and skipped; duplicate seq is counted and dropped; the stream continues', async () => {
    const { client: c, ev, conn } = await connected();
    conn.send('this is not json');
    conn.send('{"type":"orderbook_delta","sid":1,"seq":"three","msg":{}}');
    conn.send('[1,2,3]');
    conn.send(delta(1, 3, A));
    conn.send(delta(1, 3, A)); // duplicate
    conn.send(delta(1, 2, B)); // older than the last seen: duplicate too
    conn.send(delta(1, 4, B));
    await waitUntil(() => ev.deltas.length === 2, 'two deltas');
    await sleep(20);
    expect(c.stats.malformed).toBe(3);
    expect(ev.malformed.map((e) => e.kind)).toEqual(['malformed_json', 'invalid_field', 'not_an_object']);
    expect(c.stats.duplicates).toBe(2);
    expect(ev.deltas.map((d) => [d.marketTicker, d.seq])).toEqual([
      [A, 3],
      [B, 4],
    ]);
    expect(c.stats.gapsDetected).toBe(0);
    expect(ev.stale).toEqual([]);
    expect(c.connected).toBe(true);
  });

  it('signs every upgrade with valid Kalshi headers (verified server-side), fresh on each reconnect', async () => {
    const pair = generateKalshiKeyPair();
    const { client: c, conn } = await connected({ credentials: { keyId: 'key-123', privateKeyPem: pair.privateKeyPem } });
    const verify = (h: IncomingMessage['headers']) =>
      verifyRequestSignature(pair.publicKeyPem, { timestampMs: h['kalshi-access-timestamp'] as string, signature: h['kalshi-access-signature'] as string }, 'GET', WS_PATH);
    expect(conn.headers['kalshi-access-key']).toBe('key-123');
    expect(verify(conn.headers)).toEqual({ ok: true });
    // a different key must not verify (the check above can fail)
    expect(verifyRequestSignature(generateKalshiKeyPair().publicKeyPem, { timestampMs: conn.headers['kalshi-access-timestamp'] as string, signature: conn.headers['kalshi-access-signature'] as string }, 'GET', WS_PATH)).toEqual({ ok: false, reason: 'signature mismatch' });
    await sleep(5);
    conn.ws.close(1012);
    const conn2 = await server.conn(1);
    expect(verify(conn2.headers)).toEqual({ ok: true });
    expect(Number(conn2.headers['kalshi-access-timestamp'])).toBeGreaterThan(Number(conn.headers['kalshi-access-timestamp']));
    await conn2.acceptSubscribe(1);
    await waitUntil(() => c.connected, 'reconnected');
  });

  it('markets added while the subscribe is unanswered join that subscription (add_markets), not a second one', async () => {
    const { client: c, ev, logs } = makeClient(server.url);
    client = c;
    await c.start();
    const conn = await server.conn(0);
    c.subscribeOrderbook([A]);
    const first = await conn.command((x) => x.cmd === 'subscribe', 'subscribe');
    c.subscribeOrderbook([B]); // before the `subscribed` reply
    await sleep(30);
    expect(conn.commands.filter((x) => x.cmd === 'subscribe').length).toBe(1);
    conn.send({ type: 'subscribed', id: first.id, msg: { channel: 'orderbook_delta', sid: 1 } });
    const add = await conn.command((x) => x.cmd === 'update_subscription', 'add_markets for B');
    expect(add.params).toEqual({ sids: [1], market_tickers: [B], action: 'add_markets' });
    conn.send({ type: 'ok', id: add.id, sid: 1, seq: 1, msg: { market_tickers: [A, B] } });
    conn.send(snapshot(1, 2, A));
    conn.send(snapshot(1, 3, B));
    conn.send(delta(1, 4, A));
    await waitUntil(() => ev.deltas.length === 1 && ev.snapshots.length === 2, 'one stream');
    await sleep(20);
    expect(ev.deltas.length).toBe(1);
    expect(c.subscribedMarkets).toBe(2);
    expect(logs.filter((l) => l.includes('exchange error'))).toEqual([]);
  });

  it('close() stops for good: no reconnect after the user closes', async () => {
    const { client: c, ev } = await connected();
    c.close();
    await sleep(150);
    expect(server.upgrades.length).toBe(1);
    expect(ev.disconnected).toEqual([]);
    expect(c.connected).toBe(false);
  });
});
