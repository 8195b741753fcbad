/**
 * Standalone execution service: `npm run execution` with the environment described in
 * libs/feature-execution/src/execution.config.ts (KALSHI_REST_URL, KALSHI_WS_URL, KALSHI_API_KEY_ID,
 * KALSHI_PRIVATE_KEY_PATH, NATS_URL, DATABASE_URL, EXECUTION_*). Paper mode unless `EXECUTION_MODE=live`.
 *
 * Serves HTTP on `EXECUTION_HTTP_PORT` (default 8090): `GET /healthz`, `GET /status`, `GET /portfolio`,
 * `POST /kill-switch`, `POST /resume`; and the bus endpoints `ctl.v1.execution.*`. Reconciles with the exchange before
 * it takes any signal. SIGTERM/SIGINT: stops taking signals, drains, closes (open orders stay at the exchange and are
 * reconciled at the next start; use the kill switch to cancel them).
 * Exit 1 with a one-line message on a configuration error.
 *
 * Tracing and logs (libs/telemetry): OpenTelemetry tracing, export off unless `OTEL_TRACES_EXPORTER` /
 * `OTEL_EXPORTER_OTLP_ENDPOINT` say otherwise; pino JSON logs on stdout (`LOG_FORMAT`, `LOG_LEVEL`).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { config as loadDotEnv } from 'dotenv';
import { busTransportFromConfig, createBusServer } from '@kalshi-platform/bus';
import { ExecutionConfigError, ExecutionModule, ExecutionService, executionConfigFromEnv, openExecutionDeps } from '@kalshi-platform/feature-execution';
import { createAppLogger, LoggingConfigError, startTracing, TracingConfigError } from '@kalshi-platform/telemetry';

async function main(): Promise<void> {
  loadDotEnv();
  const tracing = startTracing({ serviceName: 'execution' });
  const { logger: log, nest: logger } = createAppLogger({ service: 'execution' });
  const cfg = executionConfigFromEnv();
  if (!process.env.NATS_URL) throw new ExecutionConfigError('NATS_URL is required (e.g. nats://127.0.0.1:4222)');
  const port = Number(process.env.EXECUTION_HTTP_PORT || 8090);
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw new ExecutionConfigError(`EXECUTION_HTTP_PORT must be a port number, got ${JSON.stringify(process.env.EXECUTION_HTTP_PORT)}`);
  const transport = busTransportFromConfig(process.env.NATS_URL, undefined, 'execution');
  const deps = await openExecutionDeps(cfg, { log: (level, msg) => (level === 'info' ? undefined : log[level]({ context: 'execution ws' }, msg)) });
  const app = await NestFactory.create<NestFastifyApplication>(ExecutionModule.forRoot(cfg, transport, deps), new FastifyAdapter(), { logger });
  app.connectMicroservice({ strategy: createBusServer(transport) }, { inheritAppConfig: true });
  const service = app.get(ExecutionService);
  const report = await service.start();
  await app.startAllMicroservices();
  await app.listen(port, '0.0.0.0');
  const addr = app.getHttpServer().address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  console.log(`execution: ${cfg.mode} mode, route ${cfg.route}, http://127.0.0.1:${actualPort} ; start reconcile: ${JSON.stringify(report)}`);
  const stop = async () => {
    await app.close();
    await deps.closeStore();
    await tracing.shutdown().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((e: Error) => {
  console.error(`execution: ${e instanceof ExecutionConfigError || e instanceof TracingConfigError || e instanceof LoggingConfigError ? e.message : (e.stack ?? e.message)}`);
  process.exit(1);
});
