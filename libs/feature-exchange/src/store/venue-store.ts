/**
 * Durable storage of the mock exchange's venue through typeorm: PostgreSQL when a database URL is given (driver
 * `pg`), otherwise an embedded PGlite (WASM Postgres, files in `dataDir`, through `typeorm-pglite`). One set of
 * entities (`./entities`) and one set of migrations (`./migrations`, plain PostgreSQL) serve both; `synchronize` is
 * never used.
 *
 * Durability is a command journal: every state-changing command is stored in order with its timestamp, and a restart
 * replays {@link VenueStore.loadJournal} into a fresh engine. Projection tables (`accounts`, `orders`, `fills`,
 * `positions`, `settlements`) hold the queryable state, written from each command's engine events in the same
 * transaction as its journal row.
 *
 * Group commit: {@link VenueStore.commit} queues the command; queued commands are written by one transaction per
 * batch — every command queued in the same event-loop turn, or while the previous transaction was in flight — and the
 * callers' promises settle in commit order once the batch is durable (or all reject if its transaction fails; later
 * batches are unaffected).
 *
 * All database work of a store runs one operation at a time (an internal lock): PGlite is a single connection that
 * typeorm-pglite shares between typeorm's query runners, so a read or an API-key write must not run inside a batch's
 * transaction. typeorm-pglite also keeps ONE PGlite instance per process, so at most one PGlite store may be open per
 * process ({@link VenueStore.open} throws otherwise).
 */
import { mkdirSync } from 'node:fs';
import * as vm from 'node:vm';
import { DataSource, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { PGliteDriver } from 'typeorm-pglite';
import type { EngineEvent } from '@kalshi-platform/matching';
import { ApiKeyRow, JournalRow, STORE_ENTITIES, TABLE_ENTITIES, type ProjectionRows, type StoreTable, AccountRow, OrderRow, FillRow, PositionRow, SettlementRow } from './entities';
import { STORE_MIGRATIONS } from './migrations';
import { projectBatch, type VenueCommand } from './projection';

export type { VenueCommand } from './projection';

/** An API key of the venue (public half only). */
export interface StoredApiKey {
  keyId: string;
  accountId: string;
  name: string;
  /** RSA public key, PEM. */
  publicKeyPem: string;
  /** ms since the Unix epoch */
  createdTsMs: number;
  scopes: string[];
}

/** See the module docstring. */
export interface VenueStore {
  readonly kind: 'postgres' | 'pglite';
  /** Connects and runs the pending migrations (creating the schema first when one was given). */
  open(): Promise<void>;
  /** Every journaled command, ascending seq. */
  loadJournal(): Promise<VenueCommand[]>;
  /**
   * Durably stores one command with its events. Calls made in the same tick / while a transaction is in flight are
   * GROUP-COMMITTED: one transaction (journal rows + projections) per batch, resolved in order; a failed transaction
   * rejects every promise of its batch.
   */
  commit(command: VenueCommand, events: EngineEvent[]): Promise<void>;
  /** Ascending creation time (then key id). */
  listApiKeys(): Promise<StoredApiKey[]>;
  /** Rejects if the key id exists. */
  addApiKey(k: StoredApiKey): Promise<void>;
  /** true if the key existed. */
  deleteApiKey(keyId: string): Promise<boolean>;
  /** Waits for the queued commits, then disconnects (PGlite: closes its files). */
  close(): Promise<void>;
}

/** Options of {@link createVenueStore}. */
export interface VenueStoreOptions {
  /** `postgres://…`: use PostgreSQL; absent/empty: embedded PGlite in {@link dataDir}. */
  databaseUrl?: string;
  /** PGlite data directory (created if missing); unused with PostgreSQL. */
  dataDir: string;
  /** Schema of every table, created if missing. Default `public`. */
  schema?: string;
}

/** Counters of the group commit (for tests and benchmarks). */
export interface CommitStats {
  /** Batch transactions committed. */
  transactions: number;
  /** Commands durably committed. */
  commands: number;
  /** Batch transactions that failed (their commands all rejected). */
  failedTransactions: number;
  /** Most commands in one transaction. */
  largestBatch: number;
}

/** Most commands written by one transaction (a longer queue is split over consecutive transactions). */
const MAX_BATCH_COMMANDS = 2000;
/** Bound on bind parameters per INSERT (the PostgreSQL protocol allows 65535). */
const MAX_PARAMS_PER_STATEMENT = 30000;

interface Pending {
  command: VenueCommand;
  events: EngineEvent[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Whether a store holds typeorm-pglite's process-wide PGlite instance. */
let pgliteInUse = false;

/**
 * PGlite's CommonJS build loads Node built-ins with dynamic `import()`. Inside Jest's module sandbox that needs
 * `node --experimental-vm-modules`; without it the import fails in a promise PGlite does not handle, which kills the
 * whole Jest process. Refuse up front with the fix instead (only under Jest: `JEST_WORKER_ID` is set).
 * @throws Error naming the missing flag
 */
function assertPgliteLoadable(): void {
  if (process.env['JEST_WORKER_ID'] === undefined) return;
  if (typeof (vm as { SourceTextModule?: unknown }).SourceTextModule === 'function') return;
  throw new Error('venue store: PGlite cannot load under Jest without node --experimental-vm-modules (set NODE_OPTIONS=--experimental-vm-modules)');
}

/** PostgreSQL if `opts.databaseUrl` is set, else PGlite in `opts.dataDir`. Call {@link VenueStore.open} next. */
export function createVenueStore(opts: VenueStoreOptions): TypeormVenueStore {
  return new TypeormVenueStore(opts);
}

/** The typeorm implementation of {@link VenueStore} (with readers of the tables for tests). */
export class TypeormVenueStore implements VenueStore {
  readonly kind: 'postgres' | 'pglite';
  readonly schema: string;
  private readonly stats_: CommitStats = { transactions: 0, commands: 0, failedTransactions: 0, largestBatch: 0 };
  private ds: DataSource | null = null;
  private state: 'new' | 'opening' | 'open' | 'closing' | 'closed' = 'new';
  private queue: Pending[] = [];
  private flushScheduled = false;
  private drainRun: Promise<void> | null = null;
  /** Tail of the chain of database operations (one at a time). */
  private lock: Promise<void> = Promise.resolve();
  private holdsPglite = false;

  constructor(private readonly opts: VenueStoreOptions) {
    this.kind = opts.databaseUrl ? 'postgres' : 'pglite';
    this.schema = opts.schema ?? 'public';
  }

  /** Counters since {@link open}. */
  get stats(): Readonly<CommitStats> {
    return { ...this.stats_ };
  }

  async open(): Promise<void> {
    if (this.state !== 'new') throw new Error(`venue store: open() called when ${this.state}`);
    if (this.kind === 'pglite') {
      if (pgliteInUse) throw new Error('venue store: a PGlite store is already open in this process (typeorm-pglite holds one PGlite instance per process); close it first');
      assertPgliteLoadable();
      mkdirSync(this.opts.dataDir, { recursive: true });
    }
    this.state = 'opening';
    let ds: DataSource;
    if (this.kind === 'pglite') {
      pgliteInUse = this.holdsPglite = true;
      ds = new DataSource({ type: 'postgres', driver: new PGliteDriver({ dataDir: this.opts.dataDir }).driver, ...this.commonOptions() });
    } else {
      ds = new DataSource({ type: 'postgres', url: this.opts.databaseUrl, applicationName: 'kalshi-venue-store', extra: { max: 4 }, ...this.commonOptions() });
    }
    try {
      await ds.initialize();
      if (this.schema !== 'public') await ds.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema.replace(/"/g, '""')}"`);
      await ds.runMigrations({ transaction: 'all' });
    } catch (err) {
      if (ds.isInitialized) await ds.destroy().catch(() => undefined);
      this.releasePglite();
      this.state = 'new';
      throw err;
    }
    this.ds = ds;
    this.state = 'open';
  }

  private releasePglite(): void {
    if (this.holdsPglite) pgliteInUse = this.holdsPglite = false;
  }

  private commonOptions() {
    return {
      schema: this.schema,
      entities: STORE_ENTITIES,
      migrations: STORE_MIGRATIONS,
      migrationsRun: false,
      synchronize: false,
      logging: false,
    } as const;
  }

  loadJournal(): Promise<VenueCommand[]> {
    return this.exclusive(async (ds) => {
      const rows = await ds.getRepository(JournalRow).find({ order: { seq: 'ASC' } });
      return rows.map((r) => ({ seq: r.seq, tsMs: r.tsMs, kind: r.kind, payload: r.payload }));
    });
  }

  commit(command: VenueCommand, events: EngineEvent[]): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new Error(`venue store: commit of command ${command.seq} when ${this.state}`));
    if (!Number.isSafeInteger(command.seq) || command.seq <= 0 || !Number.isSafeInteger(command.tsMs)) {
      return Promise.reject(new TypeError(`venue store: command seq and tsMs must be integers (seq ${command.seq}, tsMs ${command.tsMs})`));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ command, events, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // after the current event-loop turn: every commit of this turn joins the batch
        setImmediate(() => {
          this.flushScheduled = false;
          void this.drain();
        });
      }
    });
  }

  listApiKeys(): Promise<StoredApiKey[]> {
    return this.exclusive(async (ds) => {
      const rows = await ds.getRepository(ApiKeyRow).find({ order: { createdTsMs: 'ASC', keyId: 'ASC' } });
      return rows.map((r) => ({ keyId: r.keyId, accountId: r.accountId, name: r.name, publicKeyPem: r.publicKeyPem, createdTsMs: r.createdTsMs, scopes: r.scopes }));
    });
  }

  addApiKey(k: StoredApiKey): Promise<void> {
    return this.exclusive(async (ds) => {
      await ds
        .createQueryBuilder()
        .insert()
        .into(ApiKeyRow)
        .values({ keyId: k.keyId, accountId: k.accountId, name: k.name, publicKeyPem: k.publicKeyPem, createdTsMs: k.createdTsMs, scopes: [...k.scopes] })
        .updateEntity(false)
        .execute();
    });
  }

  deleteApiKey(keyId: string): Promise<boolean> {
    // (PGlite reports no affected-row count through typeorm-pglite, hence look, then delete)
    return this.exclusive((ds) =>
      ds.transaction(async (m) => {
        if (!(await m.getRepository(ApiKeyRow).existsBy({ keyId }))) return false;
        await m.getRepository(ApiKeyRow).delete({ keyId });
        return true;
      }),
    );
  }

  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'new') return;
    if (this.state !== 'open') throw new Error(`venue store: close() called when ${this.state}`);
    this.state = 'closing';
    while (this.queue.length > 0 || this.drainRun) await this.drain();
    await this.lock;
    try {
      await this.ds?.destroy();
    } finally {
      this.ds = null;
      this.releasePglite();
      this.state = 'closed';
    }
  }

  /** Rows of a table, by primary key (test reader). */
  readRows<T extends StoreTable>(table: T): Promise<ProjectionRows[T][]> {
    return this.exclusive(async (ds) => {
      const meta = ds.getMetadata(TABLE_ENTITIES[table]);
      const qb = ds.getRepository<ProjectionRows[T]>(TABLE_ENTITIES[table]).createQueryBuilder('t');
      for (const c of meta.primaryColumns) qb.addOrderBy(`t.${c.propertyName}`, 'ASC');
      return qb.getMany();
    });
  }

  /** Number of rows of a table (test reader). */
  countRows(table: StoreTable): Promise<number> {
    return this.exclusive((ds) => ds.getRepository(TABLE_ENTITIES[table]).count());
  }

  /** Names of the applied migrations, in order (test reader). */
  appliedMigrations(): Promise<string[]> {
    return this.exclusive(async (ds) => {
      const rows: Array<{ name: string }> = await ds.query(`SELECT "name" FROM "${this.schema.replace(/"/g, '""')}"."migrations" ORDER BY "id"`);
      return rows.map((r) => r.name);
    });
  }

  /** Runs `fn` after every database operation queued before it (see the module docstring). */
  private exclusive<T>(fn: (ds: DataSource) => Promise<T>): Promise<T> {
    const ds = this.ds;
    if (!ds || (this.state !== 'open' && this.state !== 'closing')) return Promise.reject(new Error(`venue store: not open (${this.state})`));
    const run = this.lock.then(() => fn(ds));
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private drain(): Promise<void> {
    if (!this.drainRun) this.drainRun = this.drainLoop();
    return this.drainRun;
  }

  private async drainLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH_COMMANDS);
        try {
          await this.exclusive((ds) => this.writeBatch(ds, batch));
        } catch (err) {
          this.stats_.failedTransactions++;
          for (const p of batch) p.reject(err);
          continue;
        }
        this.stats_.transactions++;
        this.stats_.commands += batch.length;
        this.stats_.largestBatch = Math.max(this.stats_.largestBatch, batch.length);
        for (const p of batch) p.resolve();
      }
    } finally {
      this.drainRun = null;
    }
  }

  /** One transaction: the batch's journal rows, then its projections. */
  private async writeBatch(ds: DataSource, batch: Pending[]): Promise<void> {
    const rows = projectBatch(batch);
    await ds.transaction(async (m) => {
      await insertRows(m, JournalRow, rows.journal);
      await insertRows(m, AccountRow, rows.accounts, { conflict: ['account_id'] });
      await insertRows(m, OrderRow, rows.orders, { conflict: ['order_id'], keep: ['created_ts_ms'] });
      await insertRows(m, FillRow, rows.fills);
      await insertRows(m, PositionRow, rows.positions, { conflict: ['account_id', 'market_ticker'] });
      await insertRows(m, SettlementRow, rows.settlements);
    });
  }
}

/**
 * Multi-row INSERT of `rows` through typeorm's QueryBuilder, split to stay under {@link MAX_PARAMS_PER_STATEMENT};
 * with `upsert`, `ON CONFLICT (conflict) DO UPDATE` of every other column except `keep` (rows must be unique by the
 * conflict key: see `projectBatch`).
 */
async function insertRows<T extends ObjectLiteral>(m: EntityManager, entity: EntityTarget<T>, rows: T[], upsert?: { conflict: string[]; keep?: string[] }): Promise<void> {
  if (rows.length === 0) return;
  const meta = m.connection.getMetadata(entity);
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS_PER_STATEMENT / meta.columns.length));
  const overwrite = upsert ? meta.columns.map((c) => c.databaseName).filter((c) => !upsert.conflict.includes(c) && !(upsert.keep ?? []).includes(c)) : [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const qb = m
      .createQueryBuilder()
      .insert()
      .into(entity)
      .values(rows.slice(i, i + perStatement))
      .updateEntity(false);
    if (upsert) qb.orUpdate(overwrite, upsert.conflict);
    await qb.execute();
  }
}
