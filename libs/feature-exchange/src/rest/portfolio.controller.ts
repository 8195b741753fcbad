/**
 * Kalshi REST v2 portfolio endpoints of the mock exchange (signed: see ./auth.guard), over the live venue:
 *
 * | endpoint | Kalshi page (docs.kalshi.com/api-reference/…) |
 * |---|---|
 * | `POST /portfolio/orders` -> 201 `{order}` | orders/create-order |
 * | `POST /portfolio/events/orders` -> 201 `{order_id, fill_count, remaining_count, …}` | orders/create-order-v2 |
 * | `POST /portfolio/orders/batched` -> 201 `{orders:[{client_order_id, order, error}]}` | orders/batch-create-orders |
 * | `DELETE /portfolio/orders/batched` -> `{orders:[{order_id, order, reduced_by_fp, error}]}` | orders/batch-cancel-orders |
 * | `GET /portfolio/orders` -> `{orders, cursor}` | orders/get-orders |
 * | `GET /portfolio/orders/{id}` -> `{order}` | orders/get-order |
 * | `DELETE /portfolio/orders/{id}` -> `{order, reduced_by_fp}` | orders/cancel-order |
 * | `POST /portfolio/orders/{id}/amend` -> `{old_order, order}` | orders/amend-order |
 * | `POST /portfolio/orders/{id}/decrease` -> `{order}` | orders/decrease-order |
 * | `GET /portfolio/fills` -> `{fills, cursor}` | portfolio/get-fills |
 * | `GET /portfolio/positions` -> `{market_positions, event_positions, cursor}` | portfolio/get-positions |
 * | `GET /portfolio/balance` -> `{balance, balance_dollars, portfolio_value, updated_ts}` | portfolio/get-balance |
 * | `GET /portfolio/settlements` -> `{settlements, cursor}` | portfolio/get-settlements |
 *
 * Errors (`{"error":{"code","message"}}`): malformed input 400 `invalid_parameter` naming the field; a duplicate
 * `client_order_id` 409 `order_already_exists`; an unknown market, or an order that is not the caller's, 404
 * `not_found`; an engine refusal 400 with the engine's reason as code (`insufficient_balance`, `invalid_price`,
 * `post_only_would_cross`, `market_not_open`, …); acting on an order that is no longer resting 400
 * `order_not_resting`; a halted venue (storage failure) 503.
 *
 * Lists are newest first with opaque, stable keyset cursors (`cursor` empty on the last page).
 * Not supported: order groups (`order_group_id` -> 400), subaccounts other than 0, `updated_client_order_id` on amend
 * (accepted, ignored: the client order id stays), `cancel_order_on_pause` (accepted; the mock never pauses).
 */
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { formatSizeFp } from '@kalshi-platform/market';
import type { EngineEvent, EventOf, PlaceResult, PositionView, RejectReason } from '@kalshi-platform/matching';
import { EXCHANGE_STATE, ExchangeState } from '../exchange-state';
import { VenueHaltedError, type VenueOrderInput } from '../venue/venue';
import { Auth, type AuthContext } from './auth.guard';
import { badParam, KalshiHttpError, notFound } from './kalshi-http-error';
import {
  amendOrderSchema,
  amendOrderV2Schema,
  batchCancelIds,
  countCentis,
  createOrderSchema,
  createOrderV2Schema,
  decodeCursor,
  decreaseChange,
  decreaseOrderSchema,
  decreaseOrderV2Schema,
  dollarsField,
  encodeCursor,
  enumQuery,
  limitQuery,
  listQuery,
  ownPriceTicks,
  parseBody,
  secondsQuery,
  venueOrderFromCreate,
  venueOrderFromV2,
} from './params';
import {
  balanceJson,
  bookSide,
  eventPositionJson,
  fillJson,
  formatAmountMicros,
  marketPositionJson,
  OrderLedger,
  orderJson,
  positionValueMicros,
  settlementJson,
  yesPriceOf,
  type OrderRecord,
} from './portfolio-json';
import { MAX_BATCH_ITEMS } from './rate-limit';

/** The HTTP error of an engine refusal (see the module docstring). */
export function rejectionError(reason: RejectReason, message: string): KalshiHttpError {
  switch (reason) {
    case 'duplicate_client_order_id':
      return new KalshiHttpError(409, 'order_already_exists', message);
    case 'unknown_market':
    case 'order_not_found':
      return new KalshiHttpError(404, 'not_found', message);
    default:
      return new KalshiHttpError(400, reason, message);
  }
}

/** Kalshi's `{code, message}` error object of an exception (batch items). */
function errorObject(e: unknown): { code: string; message: string } {
  if (e instanceof KalshiHttpError) {
    const r = e.getResponse() as { error: { code: string; message: string } };
    return r.error;
  }
  return { code: 'internal_error', message: (e as Error)?.message ?? String(e) };
}

/** Awaits a venue command; a halted venue becomes 503. */
async function venueCall<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof VenueHaltedError) throw new KalshiHttpError(503, 'service_unavailable', e.message);
    throw e;
  }
}

/**
 * Keeps only the venue's own fields of a decoded order, without the undefined ones (in the decoders' field order, which
 * is the journaled payload's).
 */
function venueInput(i: VenueOrderInput & { cancelOrderOnPause?: boolean }): VenueOrderInput {
  const out: VenueOrderInput = { marketTicker: i.marketTicker, side: i.side, action: i.action, priceTicks: i.priceTicks, sizeCentis: i.sizeCentis };
  if (i.clientOrderId !== undefined) out.clientOrderId = i.clientOrderId;
  if (i.timeInForce !== undefined) out.timeInForce = i.timeInForce;
  if (i.postOnly !== undefined) out.postOnly = i.postOnly;
  if (i.reduceOnly !== undefined) out.reduceOnly = i.reduceOnly;
  if (i.buyMaxCostTicks !== undefined) out.buyMaxCostTicks = i.buyMaxCostTicks;
  if (i.expirationTsMs !== undefined) out.expirationTsMs = i.expirationTsMs;
  if (i.selfTradePrevention !== undefined) out.selfTradePrevention = i.selfTradePrevention;
  return out;
}

/** Newest-first keyset page over items carrying an ascending numeric key. */
function pageDesc<T>(items: readonly T[], keyOf: (t: T) => number, limit: number, after: number | undefined, kind: string): { items: T[]; cursor: string } {
  const out: T[] = [];
  let i = items.length - 1;
  if (after !== undefined) while (i >= 0 && keyOf(items[i]) >= after) i--;
  for (; i >= 0 && out.length < limit; i--) out.push(items[i]);
  const more = i >= 0;
  return { items: out, cursor: more && out.length > 0 ? encodeCursor(kind, keyOf(out[out.length - 1])) : '' };
}

/** The items of a batch-create body: a non-empty `orders` array of at most 20. @throws KalshiHttpError 400. */
function batchItems(body: unknown): unknown[] {
  const items = (body as { orders?: unknown } | undefined)?.orders;
  if (!Array.isArray(items) || items.length === 0) throw badParam('orders', 'must be a non-empty array of orders');
  if (items.length > MAX_BATCH_ITEMS) throw badParam('orders', `at most ${MAX_BATCH_ITEMS} orders per batch, got ${items.length}`);
  return items;
}

/** `client_order_id` of a raw batch item, or null. */
function clientIdOf(item: unknown): string | null {
  const c = (item as { client_order_id?: unknown } | null)?.client_order_id;
  return typeof c === 'string' ? c : null;
}

/** Engine time of the command's event about `orderId` (ms). */
function eventTime(events: readonly EngineEvent[], orderId: string, dflt: number): number {
  for (const e of events) if ('orderId' in e && e.orderId === orderId) return e.tsMs;
  return dflt;
}

/**
 * The V2 order answer (create-order-v2, amend-order-v2): counts as fixed-point strings; when the request filled,
 * `average_fill_price` (YES price) and `average_fee_paid` (per contract) over this request's fills, rounded half up
 * to $0.000001.
 */
function v2Result(rec: OrderRecord, result: Extract<PlaceResult, { ok: true }>): Record<string, unknown> {
  const fills = result.events.filter((e): e is EventOf<'fill'> => e.type === 'fill' && e.orderId === rec.orderId);
  const out: Record<string, unknown> = {
    order_id: rec.orderId,
    client_order_id: rec.clientOrderId ?? '',
    fill_count: formatSizeFp(fills.reduce((s, f) => s + f.sizeCentis, 0)),
    remaining_count: formatSizeFp(result.remainingCentis),
    ts_ms: eventTime(result.events, rec.orderId, rec.lastUpdateTsMs),
  };
  const size = fills.reduce((s, f) => s + f.sizeCentis, 0);
  if (size > 0) {
    const notional = fills.reduce((s, f) => s + f.yesPriceTicks * f.sizeCentis, 0); // ticks x centis
    const fees = fills.reduce((s, f) => s + f.feeTicks, 0);
    // average price, micros = notional x 100 / size; fee per contract, micros = fees x 100 x 100 / size
    out.average_fill_price = formatAmountMicros(Math.floor((notional * 100 * 2 + size) / (2 * size)));
    out.average_fee_paid = formatAmountMicros(Math.floor((fees * 10_000 * 2 + size) / (2 * size)));
  }
  return out;
}

const ORDER_STATUSES = ['resting', 'canceled', 'executed'] as const;

/** See the module docstring. */
@Controller('trade-api/v2')
export class PortfolioController {
  constructor(
    @Inject(EXCHANGE_STATE) private readonly st: ExchangeState,
    @Inject(OrderLedger) private readonly ledger: OrderLedger,
  ) {}

  // ------------------------------------------------------------------------------------------- helpers

  /** 404 unless `ticker` is a venue market (400 `market_not_open` for a replay-mode market: not tradable). */
  private ensureMarket(ticker: string, field = 'ticker'): void {
    if (this.st.venue.engine.getMarket(ticker)) return;
    if (this.st.reference.markets.has(ticker)) throw new KalshiHttpError(400, 'market_not_open', `${field}: market ${ticker} is not tradable (the exchange replays a capture)`);
    throw notFound(`market ${ticker}`);
  }

  /** The caller's order, or 404 (unknown or another account's: indistinguishable on purpose). */
  private ownOrder(a: AuthContext, orderId: string): OrderRecord {
    const r = this.ledger.get(orderId);
    if (!r || r.accountId !== a.accountId) throw notFound(`order ${orderId}`);
    return r;
  }

  private ownRestingOrder(a: AuthContext, orderId: string): OrderRecord {
    const r = this.ownOrder(a, orderId);
    if (r.status !== 'resting') throw new KalshiHttpError(400, 'order_not_resting', `order ${orderId} is ${r.status}, not resting`);
    return r;
  }

  /** Places a decoded order; refusals become HTTP errors; resolves with the ledger record once durable. */
  private async place(a: AuthContext, input: VenueOrderInput): Promise<{ rec: OrderRecord; result: Extract<PlaceResult, { ok: true }> }> {
    this.ensureMarket(input.marketTicker);
    const r = await venueCall(this.st.venue.placeOrder(a.accountId, venueInput(input), 'rest'));
    if (!r.ok) throw rejectionError(r.reason, r.message);
    const rec = this.ledger.get(r.orderId);
    if (!rec) throw new KalshiHttpError(500, 'internal_error', `order ${r.orderId} was placed but is not in the ledger`);
    return { rec, result: r };
  }

  /** Cancels one of the caller's resting orders; resolves with the record, the size removed and the engine time. */
  private async cancel(a: AuthContext, orderId: string): Promise<{ rec: OrderRecord; reducedBy: number; tsMs: number }> {
    const rec = this.ownRestingOrder(a, orderId);
    const before = rec.remainingCentis;
    const r = await venueCall(this.st.venue.cancelOrder(a.accountId, orderId));
    if (!r.ok) throw rejectionError(r.reason, r.message);
    return { rec, reducedBy: before - rec.remainingCentis, tsMs: eventTime(r.events, orderId, rec.lastUpdateTsMs) };
  }

  /** Decreases one of the caller's resting orders. */
  private async decrease(a: AuthContext, orderId: string, change: { reduceByCentis?: number; reduceToCentis?: number }): Promise<{ rec: OrderRecord; tsMs: number }> {
    const rec = this.ownRestingOrder(a, orderId);
    const r = await venueCall(this.st.venue.decreaseOrder(a.accountId, orderId, change));
    if (!r.ok) throw rejectionError(r.reason, r.message);
    return { rec, tsMs: eventTime(r.events, orderId, rec.lastUpdateTsMs) };
  }

  /** Amends one of the caller's resting orders: own-side price and/or new max fillable size `total` (centis). */
  private async amend(a: AuthContext, rec: OrderRecord, priceTicks: number | undefined, total: number | undefined, countField: string): Promise<Extract<PlaceResult, { ok: true }>> {
    if (rec.status !== 'resting') throw new KalshiHttpError(400, 'order_not_resting', `order ${rec.orderId} is ${rec.status}, not resting`);
    let remainingCentis: number | undefined;
    if (total !== undefined) {
      remainingCentis = total - rec.filledCentis;
      if (remainingCentis <= 0) throw badParam(countField, `the new count must exceed the ${formatSizeFp(rec.filledCentis)} contracts already filled`);
    }
    const r = await venueCall(this.st.venue.amendOrder(a.accountId, rec.orderId, { priceTicks, remainingCentis }));
    if (!r.ok) throw rejectionError(r.reason, r.message);
    return r;
  }

  // ------------------------------------------------------------------------------------------- orders

  /** `POST /portfolio/orders` (create-order): 201 `{order}`. */
  @Post('portfolio/orders')
  @HttpCode(201)
  async createOrder(@Auth() a: AuthContext, @Body() body: unknown) {
    const b = parseBody(createOrderSchema, body);
    const { rec } = await this.place(a, venueOrderFromCreate(b));
    return { order: orderJson(rec) };
  }

  /**
   * `POST /portfolio/events/orders` (create-order-v2): `side` bid = buy YES, ask = sell YES at `price` (YES dollars).
   * 201 `{order_id, client_order_id, fill_count, remaining_count, average_fill_price?, average_fee_paid?, ts_ms}`.
   */
  @Post('portfolio/events/orders')
  @HttpCode(201)
  async createOrderV2(@Auth() a: AuthContext, @Body() body: unknown) {
    const b = parseBody(createOrderV2Schema, body);
    const { rec, result } = await this.place(a, venueOrderFromV2(b));
    return v2Result(rec, result);
  }

  /** `POST /portfolio/events/orders/batched` (batch-create-orders-v2): up to 20 V2 orders, one result per item. */
  @Post('portfolio/events/orders/batched')
  @HttpCode(201)
  async batchCreateV2(@Auth() a: AuthContext, @Body() body: unknown) {
    const items = batchItems(body);
    const pending = items.map((item, i) => {
      const clientOrderId = clientIdOf(item);
      try {
        const input = venueOrderFromV2(parseBody(createOrderV2Schema, item, `orders.${i}`), `orders.${i}`);
        return this.place(a, input).then(
          ({ rec, result }) => ({ ...v2Result(rec, result), error: null }),
          (e: unknown) => ({ client_order_id: clientOrderId, ts_ms: null, error: errorObject(e) }),
        );
      } catch (e) {
        return Promise.resolve({ client_order_id: clientOrderId, ts_ms: null, error: errorObject(e) });
      }
    });
    return { orders: await Promise.all(pending) };
  }

  /** `DELETE /portfolio/events/orders/batched` (batch-cancel-orders-v2): `{orders:[{order_id}]}` (or `ids`), up to 20. */
  @Delete('portfolio/events/orders/batched')
  async batchCancelV2(@Auth() a: AuthContext, @Body() body: unknown) {
    const ids = batchCancelIds(body);
    const pending = ids.map((id) =>
      this.cancel(a, id).then(
        ({ rec, reducedBy, tsMs }) => ({ order_id: id, client_order_id: rec.clientOrderId ?? null, reduced_by: formatSizeFp(reducedBy), ts_ms: tsMs, error: null }),
        (e: unknown) => ({ order_id: id, client_order_id: null, reduced_by: '0.00', ts_ms: null, error: errorObject(e) }),
      ),
    );
    return { orders: await Promise.all(pending) };
  }

  /** `DELETE /portfolio/events/orders` (cancel-all-orders): cancels every resting order of the caller. 204. */
  @Delete('portfolio/events/orders')
  @HttpCode(204)
  async cancelAll(@Auth() a: AuthContext): Promise<void> {
    const r = await venueCall(this.st.venue.cancelAllOrders(a.accountId));
    if (!r.ok) throw rejectionError(r.reason, r.message);
  }

  /** `DELETE /portfolio/events/orders/{order_id}` (cancel-order-v2): `{order_id, client_order_id, reduced_by, ts_ms}`. */
  @Delete('portfolio/events/orders/:order_id')
  async cancelOrderV2(@Auth() a: AuthContext, @Param('order_id') orderId: string) {
    const { rec, reducedBy, tsMs } = await this.cancel(a, orderId);
    return { order_id: rec.orderId, client_order_id: rec.clientOrderId ?? '', reduced_by: formatSizeFp(reducedBy), ts_ms: tsMs };
  }

  /**
   * `POST /portfolio/events/orders/{order_id}/amend` (amend-order-v2): `{ticker, side: bid|ask, price (YES $), count
   * (new max fillable = fill + remaining)}` -> `{order_id, client_order_id, fill_count, remaining_count, …, ts_ms}`.
   */
  @Post('portfolio/events/orders/:order_id/amend')
  @HttpCode(200)
  async amendOrderV2(@Auth() a: AuthContext, @Param('order_id') orderId: string, @Body() body: unknown) {
    const b = parseBody(amendOrderV2Schema, body);
    const rec = this.ownOrder(a, orderId);
    if (b.ticker !== rec.marketTicker) throw badParam('ticker', `order ${orderId} is in ${rec.marketTicker}, not ${b.ticker}`);
    if (b.side !== bookSide(rec.side, rec.action)) throw badParam('side', `order ${orderId} is on the ${bookSide(rec.side, rec.action)} side`);
    if (b.client_order_id !== undefined && b.client_order_id !== (rec.clientOrderId ?? '')) throw badParam('client_order_id', `does not match order ${orderId}`);
    const yes = dollarsField('price', b.price);
    if (yes <= 0 || yes >= 10_000) throw badParam('price', `must be strictly between 0 and 1, got ${JSON.stringify(b.price)}`);
    const total = countCentis('count', 'count', undefined, b.count, true) as number;
    const result = await this.amend(a, rec, yesPriceOf(rec.side, yes), total, 'count');
    return v2Result(rec, result);
  }

  /** `POST /portfolio/events/orders/{order_id}/decrease` (decrease-order-v2): `{order_id, client_order_id, remaining_count, ts_ms}`. */
  @Post('portfolio/events/orders/:order_id/decrease')
  @HttpCode(200)
  async decreaseOrderV2(@Auth() a: AuthContext, @Param('order_id') orderId: string, @Body() body: unknown) {
    const b = parseBody(decreaseOrderV2Schema, body);
    const change = decreaseChange({ reduce_by_fp: b.reduce_by, reduce_to_fp: b.reduce_to }, true);
    const { rec, tsMs } = await this.decrease(a, orderId, change);
    return { order_id: rec.orderId, client_order_id: rec.clientOrderId ?? '', remaining_count: formatSizeFp(rec.remainingCentis), ts_ms: tsMs };
  }

  /** `POST /portfolio/orders/batched` (batch-create-orders): up to 20 orders, one result per item, in order. */
  @Post('portfolio/orders/batched')
  @HttpCode(201)
  async batchCreate(@Auth() a: AuthContext, @Body() body: unknown) {
    const items = batchItems(body);
    const pending = items.map((item, i) => {
      const clientOrderId = clientIdOf(item);
      try {
        const input = venueOrderFromCreate(parseBody(createOrderSchema, item, `orders.${i}`), `orders.${i}`);
        // started synchronously, in item order: the venue applies commands in call order
        return this.place(a, input).then(
          ({ rec }) => ({ client_order_id: clientOrderId, order: orderJson(rec), error: null }),
          (e: unknown) => ({ client_order_id: clientOrderId, order: null, error: errorObject(e) }),
        );
      } catch (e) {
        return Promise.resolve({ client_order_id: clientOrderId, order: null, error: errorObject(e) });
      }
    });
    return { orders: await Promise.all(pending) };
  }

  /** `DELETE /portfolio/orders/batched` (batch-cancel-orders): `{ids}` or `{orders:[{order_id}]}`, up to 20. */
  @Delete('portfolio/orders/batched')
  async batchCancel(@Auth() a: AuthContext, @Body() body: unknown) {
    const ids = batchCancelIds(body);
    const pending = ids.map((id) =>
      this.cancel(a, id).then(
        ({ rec, reducedBy }) => ({ order_id: id, order: orderJson(rec), reduced_by_fp: formatSizeFp(reducedBy), error: null }),
        (e: unknown) => ({ order_id: id, order: null, reduced_by_fp: '0.00', error: errorObject(e) }),
      ),
    );
    return { orders: await Promise.all(pending) };
  }

  /**
   * `GET /portfolio/orders` (get-orders): the caller's orders, newest first. Filters: `ticker`, `event_ticker`
   * (comma list, <= 10), `status` (resting|canceled|executed), `min_ts` / `max_ts` (Unix s, on the creation time),
   * `limit` 1..1000 (100), `cursor`.
   */
  @Get('portfolio/orders')
  listOrders(
    @Auth() a: AuthContext,
    @Query('ticker') ticker?: string,
    @Query('event_ticker') eventTicker?: string,
    @Query('status') statusRaw?: string,
    @Query('min_ts') minTsRaw?: string,
    @Query('max_ts') maxTsRaw?: string,
    @Query('limit') limitRaw?: string,
    @Query('cursor') cursorRaw?: string,
  ) {
    const limit = limitQuery(limitRaw);
    const status = enumQuery('status', statusRaw, ORDER_STATUSES);
    const events = listQuery('event_ticker', eventTicker, 10);
    const minTs = secondsQuery('min_ts', minTsRaw);
    const maxTs = secondsQuery('max_ts', maxTsRaw);
    const after = decodeCursor('orders', cursorRaw, 'number');
    const eventOf = (t: string) => this.st.reference.markets.get(t)?.eventTicker;
    const list = this.ledger.ofAccount(a.accountId).filter((r) => {
      if (ticker && r.marketTicker !== ticker) return false;
      if (status && r.status !== status) return false;
      if (events && !events.includes(eventOf(r.marketTicker) ?? '')) return false;
      const s = Math.floor(r.createdTsMs / 1000);
      if (minTs !== undefined && s < minTs) return false;
      if (maxTs !== undefined && s > maxTs) return false;
      return true;
    });
    const p = pageDesc(list, (r) => r.seq, limit, after, 'orders');
    return { orders: p.items.map(orderJson), cursor: p.cursor };
  }

  /** `GET /portfolio/orders/{order_id}` (get-order): `{order}`; 404 for another account's order. */
  @Get('portfolio/orders/:order_id')
  getOrder(@Auth() a: AuthContext, @Param('order_id') orderId: string) {
    return { order: orderJson(this.ownOrder(a, orderId)) };
  }

  /** `DELETE /portfolio/orders/{order_id}` (cancel-order): `{order, reduced_by_fp}` (the remaining size removed). */
  @Delete('portfolio/orders/:order_id')
  async cancelOrder(@Auth() a: AuthContext, @Param('order_id') orderId: string) {
    const { rec, reducedBy } = await this.cancel(a, orderId);
    return { order: orderJson(rec), reduced_by_fp: formatSizeFp(reducedBy) };
  }

  /**
   * `POST /portfolio/orders/{order_id}/amend` (amend-order): new price (`yes_price[_dollars]` / `no_price[_dollars]`)
   * and/or new max fillable `count` / `count_fp` (= fill_count + remaining_count). `ticker`, `side`, `action` must be
   * the order's. `{old_order, order}`.
   */
  @Post('portfolio/orders/:order_id/amend')
  @HttpCode(200)
  async amendOrder(@Auth() a: AuthContext, @Param('order_id') orderId: string, @Body() body: unknown) {
    const b = parseBody(amendOrderSchema, body);
    const rec = this.ownOrder(a, orderId);
    if (b.ticker !== rec.marketTicker) throw badParam('ticker', `order ${orderId} is in ${rec.marketTicker}, not ${b.ticker}`);
    if (b.side !== rec.side) throw badParam('side', `order ${orderId} is a ${rec.side} order`);
    if (b.action !== rec.action) throw badParam('action', `order ${orderId} is a ${rec.action} order`);
    if (b.client_order_id !== undefined && b.client_order_id !== (rec.clientOrderId ?? '')) throw badParam('client_order_id', `does not match order ${orderId}`);
    const priceTicks = ownPriceTicks(rec.side, b, '', false);
    const total = countCentis('count', 'count_fp', b.count, b.count_fp, false);
    if (priceTicks === undefined && total === undefined) throw badParam('yes_price_dollars', 'give a new price and/or a new count');
    const old = orderJson(rec);
    await this.amend(a, rec, priceTicks, total, b.count_fp !== undefined ? 'count_fp' : 'count');
    return { old_order: old, order: orderJson(rec) };
  }

  /** `POST /portfolio/orders/{order_id}/decrease` (decrease-order): exactly one of `reduce_by[_fp]` / `reduce_to[_fp]`; `{order}`. */
  @Post('portfolio/orders/:order_id/decrease')
  @HttpCode(200)
  async decreaseOrder(@Auth() a: AuthContext, @Param('order_id') orderId: string, @Body() body: unknown) {
    const change = decreaseChange(parseBody(decreaseOrderSchema, body));
    const { rec } = await this.decrease(a, orderId, change);
    return { order: orderJson(rec) };
  }

  // ------------------------------------------------------------------------------------------- fills

  /**
   * `GET /portfolio/fills` (get-fills): the caller's fills, newest first. Filters `ticker`, `order_id`, `min_ts` /
   * `max_ts` (Unix s), `limit` 1..1000 (100), `cursor`.
   */
  @Get('portfolio/fills')
  fills(
    @Auth() a: AuthContext,
    @Query('ticker') ticker?: string,
    @Query('order_id') orderId?: string,
    @Query('min_ts') minTsRaw?: string,
    @Query('max_ts') maxTsRaw?: string,
    @Query('limit') limitRaw?: string,
    @Query('cursor') cursorRaw?: string,
  ) {
    const limit = limitQuery(limitRaw);
    const minTs = secondsQuery('min_ts', minTsRaw);
    const maxTs = secondsQuery('max_ts', maxTsRaw);
    const after = decodeCursor('fills', cursorRaw, 'number');
    const all = this.st.venue.fillsOf(a.accountId);
    const indexed: Array<{ i: number; f: EventOf<'fill'> }> = [];
    all.forEach((f, i) => {
      if (ticker && f.marketTicker !== ticker) return;
      if (orderId && f.orderId !== orderId) return;
      const s = Math.floor(f.tsMs / 1000);
      if (minTs !== undefined && s < minTs) return;
      if (maxTs !== undefined && s > maxTs) return;
      indexed.push({ i, f });
    });
    const p = pageDesc(indexed, (x) => x.i, limit, after, 'fills');
    return { fills: p.items.map(({ f }) => fillJson(f, this.ledger.get(f.orderId)?.clientOrderId)), cursor: p.cursor };
  }

  // ------------------------------------------------------------------------------------------- positions

  /**
   * `GET /portfolio/positions` (get-positions): market positions by ticker (ascending), `event_positions` summed per
   * event over every matching position (sent with the first page only). Default: positions with a non-zero position,
   * trading volume or resting orders; `count_filter` (`position`, `total_traded`, comma list: any non-zero) narrows.
   * Filters `ticker`, `event_ticker`, `limit` 1..1000 (100), `cursor`.
   */
  @Get('portfolio/positions')
  positions(
    @Auth() a: AuthContext,
    @Query('ticker') ticker?: string,
    @Query('event_ticker') eventTicker?: string,
    @Query('count_filter') countFilterRaw?: string,
    @Query('limit') limitRaw?: string,
    @Query('cursor') cursorRaw?: string,
  ) {
    const limit = limitQuery(limitRaw);
    const after = decodeCursor('positions', cursorRaw, 'string');
    const filters = listQuery('count_filter', countFilterRaw, 2);
    for (const f of filters ?? []) if (f !== 'position' && f !== 'total_traded') throw badParam('count_filter', `must be a comma list of position, total_traded; got ${JSON.stringify(f)}`);
    const acct = this.st.venue.engine.getAccount(a.accountId);
    if (!acct) throw notFound(`account ${a.accountId}`);
    const traded = new Map<string, number>();
    for (const f of this.st.venue.fillsOf(a.accountId)) traded.set(f.marketTicker, (traded.get(f.marketTicker) ?? 0) + f.priceTicks * f.sizeCentis);
    const eventOf = (t: string) => this.st.reference.markets.get(t)?.eventTicker ?? t;
    const keep = (p: PositionView) => {
      if (ticker && p.marketTicker !== ticker) return false;
      if (eventTicker && eventOf(p.marketTicker) !== eventTicker) return false;
      if (filters) return filters.some((f) => (f === 'position' ? p.positionCentis !== 0 : p.volumeCentis > 0));
      return p.positionCentis !== 0 || p.volumeCentis > 0 || p.restingOrders > 0;
    };
    const all = acct.positions.filter(keep).sort((x, y) => (x.marketTicker < y.marketTicker ? -1 : x.marketTicker > y.marketTicker ? 1 : 0));
    const start = after === undefined ? 0 : all.findIndex((p) => p.marketTicker > after);
    const from = start < 0 ? all.length : start;
    const page = all.slice(from, from + limit);
    const more = from + limit < all.length;
    const now = this.st.venue.engine.nowMs;
    const byEvent = new Map<string, PositionView[]>();
    if (after === undefined) {
      for (const p of all) {
        const e = eventOf(p.marketTicker);
        let l = byEvent.get(e);
        if (!l) byEvent.set(e, (l = []));
        l.push(p);
      }
    }
    return {
      market_positions: page.map((p) => marketPositionJson(p, traded.get(p.marketTicker) ?? 0, this.ledger.positionUpdatedMs(a.accountId, p.marketTicker) ?? now)),
      event_positions: [...byEvent].map(([e, ps]) => eventPositionJson(e, ps)),
      cursor: more && page.length > 0 ? encodeCursor('positions', page[page.length - 1].marketTicker) : '',
    };
  }

  // ------------------------------------------------------------------------------------------- balance

  /** `GET /portfolio/balance` (get-balance): available balance in cents and dollars, positions' value in cents. */
  @Get('portfolio/balance')
  balance(@Auth() a: AuthContext) {
    const acct = this.st.venue.engine.getAccount(a.accountId);
    if (!acct) throw notFound(`account ${a.accountId}`);
    let value = 0;
    for (const p of acct.positions) value += positionValueMicros(p, this.st.venue.markets.get(p.marketTicker)?.lastPriceTicks ?? null);
    return balanceJson(acct.availableTicks, value, this.ledger.balanceUpdatedMs(a.accountId) ?? this.st.venue.engine.nowMs);
  }

  // ------------------------------------------------------------------------------------------- settlements

  /**
   * `GET /portfolio/settlements` (get-settlements): the caller's settlements, newest first. Filters `ticker`,
   * `event_ticker`, `min_ts` / `max_ts` (Unix s), `limit` 1..1000 (100), `cursor`.
   */
  @Get('portfolio/settlements')
  settlements(
    @Auth() a: AuthContext,
    @Query('ticker') ticker?: string,
    @Query('event_ticker') eventTicker?: string,
    @Query('min_ts') minTsRaw?: string,
    @Query('max_ts') maxTsRaw?: string,
    @Query('limit') limitRaw?: string,
    @Query('cursor') cursorRaw?: string,
  ) {
    const limit = limitQuery(limitRaw);
    const minTs = secondsQuery('min_ts', minTsRaw);
    const maxTs = secondsQuery('max_ts', maxTsRaw);
    const after = decodeCursor('settlements', cursorRaw, 'number');
    const eventOf = (t: string) => this.st.reference.markets.get(t)?.eventTicker ?? t;
    const mine: Array<{ i: number; s: EventOf<'settlement'> }> = [];
    this.st.venue.settlements.forEach((s, i) => {
      if (s.accountId !== a.accountId) return;
      if (ticker && s.marketTicker !== ticker) return;
      if (eventTicker && eventOf(s.marketTicker) !== eventTicker) return;
      const sec = Math.floor(s.tsMs / 1000);
      if (minTs !== undefined && sec < minTs) return;
      if (maxTs !== undefined && sec > maxTs) return;
      mine.push({ i, s });
    });
    const p = pageDesc(mine, (x) => x.i, limit, after, 'settlements');
    return {
      settlements: p.items.map(({ s }) => settlementJson(s, eventOf(s.marketTicker), this.st.venue.engine.getPosition(a.accountId, s.marketTicker)?.feesPaidMicros ?? 0)),
      cursor: p.cursor,
    };
  }
}
