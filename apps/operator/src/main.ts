/**
 * The TickerPlant operator: `npm run operator` (or `node tools/run.cjs apps/operator/src/main.ts`).
 * Configuration from the environment (./config.ts: KUBECONFIG or in-cluster, WATCH_NAMESPACE, NATS_URL, LEASE_NAME,
 * POD_NAME, ...). Runs leader election; the leader reconciles TickerPlants (./operator.ts). With HEALTH_PORT set,
 * serves `/healthz` (the process) and `/readyz` (the API server answered a Lease request within the lease duration,
 * and NATS_URL, when set, is connected) through libs/feature-health. SIGTERM/SIGINT stop it cleanly: the controller
 * stops, the Lease is released so a standby takes over at once, NATS connections and the health server close.
 *
 * Tracing and logs (libs/telemetry): OpenTelemetry tracing, export off unless `OTEL_TRACES_EXPORTER` /
 * `OTEL_EXPORTER_OTLP_ENDPOINT` say otherwise; NestJS-style logs as pino JSON lines on stdout (`LOG_FORMAT`, `LOG_LEVEL`).
 */
import 'reflect-metadata';
import { HealthConfigError, healthPortFromEnv, natsCheck, startHealthServer, type HealthCheck, type RunningHealthServer } from '@kalshi-platform/feature-health';
import { createAppLogger, LoggingConfigError, startTracing, TracingConfigError } from '@kalshi-platform/telemetry';
import { NatsAssignmentStore } from './assignment-store';
import { OperatorConfigError, operatorConfigFromEnv } from './config';
import { describeError, loadKubeConfig } from './kube';
import { startManager } from './manager';

async function main(): Promise<void> {
  const tracing = startTracing({ serviceName: 'operator' });
  createAppLogger({ service: 'operator' });
  const cfg = operatorConfigFromEnv();
  const healthPort = healthPortFromEnv();
  const kubeConfig = loadKubeConfig();
  const store = new NatsAssignmentStore();
  const manager = startManager({
    kubeConfig,
    store,
    identity: cfg.identity,
    leaseName: cfg.leaseName,
    leaseNamespace: cfg.leaseNamespace,
    watchNamespace: cfg.watchNamespace,
    natsUrl: cfg.natsUrl,
    leaseDurationSeconds: cfg.leaseDurationSeconds,
    renewDeadlineMs: cfg.renewDeadlineSeconds * 1000,
    retryPeriodMs: cfg.retryPeriodSeconds * 1000,
    resyncMs: cfg.resyncSeconds * 1000,
  });
  let health: RunningHealthServer | undefined;
  if (healthPort !== undefined) {
    const apiServer: HealthCheck = {
      name: 'kube-apiserver',
      check: async () => {
        const last = manager.elector.lastContactMs;
        const role = manager.elector.isLeader ? 'leader' : 'standby';
        if (last === 0) return { ok: false, detail: 'no answer to a Lease request yet' };
        const age = Date.now() - last;
        return age <= cfg.leaseDurationSeconds * 1000 ? { ok: true, detail: `${role}, Lease answered ${age} ms ago` } : { ok: false, detail: `${role}, no Lease answer for ${age} ms` };
      },
    };
    health = await startHealthServer({ port: healthPort, ready: cfg.natsUrl ? [apiServer, natsCheck(cfg.natsUrl)] : [apiServer] });
    console.log(`health: http://127.0.0.1:${health.port}`);
  }
  console.log(
    `operator ${cfg.identity}: server ${kubeConfig.getCurrentCluster()?.server ?? '?'}, watching ${cfg.watchNamespace ?? 'all namespaces'}, ` +
      `lease ${cfg.leaseNamespace}/${cfg.leaseName}, default NATS ${cfg.natsUrl ?? 'none'}`,
  );
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`operator: ${signal}: stopping`);
    const hard = setTimeout(() => process.exit(1), 10_000);
    hard.unref();
    manager
      .stop()
      .then(() => Promise.all([store.close(), health?.close(), tracing.shutdown()]))
      .then(() => process.exit(0))
      .catch((err) => {
        console.error(`operator: shutdown failed: ${describeError(err)}`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((e: Error) => {
  console.error(`operator: ${e instanceof OperatorConfigError || e instanceof HealthConfigError || e instanceof TracingConfigError || e instanceof LoggingConfigError ? e.message : (e.stack ?? e.message)}`);
  process.exit(1);
});
