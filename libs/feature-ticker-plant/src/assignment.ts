/**
 * The contracts of the KV-assigned ticker plant (issue #6): the operator's partition assignment, and the shards' own
 * per-partition ownership records (./handoff.service.ts describes the protocol).
 */

/**
 * The operator's assignment of a plant, the value of key `<TICKERPLANT_NAME>` in bucket `ASSIGNMENT_BUCKET`:
 * `assignment[p]` is the index of the shard that owns partition p. Every write carries a higher `generation`.
 */
export interface PartitionAssignmentV1 {
  v: 1;
  name: string;
  generation: number;
  shards: number;
  partitions: number;
  assignment: number[];
}

/**
 * A shard's record of one partition, key `p<k>` in the hand-off bucket, changed only by compare-and-set on its revision.
 * `owner` null (released): every md message of the partition with stream sequence <= `seq` has been published, none
 * after it; the next owner publishes exactly those > `seq`. `owner` set: that shard instance publishes the messages
 * > the `seq` it acquired at, and records its progress in `seq` (every message <= `seq` is published).
 */
export interface PartitionRecordV1 {
  v: 1;
  partition: number;
  /** shard instance id (a uuid per process), or null when released */
  owner: string | null;
  /** shard index of the owner (diagnostics), or null */
  shard: number | null;
  /** the stream sequence of the cut (released) or of the owner's progress */
  seq: number;
  /** assignment generation the writer acted on (diagnostics) */
  generation: number;
  tsMs: number;
}

/** A malformed assignment; the message says what is wrong. */
export class AssignmentError extends Error {}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);

/**
 * Validates an assignment for this plant.
 * @param expect the plant's name (the KV key) and partition count (PARTITION_COUNT): both must match
 * @throws AssignmentError naming the field
 */
export function decodeAssignmentV1(x: unknown, expect: { name: string; partitions: number }): PartitionAssignmentV1 {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new AssignmentError('assignment is not a JSON object');
  const o = x as Record<string, unknown>;
  if (o.v !== 1) throw new AssignmentError(`unsupported version v=${JSON.stringify(o.v)}`);
  if (o.name !== expect.name) throw new AssignmentError(`name ${JSON.stringify(o.name)} is not this plant's (${JSON.stringify(expect.name)})`);
  if (!isInt(o.generation) || o.generation < 0) throw new AssignmentError(`generation must be a non-negative integer, got ${JSON.stringify(o.generation)}`);
  if (!isInt(o.shards) || o.shards < 1) throw new AssignmentError(`shards must be an integer >= 1, got ${JSON.stringify(o.shards)}`);
  if (o.partitions !== expect.partitions) throw new AssignmentError(`partitions ${JSON.stringify(o.partitions)} differs from PARTITION_COUNT ${expect.partitions}`);
  const a = o.assignment;
  if (!Array.isArray(a) || a.length !== expect.partitions) throw new AssignmentError(`assignment must be an array of ${expect.partitions} shard indexes`);
  const shards = o.shards;
  for (let p = 0; p < a.length; p++) {
    const s: unknown = a[p];
    if (!isInt(s) || s < 0 || s >= shards) throw new AssignmentError(`assignment[${p}] must be a shard index 0..${shards - 1}, got ${JSON.stringify(s)}`);
  }
  return o as unknown as PartitionAssignmentV1;
}

/** The partitions an assignment gives to a shard, ascending. */
export function partitionsOf(a: PartitionAssignmentV1, shardIndex: number): number[] {
  const out: number[] = [];
  for (let p = 0; p < a.assignment.length; p++) if (a.assignment[p] === shardIndex) out.push(p);
  return out;
}

/** The assignment the static mode uses (`p % shards`), e.g. for an operator's first generation or a test. */
export function moduloAssignment(name: string, generation: number, shards: number, partitions: number): PartitionAssignmentV1 {
  return { v: 1, name, generation, shards, partitions, assignment: Array.from({ length: partitions }, (_, p) => p % shards) };
}

/** Validates a partition record. @throws AssignmentError naming the field */
export function decodePartitionRecordV1(x: unknown): PartitionRecordV1 {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new AssignmentError('partition record is not a JSON object');
  const o = x as Record<string, unknown>;
  if (o.v !== 1) throw new AssignmentError(`partition record: unsupported version v=${JSON.stringify(o.v)}`);
  if (!isInt(o.partition) || o.partition < 0) throw new AssignmentError('partition record: partition must be a non-negative integer');
  if (o.owner !== null && (typeof o.owner !== 'string' || o.owner === '')) throw new AssignmentError('partition record: owner must be a string or null');
  if (!isInt(o.seq) || o.seq < 0) throw new AssignmentError('partition record: seq must be a non-negative integer');
  return o as unknown as PartitionRecordV1;
}
