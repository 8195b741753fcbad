/**
 * Partition -> shard assignment with minimal movement, and the record published to NATS.
 *
 * ## The algorithm ({@link assignPartitions})
 * Input: the previous assignment `prev` (`prev[p]` = shard of partition p; may be missing, or name shards that no
 * longer exist, or be unbalanced) and the new shard count `n`. With `P` partitions, a balanced assignment gives every
 * shard `q = floor(P / n)` or `q + 1` partitions, and exactly `r = P mod n` shards get `q + 1`.
 * 1. Count what every surviving shard `s < n` holds now: `c[s]` (partitions of shards `>= n` are orphans).
 * 2. Quotas: the `r` shards with the largest `c[s]` (ties: lower ordinal first) get `q + 1`, the others `q`.
 * 3. Each shard keeps `min(c[s], quota[s])` of its partitions (the lowest-numbered ones) and releases the rest.
 * 4. Orphans and released partitions, in ascending order, fill the shards below quota in ascending ordinal order.
 *
 * Why it is minimal: any balanced assignment keeps at most `sum_s min(c[s], quota[s])` partitions in place, and
 * step 2 maximises that sum (raising a quota from `q` to `q + 1` keeps one more partition only where `c[s] > q`, so
 * the extra units go to the shards holding the most). So a partition moves only if its shard disappeared or its shard
 * is over quota, and a shard never both loses and gains partitions. An assignment that is already balanced over `n`
 * shards is returned unchanged (idempotent). With no previous assignment (or a different partition count) the result
 * is the static default of libs/bus (`p % n`), which shards use before any assignment is published.
 */

/** Version of the published record's format. */
export const ASSIGNMENT_RECORD_VERSION = 1;

/**
 * The value stored in the JetStream KV bucket `spec.nats.assignmentBucket` under the key `<TickerPlant name>`
 * (JSON, UTF-8). Shards read it (libs/feature-ticker-plant): shard `k` owns every partition `p` with
 * `assignment[p] === k`.
 */
export interface AssignmentRecord {
  /** Format version: 1. */
  v: typeof ASSIGNMENT_RECORD_VERSION;
  /** Name of the TickerPlant. */
  name: string;
  /** Counter of published assignments for this TickerPlant; increases by 1 on each change. */
  generation: number;
  /** Number of shards (StatefulSet replicas, ordinals 0..shards-1). */
  shards: number;
  /** Number of partitions (the assignment's length). */
  partitions: number;
  /** partition -> shard ordinal. */
  assignment: number[];
}

/** Thrown for counts that are not positive integers. */
export class AssignmentError extends Error {}

function checkCount(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new AssignmentError(`${what} must be a positive integer, got ${n}`);
}

/**
 * The default assignment (libs/bus `partitionsForShard`): partition p belongs to shard `p % shards`.
 * @throws AssignmentError on non-positive counts
 */
export function defaultAssignment(shards: number, partitions: number): number[] {
  checkCount('shards', shards);
  checkCount('partitions', partitions);
  return Array.from({ length: partitions }, (_, p) => p % shards);
}

/**
 * The new assignment of `partitions` partitions to `shards` shards that is balanced within 1 and moves the fewest
 * partitions from `prev` (see the module documentation). Pure and deterministic.
 * @param prev previous assignment (partition -> shard), or undefined; ignored when its length is not `partitions`
 * @throws AssignmentError on non-positive counts
 */
export function assignPartitions(prev: readonly number[] | undefined, shards: number, partitions: number): number[] {
  checkCount('shards', shards);
  checkCount('partitions', partitions);
  if (!prev || prev.length !== partitions) return defaultAssignment(shards, partitions);

  const base = Math.floor(partitions / shards);
  const extra = partitions % shards;
  const held: number[][] = Array.from({ length: shards }, () => []);
  const free: number[] = [];
  for (let p = 0; p < partitions; p++) {
    const s = prev[p];
    if (Number.isInteger(s) && s >= 0 && s < shards) held[s].push(p);
    else free.push(p);
  }
  // quotas: the `extra` shards holding the most get base + 1
  const quota = new Array<number>(shards).fill(base);
  const byHeld = Array.from({ length: shards }, (_, s) => s).sort((a, b) => held[b].length - held[a].length || a - b);
  for (let i = 0; i < extra; i++) quota[byHeld[i]] += 1;

  const out = new Array<number>(partitions);
  for (let s = 0; s < shards; s++) {
    const keep = Math.min(held[s].length, quota[s]);
    for (let i = 0; i < held[s].length; i++) {
      if (i < keep) out[held[s][i]] = s;
      else free.push(held[s][i]);
    }
  }
  free.sort((a, b) => a - b);
  let next = 0;
  for (let s = 0; s < shards && next < free.length; s++) {
    for (let need = quota[s] - Math.min(held[s].length, quota[s]); need > 0; need--) out[free[next++]] = s;
  }
  return out;
}

/** Number of partitions whose shard differs between two assignments of the same length. */
export function movedPartitions(prev: readonly number[], next: readonly number[]): number {
  let moved = 0;
  for (let p = 0; p < next.length; p++) if (prev[p] !== next[p]) moved++;
  return moved;
}

/** Partitions per shard (index = shard), for `shards` shards. */
export function shardLoads(assignment: readonly number[], shards: number): number[] {
  const loads = new Array<number>(shards).fill(0);
  for (const s of assignment) if (s >= 0 && s < shards) loads[s]++;
  return loads;
}

/** Serializes a record as the KV value (UTF-8 JSON with the fields in contract order). */
export function encodeAssignment(rec: AssignmentRecord): Uint8Array {
  const ordered: AssignmentRecord = {
    v: ASSIGNMENT_RECORD_VERSION,
    name: rec.name,
    generation: rec.generation,
    shards: rec.shards,
    partitions: rec.partitions,
    assignment: [...rec.assignment],
  };
  return new TextEncoder().encode(JSON.stringify(ordered));
}

/**
 * Parses a KV value into a record; null when it is not a well-formed version-1 record (the operator then publishes a
 * fresh one).
 */
export function decodeAssignment(bytes: Uint8Array): AssignmentRecord | null {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Partial<AssignmentRecord>;
  const isNat = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  if (r.v !== ASSIGNMENT_RECORD_VERSION || typeof r.name !== 'string' || !isNat(r.generation) || !isNat(r.shards) || !isNat(r.partitions)) return null;
  if (!Array.isArray(r.assignment) || r.assignment.length !== r.partitions || !r.assignment.every(isNat)) return null;
  return { v: ASSIGNMENT_RECORD_VERSION, name: r.name, generation: r.generation, shards: r.shards, partitions: r.partitions, assignment: r.assignment };
}
