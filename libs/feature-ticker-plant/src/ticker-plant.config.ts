/**
 * Configuration of a ticker-plant shard.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `SHARD_INDEX` | this shard, 0..SHARD_COUNT-1 | the StatefulSet pod ordinal from `HOSTNAME` (`ticker-plant-2` -> 2), else 0 |
 * | `SHARD_COUNT` | shards in the plant (static assignment only) | 1 |
 * | `PARTITION_COUNT` | hash partitions of market tickers | 64 |
 * | `NATS_URL` | the bus | required for the standalone app |
 * | `TICKERPLANT_NAME` | the plant's key in the assignment bucket: set = partitions assigned by the operator through JetStream KV, with hand-off (./handoff.service.ts); unset = static `p % SHARD_COUNT == SHARD_INDEX` | unset |
 * | `ASSIGNMENT_BUCKET` | KV bucket the operator writes the assignments to | `TICKERPLANT_ASSIGNMENTS` |
 * | `HANDOFF_BUCKET` | KV bucket of the shards' partition ownership records (created by the shards) | `<ASSIGNMENT_BUCKET>_HANDOFF` |
 * | `MD_STREAM` | JetStream stream of the market data the shards consume and rebuild from (ensured at start) | `MD` |
 */
import { DEFAULT_PARTITION_COUNT, MD_STREAM, partitionsForShard, shardIndexFromHostname } from '@kalshi-platform/bus';

/** Default KV bucket of the assignments (env `ASSIGNMENT_BUCKET`). */
export const DEFAULT_ASSIGNMENT_BUCKET = 'TICKERPLANT_ASSIGNMENTS';

/** Settings of the KV-assigned mode with hand-off (TICKERPLANT_NAME set). */
export interface HandoffConfig {
  /** `TICKERPLANT_NAME`: key of this plant's assignment in the bucket */
  name: string;
  /** `ASSIGNMENT_BUCKET` */
  assignmentBucket: string;
  /** `HANDOFF_BUCKET`: the shards' ownership records `p<k>` */
  handoffBucket: string;
  /** `MD_STREAM` */
  mdStream: string;
  /** how often an owner records its progress (the crash-recovery point), ms; default 1000 */
  checkpointMs?: number;
  /** how long a gaining shard waits for an owner that answers no ping before taking the partition over, ms; default 10000 */
  takeoverAfterMs?: number;
  /** how often pending hand-offs are retried, ms; default 100 */
  retryMs?: number;
}

export interface TickerPlantConfig {
  shardIndex: number;
  /** shards in the plant (static mode; with `handoff`, the assignment's `shards` replaces it) */
  shardCount: number;
  partitionCount: number;
  /** partitions this shard owns (static: p % shardCount === shardIndex; with `handoff`: empty until assigned) */
  partitions: number[];
  /** set: partitions come from the operator's KV assignment, with hand-off through the MD stream */
  handoff?: HandoffConfig;
}

/** Thrown for a malformed setting; the message names the variable. */
export class TickerPlantConfigError extends Error {}

function int(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new TickerPlantConfigError(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** Builds a shard's configuration, validating index and counts. @throws TickerPlantConfigError */
export function tickerPlantConfig(shardIndex: number, shardCount: number, partitionCount: number = DEFAULT_PARTITION_COUNT): TickerPlantConfig {
  if (shardCount < 1) throw new TickerPlantConfigError(`SHARD_COUNT must be >= 1, got ${shardCount}`);
  if (partitionCount < 1) throw new TickerPlantConfigError(`PARTITION_COUNT must be >= 1, got ${partitionCount}`);
  if (shardCount > partitionCount) throw new TickerPlantConfigError(`SHARD_COUNT ${shardCount} exceeds PARTITION_COUNT ${partitionCount}: some shards would own nothing`);
  if (shardIndex < 0 || shardIndex >= shardCount) throw new TickerPlantConfigError(`SHARD_INDEX ${shardIndex} is outside 0..${shardCount - 1}`);
  return { shardIndex, shardCount, partitionCount, partitions: partitionsForShard(shardIndex, shardCount, partitionCount) };
}

const KV_KEY = /^[-/_=.a-zA-Z0-9]+$/;
const BUCKET = /^[-\w]+$/;
const STREAM = /^[A-Za-z0-9_-]+$/;

/**
 * A shard of a KV-assigned plant: owns nothing until the operator's assignment gives it partitions.
 * @throws TickerPlantConfigError naming the variable
 */
export function handoffTickerPlantConfig(shardIndex: number, handoff: HandoffConfig, partitionCount: number = DEFAULT_PARTITION_COUNT): TickerPlantConfig {
  if (!Number.isInteger(shardIndex) || shardIndex < 0) throw new TickerPlantConfigError(`SHARD_INDEX must be a non-negative integer, got ${shardIndex}`);
  if (partitionCount < 1) throw new TickerPlantConfigError(`PARTITION_COUNT must be >= 1, got ${partitionCount}`);
  if (!KV_KEY.test(handoff.name) || handoff.name.startsWith('.') || handoff.name.endsWith('.')) {
    throw new TickerPlantConfigError(`TICKERPLANT_NAME must be a KV key (letters, digits, - / _ = .), got ${JSON.stringify(handoff.name)}`);
  }
  if (!BUCKET.test(handoff.assignmentBucket)) throw new TickerPlantConfigError(`ASSIGNMENT_BUCKET must be letters, digits, _ or -, got ${JSON.stringify(handoff.assignmentBucket)}`);
  if (!BUCKET.test(handoff.handoffBucket)) throw new TickerPlantConfigError(`HANDOFF_BUCKET must be letters, digits, _ or -, got ${JSON.stringify(handoff.handoffBucket)}`);
  if (handoff.handoffBucket === handoff.assignmentBucket) throw new TickerPlantConfigError(`HANDOFF_BUCKET must differ from ASSIGNMENT_BUCKET (${handoff.assignmentBucket}): the operator owns that one`);
  if (!STREAM.test(handoff.mdStream)) throw new TickerPlantConfigError(`MD_STREAM must be letters, digits, _ or -, got ${JSON.stringify(handoff.mdStream)}`);
  return { shardIndex, shardCount: 0, partitionCount, partitions: [], handoff };
}

/** @throws TickerPlantConfigError naming the variable. */
export function tickerPlantConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TickerPlantConfig {
  const shardCount = int('SHARD_COUNT', env.SHARD_COUNT) ?? 1;
  const partitionCount = int('PARTITION_COUNT', env.PARTITION_COUNT) ?? DEFAULT_PARTITION_COUNT;
  const fromHost = env.HOSTNAME ? shardIndexFromHostname(env.HOSTNAME) : null;
  const shardIndex = int('SHARD_INDEX', env.SHARD_INDEX) ?? fromHost ?? 0;
  const name = (env.TICKERPLANT_NAME ?? '').trim();
  if (name === '') return tickerPlantConfig(shardIndex, shardCount, partitionCount);
  const assignmentBucket = (env.ASSIGNMENT_BUCKET ?? '').trim() || DEFAULT_ASSIGNMENT_BUCKET;
  return handoffTickerPlantConfig(
    shardIndex,
    {
      name,
      assignmentBucket,
      handoffBucket: (env.HANDOFF_BUCKET ?? '').trim() || `${assignmentBucket}_HANDOFF`,
      mdStream: (env.MD_STREAM ?? '').trim() || MD_STREAM,
    },
    partitionCount,
  );
}
