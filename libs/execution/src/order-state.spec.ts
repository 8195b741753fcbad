import {
  ExecutionInputError,
  OPEN_ORDER_STATUSES,
  type OrderEvent,
  type OrderState,
  type OrderStatus,
  OrderTransitionError,
  TERMINAL_ORDER_STATUSES,
  applyOrderEvent,
  isOpenStatus,
  isTerminalStatus,
  newOrder,
  type NewOrderInput,
} from './index';

const T0 = Date.UTC(2026, 7, 1, 12, 0, 0);

function input(over: Partial<NewOrderInput> = {}): NewOrderInput {
  return { clientOrderId: 'c-1', signalId: 's-1', marketTicker: 'KXA-1', eventTicker: 'KXA', side: 'yes', action: 'buy', priceTicks: 4200, countCentis: 1000, tsMs: T0, ...over };
}

/** Freezes the (flat) object so any mutation throws. */
function frozen<T extends object>(o: T): T {
  return Object.freeze(o);
}

/** Applies events in turn (each must be legal) and returns the final state. */
function run(o: OrderState, ...events: OrderEvent[]): OrderState {
  return events.reduce((s, e) => applyOrderEvent(s, e).state, o);
}

const accepted = (tsMs = T0 + 1, orderId = 'o-1'): OrderEvent => ({ type: 'accepted', orderId, tsMs });
const fill = (countCentis: number, tsMs = T0 + 2, orderId?: string): OrderEvent => ({ type: 'fill', countCentis, tsMs, ...(orderId ? { orderId } : {}) });
const canceled = (tsMs = T0 + 3): OrderEvent => ({ type: 'canceled', tsMs, reason: 'user' });
const rejected = (tsMs = T0 + 1): OrderEvent => ({ type: 'rejected', reason: 'insufficient_balance', tsMs });
const xs = (status: string, filledCentis: number, remainingCentis: number, tsMs = T0 + 10, orderId = 'o-1'): OrderEvent => ({ type: 'exchange_state', orderId, status, filledCentis, remainingCentis, tsMs });

/** One order in each status: count 1000 (10 contracts), partial fills of 300. */
function inStatus(s: OrderStatus): OrderState {
  const o = newOrder(input());
  switch (s) {
    case 'pending':
      return o;
    case 'resting':
      return run(o, accepted());
    case 'partially_filled':
      return run(o, accepted(), fill(300));
    case 'executed':
      return run(o, accepted(), fill(1000));
    case 'canceled':
      return run(o, accepted(), fill(300), canceled());
    case 'rejected':
      return run(o, rejected());
  }
}

describe('statuses', () => {
  it('splits open and terminal', () => {
    expect([...TERMINAL_ORDER_STATUSES]).toEqual(['executed', 'canceled', 'rejected']);
    expect([...OPEN_ORDER_STATUSES]).toEqual(['pending', 'resting', 'partially_filled']);
    for (const s of OPEN_ORDER_STATUSES) expect([isOpenStatus(s), isTerminalStatus(s)]).toEqual([true, false]);
    for (const s of TERMINAL_ORDER_STATUSES) expect([isOpenStatus(s), isTerminalStatus(s)]).toEqual([false, true]);
    expect(Object.isFrozen(TERMINAL_ORDER_STATUSES)).toBe(true);
  });

  it('builds one order in each status as the fixtures claim', () => {
    expect(inStatus('partially_filled')).toMatchObject({ status: 'partially_filled', filledCentis: 300, remainingCentis: 700, orderId: 'o-1' });
    expect(inStatus('canceled')).toMatchObject({ status: 'canceled', filledCentis: 300, remainingCentis: 0 });
    expect(inStatus('rejected')).toMatchObject({ status: 'rejected', filledCentis: 0, remainingCentis: 0, rejectReason: 'insufficient_balance' });
  });
});

describe('newOrder', () => {
  it('starts pending with nothing filled', () => {
    expect(newOrder(input())).toEqual({
      clientOrderId: 'c-1',
      orderId: null,
      signalId: 's-1',
      marketTicker: 'KXA-1',
      eventTicker: 'KXA',
      side: 'yes',
      action: 'buy',
      priceTicks: 4200,
      countCentis: 1000,
      filledCentis: 0,
      remainingCentis: 1000,
      status: 'pending',
      rejectReason: null,
      createdTsMs: T0,
      updatedTsMs: T0,
    });
    expect(newOrder(input({ signalId: null })).signalId).toBeNull();
  });

  it.each<[Partial<NewOrderInput>, RegExp]>([
    [{ clientOrderId: '' }, /^order\.clientOrderId: got "", expected 1\.\.64 characters/],
    [{ clientOrderId: 'has space' }, /order\.clientOrderId: got "has space"/],
    [{ clientOrderId: 'x'.repeat(65) }, /order\.clientOrderId/],
    [{ signalId: '' }, /^order\.signalId: got "", expected a non-empty string$/],
    [{ marketTicker: '' }, /^order\.marketTicker: /],
    [{ eventTicker: undefined }, /^order\.eventTicker: got undefined \(missing\)/],
    [{ side: 'maybe' as 'yes' }, /^order\.side: got "maybe", expected 'yes' \| 'no'$/],
    [{ action: 'hold' as 'buy' }, /^order\.action: got "hold"/],
    [{ priceTicks: 0 }, /^order\.priceTicks: got 0, expected an integer in 1\.\.9999$/],
    [{ priceTicks: 10000 }, /^order\.priceTicks: got 10000/],
    [{ priceTicks: 42.5 }, /^order\.priceTicks: got 42\.5/],
    [{ countCentis: 0 }, /^order\.countCentis: got 0, expected an integer >= 1$/],
    [{ countCentis: Number.MAX_SAFE_INTEGER + 1 }, /^order\.countCentis: /],
    [{ tsMs: NaN }, /^order\.tsMs: got NaN/],
  ])('refuses %j', (over, msg) => {
    expect(() => newOrder(input(over))).toThrow(ExecutionInputError);
    expect(() => newOrder(input(over))).toThrow(msg);
  });
});

describe('applyOrderEvent: accepted', () => {
  it('pending -> resting with the order id', () => {
    const t = applyOrderEvent(inStatus('pending'), accepted(T0 + 5));
    expect(t).toMatchObject({ changed: true, from: 'pending', to: 'resting' });
    expect(t.state).toMatchObject({ status: 'resting', orderId: 'o-1', filledCentis: 0, remainingCentis: 1000, updatedTsMs: T0 + 5 });
  });

  it.each<OrderStatus>(['resting', 'partially_filled'])('changes nothing on %s', (s) => {
    const o = inStatus(s);
    const t = applyOrderEvent(o, accepted(T0 + 50));
    expect(t).toMatchObject({ changed: false, from: s, to: s });
    expect(t.state).toEqual(o);
    expect(t.state).not.toBe(o);
  });

  it.each<OrderStatus>(['executed', 'canceled', 'rejected'])('is ignored on terminal %s (even with another order id)', (s) => {
    const o = inStatus(s);
    const t = applyOrderEvent(o, accepted(T0 + 50, 'o-other'));
    expect(t).toMatchObject({ changed: false, from: s, to: s });
    expect(t.state).toEqual(o);
  });

  it('sets a missing order id on an order that filled before its acknowledgement', () => {
    const o = run(inStatus('pending'), fill(200)); // no orderId on the fill
    expect(o).toMatchObject({ status: 'partially_filled', orderId: null });
    const t = applyOrderEvent(o, accepted(T0 + 9));
    expect(t).toMatchObject({ changed: true, from: 'partially_filled', to: 'partially_filled' });
    expect(t.state.orderId).toBe('o-1');
  });

  it('throws on another order id for an open order', () => {
    const o = inStatus('resting');
    expect(() => applyOrderEvent(o, accepted(T0 + 9, 'o-2'))).toThrow(OrderTransitionError);
    expect(() => applyOrderEvent(o, accepted(T0 + 9, 'o-2'))).toThrow(/accepted names order_id "o-2", but the order is "o-1"/);
  });
});

describe('applyOrderEvent: rejected', () => {
  it('pending -> rejected with the reason, nothing remaining', () => {
    const t = applyOrderEvent(inStatus('pending'), rejected(T0 + 4));
    expect(t).toMatchObject({ changed: true, from: 'pending', to: 'rejected' });
    expect(t.state).toMatchObject({ status: 'rejected', rejectReason: 'insufficient_balance', remainingCentis: 0, filledCentis: 0, updatedTsMs: T0 + 4 });
  });

  it.each<OrderStatus>(['resting', 'partially_filled', 'executed', 'canceled', 'rejected'])('throws from %s', (s) => {
    const o = inStatus(s);
    let err: unknown;
    try {
      applyOrderEvent(o, rejected());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OrderTransitionError);
    expect(err).toMatchObject({ name: 'OrderTransitionError', clientOrderId: 'c-1', from: s, event: 'rejected' });
    expect((err as Error).message).toBe(`order c-1: cannot be rejected in status ${s} (only a pending order can)`);
  });

  it('requires a reason', () => {
    expect(() => applyOrderEvent(inStatus('pending'), { type: 'rejected', reason: '', tsMs: T0 })).toThrow(/^event\.reason: got "", expected a non-empty string$/);
  });
});

describe('applyOrderEvent: fill', () => {
  it('pending -> partially_filled: a fill implies acceptance and sets the order id', () => {
    const t = applyOrderEvent(inStatus('pending'), fill(250, T0 + 7, 'o-9'));
    expect(t).toMatchObject({ changed: true, from: 'pending', to: 'partially_filled' });
    expect(t.state).toMatchObject({ orderId: 'o-9', filledCentis: 250, remainingCentis: 750, updatedTsMs: T0 + 7 });
  });

  it('pending -> executed when the fill takes it all', () => {
    const t = applyOrderEvent(inStatus('pending'), fill(1000));
    expect(t).toMatchObject({ from: 'pending', to: 'executed' });
    expect(t.state).toMatchObject({ filledCentis: 1000, remainingCentis: 0 });
  });

  it('resting -> partially_filled -> partially_filled -> executed', () => {
    let o = inStatus('resting');
    const steps: Array<[number, OrderStatus, number]> = [
      [100, 'partially_filled', 900],
      [400, 'partially_filled', 500],
      [500, 'executed', 0],
    ];
    for (const [n, to, remaining] of steps) {
      const t = applyOrderEvent(o, fill(n, T0 + 20, 'o-1'));
      expect(t.changed).toBe(true);
      expect(t.to).toBe(to);
      expect(t.state.remainingCentis).toBe(remaining);
      expect(t.state.filledCentis + t.state.remainingCentis).toBe(1000);
      o = t.state;
    }
  });

  it('throws on a fill larger than the remainder', () => {
    const o = inStatus('partially_filled'); // 700 left
    expect(() => applyOrderEvent(o, fill(701))).toThrow(OrderTransitionError);
    expect(() => applyOrderEvent(o, fill(701))).toThrow('order c-1: fill of 701 centis exceeds the remainder 700 (count 1000, filled 300) in status partially_filled');
    expect(applyOrderEvent(o, fill(700)).to).toBe('executed');
  });

  it('throws on an executed order', () => {
    expect(() => applyOrderEvent(inStatus('executed'), fill(1))).toThrow(/exceeds the remainder 0/);
  });

  it.each<OrderStatus>(['canceled', 'rejected'])('throws on a %s order (a fill cannot follow a terminal state)', (s) => {
    let err: unknown;
    try {
      applyOrderEvent(inStatus(s), fill(100));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OrderTransitionError);
    expect(err).toMatchObject({ from: s, event: 'fill' });
    expect((err as Error).message).toMatch(new RegExp(`after the order was ${s}`));
  });

  it('throws on a fill naming another order id', () => {
    expect(() => applyOrderEvent(inStatus('resting'), fill(100, T0, 'o-2'))).toThrow(/fill names order_id "o-2", but the order is "o-1"/);
  });

  it.each<[unknown, RegExp]>([
    [0, /^event\.countCentis: got 0, expected an integer >= 1$/],
    [-5, /^event\.countCentis: got -5/],
    [1.5, /^event\.countCentis: got 1\.5/],
    ['100', /^event\.countCentis: got "100"/],
  ])('refuses countCentis %j', (n, msg) => {
    expect(() => applyOrderEvent(inStatus('resting'), { type: 'fill', countCentis: n as number, tsMs: T0 })).toThrow(msg);
  });
});

describe('applyOrderEvent: canceled', () => {
  it.each<[OrderStatus, number]>([
    ['pending', 0],
    ['resting', 0],
    ['partially_filled', 300],
  ])('%s -> canceled, remaining 0, filled kept', (s, filled) => {
    const t = applyOrderEvent(inStatus(s), canceled(T0 + 30));
    expect(t).toMatchObject({ changed: true, from: s, to: 'canceled' });
    expect(t.state).toMatchObject({ filledCentis: filled, remainingCentis: 0, updatedTsMs: T0 + 30, rejectReason: null });
  });

  it.each<OrderStatus>(['executed', 'canceled', 'rejected'])('is ignored on terminal %s', (s) => {
    const o = inStatus(s);
    const t = applyOrderEvent(o, canceled(T0 + 99));
    expect(t).toMatchObject({ changed: false, from: s, to: s });
    expect(t.state).toEqual(o);
  });
});

describe('applyOrderEvent: exchange_state (reconciliation)', () => {
  it('pending + exchange resting -> resting with the order id', () => {
    const t = applyOrderEvent(inStatus('pending'), xs('resting', 0, 1000));
    expect(t).toMatchObject({ changed: true, from: 'pending', to: 'resting' });
    expect(t.state.orderId).toBe('o-1');
  });

  it('pending + exchange pending -> stays pending, sets the order id', () => {
    const t = applyOrderEvent(inStatus('pending'), xs('pending', 0, 1000));
    expect(t).toMatchObject({ changed: true, from: 'pending', to: 'pending' });
    expect(t.state.orderId).toBe('o-1');
    expect(applyOrderEvent(t.state, xs('pending', 0, 1000)).changed).toBe(false);
  });

  it('resting + exchange pending (lagging) stays resting', () => {
    const t = applyOrderEvent(inStatus('resting'), xs('pending', 0, 1000));
    expect(t).toMatchObject({ changed: false, to: 'resting' });
  });

  it('adopts more fills from the exchange: resting -> partially_filled', () => {
    const t = applyOrderEvent(inStatus('resting'), xs('resting', 400, 600, T0 + 40));
    expect(t).toMatchObject({ changed: true, from: 'resting', to: 'partially_filled' });
    expect(t.state).toMatchObject({ filledCentis: 400, remainingCentis: 600, updatedTsMs: T0 + 40 });
  });

  it('keeps local fills when the exchange view lags them', () => {
    const o = inStatus('partially_filled'); // 300 filled locally
    const t = applyOrderEvent(o, xs('resting', 100, 900));
    expect(t).toMatchObject({ changed: false, to: 'partially_filled' });
    expect(t.state).toEqual(o);
    const u = applyOrderEvent(o, xs('resting', 0, 1000));
    expect(u.changed).toBe(false);
  });

  it('exchange executed -> executed, fully filled', () => {
    for (const s of ['pending', 'resting', 'partially_filled'] as OrderStatus[]) {
      const t = applyOrderEvent(inStatus(s), xs('executed', 1000, 0));
      expect(t).toMatchObject({ changed: true, from: s, to: 'executed' });
      expect(t.state).toMatchObject({ filledCentis: 1000, remainingCentis: 0, orderId: 'o-1' });
    }
  });

  it('exchange canceled -> canceled, with the larger filled count', () => {
    const a = applyOrderEvent(inStatus('partially_filled'), xs('canceled', 500, 0));
    expect(a).toMatchObject({ to: 'canceled' });
    expect(a.state).toMatchObject({ filledCentis: 500, remainingCentis: 0 });
    const b = applyOrderEvent(inStatus('partially_filled'), xs('canceled', 0, 0)); // lagging count: keep 300
    expect(b.state).toMatchObject({ status: 'canceled', filledCentis: 300, remainingCentis: 0 });
    const c = applyOrderEvent(inStatus('pending'), xs('canceled', 0, 0)); // e.g. an IOC that did not fill
    expect(c).toMatchObject({ from: 'pending', to: 'canceled' });
  });

  it('a merged fill reaching the count is executed whatever the (lagging) status', () => {
    const t = applyOrderEvent(inStatus('partially_filled'), xs('resting', 1000, 0));
    expect(t.to).toBe('executed');
  });

  it('local canceled + exchange executed with more fills: adopts executed', () => {
    const t = applyOrderEvent(inStatus('canceled'), xs('executed', 1000, 0));
    expect(t).toMatchObject({ changed: true, from: 'canceled', to: 'executed' });
    expect(t.state).toMatchObject({ filledCentis: 1000, remainingCentis: 0 });
  });

  it('local rejected (declared lost) + exchange resting with fills: reopens as partially_filled, clears the reason', () => {
    const t = applyOrderEvent(inStatus('rejected'), xs('resting', 200, 800));
    expect(t).toMatchObject({ changed: true, from: 'rejected', to: 'partially_filled' });
    expect(t.state).toMatchObject({ orderId: 'o-1', filledCentis: 200, remainingCentis: 800, rejectReason: null });
  });

  it('a terminal order without more fills at the exchange is unchanged', () => {
    for (const [s, view] of [
      ['canceled', xs('resting', 300, 700)],
      ['canceled', xs('canceled', 100, 0)],
      ['rejected', xs('resting', 0, 1000)],
      ['rejected', xs('canceled', 0, 0)],
    ] as Array<[OrderStatus, OrderEvent]>) {
      const o = inStatus(s);
      const t = applyOrderEvent(o, view);
      expect(t).toMatchObject({ changed: false, from: s, to: s });
      expect(t.state).toEqual(o);
    }
  });

  it('never moves executed back to open', () => {
    const o = inStatus('executed');
    for (const view of [xs('resting', 0, 1000), xs('pending', 0, 1000), xs('canceled', 300, 0), xs('resting', 999, 1)]) {
      expect(applyOrderEvent(o, view)).toMatchObject({ changed: false, to: 'executed' });
    }
  });

  it('throws on an exchange filled count above the order count and on another order id', () => {
    expect(() => applyOrderEvent(inStatus('resting'), xs('resting', 1001, 0))).toThrow(/the exchange reports 1001 centis filled > the order's count 1000/);
    expect(() => applyOrderEvent(inStatus('resting'), xs('resting', 100, 900, T0, 'o-2'))).toThrow(OrderTransitionError);
  });

  it('refuses an unknown Kalshi status and malformed counts, naming the field', () => {
    expect(() => applyOrderEvent(inStatus('resting'), xs('filled', 0, 0))).toThrow(/^event\.status: got "filled", expected one of resting \| canceled \| executed \| pending/);
    expect(() => applyOrderEvent(inStatus('resting'), xs('resting', -1, 0))).toThrow(/^event\.filledCentis: got -1/);
    expect(() => applyOrderEvent(inStatus('resting'), xs('resting', 0, 0.5))).toThrow(/^event\.remainingCentis: got 0\.5/);
    expect(() => applyOrderEvent(inStatus('resting'), xs('resting', 0, 0, T0, ''))).toThrow(/^event\.orderId: got ""/);
  });
});

describe('applyOrderEvent: fills and exchange views in any order', () => {
  it('a fill event already counted by an exchange view is absorbed, not counted twice', () => {
    // WS user_order (filled 400) arrives before the two WS fill messages of 250 and 150
    let o = applyOrderEvent(inStatus('resting'), xs('resting', 400, 600)).state;
    expect(o).toMatchObject({ filledCentis: 400, fillEventsCentis: 0 });
    let t = applyOrderEvent(o, fill(250));
    expect(t).toMatchObject({ changed: true, to: 'partially_filled' });
    expect(t.state).toMatchObject({ filledCentis: 400, remainingCentis: 600, fillEventsCentis: 250 });
    o = t.state;
    t = applyOrderEvent(o, fill(150));
    expect(t.state).toMatchObject({ filledCentis: 400, remainingCentis: 600 });
    expect(t.state.fillEventsCentis).toBeUndefined(); // caught up: the field disappears
    o = t.state;
    t = applyOrderEvent(o, fill(100)); // a new fill
    expect(t.state).toMatchObject({ filledCentis: 500, remainingCentis: 500 });
  });

  it('fill events after an exchange view that already shows the order executed or canceled are absorbed', () => {
    const done = applyOrderEvent(inStatus('resting'), xs('executed', 1000, 0)).state;
    expect(run(done, fill(600), fill(400))).toMatchObject({ status: 'executed', filledCentis: 1000 });
    expect(() => run(done, fill(600), fill(400), fill(1))).toThrow(/exceeds the remainder 0/);
    const cx = applyOrderEvent(inStatus('resting'), xs('canceled', 300, 0)).state;
    expect(run(cx, fill(300))).toMatchObject({ status: 'canceled', filledCentis: 300 });
    expect(() => run(cx, fill(300), fill(1))).toThrow(/after the order was canceled/);
  });

  it('the fill events and the exchange view give the same filled count in either order', () => {
    const a = run(inStatus('resting'), fill(200), fill(300), xs('resting', 500, 500));
    const b = run(inStatus('resting'), xs('resting', 500, 500), fill(200), fill(300));
    const c = run(inStatus('resting'), fill(200), xs('resting', 500, 500), fill(300));
    for (const s of [a, b, c]) expect(s).toMatchObject({ status: 'partially_filled', filledCentis: 500, remainingCentis: 500 });
    expect(b.fillEventsCentis).toBeUndefined();
    expect(c.fillEventsCentis).toBeUndefined();
  });
});

describe('applyOrderEvent: general', () => {
  it('never mutates its input', () => {
    const all: OrderStatus[] = ['pending', 'resting', 'partially_filled', 'executed', 'canceled', 'rejected'];
    const events: OrderEvent[] = [accepted(), fill(100), canceled(), rejected(), xs('executed', 1000, 0), xs('resting', 500, 500)];
    for (const s of all) {
      for (const e of events) {
        const o = frozen(inStatus(s));
        const copy = { ...o };
        try {
          const t = applyOrderEvent(o, frozen(e));
          expect(t.state).not.toBe(o);
        } catch (err) {
          expect(err).toBeInstanceOf(OrderTransitionError);
        }
        expect(o).toEqual(copy);
      }
    }
  });

  it('keeps updatedTsMs when nothing changed, and never moves it back', () => {
    const o = inStatus('resting'); // updated at T0 + 1
    expect(applyOrderEvent(o, accepted(T0 + 500)).state.updatedTsMs).toBe(T0 + 1);
    expect(applyOrderEvent(o, fill(100, T0 - 1000)).state.updatedTsMs).toBe(T0 + 1); // an older exchange timestamp
  });

  it('refuses malformed events and orders, naming the field', () => {
    expect(() => applyOrderEvent(inStatus('resting'), { type: 'nope', tsMs: T0 } as unknown as OrderEvent)).toThrow(/^event\.type: got "nope"/);
    expect(() => applyOrderEvent(inStatus('resting'), { type: 'canceled', tsMs: Infinity })).toThrow(/^event\.tsMs: got Infinity, expected a finite epoch-ms number$/);
    expect(() => applyOrderEvent(inStatus('resting'), null as unknown as OrderEvent)).toThrow(/^event: got null, expected an object$/);
    expect(() => applyOrderEvent({ ...inStatus('resting'), status: 'open' as OrderStatus }, canceled())).toThrow(/^order\.status: got "open"/);
    expect(() => applyOrderEvent({ ...inStatus('resting'), filledCentis: 2000 }, canceled())).toThrow(/^order\.filledCentis: got 2000, expected an integer in 0\.\.1000$/);
    expect(() => applyOrderEvent(inStatus('resting'), { type: 'accepted', orderId: '', tsMs: T0 })).toThrow(/^event\.orderId: got ""/);
    expect(() => applyOrderEvent(inStatus('resting'), { type: 'canceled', tsMs: T0, reason: 5 as unknown as string })).toThrow(/^event\.reason: got 5/);
  });
});
