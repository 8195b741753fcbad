import { DynamicModule, Module } from '@nestjs/common';
import { BusModule, BusTransport } from '@kalshi-platform/bus';
import { DetectionController } from './detection.controller';
import { DetectionService } from './detection.service';
import type { DetectionConfig } from './detection.config';
import { DETECTION_CONFIG } from './tokens';

/** The detection app: BBO changes -> arbitrage episodes. */
@Module({})
export class DetectionModule {
  static forRoot(cfg: DetectionConfig, transport: BusTransport): DynamicModule {
    return {
      module: DetectionModule,
      imports: [BusModule.forRoot(transport)],
      controllers: [DetectionController],
      providers: [{ provide: DETECTION_CONFIG, useValue: cfg }, DetectionService],
      exports: [DetectionService],
    };
  }
}
