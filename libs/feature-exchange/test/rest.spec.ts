/**
 * REST conformance of the mock exchange: every body decodes with libs/kalshi's REST decoders, cursor paging walks
 * every market exactly once, order books equal the oracle after the replay, and bad input gets Kalshi's 400/404
 * error bodies without disturbing the server.
 */
import { decodeApiError, decodeEvent, decodeEventsList, decodeExchangeStatus, decodeMarket, decodeMarketsList, decodeOrderbook, type DecodeResult } from '@kalshi-platform/kalshi';
import { formatPriceDollars } from '@kalshi-platform/market';
import type { RunningExchange } from '../src/exchange';
import { fpLevels, MARKETS, ORACLE, RawClient, startQuiet } from './harness';

async function getJson(ex: RunningExchange, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${ex.restUrl}${path}`);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) };
}

function ok<T>(r: DecodeResult<T>): T {
  if (!r.ok) throw new Error(`decode failed: ${r.error.message}`);
  return r.value;
}

async function decoded<T>(ex: RunningExchange, path: string, decode: (b: unknown) => DecodeResult<T>): Promise<T> {
  const { status, body } = await getJson(ex, path);
  expect({ path, status }).toEqual({ path, status: 200 });
  return ok(decode(body));
}

describe('mock exchange REST', () => {
  let ex: RunningExchange;

  beforeAll(async () => {
    ex = await startQuiet();
  });
  afterAll(async () => {
    await ex.close();
  });

  describe('before the replay starts', () => {
    it('serves every market with an empty but decodable order book', async () => {
      const list = await decoded(ex, '/markets', decodeMarketsList);
      expect(list.markets.map((m) => m.ticker).sort()).toEqual(MARKETS);
      expect(list.cursor).toBeUndefined();
      const ob = await decoded(ex, `/markets/${MARKETS[0]}/orderbook`, decodeOrderbook);
      expect(ob).toEqual({ yes: [], no: [], dialect: 'fixed_point' });
      const st = await decoded(ex, '/exchange/status', decodeExchangeStatus);
      expect(st.exchangeActive).toBe(true);
      expect(st.tradingActive).toBe(true);
    });
  });

  describe('after the replay finished', () => {
    beforeAll(async () => {
      const c = await RawClient.connect(ex.wsUrl);
      c.send({ cmd: 'subscribe', params: { channels: ['orderbook_delta'] } });
      await ex.replay!.whenDone();
      c.close();
      expect(ex.replay!.stats.framesReplayed).toBe(ex.replay!.stats.framesTotal);
    });

    it('pages GET /markets with limit=2 through every market exactly once', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const q = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
        const page = await decoded(ex, `/markets${q}`, decodeMarketsList);
        expect(page.markets.length).toBeLessThanOrEqual(2);
        expect(page.markets.length).toBeGreaterThan(0);
        seen.push(...page.markets.map((m) => m.ticker));
        cursor = page.cursor;
        pages++;
        expect(pages).toBeLessThanOrEqual(10);
      } while (cursor);
      expect(pages).toBe(Math.ceil(MARKETS.length / 2));
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual(MARKETS);
    });

    it('GET /markets/{ticker} decodes and carries the oracle top of book', async () => {
      for (const t of MARKETS) {
        const m = await decoded(ex, `/markets/${encodeURIComponent(t)}`, decodeMarket);
        expect(m.ticker).toBe(t);
        expect(m.dialect).toBe('fixed_point');
        expect(formatPriceDollars(m.yesBidTicks)).toBe(ORACLE[t].best_yes_bid);
        expect(formatPriceDollars(m.yesAskTicks)).toBe(ORACLE[t].implied_yes_ask);
        expect(formatPriceDollars(m.noBidTicks)).toBe(ORACLE[t].best_no_bid);
      }
    });

    it('GET /markets/{ticker}/orderbook equals the oracle ladders, whole and with depth', async () => {
      for (const t of MARKETS) {
        const full = await decoded(ex, `/markets/${encodeURIComponent(t)}/orderbook`, decodeOrderbook);
        expect({ t, yes: fpLevels(full.yes), no: fpLevels(full.no) }).toEqual({ t, yes: ORACLE[t].yes_dollars_fp, no: ORACLE[t].no_dollars_fp });
        const zero = await decoded(ex, `/markets/${encodeURIComponent(t)}/orderbook?depth=0`, decodeOrderbook);
        expect(zero).toEqual(full);
        const d3 = await decoded(ex, `/markets/${encodeURIComponent(t)}/orderbook?depth=3`, decodeOrderbook);
        expect(fpLevels(d3.yes)).toEqual(ORACLE[t].yes_dollars_fp.slice(-3));
        expect(fpLevels(d3.no)).toEqual(ORACLE[t].no_dollars_fp.slice(-3));
        const d100 = await decoded(ex, `/markets/${encodeURIComponent(t)}/orderbook?depth=100`, decodeOrderbook);
        expect(d100).toEqual(full);
      }
    });

    it('GET /events with and without nested markets, and GET /events/{event}', async () => {
      const plain = await decoded(ex, '/events', decodeEventsList);
      expect(plain.events.length).toBe(2);
      for (const e of plain.events) expect(e.markets).toBeUndefined();

      const nested = await decoded(ex, '/events?with_nested_markets=true', decodeEventsList);
      const nestedTickers = nested.events.flatMap((e) => e.markets!.map((m) => m.ticker)).sort();
      expect(nestedTickers).toEqual(MARKETS);
      for (const e of nested.events) for (const m of e.markets!) expect(m.eventTicker).toBe(e.eventTicker);

      const paged1 = await decoded(ex, '/events?limit=1', decodeEventsList);
      expect(paged1.events.length).toBe(1);
      expect(paged1.cursor).toBeDefined();
      const paged2 = await decoded(ex, `/events?limit=1&cursor=${encodeURIComponent(paged1.cursor!)}`, decodeEventsList);
      expect(paged2.events.length).toBe(1);
      expect(paged2.cursor).toBeUndefined();
      expect([paged1.events[0].eventTicker, paged2.events[0].eventTicker].sort()).toEqual(plain.events.map((e) => e.eventTicker).sort());

      const one = await decoded(ex, '/events/KXNEXTTEAMNBA-26LJAM', decodeEvent);
      expect(one.eventTicker).toBe('KXNEXTTEAMNBA-26LJAM');
      expect(one.seriesTicker).toBe('KXNEXTTEAMNBA');
      expect(one.markets!.map((m) => m.ticker).sort()).toEqual(MARKETS.filter((t) => t.startsWith('KXNEXTTEAMNBA-26LJAM-')));
      const mia = one.markets!.find((m) => m.ticker === 'KXNEXTTEAMNBA-26LJAM-MIA')!;
      expect(formatPriceDollars(mia.yesBidTicks)).toBe(ORACLE['KXNEXTTEAMNBA-26LJAM-MIA'].best_yes_bid);
    });

    it('GET /exchange/status decodes; trading is no longer active once the replay is done', async () => {
      const st = await decoded(ex, '/exchange/status', decodeExchangeStatus);
      expect(st).toEqual({ exchangeActive: true, tradingActive: false });
    });
  });

  describe('bad input', () => {
    const cases: Array<[string, string]> = [
      ['/markets?limit=0', 'limit'],
      ['/markets?limit=abc', 'limit'],
      ['/markets?limit=1001', 'limit'],
      ['/markets?limit=-1', 'limit'],
      ['/markets?status=bogus', 'status'],
      [`/markets/${MARKETS[0]}/orderbook?depth=101`, 'depth'],
      [`/markets/${MARKETS[0]}/orderbook?depth=x`, 'depth'],
      ['/events?with_nested_markets=maybe', 'with_nested_markets'],
      ['/events/KXBTCD-26JUL0317?with_nested_markets=1', 'with_nested_markets'],
      ['/markets?cursor=not-a-cursor', 'cursor'],
      // decodes (base64) to the empty string, which Number() would read as offset 0
      ['/markets?cursor=%40%40%40%40', 'cursor'],
      // decodes to "-1" and "1.5"
      ['/markets?cursor=LTE%3D', 'cursor'],
      ['/events?cursor=MS41', 'cursor'],
      // decodes to "0x1", which Number() would read as offset 1
      ['/markets?cursor=MHgx', 'cursor'],
    ];

    it.each(cases)('%s -> 400 naming %s', async (path, param) => {
      const { status, body } = await getJson(ex, path);
      expect(status).toBe(400);
      const err = ok(decodeApiError(body)).error;
      expect(err.code).toBe('invalid_parameter');
      expect(err.message.startsWith(`${param}:`)).toBe(true);
    });

    it.each([['/markets/NOPE-1'], ['/markets/NOPE-1/orderbook'], ['/events/NOPE']])('%s -> 404 not_found', async (path) => {
      const { status, body } = await getJson(ex, path);
      expect(status).toBe(404);
      const err = ok(decodeApiError(body)).error;
      expect(err.code).toBe('not_found');
      expect(err.message).toContain('NOPE');
    });

    it('keeps serving after bad requests', async () => {
      for (let i = 0; i < 5; i++) expect((await getJson(ex, '/markets?limit=zero')).status).toBe(400);
      const list = await decoded(ex, '/markets?limit=1000', decodeMarketsList);
      expect(list.markets.length).toBe(MARKETS.length);
    });
  });
});
