import 'reflect-metadata';
import { InProcessBroker, InProcessClient, subjects, BboV1, partitionOf } from '@kalshi-platform/bus';
import { BookRegistry } from './book-registry.service';
import { tickerPlantConfig, tickerPlantConfigFromEnv } from './ticker-plant.config';
import { AssignmentError, decodeAssignmentV1, decodePartitionRecordV1, moduloAssignment, partitionsOf } from './assignment';

describe('ticker-plant configuration', () => {
  it('takes the shard index from a StatefulSet hostname unless SHARD_INDEX is set', () => {
    expect(tickerPlantConfigFromEnv({ HOSTNAME: 'kalshi-ticker-plant-2', SHARD_COUNT: '3' }).shardIndex).toBe(2);
    expect(tickerPlantConfigFromEnv({ HOSTNAME: 'kalshi-ticker-plant-2', SHARD_COUNT: '3', SHARD_INDEX: '0' }).shardIndex).toBe(0);
    expect(tickerPlantConfigFromEnv({ HOSTNAME: 'laptop' }).shardIndex).toBe(0);
    expect(tickerPlantConfigFromEnv({}).partitions).toHaveLength(64);
  });
  it('refuses impossible settings, naming the variable', () => {
    expect(() => tickerPlantConfigFromEnv({ SHARD_COUNT: 'two' })).toThrow(/SHARD_COUNT must be a non-negative integer/);
    expect(() => tickerPlantConfigFromEnv({ SHARD_COUNT: '2', SHARD_INDEX: '2' })).toThrow(/SHARD_INDEX 2 is outside 0..1/);
    expect(() => tickerPlantConfig(0, 65, 64)).toThrow(/SHARD_COUNT 65 exceeds PARTITION_COUNT 64/);
  });
});

describe('BookRegistry', () => {
  const ticker = 'KXTEST-1';
  const p = partitionOf(ticker);
  function setup(shardIndex = 0, shardCount = 1) {
    const broker = new InProcessBroker({ cloneMessages: true });
    const bbo: BboV1[] = [];
    const levels: unknown[] = [];
    broker.subscribe(subjects.bboAll, (_s, d) => bbo.push(d as BboV1));
    broker.subscribe('book.v1.*.delta.*', (_s, d) => levels.push(d));
    const reg = new BookRegistry(tickerPlantConfig(shardIndex, shardCount), new InProcessClient(broker));
    return { reg, bbo, levels };
  }
  const snap = { v: 1, marketTicker: ticker, sid: 1, seq: 1, yes: [[4000, 1000], [4200, 500]], no: [[5500, 200]], tsMs: 10 };

  it('publishes a BBO only when the top of book changes, and every applied level', () => {
    const { reg, bbo, levels } = setup();
    reg.onMarketData(subjects.md(p, 'snapshot', ticker), snap);
    expect(bbo).toEqual([{ v: 1, marketTicker: ticker, valid: true, yesBidTicks: 4200, yesBidSizeCentis: 500, noBidTicks: 5500, noBidSizeCentis: 200, tsMs: 10 }]);
    // a change below the top: a level message, no BBO
    reg.onMarketData(subjects.md(p, 'delta', ticker), { v: 1, marketTicker: ticker, sid: 1, seq: 2, side: 'yes', priceTicks: 4000, deltaCentis: -1000, tsMs: 11 });
    expect(bbo).toHaveLength(1);
    expect(levels).toEqual([{ v: 1, marketTicker: ticker, side: 'yes', priceTicks: 4000, sizeCentis: 0, tsMs: 11 }]);
    // a change at the top: a new BBO
    reg.onMarketData(subjects.md(p, 'delta', ticker), { v: 1, marketTicker: ticker, sid: 1, seq: 3, side: 'no', priceTicks: 5600, deltaCentis: 300, tsMs: 12 });
    expect(bbo[1]).toMatchObject({ noBidTicks: 5600, noBidSizeCentis: 300, tsMs: 12 });
  });

  it('marks a stale book invalid (BBO valid=false) until the next snapshot', () => {
    const { reg, bbo } = setup();
    reg.onMarketData(subjects.md(p, 'snapshot', ticker), snap);
    reg.onMarketData(subjects.md(p, 'stale', ticker), { v: 1, marketTicker: ticker, reason: 'seq_gap', tsMs: 20 });
    expect(bbo[1]).toMatchObject({ valid: false, yesBidTicks: -1, noBidTicks: -1 });
    expect(reg.status().invalidBooks).toBe(1);
    reg.onMarketData(subjects.md(p, 'snapshot', ticker), { ...snap, tsMs: 21 });
    expect(bbo[2]).toMatchObject({ valid: true, yesBidTicks: 4200 });
  });

  it('invalidates on a delta that would make a size negative, instead of clamping', () => {
    const { reg, bbo } = setup();
    reg.onMarketData(subjects.md(p, 'snapshot', ticker), snap);
    reg.onMarketData(subjects.md(p, 'delta', ticker), { v: 1, marketTicker: ticker, sid: 1, seq: 2, side: 'no', priceTicks: 5500, deltaCentis: -201, tsMs: 13 });
    expect(bbo[bbo.length - 1].valid).toBe(false);
    expect(reg.snapshot().books[ticker].valid).toBe(false);
  });

  it('counts and skips malformed messages without throwing', () => {
    const { reg } = setup();
    reg.onMarketData(subjects.md(p, 'delta', ticker), { v: 1, marketTicker: ticker });
    reg.onMarketData(subjects.md(p, 'delta', ticker), null);
    reg.onMarketData(`md.v1.p${p}.bogus.${ticker}`, snap);
    expect(reg.status()).toMatchObject({ consumed: 3, rejected: 3, books: 0 });
  });

  it('mirrors sub-cent books (deci_cent markets such as KXCOLONIZEMARS-50 quote 0.1630)', () => {
    const { reg, bbo } = setup();
    reg.onMarketData(subjects.md(p, 'snapshot', ticker), { ...snap, yes: [[1630, 100]], no: [[8050, 100]] });
    reg.onMarketData(subjects.md(p, 'delta', ticker), { v: 1, marketTicker: ticker, sid: 1, seq: 2, side: 'yes', priceTicks: 1640, deltaCentis: 100, tsMs: 11 });
    expect(bbo[bbo.length - 1]).toMatchObject({ valid: true, yesBidTicks: 1640, noBidTicks: 8050 });
  });

  it('ignores markets of partitions it does not own', () => {
    const { reg } = setup((p + 1) % 2, 2);
    reg.onMarketData(subjects.md(p, 'snapshot', ticker), snap);
    expect(reg.status().books).toBe(0);
  });
});

describe('KV-assigned mode: configuration and assignment', () => {
  it('reads TICKERPLANT_NAME, the buckets and the stream; the shard index is not bounded by SHARD_COUNT', () => {
    const c = tickerPlantConfigFromEnv({ TICKERPLANT_NAME: 'main', HOSTNAME: 'kalshi-ticker-plant-4', SHARD_COUNT: '2' });
    expect(c).toMatchObject({ shardIndex: 4, partitions: [], handoff: { name: 'main', assignmentBucket: 'TICKERPLANT_ASSIGNMENTS', handoffBucket: 'TICKERPLANT_ASSIGNMENTS_HANDOFF', mdStream: 'MD' } });
    const d = tickerPlantConfigFromEnv({ TICKERPLANT_NAME: 'b', ASSIGNMENT_BUCKET: 'A', HANDOFF_BUCKET: 'H', MD_STREAM: 'MD_X', PARTITION_COUNT: '8' });
    expect(d).toMatchObject({ partitionCount: 8, handoff: { assignmentBucket: 'A', handoffBucket: 'H', mdStream: 'MD_X' } });
    expect(tickerPlantConfigFromEnv({ TICKERPLANT_NAME: '' }).handoff).toBeUndefined();
  });
  it('names a bad setting', () => {
    expect(() => tickerPlantConfigFromEnv({ TICKERPLANT_NAME: 'a b' })).toThrow(/TICKERPLANT_NAME must be a KV key/);
    expect(() => tickerPlantConfigFromEnv({ TICKERPLANT_NAME: 'a', ASSIGNMENT_BUCKET: 'x.y' })).toThrow(/ASSIGNMENT_BUCKET/);
    expect(() => tickerPlantConfigFromEnv({ TICKERPLANT_NAME: 'a', HANDOFF_BUCKET: 'TICKERPLANT_ASSIGNMENTS' })).toThrow(/HANDOFF_BUCKET must differ/);
    expect(() => tickerPlantConfigFromEnv({ TICKERPLANT_NAME: 'a', MD_STREAM: 'md.v1' })).toThrow(/MD_STREAM/);
  });
  it('validates an assignment against the plant and gives each shard its partitions', () => {
    const a = moduloAssignment('main', 3, 3, 8);
    expect(decodeAssignmentV1(JSON.parse(JSON.stringify(a)), { name: 'main', partitions: 8 })).toEqual(a);
    expect(partitionsOf(a, 1)).toEqual([1, 4, 7]);
    expect(partitionsOf(a, 5)).toEqual([]);
    const bad = (x: object) => () => decodeAssignmentV1({ ...a, ...x }, { name: 'main', partitions: 8 });
    expect(bad({ v: 2 })).toThrow(AssignmentError);
    expect(bad({ name: 'other' })).toThrow(/not this plant's/);
    expect(bad({ partitions: 64 })).toThrow(/differs from PARTITION_COUNT 8/);
    expect(bad({ assignment: [0, 1, 2] })).toThrow(/array of 8 shard indexes/);
    expect(bad({ assignment: [0, 1, 2, 3, 0, 1, 2, 0] })).toThrow(/assignment\[3\] must be a shard index 0..2/);
    expect(bad({ generation: -1 })).toThrow(/generation/);
    expect(decodePartitionRecordV1({ v: 1, partition: 3, owner: null, shard: null, seq: 10, generation: 1, tsMs: 0 }).seq).toBe(10);
    expect(() => decodePartitionRecordV1({ v: 1, partition: 3, owner: 5, seq: 10 })).toThrow(/owner/);
  });
});

describe('BookRegistry.replay (rebuild of a gained partition)', () => {
  const ticker = 'KXTEST-2';
  const p = partitionOf(ticker);
  const snap = (seq: number, yes: number[][], no: number[][], tsMs: number) => [subjects.md(p, 'snapshot', ticker), { v: 1, marketTicker: ticker, sid: 1, seq, yes, no, tsMs }] as const;
  const delta = (seq: number, side: 'yes' | 'no', priceTicks: number, deltaCentis: number) => [subjects.md(p, 'delta', ticker), { v: 1, marketTicker: ticker, sid: 1, seq, side, priceTicks, deltaCentis, tsMs: 100 + seq }] as const;
  // a delta before any snapshot, top and non-top changes, an invalidating delta, a stale mark, resnapshots
  const script = [
    delta(1, 'yes', 4000, 100),
    snap(2, [[4000, 1000], [4200, 500]], [[5500, 200]], 0),
    delta(3, 'yes', 4000, -1000),
    delta(4, 'yes', 4300, 700),
    delta(5, 'no', 5500, -100),
    delta(6, 'no', 5500, -500),
    snap(7, [[4100, 300]], [[5600, 100]], 107),
    delta(8, 'yes', 4100, 50),
    [subjects.md(p, 'stale', ticker), { v: 1, marketTicker: ticker, reason: 'seq_gap', tsMs: 109 }] as const,
    delta(10, 'yes', 4100, 10),
    snap(11, [[4100, 300]], [[5600, 100]], 111),
    delta(12, 'no', 5700, 20),
    delta(13, 'yes', 4100, -300),
  ];

  function shard() {
    const broker = new InProcessBroker({ cloneMessages: true });
    const out: string[] = [];
    broker.subscribe('book.v1.>', (s, d) => out.push(`${s} ${JSON.stringify(d)}`));
    return { reg: new BookRegistry(tickerPlantConfig(0, 1), new InProcessClient(broker)), out };
  }

  it('a shard that replays the first k messages then goes live publishes exactly what one uninterrupted shard published for the rest', () => {
    const whole = shard();
    const after: number[] = []; // publications after each message
    for (const [s, d] of script) {
      whole.reg.onMarketData(s, d);
      after.push(whole.out.length);
    }
    expect(whole.out.length).toBeGreaterThan(script.length);
    for (let k = 0; k <= script.length; k++) {
      const gainer = shard();
      script.forEach(([s, d], i) => (i < k ? gainer.reg.replay(s, d) : gainer.reg.onMarketData(s, d)));
      expect({ k, out: gainer.out }).toEqual({ k, out: whole.out.slice(k === 0 ? 0 : after[k - 1]) });
      expect(gainer.reg.snapshot()).toEqual(whole.reg.snapshot());
      expect(gainer.reg.status()).toMatchObject({ consumed: script.length - k, published: gainer.out.length });
      expect(gainer.reg.replayed).toBe(k);
    }
  });

  it('disown drops the partition\'s books; own takes it back', () => {
    const { reg } = shard();
    const [s, d] = script[1];
    reg.onMarketData(s, d);
    expect(reg.status().books).toBe(1);
    reg.disown(p);
    expect(reg.status()).toMatchObject({ books: 0 });
    expect(reg.ownedPartitions()).not.toContain(p);
    reg.onMarketData(s, d);
    expect(reg.status().books).toBe(0);
    reg.own(p);
    reg.onMarketData(s, d);
    expect(reg.status().books).toBe(1);
  });
});
