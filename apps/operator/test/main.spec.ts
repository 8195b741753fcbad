/**
 * The operator process as deployed: `node tools/run.cjs apps/operator/src/main.ts` with a KUBECONFIG pointing at the
 * in-memory API server, HEALTH_PORT=0: one start line, leadership, /healthz and /readyz, and a clean SIGTERM (exit 0,
 * Lease released). Also the environment parsing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { OperatorConfigError, operatorConfigFromEnv } from '../src/config';
import { tickerPlantCrd } from '../src/crd';
import { FakeApiServer } from './fake-apiserver';

const root = resolve(__dirname, '..', '..', '..');

describe('operatorConfigFromEnv', () => {
  it('reads the variables, with defaults', () => {
    expect(operatorConfigFromEnv({ POD_NAME: 'op-0', POD_NAMESPACE: 'ops' }, () => undefined)).toMatchObject({
      watchNamespace: undefined,
      leaseName: 'kalshi-platform-operator',
      leaseNamespace: 'ops',
      identity: 'op-0',
      leaseDurationSeconds: 15,
      renewDeadlineSeconds: 10,
      retryPeriodSeconds: 2,
      resyncSeconds: 30,
    });
    const cfg = operatorConfigFromEnv({ WATCH_NAMESPACE: 'trading', NATS_URL: 'nats://n:4222', LEASE_NAME: 'l' }, () => 'from-sa');
    expect(cfg).toMatchObject({ watchNamespace: 'trading', natsUrl: 'nats://n:4222', leaseName: 'l', leaseNamespace: 'trading' });
    expect(operatorConfigFromEnv({}, () => 'from-sa').leaseNamespace).toBe('from-sa');
    expect(operatorConfigFromEnv({}, () => undefined).leaseNamespace).toBe('default');
  });

  it('names a malformed variable', () => {
    expect(() => operatorConfigFromEnv({ RESYNC_SECONDS: 'often' }, () => undefined)).toThrow(OperatorConfigError);
    expect(() => operatorConfigFromEnv({ RESYNC_SECONDS: 'often' }, () => undefined)).toThrow(/RESYNC_SECONDS/);
    expect(() => operatorConfigFromEnv({ LEASE_DURATION_SECONDS: '5', RENEW_DEADLINE_SECONDS: '5' }, () => undefined)).toThrow(/RENEW_DEADLINE_SECONDS/);
  });
});

describe('apps/operator/src/main.ts', () => {
  let fake: FakeApiServer;
  let dir: string;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    fake = await FakeApiServer.start();
    fake.registerCrd(tickerPlantCrd());
    dir = mkdtempSync(join(tmpdir(), 'operator-main-'));
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with one line, leads, serves /healthz and /readyz, and stops cleanly on SIGTERM', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: fake, cluster: {server: "${fake.url}", insecure-skip-tls-verify: true}}]`,
        'users: [{name: u, user: {token: operator}}]',
        'contexts: [{name: c, context: {cluster: fake, user: u}}]',
        'current-context: c',
        '',
      ].join('\n'),
    );
    const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig, POD_NAME: 'op-main-test', LEASE_NAMESPACE: 'ops', HEALTH_PORT: '0', RETRY_PERIOD_SECONDS: '0.2' };
    delete env.NATS_URL; // readiness without NATS: this test needs no broker
    delete env.WATCH_NAMESPACE;
    child = spawn(process.execPath, ['tools/run.cjs', 'apps/operator/src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child?.on('exit', (code) => r(code)));

    const deadline = Date.now() + 20_000;
    const until = async (what: string, ok: () => boolean | Promise<boolean>): Promise<void> => {
      while (!(await ok())) {
        if (Date.now() > deadline || child?.exitCode !== null) throw new Error(`timed out waiting for ${what}; output:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until('the start line', () => /operator op-main-test: server http:\/\/127\.0\.0\.1:\d+, watching all namespaces, lease ops\/kalshi-platform-operator/.test(out));
    await until('leadership', () => /op-main-test became the leader/.test(out));
    const port = Number(/health: http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    let ready = { status: 0, body: '' };
    await until('readiness', async () => {
      const r = await fetch(`http://127.0.0.1:${port}/readyz`);
      ready = { status: r.status, body: await r.text() };
      return r.status === 200;
    });
    expect(ready.body).toMatch(/"kube-apiserver":\{"detail":"leader, Lease answered/);
    expect((fake.get('coordination.k8s.io', 'leases', 'ops', 'kalshi-platform-operator')?.spec as { holderIdentity?: string }).holderIdentity).toBe('op-main-test');
    // the informers are up: the leader listed and watches TickerPlants and StatefulSets
    await until('the informers', () => fake.requests.filter((r) => r.verb === 'watch').length >= 2);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toMatch(/SIGTERM: stopping/);
    expect((fake.get('coordination.k8s.io', 'leases', 'ops', 'kalshi-platform-operator')?.spec as { holderIdentity?: string }).holderIdentity).toBeUndefined();
  }, 30_000);
});
