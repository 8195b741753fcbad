import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { EXCHANGE_STATE, ExchangeState } from './exchange-state';
import { ExchangeGuard, RATE_LIMITER } from './rest/auth.guard';
import { REST_CONTROLLERS } from './rest/controllers';
import { FaultMiddleware } from './rest/fault.interceptor';
import { KalshiErrorFilter } from './rest/params';
import { OrderLedger } from './rest/portfolio-json';
import { RATE_LIMIT_TIERS, RateLimiter, type RateLimitOptions } from './rest/rate-limit';

/** Options of the REST layer. */
export interface ExchangeModuleOptions {
  /**
   * Rate-limit tier: tokens per second of the read and write buckets of each API key (default Kalshi Basic: 200 / 100;
   * `RATE_LIMIT_TIERS.advanced` etc. for the other documented tiers), optionally the buckets' burst seconds
   * (read 1 s, write 2 s) and the per-IP budget of unsigned requests; `false` = off. See rest/rate-limit.ts.
   */
  rateLimits?: RateLimitOptions | false;
}

export const EXCHANGE_OPTIONS = Symbol('EXCHANGE_OPTIONS');

/**
 * The mock exchange's NestJS module: REST controllers over the shared exchange state, the global guard (signatures
 * on `/portfolio/*` and `/api_keys*`, API-key scopes, token-bucket rate limits), the REST fault middleware (429
 * storms, latency), the error filter (every error in Kalshi's `{"error":{...}}` shape) and the order ledger behind the
 * portfolio endpoints.
 */
@Module({})
export class ExchangeModule implements NestModule {
  static forRoot(state: ExchangeState, options: ExchangeModuleOptions = {}): DynamicModule {
    return {
      module: ExchangeModule,
      controllers: REST_CONTROLLERS,
      providers: [
        { provide: EXCHANGE_STATE, useValue: state },
        { provide: EXCHANGE_OPTIONS, useValue: options },
        { provide: RATE_LIMITER, useFactory: () => new RateLimiter(options.rateLimits === undefined ? RATE_LIMIT_TIERS.basic : options.rateLimits) },
        { provide: OrderLedger, useFactory: (st: ExchangeState) => st.ledger, inject: [EXCHANGE_STATE] },
        { provide: APP_GUARD, useClass: ExchangeGuard },
        { provide: APP_FILTER, useClass: KalshiErrorFilter },
        FaultMiddleware,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(FaultMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
