/**
 * Property tests (fast-check) of the minimal-movement partition assignment, against an independent oracle: the
 * largest number of partitions any balanced assignment can keep in place, found by trying every choice of the shards
 * that get the larger quota.
 */
import fc from 'fast-check';
import { assignPartitions, decodeAssignment, defaultAssignment, encodeAssignment, movedPartitions, shardLoads } from '../src/assignment';

/** Combinations of k of 0..n-1. */
function* combinations(n: number, k: number, start = 0, acc: number[] = []): Generator<number[]> {
  if (acc.length === k) {
    yield acc.slice();
    return;
  }
  for (let i = start; i < n; i++) {
    acc.push(i);
    yield* combinations(n, k, i + 1, acc);
    acc.pop();
  }
}

/** Most partitions a balanced assignment over n shards can leave where `prev` has them (brute force over quotas). */
function maxKept(prev: number[], n: number): number {
  const P = prev.length;
  const base = Math.floor(P / n);
  const extra = P % n;
  const held = shardLoads(prev, n);
  let best = 0;
  for (const big of combinations(n, extra)) {
    const bigSet = new Set(big);
    let kept = 0;
    for (let s = 0; s < n; s++) kept += Math.min(held[s], base + (bigSet.has(s) ? 1 : 0));
    best = Math.max(best, kept);
  }
  return best;
}

/** An arbitrary (possibly unbalanced, possibly naming shards up to 11) previous assignment. */
const arbPrev = fc.integer({ min: 1, max: 96 }).chain((P) => fc.array(fc.integer({ min: 0, max: 11 }), { minLength: P, maxLength: P }));

describe('assignPartitions', () => {
  it('with no previous assignment is the static default p % shards', () => {
    expect(assignPartitions(undefined, 3, 8)).toEqual([0, 1, 2, 0, 1, 2, 0, 1]);
    expect(assignPartitions([0, 0], 2, 4)).toEqual(defaultAssignment(2, 4)); // another partition count: start over
  });

  it('scaling 3 -> 5 -> 2 over 64 partitions moves only what it must', () => {
    const a3 = assignPartitions(undefined, 3, 64);
    const a5 = assignPartitions(a3, 5, 64);
    expect(shardLoads(a5, 5).sort()).toEqual([12, 13, 13, 13, 13]);
    expect(movedPartitions(a3, a5)).toBe(64 - maxKept(a3, 5)); // 25: the new shards 3 and 4 fill up, nothing else moves
    expect(movedPartitions(a3, a5)).toBe(25);
    const a2 = assignPartitions(a5, 2, 64);
    expect(shardLoads(a2, 2)).toEqual([32, 32]);
    expect(movedPartitions(a5, a2)).toBe(64 - maxKept(a5, 2));
  });

  it('is total, in range and balanced within 1 (property)', () => {
    fc.assert(
      fc.property(arbPrev, fc.integer({ min: 1, max: 12 }), (prev, n) => {
        const next = assignPartitions(prev, n, prev.length);
        expect(next).toHaveLength(prev.length);
        for (const s of next) expect(Number.isInteger(s) && s >= 0 && s < n).toBe(true);
        const loads = shardLoads(next, n);
        expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 400 },
    );
  });

  it('moves the minimum number of partitions (property, against a brute-force oracle)', () => {
    fc.assert(
      fc.property(arbPrev, fc.integer({ min: 1, max: 10 }), (prev, n) => {
        const next = assignPartitions(prev, n, prev.length);
        expect(movedPartitions(prev, next)).toBe(prev.length - maxKept(prev, n));
      }),
      { numRuns: 300 },
    );
  });

  it('moves a partition only off a removed or over-full shard, onto an under-full one (property)', () => {
    fc.assert(
      fc.property(arbPrev, fc.integer({ min: 1, max: 12 }), (prev, n) => {
        const next = assignPartitions(prev, n, prev.length);
        const before = shardLoads(prev, n);
        const after = shardLoads(next, n);
        const losers = new Set<number>();
        const gainers = new Set<number>();
        for (let p = 0; p < prev.length; p++) {
          if (prev[p] === next[p]) continue;
          if (prev[p] < n) {
            expect(before[prev[p]]).toBeGreaterThan(after[prev[p]]); // its shard was over quota
            losers.add(prev[p]);
          }
          expect(after[next[p]]).toBeGreaterThan(before[next[p]]); // it went to a shard that needed more
          gainers.add(next[p]);
        }
        for (const s of losers) expect(gainers.has(s)).toBe(false); // no pointless swaps
      }),
      { numRuns: 400 },
    );
  });

  it('is idempotent: a balanced assignment stays as it is (property)', () => {
    fc.assert(
      fc.property(arbPrev, fc.integer({ min: 1, max: 12 }), (prev, n) => {
        const once = assignPartitions(prev, n, prev.length);
        expect(assignPartitions(once, n, prev.length)).toEqual(once);
      }),
      { numRuns: 300 },
    );
  });

  it('over a chain of scalings, each step is minimal (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 128 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }), (P, steps) => {
        let cur = assignPartitions(undefined, Math.min(steps[0], P), P);
        for (const n0 of steps.slice(1)) {
          const n = Math.min(n0, P);
          const next = assignPartitions(cur, n, P);
          expect(movedPartitions(cur, next)).toBe(P - maxKept(cur, n));
          cur = next;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('rejects non-positive counts', () => {
    expect(() => assignPartitions(undefined, 0, 4)).toThrow(/shards must be a positive integer/);
    expect(() => assignPartitions(undefined, 2, 0)).toThrow(/partitions must be a positive integer/);
  });
});

describe('the KV record', () => {
  it('round-trips with the contract field order and rejects malformed values', () => {
    const rec = { v: 1 as const, name: 'main', generation: 3, shards: 2, partitions: 4, assignment: [0, 1, 0, 1] };
    const bytes = encodeAssignment(rec);
    expect(new TextDecoder().decode(bytes)).toBe('{"v":1,"name":"main","generation":3,"shards":2,"partitions":4,"assignment":[0,1,0,1]}');
    expect(decodeAssignment(bytes)).toEqual(rec);
    expect(decodeAssignment(new TextEncoder().encode('{"v":2}'))).toBeNull();
    expect(decodeAssignment(new TextEncoder().encode('{"v":1,"name":"x","generation":1,"shards":1,"partitions":2,"assignment":[0]}'))).toBeNull();
    expect(decodeAssignment(new TextEncoder().encode('not json'))).toBeNull();
  });
});
