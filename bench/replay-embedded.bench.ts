/**
 * End-to-end replay benchmark (issue: "`npm run bench` grows: end-to-end replay of the demo capture into the
 * embedded store (rows/s)"): `runReplay({ capture, to: 'embedded', tickStorePath })` (apps/cli/src/commands/replay.ts),
 * i.e. read + gunzip + `decodeWsFrame` + `frameToRow` + `DuckDbTickStore` (open, schema, staged batches, COMMIT,
 * close/checkpoint), on a real DuckDB file in the OS temp directory.
 *
 * Measurements, side by side in one run:
 * - (a) `demo capture -> fresh file`: the Kalshi demo WebSocket capture of 2026-07-01 as is (2,898 frames ->
 *   2,885 `kalshi_orderbook_deltas` rows), into a new DuckDB file per sample. So small that fixed costs
 *   dominate: rows/s includes opening DuckDB, creating the 7 tables and the staging tables, and the closing
 *   checkpoint. Plus `fixed cost: open + close an empty fresh file` (no replay at all).
 * - (b) `Nx capture -> fresh file`: a synthetic capture made once per run: the demo capture's non-delta frames
 *   once, then its delta frames repeated `COPIES` times, copy k with `ts_ms` (and the RFC 3339 `ts`) shifted by
 *   k x `COPY_SHIFT_MS` and `seq` by k x `SEQ_STRIDE`, so every row has a new key (ts, market_ticker, sid, seq).
 *   Written once as .jsonl and as .jsonl.gz (temp files), each replayed into a fresh file per sample:
 *   steady-state rows/s.
 * - (c) `Nx capture -> same file again`: the plain large capture replayed a second time into the file (b) just
 *   filled (every key already stored): the store's duplicate-key fallback (rollback, then
 *   `INSERT OR REPLACE`, QuestDB's DEDUP UPSERT). The row count must not change.
 *
 * Every replay is checked: the summary must have no dropped/invalid/rejected/abandoned rows and
 * `rowsWritten` = rows handed to the writer = the expected delta count, and the file, reopened with
 * `DuckDbTickStore.open` + `countRows('kalshi_orderbook_deltas')`, must hold exactly the rows replayed (and,
 * for (c), exactly as many as before). Any mismatch throws.
 *
 * Time split (`open / stream / drain / close`): `runReplay` is not modified; during a timed replay the bench
 * wraps `DuckDbTickStore.open` (and the returned store's `close` / `flush`) to timestamp the phases of that
 * very replay: `open` = call until the store is open (mkdir, DuckDB instance, schema, staging tables);
 * `stream` = reading, decoding and buffering the capture (background 50k-row flushes run concurrently);
 * `drain` = `close()` flushing the rows still buffered; `close` = closing the connections and database
 * (checkpoint of the WAL into the file). The wrappers are removed after each replay.
 *
 * Reference line `read + decode only (no store)`: the same capture read with replay's `openCapture`, each line
 * `decodeWsFrame` + `frameToRow`, rows discarded: the ceiling the store's side is compared against.
 *
 * Reports rows/s median [min .. max] over samples, and the median of each phase in ms.
 *
 * Run: `node tools/run.cjs bench/replay-embedded.bench.ts` (alone) or `npm run bench` (all benchmarks).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { decodeWsFrame } from '@kalshi-platform/kalshi';
import { DuckDbTickStore, frameToRow } from '@kalshi-platform/storage';
import { openCapture, runReplay, type ReplaySummary } from '../apps/cli/src/commands/replay';
import { median, printHeader, report, type SampleStats } from './harness';

const CAPTURE = path.resolve(__dirname, '../data/samples/kalshi-demo-ws-capture-2026-07-01/ws_session_orderbook_delta_fill.jsonl');
/** Copies of the demo capture's deltas in the large synthetic capture (100 -> 288,500 rows). */
const COPIES = 100;
/** ts shift per copy: whole seconds (the RFC 3339 `ts` keeps its sub-second digits) and longer than the capture (~316 s). */
const COPY_SHIFT_MS = 400_000;
/** seq shift per copy: above the capture's largest seq (2,894). */
const SEQ_STRIDE = 10_000;
const TABLE = 'kalshi_orderbook_deltas' as const;

const SAMPLES_DEMO = 9;
const SAMPLES_LARGE = 3;

interface Phases {
  openMs: number;
  streamMs: number;
  drainMs: number;
  closeMs: number;
  totalMs: number;
}

interface TimedReplay {
  summary: ReplaySummary;
  phases: Phases;
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

type OpenFn = typeof DuckDbTickStore.open;

/** `runReplay` into `file`, with its phases timestamped (see the file header). */
async function timedReplay(capture: string, file: string): Promise<TimedReplay> {
  const cls = DuckDbTickStore as unknown as { open: OpenFn };
  const origOpen = cls.open;
  const t: { start: number; opened?: number; closeCalled?: number; drained?: number; closed?: number } = { start: 0 };
  cls.open = async (options) => {
    const store = await origOpen.call(DuckDbTickStore, options);
    t.opened = nowMs();
    const origClose = store.close.bind(store);
    const origFlush = store.flush.bind(store);
    let closing = false;
    store.flush = async () => {
      try {
        await origFlush();
      } finally {
        if (closing) t.drained = nowMs();
      }
    };
    store.close = async (drainTimeoutMs?: number) => {
      closing = true;
      t.closeCalled = nowMs();
      try {
        await origClose(drainTimeoutMs);
      } finally {
        t.closed = nowMs();
      }
    };
    return store;
  };
  let summary: ReplaySummary;
  let end: number;
  try {
    t.start = nowMs();
    summary = await runReplay({ capture, to: 'embedded', tickStorePath: file, log: () => undefined });
    end = nowMs();
  } finally {
    cls.open = origOpen;
  }
  if (t.opened === undefined || t.closeCalled === undefined || t.closed === undefined) {
    throw new Error('timing hooks were not called: runReplay no longer opens the store through DuckDbTickStore.open / close()');
  }
  const drained = t.drained ?? t.closeCalled;
  return {
    summary,
    phases: {
      openMs: t.opened - t.start,
      streamMs: t.closeCalled - t.opened,
      drainMs: drained - t.closeCalled,
      closeMs: t.closed - drained,
      totalMs: end - t.start,
    },
  };
}

/** Committed delta rows in `file` (opened, counted, closed). */
async function countDeltas(file: string): Promise<number> {
  const store = await DuckDbTickStore.open({ path: file, flushIntervalMs: 0 });
  try {
    return await store.countRows(TABLE);
  } finally {
    await store.close();
  }
}

/** Throws unless the replay handed `expected` delta rows to the writer and all of them were committed. */
function checkSummary(label: string, s: ReplaySummary, expected: number): void {
  const problems: string[] = [];
  if (s.rows.kalshi_orderbook_deltas !== expected) problems.push(`deltas handed to the writer ${s.rows.kalshi_orderbook_deltas} != ${expected}`);
  if (s.rows.kalshi_trades !== 0 || s.rows.kalshi_ticker !== 0) problems.push(`unexpected trades/ticker rows ${s.rows.kalshi_trades}/${s.rows.kalshi_ticker}`);
  // every row handed over is committed: the deltas plus the snapshots' level rows
  if (s.rowsWritten !== expected + s.rows.kalshi_orderbook_snapshots) problems.push(`rowsWritten ${s.rowsWritten} != ${expected} deltas + ${s.rows.kalshi_orderbook_snapshots} snapshot rows`);
  if (s.dropped || s.invalid || s.rejected || s.abandoned) problems.push(`dropped=${s.dropped} invalid=${s.invalid} rejected=${s.rejected} abandoned=${s.abandoned}`);
  if (s.malformed || s.undecodable) problems.push(`malformed=${s.malformed} undecodable=${s.undecodable}`);
  if (problems.length) throw new Error(`${label}: ${problems.join('; ')}${s.writer.lastError ? ` (lastError: ${s.writer.lastError})` : ''}`);
}

async function checkCount(label: string, file: string, expected: number): Promise<number> {
  const n = await countDeltas(file);
  if (n !== expected) throw new Error(`${label}: ${TABLE} holds ${n} rows, expected ${expected}`);
  return n;
}

function removeDb(file: string): void {
  for (const f of [file, `${file}.wal`]) fs.rmSync(f, { force: true });
}

/** Reads and decodes `capture` as runReplay does, without a store; returns the delta rows produced. */
async function decodeOnly(capture: string): Promise<number> {
  let n = 0;
  for await (const raw of openCapture(capture).lines) {
    const line = raw.trim();
    if (line.length === 0) continue;
    const r = decodeWsFrame(line);
    if (!r.ok || r.value.type === 'orderbook_snapshot') continue;
    const row = frameToRow(r.value);
    if (row !== null && row.table === TABLE) n++;
  }
  return n;
}

/** Builds the large synthetic capture (see the file header). Returns its path, the gzip copy's path and its delta count. */
function buildLargeCapture(dir: string, demoDeltas: number): { plain: string; gz: string; deltas: number; bytes: number; gzBytes: number } {
  const lines = fs
    .readFileSync(CAPTURE, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const others: string[] = [];
  const deltas: Array<{ type: string; sid: number; seq: number; msg: { ts_ms?: number; ts?: string } & Record<string, unknown> }> = [];
  for (const l of lines) {
    const f = JSON.parse(l) as { type: string };
    if (f.type === 'orderbook_delta') deltas.push(f as (typeof deltas)[number]);
    else others.push(l);
  }
  if (deltas.length !== demoDeltas) throw new Error(`large capture: ${deltas.length} delta frames in the demo capture, replay stored ${demoDeltas}`);
  const maxSeq = Math.max(...deltas.map((d) => d.seq));
  if (maxSeq >= SEQ_STRIDE) throw new Error(`large capture: seq ${maxSeq} >= SEQ_STRIDE ${SEQ_STRIDE}`);
  const out: string[] = [...others];
  for (let k = 0; k < COPIES; k++) {
    const shift = k * COPY_SHIFT_MS;
    for (const d of deltas) {
      const msg = { ...d.msg };
      if (msg.ts_ms !== undefined) msg.ts_ms += shift;
      if (msg.ts !== undefined) {
        // "2026-07-01T02:31:45.308599Z": shift the whole seconds, keep the fraction
        const secs = Date.parse(`${msg.ts.slice(0, 19)}Z`);
        if (!Number.isFinite(secs)) throw new Error(`large capture: unexpected ts ${msg.ts}`);
        msg.ts = new Date(secs + shift).toISOString().slice(0, 19) + msg.ts.slice(19);
      }
      out.push(JSON.stringify({ ...d, seq: d.seq + k * SEQ_STRIDE, msg }));
    }
  }
  const body = out.join('\n') + '\n';
  const plain = path.join(dir, `capture-x${COPIES}.jsonl`);
  const gz = `${plain}.gz`;
  fs.writeFileSync(plain, body);
  const zipped = zlib.gzipSync(body, { level: 6 });
  fs.writeFileSync(gz, zipped);
  return { plain, gz, deltas: deltas.length * COPIES, bytes: Buffer.byteLength(body), gzBytes: zipped.length };
}

const stats = (rates: number[]): SampleStats => ({ medianOpsPerSec: median(rates), minOpsPerSec: Math.min(...rates), maxOpsPerSec: Math.max(...rates), samples: rates.length });
const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

function phaseLine(runs: TimedReplay[], rows: number): string {
  const m = (f: (p: Phases) => number): number => median(runs.map((r) => f(r.phases)));
  const total = m((p) => p.totalMs);
  const writeRate = median(runs.map((r) => rows / ((r.phases.streamMs + r.phases.drainMs) / 1e3)));
  return (
    `median ${ms(total)} ms/replay = open ${ms(m((p) => p.openMs))} + stream ${ms(m((p) => p.streamMs))} + drain ${ms(m((p) => p.drainMs))} + close ${ms(m((p) => p.closeMs))} ms` +
    `; stream+drain only: ${(writeRate / 1e3).toFixed(1)}k rows/s`
  );
}

/** Runs the end-to-end replay benchmark and prints its report (see the file header). */
export async function runReplayEmbeddedBench(): Promise<void> {
  printHeader();
  if (!fs.existsSync(CAPTURE)) throw new Error(`capture not found: ${CAPTURE}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-embedded-bench-'));
  let fileNo = 0;
  const freshDb = (): string => path.join(dir, `ticks-${fileNo++}.duckdb`);
  try {
    // ---- (a) the demo capture as is, fresh file per sample ----------------------------------------------
    const probeFile = freshDb();
    const probe = await timedReplay(CAPTURE, probeFile); // warm-up (module loading, DuckDB extension init)
    const demoDeltas = probe.summary.rows.kalshi_orderbook_deltas;
    checkSummary('demo warm-up', probe.summary, demoDeltas);
    await checkCount('demo warm-up', probeFile, demoDeltas);
    removeDb(probeFile);
    console.log(
      `data: ${path.relative(process.cwd(), CAPTURE)}: ${probe.summary.lines} frames -> ${demoDeltas} ${TABLE} rows ` +
        `(+ ${probe.summary.rows.kalshi_orderbook_snapshots} snapshot level rows of ${probe.summary.snapshots} snapshots); DuckDB files in ${os.tmpdir()}; rows checked with countRows after every replay`,
    );

    const demoRuns: TimedReplay[] = [];
    for (let i = 0; i < SAMPLES_DEMO; i++) {
      const file = freshDb();
      const r = await timedReplay(CAPTURE, file);
      checkSummary(`demo sample ${i}`, r.summary, demoDeltas);
      await checkCount(`demo sample ${i}`, file, demoDeltas);
      removeDb(file);
      demoRuns.push(r);
    }
    console.log(`\n## (a) demo capture as is: ${demoDeltas} rows per replay, fresh file per sample (fixed costs dominate)`);
    report('replay demo -> fresh file (end-to-end)', stats(demoRuns.map((r) => (demoDeltas * 1e3) / r.phases.totalMs)));
    console.log(`  ${phaseLine(demoRuns, demoDeltas)}`);

    // fixed cost alone: open a fresh file (schema + staging tables) and close it empty
    const openMs: number[] = [];
    const closeMs: number[] = [];
    for (let i = 0; i < SAMPLES_DEMO; i++) {
      const file = freshDb();
      const t0 = nowMs();
      const store = await DuckDbTickStore.open({ path: file });
      const t1 = nowMs();
      await store.close();
      const t2 = nowMs();
      removeDb(file);
      openMs.push(t1 - t0);
      closeMs.push(t2 - t1);
    }
    const fixed = openMs.map((o, i) => o + closeMs[i]);
    console.log(
      `fixed cost: open + close an empty fresh file     median ${ms(median(fixed))} ms  spread [${ms(Math.min(...fixed))} .. ${ms(Math.max(...fixed))}] ms  ` +
        `(open ${ms(median(openMs))} ms, close ${ms(median(closeMs))} ms; ${SAMPLES_DEMO} samples)`,
    );

    // ---- (b) large synthetic capture, fresh file per sample; (c) replayed again into the same file ------
    const t0 = nowMs();
    const large = buildLargeCapture(dir, demoDeltas);
    console.log(
      `\n## (b)/(c) synthetic capture: demo deltas x${COPIES} (ts +${COPY_SHIFT_MS / 1e3} s and seq +${SEQ_STRIDE} per copy) = ${large.deltas} rows; ` +
        `${(large.bytes / 2 ** 20).toFixed(1)} MiB .jsonl, ${(large.gzBytes / 2 ** 20).toFixed(1)} MiB .jsonl.gz (built in ${ms(nowMs() - t0)} ms, not timed)`,
    );

    // warm-up on the large path (JIT of decode/stage code at volume), not reported
    {
      const file = freshDb();
      const r = await timedReplay(large.plain, file);
      checkSummary('large warm-up', r.summary, large.deltas);
      await checkCount('large warm-up', file, large.deltas);
      removeDb(file);
    }

    const decodeRates: number[] = [];
    for (let i = 0; i < SAMPLES_LARGE + 1; i++) {
      const d0 = nowMs();
      const n = await decodeOnly(large.plain);
      const d = nowMs() - d0;
      if (n !== large.deltas) throw new Error(`decode only: ${n} rows, expected ${large.deltas}`);
      if (i > 0) decodeRates.push((n * 1e3) / d); // first pass is the warm-up
    }

    const plainRuns: TimedReplay[] = [];
    const gzRuns: TimedReplay[] = [];
    const againRuns: TimedReplay[] = [];
    const countsAfterAgain: number[] = [];
    for (let i = 0; i < SAMPLES_LARGE; i++) {
      // (b) plain, fresh file
      const file = freshDb();
      const b = await timedReplay(large.plain, file);
      checkSummary(`x${COPIES} plain sample ${i}`, b.summary, large.deltas);
      const before = await checkCount(`x${COPIES} plain sample ${i}`, file, large.deltas);
      plainRuns.push(b);
      // (c) the same capture again into the same file: every key already stored
      const c = await timedReplay(large.plain, file);
      checkSummary(`x${COPIES} again sample ${i}`, c.summary, large.deltas);
      countsAfterAgain.push(await checkCount(`x${COPIES} again sample ${i} (row count must not change)`, file, before));
      againRuns.push(c);
      removeDb(file);
      // (b) gzip, fresh file
      const gzFile = freshDb();
      const g = await timedReplay(large.gz, gzFile);
      if (!g.summary.gzip) throw new Error('gzip capture not read as gzip');
      checkSummary(`x${COPIES} gzip sample ${i}`, g.summary, large.deltas);
      await checkCount(`x${COPIES} gzip sample ${i}`, gzFile, large.deltas);
      removeDb(gzFile);
      gzRuns.push(g);
    }
    const rate = (runs: TimedReplay[]): SampleStats => stats(runs.map((r) => (large.deltas * 1e3) / r.phases.totalMs));
    const decodeStats = stats(decodeRates);
    report(`read + decode only x${COPIES} .jsonl (no store)`, decodeStats, 'reference: replay minus the store');
    const plain = rate(plainRuns);
    report(`replay x${COPIES} .jsonl -> fresh file`, plain);
    console.log(`  ${phaseLine(plainRuns, large.deltas)}`);
    const gz = rate(gzRuns);
    report(`replay x${COPIES} .jsonl.gz -> fresh file`, gz, `x${(gz.medianOpsPerSec / plain.medianOpsPerSec).toFixed(2)} vs .jsonl`);
    console.log(`  ${phaseLine(gzRuns, large.deltas)}`);
    const again = rate(againRuns);
    report(`replay x${COPIES} .jsonl -> same file again`, again, `x${(again.medianOpsPerSec / plain.medianOpsPerSec).toFixed(2)} vs fresh (upsert path)`);
    console.log(`  ${phaseLine(againRuns, large.deltas)}`);
    console.log(`  ${TABLE} rows after the second replay: ${countsAfterAgain.join(', ')} (= ${large.deltas} before it, unchanged)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module || path.resolve(process.argv[1] ?? '') === __filename) {
  runReplayEmbeddedBench().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
