import { DynamicModule, Module } from '@nestjs/common';
import { BusModule, BusTransport } from '@kalshi-platform/bus';
import { TICK_STORE, CloseOnShutdown, type TickStore } from '@kalshi-platform/storage';
import { FeedService } from './feed.service';
import { IngestionController } from './ingestion.controller';
import type { IngestionConfig } from './ingestion.config';
import { MdStreamEnsurer } from './md-stream.provider';
import { INGESTION_CONFIG, INGESTION_TRANSPORT } from './tokens';

/** The ingestion app: Kalshi WebSocket feed -> bus (and, on NATS with `cfg.mdStream`, the JetStream stream `MD` that keeps it). */
@Module({})
export class IngestionModule {
  /** `deps.tickStore`: where raw market data (deltas, trades, ticker, market list) is stored; absent = not stored. */
  static forRoot(cfg: IngestionConfig, transport: BusTransport, deps: { tickStore?: TickStore; /** standalone: drain and close the store at shutdown */ closeOnShutdown?: boolean } = {}): DynamicModule {
    return {
      module: IngestionModule,
      imports: [BusModule.forRoot(transport)],
      controllers: [IngestionController],
      providers: [
        { provide: INGESTION_CONFIG, useValue: cfg },
        { provide: INGESTION_TRANSPORT, useValue: transport },
        // the JetStream stream of the market data (cfg.mdStream), before the feed publishes anything
        MdStreamEnsurer,
        { provide: TICK_STORE, useValue: deps.tickStore ?? null },
        { provide: CloseOnShutdown, useValue: new CloseOnShutdown(deps.closeOnShutdown ? [deps.tickStore] : []) },
        FeedService,
      ],
      exports: [FeedService],
    };
  }
}
