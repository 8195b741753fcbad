/**
 * The health check contract and its evaluation in @nestjs/terminus's response format.
 *
 * A {@link HealthCheck} is a named asynchronous probe (`{ ok, detail? }`). {@link runHealthChecks} runs a list of them
 * concurrently, each bounded by a time limit, and reports the result exactly as terminus's `HealthCheckService` does:
 *
 * ```json
 * { "status": "error",
 *   "info":    { "nats": { "status": "up", "detail": "connected to 127.0.0.1:4222, rtt 0.3 ms" } },
 *   "error":   { "feed": { "status": "down", "detail": "last frame 75012 ms ago (max 60000 ms)" } },
 *   "details": { "nats": { ... }, "feed": { ... } } }
 * ```
 *
 * `status` is `ok` when every check is up (an empty list is ok), else `error`; `error` names the failing checks.
 */
import { HealthIndicatorService, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';

/** What one check found: `ok`, and a short human-readable `detail` (never a secret). */
export interface HealthCheckOutcome {
  ok: boolean;
  detail?: string;
}

/**
 * A named health probe. `check()` should answer quickly and not throw; a throw counts as down (the error's message is
 * the detail) and so does an answer slower than the caller's time limit.
 */
export interface HealthCheck {
  /** key of the check in the response body (`info`, `error`, `details`); unique within one list */
  name: string;
  /** probes once */
  check(): Promise<HealthCheckOutcome>;
  /**
   * Optional (an addition to the issue #6 contract): releases what the check keeps open (natsCheck's connection).
   * {@link RunningHealthServer.close} calls it for every check the server was given.
   */
  close?(): Promise<void>;
}

/**
 * A response body in terminus's format (its `HealthCheckResult`): `status`, `info`, `error`, `details`; each check's
 * entry is `{ status: 'up' | 'down', detail? }`.
 */
export type HealthReport = HealthCheckResult;

/** Time limit of one check when the caller gives none, ms. */
export const DEFAULT_CHECK_TIMEOUT_MS = 5_000;

const indicators = new HealthIndicatorService();

/**
 * Runs one check within `timeoutMs` and never rejects: a throw or a timeout is `{ ok: false }` with the reason as
 * detail.
 */
export async function probe(c: HealthCheck, timeoutMs: number = DEFAULT_CHECK_TIMEOUT_MS): Promise<HealthCheckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<HealthCheckOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, detail: `timed out after ${timeoutMs} ms` }), timeoutMs);
      timer.unref?.();
    });
    const r = await Promise.race([Promise.resolve().then(() => c.check()), timeout]);
    if (r === null || typeof r !== 'object' || typeof r.ok !== 'boolean') return { ok: false, detail: 'the check answered no { ok } object' };
    return r.detail === undefined ? { ok: r.ok } : { ok: r.ok, detail: String(r.detail) };
  } catch (e) {
    return { ok: false, detail: errorText(e) };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/**
 * One check as a terminus health indicator result (`{ [name]: { status, detail? } }`), bounded by `timeoutMs`; never
 * rejects.
 */
export async function indicatorResult(c: HealthCheck, timeoutMs: number = DEFAULT_CHECK_TIMEOUT_MS): Promise<HealthIndicatorResult> {
  const r = await probe(c, timeoutMs);
  const session = indicators.check(c.name);
  const data: Record<string, unknown> = r.detail === undefined ? {} : { detail: r.detail };
  return r.ok ? session.up(data) : session.down(data);
}

/**
 * Runs the checks concurrently (each within `timeoutMs`, default {@link DEFAULT_CHECK_TIMEOUT_MS}) and reports them in
 * terminus's format, the same body as the health server's (ups first in `details`, then downs, each group in list
 * order, as terminus's executor orders them). For endpoints that live in another Nest app (the execution app's
 * `/readyz`): answer 200 when `status` is `ok`, else 503 with the same body.
 * @throws Error when two checks share a name (their results would overwrite each other)
 */
export async function runHealthChecks(checks: readonly HealthCheck[], opts: { timeoutMs?: number } = {}): Promise<HealthReport> {
  assertUniqueNames(checks, 'checks');
  const results = await Promise.all(checks.map((c) => indicatorResult(c, opts.timeoutMs)));
  const up = results.filter((r) => Object.values(r)[0].status === 'up');
  const down = results.filter((r) => Object.values(r)[0].status !== 'up');
  const merge = (rs: HealthIndicatorResult[]) => Object.assign({}, ...rs) as HealthIndicatorResult;
  return { status: down.length > 0 ? 'error' : 'ok', info: merge(up), error: merge(down), details: merge([...up, ...down]) };
}

/**
 * @throws Error naming the list and the name when a check has no name or two checks share one
 */
export function assertUniqueNames(checks: readonly HealthCheck[], list: string, reserved: readonly string[] = []): void {
  const seen = new Set(reserved);
  for (const c of checks) {
    if (c === null || typeof c !== 'object' || typeof c.check !== 'function') throw new Error(`health: every entry of ${list} needs a check() function`);
    if (typeof c.name !== 'string' || c.name === '') throw new Error(`health: every check of ${list} needs a non-empty name`);
    if (seen.has(c.name)) throw new Error(`health: two checks named "${c.name}" in ${list}${reserved.includes(c.name) ? ' (the name is reserved)' : ''}`);
    seen.add(c.name);
  }
}

/**
 * The message of an error, one line: its `code` when the message is empty (a bare ECONNREFUSED), and the reason that
 * fetch's "fetch failed" keeps in `cause`. Duck-typed: errors from another realm (undici's, under Jest) count too.
 */
export function errorText(e: unknown, depth = 0): string {
  const err = e as { message?: unknown; code?: unknown; name?: unknown; cause?: unknown } | null;
  if (err === null || typeof err !== 'object' || typeof err.message !== 'string') return String(e).split('\n')[0];
  let msg = err.message || (typeof err.code === 'string' ? err.code : String(err.name ?? 'Error'));
  if (err.cause !== undefined && err.cause !== null && err.cause !== e && depth < 3) {
    const why = errorText(err.cause, depth + 1);
    if (why && why !== '[object Object]' && !msg.includes(why)) msg = `${msg}: ${why}`;
  }
  return msg.split('\n')[0];
}
