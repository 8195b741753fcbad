/**
 * Event matching Kalshi game-winner markets ↔ The Odds API events (issue #5 item 3). Pure, no I/O: the overrides
 * file is passed in as parsed JSON (`parseMatchOverrides`).
 *
 * Kalshi naming (sources: public code quoting Kalshi API responses, e.g. market `KXNBAGAME-26APR10PHXLAL-LAL`, event
 * `KXNBAGAME-26APR10PHXLAL`, title `Phoenix at Los Angeles L Winner?`, yes_sub_title `Los Angeles L`; playoff titles
 * `Game 2: Los Angeles L at Oklahoma City Winner?`; MLB event tickers with a start time `KXMLBGAME-26MAY091610WSHMIA`):
 * - event ticker `{SERIES}-{YY}{MON}{DD}[{HHMM}]{AWAY}{HOME}`: the game's date (and for MLB its time) in US Eastern
 *   time, then the two team codes concatenated, away first;
 * - one market per team, `{EVENT}-{CODE}`, whose YES pays if that team wins; `yes_sub_title` is the team's short name;
 * - `title` `"{Away} at {Home} Winner?"` (also seen: `vs` instead of `at`, a `Game N: ` prefix).
 * Codes are 2 or 3 letters (NHL `TB`, `NJ`, `SJ`), so the concatenated tail is split with the market suffixes, not by
 * length.
 */
import { EventMatchInputError } from './errors';
import { normalizeTeamName, teamNameSimilarity } from './normalize';
import { KALSHI_GAME_SERIES_SPORTS, KALSHI_TEAM_ALIASES, type TeamAliasTable } from './teams';
import type { OddsApiEvent } from '../decode';

/** One Kalshi game-winner market (a subset of Kalshi's `GET /markets` market object, times as Unix epoch ms). */
export interface KalshiGameMarket {
  /** e.g. `KXNBAGAME-24MAR26LALMIL`. */
  eventTicker: string;
  /** e.g. `KXNBAGAME-24MAR26LALMIL-LAL`: `{eventTicker}-{team code}`. */
  marketTicker: string;
  /** e.g. `KXNBAGAME`. */
  seriesTicker: string;
  /** e.g. `Los Angeles L at Milwaukee Winner?`. */
  title: string;
  /** The team whose win pays YES, e.g. `Los Angeles L` (Kalshi `yes_sub_title`); may be `''`. */
  yesSubTitle: string;
  /** Scheduled game start (Unix epoch ms), when known (e.g. from Kalshi's milestones/event metadata). */
  startTsMs?: number;
  /** Market `close_time` (Unix epoch ms). Only a last-resort time reference: Kalshi often closes game markets days later. */
  closeTsMs?: number;
}

/** An override: the Odds API event id, and optionally which Odds API outcome (team name) each market's YES is. */
export interface OddsEventOverride {
  oddsEventId: string;
  /** marketTicker → Odds API outcome name (the event's `homeTeam` or `awayTeam`). */
  outcomes?: Readonly<Record<string, string>>;
}

/** Overrides file contents: Kalshi event ticker → Odds API event id, or `{ oddsEventId, outcomes? }`. */
export type MatchOverrides = Readonly<Record<string, string | OddsEventOverride>>;

/** Options of {@link matchKalshiEvents}. */
export interface MatchKalshiEventsOptions {
  /** Manual matches; they win over everything and are validated against the Odds API events. */
  overrides?: MatchOverrides;
  /**
   * Half-width of the time window, ms (default 12 h): an Odds API event is a candidate when
   * `|commenceTsMs − reference| ≤ windowMs`. Reference: the markets' `startTsMs`; else the ticker's ET date at 12:00
   * ET (so the default window is that ET calendar day) or its ET `HHMM`; else `closeTsMs`.
   */
  windowMs?: number;
  /** Minimum fuzzy similarity in (0, 1] (default 0.8), see `teamNameSimilarity`. */
  minSimilarity?: number;
  /** A fuzzy best match within this similarity of another team's is ambiguous (default 0.05), in [0, 1). */
  ambiguityMargin?: number;
  /** Alias tables by sport (default {@link KALSHI_TEAM_ALIASES}). */
  teamTable?: TeamAliasTable;
  /** Kalshi series → Odds API sport key (default {@link KALSHI_GAME_SERIES_SPORTS}). */
  seriesSports?: Readonly<Record<string, string>>;
}

/** How a Kalshi team was resolved. */
export interface ResolvedKalshiTeam {
  /** Ticker code, e.g. `LAL`. */
  code: string;
  /** Kalshi's name for it (yes_sub_title, else the title side), e.g. `Los Angeles L`; `''` when none. */
  kalshiName: string;
  /** The team as the Odds API spells it (the table's canonical name or an Odds API team name). */
  oddsName: string;
  how: 'alias' | 'fuzzy';
  /** 1 for alias; the fuzzy similarity otherwise. */
  similarity: number;
}

/** Which Odds API outcome a Kalshi market's YES corresponds to. */
export interface MarketOutcome {
  marketTicker: string;
  /** The h2h outcome name: exactly the event's `homeTeam` or `awayTeam`. */
  outcomeName: string;
  /** Side of the outcome in the Odds API event. */
  side: 'home' | 'away';
}

/** A Kalshi event matched to exactly one Odds API event. */
export interface MatchedKalshiEvent {
  status: 'matched';
  eventTicker: string;
  seriesTicker: string;
  sportKey: string;
  oddsEventId: string;
  /** `override` (from the overrides), `fuzzy` (a team needed the fuzzy step), else `alias`. */
  how: 'override' | 'alias' | 'fuzzy';
  /** In (0, 1]: 1 for override/alias; the lowest team similarity when fuzzy. */
  confidence: number;
  /** The Odds API event's commence time, Unix epoch ms. */
  commenceTsMs: number;
  /** Per market (sorted by ticker). */
  outcomes: MarketOutcome[];
  /** Per market (sorted by ticker); empty for an override with explicit outcomes. */
  teams: ResolvedKalshiTeam[];
}

/** Why a Kalshi event is unmatched. */
export type UnmatchedCode =
  | 'unknown_series'
  | 'bad_event_shape'
  | 'team_unresolved'
  | 'team_ambiguous'
  | 'team_conflict'
  | 'no_time_reference'
  | 'no_odds_event'
  | 'outside_window'
  | 'override_unknown_odds_event'
  | 'override_invalid_outcomes';

/** A Kalshi event without a match, with the reason. */
export interface UnmatchedKalshiEvent {
  status: 'unmatched';
  eventTicker: string;
  seriesTicker: string;
  /** The mapped sport, when the series is known. */
  sportKey?: string;
  reason: { code: UnmatchedCode; message: string; /** The Kalshi team (code and name) at fault, for team_* codes. */ team?: string };
}

/** An Odds API event that could be a Kalshi event's game. */
export interface MatchCandidate {
  oddsEventId: string;
  commenceTsMs: number;
  /** `commenceTsMs − reference`, ms. */
  deltaMs: number;
  homeTeam: string;
  awayTeam: string;
}

/** Several Odds API events fit: never resolved by guessing (add an override). */
export interface AmbiguousKalshiEvent {
  status: 'ambiguous';
  eventTicker: string;
  seriesTicker: string;
  sportKey: string;
  reason: string;
  /** Sorted by commence time, then id. */
  candidates: MatchCandidate[];
}

export type KalshiEventMatch = MatchedKalshiEvent | UnmatchedKalshiEvent | AmbiguousKalshiEvent;

/** Result of {@link matchKalshiEvents}. */
export interface KalshiMatchReport {
  /** One per Kalshi event, sorted by event ticker. */
  results: KalshiEventMatch[];
  /** Override keys that name no Kalshi event of the input (sorted): reported, not an error. */
  unusedOverrides: string[];
}

const HOUR_MS = 3_600_000;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const EVENT_SUFFIX = /^(\d{2})(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)(\d{2})(\d{4})?([A-Z]+)$/;
const TITLE = /^(?:game\s+\d+\s*:\s*)?(.+?)\s+(?:at|vs\.?|@)\s+(.+?)\s+winner\??$/i;

/**
 * Validates parsed overrides JSON: an object `{ kalshiEventTicker: oddsEventId | { oddsEventId, outcomes? } }` with
 * non-empty strings, `outcomes` an object of non-empty strings. Returns it typed.
 * @throws EventMatchInputError naming the field (`overrides.KXNBAGAME-…`, `….oddsEventId`, `….outcomes.<ticker>`).
 */
export function parseMatchOverrides(json: unknown, field = 'overrides'): MatchOverrides {
  if (!isRec(json)) throw new EventMatchInputError(field, 'an object of Kalshi event ticker → Odds API event id', json);
  const out: Record<string, string | OddsEventOverride> = {};
  for (const [key, v] of Object.entries(json)) {
    const f = `${field}.${key}`;
    if (key === '') throw new EventMatchInputError(field, 'non-empty event tickers as keys', key);
    if (typeof v === 'string') {
      if (v === '') throw new EventMatchInputError(f, 'a non-empty Odds API event id', v);
      out[key] = v;
      continue;
    }
    if (!isRec(v)) throw new EventMatchInputError(f, 'an Odds API event id or { oddsEventId, outcomes? }', v);
    if (typeof v.oddsEventId !== 'string' || v.oddsEventId === '') throw new EventMatchInputError(`${f}.oddsEventId`, 'a non-empty string', v.oddsEventId);
    if (v.outcomes === undefined) {
      out[key] = { oddsEventId: v.oddsEventId };
      continue;
    }
    if (!isRec(v.outcomes)) throw new EventMatchInputError(`${f}.outcomes`, 'an object of market ticker → outcome name', v.outcomes);
    const outcomes: Record<string, string> = {};
    for (const [m, name] of Object.entries(v.outcomes)) {
      if (typeof name !== 'string' || name === '') throw new EventMatchInputError(`${f}.outcomes.${m}`, 'a non-empty outcome name', name);
      outcomes[m] = name;
    }
    out[key] = { oddsEventId: v.oddsEventId, outcomes };
  }
  return out;
}

/**
 * Matches Kalshi game-winner events to Odds API events.
 *
 * Per Kalshi event (markets grouped by `eventTicker`):
 * 1. an override, when present, wins: its Odds API id must exist (else `override_unknown_odds_event`); its
 *    `outcomes` (or, without them, the resolved teams) must map every market to the event's home/away team (else
 *    `override_invalid_outcomes`);
 * 2. the series maps to an Odds API sport (`seriesSports`), else `unknown_series`; the event must have exactly two
 *    markets with distinct codes (`bad_event_shape`);
 * 3. each market's team is resolved: by alias (ticker code, or the name `yesSubTitle`/title side, in the sport's
 *    table; code and name naming different teams is `team_conflict`), else fuzzily against the table's names and the
 *    sport's Odds API team names (similarity ≥ `minSimilarity`, and no other team within `ambiguityMargin`, else
 *    `team_ambiguous`/`team_unresolved` naming the team);
 * 4. candidates are the sport's Odds API events with the same unordered team pair (team identity through the table,
 *    so `Montreal`/`Montréal Canadiens` or `Utah Hockey Club`/`Utah Mammoth` are one team): none → `no_odds_event`;
 *    none within `windowMs` of the reference time → `outside_window`; one → `matched`; several → `ambiguous`.
 * Deterministic and independent of the order of both input lists.
 *
 * @param kalshiMarkets Kalshi game-winner markets (any order, any number of events).
 * @param oddsEvents decoded Odds API events (`decodeOddsResponse(...).value.events`), any sports, any order.
 * @throws EventMatchInputError naming the field: a non-string ticker/title, a market ticker not `{eventTicker}-…`, an
 *   event ticker not `{seriesTicker}-…`, markets of one event with different series, a duplicate market ticker or
 *   Odds API id, a non-finite time, an option out of range, malformed overrides, a table code/name on two teams.
 */
export function matchKalshiEvents(kalshiMarkets: readonly KalshiGameMarket[], oddsEvents: readonly OddsApiEvent[], options: MatchKalshiEventsOptions = {}): KalshiMatchReport {
  const windowMs = options.windowMs ?? 12 * HOUR_MS;
  if (!(Number.isFinite(windowMs) && windowMs >= 0)) throw new EventMatchInputError('options.windowMs', 'a finite number of ms ≥ 0', windowMs);
  const minSimilarity = options.minSimilarity ?? 0.8;
  if (!(minSimilarity > 0 && minSimilarity <= 1)) throw new EventMatchInputError('options.minSimilarity', 'a number in (0, 1]', minSimilarity);
  const margin = options.ambiguityMargin ?? 0.05;
  if (!(margin >= 0 && margin < 1)) throw new EventMatchInputError('options.ambiguityMargin', 'a number in [0, 1)', margin);
  const overrides = options.overrides === undefined ? {} : parseMatchOverrides(options.overrides, 'options.overrides');
  const seriesSports = options.seriesSports ?? KALSHI_GAME_SERIES_SPORTS;
  const tables = indexTables(options.teamTable ?? KALSHI_TEAM_ALIASES);

  const byId = new Map<string, OddsApiEvent>();
  oddsEvents.forEach((e, i) => {
    if (typeof e?.id !== 'string' || e.id === '') throw new EventMatchInputError(`oddsEvents[${i}].id`, 'a non-empty string', e?.id);
    if (byId.has(e.id)) throw new EventMatchInputError(`oddsEvents[${i}].id`, 'a unique Odds API event id', e.id);
    if (!Number.isFinite(e.commenceTsMs)) throw new EventMatchInputError(`oddsEvents[${i}].commenceTsMs`, 'a finite epoch ms', e.commenceTsMs);
    byId.set(e.id, e);
  });
  const groups = groupMarkets(kalshiMarkets);
  const ctx: Ctx = { windowMs, minSimilarity, margin, seriesSports, tables, byId, oddsEvents: [...byId.values()].sort((a, b) => cmp(a.id, b.id)) };

  const results = [...groups.keys()].sort(cmp).map((ticker) => {
    const group = groups.get(ticker) as Group;
    const ov = overrides[ticker];
    return ov === undefined ? matchOne(group, ctx) : applyOverride(group, typeof ov === 'string' ? { oddsEventId: ov } : ov, ctx);
  });
  const unusedOverrides = Object.keys(overrides)
    .filter((k) => !groups.has(k))
    .sort(cmp);
  return { results, unusedOverrides };
}

// ---------------------------------------------------------------------------------------------------------------

type Rec = Record<string, unknown>;

function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface SportIndex {
  /** Team key (canonical name) → canonical name. */
  canonical: Map<string, string>;
  codes: Map<string, string>;
  /** normalised name → key. */
  names: Map<string, string>;
}

function indexTables(table: TeamAliasTable): Map<string, SportIndex> {
  const out = new Map<string, SportIndex>();
  for (const [sport, entries] of Object.entries(table)) {
    const idx: SportIndex = { canonical: new Map(), codes: new Map(), names: new Map() };
    entries.forEach((e, i) => {
      const f = `teamTable.${sport}[${i}]`;
      if (typeof e.name !== 'string' || normalizeTeamName(e.name) === '') throw new EventMatchInputError(`${f}.name`, 'a team name', e.name);
      const key = e.name;
      if (idx.canonical.has(key)) throw new EventMatchInputError(`${f}.name`, 'a team listed once', key);
      idx.canonical.set(key, e.name);
      e.codes.forEach((c, j) => {
        const code = String(c).toUpperCase();
        const prev = idx.codes.get(code);
        if (code === '' || (prev !== undefined && prev !== key)) throw new EventMatchInputError(`${f}.codes[${j}]`, `a code of one team only (also ${prev ?? '?'})`, c);
        idx.codes.set(code, key);
      });
      [e.name, ...e.names].forEach((n, j) => {
        const norm = normalizeTeamName(String(n));
        const prev = idx.names.get(norm);
        if (norm === '' || (prev !== undefined && prev !== key)) throw new EventMatchInputError(j === 0 ? `${f}.name` : `${f}.names[${j - 1}]`, `a name of one team only (also ${prev ?? '?'})`, n);
        idx.names.set(norm, key);
      });
    });
    out.set(sport, idx);
  }
  return out;
}

interface Group {
  eventTicker: string;
  seriesTicker: string;
  /** Sorted by market ticker. */
  markets: { m: KalshiGameMarket; code: string }[];
}

function groupMarkets(markets: readonly KalshiGameMarket[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  const seen = new Set<string>();
  markets.forEach((m, i) => {
    const f = `kalshiMarkets[${i}]`;
    for (const k of ['eventTicker', 'marketTicker', 'seriesTicker'] as const) {
      if (typeof m?.[k] !== 'string' || m[k] === '') throw new EventMatchInputError(`${f}.${k}`, 'a non-empty string', m?.[k]);
    }
    for (const k of ['title', 'yesSubTitle'] as const) if (typeof m[k] !== 'string') throw new EventMatchInputError(`${f}.${k}`, 'a string', m[k]);
    for (const k of ['startTsMs', 'closeTsMs'] as const) if (m[k] !== undefined && !Number.isFinite(m[k])) throw new EventMatchInputError(`${f}.${k}`, 'a finite epoch ms or undefined', m[k]);
    if (!m.eventTicker.startsWith(`${m.seriesTicker}-`)) throw new EventMatchInputError(`${f}.eventTicker`, `a ticker starting with "${m.seriesTicker}-" (the seriesTicker)`, m.eventTicker);
    if (!m.marketTicker.startsWith(`${m.eventTicker}-`) || m.marketTicker.length === m.eventTicker.length + 1) {
      throw new EventMatchInputError(`${f}.marketTicker`, `"${m.eventTicker}-{team code}" (the eventTicker, a dash, a code)`, m.marketTicker);
    }
    if (seen.has(m.marketTicker)) throw new EventMatchInputError(`${f}.marketTicker`, 'a unique market ticker', m.marketTicker);
    seen.add(m.marketTicker);
    let g = groups.get(m.eventTicker);
    if (g === undefined) {
      g = { eventTicker: m.eventTicker, seriesTicker: m.seriesTicker, markets: [] };
      groups.set(m.eventTicker, g);
    } else if (g.seriesTicker !== m.seriesTicker) {
      throw new EventMatchInputError(`${f}.seriesTicker`, `"${g.seriesTicker}" like the other markets of ${m.eventTicker}`, m.seriesTicker);
    }
    g.markets.push({ m, code: m.marketTicker.slice(m.eventTicker.length + 1).toUpperCase() });
  });
  for (const g of groups.values()) g.markets.sort((a, b) => cmp(a.m.marketTicker, b.m.marketTicker));
  return groups;
}

interface Ctx {
  windowMs: number;
  minSimilarity: number;
  margin: number;
  seriesSports: Readonly<Record<string, string>>;
  tables: Map<string, SportIndex>;
  byId: Map<string, OddsApiEvent>;
  /** Sorted by id. */
  oddsEvents: OddsApiEvent[];
}

interface TickerInfo {
  /** Reference time from the ticker: ET date at HH:MM ET (12:00 when the ticker has no time), epoch ms. */
  refMs: number;
  tail: string;
}

/** Parses `{YY}{MON}{DD}[{HHMM}]{CODES}` after `{series}-`; undefined when it does not fit. */
function parseEventTicker(g: Group): TickerInfo | undefined {
  const m = EVENT_SUFFIX.exec(g.eventTicker.slice(g.seriesTicker.length + 1));
  if (m === null) return undefined;
  const y = 2000 + Number(m[1]);
  const mo = MONTHS.indexOf(m[2]);
  const d = Number(m[3]);
  if (new Date(Date.UTC(y, mo, d)).getUTCDate() !== d) return undefined;
  let minutes = 12 * 60;
  if (m[4] !== undefined) {
    const hh = Number(m[4].slice(0, 2));
    const mm = Number(m[4].slice(2));
    if (hh > 23 || mm > 59) return undefined;
    minutes = hh * 60 + mm;
  }
  return { refMs: Date.UTC(y, mo, d) + (minutes - easternOffsetMinutes(y, mo, d)) * 60_000, tail: m[5] };
}

/**
 * UTC offset of US Eastern time (minutes, −240 EDT / −300 EST) on a calendar date, from the US rule since 2007: DST
 * from the second Sunday of March to the first Sunday of November (the switch is at 02:00 local, so a time from 03:00
 * on a switch day gets the day's new offset; the ticker times are game times, never 02:00–03:00).
 */
function easternOffsetMinutes(y: number, month0: number, d: number): number {
  const sunday = (m0: number, n: number): number => 1 + ((7 - new Date(Date.UTC(y, m0, 1)).getUTCDay()) % 7) + 7 * (n - 1);
  const afterStart = month0 > 2 || (month0 === 2 && d >= sunday(2, 2));
  const beforeEnd = month0 < 10 || (month0 === 10 && d < sunday(10, 1));
  return afterStart && beforeEnd ? -240 : -300;
}

function unmatched(g: Group, code: UnmatchedCode, message: string, sportKey?: string, team?: string): UnmatchedKalshiEvent {
  const reason: UnmatchedKalshiEvent['reason'] = team === undefined ? { code, message } : { code, message, team };
  const r: UnmatchedKalshiEvent = { status: 'unmatched', eventTicker: g.eventTicker, seriesTicker: g.seriesTicker, reason };
  if (sportKey !== undefined) r.sportKey = sportKey;
  return r;
}

/** Kalshi's name for each market's team: yesSubTitle, else the title side the ticker tail puts the code on. */
function kalshiNames(g: Group): string[] {
  const title = g.markets.map((x) => TITLE.exec(x.m.title.trim())).find((x) => x !== null);
  const tail = parseEventTicker(g)?.tail;
  return g.markets.map(({ m, code }) => {
    const own = m.yesSubTitle.trim();
    if (own !== '' || title == null || tail === undefined || g.markets.length !== 2) return own;
    const other = g.markets.find((x) => x.code !== code)?.code ?? '';
    if (tail === code + other) return title[1].trim();
    if (tail === other + code) return title[2].trim();
    return '';
  });
}

type TeamResult = { ok: true; key: string; team: ResolvedKalshiTeam } | { ok: false; code: 'team_unresolved' | 'team_ambiguous' | 'team_conflict'; message: string; team: string };

function teamKeyOfOddsName(idx: SportIndex | undefined, name: string): string {
  const norm = normalizeTeamName(name);
  return idx?.names.get(norm) ?? `odds:${norm}`;
}

function resolveTeam(code: string, name: string, sportKey: string, ctx: Ctx): TeamResult {
  const idx = ctx.tables.get(sportKey);
  const label = name === '' ? code : `${name} (${code})`;
  const norm = normalizeTeamName(name);
  const byCode = idx?.codes.get(code);
  const byName = norm === '' ? undefined : idx?.names.get(norm);
  const display = (key: string): string => idx?.canonical.get(key) ?? key;
  if (byCode !== undefined && byName !== undefined && byCode !== byName) {
    return { ok: false, code: 'team_conflict', team: label, message: `code ${code} is ${byCode} but name "${name}" is ${byName}` };
  }
  const alias = byCode ?? byName;
  if (alias !== undefined) return { ok: true, key: alias, team: { code, kalshiName: name, oddsName: display(alias), how: 'alias', similarity: 1 } };
  if (norm === '') return { ok: false, code: 'team_unresolved', team: label, message: `code ${code} is not in the ${sportKey} alias table and the market has no team name to match fuzzily` };

  // fuzzy: best similarity per team key, over the table's names and the sport's Odds API team names
  const best = new Map<string, { sim: number; oddsName: string }>();
  const consider = (candidate: string, key: string, oddsName: string): void => {
    const sim = teamNameSimilarity(norm, normalizeTeamName(candidate));
    const prev = best.get(key);
    if (prev === undefined || sim > prev.sim) best.set(key, { sim, oddsName });
  };
  if (idx !== undefined) for (const [n, key] of idx.names) consider(n, key, display(key));
  for (const e of ctx.oddsEvents) {
    if (e.sportKey !== sportKey) continue;
    for (const t of [e.homeTeam, e.awayTeam]) if (t !== undefined && t !== '') consider(t, teamKeyOfOddsName(idx, t), idx?.canonical.get(teamKeyOfOddsName(idx, t)) ?? t);
  }
  const ranked = [...best.entries()].sort((a, b) => b[1].sim - a[1].sim || cmp(a[0], b[0]));
  const [top, second] = ranked;
  if (top === undefined || top[1].sim < ctx.minSimilarity) {
    const near = top === undefined ? 'no candidate names' : `nearest ${top[1].oddsName} at similarity ${top[1].sim.toFixed(3)}`;
    return { ok: false, code: 'team_unresolved', team: label, message: `team ${label} is not in the ${sportKey} alias table and no name is within similarity ${ctx.minSimilarity} (${near})` };
  }
  if (second !== undefined && second[1].sim >= ctx.minSimilarity && top[1].sim - second[1].sim < ctx.margin) {
    return { ok: false, code: 'team_ambiguous', team: label, message: `team ${label} is as close to ${top[1].oddsName} (${top[1].sim.toFixed(3)}) as to ${second[1].oddsName} (${second[1].sim.toFixed(3)})` };
  }
  return { ok: true, key: top[0], team: { code, kalshiName: name, oddsName: top[1].oddsName, how: 'fuzzy', similarity: top[1].sim } };
}

function resolveAll(g: Group, sportKey: string, ctx: Ctx): { ok: true; keys: string[]; teams: ResolvedKalshiTeam[] } | UnmatchedKalshiEvent {
  const names = kalshiNames(g);
  const keys: string[] = [];
  const teams: ResolvedKalshiTeam[] = [];
  for (let i = 0; i < g.markets.length; i++) {
    const r = resolveTeam(g.markets[i].code, names[i], sportKey, ctx);
    if (!r.ok) return unmatched(g, r.code, r.message, sportKey, r.team);
    keys.push(r.key);
    teams.push(r.team);
  }
  if (new Set(keys).size !== keys.length) return unmatched(g, 'bad_event_shape', `two markets resolve to the same team ${teams.map((t) => t.oddsName).join(' / ')}`, sportKey);
  return { ok: true, keys, teams };
}

function outcomesFor(g: Group, keys: string[], e: OddsApiEvent, idx: SportIndex | undefined): MarketOutcome[] | undefined {
  const home = e.homeTeam ?? '';
  const away = e.awayTeam ?? '';
  const hk = teamKeyOfOddsName(idx, home);
  const ak = teamKeyOfOddsName(idx, away);
  const out: MarketOutcome[] = [];
  for (let i = 0; i < g.markets.length; i++) {
    if (keys[i] === hk && home !== '') out.push({ marketTicker: g.markets[i].m.marketTicker, outcomeName: home, side: 'home' });
    else if (keys[i] === ak && away !== '') out.push({ marketTicker: g.markets[i].m.marketTicker, outcomeName: away, side: 'away' });
    else return undefined;
  }
  return out;
}

function referenceTime(g: Group): { refMs: number; source: string } | string {
  const starts = [...new Set(g.markets.map((x) => x.m.startTsMs).filter((v): v is number => v !== undefined))];
  if (starts.length > 1) return `markets disagree on startTsMs (${starts.map((s) => new Date(s).toISOString()).join(', ')})`;
  if (starts.length === 1) return { refMs: starts[0], source: 'startTsMs' };
  const info = parseEventTicker(g);
  if (info !== undefined) return { refMs: info.refMs, source: 'the ticker date (ET)' };
  const closes = g.markets.map((x) => x.m.closeTsMs).filter((v): v is number => v !== undefined);
  if (closes.length > 0) return { refMs: Math.min(...closes), source: 'closeTsMs' };
  return 'no startTsMs, no date in the event ticker, no closeTsMs';
}

function matchOne(g: Group, ctx: Ctx): KalshiEventMatch {
  const sportKey = ctx.seriesSports[g.seriesTicker];
  if (sportKey === undefined) return unmatched(g, 'unknown_series', `series ${g.seriesTicker} has no Odds API sport (seriesSports)`);
  if (g.markets.length !== 2) return unmatched(g, 'bad_event_shape', `expected 2 markets (one per team), got ${g.markets.length}: ${g.markets.map((x) => x.m.marketTicker).join(', ')}`, sportKey);
  const teams = resolveAll(g, sportKey, ctx);
  if (!('ok' in teams)) return teams;
  const ref = referenceTime(g);
  if (typeof ref === 'string') return unmatched(g, 'no_time_reference', ref, sportKey);
  const idx = ctx.tables.get(sportKey);
  const pair = [...teams.keys].sort(cmp).join('|');
  const same = ctx.oddsEvents.filter((e) => e.sportKey === sportKey && e.homeTeam && e.awayTeam && [teamKeyOfOddsName(idx, e.homeTeam), teamKeyOfOddsName(idx, e.awayTeam)].sort(cmp).join('|') === pair);
  const names = teams.teams.map((t) => t.oddsName).join(' v ');
  if (same.length === 0) return unmatched(g, 'no_odds_event', `no ${sportKey} Odds API event between ${names}`, sportKey);
  const cands: MatchCandidate[] = same
    .map((e) => ({ oddsEventId: e.id, commenceTsMs: e.commenceTsMs, deltaMs: e.commenceTsMs - ref.refMs, homeTeam: e.homeTeam as string, awayTeam: e.awayTeam as string }))
    .sort((a, b) => a.commenceTsMs - b.commenceTsMs || cmp(a.oddsEventId, b.oddsEventId));
  const inWindow = cands.filter((c) => Math.abs(c.deltaMs) <= ctx.windowMs);
  const refIso = new Date(ref.refMs).toISOString();
  if (inWindow.length === 0) {
    const nearest = [...cands].sort((a, b) => Math.abs(a.deltaMs) - Math.abs(b.deltaMs))[0];
    return unmatched(
      g,
      'outside_window',
      `${same.length} ${sportKey} event(s) between ${names}, none within ${ctx.windowMs / HOUR_MS} h of ${refIso} (${ref.source}); nearest ${nearest.oddsEventId} at ${new Date(nearest.commenceTsMs).toISOString()} (${(nearest.deltaMs / HOUR_MS).toFixed(1)} h)`,
      sportKey,
    );
  }
  if (inWindow.length > 1) {
    return { status: 'ambiguous', eventTicker: g.eventTicker, seriesTicker: g.seriesTicker, sportKey, reason: `${inWindow.length} ${sportKey} events between ${names} within ${ctx.windowMs / HOUR_MS} h of ${refIso} (${ref.source}); add an override`, candidates: inWindow };
  }
  const e = ctx.byId.get(inWindow[0].oddsEventId) as OddsApiEvent;
  const outcomes = outcomesFor(g, teams.keys, e, idx) as MarketOutcome[]; // same pair: always maps
  const fuzzy = teams.teams.some((t) => t.how === 'fuzzy');
  return {
    status: 'matched',
    eventTicker: g.eventTicker,
    seriesTicker: g.seriesTicker,
    sportKey,
    oddsEventId: e.id,
    how: fuzzy ? 'fuzzy' : 'alias',
    confidence: Math.min(...teams.teams.map((t) => t.similarity)),
    commenceTsMs: e.commenceTsMs,
    outcomes,
    teams: teams.teams,
  };
}

function applyOverride(g: Group, ov: OddsEventOverride, ctx: Ctx): KalshiEventMatch {
  const sportKey = ctx.seriesSports[g.seriesTicker];
  const e = ctx.byId.get(ov.oddsEventId);
  if (e === undefined) return unmatched(g, 'override_unknown_odds_event', `override names Odds API event ${ov.oddsEventId}, which is not among the ${ctx.byId.size} Odds API events given`, sportKey);
  const base = { status: 'matched' as const, eventTicker: g.eventTicker, seriesTicker: g.seriesTicker, sportKey: e.sportKey, oddsEventId: e.id, how: 'override' as const, confidence: 1, commenceTsMs: e.commenceTsMs };
  if (ov.outcomes !== undefined) {
    const tickers = g.markets.map((x) => x.m.marketTicker);
    const given = Object.keys(ov.outcomes).sort(cmp);
    const names = Object.values(ov.outcomes);
    const sides = [e.homeTeam, e.awayTeam].filter((x): x is string => x !== undefined && x !== '');
    const problem =
      given.join(',') !== tickers.join(',')
        ? `override outcomes name markets ${given.join(', ')} but the event has ${tickers.join(', ')}`
        : names.find((n) => !sides.includes(n)) !== undefined
          ? `override outcome "${names.find((n) => !sides.includes(n))}" is not a team of ${e.id} (${sides.join(' / ')})`
          : new Set(names).size !== names.length
            ? 'override outcomes map two markets to the same team'
            : undefined;
    if (problem !== undefined) return unmatched(g, 'override_invalid_outcomes', problem, sportKey);
    const outcomes = tickers.map((t) => {
      const outcomeName = (ov.outcomes as Record<string, string>)[t];
      return { marketTicker: t, outcomeName, side: outcomeName === e.homeTeam ? ('home' as const) : ('away' as const) };
    });
    return { ...base, outcomes, teams: [] };
  }
  const teams = resolveAll(g, e.sportKey, ctx);
  if (!('ok' in teams)) return unmatched(g, 'override_invalid_outcomes', `override without outcomes, and the teams do not resolve: ${teams.reason.message}`, sportKey, teams.reason.team);
  const outcomes = outcomesFor(g, teams.keys, e, ctx.tables.get(e.sportKey));
  if (outcomes === undefined) {
    return unmatched(g, 'override_invalid_outcomes', `override without outcomes, and the teams ${teams.teams.map((t) => t.oddsName).join(' / ')} are not the teams of ${e.id} (${e.awayTeam ?? '?'} at ${e.homeTeam ?? '?'})`, sportKey);
  }
  return { ...base, outcomes, teams: teams.teams };
}
