import type { Sender, SenderBuffer } from '@questdb/nodejs-client';
import type { TickRow, TickTimestamp } from './tick-rows';

/** Returns an error message if the row cannot be stored exactly, otherwise `null`. Pure, cheap. */
export function validateTickRow(row: TickRow): string | null {
  const longs: Array<[string, number | null]> = [];
  const symbols: Array<[string, string]> = [];
  switch (row.table) {
    case 'kalshi_orderbook_snapshots':
      symbols.push(['market_ticker', row.marketTicker], ['side', row.side]);
      longs.push(['price_ticks', row.priceTicks], ['size_centis', row.sizeCentis], ['seq', row.seq], ['sid', row.sid]);
      break;
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
      symbols.push(['kind', row.kind], ['episode_key', row.episodeKey], ['event_ticker', row.eventTicker], ['change', row.change]);
      if (typeof row.legs !== 'string') return 'arb_opportunities.legs must be a string';
      longs.push(['max_gross_edge_ticks', row.maxGrossEdgeTicks], ['max_net_edge_ticks', row.maxNetEdgeTicks]);
      if (!Number.isSafeInteger(row.openedTs) || row.openedTs < 0) return `arb_opportunities.opened_ts must be epoch ms (got ${String(row.openedTs)})`;
      break;
    case 'trade_signals': {
      symbols.push(['signal_id', row.signalId], ['kind', row.kind], ['market_ticker', row.marketTicker], ['event_ticker', row.eventTicker], ['side', row.side], ['action', row.action]);
      if (!Number.isSafeInteger(row.leg) || row.leg < 0) return `trade_signals.leg must be an integer >= 0 (got ${String(row.leg)})`;
      longs.push(['price_ticks', row.priceTicks], ['size_centis', row.sizeCentis]);
      const doubles: Array<[string, number | null]> = [['fair_ticks', row.fairTicks], ['gross_edge_ticks', row.grossEdgeTicks], ['net_edge_ticks', row.netEdgeTicks], ['confidence', row.confidence]];
      for (const [name, v] of doubles) {
        if (v === null && name === 'fair_ticks') continue;
        if (typeof v !== 'number' || !Number.isFinite(v)) return `trade_signals.${name} must be a finite number (got ${String(v)})`;
      }
      if (!Number.isSafeInteger(row.expiresTs) || row.expiresTs < 0) return `trade_signals.expires_ts must be epoch ms (got ${String(row.expiresTs)})`;
      if (typeof row.reasons !== 'string') return 'trade_signals.reasons must be a string';
      if (row.source !== null && typeof row.source !== 'string') return 'trade_signals.source must be a string or null';
      break;
    }
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

/** The row-building methods common to the official `Sender` and `SenderBuffer` (both chain). */
interface IlpRowBuilder {
  table(table: string): IlpRowBuilder;
  symbol(name: string, value: unknown): IlpRowBuilder;
  stringColumn(name: string, value: string): IlpRowBuilder;
  intColumn(name: string, value: number): IlpRowBuilder;
  floatColumn(name: string, value: number): IlpRowBuilder;
  timestampColumn(name: string, value: number | bigint, unit?: 'ns' | 'us' | 'ms'): IlpRowBuilder;
}

function optLong(b: IlpRowBuilder, name: string, v: number | null | undefined): void {
  if (v !== null && v !== undefined) b.intColumn(name, v);
}

/** Table, symbols (first, as ILP requires) and columns of one row, with the official client; the caller closes it with `at`. */
function buildTickRow(b: IlpRowBuilder, row: TickRow): void {
  switch (row.table) {
    case 'kalshi_orderbook_snapshots':
      b.table(row.table)
        .symbol('market_ticker', row.marketTicker)
        .symbol('side', row.side)
        .intColumn('price_ticks', row.priceTicks)
        .intColumn('size_centis', row.sizeCentis)
        .intColumn('seq', row.seq)
        .intColumn('sid', row.sid);
      break;
    case 'kalshi_orderbook_deltas':
      b.table(row.table)
        .symbol('market_ticker', row.marketTicker)
        .symbol('side', row.side)
        .intColumn('price_ticks', row.priceTicks)
        .intColumn('delta_centis', row.deltaCentis)
        .intColumn('seq', row.seq)
        .intColumn('sid', row.sid);
      break;
    case 'kalshi_trades':
      b.table(row.table)
        .symbol('market_ticker', row.marketTicker)
        .symbol('taker_side', row.takerSide)
        .stringColumn('trade_id', row.tradeId)
        .intColumn('yes_price_ticks', row.yesPriceTicks)
        .intColumn('count_centis', row.countCentis);
      break;
    case 'kalshi_bbo':
      b.table(row.table).symbol('market_ticker', row.marketTicker);
      optLong(b, 'yes_bid_ticks', row.yesBidTicks);
      optLong(b, 'yes_bid_size_centis', row.yesBidSizeCentis);
      optLong(b, 'yes_ask_ticks', row.yesAskTicks);
      optLong(b, 'yes_ask_size_centis', row.yesAskSizeCentis);
      break;
    case 'kalshi_ticker':
      b.table(row.table).symbol('market_ticker', row.marketTicker);
      optLong(b, 'yes_bid_ticks', row.yesBidTicks);
      optLong(b, 'yes_ask_ticks', row.yesAskTicks);
      optLong(b, 'last_price_ticks', row.lastPriceTicks);
      optLong(b, 'volume_centis', row.volumeCentis);
      optLong(b, 'open_interest_centis', row.openInterestCentis);
      break;
    case 'kalshi_markets':
      b.table(row.table).symbol('market_ticker', row.marketTicker).symbol('event_ticker', row.eventTicker);
      if (row.seriesTicker !== null) b.symbol('series_ticker', row.seriesTicker);
      b.symbol('status', row.status).stringColumn('title', row.title);
      if (row.closeTs !== null) b.timestampColumn('close_ts', row.closeTs, 'ms');
      break;
    case 'sportsbook_odds':
      b.table(row.table)
        .symbol('event_id', row.eventId)
        .symbol('sport_key', row.sportKey)
        .symbol('bookmaker', row.bookmaker)
        .symbol('market', row.market)
        .symbol('outcome', row.outcome)
        .intColumn('price_american', row.priceAmerican)
        .timestampColumn('commence_ts', row.commenceTs, 'ms');
      break;
    case 'arb_opportunities':
      b.table(row.table)
        .symbol('kind', row.kind)
        .symbol('episode_key', row.episodeKey)
        .symbol('event_ticker', row.eventTicker)
        .symbol('change', row.change)
        .stringColumn('legs', row.legs)
        .intColumn('max_gross_edge_ticks', row.maxGrossEdgeTicks)
        .intColumn('max_net_edge_ticks', row.maxNetEdgeTicks)
        .timestampColumn('opened_ts', row.openedTs, 'ms');
      break;
    case 'trade_signals':
      b.table(row.table)
        .symbol('signal_id', row.signalId)
        .symbol('kind', row.kind)
        .symbol('market_ticker', row.marketTicker)
        .symbol('event_ticker', row.eventTicker)
        .symbol('side', row.side)
        .symbol('action', row.action)
        .intColumn('leg', row.leg)
        .intColumn('price_ticks', row.priceTicks)
        .intColumn('size_centis', row.sizeCentis);
      if (row.fairTicks !== null) b.floatColumn('fair_ticks', row.fairTicks);
      b.floatColumn('gross_edge_ticks', row.grossEdgeTicks)
        .floatColumn('net_edge_ticks', row.netEdgeTicks)
        .floatColumn('confidence', row.confidence)
        .timestampColumn('expires_ts', row.expiresTs, 'ms')
        .stringColumn('reasons', row.reasons);
      if (row.source !== null) b.stringColumn('source', row.source);
      break;
  }
}

/**
 * Serialises one row with the official client's `Sender` (symbols first, as ILP requires). Each `await sender.at()`
 * costs a promise and a microtask; the writer no longer uses it on its hot path (see `tickRowIlp`), it is the
 * reference the encoder is tested and benchmarked against.
 */
export async function appendTickRow(sender: Sender, row: TickRow): Promise<void> {
  buildTickRow(sender, row);
  if (typeof row.ts === 'bigint') await sender.at(row.ts, 'ns');
  else await sender.at(row.ts, 'ms');
}

/**
 * Same serialisation as `appendTickRow`, synchronously into an official `SenderBuffer`
 * (`createBuffer({ protocol: 'http', protocol_version: '1' })`): no per-row promise.
 */
export function appendTickRowToBuffer(buffer: SenderBuffer, row: TickRow): void {
  buildTickRow(buffer, row);
  if (typeof row.ts === 'bigint') buffer.at(row.ts, 'ns');
  else buffer.at(row.ts, 'ms');
}

// ---------------------------------------------------------------------------------------------------------------
// Our encoder: the same bytes as the official client (protocol v1, text), for our fixed table shapes.
//
// Escaping, as the official client 4.2.0 does it (SenderBufferBase.writeEscaped) and as the ILP reference states
// (https://questdb.com/docs/reference/api/ilp/advanced-settings/):
// - symbol values (unquoted): ` `, `,`, `=`, `\n`, `\r` and `\` are prefixed with `\`; `"` is kept as is;
// - string values (inside `"..."`): `"`, `\n`, `\r` and `\` are prefixed with `\`; ` `, `,`, `=` are kept;
// - table and column names are our constants (no character needing escaping, checked by the equality test).
// LONG columns: decimal + `i`. DOUBLE columns: `Number.prototype.toString`, no suffix. Designated timestamp: epoch
// ns (ms * 10^6, bigint ns as-is). Other timestamp columns (close_ts, commence_ts, opened_ts, expires_ts): epoch
// µs + `t`. UTF-8. Values the official client refuses (non-integer LONG or timestamp, non-string string column,
// non-number DOUBLE) throw here too, with the same message.
// ---------------------------------------------------------------------------------------------------------------

const SYMBOL_SPECIAL = /[ ,=\n\r\\]/;
const SYMBOL_SPECIAL_G = /[ ,=\n\r\\]/g;
const STRING_SPECIAL = /["\n\r\\]/;
const STRING_SPECIAL_G = /["\n\r\\]/g;

/** An unquoted (symbol) value, escaped. */
function sym(value: unknown): string {
  const v = typeof value === 'string' ? value : (value as { toString(): string }).toString();
  return SYMBOL_SPECIAL.test(v) ? v.replace(SYMBOL_SPECIAL_G, '\\$&') : v;
}

/** A string column's value, escaped (without the quotes). */
function str(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`Column value must be of type string, received ${typeof value}`);
  return STRING_SPECIAL.test(value) ? value.replace(STRING_SPECIAL_G, '\\$&') : value;
}

/** A LONG column's digits (without the `i`). */
function long(v: number): string {
  if (!Number.isInteger(v)) throw new Error(`Value must be an integer, received ${v}`);
  return '' + v;
}

/**
 * A DOUBLE column's text (no suffix): JavaScript's shortest round-trip decimal (`Number.prototype.toString`), as the
 * official client's protocol v1 writes it; a non-number throws the client's message.
 */
function dbl(v: unknown): string {
  if (typeof v !== 'number') throw new Error(`Column value must be of type number, received ${typeof v}`);
  return '' + v;
}

/** Epoch ms (integer) -> decimal epoch ns, exactly, without a bigint for safe integers. */
function msToNs(ms: number): string {
  if (!Number.isInteger(ms)) throw new Error(`Designated timestamp must be an integer or BigInt, received ${ms}`);
  if (ms === 0) return '0';
  return Number.isSafeInteger(ms) ? ms + '000000' : (BigInt(ms) * 1_000_000n).toString();
}

/** Epoch ms (integer) -> decimal epoch µs + `t` (a non-designated timestamp column). */
function msToMicrosT(ms: number): string {
  if (!Number.isInteger(ms)) throw new Error(`Timestamp value must be an integer or BigInt, received ${ms}`);
  if (ms === 0) return '0t';
  return Number.isSafeInteger(ms) ? ms + '000t' : (BigInt(ms) * 1_000n).toString() + 't';
}

function designatedTs(ts: TickTimestamp): string {
  return typeof ts === 'bigint' ? ts.toString() : msToNs(ts);
}

/** `,name=<long>i` / ` name=<long>i` for a nullable LONG (NULL = column omitted). */
function optLongIlp(out: { s: string; sep: string }, name: string, v: number | null | undefined): void {
  if (v === null || v === undefined) return;
  out.s += out.sep + name + '=' + long(v) + 'i';
  out.sep = ',';
}

/**
 * The ILP line of one row, `\n` included: byte for byte what `appendTickRow` makes the official Sender write
 * (protocol v1), without its per-row promise and per-character buffer writes.
 */
export function tickRowIlp(row: TickRow): string {
  switch (row.table) {
    case 'kalshi_orderbook_snapshots':
      return (
        'kalshi_orderbook_snapshots,market_ticker=' + sym(row.marketTicker) + ',side=' + sym(row.side) +
        ' price_ticks=' + long(row.priceTicks) + 'i,size_centis=' + long(row.sizeCentis) +
        'i,seq=' + long(row.seq) + 'i,sid=' + long(row.sid) + 'i ' + designatedTs(row.ts) + '\n'
      );
    case 'kalshi_orderbook_deltas':
      return (
        'kalshi_orderbook_deltas,market_ticker=' + sym(row.marketTicker) + ',side=' + sym(row.side) +
        ' price_ticks=' + long(row.priceTicks) + 'i,delta_centis=' + long(row.deltaCentis) +
        'i,seq=' + long(row.seq) + 'i,sid=' + long(row.sid) + 'i ' + designatedTs(row.ts) + '\n'
      );
    case 'kalshi_trades':
      return (
        'kalshi_trades,market_ticker=' + sym(row.marketTicker) + ',taker_side=' + sym(row.takerSide) +
        ' trade_id="' + str(row.tradeId) + '",yes_price_ticks=' + long(row.yesPriceTicks) +
        'i,count_centis=' + long(row.countCentis) + 'i ' + designatedTs(row.ts) + '\n'
      );
    case 'kalshi_bbo': {
      const out = { s: 'kalshi_bbo,market_ticker=' + sym(row.marketTicker), sep: ' ' };
      optLongIlp(out, 'yes_bid_ticks', row.yesBidTicks);
      optLongIlp(out, 'yes_bid_size_centis', row.yesBidSizeCentis);
      optLongIlp(out, 'yes_ask_ticks', row.yesAskTicks);
      optLongIlp(out, 'yes_ask_size_centis', row.yesAskSizeCentis);
      return out.s + ' ' + designatedTs(row.ts) + '\n';
    }
    case 'kalshi_ticker': {
      const out = { s: 'kalshi_ticker,market_ticker=' + sym(row.marketTicker), sep: ' ' };
      optLongIlp(out, 'yes_bid_ticks', row.yesBidTicks);
      optLongIlp(out, 'yes_ask_ticks', row.yesAskTicks);
      optLongIlp(out, 'last_price_ticks', row.lastPriceTicks);
      optLongIlp(out, 'volume_centis', row.volumeCentis);
      optLongIlp(out, 'open_interest_centis', row.openInterestCentis);
      return out.s + ' ' + designatedTs(row.ts) + '\n';
    }
    case 'kalshi_markets':
      return (
        'kalshi_markets,market_ticker=' + sym(row.marketTicker) + ',event_ticker=' + sym(row.eventTicker) +
        (row.seriesTicker !== null ? ',series_ticker=' + sym(row.seriesTicker) : '') +
        ',status=' + sym(row.status) + ' title="' + str(row.title) + '"' +
        (row.closeTs !== null ? ',close_ts=' + msToMicrosT(row.closeTs) : '') +
        ' ' + designatedTs(row.ts) + '\n'
      );
    case 'sportsbook_odds':
      return (
        'sportsbook_odds,event_id=' + sym(row.eventId) + ',sport_key=' + sym(row.sportKey) + ',bookmaker=' + sym(row.bookmaker) +
        ',market=' + sym(row.market) + ',outcome=' + sym(row.outcome) + ' price_american=' + long(row.priceAmerican) +
        'i,commence_ts=' + msToMicrosT(row.commenceTs) + ' ' + designatedTs(row.ts) + '\n'
      );
    case 'arb_opportunities':
      return (
        'arb_opportunities,kind=' + sym(row.kind) + ',episode_key=' + sym(row.episodeKey) +
        ',event_ticker=' + sym(row.eventTicker) + ',change=' + sym(row.change) +
        ' legs="' + str(row.legs) + '",max_gross_edge_ticks=' + long(row.maxGrossEdgeTicks) +
        'i,max_net_edge_ticks=' + long(row.maxNetEdgeTicks) + 'i,opened_ts=' + msToMicrosT(row.openedTs) +
        ' ' + designatedTs(row.ts) + '\n'
      );
    case 'trade_signals':
      return (
        'trade_signals,signal_id=' + sym(row.signalId) + ',kind=' + sym(row.kind) + ',market_ticker=' + sym(row.marketTicker) +
        ',event_ticker=' + sym(row.eventTicker) + ',side=' + sym(row.side) + ',action=' + sym(row.action) +
        ' leg=' + long(row.leg) + 'i,price_ticks=' + long(row.priceTicks) + 'i,size_centis=' + long(row.sizeCentis) + 'i' +
        (row.fairTicks !== null ? ',fair_ticks=' + dbl(row.fairTicks) : '') +
        ',gross_edge_ticks=' + dbl(row.grossEdgeTicks) + ',net_edge_ticks=' + dbl(row.netEdgeTicks) + ',confidence=' + dbl(row.confidence) +
        ',expires_ts=' + msToMicrosT(row.expiresTs) + ',reasons="' + str(row.reasons) + '"' +
        (row.source !== null ? ',source="' + str(row.source) + '"' : '') +
        ' ' + designatedTs(row.ts) + '\n'
      );
    default:
      throw new Error(`unknown table ${(row as { table?: unknown }).table as string}`);
  }
}

/** Thrown by `encodeTickRows`: `index` is the position (in the given array) of the row that cannot be encoded. */
export class IlpEncodeError extends Error {
  constructor(
    readonly index: number,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'IlpEncodeError';
  }
}

/** Scratch space of `encodeTickRows` (grows by doubling, never shrinks); every call returns its own copy. */
let scratch = Buffer.allocUnsafe(256 * 1024);

/** Rows concatenated before one `Buffer.write`: short flat strings encode much faster than one long rope. */
const CHUNK_ROWS = 32;

/**
 * The ILP/HTTP request body (UTF-8) of `rows[from..to)`: what the official Sender would flush for the same rows.
 * Throws `IlpEncodeError` (with the row's index) when a row cannot be encoded.
 */
export function encodeTickRows(rows: readonly TickRow[], from = 0, to = rows.length): Buffer {
  let pos = 0;
  let s = '';
  let i = from;
  try {
    for (; i < to; i++) {
      s += tickRowIlp(rows[i]);
      if ((i - from) % CHUNK_ROWS === CHUNK_ROWS - 1) {
        pos = put(s, pos);
        s = '';
      }
    }
  } catch (err) {
    throw new IlpEncodeError(i, err);
  }
  pos = put(s, pos);
  const out = Buffer.allocUnsafe(pos);
  scratch.copy(out, 0, 0, pos);
  return out;
}

/** UTF-8 of `s` into `scratch` at `pos` (growing it first if it might not fit); returns the new position. */
function put(s: string, pos: number): number {
  const worst = pos + 3 * s.length; // a UTF-16 code unit is at most 3 UTF-8 bytes
  if (worst > scratch.length) {
    let size = scratch.length * 2;
    while (size < worst) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    scratch.copy(bigger, 0, 0, pos);
    scratch = bigger;
  }
  return pos + scratch.write(s, pos, 'utf8');
}
