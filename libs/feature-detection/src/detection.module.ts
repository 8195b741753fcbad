import { DynamicModule, Module } from '@nestjs/common';
import { BusModule, BusTransport } from '@kalshi-platform/bus';
import { TICK_STORE, CloseOnShutdown, type TickStore } from '@kalshi-platform/storage';
import { DetectionController } from './detection.controller';
import { DetectionService } from './detection.service';
import type { DetectionConfig } from './detection.config';
import { DETECTION_CLOCK, DETECTION_CONFIG } from './tokens';

/** The detection app: BBO changes -> arbitrage episodes and trading signals (arbitrage, sportsbook edge). */
@Module({})
export class DetectionModule {
  /**
   * `deps.tickStore`: where each episode change (`arb_opportunities`) and each signal leg (`trade_signals`) is stored;
   * absent = not stored. `deps.now`: the wall clock (default `Date.now`), see DetectionService.
   */
  static forRoot(
    cfg: DetectionConfig,
    transport: BusTransport,
    deps: { tickStore?: TickStore; /** standalone: drain and close the store at shutdown */ closeOnShutdown?: boolean; now?: () => number } = {},
  ): DynamicModule {
    return {
      module: DetectionModule,
      imports: [BusModule.forRoot(transport)],
      controllers: [DetectionController],
      providers: [
        { provide: DETECTION_CONFIG, useValue: cfg },
        { provide: TICK_STORE, useValue: deps.tickStore ?? null },
        { provide: DETECTION_CLOCK, useValue: deps.now ?? Date.now },
        { provide: CloseOnShutdown, useValue: new CloseOnShutdown(deps.closeOnShutdown ? [deps.tickStore] : []) },
        DetectionService,
      ],
      exports: [DetectionService],
    };
  }
}
