/**
 * An independent Parquet reader for verifying tick exports (issue #4): hyparquet, a pure-JS reader that
 * shares no code with DuckDB or QuestDB, so a file that reads back here was not just "read by its writer".
 *
 * Loading: hyparquet is ESM-only. This repo compiles TypeScript to CommonJS, and TypeScript, ts-jest and
 * swc all rewrite a literal `import()` into `require()`. In plain Node the module is loaded with a native
 * `import()` built by `new Function` (not rewritten by any of the three compilers), falling back to `require()`
 * (Node 20.19+ can require ESM). Under Jest, whose module registry cannot serve that native import across test
 * files, jest.preset.cjs compiles hyparquet to CommonJS and it is `require`d.
 *
 * Codecs: hyparquet decodes UNCOMPRESSED, SNAPPY (DuckDB's default) and a few others natively; LZ4_RAW
 * (QuestDB's default) and ZSTD need the `hyparquet-compressors` package, which is not installed here.
 */
import { promises as fs } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { ExportVerificationError } from './tick-store';
import type { TickTable } from './tick-rows';

type Hyparquet = typeof import('hyparquet');

let loaded: Promise<Hyparquet> | null = null;

/** Native dynamic import, hidden from the TS/ts-jest/swc CommonJS rewrite. */
const nativeImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

/** Loads hyparquet once (see the module doc for why this is not a plain `import`). */
export function loadHyparquet(): Promise<Hyparquet> {
  if (!loaded) {
    loaded = (async () => {
      const resolved = require.resolve('hyparquet');
      // under Jest, jest.preset.cjs compiles hyparquet to CommonJS: its module registry cannot run a native import()
      if (process.env.JEST_WORKER_ID !== undefined) return require(resolved) as Hyparquet;
      try {
        return (await nativeImport(pathToFileURL(resolved).href)) as Hyparquet;
      } catch (err) {
        try {
          return require(resolved) as Hyparquet;
        } catch {
          throw new Error(
            `cannot load hyparquet (ESM-only) from ${resolved}: ${err instanceof Error ? err.message : String(err)}; ` +
              'under Jest run with NODE_OPTIONS=--experimental-vm-modules',
          );
        }
      }
    })();
    loaded.catch(() => {
      loaded = null;
    });
  }
  return loaded;
}

/** An AsyncBuffer over a local file: each `slice` is one positioned read (the file is opened once). */
async function fileBuffer(path: string): Promise<{ buffer: AsyncBuffer; close: () => Promise<void> }> {
  const handle = await fs.open(path, 'r');
  const { size } = await handle.stat();
  const buffer: AsyncBuffer = {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = Math.min(end ?? size, size);
      const length = Math.max(0, stop - start);
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, start + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return out.buffer;
    },
  };
  return { buffer, close: () => handle.close() };
}

async function withFile<T>(path: string, fn: (h: Hyparquet, file: AsyncBuffer, metadata: FileMetaData) => Promise<T>): Promise<T> {
  const h = await loadHyparquet();
  const { buffer, close } = await fileBuffer(path);
  try {
    const metadata = await h.parquetMetadataAsync(buffer);
    return await fn(h, buffer, metadata);
  } finally {
    await close();
  }
}

/**
 * Rows in a Parquet file according to its footer (`FileMetaData.num_rows`), cross-checked against the sum
 * of its row groups. Reads only the footer.
 * @throws Error when the file is missing, is not Parquet, is truncated, or the footer is inconsistent.
 */
export async function readParquetRowCount(path: string): Promise<number> {
  return withFile(path, async (_h, _file, md) => footerRowCount(path, md));
}

function footerRowCount(path: string, md: FileMetaData): number {
  const total = Number(md.num_rows);
  const groups = md.row_groups.reduce((n, rg) => n + Number(rg.num_rows), 0);
  if (!Number.isSafeInteger(total) || total !== groups) {
    throw new Error(`parquet ${path}: footer says ${String(md.num_rows)} rows, row groups hold ${groups}`);
  }
  return total;
}

/**
 * Every row of a Parquet file as an object keyed by column name. Value types: INT64 -> `bigint`,
 * INT32 -> `number`, strings -> `string`, UUID -> `string` (canonical 8-4-4-4-12), NULL -> `null`, and every
 * TIMESTAMP (ms, us or ns unit) -> `bigint` epoch **nanoseconds** (exact; no `Date` rounding).
 * Loads the whole file in memory: meant for tests and spot checks, not for large exports.
 * @throws Error when the file cannot be read or decoded (e.g. an unsupported codec such as LZ4_RAW).
 */
export async function readParquetRows(path: string): Promise<Record<string, unknown>[]> {
  return withFile(path, async (h, file, metadata) =>
    (await h.parquetReadObjects({
      file,
      metadata,
      parsers: {
        timestampFromNanoseconds: (ns: bigint) => ns,
        timestampFromMicroseconds: (us: bigint) => us * 1_000n,
        timestampFromMilliseconds: (ms: bigint) => ms * 1_000_000n,
      },
    })) as Record<string, unknown>[],
  );
}

/**
 * Decodes the first column of every row group of the file (so the data pages are really read, not only
 * the footer) and returns the row count, which must also agree with the footer.
 * @throws Error when the file cannot be read or decoded, or the counts disagree.
 */
export async function readParquetRowCountDecoded(path: string): Promise<number> {
  return withFile(path, async (h, file, metadata) => {
    const total = footerRowCount(path, metadata);
    const first = metadata.schema[1]?.name;
    if (first === undefined) return total;
    const values = await h.parquetReadObjects({ file, metadata, columns: [first], parsers: { timestampFromNanoseconds: (ns: bigint) => ns } });
    if (values.length !== total) {
      throw new Error(`parquet ${path}: decoded ${values.length} values of column ${first}, footer says ${total} rows`);
    }
    return total;
  });
}

/**
 * Verifies an exported file with hyparquet: decodes it (`readParquetRowCountDecoded`) and compares the row
 * count with `storeRows`. Returns the file's row count.
 * @throws ExportVerificationError when the counts differ, or when the file cannot be read at all (then
 *   `fileRows` is -1 and `cause` holds the read error).
 */
export async function verifyParquetExport(table: TickTable, path: string, storeRows: number): Promise<number> {
  let fileRows: number;
  try {
    fileRows = await readParquetRowCountDecoded(path);
  } catch (err) {
    const e = new ExportVerificationError(table, path, storeRows, -1);
    e.message += ` (unreadable: ${err instanceof Error ? err.message : String(err)})`;
    e.cause = err;
    throw e;
  }
  if (fileRows !== storeRows) throw new ExportVerificationError(table, path, storeRows, fileRows);
  return fileRows;
}
