/**
 * JSON builders of the mock exchange's public market data (Kalshi REST v2, fixed-point dialect: prices `*_dollars`
 * strings with 4 decimals, counts `*_fp` strings with 2; no legacy integer-cent fields), and the {@link MarketTape}
 * they read history from.
 *
 * Shapes follow the official SDK models (kalshi-typescript 3.30: `Market`, `EventData`, `Series`, `Trade`,
 * `MarketCandlestick`, `OrderbookCountFp`, ...): every property the SDK marks required is always present with its
 * JSON type. In live mode a market/event/series recorded from Kalshi (`template`) is served with its live fields
 * overwritten from the venue; markets without a recording get plausible defaults.
 *
 * Units: prices {@link PriceTicks} (1/10000 $), sizes {@link SizeCentis} (1/100 contract), times ms (JSON: RFC3339 or
 * Unix seconds as Kalshi sends them). No floating point touches money.
 */
import { formatPriceDollars, formatSizeFp, NO_PRICE, type OrderBook, type PriceTicks, type SizeCentis } from '@kalshi-platform/market';
import type { ExchangeState } from '../exchange-state';
import type { RefEvent, RefMarket } from '../reference';
import type { VenueTrade } from '../venue/venue';

/** JSON object as served. */
export type Json = Record<string, unknown>;

const DAY_MS = 86_400_000;
const ONE_DOLLAR = 10_000;
/** `close_time` / `latest_expiration_time` of a market without a recording: the mock's markets run until closed by an operator. */
const FAR_FUTURE = '2099-12-31T00:00:00Z';
/** Default `settlement_timer_seconds` (Kalshi's common value, e.g. the recorded KXELONMARS-99). */
const DEFAULT_SETTLEMENT_TIMER_S = 1800;

/** RFC3339 (UTC, milliseconds) of a ms timestamp. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** A best bid as Kalshi prints it: `"0.0000"` when there is none. */
const bidDollars = (p: PriceTicks): string => formatPriceDollars(p === NO_PRICE ? 0 : p);
/** A best ask as Kalshi prints it: `"1.0000"` when there is none. */
const askDollars = (p: PriceTicks): string => formatPriceDollars(p === NO_PRICE ? ONE_DOLLAR : p);

// =========================================================================================================
// Market tape: history the venue does not keep (quotes over time, status times) and indexes over what it does
// =========================================================================================================

/** Top of book at a moment: best YES bid and best YES ask (= 1 - best NO bid), {@link NO_PRICE} when absent. */
export interface QuotePoint {
  tsMs: number;
  yesBidTicks: PriceTicks;
  yesAskTicks: PriceTicks;
}

/** Open interest after a change, centis. */
interface OiPoint {
  tsMs: number;
  oiCentis: SizeCentis;
}

/** When a market left `open`, ms (recorded from `market_status_changed` events seen by this process). */
export interface StatusTimes {
  closedMs?: number;
  determinedMs?: number;
  settledMs?: number;
}

/**
 * Market history for REST: the top of book of every venue market over time (recorded from the venue's published
 * `orderbook_delta` events, starting with the books as they are when the tape is created), the times markets
 * closed/determined/settled, and per-market indexes over the venue's append-only trades, fills and settlements
 * (built incrementally, so they include what a restart replayed from the journal).
 *
 * Limits: quotes and status times before the tape started (i.e. before this process started) are unknown; the
 * quote at the start is taken to have held since. In replay mode the venue has no markets and the tape is empty.
 */
export class MarketTape {
  /** when the tape started, ms */
  readonly startMs: number;
  private readonly quotes = new Map<string, QuotePoint[]>();
  private readonly statusTimes = new Map<string, StatusTimes>();
  private readonly tradesByMarket = new Map<string, VenueTrade[]>();
  private tradesIndexed = 0;
  private readonly oiByMarket = new Map<string, OiPoint[]>();
  private readonly positions = new Map<string, Map<string, SizeCentis>>();
  private fillsIndexed = 0;
  private settlementsIndexed = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly st: ExchangeState,
    nowMs = Date.now(),
  ) {
    this.startMs = nowMs;
    const venue = st.venue;
    for (const [ticker, book] of venue.books) this.quotes.set(ticker, [{ tsMs: nowMs, yesBidTicks: book.yesBidTicks, yesAskTicks: book.yesAskTicks }]);
    this.unsubscribe = venue.onEvents((events, cmd) => {
      const touched = new Set<string>();
      for (const ev of events) {
        if (ev.type === 'orderbook_delta') touched.add(ev.marketTicker);
        else if (ev.type === 'market_status_changed') {
          const t = this.statusTimes.get(ev.marketTicker) ?? {};
          if (ev.status === 'closed') t.closedMs = ev.tsMs;
          else if (ev.status === 'determined') t.determinedMs = ev.tsMs;
          else if (ev.status === 'settled') t.settledMs = ev.tsMs;
          this.statusTimes.set(ev.marketTicker, t);
        }
      }
      for (const ticker of touched) {
        const book = venue.books.get(ticker);
        if (!book) continue;
        let list = this.quotes.get(ticker);
        if (!list) this.quotes.set(ticker, (list = []));
        const last = list[list.length - 1];
        if (last && last.yesBidTicks === book.yesBidTicks && last.yesAskTicks === book.yesAskTicks) continue;
        list.push({ tsMs: Math.max(cmd.tsMs, last?.tsMs ?? 0), yesBidTicks: book.yesBidTicks, yesAskTicks: book.yesAskTicks });
      }
    });
  }

  /** Stops recording. */
  close(): void {
    this.unsubscribe();
  }

  /** The top of book in force at `tsMs` (the first recorded one for earlier times); undefined for a market never on the venue. */
  quoteAt(ticker: string, tsMs: number): QuotePoint | undefined {
    const list = this.quotes.get(ticker);
    if (!list || list.length === 0) return undefined;
    return list[Math.max(0, firstAfter(list, tsMs) - 1)];
  }

  /** Quote changes with `fromMs < tsMs <= toMs`, oldest first. */
  quotesIn(ticker: string, fromMs: number, toMs: number): QuotePoint[] {
    const list = this.quotes.get(ticker) ?? [];
    const out: QuotePoint[] = [];
    for (let i = firstAfter(list, fromMs); i < list.length && list[i].tsMs <= toMs; i++) out.push(list[i]);
    return out;
  }

  /** Close/determine/settle times recorded for a market. */
  statusTimesOf(ticker: string): StatusTimes {
    return this.statusTimes.get(ticker) ?? {};
  }

  /** The market's public trades, oldest first. */
  tradesOf(ticker: string): readonly VenueTrade[] {
    const all = this.st.venue.trades;
    for (; this.tradesIndexed < all.length; this.tradesIndexed++) {
      const t = all[this.tradesIndexed];
      let list = this.tradesByMarket.get(t.marketTicker);
      if (!list) this.tradesByMarket.set(t.marketTicker, (list = []));
      list.push(t);
    }
    return this.tradesByMarket.get(ticker) ?? [];
  }

  /**
   * Open interest of a market at `tsMs` (contracts held long YES, = held long NO), centis, replayed from the venue's
   * fills (position change per fill: buy YES / sell NO +size, buy NO / sell YES -size) and settlements (to zero).
   */
  openInterestAt(ticker: string, tsMs: number): SizeCentis {
    this.indexFills();
    const list = this.oiByMarket.get(ticker);
    if (!list) return 0;
    const i = firstAfter(list, tsMs) - 1;
    return i >= 0 ? list[i].oiCentis : 0;
  }

  private indexFills(): void {
    const v = this.st.venue;
    const fills = v.fills;
    for (; this.fillsIndexed < fills.length; this.fillsIndexed++) {
      const f = fills[this.fillsIndexed];
      let pos = this.positions.get(f.marketTicker);
      if (!pos) this.positions.set(f.marketTicker, (pos = new Map()));
      const before = pos.get(f.accountId) ?? 0;
      const longYes = (f.side === 'yes') === (f.action === 'buy');
      const after = before + (longYes ? f.sizeCentis : -f.sizeCentis);
      pos.set(f.accountId, after);
      const list = this.oiList(f.marketTicker);
      const prev = list.length ? list[list.length - 1].oiCentis : 0;
      const oi = prev + Math.max(after, 0) - Math.max(before, 0);
      this.pushOi(list, f.tsMs, oi);
    }
    const settlements = v.settlements;
    for (; this.settlementsIndexed < settlements.length; this.settlementsIndexed++) {
      const s = settlements[this.settlementsIndexed];
      this.positions.get(s.marketTicker)?.clear();
      this.pushOi(this.oiList(s.marketTicker), s.tsMs, 0);
    }
  }

  private oiList(ticker: string): OiPoint[] {
    let list = this.oiByMarket.get(ticker);
    if (!list) this.oiByMarket.set(ticker, (list = []));
    return list;
  }

  private pushOi(list: OiPoint[], tsMs: number, oiCentis: SizeCentis): void {
    const last = list[list.length - 1];
    const ts = Math.max(tsMs, last?.tsMs ?? tsMs);
    if (last && last.tsMs === ts) last.oiCentis = oiCentis;
    else list.push({ tsMs: ts, oiCentis });
  }
}

/** Index of the first point with `tsMs > t` in a list sorted by `tsMs` (the list's length when there is none). */
function firstAfter(list: ReadonlyArray<{ tsMs: number }>, t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].tsMs <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const TAPES = new WeakMap<object, MarketTape>();

/** The exchange's market tape (one per venue, created and subscribed on first use: the controllers ask at start-up). */
export function marketTape(st: ExchangeState): MarketTape {
  let t = TAPES.get(st.venue);
  if (!t) {
    // replay mode: the markets were listed when the capture starts, so a replay lists them identically every run
    const captureStartMs = st.replay?.capture.frames.find((f) => f.tsMs > 0)?.tsMs;
    t = new MarketTape(st, st.mode === 'replay' && captureStartMs !== undefined ? captureStartMs : Date.now());
    TAPES.set(st.venue, t);
  }
  return t;
}

// =========================================================================================================
// Markets
// =========================================================================================================

/** Kalshi market status of an engine status (`open` -> `active`, `settled` -> `finalized`). */
export function kalshiMarketStatus(engineStatus: 'open' | 'closed' | 'determined' | 'settled'): string {
  switch (engineStatus) {
    case 'open':
      return 'active';
    case 'settled':
      return 'finalized';
    default:
      return engineStatus;
  }
}

/** Kalshi `price_ranges` of a tick structure (the explicit tick grid). */
export function priceRanges(structure: string): Json[] {
  switch (structure) {
    case 'deci_cent':
      return [{ start: '0.0000', end: '1.0000', step: '0.0010' }];
    case 'tapered_deci_cent':
      return [
        { start: '0.0000', end: '0.1000', step: '0.0010' },
        { start: '0.1000', end: '0.9000', step: '0.0100' },
        { start: '0.9000', end: '1.0000', step: '0.0010' },
      ];
    default:
      return [{ start: '0.0000', end: '1.0000', step: '0.0100' }];
  }
}

/** Fields of a recorded market that are always recomputed (or, for legacy integer-cent fields, never served). */
const NOT_FROM_TEMPLATE = new Set([
  // legacy integer-cent dialect
  'last_price',
  'liquidity',
  'no_ask',
  'no_bid',
  'yes_ask',
  'yes_bid',
  'notional_value',
  'open_interest',
  'previous_price',
  'previous_yes_ask',
  'previous_yes_bid',
  'volume',
  'volume_24h',
  'tick_size',
  'response_price_units',
  'settlement_value',
  'risk_limit_cents',
  // live
  'settlement_ts',
  'settlement_value_dollars',
]);

/** The live state of a market that its JSON is built from. */
export interface MarketLive {
  /** Kalshi status (`active`, `closed`, `determined`, `finalized`, ...) */
  status: string;
  result: '' | 'yes' | 'no';
  book: OrderBook | undefined;
  lastPriceTicks: PriceTicks | null;
  volumeCentis: SizeCentis;
  openInterestCentis: SizeCentis;
  fractionalTradingEnabled?: boolean;
}

/** What {@link marketJson} reads besides the market itself. */
export interface MarketJsonContext {
  st: ExchangeState;
  tape: MarketTape;
  nowMs: number;
}

/** The live state of `m` (venue market in live mode; the reference status and the replay's book in replay mode). */
export function marketLive(ctx: MarketJsonContext, m: RefMarket): MarketLive {
  const book = ctx.st.books.get(m.ticker);
  const view = ctx.st.mode === 'live' ? ctx.st.venue.engine.getMarket(m.ticker) : undefined;
  if (!view) return { status: m.status, result: '', book, lastPriceTicks: null, volumeCentis: 0, openInterestCentis: 0 };
  const info = ctx.st.venue.markets.get(m.ticker);
  return {
    status: kalshiMarketStatus(view.status),
    result: view.result ?? '',
    book,
    lastPriceTicks: info?.lastPriceTicks ?? null,
    volumeCentis: view.volumeCentis,
    openInterestCentis: view.openInterestCentis,
    fractionalTradingEnabled: view.fractionalTradingEnabled,
  };
}

/**
 * Kalshi `Market` JSON (SDK model `Market`): the recording (if any) with every live field overwritten — `status` and
 * `result` from the engine, top of book and sizes from the book, `last_price_dollars`, `volume_fp`,
 * `open_interest_fp` from the venue, the 24h fields (`previous_*`, `volume_24h_fp`) from the tape and the trades.
 */
export function marketJson(ctx: MarketJsonContext, m: RefMarket, live: MarketLive = marketLive(ctx, m)): Json {
  const { tape, nowMs } = ctx;
  const listed = iso(tape.startMs);
  const defaults: Json = {
    ticker: m.ticker,
    event_ticker: m.eventTicker,
    market_type: 'binary',
    title: m.title,
    yes_sub_title: m.yesSubTitle,
    no_sub_title: m.yesSubTitle,
    created_time: listed,
    updated_time: listed,
    open_time: listed,
    close_time: FAR_FUTURE,
    latest_expiration_time: FAR_FUTURE,
    settlement_timer_seconds: DEFAULT_SETTLEMENT_TIMER_S,
    status: live.status,
    can_close_early: true,
    expiration_value: '',
    rules_primary: `If ${m.yesSubTitle ? JSON.stringify(m.yesSubTitle) : 'the outcome of this market'} occurs, the market resolves to Yes.`,
    rules_secondary: '',
    price_level_structure: m.priceLevelStructure,
    price_ranges: priceRanges(m.priceLevelStructure),
    fractional_trading_enabled: live.fractionalTradingEnabled ?? false,
  };
  if (m.strikeType) defaults.strike_type = m.strikeType;
  if (m.floorStrike !== undefined) defaults.floor_strike = m.floorStrike;
  if (m.capStrike !== undefined) defaults.cap_strike = m.capStrike;

  const j: Json = { ...defaults };
  for (const [k, v] of Object.entries(m.template ?? {})) if (!NOT_FROM_TEMPLATE.has(k)) j[k] = v;
  if (typeof j.settlement_timer_seconds === 'string' && /^\d+$/.test(j.settlement_timer_seconds)) j.settlement_timer_seconds = Number(j.settlement_timer_seconds);

  // live fields
  const b = live.book;
  const times = tape.statusTimesOf(m.ticker);
  const dayAgo = nowMs - DAY_MS;
  const trades = ctx.st.mode === 'live' ? tape.tradesOf(m.ticker) : [];
  let volume24h = 0;
  let previousPrice: PriceTicks = 0;
  for (const t of trades) {
    if (t.tsMs > dayAgo) volume24h += t.sizeCentis;
    else previousPrice = t.yesPriceTicks;
  }
  const before = tape.quoteAt(m.ticker, dayAgo);
  j.status = live.status;
  j.result = live.result;
  j.yes_bid_dollars = bidDollars(b?.yesBidTicks ?? NO_PRICE);
  j.yes_bid_size_fp = formatSizeFp(b?.yesBidSizeCentis ?? 0);
  j.yes_ask_dollars = askDollars(b?.yesAskTicks ?? NO_PRICE);
  j.yes_ask_size_fp = formatSizeFp(b?.yesAskSizeCentis ?? 0);
  j.no_bid_dollars = bidDollars(b?.noBidTicks ?? NO_PRICE);
  j.no_ask_dollars = askDollars(b?.noAskTicks ?? NO_PRICE);
  j.last_price_dollars = formatPriceDollars(live.lastPriceTicks ?? 0);
  j.previous_yes_bid_dollars = bidDollars(before ? before.yesBidTicks : (b?.yesBidTicks ?? NO_PRICE));
  j.previous_yes_ask_dollars = askDollars(before ? before.yesAskTicks : (b?.yesAskTicks ?? NO_PRICE));
  j.previous_price_dollars = formatPriceDollars(previousPrice);
  j.volume_fp = formatSizeFp(live.volumeCentis);
  j.volume_24h_fp = formatSizeFp(volume24h);
  j.open_interest_fp = formatSizeFp(live.openInterestCentis);
  j.notional_value_dollars = formatPriceDollars(ONE_DOLLAR);
  j.liquidity_dollars = '0.0000';
  if (live.fractionalTradingEnabled !== undefined) j.fractional_trading_enabled = live.fractionalTradingEnabled;
  if (times.closedMs !== undefined) j.close_time = iso(times.closedMs);
  const lastChange = Math.max(times.closedMs ?? 0, times.determinedMs ?? 0, times.settledMs ?? 0);
  if (lastChange > 0) j.updated_time = iso(lastChange);
  if (live.result) j.settlement_value_dollars = live.result === 'yes' ? '1.0000' : '0.0000';
  if (live.status === 'finalized' && times.settledMs !== undefined) j.settlement_ts = iso(times.settledMs);
  return j;
}

/** Unix seconds of an RFC3339 field of a market JSON, or undefined when absent/unparsable. */
export function jsonTimeSec(j: Json, field: string): number | undefined {
  const v = j[field];
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

// =========================================================================================================
// Order books
// =========================================================================================================

/**
 * `orderbook_fp` of a book (SDK `OrderbookCountFp`): YES and NO bid ladders, ascending (best bid last), levels
 * `["0.4200","13.00"]`; `depth` > 0 keeps the best `depth` levels of each side. An absent or invalid book is empty.
 */
export function orderbookFp(book: OrderBook | undefined, depth: number): { yes_dollars: string[][]; no_dollars: string[][] } {
  const side = (s: 'yes' | 'no') => {
    if (!book || !book.valid) return [];
    const levels = book.levels(s);
    const cut = depth === 0 ? levels : levels.slice(Math.max(0, levels.length - depth));
    return cut.map(([p, q]) => [formatPriceDollars(p), formatSizeFp(q)]);
  };
  return { yes_dollars: side('yes'), no_dollars: side('no') };
}

// =========================================================================================================
// Events and series
// =========================================================================================================

/** Kalshi event status derived from its markets' statuses: `open` if any is active, `settled` if all finalized, `unopened` if all initialized, else `closed`. */
export function eventStatus(marketStatuses: string[]): 'unopened' | 'open' | 'closed' | 'settled' {
  if (marketStatuses.some((s) => s === 'active')) return 'open';
  if (marketStatuses.length > 0 && marketStatuses.every((s) => s === 'finalized')) return 'settled';
  if (marketStatuses.length > 0 && marketStatuses.every((s) => s === 'initialized')) return 'unopened';
  return 'closed';
}

/**
 * Kalshi `EventData` JSON: the recording (if any) with the reference's identity fields; `settlement_sources` from the
 * series when the recording lacks them; `markets` (already built) when nested.
 */
export function eventJson(e: RefEvent, series: Json | undefined, markets?: Json[]): Json {
  const j: Json = {
    event_ticker: e.eventTicker,
    series_ticker: e.seriesTicker,
    sub_title: e.subTitle,
    title: e.title,
    collateral_return_type: e.mutuallyExclusive ? 'MECNET' : '',
    mutually_exclusive: e.mutuallyExclusive,
    category: e.category || (typeof series?.category === 'string' ? series.category : ''),
    strike_period: '',
    settlement_sources: Array.isArray(series?.settlement_sources) ? series.settlement_sources : [],
  };
  for (const [k, v] of Object.entries(e.template ?? {})) if (k !== 'markets') j[k] = v;
  j.event_ticker = e.eventTicker;
  j.series_ticker = e.seriesTicker;
  j.mutually_exclusive = e.mutuallyExclusive;
  if (j.settlement_sources === undefined) j.settlement_sources = Array.isArray(series?.settlement_sources) ? series.settlement_sources : [];
  if (markets) j.markets = markets;
  return j;
}

/**
 * Kalshi `Series` JSON: the recording with the SDK-required fields it may lack (`categories` = `[category]` for
 * recordings that predate the field); `volume_fp` when `volumeCentis` is given; `product_metadata` only when asked.
 */
export function seriesJson(ticker: string, rec: Json | undefined, opts: { volumeCentis?: SizeCentis; productMetadata?: boolean } = {}): Json {
  const j: Json = {
    ticker,
    frequency: 'custom',
    title: ticker,
    category: '',
    tags: [],
    settlement_sources: [],
    contract_url: '',
    contract_terms_url: '',
    fee_type: 'quadratic',
    fee_multiplier: 1,
    additional_prohibitions: [],
    ...rec,
  };
  j.ticker = ticker;
  if (!Array.isArray(j.categories)) j.categories = typeof j.category === 'string' && j.category ? [j.category] : [];
  if (!opts.productMetadata) delete j.product_metadata;
  if (opts.volumeCentis !== undefined) j.volume_fp = formatSizeFp(opts.volumeCentis);
  return j;
}

// =========================================================================================================
// Trades and candlesticks
// =========================================================================================================

/**
 * Kalshi `Trade` JSON of a venue trade: direction as `taker_outcome_side` (buy YES / sell NO -> `yes`) and
 * `taker_book_side` (`yes` -> `bid`, `no` -> `ask`; docs getting_started/order_direction). The deprecated
 * `taker_side` is not sent (optional in the SDK model).
 */
export function tradeJson(t: VenueTrade): Json {
  const outcome = (t.takerSide === 'yes') === (t.takerAction === 'buy') ? 'yes' : 'no';
  return {
    trade_id: t.tradeId,
    ticker: t.marketTicker,
    count_fp: formatSizeFp(t.sizeCentis),
    yes_price_dollars: formatPriceDollars(t.yesPriceTicks),
    no_price_dollars: formatPriceDollars(ONE_DOLLAR - t.yesPriceTicks),
    taker_outcome_side: outcome,
    taker_book_side: outcome === 'yes' ? 'bid' : 'ask',
    created_time: iso(t.tsMs),
    is_block_trade: false,
  };
}

/** Candlestick periods Kalshi offers, minutes. */
export const PERIOD_INTERVALS = [1, 60, 1440] as const;
/** Most candlesticks one request may return. */
export const MAX_CANDLESTICKS = 5000;

/** Integer division rounding half up, for non-negative BigInts. */
const divRound = (n: bigint, d: bigint): bigint => (2n * n + d) / (2n * d);

/**
 * The periods (end timestamps, Unix seconds, multiples of the period) whose candlesticks a request gets: those ending
 * in `[startTs, endTs]` (Kalshi: "candlesticks ending on or after start_ts / on or before end_ts"), clipped to the
 * market's known life (`fromMs`: the first period is the one containing it) and to now (the current, unfinished
 * period is the last).
 */
export function candlePeriodEnds(startTs: number, endTs: number, periodMin: number, fromMs: number, nowMs: number): { first: number; last: number } {
  const p = periodMin * 60;
  const first = Math.max(Math.ceil(startTs / p) * p, Math.floor(fromMs / 1000 / p) * p + p);
  const last = Math.min(Math.floor(endTs / p) * p, Math.floor(nowMs / 1000 / p) * p + p);
  return { first, last };
}

/**
 * Kalshi `MarketCandlestick` JSONs of a live market for the given period ends, one per period (periods without a
 * trade included): `price` OHLC/mean of the venue's trades in `(end - period, end]` (absent without trades) and
 * `previous_dollars` (the last trade before the period), `volume_fp` (traded in the period), `open_interest_fp` (at
 * the period's end), `yes_bid` / `yes_ask` OHLC of the top of book over the period (from the tape; `"0.0000"` /
 * `"1.0000"` when a side is empty).
 */
export function candlesticksJson(tape: MarketTape, ticker: string, periodMin: number, first: number, last: number): Json[] {
  const p = periodMin * 60;
  const trades = tape.tradesOf(ticker);
  const out: Json[] = [];
  let ti = 0;
  let previous: PriceTicks | undefined;
  for (let end = first; end <= last; end += p) {
    const fromMs = (end - p) * 1000;
    const toMs = end * 1000;
    while (ti < trades.length && trades[ti].tsMs <= fromMs) previous = trades[ti++].yesPriceTicks;
    const inPeriod: VenueTrade[] = [];
    while (ti < trades.length && trades[ti].tsMs <= toMs) inPeriod.push(trades[ti++]);
    const price: Json = {};
    let volume = 0;
    if (inPeriod.length > 0) {
      let high = -1;
      let low = ONE_DOLLAR + 1;
      let notional = 0n;
      for (const t of inPeriod) {
        high = Math.max(high, t.yesPriceTicks);
        low = Math.min(low, t.yesPriceTicks);
        volume += t.sizeCentis;
        notional += BigInt(t.yesPriceTicks) * BigInt(t.sizeCentis);
      }
      price.open_dollars = formatPriceDollars(inPeriod[0].yesPriceTicks);
      price.low_dollars = formatPriceDollars(low);
      price.high_dollars = formatPriceDollars(high);
      price.close_dollars = formatPriceDollars(inPeriod[inPeriod.length - 1].yesPriceTicks);
      price.mean_dollars = formatPriceDollars(volume > 0 ? Number(divRound(notional, BigInt(volume))) : inPeriod[0].yesPriceTicks);
    }
    if (previous !== undefined) price.previous_dollars = formatPriceDollars(previous);
    if (inPeriod.length > 0) previous = inPeriod[inPeriod.length - 1].yesPriceTicks;
    out.push({
      end_period_ts: end,
      open_interest_fp: formatSizeFp(tape.openInterestAt(ticker, toMs)),
      price,
      volume_fp: formatSizeFp(volume),
      yes_ask: quoteOhlc(tape, ticker, fromMs, toMs, 'ask'),
      yes_bid: quoteOhlc(tape, ticker, fromMs, toMs, 'bid'),
    });
  }
  return out;
}

function quoteOhlc(tape: MarketTape, ticker: string, fromMs: number, toMs: number, side: 'bid' | 'ask'): Json {
  const value = (q: QuotePoint | undefined): PriceTicks => {
    const v = q ? (side === 'bid' ? q.yesBidTicks : q.yesAskTicks) : NO_PRICE;
    return v === NO_PRICE ? (side === 'bid' ? 0 : ONE_DOLLAR) : v;
  };
  const open = value(tape.quoteAt(ticker, fromMs));
  let high = open;
  let low = open;
  let close = open;
  for (const q of tape.quotesIn(ticker, fromMs, toMs)) {
    close = value(q);
    high = Math.max(high, close);
    low = Math.min(low, close);
  }
  return { close_dollars: formatPriceDollars(close), high_dollars: formatPriceDollars(high), low_dollars: formatPriceDollars(low), open_dollars: formatPriceDollars(open) };
}
