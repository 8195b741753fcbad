/**
 * Rate limits and REST faults of the mock exchange over real loopback HTTP (no mocks): Kalshi's token buckets
 * (docs.kalshi.com/getting_started/rate_limits: 10 tokens a request, 2 a cancel, batches per item, separate read and
 * write buckets per API key, read bucket 1 s and write bucket 2 s of budget), the exact 429 body without Retry-After,
 * the per-IP bucket of unsigned market data, 429 storms and added latency (faults/fault-spec.ts).
 */
import { performance } from 'node:perf_hooks';
import { KalshiRestClient, signRequest } from '@kalshi-platform/kalshi';
import { startExchange, type RunningExchange } from '../src/exchange';
import { RATE_LIMIT_TIERS, RateLimiter, requestCost, TokenBucket } from '../src/rest/rate-limit';

const HOUSE = 'KXELONMARS-99';
const TOO_MANY = '{"error":"too many requests"}';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface Creds {
  keyId: string;
  privateKeyPem: string;
}

interface Res {
  status: number;
  text: string;
  headers: Headers;
}

async function http(ex: RunningExchange, method: string, path: string, opts: { creds?: Creds; body?: unknown; headers?: Record<string, string> } = {}): Promise<Res> {
  const url = `${ex.restUrl}${path}`;
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.creds) Object.assign(headers, signRequest(opts.creds, method, new URL(url).pathname));
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** Asserts Kalshi's rate-limit answer: 429, exactly `{"error":"too many requests"}`, no Retry-After / X-RateLimit-*. */
function expectTooMany(r: Res): void {
  expect(r.status).toBe(429);
  expect(r.text).toBe(TOO_MANY);
  expect(r.headers.get('retry-after')).toBeNull();
  expect([...r.headers.keys()].filter((k) => k.startsWith('x-ratelimit'))).toEqual([]);
}

async function newAccount(ex: RunningExchange, id: string): Promise<Creds> {
  const r = await http(ex, 'POST', '/mock/accounts', { body: { account_id: id, balance_dollars: '100.00' } });
  expect(r.status).toBe(201);
  const b = JSON.parse(r.text) as Json;
  return { keyId: b.api_key_id, privateKeyPem: b.private_key };
}

const order = (price = 1) => ({ ticker: HOUSE, side: 'yes', action: 'buy', count: 1, yes_price: price });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

jest.setTimeout(60_000);

describe('token buckets (unit, fake clock)', () => {
  it('Kalshi tiers: Basic 200/100, Advanced 300/300, Premier 1000/1000, Paragon 2000/2000, Prime 4000/4000 tokens/s', () => {
    expect(RATE_LIMIT_TIERS).toEqual({
      basic: { readPerSec: 200, writePerSec: 100 },
      advanced: { readPerSec: 300, writePerSec: 300 },
      premier: { readPerSec: 1000, writePerSec: 1000 },
      paragon: { readPerSec: 2000, writePerSec: 2000 },
      prime: { readPerSec: 4000, writePerSec: 4000 },
    });
  });

  it('a bucket starts full, refills continuously and never beyond its capacity', () => {
    const b = new TokenBucket(100, 200, 0);
    for (let i = 0; i < 20; i++) expect(b.take(10, 0)).toBe(true);
    expect(b.take(10, 0)).toBe(false);
    expect(b.take(10, 99)).toBe(false); // 9.9 tokens
    expect(b.take(10, 100)).toBe(true); // 10
    expect(b.available(10_000)).toBe(200);
  });

  it('costs: 10 a request, 2 a cancel, batches per item (clamped to 20), writes = order endpoints only', () => {
    const c = (m: string, p: string, body?: unknown) => requestCost(m, `/trade-api/v2/${p}`, body);
    expect(c('GET', 'portfolio/orders')).toEqual({ bucket: 'read', cost: 10 });
    expect(c('GET', 'markets')).toEqual({ bucket: 'read', cost: 10 });
    expect(c('POST', 'portfolio/orders')).toEqual({ bucket: 'write', cost: 10 });
    expect(c('POST', 'portfolio/events/orders')).toEqual({ bucket: 'write', cost: 10 });
    expect(c('DELETE', 'portfolio/orders/abc')).toEqual({ bucket: 'write', cost: 2 });
    expect(c('DELETE', 'portfolio/events/orders/abc')).toEqual({ bucket: 'write', cost: 2 });
    expect(c('POST', 'portfolio/orders/abc/amend')).toEqual({ bucket: 'write', cost: 10 });
    expect(c('POST', 'portfolio/orders/abc/decrease')).toEqual({ bucket: 'write', cost: 10 });
    expect(c('POST', 'portfolio/orders/batched', { orders: [{}, {}, {}] })).toEqual({ bucket: 'write', cost: 30 });
    expect(c('POST', 'portfolio/orders/batched', { orders: new Array(25).fill({}) })).toEqual({ bucket: 'write', cost: 200 });
    expect(c('DELETE', 'portfolio/orders/batched', { ids: ['a', 'b', 'c', 'd'] })).toEqual({ bucket: 'write', cost: 8 });
    expect(c('POST', 'api_keys/generate')).toEqual({ bucket: 'read', cost: 10 });
  });

  it('per-who buckets: read and write are independent; the write bucket holds 2 s, the read bucket 1 s', () => {
    let now = 0;
    const l = new RateLimiter({ readPerSec: 20, writePerSec: 10 }, () => now);
    expect([l.take('k1', 'write', 10), l.take('k1', 'write', 10), l.take('k1', 'write', 10)]).toEqual([true, true, false]);
    expect([l.take('k1', 'read', 10), l.take('k1', 'read', 10), l.take('k1', 'read', 10)]).toEqual([true, true, false]);
    expect(l.take('k2', 'write', 10)).toBe(true);
    now = 1000;
    expect(l.available('k1', 'write')).toBe(10);
    expect(l.stats).toEqual({ allowed: 5, limited: 2 });
    expect(new RateLimiter(false).take('x', 'write', 1e9)).toBe(true);
    expect(() => new RateLimiter({ readPerSec: 0, writePerSec: 1 })).toThrow(/readPerSec/);
  });
});

describe('rate limits over HTTP (low tier)', () => {
  let ex: RunningExchange;

  beforeAll(async () => {
    // slow refills so that the ms between requests cannot matter: buckets of 20 tokens (2 requests), refilled at
    // 10 tokens/s (read, public) and 2 tokens/s (write)
    const limits = { readPerSec: 10, readBurstSec: 2, writePerSec: 2, writeBurstSec: 10, publicReadPerSec: 10 };
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, rateLimits: limits });
  });
  afterAll(async () => {
    await ex?.close();
  });

  it('the read bucket of a key empties after 2 requests: 429 with the exact body, no Retry-After; it refills', async () => {
    const k = await newAccount(ex, 'reader');
    const other = await newAccount(ex, 'reader2');
    expect((await http(ex, 'GET', '/portfolio/balance', { creds: k })).status).toBe(200);
    expect((await http(ex, 'GET', '/portfolio/orders', { creds: k })).status).toBe(200);
    expectTooMany(await http(ex, 'GET', '/portfolio/fills', { creds: k }));
    expectTooMany(await http(ex, 'GET', '/portfolio/balance', { creds: k }));
    // writes use their own bucket
    expect((await http(ex, 'POST', '/portfolio/orders', { creds: k, body: order() })).status).toBe(201);
    // another key of another account is not affected
    expect((await http(ex, 'GET', '/portfolio/balance', { creds: other })).status).toBe(200);
    await sleep(1100); // 11 tokens
    expect((await http(ex, 'GET', '/portfolio/balance', { creds: k })).status).toBe(200);
    expectTooMany(await http(ex, 'GET', '/portfolio/balance', { creds: k }));
  });

  it('writes: 10 tokens an order, 2 a cancel (also per item of a batch cancel), 10 per item of a batch create', async () => {
    const k = await newAccount(ex, 'writer');
    // bucket 20: order (10) -> batch cancel of 4 ids (8) -> 2 left: an order is refused, a cancel still fits
    expect((await http(ex, 'POST', '/portfolio/orders', { creds: k, body: order() })).status).toBe(201);
    const bc = await http(ex, 'DELETE', '/portfolio/orders/batched', { creds: k, body: { ids: ['a', 'b', 'c', 'd'] } });
    expect(bc.status).toBe(200);
    expect((JSON.parse(bc.text) as Json).orders.map((o: Json) => o.error.code)).toEqual(['not_found', 'not_found', 'not_found', 'not_found']);
    expectTooMany(await http(ex, 'POST', '/portfolio/orders', { creds: k, body: order() }));
    expect((await http(ex, 'DELETE', '/portfolio/orders/no-such-order', { creds: k })).status).toBe(404); // 2 tokens: allowed
    expectTooMany(await http(ex, 'DELETE', '/portfolio/orders/no-such-order', { creds: k }));
    // reads still work
    expect((await http(ex, 'GET', '/portfolio/orders', { creds: k })).status).toBe(200);

    const b = await newAccount(ex, 'batcher');
    // a batch of 3 costs 30 > 20: refused although a single order would pass
    expectTooMany(await http(ex, 'POST', '/portfolio/orders/batched', { creds: b, body: { orders: [order(), order(), order()] } }));
    const two = await http(ex, 'POST', '/portfolio/orders/batched', { creds: b, body: { orders: [order(), order(2)] } });
    expect(two.status).toBe(201);
    expectTooMany(await http(ex, 'POST', '/portfolio/orders', { creds: b, body: order() }));
    expect(ex.venue.engine.listOrders({ accountId: 'batcher' })).toHaveLength(2);
  });

  it('unsigned market data has a per-IP read bucket; the mock admin is not limited', async () => {
    expect((await http(ex, 'GET', '/markets?limit=1')).status).toBe(200);
    expect((await http(ex, 'GET', `/markets/${HOUSE}`)).status).toBe(200);
    expectTooMany(await http(ex, 'GET', `/markets/${HOUSE}/orderbook`));
    expectTooMany(await http(ex, 'GET', '/exchange/status'));
    for (let i = 0; i < 5; i++) expect((await http(ex, 'GET', '/mock/faults')).status).toBe(200);
    // signed requests draw from the key's bucket, not the IP's
    const k = await newAccount(ex, 'ipcheck');
    expect((await http(ex, 'GET', '/portfolio/balance', { creds: k })).status).toBe(200);
  });
});

describe('rate limit defaults', () => {
  it('default tier is Basic: 20 reads of 10 tokens pass back to back, then 429', async () => {
    const ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false });
    try {
      const k = await newAccount(ex, 'basic');
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await http(ex, 'GET', '/portfolio/balance', { creds: k })).status);
      expect(statuses.slice(0, 20)).toEqual(new Array(20).fill(200));
      expect(statuses).toContain(429);
      expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    } finally {
      await ex.close();
    }
  });

  it('rateLimits: false turns limiting off', async () => {
    const ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, rateLimits: false });
    try {
      const k = await newAccount(ex, 'free');
      for (let i = 0; i < 30; i++) expect((await http(ex, 'GET', '/portfolio/balance', { creds: k })).status).toBe(200);
      for (let i = 0; i < 30; i++) expect((await http(ex, 'GET', '/markets?limit=1')).status).toBe(200);
    } finally {
      await ex.close();
    }
  });
});

describe('REST faults', () => {
  let ex: RunningExchange;
  let k: Creds;

  beforeAll(async () => {
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, rateLimits: false });
    k = await newAccount(ex, 'faulty');
  });
  afterAll(async () => {
    await ex?.close();
  });

  it('a 429 storm answers every request (public, signed, status) with the exact body; /mock/* stays reachable; signatures are not consumed', async () => {
    const set = await http(ex, 'POST', '/mock/faults', { body: { storm: '60000/60000' } });
    expect(set.status).toBe(200);
    expect((JSON.parse(set.text) as Json).faults.in_storm).toBe(true);
    const before = ex.faults.stats.stormRejections;
    expectTooMany(await http(ex, 'GET', '/markets?limit=1'));
    expectTooMany(await http(ex, 'GET', '/exchange/status'));
    const headers = signRequest(k, 'GET', '/trade-api/v2/portfolio/balance');
    expectTooMany(await http(ex, 'GET', '/portfolio/balance', { headers }));
    expectTooMany(await http(ex, 'POST', '/portfolio/orders', { creds: k, body: order() }));
    expectTooMany(await http(ex, 'GET', '/portfolio/balance')); // even unsigned: refused before authentication
    expect(ex.faults.stats.stormRejections - before).toBe(5);
    expect(ex.venue.engine.listOrders({ accountId: 'faulty' })).toHaveLength(0);
    expect((await http(ex, 'GET', '/mock/faults')).status).toBe(200);

    expect((await http(ex, 'POST', '/mock/faults', { body: {} })).status).toBe(200);
    // the signature refused during the storm was never verified, so it is still fresh
    expect((await http(ex, 'GET', '/portfolio/balance', { headers })).status).toBe(200);
    expect((await http(ex, 'GET', '/exchange/status')).status).toBe(200);
  });

  it("an intermittent storm (every 300 ms, for 150 ms) is ridden out by libs/kalshi's client backoff", async () => {
    await http(ex, 'POST', '/mock/faults', { body: { storm: '300/150' } });
    try {
      const client = new KalshiRestClient({ baseUrl: ex.restUrl, credentials: k, maxAttempts: 12, initialBackoffMs: 40, random: () => 0.5 });
      const statuses: Json[] = [];
      for (let i = 0; i < 6; i++) statuses.push(await client.get('portfolio/balance'));
      for (const b of statuses) expect(b.balance_dollars).toBe('100.0000');
      const raw: number[] = [];
      for (let i = 0; i < 20; i++) {
        raw.push((await http(ex, 'GET', '/exchange/status')).status);
        await sleep(25);
      }
      expect(raw).toContain(429);
      expect(raw).toContain(200);
    } finally {
      await http(ex, 'POST', '/mock/faults', { body: {} });
    }
  });

  it('latency delays every REST answer (401s included) by the set ms; /mock/* is not delayed', async () => {
    const time = async (f: () => Promise<Res>) => {
      const t0 = performance.now();
      const r = await f();
      return { status: r.status, ms: performance.now() - t0 };
    };
    await http(ex, 'GET', '/exchange/status'); // warm the connection
    const base = await time(() => http(ex, 'GET', '/exchange/status'));
    expect(base.status).toBe(200);
    await http(ex, 'POST', '/mock/faults', { body: { latency: 250 } });
    try {
      const before = ex.faults.stats.delayedResponses;
      const slow = await time(() => http(ex, 'GET', '/exchange/status'));
      expect(slow.status).toBe(200);
      expect(slow.ms).toBeGreaterThanOrEqual(245);
      const unauth = await time(() => http(ex, 'GET', '/portfolio/balance'));
      expect(unauth).toMatchObject({ status: 401 });
      expect(unauth.ms).toBeGreaterThanOrEqual(245);
      const signed = await time(() => http(ex, 'GET', '/portfolio/balance', { creds: k }));
      expect(signed.status).toBe(200);
      expect(signed.ms).toBeGreaterThanOrEqual(245);
      expect(ex.faults.stats.delayedResponses - before).toBe(3);
      const admin = await time(() => http(ex, 'GET', '/mock/faults'));
      expect(admin.ms).toBeLessThan(245);
    } finally {
      await http(ex, 'POST', '/mock/faults', { body: {} });
    }
    const after = await time(() => http(ex, 'GET', '/exchange/status'));
    expect(after.ms).toBeLessThan(245);
  });
});
