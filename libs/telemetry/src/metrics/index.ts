/**
 * Prometheus metrics of the platform's apps (issue #7 item 2), on prom-client's default registry:
 *
 * - {@link metricsText} / {@link METRICS_CONTENT_TYPE}: the `/metrics` body (text format 0.0.4), Node's default process
 *   metrics included ({@link ensureDefaultMetrics}, no prefix);
 * - {@link registerCollector} / {@link registerTickStore}: a service becomes a source of the pull metrics of its kind
 *   (read at scrape time from its own counters);
 * - {@link stageProbe}: the per-message histograms (`kalshi_stage_latency_seconds`, `kalshi_bus_consume_lag_seconds`).
 *
 * The metric names and labels (./catalog.ts) are a contract of the dashboards and alert rules.
 */
export { ensureDefaultMetrics, METRICS_CONTENT_TYPE, metricsText } from './exposition';
export {
  CONSUME_LAG_BUCKETS,
  payloadTsMs,
  registerCollector,
  registerTickStore,
  STAGE_APP,
  STAGE_LATENCY_BUCKETS,
  stageProbe,
  StageProbe,
  type BusReading,
  type CollectorKind,
  type CollectorReadings,
  type DetectionReading,
  type ExecutionReading,
  type IngestionReading,
  type PipelineStage,
  type TickerPlantReading,
  type TickStoreLike,
  type TickStoreReading,
} from './catalog';
export { FastHistogram, HistogramSeries, PullMetric, type Sample } from './primitives';
export type { Unregister } from './sources';
