-- QuestDB tick store schema (issue #4). Idempotent: safe to run on every start.
-- Money is exact: prices are LONG ticks (1/10000 $), sizes/counts are LONG centis (1/100 contract).
-- Every table is WAL + DEDUP UPSERT KEYS(ts, <natural key>) so a replay/resend never duplicates rows.
-- Written by QuestDbTickWriter (libs/storage/src/ticks) over ILP/HTTP; timestamps are sent in ns.

-- One row per price level of each order book snapshot (seq = the snapshot's); with the later deltas of the same
-- sid it rebuilds the book. A snapshot has no exchange time: it is stored with the next one the feed sees.
CREATE TABLE IF NOT EXISTS kalshi_orderbook_snapshots (
  market_ticker SYMBOL CAPACITY 16384 CACHE,
  side SYMBOL CAPACITY 4 CACHE,
  price_ticks LONG,
  size_centis LONG,
  seq LONG,
  sid LONG,
  ts TIMESTAMP
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, market_ticker, sid, seq, side, price_ticks);

CREATE TABLE IF NOT EXISTS kalshi_orderbook_deltas (
  market_ticker SYMBOL CAPACITY 16384 CACHE,
  side SYMBOL CAPACITY 4 CACHE,
  price_ticks LONG,
  delta_centis LONG,
  seq LONG,
  sid LONG,
  ts TIMESTAMP
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, market_ticker, sid, seq);

-- trade_id is a UUID (fixed-size, so it can be a dedup key; sent as an ILP string and cast by the server).
CREATE TABLE IF NOT EXISTS kalshi_trades (
  market_ticker SYMBOL CAPACITY 16384 CACHE,
  taker_side SYMBOL CAPACITY 4 CACHE,
  trade_id UUID,
  yes_price_ticks LONG,
  count_centis LONG,
  ts TIMESTAMP
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, trade_id);

-- NULL price/size = empty side of the book.
CREATE TABLE IF NOT EXISTS kalshi_bbo (
  market_ticker SYMBOL CAPACITY 16384 CACHE,
  yes_bid_ticks LONG,
  yes_bid_size_centis LONG,
  yes_ask_ticks LONG,
  yes_ask_size_centis LONG,
  ts TIMESTAMP
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, market_ticker);

CREATE TABLE IF NOT EXISTS kalshi_ticker (
  market_ticker SYMBOL CAPACITY 16384 CACHE,
  yes_bid_ticks LONG,
  yes_ask_ticks LONG,
  last_price_ticks LONG,
  volume_centis LONG,
  open_interest_centis LONG,
  ts TIMESTAMP
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, market_ticker);

-- Market reference data over time (status changes, close time moves).
CREATE TABLE IF NOT EXISTS kalshi_markets (
  market_ticker SYMBOL CAPACITY 16384 CACHE,
  event_ticker SYMBOL CAPACITY 16384 CACHE,
  series_ticker SYMBOL CAPACITY 4096 CACHE,
  status SYMBOL CAPACITY 16 CACHE,
  title VARCHAR,
  close_ts TIMESTAMP,
  ts TIMESTAMP
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, market_ticker);

-- Sportsbook prices (The Odds API, American odds as integers); ts = the book's last_update.
CREATE TABLE IF NOT EXISTS sportsbook_odds (
  event_id SYMBOL CAPACITY 16384 CACHE,
  sport_key SYMBOL CAPACITY 256 CACHE,
  bookmaker SYMBOL CAPACITY 128 CACHE,
  market SYMBOL CAPACITY 16 CACHE,
  outcome SYMBOL CAPACITY 16384 CACHE,
  price_american LONG,
  commence_ts TIMESTAMP,
  ts TIMESTAMP
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, event_id, bookmaker, market, outcome);

-- One change (opened / updated / closed) of a detected arbitrage episode; legs: JSON [{market_ticker, side,
-- action, price_ticks}] at the asks seen; edges per contract in ticks, gross and net of taker fees.
CREATE TABLE IF NOT EXISTS arb_opportunities (
  kind SYMBOL CAPACITY 64 CACHE,
  episode_key SYMBOL CAPACITY 65536 CACHE,
  event_ticker SYMBOL CAPACITY 16384 CACHE,
  change SYMBOL CAPACITY 4 CACHE,
  legs VARCHAR,
  max_gross_edge_ticks LONG,
  max_net_edge_ticks LONG,
  opened_ts TIMESTAMP,
  ts TIMESTAMP
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, episode_key, change);

-- One row per leg of each trading signal detection publishes (bus SignalV1 on signal.v1.trade.<kind>); ts = the
-- signal's createdTsMs, expires_ts its expiresTsMs. price_ticks / size_centis are exact (LONG); fair_ticks (NULL for
-- arbitrage), the edges (per contract, ticks) and confidence are DOUBLE: real-valued model outputs, not money.
-- reasons: JSON array of strings; source: JSON provenance object (NULL when none). signal_id is a SYMBOL (a
-- fixed-size key for DEDUP, like episode_key), NOCACHE because nearly every value is new.
CREATE TABLE IF NOT EXISTS trade_signals (
  signal_id SYMBOL CAPACITY 65536 NOCACHE,
  kind SYMBOL CAPACITY 64 CACHE,
  leg LONG,
  market_ticker SYMBOL CAPACITY 16384 CACHE,
  event_ticker SYMBOL CAPACITY 16384 CACHE,
  side SYMBOL CAPACITY 4 CACHE,
  action SYMBOL CAPACITY 4 CACHE,
  price_ticks LONG,
  size_centis LONG,
  fair_ticks DOUBLE,
  gross_edge_ticks DOUBLE,
  net_edge_ticks DOUBLE,
  confidence DOUBLE,
  expires_ts TIMESTAMP,
  reasons VARCHAR,
  source VARCHAR,
  ts TIMESTAMP
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, signal_id, leg);
