/**
 * Prometheus metrics end to end (issue #7 item 2), every `/metrics` body parsed with the strict text-format 0.0.4
 * parser of libs/telemetry (test support: no parser package is installed):
 *
 * 1. The real pipeline in this process (`startPipeline`: mock exchange replaying the demo capture with dropped frames
 *    -> loopback WebSocket -> ingestion -> 2 ticker-plant shards -> detection, embedded DuckDB tick store), scraped
 *    over HTTP from a health server in the same process: the counters move by exactly what the services' own status
 *    replies say, the gauges describe the running pipeline, the histograms counted every message; after the pipeline
 *    closes, the counters stay and the gauges are gone.
 * 2. The apps as processes over real NATS (`node tools/run.cjs apps/<app>/src/main.ts` with `HEALTH_PORT=0`): the
 *    ingestion, ticker-plant and detection health servers serve `/metrics` whose counters move with the replay. The
 *    NATS server is a private `nats-server` (JetStream on, a free loopback port) when the binary is on the PATH (env
 *    `NATS_SERVER_BIN` names another), else `NATS_URL`: the apps' subjects are fixed, so on a shared server a test
 *    file running at the same time (Jest workers) would exchange market data and status replies with them.
 * 3. The execution app's HTTP `/metrics` (on fastify, as apps/execution serves it) against the live mock and
 *    PostgreSQL: orders, the kill switch, risk rejections, the breaker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect as tcpConnect, createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { busTransportFromConfig, InProcessBroker, type SignalV1 } from '@kalshi-platform/bus';
import { startExchange, type RunningExchange } from '@kalshi-platform/feature-exchange';
import { DEFAULT_BREAKER, ExecutionModule, ExecutionService, openExecutionDeps, type ExecutionConfig } from '@kalshi-platform/feature-execution';
import { startHealthServer, type RunningHealthServer } from '@kalshi-platform/feature-health';
import { FeedService } from '@kalshi-platform/feature-ingestion';
import { generateKalshiKeyPair } from '@kalshi-platform/kalshi';
import { openRelationalStore, openTickStore, type TickStore } from '@kalshi-platform/storage';
import { parsePrometheusText, sampleSum, sampleValue, type MetricFamily } from '@kalshi-platform/telemetry/metrics-testing';
import { startPipeline } from '../src/platform';
import { waitForQuiescence } from '../src/report';
import { CAPTURE } from './oracle';

const ROOT = resolve(__dirname, '../../..');
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const EVENTS = resolve(__dirname, 'fixtures/events-demo-capture-handmade.json');
const ODDS = join(ROOT, 'data/samples/theoddsapi-sportsbook-arb-2024-03-26/odds_h2h_us_2024-03-27T0134Z.json');
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** a game market of the odds capture, listed by the live mock (`gamesFromOdds`) and quoted by its house */
const GAME_MARKET = 'KXNHLGAME-24MAR26PHINYR-NYR';
const GAME_EVENT = 'KXNHLGAME-24MAR26PHINYR';

type Families = Map<string, MetricFamily>;

/** GET <base>/metrics: 200, the text-format content type, a body that parses strictly. */
async function scrape(base: string): Promise<Families> {
  const res = await fetch(`${base}/metrics`);
  const text = await res.text();
  expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status: 200, type: CONTENT_TYPE });
  return parsePrometheusText(text);
}

const v = (f: Families, name: string, labels: Record<string, string> = {}) => sampleValue(f, name, labels) ?? 0;

async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, procs: Proc[] = []): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const r = await fn();
      if (r) return r;
    } catch (e) {
      last = e;
    }
    const dead = procs.find((p) => p.child.exitCode !== null);
    if (dead) throw new Error(`${dead.name} exited (${dead.child.exitCode}) while waiting for ${what}:\n${dead.out.join('')}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what} (${String(last)})\n${procs.map((p) => `--- ${p.name}\n${p.out.join('')}`).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Proc {
  name: string;
  child: ChildProcess;
  out: string[];
}

/** A free loopback port (bound, then released). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * A private nats-server with JetStream on a free loopback port, or null when the binary cannot be started. Resolves once
 * it accepts connections.
 */
async function privateNats(storeDir: string): Promise<{ url: string; proc: Proc } | null> {
  const port = await freePort();
  const child = spawn(process.env.NATS_SERVER_BIN ?? 'nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const proc: Proc = { name: 'nats-server', child, out: [] };
  child.stdout?.on('data', (x) => proc.out.push(String(x)));
  child.stderr?.on('data', (x) => proc.out.push(String(x)));
  const failed = await new Promise<boolean>((resolveStarted) => {
    child.once('error', () => resolveStarted(true));
    const t0 = Date.now();
    const probe = () => {
      if (child.exitCode !== null) return resolveStarted(true);
      const sock = tcpConnect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolveStarted(false);
      });
      sock.once('error', () => (Date.now() - t0 > 10_000 ? resolveStarted(true) : setTimeout(probe, 50)));
    };
    probe();
  });
  if (failed) {
    child.kill('SIGKILL');
    return null;
  }
  return { url: `nats://127.0.0.1:${port}`, proc };
}

describe('metrics of the pipeline in one process', () => {
  let dir: string;
  let exchange: RunningExchange | null = null;
  let health: RunningHealthServer | null = null;
  let ticks: TickStore | null = null;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kp-metrics-'));
  });
  afterAll(async () => {
    await health?.close();
    await ticks?.close().catch(() => undefined);
    await exchange?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counters move with the replay by what the services count, gauges describe the pipeline, histograms saw every message', async () => {
    health = await startHealthServer({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${health.port}`;
    const before = await scrape(base);
    expect(before.get('process_cpu_user_seconds_total')?.type).toBe('counter');

    const keys = generateKalshiKeyPair();
    exchange = await startExchange({
      host: '127.0.0.1',
      port: 0,
      mode: 'replay',
      capturePath: CAPTURE,
      eventsPath: EVENTS,
      speed: 'max',
      dropFrames: 25,
      seed: 7,
      dialect: 'fixed_point',
      publicKeys: [{ keyId: 'metrics-spec', publicKeyPem: keys.publicKeyPem }],
      logger: false,
    });
    const store = await openTickStore({ backend: 'embedded', path: join(dir, 'ticks.duckdb'), questdbAddr: 'localhost:9000' });
    if (store === null) throw new Error('no tick store');
    ticks = store;
    const t0 = Date.now();
    const p = await startPipeline({ restUrl: exchange.restUrl, wsUrl: exchange.wsUrl, credentials: { keyId: 'metrics-spec', privateKeyPem: keys.privateKeyPem }, shards: 2, tickStore: store, logLevels: [] });
    try {
      await p.ingestion.get(FeedService).start();
      await exchange.replay!.whenDone();
      const st = await waitForQuiescence(p.bus, 2);
      await store.flush();
      const f = await scrape(base);
      const d = (name: string, labels: Record<string, string> = {}) => v(f, name, labels) - v(before, name, labels);

      // ingestion: exactly its status counters
      const ing = st.ingestion;
      expect(ing.deltas).toBe(2885 - 25);
      expect(d('kalshi_ingest_frames_total', { type: 'snapshot' })).toBe(ing.snapshots);
      expect(d('kalshi_ingest_frames_total', { type: 'delta' })).toBe(ing.deltas);
      expect(d('kalshi_ingest_frames_total', { type: 'other' })).toBe(ing.framesReceived - ing.snapshots - ing.deltas);
      expect(d('kalshi_ingest_malformed_total')).toBe(0);
      expect(d('kalshi_ingest_seq_gaps_total')).toBe(ing.gapsDetected);
      expect(ing.gapsDetected).toBeGreaterThan(0);
      expect(d('kalshi_ingest_resyncs_total')).toBe(ing.resyncs);
      expect(ing.resyncs).toBeGreaterThan(0);
      expect(d('kalshi_ingest_reconnects_total')).toBe(0);
      expect(v(f, 'kalshi_ingest_ws_connected')).toBe(1);
      const lastFrameS = v(f, 'kalshi_ingest_last_frame_timestamp_seconds');
      expect(lastFrameS * 1000).toBeGreaterThanOrEqual(t0);
      expect(lastFrameS * 1000).toBeLessThanOrEqual(Date.now());
      expect(f.get('kalshi_ingest_last_frame_timestamp_seconds')?.type).toBe('gauge');

      // bus traffic of each app
      const shardSum = (k: 'consumed' | 'published' | 'bboPublished' | 'books') => st.shards.reduce((a, s) => a + s[k], 0);
      expect(d('kalshi_bus_published_total', { app: 'ingestion' })).toBe(ing.published);
      expect(d('kalshi_bus_consumed_total', { app: 'ticker-plant' })).toBe(shardSum('consumed'));
      expect(shardSum('consumed')).toBe(ing.published);
      expect(d('kalshi_bus_published_total', { app: 'ticker-plant' })).toBe(shardSum('published'));
      expect(d('kalshi_bus_consumed_total', { app: 'detection' })).toBe(st.detection.consumed);
      expect(st.detection.consumed).toBe(shardSum('bboPublished'));
      expect(d('kalshi_bus_published_total', { app: 'detection' })).toBeGreaterThanOrEqual(1);

      // ticker plant: BBO updates, books and partitions per shard
      expect(d('kalshi_tickerplant_bbo_updates_total')).toBe(shardSum('bboPublished'));
      expect(shardSum('bboPublished')).toBeGreaterThan(100);
      expect(v(f, 'kalshi_tickerplant_books', { shard: '0' }) + v(f, 'kalshi_tickerplant_books', { shard: '1' })).toBe(5);
      expect(sampleSum(f, 'kalshi_tickerplant_books')).toBe(shardSum('books'));
      expect(v(f, 'kalshi_tickerplant_partitions', { shard: '0' })).toBe(st.shards[0].partitions.length);
      expect(v(f, 'kalshi_tickerplant_partitions', { shard: '1' })).toBe(st.shards[1].partitions.length);
      expect(sampleSum(f, 'kalshi_tickerplant_partitions')).toBe(64);
      expect(sampleSum(f, 'kalshi_tickerplant_invalid_books')).toBe(0);

      // detection: the basket of the events file is an episode and, net of fees, a trading signal
      expect(sampleSum(f, 'kalshi_detection_episodes_total') - sampleSum(before, 'kalshi_detection_episodes_total')).toBe(st.detection.episodes);
      expect(d('kalshi_detection_episodes_total', { kind: 'basket_yes' })).toBeGreaterThanOrEqual(1);
      expect(d('kalshi_detection_signals_total', { kind: 'basket_yes' })).toBeGreaterThanOrEqual(1);
      expect(v(f, 'kalshi_detection_open_episodes')).toBe(st.detection.openEpisodes);
      expect(st.detection.openEpisodes).toBeGreaterThanOrEqual(1);

      // histograms: one latency observation per message handled, consume lag from the messages' exchange times
      const count = (name: string, labels: Record<string, string>) => d(`${name}_count`, labels);
      expect(count('kalshi_stage_latency_seconds', { stage: 'ticker_plant' })).toBe(shardSum('consumed'));
      expect(count('kalshi_stage_latency_seconds', { stage: 'detection' })).toBe(st.detection.consumed);
      const ingested = count('kalshi_stage_latency_seconds', { stage: 'ingest' });
      // every snapshot and delta handed to the bus (not the stale marks, not the deltas of books awaiting a resync)
      expect(ingested).toBeGreaterThan(0);
      expect(ingested).toBeLessThanOrEqual(ing.published);
      expect(ingested).toBeLessThanOrEqual(ing.snapshots + ing.deltas);
      expect(d('kalshi_stage_latency_seconds_sum', { stage: 'ticker_plant' })).toBeGreaterThan(0);
      // every message with an exchange time (the snapshots before the first timed frame have none)
      expect(count('kalshi_bus_consume_lag_seconds', { app: 'ticker-plant' })).toBeGreaterThan(shardSum('consumed') / 2);
      expect(count('kalshi_bus_consume_lag_seconds', { app: 'ticker-plant' })).toBeLessThanOrEqual(shardSum('consumed'));
      expect(count('kalshi_bus_consume_lag_seconds', { app: 'detection' })).toBeGreaterThan(st.detection.consumed / 2);
      expect(count('kalshi_bus_consume_lag_seconds', { app: 'detection' })).toBeLessThanOrEqual(st.detection.consumed);

      // the tick store, flushed: everything written, nothing buffered, no lag
      expect(d('kalshi_tickstore_rows_written_total')).toBe(store.stats.rowsWritten);
      expect(store.stats.rowsWritten).toBeGreaterThan(2885);
      expect(sampleSum(f, 'kalshi_tickstore_rows_dropped_total') - sampleSum(before, 'kalshi_tickstore_rows_dropped_total')).toBe(0);
      expect(v(f, 'kalshi_tickstore_buffered_rows')).toBe(0);
      expect(v(f, 'kalshi_tickstore_write_lag_seconds')).toBe(0);
      // the write lag's source: when the oldest buffered row was accepted (libs/storage BufferedTickWriter)
      const oldest = () => (store as unknown as { oldestBufferedAtMs: number | null }).oldestBufferedAtMs;
      expect(oldest()).toBeNull();
      const tw = Date.now();
      expect(store.write({ table: 'kalshi_bbo', marketTicker: 'METRICS-SPEC', yesBidTicks: null, yesBidSizeCentis: null, yesAskTicks: null, yesAskSizeCentis: null, ts: tw })).toBe(true);
      expect(oldest()).toBeGreaterThanOrEqual(tw);
      expect(oldest()).toBeLessThanOrEqual(Date.now());
      await store.flush();
      expect(oldest()).toBeNull();
    } finally {
      await p.close();
    }

    // closed: the counters keep their values, the gauges of the closed services are gone
    const after = await scrape(base);
    expect(v(after, 'kalshi_ingest_frames_total', { type: 'delta' }) - v(before, 'kalshi_ingest_frames_total', { type: 'delta' })).toBe(2885 - 25);
    expect(sampleValue(after, 'kalshi_ingest_ws_connected')).toBeUndefined();
    expect(sampleValue(after, 'kalshi_tickerplant_books', { shard: '0' })).toBeUndefined();
    expect(sampleValue(after, 'kalshi_detection_open_episodes')).toBeUndefined();
    expect(after.get('kalshi_tickerplant_books')?.type).toBe('gauge');
  }, 60_000);
});

describe('metrics of the apps as processes over NATS (HEALTH_PORT=0)', () => {
  const procs: Proc[] = [];
  let dir: string;
  let exchange: RunningExchange | null = null;
  const exited = (p: Proc): Promise<unknown> | undefined => (p.child.exitCode !== null || p.child.signalCode !== null ? undefined : new Promise((r) => p.child.once('exit', r)));
  afterAll(async () => {
    // the apps first, the NATS server (pushed first) last
    const apps = procs.filter((p) => p.name !== 'nats-server');
    for (const p of apps) p.child.kill('SIGTERM');
    await Promise.all(apps.map(exited));
    for (const p of procs.filter((x) => x.name === 'nats-server')) {
      p.child.kill('SIGTERM');
      await exited(p);
    }
    await exchange?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let natsUrl = NATS_URL;
  function start(name: string, env: Record<string, string>): Proc {
    const child = spawn(process.execPath, [join(ROOT, 'tools/run.cjs'), `apps/${name}/src/main.ts`], {
      cwd: ROOT,
      env: { ...process.env, NATS_URL: natsUrl, HEALTH_PORT: '0', TICK_STORE: '', TICKERPLANT_NAME: '', REDIS_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const p: Proc = { name, child, out: [] };
    child.stdout?.on('data', (x) => p.out.push(String(x)));
    child.stderr?.on('data', (x) => p.out.push(String(x)));
    procs.push(p);
    return p;
  }
  const healthOf = (p: Proc) => until(`${p.name} health address`, () => /^health: (http:\/\/127\.0\.0\.1:\d+)$/m.exec(p.out.join(''))?.[1], 60_000, procs);
  const ready = (p: Proc, base: string) => until(`${p.name} ready`, async () => (await fetch(`${base}/readyz`)).status === 200, 60_000, procs);

  it('ingestion, ticker plant and detection serve /metrics whose counters move with the replay', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kp-metrics-procs-'));
    const nats = await privateNats(join(dir, 'jetstream'));
    if (nats) {
      procs.push(nats.proc);
      natsUrl = nats.url;
    }
    const creds = join(dir, 'credentials.json');
    exchange = await startExchange({ host: '127.0.0.1', port: 0, mode: 'replay', capturePath: CAPTURE, speed: 'max', dialect: 'fixed_point', credentialsOut: creds, logger: false });
    const tp = start('ticker-plant', { SHARD_INDEX: '0', SHARD_COUNT: '1' });
    const det = start('detection', { KALSHI_REST_URL: exchange.restUrl });
    const [tpBase, detBase] = await Promise.all([healthOf(tp), healthOf(det)]);
    await Promise.all([ready(tp, tpBase), ready(det, detBase)]);
    const tpBefore = await scrape(tpBase);
    const detBefore = await scrape(detBase);
    // before any market data: the shard owns every partition, holds no book; nothing consumed yet by detection
    expect(v(tpBefore, 'kalshi_tickerplant_partitions', { shard: '0' })).toBe(64);
    expect(tpBefore.get('kalshi_stage_latency_seconds')?.type).toBe('histogram');
    expect(detBefore.get('kalshi_detection_open_episodes')?.type).toBe('gauge');
    expect(detBefore.has('kalshi_ingest_frames_total')).toBe(false); // another app's metrics are not rendered

    const ing = start('ingestion', { KALSHI_REST_URL: exchange.restUrl, KALSHI_WS_URL: exchange.wsUrl, KALSHI_CREDENTIALS_FILE: creds });
    const ingBase = await healthOf(ing);
    await exchange.replay!.whenDone();
    // the counters, as each app reports them, until the pipeline has drained
    const drained = await until(
      'ingestion -> ticker plant -> detection drained',
      async () => {
        const [i, t, dd] = await Promise.all([scrape(ingBase), scrape(tpBase), scrape(detBase)]);
        const delta = (f: Families, b: Families | null, name: string, labels: Record<string, string> = {}) => v(f, name, labels) - (b ? v(b, name, labels) : 0);
        const ok =
          v(i, 'kalshi_ingest_frames_total', { type: 'delta' }) === 2885 &&
          delta(t, tpBefore, 'kalshi_bus_consumed_total', { app: 'ticker-plant' }) >= v(i, 'kalshi_bus_published_total', { app: 'ingestion' }) &&
          delta(dd, detBefore, 'kalshi_bus_consumed_total', { app: 'detection' }) >= delta(t, tpBefore, 'kalshi_tickerplant_bbo_updates_total') &&
          delta(t, tpBefore, 'kalshi_tickerplant_bbo_updates_total') > 0;
        return ok ? { i, t, d: dd } : undefined;
      },
      60_000,
      procs,
    );
    const { i, t, d } = drained;
    // ingestion
    expect(v(i, 'kalshi_ingest_frames_total', { type: 'snapshot' })).toBe(5);
    expect(sampleSum(i, 'kalshi_ingest_frames_total')).toBe(5 + 2885 + 1); // + the subscribed reply
    expect(v(i, 'kalshi_ingest_seq_gaps_total')).toBe(0);
    expect(v(i, 'kalshi_ingest_ws_connected')).toBe(1);
    expect(v(i, 'kalshi_ingest_last_frame_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 120);
    expect(v(i, 'kalshi_bus_published_total', { app: 'ingestion' })).toBe(2890);
    expect(v(i, 'kalshi_stage_latency_seconds_count', { stage: 'ingest' })).toBe(2890);
    expect(i.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(i.has('kalshi_tickerplant_books')).toBe(false);
    if (nats) {
      // a private server: exactly this pipeline's traffic
      expect(v(t, 'kalshi_bus_consumed_total', { app: 'ticker-plant' })).toBe(2890);
      expect(v(d, 'kalshi_bus_consumed_total', { app: 'detection' })).toBe(v(t, 'kalshi_tickerplant_bbo_updates_total'));
    }
    // ticker plant (over a shared NATS other publishers may add to the counts: at least)
    expect(v(t, 'kalshi_tickerplant_books', { shard: '0' })).toBeGreaterThanOrEqual(5);
    expect(v(t, 'kalshi_stage_latency_seconds_count', { stage: 'ticker_plant' }) - v(tpBefore, 'kalshi_stage_latency_seconds_count', { stage: 'ticker_plant' })).toBeGreaterThanOrEqual(2890);
    expect(v(t, 'kalshi_bus_consume_lag_seconds_count', { app: 'ticker-plant' })).toBeGreaterThan(2000);
    expect(v(t, 'kalshi_bus_published_total', { app: 'ticker-plant' })).toBeGreaterThan(2890);
    // detection
    expect(v(d, 'kalshi_stage_latency_seconds_count', { stage: 'detection' }) - v(detBefore, 'kalshi_stage_latency_seconds_count', { stage: 'detection' })).toBeGreaterThan(100);
    expect(v(d, 'kalshi_bus_consume_lag_seconds_count', { app: 'detection' })).toBeGreaterThan(100);
    expect(sampleValue(d, 'kalshi_exchange_rate_limited_total', { app: 'detection' })).toBe(0);
  }, 180_000);
});

describe("the execution app's /metrics", () => {
  let ex: RunningExchange | null = null;
  let dir: string;
  const schema = `metrics_${process.pid}_${Date.now() % 100000}`;
  afterAll(async () => {
    await ex?.close();
    const pg = new Client({ connectionString: PG_URL });
    await pg.connect();
    await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pg.end();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the orders, the kill switch, the risk rejections and the breaker after a kill switch', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kp-metrics-exec-'));
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, rateLimits: false, credentialsOut: join(dir, 'demo.json'), gamesFromOdds: ODDS });
    const k = generateKalshiKeyPair();
    const keyId = ex.keys.add(k.publicKeyPem, undefined, 'metrics');
    expect((await ex.venue.createAccount('metrics', 100_000_000)).ok).toBe(true);
    const relational = await openRelationalStore({ databaseUrl: PG_URL, schema });
    await relational.migrateUp();
    const cfg: ExecutionConfig = {
      mode: 'paper',
      restUrl: ex.restUrl,
      wsUrl: ex.wsUrl,
      credentials: { keyId, privateKeyPem: k.privateKeyPem },
      route: 'rest',
      kinds: ['sportsbook_edge'],
      timeInForce: 'gtc',
      limits: {},
      breaker: DEFAULT_BREAKER,
      reconcileIntervalMs: 60_000,
      reconcileGraceMs: 1_000,
    };
    const deps = await openExecutionDeps(cfg, { relational });
    const app = await NestFactory.create<NestFastifyApplication>(ExecutionModule.forRoot(cfg, busTransportFromConfig(undefined, new InProcessBroker()), deps), new FastifyAdapter(), { logger: false });
    try {
      await app.listen(0, '127.0.0.1');
      const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
      const svc = app.get(ExecutionService);
      await svc.start();
      const before = await scrape(base);
      expect(v(before, 'kalshi_execution_kill_switch_engaged')).toBe(0);
      expect(v(before, 'kalshi_execution_breaker_state')).toBe(0);
      expect(sampleSum(before, 'kalshi_execution_orders')).toBe(0);

      let n = 0;
      const signal = (priceTicks: number): SignalV1 => {
        const now = Date.now();
        return {
          v: 1,
          id: `metrics:${process.pid}:${++n}`,
          kind: 'sportsbook_edge',
          legs: [{ marketTicker: GAME_MARKET, eventTicker: GAME_EVENT, side: 'yes', action: 'buy', priceTicks, sizeCentis: 100 }],
          fairTicks: 9000,
          grossEdgeTicks: 100,
          netEdgeTicks: 50,
          confidence: 0.9,
          reasons: ['metrics test'],
          createdTsMs: now,
          expiresTsMs: now + 60_000,
        };
      };
      // two bids below the house's ask: they rest
      svc.onSignal(signal(5000));
      svc.onSignal(signal(5100));
      await until('2 resting orders', async () => (await svc.idle(), svc.status().ordersByStatus.resting === 2));
      const resting = await scrape(base);
      expect(v(resting, 'kalshi_execution_orders', { state: 'resting' })).toBe(2);
      expect(v(resting, 'kalshi_execution_orders_sent_total')).toBe(2);

      // the kill switch over HTTP: cancels both, engages, trips the breaker; the next signal is refused by the gate
      const kill = await fetch(`${base}/kill-switch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ by: 'metrics-spec', reason: 'test' }) });
      expect(kill.status).toBe(200);
      expect(await kill.json()).toMatchObject({ engaged: true, canceled: 2, openAfter: 0 });
      svc.onSignal(signal(5200));
      await until('the refusal', async () => (await svc.idle(), svc.status().riskRejections.killSwitch === 1));
      const f = await scrape(base);
      expect(v(f, 'kalshi_execution_orders', { state: 'canceled' })).toBe(2);
      expect(v(f, 'kalshi_execution_orders', { state: 'resting' })).toBe(0);
      expect(v(f, 'kalshi_execution_orders_sent_total')).toBe(2);
      expect(v(f, 'kalshi_execution_risk_rejections_total', { rule: 'killSwitch' })).toBe(1);
      expect(v(f, 'kalshi_execution_kill_switch_engaged')).toBe(1);
      expect(v(f, 'kalshi_execution_breaker_state')).toBe(2); // tripped by the kill switch: open
      expect(v(f, 'kalshi_execution_position_mismatches')).toBe(0);
      expect(v(f, 'kalshi_execution_fills_total')).toBe(0);
      expect(v(f, 'kalshi_exchange_rate_limited_total', { app: 'execution' })).toBe(0);
      expect(v(f, 'kalshi_bus_consumed_total', { app: 'execution' })).toBe(3);
      expect(v(f, 'kalshi_bus_published_total', { app: 'execution' })).toBeGreaterThanOrEqual(6); // pending, resting, canceled x2
      expect(v(f, 'kalshi_stage_latency_seconds_count', { stage: 'execution' })).toBe(3);
      expect(v(f, 'kalshi_bus_consume_lag_seconds_count', { app: 'execution' })).toBe(3);
      expect(f.get('process_resident_memory_bytes')?.type).toBe('gauge');
    } finally {
      await app.close();
      await relational.close();
    }
  }, 60_000);
});
