/**
 * Bad input never crashes the exchange: random JSON bodies (fast-check) on every signed write endpoint, random query
 * strings on the read endpoints, and random WebSocket commands. Every answer is a 2xx or a 4xx in Kalshi's error shape
 * (never a 5xx), the venue never halts, and the engine's books and money stay consistent.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import WebSocket from 'ws';
import { loadPrivateKey, signRequest } from '@kalshi-platform/kalshi';
import { startExchange, type RunningExchange } from '../src/exchange';

jest.setTimeout(120_000);

describe('fuzz: bad input never crashes the exchange', () => {
  let ex: RunningExchange;
  let dir: string;
  let signer: { keyId: string; privateKey: ReturnType<typeof loadPrivateKey> };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, rateLimits: false, credentialsOut: join(dir, 'c.json') });
    const c = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8'));
    signer = { keyId: c.key_id, privateKey: loadPrivateKey(c.private_key_pem) };
  });
  afterAll(async () => {
    await ex.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = async (method: string, path: string, body?: string, query = '') => {
    const full = `/trade-api/v2/${path}`;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(signRequest(signer as never, method, full) as Record<string, string>) };
    const r = await fetch(`${ex.restUrl}/${path}${query}`, { method, headers, body });
    const text = await r.text();
    return { status: r.status, text };
  };

  const statuses = new Map<number, number>();
  const expectClientError = (r: { status: number; text: string }, what: string) => {
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    expect({ what, status: r.status < 500 }).toEqual({ what, status: true });
    if (r.status >= 400 && r.status !== 429) {
      const j = JSON.parse(r.text);
      expect(typeof j.error?.message === 'string' || typeof j.error === 'string').toBe(true);
    }
  };

  // a live order id so that the per-order endpoints reach their body validation
  let orderId = '';
  it('random bodies on the signed write endpoints', async () => {
    const placed = await send('POST', 'portfolio/orders', JSON.stringify({ ticker: 'KXELONMARS-99', side: 'yes', action: 'buy', count: 1, yes_price_dollars: '0.0100', time_in_force: 'good_till_canceled' }));
    expect(placed.status).toBe(201);
    orderId = JSON.parse(placed.text).order.order_id;
    const endpoints: Array<[string, string]> = [
      ['POST', 'portfolio/orders'],
      ['POST', 'portfolio/events/orders'],
      ['POST', 'portfolio/orders/batched'],
      ['DELETE', 'portfolio/orders/batched'],
      ['POST', 'portfolio/events/orders/batched'],
      ['POST', `portfolio/orders/${orderId}/amend`],
      ['POST', `portfolio/orders/${orderId}/decrease`],
      ['POST', `portfolio/events/orders/${orderId}/amend`],
      ['POST', 'api_keys'],
      ['POST', 'api_keys/generate'],
      ['POST', 'mock/faults'],
    ];
    // values shaped like an order with random types, plus arbitrary JSON and non-JSON text
    const orderish = fc.record(
      {
        ticker: fc.oneof(fc.constant('KXELONMARS-99'), fc.string(), fc.integer()),
        side: fc.oneof(fc.constantFrom('yes', 'no', 'bid', 'ask'), fc.string(), fc.boolean()),
        action: fc.oneof(fc.constantFrom('buy', 'sell'), fc.string()),
        count: fc.oneof(fc.integer({ min: -5, max: 1e12 }), fc.double(), fc.string()),
        count_fp: fc.oneof(fc.constantFrom('1.00', '0.001', '-1', '1e3'), fc.string()),
        yes_price_dollars: fc.oneof(fc.constantFrom('0.5000', '1.0000', '0.00001', 'NaN'), fc.string(), fc.double()),
        price: fc.oneof(fc.constantFrom('0.5000', '2'), fc.string()),
        time_in_force: fc.oneof(fc.constantFrom('good_till_canceled', 'fill_or_kill', 'immediate_or_cancel'), fc.string()),
        expiration_ts: fc.oneof(fc.integer(), fc.double(), fc.string()),
        buy_max_cost: fc.oneof(fc.integer(), fc.string()),
        orders: fc.array(fc.jsonValue(), { maxLength: 25 }),
        reduce_by: fc.oneof(fc.integer(), fc.string()),
        name: fc.oneof(fc.string(), fc.integer()),
        public_key: fc.string(),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(orderish.map((o) => JSON.stringify(o)), fc.jsonValue().map((v) => JSON.stringify(v)), fc.string());
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...endpoints), body, async ([method, path], b) => {
        const r = await send(method, path, b);
        expectClientError(r, `${method} ${path} ${b.slice(0, 200)}`);
      }),
      { numRuns: 400, seed: 20261123 },
    );
    // the fuzz reaches both the refusals and the accepted paths
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
    expect([...statuses.keys()].some((k) => k >= 200 && k < 300)).toBe(true);
    await ex.venue.flush();
    expect(ex.venue.haltedBy).toBeNull();
    expect(ex.venue.engine.totals().imbalanceMicros).toBe(0);
    for (const b of ex.venue.books.values()) expect(b.valid).toBe(true);
  });

  it('random query strings on the read endpoints', async () => {
    const reads = ['markets', 'markets/KXELONMARS-99/orderbook', 'markets/orderbooks', 'markets/trades', 'markets/candlesticks', 'events', 'series', 'series/KXELONMARS/markets/KXELONMARS-99/candlesticks', 'portfolio/orders', 'portfolio/fills', 'portfolio/positions', 'portfolio/settlements'];
    const param = fc.tuple(fc.constantFrom('limit', 'cursor', 'status', 'tickers', 'depth', 'min_ts', 'max_ts', 'start_ts', 'end_ts', 'period_interval', 'with_nested_markets', 'event_ticker', 'ticker'), fc.string());
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...reads), fc.array(param, { maxLength: 4 }), async (path, ps) => {
        const q = ps.length ? '?' + ps.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&') : '';
        const r = await send('GET', path, undefined, q);
        expectClientError(r, `GET ${path}${q}`);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('random WebSocket commands', async () => {
    const url = ex.wsUrl;
    const ws = new WebSocket(url, { headers: signRequest(signer as never, 'GET', '/trade-api/ws/v2') as Record<string, string> });
    await new Promise((res, rej) => (ws.once('open', res), ws.once('error', rej)));
    let frames = 0;
    ws.on('message', () => frames++);
    const cmd = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record({ id: fc.oneof(fc.integer(), fc.string()), cmd: fc.constantFrom('subscribe', 'unsubscribe', 'update_subscription', 'list_subscriptions', 'nope'), params: fc.jsonValue() }, { requiredKeys: ['cmd'] })
        .map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(cmd, async (text) => {
        ws.send(text);
      }),
      { numRuns: 500, seed: 11 },
    );
    ws.send(JSON.stringify({ id: 9999, cmd: 'list_subscriptions' }));
    const deadline = Date.now() + 5000;
    while (frames < 400 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(frames).toBeGreaterThan(100); // answered (errors, acks, snapshots), not silently dropped
    ws.close();
    const status = await fetch(`${ex.restUrl}/exchange/status`);
    expect(status.status).toBe(200);
  });
});
