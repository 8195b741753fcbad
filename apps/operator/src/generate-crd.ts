/**
 * Writes the TickerPlant CRD manifest generated from ./crd.ts:
 * `node tools/run.cjs apps/operator/src/generate-crd.ts` (from the repository root) writes
 * k8s/crd/tickerplants.kalshi-platform.io.yaml; with `--check` it writes nothing and exits 1 when the committed file
 * differs from the generator output.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CRD_YAML_PATH, renderCrdYaml } from './crd';

const root = resolve(__dirname, '..', '..', '..');
const target = resolve(root, CRD_YAML_PATH);
const text = renderCrdYaml();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    /* missing: differs */
  }
  if (current !== text) {
    console.error(`${CRD_YAML_PATH} is out of date: run node tools/run.cjs apps/operator/src/generate-crd.ts`);
    process.exit(1);
  }
  console.log(`${CRD_YAML_PATH} is up to date`);
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  console.log(`wrote ${CRD_YAML_PATH}`);
}
