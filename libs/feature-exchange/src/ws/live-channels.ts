/**
 * Live-mode WebSocket channels: turns the venue's published {@link EngineEvent}s (one batch per durable command, in
 * order) into the Kalshi WebSocket v2 messages of each channel, without sid/seq (the gateway numbers and fans them
 * out per subscription).
 *
 * | channel | message `type` | from | shape source |
 * |---|---|---|---|
 * | `orderbook_delta` | `orderbook_delta` (+ `orderbook_snapshot` from {@link LiveFeed.books}) | `orderbook_delta` events | docs.kalshi.com/websockets/orderbook-updates, demo capture |
 * | `ticker` | `ticker` | after a command, per market whose BBO, sizes, last price, volume or open interest changed | websockets/market-ticker, ssmd capture |
 * | `trade` | `trade` | every taker `fill` (one per match) | websockets/public-trades, ssmd capture |
 * | `fill` (private) | `fill` | every `fill` of the account | websockets/user-fills, demo capture |
 * | `user_orders` (private) | `user_order` | every order event of the account whose status is not the transient `pending` | websockets/user-orders |
 * | `market_positions` (private) | `market_position` | every `position_changed` of the account | websockets/market-positions |
 * | `market_lifecycle_v2` | `market_lifecycle_v2` | `market_status_changed` | websockets/market-and-event-lifecycle, getting_started/market_lifecycle |
 *
 * Consistency: the feed keeps its own copy of the published state (books, volume, last price, open interest, live
 * orders) and moves it only by published events. The venue applies a command to its engine and mirror books before the
 * command is durable and published, so reading `venue.books` at subscribe time could include changes whose deltas are
 * still to come (a client would apply them twice). Snapshots are therefore taken from {@link LiveFeed.books}, which are
 * exactly "every delta published so far".
 *
 * Units: prices {@link PriceTicks} (1/10000 $), sizes {@link SizeCentis} (1/100 contract), money micro-dollars
 * (a tick times a centi is one micro). No floating point.
 */
import { ANY_TICK, NO_PRICE, OrderBook, type PriceTicks, type SizeCentis } from '@kalshi-platform/market';
import type { FillFrame, MarketLifecycleFrame, MarketPositionFrame, TickerFrame, TradeFrame, UserOrderFrame } from '@kalshi-platform/kalshi';
import { formatWsTimestamp } from '@kalshi-platform/kalshi';
import type { Action, EngineEvent, EventOf, Side } from '@kalshi-platform/matching';
import type { Venue, VenueCommand } from '../venue/venue';

const DOLLAR_TICKS = 10_000;
const MICROS_PER_TICK = 100;

/** A frame body without the envelope the gateway adds per subscription. */
type Body<F> = Omit<F, 'type' | 'dialect' | 'sid' | 'seq'>;

/** One live-channel message, before fan-out. `account` marks a private message (only that account's sessions). */
export type LiveMessage =
  | { channel: 'orderbook_delta'; market: string; delta: { marketId?: string; side: Side; priceTicks: PriceTicks; deltaCentis: SizeCentis; tsMs: number } }
  /** a market appeared (or its book was replaced): subscribers covering it get a fresh snapshot */
  | { channel: 'orderbook_reset'; market: string }
  | { channel: 'ticker'; market: string; body: Body<TickerFrame> }
  | { channel: 'trade'; market: string; body: Body<TradeFrame> }
  | { channel: 'fill'; market: string; account: string; body: Body<FillFrame> }
  | { channel: 'user_orders'; market: string; account: string; body: Body<UserOrderFrame> }
  | { channel: 'market_positions'; market: string; account: string; body: Body<MarketPositionFrame> }
  | { channel: 'market_lifecycle_v2'; market: string; body: Omit<MarketLifecycleFrame, 'type' | 'sid' | 'seq'> };

/** What a `ticker` frame publishes for a market (compared to decide whether a change is worth a frame). */
interface TickerState {
  priceTicks: PriceTicks;
  yesBidTicks: PriceTicks;
  yesAskTicks: PriceTicks;
  yesBidSizeCentis: SizeCentis;
  yesAskSizeCentis: SizeCentis;
  volumeCentis: SizeCentis;
  openInterestCentis: SizeCentis;
  lastTradeSizeCentis: SizeCentis;
}

/** Published facts of a market the engine events do not carry directly. */
interface MarketTrack {
  lastPriceTicks: PriceTicks;
  lastTradeSizeCentis: SizeCentis;
  volumeCentis: SizeCentis;
  openInterestCentis: SizeCentis;
  /** last ticker state sent (or the state at start) */
  sent: TickerState;
}

/** A live order's cumulative figures for `user_order` frames (Kalshi `Order` fields). */
interface OrderTrack {
  initialCentis: SizeCentis;
  createdTsMs: number;
  clientOrderId?: string;
  expirationTsMs?: number;
  selfTradePrevention?: string;
  takerCostMicros: number;
  makerCostMicros: number;
  takerFeesMicros: number;
  makerFeesMicros: number;
}

const ORDER_EVENT_TYPES = new Set(['order_accepted', 'order_resting', 'order_partially_filled', 'order_filled', 'order_canceled', 'order_expired', 'order_decreased', 'order_amended']);
type OrderEvent = Extract<EngineEvent, { orderId: string; status: unknown }>;

/** Buying NO is selling YES: the outcome side a trade leaves the account holding more of (Kalshi `outcome_side`). */
export function outcomeSide(side: Side, action: Action): Side {
  return action === 'buy' ? side : side === 'yes' ? 'no' : 'yes';
}

/** Kalshi `book_side`: `bid` for YES-bid liquidity (buy YES / sell NO), `ask` for YES-ask (sell YES / buy NO). */
export function bookSide(side: Side, action: Action): 'bid' | 'ask' {
  return outcomeSide(side, action) === 'yes' ? 'bid' : 'ask';
}

/** Signed position change of a fill, YES terms (+ YES bought or NO sold). */
function signedSize(f: EventOf<'fill'>): number {
  return outcomeSide(f.side, f.action) === 'yes' ? f.sizeCentis : -f.sizeCentis;
}

const isoMs = (ms: number): string => new Date(ms).toISOString();

/** See the module docstring. */
export class LiveFeed {
  /** the published books: every `orderbook_delta` published so far applied to the books at start */
  readonly books = new Map<string, OrderBook>();
  private readonly markets = new Map<string, MarketTrack>();
  private readonly orders = new Map<string, OrderTrack>();
  /** `account\u0000market` -> published position, centis (YES terms) */
  private readonly positions = new Map<string, SizeCentis>();

  /**
   * Copies the venue's current state. Call it when nothing is in flight (at exchange start, after seeding), so that the
   * copy equals the published state.
   */
  constructor(private readonly venue: Venue) {
    for (const [t, b] of venue.books) this.addBook(t, b);
    for (const o of venue.engine.listOrders()) {
      this.orders.set(o.orderId, {
        initialCentis: o.initialCentis,
        createdTsMs: o.createdTsMs,
        clientOrderId: o.clientOrderId,
        expirationTsMs: o.expirationTsMs,
        selfTradePrevention: o.selfTradePrevention,
        takerCostMicros: o.takerFillCostMicros,
        makerCostMicros: o.makerFillCostMicros,
        takerFeesMicros: o.takerFeesTicks * MICROS_PER_TICK,
        makerFeesMicros: o.makerFeesTicks * MICROS_PER_TICK,
      });
    }
    for (const id of venue.engine.accountIds()) {
      for (const p of venue.engine.getAccount(id)?.positions ?? []) this.positions.set(`${id}\u0000${p.marketTicker}`, p.positionCentis);
    }
  }

  /** Tickers of every market, in listing order. */
  marketTickers(): string[] {
    return [...this.books.keys()];
  }

  /** Kalshi `market_id` of a market. */
  marketId(t: string): string | undefined {
    return this.venue.markets.get(t)?.marketId;
  }

  /** The current `ticker` body of a market (for `send_initial_snapshot`), or undefined for an unknown market. */
  tickerNow(t: string, tsMs: number): Body<TickerFrame> | undefined {
    const m = this.markets.get(t);
    const b = this.books.get(t);
    if (!m || !b) return undefined;
    return this.tickerBody(t, this.tickerState(m, b), tsMs);
  }

  /**
   * Updates the published state with one command's events and returns the channel messages they make, in event order;
   * `ticker` messages of the command's markets come last.
   */
  onCommand(events: readonly EngineEvent[], command: VenueCommand): LiveMessage[] {
    const out: LiveMessage[] = [];
    const touched = new Map<string, number>();
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      switch (ev.type) {
        case 'orderbook_delta': {
          let b = this.books.get(ev.marketTicker);
          if (!b) b = this.addBook(ev.marketTicker);
          b.applyDelta(ev.side, ev.priceTicks, ev.deltaCentis);
          touched.set(ev.marketTicker, ev.tsMs);
          out.push({ channel: 'orderbook_delta', market: ev.marketTicker, delta: { marketId: this.marketId(ev.marketTicker), side: ev.side, priceTicks: ev.priceTicks, deltaCentis: ev.deltaCentis, tsMs: ev.tsMs } });
          break;
        }
        case 'fill':
          this.onFill(ev, events, i, out);
          touched.set(ev.marketTicker, ev.tsMs);
          break;
        case 'position_changed': {
          const key = `${ev.accountId}\u0000${ev.marketTicker}`;
          const before = this.positions.get(key) ?? 0;
          this.positions.set(key, ev.positionCentis);
          const m = this.markets.get(ev.marketTicker);
          if (m) m.openInterestCentis += Math.max(ev.positionCentis, 0) - Math.max(before, 0);
          touched.set(ev.marketTicker, ev.tsMs);
          out.push({
            channel: 'market_positions',
            market: ev.marketTicker,
            account: ev.accountId,
            body: {
              userId: ev.accountId,
              marketTicker: ev.marketTicker,
              positionCentis: ev.positionCentis,
              positionCostMicros: ev.costBasisMicros,
              realizedPnlMicros: ev.realizedPnlMicros,
              feesPaidMicros: ev.feesPaidMicros,
              volumeCentis: ev.volumeCentis,
            },
          });
          break;
        }
        case 'market_status_changed':
          if (ev.status === 'open' && !this.books.has(ev.marketTicker)) {
            this.addBook(ev.marketTicker);
            out.push({ channel: 'orderbook_reset', market: ev.marketTicker });
          }
          out.push({ channel: 'market_lifecycle_v2', market: ev.marketTicker, body: this.lifecycleBody(ev) });
          break;
        default:
          if (ORDER_EVENT_TYPES.has(ev.type)) this.onOrderEvent(ev as OrderEvent, out);
      }
    }
    for (const [t, tsMs] of touched) {
      const m = this.markets.get(t);
      const b = this.books.get(t);
      if (!m || !b) continue;
      const now = this.tickerState(m, b);
      if (sameTicker(now, m.sent)) continue;
      m.sent = now;
      out.push({ channel: 'ticker', market: t, body: this.tickerBody(t, now, tsMs || command.tsMs) });
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------- internals

  private addBook(t: string, from?: OrderBook): OrderBook {
    const b = new OrderBook(t, ANY_TICK);
    b.applySnapshot(from ? from.levels('yes') : [], from ? from.levels('no') : []);
    this.books.set(t, b);
    const info = this.venue.markets.get(t);
    const view = this.venue.engine.getMarket(t);
    const m: MarketTrack = {
      lastPriceTicks: info?.lastPriceTicks ?? 0,
      lastTradeSizeCentis: 0,
      volumeCentis: info?.volumeCentis ?? 0,
      openInterestCentis: from ? (view?.openInterestCentis ?? 0) : 0,
      sent: undefined as unknown as TickerState,
    };
    m.sent = this.tickerState(m, b);
    this.markets.set(t, m);
    return b;
  }

  private tickerState(m: MarketTrack, b: OrderBook): TickerState {
    const bid = b.yesBidTicks;
    const ask = b.yesAskTicks;
    return {
      priceTicks: m.lastPriceTicks,
      yesBidTicks: bid === NO_PRICE ? 0 : bid,
      yesAskTicks: ask === NO_PRICE ? DOLLAR_TICKS : ask,
      yesBidSizeCentis: b.yesBidSizeCentis,
      yesAskSizeCentis: b.yesAskSizeCentis,
      volumeCentis: m.volumeCentis,
      openInterestCentis: m.openInterestCentis,
      lastTradeSizeCentis: m.lastTradeSizeCentis,
    };
  }

  /**
   * Ticker fields as in the ssmd production frames: `price_dollars` 0 before any trade, `yes_bid_dollars` 0 / `yes_ask_dollars`
   * 1 for an empty side, `dollar_volume` / `dollar_open_interest` whole dollars = contracts / 2 (every one of the 10
   * recorded frames has exactly that, whatever the price), plus `ts_ms` and `time` of the current AsyncAPI.
   */
  private tickerBody(t: string, s: TickerState, tsMs: number): Body<TickerFrame> {
    return {
      marketId: this.marketId(t),
      marketTicker: t,
      priceTicks: s.priceTicks,
      lastPriceTicks: s.priceTicks,
      yesBidTicks: s.yesBidTicks,
      yesAskTicks: s.yesAskTicks,
      volumeCentis: s.volumeCentis,
      openInterestCentis: s.openInterestCentis,
      dollarVolume: Math.floor(s.volumeCentis / 200),
      dollarOpenInterest: Math.floor(s.openInterestCentis / 200),
      yesBidSizeCentis: s.yesBidSizeCentis,
      yesAskSizeCentis: s.yesAskSizeCentis,
      lastTradeSizeCentis: s.lastTradeSizeCentis,
      tsMs,
      time: formatWsTimestamp(tsMs * 1000),
    };
  }

  private onFill(f: EventOf<'fill'>, events: readonly EngineEvent[], i: number, out: LiveMessage[]): void {
    const o = this.orders.get(f.orderId);
    if (o) {
      const cost = f.priceTicks * f.sizeCentis;
      if (f.isTaker) {
        o.takerCostMicros += cost;
        o.takerFeesMicros += f.feeTicks * MICROS_PER_TICK;
      } else {
        o.makerCostMicros += cost;
        o.makerFeesMicros += f.feeTicks * MICROS_PER_TICK;
      }
    }
    const outcome = outcomeSide(f.side, f.action);
    const book = bookSide(f.side, f.action);
    if (f.isTaker) {
      const m = this.markets.get(f.marketTicker);
      if (m) {
        m.lastPriceTicks = f.yesPriceTicks;
        m.lastTradeSizeCentis = f.sizeCentis;
        m.volumeCentis += f.sizeCentis;
      }
      out.push({
        channel: 'trade',
        market: f.marketTicker,
        body: {
          tradeId: f.tradeId,
          marketTicker: f.marketTicker,
          yesPriceTicks: f.yesPriceTicks,
          noPriceTicks: DOLLAR_TICKS - f.yesPriceTicks,
          countCentis: f.sizeCentis,
          takerSide: outcome,
          takerOutcomeSide: outcome,
          takerBookSide: book,
          tsMs: f.tsMs,
        },
      });
    }
    out.push({
      channel: 'fill',
      market: f.marketTicker,
      account: f.accountId,
      body: {
        tradeId: f.tradeId,
        orderId: f.orderId,
        clientOrderId: o?.clientOrderId,
        marketTicker: f.marketTicker,
        isTaker: f.isTaker,
        side: f.side,
        action: f.action,
        yesPriceTicks: f.yesPriceTicks,
        countCentis: f.sizeCentis,
        feeCostMicros: f.feeTicks * MICROS_PER_TICK,
        postPositionCentis: this.postPosition(f, events, i),
        purchasedSide: outcome,
        outcomeSide: outcome,
        bookSide: book,
        subaccount: 0,
        tsMs: f.tsMs,
      },
    });
  }

  /**
   * Position right after fill `i`: the account's next `position_changed` in this market within the command, minus the
   * account's later fills before it (the engine emits the taker's `position_changed` once, after all its fills).
   */
  private postPosition(f: EventOf<'fill'>, events: readonly EngineEvent[], i: number): SizeCentis | undefined {
    let later = 0;
    for (let j = i + 1; j < events.length; j++) {
      const e = events[j];
      if (e.type === 'fill' && e.accountId === f.accountId && e.marketTicker === f.marketTicker) later += signedSize(e);
      else if (e.type === 'position_changed' && e.accountId === f.accountId && e.marketTicker === f.marketTicker) return e.positionCentis - later;
    }
    return undefined;
  }

  private onOrderEvent(ev: OrderEvent, out: LiveMessage[]): void {
    let o = this.orders.get(ev.orderId);
    if (!o) {
      o = {
        initialCentis: ev.type === 'order_accepted' ? ev.initialCentis : ev.remainingCentis + ev.filledCentis,
        createdTsMs: ev.tsMs,
        clientOrderId: ev.clientOrderId,
        takerCostMicros: 0,
        makerCostMicros: 0,
        takerFeesMicros: 0,
        makerFeesMicros: 0,
      };
      if (ev.type === 'order_accepted') {
        const view = this.venue.engine.getOrder(ev.orderId);
        if (view) {
          o.expirationTsMs = view.expirationTsMs;
          o.selfTradePrevention = view.selfTradePrevention;
        }
      }
      this.orders.set(ev.orderId, o);
    }
    if (ev.status === 'executed' || ev.status === 'canceled') this.orders.delete(ev.orderId);
    // `pending` only appears while the order is still being matched within the same command: its final state follows
    if (ev.status === 'pending') return;
    const yesPrice = ev.side === 'yes' ? ev.priceTicks : DOLLAR_TICKS - ev.priceTicks;
    out.push({
      channel: 'user_orders',
      market: ev.marketTicker,
      account: ev.accountId,
      body: {
        orderId: ev.orderId,
        userId: ev.accountId,
        ticker: ev.marketTicker,
        status: ev.status,
        side: ev.side,
        outcomeSide: outcomeSide(ev.side, ev.action),
        bookSide: bookSide(ev.side, ev.action),
        yesPriceTicks: yesPrice,
        fillCountCentis: ev.filledCentis,
        remainingCountCentis: ev.remainingCentis,
        initialCountCentis: o.initialCentis,
        takerFillCostMicros: o.takerCostMicros,
        makerFillCostMicros: o.makerCostMicros,
        takerFeesMicros: o.takerFeesMicros,
        makerFeesMicros: o.makerFeesMicros,
        clientOrderId: ev.clientOrderId,
        selfTradePreventionType: o.selfTradePrevention,
        createdTime: isoMs(o.createdTsMs),
        createdTsMs: o.createdTsMs,
        lastUpdateTime: isoMs(ev.tsMs),
        lastUpdatedTsMs: ev.tsMs,
        expirationTime: o.expirationTsMs !== undefined ? isoMs(o.expirationTsMs) : undefined,
        expirationTsMs: o.expirationTsMs,
        subaccountNumber: 0,
      },
    });
  }

  /**
   * Lifecycle event of a status change (getting_started/market_lifecycle): open -> `created` (with `open_ts`); closed
   * (an early close: the close time moves to now) -> `close_date_updated` (with `close_ts`); determined -> `determined`
   * (`result`, `determination_ts`, `settlement_value` $1 or $0); settled -> `settled` (`settled_ts`, `result`).
   */
  private lifecycleBody(ev: EventOf<'market_status_changed'>): Omit<MarketLifecycleFrame, 'type' | 'sid' | 'seq'> {
    const s = Math.floor(ev.tsMs / 1000);
    const t = ev.marketTicker;
    switch (ev.status) {
      case 'open': {
        const info = this.venue.markets.get(t);
        return { marketTicker: t, eventType: 'created', openTs: s, priceLevelStructure: info?.tickStructure, fractionalTradingEnabled: info?.fractionalTradingEnabled };
      }
      case 'closed':
        return { marketTicker: t, eventType: 'close_date_updated', closeTs: s };
      case 'determined':
        return { marketTicker: t, eventType: 'determined', result: ev.result, determinationTs: s, settlementValueTicks: ev.result === 'yes' ? DOLLAR_TICKS : 0 };
      case 'settled':
        return { marketTicker: t, eventType: 'settled', result: ev.result, settledTs: s };
    }
  }
}

function sameTicker(a: TickerState, b: TickerState): boolean {
  return (
    a.priceTicks === b.priceTicks &&
    a.yesBidTicks === b.yesBidTicks &&
    a.yesAskTicks === b.yesAskTicks &&
    a.yesBidSizeCentis === b.yesBidSizeCentis &&
    a.yesAskSizeCentis === b.yesAskSizeCentis &&
    a.volumeCentis === b.volumeCentis &&
    a.openInterestCentis === b.openInterestCentis &&
    a.lastTradeSizeCentis === b.lastTradeSizeCentis
  );
}
