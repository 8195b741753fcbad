/**
 * Kalshi's official TypeScript SDK (`kalshi-typescript` 3.30.0, unchanged) against the live mock exchange over
 * loopback HTTP: configured exactly as Kalshi's SDK quick start says (docs.kalshi.com/sdks/typescript/quickstart:
 * `new Configuration({apiKey, privateKeyPem, basePath})`, one `XxxApi(config)` per API group), with the demo key the
 * mock writes to `credentialsOut`. The SDK signs every request itself (RSA-PSS over `timestamp + METHOD + path`).
 *
 * Note: SDK 3.30.0 has no method for the legacy `POST /portfolio/orders` / `DELETE /portfolio/orders/{id}`: orders
 * are placed and canceled through the V2 event-order endpoints `POST /portfolio/events/orders` (`side: bid|ask`,
 * `count`, `price`) and `DELETE /portfolio/events/orders/{id}` (docs.kalshi.com/api-reference/orders/create-order-v2,
 * cancel-order-v2). Listing (`GET /portfolio/orders`, `GET /portfolio/orders/{id}`), fills and balance use the
 * classic paths.
 *
 * Values are asserted as Kalshi's exact fixed-point strings; money fields that Kalshi documents with "up to 6
 * decimals" (`fee_cost`, `average_fill_price`) are compared as exact integer micro-dollars.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Configuration, MarketApi, OrdersApi, PortfolioApi, type Fill, type Market } from 'kalshi-typescript';
import { formatPriceDollars, formatSizeFp, ONE_DOLLAR, type PriceTicks } from '@kalshi-platform/market';
import { startExchange, type RunningExchange } from '../src/exchange';

const HOUSE = 'KXELONMARS-99'; // linear_cent, seeded book 0.08 / 0.12
const EMPTY = 'KXCOLONIZEMARS-50'; // deci_cent, no seeded orders

/** A dollar amount string with up to 6 decimals -> exact integer micro-dollars (throws on anything else). */
function micros(text: unknown): number {
  if (typeof text !== 'string' || !/^-?\d+(\.\d{1,6})?$/.test(text)) throw new Error(`not a dollar string with up to 6 decimals: ${JSON.stringify(text)}`);
  const neg = text.startsWith('-');
  const [w, f = ''] = text.replace('-', '').split('.');
  const v = Number(w) * 1_000_000 + Number(f.padEnd(6, '0'));
  return neg ? -v : v;
}

/** Kalshi's taker fee `ceil(0.07 · C · P · (1 − P))` to $0.0001, in ticks, for `centis` contracts at `p` ticks (exact integers). */
function takerFeeTicks(centis: number, p: PriceTicks): PriceTicks {
  // $ = 7/100 · centis/100 · p/10^4 · (10^4 − p)/10^4  ->  ticks = $ · 10^4 = 7 · centis · p · (10^4 − p) / 10^8
  const num = 7n * BigInt(centis) * BigInt(p) * BigInt(ONE_DOLLAR - p);
  const den = 100_000_000n;
  return Number((num + den - 1n) / den);
}

/** Error text of a failed SDK (axios) call: status, method, path and body, so a mock deviation is named exactly. */
function describeAxiosError(e: unknown): string {
  const err = e as { response?: { status: number; data: unknown }; config?: { method?: string; url?: string }; message?: string };
  if (err?.response) return `HTTP ${err.response.status} on ${err.config?.method?.toUpperCase()} ${err.config?.url}: ${JSON.stringify(err.response.data)}`;
  return String(err?.message ?? e);
}

/** Runs an SDK call; a rejection becomes an Error naming the endpoint and the mock's answer. */
async function sdk<R>(what: string, call: () => Promise<R>): Promise<R> {
  try {
    return await call();
  } catch (e) {
    throw new Error(`SDK ${what} failed: ${describeAxiosError(e)}`);
  }
}

jest.setTimeout(30_000);

describe('official kalshi-typescript SDK against the mock exchange', () => {
  let ex: RunningExchange;
  let dir: string;
  let markets: MarketApi;
  let orders: OrdersApi;
  let portfolio: PortfolioApi;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sdk-client-'));
    const credentialsOut = join(dir, 'credentials.json');
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, credentialsOut });
    const creds = JSON.parse(readFileSync(credentialsOut, 'utf8')) as { key_id: string; private_key_pem: string };
    // exactly the SDK quick start: API key id, private key PEM string, base path
    const config = new Configuration({ apiKey: creds.key_id, privateKeyPem: creds.private_key_pem, basePath: ex.restUrl });
    markets = new MarketApi(config);
    orders = new OrdersApi(config);
    portfolio = new PortfolioApi(config);
    await ex.venue.createAccount('bob', 1_000_000_000);
  });

  afterAll(async () => {
    await ex?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists markets and reads a market and its order book', async () => {
    const list = await sdk('getMarkets', () => markets.getMarkets(1000));
    expect(list.status).toBe(200);
    const tickers = list.data.markets.map((m: Market) => m.ticker);
    expect(tickers).toEqual(expect.arrayContaining([HOUSE, EMPTY, 'KXBTCD-26JUL0317-T60499.99']));
    expect(tickers).toHaveLength(ex.reference.markets.size);
    const house = list.data.markets.find((m: Market) => m.ticker === HOUSE)!;
    expect(house).toMatchObject({ ticker: HOUSE, price_level_structure: 'linear_cent', yes_bid_dollars: '0.0800', yes_ask_dollars: '0.1200' });
    expect(list.data.markets.find((m: Market) => m.ticker === EMPTY)).toMatchObject({ price_level_structure: 'deci_cent' });

    const one = await sdk('getMarket', () => markets.getMarket(HOUSE));
    expect(one.data.market).toMatchObject({ ticker: HOUSE, yes_bid_dollars: '0.0800', yes_ask_dollars: '0.1200', no_bid_dollars: '0.8800', no_ask_dollars: '0.9200' });

    const book = await sdk('getMarketOrderbook', () => markets.getMarketOrderbook(HOUSE));
    const truth = ex.venue.books.get(HOUSE)!;
    const fp = (s: 'yes' | 'no') => truth.levels(s).map(([p, q]) => [formatPriceDollars(p), formatSizeFp(q)]);
    expect(book.data.orderbook_fp.yes_dollars).toEqual(fp('yes'));
    expect(book.data.orderbook_fp.no_dollars).toEqual(fp('no'));
    expect(book.data.orderbook_fp.yes_dollars.at(-1)![0]).toBe('0.0800'); // best bid last
    expect(book.data.orderbook_fp.no_dollars.at(-1)![0]).toBe('0.8800');
    const top = await sdk('getMarketOrderbook depth 1', () => markets.getMarketOrderbook(HOUSE, 1));
    expect(top.data.orderbook_fp.yes_dollars).toEqual(fp('yes').slice(-1));
  });

  it('places an order, lists it, cancels it; a crossing order fills; fills and balance are exact', async () => {
    const start = await sdk('getBalance', () => portfolio.getBalance());
    expect(start.data.balance_dollars).toBe('100000.0000');
    expect(start.data.balance).toBe(10_000_000); // cents

    // place: buy 5 YES at $0.423 (a deci_cent price) — V2 shape: side bid, count and price strings
    const placed = await sdk('createOrderV2', () =>
      orders.createOrderV2({ ticker: EMPTY, client_order_id: 'sdk-1', side: 'bid', count: '5.00', price: '0.4230', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'taker_at_cross' }),
    );
    expect(placed.status).toBe(201);
    expect(placed.data).toMatchObject({ client_order_id: 'sdk-1', fill_count: '0.00', remaining_count: '5.00' });
    const id = placed.data.order_id;
    expect(typeof id).toBe('string');
    expect(typeof placed.data.ts_ms).toBe('number');
    expect(ex.venue.engine.getOrder(id)).toMatchObject({ accountId: 'demo', marketTicker: EMPTY, side: 'yes', action: 'buy', priceTicks: 4230, remainingCentis: 500, clientOrderId: 'sdk-1' });

    // list (resting, this market) and read it back
    const listed = await sdk('getOrders', () => orders.getOrders(EMPTY, undefined, undefined, undefined, 'resting'));
    expect(listed.data.orders).toHaveLength(1);
    const expectedOrder = {
      order_id: id,
      client_order_id: 'sdk-1',
      ticker: EMPTY,
      outcome_side: 'yes',
      book_side: 'bid',
      status: 'resting',
      yes_price_dollars: '0.4230',
      no_price_dollars: '0.5770',
      initial_count_fp: '5.00',
      fill_count_fp: '0.00',
      remaining_count_fp: '5.00',
    };
    expect(listed.data.orders[0]).toMatchObject(expectedOrder);
    const got = await sdk('getOrder', () => orders.getOrder(id));
    expect(got.data.order).toMatchObject(expectedOrder);

    // cancel
    const canceled = await sdk('cancelOrderV2', () => orders.cancelOrderV2(id));
    expect(canceled.data).toMatchObject({ order_id: id, client_order_id: 'sdk-1', reduced_by: '5.00' });
    expect(ex.venue.engine.getOrder(id)).toBeUndefined();
    const after = await sdk('getOrders after cancel', () => orders.getOrders(EMPTY, undefined, undefined, undefined, 'resting'));
    expect(after.data.orders).toHaveLength(0);
    expect((await sdk('getBalance', () => portfolio.getBalance())).data.balance_dollars).toBe('100000.0000');

    // bob rests a NO bid at $0.577 (= YES ask $0.423); the demo account lifts 3 of it through the SDK (taker)
    const rest = await ex.venue.placeOrder('bob', { marketTicker: EMPTY, side: 'no', action: 'buy', priceTicks: 5770, sizeCentis: 500 });
    expect(rest.ok && rest.status).toBe('resting');
    const take = await sdk('createOrderV2 (crossing)', () =>
      orders.createOrderV2({ ticker: EMPTY, client_order_id: 'sdk-2', side: 'bid', count: '3', price: '0.4230', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'taker_at_cross' }),
    );
    expect(take.data).toMatchObject({ client_order_id: 'sdk-2', fill_count: '3.00', remaining_count: '0.00' });
    expect(micros(take.data.average_fill_price)).toBe(423_000);

    // fills: one, the taker fill at $0.423, fee ceil(0.07 · 3 · 0.423 · 0.577) = $0.0513
    const feeTicks = takerFeeTicks(300, 4230);
    expect(feeTicks).toBe(513);
    const fills = await sdk('getFills', () => portfolio.getFills(EMPTY));
    expect(fills.data.fills).toHaveLength(1);
    const f = fills.data.fills[0];
    expect(f).toMatchObject({
      order_id: take.data.order_id,
      ticker: EMPTY,
      outcome_side: 'yes',
      book_side: 'bid',
      count_fp: '3.00',
      yes_price_dollars: '0.4230',
      no_price_dollars: '0.5770',
      is_taker: true,
    });
    expect(typeof f.trade_id).toBe('string');
    expect(typeof f.fill_id).toBe('string');
    expect(micros(f.fee_cost)).toBe(feeTicks * 100);
    const byOrder = await sdk('getFills by order id', () => portfolio.getFills(undefined, take.data.order_id));
    expect(byOrder.data.fills.map((x: Fill) => x.fill_id)).toEqual([f.fill_id]);

    // balance: down by exactly cost + fee = 3 · $0.423 + $0.0513 = $1.3203
    const costTicks = 3 * 4230;
    const end = await sdk('getBalance', () => portfolio.getBalance());
    const endTicks = 1_000_000_000 - costTicks - feeTicks;
    expect(endTicks).toBe(999_986_797);
    expect(end.data.balance_dollars).toBe(formatPriceDollars(endTicks)); // "99998.6797"
    expect(Number.isInteger(end.data.balance)).toBe(true);
    expect(Math.abs(end.data.balance * 100 - endTicks)).toBeLessThan(100); // cents, Kalshi's integer field
    expect(ex.venue.engine.getAccount('demo')!.cashTicks).toBe(endTicks);
  });

  it('an unsigned request is refused (401); an SDK instance without credentials is still signed by the configured key (SDK quirk)', async () => {
    const plain = await fetch(`${ex.restUrl}/portfolio/balance`);
    expect(plain.status).toBe(401);
    // Every BaseAPI constructor registers its signing interceptor on the *global* axios instance (base.ts), so once one
    // API object was built with credentials, every SDK request in the process is signed with that key — including
    // requests of an API object configured without (or with other) credentials.
    const anonymous = new PortfolioApi(new Configuration({ basePath: ex.restUrl }));
    const r = await anonymous.getBalance().then(
      (ok) => ok.status,
      (e: { response?: { status: number } }) => e.response?.status,
    );
    expect(r).toBe(200);
  });
});
