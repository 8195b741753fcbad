/**
 * Game markets from a sportsbook odds capture (issue #5 test support): for every NBA and NHL event of a saved
 * The Odds API v4 odds response, a Kalshi game-winner event named as Kalshi names them, with the house quoting both
 * markets around the sportsbook consensus. Lets the edge detector and the event matcher run against the mock.
 *
 * Kalshi naming (see `libs/odds/src/matching/match.ts`, which this mirrors so that `matchKalshiEvents` matches every
 * seeded event back to its odds event):
 * - series `KXNBAGAME` / `KXNHLGAME` (the reverse of `KALSHI_GAME_SERIES_SPORTS`);
 * - event `{SERIES}-{YY}{MON}{DD}{AWAY}{HOME}`, the date being the US Eastern calendar date of `commence_time`, the codes
 *   the first code of the team's entry in `KALSHI_TEAM_ALIASES` (e.g. `KXNHLGAME-24MAR26PHINYR`);
 * - one market per team `{EVENT}-{CODE}`, YES pays if that team wins; `yes_sub_title` is the team's Kalshi short name
 *   (the first of the entry's `names`, e.g. `New York R`); title `"{Away short} at {Home short} Winner?"`.
 *
 * Books (resting post-only orders of the `house` account, like the live seed's): per market, with `fair` the
 * consensus fair probability of the market's team (`consensus`, multiplicative de-vig, median, the library's default
 * outlier filter), `f = round(100 · fair)` cents:
 * - YES bid at `f − halfSpreadCents`, YES ask (a NO bid at `100 − ask`) at `f + halfSpreadCents`, `depthContracts`
 *   each, clamped to 1..99 cents (the bid kept below the ask);
 * - a market given an edge `e > 0` cents by `edgeFor` is quoted low instead: ask at `f − e`, bid at `ask − 2 ·
 *   halfSpreadCents` (so buying YES at the ask is `e` cents below fair: something for a detector to find);
 * - no consensus (books disagree, e.g. in play, or no h2h quotes): the event is still listed, its markets have no
 *   orders.
 * Teams missing from the alias table and duplicate event tickers are skipped (reported in `skipped`).
 */
import {
  consensus,
  ConsensusError,
  decodeOddsResponse,
  eventQuotes,
  KALSHI_GAME_SERIES_SPORTS,
  KALSHI_TEAM_ALIASES,
  type OddsApiEvent,
  type TeamAliasEntry,
  type TeamAliasTable,
} from '@kalshi-platform/odds';
import type { Level } from '@kalshi-platform/market';
import type { ReferenceData, RefEvent, RefMarket } from '../reference';
import { HOUSE_ACCOUNT, HOUSE_CASH_TICKS, type SeedMarket } from './live-seed';
import type { Venue } from './venue';

/** Options of {@link buildGamesSeed} / {@link seedGamesFromOdds}. */
export interface GamesSeedOptions {
  /** Kalshi series → Odds API sport key of the events to seed (default KXNBAGAME and KXNHLGAME). */
  series?: Readonly<Record<string, string>>;
  /** alias table (default `KALSHI_TEAM_ALIASES`) */
  teamTable?: TeamAliasTable;
  /** half the quoted spread, cents (default 2) */
  halfSpreadCents?: number;
  /** contracts at each quoted price (default 500) */
  depthContracts?: number;
  /** mis-pricing per market ticker, cents the ask sits below fair (0 or undefined: fair quote); see {@link seededEdges} */
  edgeFor?: (marketTicker: string) => number | undefined;
}

/** One seeded game market with its quote. */
export interface GameSeedMarket extends SeedMarket {
  /** Odds API id of the event and the h2h outcome (team) whose win pays YES */
  oddsEventId: string;
  outcomeName: string;
  /** consensus fair probability of the team; undefined without consensus */
  fair?: number;
  /** quoted YES bid / ask, cents (undefined without consensus) */
  bidCents?: number;
  askCents?: number;
  /** edge applied, cents (0: fair quote) */
  edgeCents: number;
}

/** What {@link buildGamesSeed} returns. */
export interface GamesSeed {
  events: RefEvent[];
  markets: GameSeedMarket[];
  series: Map<string, Record<string, unknown>>;
  /** Odds events of the chosen sports that were not seeded, with the reason */
  skipped: Array<{ oddsEventId: string; reason: string }>;
}

const DEFAULT_SERIES: Readonly<Record<string, string>> = { KXNBAGAME: KALSHI_GAME_SERIES_SPORTS.KXNBAGAME, KXNHLGAME: KALSHI_GAME_SERIES_SPORTS.KXNHLGAME };
const SERIES_TITLES: Readonly<Record<string, string>> = { KXNBAGAME: 'Professional Basketball Game', KXNHLGAME: 'NHL Game' };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const ET_DATE = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', year: 'numeric', month: 'numeric', day: 'numeric' });
/** price ticks per cent */
const CENT = 100;

/** `{YY}{MON}{DD}` of the US Eastern calendar date of an instant, e.g. `24MAR26`. */
export function easternDateCode(tsMs: number): string {
  const parts = Object.fromEntries(ET_DATE.formatToParts(new Date(tsMs)).map((p) => [p.type, p.value]));
  return `${String(Number(parts.year) % 100).padStart(2, '0')}${MONTHS[Number(parts.month) - 1]}${String(Number(parts.day)).padStart(2, '0')}`;
}

/** FNV-1a 32-bit hash (deterministic across runs and platforms). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}

/**
 * A deterministic `edgeFor`: a market gets `cents` of edge when `fnv1a("{seed}:{ticker}") mod 10000 < share · 10000`,
 * i.e. about `share` of the markets, the same ones for the same seed on every run.
 */
export function seededEdges(opts: { seed: number; share: number; cents: number }): (marketTicker: string) => number {
  return (t) => (fnv1a(`${opts.seed}:${t}`) % 10_000 < opts.share * 10_000 ? opts.cents : 0);
}

function teamIndex(table: TeamAliasTable, sport: string): Map<string, TeamAliasEntry> {
  const m = new Map<string, TeamAliasEntry>();
  for (const e of table[sport] ?? []) m.set(e.name, e);
  return m;
}

const shortName = (e: TeamAliasEntry): string => e.names[0] ?? e.name;

/** Consensus fair probability per outcome name, or the reason there is none. */
function fairOf(e: OddsApiEvent): Map<string, number> | string {
  const quotes = eventQuotes(e, 'h2h');
  try {
    const c = consensus(quotes, { method: 'multiplicative', consensus: 'median' });
    return new Map(c.outcomes.map((o) => [o.name, o.fairProbability]));
  } catch (err) {
    if (err instanceof ConsensusError) return err.message;
    throw err;
  }
}

/** YES bid/ask cents of a market (see the module doc). */
function quote(fair: number, half: number, edge: number): { bid: number; ask: number } {
  const f = Math.round(fair * 100);
  let ask = edge > 0 ? f - edge : f + half;
  let bid = edge > 0 ? ask - 2 * half : f - half;
  ask = Math.min(99, Math.max(2, ask));
  bid = Math.min(ask - 1, Math.max(1, bid));
  return { bid, ask };
}

/**
 * Builds the game events and markets of an Odds API v4 odds response (a parsed JSON body). Pure.
 * @throws Error naming the field when the body is not an Odds API odds response.
 */
export function buildGamesSeed(oddsBody: unknown, options: GamesSeedOptions = {}): GamesSeed {
  const decoded = decodeOddsResponse(oddsBody);
  if (!decoded.ok) throw new Error(`not an Odds API odds response: ${decoded.error.message}`);
  const seriesOf = new Map(Object.entries(options.series ?? DEFAULT_SERIES).map(([s, sport]) => [sport, s]));
  const table = options.teamTable ?? KALSHI_TEAM_ALIASES;
  const half = options.halfSpreadCents ?? 2;
  const depthCentis = (options.depthContracts ?? 500) * 100;
  if (!(Number.isSafeInteger(half) && half >= 1)) throw new RangeError(`halfSpreadCents: expected an integer >= 1, got ${half}`);
  if (!(Number.isSafeInteger(depthCentis) && depthCentis > 0)) throw new RangeError(`depthContracts: expected a positive number of contracts, got ${options.depthContracts}`);

  const out: GamesSeed = { events: [], markets: [], series: new Map(), skipped: [] };
  const seen = new Set<string>();
  const events = [...decoded.value.events].sort((a, b) => a.commenceTsMs - b.commenceTsMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const e of events) {
    const seriesTicker = seriesOf.get(e.sportKey);
    if (seriesTicker === undefined) continue;
    const teams = teamIndex(table, e.sportKey);
    const away = e.awayTeam ? teams.get(e.awayTeam) : undefined;
    const home = e.homeTeam ? teams.get(e.homeTeam) : undefined;
    if (!away || !home) {
      out.skipped.push({ oddsEventId: e.id, reason: `team not in the ${e.sportKey} alias table: ${!away ? e.awayTeam : e.homeTeam}` });
      continue;
    }
    const eventTicker = `${seriesTicker}-${easternDateCode(e.commenceTsMs)}${away.codes[0]}${home.codes[0]}`;
    if (seen.has(eventTicker)) {
      out.skipped.push({ oddsEventId: e.id, reason: `event ticker ${eventTicker} already seeded (two games of the same teams on one day)` });
      continue;
    }
    seen.add(eventTicker);
    const title = `${shortName(away)} at ${shortName(home)} Winner?`;
    const fair = fairOf(e);
    const event: RefEvent = {
      eventTicker,
      seriesTicker,
      title,
      subTitle: `${away.codes[0]} at ${home.codes[0]} (${easternDateCode(e.commenceTsMs)})`,
      category: 'Sports',
      mutuallyExclusive: true,
      marketTickers: [],
      template: { strike_date: new Date(e.commenceTsMs).toISOString() },
    };
    for (const team of [away, home]) {
      const ticker = `${eventTicker}-${team.codes[0]}`;
      const ref: RefMarket = {
        ticker,
        eventTicker,
        seriesTicker,
        title,
        yesSubTitle: shortName(team),
        status: 'active',
        priceLevelStructure: 'linear_cent',
        template: {
          market_type: 'binary',
          rules_primary: `If ${shortName(team)} wins the ${shortName(away)} at ${shortName(home)} game originally scheduled for ${new Date(e.commenceTsMs).toISOString()}, then the market resolves to Yes.`,
          expected_expiration_time: new Date(e.commenceTsMs + 3 * 3_600_000).toISOString(),
          can_close_early: true,
        },
      };
      const p = typeof fair === 'string' ? undefined : fair.get(team.name);
      const edgeCents = p === undefined ? 0 : Math.max(0, Math.round(options.edgeFor?.(ticker) ?? 0));
      const book: { yes: Level[]; no: Level[] } = { yes: [], no: [] };
      let q: { bid: number; ask: number } | undefined;
      if (p !== undefined) {
        q = quote(p, half, edgeCents);
        book.yes.push([q.bid * CENT, depthCentis]);
        book.no.push([(100 - q.ask) * CENT, depthCentis]);
      }
      event.marketTickers.push(ticker);
      out.markets.push({ ref, tickStructure: 'linear_cent', fractionalTradingEnabled: false, book, oddsEventId: e.id, outcomeName: team.name, fair: p, bidCents: q?.bid, askCents: q?.ask, edgeCents });
    }
    out.events.push(event);
    if (!out.series.has(seriesTicker)) {
      out.series.set(seriesTicker, {
        ticker: seriesTicker,
        title: SERIES_TITLES[seriesTicker] ?? seriesTicker,
        category: 'Sports',
        frequency: 'custom',
        tags: [],
        settlement_sources: [],
        contract_url: '',
        contract_terms_url: '',
        fee_type: 'quadratic',
        fee_multiplier: 1,
        additional_prohibitions: [],
      });
    }
  }
  return out;
}

/**
 * Adds the game events, markets and series of an odds response to `reference` (every start: reference data is not
 * journaled) and lists on the venue, with their house books, the markets it does not have yet (the first start with
 * this file; later starts replay the journal).
 * @returns the seed, and the numbers of markets listed and house orders placed by this call.
 */
export async function seedGamesFromOdds(
  venue: Venue,
  reference: ReferenceData,
  oddsBody: unknown,
  options: GamesSeedOptions = {},
  log: (m: string) => void = () => undefined,
): Promise<{ seed: GamesSeed; listed: number; orders: number }> {
  const seed = buildGamesSeed(oddsBody, options);
  for (const [t, s] of seed.series) if (!reference.series.has(t)) reference.series.set(t, s);
  for (const e of seed.events) reference.events.set(e.eventTicker, e);
  for (const m of seed.markets) reference.markets.set(m.ref.ticker, m.ref);
  for (const s of seed.skipped) log(`games seed: odds event ${s.oddsEventId} skipped: ${s.reason}`);

  if (!venue.engine.getAccount(HOUSE_ACCOUNT)) await venue.createAccount(HOUSE_ACCOUNT, HOUSE_CASH_TICKS);
  let listed = 0;
  let orders = 0;
  for (const m of seed.markets) {
    if (venue.markets.has(m.ref.ticker)) continue;
    const r = await venue.createMarket({ marketTicker: m.ref.ticker, tickStructure: m.tickStructure, fractionalTradingEnabled: m.fractionalTradingEnabled, seriesTicker: m.ref.seriesTicker });
    if (!r.ok) throw new Error(`cannot list game market ${m.ref.ticker}: ${r.message}`);
    listed++;
    for (const side of ['yes', 'no'] as const) {
      for (const [priceTicks, sizeCentis] of m.book[side]) {
        const p = await venue.placeOrder(HOUSE_ACCOUNT, { marketTicker: m.ref.ticker, side, action: 'buy', priceTicks, sizeCentis, postOnly: true }, 'admin');
        if (p.ok) orders++;
        else log(`games seed: a level of ${m.ref.ticker} was refused: ${p.message}`);
      }
    }
  }
  return { seed, listed, orders };
}
