/**
 * Configuration of a ticker-plant shard.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `SHARD_INDEX` | this shard, 0..SHARD_COUNT-1 | the StatefulSet pod ordinal from `HOSTNAME` (`ticker-plant-2` -> 2), else 0 |
 * | `SHARD_COUNT` | shards in the plant | 1 |
 * | `PARTITION_COUNT` | hash partitions of market tickers | 64 |
 * | `NATS_URL` | the bus | required for the standalone app |
 */
import { DEFAULT_PARTITION_COUNT, partitionsForShard, shardIndexFromHostname } from '@kalshi-platform/bus';

export interface TickerPlantConfig {
  shardIndex: number;
  shardCount: number;
  partitionCount: number;
  /** partitions this shard owns (default: p % shardCount === shardIndex) */
  partitions: number[];
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

/** @throws TickerPlantConfigError naming the variable. */
export function tickerPlantConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TickerPlantConfig {
  const shardCount = int('SHARD_COUNT', env.SHARD_COUNT) ?? 1;
  const partitionCount = int('PARTITION_COUNT', env.PARTITION_COUNT) ?? DEFAULT_PARTITION_COUNT;
  const fromHost = env.HOSTNAME ? shardIndexFromHostname(env.HOSTNAME) : null;
  const shardIndex = int('SHARD_INDEX', env.SHARD_INDEX) ?? fromHost ?? 0;
  return tickerPlantConfig(shardIndex, shardCount, partitionCount);
}
