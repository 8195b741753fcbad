/**
 * One trace follows a Kalshi frame through the platform (issue #7), over real NATS on loopback (NATS_URL or
 * nats://127.0.0.1:4222), every app in this process with one tracing SDK exporting to memory:
 *
 * 1. replay of the demo capture: `kalshi.ws.frame` (ingestion) -> `md.v1.*.<kind>.* publish` -> `md.v1.p<k>.> process`
 *    (ticker plant) -> `book.v1.*.bbo.* publish` -> `book.v1.*.bbo.* process` (detection), each the parent of the next,
 *    one traceId, the consumer spans' parents remote (from the NATS headers);
 * 2. the live mock exchange with game markets for the real The Odds API capture (one market mis-priced) and the
 *    execution app: the trace goes on through `signal.v1.trade.sportsbook_edge publish` -> `signal.v1.trade.* process`
 *    (execution) -> `order.place` (the REST call), back to the frame.
 */
import { join, resolve } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client } from 'pg';
import { busRequest, subjects, type ExecutionPortfolioV1 } from '@kalshi-platform/bus';
import { startExchange, type RunningExchange } from '@kalshi-platform/feature-exchange';
import { DEFAULT_BREAKER, openExecutionDeps, type ExecutionConfig } from '@kalshi-platform/feature-execution';
import { FeedService } from '@kalshi-platform/feature-ingestion';
import { generateKalshiKeyPair } from '@kalshi-platform/kalshi';
import { openRelationalStore } from '@kalshi-platform/storage';
import { startTracing, type TracingHandle } from '@kalshi-platform/telemetry';
import { runPlatform, startPipeline } from '../src/platform';
import { CAPTURE, expectBooksMatchOracle } from './oracle';

const ROOT = resolve(__dirname, '../../..');
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const PG_URL = process.env.STORE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ODDS = join(ROOT, 'data/samples/theoddsapi-sportsbook-arb-2024-03-26/odds_h2h_us_2024-03-27T0134Z.json');
const MISPRICED = 'KXNHLGAME-24MAR26PHINYR-NYR';

jest.setTimeout(120_000);

const exporter = new InMemorySpanExporter();
let tracing: TracingHandle;

beforeAll(() => {
  tracing = startTracing({ serviceName: 'platform-tracing-spec', exporter });
});
afterAll(async () => {
  await tracing.shutdown();
});
beforeEach(() => exporter.reset());

const id = (s: ReadableSpan) => s.spanContext().spanId;

/** The chain of spans from `s` up to its trace's root (s first), through the exported spans. */
function ancestry(s: ReadableSpan, byId: Map<string, ReadableSpan>): ReadableSpan[] {
  const chain = [s];
  for (let p = s.parentSpanContext?.spanId; p !== undefined; ) {
    const parent = byId.get(p);
    if (!parent) break;
    chain.push(parent);
    p = parent.parentSpanContext?.spanId;
  }
  return chain;
}

function index(spans: ReadableSpan[]): Map<string, ReadableSpan> {
  return new Map(spans.map((s) => [id(s), s]));
}

describe('tracing across the apps over NATS', () => {
  it('a frame is one trace: ingestion -> ticker plant -> detection, parent by parent', async () => {
    const events = resolve(__dirname, 'fixtures/events-demo-capture-handmade.json');
    const r = await runPlatform({ capturePath: CAPTURE, eventsPath: events, speed: 'max', dropFrames: 0, seed: 1, shards: 2, natsUrl: NATS_URL, logLevels: [] });
    expectBooksMatchOracle(r); // tracing changes nothing to the result
    const spans = exporter.getFinishedSpans();
    const byId = index(spans);
    // every BBO detection consumed comes from a frame: find the full chains
    const chains = spans.filter((s) => s.name === 'book.v1.*.bbo.* process').map((s) => ancestry(s, byId));
    const full = chains.filter((c) => c.length === 5);
    expect(full.length).toBeGreaterThan(0);
    const [detect, bbo, plant, md, frame] = full[0];
    expect([frame.name, md.name, plant.name, bbo.name, detect.name]).toEqual([
      'kalshi.ws.frame',
      expect.stringMatching(/^md\.v1\.\*\.(delta|snapshot)\.\* publish$/),
      expect.stringMatching(/^md\.v1\.p\d+\.> process$/),
      'book.v1.*.bbo.* publish',
      'book.v1.*.bbo.* process',
    ]);
    expect([frame.kind, md.kind, plant.kind, bbo.kind, detect.kind]).toEqual([SpanKind.CONSUMER, SpanKind.PRODUCER, SpanKind.CONSUMER, SpanKind.PRODUCER, SpanKind.CONSUMER]);
    expect(new Set(full[0].map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(frame.parentSpanContext).toBeUndefined();
    // across NATS: the consumers' parents come from the message headers
    expect([plant.parentSpanContext?.isRemote, detect.parentSpanContext?.isRemote]).toEqual([true, true]);
    expect(frame.attributes['kalshi.market_ticker']).toBe(detect.attributes['messaging.destination.name']?.toString().split('.').pop()?.replace(/~/g, '.'));
    // most BBO changes trace back to their frame (the rest: BBOs of a stale mark or of a resync)
    expect(full.length / chains.length).toBeGreaterThan(0.9);
    // the basket opportunity and its signal are published inside the BBO that opened them
    const signal = spans.find((s) => s.name.startsWith('signal.v1.trade.') && s.name.endsWith(' publish'));
    expect(signal && ancestry(signal, byId).map((s) => s.name)[1]).toBe('book.v1.*.bbo.* process');
  });

  describe('with the execution app', () => {
    let ex: RunningExchange;
    let dir: string;
    const schema = `trace_${process.pid}_${Date.now() % 100000}`;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tracing-spec-'));
      ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, rateLimits: false, credentialsOut: join(dir, 'demo.json'), gamesFromOdds: ODDS, gamesOptions: { edgeFor: (t) => (t === MISPRICED ? 5 : undefined) } });
    });
    afterAll(async () => {
      await ex?.close();
      const pg = new Client({ connectionString: PG_URL });
      await pg.connect();
      await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pg.end();
      rmSync(dir, { recursive: true, force: true });
    });

    it('the trace reaches order.place: frame -> ... -> detection -> signal -> execution -> REST order', async () => {
      const k = generateKalshiKeyPair();
      const keyId = ex.keys.add(k.publicKeyPem, undefined, 'tracer');
      expect((await ex.venue.createAccount('tracer', 100_000_000)).ok).toBe(true);
      const credentials = { keyId, privateKeyPem: k.privateKeyPem };
      const relational = await openRelationalStore({ databaseUrl: PG_URL, schema });
      await relational.migrateUp();
      const cfg: ExecutionConfig = {
        mode: 'paper',
        restUrl: ex.restUrl,
        wsUrl: ex.wsUrl,
        credentials,
        route: 'rest',
        kinds: ['sportsbook_edge'],
        timeInForce: 'gtc',
        limits: { maxPositionCentisPerMarket: 100_000, maxOpenOrders: 10, maxSignalAgeMs: 10_000 },
        breaker: DEFAULT_BREAKER,
        reconcileIntervalMs: 60_000,
        reconcileGraceMs: 1_000,
      };
      const deps = await openExecutionDeps(cfg, { relational });
      const p = await startPipeline({
        restUrl: ex.restUrl,
        wsUrl: ex.wsUrl,
        credentials,
        shards: 1,
        natsUrl: NATS_URL,
        logLevels: [],
        detection: { sportsbook: { oddsFile: ODDS, minEdgeTicks: 100, maxOddsAgeMs: 3_600_000, ttlMs: 30_000, bankrollMicros: 1_000_000_000, kellyFraction: 0.5 } },
        execution: { config: cfg, deps },
      });
      try {
        await p.ingestion.get(FeedService).start();
        const t0 = Date.now();
        let place: ReadableSpan | undefined;
        while (!(place = exporter.getFinishedSpans().find((s) => s.name === 'order.place'))) {
          if (Date.now() - t0 > 30_000) throw new Error('no order.place span within 30 s');
          await new Promise((r) => setTimeout(r, 50));
        }
        const pf = await busRequest<ExecutionPortfolioV1>(p.bus, subjects.executionPortfolio);
        expect(pf.orders.map((o) => o.marketTicker)).toContain(MISPRICED);
        expect(place.kind).toBe(SpanKind.CLIENT);
        expect(place.attributes).toMatchObject({ 'order.route': 'rest', 'order.market_ticker': MISPRICED, 'order.result': 'accepted' });
        const chain = ancestry(place, index(exporter.getFinishedSpans()));
        expect(chain.map((s) => s.name)).toEqual([
          'order.place',
          'signal.v1.trade.* process',
          'signal.v1.trade.sportsbook_edge publish',
          'book.v1.*.bbo.* process',
          'book.v1.*.bbo.* publish',
          expect.stringMatching(/^md\.v1\.p\d+\.> process$/),
          expect.stringMatching(/^md\.v1\.\*\.(delta|snapshot)\.\* publish$/),
          'kalshi.ws.frame',
        ]);
        expect(new Set(chain.map((s) => s.spanContext().traceId)).size).toBe(1);
        expect(chain[7].attributes['kalshi.market_ticker']).toBe(MISPRICED);
      } finally {
        await p.close();
        await relational.close();
      }
    });
  });
});
