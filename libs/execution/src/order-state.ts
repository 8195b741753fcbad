import { describeValue } from '@kalshi-platform/market';
import { isValidClientOrderId } from './client-order-id';
import { ExecutionInputError, requireAction, requireInt, requireNonEmptyString, requireObject, requirePriceTicks, requireSide, requireTime } from './errors';

/**
 * Local status of one order.
 *
 * - `pending`: sent (or about to be), no answer from the exchange yet;
 * - `resting`: accepted by the exchange, nothing filled;
 * - `partially_filled`: accepted, some filled, the rest still open;
 * - `executed`: fully filled (terminal);
 * - `canceled`: canceled, expired or the unfilled remainder of an IOC order dropped; fills so far are kept (terminal);
 * - `rejected`: refused by the exchange, or declared lost (it never reached the exchange) (terminal).
 */
export type OrderStatus = 'pending' | 'resting' | 'partially_filled' | 'executed' | 'canceled' | 'rejected';

/** Statuses an order never leaves on its own: `executed`, `canceled`, `rejected` (only reconciliation showing more fills moves them). */
export const TERMINAL_ORDER_STATUSES: readonly OrderStatus[] = Object.freeze(['executed', 'canceled', 'rejected'] as const);

/** Statuses of an order that can still fill: `pending`, `resting`, `partially_filled`. */
export const OPEN_ORDER_STATUSES: readonly OrderStatus[] = Object.freeze(['pending', 'resting', 'partially_filled'] as const);

/** Every {@link OrderStatus}. */
export const ORDER_STATUSES: readonly OrderStatus[] = Object.freeze([...OPEN_ORDER_STATUSES, ...TERMINAL_ORDER_STATUSES]);

/**
 * Order statuses Kalshi reports (REST `GET /portfolio/orders` `status`, WebSocket `user_order` `status`;
 * docs.kalshi.com): `resting`, `canceled`, `executed`, `pending`.
 */
export type ExchangeOrderStatus = 'resting' | 'canceled' | 'executed' | 'pending';

/** Every {@link ExchangeOrderStatus}. */
export const EXCHANGE_ORDER_STATUSES: readonly ExchangeOrderStatus[] = Object.freeze(['resting', 'canceled', 'executed', 'pending'] as const);

/** True for the open statuses `pending`, `resting`, `partially_filled` (the order can still fill). */
export function isOpenStatus(s: OrderStatus): boolean {
  return s === 'pending' || s === 'resting' || s === 'partially_filled';
}

/** True for the terminal statuses `executed`, `canceled`, `rejected`. */
export function isTerminalStatus(s: OrderStatus): boolean {
  return s === 'executed' || s === 'canceled' || s === 'rejected';
}

/**
 * One order as the execution service tracks it. Sizes in 1/100 contract ("centis"), price in 1/10000 $ ("ticks"),
 * times in epoch ms. Invariants: `filledCentis + remainingCentis === countCentis` while open; `remainingCentis === 0`
 * once terminal (`canceled` and `rejected` keep what filled, their remainder is gone).
 */
export interface OrderState {
  /** Kalshi `client_order_id` (see {@link clientOrderIdFor}); the key of the order */
  clientOrderId: string;
  /** Kalshi `order_id`, null until the exchange acknowledges the order (or a fill / exchange view names it) */
  orderId: string | null;
  /** signal the order comes from, null for manual / reconciliation orders */
  signalId: string | null;
  marketTicker: string;
  eventTicker: string;
  side: 'yes' | 'no';
  action: 'buy' | 'sell';
  /** limit price of `side` (the NO price for a NO order), 1/10000 $, 1..9999 */
  priceTicks: number;
  /** ordered size, 1/100 contract, >= 1 */
  countCentis: number;
  /** filled so far, 1/100 contract: max(sum of the `fill` events, largest filled count the exchange reported) */
  filledCentis: number;
  /** still open, 1/100 contract (0 once terminal) */
  remainingCentis: number;
  status: OrderStatus;
  /** why the exchange refused the order (or why it was declared lost); null unless `rejected` */
  rejectReason: string | null;
  createdTsMs: number;
  /** time of the last change, epoch ms: max of the previous value and the changing event's `tsMs` */
  updatedTsMs: number;
  /**
   * Sum of the `fill` events applied, 1/100 contract, present only when it differs from `filledCentis` (absent =
   * `filledCentis`). It differs after an `exchange_state` reported fills before their `fill` events arrived: those
   * late fill events are then absorbed into the already counted quantity instead of being counted twice. Keep it when
   * persisting an order.
   */
  fillEventsCentis?: number;
}

/** Input of {@link newOrder}. */
export interface NewOrderInput {
  /** Kalshi `client_order_id`: <= 64 characters of `[A-Za-z0-9_-]` */
  clientOrderId: string;
  signalId: string | null;
  marketTicker: string;
  eventTicker: string;
  side: 'yes' | 'no';
  action: 'buy' | 'sell';
  /** limit price of `side`, 1/10000 $, 1..9999 */
  priceTicks: number;
  /** size, 1/100 contract, >= 1 */
  countCentis: number;
  /** creation time, epoch ms */
  tsMs: number;
}

/**
 * A new order in status `pending`: nothing filled, `remainingCentis = countCentis`, no `orderId`, created and updated
 * at `tsMs`.
 * @throws ExecutionInputError naming the field: `clientOrderId` not a Kalshi `client_order_id` (<= 64 characters of
 * `[A-Za-z0-9_-]`, docs.kalshi.com create-order), `signalId` neither null nor a non-empty string, empty tickers, bad
 * side/action, `priceTicks` not an integer 1..9999, `countCentis` not an integer >= 1, `tsMs` not finite
 */
export function newOrder(i: NewOrderInput): OrderState {
  requireObject('order', i);
  if (!isValidClientOrderId(i.clientOrderId)) {
    throw new ExecutionInputError(`order.clientOrderId: got ${describeValue(i.clientOrderId)}, expected 1..64 characters of [A-Za-z0-9_-] (Kalshi client_order_id)`);
  }
  if (i.signalId !== null) requireNonEmptyString('order.signalId', i.signalId);
  requireNonEmptyString('order.marketTicker', i.marketTicker);
  requireNonEmptyString('order.eventTicker', i.eventTicker);
  requireSide('order.side', i.side);
  requireAction('order.action', i.action);
  requirePriceTicks('order.priceTicks', i.priceTicks);
  requireInt('order.countCentis', i.countCentis, 1);
  requireTime('order.tsMs', i.tsMs);
  return {
    clientOrderId: i.clientOrderId,
    orderId: null,
    signalId: i.signalId,
    marketTicker: i.marketTicker,
    eventTicker: i.eventTicker,
    side: i.side,
    action: i.action,
    priceTicks: i.priceTicks,
    countCentis: i.countCentis,
    filledCentis: 0,
    remainingCentis: i.countCentis,
    status: 'pending',
    rejectReason: null,
    createdTsMs: i.tsMs,
    updatedTsMs: i.tsMs,
  };
}

/**
 * Something that happened to one order. Sizes in 1/100 contract, times in epoch ms.
 *
 * - `accepted`: the exchange acknowledged the order (create-order response, or WS `user_order` `resting`); it rests;
 * - `rejected`: the exchange refused it, or it was lost (never reached the exchange: see {@link planReconcile});
 * - `fill`: one fill of this order (WS `fill` or REST `GET /portfolio/fills`), `countCentis >= 1`;
 * - `canceled`: canceled / expired / the unfilled remainder of an IOC order was dropped: the remainder goes to 0;
 * - `exchange_state`: the exchange's view of the order (REST order or WS `user_order`), authoritative but possibly
 *   lagging; `status` is Kalshi's: `resting` | `canceled` | `executed` | `pending`.
 */
export type OrderEvent =
  | { type: 'accepted'; orderId: string; tsMs: number }
  | { type: 'rejected'; reason: string; tsMs: number }
  | { type: 'fill'; countCentis: number; tsMs: number; orderId?: string }
  | { type: 'canceled'; tsMs: number; reason?: string }
  | { type: 'exchange_state'; orderId: string; status: string; filledCentis: number; remainingCentis: number; tsMs: number };

/** Result of {@link applyOrderEvent}: the new state (a new object), whether anything but `updatedTsMs` changed, and the status before and after. */
export interface OrderTransition {
  state: OrderState;
  changed: boolean;
  from: OrderStatus;
  to: OrderStatus;
}

/**
 * Thrown by {@link applyOrderEvent} when an event cannot follow the order's state (a fill larger than what remains,
 * a fill after cancel/reject, `rejected` after acceptance, an `orderId` other than the one already known...).
 * `event` is the event's `type`.
 */
export class OrderTransitionError extends Error {
  constructor(
    readonly clientOrderId: string,
    readonly from: OrderStatus,
    readonly event: string,
    message: string,
  ) {
    super(message);
    this.name = 'OrderTransitionError';
  }
}

/**
 * Applies one event to an order and returns the transition; never mutates `o` (the returned `state` is always a new
 * object). When something changed, `updatedTsMs` becomes `max(o.updatedTsMs, e.tsMs)`; otherwise it is kept.
 * `changed` is true iff a field other than `updatedTsMs` changed.
 *
 * Transitions (open = pending | resting | partially_filled; terminal = executed | canceled | rejected):
 * - `accepted`: pending -> resting with `orderId`. On resting / partially_filled: nothing changes (except a missing
 *   `orderId` is set). On a terminal order: ignored (`changed: false`).
 * - `fill` of n: `filled += n`, `remaining -= n`; remaining 0 -> executed, else partially_filled. A fill of a pending
 *   order implies acceptance (and sets `orderId` when given). Throws when n exceeds the remainder, and on a
 *   canceled / rejected order (a fill can't follow a terminal state: feed the exchange's view with `exchange_state`).
 *   Exception, for fills and exchange views arriving in any order: after an `exchange_state` reported fills the fill
 *   events had not shown yet (see `OrderState.fillEventsCentis`), fill events up to that count are absorbed
 *   (they change `fillEventsCentis` only), whatever the status; only the quantity beyond it is new.
 * - `canceled`: open -> canceled, `remaining` 0, `filled` kept. On a terminal order: ignored.
 * - `rejected`: pending -> rejected with `reason`, `remaining` 0. From any other status: throws.
 * - `exchange_state` (reconciliation, authoritative, tolerant of lag): the exchange's filled count is monotonic truth:
 *   `filled = max(local, exchange)` (a smaller exchange count is a view lagging a fill already seen; Kalshi
 *   `executed` counts as fully filled). Status: Kalshi `executed` -> executed; `canceled` -> canceled (filled kept);
 *   `resting` -> resting or partially_filled by filled > 0; `pending` -> stays pending (or resting if already
 *   accepted); a merged fill reaching the count -> executed. `remaining = count - filled`, 0 when canceled / executed.
 *   Sets `orderId`. A terminal order changes only when the exchange shows MORE fills than local (e.g. local canceled,
 *   exchange executed: adopt executed; local rejected-as-lost, exchange resting with fills: reopen as
 *   partially_filled); an executed order never changes.
 *
 * @throws OrderTransitionError for an event that cannot follow the state (see above), a fill beyond the order's count,
 *   an exchange filled count above the order's count, or an `orderId` different from the order's known one
 * @throws ExecutionInputError on a malformed order or event (naming the field: `event.countCentis`, `event.status`...)
 */
export function applyOrderEvent(o: OrderState, e: OrderEvent): OrderTransition {
  validateState(o);
  requireObject('event', e);
  requireTime('event.tsMs', e.tsMs);
  let next: OrderState;
  switch (e.type) {
    case 'accepted':
      requireNonEmptyString('event.orderId', e.orderId);
      next = onAccepted(o, e.orderId);
      break;
    case 'rejected':
      requireNonEmptyString('event.reason', e.reason);
      next = onRejected(o, e.reason);
      break;
    case 'fill':
      requireInt('event.countCentis', e.countCentis, 1);
      if (e.orderId !== undefined) requireNonEmptyString('event.orderId', e.orderId);
      next = onFill(o, e.countCentis, e.orderId);
      break;
    case 'canceled':
      if (e.reason !== undefined && typeof e.reason !== 'string') throw new ExecutionInputError(`event.reason: got ${describeValue(e.reason)}, expected a string or undefined`);
      next = isOpenStatus(o.status) ? { ...o, status: 'canceled', remainingCentis: 0 } : o;
      break;
    case 'exchange_state':
      requireNonEmptyString('event.orderId', e.orderId);
      if (!(EXCHANGE_ORDER_STATUSES as readonly string[]).includes(e.status)) {
        throw new ExecutionInputError(`event.status: got ${describeValue(e.status)}, expected one of ${EXCHANGE_ORDER_STATUSES.join(' | ')} (Kalshi order status)`);
      }
      requireInt('event.filledCentis', e.filledCentis, 0);
      requireInt('event.remainingCentis', e.remainingCentis, 0);
      next = onExchangeState(o, e.orderId, e.status as ExchangeOrderStatus, e.filledCentis);
      break;
    default:
      throw new ExecutionInputError(`event.type: got ${describeValue((e as { type?: unknown }).type)}, expected accepted | rejected | fill | canceled | exchange_state`);
  }
  next = normalize(next);
  const changed = differs(o, next);
  const state = changed ? { ...next, updatedTsMs: Math.max(o.updatedTsMs, e.tsMs) } : { ...o };
  return { state, changed, from: o.status, to: state.status };
}

function onAccepted(o: OrderState, orderId: string): OrderState {
  if (isTerminalStatus(o.status)) return o;
  checkOrderId(o, 'accepted', orderId);
  return { ...o, orderId, status: o.status === 'pending' ? 'resting' : o.status };
}

function onRejected(o: OrderState, reason: string): OrderState {
  if (o.status !== 'pending') {
    throw new OrderTransitionError(o.clientOrderId, o.status, 'rejected', `order ${o.clientOrderId}: cannot be rejected in status ${o.status} (only a pending order can)`);
  }
  return { ...o, status: 'rejected', rejectReason: reason, remainingCentis: 0 };
}

function onFill(o: OrderState, n: number, orderId: string | undefined): OrderState {
  const seen = fillEvents(o);
  if (seen + n > o.countCentis) {
    throw new OrderTransitionError(
      o.clientOrderId,
      o.status,
      'fill',
      `order ${o.clientOrderId}: fill of ${n} centis exceeds the remainder ${o.countCentis - seen} (count ${o.countCentis}, filled ${seen}) in status ${o.status}`,
    );
  }
  const filled = Math.max(o.filledCentis, seen + n);
  if (filled === o.filledCentis) return { ...o, fillEventsCentis: seen + n }; // already counted from an exchange view
  if (o.status === 'canceled' || o.status === 'rejected') {
    throw new OrderTransitionError(
      o.clientOrderId,
      o.status,
      'fill',
      `order ${o.clientOrderId}: fill of ${n} centis after the order was ${o.status} (a fill can't follow a terminal state; reconcile with the exchange's view)`,
    );
  }
  if (orderId !== undefined) checkOrderId(o, 'fill', orderId);
  const remaining = o.countCentis - filled;
  return {
    ...o,
    orderId: orderId ?? o.orderId,
    filledCentis: filled,
    remainingCentis: remaining,
    fillEventsCentis: seen + n,
    status: remaining === 0 ? 'executed' : 'partially_filled',
  };
}

function onExchangeState(o: OrderState, orderId: string, status: ExchangeOrderStatus, exchangeFilled: number): OrderState {
  if (exchangeFilled > o.countCentis) {
    throw new OrderTransitionError(o.clientOrderId, o.status, 'exchange_state', `order ${o.clientOrderId}: the exchange reports ${exchangeFilled} centis filled > the order's count ${o.countCentis}`);
  }
  if (o.status === 'executed') return o; // never moves back; nothing can fill beyond the count
  const exFilled = status === 'executed' ? o.countCentis : exchangeFilled;
  const filled = Math.max(o.filledCentis, exFilled);
  if (isTerminalStatus(o.status) && filled === o.filledCentis) return o; // terminal: only more fills change it
  checkOrderId(o, 'exchange_state', orderId);
  let next: OrderStatus;
  if (filled === o.countCentis || status === 'executed') next = 'executed';
  else if (status === 'canceled') next = 'canceled';
  else if (filled > 0) next = 'partially_filled';
  else next = status === 'pending' && o.status === 'pending' ? 'pending' : 'resting';
  return {
    ...o,
    orderId,
    filledCentis: filled,
    remainingCentis: next === 'executed' || next === 'canceled' ? 0 : o.countCentis - filled,
    status: next,
    rejectReason: null,
    fillEventsCentis: fillEvents(o),
  };
}

function fillEvents(o: OrderState): number {
  return o.fillEventsCentis ?? o.filledCentis;
}

function checkOrderId(o: OrderState, event: string, orderId: string): void {
  if (o.orderId !== null && o.orderId !== orderId) {
    throw new OrderTransitionError(o.clientOrderId, o.status, event, `order ${o.clientOrderId}: ${event} names order_id ${describeValue(orderId)}, but the order is ${describeValue(o.orderId)}`);
  }
}

/** Drops `fillEventsCentis` when it equals `filledCentis` (absent means equal). */
function normalize(o: OrderState): OrderState {
  if (o.fillEventsCentis === undefined || o.fillEventsCentis !== o.filledCentis) return o;
  const { fillEventsCentis: _dropped, ...rest } = o;
  return rest;
}

const COMPARED_FIELDS = [
  'clientOrderId',
  'orderId',
  'signalId',
  'marketTicker',
  'eventTicker',
  'side',
  'action',
  'priceTicks',
  'countCentis',
  'filledCentis',
  'remainingCentis',
  'status',
  'rejectReason',
  'createdTsMs',
] as const;

function differs(a: OrderState, b: OrderState): boolean {
  for (const k of COMPARED_FIELDS) if (a[k] !== b[k]) return true;
  return fillEvents(a) !== fillEvents(b);
}

function validateState(o: OrderState): void {
  requireObject('order', o);
  if (!ORDER_STATUSES.includes(o.status)) throw new ExecutionInputError(`order.status: got ${describeValue(o.status)}, expected one of ${ORDER_STATUSES.join(' | ')}`);
  requireNonEmptyString('order.clientOrderId', o.clientOrderId);
  requireInt('order.countCentis', o.countCentis, 1);
  requireInt('order.filledCentis', o.filledCentis, 0, o.countCentis);
  requireInt('order.remainingCentis', o.remainingCentis, 0, o.countCentis - o.filledCentis);
  if (o.fillEventsCentis !== undefined) requireInt('order.fillEventsCentis', o.fillEventsCentis, 0, o.filledCentis);
  requireTime('order.updatedTsMs', o.updatedTsMs);
}
