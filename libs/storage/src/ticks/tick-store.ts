import type { TickRow, TickTable } from './tick-rows';
import type { TickWriterStats } from './questdb-writer';

/** Which engine holds the ticks: QuestDB over ILP/HTTP, or the embedded DuckDB file behind `npm start`. */
export type TickStoreBackend = 'questdb' | 'embedded';

/**
 * The write side of the tick store, shared by both back ends (issue #4). Ingestion, the ticker plant and
 * detection write through this and nothing else.
 *
 * - `write()` is synchronous, never blocks and never throws: it validates and enqueues, returning `false`
 *   when the row was refused (invalid, buffer full, closed), which is counted in `stats`.
 * - Rows are batched by count and interval off the caller's path; a batch leaves the buffer only once the
 *   back end has it, so a transient failure loses nothing and, with the natural-key dedup of every table,
 *   a resend or a second replay duplicates nothing.
 * - `flush()` resolves when everything written before the call is stored (or rejects with the last error).
 * - `close(drainTimeoutMs)` flushes, then releases the back end; rows it could not store are counted in
 *   `stats.abandonedRows`.
 */
export interface TickStore {
  readonly backend: TickStoreBackend;
  readonly stats: TickWriterStats;
  write(row: TickRow): boolean;
  flush(): Promise<void>;
  close(drainTimeoutMs?: number): Promise<void>;
}

/** One Parquet file written by `exportDay`, with the row count the store had and the count read back. */
export interface ExportedFile {
  table: TickTable;
  path: string;
  /** rows of `table` on that UTC day in the store, counted before the export */
  storeRows: number;
  /** rows read back from the file by an independent reader (hyparquet) */
  fileRows: number;
  bytes: number;
}

/**
 * Administration of a tick store: schema, counts, end-of-day export and partition drop.
 * `day` is a UTC calendar day `YYYY-MM-DD`; a day's rows are those with `day <= ts < day + 1`.
 */
export interface TickStoreAdmin {
  readonly backend: TickStoreBackend;
  /** Creates every table of `TICK_TABLES` if missing (idempotent). Returns the table names. */
  ensureSchema(): Promise<string[]>;
  /** Rows of `table`, optionally only those of one UTC day. */
  countRows(table: TickTable, day?: string): Promise<number>;
  /**
   * Writes each non-empty table's rows of `day` to `<outDir>/<table>/<day>.parquet` and reads every file back.
   * @throws ExportVerificationError when a file's row count differs from the store's (nothing is dropped then).
   */
  exportDay(day: string, outDir: string): Promise<ExportedFile[]>;
  /** Deletes the day's rows (QuestDB: `ALTER TABLE .. DROP PARTITION LIST`). Call only after a verified export. */
  dropDay(day: string): Promise<void>;
  close(): Promise<void>;
}

/** A Parquet file did not read back with the row count the store reported. */
export class ExportVerificationError extends Error {
  constructor(
    readonly table: TickTable,
    readonly path: string,
    readonly storeRows: number,
    readonly fileRows: number,
  ) {
    super(`export of ${table} to ${path} read back ${fileRows} row(s), the store has ${storeRows}: not verified`);
    this.name = 'ExportVerificationError';
  }
}

/** `YYYY-MM-DD` as a valid UTC calendar day -> [startMs, endMs). @throws RangeError naming the value. */
export function utcDayRange(day: string): { startMs: number; endMs: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const startMs = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || !Number.isFinite(startMs) || new Date(startMs).toISOString().slice(0, 10) !== day) {
    throw new RangeError(`day must be a UTC calendar day YYYY-MM-DD, got ${JSON.stringify(day)}`);
  }
  return { startMs, endMs: startMs + 86_400_000 };
}
