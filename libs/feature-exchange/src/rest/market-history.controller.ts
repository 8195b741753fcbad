/**
 * Kalshi REST v2 market history of the mock exchange, built from the venue's own trades (public, unauthenticated):
 * - `GET /markets/trades` — `limit` 1..1000 (default 100), `cursor`, `ticker`, `min_ts` / `max_ts` (Unix seconds,
 *   inclusive: `min_ts <= created_time <= max_ts`), `is_block_trade`; newest first, `{trades, cursor}`.
 * - `GET /series/{series_ticker}/markets/{ticker}/candlesticks` — `start_ts`, `end_ts` (Unix seconds, required),
 *   `period_interval` 1|60|1440 (minutes, required), `include_latest_before_start`; `{ticker, candlesticks}`.
 * - `GET /markets/candlesticks` (batch) — `market_tickers` (<= 100) and the same range parameters;
 *   `{markets: [{market_ticker, candlesticks}]}`.
 *
 * Route order: `markets/trades` and `markets/candlesticks` would be captured by `markets/:ticker` of
 * {@link MarketDataController} (registered first), so that controller declares them (before `markets/:ticker`) and
 * delegates to {@link MarketHistory}; this controller serves the route that cannot collide.
 *
 * Every period in range gets a candlestick (as in the recorded daily batch body), from the period in which the market's
 * history starts (this process's start, or its first trade) to the current, unfinished period. A period without a
 * trade has `price` with only `previous_dollars` (and no `price` member at all before the first trade), as recorded in
 * the ccxt capture. `include_latest_before_start` is accepted and has no further effect: with every period present,
 * `price.previous_dollars` already carries the price continuity it provides. Replay mode has no venue trades: the
 * candlestick list is empty.
 */
import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { EXCHANGE_STATE, ExchangeState } from '../exchange-state';
import { badParam, notFound } from './kalshi-http-error';
import { candlePeriodEnds, candlesticksJson, MarketTape, marketTape, MAX_CANDLESTICKS, PERIOD_INTERVALS, tradeJson, type Json } from './market-json';
import { boolParam, decodeCursor, encodeCursor, intParam, listParam } from './paging';

/** Query of a REST request as Nest hands it over. */
export type QueryMap = Record<string, string | string[] | undefined>;

/** Largest Unix-seconds timestamp accepted (year 33658: keeps ms arithmetic exact). */
const MAX_TS = 1e12;
/** Most markets per batch candlesticks request (Kalshi: 100). */
const MAX_BATCH_MARKETS = 100;
/** Most candlesticks per batch request (Kalshi: 10,000). */
const MAX_BATCH_CANDLESTICKS = 10_000;

interface CandleRange {
  startTs: number;
  endTs: number;
  periodMin: number;
}

/** The trade and candlestick queries, shared by both market-data controllers (see the module docstring). */
export class MarketHistory {
  private readonly tape: MarketTape;

  constructor(private readonly st: ExchangeState) {
    this.tape = marketTape(st);
  }

  /**
   * `GET /markets/trades` body. Paging is keyset over the venue's append-only trade log (the cursor is the log
   * position to continue below), so trades arriving while a client pages never shift or repeat a page.
   * @throws KalshiHttpError 400 naming a bad parameter.
   */
  trades(q: QueryMap): { trades: Json[]; cursor: string } {
    const limit = intParam('limit', q.limit, 1, 1000, 100);
    const ticker = single('ticker', q.ticker);
    const minTs = intParam('min_ts', q.min_ts, 0, MAX_TS);
    const maxTs = intParam('max_ts', q.max_ts, 0, MAX_TS);
    if (minTs !== undefined && maxTs !== undefined && maxTs < minTs) throw badParam('max_ts', `must not be before min_ts (${minTs}), got ${maxTs}`);
    const blockRaw = single('is_block_trade', q.is_block_trade);
    const onlyBlock = blockRaw === undefined || blockRaw === '' ? undefined : boolParam('is_block_trade', blockRaw);
    const log = this.st.venue.trades;
    const from = decodeCursor('trades', single('cursor', q.cursor));
    if (from !== undefined && from >= log.length) throw badParam('cursor', 'is not a cursor returned by this endpoint');
    const minMs = minTs === undefined ? -Infinity : minTs * 1000;
    const maxMs = maxTs === undefined ? Infinity : maxTs * 1000;
    const out: Json[] = [];
    let next = '';
    if (onlyBlock !== true) {
      for (let i = from ?? log.length - 1; i >= 0; i--) {
        const t = log[i];
        if (ticker !== undefined && t.marketTicker !== ticker) continue;
        if (t.tsMs < minMs || t.tsMs > maxMs) continue;
        if (out.length === limit) {
          next = encodeCursor('trades', i);
          break;
        }
        out.push(tradeJson(t));
      }
    }
    return { trades: out, cursor: next };
  }

  /**
   * `GET /series/{series_ticker}/markets/{ticker}/candlesticks` body.
   * @throws KalshiHttpError 404 for an unknown market or one of another series, 400 naming a bad parameter.
   */
  candlesticks(seriesTicker: string, ticker: string, q: QueryMap): { ticker: string; candlesticks: Json[] } {
    const m = this.st.reference.markets.get(ticker);
    if (!m) throw notFound(`market ${ticker}`);
    if (m.seriesTicker !== seriesTicker) throw notFound(`market ${ticker} in series ${seriesTicker}`);
    const range = this.range(q);
    const span = this.span(ticker, range);
    if (span.count > MAX_CANDLESTICKS) throw badParam('end_ts', `the range holds ${span.count} candlesticks of ${range.periodMin} min; at most ${MAX_CANDLESTICKS}`);
    return { ticker, candlesticks: span.count > 0 ? candlesticksJson(this.tape, ticker, range.periodMin, span.first, span.last) : [] };
  }

  /**
   * `GET /markets/candlesticks` (batch) body, markets in request order.
   * @throws KalshiHttpError 404 for an unknown market, 400 naming a bad parameter.
   */
  batchCandlesticks(q: QueryMap): { markets: Json[] } {
    const tickers = listParam('market_tickers', q.market_tickers, MAX_BATCH_MARKETS);
    if (!tickers) throw badParam('market_tickers', 'is required (comma-separated market tickers, at most 100)');
    const range = this.range(q);
    for (const t of tickers) if (!this.st.reference.markets.has(t)) throw notFound(`market ${t}`);
    const spans = tickers.map((t) => this.span(t, range));
    const total = spans.reduce((s, x) => s + x.count, 0);
    if (total > MAX_BATCH_CANDLESTICKS) throw badParam('end_ts', `the range holds ${total} candlesticks over the markets; at most ${MAX_BATCH_CANDLESTICKS}`);
    return {
      markets: tickers.map((t, i) => ({ market_ticker: t, candlesticks: spans[i].count > 0 ? candlesticksJson(this.tape, t, range.periodMin, spans[i].first, spans[i].last) : [] })),
    };
  }

  private range(q: QueryMap): CandleRange {
    const startTs = intParam('start_ts', q.start_ts, 0, MAX_TS);
    if (startTs === undefined) throw badParam('start_ts', 'is required (Unix seconds)');
    const endTs = intParam('end_ts', q.end_ts, 0, MAX_TS);
    if (endTs === undefined) throw badParam('end_ts', 'is required (Unix seconds)');
    if (endTs < startTs) throw badParam('end_ts', `must not be before start_ts (${startTs}), got ${endTs}`);
    const periodMin = intParam('period_interval', q.period_interval, 1, 1440);
    if (periodMin === undefined || !(PERIOD_INTERVALS as readonly number[]).includes(periodMin)) {
      throw badParam('period_interval', `must be one of ${PERIOD_INTERVALS.join(', ')} (minutes), got ${JSON.stringify(q.period_interval ?? null)}`);
    }
    boolParam('include_latest_before_start', q.include_latest_before_start);
    return { startTs, endTs, periodMin };
  }

  /** Period ends of a market's candlesticks in range (none for a market not on the venue, i.e. replay mode). */
  private span(ticker: string, r: CandleRange): { first: number; last: number; count: number } {
    if (this.st.mode !== 'live' || !this.st.venue.markets.has(ticker)) return { first: 0, last: -1, count: 0 };
    const trades = this.tape.tradesOf(ticker);
    const fromMs = Math.min(this.tape.startMs, trades.length > 0 ? trades[0].tsMs : Infinity);
    const { first, last } = candlePeriodEnds(r.startTs, r.endTs, r.periodMin, fromMs, Date.now());
    const count = last < first ? 0 : (last - first) / (r.periodMin * 60) + 1;
    return { first, last, count };
  }
}

/** A query parameter that must be given at most once. */
function single(name: string, raw: string | string[] | undefined): string | undefined {
  if (Array.isArray(raw)) throw badParam(name, 'must be given once');
  return raw;
}

/** Market history routes that cannot collide with `markets/:ticker` (see the module docstring). */
@Controller('trade-api/v2')
export class MarketHistoryController {
  private readonly history: MarketHistory;

  constructor(@Inject(EXCHANGE_STATE) st: ExchangeState) {
    this.history = new MarketHistory(st);
  }

  /** `GET /series/{series_ticker}/markets/{ticker}/candlesticks`. */
  @Get('series/:series_ticker/markets/:ticker/candlesticks')
  candlesticks(@Param('series_ticker') seriesTicker: string, @Param('ticker') ticker: string, @Query() q: QueryMap) {
    return this.history.candlesticks(seriesTicker, ticker, q);
  }
}
