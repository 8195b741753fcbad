/**
 * Standalone ticker-plant shard: `npm run ticker-plant` with SHARD_INDEX (or a StatefulSet HOSTNAME),
 * SHARD_COUNT, PARTITION_COUNT and NATS_URL (see libs/feature-ticker-plant/src/ticker-plant.config.ts). With `TICK_STORE=questdb`
 * (and `QUESTDB_ADDR`) every BBO change is stored in `kalshi_bbo`; with `REDIS_URL` each market's latest BBO is kept in Redis.
 *
 * With `TICKERPLANT_NAME` the shard's partitions come from the operator's assignment in the JetStream KV bucket
 * `ASSIGNMENT_BUCKET` (default `TICKERPLANT_ASSIGNMENTS`), market data from the JetStream stream `MD_STREAM` (default
 * `MD`, made sure to exist at start), and partitions move between shards with the hand-off of
 * libs/feature-ticker-plant/src/handoff.service.ts (SHARD_COUNT is then unused). SIGTERM releases its partitions.
 *
 * With `HEALTH_PORT` (0 = any free port) it serves `GET /healthz` and `GET /readyz` (libs/feature-health) from the start
 * and prints `health: http://127.0.0.1:<port>`; ready = `nats` (connected) and `partitions` (the assignment read and
 * every partition it owns rebuilt; always up with the static assignment once started). Unset: no HTTP server.
 *
 * Tracing and logs (libs/telemetry): OpenTelemetry tracing, export off unless `OTEL_TRACES_EXPORTER` /
 * `OTEL_EXPORTER_OTLP_ENDPOINT` say otherwise; pino JSON logs on stdout (`LOG_FORMAT`, `LOG_LEVEL`).
 */
import 'reflect-metadata';
import type { INestMicroservice } from '@nestjs/common';
import { busTransportFromConfig } from '@kalshi-platform/bus';
import { HealthConfigError, healthPortFromEnv, natsCheck, startHealthServer, type HealthCheck } from '@kalshi-platform/feature-health';
import { ShardHandoff, TickerPlantConfigError, startTickerPlant, tickerPlantConfigFromEnv } from '@kalshi-platform/feature-ticker-plant';
import { createHotCache, openTickStore, tickStoreConfig, TickStoreConfigError } from '@kalshi-platform/storage';
import { createAppLogger, LoggingConfigError, startTracing, TracingConfigError } from '@kalshi-platform/telemetry';

async function main(): Promise<void> {
  startTracing({ serviceName: 'ticker-plant' });
  const { nest: logger } = createAppLogger({ service: 'ticker-plant' });
  const cfg = tickerPlantConfigFromEnv();
  if (!process.env.NATS_URL) throw new TickerPlantConfigError('NATS_URL is required (e.g. nats://127.0.0.1:4222)');
  const healthPort = healthPortFromEnv();
  let app: INestMicroservice | null = null;
  if (healthPort !== undefined) {
    const partitions: HealthCheck = {
      name: 'partitions',
      check: async () => (app === null ? { ok: false, detail: 'starting' } : app.get(ShardHandoff).readiness()),
    };
    const health = await startHealthServer({ port: healthPort, ready: [natsCheck(process.env.NATS_URL), partitions] });
    console.log(`health: http://127.0.0.1:${health.port}`);
  }
  const tickStore = await openTickStore(tickStoreConfig({}, process.env, 'off'));
  const hotCache = process.env.REDIS_URL ? createHotCache({ redisUrl: process.env.REDIS_URL }) : undefined;
  app = await startTickerPlant(cfg, busTransportFromConfig(process.env.NATS_URL), { logger }, { tickStore: tickStore ?? undefined, hotCache, closeOnShutdown: true });
  app.enableShutdownHooks();
  if (cfg.handoff) {
    console.log(`ticker-plant shard ${cfg.shardIndex} of plant ${cfg.handoff.name}: partitions from ${cfg.handoff.assignmentBucket}/${cfg.handoff.name}, market data from stream ${cfg.handoff.mdStream}`);
  } else {
    console.log(`ticker-plant shard ${cfg.shardIndex}/${cfg.shardCount} owns ${cfg.partitions.length} of ${cfg.partitionCount} partitions`);
  }
}

main().catch((e: Error) => {
  console.error(`ticker-plant: ${e instanceof TickerPlantConfigError || e instanceof TickStoreConfigError || e instanceof HealthConfigError || e instanceof TracingConfigError || e instanceof LoggingConfigError ? e.message : e.stack ?? e.message}`);
  process.exit(1);
});
