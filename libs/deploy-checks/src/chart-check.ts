/**
 * The checks of charts/kalshi-platform (CI: `node tools/chart-check.cjs`; the Jest test runs the same in a child
 * process and asserts each check):
 *
 * - `helm lint --strict` with the default values and with values-production.yaml;
 * - `helm template` of both (tests and CRDs included): every document parses as strict YAML and validates against its
 *   model (validate.ts: kubernetes-models, client-node field names, the CRD schemas), and the references between the
 *   objects hold (crossCheck);
 * - the contracts other parts of the platform rely on (one image, app chosen by args, ports, probes, env names, paper
 *   mode by default, the TickerPlant instead of a ticker-plant Deployment, ...);
 * - values that break the schema or the chart's rules are refused by Helm with a message naming the field;
 * - the chart's CRD is the operator's generated k8s/crd file; k8s/manifests/kalshi-platform.yaml is up to date.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ensureHelm, repoRoot, runHelm, type HelmResult } from './helm';
import {
  ALERTS_FILE,
  CHART_ALERTS_FILE,
  CHART_DASHBOARDS_DIR,
  CHART_DIR,
  CHECK_NAMES,
  DASHBOARDS_DIR,
  GENERATED_SECRET_ANNOTATION,
  GRAFANA_DASHBOARD_LABEL,
  IMAGE_COMMANDS,
  MANIFESTS_FILE,
  MONITORING_CRD_FIXTURES,
  NAMESPACE,
  OPERATOR_CRD_FILE,
  OPERATOR_RBAC_FILES,
  PROFILES,
  RELEASE,
  REFUSAL_CASES,
  type Check,
  type Report,
} from './constants';
import { crossCheck, describe, loadValidators, parseRendered, validateDocs, type Issue, type RenderedDoc, type Validators } from './validate';

export * from './constants';

/** `helm template` arguments of a rendering under test. */
function templateArgs(root: string, valuesFiles: string[], extra: string[] = []): string[] {
  return ['template', RELEASE, join(root, CHART_DIR), '--namespace', NAMESPACE, ...valuesFiles.flatMap((f) => ['-f', f]), ...extra];
}

/** Values (chart defaults deep-merged with the files) — enough to find the existing Secrets they name. */
function mergedValues(root: string, valuesFiles: string[]): Record<string, unknown> {
  const merge = (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> => {
    const out = { ...a };
    for (const [k, v] of Object.entries(b)) {
      out[k] = v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object' ? merge(out[k] as Record<string, unknown>, v as Record<string, unknown>) : v;
    }
    return out;
  };
  let values = parseYaml(readFileSync(join(root, CHART_DIR, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  for (const f of valuesFiles) values = merge(values, (parseYaml(readFileSync(f, 'utf8')) ?? {}) as Record<string, unknown>);
  return values;
}

/** Secret names that values declare as existing (`existingSecret`, `credentialsSecret`). */
function externalSecrets(values: unknown, out: string[] = []): string[] {
  if (values && typeof values === 'object') {
    for (const [k, v] of Object.entries(values)) {
      if (/^(existingSecret|credentialsSecret)$/.test(k) && typeof v === 'string' && v) out.push(v);
      else externalSecrets(v, out);
    }
  }
  return out;
}

const fmt = (issues: Issue[]): string[] => issues.map((i) => `${i.where}: ${i.message}`);

/**
 * The plain manifests: `helm template` with the default values (release and namespace `kalshi-platform`, CRDs, no
 * test hook), without the Secrets whose data the chart generates, under a header that says how to create them.
 */
export function renderPlainManifests(helm: string, root: string = repoRoot()): string {
  const r = runHelm(helm, templateArgs(root, [], ['--include-crds', '--skip-tests']), root);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  const chunks = r.stdout.split(/^---\s*$/m).filter((c) => c.trim() !== '');
  const kept: string[] = [];
  const generated: string[] = [];
  for (const chunk of chunks) {
    const obj = parseYaml(chunk) as RenderedDoc['obj'] | null;
    if (!obj) continue;
    if (obj.kind === 'Secret' && obj.metadata?.annotations?.[GENERATED_SECRET_ANNOTATION] === 'true') generated.push(String(obj.metadata.name));
    else kept.push(chunk.replace(/^\n+/, '').replace(/\s+$/, '\n'));
  }
  const chart = parseYaml(readFileSync(join(root, CHART_DIR, 'Chart.yaml'), 'utf8')) as { version: string; appVersion: string };
  const header = [
    `# kalshi-platform ${chart.appVersion}: plain Kubernetes manifests, for clusters without Helm.`,
    `# GENERATED from ${CHART_DIR} (chart ${chart.version}) with its default values (a paper install: mock exchange,`,
    `# in-cluster NATS, PostgreSQL, Redis, QuestDB), release "${RELEASE}", namespace "${NAMESPACE}".`,
    '# Do not edit: regenerate with `node tools/chart-check.cjs --write-manifests`; CI fails when this file is stale.',
    '#',
    '# Install:',
    `#   kubectl create namespace ${NAMESPACE}`,
    ...generated.map((name) => `#   kubectl -n ${NAMESPACE} create secret generic ${name} --from-literal=password="$(openssl rand -hex 24)"`),
    `#   kubectl apply -f ${OPERATOR_CRD_FILE}            # the TickerPlant CRD first (also below)`,
    `#   kubectl -n ${NAMESPACE} apply -f ${MANIFESTS_FILE}`,
    '# Execution needs Kalshi credentials: a Secret with KALSHI_API_KEY_ID and private-key.pem, then add it to the',
    '# execution Deployment as the chart does with kalshi.existingSecret (or use the chart: helm install ... --set kalshi.existingSecret=...).',
    '',
  ].join('\n');
  return `${header}---\n${kept.join('---\n')}`;
}

/** Renders NOTES.txt (Helm does not render it without a cluster): a copy of the chart renders it as a document. */
export function renderNotes(helm: string, root: string, setArgs: string[]): HelmResult & { notes?: string } {
  const tmp = mkdtempSync(join(tmpdir(), 'chart-notes-'));
  try {
    const chart = join(tmp, 'kalshi-platform');
    cpSync(join(root, CHART_DIR), chart, { recursive: true });
    cpSync(join(chart, 'templates', 'NOTES.txt'), join(chart, 'zz-notes.txt'));
    writeFileSync(join(chart, 'templates', 'zz-notes-render.yaml'), 'notes: {{ tpl (.Files.Get "zz-notes.txt") . | toJson }}\n');
    const r = runHelm(helm, ['template', RELEASE, chart, '--namespace', NAMESPACE, '--show-only', 'templates/zz-notes-render.yaml', ...setArgs], root);
    return r.status === 0 ? { ...r, notes: (parseYaml(r.stdout) as { notes: string }).notes } : r;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Contract assertions on a rendering; `profile` picks what is expected. */
export function contractIssues(docs: RenderedDoc[], profile: 'default' | 'production' | 'options', appVersion: string): string[] {
  const out: string[] = [];
  const find = (kind: string, name: string) => docs.find((d) => d.obj.kind === kind && d.obj.metadata?.name === name)?.obj as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  const prefix = `${RELEASE}-`;
  const image = `ghcr.io/kalshi-platform/kalshi-platform:${appVersion}`;
  const config = (app: string): Record<string, string> => (find('ConfigMap', prefix + app)?.data as Record<string, string>) ?? {};
  const container = (kind: string, app: string) => find(kind, prefix + app)?.spec?.template?.spec?.containers?.[0];
  const expect = (cond: unknown, msg: string) => {
    if (!cond) out.push(msg);
  };

  const apps = profile === 'production' ? ['ingestion', 'detection', 'execution', 'operator'] : ['ingestion', 'detection', 'execution', 'exchange', 'operator'];
  for (const app of apps) {
    const c = container('Deployment', app);
    expect(c, `Deployment ${prefix}${app} is missing`);
    if (!c) continue;
    if (profile !== 'options') expect(c.image === image, `${app}: image ${c.image}, expected ${image} (one image, tag = appVersion)`);
    expect(c.args?.[0] === app, `${app}: args[0] is ${JSON.stringify(c.args?.[0])}, expected "${app}"`);
  }
  for (const d of docs) {
    const kind = d.obj.kind;
    if ((kind === 'Deployment' || kind === 'StatefulSet') && /ticker-plant/.test(String(d.obj.metadata?.name))) out.push(`${describe(d)}: the ticker plant must be a TickerPlant for the operator, not a ${kind}`);
  }
  for (const app of ['ingestion', 'detection', 'operator']) expect(config(app).HEALTH_PORT === '8081', `${app}: HEALTH_PORT is ${config(app).HEALTH_PORT}, expected 8081`);
  for (const app of ['ingestion', 'detection', 'operator']) {
    const c = container('Deployment', app);
    expect(c?.readinessProbe?.httpGet?.path === '/readyz' && c?.livenessProbe?.httpGet?.path === '/healthz', `${app}: probes must be /healthz (liveness) and /readyz (readiness)`);
    expect(c?.ports?.some((p: { containerPort: number }) => p.containerPort === 8081), `${app}: no container port 8081`);
  }
  const ex = container('Deployment', 'execution');
  expect(ex?.ports?.some((p: { containerPort: number }) => p.containerPort === 8090), 'execution: no container port 8090');
  expect(ex?.livenessProbe?.httpGet?.path === '/healthz' && ex?.readinessProbe?.httpGet?.path === '/readyz', 'execution: probes must be /healthz and /readyz');
  expect(config('execution').EXECUTION_MODE === 'paper', `execution: EXECUTION_MODE is ${config('execution').EXECUTION_MODE}, expected paper`);
  expect(config('execution').EXECUTION_HTTP_PORT === '8090', 'execution: EXECUTION_HTTP_PORT must be 8090');
  expect(find('Deployment', `${prefix}execution`)?.spec?.strategy?.type === 'Recreate', 'execution: one replica with the Recreate strategy (never two at once)');
  for (const app of ['ingestion', 'detection', 'execution', 'operator']) expect(/^nats:\/\//.test(config(app).NATS_URL ?? ''), `${app}: NATS_URL missing`);

  const tp = find('TickerPlant', 'main');
  expect(tp, 'TickerPlant main is missing');
  if (tp) {
    expect(tp.spec.image === container('Deployment', 'ingestion')?.image, `TickerPlant: image ${tp.spec.image}, not the apps' image`);
    expect(tp.spec.shards <= (tp.spec.partitions ?? 64), 'TickerPlant: shards must not exceed partitions (the CRD rule)');
    const reserved = ['NATS_URL', 'SHARD_COUNT', 'PARTITION_COUNT', 'TICKERPLANT_NAME', 'ASSIGNMENT_BUCKET', 'HEALTH_PORT'];
    for (const e of tp.spec.env ?? []) expect(!reserved.includes(e.name), `TickerPlant: env ${e.name} is reserved to the operator (the CRD rule)`);
    expect(String(tp.spec.partitions) === config('ingestion').PARTITION_COUNT, 'ingestion PARTITION_COUNT must equal the TickerPlant partitions');
  }
  expect(find('Role', `${prefix}operator`), 'operator Role is missing');
  expect(find('NetworkPolicy', `${prefix}default-deny`), 'default-deny NetworkPolicy is missing');
  if (profile === 'options') expect(!find('HorizontalPodAutoscaler', `${prefix}detection`) && find('Deployment', `${prefix}detection`)?.spec?.replicas === 2, 'options: detection without HPA runs detection.replicas');
  else expect(find('HorizontalPodAutoscaler', `${prefix}detection`) && find('Deployment', `${prefix}detection`)?.spec?.replicas === undefined, 'detection: the HPA owns the replicas');
  for (const app of ['ingestion', 'detection', 'execution', 'operator']) expect(find('PodDisruptionBudget', prefix + app), `PodDisruptionBudget ${prefix}${app} is missing`);
  expect(docs.some((d) => d.obj.kind === 'Pod' && d.obj.metadata?.annotations?.['helm.sh/hook'] === 'test'), 'helm test pod is missing');
  if (profile === 'options') {
    const mm = container('Deployment', 'market-maker');
    expect(mm?.args?.[0] === 'market-maker' && mm.args.includes(`--exchange=http://${prefix}exchange:8080`), 'options: the market maker quotes on the mock exchange');
    expect(config('market-maker').HEALTH_PORT === '8081', 'options: market maker HEALTH_PORT 8081');
    const det = container('Deployment', 'detection');
    expect(det?.env?.some((e: { name: string; valueFrom?: { secretKeyRef?: unknown } }) => e.name === 'ODDS_API_KEY' && e.valueFrom?.secretKeyRef), 'options: ODDS_API_KEY from a Secret');
    expect(config('detection').SPORTSBOOK_BANKROLL_DOLLARS === '1000.00', 'options: the sportsbook settings with an odds source');
    expect(config('execution').EXECUTION_ROUTE === 'fix' && config('execution').KALSHI_FIX_HOST === `${prefix}exchange` && config('execution').KALSHI_FIX_PORT === '9878', 'options: route fix to the mock exchange FIX port');
    expect(container('Deployment', 'ingestion')?.env?.some((e: { name: string }) => e.name === 'KALSHI_PRIVATE_KEY_PATH'), 'options: KALSHI_PRIVATE_KEY_PATH with credentials');
    expect(config('ingestion').NATS_URL === 'nats://nats.messaging.svc:4222', 'options: external NATS');
    expect(docs.some((d) => d.obj.kind === 'PrometheusRule'), 'options: PrometheusRule missing');
    expect(docs.some((d) => d.obj.kind === 'ConfigMap' && d.obj.metadata?.labels?.[GRAFANA_DASHBOARD_LABEL] === '1'), 'options: Grafana dashboard ConfigMaps missing');
    return out;
  }
  const natsConf = String(find('ConfigMap', `${RELEASE}-nats-config`)?.data?.['nats.conf'] ?? '');
  expect(/jetstream \{/.test(natsConf), 'NATS runs without JetStream');

  if (profile === 'default') {
    const xc = container('Deployment', 'exchange');
    expect(xc?.ports?.some((p: { containerPort: number }) => p.containerPort === 8080) && xc?.ports?.some((p: { containerPort: number }) => p.containerPort === 9878), 'exchange: ports 8080 and 9878');
    expect(xc?.readinessProbe?.httpGet?.path === '/trade-api/v2/exchange/status', 'exchange: readiness on /trade-api/v2/exchange/status');
    expect(config('ingestion').KALSHI_REST_URL === `http://${prefix}exchange:8080/trade-api/v2`, 'ingestion: KALSHI_REST_URL must be the mock exchange');
    expect(!find('Deployment', `${prefix}market-maker`), 'market maker must be off by default');
    expect(!docs.some((d) => d.obj.kind === 'ServiceMonitor'), 'ServiceMonitor must be off by default');
    expect(!docs.some((d) => d.obj.kind === 'PrometheusRule'), 'PrometheusRule must be off by default');
    expect(!docs.some((d) => d.obj.metadata?.labels?.[GRAFANA_DASHBOARD_LABEL] !== undefined), 'Grafana dashboard ConfigMaps must be off by default');
    for (const s of ['postgresql', 'redis', 'questdb']) expect(find('StatefulSet', prefix + s), `StatefulSet ${prefix}${s} is missing`);
  } else {
    expect(!find('Deployment', `${prefix}exchange`) && !find('Deployment', `${prefix}market-maker`), 'production: no mock exchange, no market maker');
    for (const s of ['postgresql', 'redis', 'questdb']) expect(!find('StatefulSet', prefix + s), `production: ${s} must be external`);
    expect(config('ingestion').KALSHI_REST_URL === 'https://external-api.kalshi.com/trade-api/v2', 'production: ingestion reads Kalshi production');
    expect(config('execution').KALSHI_REST_URL === 'https://demo-api.kalshi.co/trade-api/v2', 'production: paper execution trades on Kalshi demo');
    expect(docs.some((d) => d.obj.kind === 'ServiceMonitor'), 'production: ServiceMonitor missing');
    expect(docs.some((d) => d.obj.kind === 'PrometheusRule'), 'production: PrometheusRule missing');
    expect(docs.some((d) => d.obj.kind === 'ConfigMap' && d.obj.metadata?.labels?.[GRAFANA_DASHBOARD_LABEL] === '1'), 'production: Grafana dashboard ConfigMaps missing');
  }
  return out;
}

/** Datasource uids of a dashboard's Prometheus panels and targets. */
function prometheusDatasourceUids(dashboard: unknown, out: string[] = []): string[] {
  if (Array.isArray(dashboard)) for (const x of dashboard) prometheusDatasourceUids(x, out);
  else if (dashboard && typeof dashboard === 'object') {
    const ds = (dashboard as { datasource?: { type?: string; uid?: string } }).datasource;
    if (ds && typeof ds === 'object' && ds.type === 'prometheus') out.push(String(ds.uid));
    for (const v of Object.values(dashboard)) prometheusDatasourceUids(v, out);
  }
  return out;
}

/**
 * The chart's alert rules and dashboards are the repository's (deploy/prometheus/alerts.yml, deploy/grafana/dashboards):
 * byte-identical copies under files/, rendered without loss (the PrometheusRule's groups are the rule file's, each
 * dashboard ConfigMap holds the dashboard), and the values that change them do what they say (the options profile:
 * disabledAlerts, additionalRuleLabels, datasourceUid).
 */
function observabilityIssues(root: string, rendered: Map<string, RenderedDoc[]>): string[] {
  const out: string[] = [];
  const read = (f: string) => (existsSync(join(root, f)) ? readFileSync(join(root, f), 'utf8') : undefined);
  const alerts = read(ALERTS_FILE);
  if (alerts === undefined) return [`${ALERTS_FILE} is missing`];
  if (read(CHART_ALERTS_FILE) !== alerts) out.push(`${CHART_ALERTS_FILE} differs from ${ALERTS_FILE}: cp ${ALERTS_FILE} ${CHART_ALERTS_FILE}`);
  const jsonFiles = (dir: string) => (existsSync(join(root, dir)) ? readdirSync(join(root, dir)).filter((f) => f.endsWith('.json')).sort() : []);
  const dashboards = jsonFiles(DASHBOARDS_DIR);
  if (dashboards.length === 0) out.push(`${DASHBOARDS_DIR} has no dashboards`);
  if (!isDeepStrictEqual(jsonFiles(CHART_DASHBOARDS_DIR), dashboards) || dashboards.some((f) => read(`${CHART_DASHBOARDS_DIR}/${f}`) !== read(`${DASHBOARDS_DIR}/${f}`))) {
    out.push(`${CHART_DASHBOARDS_DIR} differs from ${DASHBOARDS_DIR}: rm ${CHART_DASHBOARDS_DIR}/*.json && cp ${DASHBOARDS_DIR}/*.json ${CHART_DASHBOARDS_DIR}/`);
  }
  const groups = (parseYaml(alerts) as { groups: Array<{ name: string; rules: Array<{ alert?: string; labels?: Record<string, string> }> }> }).groups;
  const alertCount = groups.reduce((n, g) => n + g.rules.length, 0);
  const dashboardMaps = (docs: RenderedDoc[]) => docs.filter((d) => d.obj.kind === 'ConfigMap' && d.obj.metadata?.labels?.[GRAFANA_DASHBOARD_LABEL] === '1');
  for (const profile of ['production', 'options'] as const) {
    const docs = rendered.get(profile) ?? [];
    const rule = docs.find((d) => d.obj.kind === 'PrometheusRule');
    const ruleGroups = (rule?.obj.spec as { groups?: typeof groups } | undefined)?.groups;
    const maps = dashboardMaps(docs);
    if (!ruleGroups) out.push(`${profile}: no PrometheusRule with groups`);
    else if (profile === 'production' && !isDeepStrictEqual(ruleGroups, groups)) out.push(`production: the PrometheusRule's groups are not those of ${ALERTS_FILE}`);
    else if (profile === 'options') {
      const rules = ruleGroups.flatMap((g) => g.rules);
      if (rules.length !== alertCount - 1 || rules.some((r) => r.alert === 'KalshiTickStoreBacklog')) out.push('options: disabledAlerts [KalshiTickStoreBacklog] must leave out exactly that alert');
      if (rules.some((r) => r.labels?.team !== 'trading')) out.push('options: additionalRuleLabels (team: trading) must be on every rule');
    }
    for (const f of dashboards) {
      const m = maps.find((d) => typeof (d.obj.data as Record<string, string> | undefined)?.[f] === 'string');
      if (!m) {
        out.push(`${profile}: no dashboard ConfigMap holds ${f}`);
        continue;
      }
      const want = JSON.parse(read(`${DASHBOARDS_DIR}/${f}`) ?? 'null') as unknown;
      const have = JSON.parse((m.obj.data as Record<string, string>)[f]) as unknown;
      if (profile === 'production' && !isDeepStrictEqual(have, want)) out.push(`production: ConfigMap ${m.obj.metadata?.name} does not hold ${DASHBOARDS_DIR}/${f} unchanged`);
      if (profile === 'options') {
        const uids = [...new Set(prometheusDatasourceUids(have))];
        if (!isDeepStrictEqual(uids, ['prom-main'])) out.push(`options: ${f} must query datasource uid prom-main (grafanaDashboards.datasourceUid), has ${uids.join(', ')}`);
      }
    }
    if (maps.length !== dashboards.length) out.push(`${profile}: ${maps.length} dashboard ConfigMaps for ${dashboards.length} dashboards`);
  }
  return out;
}

/** Runs every check; never throws for a failed check (only for a broken environment, e.g. no npm). */
export async function runChartChecks(opts: { root?: string; log?: (msg: string) => void } = {}): Promise<Report> {
  const root = opts.root ?? repoRoot();
  const log = opts.log ?? (() => undefined);
  const t0 = Date.now();
  const helm = ensureHelm(root, log);
  const checks: Check[] = [];
  const check = async (name: string, fn: () => Promise<string[]> | string[]): Promise<void> => {
    const t = Date.now();
    let details: string[];
    try {
      details = await fn();
    } catch (e) {
      details = [`error: ${(e as Error).stack ?? e}`];
    }
    const c = { name, ok: details.length === 0, details, ms: Date.now() - t };
    checks.push(c);
    log(`${c.ok ? 'ok  ' : 'FAIL'} ${name} (${c.ms} ms)${c.ok ? '' : `\n${details.map((d) => `       ${d}`).join('\n')}`}`);
  };
  const chartPath = join(root, CHART_DIR);
  const appVersion = String((parseYaml(readFileSync(join(chartPath, 'Chart.yaml'), 'utf8')) as { appVersion: string }).appVersion);

  const version = runHelm(helm, ['version', '--short'], root);
  log(`helm ${version.stdout.trim()} (${helm})`);

  for (const { label, valuesFiles } of PROFILES) {
    const files = valuesFiles.map((f) => join(root, f));
    await check(CHECK_NAMES.lint(label), () => {
      const r = runHelm(helm, ['lint', '--strict', chartPath, ...files.flatMap((f) => ['-f', f])], root);
      return r.status === 0 ? [] : [`exit ${r.status}`, ...`${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /ERROR|WARNING|Error/.test(l))];
    });
  }

  const crdFiles = readdirSync(join(chartPath, 'crds'))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => ({ path: join(chartPath, 'crds', f), origin: `${CHART_DIR}/crds/${f}` }));
  for (const f of MONITORING_CRD_FIXTURES) crdFiles.push({ path: join(__dirname, 'fixtures', f.file), origin: f.origin });
  let validators: Validators | undefined;
  await check(CHECK_NAMES.validators, async () => {
    validators = await loadValidators(root, crdFiles);
    return [];
  });

  const rendered = new Map<string, RenderedDoc[]>();
  for (const { profile, label, valuesFiles } of PROFILES) {
    const files = valuesFiles.map((f) => join(root, f));
    let docs: RenderedDoc[] = [];
    await check(CHECK_NAMES.template(label), () => {
      const r = runHelm(helm, templateArgs(root, files, ['--include-crds']), root);
      if (r.status !== 0) return [`exit ${r.status}: ${r.stderr.trim()}`];
      const parsed = parseRendered(r.stdout);
      docs = parsed.docs;
      rendered.set(profile, docs);
      return [...fmt(parsed.issues), ...(docs.length === 0 ? ['no documents'] : [])];
    });
    await check(CHECK_NAMES.validate(label), async () => {
      if (!validators) return ['validators did not load'];
      if (docs.length === 0) return ['nothing rendered'];
      return fmt(await validateDocs(validators, docs));
    });
    await check(CHECK_NAMES.references(label), () => {
      const values = mergedValues(root, files);
      // the shard pods and their headless Service, as the operator labels them (apps/operator/src/resources.ts)
      const shardLabels = { 'app.kubernetes.io/name': 'ticker-plant', 'app.kubernetes.io/instance': String((values.tickerPlant as { name: string }).name) };
      return fmt(
        crossCheck(docs, {
          externalSecrets: externalSecrets(values),
          externalPodLabels: [shardLabels],
          externalServices: [{ labels: shardLabels, ports: ['health'] }],
          platformImage: 'ghcr.io/kalshi-platform/kalshi-platform',
          apps: IMAGE_COMMANDS,
        }),
      );
    });
    await check(CHECK_NAMES.contract(label), () => (docs.length ? contractIssues(docs, profile, appVersion) : ['nothing rendered']));
  }

  const tmp = mkdtempSync(join(tmpdir(), 'chart-values-'));
  try {
    for (const c of REFUSAL_CASES) {
      await check(CHECK_NAMES.refused(c.name), () => {
        const file = join(tmp, 'values.yaml');
        writeFileSync(file, c.values);
        const r = runHelm(helm, templateArgs(root, [file]), root);
        if (r.status === 0) return ['helm template accepted it (exit 0)'];
        const firstLines = r.stderr.trim().split('\n').slice(0, 4).join(' | ');
        return c.expect.test(r.stderr) ? [] : [`refused, but the message does not match ${c.expect}: ${firstLines}`];
      });
    }
    await check(CHECK_NAMES.refusedByLint, () => {
      const file = join(tmp, 'values.yaml');
      writeFileSync(file, REFUSAL_CASES[0].values);
      const r = runHelm(helm, ['lint', '--strict', chartPath, '-f', file], root);
      return r.status !== 0 && /execution\.mode/.test(r.stdout + r.stderr) ? [] : [`helm lint exit ${r.status}`];
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  await check(CHECK_NAMES.notes, () => {
    const out: string[] = [];
    const live = renderNotes(helm, root, ['--set', 'execution.mode=live', '--set', 'kalshi.restUrl=https://external-api.kalshi.com/trade-api/v2', '--set', 'kalshi.wsUrl=wss://external-api-ws.kalshi.com/trade-api/ws/v2', '--set', 'exchange.enabled=false']);
    if (live.notes === undefined) out.push(`live: ${live.stderr.trim()}`);
    else if (!/EXECUTION IS IN LIVE MODE: REAL ORDERS, REAL MONEY/.test(live.notes) || !/kill-switch/.test(live.notes)) out.push('live: no LIVE MODE banner with the kill switch');
    const paper = renderNotes(helm, root, []);
    if (paper.notes === undefined) out.push(`paper: ${paper.stderr.trim()}`);
    else if (/LIVE MODE/.test(paper.notes) || !/PAPER mode/.test(paper.notes)) out.push('paper: NOTES must say PAPER mode and no live banner');
    return out;
  });

  await check(CHECK_NAMES.crd, () => {
    const src = join(root, OPERATOR_CRD_FILE);
    if (!existsSync(src)) return [`${OPERATOR_CRD_FILE} is missing`];
    const copy = join(chartPath, 'crds', 'tickerplants.kalshi-platform.io.yaml');
    if (!existsSync(copy)) return [`${CHART_DIR}/crds/tickerplants.kalshi-platform.io.yaml is missing`];
    return readFileSync(src, 'utf8') === readFileSync(copy, 'utf8') ? [] : [`differs: cp ${OPERATOR_CRD_FILE} ${CHART_DIR}/crds/`];
  });

  await check(CHECK_NAMES.rbac, () => {
    type Rule = { apiGroups?: string[]; resources?: string[]; verbs?: string[]; resourceNames?: string[] };
    // (group, resource, verb, limited to names?) — the Lease's name depends on the release, so only whether it is limited
    const grants = (rules: Rule[]) =>
      new Set(rules.flatMap((r) => (r.apiGroups ?? []).flatMap((g) => (r.resources ?? []).flatMap((res) => (r.verbs ?? []).map((v) => `${g || 'core'} ${res} ${v}${r.resourceNames?.length ? ' (named)' : ''}`)))));
    const want = new Set<string>();
    for (const f of OPERATOR_RBAC_FILES) {
      if (!existsSync(join(root, f))) return [`${f} is missing`];
      for (const doc of parseAllDocuments(readFileSync(join(root, f), 'utf8'))) {
        const o = doc.toJS() as { kind?: string; rules?: Rule[] } | null;
        if (o?.kind === 'ClusterRole' || o?.kind === 'Role') for (const g of grants(o.rules ?? [])) want.add(g);
      }
    }
    const role = (rendered.get('default') ?? []).find((d) => d.obj.kind === 'Role' && d.obj.metadata?.name === `${RELEASE}-operator`);
    if (!role) return ['the operator Role is not rendered'];
    const have = grants((role.obj.rules as Rule[]) ?? []);
    return [...[...want].filter((g) => !have.has(g)).map((g) => `missing: ${g}`), ...[...have].filter((g) => !want.has(g)).map((g) => `not in k8s/rbac (more than the operator needs): ${g}`)];
  });

  await check(CHECK_NAMES.observability, () => observabilityIssues(root, rendered));

  await check(CHECK_NAMES.manifests, () => {
    const want = renderPlainManifests(helm, root);
    const file = join(root, MANIFESTS_FILE);
    if (!existsSync(file)) return [`missing: node tools/chart-check.cjs --write-manifests`];
    const have = readFileSync(file, 'utf8');
    if (have === want) return [];
    const a = have.split('\n');
    const b = want.split('\n');
    const i = a.findIndex((line, n) => line !== b[n]);
    return [`stale from line ${i + 1} (have ${JSON.stringify(a[i])}, want ${JSON.stringify(b[i])}): node tools/chart-check.cjs --write-manifests`];
  });

  const failed = checks.filter((c) => !c.ok);
  return { ok: failed.length === 0, helm, ms: Date.now() - t0, checks };
}
