/**
 * The REST guard of the mock exchange (registered globally by ExchangeModule): authentication, API-key scopes and
 * rate limits, in that order.
 *
 * - `/trade-api/v2/portfolio/*` and `/trade-api/v2/api_keys*` need Kalshi's three signed headers
 *   (docs.kalshi.com/getting_started/quick_start_authenticated_requests): {@link KeyRegistry.verify} over
 *   METHOD + path without query, with replay protection. A failure answers
 *   `401 {"error":{"code":"unauthorized","message":<reason>}}` naming the reason (missing header, unknown key,
 *   stale timestamp, bad signature, replayed signature).
 * - A key without the `write` scope may only read (`403 forbidden` on POST/PUT/DELETE).
 * - Market data stays public (no signature looked at) and is rate limited per remote IP.
 * - `/trade-api/v2/mock/*` (the mock's admin and fault controls) is neither authenticated nor limited.
 * - Rate limits: see ./rate-limit (per API key, read and write buckets; 429 `{"error":"too many requests"}`).
 */
import { CanActivate, createParamDecorator, ExecutionContext, HttpException, Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { EXCHANGE_STATE, ExchangeState } from '../exchange-state';
import { KalshiHttpError } from './kalshi-http-error';
import { RateLimiter, requestCost, TOO_MANY_REQUESTS_BODY } from './rate-limit';

/** Injection token of the exchange's {@link RateLimiter}. */
export const RATE_LIMITER = Symbol('RATE_LIMITER');

/** REST prefix of Kalshi's API v2. */
export const API_PREFIX = '/trade-api/v2';

/** Who signed a request (set by {@link ExchangeGuard} on private routes). */
export interface AuthContext {
  keyId: string;
  accountId: string;
  scopes: string[];
}

/** The parts of the (express) request the REST layer reads. */
export interface ExchangeRequest extends IncomingMessage {
  originalUrl?: string;
  body?: unknown;
  ip?: string;
  kalshiAuth?: AuthContext;
}

/** Path of a request without the query string (what Kalshi signs). */
export function requestPath(req: ExchangeRequest): string {
  const raw = req.originalUrl ?? req.url ?? '/';
  const q = raw.search(/[?#]/);
  return q === -1 ? raw : raw.slice(0, q);
}

/** How a route is guarded: signed (`private`), public market data, or the mock's own controls. */
export type RouteClass = 'private' | 'public' | 'mock';

/** Classifies a request path (see the module docstring). */
export function routeClass(path: string): RouteClass {
  if (!path.startsWith(API_PREFIX + '/')) return 'public';
  const rest = path.slice(API_PREFIX.length + 1);
  if (rest === 'mock' || rest.startsWith('mock/')) return 'mock';
  if (rest === 'portfolio' || rest.startsWith('portfolio/') || rest === 'api_keys' || rest.startsWith('api_keys/')) return 'private';
  return 'public';
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** See the module docstring. */
@Injectable()
export class ExchangeGuard implements CanActivate {
  constructor(
    @Inject(EXCHANGE_STATE) private readonly st: ExchangeState,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<ExchangeRequest>();
    const path = requestPath(req);
    const cls = routeClass(path);
    if (cls === 'mock') return true;
    const method = (req.method ?? 'GET').toUpperCase();
    let who: string;
    if (cls === 'private') {
      const r = this.st.keys.verify(req.headers, method, path);
      if (!r.ok) throw new KalshiHttpError(401, 'unauthorized', r.reason);
      const key = this.st.keys.get(r.keyId);
      const scopes = key?.scopes ?? ['read', 'write'];
      if (WRITE_METHODS.has(method) && !scopes.includes('write')) throw new KalshiHttpError(403, 'forbidden', `API key ${r.keyId} has no write scope`);
      req.kalshiAuth = { keyId: r.keyId, accountId: r.accountId, scopes };
      who = `key:${r.keyId}`;
    } else {
      who = `ip:${req.ip ?? req.socket?.remoteAddress ?? 'unknown'}`;
    }
    if (this.limiter.enabled) {
      const { bucket, cost } = requestCost(method, path, req.body);
      if (!this.limiter.take(who, cls === 'public' ? 'public' : bucket, cost)) throw new HttpException(TOO_MANY_REQUESTS_BODY, 429);
    }
    return true;
  }
}

/**
 * Handler parameter: the {@link AuthContext} of a signed request.
 * @throws KalshiHttpError 401 if the route was not authenticated (a programming error: private routes always are).
 */
export const Auth = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthContext => {
  const req = ctx.switchToHttp().getRequest<ExchangeRequest>();
  if (!req.kalshiAuth) throw new KalshiHttpError(401, 'unauthorized', 'request is not authenticated');
  return req.kalshiAuth;
});
