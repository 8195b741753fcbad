/**
 * QuestDbAdmin against a loopback stand-in (FakeQuestDb with /exec and /exp handlers): no real QuestDB here.
 * The stand-in keeps rows in memory, answers the few statements the admin sends the way QuestDB documents
 * them, and builds /exp Parquet bodies with DuckDB using the requested `compression_codec`.
 */
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { splitSqlStatements } from './duckdb-schema';
import { FakeQuestDb } from './fake-questdb';
import type { FakeQuestDbReply } from './fake-questdb';
import { readParquetRows } from './parquet-read';
import { QUESTDB_SCHEMA_PATH, QuestDbAdmin } from './questdb-admin';
import { TICK_TABLES } from './tick-rows';
import type { TickTable } from './tick-rows';
import { ExportVerificationError } from './tick-store';

const DAY = '2026-07-01';
const DAY_NS = BigInt(Date.UTC(2026, 6, 1)) * 1_000_000n;
const NS_PER_DAY = 86_400_000_000_000n;

type Row = { market_ticker: string; side: string; price_ticks: bigint; delta_centis: bigint; seq: bigint; sid: bigint; ts: bigint };

/** The in-memory "SQL engine" behind the fake: only kalshi_orderbook_deltas holds rows. */
class MiniQuestDb {
  created: string[] = [];
  rows: Row[] = [];
  exec: string[] = [];
  exp: URLSearchParams[] = [];
  /** Rows /exp leaves out (to simulate a file that does not match the count). */
  expDropRows = 0;

  dayOf(ts: bigint): string {
    return new Date(Number(ts / 1_000_000n)).toISOString().slice(0, 10);
  }

  select(table: string, day: string | undefined): Row[] {
    if (table !== 'kalshi_orderbook_deltas') return [];
    return this.rows.filter((r) => day === undefined || this.dayOf(r.ts) === day);
  }

  onExec = (query: string): FakeQuestDbReply => {
    this.exec.push(query);
    let m: RegExpExecArray | null;
    if ((m = /^CREATE TABLE IF NOT EXISTS (\w+) \(/.exec(query))) {
      this.created.push(m[1]);
      return { status: 200, body: { ddl: 'OK' } };
    }
    if ((m = /^SELECT count\(\) FROM (\w+)(?: WHERE ts IN '(\d{4}-\d{2}-\d{2})')?$/.exec(query))) {
      if (!this.created.includes(m[1])) return { status: 400, body: { query, error: `table does not exist [table=${m[1]}]`, position: 21 } };
      return { status: 200, body: { query, columns: [{ name: 'count', type: 'LONG' }], timestamp: -1, dataset: [[this.select(m[1], m[2]).length]], count: 1 } };
    }
    if ((m = /^ALTER TABLE (\w+) DROP PARTITION LIST '(\d{4}-\d{2}-\d{2})'$/.exec(query))) {
      const before = this.rows.length;
      this.rows = this.rows.filter((r) => m![1] !== 'kalshi_orderbook_deltas' || this.dayOf(r.ts) !== m![2]);
      if (before === this.rows.length) return { status: 400, body: { query, error: 'could not remove partition', position: 0 } };
      return { status: 200, body: { ddl: 'OK' } };
    }
    return { status: 400, body: { query, error: 'unexpected statement in test', position: 0 } };
  };

  onExp = async (query: string, params: URLSearchParams): Promise<FakeQuestDbReply> => {
    this.exp.push(params);
    const m = /^SELECT \* FROM (\w+) WHERE ts IN '(\d{4}-\d{2}-\d{2})'$/.exec(query);
    if (!m || params.get('fmt') !== 'parquet') return { status: 400, body: { query, error: 'unexpected export', position: 0 } };
    const rows = this.select(m[1], m[2]).slice(this.expDropRows);
    const codec = (params.get('compression_codec') ?? 'LZ4_RAW').toLowerCase();
    const values = rows
      .map((r) => `('${r.market_ticker}', '${r.side}', ${r.price_ticks}::BIGINT, ${r.delta_centis}::BIGINT, ${r.seq}::BIGINT, ${r.sid}::BIGINT, make_timestamp_ns(${r.ts}))`)
      .join(', ');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fake-exp-'));
    const file = path.join(dir, 'out.parquet');
    const db = await DuckDBInstance.create(':memory:');
    try {
      const c = await db.connect();
      await c.run(
        `COPY (SELECT * FROM (VALUES ${values}) t(market_ticker, side, price_ticks, delta_centis, seq, sid, ts) ORDER BY ts) ` +
          `TO '${file}' (FORMAT parquet, COMPRESSION ${codec === 'uncompressed' ? 'uncompressed' : codec})`,
      );
      c.closeSync();
      return { status: 200, body: await fs.readFile(file), contentType: 'application/vnd.apache.parquet' };
    } finally {
      db.closeSync();
      await fs.rm(dir, { recursive: true, force: true });
    }
  };
}

let server: FakeQuestDb;
let mini: MiniQuestDb;
let tmp: string;

beforeEach(async () => {
  server = new FakeQuestDb();
  mini = new MiniQuestDb();
  server.onExec = mini.onExec;
  server.onExp = mini.onExp;
  await server.start();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'questdb-admin-'));
});
afterEach(async () => {
  await server.stop();
  await fs.rm(tmp, { recursive: true, force: true });
});

const admin = (extra: Partial<ConstructorParameters<typeof QuestDbAdmin>[0]> = {}) =>
  new QuestDbAdmin({ addr: `127.0.0.1:${server.port}`, requestTimeoutMs: 10_000, ...extra });

function seed(day: bigint, n: number, seq0 = 0): void {
  for (let i = 0; i < n; i++) {
    mini.rows.push({ market_ticker: 'KXA', side: i % 2 ? 'yes' : 'no', price_ticks: BigInt(5600 + i), delta_centis: -1250n, seq: BigInt(seq0 + i), sid: 7n, ts: day + BigInt(i) * 1_000_001n });
  }
}

describe('QuestDbAdmin (loopback stand-in, no real QuestDB)', () => {
  it('ensureSchema runs every statement of libs/storage/sql/questdb-schema.sql, read at runtime', async () => {
    const a = admin();
    expect(await a.ensureSchema()).toEqual([...TICK_TABLES]);
    const sql = readFileSync(path.join(__dirname, '../../sql/questdb-schema.sql'), 'utf8');
    expect(QUESTDB_SCHEMA_PATH).toBe(path.join(__dirname, '../../sql/questdb-schema.sql'));
    expect(mini.exec).toEqual(splitSqlStatements(sql));
    expect(mini.created).toEqual([...TICK_TABLES]);
    expect(mini.exec[1]).toMatch(/^CREATE TABLE IF NOT EXISTS kalshi_orderbook_deltas[^]*DEDUP UPSERT KEYS\(ts, market_ticker, sid, seq\)$/);
    expect(server.urls[0]).toMatch(/^GET \/exec\?query=CREATE%20TABLE%20IF%20NOT%20EXISTS%20kalshi_orderbook_snapshots/);
  });

  it('counts rows (all, or one UTC day via ts IN) and refuses bad input before sending anything', async () => {
    const a = admin();
    await a.ensureSchema();
    seed(DAY_NS, 5);
    seed(DAY_NS + NS_PER_DAY, 3, 100);
    mini.exec = [];
    expect(await a.countRows('kalshi_orderbook_deltas')).toBe(8);
    expect(await a.countRows('kalshi_orderbook_deltas', DAY)).toBe(5);
    expect(await a.countRows('kalshi_trades', DAY)).toBe(0);
    expect(mini.exec).toEqual([
      'SELECT count() FROM kalshi_orderbook_deltas',
      `SELECT count() FROM kalshi_orderbook_deltas WHERE ts IN '${DAY}'`,
      `SELECT count() FROM kalshi_trades WHERE ts IN '${DAY}'`,
    ]);
    await expect(a.countRows('kalshi_bbo', "2026-07-01' OR 1=1 --")).rejects.toThrow(RangeError);
    await expect(a.countRows('bobby; DROP TABLE x' as TickTable)).rejects.toThrow(/unknown tick table/);
    expect(mini.exec).toHaveLength(3);
  });

  it('turns /exec errors into an Error naming the statement, and never leaks credentials', async () => {
    const a = admin({ username: 'admin', password: 's3cret-pw' });
    const err = (await a.countRows('kalshi_bbo').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('QuestDB /exec of "SELECT count() FROM kalshi_bbo" failed: HTTP 400: table does not exist [table=kalshi_bbo]');
    expect(err.message).not.toMatch(/s3cret|admin:/);
    expect(server.headers[0].authorization).toBe(`Basic ${Buffer.from('admin:s3cret-pw').toString('base64')}`);

    const withToken = admin({ token: 'tok-123' });
    server.onExec = () => ({ status: 200, body: { error: 'boom inside a 200', query: 'x' } });
    await expect(withToken.exec('SELECT 1')).rejects.toThrow('QuestDB /exec of "SELECT 1" failed: HTTP 200: boom inside a 200');
    expect(server.headers.at(-1)!.authorization).toBe('Bearer tok-123');
    server.onExec = () => ({ status: 503, body: 'down for maintenance', contentType: 'text/plain' });
    await expect(withToken.exec('SELECT 1')).rejects.toThrow('HTTP 503: down for maintenance');

    await server.stop();
    await expect(withToken.exec('SELECT 2')).rejects.toThrow(/^QuestDB \/exec of "SELECT 2" failed: fetch failed \([A-Z_]+\)$/);
  });

  it('exports a day as snappy Parquet verified by hyparquet, then drops only that day', async () => {
    const a = admin({ token: 'tok' });
    await a.ensureSchema();
    seed(DAY_NS - NS_PER_DAY, 2, 900); // day before
    seed(DAY_NS, 250);
    seed(DAY_NS + NS_PER_DAY, 3, 1000); // day after
    const files = await a.exportDay(DAY, tmp);
    expect(files).toHaveLength(1);
    const [f] = files;
    expect(f).toMatchObject({ table: 'kalshi_orderbook_deltas', path: path.join(tmp, 'kalshi_orderbook_deltas', `${DAY}.parquet`), storeRows: 250, fileRows: 250 });
    expect(f.bytes).toBe((await fs.stat(f.path)).size);
    await expect(fs.stat(`${f.path}.part`)).rejects.toThrow();
    expect(mini.exp).toHaveLength(1);
    expect(mini.exp[0].get('compression_codec')).toBe('SNAPPY');
    expect(mini.exp[0].get('query')).toBe(`SELECT * FROM kalshi_orderbook_deltas WHERE ts IN '${DAY}'`);
    const rows = await readParquetRows(f.path);
    expect(rows[0]).toEqual({ market_ticker: 'KXA', side: 'no', price_ticks: 5600n, delta_centis: -1250n, seq: 0n, sid: 7n, ts: DAY_NS });
    expect(rows.map((r) => r.price_ticks)).toEqual(Array.from({ length: 250 }, (_, i) => BigInt(5600 + i)));
    expect(rows.every((r) => (r.ts as bigint) >= DAY_NS && (r.ts as bigint) < DAY_NS + NS_PER_DAY)).toBe(true);

    mini.exec = [];
    await a.dropDay(DAY);
    expect(mini.exec.filter((q) => q.startsWith('ALTER'))).toEqual([`ALTER TABLE kalshi_orderbook_deltas DROP PARTITION LIST '${DAY}'`]);
    expect(await a.countRows('kalshi_orderbook_deltas', DAY)).toBe(0);
    expect(await a.countRows('kalshi_orderbook_deltas')).toBe(5);
    await a.close();
    await expect(a.countRows('kalshi_orderbook_deltas')).rejects.toThrow(/closed/);
  });

  it('fails verification when the file does not match the count or cannot be decoded (LZ4_RAW)', async () => {
    const a = admin();
    await a.ensureSchema();
    seed(DAY_NS, 20);
    mini.expDropRows = 1;
    const err = await a.exportDay(DAY, tmp).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportVerificationError);
    expect(err).toMatchObject({ storeRows: 20, fileRows: 19 });

    mini.expDropRows = 0;
    const lz4 = admin({ exportCodec: 'LZ4_RAW' });
    const err2 = await lz4.exportDay(DAY, tmp).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(ExportVerificationError);
    expect((err2 as Error).message).toMatch(/unreadable: .*LZ4_RAW/i);

    server.onExp = () => ({ status: 400, body: { query: 'q', error: 'parquet export requires a read-write instance', position: 0 } });
    await expect(a.exportDay(DAY, tmp)).rejects.toThrow(
      `QuestDB /exp of "SELECT * FROM kalshi_orderbook_deltas WHERE ts IN '${DAY}'" failed: HTTP 400: parquet export requires a read-write instance`,
    );
  });

  it('refuses an addr that is not host:port', () => {
    expect(() => new QuestDbAdmin({ addr: 'http://localhost:9000' })).toThrow(/host:port/);
  });
});
