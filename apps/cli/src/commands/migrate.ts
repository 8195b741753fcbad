/**
 * `kalshi-platform migrate up|down|status` (issue #4): the ONLY way the platform's relational store
 * (`@kalshi-platform/storage` `openRelationalStore`) changes its schema — opening the store never migrates.
 *
 * - `migrate up`: creates the schema if missing, applies every pending migration in one transaction; prints each.
 * - `migrate down [--steps N]`: reverts the last N applied migrations (default 1), newest first; prints each. More
 *   steps than applied is an error and reverts nothing.
 * - `migrate status`: prints applied / pending (and unknown: applied by a newer build) migrations; changes nothing.
 *
 * Target: `--database-url` (PostgreSQL), else env `DATABASE_URL`, else embedded PGlite in `--data-dir`
 * (default `data/platform-db`). `--schema` (default `platform`) is the PostgreSQL schema of every table. Bad flags
 * exit 2 ({@link MigrateArgError}); a database error exits 1.
 */
import type { Command } from 'commander';
import { optionsOrExit } from './flags';
import { assertSchemaName, DEFAULT_PLATFORM_DATA_DIR, DEFAULT_PLATFORM_SCHEMA, openRelationalStore, type MigrationStatus } from '@kalshi-platform/storage';

export const MIGRATE_ACTIONS = ['up', 'down', 'status'] as const;
export type MigrateAction = (typeof MIGRATE_ACTIONS)[number];

/** Options of {@link runMigrate}. */
export interface MigrateOptions {
  action: MigrateAction;
  /** PostgreSQL URL; undefined: PGlite in {@link dataDir} */
  databaseUrl?: string;
  /** PGlite data directory */
  dataDir: string;
  schema: string;
  /** `down` only: migrations to revert (>= 1) */
  steps: number;
}

/** What {@link runMigrate} did. */
export interface MigrateResult {
  action: MigrateAction;
  kind: 'postgres' | 'pglite';
  schema: string;
  /** `up`: names applied, oldest first */
  applied: string[];
  /** `down`: names reverted, newest first */
  reverted: string[];
  /** status after the action */
  status: MigrationStatus;
}

/** Bad command-line input: the CLI exits 2 with this message. */
export class MigrateArgError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`);
    this.name = 'MigrateArgError';
  }
}

/** Raw commander flags of a `migrate` subcommand. */
export interface MigrateCliFlags {
  databaseUrl?: string;
  dataDir?: string;
  schema?: string;
  steps?: string;
}

/**
 * Flags (then env `DATABASE_URL`) -> options.
 * @throws MigrateArgError naming the flag (or `DATABASE_URL`) that is wrong
 */
export function migrateOptionsFromFlags(action: string, flags: MigrateCliFlags, env: NodeJS.ProcessEnv = process.env): MigrateOptions {
  if (!(MIGRATE_ACTIONS as readonly string[]).includes(action)) throw new MigrateArgError('action', `must be one of ${MIGRATE_ACTIONS.join(', ')}, got ${JSON.stringify(action)}`);
  const fromFlag = flags.databaseUrl !== undefined;
  const url = (fromFlag ? flags.databaseUrl : env.DATABASE_URL)?.trim() || undefined;
  if (fromFlag && url === undefined) throw new MigrateArgError('--database-url', 'is empty');
  if (url !== undefined && !/^postgres(ql)?:\/\/\S+$/.test(url)) {
    throw new MigrateArgError(fromFlag ? '--database-url' : 'DATABASE_URL', `expected postgres://user@host:port/db, got ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//***@'))}`);
  }
  const dataDir = flags.dataDir ?? DEFAULT_PLATFORM_DATA_DIR;
  if (dataDir.trim() === '') throw new MigrateArgError('--data-dir', 'is empty');
  const schema = flags.schema ?? DEFAULT_PLATFORM_SCHEMA;
  try {
    assertSchemaName(schema);
  } catch (e) {
    throw new MigrateArgError('--schema', (e as Error).message.replace(/^relational store: /, ''));
  }
  let steps = 1;
  if (flags.steps !== undefined) {
    if (action !== 'down') throw new MigrateArgError('--steps', `only applies to migrate down, not migrate ${action}`);
    if (!/^[1-9][0-9]{0,5}$/.test(flags.steps)) throw new MigrateArgError('--steps', `expected a positive integer, got ${JSON.stringify(flags.steps)}`);
    steps = Number(flags.steps);
  }
  return { action: action as MigrateAction, databaseUrl: url, dataDir, schema, steps };
}

/**
 * Opens the store, performs the action, reports the resulting status, closes the store.
 * @throws the store's error (connection, SQL, more steps than applied) after closing it
 */
export async function runMigrate(opts: MigrateOptions): Promise<MigrateResult> {
  const store = await openRelationalStore({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, schema: opts.schema });
  try {
    let applied: string[] = [];
    let reverted: string[] = [];
    if (opts.action === 'up') applied = await store.migrateUp();
    else if (opts.action === 'down') reverted = await store.migrateDown(opts.steps);
    const status = await store.migrationStatus();
    return { action: opts.action, kind: store.kind, schema: store.schema, applied, reverted, status };
  } finally {
    await store.close();
  }
}

/** Human-readable lines of a result, as printed by the CLI. */
export function formatMigrateResult(r: MigrateResult): string {
  const where = `${r.kind} schema "${r.schema}"`;
  const lines: string[] = [];
  if (r.action === 'up') {
    lines.push(r.applied.length === 0 ? `migrate up (${where}): nothing to apply, up to date` : `migrate up (${where}): applied ${r.applied.length}`);
    for (const n of r.applied) lines.push(`  applied  ${n}`);
  } else if (r.action === 'down') {
    lines.push(`migrate down (${where}): reverted ${r.reverted.length}`);
    for (const n of r.reverted) lines.push(`  reverted ${n}`);
  } else {
    lines.push(`migrate status (${where}): ${r.status.applied.length} applied, ${r.status.pending.length} pending${r.status.unknown.length ? `, ${r.status.unknown.length} unknown` : ''}`);
    for (const n of r.status.applied) lines.push(`  [x] ${n}${r.status.unknown.includes(n) ? '  (unknown to this build)' : ''}`);
    for (const n of r.status.pending) lines.push(`  [ ] ${n}`);
  }
  return lines.join('\n');
}

/** Registers `migrate up|down|status` on the program. */
export const registerMigrate = (program: Command): void => {
  const migrate = program
    .command('migrate')
    .description('Schema migrations of the platform relational store (PostgreSQL via --database-url / DATABASE_URL, else embedded PGlite in --data-dir). Never run implicitly.');
  const sub = (name: MigrateAction, description: string): Command =>
    migrate
      .command(name)
      .description(description)
      .option('--database-url <url>', 'PostgreSQL URL (overrides env DATABASE_URL; without either: embedded PGlite)')
      .option('--data-dir <dir>', `PGlite data directory when no URL (default ${DEFAULT_PLATFORM_DATA_DIR})`)
      .option('--schema <name>', `PostgreSQL schema of the tables (default ${DEFAULT_PLATFORM_SCHEMA})`);
  const act = (name: MigrateAction) => async (flags: MigrateCliFlags) => {
    const opts = optionsOrExit(`migrate ${name}`, (e) => e instanceof MigrateArgError, () => migrateOptionsFromFlags(name, flags));
    const r = await runMigrate(opts);
    process.stdout.write(`${formatMigrateResult(r)}\n`);
  };
  sub('up', 'Apply every pending migration (one transaction); creates the schema if missing').action(act('up'));
  sub('down', 'Revert the last applied migration(s), newest first')
    .option('--steps <n>', 'how many migrations to revert (default 1)')
    .action(act('down'));
  sub('status', 'List applied and pending migrations (changes nothing)').action(act('status'));
};
