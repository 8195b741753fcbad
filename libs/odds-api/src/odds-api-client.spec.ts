import { readFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import Redis from 'ioredis';
import { type HotCache, MemoryHotCache, RedisHotCache } from '@kalshi-platform/storage';
import {
  OddsApiClient,
  type OddsApiClientOptions,
  OddsApiConfigError,
  OddsApiHttpError,
  OddsApiNetworkError,
  OddsBodyFormatError,
  OddsQuotaExhaustedError,
  OddsSourceError,
} from './index';

const CAPTURE_PATH = '/work/shared/data/theoddsapi-sportsbook-arb-2024-03-26/odds_h2h_us_2024-03-27T0134Z.json';
const CAPTURE = readFileSync(CAPTURE_PATH);
const API_KEY = 'k3y-SECRET-0123456789abcdef0123456789abcdef';
const REDIS_URL = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';
const RUN_PREFIX = `test:odds-api:${process.pid}:${Date.now()}:`;

/** Every log line, error message and inspected error seen by any test; checked for the key at the end. */
const seenText: string[] = [];

interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** never answer (for timeouts) */
  hang?: boolean;
}

/** Loopback stand-in for api.the-odds-api.com: answers scripted replies in order, then the capture with quota headers. */
class FakeOddsApi {
  readonly requests: string[] = [];
  readonly replies: Reply[] = [];
  private server!: Server;
  private remaining = 500;
  private used = 0;
  port = 0;

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Default reply: the real capture, byte for byte, with decreasing quota. */
  captureReply(): Reply {
    this.remaining -= 1;
    this.used += 1;
    return {
      status: 200,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-requests-remaining': String(this.remaining),
        'x-requests-used': String(this.used),
        'x-requests-last': '1',
      },
      body: CAPTURE,
    };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push(req.url ?? '');
    req.resume();
    const reply = this.replies.shift() ?? this.captureReply();
    if (reply.hang) return;
    res.writeHead(reply.status ?? 200, reply.headers ?? {});
    res.end(reply.body ?? '');
  }
}

let api: FakeOddsApi;
let logLines: string[];
let sleeps: number[];

function client(extra: Partial<OddsApiClientOptions> = {}): OddsApiClient {
  return new OddsApiClient({
    apiKey: API_KEY,
    baseUrl: api.baseUrl,
    backoffBaseMs: 100,
    backoffCapMs: 1_000,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    log: (line) => logLines.push(line),
    ...extra,
  });
}

/** Await a rejection, record its text for the key audit, and return it. */
async function failure(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err as Error,
  );
  seenText.push(e.message, inspect(e, { depth: 5 }), JSON.stringify(e));
  return e;
}

const EXPECTED_PATH = `/v4/sports/upcoming/odds?apiKey=${API_KEY}&regions=us&markets=h2h&oddsFormat=american&dateFormat=iso`;

beforeEach(async () => {
  api = new FakeOddsApi();
  await api.start();
  logLines = [];
  sleeps = [];
});

afterEach(async () => {
  seenText.push(...logLines);
  await api.stop();
});

afterAll(() => {
  expect(seenText.length).toBeGreaterThan(10);
  for (const text of seenText) {
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain('k3y-SECRET');
  }
});

describe('OddsApiClient over HTTP', () => {
  it('returns the real capture byte for byte with the documented query and quota', async () => {
    const c = client({ now: () => 1_711_503_300_000 });
    const r = await c.getOdds();
    expect(Buffer.from(r.body, 'utf8').equals(CAPTURE)).toBe(true);
    expect(r.body.length).toBe(CAPTURE.toString('utf8').length);
    expect(r.fromCache).toBe(false);
    expect(r.fetchedTsMs).toBe(1_711_503_300_000);
    expect(r.quota).toEqual({ remaining: 499, used: 1, last: 1 });
    expect(api.requests).toEqual([EXPECTED_PATH]);
    const q = new URL(api.requests[0], 'http://x').searchParams;
    expect([...q.keys()]).toEqual(['apiKey', 'regions', 'markets', 'oddsFormat', 'dateFormat']);
    expect(JSON.parse(r.body)).toHaveLength(28);
  });

  it('builds comma-separated regions/markets, the sport path and decimal format', async () => {
    const c = client({ regions: ['us', 'uk'], markets: ['h2h', 'spreads'], oddsFormat: 'decimal' });
    await c.getOdds('basketball_nba');
    expect(api.requests).toEqual([
      `/v4/sports/basketball_nba/odds?apiKey=${API_KEY}&regions=us,uk&markets=h2h,spreads&oddsFormat=decimal&dateFormat=iso`,
    ]);
    expect(c.redactedUrl('basketball_nba')).toBe(
      `${api.baseUrl}/v4/sports/basketball_nba/odds?apiKey=REDACTED&regions=us,uk&markets=h2h,spreads&oddsFormat=decimal&dateFormat=iso`,
    );
  });

  it('defaults to the production origin', () => {
    const c = new OddsApiClient({ apiKey: API_KEY });
    expect(c.baseUrl).toBe('https://api.the-odds-api.com');
    expect(c.regions).toEqual(['us']);
    expect(c.markets).toEqual(['h2h']);
    expect(c.oddsFormat).toBe('american');
    expect(c.cacheTtlMs).toBe(60_000);
    expect(c.redactedUrl()).toBe(
      'https://api.the-odds-api.com/v4/sports/upcoming/odds?apiKey=REDACTED&regions=us&markets=h2h&oddsFormat=american&dateFormat=iso',
    );
  });

  it('tracks the quota across calls and keeps the last known values when headers are missing', async () => {
    const c = client();
    expect(c.quota).toEqual({ remaining: null, used: null, last: null });
    const a = await c.getOdds();
    expect(c.quota).toEqual({ remaining: 499, used: 1, last: 1 });
    const b = await c.getOdds();
    expect(b.quota).toEqual({ remaining: 498, used: 2, last: 1 });
    expect(c.quota).toEqual({ remaining: 498, used: 2, last: 1 });
    expect(a.quota).toEqual({ remaining: 499, used: 1, last: 1 });
    api.replies.push({ status: 200, body: '[]' });
    const d = await c.getOdds();
    expect(d.body).toBe('[]');
    expect(d.quota).toEqual({ remaining: null, used: null, last: null });
    expect(c.quota).toEqual({ remaining: 498, used: 2, last: 1 });
    expect(api.requests).toHaveLength(3);
  });

  it('retries 429 twice with full-jitter backoff, then succeeds', async () => {
    const limited: Reply = {
      status: 429,
      headers: { 'content-type': 'application/json', 'x-requests-remaining': '450', 'x-requests-used': '50', 'x-requests-last': '0' },
      body: JSON.stringify({ message: 'Too many requests', error_code: 'EXCEEDED_FREQ_LIMIT' }),
    };
    api.replies.push(limited, { ...limited });
    const c = client();
    const r = await c.getOdds();
    expect(Buffer.from(r.body).equals(CAPTURE)).toBe(true);
    expect(api.requests).toEqual([EXPECTED_PATH, EXPECTED_PATH, EXPECTED_PATH]);
    // random 0.5: floor(0.5 * 100), floor(0.5 * 200)
    expect(sleeps).toEqual([50, 100]);
    expect(c.stats).toMatchObject({ httpRequests: 3, retries: 2, rateLimited: 2 });
    expect(logLines.filter((l) => l.includes('HTTP 429'))).toHaveLength(2);
    expect(logLines[0]).toContain('apiKey=REDACTED');
  });

  it('keeps each backoff within [0, min(cap, base * 2^n)) and gives up after maxAttempts on 5xx', async () => {
    for (let i = 0; i < 4; i++) api.replies.push({ status: 503, body: 'upstream unavailable' });
    const c = client({ maxAttempts: 4, backoffBaseMs: 100, backoffCapMs: 150, random: () => 0.999999 });
    const e = await failure(c.getOdds());
    expect(e).toBeInstanceOf(OddsApiHttpError);
    const h = e as OddsApiHttpError;
    expect(h.status).toBe(503);
    expect(h.attempts).toBe(4);
    expect(h.apiMessage).toBe('upstream unavailable');
    expect(sleeps).toEqual([99, 149, 149]);
    expect(api.requests).toHaveLength(4);

    const zero = client({ random: () => 0 });
    api.replies.push({ status: 500 }, { status: 502 });
    await zero.getOdds();
    expect(sleeps.slice(3)).toEqual([0, 0]);
  });

  it('does not retry 401 and reports the API message and error code', async () => {
    api.replies.push({
      status: 401,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        message: 'API key is not valid',
        error_code: 'INVALID_KEY',
        details_url: 'https://the-odds-api.com/liveapi/guides/v4/api-error-codes.html#invalid-key',
      }),
    });
    const c = client();
    const e = await failure(c.getOdds());
    expect(e).toBeInstanceOf(OddsApiHttpError);
    expect(e).toBeInstanceOf(OddsSourceError);
    const h = e as OddsApiHttpError;
    expect(h.status).toBe(401);
    expect(h.errorCode).toBe('INVALID_KEY');
    expect(h.apiMessage).toBe('API key is not valid');
    expect(h.attempts).toBe(1);
    expect(h.url).toContain('apiKey=REDACTED');
    expect(h.message).toContain('HTTP 401 INVALID_KEY: API key is not valid');
    expect(api.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('does not retry 422', async () => {
    api.replies.push({ status: 422, body: JSON.stringify({ message: 'Invalid markets', error_code: 'INVALID_MARKET' }) });
    const e = await failure(client().getOdds());
    expect((e as OddsApiHttpError).status).toBe(422);
    expect(e.message).toContain('Invalid markets');
    expect(api.requests).toHaveLength(1);
  });

  it('refuses without a request once x-requests-remaining is 0, until resetQuota()', async () => {
    api.replies.push({ status: 200, headers: { 'x-requests-remaining': '0', 'x-requests-used': '500', 'x-requests-last': '1' }, body: CAPTURE });
    const c = client();
    const first = await c.getOdds();
    expect(Buffer.from(first.body).equals(CAPTURE)).toBe(true);
    expect(c.quota.remaining).toBe(0);
    const e = await failure(c.getOdds());
    expect(e).toBeInstanceOf(OddsQuotaExhaustedError);
    expect((e as OddsQuotaExhaustedError).quota).toEqual({ remaining: 0, used: 500, last: 1 });
    expect(api.requests).toHaveLength(1);
    expect(c.stats.quotaRefusals).toBe(1);
    c.resetQuota();
    await c.getOdds();
    expect(api.requests).toHaveLength(2);
  });

  it('stops retrying a 429 that reports no credits left', async () => {
    api.replies.push({ status: 429, headers: { 'x-requests-remaining': '0' }, body: '{"message":"Usage quota has been reached"}' });
    const e = await failure(client().getOdds());
    expect(e).toBeInstanceOf(OddsQuotaExhaustedError);
    expect(api.requests).toHaveLength(1);
  });

  it('retries network errors and reports OddsApiNetworkError without the key', async () => {
    const port = api.port;
    await api.stop();
    const c = client({ baseUrl: `http://127.0.0.1:${port}`, maxAttempts: 3 });
    const e = await failure(c.getOdds());
    expect(e).toBeInstanceOf(OddsApiNetworkError);
    expect((e as OddsApiNetworkError).attempts).toBe(3);
    expect(e.message).toContain('apiKey=REDACTED');
    expect((e.cause as { code?: string }).code).toBe('ECONNREFUSED');
    expect(sleeps).toHaveLength(2);
    await api.start(); // so afterEach can stop it
  });

  it('times out a hung attempt and retries it', async () => {
    api.replies.push({ hang: true });
    const c = client({ timeoutMs: 200, maxAttempts: 2 });
    const r = await c.getOdds();
    expect(Buffer.from(r.body).equals(CAPTURE)).toBe(true);
    expect(api.requests).toHaveLength(2);
    expect(logLines.join('\n')).toMatch(/TimeoutError|aborted/i);

    api.replies.push({ hang: true }, { hang: true });
    const e = await failure(client({ timeoutMs: 100, maxAttempts: 2 }).getOdds('soccer_epl'));
    expect(e).toBeInstanceOf(OddsApiNetworkError);
  });

  it('rejects a 200 body that is not a JSON array and does not cache it', async () => {
    const cache = new MemoryHotCache();
    const c = client({ cache });
    api.replies.push({ status: 200, body: '{"message":"not a list"}' });
    const e = await failure(c.getOdds());
    expect(e).toBeInstanceOf(OddsBodyFormatError);
    expect(e.message).toContain('top-level value is an object');
    api.replies.push({ status: 200, body: '<html>oops' });
    expect(await failure(c.getOdds())).toBeInstanceOf(OddsBodyFormatError);
    const ok = await c.getOdds();
    expect(ok.fromCache).toBe(false);
    expect(api.requests).toHaveLength(3);
    await cache.close();
  });

  it('shares one request between concurrent calls for the same sport', async () => {
    const c = client();
    const [a, b] = await Promise.all([c.getOdds(), c.getOdds('upcoming')]);
    expect(a).toBe(b);
    expect(api.requests).toHaveLength(1);
  });

  it('never leaks the key through errors, logs, inspect or JSON, even when the server echoes it', async () => {
    api.replies.push(
      { status: 500, body: `internal error for /v4/sports/upcoming/odds?apiKey=${API_KEY}&regions=us` },
      { status: 401, body: JSON.stringify({ message: `key ${API_KEY} is not valid`, error_code: 'INVALID_KEY' }) },
    );
    const c = client();
    const e = (await failure(c.getOdds())) as OddsApiHttpError;
    expect(e.status).toBe(401);
    expect(e.apiMessage).toBe('key REDACTED is not valid');
    expect(inspect(c, { depth: 5, showHidden: true })).not.toContain(API_KEY);
    expect(JSON.stringify(c)).not.toContain(API_KEY);
    expect(c.cacheKey()).not.toContain(API_KEY);
    seenText.push(inspect(c, { depth: 5 }), JSON.stringify(c), c.cacheKey(), c.redactedUrl());
  });
});

describe('OddsApiClient options', () => {
  const base = { apiKey: API_KEY };
  it.each<[string, Partial<OddsApiClientOptions>, string]>([
    ['apiKey', { apiKey: '' }, 'apiKey'],
    ['apiKey with spaces', { apiKey: 'has space' }, 'apiKey'],
    ['empty regions', { regions: [] }, 'regions'],
    ['upper-case region', { regions: ['us', 'UK'] }, 'regions[1]'],
    ['duplicate market', { markets: ['h2h', 'h2h'] }, 'markets[1]'],
    ['oddsFormat', { oddsFormat: 'fractional' as never }, 'oddsFormat'],
    ['timeoutMs', { timeoutMs: 0 }, 'timeoutMs'],
    ['maxAttempts', { maxAttempts: 1.5 }, 'maxAttempts'],
    ['backoffCapMs', { backoffBaseMs: 100, backoffCapMs: 50 }, 'backoffCapMs'],
    ['cacheTtlMs', { cacheTtlMs: -1 }, 'cacheTtlMs'],
    ['baseUrl scheme', { baseUrl: 'ftp://example.com' }, 'baseUrl'],
    ['baseUrl query', { baseUrl: 'https://api.the-odds-api.com/?apiKey=x' }, 'baseUrl'],
    ['baseUrl garbage', { baseUrl: 'not a url' }, 'baseUrl'],
  ])('rejects bad %s', (_name, opts, field) => {
    let err: unknown;
    try {
      new OddsApiClient({ ...base, ...opts });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OddsApiConfigError);
    expect((err as OddsApiConfigError).field).toBe(field);
    expect((err as Error).message).toContain(field);
    seenText.push((err as Error).message);
  });

  it('does not echo a bad api key', () => {
    expect(() => new OddsApiClient({ apiKey: 'secret with space' })).toThrow(/apiKey/);
    try {
      new OddsApiClient({ apiKey: 'secret with space' });
    } catch (e) {
      expect((e as Error).message).not.toContain('secret');
    }
  });

  it('rejects a bad sport key without a request', async () => {
    const c = client();
    const e = await failure(c.getOdds('../sports'));
    expect(e).toBeInstanceOf(OddsApiConfigError);
    expect((e as OddsApiConfigError).field).toBe('sport');
    expect(api.requests).toHaveLength(0);
  });

  it('normalises a trailing slash and keeps a path prefix', () => {
    const c = new OddsApiClient({ apiKey: API_KEY, baseUrl: 'http://127.0.0.1:9/proxy/' });
    expect(c.redactedUrl('upcoming')).toMatch(/^http:\/\/127\.0\.0\.1:9\/proxy\/v4\/sports\/upcoming\/odds\?apiKey=REDACTED&/);
  });

  it('uses distinct cache keys per sport, regions, markets and format, never containing the key', () => {
    const keys = [
      client().cacheKey('upcoming'),
      client().cacheKey('basketball_nba'),
      client({ regions: ['us', 'uk'] }).cacheKey(),
      client({ markets: ['spreads'] }).cacheKey(),
      client({ oddsFormat: 'decimal' }).cacheKey(),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of keys) expect(k).not.toContain(API_KEY);
    expect(keys[0]).toBe(`theoddsapi:v4:${api.baseUrl}:odds:upcoming:regions=us:markets=h2h:oddsFormat=american:dateFormat=iso`);
  });
});

const redisCaches: RedisHotCache[] = [];
let suiteNo = 0;

describe.each<[string, () => HotCache]>([
  ['MemoryHotCache', () => new MemoryHotCache()],
  [
    'RedisHotCache (real Redis)',
    () => {
      const c = new RedisHotCache({ redisUrl: REDIS_URL, keyPrefix: `${RUN_PREFIX}${++suiteNo}:` });
      redisCaches.push(c);
      return c;
    },
  ],
])('OddsApiClient with %s', (_name, makeCache) => {
  it('serves the second call from the cache (one HTTP request), byte-identical, original fetch time', async () => {
    const cache = makeCache();
    let t = 1_000_000;
    const c = client({ cache, now: () => t });
    const a = await c.getOdds();
    t = 2_000_000;
    const b = await c.getOdds();
    expect(api.requests).toHaveLength(1);
    expect(a.fromCache).toBe(false);
    expect(b.fromCache).toBe(true);
    expect(Buffer.from(b.body, 'utf8').equals(CAPTURE)).toBe(true);
    expect(b.fetchedTsMs).toBe(1_000_000);
    expect(b.quota).toEqual({ remaining: 499, used: 1, last: 1 });
    expect(c.stats).toMatchObject({ httpRequests: 1, cacheHits: 1, cacheMisses: 1, cacheErrors: 0 });

    // A second client on the same cache (another process in the Redis case) also hits.
    const other = client({ cache });
    expect((await other.getOdds()).fromCache).toBe(true);
    expect(api.requests).toHaveLength(1);
    // A different sport is a different entry.
    expect((await c.getOdds('icehockey_nhl')).fromCache).toBe(false);
    expect(api.requests).toHaveLength(2);
  });

  it('refetches after the TTL expires (real wait)', async () => {
    const cache = makeCache();
    const c = client({ cache, cacheTtlMs: 300 });
    expect((await c.getOdds()).fromCache).toBe(false);
    expect((await c.getOdds()).fromCache).toBe(true);
    expect(api.requests).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 450));
    const again = await c.getOdds();
    expect(again.fromCache).toBe(false);
    expect(Buffer.from(again.body).equals(CAPTURE)).toBe(true);
    expect(api.requests).toHaveLength(2);
  });

  it('serves a cached body even when the quota is exhausted', async () => {
    const cache = makeCache();
    api.replies.push({ status: 200, headers: { 'x-requests-remaining': '0' }, body: CAPTURE });
    const c = client({ cache });
    await c.getOdds();
    expect((await c.getOdds()).fromCache).toBe(true);
    expect(await failure(c.getOdds('basketball_nba'))).toBeInstanceOf(OddsQuotaExhaustedError);
    expect(api.requests).toHaveLength(1);
  });
});

describe('cache failures', () => {
  it('falls back to HTTP when the cache rejects, and logs it', async () => {
    const broken: HotCache = {
      setBbo: async () => undefined,
      getBbo: async () => null,
      getBbos: async () => [],
      setOdds: async () => {
        throw new Error('redis down');
      },
      getOdds: async () => {
        throw new Error('redis down');
      },
      incrWindow: async () => 1,
      close: async () => undefined,
    };
    const c = client({ cache: broken });
    const r = await c.getOdds();
    expect(Buffer.from(r.body).equals(CAPTURE)).toBe(true);
    expect(c.stats.cacheErrors).toBe(2);
    expect(logLines.filter((l) => l.includes('redis down'))).toHaveLength(2);
  });

  it('ignores a corrupt cache entry', async () => {
    const cache = new MemoryHotCache();
    const c = client({ cache });
    await cache.setOdds(c.cacheKey(), 'garbage', 60_000);
    expect((await c.getOdds()).fromCache).toBe(false);
    expect((await c.getOdds()).fromCache).toBe(true);
    expect(api.requests).toHaveLength(1);
  });
});

afterAll(async () => {
  // The Redis entries must not contain the key in their names or values; then remove them.
  const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const keys = await admin.keys(`${RUN_PREFIX}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      expect(k).not.toContain(API_KEY);
      const v = await admin.get(k);
      expect(v ?? '').not.toContain(API_KEY);
    }
    if (keys.length) await admin.del(...keys);
    expect(await admin.keys(`${RUN_PREFIX}*`)).toEqual([]);
  } finally {
    await Promise.all(redisCaches.map((c) => c.close()));
    admin.disconnect();
  }
});
