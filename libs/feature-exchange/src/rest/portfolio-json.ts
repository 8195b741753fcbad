/**
 * Kalshi REST JSON of the portfolio endpoints (orders, fills, positions, balance, settlements) in the fixed-point
 * dialect, and the {@link OrderLedger} that keeps every order's history (the engine keeps live orders only).
 *
 * Field lists follow the official SDK models (npm `kalshi-typescript` 3.30.0: models/order.ts, fill.ts,
 * market-position.ts, event-position.ts, get-balance-response.ts, settlement.ts) and the recorded bodies in
 * shared/data/kalshi-starter-golden-rest: every required SDK property is emitted with its type; money and counts only
 * as fixed-point strings (`*_dollars` prices with 4 decimals, `*_fp` counts with 2 decimals; amounts that are not a
 * whole number of 1/10000 $ with 6 decimals, as Kalshi allows); legacy integer-cent fields are not emitted except where
 * the SDK still requires them (`balance`, `portfolio_value`, settlement `revenue` / `value`, all in cents). The
 * deprecated `side` / `action` are still emitted next to `outcome_side` / `book_side` (Kalshi keeps them until at least
 * May 2026, and libs/kalshi's decoders read them).
 *
 * Units in: ticks (1/10000 $), centis (1/100 contract), micros (1e-6 $), ms. Times out: ISO-8601 UTC strings, or
 * Unix seconds where Kalshi uses them (`ts`, `updated_ts`).
 */
import { formatDollarsMicros, formatPriceDollars, formatSizeFp, type PriceTicks, type SizeCentis } from '@kalshi-platform/market';
import type { Action, EngineEvent, EventOf, OrderEventBase, OrderView, PositionView, SelfTradePrevention, Side, TimeInForce } from '@kalshi-platform/matching';
import type { Venue, VenueCommand } from '../venue/venue';

/** Kalshi order status (OpenAPI `OrderStatus`). */
export type KalshiOrderStatus = 'resting' | 'canceled' | 'executed';

/** One order as the REST layer reports it (live or ended). */
export interface OrderRecord {
  /** arrival number in the ledger (the cursor key of `GET /portfolio/orders`) */
  seq: number;
  orderId: string;
  accountId: string;
  clientOrderId?: string;
  marketTicker: string;
  side: Side;
  action: Action;
  /** own-side limit price, ticks */
  priceTicks: PriceTicks;
  initialCentis: SizeCentis;
  filledCentis: SizeCentis;
  remainingCentis: SizeCentis;
  status: KalshiOrderStatus;
  timeInForce: TimeInForce;
  postOnly: boolean;
  reduceOnly: boolean;
  selfTradePrevention: SelfTradePrevention;
  expirationTsMs?: number;
  createdTsMs: number;
  lastUpdateTsMs: number;
  /** sum of own-side price x size of the fills where the order took / made liquidity, micros */
  takerFillCostMicros: number;
  makerFillCostMicros: number;
  takerFeesTicks: PriceTicks;
  makerFeesTicks: PriceTicks;
}

const statusOf = (s: string): KalshiOrderStatus => (s === 'executed' || s === 'canceled' ? s : 'resting');

/**
 * Every order of every account since the exchange's REST layer started: live orders of the engine at start (seed
 * liquidity, orders restored from the journal) are imported, then each published command's events update it.
 * Orders that had already ended before a restart are not restored (the engine does not keep them); their fills are
 * (the venue's fill list is rebuilt by the journal replay).
 *
 * Also records when each account's balance and each position last changed (`updated_ts`, `last_updated_ts`).
 */
export class OrderLedger {
  private readonly orders = new Map<string, OrderRecord>();
  private readonly byAccount = new Map<string, OrderRecord[]>();
  private readonly balanceTs = new Map<string, number>();
  private readonly positionTs = new Map<string, number>();
  private nextSeq = 1;
  private readonly unsubscribe: () => void;

  constructor(private readonly venue: Venue) {
    for (const v of venue.engine.listOrders()) this.add(recordFromView(v, 0));
    this.unsubscribe = venue.onEvents((events, cmd) => this.apply(events, cmd));
  }

  /** Stops following the venue. */
  close(): void {
    this.unsubscribe();
  }

  /** Nest lifecycle hook: stops following the venue when the app closes. */
  onModuleDestroy(): void {
    this.close();
  }

  get(orderId: string): OrderRecord | undefined {
    return this.orders.get(orderId);
  }

  /** Orders of an account, oldest first (ascending seq). */
  ofAccount(accountId: string): readonly OrderRecord[] {
    return this.byAccount.get(accountId) ?? [];
  }

  /** When the account's balance last changed, ms (undefined: not since start). */
  balanceUpdatedMs(accountId: string): number | undefined {
    return this.balanceTs.get(accountId);
  }

  /** When a position last changed, ms (undefined: not since start). */
  positionUpdatedMs(accountId: string, marketTicker: string): number | undefined {
    return this.positionTs.get(`${accountId}\u0000${marketTicker}`);
  }

  private add(r: OrderRecord): OrderRecord {
    r.seq = this.nextSeq++;
    this.orders.set(r.orderId, r);
    let list = this.byAccount.get(r.accountId);
    if (!list) this.byAccount.set(r.accountId, (list = []));
    list.push(r);
    return r;
  }

  /** Folds one command's events in (called by the venue once the command is durable). */
  apply(events: readonly EngineEvent[], cmd: VenueCommand): void {
    const p = cmd.kind === 'place_order' ? (cmd.payload as Record<string, unknown>) : undefined;
    for (const e of events) {
      switch (e.type) {
        case 'order_accepted': {
          if (this.orders.has(e.orderId)) break;
          const mine = p && p.orderId === e.orderId ? p : undefined;
          this.add({
            seq: 0,
            orderId: e.orderId,
            accountId: e.accountId,
            clientOrderId: e.clientOrderId,
            marketTicker: e.marketTicker,
            side: e.side,
            action: e.action,
            priceTicks: e.priceTicks,
            initialCentis: e.initialCentis,
            filledCentis: e.filledCentis,
            remainingCentis: e.remainingCentis,
            status: statusOf(e.status),
            timeInForce: (mine?.timeInForce as TimeInForce | undefined) ?? 'good_till_canceled',
            postOnly: mine?.postOnly === true,
            reduceOnly: mine?.reduceOnly === true,
            selfTradePrevention: (mine?.selfTradePrevention as SelfTradePrevention | undefined) ?? 'taker_at_cross',
            expirationTsMs: typeof mine?.expirationTsMs === 'number' ? mine.expirationTsMs : undefined,
            createdTsMs: e.tsMs,
            lastUpdateTsMs: e.tsMs,
            takerFillCostMicros: 0,
            makerFillCostMicros: 0,
            takerFeesTicks: 0,
            makerFeesTicks: 0,
          });
          break;
        }
        case 'order_resting':
        case 'order_partially_filled':
        case 'order_filled':
        case 'order_canceled':
        case 'order_expired':
        case 'order_decreased':
        case 'order_amended': {
          const r = this.orders.get(e.orderId) ?? this.importFromEvent(e);
          r.priceTicks = e.priceTicks;
          r.remainingCentis = e.remainingCentis;
          r.filledCentis = e.filledCentis;
          r.status = statusOf(e.status);
          r.lastUpdateTsMs = e.tsMs;
          // an amend sets the order's max fillable size (Kalshi: fill_count + remaining_count)
          if (e.type === 'order_amended') r.initialCentis = e.filledCentis + e.remainingCentis;
          break;
        }
        case 'fill': {
          const r = this.orders.get(e.orderId);
          if (!r) break;
          const cost = e.priceTicks * e.sizeCentis;
          if (e.isTaker) {
            r.takerFillCostMicros += cost;
            r.takerFeesTicks += e.feeTicks;
          } else {
            r.makerFillCostMicros += cost;
            r.makerFeesTicks += e.feeTicks;
          }
          r.lastUpdateTsMs = e.tsMs;
          break;
        }
        case 'balance_changed':
          this.balanceTs.set(e.accountId, e.tsMs);
          break;
        case 'position_changed':
          this.positionTs.set(`${e.accountId}\u0000${e.marketTicker}`, e.tsMs);
          break;
        case 'settlement':
          this.positionTs.set(`${e.accountId}\u0000${e.marketTicker}`, e.tsMs);
          break;
      }
    }
  }

  /** An order first seen by a life-cycle event (it predates the ledger): from the engine's live view if any. */
  private importFromEvent(e: OrderEventBase): OrderRecord {
    const v = this.venue.engine.getOrder(e.orderId);
    if (v) return this.add(recordFromView(v, e.tsMs));
    return this.add({
      seq: 0,
      orderId: e.orderId,
      accountId: e.accountId,
      clientOrderId: e.clientOrderId,
      marketTicker: e.marketTicker,
      side: e.side,
      action: e.action,
      priceTicks: e.priceTicks,
      initialCentis: e.filledCentis + e.remainingCentis,
      filledCentis: e.filledCentis,
      remainingCentis: e.remainingCentis,
      status: statusOf(e.status),
      timeInForce: 'good_till_canceled',
      postOnly: false,
      reduceOnly: false,
      selfTradePrevention: 'taker_at_cross',
      createdTsMs: e.tsMs,
      lastUpdateTsMs: e.tsMs,
      takerFillCostMicros: 0,
      makerFillCostMicros: 0,
      takerFeesTicks: 0,
      makerFeesTicks: 0,
    });
  }
}

/** A ledger record from an engine view (live order). */
export function recordFromView(v: OrderView, lastUpdateTsMs: number): OrderRecord {
  return {
    seq: 0,
    orderId: v.orderId,
    accountId: v.accountId,
    clientOrderId: v.clientOrderId,
    marketTicker: v.marketTicker,
    side: v.side,
    action: v.action,
    priceTicks: v.priceTicks,
    initialCentis: v.initialCentis,
    filledCentis: v.filledCentis,
    remainingCentis: v.remainingCentis,
    status: statusOf(v.status),
    timeInForce: v.timeInForce,
    postOnly: v.postOnly,
    reduceOnly: v.reduceOnly,
    selfTradePrevention: v.selfTradePrevention,
    expirationTsMs: v.expirationTsMs,
    createdTsMs: v.createdTsMs,
    lastUpdateTsMs: Math.max(lastUpdateTsMs, v.createdTsMs),
    takerFillCostMicros: v.takerFillCostMicros,
    makerFillCostMicros: v.makerFillCostMicros,
    takerFeesTicks: v.takerFeesTicks,
    makerFeesTicks: v.makerFeesTicks,
  };
}

// ----------------------------------------------------------------------------------------------- formatting

// Every order answer formats the same few values again and again (prices $0..$1, small counts, zero fees): their
// strings are kept once made. Same results as the library formatters (which still handle, and throw for, the rest).
const formatPrice = formatPriceDollars;
const formatSize = formatSizeFp;
const priceText: string[] = [];
const sizeText: string[] = [];
const PRICE_CACHED = 10_000; // ticks 0..$1
const SIZE_CACHED = 100_000; // centis 0..1,000 contracts

/** {@link formatPriceDollars}, memoized for 0..10,000 ticks. */
function priceDollars(ticks: PriceTicks): string {
  if (ticks >= 0 && ticks <= PRICE_CACHED && Number.isInteger(ticks)) return (priceText[ticks] ??= formatPrice(ticks));
  return formatPrice(ticks);
}

/** {@link formatSizeFp}, memoized for 0..100,000 centis. */
function sizeFp(centis: SizeCentis): string {
  if (centis >= 0 && centis <= SIZE_CACHED && Number.isInteger(centis)) return (sizeText[centis] ??= formatSize(centis));
  return formatSize(centis);
}

/** An amount of micro-dollars as Kalshi's dollar string: 4 decimals when exact to $0.0001, else 6. */
export function formatAmountMicros(micros: number): string {
  return micros % 100 === 0 ? priceDollars(micros / 100) : formatDollarsMicros(micros);
}

let lastIsoMs = NaN;
let lastIso = '';

/** ISO-8601 UTC time of a ms timestamp (`2026-01-14T20:18:04.727Z`). */
export const isoTime = (ms: number): string => {
  if (ms === lastIsoMs) return lastIso; // created/updated times of one answer are mostly the same ms
  const text = new Date(ms).toISOString();
  lastIsoMs = ms;
  lastIso = text;
  return text;
};

/** Kalshi `outcome_side`: buy-yes and sell-no are `yes`; buy-no and sell-yes are `no` (getting_started/order_direction). */
export const outcomeSide = (side: Side, action: Action): Side => ((side === 'yes') === (action === 'buy') ? 'yes' : 'no');

/** Kalshi `book_side` (YES book): `bid` for YES exposure (buy YES / sell NO), `ask` otherwise. */
export const bookSide = (side: Side, action: Action): 'bid' | 'ask' => (outcomeSide(side, action) === 'yes' ? 'bid' : 'ask');

/** The YES price of an own-side price, ticks. */
export const yesPriceOf = (side: Side, ownTicks: PriceTicks): PriceTicks => (side === 'yes' ? ownTicks : 10_000 - ownTicks);

/** Kalshi `Order` JSON (SDK models/order.ts). */
export function orderJson(r: OrderRecord): Record<string, unknown> {
  const yes = yesPriceOf(r.side, r.priceTicks);
  return {
    order_id: r.orderId,
    user_id: r.accountId,
    client_order_id: r.clientOrderId ?? '',
    ticker: r.marketTicker,
    side: r.side,
    action: r.action,
    outcome_side: outcomeSide(r.side, r.action),
    book_side: bookSide(r.side, r.action),
    type: 'limit',
    status: r.status,
    yes_price_dollars: priceDollars(yes),
    no_price_dollars: priceDollars(10_000 - yes),
    fill_count_fp: sizeFp(r.filledCentis),
    remaining_count_fp: sizeFp(r.remainingCentis),
    initial_count_fp: sizeFp(r.initialCentis),
    taker_fill_cost_dollars: formatAmountMicros(r.takerFillCostMicros),
    maker_fill_cost_dollars: formatAmountMicros(r.makerFillCostMicros),
    taker_fees_dollars: priceDollars(r.takerFeesTicks),
    maker_fees_dollars: priceDollars(r.makerFeesTicks),
    expiration_time: r.expirationTsMs === undefined ? null : isoTime(r.expirationTsMs),
    created_time: isoTime(r.createdTsMs),
    last_update_time: isoTime(r.lastUpdateTsMs),
    self_trade_prevention_type: r.selfTradePrevention,
    time_in_force: r.timeInForce,
    post_only: r.postOnly,
    reduce_only: r.reduceOnly,
    order_group_id: null,
    subaccount_number: 0,
    exchange_index: 0,
  };
}

/** Kalshi `Fill` JSON (SDK models/fill.ts); `fee_cost` is the trade fee of this side. */
export function fillJson(f: EventOf<'fill'>, clientOrderId?: string): Record<string, unknown> {
  const j: Record<string, unknown> = {
    fill_id: f.tradeId,
    trade_id: f.tradeId,
    order_id: f.orderId,
    ticker: f.marketTicker,
    market_ticker: f.marketTicker,
    side: f.side,
    action: f.action,
    outcome_side: outcomeSide(f.side, f.action),
    book_side: bookSide(f.side, f.action),
    count_fp: formatSizeFp(f.sizeCentis),
    yes_price_dollars: formatPriceDollars(f.yesPriceTicks),
    no_price_dollars: formatPriceDollars(10_000 - f.yesPriceTicks),
    is_taker: f.isTaker,
    fee_cost: formatPriceDollars(f.feeTicks),
    created_time: isoTime(f.tsMs),
    ts: Math.floor(f.tsMs / 1000),
    subaccount_number: 0,
    exchange_index: 0,
  };
  if (clientOrderId) j.client_order_id = clientOrderId;
  return j;
}

/** Kalshi `MarketPosition` JSON (SDK models/market-position.ts). `total_traded_dollars` = sum of own-side price x size of the account's fills. */
export function marketPositionJson(p: PositionView, totalTradedMicros: number, lastUpdatedMs: number): Record<string, unknown> {
  return {
    ticker: p.marketTicker,
    exchange_index: 0,
    total_traded_dollars: formatAmountMicros(totalTradedMicros),
    position_fp: formatSizeFp(p.positionCentis),
    market_exposure_dollars: formatAmountMicros(p.costBasisMicros),
    realized_pnl_dollars: formatAmountMicros(p.realizedPnlMicros),
    fees_paid_dollars: formatAmountMicros(p.feesPaidMicros),
    resting_orders_count: p.restingOrders,
    last_updated_ts: isoTime(lastUpdatedMs),
  };
}

/** Kalshi `EventPosition` JSON (SDK models/event-position.ts): sums over the event's market positions. */
export function eventPositionJson(eventTicker: string, positions: readonly PositionView[]): Record<string, unknown> {
  let cost = 0;
  let shares = 0;
  let pnl = 0;
  let fees = 0;
  for (const p of positions) {
    cost += p.costBasisMicros;
    shares += Math.abs(p.positionCentis);
    pnl += p.realizedPnlMicros;
    fees += p.feesPaidMicros;
  }
  return {
    event_ticker: eventTicker,
    total_cost_dollars: formatAmountMicros(cost),
    total_cost_shares_fp: formatSizeFp(shares),
    event_exposure_dollars: formatAmountMicros(cost),
    realized_pnl_dollars: formatAmountMicros(pnl),
    fees_paid_dollars: formatAmountMicros(fees),
  };
}

/**
 * Kalshi `GetBalanceResponse` JSON (SDK models/get-balance-response.ts; api-reference/portfolio/get-balance):
 * `balance` = the available balance in cents (rounded down), `balance_dollars` the same to $0.0001,
 * `portfolio_value` = value of the positions held in cents (see {@link positionValueMicros}), `updated_ts` Unix seconds.
 */
export function balanceJson(availableTicks: PriceTicks, portfolioValueMicros: number, updatedMs: number): Record<string, unknown> {
  const balanceDollars = formatPriceDollars(availableTicks);
  return {
    balance: Math.floor(availableTicks / 100),
    balance_dollars: balanceDollars,
    portfolio_value: Math.floor(portfolioValueMicros / 10_000),
    updated_ts: Math.floor(updatedMs / 1000),
    balance_breakdown: [{ exchange_index: 0, balance: balanceDollars }],
  };
}

/**
 * Value of a position, micros: contracts held x the market's last trade price on the held side (YES held at the last
 * YES price, NO held at $1 minus it); the cost basis when the market has not traded yet.
 */
export function positionValueMicros(p: PositionView, lastYesPriceTicks: PriceTicks | null): number {
  if (p.positionCentis === 0) return 0;
  if (lastYesPriceTicks === null) return p.costBasisMicros;
  const mark = p.positionCentis > 0 ? lastYesPriceTicks : 10_000 - lastYesPriceTicks;
  return Math.abs(p.positionCentis) * mark;
}

/**
 * Kalshi `Settlement` JSON (SDK models/settlement.ts). `revenue` (cents) = payout; the side held gets the cost basis
 * (payout - realized PnL of the settlement); `value` = payout of one YES contract in cents.
 */
export function settlementJson(s: EventOf<'settlement'>, eventTicker: string, feesPaidMicros: number): Record<string, unknown> {
  const costMicros = s.payoutTicks * 100 - s.realizedPnlMicros;
  const yesHeld = s.positionCentis > 0;
  const count = Math.abs(s.positionCentis);
  return {
    ticker: s.marketTicker,
    exchange_index: 0,
    event_ticker: eventTicker,
    market_result: s.result,
    yes_count_fp: formatSizeFp(yesHeld ? count : 0),
    yes_total_cost_dollars: formatAmountMicros(yesHeld ? costMicros : 0),
    no_count_fp: formatSizeFp(yesHeld ? 0 : count),
    no_total_cost_dollars: formatAmountMicros(yesHeld ? 0 : costMicros),
    revenue: Math.floor(s.payoutTicks / 100),
    settled_time: isoTime(s.tsMs),
    fee_cost: formatAmountMicros(feesPaidMicros),
    value: s.result === 'yes' ? 100 : 0,
  };
}
