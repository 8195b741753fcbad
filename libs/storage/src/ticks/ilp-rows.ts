import type { Sender } from '@questdb/nodejs-client';
import type { TickRow, TickTimestamp } from './tick-rows';

/** Returns an error message if the row cannot be stored exactly, otherwise `null`. Pure, cheap. */
export function validateTickRow(row: TickRow): string | null {
  const longs: Array<[string, number | null]> = [];
  const symbols: Array<[string, string]> = [];
  switch (row.table) {
    case 'kalshi_orderbook_deltas':
      symbols.push(['market_ticker', row.marketTicker], ['side', row.side]);
      longs.push(['price_ticks', row.priceTicks], ['delta_centis', row.deltaCentis], ['seq', row.seq], ['sid', row.sid]);
      break;
    case 'kalshi_trades':
      symbols.push(['trade_id', row.tradeId], ['market_ticker', row.marketTicker], ['taker_side', row.takerSide]);
      longs.push(['yes_price_ticks', row.yesPriceTicks], ['count_centis', row.countCentis]);
      break;
    case 'kalshi_bbo':
      symbols.push(['market_ticker', row.marketTicker]);
      longs.push(
        ['yes_bid_ticks', row.yesBidTicks],
        ['yes_bid_size_centis', row.yesBidSizeCentis],
        ['yes_ask_ticks', row.yesAskTicks],
        ['yes_ask_size_centis', row.yesAskSizeCentis],
      );
      break;
    case 'kalshi_ticker':
      symbols.push(['market_ticker', row.marketTicker]);
      longs.push(
        ['yes_bid_ticks', row.yesBidTicks],
        ['yes_ask_ticks', row.yesAskTicks],
        ['last_price_ticks', row.lastPriceTicks],
        ['volume_centis', row.volumeCentis],
        ['open_interest_centis', row.openInterestCentis],
      );
      break;
    case 'kalshi_markets':
      symbols.push(['market_ticker', row.marketTicker], ['event_ticker', row.eventTicker], ['status', row.status]);
      if (row.seriesTicker !== null) symbols.push(['series_ticker', row.seriesTicker]);
      if (typeof row.title !== 'string') return 'kalshi_markets.title must be a string';
      longs.push(['close_ts', row.closeTs]);
      break;
    case 'sportsbook_odds':
      symbols.push(['event_id', row.eventId], ['sport_key', row.sportKey], ['bookmaker', row.bookmaker], ['market', row.market], ['outcome', row.outcome]);
      if (!Number.isSafeInteger(row.priceAmerican) || Math.abs(row.priceAmerican) < 100) {
        return `sportsbook_odds.price_american must be an integer with |price| >= 100 (got ${String(row.priceAmerican)})`;
      }
      longs.push(['commence_ts', row.commenceTs]);
      if (!Number.isSafeInteger(row.commenceTs) || row.commenceTs < 0) return `sportsbook_odds.commence_ts must be epoch ms (got ${String(row.commenceTs)})`;
      break;
    case 'arb_opportunities':
      symbols.push(['kind', row.kind], ['event_ticker', row.eventTicker]);
      longs.push(['edge_ticks', row.edgeTicks]);
      if (!Array.isArray(row.marketTickers)) return 'market_tickers must be an array';
      break;
    default:
      return `unknown table ${(row as { table?: unknown }).table as string}`;
  }
  for (const [name, v] of symbols) {
    if (typeof v !== 'string' || v.length === 0) return `${row.table}.${name} must be a non-empty string`;
  }
  for (const [name, v] of longs) {
    if (v !== null && v !== undefined && !Number.isSafeInteger(v)) {
      return `${row.table}.${name} must be a safe integer (got ${String(v)})`;
    }
  }
  return validateTs(row.ts);
}

function validateTs(ts: TickTimestamp): string | null {
  if (typeof ts === 'bigint') return ts >= 0n ? null : 'ts must be >= 0';
  return Number.isSafeInteger(ts) && ts >= 0 ? null : `ts must be epoch ms (safe integer) or bigint ns (got ${String(ts)})`;
}

function optLong(sender: Sender, name: string, v: number | null | undefined): void {
  if (v !== null && v !== undefined) sender.intColumn(name, v);
}

/** Serialises one row into the Sender's buffer (symbols first, as ILP requires). */
export async function appendTickRow(sender: Sender, row: TickRow): Promise<void> {
  switch (row.table) {
    case 'kalshi_orderbook_deltas':
      sender
        .table(row.table)
        .symbol('market_ticker', row.marketTicker)
        .symbol('side', row.side)
        .intColumn('price_ticks', row.priceTicks)
        .intColumn('delta_centis', row.deltaCentis)
        .intColumn('seq', row.seq)
        .intColumn('sid', row.sid);
      break;
    case 'kalshi_trades':
      sender
        .table(row.table)
        .symbol('market_ticker', row.marketTicker)
        .symbol('taker_side', row.takerSide)
        .stringColumn('trade_id', row.tradeId)
        .intColumn('yes_price_ticks', row.yesPriceTicks)
        .intColumn('count_centis', row.countCentis);
      break;
    case 'kalshi_bbo':
      sender.table(row.table).symbol('market_ticker', row.marketTicker);
      optLong(sender, 'yes_bid_ticks', row.yesBidTicks);
      optLong(sender, 'yes_bid_size_centis', row.yesBidSizeCentis);
      optLong(sender, 'yes_ask_ticks', row.yesAskTicks);
      optLong(sender, 'yes_ask_size_centis', row.yesAskSizeCentis);
      break;
    case 'kalshi_ticker':
      sender.table(row.table).symbol('market_ticker', row.marketTicker);
      optLong(sender, 'yes_bid_ticks', row.yesBidTicks);
      optLong(sender, 'yes_ask_ticks', row.yesAskTicks);
      optLong(sender, 'last_price_ticks', row.lastPriceTicks);
      optLong(sender, 'volume_centis', row.volumeCentis);
      optLong(sender, 'open_interest_centis', row.openInterestCentis);
      break;
    case 'kalshi_markets':
      sender.table(row.table).symbol('market_ticker', row.marketTicker).symbol('event_ticker', row.eventTicker);
      if (row.seriesTicker !== null) sender.symbol('series_ticker', row.seriesTicker);
      sender.symbol('status', row.status).stringColumn('title', row.title);
      if (row.closeTs !== null) sender.timestampColumn('close_ts', row.closeTs, 'ms');
      break;
    case 'sportsbook_odds':
      sender
        .table(row.table)
        .symbol('event_id', row.eventId)
        .symbol('sport_key', row.sportKey)
        .symbol('bookmaker', row.bookmaker)
        .symbol('market', row.market)
        .symbol('outcome', row.outcome)
        .intColumn('price_american', row.priceAmerican)
        .timestampColumn('commence_ts', row.commenceTs, 'ms');
      break;
    case 'arb_opportunities':
      sender
        .table(row.table)
        .symbol('kind', row.kind)
        .symbol('event_ticker', row.eventTicker)
        .stringColumn('market_tickers', row.marketTickers.join(','))
        .intColumn('edge_ticks', row.edgeTicks);
      break;
  }
  if (typeof row.ts === 'bigint') await sender.at(row.ts, 'ns');
  else await sender.at(row.ts, 'ms');
}
