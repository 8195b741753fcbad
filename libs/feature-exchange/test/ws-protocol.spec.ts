/**
 * Kalshi WebSocket v2 protocol of the mock exchange, spoken by a raw `ws` client: subscribe / update_subscription
 * (add_markets, delete_markets, get_snapshot) / list_subscriptions / unsubscribe, per-sid seq shared by snapshots,
 * deltas and `ok` replies, the documented error codes, and the full capture replayed into libs/market books that
 * must equal the oracle.
 */
import { decodeWsFrame, type OrderbookSnapshotFrame, type WsFrame } from '@kalshi-platform/kalshi';
import { OrderBook } from '@kalshi-platform/market';
import type { RunningExchange } from '../src/exchange';
import { drain, fpLevels, Json, MARKETS, ORACLE, RawClient, startQuiet } from './harness';

const MIA = 'KXNEXTTEAMNBA-26LJAM-MIA';
const GSW = 'KXNEXTTEAMNBA-26LJAM-GSW';
const CLE = 'KXNEXTTEAMNBA-26LJAM-CLE';

/** Every `seq` seen on `sid`, in arrival order. */
const seqsOf = (frames: Json[], sid: number): number[] => frames.filter((f) => f.sid === sid && typeof f.seq === 'number').map((f) => f.seq);

/** Asserts seq on `sid` is exactly 1, 2, 3, ... (strictly +1, no gap, no repeat). */
function expectContiguous(frames: Json[], sid: number): number {
  const seqs = seqsOf(frames, sid);
  expect(seqs.length).toBeGreaterThan(0);
  const bad = seqs.findIndex((s, i) => s !== i + 1);
  expect({ sid, firstBadIndex: bad, around: bad >= 0 ? seqs.slice(Math.max(0, bad - 2), bad + 2) : [] }).toEqual({ sid, firstBadIndex: -1, around: [] });
  return seqs[seqs.length - 1];
}

function decoded(f: Json): WsFrame {
  const r = decodeWsFrame(JSON.stringify(f));
  if (!r.ok) throw new Error(`frame does not decode: ${r.error.message}`);
  return r.value;
}

describe('WS protocol (raw client)', () => {
  let ex: RunningExchange;
  let c: RawClient;
  let sid: number;

  beforeAll(async () => {
    ex = await startQuiet();
    c = await RawClient.connect(ex.wsUrl);
  });
  afterAll(async () => {
    c.close();
    await ex.close();
  });

  it('subscribe -> subscribed, then a snapshot before any delta of each market, seq +1 across them', async () => {
    const id = c.send({ cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [MIA, GSW] } });
    const sub = await c.reply(id);
    expect(sub).toEqual({ type: 'subscribed', id, msg: { channel: 'orderbook_delta', sid: 1 } });
    expect(c.frames[0]).toBe(sub);
    sid = sub.msg.sid;
    await drain(ex, c);
    const data = c.frames.filter((f) => f.sid === sid);
    for (const m of [MIA, GSW]) {
      const first = data.find((f) => f.msg?.market_ticker === m);
      expect({ m, type: first?.type }).toEqual({ m, type: 'orderbook_snapshot' });
    }
    // only the subscribed markets are sent
    expect(new Set(data.map((f) => f.msg.market_ticker))).toEqual(new Set([MIA, GSW]));
    expectContiguous(c.frames, sid);
    // every frame decodes with libs/kalshi
    for (const f of c.frames) decoded(f);
  });

  it('update_subscription add_markets -> ok consuming the next seq, then the new market\'s snapshot', async () => {
    const last = seqsOf(c.frames, sid).at(-1)!;
    const from = c.frames.length;
    const id = c.send({ cmd: 'update_subscription', params: { sids: [sid], market_tickers: [CLE], action: 'add_markets' } });
    const ok = await c.reply(id, from);
    expect(ok).toEqual({ type: 'ok', id, sid, seq: last + 1, msg: { market_tickers: [CLE, GSW, MIA].sort() } });
    const snap = await c.waitFor((f) => f.type === 'orderbook_snapshot' && f.msg.market_ticker === CLE, 'CLE snapshot', from);
    expect(snap.seq).toBe(last + 2);
    const s = decoded(snap) as OrderbookSnapshotFrame;
    expect({ yes: fpLevels(s.yes), no: fpLevels(s.no) }).toEqual({ yes: ORACLE[CLE].yes_dollars_fp, no: ORACLE[CLE].no_dollars_fp });
    expectContiguous(c.frames, sid);
  });

  it('update_subscription get_snapshot -> one snapshot per subscribed market (or the named ones), equal to the oracle', async () => {
    let from = c.frames.length;
    c.send({ cmd: 'update_subscription', params: { sids: [sid], action: 'get_snapshot' } });
    await c.waitFor(() => c.frames.length - from >= 3, 'three snapshots', from);
    const snaps = c.frames.slice(from);
    expect(snaps.map((f) => f.type)).toEqual(['orderbook_snapshot', 'orderbook_snapshot', 'orderbook_snapshot']);
    expect(snaps.map((f) => f.msg.market_ticker).sort()).toEqual([CLE, GSW, MIA].sort());
    for (const f of snaps) {
      const s = decoded(f) as OrderbookSnapshotFrame;
      const o = ORACLE[s.marketTicker];
      expect({ t: s.marketTicker, yes: fpLevels(s.yes), no: fpLevels(s.no) }).toEqual({ t: s.marketTicker, yes: o.yes_dollars_fp, no: o.no_dollars_fp });
    }
    from = c.frames.length;
    c.send({ cmd: 'update_subscription', params: { sid, market_tickers: [MIA], action: 'get_snapshot' } });
    const one = await c.waitFor((f) => f.type === 'orderbook_snapshot', 'MIA snapshot', from);
    expect(one.msg.market_ticker).toBe(MIA);
    expectContiguous(c.frames, sid);
  });

  it('list_subscriptions lists channel and sid', async () => {
    const id2 = c.send({ cmd: 'subscribe', params: { channels: ['ticker'] } });
    const sub2 = await c.reply(id2);
    expect(sub2.msg).toEqual({ channel: 'ticker', sid: sid + 1 });
    const id = c.send({ cmd: 'list_subscriptions' });
    const r = await c.reply(id);
    expect(r).toEqual({ id, type: 'ok', msg: [{ channel: 'orderbook_delta', sid }, { channel: 'ticker', sid: sid + 1 }] });
    const f = decoded(r);
    expect(f.type).toBe('list_subscriptions');
  });

  it('delete_markets -> ok with the remaining markets; unsubscribe -> unsubscribed; seq still contiguous', async () => {
    const last = seqsOf(c.frames, sid).at(-1)!;
    const id = c.send({ cmd: 'update_subscription', params: { sids: [sid], market_tickers: [GSW], action: 'delete_markets' } });
    expect(await c.reply(id)).toEqual({ type: 'ok', id, sid, seq: last + 1, msg: { market_tickers: [CLE, MIA].sort() } });
    const uid = c.send({ cmd: 'unsubscribe', params: { sids: [sid + 1] } });
    const u = await c.reply(uid);
    expect(u).toMatchObject({ type: 'unsubscribed', id: uid, sid: sid + 1 });
    const lid = c.send({ cmd: 'list_subscriptions' });
    expect((await c.reply(lid)).msg).toEqual([{ channel: 'orderbook_delta', sid }]);
    expectContiguous(c.frames, sid);
  });

  describe('error codes', () => {
    const cases: Array<[string, Record<string, unknown>, number]> = [
      ['unknown command', { cmd: 'dance' }, 5],
      ['subscribe without params', { cmd: 'subscribe' }, 2],
      ['subscribe without channels', { cmd: 'subscribe', params: { market_tickers: [MIA] } }, 3],
      ['subscribe with empty channels', { cmd: 'subscribe', params: { channels: [] } }, 3],
      ['subscribe to an unknown channel', { cmd: 'subscribe', params: { channels: ['orderbook_delta', 'gossip'] } }, 8],
      ['subscribe with a bad market_tickers', { cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: 'MIA' } }, 11],
      ['update_subscription without params', { cmd: 'update_subscription' }, 2],
      ['update_subscription without a sid', { cmd: 'update_subscription', params: { action: 'get_snapshot' } }, 12],
      ['update_subscription with two sids', { cmd: 'update_subscription', params: { sids: [1, 2], action: 'get_snapshot' } }, 12],
      ['update_subscription on an unknown sid', { cmd: 'update_subscription', params: { sids: [99], action: 'get_snapshot' } }, 7],
      ['update_subscription with an unsupported action', { cmd: 'update_subscription', params: { sids: [1], action: 'teleport' } }, 13],
      ['add_markets without market_tickers', { cmd: 'update_subscription', params: { sids: [1], action: 'add_markets' } }, 11],
      ['unsubscribe without sids', { cmd: 'unsubscribe', params: {} }, 4],
      ['unsubscribe an unknown sid', { cmd: 'unsubscribe', params: { sids: [42] } }, 7],
    ];

    it.each(cases)('%s -> error code %d', async (_name, cmd, code) => {
      const before = ex.gateway.stats.badCommands;
      const id = c.send(cmd);
      const r = await c.reply(id);
      expect(r.type).toBe('error');
      expect(r.msg.code).toBe(code);
      expect(typeof r.msg.msg).toBe('string');
      const f = decoded(r);
      expect(f).toMatchObject({ type: 'error', id, code });
      expect(ex.gateway.stats.badCommands).toBe(before + 1);
    });

    it('get_snapshot on a non-orderbook subscription -> 13', async () => {
      const sid2 = (await c.reply(c.send({ cmd: 'subscribe', params: { channels: ['trade'] } }))).msg.sid;
      const r = await c.reply(c.send({ cmd: 'update_subscription', params: { sids: [sid2], action: 'get_snapshot' } }));
      expect(r.msg.code).toBe(13);
    });

    it('non-JSON text -> error 1 without id, and the connection stays usable', async () => {
      for (const junk of ['hello', '{"cmd":', 'null']) {
        const from = c.frames.length;
        c.send(junk);
        const r = await c.waitFor((f) => f.type === 'error', `error for ${junk}`, from);
        expect(r.msg.code).toBe(1);
        expect(r.id).toBeUndefined();
      }
      const id = c.send({ cmd: 'list_subscriptions' });
      expect((await c.reply(id)).type).toBe('ok');
      expect(c.closeInfo).toBeNull();
    });
  });
});

describe('WS full replay to one raw client', () => {
  it('snapshot + deltas applied to libs/market books equal the oracle; seq contiguous; fills on their own sid', async () => {
    const ex = await startQuiet();
    const c = await RawClient.connect(ex.wsUrl);
    try {
      const id = c.send({ cmd: 'subscribe', params: { channels: ['orderbook_delta', 'fill'] } });
      await drain(ex, c);
      const subs = c.frames.filter((f) => f.type === 'subscribed');
      expect(subs.map((f) => [f.id, f.msg.channel])).toEqual([
        [id, 'orderbook_delta'],
        [id, 'fill'],
      ]);
      const [bookSid, fillSid] = subs.map((f) => f.msg.sid as number);
      expect(bookSid).not.toBe(fillSid);

      const books = new Map<string, OrderBook>();
      let snapshots = 0;
      let deltas = 0;
      let fills = 0;
      for (const text of c.texts) {
        const r = decodeWsFrame(text);
        if (!r.ok) throw new Error(r.error.message);
        const f = r.value;
        if (f.type === 'orderbook_snapshot') {
          expect(f.sid).toBe(bookSid);
          const b = books.get(f.marketTicker) ?? new OrderBook(f.marketTicker);
          b.applySnapshot(f.yes, f.no);
          books.set(f.marketTicker, b);
          snapshots++;
        } else if (f.type === 'orderbook_delta') {
          expect(f.sid).toBe(bookSid);
          const b = books.get(f.marketTicker);
          expect(b).toBeDefined();
          expect(b!.applyDelta(f.side, f.priceTicks, f.deltaCentis)).toBe('applied');
          deltas++;
        } else if (f.type === 'fill') {
          expect(f.sid).toBe(fillSid);
          expect(f.seq).toBeUndefined();
          fills++;
        }
      }
      expect({ snapshots, deltas, fills }).toEqual({ snapshots: 5, deltas: 2885, fills: 2 });
      expect([...books.keys()].sort()).toEqual(MARKETS);
      for (const [t, b] of books) {
        expect(b.valid).toBe(true);
        expect({ t, yes: fpLevels(b.levels('yes')), no: fpLevels(b.levels('no')) }).toEqual({ t, yes: ORACLE[t].yes_dollars_fp, no: ORACLE[t].no_dollars_fp });
      }
      expect(expectContiguous(c.frames, bookSid)).toBe(snapshots + deltas);
      expect(ex.replay!.stats.invalidDeltas).toBe(0);
    } finally {
      c.close();
      await ex.close();
    }
  });
});
