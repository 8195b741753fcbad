/**
 * `kalshi-platform replay` (issue #4): replays a recorded Kalshi WebSocket capture into the tick store: QuestDB
 * (`--to questdb`, ILP over HTTP) or the embedded DuckDB file (`--to embedded`, the store behind `npm start`).
 *
 * - Input: JSONL, one frame per line, plain or gzip (detected by the `.gz` extension or the gzip magic bytes
 *   `1f 8b`; concatenated gzip members, as `record` appends them, are read through). Blank lines are ignored.
 * - Each line is decoded with `decodeWsFrame`. Lines that are not JSON objects are counted as `malformed`, JSON
 *   frames the decoder rejects (unknown type, bad field) as `undecodable`; both are skipped.
 * - Mapping: `orderbook_snapshot` -> `kalshi_orderbook_snapshots` (a row per level), `orderbook_delta` ->
 *   `kalshi_orderbook_deltas`, `trade` -> `kalshi_trades`, `ticker` -> `kalshi_ticker`. Every other frame (`ok`,
 *   `subscribed`, `fill`, ...) is counted and not stored. The mapping is libs/storage's `FrameRowMapper`, the one
 *   ingestion uses live, so snapshots + deltas in the store rebuild every book.
 * - Timestamps come from the frames only, never from the clock: a delta uses `ts_ms`, else its RFC 3339 `ts`
 *   (exact, to the nanosecond); a delta with neither is skipped (`untimestamped`). A snapshot carries no time: its rows
 *   take the last exchange time before it (or the first after it, at the start of a capture; rows of snapshots no
 *   timed frame ever follows are counted in `untimestamped`). Trades and tickers use the
 *   decoder's `tsMs`. The same capture therefore always produces byte-identical ILP lines, and the tables'
 *   `DEDUP UPSERT KEYS` (libs/storage/sql/questdb-schema.sql; the embedded store has the same keys as primary keys)
 *   make a second replay a no-op.
 * - Rows go through the store's buffered writer; the reader waits for a flush when the buffer is nearly full, so a
 *   large capture is not dropped; `close()` drains the buffer before the summary is printed.
 */
import { closeSync, createReadStream, existsSync, openSync, readSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Command } from 'commander';
import { optionsOrExit } from './flags';
import { decodeWsFrame } from '@kalshi-platform/kalshi';
import {
  DEFAULT_QUESTDB_ADDR,
  DEFAULT_TICK_STORE_PATH,
  DuckDbTickStore,
  FrameRowMapper,
  QuestDbTickWriter,
  tickStoreConfig,
  TickStoreConfigError,
  type TickStore,
  type TickStoreConfig,
  type TickTable,
  type TickWriterStats,
} from '@kalshi-platform/storage';

export const REPLAY_TARGETS = ['questdb', 'embedded'] as const;
export type ReplayTarget = (typeof REPLAY_TARGETS)[number];

export interface ReplayOptions {
  /** capture file, plain or gzip JSONL */
  capture: string;
  /** where the rows go (default questdb) */
  to?: ReplayTarget;
  /** QuestDB HTTP endpoint `host:port` (`--to questdb`) */
  questdbAddr?: string;
  /** QuestDB transport and credentials (environment only: `QUESTDB_PROTOCOL`, `QUESTDB_USERNAME`/`PASSWORD`, `QUESTDB_TOKEN`) */
  questdb?: TickStoreConfig['questdb'];
  /** the DuckDB file (`--to embedded`) */
  tickStorePath?: string;
  /** rows per ILP request (default 1,000) */
  batchRows?: number;
  /** writer buffer capacity (default 100,000) */
  capacity?: number;
  /** how long `close()` may retry to drain the buffer, ms (default 30,000) */
  drainTimeoutMs?: number;
  log?: (line: string) => void;
}

export type ReplayTable = Extract<TickTable, 'kalshi_orderbook_snapshots' | 'kalshi_orderbook_deltas' | 'kalshi_trades' | 'kalshi_ticker'>;

export interface ReplaySummary {
  capture: string;
  gzip: boolean;
  /** non-blank lines read */
  lines: number;
  /** lines decoded into a frame */
  frames: number;
  /** decoded frames per type */
  frameTypes: Record<string, number>;
  /** lines that are not a JSON object (skipped) */
  malformed: number;
  /** JSON frames the decoder rejected: unknown type or invalid field (skipped) */
  undecodable: number;
  /** `orderbook_snapshot` frames (stored as one row per level) */
  snapshots: number;
  /** rows with no exchange time (skipped): deltas with neither `ts_ms` nor `ts`, and level rows of snapshots no timed frame followed */
  untimestamped: number;
  /** rows handed to the writer, per table */
  rows: Record<ReplayTable, number>;
  /** rows the writer refused: buffer full or after close */
  dropped: number;
  /** rows the writer refused as not storable exactly */
  invalid: number;
  /** rows the server rejected (4xx) */
  rejected: number;
  /** rows still buffered when the drain timed out */
  abandoned: number;
  /** rows the store acknowledged (QuestDB: HTTP 204; embedded: committed) */
  rowsWritten: number;
  /** where the rows went: `questdb host:port` or `embedded FILE` */
  target: string;
  writer: TickWriterStats;
}

/** Bad command-line input: the CLI exits 2 with this message. */
export class ReplayArgError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`);
    this.name = 'ReplayArgError';
  }
}

/** True when the file starts with the gzip magic bytes `1f 8b`. */
export function isGzipFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Lines of a plain or gzip capture (gzip by `.gz` extension or magic bytes). */
export function openCapture(path: string): { gzip: boolean; lines: AsyncIterable<string>; input: Readable } {
  const gzip = /\.gz$/i.test(path) || isGzipFile(path);
  const file = createReadStream(path);
  const input: Readable = gzip ? file.pipe(createGunzip()) : file;
  if (gzip) file.once('error', (e) => input.destroy(e));
  return { gzip, lines: createInterface({ input, crlfDelay: Infinity }), input };
}

/** Opens the replay's store. @throws when the embedded file cannot be opened */
async function openTarget(opts: ReplayOptions, log: (line: string) => void): Promise<{ writer: TickStore; capacity: number; batchRows: number; target: string }> {
  if ((opts.to ?? 'questdb') === 'embedded') {
    const path = opts.tickStorePath ?? DEFAULT_TICK_STORE_PATH;
    const capacity = opts.capacity ?? 500_000;
    const batchRows = Math.min(opts.batchRows ?? 50_000, capacity);
    return { writer: await DuckDbTickStore.open({ path, capacity, batchRows }), capacity, batchRows, target: `embedded ${path}` };
  }
  const addr = opts.questdbAddr ?? DEFAULT_QUESTDB_ADDR;
  const capacity = opts.capacity ?? 100_000;
  const batchRows = Math.min(opts.batchRows ?? 1_000, capacity);
  let errorsLogged = 0;
  const writer = new QuestDbTickWriter({
    addr,
    ...opts.questdb,
    capacity,
    batchRows,
    onError: (err, info) => {
      if (errorsLogged++ < 5) log(`replay: QuestDB write ${info.transient ? 'failed, retrying' : 'rejected'} (${info.rows} rows): ${err.message}`);
    },
  });
  return { writer, capacity, batchRows, target: `questdb ${addr}` };
}

/** Replays a capture into the tick store; resolves after the writer is closed (drained). See the module docstring. */
export async function runReplay(opts: ReplayOptions): Promise<ReplaySummary> {
  const log = opts.log ?? ((l: string) => console.error(l));
  const { writer, capacity, batchRows, target } = await openTarget(opts, log);
  const s: Omit<ReplaySummary, 'dropped' | 'invalid' | 'rejected' | 'abandoned' | 'rowsWritten' | 'writer' | 'target'> = {
    capture: opts.capture,
    gzip: false,
    lines: 0,
    frames: 0,
    frameTypes: {},
    malformed: 0,
    undecodable: 0,
    snapshots: 0,
    untimestamped: 0,
    rows: { kalshi_orderbook_snapshots: 0, kalshi_orderbook_deltas: 0, kalshi_trades: 0, kalshi_ticker: 0 },
  };
  try {
    const cap = openCapture(opts.capture);
    s.gzip = cap.gzip;
    // leave room for one batch: when the buffer is this full, wait for it to drain instead of dropping rows
    const highWater = Math.max(1, capacity - batchRows);
    const mapper = new FrameRowMapper();
    for await (const raw of cap.lines) {
      const line = raw.trim();
      if (line.length === 0) continue;
      s.lines++;
      const r = decodeWsFrame(line);
      if (!r.ok) {
        if (r.error.kind === 'malformed_json' || r.error.kind === 'not_an_object') s.malformed++;
        else s.undecodable++;
        continue;
      }
      const f = r.value;
      s.frames++;
      s.frameTypes[f.type] = (s.frameTypes[f.type] ?? 0) + 1;
      if (f.type === 'orderbook_snapshot') s.snapshots++;
      const rows = mapper.map(f);
      if (rows.length === 0 && f.type === 'orderbook_delta') s.untimestamped++;
      for (const row of rows) {
        if (writer.stats.buffered >= highWater) await writer.flush();
        writer.write(row);
        s.rows[row.table as ReplayTable]++;
      }
    }
    s.untimestamped += mapper.heldRows;
  } finally {
    await writer.close(opts.drainTimeoutMs ?? 30_000);
  }
  const w = writer.stats;
  return {
    ...s,
    dropped: w.droppedRows,
    invalid: w.invalidRows,
    rejected: w.rejectedRows,
    abandoned: w.abandonedRows,
    rowsWritten: w.rowsWritten,
    target,
    writer: w,
  };
}

/** One-line-per-topic summary as printed by the CLI. */
export function formatReplaySummary(r: ReplaySummary): string {
  const types = Object.entries(r.frameTypes)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [
    `replay ${r.capture}${r.gzip ? ' (gzip)' : ''}: lines=${r.lines} frames=${r.frames} malformed=${r.malformed} undecodable=${r.undecodable}`,
    `  frame types: ${types || '-'}`,
    `  rows: kalshi_orderbook_snapshots=${r.rows.kalshi_orderbook_snapshots} kalshi_orderbook_deltas=${r.rows.kalshi_orderbook_deltas} ` +
      `kalshi_trades=${r.rows.kalshi_trades} kalshi_ticker=${r.rows.kalshi_ticker} (snapshots=${r.snapshots}, rows without an exchange time skipped=${r.untimestamped})`,
    `  ${r.target}: rowsWritten=${r.rowsWritten} dropped=${r.dropped} invalid=${r.invalid} rejected=${r.rejected} abandoned=${r.abandoned}` +
      (r.writer.lastError ? ` lastError=${r.writer.lastError}` : ''),
  ].join('\n');
}

export interface ReplayCliFlags {
  capture?: string;
  to?: string;
  questdbAddr?: string;
  tickStorePath?: string;
}

/** Flags (then env `QUESTDB_ADDR` / `TICK_STORE_PATH`) -> options. @throws ReplayArgError naming the flag */
export function replayOptionsFromFlags(flags: ReplayCliFlags, env: NodeJS.ProcessEnv = process.env): ReplayOptions {
  const to = (flags.to ?? 'questdb') as ReplayTarget;
  if (!REPLAY_TARGETS.includes(to)) throw new ReplayArgError('--to', `must be one of ${REPLAY_TARGETS.join(', ')}, got ${JSON.stringify(to)}`);
  if (!flags.capture) throw new ReplayArgError('--capture', 'is required');
  if (!existsSync(flags.capture) || !statSync(flags.capture).isFile()) throw new ReplayArgError('--capture', `no such file: ${flags.capture}`);
  if (to === 'embedded') return { capture: flags.capture, to, tickStorePath: flags.tickStorePath || env.TICK_STORE_PATH || DEFAULT_TICK_STORE_PATH };
  try {
    const cfg = tickStoreConfig({ tickStore: 'questdb', questdbAddr: flags.questdbAddr }, env);
    return { capture: flags.capture, to, questdbAddr: cfg.questdbAddr, questdb: cfg.questdb };
  } catch (e) {
    if (e instanceof TickStoreConfigError) throw new ReplayArgError(/^\S+/.exec(e.message)![0].replace(/:$/, ''), e.message.replace(/^[^:]+: /, ''));
    throw e;
  }
}

/** Registers `replay` on the program. */
export const registerReplay = (program: Command): void => {
  program
    .command('replay')
    .description(
      'Replay a recorded WebSocket capture (JSONL, plain or gzip) into the tick store (QuestDB or the embedded DuckDB file): orderbook_snapshot, orderbook_delta, trade ' +
        'and ticker frames become rows; other frames are counted, malformed lines counted and skipped. ' +
        'Timestamps come from the frames, so replaying twice is a no-op under the tables\' dedup keys.',
    )
    .option('--capture <file>', 'capture file (.jsonl or .jsonl.gz)')
    .option('--to <target>', 'questdb | embedded', 'questdb')
    .option('--questdb-addr <host:port>', `QuestDB HTTP endpoint for --to questdb (env QUESTDB_ADDR, default ${DEFAULT_QUESTDB_ADDR})`)
    .option('--tick-store-path <file>', `DuckDB file for --to embedded (env TICK_STORE_PATH, default ${DEFAULT_TICK_STORE_PATH})`)
    .action(async (flags: ReplayCliFlags) => {
      const opts = optionsOrExit('replay', (e) => e instanceof ReplayArgError, () => replayOptionsFromFlags(flags));
      const r = await runReplay(opts);
      process.stdout.write(`${formatReplaySummary(r)}\n`);
      const stored = Object.values(r.rows).reduce((a, n) => a + n, 0);
      if (r.rowsWritten !== stored) process.exitCode = 1;
    });
};
