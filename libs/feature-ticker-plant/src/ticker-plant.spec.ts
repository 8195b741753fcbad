import 'reflect-metadata';
import { InProcessBroker, InProcessClient, subjects, BboV1, partitionOf } from '@kalshi-platform/bus';
import { BookRegistry } from './book-registry.service';
import { tickerPlantConfig, tickerPlantConfigFromEnv } from './ticker-plant.config';

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
