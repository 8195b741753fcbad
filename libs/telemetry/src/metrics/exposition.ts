/**
 * The process's Prometheus exposition: prom-client's default registry, with Node's default process metrics (no name
 * prefix: `process_cpu_user_seconds_total`, `nodejs_eventloop_lag_seconds`, ...) and every `kalshi_*` metric of this
 * library, rendered in the text format 0.0.4.
 */
import { collectDefaultMetrics, register } from 'prom-client';

/** `Content-Type` of {@link metricsText}: the Prometheus text exposition format 0.0.4. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A default metric that exists once `collectDefaultMetrics` has run against the default registry. */
const DEFAULT_METRICS_MARKER = 'process_cpu_user_seconds_total';

/**
 * Starts prom-client's default process metrics on the default registry, without a prefix; idempotent, also when
 * another module of the process (libs/feature-health's `/metrics`) has started them already (it checks the registry,
 * not a flag of its own). Called by {@link metricsText}; call it earlier to have the event-loop lag and GC metrics
 * measured from the start rather than from the first scrape.
 */
export function ensureDefaultMetrics(): void {
  if (register.getSingleMetric(DEFAULT_METRICS_MARKER) === undefined) collectDefaultMetrics();
}

/**
 * Every metric of the process's default registry in the Prometheus text format 0.0.4 (serve it with
 * {@link METRICS_CONTENT_TYPE}); starts the default process metrics if needed. Pull collectors read their services
 * here, once per call.
 */
export async function metricsText(): Promise<string> {
  ensureDefaultMetrics();
  return register.metrics();
}
