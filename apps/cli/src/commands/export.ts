/**
 * `kalshi-platform export --day DATE --format parquet [--drop]` (issue #4): rolls one UTC day of the tick store off
 * to Parquet, one file per non-empty table, `<out>/<table>/<DATE>.parquet`.
 *
 * - Embedded store: DuckDB `COPY ... TO (FORMAT parquet)`; QuestDB: `GET /exp?fmt=parquet` (snappy) per table.
 * - Every file is read back by an independent reader (hyparquet, pure JS) and its row count compared with the
 *   store's count for that day; a mismatch or an unreadable file exits 1 and drops NOTHING.
 * - `--drop` deletes the day from the store only after every file verified (QuestDB: `ALTER TABLE .. DROP PARTITION
 *   LIST`), then checks that the day is empty.
 * Bad flags exit 2 naming the flag.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { optionsOrExit } from './flags';
import {
  DEFAULT_TICK_STORE_PATH,
  ExportVerificationError,
  openTickStoreAdmin,
  tickStoreConfig,
  TickStoreConfigError,
  TICK_TABLES,
  utcDayRange,
  type ExportedFile,
  type TickStoreConfig,
} from '@kalshi-platform/storage';

export const EXPORT_FORMATS = ['parquet'] as const;
export const DEFAULT_EXPORT_DIR = 'data/exports';

export interface ExportOptions {
  day: string;
  outDir: string;
  drop: boolean;
  ticks: TickStoreConfig;
}

export interface ExportResult {
  day: string;
  files: ExportedFile[];
  dropped: boolean;
  /** rows of the day left in the store after `--drop` (0 when it worked) */
  remainingAfterDrop: number | null;
}

/** Bad command-line input: exit 2. */
export class ExportArgError extends Error {}

export interface ExportCliFlags {
  day?: string;
  format?: string;
  out?: string;
  drop?: boolean;
  tickStore?: string;
  tickStorePath?: string;
  questdbAddr?: string;
}

/** Flags, then `TICK_STORE` / `TICK_STORE_PATH` / `QUESTDB_ADDR`. @throws ExportArgError naming the flag */
export function exportOptionsFromFlags(flags: ExportCliFlags, env: NodeJS.ProcessEnv = process.env): ExportOptions {
  if (!flags.day) throw new ExportArgError('--day is required (a UTC day, YYYY-MM-DD)');
  try {
    utcDayRange(flags.day);
  } catch (e) {
    throw new ExportArgError(`--day: ${(e as Error).message}`);
  }
  const format = flags.format ?? 'parquet';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new ExportArgError(`--format: must be one of ${EXPORT_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  let ticks: TickStoreConfig;
  try {
    ticks = tickStoreConfig(flags, env, 'embedded');
  } catch (e) {
    if (e instanceof TickStoreConfigError) throw new ExportArgError(e.message);
    throw e;
  }
  if (ticks.backend === 'off') throw new ExportArgError('--tick-store off: nothing to export');
  return { day: flags.day, outDir: resolve(flags.out ?? DEFAULT_EXPORT_DIR), drop: flags.drop === true, ticks };
}

/**
 * Exports the day, verifies every file, then drops the day when asked.
 * @throws ExportVerificationError (nothing dropped) or the store's error
 */
export async function runExport(opts: ExportOptions): Promise<ExportResult> {
  const admin = await openTickStoreAdmin(opts.ticks);
  try {
    const files = await admin.exportDay(opts.day, opts.outDir);
    for (const f of files) if (f.fileRows !== f.storeRows) throw new ExportVerificationError(f.table, f.path, f.storeRows, f.fileRows);
    if (!opts.drop) return { day: opts.day, files, dropped: false, remainingAfterDrop: null };
    await admin.dropDay(opts.day);
    let remaining = 0;
    for (const t of TICK_TABLES) remaining += await admin.countRows(t, opts.day);
    return { day: opts.day, files, dropped: true, remainingAfterDrop: remaining };
  } finally {
    await admin.close();
  }
}

export function formatExportResult(r: ExportResult): string {
  const lines = [`export ${r.day}: ${r.files.length} file(s), ${r.files.reduce((n, f) => n + f.fileRows, 0)} row(s), each read back by hyparquet`];
  for (const f of r.files) lines.push(`  ${f.table.padEnd(26)} ${String(f.fileRows).padStart(10)} rows  ${String(f.bytes).padStart(10)} bytes  ${f.path}`);
  if (r.dropped) lines.push(`  dropped ${r.day} from the store (${r.remainingAfterDrop} row(s) of that day left)`);
  return lines.join('\n');
}

/** Registers `export` on the program. */
export const registerExport = (program: Command): void => {
  program
    .command('export')
    .description(
      'Export one UTC day of the tick store to Parquet (one file per table, <out>/<table>/<day>.parquet), read every file back ' +
        'with an independent reader (hyparquet) and compare row counts; with --drop, then delete the day from the store. ' +
        'A failed verification exits 1 and drops nothing.',
    )
    .option('--day <YYYY-MM-DD>', 'the UTC day')
    .option('--format <format>', 'parquet', 'parquet')
    .option('--out <dir>', 'output directory', DEFAULT_EXPORT_DIR)
    .option('--drop', 'delete the day from the store after every file verified')
    .option('--tick-store <backend>', 'embedded | questdb (env TICK_STORE, default embedded)')
    .option('--tick-store-path <file>', `embedded DuckDB file (env TICK_STORE_PATH, default ${DEFAULT_TICK_STORE_PATH})`)
    .option('--questdb-addr <host:port>', 'QuestDB HTTP endpoint (env QUESTDB_ADDR, default localhost:9000)')
    .action(async (flags: ExportCliFlags) => {
      const opts = optionsOrExit('export', (e) => e instanceof ExportArgError, () => exportOptionsFromFlags(flags));
      try {
        process.stdout.write(`${formatExportResult(await runExport(opts))}\n`);
      } catch (e) {
        if (e instanceof ExportVerificationError) {
          process.stderr.write(`kalshi-platform export: ${e.message}; nothing was dropped\n`);
          process.exit(1);
        }
        throw e;
      }
    });
};
