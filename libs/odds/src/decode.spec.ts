import * as fs from 'node:fs';
import * as path from 'node:path';
import { americanToDecimal, americanToImplied, decodeOddsResponse, eventQuotes, OddsDecodeError, parseOddsApiTime, type OddsApiResponse } from './index';

// repo is /work/main, data is /work/shared/data: four levels up from libs/odds/src
const CAPTURE = path.resolve(__dirname, '../../../../shared/data/theoddsapi-sportsbook-arb-2024-03-26/odds_h2h_us_2024-03-27T0134Z.json');
const TEXT = fs.readFileSync(CAPTURE, 'utf8');
const raw = (): unknown[] => JSON.parse(TEXT) as unknown[];

function decoded(json: unknown = raw()): OddsApiResponse {
  const r = decodeOddsResponse(json);
  if (!r.ok) throw r.error;
  return r.value;
}

function errorOf(json: unknown, format?: 'american' | 'decimal' | 'auto'): OddsDecodeError {
  const r = decodeOddsResponse(json, format === undefined ? {} : { format });
  if (r.ok) throw new Error('expected a decode error');
  return r.error;
}

describe('decodeOddsResponse on the real capture (The Odds API v4, US books, h2h, American, 2024-03-27T01:34Z)', () => {
  it('decodes all 28 events, 190 h2h markets, 14 bookmakers, as American', () => {
    const v = decoded();
    expect(v.format).toBe('american');
    expect(v.events).toHaveLength(28);
    const markets = v.events.flatMap((e) => e.bookmakers.flatMap((b) => b.markets));
    expect(markets).toHaveLength(190);
    expect(markets.every((m) => m.key === 'h2h' && m.outcomes.length === 2)).toBe(true);
    expect(new Set(v.events.flatMap((e) => e.bookmakers.map((b) => b.key))).size).toBe(14);
    const sports = new Map<string, number>();
    for (const e of v.events) sports.set(e.sportKey, (sports.get(e.sportKey) ?? 0) + 1);
    expect(Object.fromEntries(sports)).toEqual({
      icehockey_nhl: 12,
      baseball_ncaa: 6,
      basketball_nba: 4,
      basketball_ncaab: 2,
      icehockey_sweden_hockey_league: 2,
      cricket_ipl: 1,
      icehockey_sweden_allsvenskan: 1,
    });
    // the same string also decodes (JSON text is parsed first)
    expect(decoded(TEXT)).toEqual(v);
  });

  it('types the first event and converts times to epoch ms', () => {
    const e = decoded().events[0];
    expect(e).toMatchObject({
      id: '493be33adaa7bfb70e7388afb4e1867e',
      sportKey: 'baseball_ncaa',
      sportTitle: 'NCAA Baseball',
      commenceTsMs: Date.UTC(2024, 2, 26, 23, 0, 0),
      homeTeam: 'Samford Bulldogs',
      awayTeam: 'Mississippi St Bulldogs',
    });
    expect(e.bookmakers[0]).toMatchObject({ key: 'betmgm', title: 'BetMGM', lastUpdateMs: Date.UTC(2024, 2, 27, 1, 34, 27) });
    expect(e.bookmakers[0].markets[0].outcomes[0]).toEqual({ name: 'Mississippi St Bulldogs', price: -160, impliedProbability: americanToImplied(-160) });
  });

  it('keeps the market-level last_update where it differs from the bookmaker-level one', () => {
    // Indiana St vs Cincinnati, draftkings: bookmaker last_update 01:34:38, h2h market 01:34:37
    const e = decoded().events.find((x) => x.homeTeam === 'Indiana St Sycamores');
    const dk = e?.bookmakers.find((b) => b.key === 'draftkings');
    expect(dk?.lastUpdateMs).toBe(Date.UTC(2024, 2, 27, 1, 34, 38));
    expect(dk?.markets[0].lastUpdateMs).toBe(Date.UTC(2024, 2, 27, 1, 34, 37));
    if (e === undefined) throw new Error('event missing');
    expect(eventQuotes(e).find((q) => q.bookmaker === 'draftkings')?.lastUpdateMs).toBe(Date.UTC(2024, 2, 27, 1, 34, 37));
  });

  it('decodes the same response in decimal format (oddsFormat=decimal), detected or requested', () => {
    const dec = raw() as { bookmakers: { markets: { outcomes: { price: number }[] }[] }[] }[];
    for (const e of dec) for (const b of e.bookmakers) for (const m of b.markets) for (const o of m.outcomes) o.price = Math.round(americanToDecimal(o.price) * 100) / 100;
    const auto = decodeOddsResponse(dec);
    const asked = decodeOddsResponse(dec, { format: 'decimal' });
    expect(auto.ok && auto.value.format).toBe('decimal');
    expect(asked).toEqual(auto);
    if (!auto.ok) return;
    const oc = auto.value.events[0].bookmakers[0].markets[0].outcomes[0];
    expect(oc.price).toBe(1.63); // -160 → 1 + 100/160 = 1.625 → 1.63 at 2 decimals (Math.round half-up)
    expect(oc.impliedProbability).toBeCloseTo(1 / 1.63, 15);
    // the decimal prices of the capture, asked as American, fail at the first price with its path
    expect(errorOf(dec, 'american').message).toBe('[0].bookmakers[0].markets[0].outcomes[0].price: expected an integer American price (|price| >= 100), got 1.63');
  });

  it('accepts what the v4 docs allow: null teams (outrights), point, description, unix timestamps, missing market last_update', () => {
    const v = decoded([
      {
        id: 'x',
        sport_key: 'golf_masters_tournament_winner',
        sport_title: 'Masters Tournament Winner',
        commence_time: 1712880000,
        home_team: null,
        bookmakers: [
          {
            key: 'fanduel',
            title: 'FanDuel',
            last_update: '2024-03-27T01:34:27.123Z',
            markets: [{ key: 'outrights', outcomes: [{ name: 'Scottie Scheffler', price: 450, description: 'winner', point: null, link: 'https://…' }] }],
          },
        ],
      },
    ]);
    const e = v.events[0];
    expect(e.commenceTsMs).toBe(1712880000 * 1000);
    expect(e.homeTeam).toBeUndefined();
    expect(e.awayTeam).toBeUndefined();
    expect(e.bookmakers[0].lastUpdateMs).toBe(Date.UTC(2024, 2, 27, 1, 34, 27, 123));
    expect(e.bookmakers[0].markets[0].lastUpdateMs).toBe(Date.UTC(2024, 2, 27, 1, 34, 27, 123));
    expect(e.bookmakers[0].markets[0].outcomes[0]).toEqual({ name: 'Scottie Scheffler', price: 450, impliedProbability: 100 / 550, description: 'winner' });
    expect(decoded([]).events).toEqual([]);
  });
});

describe('decodeOddsResponse errors name the path and the value, never throw', () => {
  type Loose = Record<string, unknown> & { bookmakers: { markets: { outcomes: Record<string, unknown>[]; last_update?: unknown }[]; last_update?: unknown }[] };
  const mutate = (fn: (events: Loose[]) => void): unknown[] => {
    const j = raw() as Loose[];
    fn(j);
    return j;
  };

  it.each([
    ['a string price', (j: Loose[]) => (j[3].bookmakers[1].markets[0].outcomes[0].price = 'abc'), '[3].bookmakers[1].markets[0].outcomes[0].price: expected an integer American price (|price| >= 100), got "abc"'],
    ['an American price below 100', (j: Loose[]) => (j[0].bookmakers[2].markets[0].outcomes[1].price = 99), '[0].bookmakers[2].markets[0].outcomes[1].price: expected an integer American price (|price| >= 100), got 99'],
    ['a fractional American price', (j: Loose[]) => (j[0].bookmakers[2].markets[0].outcomes[1].price = -110.5), '[0].bookmakers[2].markets[0].outcomes[1].price: expected an integer American price (|price| >= 100), got -110.5'],
    ['a missing price', (j: Loose[]) => delete j[1].bookmakers[0].markets[0].outcomes[0].price, '[1].bookmakers[0].markets[0].outcomes[0].price: expected an integer American price (|price| >= 100), got undefined (missing)'],
    ['a missing outcome name', (j: Loose[]) => delete j[2].bookmakers[0].markets[0].outcomes[1].name, '[2].bookmakers[0].markets[0].outcomes[1].name: expected a non-empty string, got undefined (missing)'],
    ['a non-numeric point', (j: Loose[]) => (j[2].bookmakers[0].markets[0].outcomes[1].point = '1.5'), '[2].bookmakers[0].markets[0].outcomes[1].point: expected a finite number, got "1.5"'],
    ['an impossible date', (j: Loose[]) => (j[5].commence_time = '2024-02-30T23:30:00Z'), '[5].commence_time: expected an ISO 8601 UTC timestamp like "2024-03-27T01:34:27Z" (or Unix seconds), got "2024-02-30T23:30:00Z"'],
    ['a non-UTC date', (j: Loose[]) => (j[5].bookmakers[0].last_update = '2024-03-27T01:34:26+02:00'), '[5].bookmakers[0].last_update: expected an ISO 8601 UTC timestamp like "2024-03-27T01:34:27Z" (or Unix seconds), got "2024-03-27T01:34:26+02:00"'],
    ['a bad market last_update', (j: Loose[]) => (j[5].bookmakers[1].markets[0].last_update = true), '[5].bookmakers[1].markets[0].last_update: expected an ISO 8601 UTC timestamp like "2024-03-27T01:34:27Z" (or Unix seconds), got true'],
    ['bookmakers not an array', (j: Loose[]) => (j[7].bookmakers = {} as never), '[7].bookmakers: expected an array, got {}'],
    ['an event that is not an object', (j: Loose[]) => (j[9] = 'event' as never), '[9]: expected an object, got "event"'],
    ['an empty id', (j: Loose[]) => (j[0].id = ''), '[0].id: expected a non-empty string, got ""'],
    ['a numeric home_team', (j: Loose[]) => (j[0].home_team = 7), '[0].home_team: expected a string, got 7'],
  ])('%s', (_what, fn, message) => {
    const e = errorOf(mutate(fn as (j: Loose[]) => void));
    expect(e).toBeInstanceOf(OddsDecodeError);
    expect(e.message).toBe(message);
    expect(e.path).toBe(message.slice(0, message.indexOf(':')));
  });

  it('rejects a decimal price <= 1 in a decimal response', () => {
    const e = errorOf([{ id: 'a', sport_key: 's', sport_title: 'S', commence_time: '2024-03-27T00:00:00Z', bookmakers: [{ key: 'b', title: 'B', last_update: '2024-03-27T00:00:00Z', markets: [{ key: 'h2h', outcomes: [{ name: 'A', price: 1.5 }, { name: 'B', price: 1 }] }] }] }]);
    expect(e.message).toBe('[0].bookmakers[0].markets[0].outcomes[1].price: expected a decimal price (a finite number > 1), got 1');
  });

  it('rejects a non-array root, bad JSON text and a bad format option', () => {
    expect(errorOf({ message: 'Invalid API key' }).message).toBe('(root): expected an array of events, got {"message":"Invalid API key"}');
    expect(errorOf('[{').path).toBe('(root)');
    expect(errorOf('[{').message).toMatch(/^\(root\): expected JSON text, .* in "\[\{"$/);
    expect(errorOf([], 'fractional' as never).message).toBe('(options).format: expected "american" | "decimal" | "auto", got "fractional"');
    expect(errorOf(null).message).toBe('(root): expected an array of events, got null');
  });

  it('never throws, even on a hostile object', () => {
    const hostile = [
      Object.defineProperty({}, 'id', {
        get() {
          throw new Error('boom');
        },
        enumerable: true,
      }),
    ];
    const r = decodeOddsResponse(hostile);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe('unexpected error while decoding the odds response: boom');
  });

  it('parseOddsApiTime', () => {
    expect(parseOddsApiTime('2024-03-27T01:34:38Z')).toBe(Date.UTC(2024, 2, 27, 1, 34, 38));
    expect(parseOddsApiTime('2024-03-27T01:34:38.5Z')).toBe(Date.UTC(2024, 2, 27, 1, 34, 38, 500));
    expect(parseOddsApiTime('2024-03-27T24:00:00Z')).toBeNaN();
    expect(parseOddsApiTime('2024-03-27')).toBeNaN();
    expect(parseOddsApiTime(-1)).toBeNaN();
    expect(parseOddsApiTime(1.5)).toBeNaN();
  });
});
