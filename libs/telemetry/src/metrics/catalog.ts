/**
 * The platform's `kalshi_*` metrics (issue #7 item 2). Their names and labels are a contract (Grafana dashboards and
 * Prometheus alert rules depend on them): change none.
 *
 * Most are PULL metrics, computed at scrape time from the counters the services keep anyway (their `status()`), so
 * the hot paths are untouched; a service registers itself with {@link registerCollector} (or {@link registerTickStore})
 * and unregisters when it stops (its counters keep counting, see ./sources.ts). The histograms are observed at the
 * processing points through a {@link StageProbe}: one clock read at the start of a message, one at the end, one
 * `observe` each (plus the consume lag when the payload carries an exchange time).
 *
 * A kind's metrics appear in the registry once a source of that kind has registered (a detection process does not
 * render `kalshi_ingest_*`); a gauge is rendered only while a source of its kind is live.
 *
 * | metric | type | labels | from |
 * |---|---|---|---|
 * | kalshi_ingest_frames_total | counter | type: snapshot, delta, other | ingestion: WebSocket data frames received (sum over type = every frame, the report's `stats.frames`) |
 * | kalshi_ingest_malformed_total, _seq_gaps_total, _resyncs_total, _reconnects_total | counter | | ingestion |
 * | kalshi_ingest_ws_connected | gauge 0/1 | | ingestion |
 * | kalshi_ingest_last_frame_timestamp_seconds | gauge, epoch s | | ingestion: wall clock of the last frame received |
 * | kalshi_stage_latency_seconds | histogram, s | stage: ingest, ticker_plant, detection, execution | {@link StageProbe} |
 * | kalshi_bus_published_total, kalshi_bus_consumed_total | counter | app | every service |
 * | kalshi_bus_consume_lag_seconds | histogram, s | app | {@link StageProbe.begin} / {@link StageProbe.lag} |
 * | kalshi_tickerplant_bbo_updates_total | counter | | ticker plant: BBO changes published |
 * | kalshi_tickerplant_books, _partitions, _invalid_books | gauge | shard | ticker plant |
 * | kalshi_detection_signals_total | counter | kind | detection: trading signals published |
 * | kalshi_detection_open_episodes | gauge | | detection |
 * | kalshi_detection_episodes_total | counter | kind | detection: episodes opened |
 * | kalshi_execution_orders | gauge | state: pending, resting, partially_filled, executed, canceled, rejected | execution |
 * | kalshi_execution_orders_sent_total, kalshi_execution_fills_total | counter | | execution |
 * | kalshi_execution_risk_rejections_total | counter | rule (RiskGate limit, `input`) | execution |
 * | kalshi_execution_breaker_state | gauge: 0 closed, 1 half-open, 2 open | | execution |
 * | kalshi_execution_kill_switch_engaged | gauge 0/1 | | execution |
 * | kalshi_execution_position_mismatches | gauge | | execution: markets whose position differed at the last reconciliation |
 * | kalshi_exchange_rate_limited_total | counter | app | REST answers 429 (`KalshiRestClient.rateLimited`) |
 * | kalshi_tickstore_rows_written_total | counter | | tick store: rows the back end acknowledged |
 * | kalshi_tickstore_rows_dropped_total | counter | reason: overflow, invalid, rejected | tick store |
 * | kalshi_tickstore_buffered_rows | gauge | | tick store |
 * | kalshi_tickstore_write_lag_seconds | gauge, s | | tick store: age of the oldest buffered row (0 when empty) |
 */
import { FastHistogram, HistogramSeries, PullMetric, type Sample } from './primitives';
import { SourceSet, type Unregister } from './sources';

// ---------------------------------------------------------------------------------------------------------------
// readings: what each kind of service reports at scrape time (plain numbers, so this library imports no service)

/** Bus traffic of a service, messages since it started. */
export interface BusReading {
  /** messages it published on the bus */
  published: number;
  /** messages it received from the bus (market data, BBOs, signals; requests excluded) */
  consumed: number;
}

/** Ingestion (FeedService). Counts since the service started. */
export interface IngestionReading extends BusReading {
  /** every WebSocket data frame received (snapshots, deltas, replies, malformed, ...) */
  framesReceived: number;
  /** order-book snapshots accepted (after the seq check) */
  snapshots: number;
  /** order-book deltas accepted (after the seq check) */
  deltas: number;
  malformed: number;
  gapsDetected: number;
  resyncs: number;
  reconnects: number;
  connected: boolean;
  /** wall clock of the last frame received, epoch ms; 0 = none yet */
  lastFrameAtMs: number;
  /** REST answers 429 */
  rateLimited: number;
}

/** One ticker-plant shard (BookRegistry). */
export interface TickerPlantReading extends BusReading {
  /** shard index (label `shard`) */
  shard: number;
  /** BBO changes published */
  bboPublished: number;
  /** books held now */
  books: number;
  /** partitions owned now */
  partitions: number;
  /** books held now that are invalid (stale, awaiting a snapshot) */
  invalidBooks: number;
}

/** Detection (DetectionService). */
export interface DetectionReading extends BusReading {
  /** trading signals published, by kind */
  signals: Readonly<Record<string, number>>;
  /** opportunity episodes opened, by kind */
  episodes: Readonly<Record<string, number>>;
  /** episodes open now */
  openEpisodes: number;
  /** REST answers 429 */
  rateLimited: number;
}

/** Execution (ExecutionService). */
export interface ExecutionReading extends BusReading {
  /** orders now, by state */
  ordersByState: Readonly<Record<string, number>>;
  ordersSent: number;
  fills: number;
  /** orders refused by the risk gate, by rule */
  riskRejections: Readonly<Record<string, number>>;
  breakerState: 'closed' | 'half-open' | 'open';
  killSwitchEngaged: boolean;
  /** markets whose position differed from the exchange's at the last reconciliation */
  positionMismatches: number;
  /** REST answers 429 */
  rateLimited: number;
}

/** A tick store's write side (libs/storage `TickWriterStats`, rows since it opened). */
export interface TickStoreReading {
  rowsWritten: number;
  /** refused at `write()`: buffer full, or written after close */
  droppedRows: number;
  invalidRows: number;
  rejectedRows: number;
  /** still buffered when `close()` gave up */
  abandonedRows: number;
  /** rows buffered now */
  buffered: number;
  /** wall clock (epoch ms) the oldest buffered row was accepted; null when none is buffered or unknown */
  oldestBufferedAtMs: number | null;
}

/** What {@link registerCollector} accepts, by kind. */
export interface CollectorReadings {
  ingestion: IngestionReading;
  'ticker-plant': TickerPlantReading;
  detection: DetectionReading;
  execution: ExecutionReading;
  'tick-store': TickStoreReading;
}

export type CollectorKind = keyof CollectorReadings;

// ---------------------------------------------------------------------------------------------------------------
// helpers

const one = (value: number, labels: Record<string, string> = {}): Sample => ({ labels, value });
const labelled = (label: string, m: Map<string, number> | Iterable<[string, number]>): Sample[] => [...m].map(([k, v]) => ({ labels: { [label]: k }, value: v }));

function counter<R>(set: SourceSet<R>, name: string, help: string, f: (r: R) => number): PullMetric {
  return new PullMetric('counter', name, help, () => [one(set.total(f))]);
}

function labelledCounter<R>(set: SourceSet<R>, name: string, help: string, label: string, f: (r: R) => Readonly<Record<string, number>>): PullMetric {
  return new PullMetric('counter', name, help, () => labelled(label, set.totals(f)));
}

/** A gauge over the live sources, rendered only while one is live; `agg` combines their values. */
function gauge<R>(set: SourceSet<R>, name: string, help: string, f: (r: R) => number, agg: 'sum' | 'max' = 'sum'): PullMetric {
  return new PullMetric('gauge', name, help, () => {
    const rs = set.liveReadings();
    if (rs.length === 0) return [];
    let v = agg === 'sum' ? 0 : -Infinity;
    for (const r of rs) v = agg === 'sum' ? v + f(r) : Math.max(v, f(r));
    return [one(v)];
  });
}

/** A lazily registered group of metrics (registered at the first source of its kind, again after `register.clear()`). */
function group(metrics: () => Array<{ ensureRegistered(): unknown }>): () => void {
  let made: Array<{ ensureRegistered(): unknown }> | null = null;
  return () => {
    made ??= metrics();
    for (const m of made) m.ensureRegistered();
  };
}

// ---------------------------------------------------------------------------------------------------------------
// the sources and their metrics

const busAndRateLimits = group(() => [busPublished, busConsumed, rateLimited]);

const ingestion = new SourceSet<IngestionReading>(() => {
  ingestionMetrics();
  busAndRateLimits();
});
const tickerPlant = new SourceSet<TickerPlantReading>(() => {
  tickerPlantMetrics();
  busAndRateLimits();
});
const detection = new SourceSet<DetectionReading>(() => {
  detectionMetrics();
  busAndRateLimits();
});
const execution = new SourceSet<ExecutionReading>(() => {
  executionMetrics();
  busAndRateLimits();
});
const tickStore = new SourceSet<TickStoreReading>(() => tickStoreMetrics());

/** The `app` label of each kind of service. */
const APPS: ReadonlyArray<[string, SourceSet<BusReading & { rateLimited?: number }>]> = [
  ['ingestion', ingestion],
  ['ticker-plant', tickerPlant],
  ['detection', detection],
  ['execution', execution],
];

const busPublished = new PullMetric('counter', 'kalshi_bus_published_total', 'Messages published on the bus, by app.', () =>
  APPS.filter(([, s]) => s.seen).map(([app, s]) => one(s.total((r) => r.published), { app })),
);
const busConsumed = new PullMetric('counter', 'kalshi_bus_consumed_total', 'Messages received from the bus (market data, BBOs, signals; not requests), by app.', () =>
  APPS.filter(([, s]) => s.seen).map(([app, s]) => one(s.total((r) => r.consumed), { app })),
);
const rateLimited = new PullMetric('counter', 'kalshi_exchange_rate_limited_total', 'REST requests the exchange answered with HTTP 429 (rate limited), by app.', () =>
  APPS.filter(([app, s]) => app !== 'ticker-plant' && s.seen).map(([app, s]) => one(s.total((r) => r.rateLimited ?? 0), { app })),
);

const ingestionMetrics = group(() => [
  new PullMetric('counter', 'kalshi_ingest_frames_total', 'WebSocket data frames received by ingestion, by type (snapshot, delta: accepted order-book frames; other: every other frame, malformed included).', () => {
    const snapshot = ingestion.total((r) => r.snapshots);
    const delta = ingestion.total((r) => r.deltas);
    const other = Math.max(0, ingestion.total((r) => r.framesReceived) - snapshot - delta);
    return [one(snapshot, { type: 'snapshot' }), one(delta, { type: 'delta' }), one(other, { type: 'other' })];
  }),
  counter(ingestion, 'kalshi_ingest_malformed_total', 'WebSocket frames that could not be decoded (skipped).', (r) => r.malformed),
  counter(ingestion, 'kalshi_ingest_seq_gaps_total', 'Sequence gaps detected on the order-book feed.', (r) => r.gapsDetected),
  counter(ingestion, 'kalshi_ingest_resyncs_total', 'Books recovered by a snapshot after a gap, a reconnect or a resubscribe.', (r) => r.resyncs),
  counter(ingestion, 'kalshi_ingest_reconnects_total', 'WebSocket reconnections.', (r) => r.reconnects),
  gauge(ingestion, 'kalshi_ingest_ws_connected', '1 while the Kalshi WebSocket is connected, else 0.', (r) => (r.connected ? 1 : 0), 'max'),
  new PullMetric('gauge', 'kalshi_ingest_last_frame_timestamp_seconds', 'Wall-clock time of the last WebSocket frame received, Unix seconds (absent before the first frame).', () => {
    let last = 0;
    for (const r of ingestion.liveReadings()) last = Math.max(last, r.lastFrameAtMs);
    return last > 0 ? [one(last / 1000)] : [];
  }),
]);

const tickerPlantMetrics = group(() => [
  counter(tickerPlant, 'kalshi_tickerplant_bbo_updates_total', 'BBO changes published by the ticker plant.', (r) => r.bboPublished),
  perShard('kalshi_tickerplant_books', 'Order books held, by shard.', (r) => r.books),
  perShard('kalshi_tickerplant_partitions', 'Partitions owned, by shard.', (r) => r.partitions),
  perShard('kalshi_tickerplant_invalid_books', 'Order books held that are invalid (stale, awaiting a snapshot), by shard.', (r) => r.invalidBooks),
]);

function perShard(name: string, help: string, f: (r: TickerPlantReading) => number): PullMetric {
  return new PullMetric('gauge', name, help, () => {
    const m = new Map<string, number>();
    for (const r of tickerPlant.liveReadings()) m.set(String(r.shard), (m.get(String(r.shard)) ?? 0) + f(r));
    return labelled('shard', m);
  });
}

const detectionMetrics = group(() => [
  labelledCounter(detection, 'kalshi_detection_signals_total', 'Trading signals published by detection, by kind.', 'kind', (r) => r.signals),
  gauge(detection, 'kalshi_detection_open_episodes', 'Opportunity episodes open now.', (r) => r.openEpisodes),
  labelledCounter(detection, 'kalshi_detection_episodes_total', 'Opportunity episodes opened, by kind.', 'kind', (r) => r.episodes),
]);

const BREAKER_STATE: Readonly<Record<ExecutionReading['breakerState'], number>> = { closed: 0, 'half-open': 1, open: 2 };

const executionMetrics = group(() => [
  new PullMetric('gauge', 'kalshi_execution_orders', 'Orders now, by state (pending, resting, partially_filled, executed, canceled, rejected).', () => {
    const m = new Map<string, number>();
    for (const r of execution.liveReadings()) for (const [k, v] of Object.entries(r.ordersByState)) m.set(k, (m.get(k) ?? 0) + v);
    return labelled('state', m);
  }),
  counter(execution, 'kalshi_execution_orders_sent_total', 'Orders sent to the exchange.', (r) => r.ordersSent),
  counter(execution, 'kalshi_execution_fills_total', 'Fills applied (WebSocket or reconciliation), once each.', (r) => r.fills),
  labelledCounter(execution, 'kalshi_execution_risk_rejections_total', 'Orders refused by the pre-trade risk gate, by rule.', 'rule', (r) => r.riskRejections),
  gauge(execution, 'kalshi_execution_breaker_state', 'Circuit breaker: 0 closed, 1 half-open, 2 open.', (r) => BREAKER_STATE[r.breakerState] ?? 2, 'max'),
  gauge(execution, 'kalshi_execution_kill_switch_engaged', '1 while the kill switch is engaged, else 0.', (r) => (r.killSwitchEngaged ? 1 : 0), 'max'),
  gauge(execution, 'kalshi_execution_position_mismatches', 'Markets whose position differed from the exchange at the last reconciliation.', (r) => r.positionMismatches),
]);

const tickStoreMetrics = group(() => [
  counter(tickStore, 'kalshi_tickstore_rows_written_total', 'Rows the tick store back end acknowledged.', (r) => r.rowsWritten),
  new PullMetric('counter', 'kalshi_tickstore_rows_dropped_total', 'Rows lost, by reason: overflow (buffer full, written after close, or still buffered when close gave up), invalid (cannot be stored exactly), rejected (refused by the back end).', () => [
    one(tickStore.total((r) => r.droppedRows + r.abandonedRows), { reason: 'overflow' }),
    one(tickStore.total((r) => r.invalidRows), { reason: 'invalid' }),
    one(tickStore.total((r) => r.rejectedRows), { reason: 'rejected' }),
  ]),
  gauge(tickStore, 'kalshi_tickstore_buffered_rows', 'Rows buffered, not yet acknowledged by the back end.', (r) => r.buffered),
  new PullMetric('gauge', 'kalshi_tickstore_write_lag_seconds', 'Age of the oldest buffered row, seconds (0 when the buffer is empty).', () => {
    const rs = tickStore.liveReadings();
    if (rs.length === 0) return [];
    const now = Date.now();
    let lag = 0;
    for (const r of rs) if (r.oldestBufferedAtMs !== null && r.buffered > 0) lag = Math.max(lag, (now - r.oldestBufferedAtMs) / 1000);
    return [one(lag)];
  }),
]);

const SETS: { [K in CollectorKind]: SourceSet<CollectorReadings[K]> } = {
  ingestion,
  'ticker-plant': tickerPlant,
  detection,
  execution,
  'tick-store': tickStore,
};

/**
 * Registers a service as a source of the pull metrics of its kind: `read` is called at every scrape (once per scrape)
 * and must be cheap and not throw (a throw skips the source for that scrape). Call the returned function when the
 * service stops: its counters are kept (see ./sources.ts), its gauges disappear.
 * @param key identifies the source (default: `read`); the same key registered twice counts once
 */
export function registerCollector<K extends CollectorKind>(kind: K, read: () => CollectorReadings[K], key?: object): Unregister {
  const set = SETS[kind] as unknown as SourceSet<CollectorReadings[K]>;
  if (set === undefined) throw new Error(`metrics: unknown collector kind ${JSON.stringify(kind)}`);
  return set.add(read, key);
}

/** The parts of a libs/storage tick store (`TickStore`, `BufferedTickWriter`) the tick-store metrics read. */
export interface TickStoreLike {
  readonly stats: { rowsWritten: number; droppedRows: number; invalidRows: number; rejectedRows: number; abandonedRows: number; buffered: number };
  /** `BufferedTickWriter.oldestBufferedAtMs` (epoch ms; null when empty); absent = write lag unknown (0) */
  readonly oldestBufferedAtMs?: number | null;
}

/**
 * Registers a tick store as a source of the `kalshi_tickstore_*` metrics. The services that share a store may all
 * register it: it is counted once, until the last of them unregisters.
 */
export function registerTickStore(store: TickStoreLike): Unregister {
  return registerCollector(
    'tick-store',
    () => {
      const s = store.stats;
      return {
        rowsWritten: s.rowsWritten,
        droppedRows: s.droppedRows,
        invalidRows: s.invalidRows,
        rejectedRows: s.rejectedRows,
        abandonedRows: s.abandonedRows,
        buffered: s.buffered,
        oldestBufferedAtMs: store.oldestBufferedAtMs ?? null,
      };
    },
    store,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// histograms

/** Buckets of `kalshi_stage_latency_seconds`, seconds: 10 µs .. 1 s. */
export const STAGE_LATENCY_BUCKETS: readonly number[] = [1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1];

/** Buckets of `kalshi_bus_consume_lag_seconds`, seconds: 1 ms .. 60 s. */
export const CONSUME_LAG_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const stageLatency = new FastHistogram(
  'kalshi_stage_latency_seconds',
  'Processing time of one message in a pipeline stage (received -> published or handled), seconds.',
  'stage',
  STAGE_LATENCY_BUCKETS,
);
const consumeLag = new FastHistogram(
  'kalshi_bus_consume_lag_seconds',
  "Time from a message's exchange or publish timestamp (its tsMs) to its consumption, seconds (negative clock skew counts as 0).",
  'app',
  CONSUME_LAG_BUCKETS,
);

/** A pipeline stage (label `stage` of `kalshi_stage_latency_seconds`). */
export type PipelineStage = 'ingest' | 'ticker_plant' | 'detection' | 'execution';

/** The app of each stage (label `app` of `kalshi_bus_consume_lag_seconds`). */
export const STAGE_APP: Readonly<Record<PipelineStage, string>> = { ingest: 'ingestion', ticker_plant: 'ticker-plant', detection: 'detection', execution: 'execution' };

/**
 * Wall clock = `performance.now() + wallOffset`, re-anchored on `Date.now()` at most once a second (so a step of the
 * wall clock shows in the lag within a second) and never more often: `begin` reads one clock, not two.
 */
let wallOffset = Date.now() - performance.now();
let anchoredAt = performance.now();

/**
 * The histograms of one stage: its latency series and its app's consume-lag series. Usage, per message:
 * `const t0 = probe.begin(msg.tsMs); ...handle and publish...; probe.end(t0);`
 */
export class StageProbe {
  private lagSeries: HistogramSeries | null = null;

  constructor(
    private readonly latency: HistogramSeries,
    private readonly app: string,
  ) {}

  /**
   * Start of a message: returns the start mark (`performance.now()`, ms) for {@link end}, and observes the consume lag
   * when `tsMs` (the payload's exchange or publish time, epoch ms) is > 0.
   */
  begin(tsMs = 0): number {
    const t = performance.now();
    if (tsMs > 0) {
      if (t - anchoredAt > 1000) {
        anchoredAt = performance.now();
        wallOffset = Date.now() - anchoredAt;
      }
      const s = (t + wallOffset - tsMs) / 1000;
      (this.lagSeries ??= consumeLag.series(this.app)).observe(s > 0 ? s : 0);
    }
    return t;
  }

  /** End of a message begun at `startMs`: observes `performance.now() - startMs` as seconds. */
  end(startMs: number): void {
    this.latency.observe((performance.now() - startMs) / 1000);
  }

  /** Observes the consume lag `Date.now() - tsMs` as seconds (0 when negative); ignores `tsMs` <= 0 (unknown). */
  lag(tsMs: number): void {
    if (!(tsMs > 0)) return;
    const s = (Date.now() - tsMs) / 1000;
    (this.lagSeries ??= consumeLag.series(this.app)).observe(s > 0 ? s : 0);
  }
}

/**
 * The probe of a stage: its latency series is made (and rendered from now on, zero counts until observed), its app's
 * consume-lag series at the first lag observed (ingestion consumes nothing from the bus). Cheap: make one per service
 * instance.
 */
export function stageProbe(stage: PipelineStage): StageProbe {
  stageLatency.ensureRegistered();
  consumeLag.ensureRegistered();
  return new StageProbe(stageLatency.series(stage), STAGE_APP[stage]);
}

/** `tsMs` of a bus payload (an object with a numeric `tsMs` > 0), else 0: for {@link StageProbe.begin} before decoding. */
export function payloadTsMs(data: unknown): number {
  if (data === null || typeof data !== 'object') return 0;
  const ts = (data as { tsMs?: unknown }).tsMs;
  return typeof ts === 'number' && ts > 0 ? ts : 0;
}
