/**
 * Standalone detection service: `npm run detection` with KALSHI_REST_URL and NATS_URL (see libs/feature-detection/src/detection.config.ts
 * for every variable, sportsbook edge included). At start it makes sure the JetStream stream `SIGNALS` exists on the
 * NATS server (`signal.v1.trade.>`, 7 days, file storage; an existing stream is left as it is and its differences
 * logged), so the trading signals published on the bus are persisted.
 * With `TICK_STORE=questdb` (and `QUESTDB_ADDR`) every episode change is stored in `arb_opportunities` and every
 * signal leg in `trade_signals`.
 *
 * With `HEALTH_PORT` (0 = any free port) it serves `GET /healthz` and `GET /readyz` (libs/feature-health) from the start
 * and prints `health: http://127.0.0.1:<port>`; ready = `nats` (connected) and `reference-data` (the events loaded from
 * KALSHI_REST_URL). Unset: no HTTP server.
 *
 * Tracing and logs (libs/telemetry): OpenTelemetry tracing, export off unless `OTEL_TRACES_EXPORTER` /
 * `OTEL_EXPORTER_OTLP_ENDPOINT` say otherwise; pino JSON logs on stdout (`LOG_FORMAT`, `LOG_LEVEL`).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { busTransportFromConfig, createBusServer, ensureSignalStream } from '@kalshi-platform/bus';
import { DetectionConfigError, DetectionModule, DetectionService, detectionConfigFromEnv } from '@kalshi-platform/feature-detection';
import { HealthConfigError, healthPortFromEnv, natsCheck, startHealthServer, type HealthCheck } from '@kalshi-platform/feature-health';
import { openTickStore, tickStoreConfig, TickStoreConfigError } from '@kalshi-platform/storage';
import { createAppLogger, LoggingConfigError, startTracing, TracingConfigError } from '@kalshi-platform/telemetry';

async function main(): Promise<void> {
  startTracing({ serviceName: 'detection' });
  const { nest: logger } = createAppLogger({ service: 'detection' });
  const cfg = detectionConfigFromEnv();
  if (!process.env.NATS_URL) throw new DetectionConfigError('NATS_URL is required (e.g. nats://127.0.0.1:4222)');
  const healthPort = healthPortFromEnv();
  let referenceEvents: number | null = null;
  if (healthPort !== undefined) {
    const referenceData: HealthCheck = {
      name: 'reference-data',
      check: async () => (referenceEvents === null ? { ok: false, detail: `not loaded yet (${cfg.restUrl})` } : { ok: true, detail: `${referenceEvents} event(s)` }),
    };
    const health = await startHealthServer({ port: healthPort, ready: [natsCheck(process.env.NATS_URL), referenceData] });
    console.log(`health: http://127.0.0.1:${health.port}`);
  }
  const transport = busTransportFromConfig(process.env.NATS_URL, undefined, 'detection');
  const stream = await ensureSignalStream(process.env.NATS_URL, { name: 'detection' });
  if (stream.created) console.log(`detection: created the JetStream stream ${stream.stream}`);
  else if (stream.mismatches.length > 0) console.warn(`detection: JetStream stream ${stream.stream} exists with other settings (left as is): ${stream.mismatches.join('; ')}`);
  const tickStore = await openTickStore(tickStoreConfig({}, process.env, 'off'));
  const app = await NestFactory.createMicroservice(DetectionModule.forRoot(cfg, transport, { tickStore: tickStore ?? undefined, closeOnShutdown: true }), {
    strategy: createBusServer(transport),
    logger,
  });
  app.enableShutdownHooks();
  const events = await app.get(DetectionService).loadReferenceData();
  await app.listen();
  referenceEvents = events; // ready once it also consumes the bus
}

main().catch((e: Error) => {
  console.error(`detection: ${e instanceof DetectionConfigError || e instanceof TickStoreConfigError || e instanceof HealthConfigError || e instanceof TracingConfigError || e instanceof LoggingConfigError ? e.message : e.stack ?? e.message}`);
  process.exit(1);
});
