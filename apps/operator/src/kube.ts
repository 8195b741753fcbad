/**
 * Small helpers over @kubernetes/client-node 1.x: status codes of failed calls (the generated APIs throw
 * `ApiException` with `code`; watches fail with `statusCode`), and loading a KubeConfig.
 */
import { KubeConfig } from '@kubernetes/client-node';

/** The HTTP status of a failed API call, if there was one. */
export function statusOf(err: unknown): number | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** Whether a failed API call answered with this HTTP status (404 NotFound, 409 Conflict/AlreadyExists, 410 Gone). */
export function isStatus(err: unknown, code: number): boolean {
  return statusOf(err) === code;
}

/** A one-line description of a failed call: the Status message from the API server when there is one. */
export function describeError(err: unknown): string {
  const e = err as { code?: number; body?: unknown; message?: string };
  if (typeof e?.code === 'number' && e.body !== undefined) {
    let body = e.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        /* plain text */
      }
    }
    const msg = body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : String(e.body);
    return `HTTP ${e.code}: ${msg}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * A KubeConfig the way kubectl finds one (client-node's loadFromDefault): $KUBECONFIG, else ~/.kube/config, else the
 * in-cluster service account (token and CA under /var/run/secrets/kubernetes.io/serviceaccount).
 */
export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}
