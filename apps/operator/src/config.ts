/**
 * The operator's configuration from the environment.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `KUBECONFIG` | kubeconfig file(s) | ~/.kube/config, else the in-cluster service account |
 * | `WATCH_NAMESPACE` | the one namespace to watch | all namespaces (needs the ClusterRole of k8s/rbac) |
 * | `NATS_URL` | NATS for TickerPlants without spec.nats.url (and the readiness check) | none |
 * | `LEASE_NAME` | leader-election Lease | `kalshi-platform-operator` |
 * | `LEASE_NAMESPACE` | its namespace | `POD_NAMESPACE`, else WATCH_NAMESPACE, else the service account's, else `default` |
 * | `POD_NAME` | this candidate's identity | `<hostname>-<random>` |
 * | `LEASE_DURATION_SECONDS`, `RENEW_DEADLINE_SECONDS`, `RETRY_PERIOD_SECONDS` | leader election timing | 15, 10, 2 |
 * | `RESYNC_SECONDS` | period of the full resync | 30 |
 * | `HEALTH_PORT` | port of /healthz and /readyz (read by healthPortFromEnv of libs/feature-health) | none (no health server) |
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** The operator's settings. Durations in seconds. */
export interface OperatorConfig {
  watchNamespace?: string;
  natsUrl?: string;
  leaseName: string;
  leaseNamespace: string;
  identity: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  resyncSeconds: number;
}

/** Thrown for a malformed variable; the message names it. */
export class OperatorConfigError extends Error {}

const SA_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function num(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new OperatorConfigError(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * Reads the configuration (see the table above).
 * @param saNamespace reads the in-cluster namespace (injectable for tests)
 * @throws OperatorConfigError naming the variable
 */
export function operatorConfigFromEnv(env: NodeJS.ProcessEnv = process.env, saNamespace: () => string | undefined = readSaNamespace): OperatorConfig {
  const cfg: OperatorConfig = {
    watchNamespace: env.WATCH_NAMESPACE || undefined,
    natsUrl: env.NATS_URL || undefined,
    leaseName: env.LEASE_NAME || 'kalshi-platform-operator',
    leaseNamespace: env.LEASE_NAMESPACE || env.POD_NAMESPACE || env.WATCH_NAMESPACE || saNamespace() || 'default',
    identity: env.POD_NAME || `${hostname()}-${randomBytes(3).toString('hex')}`,
    leaseDurationSeconds: num(env, 'LEASE_DURATION_SECONDS', 15),
    renewDeadlineSeconds: num(env, 'RENEW_DEADLINE_SECONDS', 10),
    retryPeriodSeconds: num(env, 'RETRY_PERIOD_SECONDS', 2),
    resyncSeconds: num(env, 'RESYNC_SECONDS', 30),
  };
  if (!(cfg.renewDeadlineSeconds < cfg.leaseDurationSeconds)) throw new OperatorConfigError('RENEW_DEADLINE_SECONDS must be less than LEASE_DURATION_SECONDS');
  return cfg;
}

function readSaNamespace(): string | undefined {
  try {
    return readFileSync(SA_NAMESPACE_FILE, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
