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
  'kalshi_orderbook_deltas',
  'kalshi_trades',
  'kalshi_bbo',
  'kalshi_ticker',
  'arb_opportunities',
] as const;
export type TickTable = (typeof TICK_TABLES)[number];

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

/** A detected arbitrage. Key: (ts, kind, event_ticker). `marketTickers` is stored comma-joined. */
export interface ArbOpportunityRow {
  table: 'arb_opportunities';
  kind: string;
  eventTicker: string;
  marketTickers: readonly string[];
  edgeTicks: number;
  ts: TickTimestamp;
}

export type TickRow = OrderbookDeltaRow | TradeRow | BboRow | TickerRow | ArbOpportunityRow;
