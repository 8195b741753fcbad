/**
 * KalshiRestClient against a scripted node:http server on 127.0.0.1 (real sockets): cursor paging, retries on
 * 429 / 5xx / dropped connections with backoff, no retry on 4xx, signed requests verified server-side.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKalshiKeyPair, verifyRequestSignature } from '../auth';
import { KalshiHttpError, KalshiRestClient } from './rest-client';

interface Seen {
  at: number;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
}

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('KalshiRestClient', () => {
  let server: Server;
  let base: string;
  let seen: Seen[];
  let handler: Handler;

  beforeEach(async () => {
    seen = [];
    handler = (_req, res) => json(res, 404, { error: { code: 'not_found', message: 'no handler' } });
    server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      seen.push({ at: Date.now(), method: req.method ?? '', path: u.pathname, query: u.searchParams, headers: req.headers });
      handler(req, res, seen.length);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trade-api/v2`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('getAll walks the cursor until it comes back empty, passing the query along', async () => {
    const pages: Record<string, { items: number[]; next: string }> = { '': { items: [1, 2], next: 'c2' }, c2: { items: [3, 4], next: 'c3' }, c3: { items: [5], next: '' } };
    handler = (req, res) => {
      const q = new URL(req.url!, 'http://x').searchParams;
      const p = pages[q.get('cursor') ?? ''];
      json(res, 200, { markets: p.items.map((i) => ({ ticker: `M-${i}` })), cursor: p.next });
    };
    const c = new KalshiRestClient({ baseUrl: base });
    const all = await c.getAll<{ ticker: string }>('markets', 'markets', { status: 'open', limit: 2 });
    expect(all.map((m) => m.ticker)).toEqual(['M-1', 'M-2', 'M-3', 'M-4', 'M-5']);
    expect(seen.map((s) => [s.path, s.query.get('cursor'), s.query.get('status'), s.query.get('limit')])).toEqual([
      ['/trade-api/v2/markets', null, 'open', '2'],
      ['/trade-api/v2/markets', 'c2', 'open', '2'],
      ['/trade-api/v2/markets', 'c3', 'open', '2'],
    ]);
  });

  it('getAll stops on a null cursor and refuses a body without the list', async () => {
    handler = (_req, res, n) => (n === 1 ? json(res, 200, { events: [{ a: 1 }], cursor: null }) : json(res, 200, { nope: [] }));
    const c = new KalshiRestClient({ baseUrl: base });
    expect(await c.getAll('events', 'events')).toEqual([{ a: 1 }]);
    await expect(c.getAll('events', 'events')).rejects.toThrow('body has no "events" array');
  });

  it('getAll gives up after maxPages when the cursor never ends', async () => {
    handler = (_req, res, n) => json(res, 200, { markets: [n], cursor: `c${n}` });
    const c = new KalshiRestClient({ baseUrl: base });
    await expect(c.getAll('markets', 'markets', {}, 3)).rejects.toThrow('more than 3 pages');
    expect(seen.length).toBe(3);
  });

  it('retries a 429 after a jittered backoff and counts it', async () => {
    handler = (_req, res, n) => (n === 1 ? json(res, 429, { error: 'too many requests' }) : json(res, 200, { exchange_active: true, trading_active: true }));
    // first retry: base 100 ms, delay = 50 + r * 50 with r = 0.999 -> ~100 ms
    const c = new KalshiRestClient({ baseUrl: base, initialBackoffMs: 100, random: () => 0.999 });
    const body = await c.get('exchange/status');
    expect(body).toEqual({ exchange_active: true, trading_active: true });
    expect(c.rateLimited).toBe(1);
    expect(seen.length).toBe(2);
    const gap = seen[1].at - seen[0].at;
    expect(gap).toBeGreaterThanOrEqual(95);
    expect(gap).toBeLessThan(300);
  });

  it('retries 5xx and dropped connections without counting them as rate limits', async () => {
    handler = (req, res, n) => {
      if (n === 1) json(res, 503, { error: { code: 'unavailable', message: 'try later' } });
      else if (n === 2) req.socket.destroy();
      else json(res, 200, { ok: n });
    };
    const c = new KalshiRestClient({ baseUrl: base, initialBackoffMs: 5, random: () => 0 });
    expect(await c.get('markets')).toEqual({ ok: 3 });
    expect(seen.length).toBe(3);
    expect(c.rateLimited).toBe(0);
  });

  it('does not retry a 400 and throws KalshiHttpError with status and body', async () => {
    const errBody = { error: { code: 'invalid_parameter', message: 'limit: must be in 1..1000, got 0' } };
    handler = (_req, res) => json(res, 400, errBody);
    const c = new KalshiRestClient({ baseUrl: base, initialBackoffMs: 5 });
    const err = await c.get('markets', { limit: 0 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KalshiHttpError);
    const h = err as KalshiHttpError;
    expect(h.status).toBe(400);
    expect(h.body).toEqual(errBody);
    expect(h.method).toBe('GET');
    expect(h.path).toBe('/trade-api/v2/markets');
    expect(h.message).toContain('HTTP 400');
    expect(seen.length).toBe(1);
    expect(c.rateLimited).toBe(0);
  });

  it('gives up after maxAttempts of 429 with the last KalshiHttpError', async () => {
    handler = (_req, res) => json(res, 429, { error: 'too many requests' });
    const c = new KalshiRestClient({ baseUrl: base, maxAttempts: 3, initialBackoffMs: 5, random: () => 0 });
    await expect(c.get('markets')).rejects.toMatchObject({ name: 'KalshiHttpError', status: 429, body: { error: 'too many requests' } });
    expect(seen.length).toBe(3);
    expect(c.rateLimited).toBe(3);
  });

  it('signs requests over timestamp + METHOD + full /trade-api path (no query); the server verifies them', async () => {
    const pair = generateKalshiKeyPair();
    handler = (_req, res) => json(res, 200, { markets: [], cursor: '' });
    const c = new KalshiRestClient({ baseUrl: base, credentials: { keyId: 'rest-key', privateKeyPem: pair.privateKeyPem } });
    await c.getAll('markets', 'markets', { limit: 5 });
    await c.get('/markets/KX-1/orderbook', { depth: 3 });
    expect(seen.length).toBe(2);
    const check = (s: Seen, path: string, key = pair.publicKeyPem) =>
      verifyRequestSignature(key, { timestampMs: s.headers['kalshi-access-timestamp'] as string, signature: s.headers['kalshi-access-signature'] as string }, s.method, path);
    expect(seen[0].headers['kalshi-access-key']).toBe('rest-key');
    expect(check(seen[0], '/trade-api/v2/markets')).toEqual({ ok: true });
    expect(check(seen[1], '/trade-api/v2/markets/KX-1/orderbook')).toEqual({ ok: true });
    expect(seen[1].query.get('depth')).toBe('3');
    // the same headers do not verify for another path or another key
    expect(check(seen[1], '/trade-api/v2/markets')).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(check(seen[0], '/trade-api/v2/markets', generateKalshiKeyPair().publicKeyPem)).toEqual({ ok: false, reason: 'signature mismatch' });
  });

  it('sends no auth headers without credentials', async () => {
    handler = (_req, res) => json(res, 200, {});
    await new KalshiRestClient({ baseUrl: base }).get('exchange/status');
    expect(seen[0].headers['kalshi-access-key']).toBeUndefined();
    expect(seen[0].headers['kalshi-access-signature']).toBeUndefined();
  });
});
