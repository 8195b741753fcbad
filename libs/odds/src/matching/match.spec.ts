import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  decodeOddsResponse,
  EventMatchInputError,
  KALSHI_TEAM_ALIASES,
  matchKalshiEvents,
  normalizeTeamName,
  parseMatchOverrides,
  teamNameSimilarity,
  type KalshiEventMatch,
  type KalshiGameMarket,
  type MatchedKalshiEvent,
  type OddsApiEvent,
  type UnmatchedKalshiEvent,
} from '../index';

// repo root is four levels up from libs/odds/src/matching
const CAPTURE = path.resolve(__dirname, '../../../../data/samples/theoddsapi-sportsbook-arb-2024-03-26/odds_h2h_us_2024-03-27T0134Z.json');

function captureEvents(): OddsApiEvent[] {
  const r = decodeOddsResponse(JSON.parse(fs.readFileSync(CAPTURE, 'utf8')));
  if (!r.ok) throw r.error;
  return r.value.events;
}
const EVENTS = captureEvents();

// ids from the capture (The Odds API, 2024-03-26/27)
const LAL_MIL = '886bd38845e7ea6f4e176309e542c6be';
const GSW_MIA = '2e87431523192387ff81ff8d741a0be0';
const DAL_SAC = '87fb380f7aa6e45faabc77b765e9be26';
const PHI_NYR = '3155054ddb303037fc92da88afdb5509';
const NJ_TOR = 'd1f15b98e1c054ad0c73cfa280200f30';
const MTL_COL = 'e5e12b53bda84093e0f0c7463245657e';
const VGK_NSH = '7687e7cbdb2cd554b0e010203f54f6e7';
const CAR_PIT = 'e6c1d2dad6a7cbe1185c564f97ff920c';
const ANA_SEA = '0e69213b86179a316d5ff07156473587';
const CIN_INST = 'bba512d6caaa3535eca70ab42e18a01d';

/** Kalshi's two game-winner markets of one game, named the way Kalshi names them (away first). */
function game(series: string, datePart: string, away: [string, string], home: [string, string], extra: Partial<KalshiGameMarket> = {}): KalshiGameMarket[] {
  const eventTicker = `${series}-${datePart}${away[0]}${home[0]}`;
  const title = `${away[1]} at ${home[1]} Winner?`;
  return [away, home].map(([code, name]) => ({ eventTicker, marketTicker: `${eventTicker}-${code}`, seriesTicker: series, title, yesSubTitle: name, ...extra }));
}

const NBA = 'KXNBAGAME';
const NHL = 'KXNHLGAME';

const byTicker = (results: KalshiEventMatch[], t: string): KalshiEventMatch => {
  const r = results.find((x) => x.eventTicker === t);
  if (r === undefined) throw new Error(`no result for ${t}`);
  return r;
};
const matched = (r: KalshiEventMatch): MatchedKalshiEvent => {
  if (r.status !== 'matched') throw new Error(`expected matched, got ${JSON.stringify(r)}`);
  return r;
};
const unmatchedOf = (r: KalshiEventMatch): UnmatchedKalshiEvent => {
  if (r.status !== 'unmatched') throw new Error(`expected unmatched, got ${JSON.stringify(r)}`);
  return r;
};

describe('alias tables', () => {
  it('NBA has 30 teams, NHL 32 plus the Arizona Coyotes', () => {
    expect(KALSHI_TEAM_ALIASES.basketball_nba).toHaveLength(30);
    expect(KALSHI_TEAM_ALIASES.icehockey_nhl).toHaveLength(33);
  });

  it('every NBA/NHL team of the real capture is a canonical name of the table (Odds API spelling)', () => {
    for (const sport of ['basketball_nba', 'icehockey_nhl']) {
      const names = new Set(KALSHI_TEAM_ALIASES[sport].map((t) => t.name));
      const teams = EVENTS.filter((e) => e.sportKey === sport).flatMap((e) => [e.homeTeam, e.awayTeam]);
      expect(teams.filter((t) => !names.has(t as string))).toEqual([]);
    }
  });

  it('indexing rejects a code that would denote two teams, naming the field', () => {
    const bad = { icehockey_nhl: [...KALSHI_TEAM_ALIASES.icehockey_nhl, { name: 'Quebec Nordiques', codes: ['TOR'], names: [] }] };
    expect(() => matchKalshiEvents([], [], { teamTable: bad })).toThrow(EventMatchInputError);
    expect(() => matchKalshiEvents([], [], { teamTable: bad })).toThrow(/teamTable\.icehockey_nhl\[33\]\.codes\[0\]/);
  });
});

describe('normalizeTeamName / teamNameSimilarity', () => {
  it('folds case, punctuation, accents, st/state/saint', () => {
    expect(normalizeTeamName('Montréal Canadiens')).toBe('montreal canadiens');
    expect(normalizeTeamName('St. Louis')).toBe(normalizeTeamName('St Louis'));
    expect(normalizeTeamName('St. Louis')).toBe('saint louis');
    expect(normalizeTeamName('Indiana St.')).toBe('indiana state');
    expect(normalizeTeamName('Texas A&M-CC')).toBe('texas a and m cc');
    expect(normalizeTeamName('  --  ')).toBe('');
  });

  it('similarity: 1 - normalised edit distance, or against the leading words of a longer name', () => {
    expect(teamNameSimilarity('nashvile', 'nashville')).toBeCloseTo(1 - 1 / 9, 10);
    expect(teamNameSimilarity('indiana state', 'indiana state sycamores')).toBe(1);
    expect(teamNameSimilarity('', '')).toBe(0);
  });
});

describe('matchKalshiEvents on the real Odds API capture (2024-03-26 NBA/NHL slate)', () => {
  const markets = [
    ...game(NBA, '24MAR26', ['LAL', 'Los Angeles L'], ['MIL', 'Milwaukee']),
    ...game(NBA, '24MAR26', ['DAL', 'Dallas'], ['SAC', 'Sacramento']), // 02:10Z on the 27th = 22:10 EDT on the 26th
    ...game(NHL, '24MAR26', ['PHI', 'Philadelphia'], ['NYR', 'New York R']),
    ...game(NHL, '24MAR26', ['NJ', 'New Jersey'], ['TOR', 'Toronto']), // Kalshi's 2-letter NHL codes
    ...game(NHL, '24MAR26', ['MTL', 'Montreal'], ['COL', 'Colorado']),
  ];
  const report = matchKalshiEvents(markets, EVENTS);

  it('matches every game by alias, with confidence 1 and the market → outcome mapping', () => {
    expect(report.results.map((r) => r.status)).toEqual(['matched', 'matched', 'matched', 'matched', 'matched']);
    const lal = matched(byTicker(report.results, 'KXNBAGAME-24MAR26LALMIL'));
    expect(lal).toMatchObject({ oddsEventId: LAL_MIL, how: 'alias', confidence: 1, sportKey: 'basketball_nba', commenceTsMs: Date.parse('2024-03-26T23:35:32Z') });
    expect(lal.outcomes).toEqual([
      { marketTicker: 'KXNBAGAME-24MAR26LALMIL-LAL', outcomeName: 'Los Angeles Lakers', side: 'away' },
      { marketTicker: 'KXNBAGAME-24MAR26LALMIL-MIL', outcomeName: 'Milwaukee Bucks', side: 'home' },
    ]);
    expect(matched(byTicker(report.results, 'KXNBAGAME-24MAR26DALSAC')).oddsEventId).toBe(DAL_SAC);
    expect(matched(byTicker(report.results, 'KXNHLGAME-24MAR26PHINYR')).oddsEventId).toBe(PHI_NYR);
    expect(matched(byTicker(report.results, 'KXNHLGAME-24MAR26NJTOR')).oddsEventId).toBe(NJ_TOR);
    const mtl = matched(byTicker(report.results, 'KXNHLGAME-24MAR26MTLCOL'));
    expect(mtl.oddsEventId).toBe(MTL_COL);
    expect(mtl.outcomes[1]).toEqual({ marketTicker: 'KXNHLGAME-24MAR26MTLCOL-MTL', outcomeName: 'Montréal Canadiens', side: 'away' });
    expect(report.unusedOverrides).toEqual([]);
  });

  it('a misspelt name with an unknown code matches fuzzily, with the similarity as confidence', () => {
    const r = matched(byTicker(matchKalshiEvents(game(NHL, '24MAR26', ['VGK', 'Vegas'], ['NASH', 'Nashvile']), EVENTS).results, 'KXNHLGAME-24MAR26VGKNASH'));
    expect(r).toMatchObject({ oddsEventId: VGK_NSH, how: 'fuzzy' });
    expect(r.confidence).toBeCloseTo(1 - 1 / 9, 10);
    expect(r.teams.find((t) => t.code === 'NASH')).toMatchObject({ how: 'fuzzy', oddsName: 'Nashville Predators', kalshiName: 'Nashvile' });
  });

  it('a sport without a table (NCAAB) matches a shortened school name fuzzily against the Odds API names', () => {
    const r = matched(matchKalshiEvents(game('KXNCAAMBGAME', '24MAR26', ['CIN', 'Cincinnati'], ['INST', 'Indiana St.']), EVENTS).results[0]);
    expect(r).toMatchObject({ oddsEventId: CIN_INST, how: 'fuzzy', sportKey: 'basketball_ncaab' });
    expect(r.outcomes.map((o) => o.outcomeName)).toEqual(['Cincinnati Bearcats', 'Indiana St Sycamores']);
  });

  it('a wrong date is unmatched with the window reason (nearest event named), never matched to the other day', () => {
    const r = unmatchedOf(matchKalshiEvents(game(NBA, '24MAR28', ['GSW', 'Golden State'], ['MIA', 'Miami']), EVENTS).results[0]);
    expect(r.reason.code).toBe('outside_window');
    expect(r.reason.message).toContain(GSW_MIA);
    expect(r.reason.message).toContain('none within 12 h of 2024-03-28T16:00:00.000Z');
  });

  it('startTsMs, when given, is the reference instead of the ticker date', () => {
    const ok = matchKalshiEvents(game(NBA, '24MAR26', ['GSW', 'Golden State'], ['MIA', 'Miami'], { startTsMs: Date.parse('2024-03-26T23:40:00Z') }), EVENTS, { windowMs: 3_600_000 });
    expect(matched(ok.results[0]).oddsEventId).toBe(GSW_MIA);
    const miss = matchKalshiEvents(game(NBA, '24MAR26', ['GSW', 'Golden State'], ['MIA', 'Miami'], { startTsMs: Date.parse('2024-03-26T20:00:00Z') }), EVENTS, { windowMs: 3_600_000 });
    expect(unmatchedOf(miss.results[0]).reason.code).toBe('outside_window');
  });

  it('two Odds API events of the same teams in the window (synthetic doubleheader) are ambiguous, not guessed', () => {
    const base = EVENTS.find((e) => e.id === CAR_PIT) as OddsApiEvent;
    const second = { ...base, id: 'synthetic-game-2', commenceTsMs: base.commenceTsMs + 3 * 3_600_000 };
    const mk = game(NHL, '24MAR26', ['CAR', 'Carolina'], ['PIT', 'Pittsburgh']);
    const r = matchKalshiEvents(mk, [...EVENTS, second]).results[0];
    expect(r.status).toBe('ambiguous');
    if (r.status !== 'ambiguous') return;
    expect(r.candidates.map((c) => c.oddsEventId)).toEqual([CAR_PIT, 'synthetic-game-2']);
    expect(r.reason).toContain('add an override');
    // an override settles it
    const o = matched(matchKalshiEvents(mk, [...EVENTS, second], { overrides: { 'KXNHLGAME-24MAR26CARPIT': 'synthetic-game-2' } }).results[0]);
    expect(o).toMatchObject({ oddsEventId: 'synthetic-game-2', how: 'override', confidence: 1 });
  });

  it('an override wins over everything, with explicit outcomes or outcomes from the teams', () => {
    const mk = game(NHL, '24MAR26', ['ANA', 'Anaheim'], ['SEA', 'Seattle']);
    const plain = matched(matchKalshiEvents(mk, EVENTS, { overrides: { 'KXNHLGAME-24MAR26ANASEA': ANA_SEA } }).results[0]);
    expect(plain).toMatchObject({ how: 'override', oddsEventId: ANA_SEA });
    expect(plain.outcomes.map((o) => [o.outcomeName, o.side])).toEqual([
      ['Anaheim Ducks', 'away'],
      ['Seattle Kraken', 'home'],
    ]);
    // a Kalshi event the matcher cannot resolve (unknown team) is still matched by an override with outcomes
    const odd = game(NHL, '24MAR26', ['XX', 'Mighty Ducks'], ['YY', 'Emerald City']);
    const explicit = matched(
      matchKalshiEvents(odd, EVENTS, {
        overrides: parseMatchOverrides({ 'KXNHLGAME-24MAR26XXYY': { oddsEventId: ANA_SEA, outcomes: { 'KXNHLGAME-24MAR26XXYY-XX': 'Anaheim Ducks', 'KXNHLGAME-24MAR26XXYY-YY': 'Seattle Kraken' } } }),
      }).results[0],
    );
    expect(explicit.outcomes).toEqual([
      { marketTicker: 'KXNHLGAME-24MAR26XXYY-XX', outcomeName: 'Anaheim Ducks', side: 'away' },
      { marketTicker: 'KXNHLGAME-24MAR26XXYY-YY', outcomeName: 'Seattle Kraken', side: 'home' },
    ]);
    // without outcomes, the same override is reported, not guessed
    const noOutcomes = unmatchedOf(matchKalshiEvents(odd, EVENTS, { overrides: { 'KXNHLGAME-24MAR26XXYY': ANA_SEA } }).results[0]);
    expect(noOutcomes.reason.code).toBe('override_invalid_outcomes');
    // outcome names must be the event's teams
    const wrong = unmatchedOf(
      matchKalshiEvents(odd, EVENTS, { overrides: { 'KXNHLGAME-24MAR26XXYY': { oddsEventId: ANA_SEA, outcomes: { 'KXNHLGAME-24MAR26XXYY-XX': 'Anaheim', 'KXNHLGAME-24MAR26XXYY-YY': 'Seattle Kraken' } } } }).results[0],
    );
    expect(wrong.reason).toMatchObject({ code: 'override_invalid_outcomes' });
    expect(wrong.reason.message).toContain('"Anaheim" is not a team of');
  });

  it('an override with an unknown Odds API id is reported; an override for no Kalshi event is listed as unused', () => {
    const mk = game(NBA, '24MAR26', ['LAL', 'Los Angeles L'], ['MIL', 'Milwaukee']);
    const rep = matchKalshiEvents(mk, EVENTS, { overrides: { 'KXNBAGAME-24MAR26LALMIL': 'no-such-id', 'KXNBAGAME-24MAR30BOSNYK': LAL_MIL } });
    const r = unmatchedOf(rep.results[0]);
    expect(r.reason.code).toBe('override_unknown_odds_event');
    expect(r.reason.message).toContain('no-such-id');
    expect(rep.unusedOverrides).toEqual(['KXNBAGAME-24MAR30BOSNYK']);
  });

  it('a team not in the table and too far for fuzzy is unmatched, naming the team', () => {
    const r = unmatchedOf(matchKalshiEvents(game(NHL, '24MAR26', ['QUE', 'Quebec'], ['BOS', 'Boston']), EVENTS).results[0]);
    expect(r.reason).toMatchObject({ code: 'team_unresolved', team: 'Quebec (QUE)' });
    expect(r.reason.message).toContain('not in the icehockey_nhl alias table');
  });

  it('a bare "New York" in the NHL is ambiguous between Rangers and Islanders: reported, not guessed', () => {
    const r = unmatchedOf(matchKalshiEvents(game(NHL, '24MAR26', ['PHI', 'Philadelphia'], ['NWY', 'New York']), EVENTS).results[0]);
    expect(r.reason.code).toBe('team_ambiguous');
    expect(r.reason.message).toMatch(/New York (Islanders|Rangers).*New York (Islanders|Rangers)/);
  });

  it('a code and a name that denote different teams are a conflict', () => {
    const r = unmatchedOf(matchKalshiEvents(game(NBA, '24MAR26', ['LAL', 'Los Angeles C'], ['MIL', 'Milwaukee']), EVENTS).results[0]);
    expect(r.reason).toMatchObject({ code: 'team_conflict', team: 'Los Angeles C (LAL)' });
  });

  it('an unknown series, a one-market event and teams with no Odds API game are unmatched with their reasons', () => {
    const rep = matchKalshiEvents(
      [...game('KXCURLGAME', '24MAR26', ['AAA', 'A'], ['BBB', 'B']), game(NBA, '24MAR26', ['BOS', 'Boston'], ['NYK', 'New York'])[0], ...game(NBA, '24MAR26', ['UTA', 'Utah'], ['DEN', 'Denver'])],
      EVENTS,
    );
    expect(rep.results.map((r) => (r.status === 'unmatched' ? r.reason.code : r.status))).toEqual(['unknown_series', 'bad_event_shape', 'no_odds_event']);
  });

  it('with an empty yes_sub_title the title side given by the ticker order names the team (playoff "Game N:" prefix too)', () => {
    const mk = game(NBA, '24MAR26', ['LAL', 'Los Angeles L'], ['MIL', 'Milwaukee']).map((m) => ({ ...m, yesSubTitle: '', title: 'Game 3: Los Angeles L at Milwaukee Winner?' }));
    const r = matched(matchKalshiEvents(mk, EVENTS).results[0]);
    expect(r.teams.map((t) => t.kalshiName)).toEqual(['Los Angeles L', 'Milwaukee']);
  });

  it('an MLB ticker with an ET start time (HHMM) is the reference, with US DST', () => {
    const odds: OddsApiEvent = { id: 'mlb1', sportKey: 'baseball_mlb', sportTitle: 'MLB', commenceTsMs: Date.parse('2026-05-09T20:10:00Z'), homeTeam: 'Miami Marlins', awayTeam: 'Washington Nationals', bookmakers: [] };
    const mk = game('KXMLBGAME', '26MAY091610', ['WSH', 'Washington'], ['MIA', 'Miami']);
    // 16:10 EDT = 20:10Z: within a 1-minute window
    expect(matched(matchKalshiEvents(mk, [odds], { windowMs: 60_000 }).results[0]).how).toBe('fuzzy');
    // in January (EST) the same wall time is 21:10Z
    const jan = game('KXMLBGAME', '26JAN091610', ['WSH', 'Washington'], ['MIA', 'Miami']);
    expect(matched(matchKalshiEvents(jan, [{ ...odds, commenceTsMs: Date.parse('2026-01-09T21:10:00Z') }], { windowMs: 60_000 }).results[0]).oddsEventId).toBe('mlb1');
  });
});

describe('input errors name the field', () => {
  const ok = game(NBA, '24MAR26', ['LAL', 'Los Angeles L'], ['MIL', 'Milwaukee']);

  it('a market ticker not under its event ticker', () => {
    const bad = [ok[0], { ...ok[1], marketTicker: 'KXNBAGAME-24MAR27LALMIL-MIL' }];
    expect(() => matchKalshiEvents(bad, EVENTS)).toThrow(EventMatchInputError);
    expect(() => matchKalshiEvents(bad, EVENTS)).toThrow(/^kalshiMarkets\[1\]\.marketTicker: expected/);
  });

  it('duplicate market tickers, duplicate Odds API ids, bad options, malformed overrides', () => {
    expect(() => matchKalshiEvents([ok[0], ok[0]], EVENTS)).toThrow(/kalshiMarkets\[1\]\.marketTicker: expected a unique market ticker/);
    expect(() => matchKalshiEvents(ok, [EVENTS[0], EVENTS[0]])).toThrow(/oddsEvents\[1\]\.id/);
    expect(() => matchKalshiEvents(ok, EVENTS, { windowMs: -1 })).toThrow(/options\.windowMs/);
    expect(() => matchKalshiEvents(ok, EVENTS, { minSimilarity: 0 })).toThrow(/options\.minSimilarity/);
    expect(() => parseMatchOverrides({ X: { oddsEventId: 3 } })).toThrow(/overrides\.X\.oddsEventId: expected a non-empty string, got 3/);
    expect(() => parseMatchOverrides([])).toThrow(EventMatchInputError);
    expect(() => parseMatchOverrides({ X: { oddsEventId: 'a', outcomes: { m: '' } } })).toThrow(/overrides\.X\.outcomes\.m/);
  });
});

describe('property: matching does not depend on the order of the input lists', () => {
  const base = EVENTS.find((e) => e.id === CAR_PIT) as OddsApiEvent;
  const odds = [...EVENTS, { ...base, id: 'synthetic-game-2', commenceTsMs: base.commenceTsMs + 3 * 3_600_000 }];
  const markets = [
    ...game(NBA, '24MAR26', ['LAL', 'Los Angeles L'], ['MIL', 'Milwaukee']),
    ...game(NBA, '24MAR28', ['GSW', 'Golden State'], ['MIA', 'Miami']),
    ...game(NBA, '24MAR26', ['OKC', 'Oklahoma City'], ['NOP', 'New Orleans']),
    ...game(NHL, '24MAR26', ['CAR', 'Carolina'], ['PIT', 'Pittsburgh']),
    ...game(NHL, '24MAR26', ['VGK', 'Vegas'], ['NASH', 'Nashvile']),
    ...game(NHL, '24MAR26', ['QUE', 'Quebec'], ['BOS', 'Boston']),
    ...game(NHL, '24MAR26', ['CGY', 'Calgary'], ['CHI', 'Chicago']),
    ...game(NHL, '24MAR26', ['ANA', 'Anaheim'], ['SEA', 'Seattle']),
    ...game('KXNCAAMBGAME', '24MAR26', ['CIN', 'Cincinnati'], ['INST', 'Indiana St.']),
  ];
  const overrides = { 'KXNHLGAME-24MAR26ANASEA': ANA_SEA, 'KXNBAGAME-24MAR30BOSNYK': 'nope' };
  const expected = matchKalshiEvents(markets, odds, { overrides });

  it('baseline has every kind of result', () => {
    expect(new Set(expected.results.map((r) => r.status))).toEqual(new Set(['matched', 'unmatched', 'ambiguous']));
    expect(expected.results).toHaveLength(9);
  });

  it('shuffling the Kalshi markets and the Odds API events gives the same report', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(markets, { minLength: markets.length, maxLength: markets.length }),
        fc.shuffledSubarray(odds, { minLength: odds.length, maxLength: odds.length }),
        (ms, os) => {
          expect(matchKalshiEvents(ms, os, { overrides })).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });
});
