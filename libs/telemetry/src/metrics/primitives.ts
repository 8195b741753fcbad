/**
 * The two kinds of metric objects behind this library's `kalshi_*` metrics, both rendered by prom-client's default
 * registry (they implement the part of prom-client's metric contract its `Registry` uses: `name`, `help`, `type`,
 * `aggregator`, `get()` and `reset()`; the unit tests pin the rendered text):
 *
 * - {@link PullMetric}: a counter or gauge whose samples are computed at scrape time from the services' own counters
 *   (nothing runs on the services' hot paths). A metric with nothing to report renders its HELP and TYPE lines only.
 * - {@link FastHistogram}: a histogram over one label whose `observe` is a short scan of the bucket bounds and three
 *   additions (prom-client's `Histogram.observe` allocates and hashes the labels on every call: ~10x the cost, which
 *   the per-message observations of the pipeline cannot afford).
 */
import { register, type Metric } from 'prom-client';

/** One sample as prom-client's registry renders it: `metricName{labels} value` (`metricName` defaults to the metric's name). */
export interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

const warned = new Set<string>();

/** The metric contract prom-client's `Registry` relies on. */
abstract class RegistryMetric {
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** The samples at this instant. */
  protected abstract samples(): Sample[];

  /** What prom-client's registry renders (`metrics()`) and returns as JSON (`getMetricsAsJSON()`). */
  async get(): Promise<{ name: string; help: string; type: string; values: Sample[]; aggregator: string }> {
    return { name: this.name, help: this.help, type: this.type, values: this.samples(), aggregator: this.aggregator };
  }

  /** `register.resetMetrics()`: zeroes what the metric accumulates itself (pull metrics hold nothing). */
  reset(): void {
    /* nothing held */
  }

  /**
   * Registers the metric in prom-client's default registry unless it is there already (also again after a
   * `register.clear()`). Never throws: when another object holds the name (a second copy of this module in the
   * process), a warning is emitted once and the metric stays unregistered.
   */
  ensureRegistered(): this {
    if (register.getSingleMetric(this.name) === (this as unknown)) return this;
    try {
      register.registerMetric(this as unknown as Metric);
    } catch (e) {
      if (!warned.has(this.name)) {
        warned.add(this.name);
        process.emitWarning(`metrics: ${this.name} not registered: ${(e as Error).message}`);
      }
    }
    return this;
  }
}

/** A counter or gauge computed at scrape time by `read` (see the module docstring). */
export class PullMetric extends RegistryMetric {
  constructor(
    readonly type: 'counter' | 'gauge',
    name: string,
    help: string,
    private readonly read: () => Sample[],
  ) {
    super(name, help);
  }

  protected samples(): Sample[] {
    return this.read();
  }
}

/** The observations of one label value of a {@link FastHistogram}. */
export class HistogramSeries {
  /** per bucket (not cumulative); the last slot counts the values above the highest bound */
  readonly counts: Float64Array;
  /** sum of the observed values */
  sum = 0;
  /** number of observed values */
  count = 0;

  constructor(private readonly bounds: Float64Array) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Counts one value in the first bucket whose upper bound is >= it (Prometheus `le`). NaN is ignored. */
  observe(value: number): void {
    if (value !== value) return;
    const b = this.bounds;
    const n = b.length;
    let i = 0;
    while (i < n && value > b[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }

  /** Forgets every observation. */
  clear(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/**
 * A Prometheus histogram over one label (`<name>_bucket{<label>,le}`, `<name>_sum`, `<name>_count`), a series per
 * label value created by {@link series} (rendered from then on, zeros included), in creation order.
 */
export class FastHistogram extends RegistryMetric {
  readonly type = 'histogram' as const;
  private readonly bounds: Float64Array;
  private readonly bySeries = new Map<string, HistogramSeries>();

  /**
   * @param buckets upper bounds, strictly ascending, finite (`+Inf` is implicit)
   * @throws RangeError for empty, unsorted or non-finite buckets, or the label `le`
   */
  constructor(
    name: string,
    help: string,
    readonly labelName: string,
    buckets: readonly number[],
  ) {
    super(name, help);
    if (labelName === 'le') throw new RangeError('le is reserved for the bucket bounds');
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]))) {
      throw new RangeError(`${name}: buckets must be finite and strictly ascending, got ${JSON.stringify(buckets)}`);
    }
    this.bounds = Float64Array.from(buckets);
  }

  /** The upper bounds of the buckets (without `+Inf`). */
  get buckets(): number[] {
    return [...this.bounds];
  }

  /** The series of one label value (made on first use; keep it: the lookup is a Map get). */
  series(labelValue: string): HistogramSeries {
    let s = this.bySeries.get(labelValue);
    if (s === undefined) {
      s = new HistogramSeries(this.bounds);
      this.bySeries.set(labelValue, s);
    }
    return s;
  }

  protected samples(): Sample[] {
    const out: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const [v, s] of this.bySeries) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += s.counts[i];
        out.push({ labels: { [this.labelName]: v, le: this.bounds[i] }, value: acc, metricName: bucket });
      }
      out.push({ labels: { [this.labelName]: v, le: '+Inf' }, value: s.count, metricName: bucket });
      out.push({ labels: { [this.labelName]: v }, value: s.sum, metricName: `${this.name}_sum` });
      out.push({ labels: { [this.labelName]: v }, value: s.count, metricName: `${this.name}_count` });
    }
    return out;
  }

  /** Zeroes every series (they stay rendered). */
  override reset(): void {
    for (const s of this.bySeries.values()) s.clear();
  }
}
