/**
 * `node tools/chart-check.cjs [--write-manifests] [--json FILE] [--quiet]`: the checks of charts/kalshi-platform
 * (chart-check.ts), one line per check; exit 0 when all pass, 1 otherwise, 2 for a bad option.
 *
 * - `--write-manifests`: first regenerate k8s/manifests/kalshi-platform.yaml from the chart, then check.
 * - `--json FILE`: also write the report (the Jest test reads it).
 * - `--validate FILE`: only validate the Kubernetes objects of a YAML file (models, unknown fields, references) and
 *   print the issues as JSON; the Jest test feeds it broken objects to show each check can fail.
 *
 * Helm is fetched once into .cache/helm/ (helm.ts).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CHART_DIR, IMAGE_COMMANDS, MANIFESTS_FILE, MONITORING_CRD_FIXTURES, renderPlainManifests, runChartChecks } from './chart-check';
import { ensureHelm, repoRoot } from './helm';
import { crossCheck, loadValidators, parseRendered, validateDocs } from './validate';

/** `--validate FILE`: the issues of the objects in FILE (exit 1 when there are any). */
async function validateFile(root: string, file: string): Promise<number> {
  const crds = readdirSync(join(root, CHART_DIR, 'crds')).map((f) => ({ path: join(root, CHART_DIR, 'crds', f), origin: f }));
  for (const f of MONITORING_CRD_FIXTURES) crds.push({ path: join(__dirname, 'fixtures', f.file), origin: f.file });
  const v = await loadValidators(root, crds);
  const { docs, issues } = parseRendered(readFileSync(file, 'utf8'));
  issues.push(...(await validateDocs(v, docs)));
  issues.push(...crossCheck(docs, { externalSecrets: [], externalPodLabels: [], platformImage: 'ghcr.io/kalshi-platform/kalshi-platform', apps: IMAGE_COMMANDS }));
  console.log(JSON.stringify({ issues }, null, 2));
  return issues.length ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  let json: string | undefined;
  let write = false;
  let quiet = false;
  let validate: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--write-manifests') write = true;
    else if (a === '--quiet') quiet = true;
    else if (a === '--json' && argv[i + 1]) json = resolve(argv[++i]);
    else if (a === '--validate' && argv[i + 1]) validate = resolve(argv[++i]);
    else {
      console.error(`chart-check: unknown option ${a}\nusage: node tools/chart-check.cjs [--write-manifests] [--json FILE] [--quiet] | --validate FILE`);
      return 2;
    }
  }
  const root = repoRoot();
  if (validate) return validateFile(root, validate);
  const log = quiet ? () => undefined : (m: string) => console.log(m);
  if (write) {
    const file = join(root, MANIFESTS_FILE);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, renderPlainManifests(ensureHelm(root, log), root));
    log(`wrote ${MANIFESTS_FILE}`);
  }
  const report = await runChartChecks({ root, log });
  if (json) {
    mkdirSync(dirname(json), { recursive: true });
    writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
  }
  const failed = report.checks.filter((c) => !c.ok);
  console.log(`chart-check: ${report.checks.length - failed.length}/${report.checks.length} checks passed in ${report.ms} ms${failed.length ? `; FAILED: ${failed.map((c) => c.name).join('; ')}` : ''}`);
  return report.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`chart-check: ${e.stack ?? e.message}`);
    process.exit(1);
  },
);
