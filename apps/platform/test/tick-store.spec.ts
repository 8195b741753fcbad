/**
 * The main job writes through the tick store and the hot cache (issue #4): ingestion stores every delta and the
 * market list, the ticker plant every BBO change (and the latest BBO in Redis), detection every episode change. The
 * snapshots and deltas in the store alone rebuild the oracle's final books.
 * Checked against independent oracles: the capture file itself (parsed here with JSON.parse, not our decoder) and
 * the derived final books. Real DuckDB file, real Redis on loopback.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDbTickStore, RedisHotCache, type TickStoreConfig } from '@kalshi-platform/storage';
import { runPlatform } from '../src/platform';
import { CAPTURE, ORACLE } from './oracle';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const quiet = { logLevels: [] as never[] };
const EVENTS = resolve(__dirname, 'fixtures/events-demo-capture-handmade.json');

/** "0.7400" -> 7400, "-1.84" -> -184: decimal strings to integers by digit manipulation (no floats). */
function fixedToInt(text: string, decimals: number): bigint {
  const neg = text.startsWith('-');
  const [int, frac = ''] = (neg ? text.slice(1) : text).split('.');
  const v = BigInt(int + frac.padEnd(decimals, '0').slice(0, decimals));
  return neg ? -v : v;
}

/**
 * Every delta of the capture as `ticker|side|priceTicks|deltaCentis|tsMs`, straight from the JSON. (sid and seq are
 * the live session's: the mock numbers its own subscription as Kalshi does, so they differ from the recording's.)
 */
function captureDeltas(): string[] {
  const out: string[] = [];
  for (const line of readFileSync(CAPTURE, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const f = JSON.parse(line) as { type: string; sid: number; seq: number; msg: Record<string, string | number> };
    if (f.type !== 'orderbook_delta') continue;
    const m = f.msg;
    out.push([m.market_ticker, m.side, fixedToInt(String(m.price_dollars), 4), fixedToInt(String(m.delta_fp), 2), m.ts_ms].join('|'));
  }
  return out.sort();
}

describe('npm start writes through the tick store and the hot cache', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'platform-ticks-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores every delta exactly once, the BBO history ending at the oracle, the markets and the basket episode; a second run adds nothing', async () => {
    const tickStore: TickStoreConfig = { backend: 'embedded', path: join(dir, 'ticks.duckdb'), questdbAddr: 'localhost:9000' };
    const keyPrefix = `kp-test-${process.pid}-${Date.now()}:`;
    const run = () => runPlatform({ capturePath: CAPTURE, eventsPath: EVENTS, speed: 'max', dropFrames: 0, seed: 1, shards: 2, tickStore, hotCache: { redisUrl: REDIS_URL, keyPrefix }, ...quiet });

    const first = await run();
    expect(first.storage).toMatchObject({ backend: 'embedded', rows_refused: 0, dropped: 0, invalid: 0, rejected: 0 });
    const tables = first.storage!.tables;
    expect(tables.kalshi_orderbook_deltas).toBe(2885);
    expect(tables.kalshi_markets).toBe(Object.keys(ORACLE).length);
    expect(tables.arb_opportunities).toBe(1);
    expect(tables.kalshi_bbo).toBeGreaterThan(100);

    const second = await run();
    expect(second.storage!.tables).toEqual(tables);

    const store = await DuckDbTickStore.open({ path: tickStore.path });
    const cache = new RedisHotCache({ redisUrl: REDIS_URL, keyPrefix });
    try {
      // deltas: exactly the capture's, value for value, each with its own (sid, seq) of the session
      const stored = await store.query(`SELECT market_ticker, sid, seq, side, price_ticks, delta_centis, epoch_ms(ts) AS ts_ms FROM kalshi_orderbook_deltas`);
      expect(stored.map((r) => [r.market_ticker, r.side, r.price_ticks, r.delta_centis, r.ts_ms].join('|')).sort()).toEqual(captureDeltas());
      expect(new Set(stored.map((r) => `${r.sid}|${r.seq}`)).size).toBe(2885);

      // the store alone rebuilds every final book exactly: each market's last snapshot plus the deltas after it
      const rebuilt = await store.query(`
        WITH snap AS (SELECT market_ticker, sid, max(seq) AS seq FROM kalshi_orderbook_snapshots GROUP BY market_ticker, sid),
        levels AS (
          SELECT s.market_ticker, s.side, s.price_ticks, s.size_centis AS q FROM kalshi_orderbook_snapshots s JOIN snap USING (market_ticker, sid, seq)
          UNION ALL
          SELECT d.market_ticker, d.side, d.price_ticks, d.delta_centis FROM kalshi_orderbook_deltas d
            JOIN snap n ON d.market_ticker = n.market_ticker AND d.sid = n.sid AND d.seq > n.seq
        )
        SELECT market_ticker, side, price_ticks, sum(q) AS size FROM levels GROUP BY ALL HAVING sum(q) > 0 ORDER BY ALL`);
      const books: Record<string, { yes: Array<[bigint, bigint]>; no: Array<[bigint, bigint]> }> = {};
      for (const r of rebuilt) {
        const b = (books[r.market_ticker as string] ??= { yes: [], no: [] });
        b[r.side as 'yes' | 'no'].push([r.price_ticks as bigint, BigInt(r.size as bigint)]);
      }
      const level = ([p, q]: [string, string]): [bigint, bigint] => [fixedToInt(p, 4), fixedToInt(q, 2)];
      expect(books).toEqual(Object.fromEntries(Object.entries(ORACLE).map(([t, o]) => [t, { yes: o.yes_dollars_fp.map(level), no: o.no_dollars_fp.map(level) }])));

      // no row without an exchange time (Kalshi snapshots carry none): nothing before the capture's first frame
      const [range] = await store.query(`SELECT min(epoch_ms(ts)) AS lo FROM kalshi_bbo`);
      expect(Number(range.lo)).toBeGreaterThanOrEqual(1782873105308);

      // the last stored BBO of every market and the cached latest BBO are the oracle's final top of book
      for (const [ticker, o] of Object.entries(ORACLE)) {
        const [last] = await store.query(`SELECT yes_bid_ticks, yes_ask_ticks FROM kalshi_bbo WHERE market_ticker = '${ticker}' ORDER BY ts DESC LIMIT 1`);
        expect({ ticker, bid: last.yes_bid_ticks, ask: last.yes_ask_ticks }).toEqual({ ticker, bid: fixedToInt(o.best_yes_bid, 4), ask: fixedToInt(o.implied_yes_ask, 4) });
        const cached = await cache.getBbo(ticker);
        expect({ ticker, bid: cached?.yesBidTicks, ask: cached?.yesAskTicks }).toEqual({ ticker, bid: Number(fixedToInt(o.best_yes_bid, 4)), ask: Number(fixedToInt(o.implied_yes_ask, 4)) });
      }

      // the basket episode, with the edges the report gives (gross 0.0900, net 0.0491) and its legs at the asks
      const [arb] = await store.query(`SELECT kind, event_ticker, change, legs, max_gross_edge_ticks, max_net_edge_ticks, epoch_ms(opened_ts) AS opened FROM arb_opportunities`);
      expect(arb).toMatchObject({ kind: 'basket_yes', event_ticker: 'KXNEXTTEAMNBA-26LJAM', change: 'opened', max_gross_edge_ticks: 900n, max_net_edge_ticks: 491n });
      expect(Number(arb.opened)).toBeGreaterThan(0);
      expect(JSON.parse(arb.legs as string).map((l: { price_ticks: number }) => l.price_ticks)).toEqual([2600, 4800, 1700]);
    } finally {
      await store.close();
      await cache.close();
    }
  });
});
