import { CircuitBreaker, KillSwitch, RiskGate, RiskInputError, RiskStateError, type RiskLimits, type RiskOrder, type LimitRejection } from './index';

const T0 = Date.UTC(2026, 7, 1, 12, 0, 0);
let seq = 0;
function order(over: Partial<RiskOrder> = {}): RiskOrder {
  seq++;
  return {
    clientOrderId: `c${seq}`,
    signalId: `s${seq}`,
    signalTsMs: T0,
    marketTicker: 'KXA-1',
    eventTicker: 'KXA',
    side: 'yes',
    action: 'buy',
    priceTicks: 4200,
    countCentis: 1000,
    referencePriceTicks: 4200,
    ...over,
  };
}
function limitsOf(r: ReturnType<RiskGate['check']>): LimitRejection[] {
  return r.ok ? [] : (r.reasons.filter((x) => x.kind === 'limit') as LimitRejection[]);
}

describe('RiskGate: each limit trips alone and reports its values', () => {
  type Case = { name: keyof RiskLimits | 'orderRate'; limits: RiskLimits; setup?: (g: RiskGate) => void; order: Partial<RiskOrder>; now?: number; limitValue: number; wouldBe: number };
  const cases: Case[] = [
    { name: 'maxPositionCentisPerMarket', limits: { maxPositionCentisPerMarket: 1500 }, setup: (g) => g.check(order({ countCentis: 1000 }), { nowMs: T0 }), order: { countCentis: 600 }, limitValue: 1500, wouldBe: 1600 },
    {
      name: 'maxPositionCentisPerEvent',
      limits: { maxPositionCentisPerEvent: 2000 },
      setup: (g) => g.check(order({ marketTicker: 'KXA-2', side: 'no', countCentis: 1500 }), { nowMs: T0 }),
      order: { countCentis: 600 },
      limitValue: 2000,
      wouldBe: 2100,
    },
    { name: 'maxOpenOrders', limits: { maxOpenOrders: 2 }, setup: (g) => [1, 2].forEach(() => g.check(order(), { nowMs: T0 })), order: {}, limitValue: 2, wouldBe: 3 },
    { name: 'maxOrderNotionalMicros', limits: { maxOrderNotionalMicros: 4_000_000 }, order: { priceTicks: 4200, countCentis: 1000 }, limitValue: 4_000_000, wouldBe: 4_200_000 },
    {
      name: 'maxDailyLossMicros',
      limits: { maxDailyLossMicros: 1_000_000 },
      setup: (g) => {
        const o = order({ countCentis: 1000, priceTicks: 5000, referencePriceTicks: 5000 });
        g.check(o, { nowMs: T0 });
        g.recordFill({ clientOrderId: o.clientOrderId, priceTicks: 5000, countCentis: 1000 }, T0);
        g.markToMarket('KXA-1', 3900, T0); // 10 contracts lose $0.11 each = $1.10
      },
      order: {},
      limitValue: 1_000_000,
      wouldBe: 1_100_000,
    },
    { name: 'priceCollarTicks', limits: { priceCollarTicks: 200 }, order: { priceTicks: 4500, referencePriceTicks: 4200 }, limitValue: 200, wouldBe: 300 },
    { name: 'maxSignalAgeMs', limits: { maxSignalAgeMs: 500 }, order: { signalTsMs: T0 - 750 }, limitValue: 500, wouldBe: 750 },
    {
      name: 'orderRate',
      limits: { orderRateTier: 'basic' }, // 100 tokens/s, 1 s held = 10 orders
      setup: (g) => {
        for (let i = 0; i < 10; i++) expect(g.check(order({ marketTicker: `KXA-${i + 10}` }), { nowMs: T0 }).ok).toBe(true);
      },
      order: {},
      limitValue: 100,
      wouldBe: 110,
    },
  ];

  it.each(cases)('$name', (c) => {
    const g = new RiskGate({ limits: c.limits, nowMs: T0 });
    c.setup?.(g);
    const before = g.openOrderCount;
    const r = g.check(order(c.order), { nowMs: c.now ?? T0 });
    expect(r.ok).toBe(false);
    expect(limitsOf(r)).toEqual([expect.objectContaining({ limit: c.name, limitValue: c.limitValue, wouldBeValue: c.wouldBe })]);
    expect(g.openOrderCount).toBe(before); // a rejected order is not recorded
    // at the limit exactly it passes: the same order with the limit raised to the would-be value
    const g2 = new RiskGate({ limits: c.name === 'orderRate' ? {} : { ...c.limits, [c.name]: c.wouldBe }, nowMs: T0 });
    c.setup?.(g2);
    expect(g2.check(order(c.order), { nowMs: c.now ?? T0 }).ok).toBe(true);
  });

  it('reports several failing limits at once', () => {
    const g = new RiskGate({ limits: { maxOrderNotionalMicros: 1, priceCollarTicks: 0, maxSignalAgeMs: 0, maxPositionCentisPerMarket: 10, maxOpenOrders: 0 }, nowMs: T0 });
    const r = g.check(order({ priceTicks: 4300, signalTsMs: T0 - 5 }), { nowMs: T0 });
    expect(limitsOf(r).map((x) => [x.limit, x.limitValue, x.wouldBeValue])).toEqual([
      ['maxPositionCentisPerMarket', 10, 1000],
      ['maxOpenOrders', 0, 1],
      ['maxOrderNotionalMicros', 1, 4_300_000],
      ['priceCollarTicks', 0, 100],
      ['maxSignalAgeMs', 0, 5],
    ]);
  });
});

describe('RiskGate: positions and worst-case accounting', () => {
  it('+YES / -NO: buy YES and sell NO add, sell YES and buy NO subtract', () => {
    const g = new RiskGate({ limits: {}, nowMs: T0 });
    const fills: Array<[Partial<RiskOrder>, number]> = [
      [{ side: 'yes', action: 'buy' }, 1000],
      [{ side: 'no', action: 'buy' }, 0],
      [{ side: 'no', action: 'sell' }, 1000],
      [{ side: 'yes', action: 'sell' }, 0],
      [{ side: 'no', action: 'buy' }, -1000],
    ];
    for (const [o, pos] of fills) {
      const x = order(o);
      expect(g.check(x, { nowMs: T0 }).ok).toBe(true);
      g.recordFill({ clientOrderId: x.clientOrderId, priceTicks: x.priceTicks, countCentis: x.countCentis }, T0);
      expect(g.positionCentis('KXA-1')).toBe(pos);
    }
  });

  it('a resting buy counts as filled; a risk-reducing order passes even above the limit', () => {
    const g = new RiskGate({ limits: { maxPositionCentisPerMarket: 1000 }, nowMs: T0 });
    g.loadPosition('KXA-1', 'KXA', 1500, 5000, T0); // above the limit already (e.g. the limit was lowered)
    expect(g.check(order({ countCentis: 1 }), { nowMs: T0 }).ok).toBe(false);
    expect(g.check(order({ action: 'sell', countCentis: 500 }), { nowMs: T0 }).ok).toBe(true);
    expect(g.worstCasePositionCentis('KXA-1')).toBe(1500);
    const g2 = new RiskGate({ limits: { maxPositionCentisPerMarket: 1000 }, nowMs: T0 });
    expect(g2.check(order({ countCentis: 800 }), { nowMs: T0 }).ok).toBe(true); // pending
    const r = g2.check(order({ countCentis: 300 }), { nowMs: T0 });
    expect(limitsOf(r)[0]).toMatchObject({ wouldBeValue: 1100 });
    expect(g2.openOrderExposureMicros()).toBe(4200 * 800);
  });

  it('lifecycle: accepted, partial fill, cancel; unknown ids throw', () => {
    const g = new RiskGate({ limits: {}, nowMs: T0 });
    const o = order();
    g.check(o, { nowMs: T0 });
    expect(g.openOrders()[0]).toMatchObject({ status: 'pending', remainingCentis: 1000 });
    g.recordAccepted(o.clientOrderId, T0);
    g.recordFill({ clientOrderId: o.clientOrderId, priceTicks: 4200, countCentis: 400 }, T0);
    expect(g.openOrders()[0]).toMatchObject({ status: 'resting', remainingCentis: 600, exposureMicros: 4200 * 600 });
    expect(() => g.recordFill({ clientOrderId: o.clientOrderId, priceTicks: 4200, countCentis: 700 }, T0)).toThrow(RiskStateError);
    g.recordCanceled(o.clientOrderId, T0);
    expect(g.openOrderCount).toBe(0);
    expect(() => g.recordCanceled(o.clientOrderId, T0)).toThrow(RiskStateError);
    expect(() => g.check({ ...order(), priceTicks: 42.5 }, { nowMs: T0 })).toThrow(RiskInputError);
    expect(() => g.check(order({ eventTicker: 'OTHER' }), { nowMs: T0 })).toThrow(RiskInputError);
  });
});

describe('RiskGate: daily PnL', () => {
  it('is exact in YES terms for NO fills and fees, and restarts at UTC midnight', () => {
    const g = new RiskGate({ limits: { maxDailyLossMicros: 500_000 }, nowMs: T0 });
    const o = order({ side: 'no', priceTicks: 3000, referencePriceTicks: 3000 }); // buy 10 NO at $0.30
    g.check(o, { nowMs: T0 });
    g.recordFill({ clientOrderId: o.clientOrderId, priceTicks: 3000, countCentis: 1000, feeMicros: 14_700 }, T0);
    expect(g.dayPnlMicros(T0)).toBe(-14_700); // marked at the fill: only the fee
    g.markToMarket('KXA-1', 8000, T0); // YES 0.80 -> NO 0.20: 10 x -$0.10
    expect(g.dayPnlMicros(T0)).toBe(-1_014_700);
    expect(limitsOf(g.check(order(), { nowMs: T0 }))).toEqual([expect.objectContaining({ limit: 'maxDailyLossMicros', wouldBeValue: 1_014_700 })]);
    const midnight = Date.UTC(2026, 7, 2);
    expect(g.dayPnlMicros(midnight - 1)).toBe(-1_014_700);
    expect(g.dayPnlMicros(midnight)).toBe(0);
    expect(g.check(order(), { nowMs: midnight }).ok).toBe(true);
    g.markToMarket('KXA-1', 7000, midnight + 1000); // NO back to 0.30: +$1.00 today
    expect(g.dayPnlMicros(midnight + 1000)).toBe(1_000_000);
    expect(g.dayPnlMicros(midnight - 5)).toBe(1_000_000); // a clock going backwards does not reopen yesterday
  });
});

describe('RiskGate: kill switch', () => {
  it('blocks every order and lists the open orders to cancel; disengaging needs a reason', () => {
    const ks = new KillSwitch();
    const g = new RiskGate({ limits: { priceCollarTicks: 0 }, nowMs: T0, killSwitch: ks });
    const a = order();
    const b = order({ marketTicker: 'KXB-1', eventTicker: 'KXB' });
    g.check(a, { nowMs: T0 });
    g.check(b, { nowMs: T0 });
    g.recordAccepted(a.clientOrderId, T0);
    expect(ks.engage('ops:alice', 'runaway fills', T0 + 5)).toBe(true);
    expect(ks.engagement).toEqual({ by: 'ops:alice', reason: 'runaway fills', atMs: T0 + 5 });
    const r = g.check(order({ priceTicks: 4300 }), { nowMs: T0 + 10 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reasons.map((x) => x.limit)).toEqual(['killSwitch', 'priceCollarTicks']);
    expect(r.mustCancel.map((o) => o.clientOrderId)).toEqual([a.clientOrderId, b.clientOrderId]);
    expect(g.ordersToCancel()).toHaveLength(2);
    expect(g.check(order(), { nowMs: T0 + 10 }).ok).toBe(false);
    expect(() => ks.disengage('ops:alice', '  ', T0 + 20)).toThrow(RiskInputError);
    expect(ks.engaged).toBe(true);
    expect(ks.disengage('ops:bob', 'root cause fixed', T0 + 30)).toBe(true);
    expect(ks.history.map((e) => e.action)).toEqual(['engage', 'disengage']);
    expect(g.ordersToCancel()).toEqual([]);
    expect(g.check(order(), { nowMs: T0 + 40 }).ok).toBe(true);
  });
});

describe('RiskGate with a circuit breaker', () => {
  it('rejects while open, uses the half-open trial, closes on acceptance', () => {
    const breaker = new CircuitBreaker({ maxConsecutiveRejects: 2, coolDownMs: 1000, maxCoolDownMs: 8000, halfOpenTrials: 1 });
    const g = new RiskGate({ limits: {}, nowMs: T0, breaker });
    for (let i = 0; i < 2; i++) {
      const o = order();
      expect(g.check(o, { nowMs: T0 }).ok).toBe(true);
      g.recordRejected(o.clientOrderId, T0);
    }
    expect(breaker.state).toBe('open');
    const r = g.check(order(), { nowMs: T0 + 999 });
    expect(!r.ok && r.reasons).toEqual([expect.objectContaining({ kind: 'state', limit: 'circuitBreaker', state: 'open' })]);
    const trial = order();
    expect(g.check(trial, { nowMs: T0 + 1000 }).ok).toBe(true);
    expect(breaker.state).toBe('half-open');
    expect(!g.check(order(), { nowMs: T0 + 1001 }).ok).toBe(true); // trial used up
    expect(g.recordAccepted(trial.clientOrderId, T0 + 1100)).toEqual([expect.objectContaining({ from: 'half-open', to: 'closed' })]);
    expect(g.check(order(), { nowMs: T0 + 1200 }).ok).toBe(true);
  });

  it('drawdown of the day PnL trips the breaker', () => {
    const breaker = new CircuitBreaker({ maxDrawdownMicros: 500_000, coolDownMs: 1000, maxCoolDownMs: 8000, halfOpenTrials: 1 });
    const g = new RiskGate({ limits: {}, nowMs: T0, breaker });
    const o = order({ priceTicks: 5000, referencePriceTicks: 5000 });
    g.check(o, { nowMs: T0 });
    g.recordFill({ clientOrderId: o.clientOrderId, priceTicks: 5000, countCentis: 1000 }, T0);
    g.markToMarket('KXA-1', 6000, T0 + 1); // +$1.00 peak
    expect(g.markToMarket('KXA-1', 5500, T0 + 2)).toEqual([]); // 10 x $0.05 = $0.50 below the peak: at the limit
    expect(g.markToMarket('KXA-1', 5400, T0 + 3)).toEqual([expect.objectContaining({ from: 'closed', to: 'open', cause: 'drawdown' })]);
    expect(breaker.drawdownMicros).toBe(600_000);
  });
});
