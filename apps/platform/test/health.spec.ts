/**
 * Health endpoints end to end (issue #6), on loopback against real NATS and PostgreSQL:
 *
 * 1. The detection and ingestion apps as processes (`node tools/run.cjs apps/<app>/src/main.ts`, what `npm run <app>`
 *    runs) with `HEALTH_PORT=0`, against the mock exchange replaying the demo capture: each prints
 *    `health: http://127.0.0.1:<port>`; `/healthz` answers 200; `/readyz` turns 200 once the app is ready (detection:
 *    NATS and the reference data; ingestion: NATS and a fresh feed), and ingestion's turns 503 naming `feed` once the
 *    replay is over and its last frame is older than `HEALTH_FEED_MAX_AGE_MS`.
 * 2. The execution app's `/readyz` (libs/feature-execution, on its own HTTP port): 503 naming `execution` before the
 *    start reconciliation, 200 with `execution`, `nats`, `postgres`, `kalshi-ws` up after it, 503 naming `kalshi-ws`
 *    once the exchange is gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { busTransportFromConfig } from '@kalshi-platform/bus';
import { startExchange, type RunningExchange } from '@kalshi-platform/feature-exchange';
import { DEFAULT_BREAKER, ExecutionModule, ExecutionService, openExecutionDeps, type ExecutionConfig } from '@kalshi-platform/feature-execution';
import { openRelationalStore } from '@kalshi-platform/storage';
import { CAPTURE } from './oracle';

const ROOT = resolve(__dirname, '../../..');
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Proc {
  name: string;
  child: ChildProcess;
  out: string[];
}

function start(name: string, entry: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [join(ROOT, 'tools/run.cjs'), entry, ...args], { cwd: ROOT, env: { ...process.env, HEALTH_PORT: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  child.stdout?.on('data', (d) => out.push(String(d)));
  child.stderr?.on('data', (d) => out.push(String(d)));
  return { name, child, out };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, procs: Proc[] = [], everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    const dead = procs.find((p) => p.child.exitCode !== null);
    if (dead) throw new Error(`${dead.name} exited (${dead.child.exitCode}) while waiting for ${what}:\n${dead.out.join('')}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${String(last)}):\n${procs.map((p) => `--- ${p.name}\n${p.out.join('')}`).join('\n')}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

interface Health {
  status: number;
  body: { status: string; info: Record<string, { status: string; detail?: string }>; error: Record<string, { status: string; detail?: string }>; details: Record<string, unknown> };
}

async function get(base: string, path: string): Promise<Health> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: (await res.json()) as Health['body'] };
}

describe('health endpoints of the apps as processes (HEALTH_PORT=0)', () => {
  const procs: Proc[] = [];
  const exited = (p: Proc): Promise<unknown> | undefined => (p.child.exitCode !== null || p.child.signalCode !== null ? undefined : new Promise((r) => p.child.once('exit', r)));
  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map(exited));
  });

  it('detection and ingestion print their health address; /healthz 200; /readyz 200 when ready, 503 naming a stale feed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-health-'));
    const creds = join(dir, 'credentials.json');
    const exchange = start('exchange', 'apps/exchange/src/main.ts', ['--mode', 'replay', '--port', '0', '--fix-port', '0', '--capture', CAPTURE, '--credentials-out', creds], {});
    procs.push(exchange);
    const restUrl = await waitFor('exchange REST address', () => /REST (\S+)/.exec(exchange.out.join(''))?.[1], 30_000, procs);
    const wsUrl = await waitFor('exchange WS address', () => /WS\s+(\S+)/.exec(exchange.out.join(''))?.[1], 30_000, procs);
    const healthOf = (p: Proc) => waitFor(`${p.name} health address`, () => /^health: (http:\/\/127\.0\.0\.1:\d+)$/m.exec(p.out.join(''))?.[1], 30_000, procs);

    // detection: ready = NATS + reference data
    const detection = start('detection', 'apps/detection/src/main.ts', [], { NATS_URL, KALSHI_REST_URL: restUrl, HEALTH_PORT: '0' });
    procs.push(detection);
    const dBase = await healthOf(detection);
    const live = await get(dBase, '/healthz');
    expect(live.status).toBe(200);
    expect(live.body.status).toBe('ok');
    expect(live.body.info.process.detail).toMatch(new RegExp(`^pid ${detection.child.pid}, up \\d+ s$`));
    const dReady = await waitFor('detection ready', async () => {
      const r = await get(dBase, '/readyz');
      return r.status === 200 ? r : undefined;
    }, 30_000, procs);
    expect(dReady.body.status).toBe('ok');
    expect(Object.keys(dReady.body.info).sort()).toEqual(['nats', 'reference-data']);
    expect(dReady.body.info.nats.detail).toMatch(/^connected to .*, rtt \d+\.\d ms$/);
    expect(dReady.body.info['reference-data'].detail).toMatch(/^[1-9]\d* event\(s\)$/);
    expect(dReady.body.error).toEqual({});
    // the health server (a Nest app with logger: false) left the app's own Nest logs on
    expect(detection.out.join('')).toMatch(/reference data: \d+ event\(s\)/);

    // ingestion: ready = NATS + the feed connected with a frame within HEALTH_FEED_MAX_AGE_MS (the replay starts when it
    // subscribes, runs ~1 s, then the socket stays quiet)
    const ingestion = start('ingestion', 'apps/ingestion/src/main.ts', [], { NATS_URL, KALSHI_REST_URL: restUrl, KALSHI_WS_URL: wsUrl, KALSHI_CREDENTIALS_FILE: creds, HEALTH_PORT: '0', HEALTH_FEED_MAX_AGE_MS: '3000' });
    procs.push(ingestion);
    const iBase = await healthOf(ingestion);
    expect(iBase).not.toBe(dBase);
    expect((await get(iBase, '/healthz')).status).toBe(200);
    const fresh = await waitFor('ingestion ready (feed fresh)', async () => {
      const r = await get(iBase, '/readyz');
      return r.status === 200 ? r : undefined;
    }, 30_000, procs, 50);
    expect(Object.keys(fresh.body.info).sort()).toEqual(['feed', 'nats']);
    expect(fresh.body.info.feed.detail).toMatch(/^WebSocket connected, \d+ frame\(s\), last \d+ ms ago \(max 3000 ms\)$/);
    await waitFor('the replay to finish', async () => {
      const r = (await (await fetch(`${restUrl}/mock/replay`)).json()) as { state: string };
      return r.state === 'done' ? r : undefined;
    }, 60_000, procs);
    const stale = await waitFor('ingestion not ready (feed stale)', async () => {
      const r = await get(iBase, '/readyz');
      return r.status === 503 ? r : undefined;
    }, 20_000, procs);
    expect(stale.body.status).toBe('error');
    expect(Object.keys(stale.body.error)).toEqual(['feed']);
    expect(stale.body.error.feed).toEqual({ status: 'down', detail: expect.stringMatching(/ms ago \(max 3000 ms\)$|not connected/) });
    expect(stale.body.info.nats.status).toBe('up');
    // liveness stays up: a quiet feed is not a reason to restart
    expect((await get(iBase, '/healthz')).status).toBe(200);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});

describe("the execution app's /readyz", () => {
  let ex: RunningExchange | null = null;
  let dir: string;
  const schema = `health_${process.pid}_${Date.now() % 100000}`;

  afterAll(async () => {
    await ex?.close();
    const pg = new Client({ connectionString: PG_URL });
    await pg.connect();
    await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pg.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('503 until the start reconciliation, 200 with NATS, PostgreSQL and the WebSocket, 503 naming kalshi-ws when the exchange is gone', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kp-health-exec-'));
    const credsFile = join(dir, 'demo.json');
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, rateLimits: false, credentialsOut: credsFile });
    const creds = JSON.parse(readFileSync(credsFile, 'utf8')) as { key_id: string; private_key_pem: string };
    const relational = await openRelationalStore({ databaseUrl: PG_URL, schema });
    await relational.migrateUp();
    const cfg: ExecutionConfig = {
      mode: 'paper',
      restUrl: ex.restUrl,
      wsUrl: ex.wsUrl,
      credentials: { keyId: creds.key_id, privateKeyPem: creds.private_key_pem },
      route: 'rest',
      kinds: ['sportsbook_edge'],
      timeInForce: 'gtc',
      limits: {},
      breaker: DEFAULT_BREAKER,
      reconcileIntervalMs: 60_000,
      reconcileGraceMs: 1_000,
    };
    const deps = await openExecutionDeps(cfg, { relational });
    // as apps/execution does (its HTTP endpoints on fastify), with the bus on real NATS
    const app = await NestFactory.create<NestFastifyApplication>(ExecutionModule.forRoot(cfg, busTransportFromConfig(NATS_URL, undefined, 'health-spec'), deps), new FastifyAdapter(), { logger: false });
    try {
      await app.listen(0, '127.0.0.1');
      const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
      expect((await get(base, '/healthz')).status).toBe(200);

      const before = await get(base, '/readyz');
      expect(before.status).toBe(503);
      expect(before.body.error.execution).toEqual({ status: 'down', detail: 'not started' });
      expect(before.body.error['kalshi-ws']).toEqual({ status: 'down', detail: `not connected to ${ex.wsUrl}` });
      expect(Object.keys(before.body.info).sort()).toEqual(['nats', 'postgres']);

      await app.get(ExecutionService).start();
      const ready = await get(base, '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ok');
      expect(Object.keys(ready.body.info).sort()).toEqual(['execution', 'kalshi-ws', 'nats', 'postgres']);
      expect(ready.body.info.execution.detail).toBe('started, 1 reconciliation(s)');
      expect(ready.body.info.postgres.detail).toMatch(/^answered in /);
      expect(ready.body.info.nats.detail).toMatch(/^connected to /);

      await ex.close();
      ex = null;
      const gone = await waitFor('kalshi-ws down', async () => {
        const r = await get(base, '/readyz');
        return r.status === 503 ? r : undefined;
      });
      expect(Object.keys(gone.body.error)).toEqual(['kalshi-ws']);
      expect(Object.keys(gone.body.info).sort()).toEqual(['execution', 'nats', 'postgres']);
    } finally {
      await app.close();
      await relational.close();
    }
  }, 60_000);
});
