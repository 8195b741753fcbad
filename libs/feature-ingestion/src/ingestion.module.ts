import { DynamicModule, Module } from '@nestjs/common';
import { BusModule, BusTransport } from '@kalshi-platform/bus';
import { FeedService } from './feed.service';
import { IngestionController } from './ingestion.controller';
import type { IngestionConfig } from './ingestion.config';
import { INGESTION_CONFIG } from './tokens';

/** The ingestion app: Kalshi WebSocket feed -> bus. */
@Module({})
export class IngestionModule {
  static forRoot(cfg: IngestionConfig, transport: BusTransport): DynamicModule {
    return {
      module: IngestionModule,
      imports: [BusModule.forRoot(transport)],
      controllers: [IngestionController],
      providers: [{ provide: INGESTION_CONFIG, useValue: cfg }, FeedService],
      exports: [FeedService],
    };
  }
}
