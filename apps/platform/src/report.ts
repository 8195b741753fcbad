/**
 * The main job's report: final books and BBO per market, opportunity episodes and run statistics, with
 * prices and sizes as Kalshi fixed-point strings and ladders ascending as Kalshi sends them.
 * Collected over the bus (request/reply), so the same code reports on an in-process run and on apps
 * running as separate services over NATS.
 */
import type { ClientProxy } from '@nestjs/microservices';
import {
  busRequest,
  DetectionStatusV1,
  IngestionStatusV1,
  LevelV1,
  OpportunityEventV1,
  subjects,
  TickerPlantBooksV1,
  TickerPlantStatusV1,
} from '@kalshi-platform/bus';
import { formatPriceDollars, formatSizeFp, ONE_DOLLAR } from '@kalshi-platform/market';

export interface ReportBook {
  yes_dollars_fp: Array<[string, string]>;
  no_dollars_fp: Array<[string, string]>;
}

export interface ReportBbo {
  yes_bid_dollars: string | null;
  yes_bid_size_fp: string | null;
  yes_ask_dollars: string | null;
  yes_ask_size_fp: string | null;
}

export interface ReportOpportunity {
  kind: string;
  event_ticker: string;
  legs: Array<{ market_ticker: string; side: 'yes' | 'no'; action: 'buy'; price_dollars: string }>;
  opened_ts_ms: number;
  closed_ts_ms: number | null;
  max_gross_edge_dollars: string;
  max_net_edge_dollars: string;
  /** trading signals (`sportsbook_edge`): the signal's id, fair value of the leg's side, Kelly size and confidence */
  signal_id?: string;
  fair_dollars?: string | null;
  size_fp?: string;
  confidence?: number;
}

export interface Report {
  input: { capture: string; events: string | null };
  stats: {
    frames: number;
    snapshots: number;
    deltas: number;
    malformed: number;
    gaps_detected: number;
    resyncs: number;
    elapsed_ms: number;
    reconnects: number;
    invalid_books: string[];
  };
  books: Record<string, ReportBook>;
  bbo: Record<string, ReportBbo>;
  opportunities: ReportOpportunity[];
  /** with `--odds`: what the paper execution did against the live game markets (apps/platform/src/sportsbook.ts) */
  orders?: import('./sportsbook').SportsbookReport['orders'];
  fills?: import('./sportsbook').SportsbookReport['fills'];
  positions?: import('./sportsbook').SportsbookReport['positions'];
  pnl?: import('./sportsbook').SportsbookReport['pnl'];
  execution?: import('./sportsbook').SportsbookReport['execution'];
  /** the tick store, when the run had one (`npm start` does: embedded, `data/ticks.duckdb`) */
  storage?: {
    backend: 'embedded' | 'questdb' | 'off';
    /** DuckDB file or QuestDB `host:port` */
    location: string;
    /** rows the services handed to the store in this run, and rows it refused (invalid, full, closed) */
    rows_handed: number;
    rows_refused: number;
    /** rows the store committed in this run, and its loss counters */
    rows_written: number;
    dropped: number;
    invalid: number;
    rejected: number;
    /** rows per table in the whole store after the run (embedded only) */
    tables: Record<string, number>;
  };
}

/** Pipeline counters gathered from every app. */
export interface PipelineStatus {
  ingestion: IngestionStatusV1;
  shards: TickerPlantStatusV1[];
  detection: DetectionStatusV1;
}

/** Asks every app for its status. @throws on a request timeout (an app is down). */
export async function pipelineStatus(bus: ClientProxy, shardCount: number): Promise<PipelineStatus> {
  const [ingestion, detection, ...shards] = await Promise.all([
    busRequest<IngestionStatusV1>(bus, subjects.ingestionStatus),
    busRequest<DetectionStatusV1>(bus, subjects.detectionStatus),
    ...Array.from({ length: shardCount }, (_, i) => busRequest<TickerPlantStatusV1>(bus, subjects.tickerPlantStatus(i))),
  ]);
  return { ingestion, shards, detection };
}

/** True when every message published upstream has been consumed downstream and no resync is pending. */
export function isDrained(s: PipelineStatus): boolean {
  const consumed = s.shards.reduce((a, x) => a + x.consumed, 0);
  const bbo = s.shards.reduce((a, x) => a + x.bboPublished, 0);
  return s.ingestion.connected && s.ingestion.pendingResyncs === 0 && s.ingestion.published === consumed && bbo === s.detection.consumed;
}

/**
 * Waits until the pipeline is drained and the frame count has stopped moving for `stableMs`.
 * @throws Error after `timeoutMs` with the last status in the message.
 */
export async function waitForQuiescence(bus: ClientProxy, shardCount: number, opts: { stableMs?: number; timeoutMs?: number; pollMs?: number } = {}): Promise<PipelineStatus> {
  const stableMs = opts.stableMs ?? 300;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let lastFrames = -1;
  let stableSince = 0;
  for (;;) {
    const s = await pipelineStatus(bus, shardCount);
    const now = Date.now();
    if (isDrained(s) && s.ingestion.framesReceived === lastFrames) {
      if (stableSince === 0) stableSince = now;
      if (now - stableSince >= stableMs) return s;
    } else {
      stableSince = 0;
    }
    lastFrames = s.ingestion.framesReceived;
    if (now > deadline) throw new Error(`pipeline did not drain within ${opts.timeoutMs ?? 60_000} ms: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
  }
}

const fmtLevels = (levels: LevelV1[]): Array<[string, string]> => levels.map(([p, q]) => [formatPriceDollars(p), formatSizeFp(q)]);

/** BBO of a book from its ascending ladders (best bid = last level; YES ask = $1 - best NO bid). */
export function bboFromLadders(yes: LevelV1[], no: LevelV1[]): ReportBbo {
  const y = yes[yes.length - 1];
  const n = no[no.length - 1];
  return {
    yes_bid_dollars: y ? formatPriceDollars(y[0]) : null,
    yes_bid_size_fp: y ? formatSizeFp(y[1]) : null,
    yes_ask_dollars: n ? formatPriceDollars(ONE_DOLLAR - n[0]) : null,
    yes_ask_size_fp: n ? formatSizeFp(n[1]) : null,
  };
}

/** Converts a bus opportunity into the report's shape. */
export function reportOpportunity(o: OpportunityEventV1): ReportOpportunity {
  return {
    kind: o.kind,
    event_ticker: o.eventTicker,
    legs: o.legs.map((l) => ({ market_ticker: l.marketTicker, side: l.side, action: l.action, price_dollars: formatPriceDollars(l.priceTicks) })),
    opened_ts_ms: o.openedTsMs,
    closed_ts_ms: o.closedTsMs,
    max_gross_edge_dollars: formatPriceDollars(o.maxGrossEdgeTicks),
    max_net_edge_dollars: formatPriceDollars(o.maxNetEdgeTicks),
  };
}

/** Gathers books (every shard), opportunities and counters into the report. */
export async function collectReport(bus: ClientProxy, shardCount: number, input: Report['input'], status: PipelineStatus, elapsedMs: number): Promise<Report> {
  const shardBooks = await Promise.all(Array.from({ length: shardCount }, (_, i) => busRequest<TickerPlantBooksV1>(bus, subjects.tickerPlantBooks(i))));
  const episodes = await busRequest<OpportunityEventV1[]>(bus, subjects.detectionEpisodes);
  const books: Report['books'] = {};
  const bbo: Report['bbo'] = {};
  const invalid: string[] = [];
  const all = shardBooks.flatMap((s) => Object.entries(s.books)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [ticker, b] of all) {
    if (!b.valid) invalid.push(ticker);
    books[ticker] = { yes_dollars_fp: fmtLevels(b.yes), no_dollars_fp: fmtLevels(b.no) };
    bbo[ticker] = bboFromLadders(b.yes, b.no);
  }
  const i = status.ingestion;
  return {
    input,
    stats: {
      frames: i.framesReceived,
      snapshots: i.snapshots,
      deltas: i.deltas,
      malformed: i.malformed,
      gaps_detected: i.gapsDetected,
      resyncs: i.resyncs,
      elapsed_ms: elapsedMs,
      reconnects: i.reconnects,
      invalid_books: invalid,
    },
    books,
    bbo,
    opportunities: episodes.map(reportOpportunity),
  };
}
