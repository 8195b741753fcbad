/**
 * End to end: two operator processes (leader election + controller, the real @kubernetes/client-node informers,
 * typed APIs, merge patches, /status and /scale calls over HTTP) against the in-memory API server of
 * ./fake-apiserver.ts, authorized by the RBAC manifests of k8s/rbac, publishing assignments to a real NATS
 * JetStream KV bucket on 127.0.0.1:4222 (NATS_URL overrides; a test-unique bucket, deleted afterwards).
 *
 * The tests run in order and build on each other (one TickerPlant `main` through its life).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { connect, type KV, type NatsConnection } from 'nats';
import { parseAllDocuments } from 'yaml';
import { assignPartitions, decodeAssignment, movedPartitions, type AssignmentRecord } from '../src/assignment';
import { NatsAssignmentStore } from '../src/assignment-store';
import { FINALIZER, GROUP, PLURAL, tickerPlantCrd, VERSION, type TickerPlant } from '../src/crd';
import { LeaderElector } from '../src/leader';
import { startManager, type Manager } from '../src/manager';
import { FakeApiServer, type Obj, type RequestRecord } from './fake-apiserver';
import { grantsOf, rbacAuthorizer } from './rbac';

jest.setTimeout(20_000);

const NATS_URL = process.env.NATS_URL || 'nats://127.0.0.1:4222';
const BUCKET = `TP_OPERATOR_TEST_${process.pid}_${Date.now()}`;
const NS = 'trading';
const OP_NS = 'kalshi-platform';
const SA_USER = `system:serviceaccount:${OP_NS}:kalshi-platform-operator`;
const LEASE = 'kalshi-platform-operator';
const root = resolve(__dirname, '..', '..', '..');
const rbacDocs = readdirSync(join(root, 'k8s', 'rbac'))
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(readFileSync(join(root, 'k8s', 'rbac', f), 'utf8')).map((d) => d.toJSON() as Record<string, unknown>))
  .filter(Boolean);

function kubeConfigFor(server: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server, skipTLSVerify: true }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'c', cluster: 'fake', user: 'u', namespace: NS }],
    currentContext: 'c',
  });
  return kc;
}

/** Polls until `check` passes (returns without throwing, and not false, null or undefined); rethrows its last failure on timeout. */
async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<Exclude<T, false>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await check();
      if (v !== false && v !== undefined && v !== null) return v as NonNullable<Exclude<T, false>>;
      throw new Error(`condition is ${String(v)}`);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

let fake: FakeApiServer;
let admin: CustomObjectsApi;
let nc: NatsConnection;
let kv: KV;
const managers: Record<'a' | 'b', Manager | undefined> = { a: undefined, b: undefined };
const stores: NatsAssignmentStore[] = [];
const logs: string[] = [];

const tp = (name = 'main'): (TickerPlant & Obj) | undefined => fake.get(GROUP, PLURAL, NS, name) as (TickerPlant & Obj) | undefined;
const sts = (name = 'main'): Obj | undefined => fake.get('apps', 'statefulsets', NS, `${name}-tickerplant`);
const svc = (name = 'main'): Obj | undefined => fake.get('', 'services', NS, `${name}-tickerplant`);
const condition = (type: string, name = 'main'): { status: string; reason: string } | undefined =>
  tp(name)?.status?.conditions?.find((c) => c.type === type) as { status: string; reason: string } | undefined;
async function kvRecord(key = 'main'): Promise<AssignmentRecord | null> {
  const e = await kv.get(key);
  return e && e.operation === 'PUT' ? decodeAssignment(e.value) : null;
}
/** The StatefulSet controller's part, played by the test: the status of a StatefulSet with `ready` ready pods. */
function setStatefulSetStatus(ready: number, name = 'main'): void {
  fake.mutate(
    'apps',
    'statefulsets',
    NS,
    `${name}-tickerplant`,
    (o) => {
      const spec = o.spec as { replicas: number };
      o.status = { observedGeneration: o.metadata?.generation, replicas: spec.replicas, readyReplicas: ready, updatedReplicas: spec.replicas, currentReplicas: spec.replicas, availableReplicas: ready };
    },
    'status',
  );
}
const operatorRequests = (): RequestRecord[] => fake.requests.filter((r) => r.user === SA_USER);

function startOperator(id: 'a' | 'b'): Manager {
  const store = new NatsAssignmentStore(`operator-test-${id}`);
  stores.push(store);
  const m = startManager({
    kubeConfig: kubeConfigFor(fake.url, `token-${id}`),
    store,
    identity: `operator-${id}`,
    leaseName: LEASE,
    leaseNamespace: OP_NS,
    natsUrl: NATS_URL,
    leaseDurationSeconds: 2,
    renewDeadlineMs: 1500,
    retryPeriodMs: 200,
    resyncMs: 3000,
    informerRetryMs: 200,
    log: (msg) => logs.push(`[${id}] ${msg}`),
  });
  managers[id] = m;
  return m;
}

beforeAll(async () => {
  try {
    nc = await connect({ servers: NATS_URL, timeout: 3000 });
  } catch (err) {
    throw new Error(`these tests need NATS with JetStream at ${NATS_URL} (.ci/run starts it): ${(err as Error).message}`);
  }
  kv = await nc.jetstream().views.kv(BUCKET);
  fake = await FakeApiServer.start();
  fake.registerCrd(tickerPlantCrd());
  fake.users = { 'token-a': SA_USER, 'token-b': SA_USER, 'token-admin': 'admin' };
  const rbac = rbacAuthorizer(rbacDocs);
  fake.authorize = (a) => a.user === 'admin' || rbac(a);
  admin = kubeConfigFor(fake.url, 'token-admin').makeApiClient(CustomObjectsApi);
  startOperator('a');
  await eventually(() => managers.a?.operator.isRunning === true); // a leads ...
  startOperator('b'); // ... b is the standby
});

afterAll(async () => {
  await Promise.all(Object.values(managers).map((m) => m?.stop()));
  await Promise.all(stores.map((s) => s.close()));
  await kv?.destroy().catch(() => undefined);
  await nc?.close();
  await fake?.close();
  if (process.env.OPERATOR_TEST_LOGS) console.log(logs.join('\n'));
});

describe('TickerPlant operator (client-node against the in-memory API server, real NATS)', () => {
  it('creates the StatefulSet (replicas = shards) and headless Service with owner references, the finalizer, the assignment and status', async () => {
    await admin.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: PLURAL,
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'TickerPlant',
        metadata: { name: 'main' },
        spec: { shards: 3, image: 'kalshi-platform:test', nats: { url: NATS_URL, assignmentBucket: BUCKET }, env: [{ name: 'LOG_LEVEL', value: 'debug' }] },
      },
    });
    const set = await eventually(() => sts() as { spec: Record<string, unknown>; metadata: Record<string, unknown> } & Obj);
    const cr = tp() as TickerPlant;
    expect(cr.spec.partitions).toBe(64); // schema default
    expect(set.spec.replicas).toBe(3);
    expect(set.metadata.ownerReferences).toEqual([
      { apiVersion: 'kalshi-platform.io/v1alpha1', kind: 'TickerPlant', name: 'main', uid: cr.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    const labels = {
      'app.kubernetes.io/name': 'ticker-plant',
      'app.kubernetes.io/instance': 'main',
      'app.kubernetes.io/component': 'ticker-plant',
      'app.kubernetes.io/managed-by': 'kalshi-platform-operator',
      'app.kubernetes.io/part-of': 'kalshi-platform',
    };
    expect(set.metadata.labels).toEqual(labels);
    const template = set.spec.template as { metadata: { labels: object }; spec: { containers: Array<Record<string, unknown>> } };
    expect(template.metadata.labels).toEqual(labels);
    expect(set.spec.serviceName).toBe('main-tickerplant');
    const c = template.spec.containers[0];
    expect(c.image).toBe('kalshi-platform:test');
    expect(c.args).toEqual(['ticker-plant']);
    expect(c.env).toEqual([
      { name: 'NATS_URL', value: NATS_URL },
      { name: 'PARTITION_COUNT', value: '64' },
      { name: 'TICKERPLANT_NAME', value: 'main' },
      { name: 'ASSIGNMENT_BUCKET', value: BUCKET },
      { name: 'HEALTH_PORT', value: '8081' },
      { name: 'LOG_LEVEL', value: 'debug' },
    ]);
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: '/readyz', port: 'health' } });
    expect(c.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'health' } });
    expect(c.ports).toEqual([{ name: 'health', containerPort: 8081, protocol: 'TCP' }]);

    const service = await eventually(() => svc() as Obj & { spec: Record<string, unknown> });
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'ticker-plant', 'app.kubernetes.io/instance': 'main' });
    expect(service.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'TickerPlant', uid: cr.metadata.uid, controller: true });

    expect(cr.metadata.finalizers).toEqual([FINALIZER]);
    const rec = await eventually(() => kvRecord());
    expect(rec).toEqual({ v: 1, name: 'main', generation: 1, shards: 3, partitions: 64, assignment: assignPartitions(undefined, 3, 64) });
    const status = await eventually(() => tp()?.status?.assignmentGeneration === 1 && tp()?.status);
    expect(status).toMatchObject({
      observedGeneration: 1,
      readyShards: 0,
      replicas: 0,
      selector: 'app.kubernetes.io/name=ticker-plant,app.kubernetes.io/instance=main',
      partitionAssignment: rec?.assignment,
      assignmentGeneration: 1,
    });
    expect(condition('Available')).toMatchObject({ status: 'False', reason: 'ShardsNotReady' });
    expect(condition('Progressing')).toMatchObject({ status: 'True' });
    expect(condition('Degraded')).toMatchObject({ status: 'False' });
  });

  it('status.readyShards and the conditions follow the StatefulSet readyReplicas', async () => {
    setStatefulSetStatus(2);
    await eventually(() => tp()?.status?.readyShards === 2);
    expect(condition('Available')).toMatchObject({ status: 'False', reason: 'ShardsNotReady' });
    expect(condition('Progressing')).toMatchObject({ status: 'True', reason: 'WaitingForShards' });
    setStatefulSetStatus(3);
    await eventually(() => condition('Available')?.status === 'True');
    expect(tp()?.status).toMatchObject({ readyShards: 3, replicas: 3 });
    expect(condition('Available')).toMatchObject({ reason: 'AllShardsReady' });
    expect(condition('Progressing')).toMatchObject({ status: 'False', reason: 'Complete' });
    expect(condition('Degraded')).toMatchObject({ status: 'False' });
  });

  it('PUT /scale to 5 (kubectl scale): StatefulSet replicas 5, a minimal-move assignment in NATS and in status', async () => {
    const scale = (await admin.getNamespacedCustomObjectScale({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name: 'main' })) as {
      metadata: { resourceVersion: string };
      spec: { replicas: number };
      status: { replicas: number; selector: string };
    };
    expect(scale.spec.replicas).toBe(3);
    expect(scale.status).toEqual({ replicas: 3, selector: 'app.kubernetes.io/name=ticker-plant,app.kubernetes.io/instance=main' });
    const before = (await kvRecord()) as AssignmentRecord;
    const templateBefore = JSON.parse(JSON.stringify((sts()?.spec as { template: unknown }).template)) as unknown;
    await admin.replaceNamespacedCustomObjectScale({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: PLURAL,
      name: 'main',
      body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'main', namespace: NS, resourceVersion: scale.metadata.resourceVersion }, spec: { replicas: 5 } },
    });
    expect(tp()?.spec.shards).toBe(5);
    await eventually(() => (sts()?.spec as { replicas: number }).replicas === 5);
    const after = await eventually(async () => {
      const r = await kvRecord();
      return r?.shards === 5 && r;
    });
    const expected = assignPartitions(before.assignment, 5, 64);
    expect(after).toEqual({ v: 1, name: 'main', generation: 2, shards: 5, partitions: 64, assignment: expected });
    expect(movedPartitions(before.assignment, after.assignment)).toBe(25); // 64 - 3 * 13: only what the new shards take
    await eventually(() => tp()?.status?.assignmentGeneration === 2);
    expect(tp()?.status).toMatchObject({ observedGeneration: 2, partitionAssignment: expected });
    // scaling changes replicas only: the pod template (and so every running shard) is left alone
    const template = (sts()?.spec as { template: unknown }).template;
    expect(template).toEqual(templateBefore);
  });

  it('reconciling a converged TickerPlant writes nothing (idempotent)', async () => {
    setStatefulSetStatus(5);
    await eventually(() => condition('Available')?.status === 'True' && tp()?.status?.readyShards === 5);
    const kvBefore = await kv.get('main');
    const n = fake.requests.length;
    await managers.a?.operator.reconcile(NS, 'main');
    // the leader's periodic Lease renewal may land in this window: it is not a write of the reconcile
    const writes = fake.requests.slice(n).filter((r) => r.user === SA_USER && r.resource !== 'leases' && !['get', 'list', 'watch'].includes(r.verb));
    expect(writes).toEqual([]);
    expect((await kv.get('main'))?.revision).toBe(kvBefore?.revision);
  });

  it('survives dropped watches (resumes) and a 410 Gone (relists)', async () => {
    let watches = fake.stats.watches;
    fake.dropWatches(true); // connections reset: the informers fail and the operator restarts them
    await eventually(() => fake.stats.watches >= watches + 2);
    watches = fake.stats.watches;
    fake.dropWatches(); // streams end cleanly: the informers resume from their resourceVersion
    await eventually(() => fake.stats.watches >= watches + 2); // both informers are watching again
    await admin.patchNamespacedCustomObjectScale(
      { group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name: 'main', body: { spec: { replicas: 4 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(() => (sts()?.spec as { replicas: number }).replicas === 4);
    await eventually(async () => (await kvRecord())?.shards === 4);

    // the streams end, the change below is never sent to any watcher, and the history is compacted: resuming gets 410
    const [gone, lists] = [fake.stats.gone, fake.stats.lists];
    fake.expireWatches(() =>
      fake.mutate(GROUP, PLURAL, NS, 'main', (o) => {
        (o.spec as { shards: number }).shards = 6;
      }),
    );
    await eventually(() => (sts()?.spec as { replicas: number }).replicas === 6);
    expect(fake.stats.gone).toBeGreaterThan(gone);
    expect(fake.stats.lists).toBeGreaterThanOrEqual(lists + 2); // both informers relisted
    const rec = await eventually(async () => {
      const r = await kvRecord();
      return r?.shards === 6 && r;
    });
    expect(rec.generation).toBe(4);
  });

  it('retries a status update that hits 409 Conflict, after re-reading', async () => {
    // before the operator's next status PUT is handled, someone else changes the object: its resourceVersion is stale
    const conflicted = fake.intercept(
      (a) => a.user === SA_USER && a.resource === PLURAL && a.subresource === 'status' && a.verb === 'update',
      () => {
        fake.mutate(GROUP, PLURAL, NS, 'main', (o) => {
          o.metadata = { ...o.metadata, annotations: { touched: 'by-someone-else' } };
        });
      },
    );
    setStatefulSetStatus(6);
    await conflicted;
    await eventually(() => tp()?.status?.readyShards === 6);
    const statusWrites = operatorRequests().filter((r) => r.resource === PLURAL && r.subresource === 'status');
    const i = statusWrites.findIndex((r) => r.status === 409);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(statusWrites.slice(i + 1).some((r) => r.status === 200)).toBe(true);
    expect(logs.some((l) => /status update conflict, re-reading and retrying/.test(l))).toBe(true);
  });

  it('repairs drift: a deleted StatefulSet and an edited Service are restored', async () => {
    fake.mutate('', 'services', NS, 'main-tickerplant', (o) => {
      (o.spec as { selector: Record<string, string> }).selector = { app: 'something-else' };
    });
    const oldUid = sts()?.metadata?.uid;
    await kubeConfigFor(fake.url, 'token-admin')
      .makeApiClient((await import('@kubernetes/client-node')).AppsV1Api)
      .deleteNamespacedStatefulSet({ name: 'main-tickerplant', namespace: NS });
    await eventually(() => !!sts() && sts()?.metadata?.uid !== oldUid);
    expect((sts()?.spec as { replicas: number }).replicas).toBe(6);
    await eventually(() => (svc()?.spec as { selector: Record<string, string> }).selector['app.kubernetes.io/instance'] === 'main');
  });

  it('reports an invalid spec as Degraded (InvalidSpec) and creates nothing', async () => {
    // the CRD's CEL rule (shards <= partitions) rejects this in a real cluster; the operator guards anyway
    await admin.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: PLURAL,
      body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'TickerPlant', metadata: { name: 'bad' }, spec: { shards: 9, partitions: 8, image: 'x', nats: { url: NATS_URL, assignmentBucket: BUCKET } } },
    });
    await eventually(() => condition('Degraded', 'bad')?.status === 'True');
    expect(condition('Degraded', 'bad')?.reason).toBe('InvalidSpec');
    expect(sts('bad')).toBeUndefined();
    await admin.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name: 'bad' });
    await eventually(() => tp('bad') === undefined);
  });

  it('only the leader reconciles; the standby takes over when the leader stops and releases the Lease', async () => {
    expect(managers.a?.operator.isRunning).toBe(true);
    expect(managers.b?.operator.isRunning).toBe(false);
    expect(managers.b?.operator.reconciles).toBe(0);
    const lease = fake.get('coordination.k8s.io', 'leases', OP_NS, LEASE) as { spec: { holderIdentity: string } };
    expect(lease.spec.holderIdentity).toBe('operator-a');
    // the standby touched nothing but the Lease
    expect(fake.requests.filter((r) => r.token === 'token-b' && r.resource !== 'leases')).toEqual([]);

    await managers.a?.stop();
    await eventually(() => managers.b?.operator.isRunning === true, 5000);
    expect((fake.get('coordination.k8s.io', 'leases', OP_NS, LEASE) as { spec: { holderIdentity: string } }).spec.holderIdentity).toBe('operator-b');
    const n = fake.requests.length;
    await admin.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name: 'main', body: { spec: { shards: 2 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(() => (sts()?.spec as { replicas: number }).replicas === 2);
    await eventually(async () => (await kvRecord())?.shards === 2);
    const writers = new Set(fake.requests.slice(n).filter((r) => r.user === SA_USER && r.resource !== 'leases' && r.verb !== 'get').map((r) => r.token));
    expect([...writers]).toEqual(['token-b']);
  });

  it('deletion: the finalizer deletes the assignment key from NATS, then the TickerPlant and (by GC) its children go', async () => {
    await admin.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name: 'main' });
    await eventually(() => tp() === undefined);
    expect(await kvRecord()).toBeNull();
    const e = await kv.get('main');
    expect(e === null || e.operation !== 'PUT').toBe(true);
    await eventually(() => sts() === undefined && svc() === undefined);
  });

  it('least privilege: the operators were never refused, and used every verb k8s/rbac grants them', () => {
    const reqs = operatorRequests();
    expect(reqs.filter((r) => r.status === 403)).toEqual([]);
    const used = new Set(reqs.map((r) => `${r.apiGroup}|${r.subresource ? `${r.resource}/${r.subresource}` : r.resource}|${r.verb}`));
    const granted = grantsOf(rbacDocs as never)
      .filter((g) => g.user === SA_USER)
      .flatMap((g) => (g.rule.apiGroups ?? []).flatMap((ag) => (g.rule.resources ?? []).flatMap((res) => g.rule.verbs.map((v) => `${ag}|${res}|${v}`))));
    expect([...new Set(granted)].filter((p) => !used.has(p))).toEqual([]);
    expect([...used].filter((p) => !granted.includes(p))).toEqual([]);
  });
});

describe('leader election (Lease)', () => {
  it('a crashed leader (Lease not released) is replaced only after the lease duration', async () => {
    const kc = kubeConfigFor(fake.url, 'token-admin');
    const state = { x: false, y: false };
    const mk = (id: 'x' | 'y'): LeaderElector =>
      new LeaderElector({
        kubeConfig: kc,
        namespace: OP_NS,
        name: 'election-test',
        identity: id,
        leaseDurationSeconds: 1,
        renewDeadlineMs: 700,
        retryPeriodMs: 100,
        onStartedLeading: () => (state[id] = true),
        onStoppedLeading: () => (state[id] = false),
      });
    const x = mk('x');
    x.start();
    await eventually(() => state.x);
    const y = mk('y');
    y.start();
    await new Promise((r) => setTimeout(r, 400));
    expect(state.y).toBe(false);
    const crashedAt = Date.now();
    await x.stop(false);
    await eventually(() => state.y, 5000);
    expect(Date.now() - crashedAt).toBeGreaterThanOrEqual(800);
    const lease = fake.get('coordination.k8s.io', 'leases', OP_NS, 'election-test') as { spec: { holderIdentity: string; leaseTransitions: number } };
    expect(lease.spec).toMatchObject({ holderIdentity: 'y', leaseTransitions: 1 });
    await y.stop();
    expect((fake.get('coordination.k8s.io', 'leases', OP_NS, 'election-test') as { spec: { holderIdentity?: string } }).spec.holderIdentity).toBeUndefined();
  });
});
