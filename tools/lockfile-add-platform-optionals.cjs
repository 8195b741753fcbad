#!/usr/bin/env node
/**
 * Completes package-lock.json with the platform-specific optional packages (native binaries for other
 * OS/CPU combinations) that the npm registry mirror of our development machines does not serve.
 *
 * Why: npm records an optional dependency in the lock file only when it can resolve it; the mirror here
 * answers 404 for e.g. `@swc/core-darwin-arm64`, so the lock file lacks those entries and `npm ci` then
 * refuses the lock file on every machine ("Missing: ... from lock file"). This script adds, for every
 * optional dependency pinned to an exact version and missing from the lock file, an entry with that version
 * and the os / cpu / libc read from the package name (the convention of these binary packages), so npm
 * skips it on other platforms and fetches it by version from the full registry where it applies.
 * Run after `npm install`: `node tools/lockfile-add-platform-optionals.cjs`.
 */
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));

const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony', 'sunos', 'aix', 'netbsd', 'openbsd'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'];

function platformOf(name) {
  const tokens = name.split('/').pop().split('-');
  const os = tokens.find((t) => OS.includes(t));
  const cpu = tokens.find((t) => CPU.includes(t));
  if (!os || !cpu) return null;
  const tail = tokens.slice(tokens.indexOf(cpu) + 1).join('-');
  const libc = os === 'linux' ? (/musl/.test(tail) ? 'musl' : /gnu/.test(tail) ? 'glibc' : undefined) : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  if (!entry.optionalDependencies) continue;
  const base = key === '' ? '' : key + '/';
  for (const [dep, spec] of Object.entries(entry.optionalDependencies)) {
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec)) continue;
    const nested = `${base}node_modules/${dep}`;
    const top = `node_modules/${dep}`;
    if (lock.packages[nested] || lock.packages[top]) continue;
    const p = platformOf(dep);
    if (!p) continue;
    const e = { version: spec };
    if (entry.dev) e.dev = true;
    e.optional = true;
    e.os = [p.os];
    e.cpu = [p.cpu];
    if (p.libc) e.libc = [p.libc];
    lock.packages[top] = e;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} platform-specific optional package entries to package-lock.json`);
