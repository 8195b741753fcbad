import { DynamicModule, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestMicroserviceOptions } from '@nestjs/common/interfaces/microservices/nest-microservice-options.interface';
import { BusModule, BusTransport, createBusServer, subjects } from '@kalshi-platform/bus';
import { HOT_CACHE, TICK_STORE, CloseOnShutdown, type HotCache, type TickStore } from '@kalshi-platform/storage';
import { BookRegistry } from './book-registry.service';
import type { TickerPlantConfig } from './ticker-plant.config';
import { TICKER_PLANT_CONFIG } from './tokens';

/** Optional storage of a shard. */
export interface TickerPlantDeps {
  tickStore?: TickStore;
  /** standalone shard: drain and close the tick store and the hot cache when the app shuts down */
  closeOnShutdown?: boolean;
  hotCache?: HotCache;
}

/** The ticker plant's NestJS module (one shard). */
@Module({})
export class TickerPlantModule {
  /** `deps`: the tick store for `kalshi_bbo` rows and the hot cache for the latest BBO; absent = not stored. */
  static forRoot(cfg: TickerPlantConfig, transport: BusTransport, deps: TickerPlantDeps = {}): DynamicModule {
    return {
      module: TickerPlantModule,
      imports: [BusModule.forRoot(transport)],
      providers: [
        { provide: TICKER_PLANT_CONFIG, useValue: cfg },
        { provide: TICK_STORE, useValue: deps.tickStore ?? null },
        { provide: CloseOnShutdown, useValue: new CloseOnShutdown(deps.closeOnShutdown ? [deps.tickStore, deps.hotCache] : []) },
        { provide: HOT_CACHE, useValue: deps.hotCache ?? null },
        BookRegistry,
      ],
      exports: [BookRegistry],
    };
  }
}

/**
 * Creates and starts one ticker-plant shard as a NestJS microservice on the given transport.
 * Its subscriptions depend on configuration (the partitions it owns, its shard index), so they are
 * registered on the transport server at start-up rather than by static decorators:
 * `md.v1.p<k>.>` for every owned partition k (one subscription each, so a ticker's messages stay in
 * order), and the request subjects `ctl.v1.ticker-plant.<i>.status|books`.
 */
export async function startTickerPlant(
  cfg: TickerPlantConfig,
  transport: BusTransport,
  options: Partial<NestMicroserviceOptions> = {},
  deps: TickerPlantDeps = {},
): Promise<INestMicroservice> {
  const server = createBusServer(transport.kind === 'nats' ? { ...transport, name: transport.name ?? `ticker-plant-${cfg.shardIndex}` } : transport);
  const app = await NestFactory.createMicroservice(TickerPlantModule.forRoot(cfg, transport, deps), { ...options, strategy: server });
  const registry = app.get(BookRegistry);
  for (const p of cfg.partitions) {
    server.addHandler(subjects.mdPartition(p), async (data: unknown, ctx: { getSubject(): string }) => registry.onMarketData(ctx.getSubject(), data), true);
  }
  server.addHandler(subjects.tickerPlantStatus(cfg.shardIndex), async () => registry.status(), false);
  server.addHandler(subjects.tickerPlantBooks(cfg.shardIndex), async () => registry.snapshot(), false);
  await app.listen();
  return app;
}
