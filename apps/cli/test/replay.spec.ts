/**
 * `kalshi-platform replay` against a local ILP-over-HTTP listener (POST /write -> 204, lines recorded): the real demo
 * capture (2,898 frames) gives exactly one delta row per `orderbook_delta` frame (counted here independently of the
 * decoder), malformed / undecodable lines are counted and skipped, two replays send identical lines (so QuestDB's
 * DEDUP UPSERT KEYS make the second a no-op), a gzip capture gives the same lines. (`--to embedded`: store-roundtrip.spec.ts)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FakeQuestDb, frameToRow, rfc3339ToNs } from '@kalshi-platform/storage';
import { replayOptionsFromFlags, ReplayArgError, runReplay, type ReplaySummary } from '../src/commands/replay';

const REPO = join(__dirname, '..', '..', '..');
const SAMPLE = join(REPO, 'data', 'samples', 'kalshi-demo-ws-capture-2026-07-01', 'ws_session_orderbook_delta_fill.jsonl');
const CLI = join(REPO, 'bin', 'kalshi-platform.cjs');


interface RawDelta {
  type: string;
  sid: number;
  seq: number;
  msg: { market_ticker: string; side: string; price_dollars: string; delta_fp: string; ts_ms: number };
}

/** The capture's frames, parsed here without the platform decoder. */
const sampleFrames = (): Array<{ type: string }> =>
  readFileSync(SAMPLE, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as { type: string });

/** Independent expectation of the ILP line of one fixed-point delta frame. */
function expectedDeltaLine(f: RawDelta): string {
  const [pi, pf = ''] = f.msg.price_dollars.split('.');
  const price = Number(pi) * 10_000 + Number(pf.padEnd(4, '0'));
  const neg = f.msg.delta_fp.startsWith('-');
  const [di, df = ''] = f.msg.delta_fp.replace('-', '').split('.');
  const delta = (neg ? -1 : 1) * (Number(di) * 100 + Number(df.padEnd(2, '0')));
  return (
    `kalshi_orderbook_deltas,market_ticker=${f.msg.market_ticker},side=${f.msg.side} ` +
    `price_ticks=${price}i,delta_centis=${delta}i,seq=${f.seq}i,sid=${f.sid}i ${BigInt(f.msg.ts_ms) * 1_000_000n}`
  );
}

const deltaLines = (lines: string[]): string[] => lines.filter((l) => l.startsWith('kalshi_orderbook_deltas,'));
const snapshotLines = (lines: string[]): string[] => lines.filter((l) => l.startsWith('kalshi_orderbook_snapshots,'));

const fixedInt = (text: string, decimals: number): number => {
  const [i, f = ''] = text.split('.');
  return Number(i) * 10 ** decimals + Number(f.padEnd(decimals, '0'));
};

/**
 * Independent expectation of the snapshot level lines: one per level (YES then NO), stamped with the last delta
 * `ts_ms` before the snapshot, or the first one after it when none came before.
 */
function expectedSnapshotLines(raw: Array<{ type: string; sid?: number; seq?: number; msg?: Record<string, unknown> }>): string[] {
  const out: string[] = [];
  let held: Array<(tsNs: bigint) => string> = [];
  let lastNs: bigint | null = null;
  for (const f of raw) {
    if (f.type === 'orderbook_snapshot') {
      const m = f.msg as { market_ticker: string; yes_dollars_fp?: string[][]; no_dollars_fp?: string[][] };
      for (const [side, levels] of [['yes', m.yes_dollars_fp ?? []], ['no', m.no_dollars_fp ?? []]] as const) {
        for (const [px, sz] of levels) {
          const line = (tsNs: bigint) =>
            `kalshi_orderbook_snapshots,market_ticker=${m.market_ticker},side=${side} price_ticks=${fixedInt(px, 4)}i,size_centis=${fixedInt(sz, 2)}i,seq=${f.seq}i,sid=${f.sid}i ${tsNs}`;
          if (lastNs === null) held.push(line);
          else out.push(line(lastNs));
        }
      }
    } else if (f.type === 'orderbook_delta') {
      lastNs = BigInt((f.msg as { ts_ms: number }).ts_ms) * 1_000_000n;
      for (const h of held) out.push(h(lastNs));
      held = [];
    }
  }
  return out;
}

describe('replay', () => {
  let db: FakeQuestDb;
  let dir: string;
  let frames: Array<{ type: string }>;
  let expectedDeltas: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'replay-'));
    db = new FakeQuestDb();
    await db.start();
    frames = sampleFrames();
    expectedDeltas = frames.filter((f) => f.type === 'orderbook_delta').length;
  });
  afterAll(async () => {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => db.reset());

  const replay = (capture: string): Promise<ReplaySummary> => runReplay({ capture, questdbAddr: `127.0.0.1:${db.port}`, batchRows: 500, log: () => undefined });

  it('real demo capture: one row per orderbook_delta frame, exact lines, snapshots and other frames counted', async () => {
    expect(frames.length).toBe(2898);
    expect(expectedDeltas).toBe(2885);
    const r = await replay(SAMPLE);
    const lines = deltaLines(db.lines);
    expect(lines.length).toBe(expectedDeltas);
    expect(lines).toEqual((frames.filter((f) => f.type === 'orderbook_delta') as RawDelta[]).map(expectedDeltaLine));
    const snaps = expectedSnapshotLines(frames);
    expect(snaps.length).toBeGreaterThan(100);
    expect(snapshotLines(db.lines)).toEqual(snaps);
    expect(db.lines.length).toBe(expectedDeltas + snaps.length); // no trade / ticker frames in this capture
    expect(r).toMatchObject({
      gzip: false,
      lines: 2898,
      frames: 2898,
      malformed: 0,
      undecodable: 0,
      snapshots: 5,
      untimestamped: 0,
      rows: { kalshi_orderbook_snapshots: snaps.length, kalshi_orderbook_deltas: expectedDeltas, kalshi_trades: 0, kalshi_ticker: 0 },
      dropped: 0,
      invalid: 0,
      rejected: 0,
      abandoned: 0,
      rowsWritten: expectedDeltas + snaps.length,
    });
    expect(r.frameTypes).toEqual({ orderbook_delta: 2885, orderbook_snapshot: 5, ok: 4, subscribed: 2, fill: 2 });
    // dedup key (ts, market_ticker, sid, seq) is unique per row
    const keys = new Set(lines.map((l) => `${l.split(' ')[0]}|${/seq=(\d+)i,sid=(\d+)i/.exec(l)?.slice(1).join('|')}|${l.split(' ')[2]}`));
    expect(keys.size).toBe(expectedDeltas);
  }, 30_000);

  it('counts and skips malformed and undecodable lines; maps trade and ticker frames', async () => {
    const extra = [
      '{"type":"orderbook_delta","sid":1,"seq":9', // torn line
      'not json at all',
      '[1,2,3]',
      '{"type":"no_such_frame","sid":1,"msg":{}}',
      '{"type":"orderbook_delta","sid":1,"seq":99999,"msg":{"market_ticker":"M","side":"yes","price_dollars":"1.5000","delta_fp":"1.00","ts_ms":1}}',
      '{"type":"orderbook_delta","sid":7,"seq":1,"msg":{"market_ticker":"M","side":"no","price":42,"delta":3}}', // no timestamp
      '{"type":"orderbook_delta","sid":7,"seq":2,"msg":{"market_ticker":"M","side":"no","price_dollars":"0.4200","delta_fp":"-2.50","ts":"2026-07-01T02:31:45.308599Z"}}',
      '{"type":"trade","sid":2,"seq":1,"msg":{"trade_id":"d91bc706-ee49-470d-82d8-11418bda6fed","market_ticker":"M","yes_price_dollars":"0.0800","no_price_dollars":"0.9200","count_fp":"9.40","taker_side":"no","ts":1,"ts_ms":1500}}',
      '{"type":"ticker","sid":3,"msg":{"market_ticker":"M","price_dollars":"0.1000","yes_bid_dollars":"0.0900","yes_ask_dollars":"0.1100","volume_fp":"12.00","ts_ms":1782873105308}}',
    ];
    const sample = readFileSync(SAMPLE, 'utf8');
    const cut = sample.indexOf('\n', sample.length / 2) + 1;
    const file = join(dir, 'dirty.jsonl');
    writeFileSync(file, sample.slice(0, cut) + extra.slice(0, 5).join('\n') + '\n\r\n' + sample.slice(cut) + extra.slice(5).join('\r\n') + '\n');
    const r = await replay(file);
    const snapshotRows = expectedSnapshotLines(frames).length;
    expect(r).toMatchObject({
      lines: 2898 + extra.length,
      frames: 2898 + 4,
      malformed: 3,
      undecodable: 2,
      untimestamped: 1,
      rows: { kalshi_orderbook_snapshots: snapshotRows, kalshi_orderbook_deltas: expectedDeltas + 1, kalshi_trades: 1, kalshi_ticker: 1 },
      rowsWritten: snapshotRows + expectedDeltas + 3,
      dropped: 0,
    });
    expect(db.lines).toContain('kalshi_orderbook_deltas,market_ticker=M,side=no price_ticks=4200i,delta_centis=-250i,seq=2i,sid=7i 1782873105308599000');
    expect(db.lines).toContain('kalshi_trades,market_ticker=M,taker_side=no trade_id="d91bc706-ee49-470d-82d8-11418bda6fed",yes_price_ticks=800i,count_centis=940i 1500000000');
    expect(db.lines).toContain('kalshi_ticker,market_ticker=M yes_bid_ticks=900i,yes_ask_ticks=1100i,last_price_ticks=1000i,volume_centis=1200i 1782873105308000000');
  }, 30_000);

  it('replaying twice sends identical lines (deterministic timestamps: QuestDB dedup makes the second a no-op)', async () => {
    await replay(SAMPLE);
    const first = db.lines.slice();
    db.reset();
    await replay(SAMPLE);
    const second = db.lines.slice();
    expect(second.length).toBe(expectedDeltas + expectedSnapshotLines(frames).length);
    expect(second).toEqual(first);
    expect(new Set(second)).toEqual(new Set(first));
  }, 30_000);

  it('a gzip capture (by extension, or by magic bytes alone) gives the same lines', async () => {
    await replay(SAMPLE);
    const plain = db.lines.slice();
    const gz = gzipSync(readFileSync(SAMPLE));
    const byExt = join(dir, 'capture.jsonl.gz');
    const byMagic = join(dir, 'capture.bin');
    writeFileSync(byExt, gz);
    writeFileSync(byMagic, gz);
    for (const f of [byExt, byMagic]) {
      db.reset();
      const r = await replay(f);
      expect(r).toMatchObject({ gzip: true, frames: 2898, malformed: 0, rowsWritten: expectedDeltas + expectedSnapshotLines(frames).length });
      expect(db.lines).toEqual(plain);
    }
    // two concatenated gzip members (as `record` appends an hour file) read through
    const half = readFileSync(SAMPLE, 'utf8').split('\n');
    const members = join(dir, 'members.jsonl.gz');
    writeFileSync(members, Buffer.concat([gzipSync(half.slice(0, 1000).join('\n') + '\n'), gzipSync(half.slice(1000).join('\n'))]));
    db.reset();
    await replay(members);
    expect(db.lines).toEqual(plain);
  }, 30_000);

  it('deterministic row mapping helpers', () => {
    expect(rfc3339ToNs('2026-07-01T02:31:45.308599Z')).toBe(1782873105308599000n);
    expect(rfc3339ToNs('2026-07-01T04:31:45.3+02:00')).toBe(1782873105300000000n);
    expect(rfc3339ToNs('yesterday')).toBeNull();
    expect(frameToRow({ type: 'ok', id: 1 })).toBeNull();
  });

  it('options: --to chooses the store, flags win over QUESTDB_ADDR / TICK_STORE_PATH, bad values name the flag', () => {
    expect(replayOptionsFromFlags({ capture: SAMPLE, to: 'embedded' }, {})).toEqual({ capture: SAMPLE, to: 'embedded', tickStorePath: 'data/ticks.duckdb' });
    expect(replayOptionsFromFlags({ capture: SAMPLE, to: 'embedded' }, { TICK_STORE_PATH: 'env.duckdb' }).tickStorePath).toBe('env.duckdb');
    expect(replayOptionsFromFlags({ capture: SAMPLE, to: 'embedded', tickStorePath: 'flag.duckdb' }, { TICK_STORE_PATH: 'env.duckdb' }).tickStorePath).toBe('flag.duckdb');
    expect(() => replayOptionsFromFlags({ capture: SAMPLE, to: 'parquet' })).toThrow(ReplayArgError);
    expect(() => replayOptionsFromFlags({ capture: SAMPLE, to: 'parquet' })).toThrow(/--to/);
    expect(replayOptionsFromFlags({ capture: SAMPLE, questdbAddr: 'qdb:9001' }, { QUESTDB_ADDR: 'env:9000' }).questdbAddr).toBe('qdb:9001');
    expect(replayOptionsFromFlags({ capture: SAMPLE }, { QUESTDB_ADDR: 'env:9000' }).questdbAddr).toBe('env:9000');
    expect(replayOptionsFromFlags({ capture: SAMPLE }, {}).questdbAddr).toBe('localhost:9000');
    expect(() => replayOptionsFromFlags({ capture: SAMPLE, questdbAddr: 'nohost' }, {})).toThrow(/--questdb-addr/);
    expect(() => replayOptionsFromFlags({ capture: SAMPLE }, { QUESTDB_ADDR: 'http://x' })).toThrow(/QUESTDB_ADDR/);
    expect(() => replayOptionsFromFlags({ capture: join(dir, 'missing.jsonl') }, {})).toThrow(/--capture/);
    expect(() => replayOptionsFromFlags({}, {})).toThrow(/--capture/);
  });

  it('QuestDB credentials come from the environment only and reach the server as HTTP basic auth', async () => {
    const o = replayOptionsFromFlags({ capture: SAMPLE, questdbAddr: `127.0.0.1:${db.port}` }, { QUESTDB_USERNAME: 'ingest', QUESTDB_PASSWORD: 's3cret' });
    const r = await runReplay({ ...o, log: () => undefined });
    expect(r.rowsWritten).toBe(expectedDeltas + expectedSnapshotLines(frames).length);
    expect(db.headers.length).toBeGreaterThan(0);
    for (const h of db.headers) expect(h.authorization).toBe(`Basic ${Buffer.from('ingest:s3cret').toString('base64')}`);
    expect(() => replayOptionsFromFlags({ capture: SAMPLE }, { QUESTDB_USERNAME: 'ingest' })).toThrow(/QUESTDB_USERNAME and QUESTDB_PASSWORD/);
    expect(() => replayOptionsFromFlags({ capture: SAMPLE }, { QUESTDB_PROTOCOL: 'tcp' })).toThrow(/QUESTDB_PROTOCOL/);
  });

  it('CLI: an unknown --to exits 2 naming the flag', () => {
    const r = spawnSync(process.execPath, [CLI, 'replay', '--capture', SAMPLE, '--to', 'parquet'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 2, stderr: expect.stringContaining('--to') });
  }, 60_000);

  it('CLI: replays end to end and prints the summary (--questdb-addr wins over QUESTDB_ADDR)', async () => {
    // async spawn: the fake QuestDB runs in this process and must keep answering
    const child = spawn(process.execPath, [CLI, 'replay', '--capture', SAMPLE, '--questdb-addr', `127.0.0.1:${db.port}`], {
      cwd: dir,
      env: { ...process.env, NODE_OPTIONS: '', QUESTDB_ADDR: '127.0.0.1:1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(stdout).toContain('frames=2898 malformed=0 undecodable=0');
    expect(stdout).toContain(`kalshi_orderbook_deltas=${expectedDeltas} kalshi_trades=0 kalshi_ticker=0`);
    expect(stdout).toContain(`rowsWritten=${expectedDeltas + expectedSnapshotLines(frames).length} dropped=0`);
    expect(deltaLines(db.lines).length).toBe(expectedDeltas);
  }, 60_000);
});
