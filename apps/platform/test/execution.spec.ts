/**
 * Execution end to end on loopback (issue #5): the real live mock exchange (REST, WebSocket), real PostgreSQL (a fresh
 * schema per service, dropped afterwards), real NATS for the standalone app.
 *
 * 1. Mock exchange with game markets for the events of the real The Odds API capture (the house quoting every market
 *    around the consensus, ONE market mis-priced 5 cents) and the market maker quoting them -> ingestion -> ticker
 *    plant -> detection (sportsbook edge from the capture) -> execution -> fills -> positions and PnL that reconcile
 *    with `GET /portfolio/positions`.
 * 2. Every risk limit trips and is reported (status counters and the audit log); the breaker opens and recovers.
 * 3. The kill switch leaves no open order at the exchange (ours and a foreign one).
 * 4. The standalone execution app is SIGKILLed while its order is in flight; restarted, the same signal redelivered:
 *    one order at the exchange, adopted with its fills, positions reconcile; the HTTP kill switch answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { Client } from 'pg';
import { busRequest, busTransportFromConfig, createBusClient, createBusServer, InProcessBroker, subjects, type ExecutionPortfolioV1, type SignalV1 } from '@kalshi-platform/bus';
import { clientOrderIdFor } from '@kalshi-platform/execution';
import { startExchange, type RunningExchange } from '@kalshi-platform/feature-exchange';
import { DEFAULT_BREAKER, ExecutionModule, ExecutionService, openExecutionDeps, type ExecutionConfig, type OpenedExecutionDeps } from '@kalshi-platform/feature-execution';
import { FeedService } from '@kalshi-platform/feature-ingestion';
import { decodeOrders, decodePositions, generateKalshiKeyPair, KalshiRestClient } from '@kalshi-platform/kalshi';
import type { RiskLimits } from '@kalshi-platform/risk';
import { openRelationalStore, type RelationalStore } from '@kalshi-platform/storage';
import { startPipeline } from '../src/platform';

const ROOT = resolve(__dirname, '../../..');
const ODDS = join(ROOT, 'data/samples/theoddsapi-sportsbook-arb-2024-03-26/odds_h2h_us_2024-03-27T0134Z.json');
const PG_URL = process.env.STORE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const MISPRICED = 'KXNHLGAME-24MAR26PHINYR-NYR';
const NYR_EVENT = 'KXNHLGAME-24MAR26PHINYR';
const PHI = 'KXNHLGAME-24MAR26PHINYR-PHI';

jest.setTimeout(120_000);

type Creds = { keyId: string; privateKeyPem: string; path: string };

let ex: RunningExchange;
let dir: string;
const schemas: string[] = [];
let accountNo = 0;

/** A fresh venue account with $10,000 and a key; its credentials file for processes. */
async function newAccount(): Promise<Creds> {
  const name = `acct${++accountNo}`;
  const k = generateKalshiKeyPair();
  const keyId = ex.keys.add(k.publicKeyPem, undefined, name);
  const r = await ex.venue.createAccount(name, 100_000_000);
  expect(r.ok).toBe(true);
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ key_id: keyId, private_key_pem: k.privateKeyPem }), { mode: 0o600 });
  return { keyId, privateKeyPem: k.privateKeyPem, path };
}

async function pgStore(): Promise<RelationalStore> {
  const schema = `exec_${process.pid}_${schemas.length}_${Date.now() % 100000}`;
  schemas.push(schema);
  const s = await openRelationalStore({ databaseUrl: PG_URL, schema });
  await s.migrateUp();
  return s;
}

function config(c: Creds, over: Partial<ExecutionConfig> = {}): ExecutionConfig {
  return {
    mode: 'paper',
    restUrl: ex.restUrl,
    wsUrl: ex.wsUrl,
    credentials: { keyId: c.keyId, privateKeyPem: c.privateKeyPem },
    route: 'rest',
    kinds: ['sportsbook_edge'],
    timeInForce: 'gtc',
    limits: {},
    breaker: DEFAULT_BREAKER,
    reconcileIntervalMs: 60_000,
    reconcileGraceMs: 1_000,
    ...over,
  };
}

/** An execution service alone on an in-process bus (signals are handed to it directly or emitted on the bus). */
async function startService(c: Creds, over: Partial<ExecutionConfig> = {}, clock?: () => number) {
  const relational = await pgStore();
  const cfg = config(c, over);
  const deps: OpenedExecutionDeps = await openExecutionDeps(cfg, { relational, clock });
  const transport = busTransportFromConfig(undefined, new InProcessBroker());
  const app: INestMicroservice = await NestFactory.createMicroservice(ExecutionModule.forRoot(cfg, transport, deps), { strategy: createBusServer(transport), logger: false });
  const svc = app.get(ExecutionService);
  await svc.start();
  await app.listen();
  return {
    svc,
    deps,
    rest: deps.rest,
    close: async () => {
      await app.close();
      await relational.close();
    },
  };
}

let seq = 0;
function signal(over: Partial<SignalV1> & { market?: string; event?: string; priceTicks?: number; sizeCentis?: number; side?: 'yes' | 'no' } = {}): SignalV1 {
  const now = Date.now();
  const { market, event, priceTicks, sizeCentis, side, ...rest } = over;
  return {
    v: 1,
    id: `test:${process.pid}:${++seq}`,
    kind: 'sportsbook_edge',
    legs: [{ marketTicker: market ?? MISPRICED, eventTicker: event ?? NYR_EVENT, side: side ?? 'yes', action: 'buy', priceTicks: priceTicks ?? 8300, sizeCentis: sizeCentis ?? 500 }],
    fairTicks: 8826,
    grossEdgeTicks: 526,
    netEdgeTicks: 427,
    confidence: 0.9,
    reasons: ['test'],
    createdTsMs: now,
    expiresTsMs: now + 60_000,
    ...rest,
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function exchangeOrders(rest: KalshiRestClient, status?: string) {
  const d = decodeOrders({ orders: await rest.getAll('portfolio/orders', 'orders', { limit: 200, status }) });
  if (!d.ok) throw d.error;
  return d.value.orders;
}

async function exchangePositions(rest: KalshiRestClient): Promise<Map<string, number>> {
  const d = decodePositions({ market_positions: await rest.getAll('portfolio/positions', 'market_positions', { limit: 200 }) });
  if (!d.ok) throw d.error;
  return new Map(d.value.marketPositions.filter((p) => p.positionCentis !== 0).map((p) => [p.ticker, p.positionCentis]));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'execution-spec-'));
  ex = await startExchange({
    host: '127.0.0.1',
    port: 0,
    mode: 'live',
    logger: false,
    rateLimits: false,
    credentialsOut: join(dir, 'demo.json'),
    fixPort: 0,
    gamesFromOdds: ODDS,
    gamesOptions: { edgeFor: (t) => (t === MISPRICED ? 5 : undefined) },
  });
});

afterAll(async () => {
  await ex?.close();
  const pg = new Client({ connectionString: PG_URL });
  await pg.connect();
  for (const s of schemas) await pg.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await pg.end();
  rmSync(dir, { recursive: true, force: true });
});

describe('execution end to end: odds capture -> detection -> execution -> fills -> reconciled positions', () => {
  it('buys the one mis-priced game market once, and local positions and PnL equal the exchange', async () => {
    const trader = await newAccount();
    const mm = await newAccount();
    const relational = await pgStore();
    const cfg = config(trader, { limits: { maxPositionCentisPerMarket: 100_000, maxOpenOrders: 10, maxSignalAgeMs: 10_000 }, reconcileIntervalMs: 500 });
    const deps = await openExecutionDeps(cfg, { relational });
    // the market maker (its own account) quotes every game market 5 cents either side of the book's mid, moving at
    // most 1 cent a cycle for 3 cycles: it adds depth and trades but can never reach an edge (see the README)
    const games = (await new KalshiRestClient({ baseUrl: ex.restUrl }).getAll<{ ticker: string }>('markets', 'markets', { series_ticker: 'KXNHLGAME', limit: 200 })).map((m) => m.ticker);
    const mmProc = spawn(process.execPath, [join(ROOT, 'tools/run.cjs'), 'apps/market-maker/src/main.ts', '--exchange', ex.restUrl, '--credentials', mm.path, '--tickers', games.filter((t) => t !== MISPRICED).join(','), '--interval-ms', '300', '--spread', '0.10', '--max-step', '1', '--max-quotes', '3'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let mmOut = '';
    mmProc.stdout!.on('data', (d) => (mmOut += d));
    mmProc.stderr!.on('data', (d) => (mmOut += d));
    const p = await startPipeline({
      restUrl: ex.restUrl,
      wsUrl: ex.wsUrl,
      credentials: { keyId: trader.keyId, privateKeyPem: trader.privateKeyPem },
      shards: 1,
      detection: { sportsbook: { oddsFile: ODDS, minEdgeTicks: 100, maxOddsAgeMs: 3_600_000, ttlMs: 30_000, bankrollMicros: 1_000_000_000, kellyFraction: 0.5 } },
      execution: { config: cfg, deps },
    });
    try {
      await p.ingestion.get(FeedService).start();
      const exit = await new Promise<number | null>((r) => mmProc.on('exit', r));
      expect({ exit, mmOut: exit === 0 ? '' : mmOut }).toEqual({ exit: 0, mmOut: '' });
      const portfolio = await until('the order to fill', async () => {
        const pf = await busRequest<ExecutionPortfolioV1>(p.bus, subjects.executionPortfolio);
        return pf.orders.length > 0 && pf.orders.every((o) => o.status === 'executed') ? pf : undefined;
      });
      // one signal, one order, for the mis-priced market's YES at its ask; client_order_id derived from the signal id
      expect(portfolio.orders).toHaveLength(1);
      const o = portfolio.orders[0];
      expect(o).toMatchObject({ marketTicker: MISPRICED, eventTicker: NYR_EVENT, side: 'yes', action: 'buy', priceTicks: 8300, status: 'executed', remainingCentis: 0 });
      expect(o.signalId).toMatch(new RegExp(`^sbe1:${MISPRICED}:yes:8300:`));
      expect(o.clientOrderId).toBe(clientOrderIdFor(o.signalId!, 0));
      expect(o.filledCentis).toBe(o.countCentis);
      // the exchange has exactly that order, filled at $0.83 against the house
      const rest = new KalshiRestClient({ baseUrl: ex.restUrl, credentials: { keyId: trader.keyId, privateKeyPem: trader.privateKeyPem } });
      const theirs = await exchangeOrders(rest);
      expect(theirs.map((x) => [x.clientOrderId, x.status, x.fillCountCentis])).toEqual([[o.clientOrderId, 'executed', o.countCentis]]);
      expect(portfolio.fills.reduce((a, f) => a + f.countCentis, 0)).toBe(o.countCentis);
      expect(new Set(portfolio.fills.map((f) => f.priceTicks))).toEqual(new Set([8300]));
      // positions and PnL: local = exchange; realized = -fees (nothing closed); unrealized marked at the YES bid
      const pos = await exchangePositions(rest);
      expect([...pos]).toEqual([[MISPRICED, o.countCentis]]);
      const mine = portfolio.positions.find((x) => x.marketTicker === MISPRICED)!;
      expect(mine.positionCentis).toBe(o.countCentis);
      expect(mine.costBasisMicros).toBe(8300 * o.countCentis);
      const fees = portfolio.fills.reduce((a, f) => a + f.feeMicros, 0);
      expect(fees).toBeGreaterThan(0);
      expect(mine.feesPaidMicros).toBe(fees);
      expect(mine.realizedPnlMicros).toBe(-fees);
      expect(portfolio.pnl.totalMicros).toBe(portfolio.pnl.realizedMicros + portfolio.pnl.unrealizedMicros);
      // marked at the house's YES bid: the mis-priced ask minus the 4-cent quoted width (venue/games-seed.ts)
      expect(mine.markTicks).toBe(7900);
      expect(mine.unrealizedPnlMicros).toBe((7900 - 8300) * o.countCentis);
      const report = await busRequest<{ positionMismatches: unknown[]; foreignOrders: number }>(p.bus, subjects.executionReconcile, {}, 20_000);
      expect(report.positionMismatches).toEqual([]);
      expect(report.foreignOrders).toBe(0);
      // stored in PostgreSQL: the order, its fills, the position
      const pg = new Client({ connectionString: PG_URL });
      await pg.connect();
      try {
        const s = relational.schema;
        const rows = (await pg.query(`SELECT client_order_id, status, filled_centis::text AS f FROM "${s}".orders`)).rows;
        expect(rows).toEqual([{ client_order_id: o.clientOrderId, status: 'executed', f: String(o.countCentis) }]);
        expect((await pg.query(`SELECT sum(count_centis)::text AS n FROM "${s}".fills`)).rows[0].n).toBe(String(o.countCentis));
        expect((await pg.query(`SELECT position_centis::text AS n FROM "${s}".positions WHERE market_ticker = $1`, [MISPRICED])).rows[0].n).toBe(String(o.countCentis));
        expect((await pg.query(`SELECT count(*)::int AS n FROM "${s}".signals`)).rows[0].n).toBe(1);
      } finally {
        await pg.end();
      }
    } finally {
      mmProc.kill();
      await p.close();
      await relational.close();
    }
  });
});

describe('risk gate in the execution app: every limit trips and is reported', () => {
  const cases: Array<{ limit: string; limits: RiskLimits; first?: Partial<SignalV1> & Record<string, unknown>; then: Partial<SignalV1> & Record<string, unknown>; bbo?: boolean }> = [
    { limit: 'maxPositionCentisPerMarket', limits: { maxPositionCentisPerMarket: 500 }, then: { sizeCentis: 600 } },
    { limit: 'maxPositionCentisPerEvent', limits: { maxPositionCentisPerEvent: 800 }, first: { sizeCentis: 500 }, then: { market: PHI, priceTicks: 1400, sizeCentis: 500 } },
    { limit: 'maxOpenOrders', limits: { maxOpenOrders: 1 }, first: { priceTicks: 5000, sizeCentis: 100 }, then: { priceTicks: 5000, sizeCentis: 100 } },
    { limit: 'maxOrderNotionalMicros', limits: { maxOrderNotionalMicros: 1_000_000 }, then: { sizeCentis: 500 } },
    { limit: 'maxDailyLossMicros', limits: { maxDailyLossMicros: 0 }, first: { sizeCentis: 100 }, then: { sizeCentis: 100 } },
    { limit: 'priceCollarTicks', limits: { priceCollarTicks: 500 }, bbo: true, then: { priceTicks: 9000, sizeCentis: 100 } },
    { limit: 'maxSignalAgeMs', limits: { maxSignalAgeMs: 5_000 }, then: { sizeCentis: 100, createdTsMs: Date.now() - 10_000 } },
  ];
  for (const c of cases) {
    it(`${c.limit}`, async () => {
      const acct = await newAccount();
      const s = await startService(acct, { limits: c.limits });
      try {
        if (c.bbo) s.svc.onBbo({ v: 1, marketTicker: MISPRICED, valid: true, yesBidTicks: 8100, yesBidSizeCentis: 50_000, noBidTicks: 1700, noBidSizeCentis: 50_000, tsMs: Date.now() });
        if (c.first) {
          s.svc.onSignal(signal(c.first));
          await until('the first order', async () => (await s.svc.idle(), s.svc.status().ordersSent === 1 && (s.svc.status().fills > 0 || c.limit === 'maxOpenOrders')));
        }
        s.svc.onSignal(signal(c.then));
        await until('the rejection', async () => (await s.svc.idle(), (s.svc.status().riskRejections[c.limit] ?? 0) > 0));
        const st = s.svc.status();
        expect(st.riskRejections).toEqual({ [c.limit]: 1 });
        expect(st.ordersSent).toBe(c.first ? 1 : 0);
        const audit = await s.deps.store.auditRows('order.reject');
        expect(audit).toHaveLength(1);
        expect(JSON.stringify(audit[0].details)).toContain(c.limit);
      } finally {
        await s.close();
      }
    });
  }

  it('orderRate: the account tier bucket (basic: 100 write tokens, 10 per order) refuses the 11th order in a burst', async () => {
    const acct = await newAccount();
    const t0 = Date.now();
    const s = await startService(acct, { limits: { orderRateTier: 'basic' } }, () => t0);
    try {
      for (let i = 0; i < 11; i++) s.svc.onSignal(signal({ priceTicks: 5000, sizeCentis: 100, createdTsMs: t0, expiresTsMs: t0 + 60_000 }));
      await until('11 signals handled', async () => (await s.svc.idle(), s.svc.status().ordersSent + (s.svc.status().riskRejections.orderRate ?? 0) === 11));
      expect(s.svc.status().ordersSent).toBe(10);
      expect(s.svc.status().riskRejections).toEqual({ orderRate: 1 });
      expect((await exchangeOrders(s.rest, 'resting')).length).toBe(10);
    } finally {
      await s.close();
    }
  });

  it('circuit breaker: opens after consecutive exchange rejects, refuses orders while open, recovers after the cool-down', async () => {
    const acct = await newAccount();
    const s = await startService(acct, { breaker: { ...DEFAULT_BREAKER, maxConsecutiveRejects: 2, coolDownMs: 400, maxCoolDownMs: 400 } });
    try {
      for (let i = 0; i < 2; i++) s.svc.onSignal(signal({ market: 'KXNOSUCH-MARKET', event: 'KXNOSUCH', sizeCentis: 100 }));
      await until('two rejects', async () => (await s.svc.idle(), s.svc.status().ordersByStatus.rejected === 2));
      expect(s.svc.status().breaker.state).toBe('open');
      s.svc.onSignal(signal({ sizeCentis: 100 }));
      await until('the breaker refusal', async () => (await s.svc.idle(), s.svc.status().riskRejections.circuitBreaker === 1));
      await new Promise((r) => setTimeout(r, 450));
      s.svc.onSignal(signal({ sizeCentis: 100 }));
      await until('the trial order', async () => (await s.svc.idle(), s.svc.status().ordersByStatus.executed === 1));
      expect(s.svc.status().breaker.state).toBe('closed');
      expect(s.svc.status().riskRejections).toEqual({ circuitBreaker: 1 });
    } finally {
      await s.close();
    }
  });
});

describe('kill switch', () => {
  it('cancels every open order of the account (ours and a foreign one), refuses new orders, and reports none left', async () => {
    const acct = await newAccount();
    const s = await startService(acct, { limits: {} });
    try {
      for (let i = 0; i < 3; i++) s.svc.onSignal(signal({ priceTicks: 5000 + i * 100, sizeCentis: 100 }));
      await until('3 resting orders', async () => (await s.svc.idle(), s.svc.status().ordersByStatus.resting === 3));
      await s.rest.request('POST', 'portfolio/orders', {}, { ticker: PHI, side: 'yes', action: 'buy', count_fp: '1.00', yes_price_dollars: '0.0500', client_order_id: 'foreign-1' });
      expect(await exchangeOrders(s.rest, 'resting')).toHaveLength(4);
      const r = await s.svc.kill({ v: 1, by: 'test', reason: 'kill switch test' });
      expect(r).toMatchObject({ engaged: true, changed: true, canceled: 4, openAfter: 0, errors: [] });
      expect(await exchangeOrders(s.rest, 'resting')).toHaveLength(0);
      expect(s.svc.status().ordersByStatus).toMatchObject({ resting: 0, canceled: 3 });
      s.svc.onSignal(signal({ sizeCentis: 100 }));
      await until('the refusal', async () => (await s.svc.idle(), s.svc.status().riskRejections.killSwitch === 1));
      expect(s.svc.status().killSwitch).toMatchObject({ engaged: true, by: 'test' });
      expect((await s.deps.store.auditRows('kill_switch.engage')).length).toBe(1);
    } finally {
      await s.close();
    }
  });
});

describe('reconnect', () => {
  it('a fill missed while the WebSocket was down is recovered by the reconciliation that follows the reconnect', async () => {
    const acct = await newAccount();
    const other = await newAccount();
    const s = await startService(acct, {});
    try {
      s.svc.onSignal(signal({ priceTicks: 8200, sizeCentis: 100 })); // the best YES bid (the house bids $0.81): rests
      await until('the resting order', async () => (await s.svc.idle(), s.svc.status().ordersByStatus.resting === 1));
      expect(ex.gateway.disconnectAll()).toBeGreaterThan(0);
      // while the client reconnects, another account sells into our bid: the fill message goes nowhere
      const otherRest = new KalshiRestClient({ baseUrl: ex.restUrl, credentials: { keyId: other.keyId, privateKeyPem: other.privateKeyPem } });
      await otherRest.request('POST', 'portfolio/orders', {}, { ticker: MISPRICED, side: 'yes', action: 'sell', count_fp: '1.00', yes_price_dollars: '0.8200', client_order_id: 'other-1', time_in_force: 'immediate_or_cancel' });
      await until('the fill recovered', async () => (await s.svc.idle(), s.svc.status().ordersByStatus.executed === 1));
      const rc = (await s.deps.store.auditRows('reconcile')).map((r) => ({ trigger: r.subject, fillsAdded: (r.details as { fillsAdded: number }).fillsAdded }));
      expect(rc).toContainEqual({ trigger: 'reconnect', fillsAdded: 1 });
      expect(s.svc.portfolio().positions.find((p) => p.marketTicker === MISPRICED)?.positionCentis).toBe(100);
      expect([...(await exchangePositions(s.rest))]).toEqual([[MISPRICED, 100]]);
    } finally {
      await s.close();
    }
  });
});

describe('FIX route', () => {
  it('sends NewOrderSingle / OrderCancelRequest over FIX; fills come on the WebSocket; the position matches the exchange', async () => {
    const acct = await newAccount();
    const s = await startService(acct, { route: 'fix', fix: { host: '127.0.0.1', port: ex.fixPort! } });
    try {
      expect(s.svc.status().route).toBe('fix');
      s.svc.onSignal(signal({ sizeCentis: 200 })); // crosses the $0.83 ask
      s.svc.onSignal(signal({ priceTicks: 5000, sizeCentis: 100 })); // rests
      await until('one executed and one resting order', async () => (await s.svc.idle(), s.svc.status().ordersByStatus.executed === 1 && s.svc.status().ordersByStatus.resting === 1));
      const pf = s.svc.portfolio();
      expect(pf.fills.reduce((a, f) => a + f.countCentis, 0)).toBe(200);
      expect(pf.positions.find((p) => p.marketTicker === MISPRICED)?.positionCentis).toBe(200);
      expect([...(await exchangePositions(s.rest))]).toEqual([[MISPRICED, 200]]);
      const resting = await exchangeOrders(s.rest, 'resting');
      expect(resting.map((o) => o.clientOrderId)).toEqual([pf.orders.find((o) => o.status === 'resting')!.clientOrderId]);
      const k = await s.svc.kill({ v: 1, by: 'test', reason: 'FIX cancel' });
      expect(k).toMatchObject({ canceled: 1, openAfter: 0, errors: [] });
      expect(s.svc.status().ordersByStatus).toMatchObject({ executed: 1, canceled: 1, resting: 0 });
    } finally {
      await s.close();
    }
  });
});

describe('crash mid-order and restart (standalone app over NATS)', () => {
  function startApp(acct: Creds, schema: string, kind: string): { proc: ChildProcess; ready: Promise<string>; out: () => string } {
    let out = '';
    const proc = spawn(process.execPath, [join(ROOT, 'tools/run.cjs'), 'apps/execution/src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NATS_URL,
        KALSHI_REST_URL: ex.restUrl,
        KALSHI_WS_URL: ex.wsUrl,
        KALSHI_API_KEY_ID: acct.keyId,
        KALSHI_PRIVATE_KEY_PATH: join(dir, `${acct.keyId}.pem`),
        DATABASE_URL: PG_URL,
        EXECUTION_DB_SCHEMA: schema,
        EXECUTION_KINDS: kind,
        EXECUTION_HTTP_PORT: '0',
        EXECUTION_RECONCILE_MS: '500',
        EXECUTION_RECONCILE_GRACE_MS: '3000',
        EXECUTION_MAX_SIGNAL_AGE_MS: '60000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    const ready = until("the execution app to start", () => /route \w+, http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1], 60_000);
    return { proc, ready, out: () => out };
  }

  it('never doubles the in-flight order, adopts it with its fills, and positions reconcile', async () => {
    const acct = await newAccount();
    writeFileSync(join(dir, `${acct.keyId}.pem`), acct.privateKeyPem, { mode: 0o600 });
    const store = await pgStore();
    const schema = store.schema;
    await store.close();
    const kind = `crash_test_${process.pid}`;
    const bus = createBusClient(busTransportFromConfig(NATS_URL, undefined, 'execution-spec'));
    await bus.connect();
    const sig = signal({ kind, sizeCentis: 300 });
    const cid = clientOrderIdFor(sig.id, 0);
    const rest = new KalshiRestClient({ baseUrl: ex.restUrl, credentials: { keyId: acct.keyId, privateKeyPem: acct.privateKeyPem } });
    const pg = new Client({ connectionString: PG_URL });
    await pg.connect();
    let app = startApp(acct, schema, kind);
    try {
      const port0 = await app.ready;
      ex.faults.set({ seed: 1, holdMs: 1_500 }); // the exchange places orders at once but answers 1.5 s late
      bus.emit(subjects.signal(kind), sig);
      await until('the write-ahead order row', async () => (await pg.query(`SELECT status FROM "${schema}".orders WHERE client_order_id = $1`, [cid])).rows[0]?.status === 'pending').catch(async (e: Error) => {
        const st = await fetch(`http://127.0.0.1:${port0}/status`).then((r) => r.text(), (x: Error) => x.message);
        throw new Error(`${e.message}; status ${st}; execution app output:\n${app.out()}`);
      });
      await new Promise((r) => setTimeout(r, 300));
      app.proc.kill('SIGKILL');
      await new Promise((r) => app.proc.on('exit', r));
      await new Promise((r) => setTimeout(r, 1_600)); // the held answer goes to a dead client
      ex.faults.set({ seed: 1 });
      const atExchange = (await exchangeOrders(rest)).filter((o) => o.clientOrderId === cid);
      expect(atExchange).toHaveLength(1);
      expect((await pg.query(`SELECT status, order_id FROM "${schema}".orders WHERE client_order_id = $1`, [cid])).rows[0]).toEqual({ status: 'pending', order_id: null });

      app = startApp(acct, schema, kind);
      const port = await app.ready;
      bus.emit(subjects.signal(kind), sig); // redelivery of the same signal: must not become a second order
      const row = await until('the order adopted', async () => {
        const r = (await pg.query(`SELECT status, order_id, filled_centis::int AS filled FROM "${schema}".orders WHERE client_order_id = $1`, [cid])).rows[0];
        return r?.status === 'executed' ? r : undefined;
      });
      expect(row).toEqual({ status: 'executed', order_id: atExchange[0].orderId, filled: 300 });
      const status = await until('the redelivered signal handled', async () => {
        const st = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as { signalsDuplicate: number; ordersSent: number };
        return st.signalsDuplicate >= 1 ? st : undefined;
      });
      expect(status.ordersSent).toBe(0);
      expect((await exchangeOrders(rest)).filter((o) => o.clientOrderId === cid)).toHaveLength(1);
      expect((await exchangeOrders(rest)).length).toBe(1);
      const pos = await exchangePositions(rest);
      expect([...pos]).toEqual([[MISPRICED, 300]]);
      expect((await pg.query(`SELECT position_centis::int AS n FROM "${schema}".positions WHERE market_ticker = $1`, [MISPRICED])).rows[0].n).toBe(300);
      const pf = (await (await fetch(`http://127.0.0.1:${port}/portfolio`)).json()) as ExecutionPortfolioV1;
      expect(pf.lastReconcile?.positionMismatches).toEqual([]);
      // the HTTP kill switch: a bad body is a 400 naming the field; a good one engages and leaves nothing open
      const bad = await fetch(`http://127.0.0.1:${port}/kill-switch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ by: 'ops' }) });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain('reason');
      // `npx kalshi-platform kill-switch` as a real process against the real app (async: the exchange lives in this process)
      const cli = spawn(process.execPath, [join(ROOT, 'bin/kalshi-platform.cjs'), 'kill-switch', '--url', `http://127.0.0.1:${port}`, '--by', 'ops', '--reason', 'end of test', '--format', 'json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let cliOut = '';
      cli.stdout!.on('data', (d) => (cliOut += d));
      cli.stderr!.on('data', (d) => (cliOut += d));
      const code = await new Promise<number | null>((r) => cli.on('exit', r));
      expect({ code, cliOut: code === 0 ? '' : cliOut }).toEqual({ code: 0, cliOut: '' });
      expect(JSON.parse(cliOut)).toMatchObject({ v: 1, engaged: true, changed: true, openAfter: 0, errors: [] });
      const st2 = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as { killSwitch: { engaged: boolean; by: string } };
      expect(st2.killSwitch).toMatchObject({ engaged: true, by: 'ops' });
    } finally {
      ex.faults.set({ seed: 1 });
      app.proc.kill('SIGTERM');
      await bus.close();
      await pg.end();
    }
  });
});
