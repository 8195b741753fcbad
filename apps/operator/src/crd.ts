/**
 * The `TickerPlant` custom resource (group `kalshi-platform.io`, version `v1alpha1`): its TypeScript shape and the
 * OpenAPI v3 schema the API server validates it with. This file is the ONE source of truth:
 * `k8s/crd/tickerplants.kalshi-platform.io.yaml` is generated from {@link tickerPlantCrd} by
 * `node tools/run.cjs apps/operator/src/generate-crd.ts`, and a test fails when the committed file differs.
 *
 * References: Kubernetes "Extend the Kubernetes API with CustomResourceDefinitions" (structural schemas, defaulting,
 * `x-kubernetes-validations` CEL rules, the `/status` and `/scale` subresources, additional printer columns) and the
 * API conventions (sig-architecture/api-conventions.md: spec/status, `observedGeneration`, `metav1.Condition`).
 */
import { stringify } from 'yaml';

/** API group of the operator's resources. */
export const GROUP = 'kalshi-platform.io';
/** Served and stored version. */
export const VERSION = 'v1alpha1';
/** `apiVersion` of a TickerPlant object. */
export const API_VERSION = `${GROUP}/${VERSION}`;
/** Kind, plural, singular and short name as registered in the CRD. */
export const KIND = 'TickerPlant';
export const PLURAL = 'tickerplants';
export const SINGULAR = 'tickerplant';
export const SHORT_NAME = 'tp';
/** Name of the CRD object (`<plural>.<group>`). */
export const CRD_NAME = `${PLURAL}.${GROUP}`;
/** Finalizer the operator puts on every TickerPlant: removes the partition assignment from NATS before deletion. */
export const FINALIZER = 'kalshi-platform.io/cleanup';
/** Default number of hash partitions (same as libs/bus DEFAULT_PARTITION_COUNT). */
export const DEFAULT_PARTITIONS = 64;
/** Default JetStream key-value bucket holding the partition assignments. */
export const DEFAULT_ASSIGNMENT_BUCKET = 'TICKERPLANT_ASSIGNMENTS';
/** Upper bounds enforced by the schema (a sanity limit, not a tested capacity). */
export const MAX_SHARDS = 1024;
export const MAX_PARTITIONS = 4096;
/** Environment variables the operator sets on every shard; `spec.env` may not redefine them. */
export const RESERVED_ENV = ['NATS_URL', 'SHARD_COUNT', 'PARTITION_COUNT', 'TICKERPLANT_NAME', 'ASSIGNMENT_BUCKET', 'HEALTH_PORT'] as const;

/** A Kubernetes resource quantity (`"500m"`, `"1Gi"`, or a plain number). */
export type Quantity = string | number;

/** core/v1 ResourceRequirements (the fields a ticker plant can use). */
export interface ResourceRequirements {
  limits?: Record<string, Quantity>;
  requests?: Record<string, Quantity>;
}

/** core/v1 EnvVar: a literal `value` or a `valueFrom` source. */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name?: string; key: string; optional?: boolean };
    secretKeyRef?: { name?: string; key: string; optional?: boolean };
    fieldRef?: { apiVersion?: string; fieldPath: string };
    resourceFieldRef?: { containerName?: string; resource: string; divisor?: Quantity };
  };
}

/** Where the shards and the operator find NATS, and the bucket the assignment is published in. */
export interface TickerPlantNats {
  /** NATS URL given to the shards and used by the operator; defaults to the operator's own NATS_URL. */
  url?: string;
  /** JetStream KV bucket of the assignment (key = the TickerPlant's name). Default TICKERPLANT_ASSIGNMENTS. */
  assignmentBucket?: string;
}

/** Desired state of a ticker plant. */
export interface TickerPlantSpec {
  /** Number of shards (StatefulSet replicas), 1..partitions. Also the scale subresource's `spec.replicas`. */
  shards: number;
  /** Number of hash partitions of market tickers (default 64). Immutable: changing it re-hashes every ticker. */
  partitions?: number;
  /** Container image of the platform; its entrypoint takes the app name (`ticker-plant`). */
  image: string;
  /** Always | IfNotPresent | Never (Kubernetes default when unset). */
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** CPU/memory requests and limits of each shard's container. */
  resources?: ResourceRequirements;
  /** NATS settings. */
  nats?: TickerPlantNats;
  /** Extra environment variables of each shard (names in {@link RESERVED_ENV} are rejected). */
  env?: EnvVar[];
}

/** metav1.Condition (k8s.io/apimachinery/pkg/apis/meta/v1). `lastTransitionTime` is RFC 3339. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  /** CamelCase, machine-readable. */
  reason: string;
  /** Human-readable detail (may be empty). */
  message: string;
}

/** Condition types of a TickerPlant. */
export type TickerPlantConditionType = 'Available' | 'Progressing' | 'Degraded';

/** Observed state of a ticker plant, written only by the operator through the `/status` subresource. */
export interface TickerPlantStatus {
  /** `metadata.generation` the status was computed from. */
  observedGeneration?: number;
  /** Shards whose pods are ready (the StatefulSet's `status.readyReplicas`). */
  readyShards?: number;
  /** Shard pods that exist (the StatefulSet's `status.replicas`); the scale subresource's `status.replicas`. */
  replicas?: number;
  /** Label selector of the shard pods, serialized (`a=b,c=d`); the scale subresource's `status.selector`. */
  selector?: string;
  /** partition -> shard, as last published to NATS (index = partition, value = shard ordinal). */
  partitionAssignment?: number[];
  /** Counter of published assignments (the `generation` field of the NATS KV value). */
  assignmentGeneration?: number;
  /** Available, Progressing, Degraded. */
  conditions?: Condition[];
}

/** Kubernetes ObjectMeta fields the operator reads and writes. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }>;
}

/** A TickerPlant object as served by the API server. */
export interface TickerPlant {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: ObjectMeta;
  spec: TickerPlantSpec;
  status?: TickerPlantStatus;
}

/** A JSON schema node (the OpenAPI v3 subset CRDs accept, plus Kubernetes extensions). */
export type JsonSchema = { [key: string]: unknown };

const quantity: JsonSchema = {
  anyOf: [{ type: 'integer' }, { type: 'string' }],
  pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
  'x-kubernetes-int-or-string': true,
};

const keyRef = (what: string): JsonSchema => ({
  type: 'object',
  description: `Selects a key of a ${what}.`,
  required: ['key'],
  properties: {
    name: { type: 'string', description: `Name of the ${what}.` },
    key: { type: 'string', description: 'The key to select.' },
    optional: { type: 'boolean', description: `Whether the ${what} or its key must be defined.` },
  },
  'x-kubernetes-map-type': 'atomic',
});

const envVar: JsonSchema = {
  type: 'object',
  description: 'An environment variable (core/v1 EnvVar).',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, description: 'Name of the variable.' },
    value: { type: 'string', description: 'Literal value.' },
    valueFrom: {
      type: 'object',
      description: 'Source of the value (core/v1 EnvVarSource).',
      properties: {
        configMapKeyRef: keyRef('ConfigMap'),
        secretKeyRef: keyRef('Secret'),
        fieldRef: {
          type: 'object',
          required: ['fieldPath'],
          properties: { apiVersion: { type: 'string' }, fieldPath: { type: 'string' } },
          'x-kubernetes-map-type': 'atomic',
        },
        resourceFieldRef: {
          type: 'object',
          required: ['resource'],
          properties: { containerName: { type: 'string' }, divisor: quantity, resource: { type: 'string' } },
          'x-kubernetes-map-type': 'atomic',
        },
      },
    },
  },
};

const condition: JsonSchema = {
  type: 'object',
  description: 'metav1.Condition: one aspect of the current state.',
  required: ['lastTransitionTime', 'message', 'reason', 'status', 'type'],
  properties: {
    type: { type: 'string', maxLength: 316, pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
    lastTransitionTime: { type: 'string', format: 'date-time' },
    reason: { type: 'string', maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' },
    message: { type: 'string', maxLength: 32768 },
  },
};

/**
 * The `openAPIV3Schema` of TickerPlant v1alpha1: a structural schema with defaults (`partitions`, `nats`,
 * `nats.assignmentBucket`) and CEL rules (`shards <= partitions`, `partitions` immutable, no reserved env names).
 */
export const tickerPlantSchema: JsonSchema = {
  type: 'object',
  description: 'A sharded ticker plant: a StatefulSet of shards, each owning a set of market-ticker hash partitions.',
  required: ['spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      description: 'Desired state.',
      required: ['shards', 'image'],
      properties: {
        shards: { type: 'integer', format: 'int32', minimum: 1, maximum: MAX_SHARDS, description: 'Number of shards (StatefulSet replicas); `kubectl scale` sets it.' },
        partitions: {
          type: 'integer',
          format: 'int32',
          minimum: 1,
          maximum: MAX_PARTITIONS,
          default: DEFAULT_PARTITIONS,
          description: 'Number of hash partitions of market tickers. Immutable.',
          'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'partitions is immutable (changing it re-hashes every ticker)' }],
        },
        image: { type: 'string', minLength: 1, description: 'Container image of the platform (entrypoint takes the app name).' },
        imagePullPolicy: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'], description: 'Image pull policy of the shard container.' },
        resources: {
          type: 'object',
          description: 'Compute resources of each shard container (core/v1 ResourceRequirements).',
          properties: {
            limits: { type: 'object', additionalProperties: quantity, description: 'Maximum resources.' },
            requests: { type: 'object', additionalProperties: quantity, description: 'Minimum resources.' },
          },
        },
        nats: {
          type: 'object',
          default: {},
          description: 'NATS connection of the shards and the operator, and the assignment bucket.',
          properties: {
            url: { type: 'string', minLength: 1, description: "NATS URL (default: the operator's NATS_URL)." },
            assignmentBucket: {
              type: 'string',
              default: DEFAULT_ASSIGNMENT_BUCKET,
              pattern: '^[a-zA-Z0-9_-]+$',
              description: 'JetStream key-value bucket of the partition assignment; the key is the TickerPlant name.',
            },
          },
        },
        env: {
          type: 'array',
          description: 'Extra environment variables of each shard.',
          items: envVar,
          'x-kubernetes-validations': [
            { rule: `self.all(e, !(e.name in ${JSON.stringify([...RESERVED_ENV])}))`, message: `env may not set ${RESERVED_ENV.join(', ')} (set by the operator)` },
          ],
        },
      },
      'x-kubernetes-validations': [{ rule: 'self.shards <= self.partitions', message: 'shards must not exceed partitions (a shard would own nothing)' }],
    },
    status: {
      type: 'object',
      description: 'Observed state, written by the operator.',
      properties: {
        observedGeneration: { type: 'integer', format: 'int64', description: 'metadata.generation this status reflects.' },
        readyShards: { type: 'integer', format: 'int32', description: 'Shards whose pods are ready.' },
        replicas: { type: 'integer', format: 'int32', description: 'Shard pods that exist (scale subresource status.replicas).' },
        selector: { type: 'string', description: 'Label selector of the shard pods (scale subresource status.selector).' },
        partitionAssignment: {
          type: 'array',
          description: 'partition -> shard as published to NATS (index = partition).',
          items: { type: 'integer', format: 'int32', minimum: 0 },
        },
        assignmentGeneration: { type: 'integer', format: 'int64', description: 'Counter of published assignments.' },
        conditions: {
          type: 'array',
          description: 'Available, Progressing, Degraded.',
          items: condition,
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['type'],
        },
      },
    },
  },
};

/** A CustomResourceDefinition object (apiextensions.k8s.io/v1), typed loosely. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames: string[]; categories?: string[] };
    scope: 'Namespaced' | 'Cluster';
    versions: Array<{
      name: string;
      served: boolean;
      storage: boolean;
      subresources?: { status?: Record<string, never>; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
      additionalPrinterColumns?: Array<{ name: string; type: string; jsonPath: string; description?: string; priority?: number }>;
      schema: { openAPIV3Schema: JsonSchema };
    }>;
  };
}

/** The TickerPlant CRD: namespaced, `/status` and `/scale` subresources (spec.shards / status.replicas / status.selector). */
export function tickerPlantCrd(): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CRD_NAME, labels: { 'app.kubernetes.io/part-of': 'kalshi-platform' } },
    spec: {
      group: GROUP,
      names: { kind: KIND, listKind: `${KIND}List`, plural: PLURAL, singular: SINGULAR, shortNames: [SHORT_NAME], categories: ['kalshi-platform'] },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: {
            status: {},
            scale: { specReplicasPath: '.spec.shards', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
          },
          additionalPrinterColumns: [
            { name: 'Shards', type: 'integer', jsonPath: '.spec.shards', description: 'Desired shards' },
            { name: 'Ready', type: 'integer', jsonPath: '.status.readyShards', description: 'Ready shards' },
            { name: 'Partitions', type: 'integer', jsonPath: '.spec.partitions', description: 'Hash partitions' },
            { name: 'Available', type: 'string', jsonPath: '.status.conditions[?(@.type=="Available")].status' },
            { name: 'Assignment', type: 'integer', jsonPath: '.status.assignmentGeneration', description: 'Published assignment generation', priority: 1 },
            { name: 'Image', type: 'string', jsonPath: '.spec.image', priority: 1 },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: { openAPIV3Schema: tickerPlantSchema },
        },
      ],
    },
  };
}

/** Path of the generated CRD manifest, relative to the repository root. */
export const CRD_YAML_PATH = 'k8s/crd/tickerplants.kalshi-platform.io.yaml';

/** The generated manifest's text (a header comment, then the CRD as YAML). Deterministic. */
export function renderCrdYaml(): string {
  const header =
    '# GENERATED from apps/operator/src/crd.ts by `node tools/run.cjs apps/operator/src/generate-crd.ts`: do not edit.\n' +
    '# A test (apps/operator/test/crd.spec.ts) fails when this file differs from the generator output.\n';
  return header + stringify(tickerPlantCrd(), { lineWidth: 0, aliasDuplicateObjects: false });
}
