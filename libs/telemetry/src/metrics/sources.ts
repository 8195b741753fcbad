/**
 * Sources of pull metrics: the live services of one kind (each a `read()` of its own counters, called at scrape time)
 * and the last readings of those that have stopped.
 *
 * Counters stay monotonic over the process's lifetime: a source's counters keep counting after it unregisters (its
 * last reading is kept, "retired"), so a service that is closed and replaced by a new one (the all-in-one process
 * between two runs, a test file) adds to the totals instead of resetting them. Gauges only come from live sources. A
 * source is identified by a key (the service, or the tick store shared by several services): registering the same key
 * again counts it once (a reference count), and its retired reading is dropped because the live one includes it.
 */

/** Removes what `register...` added; idempotent. */
export type Unregister = () => void;

interface Live<R> {
  read: () => R;
  refs: number;
}

/** The sources of one kind of service. */
export class SourceSet<R> {
  private readonly live = new Map<object, Live<R>>();
  private readonly retired = new Map<object, R>();
  private cached: R[] | null = null;

  /**
   * @param onFirstAdd runs at every `add` (registers the kind's metrics in the registry, idempotently)
   */
  constructor(private readonly onFirstAdd: () => void = () => undefined) {}

  /**
   * Adds a source. `key` identifies it (default: the `read` function); the same key added twice is one source with
   * two references, read by the latest `read`.
   */
  add(read: () => R, key: object = read): Unregister {
    this.onFirstAdd();
    const cur = this.live.get(key);
    if (cur) {
      cur.refs++;
      cur.read = read;
    } else {
      this.retired.delete(key);
      this.live.set(key, { read, refs: 1 });
    }
    this.cached = null;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const l = this.live.get(key);
      if (!l || --l.refs > 0) return;
      this.live.delete(key);
      this.cached = null;
      const last = safeRead(l.read);
      if (last !== undefined) this.retired.set(key, structuredClone(last)); // a copy: the service may reuse its objects
    };
  }

  /** True when at least one source is live. */
  get active(): boolean {
    return this.live.size > 0;
  }

  /** True when a source has ever registered (live or retired): its counters are rendered. */
  get seen(): boolean {
    return this.live.size > 0 || this.retired.size > 0;
  }

  /**
   * The readings of the live sources, each read once per scrape: the readings are kept until the microtasks of the
   * current turn run, and prom-client's registry collects every metric synchronously in one turn. A source whose
   * `read` throws is skipped.
   */
  liveReadings(): readonly R[] {
    if (this.cached !== null) return this.cached;
    const out: R[] = [];
    for (const l of this.live.values()) {
      const r = safeRead(l.read);
      if (r !== undefined) out.push(r);
    }
    this.cached = out;
    queueMicrotask(() => {
      if (this.cached === out) this.cached = null;
    });
    return out;
  }

  /** The last readings of the sources that have unregistered (for counters). */
  retiredReadings(): Iterable<R> {
    return this.retired.values();
  }

  /** Sum of `f` over the live and the retired sources (a counter's value). */
  total(f: (r: R) => number): number {
    let t = 0;
    for (const r of this.liveReadings()) t += finite(f(r));
    for (const r of this.retired.values()) t += finite(f(r));
    return t;
  }

  /** Per-label sums of `f` over the live and the retired sources (a labelled counter's values). */
  totals(f: (r: R) => Readonly<Record<string, number>>): Map<string, number> {
    const out = new Map<string, number>();
    const add = (r: R) => {
      for (const [k, v] of Object.entries(f(r))) out.set(k, (out.get(k) ?? 0) + finite(v));
    };
    for (const r of this.liveReadings()) add(r);
    for (const r of this.retired.values()) add(r);
    return out;
  }
}

function safeRead<R>(read: () => R): R | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function finite(v: number): number {
  return Number.isFinite(v) ? v : 0;
}
