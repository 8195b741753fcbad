/**
 * SDK conformance of the mock exchange's public market data: every body, fetched over real HTTP from a live-mode
 * exchange (memory only) after some trading and a settlement, is checked against the official SDK's response model
 * (kalshi-typescript 3.30, read with the TypeScript compiler API by ./sdk-model-check) — every required property
 * present with its JSON type, no property of a wrong type, enum values among the enum's members — and decoded with
 * libs/kalshi's REST decoders. The checker itself is tested first, on hand-made and on recorded bodies.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  decodeBatchCandlesticks,
  decodeEvent,
  decodeEventsList,
  decodeExchangeSchedule,
  decodeExchangeStatus,
  decodeMarket,
  decodeMarketCandlesticks,
  decodeMarketsList,
  decodeOrderbook,
  decodeSeries,
  decodeSeriesList,
  decodeTrades,
  type DecodeResult,
} from '@kalshi-platform/kalshi';
import { startExchange, type RunningExchange } from '../src/exchange';
import { RawClient, startQuiet } from './harness';
import { checkAgainstSdkModel, sdkEnumValues, sdkModelProperties } from './sdk-model-check';

const EXCHANGE_DATA = resolve(__dirname, '../../../data/exchange');
const fixture = (p: string): unknown => {
  const j = JSON.parse(readFileSync(resolve(EXCHANGE_DATA, p), 'utf8')) as Record<string, unknown>;
  return 'response' in j ? j.response : j;
};

describe('sdk-model-check (the checker)', () => {
  it('reads the SDK models: required/optional properties and enums', () => {
    const market = sdkModelProperties('Market');
    const req = (n: string) => market.find((p) => p.name === n);
    expect(req('yes_bid_dollars')).toMatchObject({ optional: false, type: { kind: 'string' } });
    expect(req('title')).toMatchObject({ optional: true });
    expect(req('price_ranges')).toMatchObject({ optional: false, type: { kind: 'array', element: { kind: 'ref', name: 'PriceRange' } } });
    expect(req('status')).toMatchObject({ optional: false, type: { kind: 'ref', name: 'MarketStatusEnum' } });
    expect(sdkEnumValues('MarketStatusEnum')).toEqual(['initialized', 'inactive', 'active', 'closed', 'determined', 'disputed', 'amended', 'finalized']);
    expect(sdkEnumValues('BookSide')).toEqual(['bid', 'ask']);
    expect(() => sdkModelProperties('NoSuchModel')).toThrow(/NoSuchModel/);
    expect(() => checkAgainstSdkModel('NoSuchModel', {})).toThrow(/NoSuchModel/);
  });

  it('reports missing required properties, wrong JSON types, bad enum values and nulls, with their paths', () => {
    const good = { exchange_active: true, trading_active: false, exchange_estimated_resume_time: null };
    expect(checkAgainstSdkModel('ExchangeStatus', good)).toEqual([]);
    expect(checkAgainstSdkModel('ExchangeStatus', { exchange_active: 'true' })).toEqual([
      'exchange_active: expected boolean, got string "true"',
      'trading_active: required property missing (boolean)',
    ]);
    const trade = { trade_id: 't', ticker: 'X', count_fp: '1.00', yes_price_dollars: '0.4200', no_price_dollars: '0.5800', taker_outcome_side: 'yes', taker_book_side: 'bid', created_time: '2026-01-01T00:00:00Z', is_block_trade: false };
    expect(checkAgainstSdkModel('GetTradesResponse', { trades: [trade], cursor: '' })).toEqual([]);
    expect(checkAgainstSdkModel('GetTradesResponse', { trades: [{ ...trade, taker_book_side: 'buy', count_fp: 1 }, null], cursor: null })).toEqual([
      'trades[0].count_fp: expected string, got number 1',
      'trades[0].taker_book_side: "buy" is not a value of BookSide ("bid", "ask")',
      'trades[1]: expected Trade, got null',
      'cursor: expected string, got null',
    ]);
    // `Array<string> | null` admits null; a nested model's problems carry the full path
    const series = { ticker: 'S', frequency: 'daily', title: 'S', category: 'c', categories: [], tags: null, settlement_sources: null, contract_url: '', contract_terms_url: '', fee_type: 'quadratic', fee_multiplier: 1, additional_prohibitions: null };
    expect(checkAgainstSdkModel('GetSeriesResponse', { series })).toEqual([]);
    expect(checkAgainstSdkModel('GetSeriesResponse', { series: { ...series, categories: null, settlement_sources: [{ name: 3 }] } })).toEqual([
      'series.categories: expected string[], got null',
      'series.settlement_sources[0].name: expected string, got number 3',
    ]);
  });

  it('passes the recorded fixed-point bodies and flags the recorded legacy (pre-2026-03-12) trade body', () => {
    expect(checkAgainstSdkModel('GetTradesResponse', fixture('ccxt-kalshi-static-responses-2026-06/get_trades_KXELONMARS-99_limit3.json'))).toEqual([]);
    expect(checkAgainstSdkModel('GetMarketOrderbookResponse', fixture('ccxt-kalshi-static-responses-2026-06/get_market_orderbook_KXELONMARS-99.json'))).toEqual([]);
    expect(checkAgainstSdkModel('ExchangeStatus', fixture('kalshi-starter-golden-rest/exchange_status_response.json'))).toEqual([]);
    const legacy = checkAgainstSdkModel('GetTradesResponse', fixture('kalshi-starter-golden-rest/trades_list_response.json'));
    expect(legacy).toContain('trades[0].count_fp: required property missing (string)');
    expect(legacy).toContain('trades[0].taker_outcome_side: required property missing (TradeTakerOutcomeSideEnum)');
    // the ccxt capture sends settlement_timer_seconds as a string: the SDK says number
    expect(checkAgainstSdkModel('GetMarketResponse', fixture('ccxt-kalshi-static-responses-2026-06/get_market_KXELONMARS-99.json'))).toEqual([
      'market.settlement_timer_seconds: expected number, got string "1800"',
    ]);
  });
});

describe('mock exchange market data conforms to the SDK models (live mode)', () => {
  let ex: RunningExchange;
  const T = 'KXELONMARS-99';
  const SETTLED = 'KXCOLONIZEMARS-50';

  async function get(path: string): Promise<unknown> {
    const res = await fetch(`${ex.restUrl}${path}`);
    const body = (await res.json()) as unknown;
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return body;
  }

  /** Fetches `path`, checks it against `model` and decodes it with `decode`; returns the body. */
  async function conforms<T>(path: string, model: string, decode?: (b: unknown) => DecodeResult<T>): Promise<unknown> {
    const body = await get(path);
    expect({ path, problems: checkAgainstSdkModel(model, body) }).toEqual({ path, problems: [] });
    if (decode) {
      const r = decode(body);
      expect({ path, decoded: r.ok ? 'ok' : r.error.message }).toEqual({ path, decoded: 'ok' });
    }
    return body;
  }

  beforeAll(async () => {
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false });
    const v = ex.venue;
    // two trades on KXELONMARS-99 (YES ask 0.12, YES bid 0.08 in the seed book), and a bid posted then canceled
    expect((await v.placeOrder('demo', { marketTicker: T, side: 'yes', action: 'buy', priceTicks: 1200, sizeCentis: 1000, timeInForce: 'immediate_or_cancel' })).ok).toBe(true);
    expect((await v.placeOrder('demo', { marketTicker: T, side: 'no', action: 'buy', priceTicks: 9200, sizeCentis: 500, timeInForce: 'immediate_or_cancel' })).ok).toBe(true);
    const posted = await v.placeOrder('demo', { marketTicker: T, side: 'yes', action: 'buy', priceTicks: 1000, sizeCentis: 100, postOnly: true });
    expect(posted.ok).toBe(true);
    // a market through its whole life: closed, determined, settled
    expect((await v.closeMarket(SETTLED)).ok).toBe(true);
    expect((await v.determineMarket(SETTLED, 'yes')).ok).toBe(true);
    expect((await v.settleMarket(SETTLED)).ok).toBe(true);
    expect(ex.venue.trades.length).toBe(2);
  }, 30_000);

  afterAll(async () => {
    await ex.close();
  });

  it('GET /exchange/status and /exchange/schedule', async () => {
    const st = await conforms('/exchange/status', 'ExchangeStatus', decodeExchangeStatus);
    expect(st).toMatchObject({ exchange_active: true, trading_active: true });
    await conforms('/exchange/schedule', 'GetExchangeScheduleResponse', decodeExchangeSchedule);
  });

  it('GET /markets, /markets/{ticker} for every market (recorded, inferred, settled)', async () => {
    const list = (await conforms('/markets?limit=1000', 'GetMarketsResponse', decodeMarketsList)) as { markets: Array<{ ticker: string }> };
    expect(list.markets.length).toBe(ex.reference.markets.size);
    for (const t of ex.reference.markets.keys()) await conforms(`/markets/${encodeURIComponent(t)}`, 'GetMarketResponse', decodeMarket);
    const settled = (await get(`/markets/${SETTLED}`)) as { market: Record<string, unknown> };
    expect(settled.market).toMatchObject({ status: 'finalized', result: 'yes', settlement_value_dollars: '1.0000' });
    expect(typeof settled.market.settlement_ts).toBe('string');
    await conforms('/markets?status=settled', 'GetMarketsResponse', decodeMarketsList);
  });

  it('GET /markets/{ticker}/orderbook and the batch /markets/orderbooks', async () => {
    for (const t of ex.reference.markets.keys()) await conforms(`/markets/${encodeURIComponent(t)}/orderbook?depth=3`, 'GetMarketOrderbookResponse', decodeOrderbook);
    const tickers = [...ex.reference.markets.keys()];
    const batch = (await conforms(`/markets/orderbooks?tickers=${tickers.map(encodeURIComponent).join(',')}`, 'GetMarketOrderbooksResponse')) as {
      orderbooks: Array<{ ticker: string; orderbook_fp: unknown }>;
    };
    expect(batch.orderbooks.map((o) => o.ticker)).toEqual(tickers);
    for (const o of batch.orderbooks) expect(decodeOrderbook({ orderbook_fp: o.orderbook_fp }).ok).toBe(true);
  });

  it('GET /markets/trades', async () => {
    const body = (await conforms(`/markets/trades?ticker=${T}`, 'GetTradesResponse', decodeTrades)) as { trades: unknown[] };
    expect(body.trades.length).toBe(2);
  });

  it('GET /series/{s}/markets/{t}/candlesticks and the batch /markets/candlesticks, in every period size', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const p of [1, 60, 1440]) {
      const q = `start_ts=${now - 2 * 86_400}&end_ts=${now + 86_400}&period_interval=${p}`;
      const one = (await conforms(`/series/KXELONMARS/markets/${T}/candlesticks?${q}`, 'GetMarketCandlesticksResponse', decodeMarketCandlesticks)) as { candlesticks: unknown[] };
      expect(one.candlesticks.length).toBeGreaterThan(0);
      await conforms(`/markets/candlesticks?market_tickers=${T},${SETTLED},KXBTCD-26JUL0317-T60499.99&${q}`, 'BatchGetMarketCandlesticksResponse', decodeBatchCandlesticks);
    }
  });

  it('GET /events (plain, nested, with milestones) and /events/{event} for every event', async () => {
    await conforms('/events', 'GetEventsResponse', decodeEventsList);
    await conforms('/events?with_nested_markets=true&with_milestones=true', 'GetEventsResponse', decodeEventsList);
    await conforms('/events?status=settled', 'GetEventsResponse', decodeEventsList);
    for (const e of ex.reference.events.keys()) {
      await conforms(`/events/${encodeURIComponent(e)}`, 'GetEventResponse', decodeEvent);
      await conforms(`/events/${encodeURIComponent(e)}?with_nested_markets=true`, 'GetEventResponse', decodeEvent);
    }
  });

  it('GET /series (all, filtered, with volume) and /series/{series} for recorded and inferred series', async () => {
    const all = (await conforms('/series?include_volume=true', 'GetSeriesListResponse', decodeSeriesList)) as { series: unknown[] };
    expect(all.series.length).toBe(ex.reference.series.size);
    await conforms('/series?category=Climate%20and%20Weather&tags=Climate%20change', 'GetSeriesListResponse', decodeSeriesList);
    for (const s of ['CO2', 'KXLOWAUS', 'KXELONMARS', 'KXBTCD', 'KXMVENFLSINGLEGAME']) await conforms(`/series/${s}?include_volume=true`, 'GetSeriesResponse', decodeSeries);
  });
});

describe('mock exchange market data conforms to the SDK models (replay mode: inferred markets)', () => {
  let ex: RunningExchange;

  beforeAll(async () => {
    ex = await startQuiet();
    // the replay starts with the first subscription
    const c = await RawClient.connect(ex.wsUrl);
    c.send({ cmd: 'subscribe', params: { channels: ['orderbook_delta'] } });
    await ex.replay!.whenDone();
    c.close();
  }, 30_000);
  afterAll(async () => {
    await ex.close();
  });

  it('markets, events, series, order books, trades (none) and candlesticks (none)', async () => {
    const check = async (path: string, model: string) => {
      const res = await fetch(`${ex.restUrl}${path}`);
      const body = (await res.json()) as Record<string, unknown>;
      expect({ path, status: res.status, problems: checkAgainstSdkModel(model, body) }).toEqual({ path, status: 200, problems: [] });
      return body;
    };
    const list = await check('/markets?limit=1000', 'GetMarketsResponse');
    expect(decodeMarketsList(list).ok).toBe(true);
    const tickers = [...ex.reference.markets.keys()];
    for (const t of tickers) await check(`/markets/${encodeURIComponent(t)}`, 'GetMarketResponse');
    await check(`/markets/orderbooks?tickers=${tickers.map(encodeURIComponent).join(',')}`, 'GetMarketOrderbooksResponse');
    await check('/events?with_nested_markets=true', 'GetEventsResponse');
    for (const e of ex.reference.events.keys()) await check(`/events/${encodeURIComponent(e)}`, 'GetEventResponse');
    await check('/series', 'GetSeriesListResponse');
    expect(await check('/markets/trades', 'GetTradesResponse')).toEqual({ trades: [], cursor: '' });
    const m = ex.reference.markets.get(tickers[0])!;
    const c = await check(`/series/${m.seriesTicker}/markets/${encodeURIComponent(m.ticker)}/candlesticks?start_ts=0&end_ts=4000000000&period_interval=60`, 'GetMarketCandlesticksResponse');
    expect(c.candlesticks).toEqual([]);
  });
});
