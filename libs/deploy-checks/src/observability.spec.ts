/**
 * The alert rules (deploy/prometheus/alerts.yml) and the Grafana dashboards (deploy/grafana/dashboards), and how
 * docker-compose provisions them:
 *
 * - every rule has the required fields (`for`, severity, summary, description, runbook), the alerts issue #7 asks for
 *   exist, and each has a promtool unit test that makes it fire (deploy/prometheus/alerts.test.yml);
 * - every expression, in the rules and in every dashboard panel, reads only metrics of the metric contract (below)
 *   with the contract's labels, and scans cleanly (promql.ts);
 * - every expression PARSES: Prometheus's own parser through `promtool check rules` (the dashboards' expressions as
 *   recording rules of a temporary file), plus `promtool test rules` and `promtool check config`. promtool comes with
 *   Debian's `prometheus` package (.ci/run installs it); without it those assertions are skipped with a warning;
 * - dashboards: valid JSON, unique uids, unique panel ids, a layout without overlaps, every Prometheus query on the
 *   provisioned Prometheus datasource's uid;
 * - docker-compose.yml mounts the rules where prometheus.yml loads them and the dashboards where a Grafana provider
 *   reads them; the Helm chart's copies are identical (also a check of `node tools/chart-check.cjs`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseYaml, parseDocument, stringify } from 'yaml';
import { ALERTS_FILE, ALERTS_TEST_FILE, CHART_ALERTS_FILE, CHART_DASHBOARDS_DIR, DASHBOARDS_DIR } from './constants';
import { scanPromql, substituteGrafanaVariables } from './promql';
import { prometheusRuleIssues } from './validate';

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) dir = dirname(dir);
  return dir;
}
const root = repoRoot();
const read = (f: string): string => readFileSync(join(root, f), 'utf8');

// ---------------------------------------------------------------------------------------------------------------
// the metric contract of issue #7 (what the apps serve on /metrics), with the labels each metric carries

const HISTOGRAMS: Record<string, string[]> = {
  kalshi_stage_latency_seconds: ['stage'],
  kalshi_bus_consume_lag_seconds: ['app'],
};
const METRICS: Record<string, string[]> = {
  kalshi_ingest_frames_total: ['type'],
  kalshi_ingest_malformed_total: [],
  kalshi_ingest_seq_gaps_total: [],
  kalshi_ingest_resyncs_total: [],
  kalshi_ingest_reconnects_total: [],
  kalshi_ingest_ws_connected: [],
  kalshi_ingest_last_frame_timestamp_seconds: [],
  kalshi_bus_published_total: ['app'],
  kalshi_bus_consumed_total: ['app'],
  kalshi_tickerplant_bbo_updates_total: [],
  kalshi_tickerplant_books: ['shard'],
  kalshi_tickerplant_partitions: ['shard'],
  kalshi_tickerplant_invalid_books: ['shard'],
  kalshi_detection_signals_total: ['kind'],
  kalshi_detection_open_episodes: [],
  kalshi_detection_episodes_total: ['kind'],
  kalshi_execution_orders: ['state'],
  kalshi_execution_orders_sent_total: [],
  kalshi_execution_fills_total: [],
  kalshi_execution_risk_rejections_total: ['rule'],
  kalshi_execution_breaker_state: [],
  kalshi_execution_kill_switch_engaged: [],
  kalshi_execution_position_mismatches: [],
  kalshi_exchange_rate_limited_total: ['app'],
  kalshi_tickstore_rows_written_total: [],
  kalshi_tickstore_rows_dropped_total: ['reason'],
  kalshi_tickstore_buffered_rows: [],
  kalshi_tickstore_write_lag_seconds: [],
  up: [],
  ...Object.fromEntries(
    Object.entries(HISTOGRAMS).flatMap(([name, labels]) => [
      [`${name}_bucket`, [...labels, 'le']],
      [`${name}_sum`, labels],
      [`${name}_count`, labels],
    ]),
  ),
};
const STAGES = ['ingest', 'ticker_plant', 'detection', 'execution'];
/** Labels Prometheus attaches to every series of a target (compose: job, instance; the Prometheus Operator: more). */
const TARGET_LABELS = ['job', 'instance', 'namespace', 'pod', 'service', 'container', 'endpoint'];
/** prom-client's default metrics (collectDefaultMetrics) may carry any label. */
const isDefaultMetric = (name: string): boolean => /^(process|nodejs)_[a-z0-9_]+$/.test(name);
const ALL_CONTRACT_LABELS = new Set([...Object.values(METRICS).flat(), ...TARGET_LABELS]);

/** Problems of one expression against the contract (metric names, matcher labels, stage values, grouping labels). */
function contractProblems(expr: string): string[] {
  const scan = scanPromql(expr);
  const out = [...scan.problems];
  if (scan.metrics.length === 0) out.push('reads no metric');
  for (const s of scan.selectors) {
    const name = s.metric ?? s.matchers.find((m) => m.label === '__name__')?.value;
    if (!name) {
      out.push('a selector without a metric name');
      continue;
    }
    if (isDefaultMetric(name)) continue;
    const labels = METRICS[name];
    if (!labels) {
      out.push(`metric ${name} is not in the metric contract`);
      continue;
    }
    for (const m of s.matchers) {
      if (![...labels, ...TARGET_LABELS].includes(m.label)) out.push(`${name}: label ${m.label} is neither a label of the metric nor a target label`);
      if (m.label === 'stage' && m.op === '=' && !STAGES.includes(m.value)) out.push(`${name}: stage ${m.value} is not one of ${STAGES.join('|')}`);
    }
  }
  for (const l of scan.groupingLabels) if (!ALL_CONTRACT_LABELS.has(l)) out.push(`grouping label ${l} is no label of the contract's metrics nor a target label`);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// promtool

const promtoolAvailable = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
let warned = false;
/** Runs promtool, or returns undefined (with one warning) when it is not installed. */
function promtool(args: string[], cwd = root): { status: number | null; output: string } | undefined {
  if (!promtoolAvailable) {
    if (!warned) {
      console.warn('promtool is not installed: the PromQL parse checks, `promtool test rules` and `promtool check config` are SKIPPED here (Debian: apt-get install prometheus; .ci/run installs it)');
      warned = true;
    }
    return undefined;
  }
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'observability-spec-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** `promtool check rules` over expressions given as recording rules `name: expr`; the error lines, or undefined without promtool. */
function promtoolParse(exprs: Array<{ name: string; expr: string }>): string[] | undefined {
  const file = join(tmp, `parse-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, stringify({ groups: [{ name: 'parse', rules: exprs.map((e) => ({ record: e.name, expr: e.expr })) }] }));
  const r = promtool(['check', 'rules', file]);
  if (!r) return undefined;
  return r.status === 0 ? [] : r.output.split('\n').filter((l) => l.trim() !== '' && !/^Checking /.test(l));
}

// ---------------------------------------------------------------------------------------------------------------
// alert rules

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [k: string]: unknown;
}
interface RuleFile {
  groups: Array<{ name: string; rules: Rule[]; [k: string]: unknown }>;
}

describe(`alert rules (${ALERTS_FILE})`, () => {
  const text = read(ALERTS_FILE);
  const doc = parseDocument(text, { uniqueKeys: true, strict: true });
  const file = doc.toJS() as RuleFile;
  const rules = file.groups.flatMap((g) => g.rules.map((r) => ({ group: g.name, ...r })));
  const alerts = rules.filter((r) => r.alert);
  const names = alerts.map((r) => String(r.alert));

  it('is strict YAML: no errors, no warnings, no duplicate keys', () => {
    expect([...doc.errors, ...doc.warnings].map((e) => e.message)).toEqual([]);
    expect(file.groups.length).toBeGreaterThan(0);
  });

  it('has the alerts of issue #7: stale feed, seq gaps, rising latency p99, breaker open, tick-store backlog, and the obvious others', () => {
    for (const name of [
      'KalshiFeedStale',
      'KalshiFeedSeqGaps',
      'KalshiStageLatencyP99Rising',
      'KalshiStageLatencyP99High',
      'KalshiCircuitBreakerOpen',
      'KalshiTickStoreBacklog',
      'KalshiFeedDisconnected',
      'KalshiPositionMismatch',
      'KalshiRiskRejectionBurst',
      'KalshiKillSwitchEngaged',
      'KalshiTargetDown',
    ]) {
      expect([name, names.includes(name)]).toEqual([name, true]);
    }
  });

  it('has unique group and alert names, and only alerting rules', () => {
    expect(new Set(file.groups.map((g) => g.name)).size).toBe(file.groups.length);
    expect(new Set(names).size).toBe(names.length);
    expect(rules.filter((r) => !r.alert).map((r) => r.record)).toEqual([]);
  });

  it.each(alerts.map((r) => [r.alert, r] as const))('%s: for, severity, component, summary, description, runbook; no unknown keys', (_name, r) => {
    const problems: string[] = [];
    for (const k of Object.keys(r)) if (!['group', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'].includes(k)) problems.push(`unknown key ${k}`);
    if (!/^Kalshi[A-Z][A-Za-z0-9]+$/.test(String(r.alert))) problems.push('alert name must be Kalshi<CamelCase>');
    if (typeof r.for !== 'string' || !/^(\d+[smh])+$/.test(r.for) || r.for === '0s') problems.push(`for ${JSON.stringify(r.for)} must be a positive duration`);
    if (!['critical', 'warning'].includes(String(r.labels?.severity))) problems.push(`severity ${JSON.stringify(r.labels?.severity)} must be critical or warning`);
    if (!r.labels?.component) problems.push('no component label');
    for (const a of ['summary', 'description', 'runbook']) if (typeof r.annotations?.[a] !== 'string' || r.annotations[a].trim().length < 10) problems.push(`annotation ${a} missing or too short`);
    expect(problems).toEqual([]);
  });

  it('passes the structural check the chart applies to its PrometheusRule (validate.ts)', () => {
    expect(prometheusRuleIssues(file as unknown as Record<string, unknown>)).toEqual([]);
  });

  it.each(rules.map((r) => [r.alert, r.expr] as const))('%s reads only contract metrics, with their labels', (_name, expr) => {
    expect(contractProblems(expr)).toEqual([]);
  });

  it.each(alerts.map((r) => [r.alert, r] as const))('%s: its annotations use only labels its expression keeps', (_name, r) => {
    const scan = scanPromql(r.expr);
    // an aggregation keeps only its `by` labels (histogram_quantile then drops le); without one, every label survives
    const kept = /\b(by)\s*\(/.test(r.expr) ? new Set(scan.groupingLabels.filter((l) => l !== 'le')) : undefined;
    const used = Object.values(r.annotations ?? {}).flatMap((v) => [...v.matchAll(/\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)/g)].map((m) => m[1]));
    expect(used.filter((l) => kept && !kept.has(l))).toEqual([]);
    for (const v of Object.values(r.annotations ?? {})) expect(v.split('{{').length).toBe(v.split('}}').length);
  });

  it('every expression parses (promtool check rules)', () => {
    const r = promtool(['check', 'rules', ALERTS_FILE]);
    if (!r) return;
    expect([r.status, r.output]).toEqual([0, expect.stringContaining(`SUCCESS: ${rules.length} rules found`)]);
  });

  it(`fires as stated in its unit tests (promtool test rules ${ALERTS_TEST_FILE})`, () => {
    const r = promtool(['test', 'rules', ALERTS_TEST_FILE]);
    if (!r) return;
    expect([r.status, r.output]).toEqual([0, expect.stringContaining('SUCCESS')]);
  });

  it('every alert has a unit test in which it fires', () => {
    const tests = (parseYaml(read(ALERTS_TEST_FILE)) as { tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }> }).tests;
    const firing = new Set(tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => (a.exp_alerts ?? []).length > 0).map((a) => a.alertname)));
    expect(names.filter((n) => !firing.has(n))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// dashboards

interface Target {
  refId?: string;
  expr?: string;
  rawSql?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id?: number;
  type?: string;
  title?: string;
  gridPos?: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  tags?: string[];
  panels?: Panel[];
  templating?: { list?: Array<{ query?: unknown; datasource?: unknown }> };
}

const COMPOSE_DASHBOARDS_DIR = 'deploy/compose/grafana/dashboards';
const jsonIn = (dir: string) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: `${dir}/${f}`, text: read(`${dir}/${f}`) }));
const dashboards = jsonIn(DASHBOARDS_DIR);
const composeDashboards = jsonIn(COMPOSE_DASHBOARDS_DIR);
const allPanels = (ps: Panel[] = []): Panel[] => ps.flatMap((p) => [p, ...allPanels(p.panels)]);

const datasources = (parseYaml(read('deploy/compose/grafana/provisioning/datasources/datasources.yml')) as { datasources: Array<{ uid: string; type: string }> }).datasources;
const prometheusUid = datasources.find((d) => d.type === 'prometheus')?.uid;

/** Every Prometheus query of a dashboard: file, panel id and title, refId, expression (Grafana variables substituted). */
function queries(file: string, d: Dashboard): Array<{ where: string; name: string; expr: string }> {
  const stem = file.replace(/^.*\//, '').replace(/\.json$/, '').replace(/[^a-zA-Z0-9_]/g, '_');
  return allPanels(d.panels).flatMap((p) =>
    (p.targets ?? [])
      .filter((t) => (t.datasource?.type ?? p.datasource?.type) === 'prometheus')
      .map((t) => ({ where: `${file} panel ${p.id} "${p.title}" ${t.refId}`, name: `dashboard:${stem}:panel_${p.id}_${t.refId}`, expr: substituteGrafanaVariables(String(t.expr ?? '')) })),
  );
}

describe(`Grafana dashboards (${DASHBOARDS_DIR})`, () => {
  const parsed = dashboards.map(({ file, text }) => ({ file, d: JSON.parse(text) as Dashboard }));

  it('are the feed, ticker plant, detection and execution dashboards, with unique uids (the compose overview included)', () => {
    expect(parsed.map((p) => p.d.uid).sort()).toEqual(['kalshi-detection', 'kalshi-execution', 'kalshi-feed', 'kalshi-ticker-plant']);
    const uids = [...parsed, ...composeDashboards.map(({ file, text }) => ({ file, d: JSON.parse(text) as Dashboard }))].map((p) => p.d.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('a Prometheus datasource is provisioned with a uid', () => {
    expect(prometheusUid).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  describe.each(parsed.map((p) => [p.file, p.d] as const))('%s', (file, d) => {
    const panels = allPanels(d.panels);

    it('has a title, a schemaVersion, the kalshi-platform tag and panels', () => {
      expect(d.title).toMatch(/^Kalshi platform: /);
      expect(typeof d.schemaVersion).toBe('number');
      expect(d.tags).toContain('kalshi-platform');
      expect(panels.filter((p) => p.type !== 'row').length).toBeGreaterThan(4);
      expect(d.templating?.list ?? []).toEqual([]); // no variables: nothing to resolve but the $__ intervals
    });

    it('has unique panel ids and a layout in 24 columns without overlaps', () => {
      const ids = panels.map((p) => p.id);
      expect(ids.every((id) => Number.isInteger(id))).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      const cells = new Map<string, number | undefined>();
      const overlaps: string[] = [];
      for (const p of panels) {
        const g = p.gridPos;
        expect([p.id, g && g.w > 0 && g.h > 0 && g.x >= 0 && g.x + g.w <= 24]).toEqual([p.id, true]);
        if (!g) continue;
        for (let x = g.x; x < g.x + g.w; x++) {
          for (let y = g.y; y < g.y + g.h; y++) {
            const k = `${x},${y}`;
            if (cells.has(k)) overlaps.push(`panel ${p.id} overlaps panel ${cells.get(k)} at ${k}`);
            cells.set(k, p.id);
          }
        }
      }
      expect(overlaps.slice(0, 3)).toEqual([]);
    });

    it('queries the provisioned Prometheus datasource (by uid) in every panel and target, with unique refIds', () => {
      const wrong: string[] = [];
      for (const p of panels.filter((x) => x.type !== 'row')) {
        if (p.datasource?.type !== 'prometheus' || p.datasource.uid !== prometheusUid) wrong.push(`panel ${p.id}: datasource ${JSON.stringify(p.datasource)}`);
        const targets = p.targets ?? [];
        if (targets.length === 0) wrong.push(`panel ${p.id}: no targets`);
        if (new Set(targets.map((t) => t.refId)).size !== targets.length) wrong.push(`panel ${p.id}: duplicate refIds`);
        for (const t of targets) {
          if (t.datasource?.type !== 'prometheus' || t.datasource.uid !== prometheusUid) wrong.push(`panel ${p.id} ${t.refId}: datasource ${JSON.stringify(t.datasource)}`);
          if (typeof t.expr !== 'string' || t.expr.trim() === '') wrong.push(`panel ${p.id} ${t.refId}: no expr`);
        }
      }
      expect(wrong).toEqual([]);
    });

    it('reads only contract metrics, with their labels, in every query', () => {
      const problems = queries(file, d).flatMap((q) => contractProblems(q.expr).map((m) => `${q.where}: ${m}`));
      expect(problems).toEqual([]);
    });

    it('has queries that parse (promtool check rules)', () => {
      const errors = promtoolParse(queries(file, d));
      if (errors) expect(errors).toEqual([]);
    });
  });

  it(`the compose overview (${COMPOSE_DASHBOARDS_DIR}) uses contract metrics in its Prometheus queries too`, () => {
    const qs = composeDashboards.flatMap(({ file, text }) => queries(file, JSON.parse(text) as Dashboard));
    expect(qs.length).toBeGreaterThan(0);
    expect(qs.flatMap((q) => contractProblems(q.expr).map((m) => `${q.where}: ${m}`))).toEqual([]);
    const errors = promtoolParse(qs);
    if (errors) expect(errors).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// the checks themselves can fail

describe('the checks catch mistakes', () => {
  it('a metric outside the contract, a label it does not have, an unknown stage, an unknown function', () => {
    expect(contractProblems('rate(kalshi_ingest_frames_totl[5m])')).toEqual(['metric kalshi_ingest_frames_totl is not in the metric contract']);
    expect(contractProblems('sum by (kind) (kalshi_ingest_frames_total{kind="x"})')).toEqual(['kalshi_ingest_frames_total: label kind is neither a label of the metric nor a target label']);
    expect(contractProblems('kalshi_stage_latency_seconds_count{stage="ingestion"}')).toEqual(['kalshi_stage_latency_seconds_count: stage ingestion is not one of ingest|ticker_plant|detection|execution']);
    expect(contractProblems('rated(kalshi_ingest_frames_total[5m])')).toEqual(['unknown function rated']);
    expect(contractProblems('sum(rate(kalshi_ingest_frames_total[5m])')).toEqual(['unclosed (']);
  });

  it('the scanner sees through functions, aggregations, label lists, strings, offsets and subqueries', () => {
    const s = scanPromql(
      'histogram_quantile(0.99, sum by (stage, le) (rate(kalshi_stage_latency_seconds_bucket{stage="ingest", job=~"a|b"}[1h] offset 30m))) > on (stage) group_left 2 * max_over_time(up[10m:1m]) and time() - kalshi_ingest_last_frame_timestamp_seconds > 1e3',
    );
    expect(s.problems).toEqual([]);
    expect(s.metrics).toEqual(['kalshi_stage_latency_seconds_bucket', 'up', 'kalshi_ingest_last_frame_timestamp_seconds']);
    expect(s.groupingLabels).toEqual(['stage', 'le']);
    expect(s.functions).toEqual(['histogram_quantile', 'sum', 'rate', 'max_over_time', 'time']);
  });

  it('promtool refuses an expression that does not parse', () => {
    const errors = promtoolParse([
      { name: 'ok', expr: 'sum(rate(up[5m]))' },
      { name: 'broken', expr: 'sum(rate(up[5m])) by' },
    ]);
    if (!errors) return;
    expect(errors.join('\n')).toMatch(/broken/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// provisioning: docker-compose and the chart

describe('provisioning', () => {
  type Service = { volumes?: string[]; command?: unknown };
  const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
  const mounts = (s: string) =>
    (compose.services[s].volumes ?? []).map((v) => {
      const [src, dst] = v.split(':');
      return { src, dst };
    });

  it("docker-compose's Prometheus loads deploy/prometheus/alerts.yml (rule_files) and nothing else from deploy/prometheus", () => {
    const prom = parseYaml(read('deploy/compose/prometheus.yml')) as { rule_files?: string[] };
    const m = mounts('prometheus').find((x) => x.src === `./${ALERTS_FILE}`);
    expect(m).toBeDefined();
    expect(prom.rule_files).toEqual([m?.dst]);
    expect(mounts('prometheus').filter((x) => x.src.startsWith('./deploy/prometheus')).length).toBe(1); // not the unit tests
  });

  it("docker-compose's prometheus.yml is a valid configuration with its rules (promtool check config)", () => {
    const prom = read('deploy/compose/prometheus.yml').replace(/^(\s*-\s*)\/etc\/prometheus\/rules\/alerts\.yml$/m, `$1${join(root, ALERTS_FILE)}`);
    const file = join(tmp, 'prometheus.yml');
    writeFileSync(file, prom);
    const r = promtool(['check', 'config', file]);
    if (!r) return;
    expect([r.status, r.output]).toEqual([0, expect.stringContaining('1 rule files found')]);
  });

  it('a Grafana dashboard provider reads the directory docker-compose mounts deploy/grafana/dashboards at', () => {
    const providers = (parseYaml(read('deploy/compose/grafana/provisioning/dashboards/dashboards.yml')) as { providers: Array<{ name: string; type: string; options: { path: string } }> }).providers;
    const m = mounts('grafana').find((x) => x.src === `./${DASHBOARDS_DIR}`);
    expect(m).toBeDefined();
    expect(providers.filter((p) => p.type === 'file' && p.options.path === m?.dst).length).toBe(1);
    // every provider's path is mounted, and no provider's path holds another's (that would load dashboards twice)
    for (const p of providers) expect([p.name, mounts('grafana').some((x) => x.dst === p.options.path)]).toEqual([p.name, true]);
    for (const a of providers) for (const b of providers) if (a !== b) expect(b.options.path.startsWith(`${a.options.path}/`)).toBe(false);
    expect(providers.map((p) => p.name).length).toBe(new Set(providers.map((p) => p.name)).size);
  });

  it("the Helm chart's copies (files/) are identical to deploy/ (the chart's PrometheusRule and dashboard ConfigMaps)", () => {
    expect(read(CHART_ALERTS_FILE)).toBe(read(ALERTS_FILE));
    expect(jsonIn(CHART_DASHBOARDS_DIR).map((x) => [x.file.replace(/^.*\//, ''), x.text])).toEqual(dashboards.map((x) => [x.file.replace(/^.*\//, ''), x.text]));
  });
});
