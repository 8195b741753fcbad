/**
 * The PLATFORM's relational store (issue #4): our markets, events, signals, orders, fills, positions, risk limits and
 * audit log, through typeorm. PostgreSQL when a database URL is given (driver `pg`), otherwise an embedded PGlite
 * (WASM Postgres, files under `dataDir`, through `typeorm-pglite`). Entities in `./entities`, hand-written
 * migrations in `./migrations`; `synchronize` is never used.
 *
 * Schema: every table lives in a dedicated PostgreSQL schema, `platform` unless configured, because the mock
 * exchange's venue store (`libs/feature-exchange/src/store`) uses the table names `orders`, `fills`, `positions` in
 * `public` of the same `DATABASE_URL`. typeorm's `migrations` table of this store is `<schema>.migrations`.
 *
 * Migrations are NEVER run implicitly: {@link openRelationalStore} only connects (`migrationsRun: false`); the schema
 * changes only through {@link RelationalStore.migrateUp} / {@link RelationalStore.migrateDown} (CLI:
 * `kalshi-platform migrate up|down|status`). Code that needs the tables should check
 * {@link RelationalStore.migrationStatus} and refuse to run with pending migrations.
 *
 * PGlite caveat: typeorm-pglite keeps ONE PGlite instance per process (a static in its module), created by the first
 * DataSource that connects and closed by whichever DataSource is destroyed first. Consequences:
 * - at most one PGlite-backed store (this one OR the venue store) may be open per process: a second DataSource would
 *   silently reuse the first instance and ignore its own `dataDir`, and closing either would close the other's
 *   database. {@link openRelationalStore} therefore throws if a PGlite instance already exists in the process;
 * - PGlite is a single connection: two concurrent transactions on one store are serialized by PGlite, not isolated.
 * Use PostgreSQL (a URL) for anything with several processes or stores.
 */
import { mkdirSync } from 'node:fs';
import * as vm from 'node:vm';
import { DataSource, MigrationExecutor } from 'typeorm';
import { PGliteDriver } from 'typeorm-pglite';
import { PGliteInstance } from 'typeorm-pglite/dist/pglite-instance';
import { RELATIONAL_ENTITIES } from './entities';
import { RELATIONAL_MIGRATIONS } from './migrations';

/** Schema of the platform's tables unless configured. */
export const DEFAULT_PLATFORM_SCHEMA = 'platform';
/** PGlite data directory of the CLI unless configured (relative to the working directory). */
export const DEFAULT_PLATFORM_DATA_DIR = 'data/platform-db';

/** Options of {@link openRelationalStore}. */
export interface RelationalStoreOptions {
  /** `postgres://…` / `postgresql://…`: use PostgreSQL; absent/empty: embedded PGlite in {@link dataDir}. */
  databaseUrl?: string;
  /** PGlite data directory (created if missing; default {@link DEFAULT_PLATFORM_DATA_DIR}); unused with PostgreSQL. */
  dataDir?: string;
  /** Schema of every table (default {@link DEFAULT_PLATFORM_SCHEMA}): lowercase letters, digits, `_`, <= 63 chars. */
  schema?: string;
}

/** Result of {@link RelationalStore.migrationStatus}: names, oldest first. */
export interface MigrationStatus {
  /** Recorded in `<schema>.migrations`, in application order. */
  applied: string[];
  /** Known to this code and not applied, in the order `migrateUp` would apply them. */
  pending: string[];
  /** Applied in the database but unknown to this code (a newer build migrated it): `migrateDown` refuses them. */
  unknown: string[];
}

/** Valid PostgreSQL identifier we accept as a schema name (no quoting subtleties, not a system schema). */
const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Checks a schema name.
 * @throws Error naming the bad value when it is not `[a-z_][a-z0-9_]{0,62}` or is `pg_*` / `information_schema`
 */
export function assertSchemaName(schema: string): void {
  if (!SCHEMA_RE.test(schema) || schema.startsWith('pg_') || schema === 'information_schema') {
    throw new Error(`relational store: invalid schema name ${JSON.stringify(schema)} (expected lowercase letters, digits and _, at most 63, not pg_* or information_schema)`);
  }
}

/** Whether a store of this module holds typeorm-pglite's process-wide PGlite instance. */
let pgliteHeld = false;

/** True if typeorm-pglite already created its process-wide PGlite instance (for any DataSource). */
function pgliteInstanceExists(): boolean {
  return (PGliteInstance as unknown as { instance: unknown }).instance != null;
}

/**
 * PGlite's CommonJS build loads Node built-ins with dynamic `import()`; inside Jest that needs
 * `node --experimental-vm-modules`, and without it the failure kills the Jest process. Refuse up front under Jest.
 * @throws Error naming the missing flag
 */
function assertPgliteLoadable(): void {
  if (process.env['JEST_WORKER_ID'] === undefined) return;
  if (typeof (vm as { SourceTextModule?: unknown }).SourceTextModule === 'function') return;
  throw new Error('relational store: PGlite cannot load under Jest without node --experimental-vm-modules (set NODE_OPTIONS=--experimental-vm-modules)');
}

/**
 * Opens (connects) the platform's relational store. Does NOT create the schema nor run any migration.
 * @throws Error on a bad schema name, a non-postgres URL, a PGlite instance already open in the process, or a
 *   connection failure (the DataSource is destroyed before rethrowing)
 */
export async function openRelationalStore(opts: RelationalStoreOptions = {}): Promise<RelationalStore> {
  const schema = opts.schema ?? DEFAULT_PLATFORM_SCHEMA;
  assertSchemaName(schema);
  const url = opts.databaseUrl?.trim() || undefined;
  if (url !== undefined && !/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(`relational store: database URL must start with postgres:// or postgresql://, got ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//***@'))}`);
  }
  const common = {
    schema,
    entities: RELATIONAL_ENTITIES,
    migrations: RELATIONAL_MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
  } as const;
  let ds: DataSource;
  let holdsPglite = false;
  if (url === undefined) {
    const dataDir = opts.dataDir || DEFAULT_PLATFORM_DATA_DIR;
    if (pgliteHeld || pgliteInstanceExists()) {
      throw new Error('relational store: a PGlite database is already open in this process (typeorm-pglite holds one PGlite instance per process); close it first or use a PostgreSQL URL');
    }
    assertPgliteLoadable();
    mkdirSync(dataDir, { recursive: true });
    pgliteHeld = holdsPglite = true;
    ds = new DataSource({ type: 'postgres', driver: new PGliteDriver({ dataDir }).driver, ...common });
  } else {
    ds = new DataSource({ type: 'postgres', url, applicationName: 'kalshi-platform-store', extra: { max: 4 }, ...common });
  }
  try {
    await ds.initialize();
  } catch (err) {
    if (ds.isInitialized) await ds.destroy().catch(() => undefined);
    if (holdsPglite) pgliteHeld = false;
    throw err;
  }
  return new RelationalStore(ds, url === undefined ? 'pglite' : 'postgres', schema, holdsPglite);
}

/** An open relational store: the typeorm DataSource plus explicit migration control. See the module docstring. */
export class RelationalStore {
  private closed = false;

  /** @internal use {@link openRelationalStore} */
  constructor(
    private readonly ds: DataSource,
    readonly kind: 'postgres' | 'pglite',
    readonly schema: string,
    private readonly holdsPglite: boolean,
  ) {}

  /**
   * The typeorm DataSource (repositories, transactions). Its tables exist only once {@link migrateUp} ran.
   * @throws Error after {@link close}
   */
  get dataSource(): DataSource {
    if (this.closed) throw new Error('relational store: closed');
    return this.ds;
  }

  /** Applied, pending and unknown migrations. Read-only: creates nothing (a missing schema = nothing applied). */
  async migrationStatus(): Promise<MigrationStatus> {
    const ds = this.dataSource;
    const executed = (await new MigrationExecutor(ds).getExecutedMigrations()).sort((a, b) => (a.id ?? 0) - (b.id ?? 0)).map((m) => m.name);
    const known = knownMigrationNames(ds);
    return {
      applied: executed,
      pending: known.filter((n) => !executed.includes(n)),
      unknown: executed.filter((n) => !known.includes(n)),
    };
  }

  /**
   * Creates the schema if missing, then applies every pending migration in ONE transaction (all or nothing), under a
   * PostgreSQL advisory lock per schema so two concurrent `migrate up` cannot both apply the same migration.
   * @returns names applied, oldest first ([] when up to date)
   * @throws the database error of the failing statement (nothing is applied then)
   */
  async migrateUp(): Promise<string[]> {
    const ds = this.dataSource;
    return this.withMigrationLock(async (qr) => {
      await qr.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      const executor = new MigrationExecutor(ds, qr);
      executor.transaction = 'all';
      const applied = await executor.executePendingMigrations();
      return applied.map((m) => m.name);
    });
  }

  /**
   * Reverts the last `steps` applied migrations, newest first, each in its own transaction.
   * @param steps positive integer (default 1)
   * @returns names reverted, in revert order
   * @throws RangeError when `steps` is not a positive integer or exceeds the number of applied migrations (nothing is
   *   reverted then); Error when an applied migration to revert is unknown to this code
   */
  async migrateDown(steps = 1): Promise<string[]> {
    if (!Number.isSafeInteger(steps) || steps < 1) throw new RangeError(`relational store: migrateDown steps must be a positive integer, got ${steps}`);
    const ds = this.dataSource;
    return this.withMigrationLock(async (qr) => {
      const executor = new MigrationExecutor(ds, qr);
      executor.transaction = 'each';
      const applied = (await executor.getExecutedMigrations()).sort((a, b) => (b.id ?? 0) - (a.id ?? 0)).map((m) => m.name);
      if (steps > applied.length) {
        throw new RangeError(`relational store: cannot revert ${steps} migration(s) of schema "${this.schema}": only ${applied.length} applied`);
      }
      const known = knownMigrationNames(ds);
      const toRevert = applied.slice(0, steps);
      const unknown = toRevert.filter((n) => !known.includes(n));
      if (unknown.length > 0) throw new Error(`relational store: cannot revert migration(s) unknown to this build: ${unknown.join(', ')}`);
      for (let i = 0; i < steps; i++) await executor.undoLastMigration();
      return toRevert;
    });
  }

  /** Disconnects (PGlite: closes its files and releases the process-wide instance). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.ds.isInitialized) await this.ds.destroy();
    } finally {
      if (this.holdsPglite) pgliteHeld = false;
    }
  }

  /** Runs `fn` on a dedicated query runner holding the session advisory lock of this schema's migrations. */
  private async withMigrationLock<T>(fn: (qr: import('typeorm').QueryRunner) => Promise<T>): Promise<T> {
    const qr = this.dataSource.createQueryRunner();
    await qr.connect();
    const key = `kalshi-platform:migrations:${this.schema}`;
    try {
      await qr.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
      try {
        return await fn(qr);
      } finally {
        await qr.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
      }
    } finally {
      await qr.release();
    }
  }
}

/** Names of the DataSource's migrations, oldest first. */
function knownMigrationNames(ds: DataSource): string[] {
  return ds.migrations.map((m) => m.name ?? m.constructor.name);
}
