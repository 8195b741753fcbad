import { DynamicModule, Module } from '@nestjs/common';
import { BusModule, BusTransport } from '@kalshi-platform/bus';
import { TICK_STORE, CloseOnShutdown, type TickStore } from '@kalshi-platform/storage';
import { FeedService } from './feed.service';
import { IngestionController } from './ingestion.controller';
import type { IngestionConfig } from './ingestion.config';
import { INGESTION_CONFIG } from './tokens';

/** The ingestion app: Kalshi WebSocket feed -> bus. */
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
        { provide: TICK_STORE, useValue: deps.tickStore ?? null },
        { provide: CloseOnShutdown, useValue: new CloseOnShutdown(deps.closeOnShutdown ? [deps.tickStore] : []) },
        FeedService,
      ],
      exports: [FeedService],
    };
  }
}
