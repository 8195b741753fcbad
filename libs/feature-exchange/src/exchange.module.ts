import { DynamicModule, Module } from '@nestjs/common';
import { EXCHANGE_STATE, ExchangeState } from './exchange-state';
import { MarketDataController } from './rest/market-data.controller';

/** The mock exchange's NestJS module: REST controllers over the shared exchange state. */
@Module({})
export class ExchangeModule {
  static forRoot(state: ExchangeState): DynamicModule {
    return {
      module: ExchangeModule,
      controllers: [MarketDataController],
      providers: [{ provide: EXCHANGE_STATE, useValue: state }],
    };
  }
}
