/**
 * DuckDB tick store schema (issue #4): the embedded twin of `libs/storage/sql/questdb-schema.sql`.
 *
 * Same tables (`TICK_TABLES`), same column names in the same order. Type mapping:
 * - QuestDB SYMBOL / VARCHAR -> VARCHAR
 * - LONG -> BIGINT (money stays exact: prices in ticks of 1/10000 $, sizes in centis of 1/100 contract)
 * - DOUBLE -> DOUBLE (trade_signals' real-valued model outputs: fair value, edges, confidence; never money)
 * - UUID -> UUID (kalshi_trades.trade_id)
 * - designated `ts` -> TIMESTAMP_NS (exact nanoseconds; a `number` row ts is epoch ms, a `bigint` is epoch ns)
 * - close_ts / commence_ts / opened_ts / expires_ts -> TIMESTAMP (microsecond precision; rows carry them as epoch ms)
 *
 * QuestDB's `DEDUP UPSERT KEYS(ts, ...)` becomes a PRIMARY KEY on the same natural key; `DuckDbTickStore`
 * writes with `INSERT OR REPLACE`, so a re-written row with the same key replaces the stored one (upsert).
 * Idempotent: safe to run on every start.
 */
import type { TickTable } from './tick-rows';

/** The natural (dedup) key of each table, identical to the QuestDB `DEDUP UPSERT KEYS`. */
export const TICK_TABLE_KEYS: Readonly<Record<TickTable, readonly string[]>> = {
  kalshi_orderbook_snapshots: ['ts', 'market_ticker', 'sid', 'seq', 'side', 'price_ticks'],
  kalshi_orderbook_deltas: ['ts', 'market_ticker', 'sid', 'seq'],
  kalshi_trades: ['ts', 'trade_id'],
  kalshi_bbo: ['ts', 'market_ticker'],
  kalshi_ticker: ['ts', 'market_ticker'],
  kalshi_markets: ['ts', 'market_ticker'],
  sportsbook_odds: ['ts', 'event_id', 'bookmaker', 'market', 'outcome'],
  arb_opportunities: ['ts', 'episode_key', 'change'],
  trade_signals: ['ts', 'signal_id', 'leg'],
};

/** DDL of the embedded tick store: one `CREATE TABLE IF NOT EXISTS` per table of `TICK_TABLES`, `;`-separated. */
export const DUCKDB_TICK_SCHEMA_SQL = `
-- One row per price level of each order book snapshot (seq = the snapshot's).
CREATE TABLE IF NOT EXISTS kalshi_orderbook_snapshots (
  market_ticker VARCHAR NOT NULL,
  side VARCHAR NOT NULL,
  price_ticks BIGINT NOT NULL,
  size_centis BIGINT,
  seq BIGINT NOT NULL,
  sid BIGINT NOT NULL,
  ts TIMESTAMP_NS NOT NULL,
  PRIMARY KEY (ts, market_ticker, sid, seq, side, price_ticks)
);

CREATE TABLE IF NOT EXISTS kalshi_orderbook_deltas (
  market_ticker VARCHAR NOT NULL,
  side VARCHAR,
  price_ticks BIGINT,
  delta_centis BIGINT,
  seq BIGINT NOT NULL,
  sid BIGINT NOT NULL,
  ts TIMESTAMP_NS NOT NULL,
  PRIMARY KEY (ts, market_ticker, sid, seq)
);

CREATE TABLE IF NOT EXISTS kalshi_trades (
  market_ticker VARCHAR,
  taker_side VARCHAR,
  trade_id UUID NOT NULL,
  yes_price_ticks BIGINT,
  count_centis BIGINT,
  ts TIMESTAMP_NS NOT NULL,
  PRIMARY KEY (ts, trade_id)
);

-- NULL price/size = empty side of the book.
CREATE TABLE IF NOT EXISTS kalshi_bbo (
  market_ticker VARCHAR NOT NULL,
  yes_bid_ticks BIGINT,
  yes_bid_size_centis BIGINT,
  yes_ask_ticks BIGINT,
  yes_ask_size_centis BIGINT,
  ts TIMESTAMP_NS NOT NULL,
  PRIMARY KEY (ts, market_ticker)
);

CREATE TABLE IF NOT EXISTS kalshi_ticker (
  market_ticker VARCHAR NOT NULL,
  yes_bid_ticks BIGINT,
  yes_ask_ticks BIGINT,
  last_price_ticks BIGINT,
  volume_centis BIGINT,
  open_interest_centis BIGINT,
  ts TIMESTAMP_NS NOT NULL,
  PRIMARY KEY (ts, market_ticker)
);

-- Market reference data over time (status changes, close time moves).
CREATE TABLE IF NOT EXISTS kalshi_markets (
  market_ticker VARCHAR NOT NULL,
  event_ticker VARCHAR,
  series_ticker VARCHAR,
  status VARCHAR,
  title VARCHAR,
  close_ts TIMESTAMP,
  ts TIMESTAMP_NS NOT NULL,
  PRIMARY KEY (ts, market_ticker)
);

-- Sportsbook prices (The Odds API, American odds as integers); ts = the book's last_update.
CREATE TABLE IF NOT EXISTS sportsbook_odds (
  event_id VARCHAR NOT NULL,
  sport_key VARCHAR,
  bookmaker VARCHAR NOT NULL,
  market VARCHAR NOT NULL,
  outcome VARCHAR NOT NULL,
  price_american BIGINT,
  commence_ts TIMESTAMP,
  ts TIMESTAMP_NS NOT NULL,
  PRIMARY KEY (ts, event_id, bookmaker, market, outcome)
);

-- One change (opened / updated / closed) of an arbitrage episode; legs: JSON [{market_ticker, side, action, price_ticks}].
CREATE TABLE IF NOT EXISTS arb_opportunities (
  kind VARCHAR NOT NULL,
  episode_key VARCHAR NOT NULL,
  event_ticker VARCHAR NOT NULL,
  change VARCHAR NOT NULL,
  legs VARCHAR,
  max_gross_edge_ticks BIGINT,
  max_net_edge_ticks BIGINT,
  opened_ts TIMESTAMP,
  ts TIMESTAMP_NS NOT NULL,
  PRIMARY KEY (ts, episode_key, change)
);

-- One row per leg of each trading signal (SignalV1); ts = createdTsMs. fair_ticks NULL for arbitrage; the DOUBLEs are
-- model outputs (not money); reasons: JSON array of strings; source: JSON provenance object or NULL.
CREATE TABLE IF NOT EXISTS trade_signals (
  signal_id VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  leg BIGINT NOT NULL,
  market_ticker VARCHAR NOT NULL,
  event_ticker VARCHAR,
  side VARCHAR,
  action VARCHAR,
  price_ticks BIGINT,
  size_centis BIGINT,
  fair_ticks DOUBLE,
  gross_edge_ticks DOUBLE,
  net_edge_ticks DOUBLE,
  confidence DOUBLE,
  expires_ts TIMESTAMP,
  reasons VARCHAR,
  source VARCHAR,
  ts TIMESTAMP_NS NOT NULL,
  PRIMARY KEY (ts, signal_id, leg)
);
`;

/**
 * Splits a `;`-separated SQL script into statements, dropping `--` comment lines and blank statements.
 * Only for this repo's schema files (no `;` or `--` inside string literals).
 */
export function splitSqlStatements(script: string): string[] {
  return script
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
