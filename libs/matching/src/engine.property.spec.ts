/**
 * Property tests (fast-check) of the matching engine over random operation streams from several accounts on two
 * markets (a whole-contract linear_cent market and a fractional deci_cent market with a maker fee): orders of every
 * kind and flag, cancels, decreases, amends, clock moves, deposits, withdrawals, and a market settled at the end.
 * After every operation:
 * - contracts are conserved: per market, positions sum to zero (YES held = NO held) and open interest = YES held;
 * - money is conserved: sum(cash) + fees collected + $1 x open interest = net deposits, exactly; no balance or
 *   available balance is negative; per account, cash - deposits = realized PnL - cost basis - fees;
 * - collateral equals the formula recomputed from the account's resting orders and position;
 * - the book at rest is not crossed and equals the aggregation of the resting orders (both ladders);
 * - price-time priority: every maker fill is at the maker's price, within the taker's limit, and no order ahead of
 *   the filled maker (better price, or same price and older) was skipped (it was filled or canceled in the same call);
 * - every fill's fee is exactly tradingFeeTicks(price, size, rate) of `@kalshi-platform/market`.
 * After settlement: positions are zero and the payout equals $1 x the winning contracts.
 */
import fc from 'fast-check';
import { tradingFeeTicks } from '@kalshi-platform/market';
import { MatchingEngine } from './engine';
import { collateralRequirement, DOLLAR } from './state';
import type { EngineEvent, EventOf, OrderRequest, OrderView, SelfTradePrevention, TimeInForce } from './types';

const ACCOUNTS = ['a0', 'a1', 'a2', 'a3'];
const MARKETS = [
  { marketTicker: 'KXP-LIN', tickStructure: 'linear_cent' as const, fractionalTradingEnabled: false, takerFeeBps: 700, makerFeeBps: 0 },
  { marketTicker: 'KXP-DECI', tickStructure: 'deci_cent' as const, fractionalTradingEnabled: true, takerFeeBps: 700, makerFeeBps: 175 },
];

type Op =
  | {
      kind: 'place';
      account: number;
      market: number;
      side: 'yes' | 'no';
      action: 'buy' | 'sell';
      priceSlot: number;
      invalidPrice: boolean;
      sizeUnits: number;
      fractionalPart: number;
      tif: TimeInForce;
      postOnly: boolean;
      reduceOnly: boolean;
      maxCost: number | null;
      expiresIn: number | null;
      stp: SelfTradePrevention;
    }
  | { kind: 'cancel'; pick: number }
  | { kind: 'decrease'; pick: number; fraction: number }
  | { kind: 'amend'; pick: number; priceSlot: number; sizeUnits: number }
  | { kind: 'clock'; dt: number }
  | { kind: 'deposit'; account: number; amount: number }
  | { kind: 'withdraw'; account: number; amount: number };

/** `arb` one time in `oneIn`, else null. */
function rarely<T>(arb: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('place' as const),
      account: fc.nat(ACCOUNTS.length - 1),
      market: fc.nat(MARKETS.length - 1),
      side: fc.constantFrom('yes' as const, 'no' as const),
      action: fc.constantFrom('buy' as const, 'sell' as const),
      priceSlot: fc.integer({ min: 30, max: 70 }), // cents around the middle, so that orders meet
      invalidPrice: fc.integer({ min: 0, max: 19 }).map((x) => x === 0),
      sizeUnits: fc.integer({ min: 1, max: 6 }),
      fractionalPart: fc.nat(99),
      tif: fc.constantFrom<TimeInForce>('good_till_canceled', 'good_till_canceled', 'good_till_canceled', 'immediate_or_cancel', 'fill_or_kill'),
      postOnly: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
      reduceOnly: fc.integer({ min: 0, max: 7 }).map((x) => x === 0),
      maxCost: rarely(fc.integer({ min: 1, max: 40_000 }), 10),
      expiresIn: rarely(fc.integer({ min: -50, max: 400 }), 6),
      stp: fc.constantFrom<SelfTradePrevention>('taker_at_cross', 'maker'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('decrease' as const), pick: fc.nat(), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('amend' as const), pick: fc.nat(), priceSlot: fc.integer({ min: 30, max: 70 }), sizeUnits: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clock' as const), dt: fc.integer({ min: 0, max: 300 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deposit' as const), account: fc.nat(ACCOUNTS.length - 1), amount: fc.integer({ min: 1, max: 50_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), account: fc.nat(ACCOUNTS.length - 1), amount: fc.integer({ min: 1, max: 50_000 }) }) },
);

const STATS = new Map<string, number>();
afterAll(() => {
  if (process.env.MATCHING_PROPERTY_STATS) console.log([...STATS.entries()].sort().map(([k, v]) => `${k} ${v}`).join('\n'));
});

const ofType = <T extends EngineEvent['type']>(events: EngineEvent[], type: T): EventOf<T>[] => events.filter((x): x is EventOf<T> => x.type === type);

/** Cheap assertions for the hot invariant checks (jest's expect is comparatively slow for thousands of calls). */
function eq(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}
function ok(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

/** Priority order of a side: better price first, then older. */
function priority(orders: OrderView[], bids: boolean): OrderView[] {
  const side = orders.filter((o) => isBid(o) === bids);
  return side.sort((x, y) => (bids ? y.yesPriceTicks - x.yesPriceTicks : x.yesPriceTicks - y.yesPriceTicks) || x.seq - y.seq);
}

function isBid(o: { side: string; action: string }): boolean {
  return (o.side === 'yes') === (o.action === 'buy');
}

function checkInvariants(e: MatchingEngine): void {
  const t = e.totals();
  eq(t.imbalanceMicros, 0, 'money imbalance (micros)');
  let fees = 0;
  for (const id of ACCOUNTS) {
    const a = e.getAccount(id);
    if (a === undefined) throw new Error('missing account');
    ok(a.cashTicks >= 0, `${id} cash ${a.cashTicks} < 0`);
    ok(a.availableTicks >= 0, `${id} available ${a.availableTicks} < 0`);
    eq(a.cashTicks * 100 - a.netDepositsTicks * 100, a.realizedPnlMicros - a.costBasisMicros - a.feesPaidMicros, `${id} PnL identity`);
    fees += a.feesPaidMicros;
    let locked = 0;
    for (const p of a.positions) {
      const orders = e.listOrders({ accountId: id, marketTicker: p.marketTicker });
      let bs = 0;
      let bn = 0;
      let as = 0;
      let an = 0;
      for (const o of orders) {
        if (isBid(o)) {
          bs += o.remainingCentis;
          bn += o.yesPriceTicks * o.remainingCentis;
        } else {
          as += o.remainingCentis;
          an += (DOLLAR - o.yesPriceTicks) * o.remainingCentis;
        }
      }
      eq(p.collateralMicros, collateralRequirement(p.positionCentis, bs, bn, as, an), `${id} collateral in ${p.marketTicker}`);
      eq(p.restingOrders, orders.length, `${id} resting orders in ${p.marketTicker}`);
      // cost basis: what the held contracts cost, each at most $1; nothing left once the position is flat
      ok(p.costBasisMicros >= 0 && p.costBasisMicros <= DOLLAR * Math.abs(p.positionCentis), `${id} cost basis ${p.costBasisMicros} for ${p.positionCentis}`);
      if (p.positionCentis === 0) eq(p.costBasisMicros, 0, `${id} cost basis of a flat position`);
      locked += p.collateralMicros;
    }
    eq(a.lockedTicks, Math.ceil(locked / 100) + a.positions.reduce((s, p) => s + p.feeReserveTicks, 0), `${id} locked`);
  }
  eq(fees, t.feesCollectedMicros, 'fees paid = fees collected');
  for (const m of MARKETS) {
    const positions = ACCOUNTS.map((id) => e.getPosition(id, m.marketTicker)?.positionCentis ?? 0);
    eq(positions.reduce((s, x) => s + x, 0), 0, `${m.marketTicker}: positions sum`);
    eq(e.getMarket(m.marketTicker)?.openInterestCentis, positions.reduce((s, x) => s + (x > 0 ? x : 0), 0), `${m.marketTicker}: open interest`);
    const book = e.getBook(m.marketTicker);
    if (book === undefined) throw new Error('missing book');
    // not crossed: best YES bid + best NO bid < $1
    if (book.yes.length > 0 && book.no.length > 0) ok(book.yes[book.yes.length - 1][0] + book.no[book.no.length - 1][0] < DOLLAR, `${m.marketTicker}: crossed book`);
    // the view is the aggregation of the resting orders
    const orders = e.listOrders({ marketTicker: m.marketTicker });
    const agg = (bids: boolean): [number, number][] => {
      const byPrice = new Map<number, number>();
      for (const o of orders) if (isBid(o) === bids) byPrice.set(bids ? o.yesPriceTicks : DOLLAR - o.yesPriceTicks, (byPrice.get(bids ? o.yesPriceTicks : DOLLAR - o.yesPriceTicks) ?? 0) + o.remainingCentis);
      return [...byPrice.entries()].sort((x, y) => x[0] - y[0]);
    };
    eq(JSON.stringify(book.yes), JSON.stringify(agg(true)), `${m.marketTicker}: YES ladder`);
    eq(JSON.stringify(book.no), JSON.stringify(agg(false)), `${m.marketTicker}: NO ladder`);
    for (const o of orders) ok(o.remainingCentis > 0, `${o.orderId} rests with nothing`);
  }
}

function run(ops: Op[], balances: number[], settleResult: 'yes' | 'no'): void {
  const e = new MatchingEngine({ nowMs: 1_000 });
  for (const m of MARKETS) expect(e.createMarket(m).ok).toBe(true);
  ACCOUNTS.forEach((id, i) => expect(e.createAccount(id, balances[i]).ok).toBe(true));
  let n = 0;
  const live = (): OrderView[] => e.listOrders();
  for (const op of ops) {
    let events: EngineEvent[] = [];
    let before: OrderView[] = [];
    let taker: { yesLimit: number; bid: boolean; market: string } | undefined;
    switch (op.kind) {
      case 'place': {
        const m = MARKETS[op.market];
        const step = m.tickStructure === 'linear_cent' ? 100 : 10;
        let price = op.priceSlot * 100 + (step === 10 ? (op.fractionalPart % 10) * 10 - 50 : 0);
        if (op.invalidPrice) price += 5;
        const size = op.sizeUnits * 100 + (m.fractionalTradingEnabled && op.fractionalPart % 3 === 0 ? op.fractionalPart : 0);
        const req: OrderRequest = {
          orderId: `o${++n}`,
          accountId: ACCOUNTS[op.account],
          marketTicker: m.marketTicker,
          side: op.side,
          action: op.action,
          priceTicks: price,
          sizeCentis: size,
          timeInForce: op.tif,
          postOnly: op.postOnly,
          reduceOnly: op.reduceOnly,
          selfTradePrevention: op.stp,
          clientOrderId: n % 5 === 0 ? `c${n}` : undefined,
        };
        if (op.maxCost !== null && op.action === 'buy') req.buyMaxCostTicks = op.maxCost;
        if (op.expiresIn !== null) req.expirationTsMs = e.nowMs + op.expiresIn;
        before = e.listOrders({ marketTicker: m.marketTicker });
        taker = { yesLimit: op.side === 'yes' ? price : DOLLAR - price, bid: (op.side === 'yes') === (op.action === 'buy'), market: m.marketTicker };
        const r = e.placeOrder(req);
        events = r.events;
        if (r.ok) {
          expect(r.filledCentis + r.remainingCentis).toBeLessThanOrEqual(r.acceptedCentis);
          if (r.status === 'resting') expect(r.remainingCentis).toBeGreaterThan(0);
          if (op.tif === 'fill_or_kill' || req.buyMaxCostTicks !== undefined) expect([0, r.acceptedCentis]).toContain(r.filledCentis);
          if (req.buyMaxCostTicks !== undefined && r.filledCentis > 0) {
            const cost = ofType(events, 'fill')
              .filter((f) => f.orderId === req.orderId)
              .reduce((s, f) => s + f.priceTicks * f.sizeCentis, 0);
            expect(cost).toBeLessThanOrEqual(req.buyMaxCostTicks * 100);
          }
        } else {
          expect(ofType(events, 'fill')).toHaveLength(0);
        }
        break;
      }
      case 'cancel': {
        const orders = live();
        if (orders.length === 0) break;
        const o = orders[op.pick % orders.length];
        const r = e.cancelOrder(o.accountId, o.orderId);
        expect(r.ok).toBe(true);
        events = r.events;
        break;
      }
      case 'decrease': {
        const orders = live();
        if (orders.length === 0) break;
        const o = orders[op.pick % orders.length];
        const whole = o.marketTicker === 'KXP-LIN';
        let to = Math.floor(o.remainingCentis * op.fraction);
        if (whole) to -= to % 100;
        const r = e.decreaseOrder(o.accountId, o.orderId, { reduceToCentis: Math.min(to, o.remainingCentis - (whole ? 100 : 1)) });
        events = r.events;
        break;
      }
      case 'amend': {
        const orders = live();
        if (orders.length === 0) break;
        const o = orders[op.pick % orders.length];
        const r = e.amendOrder(o.accountId, o.orderId, { priceTicks: op.priceSlot * 100, remainingCentis: op.sizeUnits * 100 });
        events = r.events;
        break;
      }
      case 'clock':
        events = e.advanceClock(e.nowMs + op.dt).events;
        break;
      case 'deposit':
        events = e.deposit(ACCOUNTS[op.account], op.amount).events;
        break;
      case 'withdraw':
        events = e.withdraw(ACCOUNTS[op.account], op.amount).events;
        break;
    }
    for (const x of events) {
      const k = x.type === 'order_rejected' ? `rejected:${x.reason}` : x.type === 'order_canceled' ? `canceled:${x.reason}` : x.type;
      STATS.set(k, (STATS.get(k) ?? 0) + 1);
      if (x.type === 'fill' && x.roundingFeeMicros > 0) STATS.set('rounding', (STATS.get('rounding') ?? 0) + 1);
      if (x.type === 'fill' && x.rebateTicks > 0) STATS.set('rebate', (STATS.get('rebate') ?? 0) + 1);
    }
    // fees exact
    for (const f of ofType(events, 'fill')) {
      const m = MARKETS.find((x) => x.marketTicker === f.marketTicker) as (typeof MARKETS)[number];
      eq(f.feeTicks, tradingFeeTicks(f.yesPriceTicks, f.sizeCentis, f.isTaker ? m.takerFeeBps : m.makerFeeBps), `fee of ${f.tradeId}`);
      eq(f.priceTicks, f.side === 'yes' ? f.yesPriceTicks : DOLLAR - f.yesPriceTicks, `own-side price of ${f.tradeId}`);
    }
    // price-time priority for the incoming order
    if (taker !== undefined) {
      const t = taker;
      const ahead = priority(before, !t.bid);
      const touched = new Set<string>();
      for (const x of events) if ((x.type === 'fill' && !x.isTaker) || x.type === 'order_canceled' || x.type === 'order_decreased') touched.add(x.orderId);
      for (const f of ofType(events, 'fill').filter((x) => !x.isTaker)) {
        const i = ahead.findIndex((o) => o.orderId === f.orderId);
        ok(i >= 0, `maker ${f.orderId} was not resting on the opposite side`);
        eq(f.yesPriceTicks, ahead[i].yesPriceTicks, `trade price = maker price (${f.tradeId})`);
        ok(t.bid ? f.yesPriceTicks <= t.yesLimit : f.yesPriceTicks >= t.yesLimit, `trade ${f.tradeId} outside the taker's limit`);
        for (let j = 0; j < i; j++) ok(touched.has(ahead[j].orderId), `fill of ${f.orderId} skipped ${ahead[j].orderId} ahead of it`);
      }
    }
    checkInvariants(e);
  }
  // settle the linear market
  const m = MARKETS[0].marketTicker;
  const winners = ACCOUNTS.map((id) => e.getPosition(id, m)?.positionCentis ?? 0).reduce((s, x) => s + (settleResult === 'yes' ? Math.max(x, 0) : Math.max(-x, 0)), 0);
  expect(e.getMarket(m)?.openInterestCentis).toBe(winners);
  expect(e.determineMarket(m, settleResult).ok).toBe(true);
  const settled = e.settleMarket(m);
  const paid = ofType(settled.events, 'settlement').reduce((s, x) => s + x.payoutTicks, 0);
  expect(paid).toBe(winners * 100); // $1 per winning contract = 100 ticks per centi
  for (const id of ACCOUNTS) expect(e.getPosition(id, m)).toMatchObject({ positionCentis: 0, costBasisMicros: 0, collateralMicros: 0 });
  checkInvariants(e);
}

describe('matching engine properties (random order streams, several accounts)', () => {
  it('conserves contracts and money, keeps the book uncrossed and consistent, honours price-time priority, exact fees', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 120, size: 'max' }),
        fc.array(fc.integer({ min: 0, max: 400_000 }), { minLength: ACCOUNTS.length, maxLength: ACCOUNTS.length }),
        fc.constantFrom<'yes' | 'no'>('yes', 'no'),
        (ops, balances, result) => run(ops, balances, result),
      ),
      { numRuns: 300 },
    );
  });

  it('holds with Kalshi\'s cent balance precision for non-direct members (rounding fees on every fill)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60, size: 'max' }), (ops) => {
        const e = new MatchingEngine({ nowMs: 1_000, balancePrecisionTicks: 100 });
        for (const m of MARKETS) e.createMarket(m);
        for (const id of ACCOUNTS) e.createAccount(id, 2_000_000);
        let n = 0;
        for (const op of ops) {
          if (op.kind !== 'place') continue;
          const m = MARKETS[op.market];
          e.placeOrder({
            orderId: `o${++n}`,
            accountId: ACCOUNTS[op.account],
            marketTicker: m.marketTicker,
            side: op.side,
            action: op.action,
            priceTicks: op.priceSlot * 100,
            sizeCentis: op.sizeUnits * 100 + (m.fractionalTradingEnabled ? op.fractionalPart : 0),
            timeInForce: op.tif,
            selfTradePrevention: op.stp,
          });
          const t = e.totals();
          expect(t.imbalanceMicros).toBe(0);
          for (const id of ACCOUNTS) {
            const a = e.getAccount(id) as NonNullable<ReturnType<MatchingEngine['getAccount']>>;
            expect(a.cashTicks % 100).toBe(0);
            expect(a.availableTicks).toBeGreaterThanOrEqual(0);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
