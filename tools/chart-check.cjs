#!/usr/bin/env node
/**
 * `node tools/chart-check.cjs [--write-manifests] [--json FILE] [--quiet]`: lints, renders and validates the Helm chart
 * charts/kalshi-platform and checks k8s/manifests/kalshi-platform.yaml (libs/deploy-checks/src/main.ts, run through
 * tools/run.cjs). Fetches Helm itself into .cache/helm/ on first use. Exit 1 when a check fails.
 */
const path = require('node:path');
process.argv.splice(2, 0, path.join(__dirname, '..', 'libs', 'deploy-checks', 'src', 'main.ts'));
require('./run.cjs');
