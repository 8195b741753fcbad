#!/usr/bin/env node
/** `kalshi-platform` command (package.json `bin`): runs apps/cli/src/main.ts through tools/run.cjs (no build step). */
const path = require('node:path');
process.argv.splice(2, 0, path.join(__dirname, '..', 'apps', 'cli', 'src', 'main.ts'));
require(path.join(__dirname, '..', 'tools', 'run.cjs'));
