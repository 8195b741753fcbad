/**
 * Kalshi REST v2 market-data endpoints of the mock exchange (public, unauthenticated; Kalshi itself wants a signature
 * on the batch order books, the mock does not):
 * - `GET /exchange/status`, `GET /exchange/schedule` (always open);
 * - `GET /markets` (filters `event_ticker` (comma list), `series_ticker`, `status`, `tickers`, `mve_filter`, the
 *   `min/max_created_ts`, `min/max_close_ts`, `min/max_settled_ts`, `min_updated_ts` groups with Kalshi's
 *   compatibility rules), `GET /markets/{ticker}`, `GET /markets/{ticker}/orderbook?depth=`,
 *   `GET /markets/orderbooks?tickers=` (batch, <= 100), and — declared here so that `markets/:ticker` does not
 *   capture them — `GET /markets/trades` and `GET /markets/candlesticks` (served by {@link MarketHistory});
 * - `GET /events`, `GET /events/{event_ticker}`, `GET /series`, `GET /series/{series_ticker}`;
 * - the mock's own replay controls `GET /mock/replay`, `POST /mock/disconnect`.
 * Shapes: the SDK models (kalshi-typescript `GetMarketsResponse`, `GetEventResponse`, ...) and the recorded bodies in
 * shared/data, fixed-point dialect; JSON builders in `market-json.ts`.
 */
import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { EXCHANGE_STATE, ExchangeState } from '../exchange-state';
import type { RefMarket } from '../reference';
import { badParam, notFound } from './kalshi-http-error';
import { MarketHistory, type QueryMap } from './market-history.controller';
import { eventJson, eventStatus, jsonTimeSec, marketJson, MarketJsonContext, marketLive, MarketTape, marketTape, orderbookFp, seriesJson, type Json } from './market-json';
import { boolParam, enumParam, intParam, listParam, page } from './paging';

const MARKET_STATUS_FILTERS = ['unopened', 'open', 'paused', 'closed', 'settled'] as const;
const EVENT_STATUS_FILTERS = ['unopened', 'open', 'closed', 'settled'] as const;
/** Kalshi market statuses matched by each `status` filter (replay-mode markets may carry the older `open`/`settled`). */
const STATUS_MATCHES: Record<(typeof MARKET_STATUS_FILTERS)[number], readonly string[]> = {
  unopened: ['initialized'],
  open: ['active', 'open'],
  paused: ['inactive'],
  closed: ['closed', 'determined'],
  settled: ['finalized', 'settled'],
};
/** Largest Unix-seconds timestamp accepted. */
const MAX_TS = 1e12;

/** `GET /exchange/schedule`: open around the clock (Kalshi's `00:00`-`00:00` = whole day), no maintenance. */
const SCHEDULE = {
  schedule: {
    standard_hours: [
      {
        start_time: '2024-12-01T00:00:00Z',
        end_time: '2200-12-01T00:00:00Z',
        ...Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [d, [{ open_time: '00:00', close_time: '00:00' }]])),
      },
    ],
    maintenance_windows: [],
  },
};

/** A query parameter given at most once. */
function single(name: string, raw: string | string[] | undefined): string | undefined {
  if (Array.isArray(raw)) throw badParam(name, 'must be given once');
  return raw === '' ? undefined : raw;
}

/** See the module docstring. */
@Controller('trade-api/v2')
export class MarketDataController {
  private readonly tape: MarketTape;
  private readonly history: MarketHistory;

  constructor(@Inject(EXCHANGE_STATE) private readonly st: ExchangeState) {
    this.tape = marketTape(st);
    this.history = new MarketHistory(st);
  }

  private ctx(): MarketJsonContext {
    return { st: this.st, tape: this.tape, nowMs: Date.now() };
  }

  /** The reference market `ticker`. @throws KalshiHttpError 404 when unknown. */
  private ref(ticker: string): RefMarket {
    const m = this.st.reference.markets.get(ticker);
    if (!m) throw notFound(`market ${ticker}`);
    return m;
  }

  private market(ctx: MarketJsonContext, ticker: string): Json {
    return marketJson(ctx, this.ref(ticker));
  }

  /** `GET /exchange/status`. */
  @Get('exchange/status')
  status() {
    return {
      exchange_active: true,
      trading_active: this.st.mode === 'live' ? this.st.venue.haltedBy === null : this.st.replay?.state !== 'done',
      exchange_estimated_resume_time: null,
    };
  }

  /** `GET /exchange/schedule`. */
  @Get('exchange/schedule')
  schedule() {
    return SCHEDULE;
  }

  /** `GET /markets` (see the module docstring for the filters). */
  @Get('markets')
  markets(@Query() q: QueryMap) {
    const limit = intParam('limit', q.limit, 1, 1000, 100);
    const status = enumParam('status', q.status, MARKET_STATUS_FILTERS);
    const events = listParam('event_ticker', q.event_ticker);
    const seriesTicker = single('series_ticker', q.series_ticker);
    const tickers = listParam('tickers', q.tickers);
    const mve = enumParam('mve_filter', q.mve_filter, ['only', 'exclude'] as const);
    const ts = (name: string) => intParam(name, q[name], 0, MAX_TS);
    const groups = {
      created: { min: ts('min_created_ts'), max: ts('max_created_ts'), field: 'created_time', statuses: ['unopened', 'open'] },
      close: { min: ts('min_close_ts'), max: ts('max_close_ts'), field: 'close_time', statuses: ['closed'] },
      settled: { min: ts('min_settled_ts'), max: ts('max_settled_ts'), field: 'settlement_ts', statuses: ['settled'] },
    };
    const minUpdated = ts('min_updated_ts');
    const used = Object.entries(groups).filter(([, g]) => g.min !== undefined || g.max !== undefined);
    if (used.length > 1) {
      const [kind, g] = used[1];
      throw badParam(`${g.min !== undefined ? 'min' : 'max'}_${kind}_ts`, `timestamp filters of different kinds cannot be combined (min/max_${used[0][0]}_ts given)`);
    }
    for (const [name, g] of used) {
      if (status !== undefined && !g.statuses.includes(status)) throw badParam('status', `${status} cannot be combined with min/max_${name}_ts (allowed: ${g.statuses.join(', ')})`);
    }
    if (minUpdated !== undefined) {
      if (used.length > 0 || status !== undefined || events || tickers) throw badParam('min_updated_ts', 'cannot be combined with other filters except mve_filter=exclude and series_ticker');
      if (seriesTicker !== undefined && mve !== 'exclude') throw badParam('mve_filter', 'must be exclude when min_updated_ts is combined with series_ticker');
    }

    const wanted = tickers ? new Set(tickers) : null;
    const eventSet = events ? new Set(events) : null;
    let refs = [...this.st.reference.markets.values()];
    if (wanted) refs = refs.filter((m) => wanted.has(m.ticker));
    if (eventSet) refs = refs.filter((m) => eventSet.has(m.eventTicker));
    if (seriesTicker !== undefined) refs = refs.filter((m) => m.seriesTicker === seriesTicker);
    if (mve) refs = refs.filter((m) => isMve(m) === (mve === 'only'));

    const ctx = this.ctx();
    const needJson = status !== undefined || used.length > 0 || minUpdated !== undefined;
    if (!needJson) {
      const p = page(refs, limit, single('cursor', q.cursor), 'markets');
      return { markets: p.items.map((m) => marketJson(ctx, m)), cursor: p.cursor };
    }
    let list = refs.map((m) => marketJson(ctx, m));
    if (status !== undefined) list = list.filter((j) => STATUS_MATCHES[status].includes(String(j.status)));
    for (const [, g] of used) {
      list = list.filter((j) => {
        const t = jsonTimeSec(j, g.field);
        return t !== undefined && (g.min === undefined || t > g.min) && (g.max === undefined || t < g.max);
      });
    }
    if (minUpdated !== undefined) list = list.filter((j) => (jsonTimeSec(j, 'updated_time') ?? 0) > minUpdated);
    const p = page(list, limit, single('cursor', q.cursor), 'markets');
    return { markets: p.items, cursor: p.cursor };
  }

  /** `GET /markets/trades` (declared before `markets/:ticker`). */
  @Get('markets/trades')
  trades(@Query() q: QueryMap) {
    return this.history.trades(q);
  }

  /** `GET /markets/candlesticks` (batch; declared before `markets/:ticker`). */
  @Get('markets/candlesticks')
  batchCandlesticks(@Query() q: QueryMap) {
    return this.history.batchCandlesticks(q);
  }

  /** `GET /markets/orderbooks?tickers=a,b` (or repeated `tickers`), at most 100 markets -> `{orderbooks: [{ticker, orderbook_fp}]}` in request order. */
  @Get('markets/orderbooks')
  orderbooks(@Query() q: QueryMap) {
    const tickers = listParam('tickers', q.tickers, 100);
    if (!tickers) throw badParam('tickers', 'is required (market tickers, at most 100)');
    const depth = intParam('depth', q.depth, 0, 100, 0);
    for (const t of tickers) if (!this.st.reference.markets.has(t)) throw notFound(`market ${t}`);
    return { orderbooks: tickers.map((t) => ({ ticker: t, orderbook_fp: orderbookFp(this.st.books.get(t), depth) })) };
  }

  /** `GET /markets/{ticker}/orderbook?depth=0..100` (0 = all levels). */
  @Get('markets/:ticker/orderbook')
  orderbook(@Param('ticker') ticker: string, @Query() q: QueryMap) {
    const depth = intParam('depth', q.depth, 0, 100, 0);
    if (!this.st.reference.markets.has(ticker)) throw notFound(`market ${ticker}`);
    return { orderbook_fp: orderbookFp(this.st.books.get(ticker), depth) };
  }

  /** `GET /markets/{ticker}` -> `{market}`. */
  @Get('markets/:ticker')
  marketOne(@Param('ticker') ticker: string) {
    if (!this.st.reference.markets.has(ticker)) throw notFound(`market ${ticker}`);
    return { market: this.market(this.ctx(), ticker) };
  }

  /**
   * `GET /events` — `limit` 1..200 (default 200), `cursor`, `with_nested_markets`, `with_milestones` (the mock has
   * none: `milestones: []`), `status`, `series_ticker`, `tickers`, `min_close_ts` (events with a market closing after it).
   */
  @Get('events')
  events(@Query() q: QueryMap) {
    const limit = intParam('limit', q.limit, 1, 200, 200);
    const nested = boolParam('with_nested_markets', q.with_nested_markets);
    const milestones = boolParam('with_milestones', q.with_milestones);
    const status = enumParam('status', q.status, EVENT_STATUS_FILTERS);
    const seriesTicker = single('series_ticker', q.series_ticker);
    const tickers = listParam('tickers', q.tickers);
    const minClose = intParam('min_close_ts', q.min_close_ts, 0, MAX_TS);
    const ctx = this.ctx();
    let list = [...this.st.reference.events.values()];
    if (seriesTicker !== undefined) list = list.filter((e) => e.seriesTicker === seriesTicker);
    if (tickers) {
      const set = new Set(tickers);
      list = list.filter((e) => set.has(e.eventTicker));
    }
    if (status !== undefined) list = list.filter((e) => eventStatus(e.marketTickers.map((t) => marketLive(ctx, this.ref(t)).status)) === status);
    if (minClose !== undefined) list = list.filter((e) => e.marketTickers.some((t) => (jsonTimeSec(this.market(ctx, t), 'close_time') ?? 0) > minClose));
    const p = page(list, limit, single('cursor', q.cursor), 'events');
    const body: Json = {
      events: p.items.map((e) => eventJson(e, this.st.reference.series.get(e.seriesTicker), nested ? e.marketTickers.map((t) => this.market(ctx, t)) : undefined)),
      cursor: p.cursor,
    };
    if (milestones) body.milestones = [];
    return body;
  }

  /**
   * `GET /events/{event_ticker}` -> `{event, markets}`; with `with_nested_markets=true` the markets are also nested in
   * the event (the top-level list stays, so older clients reading it keep working).
   */
  @Get('events/:event_ticker')
  event(@Param('event_ticker') eventTicker: string, @Query() q: QueryMap) {
    const nested = boolParam('with_nested_markets', q.with_nested_markets);
    const e = this.st.reference.events.get(eventTicker);
    if (!e) throw notFound(`event ${eventTicker}`);
    const ctx = this.ctx();
    const markets = e.marketTickers.map((t) => this.market(ctx, t));
    return { event: eventJson(e, this.st.reference.series.get(e.seriesTicker), nested ? markets : undefined), markets };
  }

  /** Traded volume of a series' markets, centis. */
  private seriesVolume(seriesTicker: string): number {
    let v = 0;
    for (const m of this.st.reference.markets.values()) if (m.seriesTicker === seriesTicker) v += this.st.venue.engine.getMarket(m.ticker)?.volumeCentis ?? 0;
    return v;
  }

  /**
   * `GET /series` -> `{series: [...]}` (no paging, as Kalshi's) — `category` (exact), `tags` (comma list: series
   * having any of them), `include_product_metadata`, `include_volume`.
   */
  @Get('series')
  seriesList(@Query() q: QueryMap) {
    const category = single('category', q.category);
    const tags = listParam('tags', q.tags);
    const productMetadata = boolParam('include_product_metadata', q.include_product_metadata);
    const volume = boolParam('include_volume', q.include_volume);
    const out: Json[] = [];
    for (const [ticker, rec] of this.st.reference.series) {
      const j = seriesJson(ticker, rec, { productMetadata, volumeCentis: volume ? this.seriesVolume(ticker) : undefined });
      if (category !== undefined && j.category !== category) continue;
      if (tags && !(Array.isArray(j.tags) && j.tags.some((t) => tags.includes(String(t))))) continue;
      out.push(j);
    }
    return { series: out };
  }

  /** `GET /series/{series_ticker}` -> `{series}` (`include_volume`). */
  @Get('series/:series_ticker')
  seriesOne(@Param('series_ticker') seriesTicker: string, @Query() q: QueryMap) {
    const volume = boolParam('include_volume', q.include_volume);
    const rec = this.st.reference.series.get(seriesTicker);
    if (!rec) throw notFound(`series ${seriesTicker}`);
    return { series: seriesJson(seriesTicker, rec, { productMetadata: true, volumeCentis: volume ? this.seriesVolume(seriesTicker) : undefined }) };
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

/** A multivariate (combo) market: recorded with `mve_collection_ticker`. */
function isMve(m: RefMarket): boolean {
  return typeof m.template?.mve_collection_ticker === 'string' && m.template.mve_collection_ticker !== '';
}
