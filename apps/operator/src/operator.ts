/**
 * The TickerPlant controller: level-triggered reconciliation of every TickerPlant to its StatefulSet, headless
 * Service, NATS partition assignment and status (Kubernetes "Controllers" and "Operator pattern" docs).
 *
 * - Two client-node informers (list + watch): TickerPlants, and the StatefulSets the operator manages (label
 *   `app.kubernetes.io/managed-by=kalshi-platform-operator`, mapped to their owner). A watch that the server closes is
 *   resumed from the last resourceVersion; a 410 Gone (too old resourceVersion) makes the informer relist; any other
 *   watch or list failure restarts the informer after `informerRetryMs`. Every `resyncMs` all TickerPlants are
 *   reconciled again (level-triggered: a missed event is repaired).
 * - A work queue keyed `namespace/name`: one reconcile at a time, duplicate events coalesce, failures are retried
 *   with exponential backoff (100 ms doubling to `maxBackoffMs`).
 * - Every reconcile re-reads the TickerPlant, and every write carries the resourceVersion it read, so a concurrent
 *   change answers 409 Conflict: the operator re-reads and retries (status, finalizers, StatefulSet, Service).
 * - Idempotent: nothing is written when the cluster and NATS already match (the StatefulSet's pod template is
 *   compared by a hash annotation, status by value, the assignment by value).
 *
 * Order of a scale: scaling up, the StatefulSet grows first and the new assignment is published after (the new
 * shards exist when partitions move to them); scaling down, the assignment is published first (partitions leave
 * the shards about to be removed) and the StatefulSet shrinks after.
 *
 * Deletion: the finalizer `kalshi-platform.io/cleanup` holds the TickerPlant until the assignment key is deleted
 * from NATS; the children carry a controller owner reference, so the garbage collector deletes them afterwards.
 */
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
  type V1Service,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import { assignPartitions, movedPartitions, type AssignmentRecord } from './assignment';
import type { AssignmentStore } from './assignment-store';
import { DEFAULT_ASSIGNMENT_BUCKET, FINALIZER, GROUP, KIND, PLURAL, VERSION, type TickerPlant, type TickerPlantStatus } from './crd';
import { describeError, isStatus } from './kube';
import {
  childLabels,
  childName,
  desiredService,
  desiredStatefulSet,
  effectiveSpec,
  InvalidSpecError,
  isControlledBy,
  MANAGED_BY,
  selectorString,
  TEMPLATE_HASH_ANNOTATION,
  type EffectiveSpec,
} from './resources';
import { computeStatus, type ObservedStatefulSet } from './status';

/** Settings of a {@link TickerPlantOperator}. */
export interface OperatorOptions {
  kubeConfig: KubeConfig;
  /** Namespace to watch; undefined: all namespaces (needs the ClusterRole). */
  namespace?: string;
  /** NATS URL used when a TickerPlant has no spec.nats.url (the operator's NATS_URL). */
  natsUrl?: string;
  /** Where assignments are published. */
  store: AssignmentStore;
  /** Period of the full resync, in ms (default 30 000). */
  resyncMs?: number;
  /** Delay before restarting a failed informer, in ms (default 1 000). */
  informerRetryMs?: number;
  /** Cap of the per-key retry backoff, in ms (default 30 000). */
  maxBackoffMs?: number;
  /** Progress deadline of the Degraded condition, in seconds (default 600). */
  progressDeadlineSeconds?: number;
  log?: (msg: string) => void;
  /** Clock (tests). */
  now?: () => Date;
}

/** A child object exists with our name but another controller: the operator will not take it over. */
class NotOwnedError extends Error {}

/** Retries of one write after 409 Conflict (re-reading in between) before the reconcile fails and backs off. */
const CONFLICT_RETRIES = 5;

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function canonical(x: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object' && !(v instanceof Date)
        ? Object.fromEntries(
            Object.keys(v)
              .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sort(x));
}

const keyOf = (ns: string | undefined, name: string | undefined): string => `${ns ?? ''}/${name ?? ''}`;

/** The controller. {@link TickerPlantOperator.start} when leading, {@link TickerPlantOperator.stop} when not. */
export class TickerPlantOperator {
  private readonly custom: CustomObjectsApi;
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly log: (msg: string) => void;
  private readonly now: () => Date;
  private running = false;
  private informers: Array<Informer<never> & ObjectCache<never>> = [];
  private tpInformer: (Informer<KubernetesObject> & ObjectCache<KubernetesObject>) | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<string>();
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private readonly informerTimers = new Set<NodeJS.Timeout>();
  private working: Promise<void> | undefined;
  /** Reconciles completed (successfully or not), for observability and tests. */
  reconciles = 0;

  constructor(private readonly o: OperatorOptions) {
    this.custom = o.kubeConfig.makeApiClient(CustomObjectsApi);
    this.apps = o.kubeConfig.makeApiClient(AppsV1Api);
    this.core = o.kubeConfig.makeApiClient(CoreV1Api);
    this.log = o.log ?? ((m) => console.log(`operator: ${m}`));
    this.now = o.now ?? (() => new Date());
  }

  /** Whether the informers are running. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Starts the informers (resolves after their initial list), the work queue and the resync timer. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const ns = this.o.namespace;
    const base = `/apis/${GROUP}/${VERSION}`;
    // custom objects are plain JSON (timestamps are strings): typed as KubernetesObject for the informer
    const tp = makeInformer<KubernetesObject>(
      this.o.kubeConfig,
      ns ? `${base}/namespaces/${ns}/${PLURAL}` : `${base}/${PLURAL}`,
      () =>
        (ns
          ? this.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL })
          : this.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL })) as Promise<KubernetesListObject<KubernetesObject>>,
    );
    const onTp = (obj: KubernetesObject): void => this.enqueue(keyOf(obj.metadata?.namespace, obj.metadata?.name));
    tp.on('add', onTp);
    tp.on('update', onTp);
    tp.on('delete', onTp);
    const selector = `app.kubernetes.io/managed-by=${MANAGED_BY}`;
    const sts = makeInformer<V1StatefulSet>(
      this.o.kubeConfig,
      ns ? `/apis/apps/v1/namespaces/${ns}/statefulsets` : '/apis/apps/v1/statefulsets',
      () => (ns ? this.apps.listNamespacedStatefulSet({ namespace: ns, labelSelector: selector }) : this.apps.listStatefulSetForAllNamespaces({ labelSelector: selector })),
      selector,
    );
    const onSts = (obj: V1StatefulSet): void => {
      const owner = obj.metadata?.ownerReferences?.find((r) => r.controller && r.kind === KIND && r.apiVersion.startsWith(`${GROUP}/`));
      if (owner) this.enqueue(keyOf(obj.metadata?.namespace, owner.name));
    };
    sts.on('add', onSts);
    sts.on('update', onSts);
    sts.on('delete', onSts);
    this.tpInformer = tp;
    this.informers = [tp, sts] as unknown as Array<Informer<never> & ObjectCache<never>>;
    for (const [name, inf] of [
      ['tickerplants', tp],
      ['statefulsets', sts],
    ] as const) {
      inf.on('error', (err: unknown) => {
        if (!this.running) return;
        this.log(`${name} informer failed (${describeError(err)}); restarting in ${this.o.informerRetryMs ?? 1000} ms`);
        const t = setTimeout(() => {
          this.informerTimers.delete(t);
          if (this.running) void inf.start();
        }, this.o.informerRetryMs ?? 1000);
        this.informerTimers.add(t);
      });
    }
    await Promise.all([tp.start(), sts.start()]);
    this.resyncTimer = setInterval(() => this.resync(), this.o.resyncMs ?? 30_000);
    this.resyncTimer.unref?.();
    this.resync();
  }

  /** Stops the informers and the queue; waits for a reconcile in progress to finish. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    for (const t of this.delayed.values()) clearTimeout(t);
    for (const t of this.informerTimers) clearTimeout(t);
    this.delayed.clear();
    this.informerTimers.clear();
    this.pending.clear();
    await Promise.all(this.informers.map((i) => i.stop()));
    this.informers = [];
    this.tpInformer = undefined;
    await this.working;
  }

  /** Enqueues every TickerPlant in the informer's cache. */
  resync(): void {
    for (const tp of this.tpInformer?.list() ?? []) this.enqueue(keyOf(tp.metadata?.namespace, tp.metadata?.name));
  }

  /** Adds a key (`namespace/name`) to the queue, now or after `delayMs`. */
  enqueue(key: string, delayMs = 0): void {
    if (!this.running) return;
    if (delayMs > 0) {
      if (this.delayed.has(key)) return;
      const t = setTimeout(() => {
        this.delayed.delete(key);
        this.enqueue(key);
      }, delayMs);
      this.delayed.set(key, t);
      return;
    }
    this.pending.add(key);
    if (!this.working) this.working = this.drain().finally(() => (this.working = undefined));
  }

  private async drain(): Promise<void> {
    while (this.running && this.pending.size > 0) {
      const key = this.pending.values().next().value as string;
      this.pending.delete(key);
      const [ns, name] = key.split('/');
      try {
        await this.reconcile(ns, name);
        this.failures.delete(key);
      } catch (err) {
        const n = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, n);
        const delay = Math.min(this.o.maxBackoffMs ?? 30_000, 100 * 2 ** (n - 1));
        this.log(`reconcile ${key} failed (attempt ${n}, retry in ${delay} ms): ${describeError(err)}`);
        this.enqueue(key, delay);
      } finally {
        this.reconciles++;
      }
    }
  }

  // ------------------------------------------------------------------ reconcile

  private async getTickerPlant(ns: string, name: string): Promise<TickerPlant | null> {
    try {
      return (await this.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, name })) as TickerPlant;
    } catch (err) {
      if (isStatus(err, 404)) return null;
      throw err;
    }
  }

  /**
   * Brings one TickerPlant's children, assignment and status to the desired state.
   * @throws on API or NATS failures (the queue retries with backoff)
   */
  async reconcile(ns: string, name: string): Promise<void> {
    let cr = await this.getTickerPlant(ns, name);
    if (!cr) return; // gone: the garbage collector removes the children
    if (cr.metadata.deletionTimestamp) return this.finalize(cr);
    if (!cr.metadata.finalizers?.includes(FINALIZER)) {
      const next = await this.setFinalizer(cr, true);
      if (!next) return;
      cr = next;
    }

    let spec: EffectiveSpec;
    try {
      spec = effectiveSpec(cr, this.o.natsUrl);
    } catch (err) {
      if (!(err instanceof InvalidSpecError)) throw err;
      this.log(`${ns}/${name}: invalid spec: ${err.message}`);
      await this.writeStatus(cr, undefined, undefined, undefined, { reason: 'InvalidSpec', message: err.message });
      return; // nothing to retry until the spec changes
    }

    let problem: { reason: string; message: string } | undefined;
    let sts: V1StatefulSet | undefined;
    let assignment: AssignmentRecord | undefined;
    try {
      await this.ensureService(cr);
      sts = await this.readStatefulSet(ns, childName(name));
      const scalingDown = !!sts && (sts.spec?.replicas ?? 0) > spec.shards;
      const publish = async (): Promise<void> => {
        try {
          assignment = await this.publishAssignment(cr as TickerPlant, spec);
        } catch (err) {
          problem = { reason: 'AssignmentPublishFailed', message: `publishing the assignment to NATS ${spec.natsUrl} (bucket ${spec.bucket}) failed: ${describeError(err)}` };
        }
      };
      if (scalingDown) await publish();
      sts = await this.ensureStatefulSet(cr, spec, sts);
      if (!scalingDown) await publish();
    } catch (err) {
      if (!(err instanceof NotOwnedError)) throw err;
      problem = { reason: 'ChildNotOwned', message: err.message };
    }
    await this.writeStatus(cr, spec, sts, assignment, problem);
    if (problem) throw new Error(problem.message);
  }

  /** Deletion: remove the assignment key from NATS, then the finalizer (the GC then deletes the children). */
  private async finalize(cr: TickerPlant): Promise<void> {
    if (!cr.metadata.finalizers?.includes(FINALIZER)) return;
    const name = cr.metadata.name ?? '';
    const url = cr.spec?.nats?.url || this.o.natsUrl;
    const bucket = cr.spec?.nats?.assignmentBucket || DEFAULT_ASSIGNMENT_BUCKET;
    if (url) {
      await this.o.store.remove(url, bucket, name);
      this.log(`${cr.metadata.namespace}/${name}: deleted assignment key ${name} from bucket ${bucket}`);
    } else this.log(`${cr.metadata.namespace}/${name}: no NATS URL, nothing was published: removing the finalizer`);
    await this.setFinalizer(cr, false);
  }

  /** Adds or removes our finalizer with a merge patch guarded by resourceVersion; re-reads and retries on 409. */
  private async setFinalizer(cr: TickerPlant, present: boolean): Promise<TickerPlant | null> {
    let cur: TickerPlant | null = cr;
    for (let attempt = 0; cur; attempt++) {
      const list = cur.metadata.finalizers ?? [];
      if (list.includes(FINALIZER) === present) return cur;
      if (present && cur.metadata.deletionTimestamp) return cur; // no new finalizers on an object being deleted
      const finalizers = present ? [...list, FINALIZER] : list.filter((f) => f !== FINALIZER);
      try {
        return (await this.custom.patchNamespacedCustomObject(
          {
            group: GROUP,
            version: VERSION,
            namespace: cur.metadata.namespace ?? '',
            plural: PLURAL,
            name: cur.metadata.name ?? '',
            body: { metadata: { resourceVersion: cur.metadata.resourceVersion, finalizers } },
          },
          mergePatch,
        )) as TickerPlant;
      } catch (err) {
        if (!isStatus(err, 409) || attempt >= CONFLICT_RETRIES) throw err;
        cur = await this.getTickerPlant(cur.metadata.namespace ?? '', cur.metadata.name ?? '');
      }
    }
    return null;
  }

  private async readStatefulSet(ns: string, name: string): Promise<V1StatefulSet | undefined> {
    try {
      return await this.apps.readNamespacedStatefulSet({ name, namespace: ns });
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  /** Creates the headless Service, or corrects the fields the operator owns (labels, selector, ports). */
  private async ensureService(cr: TickerPlant): Promise<void> {
    const desired = desiredService(cr);
    const ns = cr.metadata.namespace ?? '';
    const name = desired.metadata?.name ?? '';
    for (let attempt = 0; ; attempt++) {
      let cur: V1Service;
      try {
        cur = await this.core.readNamespacedService({ name, namespace: ns });
      } catch (err) {
        if (!isStatus(err, 404)) throw err;
        try {
          await this.core.createNamespacedService({ namespace: ns, body: desired });
          this.log(`${ns}/${cr.metadata.name}: created Service ${name}`);
          return;
        } catch (e) {
          if (!isStatus(e, 409) || attempt >= CONFLICT_RETRIES) throw e; // AlreadyExists: created meanwhile, re-read
          continue;
        }
      }
      if (!isControlledBy(cur.metadata?.ownerReferences, cr.metadata.uid)) {
        throw new NotOwnedError(`Service ${ns}/${name} exists and is not controlled by TickerPlant ${cr.metadata.name}`);
      }
      const want = desired.spec ?? {};
      const ports = (p: V1Service['spec']): string => canonical((p?.ports ?? []).map((x) => ({ name: x.name, port: x.port, targetPort: x.targetPort, protocol: x.protocol ?? 'TCP' })));
      const labelsOk = Object.entries(desired.metadata?.labels ?? {}).every(([k, v]) => cur.metadata?.labels?.[k] === v);
      if (labelsOk && canonical(cur.spec?.selector) === canonical(want.selector) && ports(cur.spec) === ports(want) && cur.spec?.publishNotReadyAddresses === true) return;
      const next: V1Service = {
        ...cur,
        metadata: { ...cur.metadata, labels: { ...cur.metadata?.labels, ...desired.metadata?.labels } },
        spec: { ...cur.spec, selector: want.selector, ports: want.ports, publishNotReadyAddresses: true },
      };
      try {
        await this.core.replaceNamespacedService({ name, namespace: ns, body: next });
        this.log(`${ns}/${cr.metadata.name}: updated Service ${name}`);
        return;
      } catch (err) {
        if (!isStatus(err, 409) || attempt >= CONFLICT_RETRIES) throw err;
      }
    }
  }

  /** Creates the StatefulSet, or updates replicas, labels and (when its hash changed) the pod template. */
  private async ensureStatefulSet(cr: TickerPlant, spec: EffectiveSpec, existing: V1StatefulSet | undefined): Promise<V1StatefulSet> {
    const desired = desiredStatefulSet(cr, spec);
    const ns = cr.metadata.namespace ?? '';
    const name = desired.metadata?.name ?? '';
    const hash = desired.metadata?.annotations?.[TEMPLATE_HASH_ANNOTATION];
    const desiredTemplate = (desired.spec as NonNullable<V1StatefulSet['spec']>).template;
    let cur = existing;
    for (let attempt = 0; ; attempt++) {
      if (!cur) {
        try {
          const created = await this.apps.createNamespacedStatefulSet({ namespace: ns, body: desired });
          this.log(`${ns}/${cr.metadata.name}: created StatefulSet ${name} with ${spec.shards} replicas`);
          return created;
        } catch (err) {
          if (!isStatus(err, 409) || attempt >= CONFLICT_RETRIES) throw err;
          cur = await this.readStatefulSet(ns, name);
          continue;
        }
      }
      if (!isControlledBy(cur.metadata?.ownerReferences, cr.metadata.uid)) {
        throw new NotOwnedError(`StatefulSet ${ns}/${name} exists and is not controlled by TickerPlant ${cr.metadata.name}`);
      }
      const labelsOk = Object.entries(childLabels(cr.metadata.name ?? '')).every(([k, v]) => cur?.metadata?.labels?.[k] === v);
      const templateOk = cur.metadata?.annotations?.[TEMPLATE_HASH_ANNOTATION] === hash;
      if (labelsOk && templateOk && cur.spec?.replicas === spec.shards) return cur;
      const next: V1StatefulSet = {
        ...cur,
        metadata: {
          ...cur.metadata,
          labels: { ...cur.metadata?.labels, ...desired.metadata?.labels },
          annotations: { ...cur.metadata?.annotations, [TEMPLATE_HASH_ANNOTATION]: hash ?? '' },
        },
        spec: { ...(cur.spec as NonNullable<V1StatefulSet['spec']>), replicas: spec.shards, template: templateOk ? (cur.spec?.template ?? desiredTemplate) : desiredTemplate },
      };
      try {
        const updated = await this.apps.replaceNamespacedStatefulSet({ name, namespace: ns, body: next });
        const what = [cur.spec?.replicas !== spec.shards ? `replicas ${cur.spec?.replicas} -> ${spec.shards}` : '', templateOk ? '' : 'pod template', labelsOk ? '' : 'labels'].filter(Boolean).join(', ');
        this.log(`${ns}/${cr.metadata.name}: updated StatefulSet ${name} (${what})`);
        return updated;
      } catch (err) {
        if (!isStatus(err, 409) || attempt >= CONFLICT_RETRIES) throw err;
        cur = await this.readStatefulSet(ns, name);
      }
    }
  }

  /**
   * Publishes the assignment for the current spec when the one in NATS differs (compare-and-set on the key's
   * revision). The previous assignment is the one in NATS, else the one mirrored in status.
   */
  private async publishAssignment(cr: TickerPlant, spec: EffectiveSpec): Promise<AssignmentRecord> {
    const name = cr.metadata.name ?? '';
    const entry = await this.o.store.read(spec.natsUrl, spec.bucket, name);
    const prev = entry?.record ?? null;
    const fromStatus = cr.status?.partitionAssignment;
    const basis = prev && prev.partitions === spec.partitions ? prev.assignment : fromStatus?.length === spec.partitions ? fromStatus : undefined;
    const next = assignPartitions(basis, spec.shards, spec.partitions);
    if (prev && prev.name === name && prev.shards === spec.shards && prev.partitions === spec.partitions && canonical(prev.assignment) === canonical(next)) return prev;
    const record: AssignmentRecord = {
      v: 1,
      name,
      generation: Math.max(prev?.generation ?? 0, cr.status?.assignmentGeneration ?? 0) + 1,
      shards: spec.shards,
      partitions: spec.partitions,
      assignment: next,
    };
    await this.o.store.write(spec.natsUrl, spec.bucket, name, record, entry ? entry.revision : null);
    const moves = basis ? `${movedPartitions(basis, next)} moved` : 'initial: p % shards';
    this.log(`${cr.metadata.namespace}/${name}: published assignment generation ${record.generation} (${spec.shards} shards, ${spec.partitions} partitions, ${moves}) to ${spec.bucket}`);
    return record;
  }

  /** Writes status through /status when it changed; on 409 re-reads and retries (unless the spec changed meanwhile). */
  private async writeStatus(
    cr: TickerPlant,
    spec: EffectiveSpec | undefined,
    sts: V1StatefulSet | undefined,
    assignment: AssignmentRecord | undefined,
    problem: { reason: string; message: string } | undefined,
  ): Promise<void> {
    const observed: ObservedStatefulSet | undefined = sts && {
      generation: sts.metadata?.generation,
      specReplicas: sts.spec?.replicas,
      observedGeneration: sts.status?.observedGeneration,
      replicas: sts.status?.replicas,
      readyReplicas: sts.status?.readyReplicas,
      updatedReplicas: sts.status?.updatedReplicas,
    };
    const generation = cr.metadata.generation;
    let cur: TickerPlant | null = cr;
    for (let attempt = 0; cur; attempt++) {
      const status: TickerPlantStatus = computeStatus(
        { cr: cur, shards: spec?.shards, sts: observed, assignment, problem, now: this.now(), progressDeadlineSeconds: this.o.progressDeadlineSeconds },
        selectorString(cur.metadata.name ?? ''),
      );
      if (canonical(status) === canonical(cur.status ?? {})) return;
      try {
        await this.custom.replaceNamespacedCustomObjectStatus({
          group: GROUP,
          version: VERSION,
          namespace: cur.metadata.namespace ?? '',
          plural: PLURAL,
          name: cur.metadata.name ?? '',
          body: { ...cur, status },
        });
        return;
      } catch (err) {
        if (!isStatus(err, 409) || attempt >= CONFLICT_RETRIES) throw err;
        this.log(`${cur.metadata.namespace}/${cur.metadata.name}: status update conflict, re-reading and retrying`);
        cur = await this.getTickerPlant(cur.metadata.namespace ?? '', cur.metadata.name ?? '');
        // a new generation or a deletion is reconciled afresh (the informer has queued it)
        if (!cur || cur.metadata.generation !== generation || cur.metadata.deletionTimestamp) return;
      }
    }
  }
}
