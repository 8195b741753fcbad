/**
 * REST faults of the mock exchange (see faults/fault-spec.ts), applied to every REST request before routing, so that
 * they hit every answer alike (401s, 404s and 429s included):
 *
 * - `latency=MS`: the request waits MS ms before it is handled (the client sees every answer MS ms later; counted in
 *   `faults.stats.delayedResponses`);
 * - `hold=MS`: the request is handled at once but its answer is held MS ms (`res.end` deferred): an order is on the book
 *   before its client hears of it, the window in which a crashing client loses the answer;
 * - `storm=EVERY/FOR`: while {@link FaultController.inStorm} is true every request is answered
 *   `429 {"error":"too many requests"}` without a Retry-After header, as Kalshi's rate limiter does (counted in
 *   `faults.stats.stormRejections`). The request is not processed (and a signature in it is not consumed).
 *
 * Exempt: `/trade-api/v2/mock/*`, the mock's own admin and fault controls, so tooling can always switch a storm off.
 * `/trade-api/v2/exchange/status` is NOT exempt: a Kalshi client must cope with 429s on every endpoint.
 *
 * Implemented as a Nest middleware (middlewares run before guards, interceptors would not see guard refusals).
 */
import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { EXCHANGE_STATE, ExchangeState } from '../exchange-state';
import { ExchangeRequest, requestRoute } from './auth.guard';
import { TOO_MANY_REQUESTS_BODY } from './rate-limit';

const TOO_MANY = JSON.stringify(TOO_MANY_REQUESTS_BODY);

/** Writes Kalshi's 429 answer: exactly `{"error":"too many requests"}`, no Retry-After. */
export function sendTooManyRequests(res: ServerResponse): void {
  res.statusCode = 429;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(TOO_MANY));
  res.end(TOO_MANY);
}

/** See the module docstring. */
@Injectable()
export class FaultMiddleware implements NestMiddleware {
  constructor(@Inject(EXCHANGE_STATE) private readonly st: ExchangeState) {}

  use(req: ExchangeRequest, res: ServerResponse, next: (err?: unknown) => void): void {
    if (requestRoute(req).cls === 'mock') return next(); // the guard reuses this classification
    const faults = this.st.faults;
    const hold = faults.current.holdMs ?? 0;
    if (hold > 0) {
      const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
      res.end = ((...a: unknown[]) => {
        setTimeout(() => end(...a), hold);
        return res;
      }) as typeof res.end;
    }
    const ms = faults.current.latencyMs ?? 0;
    if (ms > 0) {
      faults.stats.delayedResponses++;
      setTimeout(() => this.go(res, next), ms);
    } else this.go(res, next);
  }

  /** Answers 429 during a storm, else hands the request on. */
  private go(res: ServerResponse, next: (err?: unknown) => void): void {
    const faults = this.st.faults;
    if (faults.inStorm()) {
      faults.stats.stormRejections++;
      sendTooManyRequests(res);
      return;
    }
    next();
  }
}
