/**
 * Team alias tables: the names and ticker codes Kalshi uses for a team → the team as The Odds API spells it.
 *
 * Shape: `TeamAliasTable = { [oddsSportKey]: TeamAliasEntry[] }`, one entry per team:
 * - `name`: the team exactly as The Odds API v4 spells it in `home_team`/`away_team` and h2h outcome names
 *   (e.g. `Montréal Canadiens` with the accent, `St Louis Blues` without a dot: seen in the bundled capture
 *   `data/samples/theoddsapi-sportsbook-arb-2024-03-26` and in Odds API responses);
 * - `codes`: Kalshi ticker codes (the suffix of a market ticker, e.g. `LAL` in `KXNBAGAME-24MAR26LALMIL-LAL`),
 *   upper case; several per team where Kalshi or other feeds use more than one (NHL `TB`/`TBL`);
 * - `names`: other spellings that denote the team: Kalshi's short names (`yes_sub_title`, the sides of the market
 *   title: `Los Angeles L`, `New York R`), older or alternative Odds API spellings (`Utah Hockey Club`).
 *   Matching normalises names (see `normalizeTeamName`), so case, punctuation and accents need no extra entries.
 *
 * Sources: Kalshi game tickers/titles seen in public code (`KXNBAGAME-26APR10PHXLAL-LAL`, title
 * `Phoenix at Los Angeles L Winner?`, yes_sub_title `Los Angeles L`; NHL `KXNHLGAME-26OCT01TBNYR-TB`,
 * `KXNHLGAME-26OCT01PHINJ-PHI`, `KXNHLGAME-26FEB28EDMSJ-EDM` `Edmonton at San Jose Winner?`). Codes and short
 * names not seen there follow the league's standard abbreviations and city names (assumed, marked by nothing
 * else: when Kalshi differs, the fuzzy step or an override catches it and the table gets the new entry).
 *
 * To extend: add an entry (or a code/name to one) in the const below, or pass your own table to
 * `matchKalshiEvents({ teamTable: { ...KALSHI_TEAM_ALIASES, basketball_wnba: [...] } })`. A code or name that
 * would denote two teams of one sport is rejected when the table is indexed (`EventMatchInputError`).
 */

/** One team of an alias table. */
export interface TeamAliasEntry {
  /** The Odds API spelling (canonical). */
  readonly name: string;
  /** Kalshi ticker codes, upper case. */
  readonly codes: readonly string[];
  /** Other names: Kalshi short names, alternative/former Odds API spellings. */
  readonly names: readonly string[];
}

/** Alias table: Odds API sport key → teams. */
export type TeamAliasTable = Readonly<Record<string, readonly TeamAliasEntry[]>>;

const t = (name: string, codes: readonly string[], names: readonly string[]): TeamAliasEntry => ({ name, codes, names });

/** NBA: 30 teams. */
const NBA: readonly TeamAliasEntry[] = [
  t('Atlanta Hawks', ['ATL'], ['Atlanta']),
  t('Boston Celtics', ['BOS'], ['Boston']),
  t('Brooklyn Nets', ['BKN', 'BRK', 'BK'], ['Brooklyn']),
  t('Charlotte Hornets', ['CHA', 'CHO'], ['Charlotte']),
  t('Chicago Bulls', ['CHI'], ['Chicago']),
  t('Cleveland Cavaliers', ['CLE'], ['Cleveland']),
  t('Dallas Mavericks', ['DAL'], ['Dallas']),
  t('Denver Nuggets', ['DEN'], ['Denver']),
  t('Detroit Pistons', ['DET'], ['Detroit']),
  t('Golden State Warriors', ['GSW', 'GS'], ['Golden State']),
  t('Houston Rockets', ['HOU'], ['Houston']),
  t('Indiana Pacers', ['IND'], ['Indiana']),
  t('Los Angeles Clippers', ['LAC'], ['Los Angeles C', 'LA Clippers']),
  t('Los Angeles Lakers', ['LAL'], ['Los Angeles L', 'LA Lakers']),
  t('Memphis Grizzlies', ['MEM'], ['Memphis']),
  t('Miami Heat', ['MIA'], ['Miami']),
  t('Milwaukee Bucks', ['MIL'], ['Milwaukee']),
  t('Minnesota Timberwolves', ['MIN'], ['Minnesota']),
  t('New Orleans Pelicans', ['NOP', 'NO'], ['New Orleans']),
  t('New York Knicks', ['NYK', 'NY'], ['New York']),
  t('Oklahoma City Thunder', ['OKC'], ['Oklahoma City']),
  t('Orlando Magic', ['ORL'], ['Orlando']),
  t('Philadelphia 76ers', ['PHI'], ['Philadelphia']),
  t('Phoenix Suns', ['PHX', 'PHO'], ['Phoenix']),
  t('Portland Trail Blazers', ['POR'], ['Portland']),
  t('Sacramento Kings', ['SAC'], ['Sacramento']),
  t('San Antonio Spurs', ['SAS', 'SA'], ['San Antonio']),
  t('Toronto Raptors', ['TOR'], ['Toronto']),
  t('Utah Jazz', ['UTA', 'UTAH'], ['Utah']),
  t('Washington Wizards', ['WAS', 'WSH'], ['Washington']),
];

/** NHL: 32 current teams plus the Arizona Coyotes (2023-24 and earlier, e.g. the bundled capture). */
const NHL: readonly TeamAliasEntry[] = [
  t('Anaheim Ducks', ['ANA'], ['Anaheim']),
  t('Arizona Coyotes', ['ARI', 'ARZ'], ['Arizona']),
  t('Boston Bruins', ['BOS'], ['Boston']),
  t('Buffalo Sabres', ['BUF'], ['Buffalo']),
  t('Calgary Flames', ['CGY', 'CAL'], ['Calgary']),
  t('Carolina Hurricanes', ['CAR'], ['Carolina']),
  t('Chicago Blackhawks', ['CHI'], ['Chicago']),
  t('Colorado Avalanche', ['COL'], ['Colorado']),
  t('Columbus Blue Jackets', ['CBJ', 'CLB'], ['Columbus']),
  t('Dallas Stars', ['DAL'], ['Dallas']),
  t('Detroit Red Wings', ['DET'], ['Detroit']),
  t('Edmonton Oilers', ['EDM'], ['Edmonton']),
  t('Florida Panthers', ['FLA'], ['Florida']),
  t('Los Angeles Kings', ['LA', 'LAK'], ['Los Angeles', 'LA Kings']),
  t('Minnesota Wild', ['MIN'], ['Minnesota']),
  t('Montréal Canadiens', ['MTL', 'MON'], ['Montreal']),
  t('Nashville Predators', ['NSH', 'NAS'], ['Nashville']),
  t('New Jersey Devils', ['NJ', 'NJD'], ['New Jersey']),
  t('New York Islanders', ['NYI'], ['New York I', 'NY Islanders']),
  t('New York Rangers', ['NYR'], ['New York R', 'NY Rangers']),
  t('Ottawa Senators', ['OTT'], ['Ottawa']),
  t('Philadelphia Flyers', ['PHI'], ['Philadelphia']),
  t('Pittsburgh Penguins', ['PIT'], ['Pittsburgh']),
  t('San Jose Sharks', ['SJ', 'SJS'], ['San Jose']),
  t('Seattle Kraken', ['SEA'], ['Seattle']),
  t('St Louis Blues', ['STL'], ['St. Louis', 'Saint Louis']),
  t('Tampa Bay Lightning', ['TB', 'TBL'], ['Tampa Bay']),
  t('Toronto Maple Leafs', ['TOR'], ['Toronto']),
  t('Utah Mammoth', ['UTA', 'UTAH'], ['Utah', 'Utah Hockey Club']),
  t('Vancouver Canucks', ['VAN'], ['Vancouver']),
  t('Vegas Golden Knights', ['VGK', 'VEG'], ['Vegas']),
  t('Washington Capitals', ['WSH', 'WAS'], ['Washington']),
  t('Winnipeg Jets', ['WPG', 'WIN'], ['Winnipeg']),
];

/**
 * The default alias tables, by Odds API sport key. Complete for `basketball_nba` (30) and `icehockey_nhl` (32 + the
 * Arizona Coyotes); other sports have no table yet and match by the fuzzy step against the Odds API team names only.
 */
export const KALSHI_TEAM_ALIASES: TeamAliasTable = {
  basketball_nba: NBA,
  icehockey_nhl: NHL,
};

/**
 * Kalshi game-winner series → Odds API sport key. Sources: Kalshi series tickers `KXNBAGAME`, `KXNFLGAME`,
 * `KXMLBGAME`, `KXNHLGAME` seen in public event tickers (`KXMLBGAME-26MAY091610WSHMIA`, `KXNFLGAME-25DEC07LAARI`);
 * `KXNCAAMBGAME`, `KXNCAAFGAME`, `KXWNBAGAME` assumed by the same pattern. Sport keys: The Odds API v4 sports list.
 * Extend with `matchKalshiEvents({ seriesSports: { ...KALSHI_GAME_SERIES_SPORTS, KXFOO: 'foo_sport' } })`.
 */
export const KALSHI_GAME_SERIES_SPORTS: Readonly<Record<string, string>> = {
  KXNBAGAME: 'basketball_nba',
  KXNFLGAME: 'americanfootball_nfl',
  KXMLBGAME: 'baseball_mlb',
  KXNHLGAME: 'icehockey_nhl',
  KXNCAAMBGAME: 'basketball_ncaab',
  KXNCAAFGAME: 'americanfootball_ncaaf',
  KXWNBAGAME: 'basketball_wnba',
};
