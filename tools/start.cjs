#!/usr/bin/env node
/**
 * The container image's entry point (Dockerfile ENTRYPOINT): `node tools/start.cjs <app> [args...]`, i.e.
 * `docker run IMAGE <app> [args...]`. One image runs every app; the first argument picks it:
 *
 *   platform | exchange | market-maker | ingestion | ticker-plant | detection | execution | operator | console | cli
 *
 * Each name maps to `apps/<app>/src/main.ts` and runs the way `npm run <app>` does: through tools/run.cjs
 * (@swc-node/register, no build step), with the remaining arguments, from the repository root's tsconfig. The
 * exchange also gets the Node flags of its npm script (`--max-semi-space-size=4`): Node reads V8 heap flags only
 * at start, so this launcher re-executes itself once with them and forwards SIGINT/SIGTERM/SIGHUP to the child.
 *
 * Exit codes: the app's own; 2 for a missing or unknown app name (the valid names are listed on stderr) or an app
 * whose entry file is not in this build. `--help` / `-h` / `help` as the app name prints the usage and exits 0.
 * Required as a module (tests), it only exports {@link APPS}.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const ROOT = path.join(__dirname, '..');

/** App name -> entry point, relative to the repository root. */
const APPS = Object.freeze({
  platform: 'apps/platform/src/main.ts',
  exchange: 'apps/exchange/src/main.ts',
  'market-maker': 'apps/market-maker/src/main.ts',
  ingestion: 'apps/ingestion/src/main.ts',
  'ticker-plant': 'apps/ticker-plant/src/main.ts',
  detection: 'apps/detection/src/main.ts',
  execution: 'apps/execution/src/main.ts',
  operator: 'apps/operator/src/main.ts',
  console: 'apps/console/src/main.ts',
  cli: 'apps/cli/src/main.ts',
});

/** Node flags an app runs with (package.json scripts): they must be given to node itself. */
const NODE_FLAGS = Object.freeze({
  exchange: ['--max-semi-space-size=4'],
});

const USAGE = `usage: start.cjs <app> [args...]   (docker run IMAGE <app> [args...])
apps: ${Object.keys(APPS).join(', ')}
  e.g. exchange --host 0.0.0.0 --port 8080 ; cli migrate up ; platform --quiet`;

/** Runs `app` in this process (tools/run.cjs), or in a child node when it needs Node flags this process lacks. */
function run(app, args) {
  const entry = path.join(ROOT, APPS[app]);
  if (!fs.existsSync(entry)) {
    process.stderr.write(`start: app "${app}" is not in this build (${APPS[app]} is missing)\n`);
    process.exit(2);
  }
  const flags = NODE_FLAGS[app] ?? [];
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const missing = flags.filter((f) => !given.includes(f));
  if (missing.length > 0) {
    const child = spawn(process.execPath, [...process.execArgv, ...missing, __filename, app, ...args], { stdio: 'inherit' });
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
    child.on('error', (e) => {
      process.stderr.write(`start: cannot start ${app}: ${e.message}\n`);
      process.exit(1);
    });
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (require('node:os').constants.signals[signal] ?? 0) : 1)));
    return;
  }
  // exactly what tools/run.cjs does for `node tools/run.cjs <entry> [args...]` (absolute entry: any working directory)
  process.argv = [process.argv[0], path.join(ROOT, 'tools', 'run.cjs'), entry, ...args];
  require(path.join(ROOT, 'tools', 'run.cjs'));
}

function main(argv) {
  const [app, ...args] = argv;
  if (app === undefined || app === '') {
    process.stderr.write(`start: which app? ${USAGE}\n`);
    process.exit(2);
  }
  if (app === '--help' || app === '-h' || app === 'help') {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (!Object.prototype.hasOwnProperty.call(APPS, app)) {
    process.stderr.write(`start: unknown app "${app}"; one of: ${Object.keys(APPS).join(', ')}\n`);
    process.exit(2);
  }
  run(app, args);
}

module.exports = { APPS, NODE_FLAGS };

if (require.main === module) main(process.argv.slice(2));
