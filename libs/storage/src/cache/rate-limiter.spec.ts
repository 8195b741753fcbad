/**
 * SharedRateLimiter on real Redis: two clients (two connections, as two processes would have) share one budget; no
 * UTC second ever grants more than `perSecond`, and every request is granted eventually. Also the in-memory cache.
 */
import { MemoryHotCache, RedisHotCache, SharedRateLimiter } from './index';

const REDIS_URL = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';
const PREFIX = `kp:test:rl:${process.pid}:${Date.now()}:`;

/** Grants per second of all `seconds`. */
const perSecond = (seconds: number[]): Map<number, number> => {
  const m = new Map<number, number>();
  for (const s of seconds) m.set(s, (m.get(s) ?? 0) + 1);
  return m;
};

describe('SharedRateLimiter', () => {
  it('two Redis clients share one account budget: at most perSecond grants in any second, all granted', async () => {
    const a = new RedisHotCache({ redisUrl: REDIS_URL, keyPrefix: PREFIX });
    const b = new RedisHotCache({ redisUrl: REDIS_URL, keyPrefix: PREFIX });
    try {
      const la = new SharedRateLimiter(a, { key: 'kalshi-read:key-1', perSecond: 5 });
      const lb = new SharedRateLimiter(b, { key: 'kalshi-read:key-1', perSecond: 5 });
      const grants = await Promise.all([...Array.from({ length: 8 }, () => la.acquire()), ...Array.from({ length: 8 }, () => lb.acquire())]);
      expect(grants.length).toBe(16);
      const counts = perSecond(grants);
      expect(Math.max(...counts.values())).toBeLessThanOrEqual(5);
      expect(counts.size).toBeGreaterThanOrEqual(4); // 16 requests at 5 a second need at least 4 seconds
      expect(la.throttled + lb.throttled).toBeGreaterThan(0);
      // another key has its own budget
      const other = new SharedRateLimiter(a, { key: 'kalshi-read:key-2', perSecond: 1 });
      expect(typeof (await other.acquire())).toBe('number');
    } finally {
      await a.close();
      await b.close();
    }
  }, 20_000);

  it('in memory (no REDIS_URL): the same limit within one process, with an injected clock', async () => {
    let t = 1_763_000_000_400;
    const slept: number[] = [];
    const limiter = new SharedRateLimiter(new MemoryHotCache({ keyPrefix: PREFIX }), {
      key: 'k',
      perSecond: 2,
      now: () => t,
      sleep: async (ms) => {
        slept.push(ms);
        t += ms;
      },
    });
    const grants: number[] = [];
    for (let i = 0; i < 5; i++) grants.push(await limiter.acquire());
    expect(grants).toEqual([1_763_000_000, 1_763_000_000, 1_763_000_001, 1_763_000_001, 1_763_000_002]);
    expect(slept).toEqual([601, 1000]); // to the next second boundary (+1 ms), twice
  });

  it('refuses a bad budget or key', () => {
    const c = new MemoryHotCache();
    expect(() => new SharedRateLimiter(c, { key: 'k', perSecond: 0 })).toThrow(RangeError);
    expect(() => new SharedRateLimiter(c, { key: '', perSecond: 1 })).toThrow(/key/);
  });
});
