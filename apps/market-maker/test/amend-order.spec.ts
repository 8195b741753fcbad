/**
 * Regression tests of how the market maker moves its quotes (against the live mock exchange over real HTTP),
 * deterministic by seed and by injected refusals:
 * - the mid jumps past the spread in one cycle (up, then down): the side moving away from the other is moved first,
 *   so both quotes are amended in place, never cross, nothing is refused or traded (post_only and plain);
 * - an amend the exchange refuses (a real post_only cross with another account's order, an injected refusal) has its
 *   old order canceled before any replacement is placed, and a cancel that is refused too keeps the order tracked:
 *   no order of the runner is ever left resting untracked (stop cancels exactly the two quotes).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExchange, type RunningExchange } from '@kalshi-platform/feature-exchange';
import { KalshiHttpError, KalshiRestClient, loadPrivateKey, type Query } from '@kalshi-platform/kalshi';
import { ONE_DOLLAR } from '@kalshi-platform/market';
import { MarketMaker, type CycleReport } from '../src/market-maker';

/** deci_cent, no resting orders in the seed */
const EMPTY = 'KXCOLONIZEMARS-50';
/**
 * Seed 43 with band 0.40..0.60, spread 0.0020 (20 ticks), max step 6 grid steps of 0.001:
 * mid 0.5000 (0.4990 / 0.5010) -> 0.5040 (0.5030 / 0.5050) -> 0.5000 (0.4990 / 0.5010): each move is wider than the
 * quote, so moving the wrong side first would cross the other (asserted below, so a change of the walk shows).
 */
const JUMPY = { priceMinTicks: 4000, priceMaxTicks: 6000, spreadTicks: 20, maxStepGridTicks: 6, seed: 43, quantityCentis: 500 } as const;

jest.setTimeout(60_000);

/** A client that refuses chosen requests with a 4xx before they reach the exchange. */
class RefusingClient extends KalshiRestClient {
  /** refuse the next request whose method and path match, with this status and code */
  refuse: Array<{ method: string; path: RegExp; status: number; code: string }> = [];
  readonly refused: string[] = [];

  override async request<T = unknown>(method: string, path: string, query: Query = {}, body?: unknown): Promise<T> {
    const i = this.refuse.findIndex((r) => r.method === method && r.path.test(path));
    if (i >= 0) {
      const [r] = this.refuse.splice(i, 1);
      this.refused.push(`${method} ${path}`);
      throw new KalshiHttpError(r.status, method, path, { error: { code: r.code, message: 'injected by the test' } });
    }
    return super.request<T>(method, path, query, body);
  }
}

describe('market maker: moving quotes without crossing or leaking orders', () => {
  let ex: RunningExchange;
  let dir: string;
  let creds: { key_id: string; private_key_pem: string };
  let prefixN = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mm-amend-test-'));
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, credentialsOut: join(dir, 'credentials.json'), rateLimits: false });
    creds = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8'));
    await ex.venue.createAccount('bob', 1_000_000_000);
  });

  afterAll(async () => {
    await ex?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const demoOrders = () => ex.venue.engine.listOrders({ accountId: 'demo' });
  const client = () => new RefusingClient({ baseUrl: ex.restUrl, credentials: { keyId: creds.key_id, privateKey: loadPrivateKey(creds.private_key_pem) } });
  const maker = (c: KalshiRestClient, postOnly: boolean, lines: string[]) =>
    new MarketMaker({ client: c, tickers: [EMPTY], intervalMs: 0, postOnly, clientOrderIdPrefix: `mmamend${++prefixN}`, log: (l) => lines.push(l), ...JUMPY });
  /** the runner's two quotes rest on the venue, exactly at the reported prices and order ids */
  const expectQuotesOnVenue = (r: CycleReport) => {
    const m = r.markets[0];
    const live = demoOrders();
    expect(live.map((o) => o.orderId).sort()).toEqual([m.bidOrderId, m.askOrderId].sort());
    expect(live.find((o) => o.orderId === m.bidOrderId)).toMatchObject({ side: 'yes', priceTicks: m.quote.bidTicks, remainingCentis: 500, status: 'resting' });
    expect(live.find((o) => o.orderId === m.askOrderId)).toMatchObject({ side: 'no', priceTicks: ONE_DOLLAR - m.quote.askTicks, remainingCentis: 500, status: 'resting' });
  };

  it.each([true, false])('a mid jump wider than the quote moves the far side first: amended in place, never crossing (post_only %s)', async (postOnly) => {
    const lines: string[] = [];
    const c = client();
    const mm = maker(c, postOnly, lines);
    const trades = ex.venue.trades.length;
    const amends: string[] = [];
    const request = c.request.bind(c);
    c.request = (async (method: string, path: string, query?: Query, body?: unknown) => {
      if (path.endsWith('/amend')) amends.push(path.split('/')[2]);
      return request(method, path, query, body);
    }) as typeof c.request;

    const r1 = await mm.cycle();
    expect(r1.markets[0].quote).toEqual({ midTicks: 5000, bidTicks: 4990, askTicks: 5010 });
    expect([r1.markets[0].bid, r1.markets[0].ask]).toEqual(['placed', 'placed']);
    expectQuotesOnVenue(r1);

    // up past the spread: the new bid is at or above the resting ask, so the ask (NO order) must move first
    const r2 = await mm.cycle();
    expect(r2.markets[0].quote).toEqual({ midTicks: 5040, bidTicks: 5030, askTicks: 5050 });
    expect(r2.markets[0].quote.bidTicks).toBeGreaterThanOrEqual(r1.markets[0].quote.askTicks);
    expect([r2.markets[0].bid, r2.markets[0].ask]).toEqual(['amended', 'amended']);
    expect(amends).toEqual([r1.markets[0].askOrderId, r1.markets[0].bidOrderId]);
    expect([r2.markets[0].bidOrderId, r2.markets[0].askOrderId]).toEqual([r1.markets[0].bidOrderId, r1.markets[0].askOrderId]);
    expectQuotesOnVenue(r2);

    // down past the spread: the new ask is at or below the resting bid, so the bid must move first
    amends.length = 0;
    const r3 = await mm.cycle();
    expect(r3.markets[0].quote).toEqual({ midTicks: 5000, bidTicks: 4990, askTicks: 5010 });
    expect(r3.markets[0].quote.askTicks).toBeLessThanOrEqual(r2.markets[0].quote.bidTicks);
    expect([r3.markets[0].bid, r3.markets[0].ask]).toEqual(['amended', 'amended']);
    expect(amends).toEqual([r1.markets[0].bidOrderId, r1.markets[0].askOrderId]);
    expectQuotesOnVenue(r3);

    expect(lines.filter((l) => /refused|cross/.test(l))).toEqual([]);
    expect(ex.venue.trades.length).toBe(trades);
    expect(await mm.cancelAll()).toBe(2);
    expect(demoOrders()).toHaveLength(0);
  });

  it('an amend refused by a real post_only cross cancels the old order first; the refused replacement leaves nothing behind', async () => {
    const lines: string[] = [];
    const mm = maker(client(), true, lines);
    const r1 = await mm.cycle();
    expectQuotesOnVenue(r1);
    // bob offers YES at 0.5030 (buy NO at 0.4970): the runner's next bid (0.5030, post_only) would cross it
    const bob = await ex.venue.placeOrder('bob', { marketTicker: EMPTY, side: 'no', action: 'buy', priceTicks: ONE_DOLLAR - 5030, sizeCentis: 100, timeInForce: 'good_till_canceled' });
    expect(bob.ok).toBe(true);
    try {
      const r2 = await mm.cycle();
      const m = r2.markets[0];
      expect(m.quote.bidTicks).toBe(5030);
      expect(m.ask).toBe('amended');
      expect(m.bid).toBe('refused');
      expect(lines.some((l) => l.includes(`amend of ${r1.markets[0].bidOrderId} refused (400 post_only_would_cross)`))).toBe(true);
      // the old bid is off the book; only the tracked ask rests
      expect(ex.venue.engine.getOrder(r1.markets[0].bidOrderId!)).toBeUndefined();
      expect(demoOrders().map((o) => o.orderId)).toEqual([m.askOrderId]);
      expect(mm.markets[0].bid.resting).toBe(false);
    } finally {
      if (bob.ok) await ex.venue.cancelOrder('bob', bob.orderId);
    }
    // next cycle (down to 0.4990 / 0.5010) quotes both sides again
    const r3 = await mm.cycle();
    expect([r3.markets[0].bid, r3.markets[0].ask]).toEqual(['placed', 'amended']);
    expectQuotesOnVenue(r3);
    expect(await mm.cancelAll()).toBe(2);
    expect(demoOrders()).toHaveLength(0);
  });

  it('any refused amend: the old order is canceled, then replaced and tracked by its new id; a refused cancel keeps it tracked', async () => {
    const lines: string[] = [];
    const c = client();
    const mm = maker(c, true, lines);
    const r1 = await mm.cycle();
    const oldBid = r1.markets[0].bidOrderId!;
    const oldAsk = r1.markets[0].askOrderId!;

    // the ask's amend refused (say, insufficient balance): canceled, then placed anew at the new price
    c.refuse.push({ method: 'POST', path: /\/amend$/, status: 400, code: 'insufficient_balance' });
    const r2 = await mm.cycle();
    expect(c.refused).toEqual([`POST portfolio/orders/${oldAsk}/amend`]);
    expect([r2.markets[0].bid, r2.markets[0].ask]).toEqual(['amended', 'placed']);
    expect(r2.markets[0].askOrderId).not.toBe(oldAsk);
    expect(r2.markets[0].bidOrderId).toBe(oldBid);
    expect(ex.venue.engine.getOrder(oldAsk)).toBeUndefined();
    expectQuotesOnVenue(r2);

    // the bid's amend and then its cancel refused: the order still rests, so no replacement; it stays tracked
    c.refuse.push({ method: 'POST', path: /\/amend$/, status: 400, code: 'insufficient_balance' }, { method: 'DELETE', path: /^portfolio\/orders\//, status: 400, code: 'injected' });
    const r3 = await mm.cycle();
    expect(c.refused).toEqual([`POST portfolio/orders/${oldAsk}/amend`, `POST portfolio/orders/${oldBid}/amend`, `DELETE portfolio/orders/${oldBid}`]);
    expect(r3.markets[0].bid).toBe('refused');
    expect(r3.markets[0].bidOrderId).toBe(oldBid);
    expect(mm.markets[0].bid).toMatchObject({ orderId: oldBid, resting: true, priceTicks: 5030 });
    // down (0.4990 / 0.5010): the ask would now cross the stale bid at 0.5030, so it is left where it is this cycle
    expect(r3.markets[0].quote).toMatchObject({ bidTicks: 4990, askTicks: 5010 });
    expect(r3.markets[0].ask).toBe('refused');
    expect(lines.some((l) => l.includes("ask not moved: it would cross this runner's resting bid"))).toBe(true);
    expect(demoOrders().map((o) => [o.orderId, o.yesPriceTicks]).sort()).toEqual(
      [
        [oldBid, 5030],
        [r2.markets[0].askOrderId, 5050],
      ].sort(),
    );
    expect(ex.venue.trades).toHaveLength(0);

    // the next cycle moves the stale bid normally
    const r4 = await mm.cycle();
    expect(r4.markets[0].bidOrderId).toBe(oldBid);
    expectQuotesOnVenue(r4);
    expect(await mm.cancelAll()).toBe(2);
    expect(demoOrders()).toHaveLength(0);
  });
});
