/**
 * The container deployment files, checked without a Docker engine: docker-compose.yml (structure, the one image and
 * its app argument, health checks, depends_on conditions, env names the apps document, volumes; and
 * `docker-compose config -q` when the binary is installed), the Dockerfile's entry point contract and its dependency
 * prune, tools/start.cjs, tools/healthcheck.cjs, Prometheus/Grafana provisioning and skaffold.yaml (against the
 * vendored, pruned skaffold v4beta13 JSON schema when ajv can be loaded).
 */
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '../../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const yamlOf = <T = Record<string, unknown>>(p: string): T => parse(read(p), { merge: true }) as T;
const node = (args: string[], opts: SpawnSyncOptions = {}) =>
  spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000, ...opts }) as ReturnType<typeof spawnSync> & { stdout: string; stderr: string };

/** A CommonJS tool's exports, as JSON, read in a child node (the tools are plain .cjs, outside Jest's module system). */
function toolValue<T>(expr: string): T {
  const r = node(['-e', `process.stdout.write(JSON.stringify(${expr}))`]);
  if (r.status !== 0) throw new Error(`node -e ${expr}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

type Env = Record<string, string | number | boolean | null>;
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string } | string;
  command?: string[] | string;
  environment?: Env | string[];
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  restart?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  'x-app': Service;
}

const compose = yamlOf<Compose>('docker-compose.yml');
const services = compose.services;
const APPS = toolValue<Record<string, string>>(`require('./tools/start.cjs').APPS`);
const IMAGE = compose['x-app'].image as string;
const cmd = (s: Service): string[] => (Array.isArray(s.command) ? s.command.map(String) : []);
const envOf = (s: Service): Record<string, string> => {
  expect(Array.isArray(s.environment)).toBe(false);
  return Object.fromEntries(Object.entries((s.environment ?? {}) as Env).map(([k, v]) => [k, v === null ? '' : String(v)]));
};
/** `${NAME:-default}` -> default (what the service gets without a .env); anything else as is. */
const defaulted = (v: string) => v.replace(/\$\{[A-Z0-9_]+:?-([^}]*)\}/g, '$1');
const appServices = Object.entries(services).filter(([, s]) => s.build !== undefined || s.image === IMAGE);
const infraServices = Object.entries(services).filter(([, s]) => s.build === undefined && s.image !== IMAGE);
const oneShot = (s: Service) => s.restart === 'no';

describe('docker-compose.yml', () => {
  it('runs every app from the one image and build, the app chosen by a name tools/start.cjs knows', () => {
    expect(IMAGE).toMatch(/^\$\{KALSHI_PLATFORM_IMAGE:-ghcr\.io\/kalshi-platform\/kalshi-platform:[\w.-]+\}$/);
    expect(appServices.length).toBeGreaterThanOrEqual(9);
    for (const [name, s] of appServices) {
      expect([name, s.image]).toEqual([name, IMAGE]);
      expect([name, s.build]).toEqual([name, { context: '.', dockerfile: 'Dockerfile' }]);
      expect([name, Object.keys(APPS)]).toEqual([name, expect.arrayContaining([cmd(s)[0]])]);
    }
    const apps = appServices.map(([, s]) => cmd(s)[0]);
    for (const app of ['exchange', 'ingestion', 'ticker-plant', 'detection', 'execution', 'market-maker', 'cli']) expect(apps).toContain(app);
    // infrastructure: the images the compose contract names
    const images = Object.fromEntries(infraServices.map(([n, s]) => [n, s.image]));
    expect(images).toEqual({
      nats: expect.stringMatching(/^nats:2\.10(-alpine)?$/),
      postgres: 'postgres:16',
      redis: 'redis:7',
      questdb: expect.stringMatching(/^questdb\/questdb:/),
      prometheus: expect.stringMatching(/^prom\/prometheus:/),
      grafana: expect.stringMatching(/^grafana\/grafana:/),
    });
    expect(cmd(services.nats)).toContain('-js');
    expect(services.questdb.ports).toEqual(expect.arrayContaining([expect.stringMatching(/:9000:9000$/), expect.stringMatching(/:9009:9009$/)]));
  });

  it('wires the mock exchange, two ticker-plant shards, detection, paper execution after migrate, and the market maker', () => {
    const ex = cmd(services.exchange);
    const flag = (args: string[], f: string) => args[args.indexOf(f) + 1];
    expect(ex[0]).toBe('exchange');
    expect(flag(ex, '--mode')).toBe('live');
    expect(flag(ex, '--host')).toBe('0.0.0.0');
    expect(flag(ex, '--port')).toBe('8080');
    expect(flag(ex, '--fix-port')).toBe('9878');
    expect(existsSync(join(ROOT, flag(ex, '--games-from-odds')))).toBe(true);
    const creds = flag(ex, '--credentials-out');
    expect(posix.isAbsolute(creds)).toBe(true);
    const credsVolume = (s: Service) => (s.volumes ?? []).find((v) => v.split(':')[1] === posix.dirname(creds));
    expect(credsVolume(services.exchange)).toBe(`credentials:${posix.dirname(creds)}`);
    for (const name of ['ingestion', 'execution', 'market-maker']) {
      expect([name, credsVolume(services[name])]).toEqual([name, `credentials:${posix.dirname(creds)}:ro`]);
    }
    expect(envOf(services.ingestion).KALSHI_CREDENTIALS_FILE).toBe(creds);
    expect(envOf(services.execution).KALSHI_CREDENTIALS_FILE).toBe(creds);
    const mm = cmd(services['market-maker']);
    expect(mm[0]).toBe('market-maker');
    expect(flag(mm, '--credentials')).toBe(creds);
    expect(flag(mm, '--exchange')).toBe('http://exchange:8080');

    const shards = appServices.filter(([, s]) => cmd(s)[0] === 'ticker-plant').map(([, s]) => envOf(s));
    expect(shards.map((e) => [e.SHARD_INDEX, e.SHARD_COUNT]).sort()).toEqual([['0', '2'], ['1', '2']]);

    const det = envOf(services.detection);
    const odds = defaulted(det.DETECTION_ODDS_FILE);
    expect(odds.startsWith('/app/')).toBe(true);
    expect(existsSync(join(ROOT, odds.slice('/app/'.length)))).toBe(true);
    expect(Number(defaulted(det.SPORTSBOOK_BANKROLL_DOLLARS))).toBeGreaterThan(0);

    const exe = envOf(services.execution);
    expect(exe.EXECUTION_MODE).toBe('paper');
    expect(new URL(defaulted(exe.DATABASE_URL)).host).toBe('postgres:5432');
    expect(cmd(services.migrate)).toEqual(['cli', 'migrate', 'up']);
    expect(envOf(services.migrate).DATABASE_URL).toBe(exe.DATABASE_URL);
    expect((services.execution.depends_on as Record<string, { condition: string }>).migrate).toEqual({ condition: 'service_completed_successfully' });
    // the exchange keeps its venue in a database of its own, created by the postgres init script
    expect(new URL(defaulted(envOf(services.exchange).DATABASE_URL)).pathname).toBe('/kalshi_mock');
    expect(read('deploy/compose/postgres/initdb/10-kalshi-mock.sql')).toMatch(/CREATE DATABASE kalshi_mock;/);
  });

  it('gives every service a health check, and each app the endpoint tools/healthcheck.cjs would pick for it', () => {
    for (const [name, s] of Object.entries(services)) {
      const test = s.healthcheck?.test;
      expect([name, s.healthcheck?.disable ?? false]).toEqual([name, false]);
      expect([name, Array.isArray(test) && test.length > 1 && test[0] !== 'NONE']).toEqual([name, true]);
    }
    for (const [name, s] of appServices) {
      const test = (s.healthcheck?.test ?? []) as string[];
      expect([name, test.slice(0, 3)]).toEqual([name, ['CMD', 'node', '/app/tools/healthcheck.cjs']]);
      const [app, ...args] = cmd(s);
      const env = Object.fromEntries(Object.entries(envOf(s)).map(([k, v]) => [k, defaulted(v)]));
      const target = toolValue<{ url?: string; ok?: string }>(
        `require('./tools/healthcheck.cjs').healthTarget(${JSON.stringify(app)}, ${JSON.stringify(args)}, ${JSON.stringify({ HEALTH_PORT: '8081', ...env })})`,
      );
      if (target.ok) expect([name, test.length]).toEqual([name, 3]);
      else expect([name, test[3]]).toEqual([name, target.url]);
      if (test[3]?.includes(':8081/')) expect([name, env.HEALTH_PORT]).toEqual([name, '8081']);
    }
  });

  it('orders start-up with depends_on conditions on services that exist', () => {
    const CONDITIONS = ['service_healthy', 'service_completed_successfully', 'service_started'];
    for (const [name, s] of Object.entries(services)) {
      if (s.depends_on === undefined) continue;
      expect([name, Array.isArray(s.depends_on)]).toEqual([name, false]);
      for (const [dep, spec] of Object.entries(s.depends_on as Record<string, { condition?: string }>)) {
        expect([name, dep, dep in services]).toEqual([name, dep, true]);
        expect([name, dep, CONDITIONS.includes(spec?.condition ?? '')]).toEqual([name, dep, true]);
        // one-shot set-up commands are waited for to complete; long-running services to be healthy
        expect([name, dep, spec.condition]).toEqual([name, dep, oneShot(services[dep]) ? 'service_completed_successfully' : 'service_healthy']);
      }
    }
    // the data flows downstream only once the consumers listen
    const deps = (n: string) => Object.keys(services[n].depends_on ?? {});
    expect(deps('ingestion')).toEqual(expect.arrayContaining(['exchange', 'nats', 'ticker-plant-0', 'ticker-plant-1', 'detection']));
    expect(deps('execution')).toEqual(expect.arrayContaining(['exchange', 'nats', 'postgres', 'migrate']));
    expect(deps('migrate')).toEqual(['postgres']);
  });

  it('sets only environment variables the app documents, and takes tunables from .env under the same names', () => {
    const envExample = new Set([...read('.env.example').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    // compose-level settings of the infrastructure, not app configuration
    const COMPOSE_ONLY = new Set(['POSTGRES_PASSWORD', 'GRAFANA_ADMIN_USER', 'GRAFANA_ADMIN_PASSWORD', 'KALSHI_PLATFORM_IMAGE']);
    const docsCache = new Map<string, string>();
    /** The app's sources and the sources of every workspace lib they import: where its variables are documented. */
    const docsOf = (app: string): string => {
      const cached = docsCache.get(app);
      if (cached !== undefined) return cached;
      const files = (dir: string): string[] =>
        existsSync(dir) ? readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith('.ts') && !f.endsWith('.spec.ts') ? [join(dir, f)] : [])) : [];
      const own = files(join(ROOT, 'apps', app, 'src')).map((f) => readFileSync(f, 'utf8')).join('\n');
      const libs = new Set([...own.matchAll(/from '@kalshi-platform\/([\w-]+)'/g)].map((m) => m[1]));
      const text = [own, ...[...libs].flatMap((l) => files(join(ROOT, 'libs', l, 'src'))).map((f) => readFileSync(f, 'utf8'))].join('\n');
      docsCache.set(app, text);
      return text;
    };
    const pending: string[] = [];
    for (const [name, s] of appServices) {
      const app = cmd(s)[0];
      for (const [key, value] of Object.entries(envOf(s))) {
        const documented = new RegExp(`\\b${key}\\b`).test(docsOf(app));
        // HEALTH_PORT is the decided contract of every service app (libs/feature-health); while an app has not been
        // wired to it yet, say so loudly instead of failing (its compose health check cannot pass until it is)
        if (!documented && key === 'HEALTH_PORT') {
          pending.push(`${name} (${app})`);
          continue;
        }
        expect([name, key, documented]).toEqual([name, key, true]);
        for (const m of value.matchAll(/\$\{([A-Z0-9_]+)/g)) {
          if (COMPOSE_ONLY.has(m[1])) continue;
          // `KEY: ${KEY:-default}`: the .env.example name, so one .env serves npm scripts and compose alike
          expect([name, key, m[1]]).toEqual([name, key, key]);
          expect([name, key, envExample.has(key)]).toEqual([name, key, true]);
        }
      }
    }
    if (pending.length) console.warn(`HEALTH_PORT is set for ${pending.join(', ')} but the app does not read it yet: its health check fails until it serves /healthz (libs/feature-health)`);
    expect(pending.every((p) => /\(ticker-plant\)$/.test(p))).toBe(true);
  });

  it('declares every named volume it mounts (and mounts every one it declares); bind mounts exist', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const used = new Set<string>();
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const src = v.split(':')[0];
        if (src.startsWith('.') || src.startsWith('/')) expect([name, src, existsSync(join(ROOT, src))]).toEqual([name, src, true]);
        else {
          expect([name, src, declared.includes(src)]).toEqual([name, src, true]);
          used.add(src);
        }
      }
    }
    expect(declared.sort()).toEqual([...used].sort());
    expect(declared).toEqual(expect.arrayContaining(['credentials', 'postgres-data', 'questdb-data', 'nats-data']));
  });

  it('passes `docker-compose config -q` (also with .env.example as the .env)', () => {
    const probe = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
    if (probe.error && (probe.error as NodeJS.ErrnoException).code === 'ENOENT') {
      console.warn('docker-compose is not installed: `docker-compose config -q` skipped here (.ci/run installs it and runs it)');
      return;
    }
    for (const args of [['config', '-q'], ['--env-file', '.env.example', 'config', '-q']]) {
      const r = spawnSync('docker-compose', args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      expect([args.join(' '), r.status, r.stderr]).toEqual([args.join(' '), 0, '']);
    }
  });
});

describe('Prometheus and Grafana provisioning', () => {
  it('scrapes /metrics of every long-running app service on its port', () => {
    const prom = yamlOf<{ scrape_configs: Array<{ job_name: string; metrics_path?: string; static_configs: Array<{ targets: string[] }> }> }>('deploy/compose/prometheus.yml');
    const targets = new Set(prom.scrape_configs.flatMap((j) => j.static_configs.flatMap((c) => c.targets)));
    for (const j of prom.scrape_configs) expect([j.job_name, j.metrics_path ?? '/metrics']).toEqual([j.job_name, '/metrics']);
    for (const [name, s] of appServices) {
      if (oneShot(s)) continue;
      const app = cmd(s)[0];
      const port = app === 'exchange' ? '8080' : app === 'execution' ? envOf(s).EXECUTION_HTTP_PORT : envOf(s).HEALTH_PORT;
      expect([name, targets.has(`${name}:${port}`)]).toEqual([name, true]);
    }
    expect(services.prometheus.volumes).toContain('./deploy/compose/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
  });

  it('provisions the Prometheus and QuestDB (PostgreSQL wire, 8812) datasources and a dashboard that uses them', () => {
    const ds = yamlOf<{ datasources: Array<{ uid: string; type: string; url: string; jsonData?: Record<string, unknown> }> }>('deploy/compose/grafana/provisioning/datasources/datasources.yml').datasources;
    expect(ds.find((d) => d.type === 'prometheus')?.url).toBe('http://prometheus:9090');
    const qdb = ds.find((d) => /postgres/.test(d.type));
    expect(qdb?.url).toBe('questdb:8812');
    expect(qdb?.jsonData?.database).toBe('qdb');
    const dir = join(ROOT, 'deploy/compose/grafana/dashboards');
    const dashboards = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(dashboards.length).toBeGreaterThan(0);
    const uids = new Set(ds.map((d) => d.uid));
    for (const f of dashboards) {
      const text = readFileSync(join(dir, f), 'utf8');
      for (const m of text.matchAll(/"uid":\s*"([^"]+)"/g)) if (m[1] !== JSON.parse(text).uid) expect([f, m[1], uids.has(m[1])]).toEqual([f, m[1], true]);
    }
    const provider = yamlOf<{ providers: Array<{ options: { path: string } }> }>('deploy/compose/grafana/provisioning/dashboards/dashboards.yml').providers[0];
    expect(services.grafana.volumes).toContain(`./deploy/compose/grafana/dashboards:${provider.options.path}:ro`);
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = read('Dockerfile');

  it('builds one image on node 20 bookworm-slim that runs `start.cjs <app>` as uid 10001 with a health check', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS deps$/m);
    expect(dockerfile).toMatch(/^RUN --mount=type=cache,target=\/root\/\.npm \\\n\s+npm ci /m);
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production/m);
    expect(dockerfile).toMatch(/^WORKDIR \/app$/m);
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*CMD \["node", "\/app\/tools\/healthcheck\.cjs"\]$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "\/app\/tools\/start\.cjs"\]$/m);
    expect(dockerfile).toMatch(/^CMD \["platform"\]$/m);
    // everything the apps read at run time is copied
    for (const p of ['tools', 'bin', 'libs', 'apps', 'data']) expect(dockerfile).toMatch(new RegExp(`^COPY ${p} \\./${p}$`, 'm'));
  });

  it('prunes node_modules to the production dependencies plus @swc-node/register and its peers', () => {
    const script = /^RUN node <<'EOF'\n([\s\S]*?)\nEOF$/m.exec(dockerfile)?.[1] ?? '';
    expect(script).toMatch(/@swc-node\/register/);
    const dir = mkdtempSync(join(tmpdir(), 'kp-prune-'));
    const pkgs: Record<string, Record<string, unknown>> = {
      '': { dependencies: { a: '1' }, devDependencies: { dev: '1', '@swc-node/register': '1' } },
      'node_modules/a': { dependencies: { b: '1', c: '2' }, optionalDependencies: { 'a-linux-arm64': '1' } },
      'node_modules/b': {},
      'node_modules/c': { dev: true },
      'node_modules/a/node_modules/c': {},
      'node_modules/a-linux-arm64': { optional: true }, // another platform's binary: in the lock file, not on disk
      'node_modules/dev': { dev: true, dependencies: { d: '1' } },
      'node_modules/dev/node_modules/d': { dev: true },
      'node_modules/@swc-node/register': { dev: true, dependencies: { x: '1' }, peerDependencies: { typescript: '*', maybe: '*' }, peerDependenciesMeta: { maybe: { optional: true } } },
      'node_modules/x': { dev: true },
      'node_modules/typescript': { dev: true },
    };
    writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: pkgs }));
    for (const k of Object.keys(pkgs)) if (k && k !== 'node_modules/a-linux-arm64') mkdirSync(join(dir, k), { recursive: true });
    const r = node(['-e', script], { cwd: dir });
    expect([r.status, r.stderr]).toEqual([0, '']);
    const present = Object.keys(pkgs).filter((k) => k && existsSync(join(dir, k)));
    expect(present.sort()).toEqual(['node_modules/@swc-node/register', 'node_modules/a', 'node_modules/a/node_modules/c', 'node_modules/b', 'node_modules/typescript', 'node_modules/x']);
    // a required dependency that is not installed fails the build
    writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { '': { dependencies: { gone: '1' } }, 'node_modules/gone': {} } }));
    const bad = node(['-e', script], { cwd: dir });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/unresolved dependencies: gone/);
  });

  it('keeps installed trees, local stores, secrets and .git out of the build context, but not the bundled data', () => {
    const lines = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const p of ['**/node_modules', '.git', 'tmp', 'reports', '.cache', 'data/*.duckdb', 'data/platform-db', '.env']) expect(lines).toContain(p);
    for (const p of lines) {
      if (p.startsWith('!')) continue;
      for (const keep of ['data', 'data/samples', 'data/exchange', 'apps', 'libs', 'tools', 'bin', 'package.json', 'package-lock.json', 'tsconfig.base.json']) {
        expect([p, keep, p === keep || p === `${keep}/` || p === 'data/*' || p === 'data/**']).toEqual([p, keep, false]);
      }
    }
  });
});

describe('tools/start.cjs (the image entry point)', () => {
  it('lists the apps and maps each to its apps/<app>/src/main.ts', () => {
    expect(Object.keys(APPS).sort()).toEqual(['cli', 'console', 'detection', 'exchange', 'execution', 'ingestion', 'market-maker', 'operator', 'platform', 'ticker-plant']);
    for (const [app, entry] of Object.entries(APPS)) expect([app, entry]).toEqual([app, `apps/${app}/src/main.ts`]);
  });

  it('exits 2 listing the valid names for an unknown or missing app', () => {
    const r = node(['tools/start.cjs', 'no-such-app', '--x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown app "no-such-app"');
    for (const app of Object.keys(APPS)) expect(r.stderr).toContain(app);
    const none = node(['tools/start.cjs']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain(Object.keys(APPS).join(', '));
  });

  it('runs an app with the remaining arguments: `cli --help` exits 0, from any working directory', () => {
    const r = node([join(ROOT, 'tools/start.cjs'), 'cli', '--help'], { cwd: tmpdir() });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^Usage: kalshi-platform/);
    expect(r.stdout).toContain('migrate');
  });
});

describe('tools/healthcheck.cjs', () => {
  const target = (app: string | null, args: string[], env: Record<string, string>) =>
    toolValue<{ url?: string; ok?: string; error?: string }>(`require('./tools/healthcheck.cjs').healthTarget(${JSON.stringify(app)}, ${JSON.stringify(args)}, ${JSON.stringify(env)})`);

  it("picks each app's endpoint: exchange status on its --port, execution and HEALTH_PORT /healthz, one-shot commands healthy", () => {
    expect(target('exchange', ['--host', '0.0.0.0', '--port', '9999'], {})).toEqual({ url: 'http://127.0.0.1:9999/trade-api/v2/exchange/status' });
    expect(target('exchange', [], {})).toEqual({ url: 'http://127.0.0.1:8080/trade-api/v2/exchange/status' });
    expect(target('execution', [], { EXECUTION_HTTP_PORT: '7000' })).toEqual({ url: 'http://127.0.0.1:7000/healthz' });
    for (const app of ['ingestion', 'ticker-plant', 'detection', 'market-maker', 'operator']) {
      expect(target(app, [], { HEALTH_PORT: '9100' })).toEqual({ url: 'http://127.0.0.1:9100/healthz' });
      expect(target(app, [], {})).toEqual({ url: 'http://127.0.0.1:8081/healthz' });
    }
    expect(target('cli', ['migrate', 'up'], {}).ok).toBeDefined();
    expect(target('platform', [], {}).ok).toBeDefined();
    expect(target(null, [], {}).error).toBeDefined();
  });

  it('finds the app from the start.cjs process in /proc, under an init too', () => {
    const proc = mkdtempSync(join(tmpdir(), 'kp-proc-'));
    const add = (pid: string, argv: string[]) => {
      mkdirSync(join(proc, pid));
      writeFileSync(join(proc, pid, 'cmdline'), `${argv.join('\0')}\0`);
    };
    add('1', ['/sbin/docker-init', '--', 'node', '/app/tools/start.cjs', 'exchange', '--port', '8080']);
    mkdirSync(join(proc, 'self'));
    const found = toolValue<{ app: string; args: string[] }>(`require('./tools/healthcheck.cjs').findApp(${JSON.stringify(proc)})`);
    expect(found).toEqual({ app: 'exchange', args: ['--port', '8080'] });
    expect(toolValue(`require('./tools/healthcheck.cjs').findApp(${JSON.stringify(join(proc, 'nope'))})`)).toBeNull();
  });

  describe('against a live endpoint', () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        res.statusCode = req.url === '/healthz' ? 200 : 503;
        res.end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    // the server runs in this process: the checks must run asynchronously
    const check = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      new Promise<{ code: number | null; out: string }>((done) => {
        const child = spawn(process.execPath, ['tools/healthcheck.cjs', ...args], { cwd: ROOT, env: { PATH: process.env.PATH, ...env } });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('close', (code) => done({ code, out }));
      });

    it('exits 0 on a 2xx answer and 1 otherwise, with one line saying why', async () => {
      expect(await check([`${base}/healthz`])).toEqual({ code: 0, out: `healthy: ${base}/healthz answered 200\n` });
      expect(await check([`${base}/readyz`])).toEqual({ code: 1, out: `unhealthy: ${base}/readyz answered 503\n` });
      expect(await check([], { APP_HEALTH_URL: `${base}/healthz` })).toMatchObject({ code: 0 });
      const closed = await check(['http://127.0.0.1:1/healthz']);
      expect(closed.code).toBe(1);
      expect(closed.out).toMatch(/^unhealthy: http:\/\/127\.0\.0\.1:1\/healthz: /);
    });
  });
});

describe('skaffold.yaml', () => {
  interface Skaffold {
    apiVersion: string;
    build: { artifacts: Array<{ image: string; context?: string; docker?: { dockerfile?: string } }> };
    deploy: { helm: { releases: Array<{ name: string; chartPath: string; setValueTemplates: Record<string, string> }> } };
    profiles: Array<{ name: string; portForward?: Array<{ resourceType: string; resourceName: string; port: number; localPort?: number }> }>;
  }
  const doc = yamlOf<Skaffold>('skaffold.yaml');

  it('validates against the vendored skaffold v4beta13 schema (pruned; deploy/schemas/README.md)', async () => {
    const schema = JSON.parse(read('deploy/schemas/skaffold-v4beta13.pruned.json')) as Record<string, unknown>;
    const moduleName = 'ajv'; // a transitive dependency (eslint, fastify): validated with it when it loads
    let Ajv: (new (opts: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } }) | undefined;
    try {
      const m = await import(moduleName);
      Ajv = m.default?.default ?? m.default ?? m;
    } catch {
      Ajv = undefined;
    }
    if (!Ajv) {
      console.warn('ajv cannot be loaded: skaffold.yaml is checked structurally only');
      return;
    }
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect([validate(doc), validate.errors ?? null]).toEqual([true, null]);
    // the schema does refuse what skaffold would refuse
    const broken = JSON.parse(JSON.stringify(doc)) as Skaffold & { build: { artifacts: Array<Record<string, unknown>> } };
    broken.build.artifacts[0].dockr = {};
    expect(validate(broken)).toBe(false);
  });

  it('builds ONE artifact from the Dockerfile and deploys the chart with its image through skaffold templates', () => {
    expect(doc.apiVersion).toBe('skaffold/v4beta13');
    expect(doc.build.artifacts).toEqual([{ image: 'ghcr.io/kalshi-platform/kalshi-platform', context: '.', docker: { dockerfile: 'Dockerfile' } }]);
    const [release] = doc.deploy.helm.releases;
    expect(release.name).toBe('kalshi-platform');
    expect(release.chartPath).toBe('charts/kalshi-platform');
    // skaffold's template name of an artifact: "/", "-", "." and ":" become "_" (docs: deployers/helm)
    const sanitized = doc.build.artifacts[0].image.replace(/[/\-.:]/g, '_');
    expect(release.setValueTemplates).toEqual({
      'image.repository': `{{.IMAGE_REPO_${sanitized}}}`,
      'image.tag': `{{.IMAGE_TAG_${sanitized}}}`,
    });
    // the image the compose file builds is the same repository
    expect(IMAGE).toContain(`${doc.build.artifacts[0].image}:`);
  });

  it('forwards the exchange (8080) and execution (8090) in the dev profile', () => {
    const dev = doc.profiles.find((p) => p.name === 'dev');
    expect(dev?.portForward).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resourceType: 'service', resourceName: 'kalshi-platform-exchange', port: 8080, localPort: 8080 }),
        expect.objectContaining({ resourceType: 'service', resourceName: 'kalshi-platform-execution', port: 8090, localPort: 8090 }),
      ]),
    );
  });
});

describe('.github/workflows/ci.yml and .ci/run', () => {
  it('runs the checks of .ci/run with its services, the chart checks, the compose check, and builds the image (no push on PRs)', () => {
    const wf = yamlOf<{ jobs: Record<string, { services?: Record<string, { image: string }>; steps: Array<{ run?: string; uses?: string; if?: string; with?: Record<string, unknown> }> }> }>('.github/workflows/ci.yml');
    const checks = wf.jobs.checks;
    expect(Object.values(checks.services ?? {}).map((s) => s.image).sort()).toEqual(['postgres:16', 'redis:7']);
    const runs = checks.steps.map((s) => s.run ?? '').join('\n');
    for (const c of ['nats:2.10', '-js', 'npm ci', 'docker-compose config -q', 'npm run typecheck', 'npm run lint', 'npm test', 'npm run chart:check']) expect(runs).toContain(c);
    expect(checks.steps.find((s) => s.uses?.startsWith('actions/setup-node'))?.with?.['node-version']).toBe(20);
    const image = wf.jobs.image.steps.filter((s) => s.uses?.startsWith('docker/build-push-action'));
    expect(image.length).toBeGreaterThan(0);
    for (const s of image) if (s.with?.push === true) expect(s.if).toBe("github.event_name != 'pull_request'");
    expect(read('.ci/run')).toMatch(/docker-compose config -q/);
  });
});

