# syntax=docker/dockerfile:1
#
# ONE image for every app of the platform. The app is the first argument:
#
#   docker build -t kalshi-platform .
#   docker run --rm kalshi-platform                       # platform (the default): replay the bundled capture, write a report
#   docker run --rm -p 8080:8080 kalshi-platform exchange --host 0.0.0.0
#   docker run --rm kalshi-platform cli migrate up         # any `kalshi-platform` command
#
# apps: platform | exchange | market-maker | ingestion | ticker-plant | detection | execution | operator | cli
# (tools/start.cjs maps the name to apps/<app>/src/main.ts and runs it like `npm run <app>`: TypeScript through
# @swc-node/register at start, no build step; unknown name: exit 2 listing the valid ones).
#
# Health: HEALTHCHECK runs tools/healthcheck.cjs, which finds the running app and checks its endpoint (exchange:
# /trade-api/v2/exchange/status on its --port; execution: /healthz on EXECUTION_HTTP_PORT; the other services:
# /healthz on HEALTH_PORT, 8081 in this image); platform and cli are run-to-completion commands: healthy while running.
# APP_HEALTH_URL overrides the URL.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- deps: the lock file's install, then only what production needs ------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
# Keep the production dependencies plus @swc-node/register (a devDependency: tools/run.cjs compiles the TypeScript
# at start with it) and its peers (@swc/core, typescript); delete everything else (nx, jest, eslint, ...).
# `npm prune --omit=dev` cannot keep one devDependency, hence this walk of the lock file's dependency graph
# (node's resolution: nested node_modules first, then upwards); an unresolvable required dependency fails the build.
RUN node <<'EOF'
const fs = require('node:fs');
const pk = JSON.parse(fs.readFileSync('package-lock.json', 'utf8')).packages;
const onDisk = (k) => pk[k] && fs.existsSync(k);
function resolve(from, name) {
  for (let base = from; ; ) {
    const key = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (onDisk(key)) return key;
    if (!base) return null;
    const i = base.lastIndexOf('/node_modules/');
    base = i < 0 ? '' : base.slice(0, i);
  }
}
const keep = new Set();
const missing = [];
function visit(key, names) {
  for (const [name, required] of names) {
    const dep = resolve(key, name);
    if (!dep) { if (required) missing.push(`${name} (from ${key || 'the root'})`); continue; }
    if (keep.has(dep)) continue;
    keep.add(dep);
    const e = pk[dep];
    visit(dep, [
      ...Object.keys(e.dependencies ?? {}).map((n) => [n, true]),
      ...Object.keys(e.optionalDependencies ?? {}).map((n) => [n, false]),
      ...Object.keys(e.peerDependencies ?? {}).map((n) => [n, !(e.peerDependenciesMeta?.[n]?.optional)]),
    ]);
  }
}
const root = pk[''];
visit('', [
  ...Object.keys(root.dependencies ?? {}).map((n) => [n, true]),
  ...Object.keys(root.optionalDependencies ?? {}).map((n) => [n, false]),
  ['@swc-node/register', true],
]);
if (missing.length) { console.error(`prune: unresolved dependencies: ${missing.join(', ')}`); process.exit(1); }
const drop = Object.keys(pk).filter((k) => k && !keep.has(k) && fs.existsSync(k) && ![...keep].some((x) => x.startsWith(`${k}/`)));
for (const k of drop) fs.rmSync(k, { recursive: true, force: true });
console.log(`prune: kept ${keep.size} packages, removed ${drop.length}`);
EOF

# ---- runtime ----------------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# HEALTH_PORT: ingestion, ticker-plant, detection, market-maker and operator serve /healthz and /readyz on it
# (libs/feature-health; unset = no health server), which the HEALTHCHECK below asks; the other apps ignore it
ENV NODE_ENV=production \
    HEALTH_PORT=8081
WORKDIR /app
# the app user (uid/gid 10001) owns only what the apps write: state volumes under /var/lib/kalshi, and the working
# directories the defaults write to (reports/, tmp/, data/ for data/ticks.duckdb and data/platform-db); code is root's
RUN groupadd --system --gid 10001 kalshi \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/kalshi --shell /usr/sbin/nologin kalshi \
 && mkdir -p /var/lib/kalshi/exchange /var/lib/kalshi/credentials /var/lib/kalshi/platform-db /app/reports /app/tmp /app/data \
 && chown -R 10001:10001 /var/lib/kalshi /app/reports /app/tmp /app/data
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.base.json ./
COPY tools ./tools
COPY bin ./bin
COPY libs ./libs
COPY apps ./apps
COPY data ./data
RUN chown 10001:10001 /app/data
USER 10001:10001
# the pruned tree must still run the apps: load, through the real entry point, the module graphs of cli, exchange,
# market-maker and platform (which imports every feature lib); a missing package fails the build here
RUN node tools/start.cjs cli --help > /dev/null \
 && node tools/start.cjs exchange --help > /dev/null \
 && node tools/start.cjs market-maker --help > /dev/null \
 && node tools/start.cjs platform --help > /dev/null
# exchange REST+WS, exchange FIX, execution HTTP, health/metrics of the other services
EXPOSE 8080 9878 8090 8081
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/app/tools/healthcheck.cjs"]
ENTRYPOINT ["node", "/app/tools/start.cjs"]
CMD ["platform"]
