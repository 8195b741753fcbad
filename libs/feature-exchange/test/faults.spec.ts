/**
 * Fault injection of the mock exchange seen from a raw client: seeded dropped deltas (seq gaps), a one-time
 * disconnect after N frames, POST /mock/disconnect, the legacy integer-cent dialect (including frames that
 * dialect cannot express), and `hold=MS` (a REST request handled at once, its answer held MS ms).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeWsFrame, signRequest } from '@kalshi-platform/kalshi';
import { OrderBook } from '@kalshi-platform/market';
import type { RunningExchange } from '../src/exchange';
import { formatFaultSpec, parseFaultSpec } from '../src/faults/fault-spec';
import { drain, Json, RawClient, startQuiet, waitUntil } from './harness';

/** seq numbers missing on `sid` between its first and last frame. */
function missingSeqs(frames: Json[], sid: number): number[] {
  const seqs = frames.filter((f) => f.sid === sid && typeof f.seq === 'number').map((f) => f.seq as number);
  const missing: number[] = [];
  for (let i = 1; i < seqs.length; i++) {
    expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
    for (let s = seqs[i - 1] + 1; s < seqs[i]; s++) missing.push(s);
  }
  return missing;
}

/** Runs a whole replay to one raw client subscribed to every market; returns its frames and the exchange stats. */
async function replayOnce(over: Parameters<typeof startQuiet>[0]): Promise<{ frames: Json[]; texts: string[]; ex: RunningExchange }> {
  const ex = await startQuiet(over);
  const c = await RawClient.connect(ex.wsUrl);
  try {
    c.send({ cmd: 'subscribe', params: { channels: ['orderbook_delta'] } });
    await drain(ex, c);
    return { frames: c.frames, texts: c.texts, ex };
  } finally {
    c.close();
    await ex.close();
  }
}

describe('dropFrames', () => {
  it('drops exactly N deltas (N seq gaps on the wire), deterministically per seed', async () => {
    const N = 25;
    const a = await replayOnce({ dropFrames: N, seed: 7 });
    const b = await replayOnce({ dropFrames: N, seed: 7 });
    const other = await replayOnce({ dropFrames: N, seed: 8 });
    const missA = missingSeqs(a.frames, 1);
    const missB = missingSeqs(b.frames, 1);
    const missO = missingSeqs(other.frames, 1);
    expect(missA.length).toBe(N);
    expect(missO.length).toBe(N);
    expect(missB).toEqual(missA);
    expect(missO).not.toEqual(missA);
    expect(a.frames.filter((f) => f.type === 'orderbook_delta').length).toBe(2885 - N);
    expect(a.frames.filter((f) => f.type === 'orderbook_snapshot').length).toBe(5);
    expect(a.ex.replay!.stats.deltasDropped).toBe(N);
    // the exchange's own books still apply every delta
    expect(a.ex.replay!.stats.invalidDeltas).toBe(0);
  });

  it('dropFrames 0 leaves no gap', async () => {
    const r = await replayOnce({ dropFrames: 0, seed: 7 });
    expect(missingSeqs(r.frames, 1)).toEqual([]);
  });

  it('an impossible dropFrames is refused at start with a RangeError', async () => {
    await expect(startQuiet({ dropFrames: 100_000 })).rejects.toThrow(RangeError);
  });
});

describe('disconnectAfterFrames', () => {
  it('closes the connection once after N frames; the next connection is left alone', async () => {
    const N = 100;
    const ex = await startQuiet({ disconnectAfterFrames: N });
    try {
      const c1 = await RawClient.connect(ex.wsUrl);
      c1.send({ cmd: 'subscribe', params: { channels: ['orderbook_delta'] } });
      const closed = await c1.whenClosed();
      expect(closed.code).toBe(1012);
      expect(c1.frames.length).toBe(N);
      expect(ex.gateway.stats.forcedDisconnects).toBe(1);

      const c2 = await RawClient.connect(ex.wsUrl);
      await c2.reply(c2.send({ cmd: 'subscribe', params: { channels: ['orderbook_delta'] } }));
      await ex.replay!.whenDone();
      // push c2 well past N frames (the replay may already be over): 5 snapshots per get_snapshot
      for (let i = 0; i < 25; i++) c2.send({ cmd: 'update_subscription', params: { sids: [1], action: 'get_snapshot' } });
      await waitUntil(() => c2.frames.length > N + 25, 'c2 to receive more than N frames');
      await waitUntil(() => ex.gateway.connectionFrames().length === 1 && c2.frames.length === ex.gateway.connectionFrames()[0], 'c2 drained');
      expect(c2.closeInfo).toBeNull();
      expect(ex.gateway.stats.forcedDisconnects).toBe(1);
      // c2 gets snapshots of the current books first, then contiguous seq
      expect(c2.frames[0].type).toBe('subscribed');
      expect(c2.frames[1].type).toBe('orderbook_snapshot');
      expect(missingSeqs(c2.frames, 1)).toEqual([]);
      c2.close();
    } finally {
      await ex.close();
    }
  });
});

describe('POST /mock/disconnect', () => {
  it('closes every connection; the exchange keeps accepting new ones', async () => {
    const ex = await startQuiet();
    try {
      const c1 = await RawClient.connect(ex.wsUrl);
      const c2 = await RawClient.connect(ex.wsUrl);
      await waitUntil(() => ex.gateway.stats.activeConnections === 2, 'two connections');
      const res = await fetch(`${ex.restUrl}/mock/disconnect`, { method: 'POST' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ closed: 2 });
      expect((await c1.whenClosed()).code).toBe(1012);
      expect((await c2.whenClosed()).code).toBe(1012);
      await waitUntil(() => ex.gateway.stats.activeConnections === 0, 'no connections');
      const replay = (await (await fetch(`${ex.restUrl}/mock/replay`)).json()) as { connections: number };
      expect(replay.connections).toBe(0);
      const c3 = await RawClient.connect(ex.wsUrl);
      const id = c3.send({ cmd: 'list_subscriptions' });
      expect((await c3.reply(id)).type).toBe('ok');
      c3.close();
    } finally {
      await ex.close();
    }
  });
});

describe('legacy_cents dialect', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'exchange-legacy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const T = 'KXTEST-26JAN01-T50';
  const snap = (yes: string[][], no: string[][]) => JSON.stringify({ type: 'orderbook_snapshot', sid: 1, seq: 1, msg: { market_ticker: T, market_id: 'm-1', yes_dollars_fp: yes, no_dollars_fp: no } });
  let seq = 1;
  const delta = (price: string, d: string, side: string, ts: number) => JSON.stringify({ type: 'orderbook_delta', sid: 1, seq: ++seq, msg: { market_ticker: T, market_id: 'm-1', price_dollars: price, delta_fp: d, side, ts_ms: ts } });

  it('emits integer-cent frames that libs/kalshi decodes as legacy_cents', async () => {
    seq = 1;
    const file = join(dir, 'whole.jsonl');
    writeFileSync(
      file,
      [
        snap(
          [
            ['0.4200', '10.00'],
            ['0.4300', '5.00'],
          ],
          [['0.5000', '7.00']],
        ),
        delta('0.4300', '2.00', 'yes', 1_000),
        delta('0.5000', '-3.00', 'no', 2_000),
        delta('0.4100', '4.00', 'yes', 3_000),
      ].join('\n\n'),
    );
    const r = await replayOnce({ capturePath: file, dialect: 'legacy_cents' });
    const data = r.texts.filter((t) => !t.includes('"subscribed"'));
    expect(data.length).toBe(4);
    expect(JSON.parse(data[0]).msg).toEqual({ market_ticker: T, market_id: 'm-1', yes: [[42, 10], [43, 5]], no: [[50, 7]] });
    expect(JSON.parse(data[1]).msg).toEqual({ market_ticker: T, market_id: 'm-1', price: 43, delta: 2, side: 'yes' });
    const book = new OrderBook(T);
    for (const t of data) {
      expect(t).not.toMatch(/_dollars|_fp/);
      const d = decodeWsFrame(t);
      if (!d.ok) throw new Error(d.error.message);
      expect(d.value).toMatchObject({ dialect: 'legacy_cents' });
      if (d.value.type === 'orderbook_snapshot') book.applySnapshot(d.value.yes, d.value.no);
      else if (d.value.type === 'orderbook_delta') expect(book.applyDelta(d.value.side, d.value.priceTicks, d.value.deltaCentis)).toBe('applied');
    }
    expect(book.levels('yes')).toEqual([
      [4100, 400],
      [4200, 1000],
      [4300, 700],
    ]);
    expect(book.levels('no')).toEqual([[5000, 400]]);
    expect(r.ex.gateway.stats.encodeErrors).toBe(0);
  });

  it('a frame legacy cents cannot express (fractional size) is counted, not sent, and shows as a seq gap', async () => {
    seq = 1;
    const file = join(dir, 'fractional.jsonl');
    writeFileSync(
      file,
      [snap([['0.4200', '10.00']], [['0.5000', '7.00']]), delta('0.4200', '1.50', 'yes', 1_000), delta('0.4200', '2.00', 'yes', 2_000)].join('\n'),
    );
    const logs: string[] = [];
    const r = await replayOnce({ capturePath: file, dialect: 'legacy_cents', log: (m) => logs.push(m) });
    expect(r.ex.gateway.stats.encodeErrors).toBe(1);
    expect(logs.some((m) => m.includes('not a whole contract'))).toBe(true);
    const deltas = r.frames.filter((f) => f.type === 'orderbook_delta');
    expect(deltas.map((f) => [f.seq, f.msg.delta])).toEqual([[3, 2]]);
    expect(missingSeqs(r.frames, 1)).toEqual([2]);
  });

  it('replaying the real (fractional) demo capture in legacy_cents does not crash or stall; every unsendable frame is counted', async () => {
    const logs: string[] = [];
    const ex = await startQuiet({ dialect: 'legacy_cents', log: (m) => logs.push(m) });
    const c = await RawClient.connect(ex.wsUrl);
    try {
      c.send({ cmd: 'subscribe', params: { channels: ['orderbook_delta'] } });
      await drain(ex, c);
      expect(ex.replay!.stats.framesReplayed).toBe(ex.replay!.stats.framesTotal);
      const sent = c.frames.filter((f) => f.sid === 1 && typeof f.seq === 'number');
      for (const t of c.texts) {
        const d = decodeWsFrame(t);
        expect(d.ok).toBe(true);
        if (d.ok && 'dialect' in d.value) expect(d.value.dialect).toBe('legacy_cents');
      }
      const errors = ex.gateway.stats.encodeErrors;
      expect(errors).toBeGreaterThan(0);
      // every seq was either delivered or is an unsendable frame: nothing silently lost
      expect(sent.length + errors).toBe(5 + 2885);
      const last = sent.length > 0 ? sent[sent.length - 1].seq : 0;
      const first = sent.length > 0 ? sent[0].seq : 1;
      expect(missingSeqs(c.frames, 1).length + (first - 1) + (5 + 2885 - last)).toBe(errors);
      expect(logs.length).toBeGreaterThan(0);
      expect(logs.length).toBeLessThan(50); // logged, but not once per frame
      // the server still answers
      const st = await fetch(`${ex.restUrl}/exchange/status`);
      expect(st.status).toBe(200);
      // a snapshot request on the connection is answered (or counted) and the connection survives
      const before = ex.gateway.stats.encodeErrors + c.frames.length;
      c.send({ cmd: 'update_subscription', params: { sids: [1], action: 'get_snapshot' } });
      await waitUntil(() => ex.gateway.stats.encodeErrors + c.frames.length >= before + 5, 'get_snapshot handled');
      expect(c.closeInfo).toBeNull();
    } finally {
      c.close();
      await ex.close();
    }
  });
});

describe('hold=MS (REST answer held, request handled at once)', () => {
  const HOUSE = 'KXELONMARS-99'; // live mode market with a seeded book (YES bid 0.08 / ask 0.12)

  /** A REST call to the exchange, signed when `creds` are given; resolves with the status and the parsed body. */
  async function http(ex: RunningExchange, method: string, path: string, opts: { creds?: { keyId: string; privateKeyPem: string }; body?: unknown } = {}): Promise<{ status: number; body: Json }> {
    const url = `${ex.restUrl}${path}`;
    const headers: Record<string, string> = opts.creds ? { ...signRequest(opts.creds, method, new URL(url).pathname) } : {};
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  it('parses hold=MS into holdMs and formats it back', () => {
    expect(parseFaultSpec('hold=250')).toEqual({ holdMs: 250, seed: 1 });
    expect(formatFaultSpec(parseFaultSpec('hold=250'))).toBe('hold=250,seed=1');
    expect(formatFaultSpec(parseFaultSpec('latency=20,hold=250,seed=3'))).toBe('latency=20,hold=250,seed=3');
    expect(() => parseFaultSpec('hold=-1')).toThrow(/hold must be a non-negative integer/);
    expect(() => parseFaultSpec('hold')).toThrow(/hold needs a value/);
  });

  it('an order is on the book (venue, a WebSocket watcher, a second REST call) long before its own answer arrives; {"hold": 0} switches it off', async () => {
    const ex = await startQuiet({ mode: 'live', capturePath: undefined, rateLimits: false });
    const watcher = await RawClient.connect(ex.wsUrl);
    try {
      // a second client watching the book over WebSocket (hold is a REST fault: frames are not held)
      const sub = watcher.send({ cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [HOUSE] } });
      expect((await watcher.reply(sub)).type).toBe('subscribed');
      await watcher.waitFor((f) => f.type === 'orderbook_snapshot', 'the snapshot');

      const acct = await http(ex, 'POST', '/mock/accounts', { body: { account_id: 'holder', balance_dollars: '100.00' } });
      expect(acct.status).toBe(201);
      const creds = { keyId: acct.body.api_key_id as string, privateKeyPem: acct.body.private_key as string };
      await http(ex, 'GET', '/portfolio/balance', { creds }); // warm the connection

      const set = await http(ex, 'POST', '/mock/faults', { body: { hold: 800 } });
      expect(set.status).toBe(200);
      expect(set.body.spec).toBe('hold=800,seed=1');
      expect(set.body.faults.hold).toBe(800);
      expect(ex.faults.current.holdMs).toBe(800);

      const t0 = performance.now();
      let answeredMs = -1;
      const placing = http(ex, 'POST', '/portfolio/orders', { creds, body: { ticker: HOUSE, side: 'yes', action: 'buy', count: 1, yes_price: 2, client_order_id: 'held-1' } }).then((r) => {
        answeredMs = performance.now() - t0;
        return r;
      });
      // the venue has booked it while its client still waits
      await waitUntil(() => ex.venue.engine.listOrders({ accountId: 'holder' }).some((o) => o.clientOrderId === 'held-1'), 'the held order on the book', 2_000);
      const bookedMs = performance.now() - t0;
      expect(bookedMs).toBeLessThan(400);
      // ...and the watcher sees the new YES bid level, all before the placing client hears anything
      await watcher.waitFor((f) => f.type === 'orderbook_delta' && f.msg.side === 'yes' && f.msg.price_dollars === '0.0200', 'the delta of the held order', 0, 2_000);
      expect(performance.now() - t0).toBeLessThan(400);
      expect(answeredMs).toBe(-1);
      // a second REST call, sent now, is handled now: it lists the order (its own answer is held too)
      const listing = http(ex, 'GET', '/portfolio/orders', { creds });
      const placed = await placing;
      expect(placed.status).toBe(201);
      expect(placed.body.order).toMatchObject({ client_order_id: 'held-1', status: 'resting' });
      expect(answeredMs).toBeGreaterThanOrEqual(780);
      expect(answeredMs - bookedMs).toBeGreaterThan(400);
      const listed = await listing;
      expect(listed.status).toBe(200);
      expect(listed.body.orders.map((o: Json) => o.client_order_id)).toContain('held-1');

      // off again: answers come at once
      const off = await http(ex, 'POST', '/mock/faults', { body: { hold: 0 } });
      expect(off.status).toBe(200);
      expect(off.body.spec).toBe('seed=1');
      expect(ex.faults.current.holdMs ?? 0).toBe(0);
      const t1 = performance.now();
      const quick = await http(ex, 'POST', '/portfolio/orders', { creds, body: { ticker: HOUSE, side: 'yes', action: 'buy', count: 1, yes_price: 2, client_order_id: 'quick-1' } });
      expect(quick.status).toBe(201);
      expect(performance.now() - t1).toBeLessThan(400);
    } finally {
      watcher.close();
      await ex.close();
    }
  });
});
