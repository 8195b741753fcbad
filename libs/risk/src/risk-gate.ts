import { ONE_DOLLAR, type DollarsMicros, type PriceTicks, type SizeCentis } from '@kalshi-platform/market';
import { CircuitBreaker, type BreakerTransition, utcDay } from './circuit-breaker';
import { KillSwitch } from './kill-switch';
import { type LimitRejection, type RiskLimitName, type RiskLimits, type RiskRejection, type RiskUnit, RiskInputError, RiskStateError, requireInt, validateLimits } from './limits';
import { DEFAULT_ORDER_BURST_MS, ORDER_RATE_TIERS, ORDER_WRITE_COST, CANCEL_WRITE_COST, WriteTokenBucket } from './rate';

/** Side of a Kalshi binary contract. */
export type OrderSide = 'yes' | 'no';
/** Order action. */
export type OrderAction = 'buy' | 'sell';

/** An order the strategy wants to send, as the gate sees it. */
export interface RiskOrder {
  /** the order's `client_order_id`, unique while the order is open; the key of every lifecycle call */
  clientOrderId: string;
  /** the signal the order comes from */
  signalId: string;
  /** when the signal was produced, epoch ms */
  signalTsMs: number;
  marketTicker: string;
  /** the event the market belongs to (for the per-event limit) */
  eventTicker: string;
  side: OrderSide;
  action: OrderAction;
  /** limit price of the order's side (the NO price for `side: 'no'`), 1/10000 $, 1..9999 */
  priceTicks: PriceTicks;
  /** size, 1/100 contract, > 0 */
  countCentis: SizeCentis;
  /** reference price of the same side for the collar (current best ask / fair), 1/10000 $, 0..10000 */
  referencePriceTicks: PriceTicks;
}

/** Per-call context: the injected clock. */
export interface RiskCheckContext {
  /** epoch ms */
  nowMs: number;
}

/** An order the gate counts as open: `pending` (admitted, no exchange answer yet) or `resting` (accepted). */
export interface OpenOrderView {
  clientOrderId: string;
  marketTicker: string;
  eventTicker: string;
  side: OrderSide;
  action: OrderAction;
  priceTicks: PriceTicks;
  /** unfilled remainder, 1/100 contract */
  remainingCentis: SizeCentis;
  status: 'pending' | 'resting';
  /** worst-case loss if the remainder fills and expires worthless, micro-dollars (see {@link orderExposureMicros}) */
  exposureMicros: DollarsMicros;
}

/** Outcome of {@link RiskGate.check}. */
export type RiskCheckResult =
  | { ok: true }
  | {
      ok: false;
      /** every failing check, not just the first */
      reasons: RiskRejection[];
      /** with the kill switch engaged: the open orders that must be canceled; empty otherwise */
      mustCancel: OpenOrderView[];
    };

/** A fill of an open order. */
export interface RiskFill {
  clientOrderId: string;
  /** fill price of the order's side (the NO price for a NO order), 1/10000 $ */
  priceTicks: PriceTicks;
  /** filled size, 1/100 contract, > 0 and <= the order's remainder */
  countCentis: SizeCentis;
  /** fee paid, micro-dollars (default 0) */
  feeMicros?: DollarsMicros;
}

/** Construction options of a {@link RiskGate}. */
export interface RiskGateOptions {
  limits: RiskLimits;
  /** the clock at construction, epoch ms (starts the UTC day and the rate bucket) */
  nowMs: number;
  /** shared kill switch (a fresh, disengaged one by default) */
  killSwitch?: KillSwitch;
  /** circuit breaker consulted by `check` and fed by the lifecycle calls (none by default) */
  breaker?: CircuitBreaker;
}

/**
 * Signed position change of an order or fill in 1/100 contract, in the gate's convention **+YES / -NO**:
 * buy YES and sell NO add, sell YES and buy NO subtract (Kalshi nets YES and NO of one market the same way).
 */
export function positionDeltaCentis(side: OrderSide, action: OrderAction, countCentis: SizeCentis): SizeCentis {
  return (side === 'yes') === (action === 'buy') ? countCentis : -countCentis;
}

/** Notional of an order, `priceTicks x countCentis`, micro-dollars (1e-4 $ x 1e-2 contract = 1e-6 $). */
export function orderNotionalMicros(priceTicks: PriceTicks, countCentis: SizeCentis): DollarsMicros {
  return priceTicks * countCentis;
}

/**
 * Worst-case loss of an order if it fills and the contract it ends up long expires worthless, micro-dollars: a buy
 * risks its cost `price x count`; a sell risks `($1 - price) x count` (selling a side you do not hold is buying
 * the other side at `$1 - price`). Conservative for sells that close a position.
 */
export function orderExposureMicros(action: OrderAction, priceTicks: PriceTicks, countCentis: SizeCentis): DollarsMicros {
  return (action === 'buy' ? priceTicks : ONE_DOLLAR - priceTicks) * countCentis;
}

/** An open order as the gate keeps it (its exposure is derived when viewed). */
type OpenOrder = Omit<OpenOrderView, 'exposureMicros'>;

interface MarketState {
  eventTicker: string;
  /** +YES / -NO, 1/100 contract */
  positionCentis: SizeCentis;
  /** last YES mark, 1/10000 $ (undefined until a mark, fill or loaded position) */
  markTicks: PriceTicks | undefined;
  /** value of the position at the start of the UTC day (or when first seen), micro-dollars, YES terms */
  dayStartValueMicros: DollarsMicros;
}

/**
 * The pre-trade risk gate: pure state and checks on an injected clock, no I/O.
 *
 * State: the position of each market (signed centis, **+YES / -NO**, see {@link positionDeltaCentis}) and the event
 * it belongs to; the open orders (`pending` from a successful `check` until the exchange answers, then `resting`)
 * with their remainders and worst-case exposure; the PnL of the UTC day (realised + unrealised, fees included,
 * micro-dollars), which restarts from 0 at each UTC midnight the clock crosses.
 *
 * PnL is kept in YES terms, which is exact for netted Kalshi positions: a fill moves cash by `-delta x yesPrice`
 * (a NO price `q` is the YES price `$1 - q`), and the position is worth `position x yesMark`. Day PnL =
 * cash flows of the day - fees of the day + sum over markets of (value now - value at the day's start).
 *
 * Worst-case accounting: every open order counts toward the position limits as if it filled. A market's worst-case
 * |position| is `max(position + all open deltas > 0, -(position + all open deltas < 0))`; an order is rejected by a
 * position limit only if it raises that worst case above the limit (orders that reduce risk always pass).
 *
 * Lifecycle: `check` (on ok the order becomes pending and takes {@link ORDER_WRITE_COST} write tokens) ->
 * `recordAccepted` / `recordRejected` / `recordOrderError` -> `recordFill`* -> `recordCanceled` (or filled out).
 * With a breaker: `check` needs its permission (using a half-open trial), accepted = success, rejected = reject,
 * `recordOrderError`/`recordError` = error, PnL changes = equity readings (the day PnL).
 */
export class RiskGate {
  private limitsValue: RiskLimits;
  private bucket: WriteTokenBucket | undefined;
  private readonly markets = new Map<string, MarketState>();
  private readonly orders = new Map<string, OpenOrder>();
  private day: number;
  private dayCashMicros = 0;
  private dayFeesMicros = 0;
  readonly killSwitch: KillSwitch;
  readonly breaker: CircuitBreaker | undefined;

  /** @throws RiskInputError on invalid limits or clock */
  constructor(options: RiskGateOptions) {
    requireFinite('nowMs', options.nowMs);
    validateLimits(options.limits);
    this.limitsValue = { ...options.limits };
    this.bucket = makeBucket(this.limitsValue, options.nowMs);
    this.day = utcDay(options.nowMs);
    this.killSwitch = options.killSwitch ?? new KillSwitch();
    this.breaker = options.breaker;
  }

  /** The limits in force (a copy). */
  get limits(): RiskLimits {
    return { ...this.limitsValue };
  }

  /**
   * Replaces the limits; a change of rate tier or burst restarts the order bucket full.
   * @throws RiskInputError on invalid limits
   */
  setLimits(limits: RiskLimits, nowMs: number): void {
    validateLimits(limits);
    const old = this.limitsValue;
    this.limitsValue = { ...limits };
    if (old.orderRateTier !== limits.orderRateTier || old.orderRateBurstMs !== limits.orderRateBurstMs) this.bucket = makeBucket(this.limitsValue, nowMs);
  }

  /**
   * Pre-trade check of one order. Reports every failing check: the kill switch, the circuit breaker, then each
   * configured limit with its value and the would-be value. On ok the order is recorded as pending (it counts as
   * open and toward positions as if filled), {@link ORDER_WRITE_COST} tokens are taken from the rate bucket and, with a
   * half-open breaker, one trial is used. On rejection nothing changes (except time-driven breaker transitions).
   * @throws RiskInputError on a malformed order, a duplicate open `clientOrderId`, or a market already seen under another event
   */
  check(order: RiskOrder, context: RiskCheckContext): RiskCheckResult {
    const now = context.nowMs;
    requireFinite('nowMs', now);
    validateOrder(order);
    if (this.orders.has(order.clientOrderId)) throw new RiskInputError(`check: order ${order.clientOrderId} is already open`);
    const known = this.markets.get(order.marketTicker);
    if (known && known.eventTicker !== order.eventTicker) {
      throw new RiskInputError(`check: market ${order.marketTicker} belongs to event ${known.eventTicker}, not ${order.eventTicker}`);
    }
    this.rollDay(now);
    this.breaker?.poll(now);

    const reasons: RiskRejection[] = [];
    const e = this.killSwitch.engagement;
    if (e) {
      reasons.push({ kind: 'state', limit: 'killSwitch', state: 'engaged', message: `kill switch engaged by ${e.by} at ${e.atMs}: ${e.reason}` });
    }
    if (this.breaker && !this.breaker.permits) {
      const b = this.breaker;
      const msg = b.state === 'open' ? `circuit breaker open until ${b.reopensAtMs}` : 'circuit breaker half-open with no trial orders left';
      reasons.push({ kind: 'state', limit: 'circuitBreaker', state: b.state, message: msg });
    }

    const L = this.limitsValue;
    const delta = positionDeltaCentis(order.side, order.action, order.countCentis);
    const limit = (name: RiskLimitName, limitValue: number | undefined, wouldBe: number, unit: RiskUnit, before = -Infinity): void => {
      if (limitValue !== undefined && wouldBe > limitValue && wouldBe > before) reasons.push(rejection(name, limitValue, wouldBe, unit));
    };
    if (L.maxPositionCentisPerMarket !== undefined) {
      limit('maxPositionCentisPerMarket', L.maxPositionCentisPerMarket, this.worstAbsCentis(order.marketTicker, delta), 'centis', this.worstAbsCentis(order.marketTicker, 0));
    }
    if (L.maxPositionCentisPerEvent !== undefined) {
      const before = this.eventWorstCentis(order.eventTicker, order.marketTicker, 0);
      limit('maxPositionCentisPerEvent', L.maxPositionCentisPerEvent, this.eventWorstCentis(order.eventTicker, order.marketTicker, delta), 'centis', before);
    }
    limit('maxOpenOrders', L.maxOpenOrders, this.orders.size + 1, 'orders');
    limit('maxOrderNotionalMicros', L.maxOrderNotionalMicros, orderNotionalMicros(order.priceTicks, order.countCentis), 'micros');
    limit('maxDailyLossMicros', L.maxDailyLossMicros, Math.max(0, -this.dayPnlMicros(now)), 'micros');
    limit('priceCollarTicks', L.priceCollarTicks, Math.abs(order.priceTicks - order.referencePriceTicks), 'ticks');
    limit('maxSignalAgeMs', L.maxSignalAgeMs, now - order.signalTsMs, 'ms');
    if (this.bucket && !this.bucket.canTake(ORDER_WRITE_COST, now)) {
      const b = this.bucket;
      const inUseMilli = b.capacityMilli - b.availableMilli(now) + ORDER_WRITE_COST * 1000;
      reasons.push(rejection('orderRate', b.capacity, Math.ceil(inUseMilli / 1000), 'tokens'));
    }

    if (reasons.length > 0) return { ok: false, reasons, mustCancel: this.killSwitch.engaged ? this.openOrders() : [] };

    this.bucket?.take(ORDER_WRITE_COST, now);
    this.breaker?.tryAcquire(now);
    if (!known) this.markets.set(order.marketTicker, { eventTicker: order.eventTicker, positionCentis: 0, markTicks: undefined, dayStartValueMicros: 0 });
    this.orders.set(order.clientOrderId, {
      clientOrderId: order.clientOrderId,
      marketTicker: order.marketTicker,
      eventTicker: order.eventTicker,
      side: order.side,
      action: order.action,
      priceTicks: order.priceTicks,
      remainingCentis: order.countCentis,
      status: 'pending',
    });
    return { ok: true };
  }

  /**
   * The exchange accepted a pending order: it rests (still open). Counts as a breaker success. A repeated
   * acceptance of a resting order changes nothing.
   * @throws RiskStateError for an order that is not open
   */
  recordAccepted(clientOrderId: string, nowMs: number): BreakerTransition[] {
    const o = this.openOrder('recordAccepted', clientOrderId);
    if (o.status === 'resting') return [];
    o.status = 'resting';
    return this.breaker?.recordSuccess(nowMs) ?? [];
  }

  /**
   * The exchange rejected an order: it is no longer open. Counts as a breaker reject.
   * @throws RiskStateError for an order that is not open
   */
  recordRejected(clientOrderId: string, nowMs: number): BreakerTransition[] {
    this.openOrder('recordRejected', clientOrderId);
    this.orders.delete(clientOrderId);
    return this.breaker?.recordReject(nowMs) ?? [];
  }

  /**
   * Sending an order failed (transport error, timeout, 5xx) and it is known not to rest: it is no longer open.
   * Counts as a breaker error.
   * @throws RiskStateError for an order that is not open
   */
  recordOrderError(clientOrderId: string, nowMs: number): BreakerTransition[] {
    this.openOrder('recordOrderError', clientOrderId);
    this.orders.delete(clientOrderId);
    return this.breaker?.recordError(nowMs) ?? [];
  }

  /** An error not tied to one order (e.g. the order stream dropped): a breaker error. */
  recordError(nowMs: number): BreakerTransition[] {
    return this.breaker?.recordError(nowMs) ?? [];
  }

  /**
   * An order was canceled (by us, the kill switch, or the exchange): its remainder is no longer open. A cancel
   * request costs {@link CANCEL_WRITE_COST} write tokens, debited from the order bucket (never blocked).
   * @throws RiskStateError for an order that is not open
   */
  recordCanceled(clientOrderId: string, nowMs: number): void {
    this.openOrder('recordCanceled', clientOrderId);
    this.orders.delete(clientOrderId);
    this.bucket?.debit(CANCEL_WRITE_COST, nowMs);
  }

  /**
   * A fill: moves the position by the fill's signed delta, books the cash flow and fee into the day's PnL, reduces
   * the order's remainder (the order leaves the open set when it reaches 0). A fill of a pending order implies
   * the exchange accepted it. The market's mark is set to the fill price if it has none.
   * @returns breaker transitions (the acceptance and the new equity reading)
   * @throws RiskInputError on a malformed fill; RiskStateError for an order that is not open or a fill larger than its remainder
   */
  recordFill(fill: RiskFill, nowMs: number): BreakerTransition[] {
    requireFinite('nowMs', nowMs);
    requireInt('fill.priceTicks', fill.priceTicks);
    if (fill.priceTicks > ONE_DOLLAR) throw new RiskInputError(`fill.priceTicks: ${fill.priceTicks} > ${ONE_DOLLAR}`);
    requireInt('fill.countCentis', fill.countCentis, 1);
    const fee = fill.feeMicros ?? 0;
    requireInt('fill.feeMicros', fee);
    const o = this.openOrder('recordFill', fill.clientOrderId);
    if (fill.countCentis > o.remainingCentis) {
      throw new RiskStateError(`recordFill: ${fill.countCentis} centis > remainder ${o.remainingCentis} of order ${o.clientOrderId}`);
    }
    this.rollDay(nowMs);
    const out: BreakerTransition[] = [];
    if (o.status === 'pending') out.push(...this.recordAccepted(o.clientOrderId, nowMs));
    const m = this.markets.get(o.marketTicker);
    if (!m) throw new RiskStateError(`recordFill: market ${o.marketTicker} of order ${o.clientOrderId} is unknown`); // unreachable: check registers it
    const yesPrice = o.side === 'yes' ? fill.priceTicks : ONE_DOLLAR - fill.priceTicks;
    const delta = positionDeltaCentis(o.side, o.action, fill.countCentis);
    this.dayCashMicros -= delta * yesPrice;
    this.dayFeesMicros += fee;
    m.positionCentis += delta;
    if (m.markTicks === undefined) m.markTicks = yesPrice;
    o.remainingCentis -= fill.countCentis;
    if (o.remainingCentis === 0) this.orders.delete(o.clientOrderId);
    out.push(...this.feedEquity(nowMs));
    return out;
  }

  /**
   * Mark-to-market: the market's YES mark (e.g. the mid or last trade), 1/10000 $. Moves the unrealised part of the
   * day's PnL. Unknown markets are ignored (no position, nothing to mark).
   * @throws RiskInputError on a mark outside 0..10000
   */
  markToMarket(marketTicker: string, yesMarkTicks: PriceTicks, nowMs: number): BreakerTransition[] {
    requireFinite('nowMs', nowMs);
    requirePrice('yesMarkTicks', yesMarkTicks);
    this.rollDay(nowMs);
    const m = this.markets.get(marketTicker);
    if (!m) return [];
    m.markTicks = yesMarkTicks;
    return this.feedEquity(nowMs);
  }

  /**
   * Loads a position without booking PnL (start-up or reconciliation with the exchange's portfolio): the day's
   * start value moves with the position's value, so the day PnL is unchanged.
   * @throws RiskInputError on a non-integer position, a mark outside 0..10000, or a market already seen under another event
   */
  loadPosition(marketTicker: string, eventTicker: string, positionCentis: SizeCentis, yesMarkTicks: PriceTicks, nowMs: number): void {
    requireFinite('nowMs', nowMs);
    if (!Number.isSafeInteger(positionCentis)) throw new RiskInputError(`positionCentis: ${positionCentis} is not an integer`);
    requirePrice('yesMarkTicks', yesMarkTicks);
    this.rollDay(nowMs);
    let m = this.markets.get(marketTicker);
    if (m && m.eventTicker !== eventTicker) throw new RiskInputError(`loadPosition: market ${marketTicker} belongs to event ${m.eventTicker}, not ${eventTicker}`);
    if (!m) {
      m = { eventTicker, positionCentis: 0, markTicks: undefined, dayStartValueMicros: 0 };
      this.markets.set(marketTicker, m);
    }
    const before = valueMicros(m);
    m.positionCentis = positionCentis;
    m.markTicks = yesMarkTicks;
    m.dayStartValueMicros += valueMicros(m) - before;
  }

  /**
   * Re-admits an order that was already open before a restart (loaded from the order store or found at the exchange
   * by reconciliation), without a check, rate tokens or a breaker trial. A second restore of the same id updates its
   * remainder and status.
   * @throws RiskInputError on a malformed order or a market already seen under another event
   */
  restoreOrder(order: Omit<OpenOrderView, 'exposureMicros'>): void {
    for (const k of ['clientOrderId', 'marketTicker', 'eventTicker'] as const) {
      if (typeof order[k] !== 'string' || order[k] === '') throw new RiskInputError(`restoreOrder: order.${k} must be a non-empty string`);
    }
    requireInt('order.priceTicks', order.priceTicks, 1);
    requireInt('order.remainingCentis', order.remainingCentis, 1);
    const known = this.markets.get(order.marketTicker);
    if (known && known.eventTicker !== order.eventTicker) throw new RiskInputError(`restoreOrder: market ${order.marketTicker} belongs to event ${known.eventTicker}, not ${order.eventTicker}`);
    if (!known) this.markets.set(order.marketTicker, { eventTicker: order.eventTicker, positionCentis: 0, markTicks: undefined, dayStartValueMicros: 0 });
    this.orders.set(order.clientOrderId, { ...order });
  }

  /** Whether `clientOrderId` is open (pending or resting) in the gate. */
  isOpen(clientOrderId: string): boolean {
    return this.orders.has(clientOrderId);
  }

  /** Position of a market, 1/100 contract, +YES / -NO (0 for an unknown market). */
  positionCentis(marketTicker: string): SizeCentis {
    return this.markets.get(marketTicker)?.positionCentis ?? 0;
  }

  /** Worst-case |position| of a market with every open order filled in its direction, 1/100 contract. */
  worstCasePositionCentis(marketTicker: string): SizeCentis {
    return this.worstAbsCentis(marketTicker, 0);
  }

  /** Sum of the worst-case |position| of the event's markets, 1/100 contract. */
  worstCaseEventPositionCentis(eventTicker: string): SizeCentis {
    return this.eventWorstCentis(eventTicker, undefined, 0);
  }

  /** The open orders (pending and resting), in admission order. */
  openOrders(): OpenOrderView[] {
    return [...this.orders.values()].map((o) => ({ ...o, exposureMicros: orderExposureMicros(o.action, o.priceTicks, o.remainingCentis) }));
  }

  /** Number of open orders. */
  get openOrderCount(): number {
    return this.orders.size;
  }

  /** Total worst-case exposure of the open orders, micro-dollars. */
  openOrderExposureMicros(): DollarsMicros {
    let sum = 0;
    for (const o of this.orders.values()) sum += orderExposureMicros(o.action, o.priceTicks, o.remainingCentis);
    return sum;
  }

  /** The open orders to cancel now: all of them while the kill switch is engaged, none otherwise. */
  ordersToCancel(): OpenOrderView[] {
    return this.killSwitch.engaged ? this.openOrders() : [];
  }

  /** PnL of the current UTC day (realised + unrealised - fees), micro-dollars; crossing midnight restarts it at 0. */
  dayPnlMicros(nowMs: number): DollarsMicros {
    this.rollDay(nowMs);
    let pnl = this.dayCashMicros - this.dayFeesMicros;
    for (const m of this.markets.values()) pnl += valueMicros(m) - m.dayStartValueMicros;
    return pnl;
  }

  private feedEquity(nowMs: number): BreakerTransition[] {
    return this.breaker?.recordEquity(this.dayPnlMicros(nowMs), nowMs) ?? [];
  }

  private rollDay(nowMs: number): void {
    const d = utcDay(nowMs);
    if (d <= this.day) return; // a clock going backwards never reopens a past day
    this.day = d;
    this.dayCashMicros = 0;
    this.dayFeesMicros = 0;
    for (const m of this.markets.values()) m.dayStartValueMicros = valueMicros(m);
  }

  private openOrder(what: string, clientOrderId: string): OpenOrder {
    const o = this.orders.get(clientOrderId);
    if (!o) throw new RiskStateError(`${what}: order ${clientOrderId} is not open`);
    return o;
  }

  private worstAbsCentis(marketTicker: string, extraDelta: SizeCentis): SizeCentis {
    const pos = this.markets.get(marketTicker)?.positionCentis ?? 0;
    let up = pos + Math.max(0, extraDelta);
    let down = pos + Math.min(0, extraDelta);
    for (const o of this.orders.values()) {
      if (o.marketTicker !== marketTicker) continue;
      const d = positionDeltaCentis(o.side, o.action, o.remainingCentis);
      if (d > 0) up += d;
      else down += d;
    }
    return Math.max(0, up, -down);
  }

  private eventWorstCentis(eventTicker: string, orderMarket: string | undefined, extraDelta: SizeCentis): SizeCentis {
    let sum = 0;
    for (const [ticker, m] of this.markets) if (m.eventTicker === eventTicker && ticker !== orderMarket) sum += this.worstAbsCentis(ticker, 0);
    if (orderMarket !== undefined) sum += this.worstAbsCentis(orderMarket, extraDelta);
    return sum;
  }
}

function valueMicros(m: MarketState): DollarsMicros {
  return m.markTicks === undefined ? 0 : m.positionCentis * m.markTicks;
}

function makeBucket(limits: RiskLimits, nowMs: number): WriteTokenBucket | undefined {
  if (limits.orderRateTier === undefined) return undefined;
  const tier = ORDER_RATE_TIERS[limits.orderRateTier];
  if (!tier) throw new RiskInputError(`limits.orderRateTier: unknown tier ${String(limits.orderRateTier)}`);
  return new WriteTokenBucket(tier.writePerSec, limits.orderRateBurstMs ?? DEFAULT_ORDER_BURST_MS, nowMs);
}

function rejection(limit: RiskLimitName, limitValue: number, wouldBeValue: number, unit: RiskUnit): LimitRejection {
  return { kind: 'limit', limit, limitValue, wouldBeValue, unit, message: `${limit}: ${wouldBeValue} ${unit} > limit ${limitValue}` };
}

function requireFinite(what: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RiskInputError(`${what}: ${String(v)} is not a finite number`);
}

function requirePrice(what: string, v: number): void {
  requireInt(what, v);
  if (v > ONE_DOLLAR) throw new RiskInputError(`${what}: ${v} > ${ONE_DOLLAR}`);
}

function validateOrder(o: RiskOrder): void {
  if (!o || typeof o !== 'object') throw new RiskInputError('order: not an object');
  for (const k of ['clientOrderId', 'signalId', 'marketTicker', 'eventTicker'] as const) {
    if (typeof o[k] !== 'string' || o[k] === '') throw new RiskInputError(`order.${k}: a non-empty string is required`);
  }
  if (o.side !== 'yes' && o.side !== 'no') throw new RiskInputError(`order.side: ${String(o.side)} is not yes|no`);
  if (o.action !== 'buy' && o.action !== 'sell') throw new RiskInputError(`order.action: ${String(o.action)} is not buy|sell`);
  requireInt('order.priceTicks', o.priceTicks, 1);
  if (o.priceTicks >= ONE_DOLLAR) throw new RiskInputError(`order.priceTicks: ${o.priceTicks} is not below ${ONE_DOLLAR}`);
  requirePrice('order.referencePriceTicks', o.referencePriceTicks);
  requireInt('order.countCentis', o.countCentis, 1);
  requireFinite('order.signalTsMs', o.signalTsMs);
}
