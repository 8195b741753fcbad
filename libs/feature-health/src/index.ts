/**
 * Liveness and readiness over HTTP for the Kubernetes probes and Docker HEALTHCHECKs (issue #6): `startHealthServer`
 * (`GET /healthz`, `GET /readyz`, @nestjs/terminus bodies on a small fastify Nest app; and `GET /metrics` for
 * Prometheus, issue #7), `healthPortFromEnv` (`HEALTH_PORT`), ready-made checks for NATS, PostgreSQL, Redis, freshness
 * and HTTP endpoints, and `runHealthChecks` for a readiness endpoint served by another Nest app (the execution app's
 * `/readyz`).
 *
 * Tagged `type:feature` and also `type:protocol`, so that other feature libraries (libs/feature-execution) may use
 * its checks under the workspace's module-boundary rules; it imports no workspace library itself.
 */
export { DEFAULT_CHECK_TIMEOUT_MS, runHealthChecks, type HealthCheck, type HealthCheckOutcome, type HealthReport } from './health-check';
export { DEFAULT_IO_TIMEOUT_MS, freshnessCheck, httpCheck, natsCheck, postgresCheck, redactUrl, redisCheck } from './checks';
export { HealthConfigError, healthPortFromEnv, msFromEnv } from './env';
export { PROCESS_CHECK, PROMETHEUS_TEXT_CONTENT_TYPE, startHealthServer, type HealthServerOptions, type RunningHealthServer } from './health-server';
