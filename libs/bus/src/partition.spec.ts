import fc from 'fast-check';
import { fnv1a32, partitionOf, partitionsForShard, shardIndexFromHostname } from './partition';
import { subjectMatches, subjects, tickerFromSubject } from './subjects';

describe('partitioning', () => {
  it('hashes with FNV-1a (reference vectors)', () => {
    // FNV-1a 32-bit test vectors (draft-eastlake-fnv): "" -> 0x811c9dc5, "a" -> 0xe40c292c, "foobar" -> 0xbf9cf968
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('every partition belongs to exactly one shard, for any shard count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), (shards) => {
        const owners = new Map<number, number>();
        for (let s = 0; s < shards; s++) for (const p of partitionsForShard(s, shards, 64)) owners.set(p, (owners.get(p) ?? 0) + 1);
        expect(owners.size).toBe(64);
        expect([...owners.values()].every((n) => n === 1)).toBe(true);
      }),
    );
  });

  it('keeps a ticker in the same partition whatever the shard count', () => {
    const p = partitionOf('KXBTCD-26JUL0317-T60499.99');
    expect(p).toBe(partitionOf('KXBTCD-26JUL0317-T60499.99', 64));
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(64);
  });

  it('refuses impossible shard settings with a message', () => {
    expect(() => partitionsForShard(3, 3)).toThrow(/shard index 3 is outside 0..2/);
    expect(() => partitionOf('X', 0)).toThrow(/positive integer/);
  });

  it('reads the StatefulSet ordinal from the hostname', () => {
    expect(shardIndexFromHostname('kalshi-ticker-plant-3')).toBe(3);
    expect(shardIndexFromHostname('laptop')).toBeNull();
  });
});

describe('subjects', () => {
  it('puts the escaped ticker last and recovers it', () => {
    const s = subjects.md(7, 'delta', 'KXBTCD-26JUL0317-T60499.99');
    expect(s).toBe('md.v1.p7.delta.KXBTCD-26JUL0317-T60499~99');
    expect(tickerFromSubject(s)).toBe('KXBTCD-26JUL0317-T60499.99');
  });

  it('matches NATS wildcards', () => {
    expect(subjectMatches('md.v1.p7.>', 'md.v1.p7.delta.X')).toBe(true);
    expect(subjectMatches('md.v1.p7.>', 'md.v1.p70.delta.X')).toBe(false);
    expect(subjectMatches('md.v1.p7.>', 'md.v1.p7')).toBe(false);
    expect(subjectMatches(subjects.bboAll, 'book.v1.p3.bbo.X')).toBe(true);
    expect(subjectMatches(subjects.bboAll, 'book.v1.p3.delta.X')).toBe(false);
    expect(subjectMatches('a.*', 'a.b.c')).toBe(false);
  });
});
