/**
 * Our own platform against the live mock venue: ingestion subscribes over the signed WebSocket, two ticker-plant
 * shards rebuild the books from the venue's snapshots and deltas, while the demo account quotes through our signed
 * REST client (place, amend, cancel) and another account trades against the quotes. Oracle: once everything is quiet, every book the ticker
 * plant holds equals the venue's own book level for level. Ingestion also follows `trade` and `ticker` into an embedded
 * tick store: every venue trade is stored once, with its id, price, size and taker side.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExchange, type RunningExchange } from '@kalshi-platform/feature-exchange';
import { FeedService } from '@kalshi-platform/feature-ingestion';
import { KalshiRestClient, loadPrivateKey } from '@kalshi-platform/kalshi';
import { formatPriceDollars, formatSizeFp } from '@kalshi-platform/market';
import { DuckDbTickStore } from '@kalshi-platform/storage';
import { startPipeline, type Pipeline } from '../src/platform';
import { collectReport, waitForQuiescence } from '../src/report';

jest.setTimeout(90_000);

describe('platform pipeline on the live mock venue', () => {
  let ex: RunningExchange;
  let p: Pipeline;
  let dir: string;
  let ticks: DuckDbTickStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'live-venue-'));
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, rateLimits: false, credentialsOut: join(dir, 'c.json') });
    const c = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8'));
    ticks = await DuckDbTickStore.open({ path: join(dir, 'ticks.duckdb'), flushIntervalMs: 50 });
    p = await startPipeline({ restUrl: ex.restUrl, wsUrl: ex.wsUrl, credentials: { keyId: c.key_id, privateKeyPem: c.private_key_pem }, shards: 2, tickStore: ticks, extraChannels: ['trade', 'ticker'] });
    await p.ingestion.get(FeedService).start();
  });
  afterAll(async () => {
    await p?.close();
    await ticks?.close();
    await ex?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the ticker plant mirrors the venue exactly while demo quotes over signed REST and bob trades', async () => {
    const c = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8'));
    const client = new KalshiRestClient({ baseUrl: ex.restUrl, credentials: { keyId: c.key_id, privateKey: loadPrivateKey(c.private_key_pem) } });
    await ex.venue.createAccount('bob', 1_000_000_000);
    type OrderBody = { order: { order_id: string } };
    let previous: string[] = [];
    for (let i = 0; i < 8; i++) {
      // demo quotes both sides of two markets over signed REST, amends one quote and cancels the previous cycle's
      const placed: string[] = [];
      for (const [ticker, step] of [['KXCOLONIZEMARS-50', 10], ['KXELONMARS-99', 100]] as const) {
        const bid = await client.request<OrderBody>('POST', 'portfolio/orders', {}, { ticker, side: 'yes', action: 'buy', count: 5, yes_price_dollars: formatPriceDollars(900 + step * (i % 3)), client_order_id: `q${i}-${ticker}-b`, time_in_force: 'good_till_canceled', post_only: true });
        const ask = await client.request<OrderBody>('POST', 'portfolio/orders', {}, { ticker, side: 'no', action: 'buy', count: 5, no_price_dollars: formatPriceDollars(8700 - step * (i % 2)), client_order_id: `q${i}-${ticker}-a`, time_in_force: 'good_till_canceled', post_only: true });
        placed.push(bid.order.order_id, ask.order.order_id);
      }
      await client.request('POST', `portfolio/orders/${placed[0]}/amend`, {}, { ticker: 'KXCOLONIZEMARS-50', side: 'yes', action: 'buy', yes_price_dollars: formatPriceDollars(880), count: 7 });
      for (const id of previous) await client.request('DELETE', `portfolio/orders/${id}`);
      previous = placed;
      // bob lifts the best level of one side of KXELONMARS-99 (a trade every cycle)
      const b = ex.venue.books.get('KXELONMARS-99')!;
      const r = await ex.venue.placeOrder('bob', { marketTicker: 'KXELONMARS-99', side: i % 2 ? 'yes' : 'no', action: 'buy', priceTicks: i % 2 ? b.yesAskTicks : b.noAskTicks, sizeCentis: 100, timeInForce: 'immediate_or_cancel' });
      expect(r.ok && r.filledCentis).toBe(100);
    }
    await ex.venue.flush();
    expect(ex.venue.trades.length).toBeGreaterThanOrEqual(8);

    const status = await waitForQuiescence(p.bus, 2, { stableMs: 300, timeoutMs: 20_000 });
    const report = await collectReport(p.bus, 2, { capture: 'live venue', events: null }, status, 0);
    expect(report.stats.invalid_books).toEqual([]);
    const fmt = (ls: Array<[number, number]>) => ls.map(([px, sz]) => [formatPriceDollars(px), formatSizeFp(sz)]);
    const tickers = ex.venue.engine.marketTickers().sort();
    expect(Object.keys(report.books).sort()).toEqual(tickers);
    for (const t of tickers) {
      const v = ex.venue.books.get(t)!;
      expect({ t, book: report.books[t] }).toEqual({ t, book: { yes_dollars_fp: fmt(v.levels('yes')), no_dollars_fp: fmt(v.levels('no')) } });
    }

    // the trade channel went to kalshi_trades: each venue trade once, as the venue has it (Kalshi trade ids are UUIDs)
    await ticks.flush();
    const stored = await ticks.query('SELECT trade_id::VARCHAR AS id, market_ticker, yes_price_ticks, count_centis, taker_side FROM kalshi_trades ORDER BY id');
    const venue = ex.venue.trades.map((t) => ({ id: t.tradeId, market_ticker: t.marketTicker, yes_price_ticks: BigInt(t.yesPriceTicks), count_centis: BigInt(t.sizeCentis), taker_side: t.takerSide }));
    expect(stored).toEqual(venue.sort((a, b) => (a.id < b.id ? -1 : 1)));
    expect(ticks.stats).toMatchObject({ invalidRows: 0, droppedRows: 0, rejectedRows: 0 });
    expect(await ticks.countRows('kalshi_ticker')).toBeGreaterThan(0);
    expect(await ticks.countRows('kalshi_orderbook_deltas')).toBeGreaterThan(0);
  });
});
