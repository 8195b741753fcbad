/**
 * Partitioning of market tickers for the sharded ticker plant.
 *
 * A fixed number of partitions (default 64) are hash buckets of the market ticker; shards own sets of
 * partitions. Scaling moves whole partitions between shards and never re-hashes a ticker, so a ticker's
 * book always lives in exactly one partition (ARCHITECTURE.md, "Bus").
 */

/** Default number of partitions. Changing it re-hashes every ticker: treat it as a deployment constant. */
export const DEFAULT_PARTITION_COUNT = 64;

/**
 * 32-bit FNV-1a hash of a string's UTF-16 code units (Fowler/Noll/Vo, "FNV-1a", IETF draft-eastlake-fnv).
 * Deterministic across processes and languages that hash the same code units.
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The partition (0..partitionCount-1) of a market ticker.
 * @throws RangeError if partitionCount is not a positive integer.
 */
export function partitionOf(marketTicker: string, partitionCount: number = DEFAULT_PARTITION_COUNT): number {
  if (!Number.isInteger(partitionCount) || partitionCount <= 0) throw new RangeError(`partition count must be a positive integer, got ${partitionCount}`);
  return fnv1a32(marketTicker) % partitionCount;
}

/**
 * The default (static) assignment: shard `shardIndex` of `shardCount` owns partitions p with
 * p % shardCount === shardIndex. The operator may publish another assignment later.
 * @throws RangeError on an index outside 0..shardCount-1 or non-positive counts.
 */
export function partitionsForShard(shardIndex: number, shardCount: number, partitionCount: number = DEFAULT_PARTITION_COUNT): number[] {
  if (!Number.isInteger(shardCount) || shardCount <= 0) throw new RangeError(`shard count must be a positive integer, got ${shardCount}`);
  if (!Number.isInteger(shardIndex) || shardIndex < 0 || shardIndex >= shardCount) {
    throw new RangeError(`shard index ${shardIndex} is outside 0..${shardCount - 1}`);
  }
  const out: number[] = [];
  for (let p = shardIndex; p < partitionCount; p += shardCount) out.push(p);
  return out;
}

/**
 * The shard index of a StatefulSet pod, from its hostname (`ticker-plant-3` -> 3), or null when the name
 * does not end in `-<ordinal>` (Kubernetes StatefulSet pod identity: `<statefulset name>-<ordinal>`).
 */
export function shardIndexFromHostname(hostname: string): number | null {
  const m = /-(\d+)$/.exec(hostname);
  return m ? Number(m[1]) : null;
}
