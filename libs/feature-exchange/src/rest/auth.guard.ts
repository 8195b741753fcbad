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

/** The parts of the HTTP request (Fastify request or raw IncomingMessage) the REST layer reads. */
export interface ExchangeRequest extends IncomingMessage {
  originalUrl?: string;
  body?: unknown;
  ip?: string;
  kalshiAuth?: AuthContext;
}

/** Path of a URL without the query string and fragment. */
function pathOf(raw: string): string {
  let q = raw.indexOf('?');
  const h = raw.indexOf('#');
  if (h !== -1 && (q === -1 || h < q)) q = h;
  return q === -1 ? raw : raw.slice(0, q);
}

/** Path of a request without the query string (what Kalshi signs). */
export function requestPath(req: ExchangeRequest): string {
  return pathOf(req.originalUrl ?? req.url ?? '/');
}

/** How a route is guarded: signed (`private`), public market data, or the mock's own controls. */
export type RouteClass = 'private' | 'public' | 'mock';

const PREFIX_SLASH = API_PREFIX + '/';
const REST_AT = PREFIX_SLASH.length;

/** True when `path` continues at `at` with `word` followed by its end or a `/`. */
const segmentAt = (path: string, at: number, word: string): boolean =>
  path.startsWith(word, at) && (path.length === at + word.length || path.charCodeAt(at + word.length) === 47); /* '/' */

/** Classifies a request path (see the module docstring). */
export function routeClass(path: string): RouteClass {
  if (!path.startsWith(PREFIX_SLASH)) return 'public';
  if (segmentAt(path, REST_AT, 'mock')) return 'mock';
  if (segmentAt(path, REST_AT, 'portfolio') || segmentAt(path, REST_AT, 'api_keys')) return 'private';
  return 'public';
}

/** A request URL's path and class (the fault middleware and the guard both need them). */
interface RequestRoute {
  url: string;
  path: string;
  cls: RouteClass;
}
/** the last URL classified: the guard asks about the URL the fault middleware just classified */
let lastRoute: RequestRoute = { url: '', path: '', cls: 'public' };

/** {@link requestPath} and {@link routeClass} of a request (the last answer is kept: same URL, same answer). */
export function requestRoute(req: ExchangeRequest): { path: string; cls: RouteClass } {
  const url = req.originalUrl ?? req.url ?? '/';
  if (url === lastRoute.url && url !== '') return lastRoute;
  const path = pathOf(url);
  lastRoute = { url, path, cls: routeClass(path) };
  return lastRoute;
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
    const { path, cls } = requestRoute(req);
    if (cls === 'mock') return true;
    const m = req.method ?? 'GET';
    const method = m === 'POST' || m === 'GET' || m === 'DELETE' ? m : m.toUpperCase(); // Node's methods are upper case already
    let keyId: string | undefined;
    if (cls === 'private') {
      const r = this.st.keys.verify(req.headers, method, path);
      if (!r.ok) throw new KalshiHttpError(401, 'unauthorized', r.reason);
      const key = this.st.keys.get(r.keyId);
      const scopes = key?.scopes ?? ['read', 'write'];
      if (WRITE_METHODS.has(method) && !scopes.includes('write')) throw new KalshiHttpError(403, 'forbidden', `API key ${r.keyId} has no write scope`);
      req.kalshiAuth = { keyId: r.keyId, accountId: r.accountId, scopes };
      keyId = r.keyId;
    }
    if (this.limiter.enabled) {
      const who = keyId !== undefined ? `key:${keyId}` : `ip:${req.ip ?? req.socket?.remoteAddress ?? 'unknown'}`;
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
