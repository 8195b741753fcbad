/**
 * Standalone ingestion service: `npm run ingestion` with the environment described in libs/feature-ingestion/src/ingestion.config.ts
 * (KALSHI_REST_URL, KALSHI_WS_URL, credentials, NATS_URL). With `TICK_STORE=questdb` (and `QUESTDB_ADDR`) it stores the raw
 * feed in QuestDB; `TICK_STORE=embedded` writes a DuckDB file (`TICK_STORE_PATH`) only this process may open.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { busTransportFromConfig, createBusServer } from '@kalshi-platform/bus';
import { ConfigError, FeedService, IngestionModule, ingestionConfigFromEnv } from '@kalshi-platform/feature-ingestion';
import { openTickStore, tickStoreConfig, TickStoreConfigError } from '@kalshi-platform/storage';

async function main(): Promise<void> {
  const cfg = ingestionConfigFromEnv();
  if (!process.env.NATS_URL) throw new ConfigError('NATS_URL is required (e.g. nats://127.0.0.1:4222)');
  const transport = busTransportFromConfig(process.env.NATS_URL, undefined, 'ingestion');
  const tickStore = await openTickStore(tickStoreConfig({}, process.env, 'off'));
  const app = await NestFactory.createMicroservice(IngestionModule.forRoot(cfg, transport, { tickStore: tickStore ?? undefined, closeOnShutdown: true }), {
    strategy: createBusServer(transport),
  });
  app.enableShutdownHooks();
  await app.listen();
  await app.get(FeedService).start();
}

main().catch((e: Error) => {
  console.error(`ingestion: ${e instanceof ConfigError || e instanceof TickStoreConfigError ? e.message : e.stack ?? e.message}`);
  process.exit(1);
});
