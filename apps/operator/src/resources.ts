/**
 * The children of a TickerPlant, as pure functions of the custom resource: the shard StatefulSet `<name>-tickerplant`
 * and its headless Service (same name), with recommended labels (kubernetes.io/docs/concepts/overview/
 * working-with-objects/common-labels) and a controller owner reference, so the garbage collector deletes them with
 * the TickerPlant (kubernetes.io/docs/concepts/architecture/garbage-collection).
 */
import { createHash } from 'node:crypto';
import type { V1EnvVar, V1OwnerReference, V1PodTemplateSpec, V1ResourceRequirements, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { API_VERSION, DEFAULT_ASSIGNMENT_BUCKET, DEFAULT_PARTITIONS, KIND, RESERVED_ENV, type TickerPlant } from './crd';

/** Container port of the shard's health server (`/healthz`, `/readyz`); set as HEALTH_PORT. */
export const HEALTH_PORT = 8081;
/** The operator's name in `app.kubernetes.io/managed-by`. */
export const MANAGED_BY = 'kalshi-platform-operator';
/** Annotation on the StatefulSet: hash of the pod template the operator last wrote (drift detection). */
export const TEMPLATE_HASH_ANNOTATION = 'kalshi-platform.io/template-hash';

/** Name of the StatefulSet and of the headless Service of a TickerPlant. */
export function childName(crName: string): string {
  return `${crName}-tickerplant`;
}

/** The labels that select a TickerPlant's pods (the StatefulSet selector; immutable once created). */
export function selectorLabels(crName: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'ticker-plant', 'app.kubernetes.io/instance': crName };
}

/** Every label the operator puts on children and pods. */
export function childLabels(crName: string): Record<string, string> {
  return {
    ...selectorLabels(crName),
    'app.kubernetes.io/component': 'ticker-plant',
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/part-of': 'kalshi-platform',
  };
}

/** The pods' label selector as a string (`k=v,k=v`), for status.selector and the scale subresource. */
export function selectorString(crName: string): string {
  return Object.entries(selectorLabels(crName))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** A TickerPlant's spec with defaults applied (the API server applies them too; this also covers a missing default). */
export interface EffectiveSpec {
  shards: number;
  partitions: number;
  image: string;
  imagePullPolicy?: string;
  resources?: TickerPlant['spec']['resources'];
  natsUrl: string;
  bucket: string;
  env: V1EnvVar[];
}

/** Thrown for a spec the operator cannot act on; the message says why (it becomes a Degraded condition). */
export class InvalidSpecError extends Error {}

/**
 * Applies defaults and checks what the CRD schema checks (a guard against a CRD installed without its schema).
 * @param defaultNatsUrl the operator's NATS_URL, used when `spec.nats.url` is unset
 * @throws InvalidSpecError
 */
export function effectiveSpec(cr: TickerPlant, defaultNatsUrl: string | undefined): EffectiveSpec {
  const s = cr.spec ?? ({} as TickerPlant['spec']);
  const partitions = s.partitions ?? DEFAULT_PARTITIONS;
  if (!Number.isInteger(s.shards) || s.shards < 1) throw new InvalidSpecError(`spec.shards must be an integer >= 1, got ${String(s.shards)}`);
  if (!Number.isInteger(partitions) || partitions < 1) throw new InvalidSpecError(`spec.partitions must be an integer >= 1, got ${String(partitions)}`);
  if (s.shards > partitions) throw new InvalidSpecError(`spec.shards (${s.shards}) exceeds spec.partitions (${partitions}): a shard would own nothing`);
  if (!s.image) throw new InvalidSpecError('spec.image is required');
  const natsUrl = s.nats?.url || defaultNatsUrl;
  if (!natsUrl) throw new InvalidSpecError('spec.nats.url is unset and the operator has no NATS_URL');
  const bucket = s.nats?.assignmentBucket || DEFAULT_ASSIGNMENT_BUCKET;
  const reserved = new Set<string>(RESERVED_ENV);
  const env = (s.env ?? []).filter((e) => !reserved.has(e.name)) as V1EnvVar[];
  return { shards: s.shards, partitions, image: s.image, imagePullPolicy: s.imagePullPolicy, resources: s.resources, natsUrl, bucket, env };
}

/** The controller owner reference to a TickerPlant (blockOwnerDeletion: foreground deletion waits for the child). */
export function ownerReference(cr: TickerPlant): V1OwnerReference {
  return { apiVersion: API_VERSION, kind: KIND, name: cr.metadata.name ?? '', uid: cr.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** Whether `owners` include the controller reference to the TickerPlant with this uid. */
export function isControlledBy(owners: V1OwnerReference[] | undefined, uid: string | undefined): boolean {
  return !!uid && !!owners?.some((o) => o.uid === uid && o.controller === true);
}

/** SHA-256 (hex, 16 chars) of a value's canonical JSON. */
export function hashOf(value: unknown): string {
  const canon = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(canon)
      : x && typeof x === 'object'
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .filter((k) => (x as Record<string, unknown>)[k] !== undefined)
              .map((k) => [k, canon((x as Record<string, unknown>)[k])]),
          )
        : x;
  return createHash('sha256').update(JSON.stringify(canon(value))).digest('hex').slice(0, 16);
}

/**
 * The desired StatefulSet: `spec.shards` replicas of the platform image started as `ticker-plant`, pods managed in
 * parallel (shards are independent), probes on the health port. SHARD_INDEX is not set: each shard derives it from
 * its pod ordinal (HOSTNAME `<name>-tickerplant-<k>`, libs/feature-ticker-plant). The template hash annotation lets the
 * operator detect drift without comparing API-server-defaulted fields.
 */
export function desiredStatefulSet(cr: TickerPlant, spec: EffectiveSpec): V1StatefulSet {
  const name = cr.metadata.name ?? '';
  const labels = childLabels(name);
  const env: V1EnvVar[] = [
    { name: 'NATS_URL', value: spec.natsUrl },
    // no SHARD_COUNT: in KV mode a shard takes the shard count from the assignment record, so scaling changes only
    // `replicas` and never the pod template (no rolling restart of every shard on each scale)
    { name: 'PARTITION_COUNT', value: String(spec.partitions) },
    { name: 'TICKERPLANT_NAME', value: name },
    { name: 'ASSIGNMENT_BUCKET', value: spec.bucket },
    { name: 'HEALTH_PORT', value: String(HEALTH_PORT) },
    ...spec.env,
  ];
  const template: V1PodTemplateSpec = {
    metadata: { labels },
    spec: {
      containers: [
        {
          name: 'ticker-plant',
          image: spec.image,
          ...(spec.imagePullPolicy ? { imagePullPolicy: spec.imagePullPolicy } : {}),
          args: ['ticker-plant'],
          env,
          ports: [{ name: 'health', containerPort: HEALTH_PORT, protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/readyz', port: 'health' }, periodSeconds: 5, failureThreshold: 3 },
          livenessProbe: { httpGet: { path: '/healthz', port: 'health' }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 },
          ...(spec.resources ? { resources: spec.resources as V1ResourceRequirements } : {}),
        },
      ],
    },
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: childName(name),
      namespace: cr.metadata.namespace,
      labels,
      annotations: { [TEMPLATE_HASH_ANNOTATION]: hashOf(template) },
      ownerReferences: [ownerReference(cr)],
    },
    spec: {
      replicas: spec.shards,
      serviceName: childName(name),
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selectorLabels(name) },
      updateStrategy: { type: 'RollingUpdate' },
      template,
    },
  };
}

/** The desired headless Service (stable DNS `<pod>.<name>-tickerplant.<ns>.svc` for the shards). */
export function desiredService(cr: TickerPlant): V1Service {
  const name = cr.metadata.name ?? '';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: childName(name), namespace: cr.metadata.namespace, labels: childLabels(name), ownerReferences: [ownerReference(cr)] },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: selectorLabels(name),
      ports: [{ name: 'health', port: HEALTH_PORT, targetPort: 'health', protocol: 'TCP' }],
    },
  };
}
