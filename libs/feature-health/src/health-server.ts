/**
 * The health server (issue #6): a small NestJS HTTP app on the fastify adapter with @nestjs/terminus, serving
 *
 * - `GET /healthz` — liveness: the process answers (`process`: pid and uptime) and every `live` check is up;
 * - `GET /readyz`  — readiness: every `ready` check is up;
 *
 * 200 with terminus's body when all are up, 503 with the same body (its `error` naming the failing checks) otherwise.
 * Kubernetes probes and Docker HEALTHCHECKs point at it. It runs beside the app it reports on (its own Nest
 * application, port and DI container) and logs nothing.
 *
 * Issue #7: it also serves `GET /metrics` (option `metrics`, default on): every metric of prom-client's default
 * registry in the Prometheus text format 0.0.4, Node's default process metrics included (started at the first scrape
 * when nothing started them before, no prefix). The platform's `kalshi_*` metrics (libs/telemetry) live in that same
 * registry; this library reads the registry through prom-client itself, as libs/telemetry is a sibling infrastructure
 * library it may not import.
 */
import { Controller, Get, Header, Inject, Logger, Module, type DynamicModule, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { HealthCheckService, HealthIndicatorService, TerminusModule, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import { collectDefaultMetrics, register } from 'prom-client';
import { assertUniqueNames, DEFAULT_CHECK_TIMEOUT_MS, indicatorResult, type HealthCheck } from './health-check';

/** Where the health server listens and what it checks. */
export interface HealthServerOptions {
  /** TCP port; 0 = any free port (see {@link RunningHealthServer.port}) */
  port: number;
  /** interface to bind; default `0.0.0.0` (probes come from the kubelet or Docker, not loopback) */
  host?: string;
  /** liveness checks beside the process itself (keep them to what a restart would fix) */
  live?: HealthCheck[];
  /** readiness checks */
  ready?: HealthCheck[];
  /** time limit of each check, ms (a slower check is down: "timed out"); default 5000. An addition to the issue #6 contract */
  checkTimeoutMs?: number;
  /** serve `GET /metrics` (prom-client's default registry, text format 0.0.4); default true (issue #7) */
  metrics?: boolean;
}

/** A started health server. */
export interface RunningHealthServer {
  /** the port it listens on (the chosen one when asked for port 0) */
  port: number;
  /** stops listening and closes every check that has a `close()` (natsCheck's connection). Idempotent. */
  close(): Promise<void>;
}

/** Name of the liveness entry every `/healthz` body has; no live check may use it. */
export const PROCESS_CHECK = 'process';

const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

interface ResolvedOptions {
  live: HealthCheck[];
  ready: HealthCheck[];
  timeoutMs: number;
}

@Controller()
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(HEALTH_OPTIONS) private readonly o: ResolvedOptions,
  ) {}

  @Get('healthz')
  liveness(): Promise<HealthCheckResult> {
    const proc = async (): Promise<HealthIndicatorResult> => this.indicators.check(PROCESS_CHECK).up({ detail: `pid ${process.pid}, up ${Math.round(process.uptime())} s` });
    return this.health.check([proc, ...this.o.live.map((c) => () => indicatorResult(c, this.o.timeoutMs))]);
  }

  @Get('readyz')
  readiness(): Promise<HealthCheckResult> {
    return this.health.check(this.o.ready.map((c) => () => indicatorResult(c, this.o.timeoutMs)));
  }
}

/** `Content-Type` of `GET /metrics`: the Prometheus text format 0.0.4 (prom-client's `register.contentType`). */
export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A metric that exists once prom-client's default process metrics run on the default registry. */
const DEFAULT_METRICS_MARKER = 'process_cpu_user_seconds_total';

@Controller()
class MetricsController {
  /** Every metric of prom-client's default registry (Prometheus text format 0.0.4). */
  @Get('metrics')
  @Header('Content-Type', PROMETHEUS_TEXT_CONTENT_TYPE)
  metrics(): Promise<string> {
    // idempotent across modules: libs/telemetry's ensureDefaultMetrics checks the same registry entry
    if (register.getSingleMetric(DEFAULT_METRICS_MARKER) === undefined) collectDefaultMetrics();
    return register.metrics();
  }
}

@Module({})
class HealthModule {
  static forRoot(o: ResolvedOptions, metrics: boolean): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: metrics ? [HealthController, MetricsController] : [HealthController],
      providers: [{ provide: HEALTH_OPTIONS, useValue: o }],
    };
  }
}

/**
 * Nest's `logger` option is process-wide (`Logger.overrideLogger`): `logger: false` for this app would silence the
 * host app's logs too. The host's logger is put back once the health app is up.
 */
type LoggerStatics = { staticInstanceRef?: LoggerService };

/**
 * Starts the health server: `GET /healthz` (liveness: the process and its `live` checks) and `GET /readyz` (readiness:
 * every `ready` check), JSON bodies in @nestjs/terminus's format; 200 when all are up, 503 naming the failing checks;
 * and, unless `metrics: false`, `GET /metrics` (Prometheus text format 0.0.4 of prom-client's default registry).
 * @throws Error when the port cannot be bound (naming host and port) or two checks of a list share a name
 */
export async function startHealthServer(o: HealthServerOptions): Promise<RunningHealthServer> {
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65_535) throw new RangeError(`health: port must be an integer 0..65535, got ${o.port}`);
  const live = [...(o.live ?? [])];
  const ready = [...(o.ready ?? [])];
  assertUniqueNames(live, 'live', [PROCESS_CHECK]);
  assertUniqueNames(ready, 'ready');
  const timeoutMs = o.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`health: checkTimeoutMs must be a positive number, got ${timeoutMs}`);
  const host = o.host ?? '0.0.0.0';

  const statics = Logger as unknown as LoggerStatics;
  const hostLogger = statics.staticInstanceRef;
  let app: NestFastifyApplication | undefined;
  try {
    app = await NestFactory.create<NestFastifyApplication>(HealthModule.forRoot({ live, ready, timeoutMs }, o.metrics ?? true), new FastifyAdapter(), { logger: false, abortOnError: false });
    await app.listen(o.port, host);
  } catch (e) {
    await app?.close().catch(() => undefined);
    throw new Error(`health: cannot serve on ${host}:${o.port}: ${(e as Error).message}`);
  } finally {
    statics.staticInstanceRef = hostLogger;
  }
  const addr = app.getHttpServer().address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  let closing: Promise<void> | null = null;
  const started = app;
  return {
    port,
    close: () =>
      (closing ??= (async () => {
        await started.close();
        const checks = new Set([...live, ...ready]);
        await Promise.all([...checks].map((c) => c.close?.().catch(() => undefined)));
      })()),
  };
}
