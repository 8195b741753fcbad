/**
 * Standalone detection service: `npm run detection` with KALSHI_REST_URL and NATS_URL (see libs/feature-detection/src/detection.config.ts
 * for every variable, sportsbook edge included). At start it makes sure the JetStream stream `SIGNALS` exists on the
 * NATS server (`signal.v1.trade.>`, 7 days, file storage; an existing stream is left as it is and its differences
 * logged), so the trading signals published on the bus are persisted.
 * With `TICK_STORE=questdb` (and `QUESTDB_ADDR`) every episode change is stored in `arb_opportunities` and every
 * signal leg in `trade_signals`.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { busTransportFromConfig, createBusServer, ensureSignalStream } from '@kalshi-platform/bus';
import { DetectionConfigError, DetectionModule, DetectionService, detectionConfigFromEnv } from '@kalshi-platform/feature-detection';
import { openTickStore, tickStoreConfig, TickStoreConfigError } from '@kalshi-platform/storage';

async function main(): Promise<void> {
  const cfg = detectionConfigFromEnv();
  if (!process.env.NATS_URL) throw new DetectionConfigError('NATS_URL is required (e.g. nats://127.0.0.1:4222)');
  const transport = busTransportFromConfig(process.env.NATS_URL, undefined, 'detection');
  const stream = await ensureSignalStream(process.env.NATS_URL, { name: 'detection' });
  if (stream.created) console.log(`detection: created the JetStream stream ${stream.stream}`);
  else if (stream.mismatches.length > 0) console.warn(`detection: JetStream stream ${stream.stream} exists with other settings (left as is): ${stream.mismatches.join('; ')}`);
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
