/**
 * The platform's relational store against real databases (no mocks): PostgreSQL on 127.0.0.1:5432 (database `test`,
 * a fresh schema per test, unique to this run, dropped afterwards; `STORE_TEST_DATABASE_URL` overrides the URL) and
 * embedded PGlite (a fresh data directory per test, copied from one initdb'd template).
 *
 * PGlite under Jest needs `node --experimental-vm-modules` (NODE_OPTIONS=--experimental-vm-modules); without it the
 * PGlite suite fails with one test naming the fix.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vm from 'node:vm';
import { DataSource } from 'typeorm';
import { PlatformAuditLogRow, PlatformFillRow, PlatformOrderRow, PlatformPositionRow, PlatformRiskLimitRow, PlatformSignalRow } from './entities';
import { RELATIONAL_MIGRATION_NAMES, RELATIONAL_TABLES } from './migrations';
import { openRelationalStore, type RelationalStore } from './relational-store';

jest.setTimeout(120_000);

const PG_URL = process.env.STORE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const T0 = 1_767_225_600_000;
const [M1, M2, M3, M4] = RELATIONAL_MIGRATION_NAMES;

/** Expected columns per table: name -> information_schema data_type, in ordinal order. */
const EXPECTED_COLUMNS: Record<string, Array<[string, string]>> = {
  events: [
    ['event_ticker', 'text'],
    ['series_ticker', 'text'],
    ['title', 'text'],
    ['status', 'text'],
    ['mutually_exclusive', 'boolean'],
    ['close_ts_ms', 'bigint'],
    ['updated_ts_ms', 'bigint'],
  ],
  markets: [
    ['market_ticker', 'text'],
    ['event_ticker', 'text'],
    ['series_ticker', 'text'],
    ['title', 'text'],
    ['status', 'text'],
    ['open_ts_ms', 'bigint'],
    ['close_ts_ms', 'bigint'],
    ['result', 'text'],
    ['updated_ts_ms', 'bigint'],
  ],
  signals: [
    ['signal_id', 'text'],
    ['version', 'integer'],
    ['kind', 'text'],
    ['market_ticker', 'text'],
    ['side', 'text'],
    ['reasons', 'jsonb'],
    ['edge_ticks', 'bigint'],
    ['ttl_ms', 'bigint'],
    ['expires_ts_ms', 'bigint'],
    ['ts_ms', 'bigint'],
  ],
  orders: [
    ['client_order_id', 'text'],
    ['order_id', 'text'],
    ['market_ticker', 'text'],
    ['side', 'text'],
    ['action', 'text'],
    ['type', 'text'],
    ['price_ticks', 'bigint'],
    ['count_centis', 'bigint'],
    ['filled_centis', 'bigint'],
    ['remaining_centis', 'bigint'],
    ['status', 'text'],
    ['reject_reason', 'text'],
    ['signal_id', 'text'],
    ['created_ts_ms', 'bigint'],
    ['updated_ts_ms', 'bigint'],
    ['event_ticker', 'text'], // AddOrderEventTicker (ALTER TABLE ADD COLUMN appends it)
  ],
  fills: [
    ['fill_id', 'text'],
    ['trade_id', 'text'],
    ['order_id', 'text'],
    ['client_order_id', 'text'],
    ['market_ticker', 'text'],
    ['side', 'text'],
    ['action', 'text'],
    ['price_ticks', 'bigint'],
    ['count_centis', 'bigint'],
    ['fee_micros', 'bigint'],
    ['is_taker', 'boolean'],
    ['ts_ms', 'bigint'],
  ],
  positions: [
    ['market_ticker', 'text'],
    ['position_centis', 'bigint'],
    ['cost_basis_micros', 'bigint'],
    ['realized_pnl_micros', 'bigint'],
    ['fees_paid_micros', 'bigint'],
    ['volume_centis', 'bigint'],
    ['updated_ts_ms', 'bigint'],
  ],
  risk_limits: [
    ['scope', 'text'],
    ['scope_key', 'text'],
    ['limit_name', 'text'],
    ['limit_value', 'bigint'],
    ['enabled', 'boolean'],
    ['updated_by', 'text'],
    ['updated_ts_ms', 'bigint'],
  ],
  audit_log: [
    ['id', 'bigint'],
    ['ts_ms', 'bigint'],
    ['actor', 'text'],
    ['action', 'text'],
    ['subject', 'text'],
    ['details', 'jsonb'],
  ],
  migrations: [
    ['id', 'integer'],
    ['timestamp', 'bigint'],
    ['name', 'character varying'],
  ],
};

/** One empty database (or schema) per test. */
interface Target {
  schema: string;
  open(): Promise<RelationalStore>;
  dispose(): Promise<void>;
}

interface Backend {
  name: 'postgres' | 'pglite';
  unavailable(): string | null;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  target(): Promise<Target>;
}

/** PostgreSQL: a schema name per test, unique to this run; NOT created here (the store must create it on `up`). */
function postgresBackend(): Backend {
  const run = `platform_test_${process.pid}_${Date.now().toString(36)}`;
  let admin: DataSource | null = null;
  let n = 0;
  return {
    name: 'postgres',
    unavailable: () => null,
    async setup() {
      admin = await new DataSource({ type: 'postgres', url: PG_URL, extra: { max: 1 } }).initialize();
    },
    async teardown() {
      await admin?.destroy();
    },
    async target() {
      const schema = `${run}_${++n}`;
      return {
        schema,
        open: () => openRelationalStore({ databaseUrl: PG_URL, schema }),
        dispose: async () => {
          if (!admin) throw new Error('postgres backend not set up');
          await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        },
      };
    },
  };
}

/** PGlite: an initdb'd empty data directory made once, copied per test (initdb takes seconds). */
function pgliteBackend(): Backend {
  let root = '';
  let template = '';
  let n = 0;
  return {
    name: 'pglite',
    unavailable: () =>
      typeof (vm as { SourceTextModule?: unknown }).SourceTextModule === 'function'
        ? null
        : 'PGlite under Jest needs node --experimental-vm-modules (run: NODE_OPTIONS=--experimental-vm-modules npx jest …)',
    async setup() {
      root = mkdtempSync(join(tmpdir(), 'platform-store-'));
      template = join(root, 'template');
      const { PGlite } = await import('@electric-sql/pglite');
      const db = await PGlite.create({ dataDir: template });
      await db.close();
    },
    async teardown() {
      if (root) rmSync(root, { recursive: true, force: true });
    },
    async target() {
      const dataDir = join(root, `db-${++n}`);
      cpSync(template, dataDir, { recursive: true });
      return {
        schema: 'platform',
        open: () => openRelationalStore({ dataDir }),
        dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
      };
    },
  };
}

/** Columns of every base table of the schema: table -> [name, data_type][] in ordinal order. */
async function columnsOf(ds: DataSource, schema: string): Promise<Record<string, Array<[string, string]>>> {
  const rows: Array<{ table_name: string; column_name: string; data_type: string }> = await ds.query(
    `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = $1 ORDER BY c.table_name, c.ordinal_position`,
    [schema],
  );
  const out: Record<string, Array<[string, string]>> = {};
  for (const r of rows) (out[r.table_name] ??= []).push([r.column_name, r.data_type]);
  return out;
}

/** Every object left in the schema (tables, views, sequences, indexes, functions), as `kind:name`, sorted. */
async function objectsIn(ds: DataSource, schema: string): Promise<string[]> {
  const rels: Array<{ relname: string; relkind: string }> = await ds.query(
    `SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1`,
    [schema],
  );
  const fns: Array<{ proname: string }> = await ds.query(`SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1`, [schema]);
  return [...rels.map((r) => `${r.relkind}:${r.relname}`), ...fns.map((f) => `f:${f.proname}`)].sort();
}

const schemaExists = async (ds: DataSource, schema: string): Promise<boolean> =>
  (await ds.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema])).length === 1;

/** SQLSTATE and constraint of a failed statement (`pg` and PGlite both expose `code`; `constraint` on pg). */
async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code?: string; driverError?: { code?: string }; message: string };
    return { code: err.code ?? err.driverError?.code ?? '?', message: err.message };
  }
  throw new Error('expected the statement to be rejected');
}

const order = (over: Partial<PlatformOrderRow> = {}): Partial<PlatformOrderRow> => ({
  clientOrderId: 'c-1',
  orderId: null,
  marketTicker: 'KXTEST-26JAN01-T1',
  side: 'yes',
  action: 'buy',
  type: 'limit',
  priceTicks: 4500n,
  countCentis: 1000n,
  filledCentis: 0n,
  remainingCentis: 1000n,
  status: 'pending',
  rejectReason: null,
  signalId: null,
  createdTsMs: T0,
  updatedTsMs: T0,
  ...over,
});

const fill = (over: Partial<PlatformFillRow> = {}): Partial<PlatformFillRow> => ({
  fillId: 'f-1',
  tradeId: 't-1',
  orderId: 'x-1',
  clientOrderId: 'c-1',
  marketTicker: 'KXTEST-26JAN01-T1',
  side: 'yes',
  action: 'buy',
  priceTicks: 4500n,
  countCentis: 300n,
  feeMicros: 21_000n,
  isTaker: true,
  tsMs: T0 + 5,
  ...over,
});

describe.each([postgresBackend(), pgliteBackend()])('relational store on $name', (backend) => {
  const reason = backend.unavailable();
  if (reason) {
    it('can load its database under Jest', () => {
      throw new Error(reason);
    });
    return;
  }

  let target: Target;
  let store: RelationalStore | null = null;
  const open = async () => {
    store = await target.open();
    return store;
  };

  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    target = await backend.target();
  });
  afterEach(async () => {
    await store?.close();
    store = null;
    await target.dispose();
  });

  it('opening the store runs no migration and creates nothing; status reports everything pending', async () => {
    const s = await open();
    expect(s.kind).toBe(backend.name);
    expect(s.schema).toBe(target.schema);
    expect(s.dataSource.options.migrationsRun).toBe(false);
    expect(await schemaExists(s.dataSource, target.schema)).toBe(false);
    expect(await s.migrationStatus()).toEqual({ applied: [], pending: [M1, M2, M3, M4], unknown: [] });
    // status is read-only
    expect(await schemaExists(s.dataSource, target.schema)).toBe(false);
    await s.close();
    // reopening changes nothing either
    const again = await open();
    expect(await schemaExists(again.dataSource, target.schema)).toBe(false);
  });

  it('up creates the schema and every table with the expected columns; a second up applies nothing', async () => {
    const s = await open();
    expect(await s.migrateUp()).toEqual([M1, M2, M3, M4]);
    expect(await columnsOf(s.dataSource, target.schema)).toEqual(EXPECTED_COLUMNS);
    expect(Object.keys(EXPECTED_COLUMNS).sort()).toEqual([...RELATIONAL_TABLES, 'migrations'].sort());
    expect(await s.migrationStatus()).toEqual({ applied: [M1, M2, M3, M4], pending: [], unknown: [] });
    expect(await s.migrateUp()).toEqual([]);
    // the public schema is untouched (the venue store's orders/fills/positions live there)
    const publicTables: Array<{ table_name: string }> = await s.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ANY($1)`,
      [[...RELATIONAL_TABLES]],
    );
    if (backend.name === 'pglite') expect(publicTables).toEqual([]);
  });

  it('down reverts one step at a time, status follows, down all leaves only the empty migrations table, up again works', async () => {
    const s = await open();
    await s.migrateUp();
    expect(await s.migrateDown()).toEqual([M4]);
    expect(await s.migrationStatus()).toEqual({ applied: [M1, M2, M3], pending: [M4], unknown: [] });
    expect(await columnsOf(s.dataSource, target.schema)).toEqual({ ...EXPECTED_COLUMNS, orders: EXPECTED_COLUMNS.orders.filter(([c]) => c !== 'event_ticker') });
    expect(await s.migrateDown()).toEqual([M3]);
    expect(await s.migrationStatus()).toEqual({ applied: [M1, M2], pending: [M3, M4], unknown: [] });
    expect(Object.keys(await columnsOf(s.dataSource, target.schema)).sort()).toEqual(['events', 'fills', 'markets', 'migrations', 'orders', 'positions', 'signals']);
    expect(await s.migrateDown(2)).toEqual([M2, M1]);
    expect(await s.migrationStatus()).toEqual({ applied: [], pending: [M1, M2, M3, M4], unknown: [] });
    // nothing left but typeorm's (empty) migrations table, its id sequence and primary key index
    expect(await objectsIn(s.dataSource, target.schema)).toEqual(['S:migrations_id_seq', expect.stringMatching(/^i:PK_[0-9a-f]+$/), 'r:migrations']);
    expect(await s.dataSource.query(`SELECT * FROM "${target.schema}"."migrations"`)).toEqual([]);
    // up / down / up
    expect(await s.migrateUp()).toEqual([M1, M2, M3, M4]);
    expect(await columnsOf(s.dataSource, target.schema)).toEqual(EXPECTED_COLUMNS);
    expect(await s.migrateDown(4)).toEqual([M4, M3, M2, M1]);
    expect(await s.migrateUp()).toEqual([M1, M2, M3, M4]);
    expect(await s.migrationStatus()).toEqual({ applied: [M1, M2, M3, M4], pending: [], unknown: [] });
  });

  it('down refuses a bad step count and more steps than applied, reverting nothing', async () => {
    const s = await open();
    await expect(s.migrateDown(1)).rejects.toThrow('cannot revert 1 migration(s) of schema');
    await s.migrateUp();
    await expect(s.migrateDown(5)).rejects.toThrow('only 4 applied');
    await expect(s.migrateDown(0)).rejects.toThrow(RangeError);
    await expect(s.migrateDown(1.5)).rejects.toThrow('positive integer');
    expect((await s.migrationStatus()).applied).toEqual([M1, M2, M3, M4]);
  });

  it('status lists a migration applied by a newer build as unknown, and down refuses to revert it', async () => {
    const s = await open();
    await s.migrateUp();
    await s.dataSource.query(`INSERT INTO "${target.schema}"."migrations" ("timestamp", "name") VALUES (1999999999999, 'FromTheFuture1999999999999')`);
    expect(await s.migrationStatus()).toEqual({ applied: [M1, M2, M3, M4, 'FromTheFuture1999999999999'], pending: [], unknown: ['FromTheFuture1999999999999'] });
    await expect(s.migrateDown()).rejects.toThrow('unknown to this build: FromTheFuture1999999999999');
  });

  it("AddOrderEventTicker: up adds orders.event_ticker (old rows get '', the entity round-trips it), down removes it", async () => {
    expect(M4).toBe('AddOrderEventTicker1795392000000');
    const s = await open();
    const ds = s.dataSource;
    const orders = ds.getRepository(PlatformOrderRow);
    const t = `"${target.schema}"."orders"`;
    const ordersColumns = async () => (await columnsOf(ds, target.schema)).orders;
    const hasEventIndex = async () => (await objectsIn(ds, target.schema)).includes('i:orders_event_idx');
    const withoutEventTicker = EXPECTED_COLUMNS.orders.filter(([c]) => c !== 'event_ticker');

    // schema at M3 (before the migration), with an order written then
    await s.migrateUp();
    expect(await s.migrateDown()).toEqual([M4]);
    expect(await ordersColumns()).toEqual(withoutEventTicker);
    expect(await hasEventIndex()).toBe(false);
    await ds.query(
      `INSERT INTO ${t} ("client_order_id", "market_ticker", "side", "action", "type", "price_ticks", "count_centis", "remaining_centis", "status", "created_ts_ms", "updated_ts_ms")
       VALUES ('c-old', 'KXTEST-26JAN01-T1', 'yes', 'buy', 'limit', 4500, 1000, 1000, 'pending', $1, $1)`,
      [T0],
    );
    // the entity maps event_ticker: reading through the repository needs the migration (undefined_column)
    expect((await failure(orders.findOneBy({ clientOrderId: 'c-old' }))).code).toBe('42703');

    // up: the column (last, text) and its index appear; the existing row gets ''
    expect(await s.migrateUp()).toEqual([M4]);
    expect(await ordersColumns()).toEqual(EXPECTED_COLUMNS.orders);
    expect(await hasEventIndex()).toBe(true);
    expect((await orders.findOneByOrFail({ clientOrderId: 'c-old' })).eventTicker).toBe('');
    // a row saved through the repository round-trips its eventTicker and can be looked up by it
    const row = order({ clientOrderId: 'c-new', eventTicker: 'KXTEST-26JAN01' });
    await orders.save(orders.create(row));
    expect(await orders.findOneByOrFail({ clientOrderId: 'c-new' })).toEqual(row);
    expect((await orders.findBy({ eventTicker: 'KXTEST-26JAN01' })).map((o) => o.clientOrderId)).toEqual(['c-new']);
    expect(await ds.query(`SELECT "event_ticker" FROM ${t} WHERE "client_order_id" = 'c-new'`)).toEqual([{ event_ticker: 'KXTEST-26JAN01' }]);
    // left out -> '' (column default); NULL is refused (NOT NULL)
    await orders.insert(order({ clientOrderId: 'c-default' }));
    expect((await orders.findOneByOrFail({ clientOrderId: 'c-default' })).eventTicker).toBe('');
    expect((await failure(ds.query(`UPDATE ${t} SET "event_ticker" = NULL WHERE "client_order_id" = 'c-new'`))).code).toBe('23502');

    // down: the column and its index are gone, the rows stay
    expect(await s.migrateDown()).toEqual([M4]);
    expect(await s.migrationStatus()).toEqual({ applied: [M1, M2, M3], pending: [M4], unknown: [] });
    expect(await ordersColumns()).toEqual(withoutEventTicker);
    expect(await hasEventIndex()).toBe(false);
    expect(await ds.query(`SELECT "client_order_id" FROM ${t} ORDER BY 1`)).toEqual([{ client_order_id: 'c-default' }, { client_order_id: 'c-new' }, { client_order_id: 'c-old' }]);
    expect((await failure(orders.findOneBy({ clientOrderId: 'c-new' }))).code).toBe('42703');
  });

  it('CHECK / UNIQUE / FK constraints reject dishonest rows', async () => {
    const s = await open();
    await s.migrateUp();
    const ds = s.dataSource;
    const orders = ds.getRepository(PlatformOrderRow);
    const fills = ds.getRepository(PlatformFillRow);

    await orders.insert(order());
    // duplicate client_order_id
    expect((await failure(orders.insert(order()))).code).toBe('23505');
    // two orders not yet acknowledged (order_id NULL) are fine; a duplicate exchange order_id is not
    await orders.insert(order({ clientOrderId: 'c-2' }));
    await orders.insert(order({ clientOrderId: 'c-3', orderId: 'x-1', status: 'resting' }));
    const dupOrderId = await failure(orders.insert(order({ clientOrderId: 'c-4', orderId: 'x-1', status: 'resting' })));
    expect(dupOrderId).toEqual({ code: '23505', message: expect.stringContaining('orders_order_id_key') });
    // bad status, negative count, sizes that do not add up, price outside (0, $1), bad side
    expect(await failure(orders.insert(order({ clientOrderId: 'c-5', status: 'filled' as never })))).toEqual({ code: '23514', message: expect.stringContaining('orders_status_check') });
    expect((await failure(orders.insert(order({ clientOrderId: 'c-6', countCentis: -100n, remainingCentis: 0n })))).code).toBe('23514');
    expect((await failure(orders.insert(order({ clientOrderId: 'c-7', filledCentis: 600n, remainingCentis: 600n })))).message).toContain('orders_sizes');
    expect((await failure(orders.insert(order({ clientOrderId: 'c-8', priceTicks: 10_000n })))).code).toBe('23514');
    expect((await failure(orders.insert(order({ clientOrderId: 'c-9', side: 'maybe' as never })))).code).toBe('23514');
    // executed with something remaining; resting without an exchange id; unknown signal
    expect((await failure(orders.insert(order({ clientOrderId: 'c-10', orderId: 'x-10', status: 'executed' })))).message).toContain('orders_executed_is_full');
    expect((await failure(orders.insert(order({ clientOrderId: 'c-11', status: 'resting' })))).message).toContain('orders_acknowledged');
    expect((await failure(orders.insert(order({ clientOrderId: 'c-12', signalId: 'no-such-signal' })))).code).toBe('23503');

    // a redelivered fill is stored once
    await fills.insert(fill());
    expect((await failure(fills.insert(fill()))).code).toBe('23505');
    await fills.createQueryBuilder().insert().values(fill()).orIgnore().execute();
    expect(await fills.count()).toBe(1);
    expect((await failure(fills.insert(fill({ fillId: 'f-2', countCentis: 0n })))).code).toBe('23514');
    expect((await failure(fills.insert(fill({ fillId: 'f-3', countCentis: -5n })))).code).toBe('23514');

    // signals: expiry must be ts + ttl
    const signals = ds.getRepository(PlatformSignalRow);
    const sig = { signalId: 's-1', version: 1, kind: 'mean_reversion', marketTicker: 'KXTEST-26JAN01-T1', side: 'yes' as const, reasons: [{ z: -2.1 }], edgeTicks: -150n, ttlMs: 5000, expiresTsMs: T0 + 5000, tsMs: T0 };
    await signals.insert(sig);
    expect((await failure(signals.insert({ ...sig, signalId: 's-2', expiresTsMs: T0 + 1 }))).message).toContain('signals_expiry');
    await orders.insert(order({ clientOrderId: 'c-13', signalId: 's-1' }));
    expect((await orders.findOneByOrFail({ clientOrderId: 'c-13' })).signalId).toBe('s-1');

    // risk limits: the unit is in the name, global has no key, values are not negative
    const limits = ds.getRepository(PlatformRiskLimitRow);
    const lim = { scope: 'global' as const, scopeKey: '', limitName: 'max_daily_loss_micros', limitValue: 500_000_000n, enabled: true, updatedBy: 'ops', updatedTsMs: T0 };
    await limits.insert(lim);
    await limits.insert({ ...lim, scope: 'market', scopeKey: 'KXTEST-26JAN01-T1', limitName: 'max_position_centis', limitValue: 10_000n });
    expect((await failure(limits.insert({ ...lim, limitName: 'max_daily_loss' }))).message).toContain('risk_limits_name_has_unit');
    expect((await failure(limits.insert({ ...lim, scopeKey: 'KXTEST' }))).message).toContain('risk_limits_scope_key');
    expect((await failure(limits.insert({ ...lim, scope: 'market', scopeKey: '' }))).message).toContain('risk_limits_scope_key');
    expect((await failure(limits.insert({ ...lim, limitName: 'max_order_count', limitValue: -1n }))).code).toBe('23514');
    expect((await failure(limits.insert(lim))).code).toBe('23505');

    // positions: flat means no cost basis
    const positions = ds.getRepository(PlatformPositionRow);
    expect((await failure(positions.insert({ marketTicker: 'KXTEST-26JAN01-T1', positionCentis: 0n, costBasisMicros: 5n, realizedPnlMicros: 0n, feesPaidMicros: 0n, volumeCentis: 0n, updatedTsMs: T0 }))).message).toContain('positions_flat_has_no_cost');
  });

  it('audit_log is append-only: ids ascend, UPDATE / DELETE / TRUNCATE are refused', async () => {
    const s = await open();
    await s.migrateUp();
    const audit = s.dataSource.getRepository(PlatformAuditLogRow);
    const a = await audit.save(audit.create({ tsMs: T0, actor: 'reconciler', action: 'order.place', subject: 'c-1', details: { priceTicks: '4500' } }));
    const b = await audit.save(audit.create({ tsMs: T0 + 1, actor: 'ops', action: 'risk_limit.set', subject: 'global', details: {} }));
    expect(typeof a.id).toBe('number');
    expect(b.id).toBeGreaterThan(a.id);
    expect(await audit.find({ order: { id: 'ASC' } })).toEqual([
      { id: a.id, tsMs: T0, actor: 'reconciler', action: 'order.place', subject: 'c-1', details: { priceTicks: '4500' } },
      { id: b.id, tsMs: T0 + 1, actor: 'ops', action: 'risk_limit.set', subject: 'global', details: {} },
    ]);
    const t = `"${target.schema}"."audit_log"`;
    expect((await failure(s.dataSource.query(`UPDATE ${t} SET "actor" = 'x'`))).message).toContain('append-only: UPDATE refused');
    expect((await failure(s.dataSource.query(`DELETE FROM ${t}`))).message).toContain('append-only: DELETE refused');
    expect((await failure(s.dataSource.query(`TRUNCATE ${t}`))).message).toContain('append-only: TRUNCATE refused');
    expect(await audit.count()).toBe(2);
    expect((await audit.findOneByOrFail({ id: b.id })).id).toBe(b.id);
    expect(typeof (await audit.findOneByOrFail({ id: b.id })).id).toBe('number');
    expect((await failure(audit.insert({ tsMs: T0, actor: 'ops', action: 'x', subject: '', details: [1] }))).code).toBe('23514');
  });

  it('money columns round-trip exactly as bigint beyond 2^53 (and to the int8 limits); timestamps are numbers', async () => {
    const s = await open();
    await s.migrateUp();
    const positions = s.dataSource.getRepository(PlatformPositionRow);
    const big = 2n ** 60n + 7n; // not representable as a double
    const row = { marketTicker: 'KXBIG', positionCentis: -(2n ** 53n + 1n), costBasisMicros: 9_223_372_036_854_775_807n, realizedPnlMicros: -9_223_372_036_854_775_808n, feesPaidMicros: big, volumeCentis: 2n ** 53n + 3n, updatedTsMs: T0 };
    await positions.insert(row);
    const back = await positions.findOneByOrFail({ marketTicker: 'KXBIG' });
    expect(back).toEqual(row);
    expect(typeof back.feesPaidMicros).toBe('bigint');
    expect(typeof back.updatedTsMs).toBe('number');
    // the database holds the exact decimal values
    const raw: Array<{ v: string }> = await s.dataSource.query(`SELECT "fees_paid_micros"::text AS v FROM "${target.schema}"."positions"`);
    expect(raw).toEqual([{ v: '1152921504606846983' }]);
    // where-clauses on bigint columns go through the transformer too
    expect(await positions.countBy({ feesPaidMicros: big })).toBe(1);
    // out of range: refused before it reaches the database
    await expect(positions.insert({ ...row, marketTicker: 'KXBIG2', feesPaidMicros: 2n ** 63n })).rejects.toThrow('outside the signed 64-bit range');
    await expect(positions.insert({ ...row, marketTicker: 'KXBIG3', updatedTsMs: 2 ** 53 + 2 })).rejects.toThrow('not a safe integer');
  });

  if (backend.name === 'postgres') {
    it('two concurrent migrateUp on one schema apply each migration once (advisory lock)', async () => {
      const a = await open();
      const b = await target.open();
      try {
        const [ra, rb] = await Promise.all([a.migrateUp(), b.migrateUp()]);
        expect([ra, rb].sort((x, y) => y.length - x.length)).toEqual([[M1, M2, M3, M4], []]);
        expect((await a.migrationStatus()).applied).toEqual([M1, M2, M3, M4]);
      } finally {
        await b.close();
      }
    });

    it('tables live in their own schema: the same names in public are untouched', async () => {
      const s = await open();
      await s.migrateUp();
      await s.dataSource.getRepository(PlatformOrderRow).insert(order());
      const qualified: Array<{ n: string }> = await s.dataSource.query(`SELECT count(*)::text AS n FROM "${target.schema}"."orders"`);
      expect(qualified).toEqual([{ n: '1' }]);
      await s.migrateDown(4);
      expect(await schemaExists(s.dataSource, target.schema)).toBe(true);
    });
  } else {
    it('refuses a second PGlite store in the same process (typeorm-pglite holds one instance)', async () => {
      await open();
      await expect(openRelationalStore({ dataDir: join(tmpdir(), 'never-created') })).rejects.toThrow('already open in this process');
    });
  }
});

describe('openRelationalStore arguments', () => {
  it('rejects a bad schema name and a non-postgres URL before connecting', async () => {
    await expect(openRelationalStore({ databaseUrl: PG_URL, schema: 'Platform; DROP' })).rejects.toThrow('invalid schema name "Platform; DROP"');
    await expect(openRelationalStore({ databaseUrl: PG_URL, schema: 'pg_catalog' })).rejects.toThrow('invalid schema name');
    await expect(openRelationalStore({ databaseUrl: 'mysql://u:secret@h/db' })).rejects.toThrow('must start with postgres://');
    await expect(openRelationalStore({ databaseUrl: 'mysql://u:secret@h/db' })).rejects.not.toThrow('secret');
  });
});
