/** Names, files and cases of the chart checks (no heavy imports: the Jest test loads this). */

export const CHART_DIR = 'charts/kalshi-platform';
export const PRODUCTION_VALUES = `${CHART_DIR}/values-production.yaml`;
export const MANIFESTS_FILE = 'k8s/manifests/kalshi-platform.yaml';
export const OPERATOR_CRD_FILE = 'k8s/crd/tickerplants.kalshi-platform.io.yaml';
/** The operator's RBAC (apps/operator's tests run it under these rules); the chart's Role must grant the same. */
export const OPERATOR_RBAC_FILES = ['k8s/rbac/cluster-role.yaml', 'k8s/rbac/leader-election-role.yaml'];
/** Release name and namespace of the plain manifests and the renderings under test. */
export const RELEASE = 'kalshi-platform';
export const NAMESPACE = 'kalshi-platform';
/** Apps the platform image's entrypoint accepts as its first argument (the deployment contract). */
export const APPS = ['platform', 'exchange', 'market-maker', 'ingestion', 'ticker-plant', 'detection', 'execution', 'operator'];
/** ... and what the chart also runs with it: `cli` for `migrate up` (an init container of execution). */
export const IMAGE_COMMANDS = [...APPS, 'cli'];
/** The alert rules (Prometheus rule file) and the Grafana dashboards, and the chart's byte-identical copies of them. */
export const ALERTS_FILE = 'deploy/prometheus/alerts.yml';
export const ALERTS_TEST_FILE = 'deploy/prometheus/alerts.test.yml';
export const DASHBOARDS_DIR = 'deploy/grafana/dashboards';
export const CHART_ALERTS_FILE = `${CHART_DIR}/files/prometheus/alerts.yml`;
export const CHART_DASHBOARDS_DIR = `${CHART_DIR}/files/grafana/dashboards`;
/** Subset CRD schemas (libs/deploy-checks/src/fixtures) of the Prometheus Operator kinds the chart renders. */
export const MONITORING_CRD_FIXTURES = [
  { file: 'servicemonitor.crd.yaml', origin: 'ServiceMonitor subset schema (libs/deploy-checks/src/fixtures)' },
  { file: 'prometheusrule.crd.yaml', origin: 'PrometheusRule subset schema (libs/deploy-checks/src/fixtures)' },
];
/** The ConfigMap label the Grafana dashboard sidecar looks for (grafanaDashboards.label / labelValue defaults). */
export const GRAFANA_DASHBOARD_LABEL = 'grafana_dashboard';

/** The annotation of Secrets whose data the chart generates (random passwords): left out of the plain manifests. */
export const GENERATED_SECRET_ANNOTATION = 'kalshi-platform.io/generated-secret';

/** The result of one check. */
export interface Check {
  name: string;
  ok: boolean;
  details: string[];
  ms: number;
}

/** Everything {@link runChartChecks} found. */
export interface Report {
  ok: boolean;
  helm: string;
  ms: number;
  checks: Check[];
}

/** A values file that Helm must refuse, and what its message must name. */
export interface RefusalCase {
  name: string;
  values: string;
  /** the refusal message must match this */
  expect: RegExp;
}

/** Values files (YAML text) that Helm must refuse. */
export const REFUSAL_CASES: RefusalCase[] = [
  { name: 'execution.mode outside its enum', values: 'execution:\n  mode: yolo\n', expect: /execution\.mode/ },
  { name: 'an unknown top-level key', values: 'unknownKey: 1\n', expect: /unknownKey/ },
  { name: 'a misspelt nested key', values: 'execution:\n  limits:\n    maxOrderDollar: "5"\n', expect: /maxOrderDollar/ },
  { name: 'a misspelt key of the nats sub-chart', values: 'nats:\n  config:\n    jetstrem:\n      enabled: true\n', expect: /jetstrem/ },
  { name: 'tickerPlant.shards below 1', values: 'tickerPlant:\n  shards: 0\n', expect: /tickerPlant\.shards/ },
  { name: 'tickerPlant.shards above partitions', values: 'tickerPlant:\n  shards: 65\n', expect: /tickerPlant\.shards/ },
  { name: 'a reserved ticker-plant env name', values: 'tickerPlant:\n  env:\n    NATS_URL: nats://x:4222\n', expect: /tickerPlant\.env/ },
  { name: 'tickStore outside its enum', values: 'tickStore: duckdb\n', expect: /tickStore/ },
  { name: 'no exchange and no Kalshi URL', values: 'exchange:\n  enabled: false\n', expect: /kalshi\.restUrl/ },
  {
    name: 'paper mode on Kalshi production URLs',
    values: 'exchange:\n  enabled: false\nkalshi:\n  restUrl: https://external-api.kalshi.com/trade-api/v2\n  wsUrl: wss://external-api-ws.kalshi.com/trade-api/ws/v2\n',
    expect: /execution\.mode is paper/,
  },
  { name: 'live mode on the mock exchange', values: 'execution:\n  mode: live\n', expect: /execution\.mode=live/ },
  { name: 'the market maker without the mock exchange', values: 'marketMaker:\n  enabled: true\n  credentialsSecret: mm\nexchange:\n  enabled: false\nkalshi:\n  restUrl: https://demo-api.kalshi.co/trade-api/v2\n  wsUrl: wss://demo-api.kalshi.co/trade-api/ws/v2\n', expect: /marketMaker/ },
];


/** Values that turn on every optional branch of the chart (rendered and validated, never installed). */
export const OPTIONS_VALUES = 'libs/deploy-checks/src/fixtures/values-all-options.yaml';

/** The renderings under test: the default values, values-production.yaml, every option. */
export const PROFILES = [
  { profile: 'default', label: 'default values', valuesFiles: [] as string[] },
  { profile: 'production', label: 'values-production.yaml', valuesFiles: [PRODUCTION_VALUES] },
  { profile: 'options', label: 'every optional feature', valuesFiles: [OPTIONS_VALUES] },
] as const;

/** Names of the checks in the report (the Jest test asserts each by name). */
export const CHECK_NAMES = {
  lint: (label: string) => `helm lint --strict (${label})`,
  validators: 'validators: kubernetes-models, client-node models, CRD models from crd-generate',
  template: (label: string) => `helm template (${label}) renders strict YAML`,
  validate: (label: string) => `every object (${label}) validates against its model, without unknown fields`,
  references: (label: string) => `references between the objects (${label}) hold`,
  contract: (label: string) => `deployment contract (${label})`,
  refused: (name: string) => `refused: ${name}`,
  refusedByLint: 'refused by helm lint --strict too: execution.mode outside its enum',
  notes: 'NOTES.txt: a loud banner in live mode, paper mode said otherwise',
  crd: `chart CRD equals ${OPERATOR_CRD_FILE} (generated by the operator)`,
  rbac: `operator Role grants exactly the rules of ${OPERATOR_RBAC_FILES.join(' + ')}`,
  manifests: `${MANIFESTS_FILE} is up to date`,
  observability: `chart alert rules and dashboards are ${ALERTS_FILE} and ${DASHBOARDS_DIR} (copies equal, rendered unchanged)`,
};
