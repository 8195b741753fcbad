/**
 * The data tools end to end on real stores (issue #4): `record` a live session from the mock exchange over loopback
 * -> `replay --to embedded` into a DuckDB file (twice: no duplicates) -> `export --day --format parquet` read back by
 * an independent reader (hyparquet) -> `--drop`; and `schema` creating the tick tables and migrating real PostgreSQL.
 * Oracles are the recorded lines and the original capture, parsed here with JSON.parse (not the platform decoder).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Client } from 'pg';
import { startExchange, type RunningExchange } from '@kalshi-platform/feature-exchange';
import { DuckDbTickStore, readParquetRows } from '@kalshi-platform/storage';
import { runRecorder } from '../src/commands/record';
import { runReplay } from '../src/commands/replay';

const ROOT = resolve(__dirname, '../../..');
const CAPTURE = resolve(ROOT, 'data/samples/kalshi-demo-ws-capture-2026-07-01/ws_session_orderbook_delta_fill.jsonl');
const CLI = join(ROOT, 'bin', 'kalshi-platform.cjs');
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** "0.7400" -> 7400n, "-1.84" -> -184n by digits (no floats). */
function fixedToInt(text: string, decimals: number): bigint {
  const neg = text.startsWith('-');
  const [int, frac = ''] = (neg ? text.slice(1) : text).split('.');
  const v = BigInt(int + frac.padEnd(decimals, '0').slice(0, decimals));
  return neg ? -v : v;
}

interface RawFrame {
  type: string;
  sid: number;
  seq: number;
  msg: Record<string, string | number>;
}

/** `ticker|side|price|delta|tsMs` (+ `|sid|seq` when `withSeq`) of every delta line. */
function deltaKeys(lines: string[], withSeq: boolean): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    const f = JSON.parse(line) as RawFrame;
    if (f.type !== 'orderbook_delta') continue;
    const m = f.msg;
    const k = [m.market_ticker, m.side, fixedToInt(String(m.price_dollars), 4), fixedToInt(String(m.delta_fp), 2), m.ts_ms];
    out.push((withSeq ? [...k, f.sid, f.seq] : k).join('|'));
  }
  return out.sort();
}

const storedKeys = (rows: Array<Record<string, unknown>>, withSeq: boolean): string[] =>
  rows
    .map((r) => {
      const k = [r.market_ticker, r.side, r.price_ticks, r.delta_centis, r.ts_ms];
      return (withSeq ? [...k, r.sid, r.seq] : k).join('|');
    })
    .sort();

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...env }, timeout: 90_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('record -> replay --to embedded -> export parquet', () => {
  let dir: string;
  let ex: RunningExchange;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'store-roundtrip-'));
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'replay', capturePath: CAPTURE, logger: false, credentialsOut: join(dir, 'creds.json'), speed: 'max' });
  });
  afterAll(async () => {
    await ex.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('round trip: the store holds exactly the recorded deltas, once, after two replays; the export reads back equal and --drop empties the day', async () => {
    const j = JSON.parse(readFileSync(join(dir, 'creds.json'), 'utf8'));
    const rec = await runRecorder({ outDir: join(dir, 'rec'), wsUrl: ex.wsUrl, channels: ['orderbook_delta'], credentials: { keyId: j.key_id, privateKeyPem: j.private_key_pem }, statusIntervalMs: 0, log: () => undefined });
    await rec.whenSubscribed();
    await ex.replay!.whenDone();
    const deadline = Date.now() + 20_000;
    while (rec.stats.frames < ex.gateway.stats.framesSent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const stats = await rec.stop();
    expect(stats.files.length).toBe(1);
    const recorded = gunzipSync(readFileSync(stats.files[0])).toString('utf8').split('\n');
    // the recording carries the session's own sid/seq; its delta contents are the original capture's
    expect(deltaKeys(recorded, false)).toEqual(deltaKeys(readFileSync(CAPTURE, 'utf8').split('\n'), false));

    const path = join(dir, 'ticks.duckdb');
    const first = await runReplay({ capture: stats.files[0], to: 'embedded', tickStorePath: path, log: () => undefined });
    expect(first).toMatchObject({ gzip: true, malformed: 0, undecodable: 0, dropped: 0, invalid: 0, rejected: 0, abandoned: 0, untimestamped: 0 });
    expect(first.rows.kalshi_orderbook_snapshots).toBeGreaterThan(100);
    expect(first.rowsWritten).toBe(2885 + first.rows.kalshi_orderbook_snapshots);
    const second = await runReplay({ capture: stats.files[0], to: 'embedded', tickStorePath: path, log: () => undefined });
    expect(second.rows.kalshi_orderbook_deltas).toBe(2885);

    const store = await DuckDbTickStore.open({ path });
    try {
      expect(await store.countRows('kalshi_orderbook_deltas')).toBe(2885);
      const rows = await store.query('SELECT market_ticker, side, price_ticks, delta_centis, epoch_ms(ts) AS ts_ms, sid, seq FROM kalshi_orderbook_deltas');
      expect(storedKeys(rows, true)).toEqual(deltaKeys(recorded, true));
    } finally {
      await store.close();
    }

    // export through the real CLI process, then read the file with hyparquet (not DuckDB)
    const out = join(dir, 'exports');
    const e1 = cli(['export', '--day', '2026-07-01', '--format', 'parquet', '--tick-store-path', path, '--out', out], dir);
    expect({ status: e1.status, stderr: e1.stderr }).toEqual({ status: 0, stderr: '' });
    expect(e1.stdout).toContain('kalshi_orderbook_deltas');
    const file = join(out, 'kalshi_orderbook_deltas', '2026-07-01.parquet');
    const parquet = await readParquetRows(file);
    expect(parquet.length).toBe(2885);
    const fromFile = parquet.map((r) => ({ ...r, ts_ms: (r.ts as bigint) / 1_000_000n }));
    expect(storedKeys(fromFile, true)).toEqual(deltaKeys(recorded, true));

    // a day with no rows exports nothing; --drop removes the day only after verification
    const e0 = cli(['export', '--day', '2026-06-30', '--tick-store-path', path, '--out', out], dir);
    expect(e0.status).toBe(0);
    expect(e0.stdout).toContain('0 file(s)');
    const e2 = cli(['export', '--day', '2026-07-01', '--tick-store-path', path, '--out', join(dir, 'exports2'), '--drop'], dir);
    expect(e2.status).toBe(0);
    expect(e2.stdout).toContain('dropped 2026-07-01 from the store (0 row(s) of that day left)');
    const after = await DuckDbTickStore.open({ path });
    try {
      expect(await after.countRows('kalshi_orderbook_deltas')).toBe(0);
    } finally {
      await after.close();
    }
    expect((await readParquetRows(join(dir, 'exports2', 'kalshi_orderbook_deltas', '2026-07-01.parquet'))).length).toBe(2885);

    // bad input names the flag and exits 2
    const bad = cli(['export', '--day', '2026-02-30', '--tick-store-path', path], dir);
    expect({ status: bad.status, stderr: bad.stderr }).toEqual({ status: 2, stderr: expect.stringContaining('--day') });
  }, 120_000);
});

describe('schema', () => {
  let dir: string;
  const schema = `kp_schema_${process.pid}_${Date.now()}`;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'schema-cli-'));
  });
  afterAll(async () => {
    const c = new Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the nine tick tables and migrates PostgreSQL; a second run changes nothing', async () => {
    const path = join(dir, 'ticks.duckdb');
    const args = ['schema', '--tick-store', 'embedded', '--tick-store-path', path, '--database-url', PG_URL, '--schema', schema];
    const a = cli(args, dir);
    expect({ status: a.status, stderr: a.stderr }).toEqual({ status: 0, stderr: '' });
    expect(a.stdout).toContain('9 table(s) present');
    expect(a.stdout).toContain('applied 4');
    expect(existsSync(path)).toBe(true);
    const b = cli(args, dir);
    expect(b.status).toBe(0);
    expect(b.stdout).toContain('nothing to apply, up to date');

    const c = new Client({ connectionString: PG_URL });
    await c.connect();
    try {
      const t = await c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema]);
      expect(t.rows.map((r) => r.table_name)).toEqual(['audit_log', 'events', 'fills', 'markets', 'migrations', 'orders', 'positions', 'risk_limits', 'signals']);
    } finally {
      await c.end();
    }
    const store = await DuckDbTickStore.open({ path });
    try {
      const tables = await store.query(`SELECT table_name FROM information_schema.tables ORDER BY 1`);
      expect(tables.map((r) => r.table_name)).toEqual(['arb_opportunities', 'kalshi_bbo', 'kalshi_markets', 'kalshi_orderbook_deltas', 'kalshi_orderbook_snapshots', 'kalshi_ticker', 'kalshi_trades', 'sportsbook_odds', 'trade_signals']);
    } finally {
      await store.close();
    }

    const off = cli(['schema', '--tick-store', 'off'], dir);
    expect({ status: off.status, stderr: off.stderr }).toEqual({ status: 2, stderr: expect.stringContaining('--tick-store off') });
  }, 120_000);
});
