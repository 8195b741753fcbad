/**
 * Decoder of The Odds API v4 odds responses (`GET /v4/sports/{sport}/odds`, `/v4/sports/upcoming/odds`).
 *
 * Shape (The Odds API v4 docs, https://the-odds-api.com/liveapi/guides/v4/, "GET odds"): a JSON array of events
 *   `{id, sport_key, sport_title, commence_time, home_team, away_team,
 *     bookmakers: [{key, title, last_update, markets: [{key, last_update, outcomes: [{name, price, point?}]}]}]}`
 * - `price` is an American integer (`oddsFormat=american`, e.g. -110, +150) or a decimal number (`oddsFormat=decimal`,
 *   the API's default, e.g. 1.91);
 * - `point` is the handicap/total line of `spreads`/`totals` markets; `description` (player props) is kept when sent;
 * - timestamps are ISO 8601 UTC (`dateFormat=iso`, e.g. `2024-03-27T01:34:27Z`) or Unix seconds (`dateFormat=unix`);
 * - `home_team`/`away_team` may be absent or null (outright/futures markets have no teams);
 * - the market-level `last_update` is newer in the API than the bookmaker-level one and may be missing from older
 *   captures: a market without it gets its bookmaker's.
 * Unknown keys are ignored (e.g. `link`, `sid` with `includeLinks`/`includeSids`).
 *
 * Pure function, never throws: returns `{ ok: true, value }` or `{ ok: false, error }` where `error` is an
 * {@link OddsDecodeError} whose `path` and message name the offending field from the root array
 * (`[3].bookmakers[1].markets[0].outcomes[0].price: expected an integer American price (|price| >= 100), got "abc"`).
 * Same contract as the Kalshi decoders (`@kalshi-platform/kalshi` decode: result, never throw, dotted paths).
 */
import { OddsDecodeError } from './errors';
import { describeValue } from '@kalshi-platform/market';
import { americanToImplied, decimalToImplied } from './formats';
import type { BookQuote } from './consensus';

/** Price format of an Odds API response (`oddsFormat` query parameter). */
export type OddsApiPriceFormat = 'american' | 'decimal';

/** One outcome of a bookmaker's market. */
export interface OddsApiOutcome {
  /** Team name, `Draw`, `Over`/`Under`, or a player (props). */
  name: string;
  /** The price as sent, in the response's format (American integer or decimal). */
  price: number;
  /** Implied probability of `price` (1/decimal), in (0,1). */
  impliedProbability: number;
  /** Handicap/total line (`spreads`, `totals`), when sent. */
  point?: number;
  /** Extra label (player props), when sent. */
  description?: string;
}

/** One market (`h2h`, `spreads`, `totals`, …) of a bookmaker. */
export interface OddsApiMarket {
  key: string;
  /** Market `last_update` as Unix epoch ms (the bookmaker's `last_update` when the market has none). */
  lastUpdateMs: number;
  outcomes: OddsApiOutcome[];
}

/** One bookmaker's markets for an event. */
export interface OddsApiBookmaker {
  /** e.g. `draftkings`. */
  key: string;
  /** e.g. `DraftKings`. */
  title: string;
  /** Bookmaker `last_update` as Unix epoch ms. */
  lastUpdateMs: number;
  markets: OddsApiMarket[];
}

/** One event (game) with its bookmakers. */
export interface OddsApiEvent {
  id: string;
  sportKey: string;
  sportTitle: string;
  /** `commence_time` as Unix epoch ms (for in-play games: the actual start time the API reports). */
  commenceTsMs: number;
  homeTeam?: string;
  awayTeam?: string;
  bookmakers: OddsApiBookmaker[];
}

/** A decoded response: the price format used and the events. */
export interface OddsApiResponse {
  format: OddsApiPriceFormat;
  events: OddsApiEvent[];
}

/** Result of {@link decodeOddsResponse}: never throws. */
export type OddsDecodeResult = { ok: true; value: OddsApiResponse } | { ok: false; error: OddsDecodeError };

/** Options of {@link decodeOddsResponse}. */
export interface DecodeOddsOptions {
  /**
   * Price format of the response. `auto` (default): American when some numeric price is negative (decimal prices
   * never are) or every numeric price is an integer ≥ 100; decimal otherwise. So one corrupt price in an American
   * response is reported against the American rule at its own path. Pass the `oddsFormat` you requested to get a
   * strict check. A response without prices decodes as `american` under `auto`.
   */
  format?: OddsApiPriceFormat | 'auto';
}

type Rec = Record<string, unknown>;

function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
}

function fail(path: string, expected: string, value: unknown): never {
  const p = path === '' ? '(root)' : path;
  throw new OddsDecodeError(p, `${p}: expected ${expected}, got ${describeValue(value)}`);
}

function reqObj(v: unknown, path: string): Rec {
  if (!isRec(v)) fail(path, 'an object', v);
  return v;
}

function reqArr(o: Rec, key: string, path: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) fail(join(path, key), 'an array', v);
  return v;
}

function reqStr(o: Rec, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') fail(join(path, key), 'a non-empty string', v);
  return v;
}

function optStr(o: Rec, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(join(path, key), 'a string', v);
  return v;
}

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/**
 * Parses an Odds API timestamp to Unix epoch ms: ISO 8601 UTC `YYYY-MM-DDTHH:MM:SS[.fff]Z` (`dateFormat=iso`, the
 * default) with a real calendar date (no Feb 30), or a non-negative integer of Unix seconds (`dateFormat=unix`).
 * Returns NaN for anything else.
 */
export function parseOddsApiTime(v: unknown): number {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 && Number.isSafeInteger(v * 1000) ? v * 1000 : NaN;
  if (typeof v !== 'string') return NaN;
  const m = ISO_UTC.exec(v);
  if (m === null) return NaN;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h || back.getUTCMinutes() !== mi || back.getUTCSeconds() !== s) return NaN;
  return t;
}

function reqTime(o: Rec, key: string, path: string): number {
  const t = parseOddsApiTime(o[key]);
  if (Number.isNaN(t)) fail(join(path, key), 'an ISO 8601 UTC timestamp like "2024-03-27T01:34:27Z" (or Unix seconds)', o[key]);
  return t;
}

function readPrice(v: unknown, path: string, format: OddsApiPriceFormat): [number, number] {
  if (format === 'american') {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || Math.abs(v) < 100) fail(path, 'an integer American price (|price| >= 100)', v);
    return [v, americanToImplied(v)];
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 1)) fail(path, 'a decimal price (a finite number > 1)', v);
  return [v, decimalToImplied(v)];
}

/** Loose walk over every `…outcomes[].price` that is a number (shape errors are left to the strict pass). */
function detectFormat(json: unknown): OddsApiPriceFormat {
  let negative = false;
  let allIntegers100 = true;
  const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
  for (const e of arr(json)) {
    if (!isRec(e)) continue;
    for (const b of arr(e.bookmakers)) {
      if (!isRec(b)) continue;
      for (const m of arr(b.markets)) {
        if (!isRec(m)) continue;
        for (const oc of arr(m.outcomes)) {
          if (!isRec(oc) || typeof oc.price !== 'number' || !Number.isFinite(oc.price)) continue;
          if (oc.price < 0) negative = true;
          if (!(Number.isInteger(oc.price) && oc.price >= 100)) allIntegers100 = false;
        }
      }
    }
  }
  return negative || allIntegers100 ? 'american' : 'decimal';
}

function decodeOutcome(o: Rec, path: string, format: OddsApiPriceFormat): OddsApiOutcome {
  const [price, impliedProbability] = readPrice(o.price, join(path, 'price'), format);
  const out: OddsApiOutcome = { name: reqStr(o, 'name', path), price, impliedProbability };
  const point = o.point;
  if (point !== undefined && point !== null) {
    if (typeof point !== 'number' || !Number.isFinite(point)) fail(join(path, 'point'), 'a finite number', point);
    out.point = point;
  }
  const description = optStr(o, 'description', path);
  if (description !== undefined) out.description = description;
  return out;
}

function mapObjs<T>(o: Rec, key: string, path: string, fn: (item: Rec, itemPath: string) => T): T[] {
  const a = reqArr(o, key, path);
  const p = join(path, key);
  return a.map((x, i) => fn(reqObj(x, join(p, i)), join(p, i)));
}

function decodeEvent(e: Rec, path: string, format: OddsApiPriceFormat): OddsApiEvent {
  const event: OddsApiEvent = {
    id: reqStr(e, 'id', path),
    sportKey: reqStr(e, 'sport_key', path),
    sportTitle: reqStr(e, 'sport_title', path),
    commenceTsMs: reqTime(e, 'commence_time', path),
    bookmakers: [],
  };
  const home = optStr(e, 'home_team', path);
  const away = optStr(e, 'away_team', path);
  if (home !== undefined) event.homeTeam = home;
  if (away !== undefined) event.awayTeam = away;
  event.bookmakers = mapObjs(e, 'bookmakers', path, (b, bp) => {
    const lastUpdateMs = reqTime(b, 'last_update', bp);
    return {
      key: reqStr(b, 'key', bp),
      title: reqStr(b, 'title', bp),
      lastUpdateMs,
      markets: mapObjs(b, 'markets', bp, (m, mp) => ({
        key: reqStr(m, 'key', mp),
        lastUpdateMs: m.last_update === undefined || m.last_update === null ? lastUpdateMs : reqTime(m, 'last_update', mp),
        outcomes: mapObjs(m, 'outcomes', mp, (oc, op) => decodeOutcome(oc, op, format)),
      })),
    };
  });
  return event;
}

/**
 * Decodes a The Odds API v4 odds response (parsed JSON, or the JSON text) into typed events with epoch-ms times
 * (`commenceTsMs`, `lastUpdateMs`) and each outcome's implied probability. Shape and sources: module doc.
 * @param json the response body: an array of events (a string is parsed as JSON first).
 * @param options `format`: `american` | `decimal` | `auto` (default; see {@link DecodeOddsOptions}).
 * @returns `{ ok: true, value: { format, events } }`, or `{ ok: false, error }` with an {@link OddsDecodeError}
 * naming the path (`[3].bookmakers[1].markets[0].outcomes[0].price`) and quoting the value. Never throws.
 */
export function decodeOddsResponse(json: unknown, options: DecodeOddsOptions = {}): OddsDecodeResult {
  try {
    let body = json;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body) as unknown;
      } catch (e) {
        throw new OddsDecodeError('(root)', `(root): expected JSON text, ${e instanceof Error ? e.message : 'parse error'} in ${describeValue(json)}`);
      }
    }
    const requested = options.format ?? 'auto';
    if (requested !== 'auto' && requested !== 'american' && requested !== 'decimal') {
      throw new OddsDecodeError('(options).format', `(options).format: expected "american" | "decimal" | "auto", got ${describeValue(requested)}`);
    }
    if (!Array.isArray(body)) fail('', 'an array of events', body);
    const format = requested === 'auto' ? detectFormat(body) : requested;
    const events = body.map((e, i) => decodeEvent(reqObj(e, join('', i)), join('', i), format));
    return { ok: true, value: { format, events } };
  } catch (e) {
    if (e instanceof OddsDecodeError) return { ok: false, error: e };
    const message = e instanceof Error ? e.message : describeValue(e);
    return { ok: false, error: new OddsDecodeError('(root)', `unexpected error while decoding the odds response: ${message}`) };
  }
}

/**
 * The quotes of one market of a decoded event, one per bookmaker carrying it, as input to `consensus`
 * (`lastUpdateMs` = the market's `last_update`). Prices stay in the response's format: pass
 * `priceFormat: response.format` to `consensus`. Meant for markets whose outcome names identify the outcome
 * (`h2h`, outrights): for `spreads`/`totals` the books' lines (`point`) can differ and are not compared here.
 * @param marketKey e.g. `h2h` (default), `spreads`, `totals`.
 */
export function eventQuotes(event: OddsApiEvent, marketKey = 'h2h'): BookQuote[] {
  const out: BookQuote[] = [];
  for (const b of event.bookmakers) {
    const m = b.markets.find((x) => x.key === marketKey);
    if (m === undefined) continue;
    out.push({ bookmaker: b.key, lastUpdateMs: m.lastUpdateMs, outcomes: m.outcomes.map((o) => ({ name: o.name, price: o.price })) });
  }
  return out;
}
