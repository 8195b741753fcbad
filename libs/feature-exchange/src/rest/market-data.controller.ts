/**
 * Kalshi REST v2 market-data endpoints of the mock exchange (public, unauthenticated as on Kalshi):
 * `GET /markets`, `GET /markets/{ticker}`, `GET /markets/{ticker}/orderbook`, `GET /events`,
 * `GET /events/{event_ticker}`, `GET /exchange/status`, plus the mock's own replay controls under `/mock/`.
 * Shapes follow KALSHI_API.md and the real bodies in shared/data (fixed-point dialect).
 */
import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { formatPriceDollars, formatSizeFp, NO_PRICE, OrderBook } from '@kalshi-platform/market';
import { EXCHANGE_STATE, ExchangeState } from '../exchange-state';
import { RefEvent, RefMarket } from '../reference';
import { badParam, notFound } from './kalshi-http-error';

function intParam(name: string, raw: string | undefined, min: number, max: number, dflt: number): number {
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d+$/.test(raw)) throw badParam(name, `must be an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw badParam(name, `must be in ${min}..${max}, got ${n}`);
  return n;
}

function boolParam(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw badParam(name, `must be true or false, got ${JSON.stringify(raw)}`);
}

/** Opaque cursor: base64 of the offset. */
function decodeCursor(raw: string | undefined): number {
  if (!raw) return 0;
  // only the decimal offsets this API encodes; Number() alone would read "", " " or "0x1" as offsets
  const text = Buffer.from(raw, 'base64').toString('utf8');
  const n = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw badParam('cursor', 'is not a cursor returned by this API');
  return n;
}

function page<T>(items: T[], limit: number, cursorRaw: string | undefined): { items: T[]; cursor: string } {
  const offset = decodeCursor(cursorRaw);
  const slice = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? Buffer.from(String(offset + limit)).toString('base64') : '';
  return { items: slice, cursor: next };
}

const price = (p: number) => (p === NO_PRICE ? '0.0000' : formatPriceDollars(p));

/** Kalshi market JSON (fixed-point dialect) with the live top of book. */
export function marketJson(m: RefMarket, book: OrderBook | undefined): Record<string, unknown> {
  const j: Record<string, unknown> = {
    ticker: m.ticker,
    event_ticker: m.eventTicker,
    market_type: 'binary',
    title: m.title,
    yes_sub_title: m.yesSubTitle,
    status: m.status,
    yes_bid_dollars: price(book?.yesBidTicks ?? NO_PRICE),
    yes_bid_size_fp: formatSizeFp(book?.yesBidSizeCentis ?? 0),
    yes_ask_dollars: book && book.yesAskTicks !== NO_PRICE ? formatPriceDollars(book.yesAskTicks) : '1.0000',
    yes_ask_size_fp: formatSizeFp(book?.yesAskSizeCentis ?? 0),
    no_bid_dollars: price(book?.noBidTicks ?? NO_PRICE),
    no_ask_dollars: book && book.noAskTicks !== NO_PRICE ? formatPriceDollars(book.noAskTicks) : '1.0000',
    price_level_structure: m.priceLevelStructure,
    fractional_trading_enabled: true,
  };
  if (m.strikeType) j.strike_type = m.strikeType;
  if (m.floorStrike !== undefined) j.floor_strike = m.floorStrike;
  if (m.capStrike !== undefined) j.cap_strike = m.capStrike;
  return j;
}

@Controller('trade-api/v2')
export class MarketDataController {
  constructor(@Inject(EXCHANGE_STATE) private readonly st: ExchangeState) {}

  @Get('exchange/status')
  status() {
    return { exchange_active: true, trading_active: this.st.mode === 'live' ? this.st.venue.haltedBy === null : this.st.replay?.state !== 'done', exchange_estimated_resume_time: null };
  }

  @Get('markets')
  markets(
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
    @Query('event_ticker') eventTicker?: string,
    @Query('series_ticker') seriesTicker?: string,
    @Query('status') status?: string,
    @Query('tickers') tickers?: string,
  ) {
    const lim = intParam('limit', limit, 1, 1000, 100);
    if (status !== undefined && !['unopened', 'open', 'closed', 'settled', 'paused'].includes(status)) {
      throw badParam('status', `must be one of unopened, open, paused, closed, settled; got ${JSON.stringify(status)}`);
    }
    const wanted = tickers ? new Set(tickers.split(',').filter(Boolean)) : null;
    const events = eventTicker ? new Set(eventTicker.split(',')) : null;
    let list = [...this.st.reference.markets.values()];
    if (wanted) list = list.filter((m) => wanted.has(m.ticker));
    if (events) list = list.filter((m) => events.has(m.eventTicker));
    if (seriesTicker) list = list.filter((m) => m.seriesTicker === seriesTicker);
    if (status === 'open') list = list.filter((m) => m.status === 'active' || m.status === 'open');
    else if (status) list = list.filter((m) => m.status === status);
    const p = page(list, lim, cursor);
    return { markets: p.items.map((m) => marketJson(m, this.st.books.get(m.ticker))), cursor: p.cursor };
  }

  @Get('markets/:ticker/orderbook')
  orderbook(@Param('ticker') ticker: string, @Query('depth') depth?: string) {
    const d = intParam('depth', depth, 0, 100, 0);
    if (!this.st.reference.markets.has(ticker)) throw notFound(`market ${ticker}`);
    const book = this.st.books.get(ticker);
    const side = (s: 'yes' | 'no') => {
      if (!book || !book.valid) return [];
      const levels = book.levels(s);
      const cut = d === 0 ? levels : levels.slice(Math.max(0, levels.length - d));
      return cut.map(([p, q]) => [formatPriceDollars(p), formatSizeFp(q)]);
    };
    return { orderbook_fp: { yes_dollars: side('yes'), no_dollars: side('no') } };
  }

  @Get('markets/:ticker')
  market(@Param('ticker') ticker: string) {
    const m = this.st.reference.markets.get(ticker);
    if (!m) throw notFound(`market ${ticker}`);
    return { market: marketJson(m, this.st.books.get(ticker)) };
  }

  private eventJson(e: RefEvent, nested: boolean): Record<string, unknown> {
    const j: Record<string, unknown> = {
      event_ticker: e.eventTicker,
      series_ticker: e.seriesTicker,
      title: e.title,
      sub_title: e.subTitle,
      category: e.category,
      mutually_exclusive: e.mutuallyExclusive,
    };
    if (nested) j.markets = e.marketTickers.map((t) => marketJson(this.st.reference.markets.get(t)!, this.st.books.get(t)));
    return j;
  }

  @Get('events')
  events(
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
    @Query('with_nested_markets') nestedRaw?: string,
    @Query('series_ticker') seriesTicker?: string,
  ) {
    const lim = intParam('limit', limit, 1, 200, 200);
    const nested = boolParam('with_nested_markets', nestedRaw);
    let list = [...this.st.reference.events.values()];
    if (seriesTicker) list = list.filter((e) => e.seriesTicker === seriesTicker);
    const p = page(list, lim, cursor);
    return { events: p.items.map((e) => this.eventJson(e, nested)), cursor: p.cursor };
  }

  @Get('events/:eventTicker')
  event(@Param('eventTicker') eventTicker: string, @Query('with_nested_markets') nestedRaw?: string) {
    const e = this.st.reference.events.get(eventTicker);
    if (!e) throw notFound(`event ${eventTicker}`);
    const nested = nestedRaw === undefined ? true : boolParam('with_nested_markets', nestedRaw);
    return { event: this.eventJson(e, false), markets: nested ? e.marketTickers.map((t) => marketJson(this.st.reference.markets.get(t)!, this.st.books.get(t))) : [] };
  }

  /** Mock-only: replay progress and fan-out counters. */
  @Get('mock/replay')
  replay() {
    const r = this.st.replay;
    if (!r) throw notFound('replay (the exchange runs in live mode)');
    const s = r.stats;
    return {
      state: r.state,
      frames_total: s.framesTotal,
      frames_replayed: s.framesReplayed,
      snapshots: s.snapshots,
      deltas: s.deltas,
      deltas_dropped: s.deltasDropped,
      invalid_deltas: s.invalidDeltas,
      clock_ts_ms: r.clockTsMs,
      connections: this.st.gateway.stats.activeConnections,
      frames_sent: this.st.gateway.stats.framesSent,
      connection_frames: this.st.gateway.connectionFrames(),
    };
  }

  /** Mock-only fault: closes every WebSocket connection now. */
  @Post('mock/disconnect')
  @HttpCode(200)
  disconnect() {
    return { closed: this.st.gateway.disconnectAll() };
  }
}
