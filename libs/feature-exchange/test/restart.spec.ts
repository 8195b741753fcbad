/**
 * Restart: a live exchange with a durable store (embedded PGlite, and PostgreSQL on loopback) keeps every resting
 * order, balance, position, fill and API key across a restart; the books served over REST are the same.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { KalshiRestClient } from '@kalshi-platform/kalshi';
import { startExchange, type ExchangeConfig, type RunningExchange } from '../src/exchange';
import type { TypeormVenueStore } from '../src/store';

const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function snapshot(ex: RunningExchange) {
  const v = ex.venue;
  return {
    accounts: v.engine.accountIds().map((a) => v.engine.getAccount(a)),
    resting: v.engine.listOrders({}).filter((o) => o.status === 'resting'),
    orders: v.engine.listOrders({ accountId: 'demo' }),
    fills: v.fillsOf('demo'),
    trades: v.trades,
    keys: ex.keys.list().map((k) => [k.keyId, k.accountId]),
    totals: v.engine.totals(),
  };
}

async function restBook(ex: RunningExchange, ticker: string): Promise<unknown> {
  const r = await fetch(`${ex.restUrl}/markets/${ticker}/orderbook`);
  expect(r.status).toBe(200);
  return r.json();
}

describe.each([
  ['PGlite (embedded default)', 'pglite'],
  ['PostgreSQL', 'postgres'],
] as const)('restart with %s', (_name, kind) => {
  let dir: string;
  const schema = `restart_${process.pid}_${Date.now()}`;
  let pg: Client | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'exchange-restart-'));
    if (kind === 'postgres') {
      pg = new Client({ connectionString: PG_URL });
      await pg.connect();
      await pg.query(`CREATE SCHEMA "${schema}"`);
    }
  });
  afterAll(async () => {
    if (pg) {
      await pg.query(`DROP SCHEMA "${schema}" CASCADE`);
      await pg.end();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const cfg = (): ExchangeConfig => ({
    host: '127.0.0.1',
    port: 0,
    mode: 'live',
    logger: false,
    dataDir: dir,
    credentialsOut: join(dir, 'credentials.json'),
    ...(kind === 'postgres' ? { databaseUrl: PG_URL, databaseSchema: schema } : {}),
  });

  it('keeps resting orders, balances, positions, fills and keys', async () => {
    const a = await startExchange(cfg());
    expect(a.store?.kind).toBe(kind);
    const keyId = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')).key_id;
    const book = a.venue.books.get('KXELONMARS-99')!;
    // take liquidity (a fill and a position), rest an order, partially fill another account's order
    const take = await a.venue.placeOrder('demo', { marketTicker: 'KXELONMARS-99', side: 'yes', action: 'buy', priceTicks: book.yesAskTicks, sizeCentis: 700 });
    expect(take.ok && take.filledCentis).toBe(700);
    const rest = await a.venue.placeOrder('demo', { marketTicker: 'KXELONMARS-99', side: 'no', action: 'buy', priceTicks: 500, sizeCentis: 1200, clientOrderId: 'keep-me' });
    expect(rest.ok && rest.status).toBe('resting');
    await a.venue.createAccount('bob', 50_000_000);
    const bobs = await a.venue.placeOrder('bob', { marketTicker: 'KXCOLONIZEMARS-50', side: 'yes', action: 'buy', priceTicks: 20, sizeCentis: 1000 });
    expect(bobs.ok ? 'ok' : bobs.message).toBe('ok');
    const gone = await a.venue.placeOrder('demo', { marketTicker: 'KXELONMARS-99', side: 'yes', action: 'buy', priceTicks: 200, sizeCentis: 100, clientOrderId: 'gone' });
    expect(gone.ok && (await a.venue.cancelOrder('demo', gone.orderId)).ok).toBe(true);
    await a.venue.flush();
    const before = snapshot(a);
    const bookBefore = await restBook(a, 'KXELONMARS-99');
    expect(before.fills.length).toBeGreaterThan(0);
    // the projections in the database agree with the engine: balances, resting orders, fills
    const store = a.store as TypeormVenueStore;
    const accounts = await store.readRows('accounts');
    for (const acct of before.accounts) {
      const row = accounts.find((r) => r.accountId === acct!.accountId)!;
      expect([row.cashTicks, row.availableTicks]).toEqual([acct!.cashTicks, acct!.availableTicks]);
    }
    const orderRows = await store.readRows('orders');
    expect(orderRows.filter((o) => o.status === 'resting').map((o) => o.orderId).sort()).toEqual(before.resting.map((o) => o.orderId).sort());
    expect(await store.countRows('fills')).toBe(a.venue.fills.length);
    await a.close();

    const b = await startExchange(cfg());
    try {
      expect(b.generatedKeyId).toBe(keyId); // the credentials file's key is still registered
      expect(snapshot(b)).toEqual(before);
      expect(await restBook(b, 'KXELONMARS-99')).toEqual(bookBefore);
      // orders that ended before the restart are still listed (the engine forgets them; the ledger replays them)
      const creds = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8'));
      const client = new KalshiRestClient({ baseUrl: b.restUrl, credentials: { keyId: creds.key_id, privateKeyPem: creds.private_key_pem } });
      const canceled = await client.get<{ orders: Array<{ client_order_id: string; status: string }> }>('portfolio/orders', { status: 'canceled' });
      expect(canceled.orders.map((o) => [o.client_order_id, o.status])).toEqual([['gone', 'canceled']]);
      const resting = await client.get<{ orders: Array<{ client_order_id: string }> }>('portfolio/orders', { status: 'resting' });
      expect(resting.orders.map((o) => o.client_order_id)).toEqual(['keep-me']);
      // the restored venue keeps trading: the duplicate client order id is still known
      const dup = await b.venue.placeOrder('demo', { marketTicker: 'KXELONMARS-99', side: 'no', action: 'buy', priceTicks: 500, sizeCentis: 100, clientOrderId: 'keep-me' });
      expect(dup.ok ? 'accepted' : dup.reason).toBe('duplicate_client_order_id');
      const cancel = await b.venue.cancelOrder('demo', (rest as { orderId: string }).orderId);
      expect(cancel.ok).toBe(true);
    } finally {
      await b.close();
    }
  }, 60_000);
});
