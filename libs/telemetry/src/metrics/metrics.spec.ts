/**
 * The metrics library against prom-client's real default registry: the rendered text (parsed strictly), the pull
 * collectors (sums, retirement, shared keys, one read per scrape), the histograms and the stage probes.
 */
import { register } from 'prom-client';
import {
  CONSUME_LAG_BUCKETS,
  FastHistogram,
  METRICS_CONTENT_TYPE,
  metricsText,
  payloadTsMs,
  registerCollector,
  registerTickStore,
  STAGE_LATENCY_BUCKETS,
  stageProbe,
  type DetectionReading,
  type ExecutionReading,
  type IngestionReading,
  type TickerPlantReading,
} from '../index';
import { ExpositionFormatError, parsePrometheusText, sampleSum, sampleValue } from './testing';

const scrape = async () => parsePrometheusText(await metricsText());

function ingestionReading(over: Partial<IngestionReading> = {}): IngestionReading {
  return { published: 0, consumed: 0, framesReceived: 0, snapshots: 0, deltas: 0, malformed: 0, gapsDetected: 0, resyncs: 0, reconnects: 0, connected: false, lastFrameAtMs: 0, rateLimited: 0, ...over };
}

describe('exposition', () => {
  it('serves the default process metrics without a prefix, in text format 0.0.4, and nothing of a kind before its first source', async () => {
    expect(METRICS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(METRICS_CONTENT_TYPE).toBe(register.contentType);
    const text = await metricsText();
    const f = parsePrometheusText(text);
    expect(f.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(f.get('process_resident_memory_bytes')?.type).toBe('gauge');
    expect(f.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
    expect(f.get('nodejs_gc_duration_seconds')?.type).toBe('histogram');
    expect(text).not.toMatch(/^# TYPE kalshi_/m);
    // idempotent: a second scrape registers nothing twice
    expect(parsePrometheusText(await metricsText()).size).toBe(f.size);
  });
});

describe('pull collectors', () => {
  it('ingestion: counters are the sum over the sources, frames split by type, gauges from the live sources only', async () => {
    const a = ingestionReading({ framesReceived: 11, snapshots: 2, deltas: 7, malformed: 1, gapsDetected: 1, resyncs: 1, reconnects: 0, connected: true, lastFrameAtMs: 1_700_000_000_500, published: 9, rateLimited: 2 });
    const offA = registerCollector('ingestion', () => a);
    let f = await scrape();
    expect(f.get('kalshi_ingest_frames_total')?.type).toBe('counter');
    expect(sampleValue(f, 'kalshi_ingest_frames_total', { type: 'snapshot' })).toBe(2);
    expect(sampleValue(f, 'kalshi_ingest_frames_total', { type: 'delta' })).toBe(7);
    expect(sampleValue(f, 'kalshi_ingest_frames_total', { type: 'other' })).toBe(2);
    expect(sampleValue(f, 'kalshi_ingest_malformed_total')).toBe(1);
    expect(sampleValue(f, 'kalshi_ingest_seq_gaps_total')).toBe(1);
    expect(sampleValue(f, 'kalshi_ingest_resyncs_total')).toBe(1);
    expect(sampleValue(f, 'kalshi_ingest_reconnects_total')).toBe(0);
    expect(sampleValue(f, 'kalshi_ingest_ws_connected')).toBe(1);
    expect(sampleValue(f, 'kalshi_ingest_last_frame_timestamp_seconds')).toBe(1_700_000_000.5);
    expect(sampleValue(f, 'kalshi_bus_published_total', { app: 'ingestion' })).toBe(9);
    expect(sampleValue(f, 'kalshi_bus_consumed_total', { app: 'ingestion' })).toBe(0);
    expect(sampleValue(f, 'kalshi_exchange_rate_limited_total', { app: 'ingestion' })).toBe(2);
    // kinds without a source are not rendered
    expect(f.has('kalshi_tickerplant_books')).toBe(false);
    expect(sampleValue(f, 'kalshi_bus_published_total', { app: 'detection' })).toBeUndefined();

    // the service's counters move: the next scrape reads them again
    a.deltas = 100;
    a.framesReceived = 104;
    f = await scrape();
    expect(sampleValue(f, 'kalshi_ingest_frames_total', { type: 'delta' })).toBe(100);

    // a second source adds up; the connected gauge is 1 while any is connected
    const b = ingestionReading({ framesReceived: 5, deltas: 5, connected: false, lastFrameAtMs: 1_700_000_001_000 });
    const offB = registerCollector('ingestion', () => b);
    f = await scrape();
    expect(sampleValue(f, 'kalshi_ingest_frames_total', { type: 'delta' })).toBe(105);
    expect(sampleValue(f, 'kalshi_ingest_ws_connected')).toBe(1);
    expect(sampleValue(f, 'kalshi_ingest_last_frame_timestamp_seconds')).toBe(1_700_000_001);

    // retired: counters keep the last reading (monotonic), gauges go with the source
    offA();
    offA(); // idempotent
    a.deltas = 1_000_000; // read no more
    f = await scrape();
    expect(sampleValue(f, 'kalshi_ingest_frames_total', { type: 'delta' })).toBe(105);
    expect(sampleValue(f, 'kalshi_ingest_ws_connected')).toBe(0);
    offB();
    f = await scrape();
    expect(sampleValue(f, 'kalshi_ingest_frames_total', { type: 'delta' })).toBe(105);
    expect(sampleValue(f, 'kalshi_ingest_ws_connected')).toBeUndefined();
    expect(sampleValue(f, 'kalshi_ingest_last_frame_timestamp_seconds')).toBeUndefined();
    expect(f.get('kalshi_ingest_ws_connected')?.type).toBe('gauge'); // HELP and TYPE stay
  });

  it('ticker plant: gauges per shard, BBO updates summed over shards', async () => {
    const shard = (i: number, over: Partial<TickerPlantReading>): TickerPlantReading => ({ shard: i, published: 0, consumed: 0, bboPublished: 0, books: 0, partitions: 0, invalidBooks: 0, ...over });
    const off0 = registerCollector('ticker-plant', () => shard(0, { bboPublished: 10, books: 3, partitions: 32, invalidBooks: 1, consumed: 50, published: 60 }));
    const off1 = registerCollector('ticker-plant', () => shard(1, { bboPublished: 5, books: 2, partitions: 32, consumed: 20, published: 25 }));
    const f = await scrape();
    expect(sampleValue(f, 'kalshi_tickerplant_bbo_updates_total')).toBe(15);
    expect(sampleValue(f, 'kalshi_tickerplant_books', { shard: '0' })).toBe(3);
    expect(sampleValue(f, 'kalshi_tickerplant_books', { shard: '1' })).toBe(2);
    expect(sampleValue(f, 'kalshi_tickerplant_partitions', { shard: '1' })).toBe(32);
    expect(sampleValue(f, 'kalshi_tickerplant_invalid_books', { shard: '0' })).toBe(1);
    expect(sampleValue(f, 'kalshi_bus_consumed_total', { app: 'ticker-plant' })).toBe(70);
    expect(sampleValue(f, 'kalshi_bus_published_total', { app: 'ticker-plant' })).toBe(85);
    expect(sampleValue(f, 'kalshi_exchange_rate_limited_total', { app: 'ticker-plant' })).toBeUndefined();
    off0();
    off1();
  });

  it('detection and execution: labelled counters and gauges', async () => {
    const d: DetectionReading = { published: 4, consumed: 30, signals: { basket_yes: 1, sportsbook_edge: 2 }, episodes: { basket_yes: 1, cross: 3 }, openEpisodes: 2, rateLimited: 0 };
    const e: ExecutionReading = {
      published: 7,
      consumed: 12,
      ordersByState: { pending: 0, resting: 1, partially_filled: 0, executed: 2, canceled: 3, rejected: 0 },
      ordersSent: 6,
      fills: 4,
      riskRejections: { killSwitch: 1, maxOpenOrders: 2 },
      breakerState: 'half-open',
      killSwitchEngaged: true,
      positionMismatches: 1,
      rateLimited: 5,
    };
    const offD = registerCollector('detection', () => d);
    const offE = registerCollector('execution', () => e);
    let f = await scrape();
    expect(sampleValue(f, 'kalshi_detection_signals_total', { kind: 'sportsbook_edge' })).toBe(2);
    expect(sampleValue(f, 'kalshi_detection_episodes_total', { kind: 'cross' })).toBe(3);
    expect(sampleValue(f, 'kalshi_detection_open_episodes')).toBe(2);
    expect(sampleValue(f, 'kalshi_execution_orders', { state: 'canceled' })).toBe(3);
    expect(sampleSum(f, 'kalshi_execution_orders')).toBe(6);
    expect(sampleValue(f, 'kalshi_execution_orders_sent_total')).toBe(6);
    expect(sampleValue(f, 'kalshi_execution_fills_total')).toBe(4);
    expect(sampleValue(f, 'kalshi_execution_risk_rejections_total', { rule: 'maxOpenOrders' })).toBe(2);
    expect(sampleValue(f, 'kalshi_execution_breaker_state')).toBe(1);
    expect(sampleValue(f, 'kalshi_execution_kill_switch_engaged')).toBe(1);
    expect(sampleValue(f, 'kalshi_execution_position_mismatches')).toBe(1);
    expect(sampleValue(f, 'kalshi_exchange_rate_limited_total', { app: 'execution' })).toBe(5);
    expect(sampleValue(f, 'kalshi_bus_consumed_total', { app: 'execution' })).toBe(12);
    e.breakerState = 'open';
    f = await scrape();
    expect(sampleValue(f, 'kalshi_execution_breaker_state')).toBe(2);
    offD();
    offE();
    f = await scrape();
    expect(sampleValue(f, 'kalshi_execution_risk_rejections_total', { rule: 'killSwitch' })).toBe(1);
    expect(sampleValue(f, 'kalshi_execution_breaker_state')).toBeUndefined();
  });

  it('reads each source once per scrape, skips a source that throws, and counts a re-registered key once', async () => {
    let reads = 0;
    const off = registerCollector('detection', () => {
      reads++;
      return { published: 1, consumed: 1, signals: {}, episodes: {}, openEpisodes: 0, rateLimited: 0 };
    });
    const offBad = registerCollector('detection', () => {
      throw new Error('boom');
    });
    await metricsText();
    expect(reads).toBe(1);
    await metricsText();
    expect(reads).toBe(2);
    offBad();
    off();

    // the same service registered again (key): its retired reading is replaced by the live one, not added to it
    const key = {};
    let rows = 10;
    const offK = registerCollector('execution', () => ({ published: rows, consumed: 0, ordersByState: {}, ordersSent: 0, fills: 0, riskRejections: {}, breakerState: 'closed', killSwitchEngaged: false, positionMismatches: 0, rateLimited: 0 }), key);
    const before = sampleValue(await scrape(), 'kalshi_bus_published_total', { app: 'execution' })!;
    offK();
    rows = 15;
    const offK2 = registerCollector('execution', () => ({ published: rows, consumed: 0, ordersByState: {}, ordersSent: 0, fills: 0, riskRejections: {}, breakerState: 'closed', killSwitchEngaged: false, positionMismatches: 0, rateLimited: 0 }), key);
    expect(sampleValue(await scrape(), 'kalshi_bus_published_total', { app: 'execution' })).toBe(before + 5);
    offK2();
  });

  it('tick store: one store shared by services counts once, until the last unregisters; write lag is the age of the oldest row', async () => {
    const store = {
      stats: { rowsWritten: 100, droppedRows: 1, invalidRows: 2, rejectedRows: 3, abandonedRows: 4, buffered: 5 },
      oldestBufferedAtMs: Date.now() - 2_500 as number | null,
    };
    const off1 = registerTickStore(store);
    const off2 = registerTickStore(store);
    let f = await scrape();
    expect(sampleValue(f, 'kalshi_tickstore_rows_written_total')).toBe(100);
    expect(sampleValue(f, 'kalshi_tickstore_rows_dropped_total', { reason: 'overflow' })).toBe(5);
    expect(sampleValue(f, 'kalshi_tickstore_rows_dropped_total', { reason: 'invalid' })).toBe(2);
    expect(sampleValue(f, 'kalshi_tickstore_rows_dropped_total', { reason: 'rejected' })).toBe(3);
    expect(sampleValue(f, 'kalshi_tickstore_buffered_rows')).toBe(5);
    const lag = sampleValue(f, 'kalshi_tickstore_write_lag_seconds')!;
    expect(lag).toBeGreaterThanOrEqual(2.5);
    expect(lag).toBeLessThan(10);
    off1();
    store.stats.rowsWritten = 120;
    store.stats.buffered = 0;
    store.oldestBufferedAtMs = null;
    f = await scrape();
    expect(sampleValue(f, 'kalshi_tickstore_rows_written_total')).toBe(120); // still live through the second service
    expect(sampleValue(f, 'kalshi_tickstore_write_lag_seconds')).toBe(0);
    off2();
    store.stats.rowsWritten = 500;
    f = await scrape();
    expect(sampleValue(f, 'kalshi_tickstore_rows_written_total')).toBe(120);
    expect(sampleValue(f, 'kalshi_tickstore_buffered_rows')).toBeUndefined();
  });
});

describe('histograms', () => {
  it('FastHistogram: le buckets (a bound is in its own bucket), cumulative rendering, +Inf, sum and count, reset', async () => {
    const h = new FastHistogram('test_fast_histogram_seconds', 'A test histogram.', 'stage', [0.1, 1, 10]).ensureRegistered();
    const s = h.series('a');
    for (const v of [0.05, 0.1, 0.5, 1, 20, NaN]) s.observe(v);
    h.series('b'); // rendered with zeros
    const text = await metricsText();
    expect(text).toContain(
      [
        '# HELP test_fast_histogram_seconds A test histogram.',
        '# TYPE test_fast_histogram_seconds histogram',
        'test_fast_histogram_seconds_bucket{stage="a",le="0.1"} 2',
        'test_fast_histogram_seconds_bucket{stage="a",le="1"} 4',
        'test_fast_histogram_seconds_bucket{stage="a",le="10"} 4',
        'test_fast_histogram_seconds_bucket{stage="a",le="+Inf"} 5',
        'test_fast_histogram_seconds_sum{stage="a"} 21.65',
        'test_fast_histogram_seconds_count{stage="a"} 5',
        'test_fast_histogram_seconds_bucket{stage="b",le="0.1"} 0',
      ].join('\n'),
    );
    const f = parsePrometheusText(text);
    expect(sampleValue(f, 'test_fast_histogram_seconds_count', { stage: 'b' })).toBe(0);
    register.resetMetrics();
    expect(sampleValue(await scrape(), 'test_fast_histogram_seconds_count', { stage: 'a' })).toBe(0);
    register.removeSingleMetric('test_fast_histogram_seconds');
    expect(() => new FastHistogram('x', 'x', 'a', [1, 1])).toThrow(RangeError);
    expect(() => new FastHistogram('x', 'x', 'a', [])).toThrow(RangeError);
    expect(() => new FastHistogram('x', 'x', 'le', [1])).toThrow(RangeError);
  });

  it('stage probes: latency per stage from begin to end, consume lag per app from tsMs (0 ignored, skew clamped to 0)', async () => {
    const before = await scrape();
    const count = (f: typeof before, stage: string) => sampleValue(f, 'kalshi_stage_latency_seconds_count', { stage }) ?? 0;
    const lagCount = (f: typeof before, app: string) => sampleValue(f, 'kalshi_bus_consume_lag_seconds_count', { app }) ?? 0;
    const tp = stageProbe('ticker_plant');
    const t0 = tp.begin(Date.now() - 1_500);
    const busyUntil = performance.now() + 2;
    while (performance.now() < busyUntil) {
      /* ~2 ms of work */
    }
    tp.end(t0);
    tp.end(tp.begin(0)); // no tsMs: latency only
    tp.lag(Date.now() + 60_000); // a clock ahead of ours: counted as 0
    const ing = stageProbe('ingest');
    ing.end(ing.begin());
    const f = await scrape();
    expect(f.get('kalshi_stage_latency_seconds')?.type).toBe('histogram');
    expect(f.get('kalshi_stage_latency_seconds')?.help).toBe('Processing time of one message in a pipeline stage (received -> published or handled), seconds.');
    expect(count(f, 'ticker_plant') - count(before, 'ticker_plant')).toBe(2);
    expect(count(f, 'ingest') - count(before, 'ingest')).toBe(1);
    expect(sampleValue(f, 'kalshi_stage_latency_seconds_bucket', { stage: 'ticker_plant', le: '0.001' })).toBe(count(before, 'ticker_plant') + 1); // the busy one is above 1 ms
    expect(lagCount(f, 'ticker-plant') - lagCount(before, 'ticker-plant')).toBe(2);
    expect(sampleValue(f, 'kalshi_bus_consume_lag_seconds_bucket', { app: 'ticker-plant', le: '1' })).toBe(1); // the clamped one
    expect(sampleValue(f, 'kalshi_bus_consume_lag_seconds_bucket', { app: 'ticker-plant', le: '2.5' })).toBe(2);
    expect(sampleValue(f, 'kalshi_bus_consume_lag_seconds_count', { app: 'ingestion' })).toBeUndefined(); // ingestion consumes nothing
    // buckets: 10 µs .. 1 s and 1 ms .. 60 s
    const les = (name: string, label: Record<string, string>) => f.get(name)!.samples.filter((s) => s.name === `${name}_bucket` && Object.entries(label).every(([k, v]) => s.labels[k] === v)).map((s) => (s.labels.le === '+Inf' ? Infinity : Number(s.labels.le)));
    expect(les('kalshi_stage_latency_seconds', { stage: 'ingest' })).toEqual([...STAGE_LATENCY_BUCKETS, Infinity]);
    expect(STAGE_LATENCY_BUCKETS[0]).toBe(1e-5);
    expect(STAGE_LATENCY_BUCKETS[STAGE_LATENCY_BUCKETS.length - 1]).toBe(1);
    expect(les('kalshi_bus_consume_lag_seconds', { app: 'ticker-plant' })).toEqual([...CONSUME_LAG_BUCKETS, Infinity]);
  });

  it('payloadTsMs reads a positive numeric tsMs, else 0', () => {
    expect(payloadTsMs({ tsMs: 1_700_000_000_000 })).toBe(1_700_000_000_000);
    expect(payloadTsMs({ tsMs: 0 })).toBe(0);
    expect(payloadTsMs({ tsMs: '5' })).toBe(0);
    expect(payloadTsMs(null)).toBe(0);
    expect(payloadTsMs('x')).toBe(0);
  });
});

describe('the strict exposition parser (test support)', () => {
  it('parses a valid body: HELP escapes, label escapes, NaN and Inf values, timestamps', () => {
    const f = parsePrometheusText(
      ['# HELP a_total Help with \\\\ and \\n.', '# TYPE a_total counter', 'a_total{x="q\\"uo\\\\te\\n",y="2",} 3 1700000000000', '# a comment', '', 'b NaN', 'c -Inf', 'd 1e-7', ''].join('\n'),
    );
    expect(f.get('a_total')).toMatchObject({ type: 'counter', help: 'Help with \\ and \n.' });
    expect(f.get('a_total')!.samples[0]).toMatchObject({ labels: { x: 'q"uo\\te\n', y: '2' }, value: 3, timestampMs: 1_700_000_000_000 });
    expect(f.get('b')!.samples[0].value).toBeNaN();
    expect(f.get('c')!.samples[0].value).toBe(-Infinity);
    expect(f.get('d')).toMatchObject({ type: 'untyped' });
  });

  it.each([
    ['no final newline', 'a 1'],
    ['a bad value', 'a one\n'],
    ['a bad metric name', '1a 1\n'],
    ['a bad escape', 'a{x="\\t"} 1\n'],
    ['a duplicate label', 'a{x="1",x="2"} 1\n'],
    ['an unterminated label value', 'a{x="1} 1\n'],
    ['the same series twice', 'a{x="1"} 1\na{x="1"} 2\n'],
    ['split groups', 'a 1\nb 1\na{x="2"} 1\n'],
    ['TYPE after samples', 'a 1\n# TYPE a gauge\n'],
    ['two TYPE lines', '# TYPE a gauge\n# TYPE a gauge\na 1\n'],
    ['an unknown type', '# TYPE a meter\na 1\n'],
    ['a negative counter', '# TYPE a counter\na -1\n'],
    ['non-cumulative buckets', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['+Inf != count', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 2\n'],
    ['no +Inf bucket', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['a bucket without le', '# TYPE h histogram\nh_bucket 1\nh_sum 1\nh_count 1\n'],
    ['a missing value', 'a{x="1"}\n'],
    ['a float timestamp', 'a 1 1.5\n'],
  ])('rejects %s', (_what, body) => {
    expect(() => parsePrometheusText(body)).toThrow(ExpositionFormatError);
  });
});
