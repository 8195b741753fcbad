import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDbTickStore, duckDbTickColumns } from './duckdb-tick-store';
import { DUCKDB_TICK_SCHEMA_SQL, TICK_TABLE_KEYS, splitSqlStatements } from './duckdb-schema';
import { readParquetRowCount, readParquetRows, verifyParquetExport } from './parquet-read';
import { TICK_TABLES } from './tick-rows';
import type { OrderbookDeltaRow, TickRow, TickTable, TradeSignalRow } from './tick-rows';
import { ExportVerificationError } from './tick-store';

const DAY = '2026-07-01';
const DAY_MS = Date.UTC(2026, 6, 1);
const DAY_NS = BigInt(DAY_MS) * 1_000_000n;
const TRADE_ID = '7b0c1c9e-7d7a-4b8e-9c1e-0d1b2c3d4e5f';

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'duckdb-ticks-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

function delta(seq: number, ts: number | bigint = DAY_NS + BigInt(seq), priceTicks = 5600): OrderbookDeltaRow {
  return { table: 'kalshi_orderbook_deltas', marketTicker: 'KXBTCD-26JUL0317-T60499.99', side: 'yes', priceTicks, deltaCentis: -1250, seq, sid: 7, ts };
}

/** One row per table, on DAY, with a nanosecond-exact bigint ts where the test checks it. */
function oneOfEach(): TickRow[] {
  return [
    delta(1, DAY_NS + 123_456_789n),
    { table: 'kalshi_trades', tradeId: TRADE_ID, marketTicker: 'KXA', yesPriceTicks: 4700, countCentis: 2_000_000_000_000, takerSide: 'no', ts: DAY_NS + 1n },
    { table: 'kalshi_bbo', marketTicker: 'KXA', yesBidTicks: 2200, yesBidSizeCentis: 757575, yesAskTicks: null, yesAskSizeCentis: null, ts: DAY_MS + 5 },
    { table: 'kalshi_ticker', marketTicker: 'KXA', yesBidTicks: 2200, yesAskTicks: 2300, lastPriceTicks: null, volumeCentis: 9_007_199_254_740_991, openInterestCentis: 0, ts: DAY_MS + 6 },
    { table: 'kalshi_markets', marketTicker: 'KXA', eventTicker: 'KXEV', seriesTicker: null, status: 'open', title: "Will it 'rain'?", closeTs: DAY_MS + 86_400_123, ts: DAY_MS + 7 },
    { table: 'sportsbook_odds', eventId: 'ev1', sportKey: 'basketball_nba', bookmaker: 'draftkings', market: 'h2h', outcome: 'Golden State Warriors', priceAmerican: -110, commenceTs: DAY_MS + 3_600_000, ts: DAY_MS + 8 },
    {
      table: 'arb_opportunities',
      kind: 'basket_yes',
      episodeKey: 'basket_yes:KXEV',
      eventTicker: 'KXEV',
      change: 'opened',
      legs: '[{"market_ticker":"KXA","side":"yes","action":"buy","price_ticks":4500}]',
      maxGrossEdgeTicks: 100,
      maxNetEdgeTicks: 37,
      openedTs: DAY_MS + 9,
      ts: DAY_MS + 9,
    },
    { table: 'kalshi_orderbook_snapshots', marketTicker: 'KXA', side: 'no', priceTicks: 7800, sizeCentis: 9_007_199_254_740_991, seq: 1, sid: 7, ts: DAY_MS + 10 },
    {
      table: 'trade_signals',
      signalId: 'sbe1:KXA:yes:8300:1700000000000',
      kind: 'sportsbook_edge',
      leg: 0,
      marketTicker: 'KXA',
      eventTicker: 'KXEV',
      side: 'yes',
      action: 'buy',
      priceTicks: 8300,
      sizeCentis: 12_300,
      fairTicks: 8825.662251,
      grossEdgeTicks: 525.662251,
      netEdgeTicks: 426.662251,
      confidence: 0.5,
      expiresTs: DAY_MS + 30_011,
      reasons: '["consensus 0.8826 from 2 books","it\'s \\"quoted\\""]',
      source: '{"oddsEventId":"ev1","oddsObservedTsMs":1700000000000}',
      ts: DAY_MS + 11,
    },
  ];
}

async function open(opts: Partial<Parameters<typeof DuckDbTickStore.open>[0]> = {}): Promise<DuckDbTickStore> {
  return DuckDbTickStore.open({ path: path.join(tmp, 'db', 'ticks.duckdb'), flushIntervalMs: 0, ...opts });
}

describe('duckdb schema', () => {
  it('has the same tables, columns (in order) and keys as the QuestDB schema', () => {
    const questdb = readFileSync(path.join(__dirname, '../../sql/questdb-schema.sql'), 'utf8');
    for (const stmt of splitSqlStatements(questdb)) {
      const table = /CREATE TABLE IF NOT EXISTS (\w+)/.exec(stmt)![1] as TickTable;
      const body = stmt.slice(stmt.indexOf('(') + 1, stmt.indexOf(') TIMESTAMP(ts)'));
      const cols = body.split(',\n').map((l) => l.trim().split(/\s+/)[0]);
      expect(duckDbTickColumns(table)).toEqual(cols);
      const keys = /DEDUP UPSERT KEYS\(([^)]*)\)/.exec(stmt)![1].split(',').map((k) => k.trim());
      expect(TICK_TABLE_KEYS[table]).toEqual(keys);
      expect(DUCKDB_TICK_SCHEMA_SQL).toContain(`PRIMARY KEY (${keys.join(', ')})`);
    }
    expect(splitSqlStatements(DUCKDB_TICK_SCHEMA_SQL)).toHaveLength(TICK_TABLES.length);
  });
});

describe('DuckDbTickStore', () => {
  it('stores every table with exact values and the declared types', async () => {
    const store = await open();
    try {
      expect(store.backend).toBe('embedded');
      for (const row of oneOfEach()) expect(store.write(row)).toBe(true);
      await store.flush();
      expect(store.stats).toMatchObject({ rowsWritten: 9, invalidRows: 0, droppedRows: 0, rejectedRows: 0, buffered: 0 });

      const types = await store.query(
        `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' ORDER BY table_name, ordinal_position`,
      );
      const typeOf = (t: string, c: string) => types.find((r) => r.table_name === t && r.column_name === c)?.data_type;
      expect(typeOf('kalshi_orderbook_deltas', 'price_ticks')).toBe('BIGINT');
      expect(typeOf('kalshi_orderbook_deltas', 'ts')).toBe('TIMESTAMP_NS');
      expect(typeOf('kalshi_trades', 'trade_id')).toBe('UUID');
      expect(typeOf('kalshi_markets', 'close_ts')).toBe('TIMESTAMP');
      expect(typeOf('sportsbook_odds', 'commence_ts')).toBe('TIMESTAMP');
      expect(typeOf('kalshi_ticker', 'volume_centis')).toBe('BIGINT');
      expect(typeOf('trade_signals', 'fair_ticks')).toBe('DOUBLE');
      expect(typeOf('trade_signals', 'price_ticks')).toBe('BIGINT');
      expect(typeOf('trade_signals', 'expires_ts')).toBe('TIMESTAMP');
      for (const t of TICK_TABLES) expect(types.filter((r) => r.table_name === t).map((r) => r.column_name)).toEqual(duckDbTickColumns(t));

      expect(await store.query(`SELECT market_ticker, side, price_ticks, size_centis, seq, sid, epoch_ns(ts) AS ts FROM kalshi_orderbook_snapshots`)).toEqual([
        { market_ticker: 'KXA', side: 'no', price_ticks: 7800n, size_centis: 9_007_199_254_740_991n, seq: 1n, sid: 7n, ts: DAY_NS + 10_000_000n },
      ]);
      expect(await store.query(`SELECT market_ticker, side, price_ticks, delta_centis, seq, sid, epoch_ns(ts) AS ts FROM kalshi_orderbook_deltas`)).toEqual([
        { market_ticker: 'KXBTCD-26JUL0317-T60499.99', side: 'yes', price_ticks: 5600n, delta_centis: -1250n, seq: 1n, sid: 7n, ts: DAY_NS + 123_456_789n },
      ]);
      expect(await store.query(`SELECT market_ticker, taker_side, trade_id::VARCHAR AS trade_id, yes_price_ticks, count_centis, epoch_ns(ts) AS ts FROM kalshi_trades`)).toEqual([
        { market_ticker: 'KXA', taker_side: 'no', trade_id: TRADE_ID, yes_price_ticks: 4700n, count_centis: 2_000_000_000_000n, ts: DAY_NS + 1n },
      ]);
      expect(await store.query(`SELECT * EXCLUDE (ts), epoch_ns(ts) AS ts FROM kalshi_bbo`)).toEqual([
        { market_ticker: 'KXA', yes_bid_ticks: 2200n, yes_bid_size_centis: 757575n, yes_ask_ticks: null, yes_ask_size_centis: null, ts: DAY_NS + 5_000_000n },
      ]);
      expect(await store.query(`SELECT * EXCLUDE (ts), epoch_ns(ts) AS ts FROM kalshi_ticker`)).toEqual([
        { market_ticker: 'KXA', yes_bid_ticks: 2200n, yes_ask_ticks: 2300n, last_price_ticks: null, volume_centis: 9_007_199_254_740_991n, open_interest_centis: 0n, ts: DAY_NS + 6_000_000n },
      ]);
      expect(await store.query(`SELECT * EXCLUDE (ts, close_ts), epoch_ms(close_ts) AS close_ts, epoch_ns(ts) AS ts FROM kalshi_markets`)).toEqual([
        { market_ticker: 'KXA', event_ticker: 'KXEV', series_ticker: null, status: 'open', title: "Will it 'rain'?", close_ts: BigInt(DAY_MS + 86_400_123), ts: DAY_NS + 7_000_000n },
      ]);
      expect(await store.query(`SELECT * EXCLUDE (ts, commence_ts), epoch_ms(commence_ts) AS commence_ts, epoch_ns(ts) AS ts FROM sportsbook_odds`)).toEqual([
        { event_id: 'ev1', sport_key: 'basketball_nba', bookmaker: 'draftkings', market: 'h2h', outcome: 'Golden State Warriors', price_american: -110n, commence_ts: BigInt(DAY_MS + 3_600_000), ts: DAY_NS + 8_000_000n },
      ]);
      expect(await store.query(`SELECT * EXCLUDE (ts, opened_ts), epoch_ms(opened_ts) AS opened_ts, epoch_ns(ts) AS ts FROM arb_opportunities`)).toEqual([
        {
          kind: 'basket_yes',
          episode_key: 'basket_yes:KXEV',
          event_ticker: 'KXEV',
          change: 'opened',
          legs: '[{"market_ticker":"KXA","side":"yes","action":"buy","price_ticks":4500}]',
          max_gross_edge_ticks: 100n,
          max_net_edge_ticks: 37n,
          opened_ts: BigInt(DAY_MS + 9),
          ts: DAY_NS + 9_000_000n,
        },
      ]);
      expect(await store.query(`SELECT * EXCLUDE (ts, expires_ts), epoch_ms(expires_ts) AS expires_ts, epoch_ns(ts) AS ts FROM trade_signals`)).toEqual([
        {
          signal_id: 'sbe1:KXA:yes:8300:1700000000000',
          kind: 'sportsbook_edge',
          leg: 0n,
          market_ticker: 'KXA',
          event_ticker: 'KXEV',
          side: 'yes',
          action: 'buy',
          price_ticks: 8300n,
          size_centis: 12_300n,
          fair_ticks: 8825.662251,
          gross_edge_ticks: 525.662251,
          net_edge_ticks: 426.662251,
          confidence: 0.5,
          expires_ts: BigInt(DAY_MS + 30_011),
          reasons: '["consensus 0.8826 from 2 books","it\'s \\"quoted\\""]',
          source: '{"oddsEventId":"ev1","oddsObservedTsMs":1700000000000}',
          ts: DAY_NS + 11_000_000n,
        },
      ]);
      // an arbitrage leg: no fair value (NULL) and no source
      store.write({ ...(oneOfEach()[8] as TradeSignalRow), signalId: 'arb1:k:1', kind: 'basket_yes', leg: 1, fairTicks: null, source: null });
      await store.flush();
      expect(await store.query(`SELECT leg, fair_ticks, source FROM trade_signals WHERE signal_id = 'arb1:k:1'`)).toEqual([{ leg: 1n, fair_ticks: null, source: null }]);
    } finally {
      await store.close();
    }
  });

  it('stores one copy per natural key: a resend, a replay and duplicates inside a batch', async () => {
    const store = await open({ batchRows: 1000 });
    try {
      const rows = Array.from({ length: 50 }, (_, i) => delta(i));
      for (const r of rows) store.write(r);
      for (const r of rows.slice(0, 10)) store.write(r); // duplicates inside the same batch
      await store.flush();
      expect(await store.countRows('kalshi_orderbook_deltas')).toBe(50);
      for (const r of rows) store.write(r); // full replay: every key already stored
      store.write(delta(50)); // plus one new row in the same batch
      await store.flush();
      expect(await store.countRows('kalshi_orderbook_deltas')).toBe(51);
      for (const row of oneOfEach()) store.write(row);
      for (const row of oneOfEach()) store.write(row);
      await store.flush();
      for (const t of TICK_TABLES) expect(await store.countRows(t)).toBe(t === 'kalshi_orderbook_deltas' ? 52 : 1);
      expect(store.stats.rejectedRows).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('upserts: a re-written key replaces the other columns (last write wins, also inside one batch)', async () => {
    const store = await open();
    try {
      store.write(delta(1, DAY_NS, 5600));
      await store.flush();
      store.write(delta(1, DAY_NS, 5700));
      await store.flush();
      expect(await store.query('SELECT price_ticks FROM kalshi_orderbook_deltas')).toEqual([{ price_ticks: 5700n }]);
      store.write(delta(1, DAY_NS, 5800));
      store.write(delta(1, DAY_NS, 5900));
      await store.flush();
      expect(await store.query('SELECT price_ticks FROM kalshi_orderbook_deltas')).toEqual([{ price_ticks: 5900n }]);
      // a different sid is a different key
      store.write({ ...delta(1, DAY_NS, 6000), sid: 8 });
      await store.flush();
      expect(await store.countRows('kalshi_orderbook_deltas')).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('counts overflow (newest dropped), invalid rows and writes after close', async () => {
    const store = await open({ capacity: 3, batchRows: 100 });
    const accepted = [1, 2, 3, 4, 5].map((i) => store.write(delta(i)));
    expect(accepted).toEqual([true, true, true, false, false]);
    expect(store.stats).toMatchObject({ droppedRows: 2, buffered: 3 });
    expect(store.stats.lastError).toMatch(/buffer full/);

    const invalid: unknown[] = [
      delta(9, DAY_MS + 0.5),
      { ...delta(9), priceTicks: 56.5 },
      { ...delta(9), ts: -1 },
      { ...delta(9), marketTicker: '' },
      { table: 'kalshi_trades', tradeId: 'not-a-uuid', marketTicker: 'KXA', yesPriceTicks: 1, countCentis: 1, takerSide: 'yes', ts: DAY_MS },
      { ...delta(9), ts: 1n << 63n },
      { table: 'nope', ts: 1 },
    ];
    for (const row of invalid) expect(store.write(row as TickRow)).toBe(false);
    expect(store.stats.invalidRows).toBe(invalid.length);
    await store.flush();
    expect(await store.countRows('kalshi_orderbook_deltas')).toBe(3);
    await store.close();
    expect(store.write(delta(10))).toBe(false);
    expect(store.stats).toMatchObject({ rowsWritten: 3, droppedRows: 3, invalidRows: invalid.length, abandonedRows: 0 });
    await expect(store.countRows('kalshi_orderbook_deltas')).rejects.toThrow(/closed/);
  });

  it('flushes by row count and by interval without an explicit flush, and close() drains the rest', async () => {
    const store = await open({ batchRows: 10, flushIntervalMs: 20 });
    for (let i = 0; i < 25; i++) store.write(delta(i));
    const deadline = Date.now() + 5000;
    while (store.stats.rowsWritten < 25 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(store.stats.rowsWritten).toBe(25);
    store.write(delta(100));
    await store.close();
    expect(store.stats).toMatchObject({ rowsWritten: 26, buffered: 0, abandonedRows: 0 });
    const reopened = await open();
    expect(await reopened.countRows('kalshi_orderbook_deltas')).toBe(26);
    await reopened.close();
  });

  it('keeps its rows when a file-backed store is reopened', async () => {
    const store = await open();
    for (const row of oneOfEach()) store.write(row);
    await store.close();
    const again = await open();
    try {
      for (const t of TICK_TABLES) expect(await again.countRows(t)).toBe(1);
      expect(await again.query('SELECT epoch_ns(ts) AS ts FROM kalshi_orderbook_deltas')).toEqual([{ ts: DAY_NS + 123_456_789n }]);
    } finally {
      await again.close();
    }
  });

  it('counts rows per UTC day and refuses a bad day or table', async () => {
    const store = await open();
    try {
      store.write(delta(1, DAY_NS - 1n)); // last ns of the day before
      store.write(delta(2, DAY_NS)); // first ns of DAY
      store.write(delta(3, DAY_NS + 86_400_000_000_000n - 1n)); // last ns of DAY
      store.write(delta(4, DAY_NS + 86_400_000_000_000n)); // next day
      await store.flush();
      expect(await store.countRows('kalshi_orderbook_deltas', DAY)).toBe(2);
      expect(await store.countRows('kalshi_orderbook_deltas', '2026-06-30')).toBe(1);
      expect(await store.countRows('kalshi_orderbook_deltas')).toBe(4);
      expect(() => store.countRows('kalshi_orderbook_deltas', '2026-02-30')).toThrow(RangeError);
      expect(() => store.countRows('x; DROP TABLE kalshi_bbo' as TickTable)).toThrow(/unknown tick table/);
    } finally {
      await store.close();
    }
  });

  it('exports a day to Parquet verified by hyparquet, then drops only that day', async () => {
    const store = await open({ path: ':memory:' });
    try {
      for (const row of oneOfEach()) store.write(row);
      for (let i = 10; i < 1010; i++) store.write(delta(i, DAY_NS + BigInt(i) * 1_000_003n, 100 + i));
      store.write(delta(5000, DAY_NS - 1n)); // day before: not exported
      store.write(delta(5001, DAY_NS + 86_400_000_000_000n)); // day after: not exported
      store.write({ ...(oneOfEach()[1] as TickRow), ts: DAY_NS + 86_400_000_000_000n } as TickRow);
      await store.flush();

      const outDir = path.join(tmp, "it's exported"); // a single quote in the path must be escaped, not break SQL
      const files = await store.exportDay(DAY, outDir);
      expect(files.map((f) => f.table)).toEqual([...TICK_TABLES]);
      for (const f of files) {
        expect(f.path).toBe(path.join(outDir, f.table, `${DAY}.parquet`));
        expect(f.fileRows).toBe(f.storeRows);
        expect(f.storeRows).toBe(await store.countRows(f.table, DAY));
        expect(await readParquetRowCount(f.path)).toBe(f.storeRows);
        expect(f.bytes).toBe((await fs.stat(f.path)).size);
      }
      const file = (t: string) => files.find((f) => f.table === t)!;
      expect(file('kalshi_orderbook_deltas').storeRows).toBe(1001);

      const deltas = await readParquetRows(file('kalshi_orderbook_deltas').path);
      expect(deltas).toHaveLength(1001);
      expect(deltas.find((r) => r.seq === 1n)).toEqual({ market_ticker: 'KXBTCD-26JUL0317-T60499.99', side: 'yes', price_ticks: 5600n, delta_centis: -1250n, seq: 1n, sid: 7n, ts: DAY_NS + 123_456_789n });
      const others = deltas.filter((r) => r.seq !== 1n);
      expect(others.map((r) => [r.price_ticks, r.ts])).toEqual(Array.from({ length: 1000 }, (_, i) => [BigInt(110 + i), DAY_NS + BigInt(10 + i) * 1_000_003n]));
      expect(deltas.map((r) => r.ts as bigint).every((ts, i, all) => i === 0 || all[i - 1] <= ts)).toBe(true); // ORDER BY ts
      expect(deltas.every((r) => (r.ts as bigint) >= DAY_NS && (r.ts as bigint) < DAY_NS + 86_400_000_000_000n)).toBe(true);
      const trades = await readParquetRows(file('kalshi_trades').path);
      expect(trades).toEqual([{ market_ticker: 'KXA', taker_side: 'no', trade_id: TRADE_ID, yes_price_ticks: 4700n, count_centis: 2_000_000_000_000n, ts: DAY_NS + 1n }]);
      const markets = await readParquetRows(file('kalshi_markets').path);
      expect(markets[0]).toMatchObject({ series_ticker: null, title: "Will it 'rain'?", close_ts: BigInt(DAY_MS + 86_400_123) * 1_000_000n });

      // a day with nothing exports nothing
      expect(await store.exportDay('2026-01-01', outDir)).toEqual([]);

      await store.dropDay(DAY);
      for (const t of TICK_TABLES) expect(await store.countRows(t, DAY)).toBe(0);
      expect(await store.countRows('kalshi_orderbook_deltas')).toBe(2);
      expect(await store.countRows('kalshi_trades')).toBe(1);
      // the store keeps accepting writes for a dropped day (no stale staging or conflicts)
      store.write(delta(1, DAY_NS + 123_456_789n));
      await store.flush();
      expect(await store.countRows('kalshi_orderbook_deltas', DAY)).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('verification fails with ExportVerificationError on a truncated file or a count mismatch', async () => {
    const store = await open({ path: ':memory:' });
    try {
      for (let i = 0; i < 100; i++) store.write(delta(i));
      await store.flush();
      const [file] = await store.exportDay(DAY, tmp);
      expect(await verifyParquetExport('kalshi_orderbook_deltas', file.path, 100)).toBe(100);
      await expect(verifyParquetExport('kalshi_orderbook_deltas', file.path, 101)).rejects.toThrow(ExportVerificationError);

      const bytes = await fs.readFile(file.path);
      const truncated = path.join(tmp, 'truncated.parquet');
      await fs.writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
      const err = await verifyParquetExport('kalshi_orderbook_deltas', truncated, 100).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExportVerificationError);
      expect(err).toMatchObject({ table: 'kalshi_orderbook_deltas', path: truncated, storeRows: 100, fileRows: -1 });

      // corrupt data pages with an intact footer: decoding the column must fail, not just the footer count pass
      const corrupt = Buffer.from(bytes);
      for (let i = 4; i < Math.min(corrupt.length - 2000, 400); i++) corrupt[i] = 0xff;
      const corruptPath = path.join(tmp, 'corrupt.parquet');
      await fs.writeFile(corruptPath, corrupt);
      await expect(verifyParquetExport('kalshi_orderbook_deltas', corruptPath, 100)).rejects.toThrow(ExportVerificationError);
    } finally {
      await store.close();
    }
  });
});
