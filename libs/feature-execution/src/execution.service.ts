/**
 * The execution service (issue #5 item 6): trading signals in, orders out, every order, fill and position accounted for.
 *
 * Flow of a signal (`signal.v1.trade.<kind>`, SignalV1): decode (malformed -> counted, skipped) -> kind traded? ->
 * not expired? -> for each leg: `client_order_id = clientOrderIdFor(signal.id, leg)` (deterministic: a redelivered or
 * re-emitted signal maps to the same id, and an id already stored is never sent again) -> the pre-trade RiskGate
 * (position per market / event, open orders, notional, daily loss, price collar vs the current ask, signal age, the
 * account tier's order rate, circuit breaker, kill switch; every rejection counted per rule and audited) -> the order
 * row is written as `pending` BEFORE it is sent (write-ahead: a crash after sending leaves a row that reconciliation
 * matches by client_order_id) -> REST or FIX -> the answer drives the explicit state machine of libs/execution
 * (pending -> resting -> partially_filled -> executed / canceled / rejected).
 *
 * Fills come once, from the WebSocket `fill` channel (and `GET /portfolio/fills` when reconciling), keyed by
 * `<trade_id>:<order_id>` (both sources carry those; Kalshi's `fill_id` is absent from the WebSocket), applied to the
 * PositionLedger (positions, average-cost realized PnL, fees) and stored. `user_orders` frames carry the exchange's
 * view of each order. Positions are the account's: fills of orders that are not ours are applied too (reported as
 * foreign), so local positions equal the exchange's.
 *
 * Reconciliation against `GET /portfolio/orders|fills|positions` runs at start (before any signal is handled), after
 * every WebSocket reconnect, periodically, after an order whose outcome is unknown, and on request. It tolerates
 * Kalshi's read-after-write lag: an order missing from the exchange's list is only declared lost after the grace
 * period.
 *
 * The kill switch (bus `ctl.v1.execution.kill`, HTTP `POST /kill-switch`, CLI `kalshi-platform kill-switch`) engages
 * the gate's switch (every later order is refused), trips the breaker, and cancels every open order of the account,
 * then lists the resting orders again and reports how many are left (0 unless a cancel failed).
 *
 * Everything that changes state runs on one serial queue, so a fill never interleaves with the order it belongs to.
 *
 * Metrics (libs/telemetry): its counters, orders, breaker and kill switch are read at scrape time
 * (`kalshi_execution_*`, `kalshi_bus_*_total{app="execution"}`, `kalshi_exchange_rate_limited_total`); each traded
 * signal is timed from its arrival to the end of its handling (orders sent or refused:
 * `kalshi_stage_latency_seconds{stage="execution"}`), and the consume lag is observed from a signal's `createdTsMs`
 * and a BBO's `tsMs`.
 */
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ClientNats, type ClientProxy } from '@nestjs/microservices';
import {
  BUS_CLIENT,
  decodeBboV1,
  decodeKillSwitchCommandV1,
  decodeSignalV1,
  subjects,
  type ExecutionPortfolioV1,
  type ExecutionStatusV1,
  type FillV1,
  type KillSwitchResultV1,
  type OrderStatusV1,
  type OrderUpdateV1,
  type ReconcileReportV1,
  type SignalV1,
} from '@kalshi-platform/bus';
import {
  applyOrderEvent,
  clientOrderIdFor,
  isOpenStatus,
  newOrder,
  OrderTransitionError,
  planReconcile,
  PositionLedger,
  type ExchangeOrderView,
  type LedgerFill,
  type OrderEvent,
  type OrderState,
} from '@kalshi-platform/execution';
import { decodeFills, decodeOrders, decodePositions, KalshiRestClient, KalshiWsClient, type WsFrame } from '@kalshi-platform/kalshi';
import { ONE_DOLLAR } from '@kalshi-platform/market';
import { natsCheck, postgresCheck, redactUrl, type HealthCheck } from '@kalshi-platform/feature-health';
import { CircuitBreaker, KillSwitch, RiskGate, type RiskRejection } from '@kalshi-platform/risk';
import { registerCollector, stageProbe, type Unregister } from '@kalshi-platform/telemetry';
import type { ExecutionConfig } from './execution.config';
import { ExecutionStore } from './execution.store';
import { exchangeOrderView, type OrderRoute } from './order-route';
import { SpanKind, withSpan } from '@kalshi-platform/telemetry';
import { EXECUTION_CONFIG, EXECUTION_DEPS } from './tokens';

/** What the service is given besides its config. */
export interface ExecutionDeps {
  store: ExecutionStore;
  route: OrderRoute;
  rest: KalshiRestClient;
  /** null = no WebSocket (fills only through reconciliation) */
  ws: KalshiWsClient | null;
  /** epoch ms (tests inject one) */
  clock?: () => number;
}

const ORDER_STATUSES: OrderStatusV1[] = ['pending', 'resting', 'partially_filled', 'executed', 'canceled', 'rejected'];
const FOREIGN = 'foreign';

/** See the module docstring. */
@Injectable()
export class ExecutionService implements OnModuleDestroy {
  private readonly logger = new Logger('execution');
  private readonly clock: () => number;
  readonly gate: RiskGate;
  private readonly ledger = new PositionLedger();
  private readonly orders = new Map<string, OrderState>();
  private readonly cidByOrderId = new Map<string, string>();
  /** per client_order_id: centis filled according to the fills applied (vs the exchange's order view) */
  private readonly fillSum = new Map<string, number>();
  private readonly fills: LedgerFill[] = [];
  private readonly marks = new Map<string, { yesBidTicks: number | null; yesAskTicks: number | null }>();
  private readonly eventOf = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private readyResolve!: () => void;
  private readonly ready = new Promise<void>((r) => (this.readyResolve = r));
  private started = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private wsConnectedOnce = false;
  private periodicQueued = false;
  private lastReconcile: ReconcileReportV1 | null = null;
  private readonly counters = {
    signalsReceived: 0,
    signalsRejected: 0,
    signalsExpired: 0,
    signalsDuplicate: 0,
    signalsIgnored: 0,
    ordersSent: 0,
    fills: 0,
    reconciles: 0,
    exchangeErrors: 0,
    stateAnomalies: 0,
  };
  private readonly riskRejections: Record<string, number> = {};
  /** bus messages: BBOs received, orders and fills published (metrics) */
  private bbosReceived = 0;
  private published = 0;
  private readonly stage = stageProbe('execution');
  private unregisterMetrics: Unregister | null = null;

  constructor(
    @Inject(EXECUTION_CONFIG) private readonly cfg: ExecutionConfig,
    @Inject(BUS_CLIENT) private readonly bus: ClientProxy,
    @Inject(EXECUTION_DEPS) private readonly deps: ExecutionDeps,
  ) {
    this.clock = deps.clock ?? Date.now;
    const now = this.clock();
    this.gate = new RiskGate({ limits: cfg.limits, nowMs: now, killSwitch: new KillSwitch(), breaker: new CircuitBreaker(cfg.breaker) });
    this.unregisterMetrics = registerCollector(
      'execution',
      () => {
        const st = this.status();
        return {
          published: this.published,
          consumed: st.signalsReceived + this.bbosReceived,
          ordersByState: st.ordersByStatus,
          ordersSent: st.ordersSent,
          fills: st.fills,
          riskRejections: st.riskRejections,
          breakerState: st.breaker.state,
          killSwitchEngaged: st.killSwitch.engaged,
          positionMismatches: this.lastReconcile?.positionMismatches.length ?? 0,
          rateLimited: this.deps.rest.rateLimited,
        };
      },
      this,
    );
  }

  // ---------------------------------------------------------------------------------------------------------------
  // lifecycle

  /**
   * Loads orders, fills and positions from the store, connects the route and the WebSocket (`fill`, `user_orders`),
   * reconciles with the exchange, then starts handling signals and the periodic reconciliation.
   * @throws when the store, the route or the first reconciliation fails (the app must not trade blind)
   */
  async start(): Promise<ReconcileReportV1> {
    if (this.started) throw new Error('execution: already started');
    this.started = true;
    if (this.cfg.mode === 'live') {
      const bar = '!'.repeat(78);
      this.logger.warn(`\n${bar}\n!! EXECUTION_MODE=live: REAL ORDERS with REAL MONEY on ${this.cfg.restUrl}\n!! limits ${JSON.stringify(this.cfg.limits)}\n${bar}`);
    } else {
      this.logger.log(`paper mode: orders go to ${this.cfg.restUrl} (not Kalshi's production API)`);
    }
    const now = this.clock();
    for (const o of await this.deps.store.loadOrders()) {
      this.orders.set(o.clientOrderId, o);
      if (o.orderId) this.cidByOrderId.set(o.orderId, o.clientOrderId);
      if (o.eventTicker) this.eventOf.set(o.marketTicker, o.eventTicker);
    }
    for (const f of await this.deps.store.loadFills()) {
      if (this.ledger.applyFill(f)) {
        this.fills.push(f);
        const cid = f.clientOrderId ?? this.cidByOrderId.get(f.orderId);
        if (cid) this.fillSum.set(cid, (this.fillSum.get(cid) ?? 0) + f.countCentis);
      }
    }
    for (const p of this.ledger.positions()) {
      if (p.positionCentis !== 0) this.gate.loadPosition(p.marketTicker, this.eventOf.get(p.marketTicker) ?? p.marketTicker, p.positionCentis, this.markOf(p.marketTicker, p.positionCentis), now);
    }
    for (const o of this.orders.values()) if (isOpenStatus(o.status)) this.restoreInGate(o);
    await this.deps.route.start();
    if (this.deps.ws) {
      const ws = this.deps.ws;
      ws.on('frame', (f: WsFrame) => this.onFrame(f));
      ws.on('connected', () => {
        if (this.wsConnectedOnce) void this.serial(() => this.reconcileNow('reconnect')).catch(() => undefined);
        this.wsConnectedOnce = true;
      });
      ws.subscribeChannel('fill');
      ws.subscribeChannel('user_orders');
      await ws.start();
    }
    const report = await this.serial(() => this.reconcileNow('start'));
    this.timer = setInterval(() => {
      if (this.periodicQueued) return; // never pile periodic reconciliations up behind a slow exchange
      this.periodicQueued = true;
      void this.serial(() => this.reconcileNow('periodic'))
        .catch(() => undefined)
        .finally(() => (this.periodicQueued = false));
    }, this.cfg.reconcileIntervalMs);
    this.timer.unref?.();
    this.readyResolve();
    return report;
  }

  /** Stops the timer, the WebSocket and the route; waits for queued work. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unregisterMetrics?.();
    this.unregisterMetrics = null;
    if (this.timer) clearInterval(this.timer);
    this.deps.ws?.close();
    await this.queue.catch(() => undefined);
    await this.deps.route.close().catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  /** Resolves once everything queued so far has run (tests and reports). */
  async idle(): Promise<void> {
    let q: Promise<unknown>;
    do {
      q = this.queue;
      await q.catch(() => undefined);
    } while (q !== this.queue);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // inputs

  /** A signal from the bus. Never throws: malformed -> counted and skipped. */
  onSignal(data: unknown): void {
    const t0 = this.stage.begin();
    this.counters.signalsReceived++;
    let s: SignalV1;
    try {
      s = decodeSignalV1(data);
    } catch (e) {
      this.counters.signalsRejected++;
      if (this.counters.signalsRejected <= 20) this.logger.warn(`rejected signal message: ${(e as Error).message}`);
      return;
    }
    this.stage.lag(s.createdTsMs);
    if (!this.cfg.kinds.includes(s.kind)) {
      this.counters.signalsIgnored++;
      return;
    }
    void this.ready
      .then(() => this.serial(() => this.handleSignal(s)))
      .then(() => this.stage.end(t0))
      .catch((e) => this.logger.error(`signal ${s.id}: ${(e as Error).message}`));
  }

  /** A BBO from the ticker plant: the marks (unrealized PnL, the gate's day PnL) and the collar's reference asks. */
  onBbo(data: unknown): void {
    this.bbosReceived++;
    let b;
    try {
      b = decodeBboV1(data);
    } catch {
      return;
    }
    this.stage.lag(b.tsMs);
    if (!b.valid) {
      this.marks.delete(b.marketTicker);
      return;
    }
    const yesBid = b.yesBidTicks > 0 && b.yesBidSizeCentis > 0 ? b.yesBidTicks : null;
    const yesAsk = b.noBidTicks > 0 && b.noBidSizeCentis > 0 ? ONE_DOLLAR - b.noBidTicks : null;
    this.marks.set(b.marketTicker, { yesBidTicks: yesBid, yesAskTicks: yesAsk });
    if (yesBid !== null && yesAsk !== null) {
      try {
        this.gate.markToMarket(b.marketTicker, Math.floor((yesBid + yesAsk) / 2), this.clock());
      } catch {
        /* a crossed or odd book: no mark */
      }
    }
  }

  private onFrame(f: WsFrame): void {
    if (f.type === 'fill') {
      const price = f.side === 'yes' ? f.yesPriceTicks : (f.noPriceTicks ?? ONE_DOLLAR - f.yesPriceTicks);
      const fill: LedgerFill = {
        fillId: `${f.tradeId}:${f.orderId}`,
        tradeId: f.tradeId,
        orderId: f.orderId,
        clientOrderId: f.clientOrderId ?? null,
        marketTicker: f.marketTicker,
        side: f.side,
        action: f.action,
        priceTicks: price,
        countCentis: f.countCentis,
        feeMicros: f.feeCostMicros ?? 0,
        isTaker: f.isTaker,
        tsMs: f.tsMs,
      };
      void this.serial(() => this.applyFill(fill)).catch((e) => this.logger.error(`fill ${fill.fillId}: ${(e as Error).message}`));
    } else if (f.type === 'user_order') {
      const view: ExchangeOrderView = {
        orderId: f.orderId,
        clientOrderId: f.clientOrderId,
        marketTicker: f.ticker,
        side: f.side ?? 'yes',
        action: 'buy',
        status: f.status ?? 'resting',
        filledCentis: f.fillCountCentis ?? 0,
        remainingCentis: f.remainingCountCentis ?? 0,
      };
      void this.serial(() => this.applyExchangeOrder(view)).catch((e) => this.logger.error(`user_order ${f.orderId}: ${(e as Error).message}`));
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // orders

  private async handleSignal(s: SignalV1): Promise<void> {
    const now = this.clock();
    if (now >= s.expiresTsMs) {
      this.counters.signalsExpired++;
      return;
    }
    await this.deps.store.insertSignal(s);
    for (let i = 0; i < s.legs.length; i++) {
      const leg = s.legs[i];
      const cid = clientOrderIdFor(s.id, i);
      if (this.orders.has(cid) || (await this.deps.store.findOrder(cid))) {
        this.counters.signalsDuplicate++;
        continue;
      }
      const known = this.eventOf.get(leg.marketTicker);
      if (known && known !== leg.eventTicker) {
        this.countRejection('input');
        this.logger.warn(`signal ${s.id}: market ${leg.marketTicker} belongs to ${known}, not ${leg.eventTicker}`);
        continue;
      }
      this.eventOf.set(leg.marketTicker, leg.eventTicker);
      const nowLeg = this.clock();
      const check = this.gate.check(
        {
          clientOrderId: cid,
          signalId: s.id,
          signalTsMs: s.createdTsMs,
          marketTicker: leg.marketTicker,
          eventTicker: leg.eventTicker,
          side: leg.side,
          action: leg.action,
          priceTicks: leg.priceTicks,
          countCentis: leg.sizeCentis,
          referencePriceTicks: this.referenceAsk(leg.marketTicker, leg.side) ?? leg.priceTicks,
        },
        { nowMs: nowLeg },
      );
      if (!check.ok) {
        for (const r of check.reasons) this.countRejection(r.limit);
        await this.deps.store.audit('risk-gate', 'order.reject', cid, { signalId: s.id, leg: i, reasons: check.reasons.map((r: RiskRejection) => r.message) }, nowLeg);
        if (check.mustCancel.length > 0) await this.cancelSweep('kill-switch');
        continue;
      }
      const order = newOrder({ clientOrderId: cid, signalId: s.id, marketTicker: leg.marketTicker, eventTicker: leg.eventTicker, side: leg.side, action: leg.action, priceTicks: leg.priceTicks, countCentis: leg.sizeCentis, tsMs: nowLeg });
      if (!(await this.deps.store.insertOrder(order))) {
        // stored by an earlier run between our lookup and now: never send twice
        this.gate.recordCanceled(cid, nowLeg);
        this.counters.signalsDuplicate++;
        continue;
      }
      this.orders.set(cid, order);
      this.publishOrder(order);
      await this.deps.store.audit('execution', 'order.place', cid, { signalId: s.id, leg: i, route: this.deps.route.name, marketTicker: leg.marketTicker, side: leg.side, action: leg.action, priceTicks: leg.priceTicks, countCentis: leg.sizeCentis }, nowLeg);
      this.counters.ordersSent++;
      const res = await withSpan('order.place', { kind: SpanKind.CLIENT, attributes: { 'order.route': this.deps.route.name, 'order.client_order_id': cid, 'order.signal_id': s.id, 'order.market_ticker': leg.marketTicker, 'order.side': leg.side, 'order.action': leg.action } }, (span) =>
        this.deps.route.place(order, { timeInForce: this.cfg.timeInForce, expirationTsMs: s.expiresTsMs }).then((r) => (span.setAttribute('order.result', r.kind), r)),
      );
      const t = this.clock();
      if (res.kind === 'accepted') {
        await this.transition(cid, { type: 'accepted', orderId: res.order.orderId, tsMs: t });
        await this.transition(cid, { type: 'exchange_state', orderId: res.order.orderId, status: res.order.status, filledCentis: res.order.filledCentis, remainingCentis: res.order.remainingCentis, tsMs: t });
      } else if (res.kind === 'rejected') {
        await this.transition(cid, { type: 'rejected', reason: res.reason, tsMs: t });
      } else if (res.kind === 'duplicate') {
        this.logger.warn(`order ${cid}: the exchange already has it (${res.reason}); adopting its state`);
        await this.reconcileNow('duplicate');
      } else {
        this.counters.exchangeErrors++;
        this.gate.recordError(t);
        this.logger.warn(`order ${cid}: outcome unknown (${res.reason}); reconciliation will decide`);
        const retry = setTimeout(() => void this.serial(() => this.reconcileNow('unknown-outcome')).catch(() => undefined), this.cfg.reconcileGraceMs + 100);
        retry.unref?.();
      }
    }
  }

  /** Applies an order event, keeps the gate in step, stores and publishes the new state. */
  private async transition(cid: string, e: OrderEvent): Promise<void> {
    const prev = this.orders.get(cid);
    if (!prev) return;
    let t;
    try {
      t = applyOrderEvent(prev, e);
    } catch (err) {
      if (err instanceof OrderTransitionError) {
        this.counters.stateAnomalies++;
        this.logger.warn(`order ${cid}: ${err.message}`);
        return;
      }
      throw err;
    }
    if (!t.changed) return;
    const o = t.state;
    this.orders.set(cid, o);
    if (o.orderId) this.cidByOrderId.set(o.orderId, cid);
    const now = e.tsMs;
    if (this.gate.isOpen(cid)) {
      if (o.status === 'rejected') this.gate.recordRejected(cid, now);
      else if (o.status === 'canceled' || o.status === 'executed') this.gate.recordCanceled(cid, now);
      else if (prev.status === 'pending' && o.status !== 'pending') this.gate.recordAccepted(cid, now);
    }
    await this.deps.store.saveOrder(o);
    this.publishOrder(o);
  }

  /** A fill (WebSocket or reconciliation): ledger once per fill id, store, the order's state, the gate. */
  private async applyFill(f: LedgerFill): Promise<void> {
    const cid = (f.clientOrderId && this.orders.has(f.clientOrderId) ? f.clientOrderId : undefined) ?? this.cidByOrderId.get(f.orderId) ?? null;
    const fill: LedgerFill = { ...f, clientOrderId: cid };
    if (!this.ledger.applyFill(fill)) return;
    this.counters.fills++;
    this.fills.push(fill);
    await this.deps.store.insertFill(fill);
    const pos = this.ledger.position(fill.marketTicker);
    if (pos) await this.deps.store.savePosition(pos);
    this.bus.emit(subjects.fill, fillV1(fill));
    this.published++;
    const now = this.clock();
    const o = cid ? this.orders.get(cid) : undefined;
    if (!cid || !o) {
      // not ours (another client of the account): the position is the account's, keep the gate's in step
      this.gate.loadPosition(fill.marketTicker, this.eventOf.get(fill.marketTicker) ?? fill.marketTicker, pos?.positionCentis ?? 0, this.markOf(fill.marketTicker, pos?.positionCentis ?? 0), now);
      return;
    }
    // the gate books the fill's cash and position; an order it no longer holds open is re-admitted for this fill
    if (!this.gate.isOpen(cid)) this.restoreInGate({ ...o, remainingCentis: fill.countCentis, status: 'resting' });
    const open = this.gate.openOrders().find((x) => x.clientOrderId === cid)!;
    if (open.remainingCentis < fill.countCentis) this.restoreInGate({ ...o, remainingCentis: fill.countCentis, status: 'resting' });
    this.gate.recordFill({ clientOrderId: cid, priceTicks: fill.priceTicks, countCentis: fill.countCentis, feeMicros: fill.feeMicros }, now);
    if (!isOpenStatus(this.orders.get(cid)!.status) && this.gate.isOpen(cid)) this.gate.recordCanceled(cid, now);
    const sum = (this.fillSum.get(cid) ?? 0) + fill.countCentis;
    this.fillSum.set(cid, sum);
    const cur = this.orders.get(cid)!;
    if (sum > cur.filledCentis) await this.transition(cid, { type: 'fill', countCentis: Math.min(sum - cur.filledCentis, cur.remainingCentis), orderId: fill.orderId, tsMs: fill.tsMs });
  }

  /** The exchange's view of an order (user_orders frame or a REST list). */
  private async applyExchangeOrder(v: ExchangeOrderView): Promise<void> {
    const cid = (v.clientOrderId && this.orders.has(v.clientOrderId) ? v.clientOrderId : undefined) ?? this.cidByOrderId.get(v.orderId);
    if (!cid) return;
    await this.transition(cid, { type: 'exchange_state', orderId: v.orderId, status: v.status, filledCentis: v.filledCentis, remainingCentis: v.remainingCentis, tsMs: this.clock() });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // reconciliation and the kill switch

  /** Reconciles now (queued behind running work). */
  reconcile(trigger = 'manual'): Promise<ReconcileReportV1> {
    return this.serial(() => this.reconcileNow(trigger));
  }

  private async reconcileNow(trigger: string): Promise<ReconcileReportV1> {
    const rest = this.deps.rest;
    let exchangeOrders: ExchangeOrderView[];
    let exchangeFills: LedgerFill[];
    let exchangePositions: Array<{ marketTicker: string; positionCentis: number }>;
    try {
      const ord = decodeOrders({ orders: await rest.getAll('portfolio/orders', 'orders', { limit: 200 }) });
      if (!ord.ok) throw new Error(`GET /portfolio/orders: ${ord.error.message}`);
      exchangeOrders = ord.value.orders.map(exchangeOrderView);
      const fl = decodeFills({ fills: await rest.getAll('portfolio/fills', 'fills', { limit: 200 }) });
      if (!fl.ok) throw new Error(`GET /portfolio/fills: ${fl.error.message}`);
      exchangeFills = fl.value.fills.map((f) => ({
        fillId: `${f.tradeId}:${f.orderId}`,
        tradeId: f.tradeId,
        orderId: f.orderId,
        clientOrderId: f.clientOrderId ?? null,
        marketTicker: f.ticker,
        side: f.side,
        action: f.action,
        priceTicks: f.side === 'yes' ? f.yesPriceTicks : (f.noPriceTicks ?? ONE_DOLLAR - f.yesPriceTicks),
        countCentis: f.countCentis,
        feeMicros: f.feeCostMicros ?? 0,
        isTaker: f.isTaker,
        tsMs: f.ts !== undefined ? f.ts * 1000 : f.createdTime ? Date.parse(f.createdTime) : this.clock(),
      }));
      const pos = decodePositions({ market_positions: await rest.getAll('portfolio/positions', 'market_positions', { limit: 200 }) });
      if (!pos.ok) throw new Error(`GET /portfolio/positions: ${pos.error.message}`);
      exchangePositions = pos.value.marketPositions.map((p) => ({ marketTicker: p.ticker, positionCentis: p.positionCentis }));
    } catch (e) {
      this.counters.exchangeErrors++;
      this.gate.recordError(this.clock());
      this.logger.warn(`reconcile (${trigger}) failed: ${(e as Error).message}`);
      throw e;
    }
    const now = this.clock();
    const plan = planReconcile({ localOrders: [...this.orders.values()], ledger: this.ledger, exchangeOrders, exchangeFills, exchangePositions, nowMs: now, graceMs: this.cfg.reconcileGraceMs });
    let updated = 0;
    let lost = 0;
    // fills first: an order's fills are applied before its terminal state, so the gate books them in order
    for (const f of plan.missingFills) await this.applyFill(f);
    for (const { clientOrderId, event } of plan.orderEvents) {
      const before = this.orders.get(clientOrderId);
      await this.transition(clientOrderId, event);
      const after = this.orders.get(clientOrderId);
      if (before !== after) {
        updated++;
        if (event.type === 'rejected') lost++;
      }
    }
    // orders we did not know the exchange id of (crash between send and answer) are now indexed
    for (const v of exchangeOrders) if (v.clientOrderId && this.orders.has(v.clientOrderId)) this.cidByOrderId.set(v.orderId, v.clientOrderId);
    const report: ReconcileReportV1 = {
      v: 1,
      trigger,
      tsMs: now,
      ordersChecked: exchangeOrders.length,
      ordersUpdated: updated,
      fillsAdded: plan.missingFills.length,
      ordersLost: lost,
      foreignOrders: plan.foreignOrders.length,
      positionMismatches: planReconcile({ localOrders: [...this.orders.values()], ledger: this.ledger, exchangeOrders, exchangeFills, exchangePositions, nowMs: now, graceMs: this.cfg.reconcileGraceMs }).positionMismatches,
      withinGrace: plan.withinGrace.length,
    };
    this.counters.reconciles++;
    this.lastReconcile = report;
    if (report.positionMismatches.length > 0) this.logger.warn(`reconcile (${trigger}): positions differ from the exchange: ${JSON.stringify(report.positionMismatches)}`);
    if (report.ordersUpdated + report.fillsAdded + report.ordersLost > 0 || trigger !== 'periodic') await this.deps.store.audit('reconciler', 'reconcile', trigger, report, now);
    return report;
  }

  /**
   * Kill switch: engages the gate's switch, trips the breaker, cancels every open order of the account.
   * @throws ContractError on a malformed command
   */
  async kill(command: unknown): Promise<KillSwitchResultV1> {
    const c = decodeKillSwitchCommandV1(command);
    const now = this.clock();
    const changed = this.gate.killSwitch.engage(c.by, c.reason, now);
    this.gate.breaker?.trip(`kill switch: ${c.reason}`, now);
    this.logger.warn(`KILL SWITCH engaged by ${c.by}: ${c.reason}`);
    await this.ready;
    return this.serial(async () => {
      await this.deps.store.audit(c.by, 'kill_switch.engage', 'execution', { reason: c.reason, changed }, now);
      const r = await this.cancelSweep('kill-switch');
      return { v: 1, engaged: true, changed, ...r };
    });
  }

  /** Disengages the kill switch (the breaker re-opens trading on its own after its cool-down). */
  async resume(command: unknown): Promise<KillSwitchResultV1> {
    const c = decodeKillSwitchCommandV1(command);
    const now = this.clock();
    const changed = this.gate.killSwitch.disengage(c.by, c.reason, now);
    await this.deps.store.audit(c.by, 'kill_switch.disengage', 'execution', { reason: c.reason, changed }, now);
    return { v: 1, engaged: false, changed, canceled: 0, openAfter: 0, errors: [] };
  }

  /** Cancels every open order (ours and any other resting order of the account), then counts what is still resting. */
  private async cancelSweep(trigger: string): Promise<{ canceled: number; openAfter: number; errors: string[] }> {
    const errors: string[] = [];
    let canceled = 0;
    // pending orders without an exchange id: find them first
    try {
      await this.reconcileNow(trigger);
    } catch (e) {
      errors.push(`reconcile: ${(e as Error).message}`);
    }
    const targets = new Map<string, string>(); // orderId -> clientOrderId
    for (const o of this.orders.values()) if (isOpenStatus(o.status) && o.orderId) targets.set(o.orderId, o.clientOrderId);
    const resting = await this.restingAtExchange().catch((e) => {
      errors.push(`list resting orders: ${(e as Error).message}`);
      return [] as ExchangeOrderView[];
    });
    for (const v of resting) if (!targets.has(v.orderId)) targets.set(v.orderId, v.clientOrderId ?? FOREIGN);
    for (const [orderId, cid] of targets) {
      const r = await this.deps.route.cancel(orderId, cid);
      if (r.kind === 'error') {
        errors.push(`cancel ${orderId}: ${r.reason}`);
        continue;
      }
      if (r.kind === 'canceled') canceled++;
      if (this.orders.has(cid)) {
        if (r.kind === 'canceled' && r.order) await this.transition(cid, { type: 'exchange_state', orderId, status: r.order.status, filledCentis: r.order.filledCentis, remainingCentis: r.order.remainingCentis, tsMs: this.clock() });
        await this.transition(cid, { type: 'canceled', reason: trigger, tsMs: this.clock() });
      }
    }
    const after = await this.restingAtExchange().catch((e) => {
      errors.push(`list resting orders: ${(e as Error).message}`);
      return null;
    });
    return { canceled, openAfter: after === null ? -1 : after.length, errors };
  }

  private async restingAtExchange(): Promise<ExchangeOrderView[]> {
    const d = decodeOrders({ orders: await this.deps.rest.getAll('portfolio/orders', 'orders', { status: 'resting', limit: 200 }) });
    if (!d.ok) throw new Error(`GET /portfolio/orders?status=resting: ${d.error.message}`);
    return d.value.orders.map(exchangeOrderView).filter((o) => o.status === 'resting');
  }

  // ---------------------------------------------------------------------------------------------------------------
  // views

  /** Counters, breaker and kill switch (bus `ctl.v1.execution.status`, HTTP `/status`). */
  status(): ExecutionStatusV1 {
    const byStatus = Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatusV1, number>;
    for (const o of this.orders.values()) byStatus[o.status]++;
    const ks = this.gate.killSwitch.engagement;
    const b = this.gate.breaker!;
    b.poll(this.clock());
    return {
      v: 1,
      mode: this.cfg.mode,
      route: this.deps.route.name,
      signalsReceived: this.counters.signalsReceived,
      signalsRejected: this.counters.signalsRejected,
      signalsExpired: this.counters.signalsExpired,
      signalsDuplicate: this.counters.signalsDuplicate,
      signalsIgnored: this.counters.signalsIgnored,
      ordersSent: this.counters.ordersSent,
      ordersByStatus: byStatus,
      riskRejections: { ...this.riskRejections },
      fills: this.counters.fills,
      breaker: { state: b.state, transitions: b.log.length },
      killSwitch: ks ? { engaged: true, by: ks.by, reason: ks.reason, atMs: ks.atMs } : { engaged: false },
      reconciles: this.counters.reconciles,
      lastReconcile: this.lastReconcile,
      exchangeErrors: this.counters.exchangeErrors,
    };
  }

  /**
   * Readiness checks of the service (HTTP `GET /readyz`): `execution` (started: the start reconciliation is done, not
   * closed), `nats` (when the bus is NATS: a connection of its own to the bus's server, libs/feature-health
   * `natsCheck`), `postgres` (`SELECT 1` through the store's DataSource) and `kalshi-ws` (the WebSocket of `fill` and
   * `user_orders` is connected; absent without one). Each call makes new checks; close them (`close()`) when done.
   */
  readiness(): HealthCheck[] {
    const checks: HealthCheck[] = [
      {
        name: 'execution',
        check: async () => {
          // the start reconciliation resolved `ready`: its then() runs before the next macrotask
          const started = await Promise.race([this.ready.then(() => true), new Promise<boolean>((r) => setImmediate(r, false))]);
          if (this.closed) return { ok: false, detail: 'closed' };
          if (!started) return { ok: false, detail: this.started ? 'starting: the start reconciliation is not done' : 'not started' };
          return { ok: true, detail: `started, ${this.counters.reconciles} reconciliation(s)` };
        },
      },
    ];
    const servers = this.bus instanceof ClientNats ? (this.bus as unknown as { options?: { servers?: string | string[] } }).options?.servers : undefined;
    const natsUrl = Array.isArray(servers) ? servers[0] : servers;
    if (natsUrl) checks.push(natsCheck(natsUrl));
    checks.push(postgresCheck(() => this.deps.store['ds'].query('SELECT 1'))); // the store's own DataSource
    const ws = this.deps.ws;
    const wsUrl = redactUrl(this.cfg.wsUrl);
    if (ws) checks.push({ name: 'kalshi-ws', check: async () => (ws.connected ? { ok: true, detail: `connected to ${wsUrl}` } : { ok: false, detail: `not connected to ${wsUrl}` }) });
    return checks;
  }

  /** Orders, fills, positions and PnL (bus `ctl.v1.execution.portfolio`, HTTP `/portfolio`). */
  portfolio(): ExecutionPortfolioV1 {
    let realized = 0;
    let unrealized = 0;
    let fees = 0;
    const positions = this.ledger.positions().map((p) => {
      const m = this.marks.get(p.marketTicker);
      const u = this.ledger.unrealizedPnlMicros(p.marketTicker, m?.yesBidTicks ?? null, m?.yesAskTicks ?? null);
      realized += p.realizedPnlMicros;
      fees += p.feesPaidMicros;
      if (u !== null) unrealized += u;
      const markTicks = p.positionCentis > 0 ? (m?.yesBidTicks ?? null) : p.positionCentis < 0 ? (m?.yesAskTicks ?? null) : null;
      return { marketTicker: p.marketTicker, positionCentis: p.positionCentis, costBasisMicros: p.costBasisMicros, realizedPnlMicros: p.realizedPnlMicros, feesPaidMicros: p.feesPaidMicros, unrealizedPnlMicros: u, markTicks };
    });
    return {
      v: 1,
      mode: this.cfg.mode,
      orders: [...this.orders.values()].map(orderV1),
      fills: this.fills.map(fillV1),
      positions,
      pnl: { realizedMicros: realized, unrealizedMicros: unrealized, feesMicros: fees, totalMicros: realized + unrealized },
      lastReconcile: this.lastReconcile,
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // helpers

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private countRejection(rule: string): void {
    this.riskRejections[rule] = (this.riskRejections[rule] ?? 0) + 1;
  }

  private referenceAsk(marketTicker: string, side: 'yes' | 'no'): number | undefined {
    const m = this.marks.get(marketTicker);
    if (!m) return undefined;
    const ask = side === 'yes' ? m.yesAskTicks : m.yesBidTicks === null ? null : ONE_DOLLAR - m.yesBidTicks;
    return ask ?? undefined;
  }

  /** YES mark of a position for the gate: bid for a long, ask for a short, else the middle. */
  private markOf(marketTicker: string, positionCentis: number): number {
    const m = this.marks.get(marketTicker);
    const v = positionCentis >= 0 ? m?.yesBidTicks : m?.yesAskTicks;
    return v ?? ONE_DOLLAR / 2;
  }

  private restoreInGate(o: OrderState): void {
    const remaining = o.remainingCentis;
    if (remaining <= 0) return;
    this.gate.restoreOrder({
      clientOrderId: o.clientOrderId,
      marketTicker: o.marketTicker,
      eventTicker: o.eventTicker || this.eventOf.get(o.marketTicker) || o.marketTicker,
      side: o.side,
      action: o.action,
      priceTicks: o.priceTicks,
      remainingCentis: remaining,
      status: o.status === 'pending' ? 'pending' : 'resting',
    });
  }

  private publishOrder(o: OrderState): void {
    this.bus.emit(subjects.order(o.status), orderV1(o));
    this.published++;
  }
}

function orderV1(o: OrderState): OrderUpdateV1 {
  return { v: 1, ...o };
}

function fillV1(f: LedgerFill): FillV1 {
  return { v: 1, ...f };
}
