/**
 * The in-memory API server's own semantics, driven through @kubernetes/client-node and plain HTTP: optimistic
 * concurrency, JSON patch, finalizers and garbage collection, label selectors, and 410 on an expired watch.
 */
import { AppsV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { GROUP, PLURAL, tickerPlantCrd, VERSION } from '../src/crd';
import { FakeApiServer } from './fake-apiserver';

const NS = 'fake-ns';
let fake: FakeApiServer;
let custom: CustomObjectsApi;
let apps: AppsV1Api;

beforeAll(async () => {
  fake = await FakeApiServer.start();
  fake.registerCrd(tickerPlantCrd());
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'f', server: fake.url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'admin' }],
    contexts: [{ name: 'c', cluster: 'f', user: 'u' }],
    currentContext: 'c',
  });
  custom = kc.makeApiClient(CustomObjectsApi);
  apps = kc.makeApiClient(AppsV1Api);
});
afterAll(() => fake.close());

const body = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: `${GROUP}/${VERSION}`,
  kind: 'TickerPlant',
  metadata: { name, ...extra },
  spec: { shards: 1, image: 'x' },
});
const ref = (name: string): { group: string; version: string; namespace: string; plural: string; name: string } => ({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name });

describe('fake API server', () => {
  it('applies schema defaults, bumps generation on spec changes only, and answers 409 to a stale resourceVersion', async () => {
    const created = await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, body: body('a') });
    expect(created.spec).toEqual({ shards: 1, image: 'x', partitions: 64, nats: { assignmentBucket: 'TICKERPLANT_ASSIGNMENTS' } });
    expect(created.metadata.generation).toBe(1);
    const labelled = await custom.replaceNamespacedCustomObject({ ...ref('a'), body: { ...created, metadata: { ...created.metadata, labels: { x: '1' } } } });
    expect(labelled.metadata.generation).toBe(1);
    await expect(custom.replaceNamespacedCustomObject({ ...ref('a'), body: { ...created, spec: { ...created.spec, shards: 2 } } })).rejects.toMatchObject({ code: 409 });
    const scaled = await custom.replaceNamespacedCustomObject({ ...ref('a'), body: { ...labelled, spec: { ...labelled.spec, shards: 2 } } });
    expect(scaled.metadata.generation).toBe(2);
    // status is ignored on the main resource, and only status is taken on /status
    const withStatus = await custom.replaceNamespacedCustomObject({ ...ref('a'), body: { ...scaled, status: { replicas: 9 } } });
    expect(withStatus.status).toBeUndefined();
  });

  it('applies JSON patches (the client default) and refuses a failed test operation with 422', async () => {
    const cur = await custom.getNamespacedCustomObject(ref('a'));
    const patched = await custom.patchNamespacedCustomObject({
      ...ref('a'),
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: cur.metadata.resourceVersion },
        { op: 'replace', path: '/spec/shards', value: 3 },
      ],
    });
    expect(patched.spec.shards).toBe(3);
    await expect(custom.patchNamespacedCustomObject({ ...ref('a'), body: [{ op: 'test', path: '/spec/shards', value: 1 }] })).rejects.toMatchObject({ code: 422 });
  });

  it('holds an object with finalizers until they are removed, then collects its dependents', async () => {
    const owner = await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, body: body('owned', { finalizers: ['test/hold'] }) });
    await apps.createNamespacedStatefulSet({
      namespace: NS,
      body: {
        metadata: { name: 'child', labels: { app: 'c' }, ownerReferences: [{ apiVersion: `${GROUP}/${VERSION}`, kind: 'TickerPlant', name: 'owned', uid: owner.metadata.uid }] },
        spec: { selector: { matchLabels: { app: 'c' } }, serviceName: 'child', template: { metadata: { labels: { app: 'c' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
      },
    });
    expect((await apps.listNamespacedStatefulSet({ namespace: NS, labelSelector: 'app=c' })).items).toHaveLength(1);
    expect((await apps.listNamespacedStatefulSet({ namespace: NS, labelSelector: 'app!=c' })).items).toHaveLength(0);
    await custom.deleteNamespacedCustomObject(ref('owned'));
    const deleting = await custom.getNamespacedCustomObject(ref('owned'));
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    await custom.replaceNamespacedCustomObject({ ...ref('owned'), body: { ...deleting, metadata: { ...deleting.metadata, finalizers: [] } } });
    await expect(custom.getNamespacedCustomObject(ref('owned'))).rejects.toMatchObject({ code: 404 });
    for (let i = 0; i < 40 && fake.get('apps', 'statefulsets', NS, 'child'); i++) await new Promise((r) => setTimeout(r, 25)); // GC runs in the background
    await expect(apps.readNamespacedStatefulSet({ name: 'child', namespace: NS })).rejects.toMatchObject({ code: 404 });
  });

  it('answers a watch from an expired resourceVersion with an ERROR event carrying 410, and replays newer events', async () => {
    const list = await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL });
    const rv = list.metadata.resourceVersion as string;
    await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, body: body('later') });
    const watchOnce = async (from: string): Promise<string> => {
      const ctl = new AbortController();
      const res = await fetch(`${fake.url}/apis/${GROUP}/${VERSION}/namespaces/${NS}/${PLURAL}?watch=true&resourceVersion=${from}`, { headers: { authorization: 'Bearer admin' }, signal: ctl.signal });
      expect(res.status).toBe(200);
      const reader = res.body?.getReader();
      const first = await reader?.read();
      ctl.abort();
      return new TextDecoder().decode(first?.value).split('\n')[0];
    };
    expect(JSON.parse(await watchOnce(rv))).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'later' } } });
    fake.expireWatches();
    expect(JSON.parse(await watchOnce(rv))).toEqual({ type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }) });
  });
});
