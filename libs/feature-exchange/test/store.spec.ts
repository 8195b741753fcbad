/**
 * The venue store against real databases (no mocks): embedded PGlite in a temporary directory, and PostgreSQL on
 * 127.0.0.1:5432 (database `test`, a fresh schema per test, created and dropped here; `STORE_TEST_DATABASE_URL`
 * overrides the URL). Events come from the real matching engine.
 *
 * PGlite under Jest needs `node --experimental-vm-modules` (its CommonJS build loads Node built-ins with dynamic
 * `import()`, which Jest's module sandbox only supports with that flag): without it the PGlite suite fails with one
 * test naming the fix instead of crashing the Jest process.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vm from 'node:vm';
import { DataSource } from 'typeorm';
import { MatchingEngine, type EngineEvent, type EventOf, type OpResult, type OrderRequest, type PlaceResult } from '@kalshi-platform/matching';
import { createVenueStore, type StoredApiKey, type TypeormVenueStore, type VenueCommand } from '../src/store';

jest.setTimeout(60_000);

const PG_URL = process.env.STORE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const T0 = 1_767_225_600_000;
const MARKET = 'KXSTORE-26JAN01-T1';
const MIGRATIONS = ['CreateVenueStore1767225600000'];

interface Step {
  command: VenueCommand;
  events: EngineEvent[];
}

/** Applies one command to an engine (the test's own minimal venue: build the scenario, replay the journal). */
function apply(e: MatchingEngine, c: VenueCommand): OpResult | PlaceResult {
  const p = c.payload as Record<string, never>;
  switch (c.kind) {
    case 'create_market':
      return e.createMarket({ marketTicker: p.marketTicker }, c.tsMs);
    case 'create_account':
      return e.createAccount(p.accountId, p.cashTicks, c.tsMs);
    case 'place_order':
      return e.placeOrder(c.payload as unknown as OrderRequest, c.tsMs);
    case 'cancel_order':
      return e.cancelOrder(p.accountId, p.orderId, c.tsMs);
    case 'close_market':
      return e.closeMarket(p.marketTicker, c.tsMs);
    case 'determine_market':
      return e.determineMarket(p.marketTicker, p.result, c.tsMs);
    case 'settle_market':
      return e.settleMarket(p.marketTicker, c.tsMs);
    case 'advance_clock':
      return e.advanceClock(c.tsMs);
    default:
      throw new Error(`unknown command ${c.kind}`);
  }
}

/**
 * A market's life: alice bids 10 YES at $0.40, bob sells 3 into it, bob bids 2 NO at $0.55 (rests), alice cancels
 * the rest of her order, the market closes (cancels bob's bid), resolves YES and settles.
 */
function scenario(): { engine: MatchingEngine; steps: Step[] } {
  const engine = new MatchingEngine({ nowMs: T0 });
  const steps: Step[] = [];
  const run = (kind: string, payload: Record<string, unknown>) => {
    const command: VenueCommand = { seq: steps.length + 1, tsMs: T0 + 1000 * (steps.length + 1), kind, payload };
    const r = apply(engine, command);
    if (!r.ok) throw new Error(`${kind} refused: ${r.message}`);
    steps.push({ command, events: r.events });
  };
  run('create_market', { marketTicker: MARKET });
  run('create_account', { accountId: 'alice', cashTicks: 1_000_000 });
  run('create_account', { accountId: 'bob', cashTicks: 1_000_000 });
  run('place_order', { orderId: 'o-1', clientOrderId: 'c-1', accountId: 'alice', marketTicker: MARKET, side: 'yes', action: 'buy', priceTicks: 4000, sizeCentis: 1000 });
  run('place_order', { orderId: 'o-2', accountId: 'bob', marketTicker: MARKET, side: 'yes', action: 'sell', priceTicks: 4000, sizeCentis: 300 });
  run('place_order', { orderId: 'o-3', accountId: 'bob', marketTicker: MARKET, side: 'no', action: 'buy', priceTicks: 5500, sizeCentis: 200 });
  run('cancel_order', { accountId: 'alice', orderId: 'o-1' });
  run('close_market', { marketTicker: MARKET });
  run('determine_market', { marketTicker: MARKET, result: 'yes' });
  run('settle_market', { marketTicker: MARKET });
  return { engine, steps };
}

const eventsOf = <T extends EngineEvent['type']>(steps: Step[], type: T): EventOf<T>[] =>
  steps.flatMap((s) => s.events).filter((e): e is EventOf<T> => e.type === type);

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/** One database per test: `make()` opens a store on it (repeatedly, for reopen tests). */
interface Target {
  make(): TypeormVenueStore;
  dispose(): Promise<void>;
}

interface Backend {
  name: 'pglite' | 'postgres';
  /** Why the backend cannot run here, or null. */
  unavailable(): string | null;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  target(): Promise<Target>;
}

/** PGlite: an initdb'd but empty data directory made once, copied per test (initdb takes seconds). */
function pgliteBackend(): Backend {
  let root = '';
  let template = '';
  let n = 0;
  return {
    name: 'pglite',
    unavailable: () =>
      typeof (vm as { SourceTextModule?: unknown }).SourceTextModule === 'function'
        ? null
        : 'PGlite under Jest needs node --experimental-vm-modules (run: NODE_OPTIONS=--experimental-vm-modules npx jest …): its CommonJS build imports Node built-ins with dynamic import(), which Jest only supports with that flag',
    async setup() {
      root = mkdtempSync(join(tmpdir(), 'venue-store-'));
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
        make: () => createVenueStore({ dataDir }),
        dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
      };
    },
  };
}

/** PostgreSQL: a schema per test, unique to this run, dropped afterwards. */
function postgresBackend(): Backend {
  const run = `venue_store_test_${process.pid}_${Date.now().toString(36)}`;
  let admin: DataSource | null = null;
  let n = 0;
  const sql = async (query: string) => {
    if (!admin) throw new Error('postgres backend not set up');
    await admin.query(query);
  };
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
      await sql(`CREATE SCHEMA "${schema}"`);
      return {
        make: () => createVenueStore({ databaseUrl: PG_URL, dataDir: '/nonexistent', schema }),
        dispose: async () => {
          await sql(`DROP SCHEMA "${schema}" CASCADE`);
        },
      };
    },
  };
}

describe.each([pgliteBackend(), postgresBackend()])('venue store on $name', (backend) => {
  const reason = backend.unavailable();
  if (reason) {
    it('can load its database under Jest', () => {
      throw new Error(reason);
    });
    return;
  }

  let target: Target;
  const open: TypeormVenueStore[] = [];
  const openStore = async () => {
    const s = target.make();
    await s.open();
    open.push(s);
    return s;
  };

  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    target = await backend.target();
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    await target.dispose();
  });

  it('runs the migrations on an empty database, and reopening applies nothing twice', async () => {
    const a = await openStore();
    expect(a.kind).toBe(backend.name);
    expect(await a.appliedMigrations()).toEqual(MIGRATIONS);
    expect(await a.loadJournal()).toEqual([]);
    await a.close();
    const b = await openStore();
    expect(await b.appliedMigrations()).toEqual(MIGRATIONS);
    for (const t of ['journal', 'accounts', 'orders', 'fills', 'positions', 'settlements', 'api_keys'] as const) expect(await b.countRows(t)).toBe(0);
  });

  it('group-commits concurrent commands in one transaction and loads them in seq order after a reopen', async () => {
    const { engine, steps } = scenario();
    const a = await openStore();
    const resolved: number[] = [];
    // every commit of one tick: one batch
    await Promise.all(steps.map((s) => a.commit(s.command, s.events).then(() => resolved.push(s.command.seq))));
    expect(a.stats).toMatchObject({ transactions: 1, commands: steps.length, largestBatch: steps.length, failedTransactions: 0 });
    // 50 more over 5 event-loop turns while transactions are in flight: batched, resolved in order
    const more: Promise<void>[] = [];
    for (let turn = 0; turn < 5; turn++) {
      for (let i = 0; i < 10; i++) {
        const seq = steps.length + 1 + turn * 10 + i;
        more.push(a.commit({ seq, tsMs: T0 + 100_000 + seq, kind: 'advance_clock', payload: {} }, []).then(() => void resolved.push(seq)));
      }
      await nextTurn();
    }
    await Promise.all(more);
    expect(resolved).toEqual(Array.from({ length: steps.length + 50 }, (_, i) => i + 1));
    expect(a.stats.transactions).toBeLessThanOrEqual(6);
    await a.close();

    const b = await openStore();
    const journal = await b.loadJournal();
    expect(journal.map((c) => c.seq)).toEqual(resolved);
    expect(journal.slice(0, steps.length)).toEqual(steps.map((s) => s.command));
    // the journal replays into a fresh engine to the same state
    const replayed = new MatchingEngine({ nowMs: T0 });
    for (const c of journal) expect(apply(replayed, c).ok).toBe(true);
    for (const id of ['alice', 'bob']) expect(replayed.getAccount(id)).toEqual(engine.getAccount(id));
  });

  it('projects the events: order lifecycle, fills, positions, balances, settlements', async () => {
    const { engine, steps } = scenario();
    const o1 = steps.flatMap((s) => s.events).filter((e) => 'orderId' in e && e.orderId === 'o-1' && e.type.startsWith('order_'));
    expect(o1.map((e) => e.type)).toEqual(['order_accepted', 'order_resting', 'order_partially_filled', 'order_canceled']);
    const a = await openStore();
    // one command per transaction here, so the orders upsert goes through every state
    for (const s of steps) await a.commit(s.command, s.events);
    expect(a.stats.transactions).toBe(steps.length);

    const orders = await a.readRows('orders');
    expect(orders.map((o) => [o.orderId, o.status, o.lastEvent])).toEqual([
      ['o-1', 'canceled', 'order_canceled'],
      ['o-2', 'executed', 'order_filled'],
      ['o-3', 'canceled', 'order_canceled'],
    ]);
    expect(orders[0]).toEqual({
      orderId: 'o-1',
      clientOrderId: 'c-1',
      accountId: 'alice',
      marketTicker: MARKET,
      side: 'yes',
      action: 'buy',
      priceTicks: 4000,
      status: 'canceled',
      remainingCentis: 0,
      filledCentis: 300,
      lastEvent: 'order_canceled',
      createdTsMs: T0 + 4000,
      updatedTsMs: T0 + 7000,
      updatedSeq: 7,
    });

    const fills = eventsOf(steps, 'fill');
    expect(fills).toHaveLength(2);
    expect(await a.readRows('fills')).toEqual(
      fills
        .map(({ type: _type, ...f }) => ({ ...f, seq: 5 }))
        .sort((x, y) => (x.tradeId + x.orderId < y.tradeId + y.orderId ? -1 : 1)),
    );

    const positions = await a.readRows('positions');
    expect(positions.map((p) => [p.accountId, p.marketTicker])).toEqual([
      ['alice', MARKET],
      ['bob', MARKET],
    ]);
    for (const p of positions) {
      const view = engine.getPosition(p.accountId, p.marketTicker);
      expect(p).toMatchObject({
        positionCentis: view?.positionCentis,
        costBasisMicros: view?.costBasisMicros,
        realizedPnlMicros: view?.realizedPnlMicros,
        feesPaidMicros: view?.feesPaidMicros,
        volumeCentis: view?.volumeCentis,
        updatedSeq: 10,
      });
    }

    // accounts hold the last `balance_changed` of each account. NB the engine emits it only on account creation,
    // deposits, withdrawals and settlement payouts, not when orders lock cash or fills move it: bob (no payout) keeps
    // his opening balance here although the engine's differs
    const lastBalance = new Map(eventsOf(steps, 'balance_changed').map((e) => [e.accountId, e]));
    const accounts = await a.readRows('accounts');
    expect(accounts.map((r) => [r.accountId, r.cashTicks, r.availableTicks, r.updatedTsMs])).toEqual(
      ['alice', 'bob'].map((id) => [id, lastBalance.get(id)?.cashTicks, lastBalance.get(id)?.availableTicks, lastBalance.get(id)?.tsMs]),
    );
    expect(accounts[0].cashTicks).toBe(engine.getAccount('alice')?.cashTicks);

    const settlements = eventsOf(steps, 'settlement');
    expect(settlements.map((s) => [s.accountId, s.positionCentis])).toEqual([
      ['alice', 300],
      ['bob', -300],
    ]);
    expect(await a.readRows('settlements')).toEqual(
      settlements.map(({ type: _type, ...s }) => ({ ...s, seq: 10 })).sort((x, y) => (x.accountId < y.accountId ? -1 : 1)),
    );
  });

  it('rejects every command of a failed batch and keeps committing afterwards', async () => {
    const { engine, steps } = scenario();
    const a = await openStore();
    await Promise.all(steps.map((s) => a.commit(s.command, s.events)));
    const carol: Step = { command: { seq: steps.length + 1, tsMs: T0 + 99_000, kind: 'create_account', payload: { accountId: 'carol', cashTicks: 5000 } }, events: [] };
    carol.events = engine.createAccount('carol', 5000, carol.command.tsMs).events;

    // a duplicate seq in the same batch as carol: the transaction fails, both callers are rejected, nothing is written
    const results = await Promise.allSettled([a.commit(steps[2].command, steps[2].events), a.commit(carol.command, carol.events)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/duplicate key/);
    expect(a.stats.failedTransactions).toBe(1);
    expect((await a.readRows('accounts')).map((r) => r.accountId)).toEqual(['alice', 'bob']);

    // bad arguments are refused at once, without a transaction
    await expect(a.commit({ ...carol.command, seq: 1.5 }, [])).rejects.toThrow(TypeError);

    // the store is not poisoned
    await a.commit(carol.command, carol.events);
    expect((await a.readRows('accounts')).map((r) => r.accountId)).toEqual(['alice', 'bob', 'carol']);
    expect((await a.loadJournal()).map((c) => c.seq)).toEqual(Array.from({ length: steps.length + 1 }, (_, i) => i + 1));
    await a.close();
    await expect(a.commit({ ...carol.command, seq: 99 }, [])).rejects.toThrow(/closed/);
  });

  it('adds, lists and deletes API keys, which survive a reopen', async () => {
    const key = (keyId: string, createdTsMs: number): StoredApiKey => ({
      keyId,
      accountId: 'alice',
      name: `key ${keyId}`,
      publicKeyPem: '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n',
      createdTsMs,
      scopes: ['read', 'write'],
    });
    const a = await openStore();
    await a.addApiKey(key('k-2', T0 + 2));
    await a.addApiKey(key('k-1', T0 + 1));
    await a.addApiKey(key('k-3', T0 + 3));
    await expect(a.addApiKey(key('k-1', T0))).rejects.toThrow(/duplicate key/);
    expect(await a.deleteApiKey('k-3')).toBe(true);
    expect(await a.deleteApiKey('k-3')).toBe(false);
    expect(await a.listApiKeys()).toEqual([key('k-1', T0 + 1), key('k-2', T0 + 2)]);
    await a.close();
    const b = await openStore();
    expect(await b.listApiKeys()).toEqual([key('k-1', T0 + 1), key('k-2', T0 + 2)]);
  });

  if (backend.name === 'pglite') {
    it('refuses a second PGlite store while one is open (typeorm-pglite has one instance per process)', async () => {
      await openStore();
      const other = createVenueStore({ dataDir: join(tmpdir(), 'venue-store-never-created') });
      await expect(other.open()).rejects.toThrow(/already open/);
    });
  }
});
