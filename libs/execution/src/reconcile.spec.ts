import {
  type ExchangeOrderView,
  ExecutionInputError,
  type LedgerFill,
  LedgerInputError,
  type OrderEvent,
  type OrderState,
  PositionLedger,
  type ReconcileInput,
  applyOrderEvent,
  newOrder,
  planReconcile,
} from './index';

const T0 = Date.UTC(2026, 7, 1, 12, 0, 0);
const GRACE = 5_000;

function order(id: string, createdTsMs: number, events: OrderEvent[] = [], over: Partial<OrderState> = {}): OrderState {
  let o = newOrder({ clientOrderId: id, signalId: 's', marketTicker: 'KXA-1', eventTicker: 'KXA', side: 'yes', action: 'buy', priceTicks: 4000, countCentis: 1000, tsMs: createdTsMs });
  for (const e of events) o = applyOrderEvent(o, e).state;
  return { ...o, ...over };
}
function view(clientOrderId: string | undefined, orderId: string, status: string, filledCentis: number, over: Partial<ExchangeOrderView> = {}): ExchangeOrderView {
  return { orderId, ...(clientOrderId ? { clientOrderId } : {}), marketTicker: 'KXA-1', side: 'yes', action: 'buy', status, filledCentis, remainingCentis: status === 'resting' || status === 'pending' ? 1000 - filledCentis : 0, ...over };
}
function lfill(fillId: string, tsMs: number, over: Partial<LedgerFill> = {}): LedgerFill {
  return { fillId, tradeId: `t-${fillId}`, orderId: 'o-1', clientOrderId: 'c-1', marketTicker: 'KXA-1', side: 'yes', action: 'buy', priceTicks: 4000, countCentis: 200, feeMicros: 0, isTaker: true, tsMs, ...over };
}
function input(over: Partial<ReconcileInput> = {}): ReconcileInput {
  return { localOrders: [], ledger: new PositionLedger(), exchangeOrders: [], exchangeFills: [], exchangePositions: [], nowMs: T0 + 60_000, graceMs: GRACE, ...over };
}
const acc = (orderId: string): OrderEvent => ({ type: 'accepted', orderId, tsMs: T0 + 1 });

describe('planReconcile: orders', () => {
  it('reports nothing when both sides agree', () => {
    const plan = planReconcile(
      input({
        localOrders: [order('c-1', T0, [acc('o-1')]), order('c-2', T0, [acc('o-2'), { type: 'fill', countCentis: 1000, tsMs: T0 + 2 }])],
        exchangeOrders: [view('c-1', 'o-1', 'resting', 0), view('c-2', 'o-2', 'executed', 1000)],
      }),
    );
    expect(plan).toEqual({ orderEvents: [], missingFills: [], foreignOrders: [], withinGrace: [], positionMismatches: [], orphanedOpenOrders: [], conflicts: [] });
  });

  it('lag: a pending order not yet listed, younger than the grace period, is only reported in withinGrace', () => {
    const nowMs = T0 + 60_000;
    const plan = planReconcile(input({ nowMs, localOrders: [order('c-new', nowMs - GRACE), order('c-newer', nowMs - 10)] }));
    expect(plan.withinGrace).toEqual(['c-new', 'c-newer']); // exactly graceMs old is still within grace
    expect(plan.orderEvents).toEqual([]);
  });

  it('lost: a pending order still not listed after the grace period is rejected', () => {
    const nowMs = T0 + 60_000;
    const plan = planReconcile(input({ nowMs, localOrders: [order('c-lost', nowMs - GRACE - 1)] }));
    expect(plan.orderEvents).toEqual([{ clientOrderId: 'c-lost', event: { type: 'rejected', reason: 'not found at the exchange after 5000 ms', tsMs: nowMs } }]);
    expect(plan.withinGrace).toEqual([]);
    // the event applies cleanly
    expect(applyOrderEvent(order('c-lost', nowMs - GRACE - 1), plan.orderEvents[0].event).to).toBe('rejected');
  });

  it('a resting / partially filled order the exchange does not list is canceled after the grace period, within it reported', () => {
    const nowMs = T0 + 60_000;
    const old = order('c-rest', T0, [acc('o-1')]);
    const part = order('c-part', T0, [acc('o-2'), { type: 'fill', countCentis: 100, tsMs: T0 + 2 }]);
    const young = order('c-young', nowMs - 100, [acc('o-3')]);
    const plan = planReconcile(input({ nowMs, localOrders: [old, part, young] }));
    expect(plan.orderEvents).toEqual([
      { clientOrderId: 'c-rest', event: { type: 'canceled', reason: 'not found at the exchange', tsMs: nowMs } },
      { clientOrderId: 'c-part', event: { type: 'canceled', reason: 'not found at the exchange', tsMs: nowMs } },
    ]);
    expect(plan.withinGrace).toEqual(['c-young']);
  });

  it('terminal local orders the exchange does not list need nothing', () => {
    const plan = planReconcile(input({ localOrders: [order('c-x', T0, [{ type: 'rejected', reason: 'r', tsMs: T0 }]), order('c-y', T0, [acc('o-1'), { type: 'canceled', tsMs: T0 + 5 }])] }));
    expect(plan.orderEvents).toEqual([]);
    expect(plan.withinGrace).toEqual([]);
  });

  it('emits exchange_state for orders whose exchange state differs, and only those', () => {
    const nowMs = T0 + 60_000;
    const plan = planReconcile(
      input({
        nowMs,
        localOrders: [
          order('c-1', T0), // pending locally, resting at the exchange -> accept
          order('c-2', T0, [acc('o-2')]), // resting locally, partially filled at the exchange
          order('c-3', T0, [acc('o-3'), { type: 'fill', countCentis: 500, tsMs: T0 + 2 }]), // the exchange lags our fill: no event
          order('c-4', T0, [acc('o-4')]), // canceled at the exchange
        ],
        exchangeOrders: [view('c-1', 'o-1', 'resting', 0), view('c-2', 'o-2', 'resting', 300), view('c-3', 'o-3', 'resting', 200), view('c-4', 'o-4', 'canceled', 0)],
      }),
    );
    expect(plan.orderEvents).toEqual([
      { clientOrderId: 'c-1', event: { type: 'exchange_state', orderId: 'o-1', status: 'resting', filledCentis: 0, remainingCentis: 1000, tsMs: nowMs } },
      { clientOrderId: 'c-2', event: { type: 'exchange_state', orderId: 'o-2', status: 'resting', filledCentis: 300, remainingCentis: 700, tsMs: nowMs } },
      { clientOrderId: 'c-4', event: { type: 'exchange_state', orderId: 'o-4', status: 'canceled', filledCentis: 0, remainingCentis: 0, tsMs: nowMs } },
    ]);
    expect(plan.foreignOrders).toEqual([]);
  });

  it('a terminal local order the exchange shows with more fills gets the exchange state (canceled -> executed)', () => {
    const local = order('c-1', T0, [acc('o-1'), { type: 'fill', countCentis: 300, tsMs: T0 + 2 }, { type: 'canceled', tsMs: T0 + 3 }]);
    const plan = planReconcile(input({ localOrders: [local], exchangeOrders: [view('c-1', 'o-1', 'executed', 1000)] }));
    expect(plan.orderEvents).toHaveLength(1);
    expect(applyOrderEvent(local, plan.orderEvents[0].event).to).toBe('executed');
  });

  it('matches by order id when the exchange order carries no client order id', () => {
    const plan = planReconcile(input({ localOrders: [order('c-1', T0, [acc('o-1')])], exchangeOrders: [view(undefined, 'o-1', 'resting', 100)] }));
    expect(plan.foreignOrders).toEqual([]);
    expect(plan.orderEvents.map((e) => e.event)).toMatchObject([{ type: 'exchange_state', filledCentis: 100 }]);
  });

  it('reports exchange orders matching no local order as foreign', () => {
    const foreign = [view('someone-else', 'o-9', 'resting', 0), view(undefined, 'o-8', 'executed', 1000)];
    const plan = planReconcile(input({ localOrders: [order('c-1', T0, [acc('o-1')])], exchangeOrders: [view('c-1', 'o-1', 'resting', 0), ...foreign] }));
    expect(plan.foreignOrders).toEqual(foreign);
    expect(plan.orderEvents).toEqual([]);
  });

  it('reports exchange orders still open whose local order was declared lost long ago (orphans to cancel)', () => {
    const nowMs = T0 + 60_000;
    const lost = order('c-lost', T0, [{ type: 'rejected', reason: 'not found at the exchange after 5000 ms', tsMs: T0 + 6_000 }]);
    const justCanceled = order('c-cx', T0, [acc('o-2'), { type: 'canceled', tsMs: nowMs - 100 }]); // the listing may lag our cancel
    const x1 = view('c-lost', 'o-1', 'resting', 0);
    const x2 = view('c-cx', 'o-2', 'resting', 0);
    const plan = planReconcile(input({ nowMs, localOrders: [lost, justCanceled], exchangeOrders: [x1, x2] }));
    expect(plan.orphanedOpenOrders).toEqual([x1]);
    expect(plan.orderEvents).toEqual([]);
    expect(plan.foreignOrders).toEqual([]);
  });

  it('reports conflicts (another market, order id or status) instead of throwing', () => {
    const plan = planReconcile(
      input({
        localOrders: [order('c-1', T0, [acc('o-1')]), order('c-2', T0, [acc('o-2')]), order('c-3', T0, [acc('o-3')])],
        exchangeOrders: [view('c-1', 'o-1', 'resting', 0, { marketTicker: 'KXB-1' }), view('c-2', 'o-22', 'resting', 0), view('c-3', 'o-3', 'weird', 0)],
      }),
    );
    expect(plan.conflicts.map((c) => [c.clientOrderId, c.message])).toEqual([
      ['c-1', 'order c-1: exchange order o-1 has marketTicker "KXB-1", local "KXA-1"'],
      ['c-2', 'order c-2: exchange_state names order_id "o-22", but the order is "o-2"'],
      ['c-3', 'exchangeOrders[2].status: got "weird", expected one of resting | canceled | executed | pending'],
    ]);
    expect(plan.orderEvents).toEqual([]);
  });
});

describe('planReconcile: fills and positions', () => {
  it('missing fill: lists exchange fills the ledger lacks, deduplicated, by time then id', () => {
    const ledger = new PositionLedger();
    ledger.applyFill(lfill('f-known', T0));
    const plan = planReconcile(input({ ledger, exchangeFills: [lfill('f-b', T0 + 5), lfill('f-known', T0), lfill('f-c', T0 + 2), lfill('f-a', T0 + 5), lfill('f-c', T0 + 2)], exchangePositions: [{ marketTicker: 'KXA-1', positionCentis: 800 }] }));
    expect(plan.missingFills.map((f) => f.fillId)).toEqual(['f-c', 'f-a', 'f-b']);
    expect(plan.positionMismatches).toEqual([]); // 200 + 3 x 200 = 800 once the missing fills are applied
  });

  it('computes positions as if the missing fills were applied, without touching the input ledger', () => {
    const ledger = new PositionLedger();
    ledger.applyFill(lfill('f-1', T0));
    const before = ledger.positions();
    const plan = planReconcile(input({ ledger, exchangeFills: [lfill('f-2', T0 + 1, { side: 'no', action: 'buy', priceTicks: 6000, countCentis: 500 })], exchangePositions: [{ marketTicker: 'KXA-1', positionCentis: -300 }] }));
    expect(plan.missingFills).toHaveLength(1);
    expect(plan.positionMismatches).toEqual([]); // 200 - 500 = -300
    expect(ledger.positions()).toEqual(before);
    expect(ledger.hasFill('f-2')).toBe(false);
  });

  it('position mismatch: markets absent on one side count as 0, only differing markets are reported, sorted', () => {
    const ledger = new PositionLedger();
    ledger.applyFill(lfill('f-1', T0, { marketTicker: 'KXC' })); // +200
    ledger.applyFill(lfill('f-2', T0, { marketTicker: 'KXA' })); // +200 then flat
    ledger.applyFill(lfill('f-3', T0, { marketTicker: 'KXA', action: 'sell' }));
    ledger.applyFill(lfill('f-4', T0, { marketTicker: 'KXD' })); // +200, agrees
    const plan = planReconcile(
      input({
        ledger,
        exchangePositions: [
          { marketTicker: 'KXB', positionCentis: -100 },
          { marketTicker: 'KXD', positionCentis: 200 },
          { marketTicker: 'KXA', positionCentis: 0 },
        ],
      }),
    );
    expect(plan.positionMismatches).toEqual([
      { marketTicker: 'KXB', localCentis: 0, exchangeCentis: -100 },
      { marketTicker: 'KXC', localCentis: 200, exchangeCentis: 0 },
    ]);
  });

  it('refuses malformed input, naming the field', () => {
    expect(() => planReconcile(input({ graceMs: -1 }))).toThrow(/^graceMs: got -1, expected an integer >= 0$/);
    expect(() => planReconcile(input({ nowMs: NaN }))).toThrow(/^nowMs: got NaN/);
    expect(() => planReconcile(input({ exchangeOrders: [view('c', 'o', 'resting', 0, { filledCentis: -2 })] }))).toThrow(/^exchangeOrders\[0\]\.filledCentis: got -2/);
    expect(() => planReconcile(input({ exchangeOrders: [view('c', '', 'resting', 0)] }))).toThrow(/^exchangeOrders\[0\]\.orderId: got ""/);
    expect(() => planReconcile(input({ exchangeFills: [lfill('f', T0), lfill('g', T0, { priceTicks: 0 })] }))).toThrow(LedgerInputError);
    expect(() => planReconcile(input({ exchangeFills: [lfill('f', T0), lfill('g', T0, { priceTicks: 0 })] }))).toThrow(/^exchangeFills\[1\]\.priceTicks: got 0/);
    expect(() => planReconcile(input({ exchangePositions: [{ marketTicker: 'M', positionCentis: 1 }, { marketTicker: 'M', positionCentis: 2 }] }))).toThrow(/^exchangePositions\[1\]\.marketTicker: duplicate market "M"$/);
    expect(() => planReconcile(input({ exchangePositions: [{ marketTicker: 'M', positionCentis: 0.5 }] }))).toThrow(/^exchangePositions\[0\]\.positionCentis: got 0\.5/);
    expect(() => planReconcile(input({ ledger: {} as PositionLedger }))).toThrow(/^ledger: got \{\}, expected a PositionLedger$/);
    expect(() => planReconcile(input({ localOrders: null as unknown as OrderState[] }))).toThrow(ExecutionInputError);
  });
});
