/**
 * Standalone ingestion service: `npm run ingestion` with the environment described in libs/feature-ingestion/src/ingestion.config.ts
 * (KALSHI_REST_URL, KALSHI_WS_URL, credentials, NATS_URL).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { busTransportFromConfig, createBusServer } from '@kalshi-platform/bus';
import { ConfigError, FeedService, IngestionModule, ingestionConfigFromEnv } from '@kalshi-platform/feature-ingestion';

async function main(): Promise<void> {
  const cfg = ingestionConfigFromEnv();
  if (!process.env.NATS_URL) throw new ConfigError('NATS_URL is required (e.g. nats://127.0.0.1:4222)');
  const transport = busTransportFromConfig(process.env.NATS_URL, undefined, 'ingestion');
  const app = await NestFactory.createMicroservice(IngestionModule.forRoot(cfg, transport), { strategy: createBusServer(transport) });
  app.enableShutdownHooks();
  await app.listen();
  await app.get(FeedService).start();
}

main().catch((e: Error) => {
  console.error(`ingestion: ${e instanceof ConfigError ? e.message : e.stack ?? e.message}`);
  process.exit(1);
});
