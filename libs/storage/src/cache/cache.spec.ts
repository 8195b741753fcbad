import Redis from 'ioredis';
import { type Bbo, type HotCache, MemoryHotCache, RedisHotCache, createHotCache } from './index';

const REDIS_URL = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';
const RUN_PREFIX = `kp:test:${process.pid}:${Date.now()}:`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let redisCaches: RedisHotCache[] = [];
let suiteNo = 0;

interface Impl {
  name: string;
  make: (maxEntries?: number) => HotCache;
}

const impls: Impl[] = [
  { name: 'MemoryHotCache', make: (maxEntries) => new MemoryHotCache({ maxEntries: maxEntries ?? 10_000, keyPrefix: RUN_PREFIX }) },
  {
    name: 'RedisHotCache',
    make: () => {
      const c = new RedisHotCache({ redisUrl: REDIS_URL, keyPrefix: `${RUN_PREFIX}${++suiteNo}:` });
      redisCaches.push(c);
      return c;
    },
  },
];

const bbo = (i: number): Bbo => ({
  yesBidTicks: 40 + (i % 10),
  yesBidSizeCentis: 12_345 + i,
  yesAskTicks: 51 + (i % 10),
  yesAskSizeCentis: 9_007_199_254_740_991 - i, // up to Number.MAX_SAFE_INTEGER: exact, no float rounding
  tsMs: 1_763_000_000_000 + i,
});

afterAll(async () => {
  await Promise.all(redisCaches.map((c) => c.close()));
  redisCaches = [];
  // Remove everything this run wrote.
  const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${RUN_PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await admin.del(...keys);
    } while (cursor !== '0');
    expect(await admin.keys(`${RUN_PREFIX}*`)).toEqual([]);
  } finally {
    await admin.quit();
  }
});

describe.each(impls)('HotCache behaviour: $name', ({ make }) => {
  let cache: HotCache;
  beforeEach(() => {
    cache = make();
  });
  afterEach(async () => {
    await cache.close();
  });

  it('round-trips a BBO exactly and returns null for unknown tickers', async () => {
    await cache.setBbo('KXBTC-25DEC31-T100000', bbo(7));
    expect(await cache.getBbo('KXBTC-25DEC31-T100000')).toEqual(bbo(7));
    expect(await cache.getBbo('NOPE')).toBeNull();
    await cache.setBbo('KXBTC-25DEC31-T100000', bbo(8));
    expect(await cache.getBbo('KXBTC-25DEC31-T100000')).toEqual(bbo(8));
  });

  it('stores many tickers and reads them back in order with getBbos', async () => {
    const tickers = Array.from({ length: 500 }, (_, i) => `MKT-${i}`);
    await Promise.all(tickers.map((t, i) => cache.setBbo(t, bbo(i))));
    const got = await cache.getBbos([...tickers, 'MISSING']);
    expect(got).toHaveLength(501);
    tickers.forEach((_, i) => expect(got[i]).toEqual(bbo(i)));
    expect(got[500]).toBeNull();
    expect(await cache.getBbos([])).toEqual([]);
  });

  it('expires odds after their TTL (real wait)', async () => {
    const doc = JSON.stringify({ p: 0.42, src: 'model-a' });
    await cache.setOdds('evt-1', doc, 80);
    await cache.setOdds('evt-long', doc, 10_000);
    expect(await cache.getOdds('evt-1')).toBe(doc);
    await sleep(200);
    expect(await cache.getOdds('evt-1')).toBeNull();
    expect(await cache.getOdds('evt-long')).toBe(doc);
    expect(await cache.getOdds('never')).toBeNull();
  });

  it('counts 200 concurrent incrWindow calls as exactly 1..200', async () => {
    const counts = await Promise.all(Array.from({ length: 200 }, () => cache.incrWindow('orders:acct-1', 10_000)));
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(new Set(counts).size).toBe(200);
    expect(await cache.incrWindow('orders:acct-2', 10_000)).toBe(1);
  });

  it('resets the window counter after the window expires', async () => {
    expect(await cache.incrWindow('rl', 100)).toBe(1);
    expect(await cache.incrWindow('rl', 100)).toBe(2);
    expect(await cache.incrWindow('rl', 100)).toBe(3);
    await sleep(220);
    expect(await cache.incrWindow('rl', 100)).toBe(1);
    expect(await cache.incrWindow('rl', 100)).toBe(2);
  });

  it('rejects bad input with a RangeError naming the field', async () => {
    await expect(cache.setBbo('T', { ...bbo(1), yesBidTicks: 41.5 })).rejects.toThrow(RangeError);
    await expect(cache.setBbo('T', { ...bbo(1), yesBidTicks: 41.5 })).rejects.toThrow(/yesBidTicks/);
    await expect(cache.setBbo('T', { ...bbo(1), yesAskSizeCentis: Number.NaN })).rejects.toThrow(/yesAskSizeCentis/);
    await expect(cache.setBbo('T', { ...bbo(1), tsMs: -1 })).rejects.toThrow(/tsMs/);
    await expect(
      cache.setBbo('T', { ...bbo(1), yesBidSizeCentis: '100' as unknown as number }),
    ).rejects.toThrow(/yesBidSizeCentis/);
    await expect(cache.setOdds('k', '{}', 0)).rejects.toThrow(/ttlMs/);
    await expect(cache.incrWindow('k', 1.5)).rejects.toThrow(RangeError);
    await expect(cache.setBbo('', bbo(1))).rejects.toThrow(/ticker/);
    expect(await cache.getBbo('T')).toBeNull(); // nothing was written
  });

  it('rejects calls after close()', async () => {
    await cache.close();
    await cache.close(); // idempotent
    await expect(cache.getBbo('T')).rejects.toThrow(/closed/);
  });
});

describe('MemoryHotCache LRU', () => {
  it('evicts the least recently used entry at maxEntries', async () => {
    const cache = new MemoryHotCache({ maxEntries: 3 });
    await cache.setBbo('A', bbo(1));
    await cache.setBbo('B', bbo(2));
    await cache.setBbo('C', bbo(3));
    expect(await cache.getBbo('A')).toEqual(bbo(1)); // A is now most recent; B is oldest
    await cache.setBbo('D', bbo(4)); // evicts B
    expect(cache.size).toBe(3);
    expect(await cache.getBbo('B')).toBeNull();
    await cache.setOdds('E', '{}', 10_000); // evicts C (order now: A, D, E)
    expect(await cache.getBbo('C')).toBeNull();
    expect(await cache.getBbos(['A', 'D'])).toEqual([bbo(1), bbo(4)]);
    expect(await cache.getOdds('E')).toBe('{}');
    expect(cache.size).toBe(3);
  });

  it('uses an injected clock for TTL', async () => {
    let now = 1_000;
    const cache = new MemoryHotCache({ now: () => now });
    await cache.setOdds('k', '"x"', 50);
    now += 49;
    expect(await cache.getOdds('k')).toBe('"x"');
    now += 1;
    expect(await cache.getOdds('k')).toBeNull();
    expect(cache.size).toBe(0);
  });
});

describe('createHotCache', () => {
  it('chooses memory without redisUrl and Redis with one', async () => {
    const mem = createHotCache({ maxEntries: 5 });
    expect(mem).toBeInstanceOf(MemoryHotCache);
    expect((mem as MemoryHotCache).maxEntries).toBe(5);
    expect((mem as MemoryHotCache).keyPrefix).toBe('kp:');
    expect(createHotCache({ redisUrl: '  ' })).toBeInstanceOf(MemoryHotCache);
    const red = createHotCache({ redisUrl: REDIS_URL, keyPrefix: `${RUN_PREFIX}factory:` });
    expect(red).toBeInstanceOf(RedisHotCache);
    redisCaches.push(red as RedisHotCache);
    await red.setBbo('X', bbo(1));
    expect(await red.getBbo('X')).toEqual(bbo(1));
  });

  it('uses the default kp: prefix in Redis', async () => {
    const red = new RedisHotCache({ redisUrl: REDIS_URL });
    redisCaches.push(red);
    expect(red.keyPrefix).toBe('kp:');
  });
});

describe('RedisHotCache errors', () => {
  it('surfaces an unreachable server as a rejected promise with a clear message', async () => {
    const cache = new RedisHotCache({
      redisUrl: 'redis://127.0.0.1:1',
      redisOptions: { maxRetriesPerRequest: 1, retryStrategy: () => 20 },
    });
    try {
      const err = await cache.getBbo('KX').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/^RedisHotCache\.getBbo\(KX\) failed: /);
    } finally {
      await cache.close();
    }
  });

  it('surfaces a corrupt stored BBO as a rejected promise', async () => {
    const prefix = `${RUN_PREFIX}corrupt:`;
    const admin = new Redis(REDIS_URL);
    const cache = new RedisHotCache({ redisUrl: REDIS_URL, keyPrefix: prefix });
    try {
      await admin.set(`${prefix}bbo:BAD`, '1.5:2:3:4:5');
      await expect(cache.getBbo('BAD')).rejects.toThrow(/corrupt BBO/);
      await admin.set(`${prefix}rl:str`, 'not-a-number');
      await expect(cache.incrWindow('str', 1000)).rejects.toThrow(/RedisHotCache\.incrWindow\(str\) failed: .*integer/);
    } finally {
      await cache.close();
      await admin.quit();
    }
  });
});
