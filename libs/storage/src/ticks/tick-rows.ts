/**
 * Row shapes for the QuestDB tick store (issue #4).
 *
 * Money is never a float: prices are LONG ticks (1 tick = 1/10000 $, so 0.5600 $ = 5600),
 * sizes/counts are LONG centis (1/100 contract, so 12.5 contracts = 1250).
 *
 * `ts` is the designated timestamp: a `number` is epoch **milliseconds**, a `bigint` is epoch
 * **nanoseconds** (exact, sent as-is). Columns map 1:1 to `libs/storage/sql/questdb-schema.sql`.
 */

/** Epoch milliseconds (number) or epoch nanoseconds (bigint). */
export type TickTimestamp = number | bigint;

export type KalshiSide = 'yes' | 'no';

export const TICK_TABLES = [
  'kalshi_orderbook_snapshots',
  'kalshi_orderbook_deltas',
  'kalshi_trades',
  'kalshi_bbo',
  'kalshi_ticker',
  'kalshi_markets',
  'sportsbook_odds',
  'arb_opportunities',
  'trade_signals',
] as const;
export type TickTable = (typeof TICK_TABLES)[number];

/**
 * One price level of an order book snapshot (a snapshot is one row per level, both sides; `seq` is the snapshot's).
 * With the deltas that follow it (same sid, higher seq) it rebuilds the book at any later time. Natural key:
 * (ts, market_ticker, sid, seq, side, price_ticks). A snapshot with no level at all has no row.
 */
export interface OrderbookSnapshotRow {
  table: 'kalshi_orderbook_snapshots';
  marketTicker: string;
  side: KalshiSide;
  priceTicks: number;
  sizeCentis: number;
  seq: number;
  sid: number;
  ts: TickTimestamp;
}

/** One price-level change. Natural key: (ts, market_ticker, sid, seq). */
export interface OrderbookDeltaRow {
  table: 'kalshi_orderbook_deltas';
  marketTicker: string;
  side: KalshiSide;
  priceTicks: number;
  deltaCentis: number;
  seq: number;
  sid: number;
  ts: TickTimestamp;
}

/** One public trade. Natural key: (ts, trade_id); trade_id is a UUID. */
export interface TradeRow {
  table: 'kalshi_trades';
  tradeId: string;
  marketTicker: string;
  yesPriceTicks: number;
  countCentis: number;
  takerSide: KalshiSide;
  ts: TickTimestamp;
}

/** Top of book. A `null` side (empty book) is written as NULL (column omitted). Key: (ts, market_ticker). */
export interface BboRow {
  table: 'kalshi_bbo';
  marketTicker: string;
  yesBidTicks: number | null;
  yesBidSizeCentis: number | null;
  yesAskTicks: number | null;
  yesAskSizeCentis: number | null;
  ts: TickTimestamp;
}

/** Ticker channel snapshot. Key: (ts, market_ticker). */
export interface TickerRow {
  table: 'kalshi_ticker';
  marketTicker: string;
  yesBidTicks: number | null;
  yesAskTicks: number | null;
  lastPriceTicks: number | null;
  volumeCentis: number | null;
  openInterestCentis: number | null;
  ts: TickTimestamp;
}

/**
 * Reference data of one market as seen at `ts` (from `GET /markets` or a lifecycle frame). Key: (ts, market_ticker).
 * `closeTs` is epoch ms of the market's scheduled close, `null` when unknown.
 */
export interface MarketRow {
  table: 'kalshi_markets';
  marketTicker: string;
  eventTicker: string;
  seriesTicker: string | null;
  status: string;
  title: string;
  closeTs: number | null;
  ts: TickTimestamp;
}

/**
 * One sportsbook price (The Odds API v4, `oddsFormat=american`): `priceAmerican` is the integer American price
 * (-110, +150). `ts` is the book's `last_update`. Key: (ts, event_id, bookmaker, market, outcome).
 * Source: https://the-odds-api.com/liveapi/guides/v4/ (response shape).
 */
export interface SportsbookOddsRow {
  table: 'sportsbook_odds';
  eventId: string;
  sportKey: string;
  bookmaker: string;
  market: string;
  outcome: string;
  priceAmerican: number;
  commenceTs: number;
  ts: TickTimestamp;
}

/**
 * One change of an arbitrage episode (libs/strategy): `opened`, `updated` (a new maximum edge) or `closed`.
 * Key: (ts, episode_key, change). `legs` is a JSON array `[{market_ticker, side, action, price_ticks}]` at the asks
 * the detector saw; edges are per contract, in ticks, gross and net of Kalshi's taker fees. `openedTs` is epoch ms.
 */
export interface ArbOpportunityRow {
  table: 'arb_opportunities';
  kind: string;
  episodeKey: string;
  eventTicker: string;
  change: 'opened' | 'updated' | 'closed';
  legs: string;
  maxGrossEdgeTicks: number;
  maxNetEdgeTicks: number;
  openedTs: number;
  ts: TickTimestamp;
}

/**
 * One leg of a trading signal (bus contract `SignalV1`, libs/bus/src/trading.ts) as detection published it: a signal
 * with n legs is n rows with the same `signalId` and `leg` = 0..n-1. Key: (ts, signal_id, leg); `ts` = the signal's
 * `createdTsMs`, `expiresTs` its `expiresTsMs` (epoch ms).
 *
 * Money stays exact: `priceTicks` (LONG ticks, 1/10000 $) and `sizeCentis` (LONG, 1/100 contract) are what an order
 * would carry. `fairTicks`, `grossEdgeTicks`, `netEdgeTicks` and `confidence` are DOUBLEs on purpose: they are
 * real-valued model outputs (a probability x 10000, an expected edge per contract in ticks, a score in [0,1]), never
 * a price or an amount that is paid, so scaling them to integers would only round them. `fairTicks` is `null`
 * (NULL) when the kind has no fair value (arbitrage). `reasons` is the signal's reasons as a JSON array of strings;
 * `source` its provenance object as JSON (`{"oddsEventId":...,"oddsObservedTsMs":...}`), `null` when it has none.
 */
export interface TradeSignalRow {
  table: 'trade_signals';
  signalId: string;
  kind: string;
  /** position of the leg in the signal, 0-based */
  leg: number;
  marketTicker: string;
  eventTicker: string;
  side: KalshiSide;
  action: 'buy' | 'sell';
  priceTicks: number;
  sizeCentis: number;
  fairTicks: number | null;
  grossEdgeTicks: number;
  netEdgeTicks: number;
  confidence: number;
  expiresTs: number;
  reasons: string;
  source: string | null;
  ts: TickTimestamp;
}

export type TickRow = OrderbookSnapshotRow | OrderbookDeltaRow | TradeRow | BboRow | TickerRow | MarketRow | SportsbookOddsRow | ArbOpportunityRow | TradeSignalRow;
