#!/usr/bin/env node
/**
 * Container health check of every app of the image (Dockerfile HEALTHCHECK, docker-compose.yml healthchecks):
 * `node tools/healthcheck.cjs [URL]`. GETs one URL on the container's loopback; exit 0 on a 2xx answer within
 * 3 s, else exit 1 with one line saying why. Which URL, first match wins:
 *
 * 1. the argument, e.g. `node tools/healthcheck.cjs http://127.0.0.1:8080/trade-api/v2/exchange/status`;
 * 2. env `APP_HEALTH_URL`;
 * 3. from the app this container runs (found from the `start.cjs <app> ...` process in /proc):
 *    - exchange: `http://127.0.0.1:<--port, default 8080>/trade-api/v2/exchange/status` (its readiness endpoint);
 *    - execution: `http://127.0.0.1:${EXECUTION_HTTP_PORT:-8090}/healthz`;
 *    - ingestion, ticker-plant, detection, market-maker, operator: `http://127.0.0.1:${HEALTH_PORT:-8081}/healthz`;
 *    - platform and cli are commands that run to completion and serve no HTTP: healthy while the process runs
 *      (exit 0 with a note; the container's exit code is their result);
 * 4. nothing found (not inside the image, or no start.cjs process): exit 1, asking for a URL or APP_HEALTH_URL.
 *
 * Required as a module (tests), it exports {@link healthTarget} and {@link findApp} and runs nothing.
 */
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');

const TIMEOUT_MS = 3000;
/** Apps that serve the shared health endpoint on HEALTH_PORT (`/healthz`, `/readyz`). */
const HEALTH_PORT_APPS = ['ingestion', 'ticker-plant', 'detection', 'market-maker', 'operator'];
/** Apps that run to completion and have no endpoint. */
const ONE_SHOT_APPS = ['platform', 'cli'];
const DEFAULT_HEALTH_PORT = 8081;

/** The value of `--name V` or `--name=V` in argv, else undefined. */
function flagValue(args, name) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1];
    if (args[i].startsWith(`${name}=`)) return args[i].slice(name.length + 1);
  }
  return undefined;
}

/**
 * What to check for `app` started with `args` under `env`:
 * `{ url }`, `{ ok: note }` (nothing to check: healthy) or `{ error }` (cannot tell).
 */
function healthTarget(app, args = [], env = process.env) {
  if (app === 'exchange') {
    const port = flagValue(args, '--port') ?? '8080';
    const bind = flagValue(args, '--host');
    const host = !bind || bind === '0.0.0.0' || bind === '::' || bind === 'localhost' ? '127.0.0.1' : bind;
    return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/trade-api/v2/exchange/status` };
  }
  if (app === 'execution') return { url: `http://127.0.0.1:${env.EXECUTION_HTTP_PORT || 8090}/healthz` };
  if (HEALTH_PORT_APPS.includes(app)) return { url: `http://127.0.0.1:${env.HEALTH_PORT || DEFAULT_HEALTH_PORT}/healthz` };
  if (ONE_SHOT_APPS.includes(app)) return { ok: `${app} runs to completion and serves no health endpoint: healthy while it runs` };
  return { error: app ? `no health endpoint known for app "${app}"` : 'cannot tell which app this container runs' };
}

/** The app of the `start.cjs <app> ...` process in this container (PID 1, or under an init such as tini), else null. */
function findApp(procDir = '/proc') {
  let pids;
  try {
    pids = fs.readdirSync(procDir).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(a) - Number(b));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let argv;
    try {
      argv = fs.readFileSync(`${procDir}/${pid}/cmdline`, 'utf8').split('\0').filter((s) => s !== '');
    } catch {
      continue;
    }
    const i = argv.findIndex((a) => /(^|\/)start\.cjs$/.test(a));
    if (i >= 0 && argv[i + 1]) return { app: argv[i + 1], args: argv.slice(i + 2) };
  }
  return null;
}

function get(url) {
  return new Promise((resolve) => {
    let u;
    try {
      u = new URL(url);
    } catch {
      resolve({ ok: false, why: `not a URL: ${url}` });
      return;
    }
    const req = (u.protocol === 'https:' ? https : http).get(u, { timeout: TIMEOUT_MS }, (res) => {
      res.resume();
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      resolve({ ok, why: `${url} answered ${res.statusCode}` });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', (e) => resolve({ ok: false, why: `${url}: ${e.message}` }));
  });
}

async function main(argv) {
  let target;
  if (argv[0]) target = { url: argv[0] };
  else if (process.env.APP_HEALTH_URL) target = { url: process.env.APP_HEALTH_URL };
  else {
    const found = findApp();
    target = healthTarget(found?.app, found?.args ?? [], process.env);
  }
  if (target.ok) {
    console.log(`healthy: ${target.ok}`);
    return 0;
  }
  if (target.error) {
    console.error(`unhealthy: ${target.error}; give a URL (healthcheck.cjs URL) or set APP_HEALTH_URL`);
    return 1;
  }
  const r = await get(target.url);
  (r.ok ? console.log : console.error)(`${r.ok ? 'healthy' : 'unhealthy'}: ${r.why}`);
  return r.ok ? 0 : 1;
}

module.exports = { healthTarget, findApp, HEALTH_PORT_APPS, ONE_SHOT_APPS, DEFAULT_HEALTH_PORT };

if (require.main === module) main(process.argv.slice(2)).then((code) => process.exit(code));
