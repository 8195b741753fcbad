/**
 * Administration of the QuestDB tick store over QuestDB's REST API (issue #4), with Node's global `fetch`:
 * `GET /exec?query=` for SQL, `GET /exp?fmt=parquet&query=` for Parquet export.
 * API reference: https://questdb.com/docs/reference/api/rest/ and https://questdb.com/docs/query/export-parquet/
 *
 * NOTE: no real QuestDB server was available when this was written. It is tested only against a loopback
 * stand-in (`FakeQuestDb` with `onExec` / `onExp` handlers) that implements `/exec` and `/exp` as the docs
 * describe them (JSON `{columns, dataset}` / `{ddl: "OK"}` / `{query, error, position}` with HTTP 400, and a
 * Parquet body). Exact server behaviour (e.g. error texts, `DROP PARTITION` of the active partition of a WAL
 * table) is unverified.
 */
import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { splitSqlStatements } from './duckdb-schema';
import { verifyParquetExport } from './parquet-read';
import { TICK_TABLES } from './tick-rows';
import type { TickTable } from './tick-rows';
import { utcDayRange } from './tick-store';
import type { ExportedFile, TickStoreAdmin } from './tick-store';

/** Where the QuestDB schema lives (the single source of truth, read at runtime by `ensureSchema`). */
export const QUESTDB_SCHEMA_PATH = path.resolve(__dirname, '../../sql/questdb-schema.sql');

/** Parquet codecs QuestDB's `/exp` accepts as `compression_codec` (REST API docs). */
export type QuestDbParquetCodec = 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP' | 'LZ4' | 'ZSTD' | 'LZ4_RAW' | 'BROTLI' | 'LZO';

export interface QuestDbAdminOptions {
  /** `host:port` of QuestDB's HTTP server (default port 9000). */
  addr: string;
  protocol?: 'http' | 'https';
  /** HTTP basic auth (QuestDB open source `http.user` / `http.password`). Never logged or put in errors. */
  username?: string;
  password?: string;
  /** REST API token (QuestDB Enterprise), sent as `Authorization: Bearer`. Never logged or put in errors. */
  token?: string;
  /** Per-request timeout in ms (an export streams within it). Default 120_000. */
  requestTimeoutMs?: number;
  /**
   * `compression_codec` for `/exp`. Default `SNAPPY`: QuestDB otherwise compresses with LZ4_RAW/ZSTD, which the
   * verifying reader (hyparquet without `hyparquet-compressors`, not installed) cannot decode.
   */
  exportCodec?: QuestDbParquetCodec;
  /** Schema script to run instead of reading `QUESTDB_SCHEMA_PATH` (tests). */
  schemaSql?: string;
}

/** A response of `GET /exec` for a query (`columns` + `dataset`) or a DDL (`ddl: "OK"`). */
export interface QuestDbExecResult {
  columns?: Array<{ name: string; type: string }>;
  dataset?: unknown[][];
  count?: number;
  ddl?: string;
  [key: string]: unknown;
}

function assertTable(table: string): asserts table is TickTable {
  if (!(TICK_TABLES as readonly string[]).includes(table)) {
    throw new RangeError(`unknown tick table ${JSON.stringify(table)} (expected one of ${TICK_TABLES.join(', ')})`);
  }
}

/** Validates `day` (RangeError otherwise) and returns the QuestDB interval literal `'YYYY-MM-DD'`. */
function dayLiteral(day: string): string {
  utcDayRange(day);
  return `'${day}'`;
}

/**
 * `TickStoreAdmin` for QuestDB over its REST API.
 * - `ensureSchema()` runs every statement of `libs/storage/sql/questdb-schema.sql` (idempotent DDL).
 * - `countRows(t, day?)` is `SELECT count() FROM t [WHERE ts IN '<day>']`.
 * - `exportDay(day, outDir)` streams `SELECT * FROM t WHERE ts IN '<day>'` from `/exp?fmt=parquet` to
 *   `<outDir>/<t>/<day>.parquet` (via a `.part` file renamed when complete) and verifies it with hyparquet.
 *   QuestDB WAL tables apply rows asynchronously: export a day only once it is complete (e.g. the day before),
 *   or the count and the export can see different rows (then ExportVerificationError, nothing dropped).
 * - `dropDay(day)` is `ALTER TABLE t DROP PARTITION LIST '<day>'` for each table that has rows that day.
 * Every failed request becomes an Error naming the statement (and the server's `error`), never credentials.
 */
export class QuestDbAdmin implements TickStoreAdmin {
  readonly backend = 'questdb' as const;
  private readonly base: string;
  private readonly headers: Record<string, string> = {};
  private readonly timeoutMs: number;
  private readonly codec: QuestDbParquetCodec;
  private closed = false;

  /** @throws Error when `addr` is not `host:port`. */
  constructor(private readonly options: QuestDbAdminOptions) {
    if (!/^[^/\s:]+(:\d{1,5})?$/.test(options.addr) && !/^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(options.addr)) {
      throw new Error(`addr must be host:port, got ${JSON.stringify(options.addr)}`);
    }
    this.base = `${options.protocol ?? 'http'}://${options.addr}`;
    if (options.token) this.headers.authorization = `Bearer ${options.token}`;
    else if (options.username !== undefined || options.password !== undefined) {
      this.headers.authorization = `Basic ${Buffer.from(`${options.username ?? ''}:${options.password ?? ''}`).toString('base64')}`;
    }
    this.timeoutMs = options.requestTimeoutMs ?? 120_000;
    this.codec = options.exportCodec ?? 'SNAPPY';
  }

  /** Runs one statement via `GET /exec`. @throws Error naming the statement on a transport error, non-2xx or `{error}`. */
  async exec(statement: string): Promise<QuestDbExecResult> {
    if (this.closed) throw new Error('QuestDbAdmin is closed');
    const url = `${this.base}/exec?query=${encodeURIComponent(statement)}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: this.headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new Error(`QuestDB /exec of ${JSON.stringify(statement)} failed: ${describeFetchError(err)}`);
    }
    const text = await res.text();
    let body: QuestDbExecResult | null = null;
    try {
      body = JSON.parse(text) as QuestDbExecResult;
    } catch {
      /* not JSON */
    }
    if (!res.ok || body === null || typeof body !== 'object' || body.error !== undefined) {
      const why = body && body.error !== undefined ? String(body.error) : text.slice(0, 200) || '(empty body)';
      throw new Error(`QuestDB /exec of ${JSON.stringify(statement)} failed: HTTP ${res.status}: ${why}`);
    }
    return body;
  }

  /** Runs every statement of the QuestDB schema file. @returns `TICK_TABLES`. @throws Error naming the failed statement. */
  async ensureSchema(): Promise<string[]> {
    const script = this.options.schemaSql ?? (await fs.readFile(QUESTDB_SCHEMA_PATH, 'utf8'));
    for (const stmt of splitSqlStatements(script)) await this.exec(stmt);
    return [...TICK_TABLES];
  }

  /** Rows of `table` (optionally of one UTC day). @throws RangeError for an unknown table/bad day, Error from /exec. */
  async countRows(table: TickTable, day?: string): Promise<number> {
    assertTable(table);
    const where = day === undefined ? '' : ` WHERE ts IN ${dayLiteral(day)}`;
    const sql = `SELECT count() FROM ${table}${where}`;
    const res = await this.exec(sql);
    const n = res.dataset?.[0]?.[0];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw new Error(`QuestDB /exec of ${JSON.stringify(sql)} returned no count: ${JSON.stringify(res).slice(0, 200)}`);
    }
    return n;
  }

  /**
   * Exports each table's rows of `day` with `/exp?fmt=parquet&compression_codec=<exportCodec>` and verifies each file.
   * @throws ExportVerificationError on a count mismatch or an unreadable file; Error naming the query on an HTTP failure.
   */
  async exportDay(day: string, outDir: string): Promise<ExportedFile[]> {
    const lit = dayLiteral(day);
    const out: ExportedFile[] = [];
    for (const table of TICK_TABLES) {
      const storeRows = await this.countRows(table, day);
      if (storeRows === 0) continue;
      const file = path.resolve(outDir, table, `${day}.parquet`);
      await fs.mkdir(path.dirname(file), { recursive: true });
      const query = `SELECT * FROM ${table} WHERE ts IN ${lit}`;
      await this.download(query, file);
      const fileRows = await verifyParquetExport(table, file, storeRows);
      const { size } = await fs.stat(file);
      out.push({ table, path: file, storeRows, fileRows, bytes: size });
    }
    return out;
  }

  /** Drops the day's partition of every table that has rows that day. @throws RangeError for a bad day, Error from /exec. */
  async dropDay(day: string): Promise<void> {
    const lit = dayLiteral(day);
    for (const table of TICK_TABLES) {
      if ((await this.countRows(table, day)) === 0) continue;
      await this.exec(`ALTER TABLE ${table} DROP PARTITION LIST ${lit}`);
    }
  }

  /** No connection is held (each request is a `fetch`); further calls reject. */
  async close(): Promise<void> {
    this.closed = true;
  }

  /** Streams `/exp` to `<file>.part`, renamed to `file` once complete. */
  private async download(query: string, file: string): Promise<void> {
    if (this.closed) throw new Error('QuestDbAdmin is closed');
    const params = new URLSearchParams({ query, fmt: 'parquet', compression_codec: this.codec });
    let res: Response;
    try {
      res = await fetch(`${this.base}/exp?${params.toString()}`, { headers: this.headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new Error(`QuestDB /exp of ${JSON.stringify(query)} failed: ${describeFetchError(err)}`);
    }
    if (!res.ok || !res.body) {
      const text = await res.text().catch(() => '');
      let why = text.slice(0, 200) || '(empty body)';
      try {
        const j = JSON.parse(text) as { error?: unknown };
        if (j.error !== undefined) why = String(j.error);
      } catch {
        /* not JSON */
      }
      throw new Error(`QuestDB /exp of ${JSON.stringify(query)} failed: HTTP ${res.status}: ${why}`);
    }
    const part = `${file}.part`;
    try {
      await pipeline(Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>), createWriteStream(part));
      await fs.rename(part, file);
    } catch (err) {
      await fs.rm(part, { force: true });
      throw new Error(`QuestDB /exp of ${JSON.stringify(query)} to ${file} failed: ${describeFetchError(err)}`);
    }
  }
}

/** `message (CODE)` of a fetch/stream error (duck-typed: under Jest, errors from Node's fetch come from another realm). */
function describeFetchError(err: unknown): string {
  const e = err as { message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  if (!e || typeof e.message !== 'string') return String(err);
  const cause = e.cause;
  if (typeof cause?.code === 'string') return `${e.message} (${cause.code})`;
  if (typeof cause?.message === 'string') return `${e.message}: ${cause.message}`;
  return e.message;
}
