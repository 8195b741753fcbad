/**
 * Ready-made health checks: NATS, PostgreSQL, Redis, the freshness of a timestamp, and an HTTP endpoint.
 * Every check answers within its own time limit (so a probe never hangs on a dead dependency) and never puts a secret
 * in its detail (credentials in URLs are removed).
 */
import { connect, type NatsConnection } from 'nats';
import { errorText, type HealthCheck, type HealthCheckOutcome } from './health-check';

/** Default time limit of the ready-made checks' I/O, ms. */
export const DEFAULT_IO_TIMEOUT_MS = 2_000;

/** `scheme://user:pass@host:port/path` -> `scheme://host:port/path` (for details and errors). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function positiveMs(v: number | undefined, dflt: number, what: string): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${what} must be a positive number of ms, got ${v}`);
  return v;
}

/**
 * `nats`: one NATS connection kept open (package `nats`, reconnecting forever) and its status reported. The first
 * check connects (a refused or silent server is down within `timeoutMs`, default 2000, and the next check tries
 * again); afterwards the check is up only while the connection is connected and answers a PING within `timeoutMs`
 * (the detail gives the round trip); disconnected or reconnecting is down. `close()` closes the connection.
 * @param url e.g. `nats://127.0.0.1:4222` (credentials in it never appear in a detail)
 */
export function natsCheck(url: string, opts: { timeoutMs?: number } = {}): HealthCheck {
  const timeoutMs = positiveMs(opts.timeoutMs, DEFAULT_IO_TIMEOUT_MS, 'natsCheck timeoutMs');
  const shown = redactUrl(url);
  let nc: NatsConnection | null = null;
  let connecting: Promise<NatsConnection> | null = null;
  let state: 'connected' | 'disconnected' | 'reconnecting' | 'closed' = 'closed';
  let closed = false;

  const watch = async (c: NatsConnection) => {
    for await (const s of c.status()) {
      if (c !== nc) return;
      if (s.type === 'disconnect') state = 'disconnected';
      else if (s.type === 'reconnecting') state = 'reconnecting';
      else if (s.type === 'reconnect') state = 'connected';
    }
  };

  const open = (): Promise<NatsConnection> => {
    connecting ??= connect({ servers: url, name: 'health', timeout: timeoutMs, maxReconnectAttempts: -1, reconnectTimeWait: 1_000, pingInterval: 10_000 })
      .then(async (c) => {
        if (closed) {
          await c.close().catch(() => undefined);
          throw new Error('closed');
        }
        nc = c;
        state = 'connected';
        void watch(c).catch(() => undefined);
        void c.closed().then(() => {
          if (nc === c) {
            nc = null;
            state = 'closed';
          }
        });
        return c;
      })
      .finally(() => (connecting = null));
    return connecting;
  };

  return {
    name: 'nats',
    async check(): Promise<HealthCheckOutcome> {
      if (closed) return { ok: false, detail: 'health check closed' };
      let c = nc;
      if (c === null || c.isClosed()) {
        try {
          c = await withTimeout(open(), timeoutMs, `connect to ${shown}`);
        } catch (e) {
          return { ok: false, detail: `cannot connect to ${shown}: ${errorText(e)}` };
        }
      }
      if (state !== 'connected') return { ok: false, detail: `${state} (${shown})` };
      try {
        const rtt = await withTimeout(c.rtt(), timeoutMs, 'PING');
        if (state !== 'connected') return { ok: false, detail: `${state} (${shown})` };
        return { ok: true, detail: `connected to ${redactUrl(c.getServer())}, rtt ${rtt.toFixed(1)} ms` };
      } catch (e) {
        return { ok: false, detail: `${shown}: ${errorText(e)}` };
      }
    },
    async close(): Promise<void> {
      closed = true;
      const c = nc ?? (await connecting?.catch(() => null)) ?? null;
      nc = null;
      state = 'closed';
      await c?.close().catch(() => undefined);
    },
  };
}

/** A check that is up when `call` resolves within `timeoutMs` (detail: how long it took), down with the error else. */
function callCheck(name: string, call: () => Promise<unknown>, timeoutMs: number): HealthCheck {
  return {
    name,
    async check(): Promise<HealthCheckOutcome> {
      const t0 = performance.now();
      try {
        await withTimeout(Promise.resolve().then(call), timeoutMs, name);
        return { ok: true, detail: `answered in ${(performance.now() - t0).toFixed(1)} ms` };
      } catch (e) {
        return { ok: false, detail: errorText(e) };
      }
    },
  };
}

/**
 * `postgres`: up when the query resolves within `timeoutMs` (default 2000), e.g. `() => dataSource.query('SELECT 1')`
 * or `() => pool.query('SELECT 1')`; down with the driver's error message otherwise.
 */
export function postgresCheck(query: () => Promise<unknown>, opts: { timeoutMs?: number } = {}): HealthCheck {
  return callCheck('postgres', query, positiveMs(opts.timeoutMs, DEFAULT_IO_TIMEOUT_MS, 'postgresCheck timeoutMs'));
}

/**
 * `redis`: up when the ping resolves within `timeoutMs` (default 2000), e.g. `() => redis.ping()` (ioredis); down with
 * the client's error otherwise. With ioredis, give the client `maxRetriesPerRequest` (or `enableOfflineQueue: false`)
 * so that a ping to a dead server fails instead of queueing; the time limit bounds it either way.
 */
export function redisCheck(ping: () => Promise<unknown>, opts: { timeoutMs?: number } = {}): HealthCheck {
  return callCheck('redis', ping, positiveMs(opts.timeoutMs, DEFAULT_IO_TIMEOUT_MS, 'redisCheck timeoutMs'));
}

/**
 * `name`: up when `now() - lastTsMs() <= maxAgeMs`; the detail says the age. `lastTsMs()` returning 0, a negative or a
 * non-finite number means "nothing yet" (down). Both clocks are epoch ms; `now` defaults to `Date.now` (tests inject
 * one).
 * @throws RangeError when maxAgeMs is negative or not finite
 */
export function freshnessCheck(name: string, lastTsMs: () => number, maxAgeMs: number, now: () => number = Date.now): HealthCheck {
  if (!Number.isFinite(maxAgeMs) || maxAgeMs < 0) throw new RangeError(`freshnessCheck ${name}: maxAgeMs must be >= 0, got ${maxAgeMs}`);
  return {
    name,
    async check(): Promise<HealthCheckOutcome> {
      const last = lastTsMs();
      if (!Number.isFinite(last) || last <= 0) return { ok: false, detail: `nothing yet (max age ${maxAgeMs} ms)` };
      const age = now() - last;
      return { ok: age <= maxAgeMs, detail: `last ${age} ms ago (max ${maxAgeMs} ms)` };
    },
  };
}

/**
 * `name`: GET `url`; up on a 2xx answer within `timeoutMs` (default 2000), down on any other status, a network error
 * or the time limit. E.g. `httpCheck('exchange', 'https://demo-api.kalshi.co/trade-api/v2/exchange/status')`.
 */
export function httpCheck(name: string, url: string, timeoutMs: number = DEFAULT_IO_TIMEOUT_MS): HealthCheck {
  positiveMs(timeoutMs, DEFAULT_IO_TIMEOUT_MS, `httpCheck ${name} timeoutMs`);
  const shown = redactUrl(url);
  // fetch refuses credentials in the URL: they go in a Basic authorization header instead
  const headers: Record<string, string> = { accept: 'application/json' };
  try {
    const u = new URL(url);
    if (u.username || u.password) headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  } catch {
    /* not a URL: fetch says so below */
  }
  return {
    name,
    async check(): Promise<HealthCheckOutcome> {
      const t0 = performance.now();
      try {
        const res = await fetch(shown, { signal: AbortSignal.timeout(timeoutMs), headers });
        await res.body?.cancel().catch(() => undefined);
        const ms = (performance.now() - t0).toFixed(1);
        return { ok: res.status >= 200 && res.status < 300, detail: `GET ${shown}: HTTP ${res.status} in ${ms} ms` };
      } catch (e) {
        const why = (e as Error)?.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : errorText(e);
        return { ok: false, detail: `GET ${shown}: ${why}` };
      }
    },
  };
}
