/**
 * Conformance of the portfolio and api_keys responses with the official SDK's models (`kalshi-typescript`): every
 * response of the signed endpoints, fetched over real HTTP from a live exchange after orders, fills, amends,
 * decreases, cancels, batches and a settlement, is checked against the SDK model the SDK would parse it into.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKalshiKeyPair, KalshiRestClient } from '@kalshi-platform/kalshi';
import { startExchange, type RunningExchange } from '../src/exchange';
import { checkAgainstSdkModel } from './sdk-model-check';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('portfolio responses conform to the kalshi-typescript SDK models', () => {
  let ex: RunningExchange;
  let dir: string;
  let demo: KalshiRestClient;
  const seen: Array<[string, string, unknown]> = [];

  const call = async (model: string, method: string, path: string, query: Record<string, string> = {}, body?: unknown): Promise<Json> => {
    const j = await demo.request<Json>(method, path, query, body);
    seen.push([model, `${method} ${path}`, j]);
    expect({ endpoint: `${method} ${path}`, problems: checkAgainstSdkModel(model, j) }).toEqual({ endpoint: `${method} ${path}`, problems: [] });
    return j;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sdk-portfolio-'));
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, rateLimits: false, credentialsOut: join(dir, 'c.json') });
    const c = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8'));
    demo = new KalshiRestClient({ baseUrl: ex.restUrl, credentials: { keyId: c.key_id, privateKeyPem: c.private_key_pem } });
  });
  afterAll(async () => {
    await ex.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('orders V1: create, get, list, amend, decrease, cancel, batches', async () => {
    const created = await call('CreateOrderResponse', 'POST', 'portfolio/orders', {}, { ticker: 'KXELONMARS-99', side: 'yes', action: 'buy', count: 10, yes_price_dollars: '0.0300', client_order_id: 'sdk-1', time_in_force: 'good_till_canceled' });
    const id = created.order.order_id;
    expect(created.order.remaining_count_fp).toBe('10.00');
    await call('GetOrderResponse', 'GET', `portfolio/orders/${id}`);
    await call('GetOrdersResponse', 'GET', 'portfolio/orders', { status: 'resting' });
    const amended = await call('AmendOrderResponse', 'POST', `portfolio/orders/${id}/amend`, {}, { ticker: 'KXELONMARS-99', side: 'yes', action: 'buy', yes_price_dollars: '0.0400', count: 8 });
    expect(amended.order.yes_price_dollars).toBe('0.0400');
    const decreased = await demo.request<Json>('POST', `portfolio/orders/${id}/decrease`, {}, { reduce_by: 3 });
    expect(checkAgainstSdkModel('GetOrderResponse', decreased)).toEqual([]); // Kalshi's decrease answers {order}
    const canceled = await demo.request<Json>('DELETE', `portfolio/orders/${id}`);
    expect(checkAgainstSdkModel('GetOrderResponse', { order: canceled.order })).toEqual([]);
    expect(canceled.order.status).toBe('canceled');
    const batch = await call('BatchCreateOrdersResponse', 'POST', 'portfolio/orders/batched', {}, {
      orders: [
        { ticker: 'KXELONMARS-99', side: 'no', action: 'buy', count: 2, no_price_dollars: '0.0200', time_in_force: 'good_till_canceled' },
        { ticker: 'KXELONMARS-99', side: 'yes', action: 'buy', count: 1, yes_price_dollars: '0.0200', time_in_force: 'good_till_canceled' },
      ],
    });
    const ids = (batch.orders as Json[]).map((o) => o.order.order_id);
    await call('BatchCancelOrdersResponse', 'DELETE', 'portfolio/orders/batched', {}, { orders: ids.map((order_id) => ({ order_id })) });
  });

  it('orders V2 (the SDK\'s own order paths): create, amend, decrease, cancel, batches', async () => {
    const created = await call('CreateOrderV2Response', 'POST', 'portfolio/events/orders', {}, { ticker: 'KXELONMARS-99', side: 'bid', count: '4.00', price: '0.0500', client_order_id: 'sdk-v2', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'taker_at_cross' });
    const id = created.order_id ?? created.order?.order_id;
    await call('AmendOrderV2Response', 'POST', `portfolio/events/orders/${id}/amend`, {}, { ticker: 'KXELONMARS-99', side: 'bid', price: '0.0600', count: '4.00' });
    await call('DecreaseOrderV2Response', 'POST', `portfolio/events/orders/${id}/decrease`, {}, { reduce_by: '1.00' });
    await call('CancelOrderV2Response', 'DELETE', `portfolio/events/orders/${id}`);
    const batch = await call('BatchCreateOrdersV2Response', 'POST', 'portfolio/events/orders/batched', {}, {
      orders: [{ ticker: 'KXELONMARS-99', side: 'ask', count: '1.00', price: '0.9500', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'taker_at_cross' }],
    });
    const bid = (batch.orders as Json[])[0];
    await call('BatchCancelOrdersV2Response', 'DELETE', 'portfolio/events/orders/batched', {}, { orders: [{ order_id: bid.order_id ?? bid.order?.order_id }] });
  });

  it('fills, positions, balance and settlements after a trade and a settlement', async () => {
    const book = ex.venue.books.get('KXELONMARS-99')!;
    expect(book.yesAskTicks).toBeGreaterThan(0);
    await call('CreateOrderResponse', 'POST', 'portfolio/orders', {}, { ticker: 'KXELONMARS-99', side: 'yes', action: 'buy', count: 3, yes_price_dollars: (book.yesAskTicks / 10000).toFixed(4), time_in_force: 'immediate_or_cancel' });
    const fills = await call('GetFillsResponse', 'GET', 'portfolio/fills');
    expect(fills.fills.length).toBeGreaterThan(0);
    await call('GetPositionsResponse', 'GET', 'portfolio/positions');
    await call('GetBalanceResponse', 'GET', 'portfolio/balance');
    for (const step of ['close', 'determine', 'settle']) {
      const r = await fetch(`${ex.restUrl}/mock/markets/KXELONMARS-99/${step}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ result: 'no' }) });
      expect(r.status).toBeLessThan(300);
    }
    const st = await call('GetSettlementsResponse', 'GET', 'portfolio/settlements');
    expect(st.settlements.length).toBe(1);
  });

  it('api_keys: list, create with a public key, generate, delete', async () => {
    await call('GetApiKeysResponse', 'GET', 'api_keys');
    const pair = generateKalshiKeyPair();
    const created = await call('CreateApiKeyResponse', 'POST', 'api_keys', {}, { name: 'sdk-check', public_key: pair.publicKeyPem });
    const generated = await call('GenerateApiKeyResponse', 'POST', 'api_keys/generate', {}, { name: 'sdk-gen' });
    expect(generated.private_key).toMatch(/BEGIN (RSA )?PRIVATE KEY/);
    await demo.request('DELETE', `api_keys/${created.api_key_id}`);
    await demo.request('DELETE', `api_keys/${generated.api_key_id}`);
    expect(seen.length).toBeGreaterThanOrEqual(17);
  });
});
