/**
 * How orders reach the exchange: REST (`POST /portfolio/orders`, `DELETE /portfolio/orders/{id}`) or FIX
 * (NewOrderSingle / OrderCancelRequest through `KalshiFixOrderClient`). Both answer in the same terms, so the execution
 * service does not care which one runs. Fills never come from here: they arrive once, with their trade ids, on the
 * WebSocket `fill` channel (and from `GET /portfolio/fills` when reconciling).
 *
 * Source: Kalshi API v2 "Create Order" (`client_order_id`, `count_fp`, `yes_price_dollars`/`no_price_dollars`,
 * `time_in_force`, `expiration_ts` in Unix seconds; 409 on a duplicate `client_order_id`), "Cancel Order".
 */
import { decodeCancelOrder, decodeOrder, KalshiFixOrderClient, KalshiHttpError, KalshiRestClient, type FixExecution, type Order } from '@kalshi-platform/kalshi';
import { formatPriceDollars, formatSizeFp, ONE_DOLLAR } from '@kalshi-platform/market';
import type { ExchangeOrderView, OrderState } from '@kalshi-platform/execution';

/** Outcome of placing one order. */
export type PlaceResult =
  /** the exchange has the order (resting, or already filled / canceled for IOC) */
  | { kind: 'accepted'; order: ExchangeOrderView }
  /** refused (4xx other than a duplicate): the order never rests */
  | { kind: 'rejected'; reason: string }
  /** the exchange already has an order with this client_order_id: it was sent before (crash, retry) */
  | { kind: 'duplicate'; reason: string }
  /** no answer (network error, timeout, 5xx): the order may or may not exist; reconciliation decides */
  | { kind: 'unknown'; reason: string };

/** Outcome of a cancel. */
export type CancelResult = { kind: 'canceled'; order?: ExchangeOrderView } | { kind: 'gone'; reason: string } | { kind: 'error'; reason: string };

/** Order options derived from the signal. */
export interface PlaceOptions {
  timeInForce: 'gtc' | 'ioc';
  /** GTC orders expire here (the signal's expiry), epoch ms; rounded up to the second Kalshi takes */
  expirationTsMs?: number;
}

/** A route to the exchange. */
export interface OrderRoute {
  readonly name: 'rest' | 'fix';
  start(): Promise<void>;
  place(o: OrderState, opts: PlaceOptions): Promise<PlaceResult>;
  cancel(orderId: string, clientOrderId: string): Promise<CancelResult>;
  close(): Promise<void>;
}

/** A Kalshi REST `Order` -> the reconciler's view. Price of the order's own side. */
export function exchangeOrderView(o: Order): ExchangeOrderView {
  const filled = o.fillCountCentis ?? 0;
  const remaining = o.remainingCountCentis ?? Math.max(0, (o.initialCountCentis ?? filled) - filled);
  return {
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    marketTicker: o.ticker,
    side: o.side,
    action: o.action,
    status: o.status,
    filledCentis: filled,
    remainingCentis: remaining,
  };
}

function describeError(e: unknown): string {
  if (e instanceof KalshiHttpError) {
    const b = e.body as { error?: { code?: string; message?: string } | string } | null;
    const err = b && typeof b === 'object' ? b.error : undefined;
    const what = typeof err === 'string' ? err : err ? `${err.code ?? ''}${err.code && err.message ? ': ' : ''}${err.message ?? ''}` : '';
    return `HTTP ${e.status}${what ? ` ${what}` : ''}`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** Orders over the signed REST API. */
export class RestOrderRoute implements OrderRoute {
  readonly name = 'rest' as const;
  constructor(private readonly rest: KalshiRestClient) {}

  async start(): Promise<void> {
    /* stateless */
  }

  async place(o: OrderState, opts: PlaceOptions): Promise<PlaceResult> {
    const body: Record<string, unknown> = {
      ticker: o.marketTicker,
      side: o.side,
      action: o.action,
      count_fp: formatSizeFp(o.countCentis),
      [o.side === 'yes' ? 'yes_price_dollars' : 'no_price_dollars']: formatPriceDollars(o.priceTicks),
      client_order_id: o.clientOrderId,
      time_in_force: opts.timeInForce === 'ioc' ? 'immediate_or_cancel' : 'good_till_canceled',
    };
    if (opts.timeInForce === 'gtc' && opts.expirationTsMs !== undefined) body.expiration_ts = Math.ceil(opts.expirationTsMs / 1000);
    let res: unknown;
    try {
      res = await this.rest.request('POST', 'portfolio/orders', {}, body);
    } catch (e) {
      if (e instanceof KalshiHttpError && e.status === 409) return { kind: 'duplicate', reason: describeError(e) };
      if (e instanceof KalshiHttpError && e.status >= 400 && e.status < 500 && e.status !== 429) return { kind: 'rejected', reason: describeError(e) };
      return { kind: 'unknown', reason: describeError(e) };
    }
    const d = decodeOrder(res);
    if (!d.ok) return { kind: 'unknown', reason: `POST /portfolio/orders answered an undecodable order: ${d.error.message}` };
    return { kind: 'accepted', order: exchangeOrderView(d.value) };
  }

  async cancel(orderId: string): Promise<CancelResult> {
    try {
      const res = await this.rest.request('DELETE', `portfolio/orders/${encodeURIComponent(orderId)}`);
      const d = decodeCancelOrder(res);
      return d.ok ? { kind: 'canceled', order: exchangeOrderView(d.value.order) } : { kind: 'canceled' };
    } catch (e) {
      if (e instanceof KalshiHttpError && (e.status === 404 || e.status === 400 || e.status === 409)) return { kind: 'gone', reason: describeError(e) };
      return { kind: 'error', reason: describeError(e) };
    }
  }

  async close(): Promise<void> {
    /* stateless */
  }
}

/** FIX execution -> the reconciler's view (sizes from CumQty / LeavesQty). */
function fixOrderView(o: OrderState, x: FixExecution): ExchangeOrderView {
  const status = x.status === 'executed' ? 'executed' : x.status === 'canceled' || x.status === 'rejected' ? 'canceled' : x.status === 'pending' ? 'pending' : 'resting';
  return { orderId: x.orderId ?? '', clientOrderId: o.clientOrderId, marketTicker: o.marketTicker, side: o.side, action: o.action, status, filledCentis: x.cumQtyCentis, remainingCentis: x.leavesQtyCentis };
}

/** Orders over FIX (NewOrderSingle / OrderCancelRequest); the session stays logged on between orders. */
export class FixOrderRoute implements OrderRoute {
  readonly name = 'fix' as const;
  constructor(private readonly client: KalshiFixOrderClient) {}

  async start(): Promise<void> {
    await this.client.connect();
  }

  async place(o: OrderState, opts: PlaceOptions): Promise<PlaceResult> {
    let x: FixExecution;
    try {
      x = await this.client.placeOrder({
        clientOrderId: o.clientOrderId,
        marketTicker: o.marketTicker,
        side: o.side,
        action: o.action,
        priceTicks: o.priceTicks,
        countCentis: o.countCentis,
        timeInForce: opts.timeInForce === 'ioc' ? 'immediate_or_cancel' : 'good_till_canceled',
        expirationTsMs: opts.timeInForce === 'gtc' && opts.expirationTsMs !== undefined ? Math.ceil(opts.expirationTsMs / 1000) * 1000 : undefined,
      });
    } catch (e) {
      return { kind: 'unknown', reason: describeError(e) };
    }
    if (x.status === 'rejected') {
      const reason = x.text ?? 'rejected';
      return /duplicate|already exists/i.test(reason) ? { kind: 'duplicate', reason } : { kind: 'rejected', reason };
    }
    if (!x.orderId) return { kind: 'unknown', reason: `FIX execution report without OrderID for ${o.clientOrderId}` };
    return { kind: 'accepted', order: fixOrderView(o, x) };
  }

  async cancel(orderId: string, clientOrderId: string): Promise<CancelResult> {
    try {
      const x = await this.client.cancelOrder(clientOrderId, orderId);
      if (x.status === 'rejected') return { kind: 'gone', reason: x.text ?? 'cancel rejected' };
      return { kind: 'canceled' };
    } catch (e) {
      return { kind: 'error', reason: describeError(e) };
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** The YES price of a side's price, ticks. */
export function yesPriceOf(side: 'yes' | 'no', priceTicks: number): number {
  return side === 'yes' ? priceTicks : ONE_DOLLAR - priceTicks;
}
