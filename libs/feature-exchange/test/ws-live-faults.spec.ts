/**
 * Wire faults of the live WebSocket feed, each switched on at run time (`faults.set`) and observed by a real client:
 * `drop=N` (a seq gap, healed by `get_snapshot`), `stale=N` (an old frame with seq <= the last one, ignored by the
 * client), `disconnect=N` (every connection closed once with 1012 after N frames), `latency=MS` (frames late, order
 * kept, control replies behind delayed data), `legacy` (integer-cent frames that libs/kalshi decodes as legacy, and the
 * frames that dialect cannot express counted). Plus `stale` in replay mode.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWsFrame, generateKalshiKeyPair, signRequest, type WsFrame } from '@kalshi-platform/kalshi';
import { OrderBook } from '@kalshi-platform/market';
import { startExchange, type RunningExchange } from '../src/exchange';
import { WS_PATH } from '../src/ws/ws-gateway';
import { drain, fpLevels, Json, MARKETS, ORACLE, RawClient, startQuiet, waitUntil } from './harness';

/** Seed markets with empty books, deci_cent, whole contracts only. */
const M = 'KXMVENFLSINGLEGAME-S202513E70FA7695-688BECB3826';
const M2 = 'KXMVENFLSINGLEGAME-S202520933229531-BB1D66AF8DE';

interface Creds {
  keyId: string;
  privateKeyPem: string;
}

function decoded(text: string): WsFrame {
  const r = decodeWsFrame(text);
  if (!r.ok) throw new Error(`frame does not decode: ${r.error.message} in ${text}`);
  return r.value;
}

/** A client-side book of one market fed from one sid, checking seq as a real client must. */
class ClientBook {
  readonly book = new OrderBook(M, 'deci_cent');
  lastSeq = 0;
  gaps: number[] = [];
  stale: Json[] = [];
  private next = 0;
  constructor(
    private readonly c: RawClient,
    private readonly sid: number,
  ) {}

  pump(): void {
    for (; this.next < this.c.frames.length; this.next++) {
      const f = this.c.frames[this.next];
      if (f.sid !== this.sid || typeof f.seq !== 'number') continue;
      if (f.seq <= this.lastSeq) {
        this.stale.push(f);
        continue;
      }
      for (let s = this.lastSeq + 1; s < f.seq; s++) this.gaps.push(s);
      if (f.seq !== this.lastSeq + 1) this.book.markStale();
      this.lastSeq = f.seq;
      const d = decoded(this.c.texts[this.next]);
      if (d.type === 'orderbook_snapshot') this.book.applySnapshot(d.yes, d.no);
      else if (d.type === 'orderbook_delta' && this.book.valid) expect(this.book.applyDelta(d.side, d.priceTicks, d.deltaCentis)).toBe('applied');
    }
  }
}

describe('live wire faults', () => {
  let dir: string;
  let ex: RunningExchange;
  let demo: Creds;
  let bob: Creds;
  const clients: RawClient[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ws-live-faults-'));
    const credentialsOut = join(dir, 'credentials.json');
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, allowUnauthenticated: false, credentialsOut });
    const j = JSON.parse(readFileSync(credentialsOut, 'utf8')) as { key_id: string; private_key_pem: string };
    demo = { keyId: j.key_id, privateKeyPem: j.private_key_pem };
    await ex.venue.createAccount('bob', 1_000_000_000);
    const pair = generateKalshiKeyPair();
    bob = { keyId: ex.keys.add(pair.publicKeyPem, undefined, 'bob'), privateKeyPem: pair.privateKeyPem };
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await ex.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const connect = async (c: Creds = demo): Promise<RawClient> => {
    const client = await RawClient.connect(ex.wsUrl, signRequest(c, 'GET', WS_PATH));
    clients.push(client);
    return client;
  };

  /** Subscribes to orderbook_delta of M; resolves with the sid once the snapshot arrived. */
  const subscribeBook = async (c: RawClient): Promise<number> => {
    const id = c.send({ cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [M] } });
    const sid = (await c.reply(id)).msg.sid as number;
    await c.waitFor((f) => f.type === 'orderbook_snapshot' && f.sid === sid, 'snapshot');
    return sid;
  };

  /** n resting bids of bob on M at distinct prices: n deltas. */
  let nextPrice = 1000;
  const churn = async (n: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await ex.venue.placeOrder('bob', { marketTicker: M, side: 'yes', action: 'buy', priceTicks: nextPrice, sizeCentis: 100 });
      nextPrice += 100;
      if (!r.ok) throw new Error(r.message);
      ids.push(r.orderId);
    }
    return ids;
  };

  const sameAsVenue = (b: OrderBook) => {
    expect(b.valid).toBe(true);
    expect(b.levels('yes')).toEqual(ex.venue.books.get(M)!.levels('yes'));
    expect(b.levels('no')).toEqual(ex.venue.books.get(M)!.levels('no'));
  };

  it('drop=3: every 3rd delta of the sid is not sent, its seq is consumed (a gap); get_snapshot heals the book', async () => {
    ex.faults.set({ seed: 1, drop: 3 });
    const c = await connect();
    const sid = await subscribeBook(c);
    const cb = new ClientBook(c, sid);
    await churn(9); // deltas get seq 2..10; the 3rd, 6th and 9th (seq 4, 7, 10) are dropped
    await waitUntil(() => c.frames.filter((f) => f.type === 'orderbook_delta').length === 6, 'six deltas');
    cb.pump();
    expect(cb.gaps).toEqual([4, 7]); // seq 10 is not visible yet: no later frame
    expect(cb.book.valid).toBe(false);
    expect(ex.faults.stats.framesDropped).toBe(3);
    // the client resyncs (and the fault is switched off at run time)
    ex.faults.set({ seed: 1 });
    c.send({ cmd: 'update_subscription', params: { sid, action: 'get_snapshot' } });
    await c.waitFor((f) => f.type === 'orderbook_snapshot' && f.seq === 11, 'healing snapshot');
    cb.pump();
    expect(cb.gaps).toEqual([4, 7, 10]);
    sameAsVenue(cb.book);
    await churn(2);
    await waitUntil(() => cb.lastSeq === 13 || (cb.pump(), cb.lastSeq === 13), 'two more deltas');
    cb.pump();
    expect(cb.gaps).toEqual([4, 7, 10]);
    sameAsVenue(cb.book);
  });

  it('stale=2: after every 2nd delta an earlier delta of the sid comes again with its old seq; ignoring it keeps the book exact', async () => {
    ex.faults.set({ seed: 5, stale: 2 });
    const c = await connect();
    const sid = await subscribeBook(c);
    const cb = new ClientBook(c, sid);
    const ids = await churn(4);
    await ex.venue.cancelOrder('bob', ids[0]);
    await ex.venue.cancelOrder('bob', ids[2]);
    await waitUntil(() => c.frames.filter((f) => f.type === 'orderbook_delta').length === 6 + 3, 'six deltas and three stale copies');
    cb.pump();
    expect(cb.gaps).toEqual([]);
    expect(cb.stale.length).toBe(3);
    expect(ex.faults.stats.staleFramesSent).toBe(3);
    const firstText = new Map<number, string>();
    c.frames.forEach((f, i) => {
      if (f.type === 'orderbook_delta' && !firstText.has(f.seq)) firstText.set(f.seq, c.texts[i]);
    });
    for (const f of cb.stale) {
      expect(f.type).toBe('orderbook_delta');
      expect(JSON.stringify(f)).toBe(firstText.get(f.seq)); // byte-identical to the original frame of that seq
    }
    sameAsVenue(cb.book);
  });

  it('disconnect=4: each connection is closed once with 1012 after 4 frames; with the fault off a connection stays', async () => {
    ex.faults.set({ seed: 1, disconnect: 4 });
    const c1 = await connect();
    await subscribeBook(c1); // subscribed + snapshot = 2 frames
    await churn(3);
    expect((await c1.whenClosed()).code).toBe(1012);
    expect(c1.frames.length).toBe(4);
    const c2 = await connect(bob);
    await subscribeBook(c2);
    await churn(3);
    expect((await c2.whenClosed()).code).toBe(1012);
    expect(c2.frames.length).toBe(4);
    expect(ex.faults.stats.forcedDisconnects).toBe(2);
    expect(ex.gateway.stats.forcedDisconnects).toBe(2);
    ex.faults.set({ seed: 1 });
    const c3 = await connect();
    const sid = await subscribeBook(c3);
    await churn(5);
    await waitUntil(() => c3.frames.filter((f) => f.sid === sid).length === 1 + 5, 'snapshot and five deltas');
    expect(c3.closeInfo).toBeNull();
  });

  it('latency=200: data frames arrive >= 200 ms late, in order; a control reply queues behind a delayed delta', async () => {
    const c = await connect();
    const times: number[] = [];
    c.ws.on('message', () => times.push(Date.now()));
    const sid = await subscribeBook(c);
    ex.faults.set({ seed: 1, latencyMs: 200 });
    const from = c.frames.length;
    const t0 = Date.now();
    await churn(1);
    const id = c.send({ cmd: 'update_subscription', params: { sid, action: 'add_markets', market_tickers: [M2] } });
    await c.waitFor((f) => f.type === 'orderbook_snapshot' && f.msg.market_ticker === M2, 'M2 snapshot');
    const got = c.frames.slice(from);
    expect(got.map((f) => [f.type, f.seq])).toEqual([
      ['orderbook_delta', 2],
      ['ok', 3],
      ['orderbook_snapshot', 4],
    ]);
    expect(got[1].id).toBe(id);
    expect(times[from] - t0).toBeGreaterThanOrEqual(195);
    expect(times[from + 2] - t0).toBeGreaterThanOrEqual(195);
    // off again: the next frame is immediate
    ex.faults.set({ seed: 1 });
    const t1 = Date.now();
    await churn(1);
    await waitUntil(() => c.frames.length === from + 4, 'undelayed delta');
    expect(times[from + 3] - t1).toBeLessThan(150);
  });

  it('legacy: every channel speaks integer cents that decodeWsFrame reads as legacy_cents; a sub-cent delta is counted, not sent', async () => {
    ex.faults.set({ seed: 1, legacy: true });
    const a = await connect(demo);
    const b = await connect(bob);
    const channels = ['orderbook_delta', 'ticker', 'trade', 'fill', 'user_orders', 'market_positions', 'market_lifecycle_v2'];
    a.send({ cmd: 'subscribe', params: { channels, market_tickers: [M] } });
    b.send({ cmd: 'subscribe', params: { channels: ['fill', 'user_orders', 'market_positions'] } });
    await waitUntil(() => a.frames.filter((f) => f.type === 'subscribed').length === 7 && b.frames.filter((f) => f.type === 'subscribed').length === 3, 'subscribed');
    // bob rests 100 NO at $0.90; demo buys 100 YES at $0.10: fee ceil(0.07 x 100 x 0.1 x 0.9) = $0.63, whole cents
    await ex.venue.placeOrder('bob', { marketTicker: M, side: 'no', action: 'buy', priceTicks: 9000, sizeCentis: 10_000 });
    await ex.venue.placeOrder('demo', { marketTicker: M, side: 'yes', action: 'buy', priceTicks: 1000, sizeCentis: 10_000 });
    await ex.venue.closeMarket(M);
    await waitUntil(() => a.frames.some((f) => f.type === 'market_lifecycle_v2') && b.frames.filter((f) => f.type === 'market_position').length === 1, 'frames');
    await waitUntil(() => a.frames.filter((f) => f.type === 'market_position').length === 1 && a.frames.filter((f) => f.type === 'fill').length === 1, 'demo frames');
    for (const c of [a, b]) {
      for (const t of c.texts) {
        const d = decoded(t);
        if ('dialect' in d && d.type !== 'orderbook_snapshot') expect({ type: d.type, dialect: d.dialect }).toEqual({ type: d.type, dialect: 'legacy_cents' });
        expect(t).not.toMatch(/_dollars|_fp"/);
      }
    }
    const msg = (c: RawClient, type: string) => c.frames.filter((f) => f.type === type).map((f) => f.msg);
    expect(msg(a, 'orderbook_delta')).toEqual([
      { market_ticker: M, market_id: ex.venue.markets.get(M)!.marketId, price: 90, delta: 100, side: 'no' },
      { market_ticker: M, market_id: ex.venue.markets.get(M)!.marketId, price: 90, delta: -100, side: 'no' },
    ]);
    expect(msg(a, 'trade')).toEqual([{ trade_id: expect.any(String), market_ticker: M, yes_price: 10, no_price: 90, count: 100, taker_side: 'yes', ts: expect.any(Number) }]);
    expect(msg(a, 'fill')[0]).toMatchObject({ yes_price: 10, no_price: 90, count: 100, post_position: 100, fee_cost: '0.630000', is_taker: true });
    expect(msg(b, 'fill')[0]).toMatchObject({ yes_price: 10, count: 100, post_position: -100, is_taker: false });
    expect(msg(a, 'market_position')).toEqual([{ user_id: 'demo', market_ticker: M, position: 100, position_cost: 100_000, realized_pnl: 0, fees_paid: 6300, volume: 100 }]);
    expect(msg(a, 'user_order')[0]).toMatchObject({ status: 'executed', yes_price: 10, fill_count: 100, remaining_count: 0, initial_count: 100, taker_fill_cost: 1000, taker_fees: 63 });
    expect(msg(a, 'ticker').at(-1)).toMatchObject({ price: 10, yes_bid: 0, yes_ask: 100, volume: 100, open_interest: 100 });
    expect(msg(a, 'market_lifecycle_v2')).toEqual([{ market_ticker: M, event_type: 'close_date_updated', close_ts: expect.any(Number) }]);
    expect(ex.gateway.stats.encodeErrors).toBe(0);

    // a deci-cent price cannot be said in cents: counted, not sent; the client sees the seq gap
    const bookSid = a.frames.find((f) => f.type === 'subscribed' && f.msg.channel === 'orderbook_delta').msg.sid;
    const cb = new ClientBook(a, bookSid);
    const c2 = await connect(bob);
    c2.send({ cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [M2] } });
    await c2.waitFor((f) => f.type === 'orderbook_snapshot', 'M2 snapshot');
    await ex.venue.placeOrder('bob', { marketTicker: M2, side: 'yes', action: 'buy', priceTicks: 4550, sizeCentis: 100 });
    await ex.venue.placeOrder('bob', { marketTicker: M2, side: 'yes', action: 'buy', priceTicks: 4600, sizeCentis: 100 });
    await c2.waitFor((f) => f.type === 'orderbook_delta', 'the whole-cent delta');
    // the delta on c2 and bob's own `user_order` (yes_price 45.5 cents) on b
    expect(ex.gateway.stats.encodeErrors).toBe(2);
    expect(b.frames.filter((f) => f.type === 'user_order').map((f) => f.msg.yes_price)).toEqual([10, 10, 46]);
    expect(c2.frames.filter((f) => f.type === 'orderbook_delta').map((f) => [f.seq, f.msg.price])).toEqual([[3, 46]]);
    cb.pump();
    expect(cb.gaps).toEqual([]);
    // legacy off at run time: fixed point again
    ex.faults.set({ seed: 1 });
    await ex.venue.placeOrder('bob', { marketTicker: M2, side: 'yes', action: 'buy', priceTicks: 4650, sizeCentis: 100 });
    const last = await c2.waitFor((f) => f.type === 'orderbook_delta' && f.seq === 4, 'fixed-point delta');
    expect(last.msg).toMatchObject({ price_dollars: '0.4650', delta_fp: '1.00', side: 'yes' });
  });
});

describe('replay-mode stale', () => {
  it('stale=100: re-sent old deltas (seq <= last) are ignored by the client and the books still equal the oracle', async () => {
    const ex = await startQuiet({ faults: { seed: 3, stale: 100 } });
    const c = await RawClient.connect(ex.wsUrl);
    try {
      c.send({ cmd: 'subscribe', params: { channels: ['orderbook_delta'] } });
      await drain(ex, c);
      const books = new Map<string, OrderBook>();
      let last = 0;
      let stale = 0;
      for (const text of c.texts) {
        const d = decodeWsFrame(text);
        if (!d.ok) throw new Error(d.error.message);
        const f = d.value;
        if (f.type !== 'orderbook_snapshot' && f.type !== 'orderbook_delta') continue;
        if (f.seq <= last) {
          stale++;
          continue;
        }
        expect(f.seq).toBe(last + 1);
        last = f.seq;
        if (f.type === 'orderbook_snapshot') {
          const b = new OrderBook(f.marketTicker);
          b.applySnapshot(f.yes, f.no);
          books.set(f.marketTicker, b);
        } else expect(books.get(f.marketTicker)!.applyDelta(f.side, f.priceTicks, f.deltaCentis)).toBe('applied');
      }
      expect(stale).toBe(Math.floor(2885 / 100));
      expect(ex.faults.stats.staleFramesSent).toBe(stale);
      for (const t of MARKETS) expect({ t, yes: fpLevels(books.get(t)!.levels('yes')), no: fpLevels(books.get(t)!.levels('no')) }).toEqual({ t, yes: ORACLE[t].yes_dollars_fp, no: ORACLE[t].no_dollars_fp });
    } finally {
      c.close();
      await ex.close();
    }
  });
});
