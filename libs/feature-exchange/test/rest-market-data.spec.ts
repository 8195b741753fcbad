/**
 * REST market data of the mock exchange in live mode (real HTTP on 127.0.0.1, memory only): markets with live fields
 * from the venue and the book, order books (single with depth, batch), public trades from the venue's own matches
 * (newest first, keyset paging), candlesticks built from those trades and the recorded top of book, events, series,
 * exchange status/schedule, filters, paging and Kalshi's 400/404 error bodies. Plus the candlestick builder on a venue
 * with a controlled clock, across several periods.
 */
import {
  decodeApiError,
  decodeBatchCandlesticks,
  decodeEvent,
  decodeEventsList,
  decodeExchangeSchedule,
  decodeMarket,
  decodeMarketCandlesticks,
  decodeMarketsList,
  decodeOrderbook,
  decodeSeries,
  decodeSeriesList,
  decodeTrades,
  type DecodeResult,
} from '@kalshi-platform/kalshi';
import { formatPriceDollars, formatSizeFp, type Level } from '@kalshi-platform/market';
import type { ExchangeState } from '../src/exchange-state';
import { startExchange, type RunningExchange } from '../src/exchange';
import { candlePeriodEnds, candlesticksJson, MarketTape } from '../src/rest/market-json';
import { encodeCursor } from '../src/rest/paging';
import { Venue } from '../src/venue/venue';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const fp = (levels: readonly Level[]) => levels.map(([p, q]) => [formatPriceDollars(p), formatSizeFp(q)]);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function ok<T>(r: DecodeResult<T>): T {
  if (!r.ok) throw new Error(`decode failed: ${r.error.message}`);
  return r.value;
}

describe('REST market data, live mode', () => {
  let ex: RunningExchange;
  const ELON = 'KXELONMARS-99';
  const BTC = 'KXBTCD-26JUL0317-T60999.99';
  const GSW = 'KXNEXTTEAMNBA-26LJAM-GSW';
  const MARS = 'KXCOLONIZEMARS-50';

  async function getJson(path: string): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${ex.restUrl}${path}`);
    return { status: res.status, body: await res.json() };
  }
  async function get(path: string): Promise<Json> {
    const r = await getJson(path);
    expect({ path, status: r.status }).toEqual({ path, status: 200 });
    return r.body;
  }
  const buy = async (marketTicker: string, side: 'yes' | 'no', priceTicks: number, sizeCentis: number) => {
    const r = await ex.venue.placeOrder('demo', { marketTicker, side, action: 'buy', priceTicks, sizeCentis, timeInForce: 'immediate_or_cancel' });
    if (!r.ok) throw new Error(r.message);
    return r;
  };

  beforeAll(async () => {
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false });
  });
  afterAll(async () => {
    await ex.close();
  });

  describe('trades and candlesticks from the venue', () => {
    let t0: number;

    beforeAll(async () => {
      // keep the trades of this block inside one minute, so the 1-minute candle is known exactly
      if (Date.now() % 60_000 > 58_000) await sleep(60_000 - (Date.now() % 60_000) + 20);
      t0 = Date.now();
      // BTC book: YES asks 0.20 x 1666.66, 0.21 x 1587.30; YES bid 0.19 x 3485.76
      const sweep = await buy(BTC, 'yes', 2100, 200_000); // 2000 contracts: 1666.66 at 0.20, 333.34 at 0.21
      expect(sweep.filledCentis).toBe(200_000);
      await buy(BTC, 'no', 8100, 500); // 5 contracts at YES 0.19
    });

    it('GET /markets/trades: newest first, exact price and size strings, taker direction', async () => {
      const body = await get(`/markets/trades?ticker=${BTC}`);
      ok(decodeTrades(body));
      const strip = (t: Json) => ({ ...t, trade_id: undefined, created_time: undefined });
      expect(body.trades.map(strip)).toEqual([
        { ticker: BTC, count_fp: '5.00', yes_price_dollars: '0.1900', no_price_dollars: '0.8100', taker_outcome_side: 'no', taker_book_side: 'ask', is_block_trade: false },
        { ticker: BTC, count_fp: '333.34', yes_price_dollars: '0.2100', no_price_dollars: '0.7900', taker_outcome_side: 'yes', taker_book_side: 'bid', is_block_trade: false },
        { ticker: BTC, count_fp: '1666.66', yes_price_dollars: '0.2000', no_price_dollars: '0.8000', taker_outcome_side: 'yes', taker_book_side: 'bid', is_block_trade: false },
      ].map(strip));
      expect(body.cursor).toBe('');
      const venueTrades = ex.venue.trades.filter((t) => t.marketTicker === BTC).reverse();
      expect(body.trades.map((t: Json) => t.trade_id)).toEqual(venueTrades.map((t) => t.tradeId));
      expect(body.trades.map((t: Json) => t.created_time)).toEqual(venueTrades.map((t) => new Date(t.tsMs).toISOString()));
      expect(new Set(body.trades.map((t: Json) => t.trade_id)).size).toBe(3);
    });

    it('GET /markets/trades: min_ts / max_ts in seconds (inclusive), is_block_trade', async () => {
      const ts = ex.venue.trades.filter((t) => t.marketTicker === BTC).map((t) => t.tsMs);
      const lo = Math.floor(Math.min(...ts) / 1000);
      const hi = Math.floor(Math.max(...ts) / 1000);
      const count = async (q: string) => (await get(`/markets/trades?ticker=${BTC}&${q}`)).trades.length;
      expect(await count(`min_ts=${lo}&max_ts=${hi + 1}`)).toBe(3);
      expect(await count(`min_ts=${hi + 1}`)).toBe(0);
      expect(await count(`max_ts=${lo - 1}`)).toBe(0);
      expect(await count('is_block_trade=false')).toBe(3);
      expect(await count('is_block_trade=true')).toBe(0);
    });

    it('GET /series/{s}/markets/{t}/candlesticks: the minute candle has the trades OHLC, VWAP, volume, open interest and quotes', async () => {
      const end = Math.ceil(ex.venue.trades.filter((t) => t.marketTicker === BTC)[0].tsMs / 60_000) * 60;
      const body = await get(`/series/KXBTCD/markets/${BTC}/candlesticks?start_ts=${end - 3600}&end_ts=${end + 3600}&period_interval=1`);
      const decoded = ok(decodeMarketCandlesticks(body));
      expect(decoded.ticker).toBe(BTC);
      const candle = body.candlesticks.find((c: Json) => c.end_period_ts === end);
      expect(candle).toEqual({
        end_period_ts: end,
        open_interest_fp: '1995.00',
        // VWAP (0.20 x 1666.66 + 0.21 x 333.34 + 0.19 x 5) / 2005 = 0.20164
        price: { open_dollars: '0.2000', low_dollars: '0.1900', high_dollars: '0.2100', close_dollars: '0.1900', mean_dollars: '0.2016' },
        volume_fp: '2005.00',
        yes_ask: { open_dollars: '0.2000', high_dollars: '0.2100', low_dollars: '0.2000', close_dollars: '0.2100' },
        yes_bid: { open_dollars: '0.1900', high_dollars: '0.1900', low_dollars: '0.1900', close_dollars: '0.1900' },
      });
      expect(ex.venue.engine.getMarket(BTC)!.openInterestCentis).toBe(199_500);
      // the candle of the current period is the last one; earlier ones (the exchange started before) had no trade
      expect(body.candlesticks[body.candlesticks.length - 1].end_period_ts).toBe(Math.floor(Date.now() / 60_000) * 60 + 60);
      for (const c of body.candlesticks) if (c.end_period_ts < end) expect(c).toMatchObject({ volume_fp: '0.00', price: {}, open_interest_fp: '0.00' });
      // the day candle agrees; end_ts before the period's end excludes it
      const dayEnd = Math.ceil(t0 / 86_400_000) * 86_400;
      const day = await get(`/series/KXBTCD/markets/${BTC}/candlesticks?start_ts=${dayEnd}&end_ts=${dayEnd}&period_interval=1440`);
      expect(day.candlesticks).toHaveLength(1);
      expect(day.candlesticks[0]).toMatchObject({ end_period_ts: dayEnd, volume_fp: '2005.00', price: { open_dollars: '0.2000', close_dollars: '0.1900' } });
      expect((await get(`/series/KXBTCD/markets/${BTC}/candlesticks?start_ts=${dayEnd - 86_400}&end_ts=${dayEnd - 1}&period_interval=1440`)).candlesticks).toEqual([]);
      // a range reaching far back and ahead is clipped to the market's history and the current period
      const wide = await get(`/series/KXBTCD/markets/${BTC}/candlesticks?start_ts=0&end_ts=4000000000&period_interval=1`);
      expect(wide.candlesticks.map((c: Json) => c.end_period_ts)).toEqual(body.candlesticks.map((c: Json) => c.end_period_ts));
    });

    it('GET /markets/candlesticks (batch): one entry per market in request order', async () => {
      const end = Math.ceil(t0 / 86_400_000) * 86_400;
      const body = await get(`/markets/candlesticks?market_tickers=${GSW},${BTC}&start_ts=${end}&end_ts=${end}&period_interval=1440`);
      const decoded = ok(decodeBatchCandlesticks(body));
      expect(decoded.markets.map((m) => m.marketTicker)).toEqual([GSW, BTC]);
      expect(body.markets[1].candlesticks[0]).toMatchObject({ volume_fp: '2005.00', open_interest_fp: '1995.00' });
      expect(body.markets[0].candlesticks[0]).toMatchObject({ volume_fp: '0.00', price: {} });
    });

    it('GET /markets/{ticker} carries the live fields: book, last price, volumes, open interest', async () => {
      const body = await get(`/markets/${BTC}`);
      const m = ok(decodeMarket(body));
      const book = ex.venue.books.get(BTC)!;
      expect(body.market).toMatchObject({
        ticker: BTC,
        status: 'active',
        result: '',
        yes_bid_dollars: formatPriceDollars(book.yesBidTicks),
        yes_bid_size_fp: formatSizeFp(book.yesBidSizeCentis),
        yes_ask_dollars: '0.2100',
        yes_ask_size_fp: '1253.96', // 1587.30 - 333.34
        no_bid_dollars: '0.7900',
        no_ask_dollars: formatPriceDollars(10_000 - book.yesBidTicks),
        last_price_dollars: '0.1900',
        volume_fp: '2005.00',
        volume_24h_fp: '2005.00',
        open_interest_fp: '1995.00',
        previous_price_dollars: '0.0000',
      });
      expect(m.yesAskTicks).toBe(2100);
      for (const legacy of ['yes_bid', 'yes_ask', 'no_bid', 'no_ask', 'last_price', 'volume', 'volume_24h', 'open_interest', 'liquidity', 'tick_size', 'response_price_units']) {
        expect(body.market).not.toHaveProperty(legacy);
      }
    });
  });

  describe('trade paging', () => {
    it('walks every trade exactly once, newest first, even when trades arrive while paging', async () => {
      for (let i = 0; i < 7; i++) await buy(GSW, 'yes', 4800, 100); // YES ask 0.48
      const expected = ex.venue.trades.filter((t) => t.marketTicker === GSW).map((t) => t.tradeId).reverse();
      expect(expected).toHaveLength(7);
      const seen: string[] = [];
      let cursor = '';
      let pages = 0;
      do {
        const body = await get(`/markets/trades?ticker=${GSW}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        ok(decodeTrades(body));
        expect(body.trades.length).toBeLessThanOrEqual(3);
        seen.push(...body.trades.map((t: Json) => t.trade_id));
        cursor = body.cursor;
        if (++pages === 1) await buy(GSW, 'yes', 4800, 100); // a newer trade: not on the later pages
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(expected);
      expect((await get(`/markets/trades?ticker=${GSW}&limit=1`)).trades[0].trade_id).toBe(ex.venue.trades[ex.venue.trades.length - 1].tradeId);
    });
  });

  describe('markets', () => {
    it('GET /markets pages through every market exactly once with limit=5', async () => {
      const seen: string[] = [];
      let cursor = '';
      do {
        const body = await get(`/markets?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        const page = ok(decodeMarketsList(body));
        expect(page.markets.length).toBeLessThanOrEqual(5);
        seen.push(...page.markets.map((m) => m.ticker));
        cursor = body.cursor;
      } while (cursor);
      expect(seen).toEqual([...ex.reference.markets.keys()]);
      expect(new Set(seen).size).toBe(ex.reference.markets.size);
    });

    it('GET /markets filters: tickers, event_ticker (comma list), series_ticker, mve_filter', async () => {
      const tickers = async (q: string) => ok(decodeMarketsList(await get(`/markets?${q}`))).markets.map((m) => m.ticker);
      expect(await tickers(`tickers=${BTC},${ELON}`)).toEqual([ELON, BTC]);
      expect(await tickers(`tickers=${BTC}&tickers=${ELON}`)).toEqual([ELON, BTC]);
      expect((await tickers('event_ticker=KXBTCD-26JUL0317,KXELONMARS-99')).sort()).toEqual([ELON, 'KXBTCD-26JUL0317-T60499.99', BTC].sort());
      expect((await tickers('series_ticker=KXNEXTTEAMNBA')).sort()).toEqual(['KXNEXTTEAMNBA-26LJAM-CLE', GSW, 'KXNEXTTEAMNBA-26LJAM-MIA']);
      const mve = await tickers('mve_filter=only');
      expect(mve).toHaveLength(5);
      expect(mve.every((t) => t.startsWith('KXMVE'))).toBe(true);
      expect(await tickers('mve_filter=exclude')).toHaveLength(ex.reference.markets.size - 5);
    });

    it('GET /markets/{ticker} serves the recording with live fields; inferred markets get defaults', async () => {
      const elon = (await get(`/markets/${ELON}`)).market;
      expect(elon).toMatchObject({
        title: 'Will Elon Musk visit Mars before Aug 1, 2099?',
        rules_primary: 'If Elon Musk visits Mars before the earlier of his death or Aug 1, 2099, then the market resolves to Yes.',
        close_time: '2099-08-01T04:59:00Z',
        settlement_timer_seconds: 1800, // recorded as the string "1800"; the SDK says number
        price_level_structure: 'linear_cent',
        price_ranges: [{ end: '1.0000', start: '0.0000', step: '0.0100' }],
        yes_bid_dollars: '0.0800',
        yes_bid_size_fp: '444.32',
        yes_ask_dollars: '0.1200',
        yes_ask_size_fp: '1967.33',
        last_price_dollars: '0.0000', // no trade on the mock yet (the recording's 0.10 is history from Kalshi)
        volume_fp: '0.00',
      });
      const mars = (await get(`/markets/${MARS}`)).market;
      expect(mars).toMatchObject({ price_level_structure: 'deci_cent', price_ranges: [{ end: '1.0000', start: '0.0000', step: '0.0010' }], yes_bid_dollars: '0.0000', yes_ask_dollars: '1.0000' });
      const inferred = (await get(`/markets/${BTC}`)).market;
      expect(inferred).toMatchObject({ event_ticker: 'KXBTCD-26JUL0317', market_type: 'binary', strike_type: 'greater', floor_strike: 60999.99, close_time: '2099-12-31T00:00:00Z', expiration_value: '' });
    });

    it('market lifecycle: closed, determined (result), finalized (settlement) — status filters follow', async () => {
      const statusOf = async () => (await get(`/markets/${MARS}`)).market;
      const inFilter = async (s: string) => ok(decodeMarketsList(await get(`/markets?status=${s}&limit=1000`))).markets.some((m) => m.ticker === MARS);
      expect(await inFilter('open')).toBe(true);
      expect((await ex.venue.closeMarket(MARS)).ok).toBe(true);
      const closed = await statusOf();
      expect(closed).toMatchObject({ status: 'closed', result: '' });
      expect(Date.parse(closed.close_time)).toBeLessThanOrEqual(Date.now());
      expect([await inFilter('open'), await inFilter('closed'), await inFilter('settled')]).toEqual([false, true, false]);
      expect((await ex.venue.determineMarket(MARS, 'no')).ok).toBe(true);
      expect(await statusOf()).toMatchObject({ status: 'determined', result: 'no', settlement_value_dollars: '0.0000' });
      expect(await inFilter('closed')).toBe(true);
      expect((await ex.venue.settleMarket(MARS)).ok).toBe(true);
      const settled = await statusOf();
      expect(settled).toMatchObject({ status: 'finalized', result: 'no', settlement_value_dollars: '0.0000' });
      expect(Date.parse(settled.settlement_ts)).toBeGreaterThan(0);
      expect([await inFilter('closed'), await inFilter('settled')]).toEqual([false, true]);
      // time filters: closed just now; settled just now
      const now = Math.floor(Date.now() / 1000);
      const q = async (s: string) => ok(decodeMarketsList(await get(`/markets?${s}`))).markets.map((m) => m.ticker);
      expect(await q(`min_close_ts=${now - 60}&max_close_ts=${now + 60}`)).toEqual([MARS]);
      expect(await q(`status=settled&min_settled_ts=${now - 60}`)).toEqual([MARS]);
      expect(await q(`min_settled_ts=${now + 60}`)).toEqual([]);
    });

    it('GET /markets/{ticker}/orderbook: whole book and depth limits equal the venue book', async () => {
      const book = ex.venue.books.get(ELON)!;
      const full = await get(`/markets/${ELON}/orderbook`);
      expect(full.orderbook_fp).toEqual({ yes_dollars: fp(book.levels('yes')), no_dollars: fp(book.levels('no')) });
      expect(ok(decodeOrderbook(full)).yes).toEqual(book.levels('yes'));
      for (const d of [1, 2, 5]) {
        const body = await get(`/markets/${ELON}/orderbook?depth=${d}`);
        expect(body.orderbook_fp.yes_dollars).toEqual(fp(book.levels('yes').slice(-d)));
        expect(body.orderbook_fp.no_dollars).toEqual(fp(book.levels('no').slice(-d)));
      }
      expect((await get(`/markets/${ELON}/orderbook?depth=0`)).orderbook_fp).toEqual(full.orderbook_fp);
      expect((await get(`/markets/${ELON}/orderbook?depth=100`)).orderbook_fp).toEqual(full.orderbook_fp);
      expect((await get(`/markets/${ELON}/orderbook?depth=2`)).orderbook_fp.yes_dollars).toEqual([
        ['0.0700', '3195.84'],
        ['0.0800', '444.32'],
      ]);
      expect((await get(`/markets/${MARS}/orderbook`)).orderbook_fp).toEqual({ yes_dollars: [], no_dollars: [] });
    });

    it('GET /markets/orderbooks: one book per requested ticker, in order, comma list or repeated parameter', async () => {
      const a = await get(`/markets/orderbooks?tickers=${BTC},${ELON}`);
      const b = await get(`/markets/orderbooks?tickers=${BTC}&tickers=${ELON}`);
      expect(a).toEqual(b);
      expect(a.orderbooks.map((o: Json) => o.ticker)).toEqual([BTC, ELON]);
      expect(a.orderbooks[1].orderbook_fp).toEqual((await get(`/markets/${ELON}/orderbook`)).orderbook_fp);
      expect(ok(decodeOrderbook({ orderbook_fp: a.orderbooks[0].orderbook_fp })).no).toEqual(ex.venue.books.get(BTC)!.levels('no'));
    });
  });

  describe('events, series, exchange', () => {
    it('GET /events: recorded template, settlement_sources, nesting, paging, status filter, milestones', async () => {
      const plain = await get('/events');
      const page = ok(decodeEventsList(plain));
      expect(page.events.map((e) => e.eventTicker)).toEqual([...ex.reference.events.keys()]);
      const elon = plain.events.find((e: Json) => e.event_ticker === ELON);
      expect(elon).toEqual({
        event_ticker: ELON,
        series_ticker: 'KXELONMARS',
        sub_title: 'Before 2099',
        title: 'Will Elon Musk visit Mars in his lifetime?',
        collateral_return_type: '',
        mutually_exclusive: false,
        category: 'World',
        strike_period: '',
        settlement_sources: [],
        available_on_brokers: false,
      });
      expect(plain).not.toHaveProperty('milestones');
      const nested = await get('/events?with_nested_markets=true&with_milestones=true&series_ticker=KXNEXTTEAMNBA');
      expect(nested.milestones).toEqual([]);
      expect(nested.events).toHaveLength(1);
      expect(nested.events[0].markets.map((m: Json) => m.ticker).sort()).toEqual(['KXNEXTTEAMNBA-26LJAM-CLE', GSW, 'KXNEXTTEAMNBA-26LJAM-MIA']);
      const seen: string[] = [];
      let cursor = '';
      do {
        const body = await get(`/events?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        seen.push(...body.events.map((e: Json) => e.event_ticker));
        cursor = body.cursor;
      } while (cursor);
      expect(seen).toEqual([...ex.reference.events.keys()]);
      expect((await get('/events?status=settled')).events.map((e: Json) => e.event_ticker)).toEqual([MARS]);
      expect((await get('/events?status=open')).events.map((e: Json) => e.event_ticker)).not.toContain(MARS);
      expect((await get(`/events?tickers=${ELON},KXBTCD-26JUL0317`)).events.map((e: Json) => e.event_ticker)).toEqual([ELON, 'KXBTCD-26JUL0317']);
    });

    it('GET /events/{event}: {event, markets}; with_nested_markets nests them too', async () => {
      const body = await get('/events/KXBTCD-26JUL0317');
      expect(body.event).not.toHaveProperty('markets');
      expect(body.markets.map((m: Json) => m.ticker)).toEqual(['KXBTCD-26JUL0317-T60499.99', BTC]);
      expect(ok(decodeEvent(body)).markets!.map((m) => m.ticker)).toEqual(['KXBTCD-26JUL0317-T60499.99', BTC]);
      const nested = await get('/events/KXBTCD-26JUL0317?with_nested_markets=true');
      expect(nested.event.markets).toEqual(nested.markets);
      expect(nested.markets[1]).toMatchObject({ ticker: BTC, volume_fp: '2005.00' });
    });

    it('GET /series and /series/{ticker}: recordings with categories, filters, volume', async () => {
      const co2 = await get('/series/CO2');
      expect(co2.series).toMatchObject({ ticker: 'CO2', title: 'US CO2 totals', category: 'Climate and Weather', categories: ['Climate and Weather'], tags: ['Climate change'], fee_type: 'quadratic', fee_multiplier: 1 });
      expect(ok(decodeSeries(co2)).settlementSources).toEqual([{ name: 'Energy Information Administration', url: 'https://www.eia.gov/totalenergy/data/monthly/index.php' }]);
      const all = ok(decodeSeriesList(await get('/series')));
      expect(all.series.map((s) => s.ticker)).toEqual([...ex.reference.series.keys()]);
      const tagged = (await get('/series?tags=Climate%20change')).series.map((s: Json) => s.ticker);
      expect(tagged).toContain('CO2');
      expect(tagged.length).toBeLessThan(all.series.length);
      const world = (await get('/series?category=World')).series.map((s: Json) => s.ticker);
      expect(world).toEqual(['KXELONMARS']);
      expect((await get('/series/KXBTCD?include_volume=true')).series.volume_fp).toBe('2005.00');
      expect((await get('/series/KXBTCD')).series).not.toHaveProperty('volume_fp');
    });

    it('GET /exchange/status and /exchange/schedule', async () => {
      expect(await get('/exchange/status')).toEqual({ exchange_active: true, trading_active: true, exchange_estimated_resume_time: null });
      const sched = ok(decodeExchangeSchedule(await get('/exchange/schedule')));
      expect(sched.maintenanceWindows).toEqual([]);
      expect(sched.standardHours).toHaveLength(1);
      for (const day of Object.values(sched.standardHours[0].days)) expect(day).toEqual([{ openTime: '00:00', closeTime: '00:00' }]);
    });
  });

  describe('bad input', () => {
    const s = 1_700_000_000;
    const cases: Array<[string, string]> = [
      ['/markets?limit=0', 'limit'],
      ['/markets?limit=1001', 'limit'],
      ['/markets?status=active', 'status'],
      ['/markets?mve_filter=maybe', 'mve_filter'],
      ['/markets?min_close_ts=abc', 'min_close_ts'],
      [`/markets?min_created_ts=${s}&max_close_ts=${s}`, 'max_close_ts'],
      [`/markets?status=open&min_close_ts=${s}`, 'status'],
      [`/markets?min_updated_ts=${s}&status=open`, 'min_updated_ts'],
      [`/markets?min_updated_ts=${s}&series_ticker=KXBTCD`, 'mve_filter'],
      ['/markets?cursor=bm90LWEtY3Vyc29y', 'cursor'],
      [`/markets?cursor=${encodeCursor('events', 1)}`, 'cursor'],
      [`/markets/trades?cursor=${encodeCursor('markets', 0)}`, 'cursor'],
      [`/markets/trades?cursor=${encodeCursor('trades', 1_000_000)}`, 'cursor'],
      ['/markets/trades?limit=0', 'limit'],
      ['/markets/trades?limit=1001', 'limit'],
      ['/markets/trades?min_ts=-5', 'min_ts'],
      ['/markets/trades?min_ts=20&max_ts=10', 'max_ts'],
      ['/markets/trades?is_block_trade=1', 'is_block_trade'],
      ['/markets/trades?ticker=A&ticker=B', 'ticker'],
      ['/markets/orderbooks', 'tickers'],
      [`/markets/orderbooks?tickers=${Array.from({ length: 101 }, (_, i) => `M${i}`).join(',')}`, 'tickers'],
      [`/markets/${'KXELONMARS-99'}/orderbook?depth=-1`, 'depth'],
      ['/series/KXELONMARS/markets/KXELONMARS-99/candlesticks?end_ts=10&period_interval=60', 'start_ts'],
      ['/series/KXELONMARS/markets/KXELONMARS-99/candlesticks?start_ts=10&period_interval=60', 'end_ts'],
      ['/series/KXELONMARS/markets/KXELONMARS-99/candlesticks?start_ts=20&end_ts=10&period_interval=60', 'end_ts'],
      ['/series/KXELONMARS/markets/KXELONMARS-99/candlesticks?start_ts=10&end_ts=20', 'period_interval'],
      ['/series/KXELONMARS/markets/KXELONMARS-99/candlesticks?start_ts=10&end_ts=20&period_interval=5', 'period_interval'],
      ['/series/KXELONMARS/markets/KXELONMARS-99/candlesticks?start_ts=10&end_ts=20&period_interval=60&include_latest_before_start=yes', 'include_latest_before_start'],
      ['/markets/candlesticks?start_ts=10&end_ts=20&period_interval=60', 'market_tickers'],
      ['/events?limit=201', 'limit'],
      ['/events?status=paused', 'status'],
      ['/events?with_milestones=2', 'with_milestones'],
      ['/series?include_volume=yes', 'include_volume'],
      ['/series/CO2?include_volume=1', 'include_volume'],
    ];

    it.each(cases)('%s -> 400 naming %s', async (path, param) => {
      const { status, body } = await getJson(path);
      expect({ path, status }).toEqual({ path, status: 400 });
      const err = ok(decodeApiError(body)).error;
      expect(err.code).toBe('invalid_parameter');
      expect(err.message.startsWith(`${param}:`)).toBe(true);
    });

    it.each([
      ['/markets/NOPE-1', 'NOPE-1'],
      ['/markets/NOPE-1/orderbook', 'NOPE-1'],
      [`/markets/orderbooks?tickers=KXELONMARS-99,NOPE-2`, 'NOPE-2'],
      ['/series/KXELONMARS/markets/NOPE-3/candlesticks?start_ts=1&end_ts=2&period_interval=60', 'NOPE-3'],
      ['/series/NOPE/markets/KXELONMARS-99/candlesticks?start_ts=1&end_ts=2&period_interval=60', 'NOPE'],
      ['/markets/candlesticks?market_tickers=KXELONMARS-99,NOPE-4&start_ts=1&end_ts=2&period_interval=60', 'NOPE-4'],
      ['/events/NOPE-5', 'NOPE-5'],
      ['/series/NOPE6', 'NOPE6'],
    ])('%s -> 404 naming %s', async (path, what) => {
      const { status, body } = await getJson(path);
      expect({ path, status }).toEqual({ path, status: 404 });
      const err = ok(decodeApiError(body)).error;
      expect(err.code).toBe('not_found');
      expect(err.message).toContain(what);
    });
  });
});

describe('candlesticks over several periods (venue with a controlled clock)', () => {
  const M = 'KXTEST-1';
  // 1_800_000_000 s is a multiple of 60, 3600 and 86400/… (hour-aligned)
  const T0 = 1_800_000_000_000;
  let now = T0;
  let venue: Venue;
  let tape: MarketTape;
  const at = (s: number) => (now = T0 + s * 1000);
  const place = async (account: string, side: 'yes' | 'no', priceTicks: number, sizeCentis: number, postOnly = false) => {
    const r = await venue.placeOrder(account, { marketTicker: M, side, action: 'buy', priceTicks, sizeCentis, postOnly, timeInForce: postOnly ? 'good_till_canceled' : 'immediate_or_cancel' });
    if (!r.ok) throw new Error(r.message);
    return r;
  };

  beforeAll(async () => {
    venue = new Venue({ clock: () => now, expiryCheckMs: 0 });
    at(1);
    await venue.createMarket({ marketTicker: M });
    await venue.createAccount('maker', 10_000_000);
    await venue.createAccount('taker', 10_000_000);
    await place('maker', 'yes', 4000, 1000, true); // YES bid 0.40 x 10
    await place('maker', 'no', 5500, 1000, true); // NO bid 0.55 x 10 -> YES ask 0.45
    tape = new MarketTape({ mode: 'live', venue } as unknown as ExchangeState, T0 + 2000);
    // period (T0, T0+60s]
    at(10);
    await place('taker', 'yes', 4500, 300); // 3 at 0.45
    at(20);
    await place('taker', 'no', 6000, 200); // 2 at YES 0.40
    at(30);
    const bid = await place('maker', 'yes', 4200, 100, true); // YES bid 0.42
    // period (T0+60s, T0+120s]: nothing
    // period (T0+120s, T0+180s]
    at(150);
    expect((await venue.cancelOrder('maker', bid.ok ? bid.orderId : '')).ok).toBe(true); // YES bid back to 0.40
    at(170);
    await place('taker', 'yes', 4500, 100); // 1 at 0.45
  });
  afterAll(async () => {
    tape.close();
    await venue.close();
  });

  it('clips the requested range to the market history and now', () => {
    expect(candlePeriodEnds(T0 / 1000 - 3600, T0 / 1000 + 3600, 1, tape.startMs, now)).toEqual({ first: T0 / 1000 + 60, last: T0 / 1000 + 180 });
    expect(candlePeriodEnds(T0 / 1000 + 61, T0 / 1000 + 179, 1, tape.startMs, now)).toEqual({ first: T0 / 1000 + 120, last: T0 / 1000 + 120 });
  });

  it('minute candles: trades OHLC/VWAP, previous price in empty periods, open interest, top-of-book OHLC', () => {
    const e = T0 / 1000;
    const c = candlesticksJson(tape, M, 1, e + 60, e + 180);
    expect(c).toEqual([
      {
        end_period_ts: e + 60,
        open_interest_fp: '1.00', // taker +3 YES, then +2 NO: net 1 YES held
        price: { open_dollars: '0.4500', low_dollars: '0.4000', high_dollars: '0.4500', close_dollars: '0.4000', mean_dollars: '0.4300' },
        volume_fp: '5.00',
        yes_ask: { open_dollars: '0.4500', high_dollars: '0.4500', low_dollars: '0.4500', close_dollars: '0.4500' },
        yes_bid: { open_dollars: '0.4000', high_dollars: '0.4200', low_dollars: '0.4000', close_dollars: '0.4200' },
      },
      {
        end_period_ts: e + 120,
        open_interest_fp: '1.00',
        price: { previous_dollars: '0.4000' },
        volume_fp: '0.00',
        yes_ask: { open_dollars: '0.4500', high_dollars: '0.4500', low_dollars: '0.4500', close_dollars: '0.4500' },
        yes_bid: { open_dollars: '0.4200', high_dollars: '0.4200', low_dollars: '0.4200', close_dollars: '0.4200' },
      },
      {
        end_period_ts: e + 180,
        open_interest_fp: '2.00',
        price: { open_dollars: '0.4500', low_dollars: '0.4500', high_dollars: '0.4500', close_dollars: '0.4500', mean_dollars: '0.4500', previous_dollars: '0.4000' },
        volume_fp: '1.00',
        yes_ask: { open_dollars: '0.4500', high_dollars: '0.4500', low_dollars: '0.4500', close_dollars: '0.4500' },
        yes_bid: { open_dollars: '0.4200', high_dollars: '0.4200', low_dollars: '0.4000', close_dollars: '0.4000' },
      },
    ]);
    expect(venue.engine.getMarket(M)!.openInterestCentis).toBe(200);
  });

  it('hour candle aggregates the same trades and quotes', () => {
    const e = T0 / 1000 + 3600;
    expect(candlesticksJson(tape, M, 60, e, e)).toEqual([
      {
        end_period_ts: e,
        open_interest_fp: '2.00',
        // (0.45 x 3 + 0.40 x 2 + 0.45 x 1) / 6 = 0.43333
        price: { open_dollars: '0.4500', low_dollars: '0.4000', high_dollars: '0.4500', close_dollars: '0.4500', mean_dollars: '0.4333' },
        volume_fp: '6.00',
        yes_ask: { open_dollars: '0.4500', high_dollars: '0.4500', low_dollars: '0.4500', close_dollars: '0.4500' },
        yes_bid: { open_dollars: '0.4000', high_dollars: '0.4200', low_dollars: '0.4000', close_dollars: '0.4000' },
      },
    ]);
  });

  it('open interest drops to zero at settlement', async () => {
    at(200);
    expect((await venue.closeMarket(M)).ok).toBe(true);
    expect((await venue.determineMarket(M, 'yes')).ok).toBe(true);
    at(230);
    expect((await venue.settleMarket(M)).ok).toBe(true);
    expect(tape.openInterestAt(M, T0 + 229_000)).toBe(200);
    expect(tape.openInterestAt(M, T0 + 230_000)).toBe(0);
    expect(tape.statusTimesOf(M)).toEqual({ closedMs: T0 + 200_000, determinedMs: T0 + 200_000, settledMs: T0 + 230_000 });
  });
});
