import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BIGINT, DOUBLE, DuckDBDataChunk, DuckDBInstance, VARCHAR } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBConnection, DuckDBType, DuckDBVector } from '@duckdb/node-api';
import { DUCKDB_TICK_SCHEMA_SQL, TICK_TABLE_KEYS, splitSqlStatements } from './duckdb-schema';
import { validateTickRow } from './ilp-rows';
import { verifyParquetExport } from './parquet-read';
import { TICK_TABLES } from './tick-rows';
import type { TickRow, TickTable, TickTimestamp } from './tick-rows';
import { utcDayRange } from './tick-store';
import type { ExportedFile, TickStore, TickStoreAdmin } from './tick-store';
import { BufferedTickWriter, SENT, type FailedAttempt, type SendOutcome } from './buffered-writer';

export interface DuckDbTickStoreOptions {
  /** Database file (its directory is created if missing) or `':memory:'`. */
  path: string;
  /**
   * Rows per flush (one DuckDB transaction) and the row count that triggers a background flush. Default 50_000:
   * fewer, larger transactions are much faster (each COMMIT syncs DuckDB's WAL); staging yields to the event loop
   * every ~8k rows.
   */
  batchRows?: number;
  /** Background flush interval in ms. Default 500. 0 disables the timer (row-count and explicit flushes only). */
  flushIntervalMs?: number;
  /** Max rows held in memory (queued + in flight). Overflow drops the NEWEST row (counted). Default 500_000. */
  capacity?: number;
  /** Attempts per batch before its rows are counted as `rejectedRows` (e.g. a write-write conflict with `dropDay`). Default 5. */
  maxAttempts?: number;
  /** Delay before the first retry of a failed batch, doubled per attempt. Default 50 ms. */
  retryBackoffMs?: number;
  /** Called on every failed flush attempt. Must not throw. */
  onError?: (err: Error, info: { rows: number; attempt: number; final: boolean }) => void;
}

/** Largest epoch-ms `ts` that still fits TIMESTAMP_NS (int64 ns, year 2262). */
const MAX_TS_MS = 9_223_372_036_854;
const MAX_TS_NS = (1n << 63n) - 1n;
const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Staging layout per table: `_n` (position in the batch, for last-wins dedup) then the table's columns in
 * schema order. Timestamps are staged as BIGINT (ts in ns, close_ts/commence_ts/opened_ts/expires_ts in ms) and
 * trade_id as VARCHAR; the INSERT converts them (`make_timestamp_ns`, `epoch_ms`, `::UUID`). DOUBLE columns
 * (trade_signals' model outputs) are staged as DOUBLE.
 */
type StageType = 'VARCHAR' | 'BIGINT' | 'DOUBLE';
const STAGE: Record<TickTable, ReadonlyArray<readonly [name: string, stageType: StageType, select?: string]>> = {
  kalshi_orderbook_snapshots: [
    ['market_ticker', 'VARCHAR'],
    ['side', 'VARCHAR'],
    ['price_ticks', 'BIGINT'],
    ['size_centis', 'BIGINT'],
    ['seq', 'BIGINT'],
    ['sid', 'BIGINT'],
    ['ts', 'BIGINT', 'make_timestamp_ns(ts)'],
  ],
  kalshi_orderbook_deltas: [
    ['market_ticker', 'VARCHAR'],
    ['side', 'VARCHAR'],
    ['price_ticks', 'BIGINT'],
    ['delta_centis', 'BIGINT'],
    ['seq', 'BIGINT'],
    ['sid', 'BIGINT'],
    ['ts', 'BIGINT', 'make_timestamp_ns(ts)'],
  ],
  kalshi_trades: [
    ['market_ticker', 'VARCHAR'],
    ['taker_side', 'VARCHAR'],
    ['trade_id', 'VARCHAR', 'CAST(trade_id AS UUID)'],
    ['yes_price_ticks', 'BIGINT'],
    ['count_centis', 'BIGINT'],
    ['ts', 'BIGINT', 'make_timestamp_ns(ts)'],
  ],
  kalshi_bbo: [
    ['market_ticker', 'VARCHAR'],
    ['yes_bid_ticks', 'BIGINT'],
    ['yes_bid_size_centis', 'BIGINT'],
    ['yes_ask_ticks', 'BIGINT'],
    ['yes_ask_size_centis', 'BIGINT'],
    ['ts', 'BIGINT', 'make_timestamp_ns(ts)'],
  ],
  kalshi_ticker: [
    ['market_ticker', 'VARCHAR'],
    ['yes_bid_ticks', 'BIGINT'],
    ['yes_ask_ticks', 'BIGINT'],
    ['last_price_ticks', 'BIGINT'],
    ['volume_centis', 'BIGINT'],
    ['open_interest_centis', 'BIGINT'],
    ['ts', 'BIGINT', 'make_timestamp_ns(ts)'],
  ],
  kalshi_markets: [
    ['market_ticker', 'VARCHAR'],
    ['event_ticker', 'VARCHAR'],
    ['series_ticker', 'VARCHAR'],
    ['status', 'VARCHAR'],
    ['title', 'VARCHAR'],
    ['close_ts', 'BIGINT', 'epoch_ms(close_ts)'],
    ['ts', 'BIGINT', 'make_timestamp_ns(ts)'],
  ],
  sportsbook_odds: [
    ['event_id', 'VARCHAR'],
    ['sport_key', 'VARCHAR'],
    ['bookmaker', 'VARCHAR'],
    ['market', 'VARCHAR'],
    ['outcome', 'VARCHAR'],
    ['price_american', 'BIGINT'],
    ['commence_ts', 'BIGINT', 'epoch_ms(commence_ts)'],
    ['ts', 'BIGINT', 'make_timestamp_ns(ts)'],
  ],
  arb_opportunities: [
    ['kind', 'VARCHAR'],
    ['episode_key', 'VARCHAR'],
    ['event_ticker', 'VARCHAR'],
    ['change', 'VARCHAR'],
    ['legs', 'VARCHAR'],
    ['max_gross_edge_ticks', 'BIGINT'],
    ['max_net_edge_ticks', 'BIGINT'],
    ['opened_ts', 'BIGINT', 'epoch_ms(opened_ts)'],
    ['ts', 'BIGINT', 'make_timestamp_ns(ts)'],
  ],
  trade_signals: [
    ['signal_id', 'VARCHAR'],
    ['kind', 'VARCHAR'],
    ['leg', 'BIGINT'],
    ['market_ticker', 'VARCHAR'],
    ['event_ticker', 'VARCHAR'],
    ['side', 'VARCHAR'],
    ['action', 'VARCHAR'],
    ['price_ticks', 'BIGINT'],
    ['size_centis', 'BIGINT'],
    ['fair_ticks', 'DOUBLE'],
    ['gross_edge_ticks', 'DOUBLE'],
    ['net_edge_ticks', 'DOUBLE'],
    ['confidence', 'DOUBLE'],
    ['expires_ts', 'BIGINT', 'epoch_ms(expires_ts)'],
    ['reasons', 'VARCHAR'],
    ['source', 'VARCHAR'],
    ['ts', 'BIGINT', 'make_timestamp_ns(ts)'],
  ],
};

/** The table's column names in schema order (same as `libs/storage/sql/questdb-schema.sql`). */
export function duckDbTickColumns(table: TickTable): string[] {
  return STAGE[table].map(([name]) => name);
}

const stageName = (table: TickTable): string => `stage_${table}`;

function upsertSql(table: TickTable): string {
  const cols = STAGE[table];
  const names = cols.map(([n]) => n).join(', ');
  const select = cols.map(([n, , expr]) => (expr ? `${expr} AS ${n}` : n)).join(', ');
  // Dedup inside the batch on the natural key (last written wins), then upsert into the table.
  const keys = TICK_TABLE_KEYS[table].join(', ');
  return (
    `INSERT OR REPLACE INTO ${table} (${names}) SELECT ${names} FROM ` +
    `(SELECT ${select}, _n FROM temp.main.${stageName(table)}) ` +
    `QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY _n DESC) = 1`
  );
}

/** Fast path: a plain INSERT, which fails on any key already stored or repeated in the batch. */
function insertSql(table: TickTable): string {
  const cols = STAGE[table];
  const names = cols.map(([n]) => n).join(', ');
  const select = cols.map(([n, , expr]) => expr ?? n).join(', ');
  return `INSERT INTO ${table} (${names}) SELECT ${select} FROM temp.main.${stageName(table)}`;
}

const UPSERT_SQL: Record<TickTable, string> = Object.fromEntries(TICK_TABLES.map((t) => [t, upsertSql(t)])) as Record<TickTable, string>;
const INSERT_SQL: Record<TickTable, string> = Object.fromEntries(TICK_TABLES.map((t) => [t, insertSql(t)])) as Record<TickTable, string>;

/** DuckDB's message for a PRIMARY KEY violation ("Constraint Error: Duplicate key ... violates primary key constraint"). */
const isDuplicateKey = (err: unknown): boolean => /duplicate key|violates primary key/i.test(err instanceof Error ? err.message : String(err));

/** SQL string literal (single quotes doubled). @throws Error for a NUL character, which DuckDB cannot take. */
export function sqlStringLiteral(value: string): string {
  if (value.includes('\0')) throw new Error(`string for SQL contains a NUL character: ${JSON.stringify(value)}`);
  return `'${value.replace(/'/g, "''")}'`;
}

/** `ts >= day AND ts < day + 1` as TIMESTAMP_NS literals. @throws RangeError for a bad day (via utcDayRange). */
function dayPredicate(day: string): string {
  const { endMs } = utcDayRange(day);
  const next = new Date(endMs).toISOString().slice(0, 10);
  return `ts >= TIMESTAMP_NS '${day} 00:00:00' AND ts < TIMESTAMP_NS '${next} 00:00:00'`;
}

function assertTable(table: string): asserts table is TickTable {
  if (!(TICK_TABLES as readonly string[]).includes(table)) {
    throw new RangeError(`unknown tick table ${JSON.stringify(table)} (expected one of ${TICK_TABLES.join(', ')})`);
  }
}

function tsNanos(ts: TickTimestamp): bigint {
  return typeof ts === 'bigint' ? ts : BigInt(ts) * 1_000_000n;
}

/** Extra checks on top of `validateTickRow` for what DuckDB's types refuse (a bad UUID would fail the whole batch). */
function validateForDuckDb(row: TickRow): string | null {
  const base = validateTickRow(row);
  if (base) return base;
  if (typeof row.ts === 'bigint' ? row.ts > MAX_TS_NS : row.ts > MAX_TS_MS) return `${row.table}.ts is beyond TIMESTAMP_NS (year 2262): ${String(row.ts)}`;
  if (row.table === 'kalshi_trades' && !UUID_RE.test(row.tradeId)) return `kalshi_trades.trade_id must be a UUID (got ${JSON.stringify(row.tradeId)})`;
  return null;
}

/** Rows per DuckDB data chunk (DuckDB's standard vector size). */
const CHUNK_ROWS = 2048;

const STAGE_TYPES: Record<TickTable, DuckDBType[]> = Object.fromEntries(
  TICK_TABLES.map((t) => [t, [BIGINT, ...STAGE[t].map(([, type]) => (type === 'BIGINT' ? BIGINT : type === 'DOUBLE' ? DOUBLE : VARCHAR))]]),
) as Record<TickTable, DuckDBType[]>;

type Vec = DuckDBVector;
const long = (v: number | null | undefined): bigint | null => (v === null || v === undefined ? null : BigInt(v));

/**
 * Writes one (validated) row at position `j` of the chunk's vectors: `_n` (= n) first, then the columns in
 * schema order (every stage column is BIGINT, DOUBLE or VARCHAR; ts last).
 */
function setRow(v: Vec[], j: number, n: number, row: TickRow): void {
  v[0].setItem(j, BigInt(n));
  switch (row.table) {
    case 'kalshi_orderbook_snapshots':
      v[1].setItem(j, row.marketTicker);
      v[2].setItem(j, row.side);
      v[3].setItem(j, BigInt(row.priceTicks));
      v[4].setItem(j, BigInt(row.sizeCentis));
      v[5].setItem(j, BigInt(row.seq));
      v[6].setItem(j, BigInt(row.sid));
      v[7].setItem(j, tsNanos(row.ts));
      break;
    case 'kalshi_orderbook_deltas':
      v[1].setItem(j, row.marketTicker);
      v[2].setItem(j, row.side);
      v[3].setItem(j, BigInt(row.priceTicks));
      v[4].setItem(j, BigInt(row.deltaCentis));
      v[5].setItem(j, BigInt(row.seq));
      v[6].setItem(j, BigInt(row.sid));
      v[7].setItem(j, tsNanos(row.ts));
      break;
    case 'kalshi_trades':
      v[1].setItem(j, row.marketTicker);
      v[2].setItem(j, row.takerSide);
      v[3].setItem(j, row.tradeId);
      v[4].setItem(j, BigInt(row.yesPriceTicks));
      v[5].setItem(j, BigInt(row.countCentis));
      v[6].setItem(j, tsNanos(row.ts));
      break;
    case 'kalshi_bbo':
      v[1].setItem(j, row.marketTicker);
      v[2].setItem(j, long(row.yesBidTicks));
      v[3].setItem(j, long(row.yesBidSizeCentis));
      v[4].setItem(j, long(row.yesAskTicks));
      v[5].setItem(j, long(row.yesAskSizeCentis));
      v[6].setItem(j, tsNanos(row.ts));
      break;
    case 'kalshi_ticker':
      v[1].setItem(j, row.marketTicker);
      v[2].setItem(j, long(row.yesBidTicks));
      v[3].setItem(j, long(row.yesAskTicks));
      v[4].setItem(j, long(row.lastPriceTicks));
      v[5].setItem(j, long(row.volumeCentis));
      v[6].setItem(j, long(row.openInterestCentis));
      v[7].setItem(j, tsNanos(row.ts));
      break;
    case 'kalshi_markets':
      v[1].setItem(j, row.marketTicker);
      v[2].setItem(j, row.eventTicker);
      v[3].setItem(j, row.seriesTicker);
      v[4].setItem(j, row.status);
      v[5].setItem(j, row.title);
      v[6].setItem(j, long(row.closeTs));
      v[7].setItem(j, tsNanos(row.ts));
      break;
    case 'sportsbook_odds':
      v[1].setItem(j, row.eventId);
      v[2].setItem(j, row.sportKey);
      v[3].setItem(j, row.bookmaker);
      v[4].setItem(j, row.market);
      v[5].setItem(j, row.outcome);
      v[6].setItem(j, BigInt(row.priceAmerican));
      v[7].setItem(j, BigInt(row.commenceTs));
      v[8].setItem(j, tsNanos(row.ts));
      break;
    case 'arb_opportunities':
      v[1].setItem(j, row.kind);
      v[2].setItem(j, row.episodeKey);
      v[3].setItem(j, row.eventTicker);
      v[4].setItem(j, row.change);
      v[5].setItem(j, row.legs);
      v[6].setItem(j, BigInt(row.maxGrossEdgeTicks));
      v[7].setItem(j, BigInt(row.maxNetEdgeTicks));
      v[8].setItem(j, BigInt(row.openedTs));
      v[9].setItem(j, tsNanos(row.ts));
      break;
    case 'trade_signals':
      v[1].setItem(j, row.signalId);
      v[2].setItem(j, row.kind);
      v[3].setItem(j, BigInt(row.leg));
      v[4].setItem(j, row.marketTicker);
      v[5].setItem(j, row.eventTicker);
      v[6].setItem(j, row.side);
      v[7].setItem(j, row.action);
      v[8].setItem(j, BigInt(row.priceTicks));
      v[9].setItem(j, BigInt(row.sizeCentis));
      v[10].setItem(j, row.fairTicks);
      v[11].setItem(j, row.grossEdgeTicks);
      v[12].setItem(j, row.netEdgeTicks);
      v[13].setItem(j, row.confidence);
      v[14].setItem(j, BigInt(row.expiresTs));
      v[15].setItem(j, row.reasons);
      v[16].setItem(j, row.source);
      v[17].setItem(j, tsNanos(row.ts));
      break;
  }
}

/** Chunks staged between two yields to the event loop (~8k rows, a few ms of synchronous work). */
const CHUNKS_PER_YIELD = 4;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Appends `rows` (all of `table`) to the staging appender in data chunks of up to CHUNK_ROWS rows, yielding to
 * the event loop every CHUNKS_PER_YIELD chunks so a large batch does not stall the process's other work.
 */
async function appendRows(a: DuckDBAppender, table: TickTable, rows: readonly TickRow[]): Promise<void> {
  const types = STAGE_TYPES[table];
  for (let off = 0, k = 1; off < rows.length; off += CHUNK_ROWS, k++) {
    if (k % CHUNKS_PER_YIELD === 0) await yieldToEventLoop();
    const n = Math.min(CHUNK_ROWS, rows.length - off);
    const chunk = DuckDBDataChunk.create(types, n);
    const vecs = types.map((_, i) => chunk.getColumnVector(i));
    for (let j = 0; j < n; j++) setRow(vecs, j, off + j, rows[off + j]);
    for (const v of vecs) v.flush();
    a.appendDataChunk(chunk);
  }
}

/**
 * The embedded tick store (backend `'embedded'`): a DuckDB file (or `:memory:`) via `@duckdb/node-api`,
 * implementing both the write side (`TickStore`) and the administration (`TickStoreAdmin`).
 *
 * Schema: `DUCKDB_TICK_SCHEMA_SQL` (same tables and columns as the QuestDB schema); each table has a
 * PRIMARY KEY on QuestDB's `DEDUP UPSERT KEYS`, and rows are upserted, so a replay or a resend stores one
 * copy per key and a re-written key replaces the row's other columns.
 *
 * Write path: `write()` validates (`validateTickRow` plus UUID and TIMESTAMP_NS range checks) and enqueues,
 * synchronously and without throwing. A background loop (kicked when `batchRows` rows are queued, and every
 * `flushIntervalMs`) takes up to `batchRows` rows, appends them as DuckDB data chunks (column vectors filled
 * in JS, one native call per 2048 rows) through appenders to per-table TEMP
 * staging tables, and in ONE transaction inserts them into the tables. Fast path: plain `INSERT ... SELECT`;
 * if any key is already stored or repeated in the batch (a replay or resend), the transaction is rolled back
 * and redone as `INSERT OR REPLACE INTO t SELECT ... FROM staging` deduplicated on the key (last write in the
 * batch wins), which is QuestDB's DEDUP UPSERT. Rows leave the buffer only after the COMMIT.
 * A failed batch is retried (`maxAttempts`, exponential backoff) and then counted in `rejectedRows`.
 *
 * Concurrency: one DuckDB connection writes, another serves the admin calls, so `countRows` / `exportDay`
 * see committed rows only (call `flush()` first to include buffered ones).
 */
export class DuckDbTickStore extends BufferedTickWriter implements TickStore, TickStoreAdmin {
  readonly backend = 'embedded' as const;
  private readonly opts: Required<Omit<DuckDbTickStoreOptions, 'onError'>> & Pick<DuckDbTickStoreOptions, 'onError'>;
  private appenders = new Map<TickTable, DuckDBAppender>();
  private adminQueue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly admin: DuckDBConnection,
    options: DuckDbTickStoreOptions,
  ) {
    const opts = {
      path: options.path,
      batchRows: options.batchRows ?? 50_000,
      flushIntervalMs: options.flushIntervalMs ?? 500,
      capacity: options.capacity ?? 500_000,
      maxAttempts: options.maxAttempts ?? 5,
      retryBackoffMs: options.retryBackoffMs ?? 50,
      onError: options.onError,
    };
    super(opts);
    this.opts = opts;
  }

  /**
   * Opens (creating if needed) the database at `options.path`, creates its directory, runs `ensureSchema()`
   * and prepares the staging tables.
   * @throws Error when options are out of range, or the file cannot be opened (e.g. locked by another process).
   */
  static async open(options: DuckDbTickStoreOptions): Promise<DuckDbTickStore> {
    const { batchRows = 50_000, capacity = 500_000, flushIntervalMs = 500, maxAttempts = 5 } = options;
    if (!Number.isSafeInteger(batchRows) || batchRows < 1) throw new RangeError(`batchRows must be an integer >= 1 (got ${batchRows})`);
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be an integer >= 1 (got ${capacity})`);
    if (!(flushIntervalMs >= 0)) throw new RangeError(`flushIntervalMs must be >= 0 (got ${flushIntervalMs})`);
    if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be an integer >= 1 (got ${maxAttempts})`);
    if (typeof options.path !== 'string' || options.path.length === 0) throw new TypeError('path must be a file path or ":memory:"');
    const memory = options.path === ':memory:';
    if (!memory) await fs.mkdir(path.dirname(path.resolve(options.path)), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(memory ? ':memory:' : path.resolve(options.path));
    } catch (err) {
      throw new Error(`cannot open DuckDB tick store at ${options.path}: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      const writer = await instance.connect();
      const admin = await instance.connect();
      const store = new DuckDbTickStore(instance, writer, admin, options);
      await store.ensureSchema();
      for (const table of TICK_TABLES) {
        const cols = STAGE[table].map(([n, type]) => `${n} ${type}`).join(', ');
        await writer.run(`CREATE OR REPLACE TEMP TABLE ${stageName(table)} (_n BIGINT, ${cols})`);
      }
      store.startFlushTimer();
      return store;
    } catch (err) {
      instance.closeSync();
      throw err;
    }
  }

  // `write()`, `stats`, `flush()` and `close(drainTimeoutMs = 30_000)` are BufferedTickWriter's, with these
  // specifics: `flush()` resolves once every row accepted before the call is committed and throws the last flush
  // error when some of those rows were rejected after `maxAttempts`; `close()` flushes (for up to `drainTimeoutMs`),
  // waits for pending admin calls, then closes the database (checkpointing a file); a `close()` during another one
  // only waits for the write loop to stop.

  // ---- write path (BufferedTickWriter hooks) -----------------------------------------------------

  /** `validateTickRow` plus the UUID and TIMESTAMP_NS range checks; a row that makes them throw is invalid too. */
  protected validate(row: TickRow): string | null {
    try {
      return validateForDuckDb(row);
    } catch (err) {
      return `invalid row: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  /** Stages the rows and upserts them in one transaction; every failure is retried (up to `maxAttempts`). */
  protected async sendBatch(rows: readonly TickRow[]): Promise<SendOutcome> {
    try {
      await this.writeBatch(rows);
      return SENT;
    } catch (err) {
      return { kind: 'failed', error: err instanceof Error ? err : new Error(String(err)), transient: true };
    }
  }

  protected describeFailure(e: Error, { rows }: FailedAttempt): string {
    return `DuckDB flush of ${rows} row(s) failed: ${e.message}`;
  }

  protected reportFailure(err: Error, { rows, attempt, final }: FailedAttempt): void {
    this.opts.onError?.(err, { rows, attempt, final });
  }

  /** `retryBackoffMs`, doubled per attempt. */
  protected retryDelayMs(attempt: number): number {
    return this.opts.retryBackoffMs * 2 ** (attempt - 1);
  }

  /** After a failure: drops half-built appenders and empties the staging tables. */
  protected override async afterFailure(): Promise<void> {
    this.closeAppenders();
    for (const table of TICK_TABLES) await this.writer.run(`DELETE FROM temp.main.${stageName(table)}`).catch(() => undefined);
  }

  protected override flushRejected(rejected: number): void {
    throw new Error(`flush: ${rejected} row(s) rejected by DuckDB: ${this.stats.lastError ?? 'unknown error'}`);
  }

  protected override async closeWhileClosing(): Promise<void> {
    await this.loopStopped();
  }

  protected override async afterDrain(): Promise<void> {
    await this.adminQueue.catch(() => undefined);
  }

  protected release(): void {
    this.closeAppenders();
    this.writer.closeSync();
    this.admin.closeSync();
    this.instance.closeSync();
  }

  // ---- admin -------------------------------------------------------------------------------------

  /**
   * Creates the tables of `TICK_TABLES` if missing and checks that existing ones have the expected columns.
   * @returns the table names (`TICK_TABLES`). @throws Error naming a table whose columns differ.
   */
  ensureSchema(): Promise<string[]> {
    return this.adminOp(async () => {
      for (const stmt of splitSqlStatements(DUCKDB_TICK_SCHEMA_SQL)) await this.admin.run(stmt);
      const reader = await this.admin.runAndReadAll(
        `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_catalog = current_database() ORDER BY table_name, ordinal_position`,
      );
      const actual = new Map<string, string[]>();
      for (const [t, c] of reader.getRows() as [string, string][]) actual.set(t, [...(actual.get(t) ?? []), c]);
      for (const table of TICK_TABLES) {
        const want = duckDbTickColumns(table).join(',');
        const got = (actual.get(table) ?? []).join(',');
        if (want !== got) throw new Error(`DuckDB table ${table} has columns (${got}), expected (${want}): schema mismatch`);
      }
      return [...TICK_TABLES];
    });
  }

  /**
   * Committed rows of `table`, optionally only those of the UTC day `day` (`YYYY-MM-DD`).
   * @throws RangeError for an unknown table or a malformed day.
   */
  countRows(table: TickTable, day?: string): Promise<number> {
    assertTable(table);
    const where = day === undefined ? '' : ` WHERE ${dayPredicate(day)}`;
    return this.adminOp(async () => {
      const reader = await this.admin.runAndReadAll(`SELECT count(*) FROM ${table}${where}`);
      return Number(reader.getRows()[0][0] as bigint);
    });
  }

  /**
   * For every table with rows on `day`, writes them ordered by ts to `<outDir>/<table>/<day>.parquet`
   * (`COPY ... (FORMAT parquet)`, snappy) inside a transaction that also counts them (one snapshot), then
   * reads each file back with hyparquet and compares row counts.
   * @throws ExportVerificationError when a file reads back a different count or cannot be read.
   * @throws RangeError for a malformed day; Error for a path DuckDB cannot take (NUL) or an I/O failure.
   */
  async exportDay(day: string, outDir: string): Promise<ExportedFile[]> {
    const predicate = dayPredicate(day);
    const written: Array<{ table: TickTable; path: string; storeRows: number }> = [];
    await this.adminOp(async () => {
      for (const table of TICK_TABLES) {
        const file = path.resolve(outDir, table, `${day}.parquet`);
        const literal = sqlStringLiteral(file);
        await this.admin.run('BEGIN TRANSACTION');
        try {
          const reader = await this.admin.runAndReadAll(`SELECT count(*) FROM ${table} WHERE ${predicate}`);
          const storeRows = Number(reader.getRows()[0][0] as bigint);
          if (storeRows > 0) {
            await fs.mkdir(path.dirname(file), { recursive: true });
            await this.admin.run(`COPY (SELECT * FROM ${table} WHERE ${predicate} ORDER BY ts) TO ${literal} (FORMAT parquet)`);
            written.push({ table, path: file, storeRows });
          }
          await this.admin.run('COMMIT');
        } catch (err) {
          await this.admin.run('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }
    });
    const out: ExportedFile[] = [];
    for (const w of written) {
      const fileRows = await verifyParquetExport(w.table, w.path, w.storeRows);
      const { size } = await fs.stat(w.path);
      out.push({ ...w, fileRows, bytes: size });
    }
    return out;
  }

  /** Deletes the rows of UTC day `day` from every table, in one transaction. @throws RangeError for a malformed day. */
  dropDay(day: string): Promise<void> {
    const predicate = dayPredicate(day);
    return this.adminOp(async () => {
      await this.admin.run(`BEGIN TRANSACTION; ${TICK_TABLES.map((t) => `DELETE FROM ${t} WHERE ${predicate};`).join(' ')} COMMIT`).catch(async (err) => {
        await this.admin.run('ROLLBACK').catch(() => undefined);
        throw err;
      });
    });
  }

  /**
   * Runs one read-only SQL query on the admin connection and returns its rows as plain JS values
   * (BIGINT -> bigint, VARCHAR/UUID -> string, TIMESTAMP* -> Date/JS value per @duckdb/node-api's `getRowObjectsJS`).
   * For inspection, tests and reports; select `epoch_ns(ts)` to get exact nanoseconds.
   * @throws Error when the SQL does not start with SELECT/WITH/DESCRIBE/SUMMARIZE, or DuckDB rejects it.
   */
  query(sql: string): Promise<Record<string, unknown>[]> {
    if (!/^\s*(select|with|describe|summarize)\b/i.test(sql)) throw new Error(`query() takes a read-only SELECT, got ${JSON.stringify(sql.slice(0, 60))}`);
    return this.adminOp(async () => (await this.admin.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[]);
  }

  // ---- internals ---------------------------------------------------------------------------------

  /** Admin statements run one at a time on the admin connection. */
  private adminOp<T>(fn: () => Promise<T>): Promise<T> {
    if (this.isClosed) return Promise.reject(new Error('DuckDbTickStore is closed'));
    const next = this.adminQueue.then(fn, fn);
    this.adminQueue = next.catch(() => undefined);
    return next;
  }

  /** Stages the batch's rows and upserts them in one transaction. */
  private async writeBatch(batch: readonly TickRow[]): Promise<void> {
    const byTable = new Map<TickTable, TickRow[]>();
    for (const row of batch) {
      const list = byTable.get(row.table);
      if (list) list.push(row);
      else byTable.set(row.table, [row]);
    }
    for (const [table, rows] of byTable) {
      let a = this.appenders.get(table);
      if (!a) {
        a = await this.writer.createAppender(stageName(table), 'main', 'temp');
        this.appenders.set(table, a);
      }
      await appendRows(a, table, rows);
      a.flushSync();
    }
    const used = [...byTable.keys()];
    // Fast path: plain INSERTs (about 3x faster than INSERT OR REPLACE here). A key that is already stored
    // (a replay, a resend) or repeated in the batch aborts the transaction; it is then redone as a
    // deduplicating upsert from the same staged rows (staging was filled outside the transaction).
    try {
      await this.writer.run(this.batchSql(used, INSERT_SQL));
    } catch (err) {
      await this.writer.run('ROLLBACK').catch(() => undefined);
      if (!isDuplicateKey(err)) throw err;
      try {
        await this.writer.run(this.batchSql(used, UPSERT_SQL));
      } catch (err2) {
        await this.writer.run('ROLLBACK').catch(() => undefined);
        throw err2;
      }
    }
  }

  private batchSql(tables: Iterable<TickTable>, insert: Record<TickTable, string>): string {
    const sql: string[] = ['BEGIN TRANSACTION'];
    for (const table of tables) sql.push(insert[table], `DELETE FROM temp.main.${stageName(table)}`);
    sql.push('COMMIT');
    return sql.join(';\n');
  }

  private closeAppenders(): void {
    for (const a of this.appenders.values()) {
      try {
        a.clear();
        a.closeSync();
      } catch {
        /* an appender in error state cannot be flushed; it is discarded */
      }
    }
    this.appenders.clear();
  }
}
