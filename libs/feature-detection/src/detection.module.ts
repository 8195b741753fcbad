import { DynamicModule, Module } from '@nestjs/common';
import { BusModule, BusTransport } from '@kalshi-platform/bus';
import { TICK_STORE, CloseOnShutdown, type TickStore } from '@kalshi-platform/storage';
import { DetectionController } from './detection.controller';
import { DetectionService } from './detection.service';
import type { DetectionConfig } from './detection.config';
import { DETECTION_CONFIG } from './tokens';

/** The detection app: BBO changes -> arbitrage episodes. */
@Module({})
export class DetectionModule {
  /** `deps.tickStore`: where each episode change is stored (`arb_opportunities`); absent = not stored. */
  static forRoot(cfg: DetectionConfig, transport: BusTransport, deps: { tickStore?: TickStore; /** standalone: drain and close the store at shutdown */ closeOnShutdown?: boolean } = {}): DynamicModule {
    return {
      module: DetectionModule,
      imports: [BusModule.forRoot(transport)],
      controllers: [DetectionController],
      providers: [
        { provide: DETECTION_CONFIG, useValue: cfg },
        { provide: TICK_STORE, useValue: deps.tickStore ?? null },
        { provide: CloseOnShutdown, useValue: new CloseOnShutdown(deps.closeOnShutdown ? [deps.tickStore] : []) },
        DetectionService,
      ],
      exports: [DetectionService],
    };
  }
}
