import { describeValue } from '@kalshi-platform/market';
import { ExecutionInputError, requireAction, requireInt, requireNonEmptyString, requireObject, requireSafeInt, requireSide, requireTime } from './errors';
import { type LedgerFill, PositionLedger, validateLedgerFill } from './ledger';
import { EXCHANGE_ORDER_STATUSES, type OrderEvent, type OrderState, OrderTransitionError, applyOrderEvent, isOpenStatus } from './order-state';

/**
 * One order as the exchange lists it (REST `GET /portfolio/orders`, docs.kalshi.com), in this library's units:
 * sizes in 1/100 contract; `status` is Kalshi's (`resting` | `canceled` | `executed` | `pending`).
 */
export interface ExchangeOrderView {
  orderId: string;
  clientOrderId?: string;
  marketTicker: string;
  side: 'yes' | 'no';
  action: 'buy' | 'sell';
  status: string;
  filledCentis: number;
  remainingCentis: number;
}

/** One market position as the exchange lists it (REST `GET /portfolio/positions`): 1/100 contract, +YES / -NO (Kalshi nets YES and NO). */
export interface ExchangePositionView {
  marketTicker: string;
  positionCentis: number;
}

/** Input of {@link planReconcile}: local state, the exchange's view, and the injected clock. */
export interface ReconcileInput {
  /** every local order (any status) */
  localOrders: OrderState[];
  /** the local ledger (read only: never mutated) */
  ledger: PositionLedger;
  /** every order the exchange lists for the account, any status */
  exchangeOrders: ExchangeOrderView[];
  /** the exchange's fills (any window; fills the ledger already has are skipped) */
  exchangeFills: LedgerFill[];
  /** the exchange's non-zero positions (absent market = flat) */
  exchangePositions: ExchangePositionView[];
  /** now, epoch ms */
  nowMs: number;
  /** how long an order may stay invisible at the exchange (Kalshi's read-after-write lag) before it is declared lost, ms */
  graceMs: number;
}

/** A local order whose exchange view could not be applied (e.g. another `order_id`, another market): for a human. */
export interface ReconcileConflict {
  clientOrderId: string;
  /** the exchange's order */
  exchangeOrder: ExchangeOrderView;
  message: string;
}

/** What {@link planReconcile} found: the events and fills to apply and the anomalies to report. */
export interface ReconcilePlan {
  /**
   * Events to apply to local orders, in `localOrders` order: `exchange_state` (tsMs = nowMs) for orders found at the
   * exchange whose state it would change; `rejected` (reason `not found at the exchange after <graceMs> ms`) for
   * pending orders the exchange does not list, created more than `graceMs` before `nowMs`; `canceled` (reason
   * `not found at the exchange`) for resting / partially_filled orders in the same case.
   */
  orderEvents: Array<{ clientOrderId: string; event: OrderEvent }>;
  /** exchange fills whose `fillId` the ledger has not applied, deduplicated, ordered by `tsMs` then `fillId` */
  missingFills: LedgerFill[];
  /** exchange orders matching no local order */
  foreignOrders: ExchangeOrderView[];
  /** clientOrderIds of open local orders not (yet) listed by the exchange, created at most `graceMs` before `nowMs` */
  withinGrace: string[];
  /** markets where the local position (with `missingFills` applied) differs from the exchange's, sorted by ticker */
  positionMismatches: Array<{ marketTicker: string; localCentis: number; exchangeCentis: number }>;
  /**
   * Exchange orders still open (`resting` / `pending`) whose local order is canceled or rejected (last updated more
   * than `graceMs` before `nowMs`, so not a lagging view) and that no event of this plan reopens (e.g. declared lost
   * after the grace period, then it surfaced with no fill): live orders nobody tracks, to cancel.
   */
  orphanedOpenOrders: ExchangeOrderView[];
  /** local orders whose exchange view cannot be applied (no event emitted for them): for a human to look at */
  conflicts: ReconcileConflict[];
}

/**
 * Pure diff of local orders and positions against the exchange's view, tolerant of Kalshi's read-after-write lag
 * (an order just created may not be listed yet; a position may not yet include the latest fill). Mutates nothing.
 *
 * Matching: a local order matches the exchange order with the same `clientOrderId` (Kalshi `client_order_id`);
 * failing that, one with the same `orderId` (when the local order knows it). Since the caller lists ALL orders,
 * any status, an open local order that matches none is unknown to the exchange: within `graceMs` of its creation
 * it is reported in `withinGrace`; later it is declared lost (`rejected` when pending, `canceled` when it had rested).
 * Terminal local orders that match none need nothing. A matched order yields the `exchange_state` event only when
 * {@link applyOrderEvent} says it changes the order; one that cannot be applied (another `order_id`, market, side,
 * action, an unknown Kalshi status, or a filled count above the order's) goes to `conflicts`.
 *
 * Positions: the ledger is cloned, `missingFills` applied to the clone, and every market of either side compared
 * (absent = 0). A mismatch may still be lag (a position endpoint trailing the fills): confirm on the next pass.
 *
 * @throws ExecutionInputError (or LedgerInputError for a fill) naming the malformed field, e.g.
 *   `exchangeOrders[2].filledCentis`, `exchangeFills[0].priceTicks`, `graceMs`; a duplicate market in `exchangePositions`
 */
export function planReconcile(i: ReconcileInput): ReconcilePlan {
  validateInput(i);
  const { nowMs, graceMs } = i;

  // exchange orders by client order id (first wins; duplicates stay unmatched -> foreign) and by order id
  const byClientId = new Map<string, number>();
  const byOrderId = new Map<string, number>();
  i.exchangeOrders.forEach((x, k) => {
    if (x.clientOrderId !== undefined && x.clientOrderId !== '' && !byClientId.has(x.clientOrderId)) byClientId.set(x.clientOrderId, k);
    if (!byOrderId.has(x.orderId)) byOrderId.set(x.orderId, k);
  });
  const matched = new Set<number>();

  const plan: ReconcilePlan = { orderEvents: [], missingFills: [], foreignOrders: [], withinGrace: [], positionMismatches: [], orphanedOpenOrders: [], conflicts: [] };

  for (const o of i.localOrders) {
    let k = byClientId.get(o.clientOrderId);
    if (k !== undefined && matched.has(k)) k = undefined;
    if (k === undefined && o.orderId !== null) {
      const j = byOrderId.get(o.orderId);
      if (j !== undefined && !matched.has(j)) k = j;
    }
    if (k === undefined) {
      if (!isOpenStatus(o.status)) continue;
      if (nowMs - o.createdTsMs <= graceMs) plan.withinGrace.push(o.clientOrderId);
      else if (o.status === 'pending') plan.orderEvents.push({ clientOrderId: o.clientOrderId, event: { type: 'rejected', reason: `not found at the exchange after ${graceMs} ms`, tsMs: nowMs } });
      else plan.orderEvents.push({ clientOrderId: o.clientOrderId, event: { type: 'canceled', reason: 'not found at the exchange', tsMs: nowMs } });
      continue;
    }
    matched.add(k);
    const x = i.exchangeOrders[k];
    const mismatch = (['marketTicker', 'side', 'action'] as const).find((f) => x[f] !== o[f]);
    if (mismatch) {
      plan.conflicts.push({ clientOrderId: o.clientOrderId, exchangeOrder: x, message: `order ${o.clientOrderId}: exchange order ${x.orderId} has ${mismatch} ${describeValue(x[mismatch])}, local ${describeValue(o[mismatch])}` });
      continue;
    }
    if (!(EXCHANGE_ORDER_STATUSES as readonly string[]).includes(x.status)) {
      plan.conflicts.push({ clientOrderId: o.clientOrderId, exchangeOrder: x, message: `exchangeOrders[${k}].status: got ${describeValue(x.status)}, expected one of ${EXCHANGE_ORDER_STATUSES.join(' | ')}` });
      continue;
    }
    const event: OrderEvent = { type: 'exchange_state', orderId: x.orderId, status: x.status, filledCentis: x.filledCentis, remainingCentis: x.remainingCentis, tsMs: nowMs };
    let t;
    try {
      t = applyOrderEvent(o, event);
    } catch (err) {
      if (!(err instanceof OrderTransitionError)) throw err;
      plan.conflicts.push({ clientOrderId: o.clientOrderId, exchangeOrder: x, message: err.message });
      continue;
    }
    if (t.changed) plan.orderEvents.push({ clientOrderId: o.clientOrderId, event });
    const stale = nowMs - o.updatedTsMs > graceMs; // the exchange had time to reflect the local terminal state
    if ((t.state.status === 'canceled' || t.state.status === 'rejected') && (x.status === 'resting' || x.status === 'pending') && stale) plan.orphanedOpenOrders.push(x);
  }
  i.exchangeOrders.forEach((x, k) => {
    if (!matched.has(k)) plan.foreignOrders.push(x);
  });

  // fills the ledger lacks, applied to a copy for the position comparison
  const seen = new Set<string>();
  for (const f of i.exchangeFills) {
    if (i.ledger.hasFill(f.fillId) || seen.has(f.fillId)) continue;
    seen.add(f.fillId);
    plan.missingFills.push(f);
  }
  plan.missingFills.sort((a, b) => a.tsMs - b.tsMs || (a.fillId < b.fillId ? -1 : a.fillId > b.fillId ? 1 : 0));
  const copy = i.ledger.clone();
  for (const f of plan.missingFills) copy.applyFill(f);

  const local = new Map<string, number>();
  for (const p of copy.positions()) local.set(p.marketTicker, p.positionCentis);
  const exchange = new Map<string, number>();
  i.exchangePositions.forEach((p, k) => {
    if (exchange.has(p.marketTicker)) throw new ExecutionInputError(`exchangePositions[${k}].marketTicker: duplicate market ${describeValue(p.marketTicker)}`);
    exchange.set(p.marketTicker, p.positionCentis);
  });
  const tickers = [...new Set([...local.keys(), ...exchange.keys()])].sort();
  for (const t of tickers) {
    const localCentis = local.get(t) ?? 0;
    const exchangeCentis = exchange.get(t) ?? 0;
    if (localCentis !== exchangeCentis) plan.positionMismatches.push({ marketTicker: t, localCentis, exchangeCentis });
  }
  return plan;
}

function validateInput(i: ReconcileInput): void {
  requireObject('input', i);
  for (const k of ['localOrders', 'exchangeOrders', 'exchangeFills', 'exchangePositions'] as const) {
    if (!Array.isArray(i[k])) throw new ExecutionInputError(`${k}: got ${describeValue(i[k])}, expected an array`);
  }
  if (!(i.ledger instanceof PositionLedger)) throw new ExecutionInputError(`ledger: got ${describeValue(i.ledger)}, expected a PositionLedger`);
  requireTime('nowMs', i.nowMs);
  requireInt('graceMs', i.graceMs, 0);
  i.localOrders.forEach((o, k) => {
    requireObject(`localOrders[${k}]`, o);
    requireNonEmptyString(`localOrders[${k}].clientOrderId`, o.clientOrderId);
    requireTime(`localOrders[${k}].createdTsMs`, o.createdTsMs);
    requireTime(`localOrders[${k}].updatedTsMs`, o.updatedTsMs);
  });
  i.exchangeOrders.forEach((x, k) => {
    const p = `exchangeOrders[${k}]`;
    requireObject(p, x);
    requireNonEmptyString(`${p}.orderId`, x.orderId);
    if (x.clientOrderId !== undefined && typeof x.clientOrderId !== 'string') throw new ExecutionInputError(`${p}.clientOrderId: got ${describeValue(x.clientOrderId)}, expected a string or undefined`);
    requireNonEmptyString(`${p}.marketTicker`, x.marketTicker);
    requireSide(`${p}.side`, x.side);
    requireAction(`${p}.action`, x.action);
    requireNonEmptyString(`${p}.status`, x.status);
    requireInt(`${p}.filledCentis`, x.filledCentis, 0);
    requireInt(`${p}.remainingCentis`, x.remainingCentis, 0);
  });
  i.exchangeFills.forEach((f, k) => validateLedgerFill(f, `exchangeFills[${k}]`));
  i.exchangePositions.forEach((p, k) => {
    requireObject(`exchangePositions[${k}]`, p);
    requireNonEmptyString(`exchangePositions[${k}].marketTicker`, p.marketTicker);
    requireSafeInt(`exchangePositions[${k}].positionCentis`, p.positionCentis);
  });
}
