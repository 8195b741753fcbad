/**
 * `kalshi-platform schema` (issue #4): creates the tick store's tables and runs the relational store's migrations,
 * the explicit set-up step of a deployment (nothing migrates silently at start).
 *
 * - Tick store: `--tick-store questdb` runs libs/storage/sql/questdb-schema.sql over QuestDB's `/exec` (WAL tables,
 *   `PARTITION BY DAY`, `DEDUP UPSERT KEYS`); `embedded` creates the same tables in the DuckDB file. Idempotent.
 * - Relational store: `migrate up` of the platform schema (PostgreSQL via `--database-url` / `DATABASE_URL`, else
 *   embedded PGlite in `--data-dir`); `--skip-migrations` leaves it alone.
 * Bad flags exit 2 naming the flag; an unreachable store exits 1.
 */
import type { Command } from 'commander';
import { optionsOrExit } from './flags';
import {
  DEFAULT_PLATFORM_DATA_DIR,
  DEFAULT_PLATFORM_SCHEMA,
  DEFAULT_TICK_STORE_PATH,
  openTickStoreAdmin,
  tickStoreConfig,
  TickStoreConfigError,
  TICK_STORE_CHOICES,
  type TickStoreConfig,
} from '@kalshi-platform/storage';
import { migrateOptionsFromFlags, MigrateArgError, runMigrate, formatMigrateResult, type MigrateOptions, type MigrateResult } from './migrate';

export interface SchemaOptions {
  ticks: TickStoreConfig;
  /** `null`: --skip-migrations */
  migrate: MigrateOptions | null;
}

export interface SchemaResult {
  tickBackend: string;
  tickLocation: string;
  tables: string[];
  migrations: MigrateResult | null;
}

/** Bad command-line input: exit 2. */
export class SchemaArgError extends Error {}

export interface SchemaCliFlags {
  tickStore?: string;
  tickStorePath?: string;
  questdbAddr?: string;
  skipMigrations?: boolean;
  databaseUrl?: string;
  dataDir?: string;
  schema?: string;
}

/** Flags, then `TICK_STORE` / `TICK_STORE_PATH` / `QUESTDB_ADDR` / `DATABASE_URL`. @throws SchemaArgError naming the flag */
export function schemaOptionsFromFlags(flags: SchemaCliFlags, env: NodeJS.ProcessEnv = process.env): SchemaOptions {
  let ticks: TickStoreConfig;
  try {
    ticks = tickStoreConfig(flags, env, 'embedded');
  } catch (e) {
    if (e instanceof TickStoreConfigError) throw new SchemaArgError(e.message);
    throw e;
  }
  if (ticks.backend === 'off') throw new SchemaArgError('--tick-store off: schema needs embedded or questdb');
  let migrate: MigrateOptions | null = null;
  if (!flags.skipMigrations) {
    try {
      migrate = migrateOptionsFromFlags('up', { databaseUrl: flags.databaseUrl, dataDir: flags.dataDir, schema: flags.schema }, env);
    } catch (e) {
      if (e instanceof MigrateArgError) throw new SchemaArgError(e.message);
      throw e;
    }
  }
  return { ticks, migrate };
}

/** Creates the tick tables, then runs the migrations. @throws on an unreachable store or a failing statement */
export async function runSchema(opts: SchemaOptions): Promise<SchemaResult> {
  const admin = await openTickStoreAdmin(opts.ticks);
  let tables: string[];
  try {
    tables = await admin.ensureSchema();
  } finally {
    await admin.close();
  }
  const migrations = opts.migrate ? await runMigrate(opts.migrate) : null;
  return {
    tickBackend: opts.ticks.backend,
    tickLocation: opts.ticks.backend === 'questdb' ? opts.ticks.questdbAddr : opts.ticks.path,
    tables,
    migrations,
  };
}

export function formatSchemaResult(r: SchemaResult): string {
  const lines = [`tick store (${r.tickBackend}, ${r.tickLocation}): ${r.tables.length} table(s) present: ${r.tables.join(', ')}`];
  lines.push(r.migrations ? formatMigrateResult(r.migrations) : 'relational store: migrations skipped (--skip-migrations)');
  return lines.join('\n');
}

/** Registers `schema` on the program. */
export const registerSchema = (program: Command): void => {
  program
    .command('schema')
    .description(
      'Create the tick store tables (QuestDB over /exec, or the embedded DuckDB file; idempotent) and run the relational ' +
        'store migrations (PostgreSQL or embedded PGlite). The only set-up step: nothing migrates at service start.',
    )
    .option('--tick-store <backend>', `${TICK_STORE_CHOICES.filter((c) => c !== 'off').join(' | ')} (env TICK_STORE, default embedded)`)
    .option('--tick-store-path <file>', `embedded DuckDB file (env TICK_STORE_PATH, default ${DEFAULT_TICK_STORE_PATH})`)
    .option('--questdb-addr <host:port>', 'QuestDB HTTP endpoint (env QUESTDB_ADDR, default localhost:9000)')
    .option('--skip-migrations', 'only the tick store')
    .option('--database-url <url>', 'PostgreSQL for the relational store (env DATABASE_URL; unset: embedded PGlite)')
    .option('--data-dir <dir>', `PGlite data directory (default ${DEFAULT_PLATFORM_DATA_DIR})`)
    .option('--schema <name>', `PostgreSQL schema of the relational tables (default ${DEFAULT_PLATFORM_SCHEMA})`)
    .action(async (flags: SchemaCliFlags) => {
      const opts = optionsOrExit('schema', (e) => e instanceof SchemaArgError, () => schemaOptionsFromFlags(flags));
      process.stdout.write(`${formatSchemaResult(await runSchema(opts))}\n`);
    });
};
