/**
 * Standalone ticker-plant shard: `npm run ticker-plant` with SHARD_INDEX (or a StatefulSet HOSTNAME),
 * SHARD_COUNT, PARTITION_COUNT and NATS_URL (see libs/feature-ticker-plant/src/ticker-plant.config.ts). With `TICK_STORE=questdb`
 * (and `QUESTDB_ADDR`) every BBO change is stored in `kalshi_bbo`; with `REDIS_URL` each market's latest BBO is kept in Redis.
 */
import 'reflect-metadata';
import { busTransportFromConfig } from '@kalshi-platform/bus';
import { TickerPlantConfigError, startTickerPlant, tickerPlantConfigFromEnv } from '@kalshi-platform/feature-ticker-plant';
import { createHotCache, openTickStore, tickStoreConfig, TickStoreConfigError } from '@kalshi-platform/storage';

async function main(): Promise<void> {
  const cfg = tickerPlantConfigFromEnv();
  if (!process.env.NATS_URL) throw new TickerPlantConfigError('NATS_URL is required (e.g. nats://127.0.0.1:4222)');
  const tickStore = await openTickStore(tickStoreConfig({}, process.env, 'off'));
  const hotCache = process.env.REDIS_URL ? createHotCache({ redisUrl: process.env.REDIS_URL }) : undefined;
  const app = await startTickerPlant(cfg, busTransportFromConfig(process.env.NATS_URL), {}, { tickStore: tickStore ?? undefined, hotCache, closeOnShutdown: true });
  app.enableShutdownHooks();
  console.log(`ticker-plant shard ${cfg.shardIndex}/${cfg.shardCount} owns ${cfg.partitions.length} of ${cfg.partitionCount} partitions`);
}

main().catch((e: Error) => {
  console.error(`ticker-plant: ${e instanceof TickerPlantConfigError || e instanceof TickStoreConfigError ? e.message : e.stack ?? e.message}`);
  process.exit(1);
});
