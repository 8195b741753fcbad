import { DynamicModule, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestMicroserviceOptions } from '@nestjs/common/interfaces/microservices/nest-microservice-options.interface';
import type { ClientProxy } from '@nestjs/microservices';
import { BUS_CLIENT, BusModule, BusTransport, createBusServer, subjects } from '@kalshi-platform/bus';
import { HOT_CACHE, TICK_STORE, CloseOnShutdown, type HotCache, type TickStore } from '@kalshi-platform/storage';
import { BookRegistry } from './book-registry.service';
import { ShardHandoff } from './handoff.service';
import { TickerPlantConfigError, type TickerPlantConfig } from './ticker-plant.config';
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
        // the KV-assigned mode (cfg.handoff); inert in the static mode. Releases its partitions at shutdown.
        ShardHandoff,
      ],
      exports: [BookRegistry, ShardHandoff],
    };
  }
}

/**
 * Creates and starts one ticker-plant shard as a NestJS microservice on the given transport.
 * Its subscriptions depend on configuration (the partitions it owns, its shard index), so they are
 * registered on the transport server at start-up rather than by static decorators, with the request subjects
 * `ctl.v1.ticker-plant.<i>.status|books`:
 * - static assignment (`cfg.handoff` unset): `md.v1.p<k>.>` for every owned partition k (one subscription each, so a
 *   ticker's messages stay in order);
 * - KV-assigned (`cfg.handoff`, needs NATS): the partitions come and go with the operator's assignment, read from the
 *   JetStream stream with hand-off (./handoff.service.ts). The shard is started but may not be ready yet: see
 *   `app.get(ShardHandoff).whenReady()` / `readiness()`.
 * @throws TickerPlantConfigError when the KV-assigned mode is asked for without NATS; Error when JetStream is unusable
 */
export async function startTickerPlant(
  cfg: TickerPlantConfig,
  transport: BusTransport,
  options: Partial<NestMicroserviceOptions> = {},
  deps: TickerPlantDeps = {},
): Promise<INestMicroservice> {
  if (cfg.handoff && transport.kind !== 'nats') throw new TickerPlantConfigError(`TICKERPLANT_NAME (${cfg.handoff.name}) needs the NATS bus (NATS_URL): assignments and market data come from JetStream`);
  const server = createBusServer(transport.kind === 'nats' ? { ...transport, name: transport.name ?? `ticker-plant-${cfg.shardIndex}` } : transport);
  const app = await NestFactory.createMicroservice(TickerPlantModule.forRoot(cfg, transport, deps), { ...options, strategy: server });
  const registry = app.get(BookRegistry);
  const handoff = app.get(ShardHandoff);
  if (!cfg.handoff) {
    for (const p of cfg.partitions) {
      server.addHandler(subjects.mdPartition(p), async (data: unknown, ctx: { getSubject(): string }) => registry.onMarketData(ctx.getSubject(), data), true);
    }
  }
  server.addHandler(subjects.tickerPlantStatus(cfg.shardIndex), async () => (cfg.handoff ? { ...registry.status(), ...handoff.status() } : registry.status()), false);
  server.addHandler(subjects.tickerPlantBooks(cfg.shardIndex), async () => registry.snapshot(), false);
  await app.listen();
  // connected before the first publication: while ClientNats is still connecting, the first emit can be published
  // after the ones that follow it (its connect() resolves one step later than theirs)
  await app.get<symbol, ClientProxy>(BUS_CLIENT).connect();
  if (cfg.handoff && transport.kind === 'nats') {
    try {
      await handoff.start(transport.url);
    } catch (e) {
      await app.close().catch(() => undefined);
      throw e;
    }
  }
  return app;
}
