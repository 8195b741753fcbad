/**
 * Live-mode WebSocket channels over real loopback sockets: a live exchange (matching venue seeded from the real
 * captures), two accounts with their own signed connections, and exact frames on every channel for a crossing trade —
 * orderbook_delta (a client-side libs/market book reaches exactly `venue.books`), ticker, trade, the private fill,
 * user_orders and market_positions (each only on its own account's sessions), and market_lifecycle_v2 through close,
 * determination and settlement. Plus: private channels refused without authentication (code 9), bad commands, socket
 * errors and pings.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWsFrame, generateKalshiKeyPair, signRequest, type WsFrame } from '@kalshi-platform/kalshi';
import { OrderBook } from '@kalshi-platform/market';
import { startExchange, type RunningExchange } from '../src/exchange';
import { WS_PATH } from '../src/ws/ws-gateway';
import { Json, RawClient, waitUntil } from './harness';

const T = 'KXELONMARS-99';
/** a market of the seed with an empty book (for lifecycle) */
const EMPTY = 'KXMVENFLSINGLEGAME-S202513E70FA7695-688BECB3826';

interface Creds {
  keyId: string;
  privateKeyPem: string;
}

const connect = (ex: RunningExchange, c: Creds): Promise<RawClient> => RawClient.connect(ex.wsUrl, signRequest(c, 'GET', WS_PATH));

function decoded(f: Json): WsFrame {
  const r = decodeWsFrame(JSON.stringify(f));
  if (!r.ok) throw new Error(`frame does not decode: ${r.error.message} in ${JSON.stringify(f)}`);
  return r.value;
}

/** Subscribes and returns the sid of each channel (in order). */
async function subscribe(c: RawClient, channels: string[], marketTickers?: string[]): Promise<number[]> {
  const from = c.frames.length;
  const id = c.send({ cmd: 'subscribe', params: marketTickers ? { channels, market_tickers: marketTickers } : { channels } });
  await waitUntil(() => c.frames.slice(from).filter((f) => f.id === id && f.type === 'subscribed').length === channels.length, `subscribed to ${channels.join(',')}`);
  return c.frames.slice(from).filter((f) => f.id === id && f.type === 'subscribed').map((f) => f.msg.sid as number);
}

/** A client-side book fed from one orderbook_delta sid, checking seq as a real client must. */
class ClientBook {
  readonly book = new OrderBook(T);
  lastSeq = 0;
  gaps = 0;
  stale = 0;
  private next = 0;
  constructor(
    private readonly c: RawClient,
    private readonly sid: number,
    private readonly market: string,
  ) {}

  /** Applies every new frame of the sid. */
  pump(): void {
    for (; this.next < this.c.frames.length; this.next++) {
      const f = this.c.frames[this.next];
      if (f.sid !== this.sid || typeof f.seq !== 'number') continue;
      if (f.seq <= this.lastSeq) {
        this.stale++;
        continue;
      }
      if (f.seq !== this.lastSeq + 1) {
        this.gaps++;
        this.book.markStale();
      }
      this.lastSeq = f.seq;
      const d = decoded(f);
      if (d.type === 'orderbook_snapshot' && d.marketTicker === this.market) this.book.applySnapshot(d.yes, d.no);
      else if (d.type === 'orderbook_delta' && d.marketTicker === this.market && this.book.valid) expect(this.book.applyDelta(d.side, d.priceTicks, d.deltaCentis)).toBe('applied');
    }
  }
}

describe('live WebSocket channels', () => {
  let dir: string;
  let ex: RunningExchange;
  let demo: Creds;
  let bob: Creds;
  let a: RawClient; // demo's connection
  let b: RawClient; // bob's connection
  const sidA: Record<string, number> = {};
  const sidB: Record<string, number> = {};
  let book: ClientBook;
  let bobOrderId: string;
  let demoOrderId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ws-live-'));
    const credentialsOut = join(dir, 'credentials.json');
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, allowUnauthenticated: false, credentialsOut, pingIntervalMs: 100 });
    const j = JSON.parse(readFileSync(credentialsOut, 'utf8')) as { key_id: string; private_key_pem: string };
    demo = { keyId: j.key_id, privateKeyPem: j.private_key_pem };
    await ex.venue.createAccount('bob', 1_000_000_000);
    const pair = generateKalshiKeyPair();
    bob = { keyId: ex.keys.add(pair.publicKeyPem, undefined, 'bob'), privateKeyPem: pair.privateKeyPem };
    a = await connect(ex, demo);
    b = await connect(ex, bob);
    const chA = ['orderbook_delta', 'ticker', 'trade', 'fill', 'user_orders', 'market_positions'];
    (await subscribe(a, chA, [T])).forEach((sid, i) => (sidA[chA[i]] = sid));
    const [lc] = await subscribe(a, ['market_lifecycle_v2']);
    sidA.market_lifecycle_v2 = lc;
    const chB = ['fill', 'user_orders', 'market_positions'];
    (await subscribe(b, chB)).forEach((sid, i) => (sidB[chB[i]] = sid));
    book = new ClientBook(a, sidA.orderbook_delta, T);
  });

  afterAll(async () => {
    a?.close();
    b?.close();
    await ex?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ofType = (c: RawClient, type: string, sid?: number): Json[] => c.frames.filter((f) => f.type === type && (sid === undefined || f.sid === sid));

  it('orderbook_delta: the snapshot on subscribe equals venue.books (seq 1, market_id, fixed point)', async () => {
    await waitUntil(() => ofType(a, 'orderbook_snapshot').length === 1, 'snapshot');
    const snap = ofType(a, 'orderbook_snapshot')[0];
    expect(snap).toMatchObject({ sid: sidA.orderbook_delta, seq: 1, msg: { market_ticker: T, market_id: ex.venue.markets.get(T)!.marketId } });
    book.pump();
    expect(book.book.levels('yes')).toEqual(ex.venue.books.get(T)!.levels('yes'));
    expect(book.book.levels('no')).toEqual(ex.venue.books.get(T)!.levels('no'));
    expect(snap.msg.no_dollars_fp.at(-1)).toEqual(['0.8800', '1967.33']);
  });

  it('a resting order: one delta, a ticker with the new best ask, and user_order `resting` only on its owner', async () => {
    const r = await ex.venue.placeOrder('bob', { marketTicker: T, side: 'no', action: 'buy', priceTicks: 8900, sizeCentis: 500, clientOrderId: 'bob-1' });
    expect(r.ok).toBe(true);
    bobOrderId = (r as { orderId: string }).orderId;
    await waitUntil(() => ofType(b, 'user_order').length === 1 && ofType(a, 'ticker').length === 1, 'resting user_order and ticker');
    const uo = ofType(b, 'user_order')[0];
    expect(uo.sid).toBe(sidB.user_orders);
    expect(uo.seq).toBeUndefined();
    expect(uo.msg).toMatchObject({
      order_id: bobOrderId,
      user_id: 'bob',
      ticker: T,
      status: 'resting',
      side: 'no',
      outcome_side: 'no',
      book_side: 'ask',
      yes_price_dollars: '0.1100',
      fill_count_fp: '0.00',
      remaining_count_fp: '5.00',
      initial_count_fp: '5.00',
      client_order_id: 'bob-1',
    });
    expect(ofType(a, 'user_order')).toEqual([]);
    const tk = ofType(a, 'ticker')[0];
    expect(tk.seq).toBeUndefined();
    expect(tk.msg).toMatchObject({ market_ticker: T, price_dollars: '0.0000', yes_bid_dollars: '0.0800', yes_ask_dollars: '0.1100', yes_ask_size_fp: '5.00', yes_bid_size_fp: '444.32', volume_fp: '0.00' });
    book.pump();
    expect(book.book.levels('no')).toEqual(ex.venue.books.get(T)!.levels('no'));
  });

  it('a crossing order: deltas bring the client book to venue.books; one trade, a ticker with the new BBO', async () => {
    const before = a.frames.length;
    const r = await ex.venue.placeOrder('demo', { marketTicker: T, side: 'yes', action: 'buy', priceTicks: 1100, sizeCentis: 500 });
    expect(r).toMatchObject({ ok: true, status: 'executed', filledCentis: 500 });
    demoOrderId = (r as { orderId: string }).orderId;
    await waitUntil(() => ofType(a, 'market_position').length === 1 && ofType(a, 'ticker').length === 2, 'frames of the trade');
    const after = a.frames.slice(before);
    const trades = after.filter((f) => f.type === 'trade');
    expect(trades.length).toBe(1);
    const fillEv = ex.venue.fills.at(-1)!;
    expect(trades[0]).toEqual({
      type: 'trade',
      sid: sidA.trade,
      seq: 1,
      msg: {
        trade_id: fillEv.tradeId,
        market_ticker: T,
        yes_price_dollars: '0.1100',
        no_price_dollars: '0.8900',
        count_fp: '5.00',
        taker_side: 'yes',
        taker_outcome_side: 'yes',
        taker_book_side: 'bid',
        ts: Math.floor(fillEv.tsMs / 1000),
        ts_ms: fillEv.tsMs,
      },
    });
    const deltas = after.filter((f) => f.type === 'orderbook_delta');
    expect(deltas.map((f) => [f.msg.side, f.msg.price_dollars, f.msg.delta_fp])).toEqual([['no', '0.8900', '-5.00']]);
    book.pump();
    expect(book.gaps).toBe(0);
    expect(book.book.levels('yes')).toEqual(ex.venue.books.get(T)!.levels('yes'));
    expect(book.book.levels('no')).toEqual(ex.venue.books.get(T)!.levels('no'));
    const tk = after.filter((f) => f.type === 'ticker');
    expect(tk.length).toBe(1);
    expect(tk[0]).toEqual({
      type: 'ticker',
      sid: sidA.ticker,
      msg: {
        market_id: ex.venue.markets.get(T)!.marketId,
        market_ticker: T,
        price_dollars: '0.1100',
        yes_bid_dollars: '0.0800',
        yes_ask_dollars: '0.1200',
        volume_fp: '5.00',
        open_interest_fp: '5.00',
        dollar_volume: 2,
        dollar_open_interest: 2,
        yes_bid_size_fp: '444.32',
        yes_ask_size_fp: '1967.33',
        last_trade_size_fp: '5.00',
        ts: Math.floor(fillEv.tsMs / 1000),
        ts_ms: fillEv.tsMs,
        time: new Date(fillEv.tsMs).toISOString().replace(/\.?0*Z$/, 'Z'),
      },
    });
    expect(ex.venue.engine.getMarket(T)).toMatchObject({ volumeCentis: 500, openInterestCentis: 500 });
    // every frame decodes in the fixed-point dialect
    for (const f of after) {
      const d = decoded(f);
      if ('dialect' in d) expect(d.dialect).toBe('fixed_point');
    }
  });

  it('fill: each account gets exactly its own side of the trade, on its own connection only', async () => {
    await waitUntil(() => ofType(b, 'fill').length === 1 && ofType(a, 'fill').length === 1, 'fills');
    const fa = ofType(a, 'fill');
    const fb = ofType(b, 'fill');
    const tradeId = ex.venue.fills.at(-1)!.tradeId;
    const ts = ex.venue.fills.at(-1)!.tsMs;
    expect(fa).toEqual([
      {
        type: 'fill',
        sid: sidA.fill,
        msg: {
          trade_id: tradeId,
          order_id: demoOrderId,
          market_ticker: T,
          is_taker: true,
          side: 'yes',
          ts: Math.floor(ts / 1000),
          ts_ms: ts,
          yes_price_dollars: '0.1100',
          count_fp: '5.00',
          fee_cost: '0.034300', // ceil(0.07 x 5 x 0.11 x 0.89 = 0.034265) to $0.0001
          action: 'buy',
          post_position_fp: '5.00',
          purchased_side: 'yes',
          outcome_side: 'yes',
          book_side: 'bid',
          subaccount: 0,
        },
      },
    ]);
    expect(fb).toEqual([
      {
        type: 'fill',
        sid: sidB.fill,
        msg: {
          trade_id: tradeId,
          order_id: bobOrderId,
          client_order_id: 'bob-1',
          market_ticker: T,
          is_taker: false,
          side: 'no',
          ts: Math.floor(ts / 1000),
          ts_ms: ts,
          yes_price_dollars: '0.1100',
          count_fp: '5.00',
          fee_cost: '0.000000',
          action: 'buy',
          post_position_fp: '-5.00',
          purchased_side: 'no',
          outcome_side: 'no',
          book_side: 'ask',
          subaccount: 0,
        },
      },
    ]);
    expect(fa.some((f) => f.msg.order_id === bobOrderId)).toBe(false);
    expect(fb.some((f) => f.msg.order_id === demoOrderId)).toBe(false);
  });

  it('user_orders: resting -> executed for the maker, executed for the taker, with cumulative costs and fees', async () => {
    await waitUntil(() => ofType(b, 'user_order').length === 2 && ofType(a, 'user_order').length === 1, 'user orders');
    expect(ofType(b, 'user_order').map((f) => [f.msg.status, f.msg.fill_count_fp, f.msg.remaining_count_fp, f.msg.maker_fill_cost_dollars])).toEqual([
      ['resting', '0.00', '5.00', '0.000000'],
      ['executed', '5.00', '0.00', '4.450000'],
    ]);
    const ua = ofType(a, 'user_order')[0];
    expect(ua.msg).toMatchObject({
      order_id: demoOrderId,
      user_id: 'demo',
      ticker: T,
      status: 'executed',
      side: 'yes',
      outcome_side: 'yes',
      book_side: 'bid',
      yes_price_dollars: '0.1100',
      fill_count_fp: '5.00',
      remaining_count_fp: '0.00',
      initial_count_fp: '5.00',
      taker_fill_cost_dollars: '0.550000',
      maker_fill_cost_dollars: '0.000000',
      taker_fees_dollars: '0.034300',
      maker_fees_dollars: '0.000000',
    });
    expect(ua.msg.client_order_id).toBeUndefined();
    expect(ofType(a, 'user_order').some((f) => f.msg.order_id === bobOrderId)).toBe(false);
  });

  it('market_positions: exact position, cost, fees and volume per account, each on its own connection', async () => {
    await waitUntil(() => ofType(b, 'market_position').length === 1, 'positions');
    expect(ofType(a, 'market_position')).toEqual([
      { type: 'market_position', sid: sidA.market_positions, msg: { user_id: 'demo', market_ticker: T, position_fp: '5.00', position_cost_dollars: '0.550000', realized_pnl_dollars: '0.000000', fees_paid_dollars: '0.034300', volume_fp: '5.00' } },
    ]);
    expect(ofType(b, 'market_position')).toEqual([
      { type: 'market_position', sid: sidB.market_positions, msg: { user_id: 'bob', market_ticker: T, position_fp: '-5.00', position_cost_dollars: '4.450000', realized_pnl_dollars: '0.000000', fees_paid_dollars: '0.000000', volume_fp: '5.00' } },
    ]);
    const p = ex.venue.engine.getPosition('demo', T)!;
    expect([p.positionCentis, p.costBasisMicros, p.feesPaidMicros]).toEqual([500, 550_000, 34_300]);
  });

  it('a cancel: user_order `canceled` for the owner; a market filter keeps other markets off a sid', async () => {
    const r = await ex.venue.placeOrder('bob', { marketTicker: EMPTY, side: 'yes', action: 'buy', priceTicks: 4000, sizeCentis: 300 });
    const id = (r as { orderId: string }).orderId;
    await ex.venue.cancelOrder('bob', id);
    await waitUntil(() => ofType(b, 'user_order').filter((f) => f.msg.order_id === id).length === 2, 'resting and canceled');
    expect(ofType(b, 'user_order').filter((f) => f.msg.order_id === id).map((f) => [f.msg.status, f.msg.remaining_count_fp])).toEqual([
      ['resting', '3.00'],
      ['canceled', '0.00'],
    ]);
    // demo's sids are filtered to T: nothing of EMPTY arrives on them
    expect(a.frames.some((f) => f.msg?.market_ticker === EMPTY || f.msg?.ticker === EMPTY)).toBe(false);
  });

  it('market_lifecycle_v2: close, determine and settle, with result; settlement moves the position; the book empties', async () => {
    const from = a.frames.length;
    await ex.venue.closeMarket(T);
    await ex.venue.determineMarket(T, 'yes');
    await ex.venue.settleMarket(T);
    await waitUntil(() => ofType(a, 'market_lifecycle_v2').length === 3, 'three lifecycle frames');
    const lc = ofType(a, 'market_lifecycle_v2');
    for (const f of lc) {
      expect(f.sid).toBe(sidA.market_lifecycle_v2);
      expect(decoded(f).type).toBe('market_lifecycle_v2');
    }
    const ts = (f: Json) => Object.values(f.msg).find((v) => typeof v === 'number') as number;
    expect(lc.map((f) => f.msg)).toEqual([
      { market_ticker: T, event_type: 'close_date_updated', close_ts: ts(lc[0]) },
      { market_ticker: T, event_type: 'determined', result: 'yes', determination_ts: ts(lc[1]), settlement_value: '1.0000' },
      { market_ticker: T, event_type: 'settled', result: 'yes', settled_ts: ts(lc[2]) },
    ]);
    expect(Math.abs(ts(lc[0]) * 1000 - Date.now())).toBeLessThan(60_000);
    // settlement: demo's 5 YES pay $5: position 0, realized PnL 5 - 0.55
    await waitUntil(() => ofType(a, 'market_position').length === 2, 'position after settlement');
    expect(ofType(a, 'market_position')[1].msg).toMatchObject({ position_fp: '0.00', position_cost_dollars: '0.000000', realized_pnl_dollars: '4.450000' });
    // closing canceled every resting order: the client book is empty, like the venue's
    book.pump();
    expect(book.gaps).toBe(0);
    expect(book.book.levels('yes')).toEqual([]);
    expect(book.book.levels('no')).toEqual([]);
    expect(ex.venue.books.get(T)!.levels('yes')).toEqual([]);
    expect(a.frames.slice(from).filter((f) => f.type === 'orderbook_delta').length).toBe(26);
  });

  it('bad commands never crash the connection; list_subscriptions still answers', async () => {
    const from = a.frames.length;
    a.send('not json');
    a.send('[1,2]');
    a.send('null');
    a.send(JSON.stringify({ id: 50, cmd: 'subscribe', params: 'x' }));
    a.send(JSON.stringify({ id: 51, cmd: 'subscribe', params: { channels: ['nope'] } }));
    a.send(JSON.stringify({ id: 52, cmd: 'update_subscription', params: { sid: 999, action: 'get_snapshot' } }));
    a.send(JSON.stringify({ id: 53, cmd: 'fly' }));
    const id = a.send({ cmd: 'list_subscriptions' });
    const reply = await a.reply(id, from);
    expect(reply.msg.length).toBe(7);
    expect(a.frames.slice(from).filter((f) => f.type === 'error').map((f) => f.msg.code)).toEqual([1, 1, 1, 2, 8, 7, 5]);
    expect(a.closeInfo).toBeNull();
  });

  it('pings every pingIntervalMs with body `heartbeat`', async () => {
    const pings: string[] = [];
    a.ws.on('ping', (d) => pings.push(d.toString()));
    await waitUntil(() => pings.length >= 2, 'two pings', 2_000);
    expect(pings[0]).toBe('heartbeat');
  });

  it('a connection whose socket errors (invalid frame) is cleaned up; others are unaffected', async () => {
    const c = await connect(ex, bob);
    await waitUntil(() => ex.gateway.stats.activeConnections === 3, 'three connections');
    // a masked frame with the reserved opcode 3: the server's ws reports an error and the gateway drops the session
    (c.ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from([0x83, 0x80, 1, 2, 3, 4]));
    await waitUntil(() => ex.gateway.stats.activeConnections === 2, 'session cleaned up');
    await c.whenClosed();
    const id = b.send({ cmd: 'list_subscriptions' });
    expect((await b.reply(id)).type).toBe('ok');
  });
});

describe('private channels need an account', () => {
  it('an unauthenticated connection gets error 9 for fill/user_orders/market_positions, public channels work', async () => {
    const ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, allowUnauthenticated: true });
    const c = await RawClient.connect(ex.wsUrl);
    try {
      for (const ch of ['fill', 'user_orders', 'market_positions']) {
        const id = c.send({ cmd: 'subscribe', params: { channels: ['ticker', ch] } });
        expect(await c.reply(id)).toEqual({ type: 'error', id, msg: { code: 9, msg: `Authentication required for channel ${ch}` } });
      }
      const id = c.send({ cmd: 'subscribe', params: { channels: ['ticker', 'trade'], market_tickers: [T], send_initial_snapshot: true } });
      await c.waitFor((f) => f.type === 'ticker', 'initial ticker');
      expect(c.frames.filter((f) => f.id === id).map((f) => f.type)).toEqual(['subscribed', 'subscribed']);
      expect(c.frames.find((f) => f.type === 'ticker').msg).toMatchObject({ market_ticker: T, yes_bid_dollars: '0.0800', yes_ask_dollars: '0.1200', price_dollars: '0.0000' });
      // a trade by the demo account reaches the anonymous public subscriber
      await ex.venue.placeOrder('demo', { marketTicker: T, side: 'yes', action: 'buy', priceTicks: 1200, sizeCentis: 100 });
      const tr = await c.waitFor((f) => f.type === 'trade', 'trade');
      expect(tr.msg).toMatchObject({ yes_price_dollars: '0.1200', no_price_dollars: '0.8800', count_fp: '1.00', taker_side: 'yes' });
      expect(c.frames.some((f) => f.type === 'fill' || f.type === 'user_order')).toBe(false);
    } finally {
      c.close();
      await ex.close();
    }
  });
});
