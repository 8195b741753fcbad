import { BadRequestException, Body, Controller, Get, Header, HttpCode, OnModuleDestroy, Post, ServiceUnavailableException } from '@nestjs/common';
import { ContractError, type ExecutionPortfolioV1, type ExecutionStatusV1, type KillSwitchResultV1 } from '@kalshi-platform/bus';
import { runHealthChecks, type HealthCheck, type HealthReport } from '@kalshi-platform/feature-health';
import { METRICS_CONTENT_TYPE, metricsText } from '@kalshi-platform/telemetry';
import { ExecutionService } from './execution.service';

/**
 * HTTP endpoints of the standalone execution app (`EXECUTION_HTTP_PORT`): `GET /healthz` (liveness: the process
 * answers), `GET /readyz` (readiness, see {@link ExecutionHttpController.ready}), `GET /metrics` (Prometheus, issue #7),
 * `GET /status`, `GET /portfolio`, `POST /kill-switch` and `POST /resume` with `{"by": "...", "reason": "..."}`. A
 * malformed body is a 400 naming the field.
 */
@Controller()
export class ExecutionHttpController implements OnModuleDestroy {
  /** made at the first `/readyz` (natsCheck opens its connection then), closed with the app */
  private readyChecks: HealthCheck[] | null = null;

  constructor(private readonly execution: ExecutionService) {}

  @Get('healthz')
  health(): { ok: true } {
    return { ok: true };
  }

  /**
   * Readiness (issue #6): 200 when the service has started (its start reconciliation is done), NATS is connected,
   * PostgreSQL answers `SELECT 1` and the WebSocket is connected (`ExecutionService.readiness()`), else 503 naming the
   * failing checks; bodies in @nestjs/terminus's format, as the other apps' health servers (libs/feature-health).
   */
  @Get('readyz')
  async ready(): Promise<HealthReport> {
    this.readyChecks ??= this.execution.readiness();
    const report = await runHealthChecks(this.readyChecks);
    if (report.status !== 'ok') throw new ServiceUnavailableException(report);
    return report;
  }

  async onModuleDestroy(): Promise<void> {
    const checks = this.readyChecks ?? [];
    this.readyChecks = null;
    await Promise.all(checks.map((c) => c.close?.().catch(() => undefined)));
  }

  /**
   * Every metric of the process (prom-client's default registry: `kalshi_execution_*`, the process metrics, ...) in the
   * Prometheus text format 0.0.4.
   */
  @Get('metrics')
  @Header('Content-Type', METRICS_CONTENT_TYPE)
  metrics(): Promise<string> {
    return metricsText();
  }

  @Get('status')
  status(): ExecutionStatusV1 {
    return this.execution.status();
  }

  @Get('portfolio')
  portfolio(): ExecutionPortfolioV1 {
    return this.execution.portfolio();
  }

  @Post('kill-switch')
  @HttpCode(200)
  async kill(@Body() body: unknown): Promise<KillSwitchResultV1> {
    return badRequestOnContract(() => this.execution.kill({ v: 1, ...(body as object) }));
  }

  @Post('resume')
  @HttpCode(200)
  async resume(@Body() body: unknown): Promise<KillSwitchResultV1> {
    return badRequestOnContract(() => this.execution.resume({ v: 1, ...(body as object) }));
  }
}

async function badRequestOnContract<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ContractError) throw new BadRequestException(e.message);
    throw e;
  }
}
