/**
 * TEST SUPPORT ONLY (alias `@kalshi-platform/telemetry/metrics-testing`; not exported by the library's index): a
 * strict parser of the Prometheus text exposition format 0.0.4, for the tests of `/metrics` bodies. No parser package
 * is installed (prom-client only renders), so this follows the format's specification
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format) and rejects, with the line number:
 *
 * - a line that is not blank, a `# HELP name docstring`, a `# TYPE name counter|gauge|histogram|summary|untyped`, another
 *   `#` comment, or a sample `name{label="value",...} value [timestamp]`;
 * - bad metric or label names, label values with escapes other than `\\`, `\"` and `\n`, a duplicate label, values
 *   that are not Go floats (or NaN, +Inf, -Inf), timestamps that are not integers;
 * - a second HELP or TYPE for a family, or one after the family's first sample; a family whose samples are not all in
 *   one group; the same series twice; a body not ending in a newline;
 * - for histograms: samples other than `_bucket` (with `le`), `_sum`, `_count`; buckets not ascending by `le`, counts
 *   not cumulative, no `+Inf` bucket or one that differs from `_count`, a missing `_sum` or `_count`;
 * - a negative or NaN counter.
 */

/** One sample line. */
export interface ParsedSample {
  /** the sample's own name (`x_bucket`, `x_sum`, ... for a histogram) */
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
  /** 1-based line number */
  line: number;
}

/** A metric family: HELP, TYPE (`untyped` when none was given) and its samples in order. */
export interface MetricFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help?: string;
  samples: ParsedSample[];
}

/** A violation of the format; the message names the line. */
export class ExpositionFormatError extends Error {
  constructor(line: number, msg: string, text?: string) {
    super(`line ${line}: ${msg}${text !== undefined ? `: ${JSON.stringify(text.length > 200 ? text.slice(0, 200) + '...' : text)}` : ''}`);
    this.name = 'ExpositionFormatError';
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const GO_FLOAT = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)$/;

/** A value as Go's strconv.ParseFloat reads the format's values (decimal floats, NaN, ±Inf, case-insensitive). */
function parseValue(s: string, line: number): number {
  if (GO_FLOAT.test(s)) return Number(s);
  if (/^nan$/i.test(s)) return NaN;
  const inf = /^([+-]?)inf(?:inity)?$/i.exec(s);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  throw new ExpositionFormatError(line, 'not a float value', s);
}

/** Parses `{a="x",b="y"}` starting at `s[i] === '{'`; returns the labels and the index after `}`. */
function parseLabels(s: string, i: number, line: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  i++; // '{'
  for (;;) {
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (s[i] === '}') return { labels, end: i + 1 };
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(s.slice(i));
    if (!m) throw new ExpositionFormatError(line, `bad label name at column ${i + 1}`, s);
    const name = m[0];
    i += name.length;
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (s[i] !== '=') throw new ExpositionFormatError(line, `expected = after label ${name}`, s);
    i++;
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (s[i] !== '"') throw new ExpositionFormatError(line, `expected " to open the value of label ${name}`, s);
    i++;
    let v = '';
    for (;;) {
      const c = s[i];
      if (c === undefined) throw new ExpositionFormatError(line, `unterminated value of label ${name}`, s);
      if (c === '"') break;
      if (c === '\\') {
        const e = s[i + 1];
        if (e === '\\') v += '\\';
        else if (e === '"') v += '"';
        else if (e === 'n') v += '\n';
        else throw new ExpositionFormatError(line, `bad escape \\${e ?? ''} in label ${name}`, s);
        i += 2;
        continue;
      }
      v += c;
      i++;
    }
    i++; // closing quote
    if (!LABEL_NAME.test(name)) throw new ExpositionFormatError(line, `bad label name ${name}`, s);
    if (Object.prototype.hasOwnProperty.call(labels, name)) throw new ExpositionFormatError(line, `label ${name} twice`, s);
    labels[name] = v;
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (s[i] === ',') {
      i++;
      continue;
    }
    if (s[i] === '}') return { labels, end: i + 1 };
    throw new ExpositionFormatError(line, `expected , or } after label ${name}`, s);
  }
}

function unescapeHelp(s: string, line: number): string {
  return s.replace(/\\(.?)/g, (_m, e: string) => {
    if (e === '\\') return '\\';
    if (e === 'n') return '\n';
    throw new ExpositionFormatError(line, `bad escape \\${e} in HELP`, s);
  });
}

/** The family a sample name belongs to, given the families declared so far. */
function familyOf(name: string, families: Map<string, MetricFamily>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      const f = families.get(base);
      if (f && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return base;
    }
  }
  return name;
}

const seriesKey = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',')}}`;

/**
 * Parses a text-format 0.0.4 body strictly (see the module docstring).
 * @throws ExpositionFormatError naming the first offending line
 */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  if (text.length > 0 && !text.endsWith('\n')) throw new ExpositionFormatError(text.split('\n').length, 'the body must end with a newline');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const closed = new Set<string>();
  const sampled = new Set<string>();
  const seen = new Set<string>();
  const typed = new Set<string>();
  let current: string | null = null;
  const enter = (fam: string, line: number) => {
    if (current !== fam) {
      if (current !== null && sampled.has(current)) closed.add(current);
      if (closed.has(fam)) throw new ExpositionFormatError(line, `samples of ${fam} are not in one group`);
      current = fam;
    }
  };
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n];
    const line = n + 1;
    if (raw.includes('\r')) throw new ExpositionFormatError(line, 'carriage return', raw);
    const s = raw.replace(/^[ \t]+/, '');
    if (s === '') continue;
    if (s.startsWith('#')) {
      const m = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(s);
      if (!m) continue; // a plain comment
      const [, kw, name, rest = ''] = m;
      if (!METRIC_NAME.test(name)) throw new ExpositionFormatError(line, `bad metric name in ${kw}`, raw);
      let f = families.get(name);
      if (f && sampled.has(name)) throw new ExpositionFormatError(line, `${kw} of ${name} after its samples`, raw);
      if (!f) {
        f = { name, type: 'untyped', samples: [] };
        families.set(name, f);
      }
      enter(name, line);
      if (kw === 'HELP') {
        if (f.help !== undefined) throw new ExpositionFormatError(line, `second HELP for ${name}`, raw);
        f.help = unescapeHelp(rest, line);
      } else {
        const t = rest.trim();
        if (!TYPES.has(t)) throw new ExpositionFormatError(line, `unknown type ${t}`, raw);
        if (typed.has(name)) throw new ExpositionFormatError(line, `second TYPE for ${name}`, raw);
        f.type = t as MetricFamily['type'];
        typed.add(name);
      }
      continue;
    }
    const nm = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(s);
    if (!nm) throw new ExpositionFormatError(line, 'bad metric name', raw);
    const name = nm[0];
    let i = name.length;
    let labels: Record<string, string> = {};
    let j = i;
    while (s[j] === ' ' || s[j] === '\t') j++;
    if (s[j] === '{') {
      const p = parseLabels(s, j, line);
      labels = p.labels;
      i = p.end;
    }
    if (s[i] !== ' ' && s[i] !== '\t') throw new ExpositionFormatError(line, 'expected a blank before the value', raw);
    const tail = s.slice(i).trim().split(/[ \t]+/);
    if (tail.length < 1 || tail.length > 2 || tail[0] === '') throw new ExpositionFormatError(line, 'expected a value and an optional timestamp', raw);
    const value = parseValue(tail[0], line);
    let timestampMs: number | undefined;
    if (tail.length === 2) {
      if (!/^-?\d+$/.test(tail[1])) throw new ExpositionFormatError(line, 'timestamp is not an integer', raw);
      timestampMs = Number(tail[1]);
    }
    const famName = familyOf(name, families);
    let f = families.get(famName);
    if (!f) {
      f = { name: famName, type: 'untyped', samples: [] };
      families.set(famName, f);
    }
    enter(famName, line);
    sampled.add(famName);
    const key = seriesKey(name, labels);
    if (seen.has(key)) throw new ExpositionFormatError(line, `series ${key} twice`, raw);
    seen.add(key);
    if (f.type === 'histogram') {
      if (name === `${famName}_bucket`) {
        if (labels.le === undefined) throw new ExpositionFormatError(line, 'histogram bucket without le', raw);
        parseValue(labels.le, line);
      } else if (name !== `${famName}_sum` && name !== `${famName}_count`) {
        throw new ExpositionFormatError(line, `histogram ${famName} has a sample ${name}`, raw);
      }
    }
    if (f.type === 'counter' && !(value >= 0)) throw new ExpositionFormatError(line, `counter ${name} is ${value}`, raw);
    f.samples.push({ name, labels, value, ...(timestampMs !== undefined ? { timestampMs } : {}), line });
  }
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function checkHistogram(f: MetricFamily): void {
  const groups = new Map<string, { buckets: Array<{ le: number; v: number; line: number }>; sum?: number; count?: number; line: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const k = seriesKey('', rest);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { buckets: [], line: s.line }));
    if (s.name.endsWith('_bucket')) g.buckets.push({ le: parseValue(le, s.line), v: s.value, line: s.line });
    else if (s.name.endsWith('_sum')) g.sum = s.value;
    else g.count = s.value;
  }
  for (const [k, g] of groups) {
    const what = `histogram ${f.name}${k}`;
    if (g.count === undefined || g.sum === undefined) throw new ExpositionFormatError(g.line, `${what} lacks _sum or _count`);
    if (g.buckets.length === 0 || g.buckets[g.buckets.length - 1].le !== Infinity) throw new ExpositionFormatError(g.line, `${what} has no +Inf bucket last`);
    for (let i = 1; i < g.buckets.length; i++) {
      if (!(g.buckets[i].le > g.buckets[i - 1].le)) throw new ExpositionFormatError(g.buckets[i].line, `${what}: le not ascending`);
      if (g.buckets[i].v < g.buckets[i - 1].v) throw new ExpositionFormatError(g.buckets[i].line, `${what}: bucket counts not cumulative`);
    }
    if (g.buckets[g.buckets.length - 1].v !== g.count) throw new ExpositionFormatError(g.line, `${what}: +Inf bucket ${g.buckets[g.buckets.length - 1].v} != _count ${g.count}`);
  }
}

/**
 * The value of the one sample named `name` whose labels include `labels`; undefined when there is none.
 * @throws Error when several samples match (give more labels)
 */
export function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const f = families.get(familyOf(name, families)) ?? families.get(name);
  const hits = (f?.samples ?? []).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length > 1) throw new Error(`${name}${JSON.stringify(labels)} matches ${hits.length} samples`);
  return hits[0]?.value;
}

/** Sum of the samples named `name` whose labels include `labels` (0 when none). */
export function sampleSum(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number {
  const f = families.get(familyOf(name, families)) ?? families.get(name);
  return (f?.samples ?? []).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}
