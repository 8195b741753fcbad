/**
 * KalshiFixOrderClient (libs/kalshi/src/fix) against the real mock exchange in live mode, its FIX acceptor on a
 * loopback port (`fixPort: 0`), over real TCP: signed logon with the `demo` credentials the exchange writes, resting
 * order and cancel, a fill between two accounts (exact LastPx/LastQty/TrdMatchID on both sides), NO orders mapped to
 * the YES-only FIX wire and checked through REST, reused ClOrdIDs, refused logons, cancel rejects, drop-copied REST
 * orders, close. The pure mapping and the logon signature (checked with the acceptor's own verifier) are tested first.
 *
 * All trading happens in KXCOLONIZEMARS-50 (deci_cent ticks, fractional sizes), whose seeded book is empty, so every
 * fill below is between the two test accounts and every expected number is exact.
 */
import * as crypto from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateKalshiKeyPair,
  KalshiFixError,
  KalshiFixOrderClient,
  kalshiFixLogonSigningString,
  kalshiFixOrderSide,
  kalshiFixStatusOf,
  KalshiRestClient,
  signKalshiFixLogon,
  type FixExecution,
  type FixOrderRequest,
} from '@kalshi-platform/kalshi';
import { startExchange, type RunningExchange } from '../src/exchange';
import { logonSigningString, verifyLogonSignature } from '../src/fix/fix-mapping';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MKT = 'KXCOLONIZEMARS-50';

describe('KalshiFixOrderClient mapping and signing (no network)', () => {
  it('maps REST side/action/price to the FIX YES side and price', () => {
    expect(kalshiFixOrderSide('yes', 'buy', 4500)).toEqual({ fixSide: '1', yesPriceTicks: 4500 });
    expect(kalshiFixOrderSide('yes', 'sell', 4500)).toEqual({ fixSide: '2', yesPriceTicks: 4500 });
    expect(kalshiFixOrderSide('no', 'buy', 5500)).toEqual({ fixSide: '2', yesPriceTicks: 4500 });
    expect(kalshiFixOrderSide('no', 'sell', 3001)).toEqual({ fixSide: '1', yesPriceTicks: 6999 });
  });

  it('maps ExecType/OrdStatus to a status', () => {
    expect(kalshiFixStatusOf('0', '0', 100, 0)).toBe('resting');
    expect(kalshiFixStatusOf('F', '1', 100, 50)).toBe('partially_filled');
    expect(kalshiFixStatusOf('F', '2', 0, 150)).toBe('executed');
    expect(kalshiFixStatusOf('4', '4', 0, 50)).toBe('canceled');
    expect(kalshiFixStatusOf('C', 'C', 0, 0)).toBe('canceled');
    expect(kalshiFixStatusOf('8', '8', 0, 0)).toBe('rejected');
    expect(kalshiFixStatusOf('A', 'A', 100, 0)).toBe('pending');
    expect(kalshiFixStatusOf('5', '5', 100, 0)).toBe('resting');
    expect(kalshiFixStatusOf('5', '5', 40, 60)).toBe('partially_filled');
  });

  it('signs the logon string the acceptor verifies (RSA-PSS SHA-256, salt 32)', () => {
    const { privateKeyPem, publicKeyPem } = generateKalshiKeyPair();
    const f = { sendingTime: '20260701-12:00:00.123', msgType: 'A', msgSeqNum: '1', senderCompId: 'key-1', targetCompId: 'KalshiNR' };
    expect(kalshiFixLogonSigningString(f)).toBe('20260701-12:00:00.123\x01A\x011\x01key-1\x01KalshiNR');
    expect(kalshiFixLogonSigningString(f)).toBe(logonSigningString(f));
    const sig = signKalshiFixLogon(privateKeyPem, f);
    const pub = crypto.createPublicKey(publicKeyPem);
    expect(verifyLogonSignature(pub, f, sig)).toBe(true);
    expect(verifyLogonSignature(pub, { ...f, msgSeqNum: '2' }, sig)).toBe(false);
  });

  it('refuses bad options and bad orders before anything is sent', async () => {
    const { privateKeyPem } = generateKalshiKeyPair();
    expect(() => new KalshiFixOrderClient({ host: '127.0.0.1', port: 0, keyId: 'k', privateKeyPem })).toThrow(/port/);
    expect(() => new KalshiFixOrderClient({ host: '127.0.0.1', port: 1, keyId: 'k', privateKeyPem: 'not a key' })).toThrow(/private key/);
    expect(() => new KalshiFixOrderClient({ host: '127.0.0.1', port: 1, keyId: 'k', privateKeyPem, heartbeatSec: 1 })).toThrow(/heartbeatSec/);
    const c = new KalshiFixOrderClient({ host: '127.0.0.1', port: 1, keyId: 'k', privateKeyPem });
    const ok: FixOrderRequest = { clientOrderId: 'c-1', marketTicker: MKT, side: 'yes', action: 'buy', priceTicks: 4500, countCentis: 100 };
    const bad: Array<[Partial<FixOrderRequest>, RegExp]> = [
      [{ priceTicks: 0 }, /priceTicks/],
      [{ priceTicks: 10_000 }, /priceTicks/],
      [{ priceTicks: 45.5 }, /priceTicks/],
      [{ countCentis: 0 }, /countCentis/],
      [{ countCentis: 1.5 }, /countCentis/],
      [{ clientOrderId: 'bad id!' }, /clientOrderId/],
      [{ clientOrderId: 'x'.repeat(65) }, /clientOrderId/],
      [{ marketTicker: '' }, /marketTicker/],
      [{ side: 'maybe' as 'yes' }, /side/],
      [{ timeInForce: 'fill_or_kill', expirationTsMs: Date.now() + 60_000 }, /expirationTsMs/],
    ];
    for (const [patch, re] of bad) {
      const e = await c.placeOrder({ ...ok, ...patch }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(KalshiFixError);
      expect((e as KalshiFixError).code).toBe('invalid_request');
      expect((e as Error).message).toMatch(re);
    }
    await expect(c.placeOrder(ok)).rejects.toMatchObject({ code: 'not_connected' });
    await expect(c.cancelOrder('c-1', null)).rejects.toMatchObject({ code: 'not_connected' });
    expect(c.connected).toBe(false);
    await c.close(); // nothing to close
  });
});

describe('KalshiFixOrderClient against the live mock exchange (FIX acceptor over TCP)', () => {
  let ex: RunningExchange;
  let dir: string;
  let demo: { keyId: string; privateKeyPem: string };
  const other = generateKalshiKeyPair();
  const OTHER_KEY = 'fix-client-other';
  let A: KalshiFixOrderClient; // demo account
  let B: KalshiFixOrderClient; // second account
  let rest: KalshiRestClient; // demo account over REST
  const aExecs: FixExecution[] = [];
  const bExecs: FixExecution[] = [];
  const aCancelRejects: FixExecution[] = [];
  const events: string[] = [];
  const logs: string[] = [];
  const clients: KalshiFixOrderClient[] = [];

  const client = (keyId: string, privateKeyPem: string, port = ex.fixPort as number) => {
    const c = new KalshiFixOrderClient({ host: '127.0.0.1', port, keyId, privateKeyPem, heartbeatSec: 10, log: (level, m) => logs.push(`${level} ${keyId}: ${m}`) });
    clients.push(c);
    return c;
  };
  const next = async (list: FixExecution[], pred: (e: FixExecution) => boolean, what: string, timeoutMs = 5_000): Promise<FixExecution> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const e = list.find(pred);
      if (e) return e;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; have ${JSON.stringify(list.map((x) => [x.clientOrderId, x.execType, x.status]))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const order = (o: Partial<FixOrderRequest> & Pick<FixOrderRequest, 'clientOrderId' | 'side' | 'action' | 'priceTicks' | 'countCentis'>): FixOrderRequest => ({ marketTicker: MKT, ...o });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fix-order-client-'));
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, rateLimits: false, credentialsOut: join(dir, 'c.json'), fixPort: 0 });
    const c = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')) as { key_id: string; private_key_pem: string };
    demo = { keyId: c.key_id, privateKeyPem: c.private_key_pem };
    ex.keys.add(other.publicKeyPem, OTHER_KEY, 'fix-other');
    await ex.venue.createAccount('fix-other', 1_000_000_000);
    rest = new KalshiRestClient({ baseUrl: ex.restUrl, credentials: demo });
    // the market is empty: every fill below is between A and B
    const ob = await rest.get<Json>(`markets/${MKT}/orderbook`);
    expect([...(ob.orderbook_fp?.yes_dollars ?? []), ...(ob.orderbook_fp?.no_dollars ?? [])]).toEqual([]);
    A = client(demo.keyId, demo.privateKeyPem);
    B = client(OTHER_KEY, other.privateKeyPem);
    A.on('execution', (e: FixExecution) => aExecs.push(e));
    B.on('execution', (e: FixExecution) => bExecs.push(e));
    A.on('cancelReject', (e: FixExecution) => aCancelRejects.push(e));
    A.on('connected', () => events.push('A connected'));
    A.on('disconnected', (r?: Error) => events.push(`A disconnected ${r?.message ?? ''}`.trim()));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await ex?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (process.env.FIX_SPEC_LOG) process.stdout.write(`${logs.join('\n')}\n`);
  });

  it('logs on with the demo credentials (signed Logon) and emits connected', async () => {
    expect(ex.fixPort).toBeGreaterThan(0);
    expect(A.connected).toBe(false);
    await Promise.all([A.connect(), B.connect()]);
    expect(A.connected).toBe(true);
    expect(B.connected).toBe(true);
    await A.connect(); // already connected: no second logon
    expect(events).toEqual(['A connected']);
    expect(logs.filter((l) => l.startsWith('info') && l.includes('logged on'))).toHaveLength(2);
    // key material never reaches the log
    expect(logs.join('\n')).not.toContain('PRIVATE KEY');
  }, 30_000);

  it('buy YES rests (resting), then cancel (canceled), both visible over REST', async () => {
    const r = await A.placeOrder(order({ clientOrderId: 'a-rest-1', side: 'yes', action: 'buy', priceTicks: 4210, countCentis: 250 }));
    expect(r).toMatchObject({ clientOrderId: 'a-rest-1', execType: '0', ordStatus: '0', status: 'resting', lastPriceTicks: null, lastQtyCentis: 0, cumQtyCentis: 0, leavesQtyCentis: 250, tradeId: null });
    expect(r.orderId).toEqual(expect.any(String));
    expect(r.execId).toEqual(expect.any(String));
    expect(Math.abs(r.tsMs - Date.now())).toBeLessThan(5_000);
    const o = (await rest.get<Json>(`portfolio/orders/${r.orderId}`)).order;
    expect(o).toMatchObject({ client_order_id: 'a-rest-1', side: 'yes', action: 'buy', status: 'resting', yes_price_dollars: '0.4210', remaining_count_fp: '2.50', time_in_force: 'good_till_canceled' });

    const c = await A.cancelOrder('a-rest-1', r.orderId);
    expect(c).toMatchObject({ clientOrderId: 'a-rest-1', orderId: r.orderId, execType: '4', ordStatus: '4', status: 'canceled', cumQtyCentis: 0, leavesQtyCentis: 0 });
    expect((await rest.get<Json>(`portfolio/orders/${r.orderId}`)).order).toMatchObject({ status: 'canceled', remaining_count_fp: '0.00' });
    // every ExecutionReport was emitted, in order
    expect(aExecs.filter((e) => e.orderId === r.orderId).map((e) => e.status)).toEqual(['resting', 'canceled']);
  });

  it('a crossing order fills against the other account: exact LastPx / LastQty / TrdMatchID on both sides', async () => {
    const maker = await B.placeOrder(order({ clientOrderId: 'b-ask-1', side: 'yes', action: 'sell', priceTicks: 5230, countCentis: 300 }));
    expect(maker).toMatchObject({ status: 'resting', leavesQtyCentis: 300 });
    // IOC buy of 5 at 0.53: 3 fill at the resting 0.523, the rest is canceled
    const taker = await A.placeOrder(order({ clientOrderId: 'a-ioc-1', side: 'yes', action: 'buy', priceTicks: 5300, countCentis: 500, timeInForce: 'immediate_or_cancel' }));
    expect(taker).toMatchObject({ clientOrderId: 'a-ioc-1', execType: '0', status: 'resting', leavesQtyCentis: 500 }); // the first report is the New
    const aTrade = await next(aExecs, (e) => e.clientOrderId === 'a-ioc-1' && e.execType === 'F', 'A trade');
    expect(aTrade).toMatchObject({ orderId: taker.orderId, ordStatus: '1', status: 'partially_filled', lastPriceTicks: 5230, lastQtyCentis: 300, cumQtyCentis: 300, leavesQtyCentis: 200 });
    expect(aTrade.tradeId).toEqual(expect.any(String));
    const aEnd = await next(aExecs, (e) => e.clientOrderId === 'a-ioc-1' && e.execType === '4', 'A IOC remainder canceled');
    expect(aEnd).toMatchObject({ status: 'canceled', cumQtyCentis: 300, leavesQtyCentis: 0 });
    expect(aExecs.filter((e) => e.clientOrderId === 'a-ioc-1').map((e) => e.execType)).toEqual(['0', 'F', '4']);
    const bTrade = await next(bExecs, (e) => e.clientOrderId === 'b-ask-1' && e.execType === 'F', 'B trade');
    expect(bTrade).toMatchObject({ orderId: maker.orderId, ordStatus: '2', status: 'executed', lastPriceTicks: 5230, lastQtyCentis: 300, cumQtyCentis: 300, leavesQtyCentis: 0, tradeId: aTrade.tradeId });
  });

  it('buy NO goes out as a YES ask at 1 - p; the exchange books NO exposure; fills map back to the NO price', async () => {
    const r = await A.placeOrder(order({ clientOrderId: 'a-no-1', side: 'no', action: 'buy', priceTicks: 5500, countCentis: 400 }));
    expect(r).toMatchObject({ status: 'resting', leavesQtyCentis: 400 });
    const o = (await rest.get<Json>(`portfolio/orders/${r.orderId}`)).order;
    // the FIX wire only knows YES: sell YES at 0.45, which is Kalshi's NO outcome at 0.55
    expect(o).toMatchObject({ client_order_id: 'a-no-1', outcome_side: 'no', book_side: 'ask', side: 'yes', action: 'sell', yes_price_dollars: '0.4500', no_price_dollars: '0.5500', remaining_count_fp: '4.00' });

    const taker = await B.placeOrder(order({ clientOrderId: 'b-bid-1', side: 'yes', action: 'buy', priceTicks: 4600, countCentis: 400, timeInForce: 'immediate_or_cancel' }));
    expect(taker.status).toBe('resting');
    const aFill = await next(aExecs, (e) => e.clientOrderId === 'a-no-1' && e.execType === 'F', 'A NO fill');
    expect(aFill).toMatchObject({ orderId: r.orderId, status: 'executed', lastPriceTicks: 5500, lastQtyCentis: 400, cumQtyCentis: 400, leavesQtyCentis: 0 });
    const bFill = await next(bExecs, (e) => e.clientOrderId === 'b-bid-1' && e.execType === 'F', 'B YES fill');
    expect(bFill).toMatchObject({ status: 'executed', lastPriceTicks: 4500, lastQtyCentis: 400, tradeId: aFill.tradeId });
    // A: +3 YES (previous test) and 4 NO -> net 1 NO (negative position_fp)
    const pos = (await rest.get<Json>('portfolio/positions', { ticker: MKT })).market_positions;
    expect(pos).toEqual([expect.objectContaining({ ticker: MKT, position_fp: '-1.00' })]);
    const fills = (await rest.get<Json>('portfolio/fills', { order_id: r.orderId as string })).fills;
    expect(fills).toEqual([expect.objectContaining({ outcome_side: 'no', no_price_dollars: '0.5500', count_fp: '4.00', trade_id: aFill.tradeId })]);
  });

  it('sell NO goes out as a YES bid at 1 - p, with post only and an expiration (TimeInForce 6 + ExpireTime)', async () => {
    const expiration = Date.now() + 3_600_000;
    const r = await A.placeOrder(order({ clientOrderId: 'a-sellno-1', side: 'no', action: 'sell', priceTicks: 6000, countCentis: 100, postOnly: true, expirationTsMs: expiration }));
    expect(r).toMatchObject({ status: 'resting', leavesQtyCentis: 100 });
    const o = (await rest.get<Json>(`portfolio/orders/${r.orderId}`)).order;
    expect(o).toMatchObject({ outcome_side: 'yes', book_side: 'bid', side: 'yes', action: 'buy', yes_price_dollars: '0.4000', post_only: true, expiration_time: new Date(expiration).toISOString() });
    expect((await A.cancelOrder('a-sellno-1', null)).status).toBe('canceled'); // by ClOrdID only
  });

  it('a reused ClOrdID is rejected by the exchange; the live order keeps its ClOrdID', async () => {
    const first = await A.placeOrder(order({ clientOrderId: 'a-dup', side: 'yes', action: 'buy', priceTicks: 1000, countCentis: 100 }));
    expect(first.status).toBe('resting');
    const dup = await A.placeOrder(order({ clientOrderId: 'a-dup', side: 'yes', action: 'buy', priceTicks: 1100, countCentis: 100 }));
    expect(dup).toMatchObject({ clientOrderId: 'a-dup', execType: '8', ordStatus: '8', status: 'rejected', orderId: null, leavesQtyCentis: 0 });
    expect(dup.text).toMatch(/a-dup/);
    // the first order is still tracked and cancelable
    const c = await A.cancelOrder('a-dup', first.orderId);
    expect(c).toMatchObject({ clientOrderId: 'a-dup', orderId: first.orderId, status: 'canceled' });
    // a ClOrdID of an order that already ended is refused too (Kalshi: unique per account)
    const again = await A.placeOrder(order({ clientOrderId: 'a-rest-1', side: 'yes', action: 'buy', priceTicks: 1000, countCentis: 100 }));
    expect(again).toMatchObject({ status: 'rejected' });
    expect(again.text).toMatch(/already used/);
    // two requests with one ClOrdID in flight: the second is refused locally
    const p1 = A.placeOrder(order({ clientOrderId: 'a-twice', side: 'yes', action: 'buy', priceTicks: 1000, countCentis: 100 }));
    await expect(A.placeOrder(order({ clientOrderId: 'a-twice', side: 'yes', action: 'buy', priceTicks: 1000, countCentis: 100 }))).rejects.toMatchObject({ code: 'duplicate_in_flight' });
    expect((await p1).status).toBe('resting');
    expect((await A.cancelOrder('a-twice', null)).status).toBe('canceled');
  });

  it('an exchange-side refusal and a cancel of an unknown order resolve as rejected with the reason', async () => {
    const r = await A.placeOrder(order({ clientOrderId: 'a-nomkt', marketTicker: 'NO-SUCH-MARKET', side: 'yes', action: 'buy', priceTicks: 5000, countCentis: 100 }));
    expect(r).toMatchObject({ execType: '8', status: 'rejected', leavesQtyCentis: 0 });
    expect(r.text).toMatch(/NO-SUCH-MARKET/);
    const c = await A.cancelOrder('never-placed', null);
    expect(c).toMatchObject({ clientOrderId: 'never-placed', orderId: null, execType: '', ordStatus: '8', status: 'rejected' });
    expect(c.text).toMatch(/unknown order/);
    expect(aCancelRejects).toContainEqual(c);
    expect(aExecs.some((e) => e.clientOrderId === 'never-placed')).toBe(false); // not an ExecutionReport
  });

  it('emits executions for the account orders placed over REST (YES terms) and cancels them by ClOrdID', async () => {
    const body = { ticker: MKT, side: 'no', action: 'buy', count_fp: '2.00', no_price_dollars: '0.7000', client_order_id: 'rest-1', type: 'limit' };
    const placed = (await rest.request<Json>('POST', 'portfolio/orders', {}, body)).order;
    const e = await next(aExecs, (x) => x.clientOrderId === 'rest-1', 'drop copy of the REST order');
    expect(e).toMatchObject({ orderId: placed.order_id, status: 'resting', leavesQtyCentis: 200 });
    const c = await A.cancelOrder('rest-1', null);
    expect(c).toMatchObject({ clientOrderId: 'rest-1', orderId: placed.order_id, status: 'canceled' });
  });

  it('a forged signature or an unknown key is refused with the acceptor reason; a closed port fails to connect', async () => {
    const forged = client(demo.keyId, generateKalshiKeyPair().privateKeyPem);
    const e1 = await forged.connect().catch((x: unknown) => x);
    expect(e1).toBeInstanceOf(KalshiFixError);
    expect(e1).toMatchObject({ code: 'logon_refused' });
    expect((e1 as Error).message).toMatch(/refused: .*signature mismatch \(RawData 96\)/);
    expect(forged.connected).toBe(false);
    await expect(client('no-such-key', other.privateKeyPem).connect()).rejects.toMatchObject({ code: 'logon_refused', message: expect.stringMatching(/unknown API key/) });
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const closedPort = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    await expect(client(demo.keyId, demo.privateKeyPem, closedPort).connect()).rejects.toMatchObject({ code: 'connect_failed' });
    // the live session of that key is untouched
    expect(A.connected).toBe(true);
    expect((await A.placeOrder(order({ clientOrderId: 'a-after', side: 'yes', action: 'buy', priceTicks: 1000, countCentis: 100 }))).status).toBe('resting');
  }, 30_000);

  it('a session ended by the exchange (a new logon with the same key replaces it) emits disconnected with a reason', async () => {
    const A2 = client(demo.keyId, demo.privateKeyPem);
    await A2.connect();
    const end = Date.now() + 5_000;
    while (A.connected && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    expect(A.connected).toBe(false);
    expect(events).toEqual(['A connected', expect.stringMatching(/^A disconnected .+/)]);
    await expect(A.cancelOrder('a-after', null)).rejects.toMatchObject({ code: 'not_connected' });
    // the replacing session gets the reports of the account (it did not place the order: YES terms, tag 11)
    expect(await A2.cancelOrder('a-after', null)).toMatchObject({ clientOrderId: 'a-after', status: 'canceled' });
    await A2.close();
    await A.connect();
    expect(A.connected).toBe(true);
    expect((await A.placeOrder(order({ clientOrderId: 'a-after-2', side: 'no', action: 'buy', priceTicks: 9000, countCentis: 100 }))).status).toBe('resting');
  }, 30_000);

  it('close() sends Logout, emits disconnected, and later requests fail fast; connect() works again', async () => {
    events.length = 0;
    await A.close();
    expect(A.connected).toBe(false);
    expect(events).toEqual(['A disconnected']);
    await expect(A.placeOrder(order({ clientOrderId: 'a-closed', side: 'yes', action: 'buy', priceTicks: 1000, countCentis: 100 }))).rejects.toMatchObject({ code: 'not_connected' });
    await A.connect();
    expect(A.connected).toBe(true);
    // the NO order placed before the reconnect is still tracked: its cancel maps back to the order's ClOrdID
    expect(await A.cancelOrder('a-after-2', null)).toMatchObject({ clientOrderId: 'a-after-2', status: 'canceled', cumQtyCentis: 0 });
    await A.close();
    await A.close(); // idempotent
    expect(events).toEqual(['A disconnected', 'A connected', 'A disconnected']);
  }, 30_000);
});
