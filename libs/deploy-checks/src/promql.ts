/**
 * A PromQL scanner for the checks of the alert rules and dashboards (observability.spec.ts): which metrics an
 * expression reads, with which label matchers, which labels it groups by, which functions it calls, and the problems a
 * tokenizer can see (unbalanced brackets, unterminated strings, unknown functions, stray characters). It is NOT a
 * parser: whether an expression parses is decided by Prometheus's own parser (`promtool check rules`), which the
 * tests run when promtool is installed.
 */

/** A label matcher of a selector: `stage="ingest"`. */
export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** One vector selector: the metric name (undefined for `{__name__=~...}` forms without one) and its matchers. */
export interface Selector {
  metric?: string;
  matchers: Matcher[];
}

/** What {@link scanPromql} found. */
export interface PromqlScan {
  selectors: Selector[];
  /** metric names read, in order of appearance, without duplicates */
  metrics: string[];
  /** labels named in by/without/on/ignoring/group_left/group_right lists */
  groupingLabels: string[];
  /** functions and aggregation operators called */
  functions: string[];
  problems: string[];
}

/** Aggregation operators (they take by/without). */
export const AGGREGATIONS = ['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio'];

/** PromQL functions (Prometheus 2.x and 3.x). */
export const FUNCTIONS = [
  'abs', 'absent', 'absent_over_time', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'avg_over_time', 'ceil', 'changes', 'clamp', 'clamp_max',
  'clamp_min', 'cos', 'cosh', 'count_over_time', 'day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'deg', 'delta', 'deriv', 'exp',
  'floor', 'histogram_avg', 'histogram_count', 'histogram_fraction', 'histogram_quantile', 'histogram_stddev', 'histogram_stdvar', 'histogram_sum',
  'holt_winters', 'double_exponential_smoothing', 'hour', 'idelta', 'increase', 'irate', 'label_join', 'label_replace', 'last_over_time', 'ln', 'log10',
  'log2', 'mad_over_time', 'max_over_time', 'min_over_time', 'minute', 'month', 'pi', 'predict_linear', 'present_over_time', 'quantile_over_time', 'rad',
  'rate', 'resets', 'round', 'scalar', 'sgn', 'sin', 'sinh', 'sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc', 'sqrt', 'stddev_over_time',
  'stdvar_over_time', 'sum_over_time', 'tan', 'tanh', 'time', 'timestamp', 'vector', 'year',
];

const KEYWORDS_WITH_LABELS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const BINARY_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'atan2']);
const CALLABLE = new Set([...AGGREGATIONS, ...FUNCTIONS]);
const IDENT = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const NUMBER = /^(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/;
const DURATION = /^(\d+(ms|[smhdwy]))+/;
const OPERATORS = ['==', '!=', '>=', '<=', '=~', '!~', '+', '-', '*', '/', '%', '^', '>', '<', '@'];

/** Scans one PromQL expression (see the module comment). */
export function scanPromql(expr: string): PromqlScan {
  const out: PromqlScan = { selectors: [], metrics: [], groupingLabels: [], functions: [], problems: [] };
  const stack: string[] = [];
  const close: Record<string, string> = { '(': ')', '[': ']' };
  let i = 0;
  const rest = () => expr.slice(i);
  const skipSpace = () => {
    for (;;) {
      const m = /^(\s+|#[^\n]*)/.exec(rest());
      if (!m) return;
      i += m[0].length;
    }
  };
  const readString = (): string | undefined => {
    const q = expr[i];
    let j = i + 1;
    let value = '';
    while (j < expr.length && expr[j] !== q) {
      if (expr[j] === '\\' && q !== '`') {
        value += expr[j + 1] ?? '';
        j += 2;
      } else value += expr[j++];
    }
    if (j >= expr.length) {
      out.problems.push(`unterminated string at ${i}`);
      i = expr.length;
      return undefined;
    }
    i = j + 1;
    return value;
  };
  /** `{ label op "value", ... }` starting at `{`. */
  const readMatchers = (): Matcher[] => {
    const matchers: Matcher[] = [];
    i++; // {
    for (;;) {
      skipSpace();
      if (expr[i] === '}') {
        i++;
        return matchers;
      }
      const l = LABEL.exec(rest());
      if (!l) {
        out.problems.push(`expected a label name at ${i} in a selector`);
        const end = expr.indexOf('}', i);
        i = end < 0 ? expr.length : end + 1;
        return matchers;
      }
      i += l[0].length;
      skipSpace();
      const op = /^(=~|!~|!=|=)/.exec(rest());
      if (!op) {
        out.problems.push(`expected a matcher operator after ${l[0]} at ${i}`);
        return matchers;
      }
      i += op[0].length;
      skipSpace();
      if (!`"'\``.includes(expr[i] ?? '')) {
        out.problems.push(`expected a quoted value for ${l[0]} at ${i}`);
        return matchers;
      }
      const value = readString();
      if (value === undefined) return matchers;
      matchers.push({ label: l[0], op: op[0] as Matcher['op'], value });
      skipSpace();
      if (expr[i] === ',') i++;
      else if (expr[i] !== '}') {
        out.problems.push(`expected , or } at ${i} in a selector`);
        return matchers;
      }
    }
  };
  /** `( label, label )` after by/without/on/ignoring/group_*. */
  const readLabelList = (optional: boolean) => {
    skipSpace();
    if (expr[i] !== '(') {
      if (!optional) out.problems.push(`expected ( at ${i}`);
      return;
    }
    const end = expr.indexOf(')', i);
    if (end < 0) {
      out.problems.push(`unclosed label list at ${i}`);
      i = expr.length;
      return;
    }
    for (const raw of expr.slice(i + 1, end).split(',')) {
      const name = raw.trim();
      if (name === '') continue;
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) out.problems.push(`bad label name ${JSON.stringify(name)} in a label list`);
      else if (!out.groupingLabels.includes(name)) out.groupingLabels.push(name);
    }
    i = end + 1;
  };
  const addSelector = (s: Selector) => {
    out.selectors.push(s);
    const name = s.metric ?? s.matchers.find((m) => m.label === '__name__' && m.op === '=')?.value;
    if (name && !out.metrics.includes(name)) out.metrics.push(name);
  };

  while (i < expr.length) {
    skipSpace();
    if (i >= expr.length) break;
    const c = expr[i];
    if (c === '"' || c === "'" || c === '`') {
      readString();
      continue;
    }
    if (c === '(' || c === '[') {
      stack.push(c);
      i++;
      if (c === '[') {
        // a range or a subquery: [5m] or [1h:1m]
        const m = /^\s*(\d+(ms|[smhdwy]))+\s*(:\s*((\d+(ms|[smhdwy]))+)?\s*)?\]/.exec(rest());
        if (!m) out.problems.push(`bad range or subquery at ${i - 1}: ${JSON.stringify(expr.slice(i - 1, i + 12))}`);
        else {
          i += m[0].length;
          stack.pop();
        }
      }
      continue;
    }
    if (c === ')' || c === ']') {
      const open = stack.pop();
      if (!open || close[open] !== c) out.problems.push(`unbalanced ${c} at ${i}`);
      i++;
      continue;
    }
    if (c === ',') {
      i++;
      continue;
    }
    if (c === '{') {
      addSelector({ matchers: readMatchers() });
      continue;
    }
    if (c === '}') {
      out.problems.push(`unbalanced } at ${i}`);
      i++;
      continue;
    }
    const num = NUMBER.exec(rest());
    if (num && /[0-9.]/.test(c)) {
      i += num[0].length;
      continue;
    }
    const id = IDENT.exec(rest());
    if (id) {
      const word = id[0];
      const wordStart = i;
      i += word.length;
      const lower = word.toLowerCase();
      if (KEYWORDS_WITH_LABELS.has(lower)) {
        readLabelList(lower === 'group_left' || lower === 'group_right');
        continue;
      }
      if (BINARY_KEYWORDS.has(lower)) continue;
      if (lower === 'offset') {
        skipSpace();
        if (expr[i] === '-') i++;
        const d = DURATION.exec(rest());
        if (!d) out.problems.push(`expected a duration after offset at ${i}`);
        else i += d[0].length;
        continue;
      }
      if (lower === 'inf' || lower === 'nan') continue;
      skipSpace();
      if ((word === 'start' || word === 'end') && /@\s*$/.test(expr.slice(0, wordStart))) continue; // @ start() / @ end()
      if (expr[i] === '(' || (AGGREGATIONS.includes(word) && /^(by|without)\b/i.test(rest()))) {
        if (!CALLABLE.has(word)) out.problems.push(`unknown function ${word}`);
        else if (!out.functions.includes(word)) out.functions.push(word);
        continue;
      }
      addSelector({ metric: word, matchers: expr[i] === '{' ? readMatchers() : [] });
      continue;
    }
    const op = OPERATORS.find((o) => expr.startsWith(o, i));
    if (op) {
      i += op.length;
      continue;
    }
    out.problems.push(`unexpected ${JSON.stringify(c)} at ${i}`);
    i++;
  }
  for (const open of stack) out.problems.push(`unclosed ${open}`);
  return out;
}

/** Grafana's built-in interval variables, replaced by a duration so that an expression is plain PromQL. */
export function substituteGrafanaVariables(expr: string): string {
  return expr.replace(/\$\{?(__rate_interval|__interval|__range|__range_s)\}?/g, (_m, v: string) => (v === '__range_s' ? '3600' : '5m'));
}
