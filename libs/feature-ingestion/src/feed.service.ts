/**
 * The ingestion app's feed: lists the markets (REST), subscribes to their order books over the Kalshi
 * WebSocket (libs/kalshi client: gap recovery, reconnects), and publishes every book event on the bus as
 * versioned contracts, on `md.v1.p<partition>.<snapshot|delta|stale>.<ticker>`.
 *
 * With a tick store (`TICK_STORE` provider) it also stores the raw feed: every snapshot applied
 * (`kalshi_orderbook_snapshots`, a row per level) and every delta received (`kalshi_orderbook_deltas`, including those
 * dropped from the book while it awaited a snapshot after a gap),
 * the `trade` and `ticker` frames of the extra channels, and the market list it resolved (`kalshi_markets`), through
 * libs/storage's `FrameRowMapper`, the same mapping `kalshi-platform replay` uses. Rows the store refuses are counted
 * in `status().ticksRefused`, never thrown.
 *
 * Metrics (libs/telemetry): its counters are read at scrape time (`kalshi_ingest_*`, `kalshi_bus_published_total`,
 * `kalshi_exchange_rate_limited_total`, the tick store's); per book frame, `kalshi_stage_latency_seconds{stage="ingest"}`
 * times the service's handling, from the decoded frame handed over by the WebSocket client to the bus publish
 * returning (with the in-process transport, publishing runs the subscribers: the time then includes theirs).
 */
import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { BookDeltaV1, BookSnapshotV1, BookStaleV1, BUS_CLIENT, IngestionStatusV1, partitionOf, subjects } from '@kalshi-platform/bus';
import { KalshiRestClient, KalshiWsClient, OrderbookDeltaFrame, OrderbookSnapshotFrame, StaleReason, WsFrame } from '@kalshi-platform/kalshi';
import { FrameRowMapper, rfc3339ToNs, TICK_STORE, type MarketRow, type TickRow, type TickStore } from '@kalshi-platform/storage';
import { registerCollector, registerTickStore, stageProbe, type IngestionReading, type Unregister } from '@kalshi-platform/telemetry';
import { INGESTION_CONFIG } from './tokens';
import type { IngestionConfig } from './ingestion.config';
import { SpanKind, tracingEnabled, withSpan, type WithSpanOptions } from '@kalshi-platform/telemetry';

@Injectable()
export class FeedService implements OnApplicationShutdown {
  private readonly logger = new Logger('ingestion');
  private ws: KalshiWsClient | null = null;
  private published = 0;
  private ticksWritten = 0;
  private ticksRefused = 0;
  private readonly partitionCache = new Map<string, number>();
  /** the REST client of the market list (its 429 count is a metric) */
  private rest: KalshiRestClient | null = null;
  /** `performance.now()` when the last frame was received (0 = none) */
  private lastFrameMono = 0;
  private readonly stage = stageProbe('ingest');
  private readonly unregister: Unregister[] = [];

  constructor(
    @Inject(INGESTION_CONFIG) private readonly cfg: IngestionConfig,
    @Inject(BUS_CLIENT) private readonly bus: ClientProxy,
    @Optional() @Inject(TICK_STORE) private readonly ticks: TickStore | null = null,
  ) {
    this.unregister.push(registerCollector('ingestion', () => this.metricsReading(), this));
    if (ticks !== null) this.unregister.push(registerTickStore(ticks));
  }

  private store(row: TickRow | null): void {
    if (row === null || this.ticks === null) return;
    if (this.ticks.write(row)) this.ticksWritten++;
    else this.ticksRefused++;
  }

  private storeAll(rows: TickRow[]): void {
    for (let i = 0; i < rows.length; i++) this.store(rows[i]);
  }

  private partition(ticker: string): number {
    let p = this.partitionCache.get(ticker);
    if (p === undefined) {
      p = partitionOf(ticker, this.cfg.partitionCount);
      this.partitionCache.set(ticker, p);
    }
    return p;
  }

  /** Market tickers to follow: the configured list, or every open market from `GET /markets`. */
  async resolveMarkets(): Promise<string[]> {
    if (this.cfg.marketTickers.length > 0) return this.cfg.marketTickers;
    const rest = new KalshiRestClient({ baseUrl: this.cfg.restUrl, credentials: this.cfg.credentials });
    this.rest = rest;
    const markets = await rest.getAll<RestMarket>('markets', 'markets', { status: 'open', limit: 1000 });
    const tsMs = Date.now();
    for (const m of markets) this.store(marketRow(m, tsMs));
    return markets.map((m) => m.ticker);
  }

  /** Connects and subscribes; resolves when the first connection is open. */
  async start(): Promise<void> {
    // connect the bus first: a NATS client still connecting can send its first message after later ones, which would
    // publish a market's first deltas out of order (seen over NATS with the demo capture)
    await this.bus.connect();
    const markets = await this.resolveMarkets();
    this.logger.log(`following ${markets.length} market(s) on ${this.cfg.wsUrl}`);
    const ws = new KalshiWsClient({
      url: this.cfg.wsUrl,
      credentials: this.cfg.credentials,
      heartbeatTimeoutMs: this.cfg.heartbeatTimeoutMs,
      snapshotTimeoutMs: this.cfg.snapshotTimeoutMs,
      reconnect: this.cfg.reconnectInitialDelayMs !== undefined ? { initialDelayMs: this.cfg.reconnectInitialDelayMs } : undefined,
      log: (level, msg) => (level === 'info' ? this.logger.log(msg) : level === 'warn' ? this.logger.warn(msg) : this.logger.error(msg)),
    });
    this.ws = ws;
    // tracing (issue #7): each book frame is the root span `kalshi.ws.frame` of the trace its bus message carries on
    ws.on('snapshot', (f: OrderbookSnapshotFrame, tsMs: number) => withSpan('kalshi.ws.frame', frameSpan('orderbook_snapshot', f.marketTicker, f.seq), () => this.onSnapshot(f, tsMs)));
    ws.on('delta', (f: OrderbookDeltaFrame, tsMs: number) => withSpan('kalshi.ws.frame', frameSpan('orderbook_delta', f.marketTicker, f.seq), () => this.onDelta(f, tsMs)));
    ws.on('stale', (ticker: string, reason: StaleReason, tsMs: number) => withSpan('kalshi.ws.frame', frameSpan('stale', ticker), () => this.onStale(ticker, reason, tsMs)));
    // the raw feed: every delta received, also those a gap made unusable for the book (the exchange did send them),
    // the snapshots (with the deltas after them they rebuild any book), trades and tickers
    const rows = new FrameRowMapper();
    ws.on('receivedDelta', (f: OrderbookDeltaFrame) => this.storeAll(rows.map(f)));
    ws.on('snapshot', (f: OrderbookSnapshotFrame) => this.storeAll(rows.map(f)));
    ws.on('frame', (f: WsFrame) => {
      if (f.type === 'trade' || f.type === 'ticker') this.storeAll(rows.map(f));
    });
    ws.on('malformed', (err: { message: string }) => this.logger.warn(`malformed frame skipped: ${err.message}`));
    // arrival of the frames that are not book data (book frames stamp it in onSnapshot / onDelta)
    const stamp = () => void (this.lastFrameMono = performance.now());
    ws.on('frame', stamp);
    ws.on('malformed', stamp);
    ws.subscribeOrderbook(markets);
    for (const channel of this.cfg.extraChannels ?? []) ws.subscribeChannel(channel, markets);
    await ws.start();
  }

  private onSnapshot(f: OrderbookSnapshotFrame, tsMs: number): void {
    const t0 = (this.lastFrameMono = this.stage.begin());
    const msg: BookSnapshotV1 = { v: 1, marketTicker: f.marketTicker, sid: f.sid, seq: f.seq, yes: f.yes, no: f.no, tsMs };
    this.bus.emit(subjects.md(this.partition(f.marketTicker), 'snapshot', f.marketTicker), msg);
    this.published++;
    this.stage.end(t0);
  }

  private onDelta(f: OrderbookDeltaFrame, tsMs: number): void {
    const t0 = (this.lastFrameMono = this.stage.begin());
    const msg: BookDeltaV1 = { v: 1, marketTicker: f.marketTicker, sid: f.sid, seq: f.seq, side: f.side, priceTicks: f.priceTicks, deltaCentis: f.deltaCentis, tsMs };
    this.bus.emit(subjects.md(this.partition(f.marketTicker), 'delta', f.marketTicker), msg);
    this.published++;
    this.stage.end(t0);
  }

  private onStale(ticker: string, reason: StaleReason, tsMs: number): void {
    const msg: BookStaleV1 = { v: 1, marketTicker: ticker, reason, tsMs };
    this.bus.emit(subjects.md(this.partition(ticker), 'stale', ticker), msg);
    this.published++;
  }

  /** Counters for the status request and the report. */
  status(): IngestionStatusV1 {
    const s = this.ws?.stats;
    return {
      v: 1,
      connected: this.ws?.connected ?? false,
      framesReceived: s?.framesReceived ?? 0,
      snapshots: s?.snapshots ?? 0,
      deltas: s?.deltas ?? 0,
      malformed: s?.malformed ?? 0,
      gapsDetected: s?.gapsDetected ?? 0,
      resyncs: s?.resyncs ?? 0,
      reconnects: s?.reconnects ?? 0,
      published: this.published,
      pendingResyncs: this.ws?.pendingResyncs ?? 0,
      subscribedMarkets: this.ws?.subscribedMarkets ?? 0,
      lastTsMs: this.ws?.lastTsMs ?? 0,
      ticksWritten: this.ticksWritten,
      ticksRefused: this.ticksRefused,
    };
  }

  /** What the metrics read at scrape time (libs/telemetry `IngestionReading`). */
  private metricsReading(): IngestionReading {
    const s = this.ws?.stats;
    const mono = this.lastFrameMono;
    return {
      published: this.published,
      consumed: 0,
      framesReceived: s?.framesReceived ?? 0,
      snapshots: s?.snapshots ?? 0,
      deltas: s?.deltas ?? 0,
      malformed: s?.malformed ?? 0,
      gapsDetected: s?.gapsDetected ?? 0,
      resyncs: s?.resyncs ?? 0,
      reconnects: s?.reconnects ?? 0,
      connected: this.ws?.connected ?? false,
      // the wall clock now minus the monotonic time elapsed since the frame (immune to wall-clock steps in between)
      lastFrameAtMs: mono > 0 ? Date.now() - (performance.now() - mono) : 0,
      rateLimited: this.rest?.rateLimited ?? 0,
    };
  }

  onApplicationShutdown(): void {
    this.ws?.close();
    for (const u of this.unregister.splice(0)) u();
  }
}

const NO_SPAN_OPTIONS: WithSpanOptions = {};

/** Options of the span of one WebSocket frame (none to build while tracing is off: this is the hot path). */
function frameSpan(type: string, marketTicker: string, seq?: number): WithSpanOptions {
  if (!tracingEnabled()) return NO_SPAN_OPTIONS;
  return { kind: SpanKind.CONSUMER, attributes: seq === undefined ? { 'kalshi.frame.type': type, 'kalshi.market_ticker': marketTicker } : { 'kalshi.frame.type': type, 'kalshi.market_ticker': marketTicker, 'kalshi.seq': seq } };
}

/** The fields of a `GET /markets` entry the tick store keeps. */
interface RestMarket {
  ticker: string;
  event_ticker?: string;
  series_ticker?: string;
  status?: string;
  title?: string;
  close_time?: string;
  updated_time?: string;
}

/**
 * A `GET /markets` entry -> a `kalshi_markets` row; `null` when it lacks an event ticker. The row's ts is the market's
 * own `updated_time` (exact to the ns), so listing an unchanged market again rewrites the same key instead of adding
 * a row; `seenTsMs` (when it was listed) is used only when the exchange sends no `updated_time`.
 */
export function marketRow(m: RestMarket, seenTsMs: number): MarketRow | null {
  if (typeof m.ticker !== 'string' || typeof m.event_ticker !== 'string') return null;
  const close = typeof m.close_time === 'string' ? Date.parse(m.close_time) : NaN;
  return {
    table: 'kalshi_markets',
    marketTicker: m.ticker,
    eventTicker: m.event_ticker,
    seriesTicker: typeof m.series_ticker === 'string' && m.series_ticker !== '' ? m.series_ticker : null,
    status: typeof m.status === 'string' && m.status !== '' ? m.status : 'unknown',
    title: typeof m.title === 'string' ? m.title : '',
    closeTs: Number.isFinite(close) ? close : null,
    ts: (typeof m.updated_time === 'string' ? rfc3339ToNs(m.updated_time) : null) ?? seenTsMs,
  };
}
