import { DynamicModule, Module } from '@nestjs/common';
import { EXCHANGE_STATE, ExchangeState } from './exchange-state';
import { REST_CONTROLLERS } from './rest/controllers';

/** Options of the REST layer. */
export interface ExchangeModuleOptions {
  /** rate-limit tier: tokens per second of the read and write buckets (default Kalshi Basic: 200 / 100); false = off */
  rateLimits?: { readPerSec: number; writePerSec: number } | false;
}

export const EXCHANGE_OPTIONS = Symbol('EXCHANGE_OPTIONS');

/** The mock exchange's NestJS module: REST controllers over the shared exchange state. */
@Module({})
export class ExchangeModule {
  static forRoot(state: ExchangeState, options: ExchangeModuleOptions = {}): DynamicModule {
    return {
      module: ExchangeModule,
      controllers: REST_CONTROLLERS,
      providers: [
        { provide: EXCHANGE_STATE, useValue: state },
        { provide: EXCHANGE_OPTIONS, useValue: options },
      ],
    };
  }
}
