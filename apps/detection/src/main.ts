/**
 * Standalone detection service: `npm run detection` with KALSHI_REST_URL and NATS_URL (see libs/feature-detection/src/detection.config.ts).
 * With `TICK_STORE=questdb` (and `QUESTDB_ADDR`) every episode change is stored in `arb_opportunities`.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { busTransportFromConfig, createBusServer } from '@kalshi-platform/bus';
import { DetectionConfigError, DetectionModule, DetectionService, detectionConfigFromEnv } from '@kalshi-platform/feature-detection';
import { openTickStore, tickStoreConfig, TickStoreConfigError } from '@kalshi-platform/storage';

async function main(): Promise<void> {
  const cfg = detectionConfigFromEnv();
  if (!process.env.NATS_URL) throw new DetectionConfigError('NATS_URL is required (e.g. nats://127.0.0.1:4222)');
  const transport = busTransportFromConfig(process.env.NATS_URL, undefined, 'detection');
  const tickStore = await openTickStore(tickStoreConfig({}, process.env, 'off'));
  const app = await NestFactory.createMicroservice(DetectionModule.forRoot(cfg, transport, { tickStore: tickStore ?? undefined, closeOnShutdown: true }), {
    strategy: createBusServer(transport),
  });
  app.enableShutdownHooks();
  await app.get(DetectionService).loadReferenceData();
  await app.listen();
}

main().catch((e: Error) => {
  console.error(`detection: ${e instanceof DetectionConfigError || e instanceof TickStoreConfigError ? e.message : e.stack ?? e.message}`);
  process.exit(1);
});
