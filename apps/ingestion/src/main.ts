/**
 * Standalone ingestion service: `npm run ingestion` with the environment described in libs/feature-ingestion/src/ingestion.config.ts
 * (KALSHI_REST_URL, KALSHI_WS_URL, credentials, NATS_URL). With `TICK_STORE=questdb` (and `QUESTDB_ADDR`) it stores the raw
 * feed in QuestDB; `TICK_STORE=embedded` writes a DuckDB file (`TICK_STORE_PATH`) only this process may open.
 *
 * With `HEALTH_PORT` (0 = any free port) it serves `GET /healthz` and `GET /readyz` (libs/feature-health) and prints
 * `health: http://127.0.0.1:<port>`; ready = `nats` (connected) and `feed` (the Kalshi WebSocket connected and a frame
 * received within `HEALTH_FEED_MAX_AGE_MS`, default 60000). Unset: no HTTP server.
 *
 * Tracing and logs (libs/telemetry): OpenTelemetry tracing, export off unless `OTEL_TRACES_EXPORTER` /
 * `OTEL_EXPORTER_OTLP_ENDPOINT` say otherwise; pino JSON logs on stdout (`LOG_FORMAT`, `LOG_LEVEL`).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { busTransportFromConfig, createBusServer } from '@kalshi-platform/bus';
import { freshnessCheck, HealthConfigError, healthPortFromEnv, msFromEnv, natsCheck, startHealthServer, type HealthCheck } from '@kalshi-platform/feature-health';
import { ConfigError, FeedService, IngestionModule, ingestionConfigFromEnv } from '@kalshi-platform/feature-ingestion';
import { openTickStore, tickStoreConfig, TickStoreConfigError } from '@kalshi-platform/storage';
import { createAppLogger, LoggingConfigError, startTracing, TracingConfigError } from '@kalshi-platform/telemetry';

/**
 * `feed`: the WebSocket is connected and a frame arrived within `maxAgeMs` (local arrival time: `framesReceived` of
 * FeedService.status() sampled every second and at each probe; the frames' own `ts_ms` is exchange time, a replay's
 * is in the past).
 */
function feedCheck(feed: FeedService, maxAgeMs: number): HealthCheck {
  let frames = 0;
  let lastFrameMs = 0;
  const sample = () => {
    const s = feed.status();
    if (s.framesReceived > frames) {
      frames = s.framesReceived;
      lastFrameMs = Date.now();
    }
    return s;
  };
  setInterval(sample, 1_000).unref();
  const fresh = freshnessCheck('feed', () => lastFrameMs, maxAgeMs);
  return {
    name: 'feed',
    async check() {
      const s = sample();
      if (!s.connected) return { ok: false, detail: `WebSocket not connected (${s.reconnects} reconnect(s))` };
      if (lastFrameMs === 0) return { ok: false, detail: 'WebSocket connected, no frame yet' };
      const r = await fresh.check();
      return { ok: r.ok, detail: `WebSocket connected, ${s.framesReceived} frame(s), ${r.detail}` };
    },
  };
}

async function main(): Promise<void> {
  startTracing({ serviceName: 'ingestion' });
  const { nest: logger } = createAppLogger({ service: 'ingestion' });
  const cfg = ingestionConfigFromEnv();
  if (!process.env.NATS_URL) throw new ConfigError('NATS_URL is required (e.g. nats://127.0.0.1:4222)');
  const healthPort = healthPortFromEnv();
  const feedMaxAgeMs = msFromEnv('HEALTH_FEED_MAX_AGE_MS', 60_000);
  const transport = busTransportFromConfig(process.env.NATS_URL, undefined, 'ingestion');
  const tickStore = await openTickStore(tickStoreConfig({}, process.env, 'off'));
  const app = await NestFactory.createMicroservice(IngestionModule.forRoot(cfg, transport, { tickStore: tickStore ?? undefined, closeOnShutdown: true }), {
    strategy: createBusServer(transport),
    logger,
  });
  app.enableShutdownHooks();
  const feed = app.get(FeedService);
  if (healthPort !== undefined) {
    const health = await startHealthServer({ port: healthPort, ready: [natsCheck(process.env.NATS_URL), feedCheck(feed, feedMaxAgeMs)] });
    console.log(`health: http://127.0.0.1:${health.port}`);
  }
  await app.listen();
  await feed.start();
}

main().catch((e: Error) => {
  console.error(`ingestion: ${e instanceof ConfigError || e instanceof TickStoreConfigError || e instanceof HealthConfigError || e instanceof TracingConfigError || e instanceof LoggingConfigError ? e.message : e.stack ?? e.message}`);
  process.exit(1);
});
