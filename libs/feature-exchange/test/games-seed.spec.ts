/**
 * Game markets seeded from a sportsbook odds capture (venue/games-seed.ts): the live exchange started with
 * `gamesFromOdds` lists Kalshi-shaped NBA/NHL game events, the odds library's event matcher (the oracle) matches every
 * one back to its Odds API event with the right outcome per market, and the house quotes around the consensus.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { consensus, decodeOddsResponse, eventQuotes, matchKalshiEvents, type KalshiGameMarket, type OddsApiEvent } from '@kalshi-platform/odds';
import { startExchange, type RunningExchange } from '../src/exchange';
import { HOUSE_ACCOUNT } from '../src/venue/live-seed';
import { buildGamesSeed, easternDateCode, seededEdges } from '../src/venue/games-seed';
import type { Json } from './harness';

const ODDS = resolve(__dirname, '../../../data/samples/theoddsapi-sportsbook-arb-2024-03-26/odds_h2h_us_2024-03-27T0134Z.json');
const BODY: unknown = JSON.parse(readFileSync(ODDS, 'utf8'));
const decoded = decodeOddsResponse(BODY);
if (!decoded.ok) throw decoded.error;
const ODDS_EVENTS: OddsApiEvent[] = decoded.value.events;
const GAMES = ODDS_EVENTS.filter((e) => e.sportKey === 'icehockey_nhl' || e.sportKey === 'basketball_nba');

async function get(ex: RunningExchange, path: string): Promise<Json> {
  const r = await fetch(`${ex.restUrl}${path}`);
  expect(r.status).toBe(200);
  return r.json();
}

/** Every event of a series over `limit`-sized pages, following the cursor until it comes back empty. */
async function allEvents(ex: RunningExchange, series: string, limit: number): Promise<Json[]> {
  const out: Json[] = [];
  let cursor = '';
  let pages = 0;
  do {
    const b = await get(ex, `/events?series_ticker=${series}&with_nested_markets=true&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    out.push(...b.events);
    cursor = b.cursor;
    pages++;
  } while (cursor !== '' && pages < 100);
  return out;
}

/** REST market JSON → the matcher's input. */
const toGameMarket = (m: Json, e: Json): KalshiGameMarket => ({ eventTicker: m.event_ticker, marketTicker: m.ticker, seriesTicker: e.series_ticker, title: m.title, yesSubTitle: m.yes_sub_title });

describe('games seeded from an Odds API capture', () => {
  let ex: RunningExchange;
  beforeAll(async () => {
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, gamesFromOdds: ODDS });
  });
  afterAll(async () => {
    await ex.close();
  });

  it('the capture has 12 NHL and 4 NBA games, all on 2024-03-26 US Eastern', () => {
    expect(GAMES.filter((e) => e.sportKey === 'icehockey_nhl')).toHaveLength(12);
    expect(GAMES.filter((e) => e.sportKey === 'basketball_nba')).toHaveLength(4);
    expect(new Set(GAMES.map((e) => easternDateCode(e.commenceTsMs)))).toEqual(new Set(['24MAR26']));
    // 02:30Z on Mar 27 is 22:30 EDT on Mar 26; 03:59Z on Mar 10 (before DST) is 22:59 EST on Mar 9
    expect(easternDateCode(Date.parse('2024-03-27T02:30:00Z'))).toBe('24MAR26');
    expect(easternDateCode(Date.parse('2024-03-10T03:59:00Z'))).toBe('24MAR09');
  });

  it('GET /events?series_ticker=KXNHLGAME (paged) lists the NHL games with Kalshi tickers and titles', async () => {
    const events = await allEvents(ex, 'KXNHLGAME', 5);
    expect(events).toHaveLength(12);
    const phi = events.find((e) => e.event_ticker === 'KXNHLGAME-24MAR26PHINYR');
    expect(phi).toMatchObject({ series_ticker: 'KXNHLGAME', title: 'Philadelphia at New York R Winner?', mutually_exclusive: true, category: 'Sports' });
    expect(phi.markets.map((m: Json) => [m.ticker, m.title, m.yes_sub_title, m.status])).toEqual([
      ['KXNHLGAME-24MAR26PHINYR-PHI', 'Philadelphia at New York R Winner?', 'Philadelphia', 'active'],
      ['KXNHLGAME-24MAR26PHINYR-NYR', 'Philadelphia at New York R Winner?', 'New York R', 'active'],
    ]);
    for (const e of events) {
      expect(e.event_ticker).toMatch(/^KXNHLGAME-24MAR26[A-Z]{4,6}$/);
      expect(e.markets).toHaveLength(2);
      for (const m of e.markets) expect(m.ticker.startsWith(`${e.event_ticker}-`)).toBe(true);
    }
    expect((await allEvents(ex, 'KXNBAGAME', 200)).map((e) => e.event_ticker).sort()).toEqual([
      'KXNBAGAME-24MAR26DALSAC',
      'KXNBAGAME-24MAR26GSWMIA',
      'KXNBAGAME-24MAR26LALMIL',
      'KXNBAGAME-24MAR26OKCNOP',
    ]);
    expect((await get(ex, '/series/KXNHLGAME')).series).toMatchObject({ ticker: 'KXNHLGAME', category: 'Sports' });
  });

  it('matchKalshiEvents matches every seeded event to its odds event, with the right outcome per market', async () => {
    const events = [...(await allEvents(ex, 'KXNHLGAME', 7)), ...(await allEvents(ex, 'KXNBAGAME', 3))];
    expect(events).toHaveLength(GAMES.length);
    const markets = events.flatMap((e) => e.markets.map((m: Json) => toGameMarket(m, e)));
    const report = matchKalshiEvents(markets, ODDS_EVENTS);
    expect(report.results).toHaveLength(16);
    const seed = buildGamesSeed(BODY);
    const expected = new Map(seed.markets.map((m) => [m.ref.ticker, m]));
    const matchedIds = new Set<string>();
    for (const r of report.results) {
      expect(r).toMatchObject({ status: 'matched', how: 'alias', confidence: 1 });
      if (r.status !== 'matched') continue;
      matchedIds.add(r.oddsEventId);
      const odds = ODDS_EVENTS.find((e) => e.id === r.oddsEventId)!;
      for (const o of r.outcomes) {
        const want = expected.get(o.marketTicker)!;
        expect(r.oddsEventId).toBe(want.oddsEventId);
        expect(o.outcomeName).toBe(want.outcomeName);
        // the market's team code: away first in the event ticker
        expect(o.side).toBe(o.outcomeName === odds.homeTeam ? 'home' : 'away');
        // the away team's code comes first in the event ticker
        const code = o.marketTicker.slice(r.eventTicker.length + 1);
        const tail = r.eventTicker.slice(r.eventTicker.indexOf('-') + 8);
        expect(o.side === 'away' ? tail.startsWith(code) : tail.endsWith(code)).toBe(true);
      }
    }
    expect([...matchedIds].sort()).toEqual(GAMES.map((e) => e.id).sort());
    const phi = report.results.find((r) => r.eventTicker === 'KXNHLGAME-24MAR26PHINYR');
    expect(phi).toMatchObject({
      oddsEventId: '3155054ddb303037fc92da88afdb5509',
      outcomes: [
        { marketTicker: 'KXNHLGAME-24MAR26PHINYR-NYR', outcomeName: 'New York Rangers', side: 'home' },
        { marketTicker: 'KXNHLGAME-24MAR26PHINYR-PHI', outcomeName: 'Philadelphia Flyers', side: 'away' },
      ],
    });
  });

  it('the orderbook of a seeded market shows the house quote around the consensus', async () => {
    // PHI at NYR (odds event 3155054d…): 8 books; mybookieag (-160/+120) and bovada (-145/+110) are outliers (fair NYR
    // 0.575 / 0.554, > 0.15 from the cross-book median 0.877) and are dropped. Multiplicative fair NYR of the other 6:
    // unibet -1667/+700 → 0.9434/(0.9434+0.125) = 0.8830; draftkings -920/+550 → 0.8543; fanduel -1450/+700 → 0.8821;
    // betmgm -1400/+725 → 0.8851; williamhill -1100/+640 → 0.8715; wynnbet -2000/+775 → 0.8929. Median NYR =
    // (0.8821 + 0.8830) / 2 = 0.8826, PHI likewise 0.1174 (they sum to 1). So NYR f = 88 cents: YES bid 0.86, YES ask
    // 0.90 = NO bid 0.10; PHI f = 12 cents: YES bid 0.10, ask 0.14 = NO bid 0.86; 500 contracts each.
    const nyr = (await get(ex, '/markets/KXNHLGAME-24MAR26PHINYR-NYR/orderbook')).orderbook_fp;
    expect(nyr).toEqual({ yes_dollars: [['0.8600', '500.00']], no_dollars: [['0.1000', '500.00']] });
    const phi = (await get(ex, '/markets/KXNHLGAME-24MAR26PHINYR-PHI/orderbook')).orderbook_fp;
    expect(phi).toEqual({ yes_dollars: [['0.1000', '500.00']], no_dollars: [['0.8600', '500.00']] });
    const m = (await get(ex, '/markets/KXNHLGAME-24MAR26PHINYR-NYR')).market;
    expect([m.yes_bid_dollars, m.yes_ask_dollars]).toEqual(['0.8600', '0.9000']);
    // the resting orders are the house's
    const house = ex.venue.engine.listOrders({ accountId: HOUSE_ACCOUNT }).filter((o) => o.marketTicker.startsWith('KXNHLGAME-24MAR26PHINYR'));
    expect(house).toHaveLength(4);
  });

  it('an event without consensus (books disagree) is listed with empty books', async () => {
    // BOS at FLA: in play, the books split into two camps, so consensus() refuses (disagreement)
    const bos = ODDS_EVENTS.find((e) => e.id === 'e68ea688721505f9e340a01425e732cf')!;
    expect(() => consensus(eventQuotes(bos))).toThrow(expect.objectContaining({ code: 'disagreement' }));
    const b = await get(ex, '/events/KXNHLGAME-24MAR26BOSFLA');
    expect(b.markets.map((m: Json) => m.ticker)).toEqual(['KXNHLGAME-24MAR26BOSFLA-BOS', 'KXNHLGAME-24MAR26BOSFLA-FLA']);
    for (const m of b.markets) expect((await get(ex, `/markets/${m.ticker}/orderbook`)).orderbook_fp).toEqual({ yes_dollars: [], no_dollars: [] });
  });
});

describe('buildGamesSeed', () => {
  it('quotes every market with a consensus at fair ± 2 cents, 500 contracts, inside 1..99', () => {
    const seed = buildGamesSeed(BODY);
    expect(seed.events).toHaveLength(16);
    expect(seed.markets).toHaveLength(32);
    expect(seed.skipped).toEqual([]);
    const quoted = seed.markets.filter((m) => m.fair !== undefined);
    expect(quoted).toHaveLength(30);
    for (const m of quoted) {
      const f = Math.round(m.fair! * 100);
      expect([m.bidCents, m.askCents]).toEqual([Math.max(1, f - 2), Math.min(99, f + 2)]);
      expect(m.book).toEqual({ yes: [[m.bidCents! * 100, 50_000]], no: [[(100 - m.askCents!) * 100, 50_000]] });
    }
  });

  it('seededEdges mis-prices a deterministic subset: the ask sits `cents` below fair', () => {
    const edgeFor = seededEdges({ seed: 7, share: 0.25, cents: 3 });
    const a = buildGamesSeed(BODY, { edgeFor });
    const b = buildGamesSeed(BODY, { edgeFor: seededEdges({ seed: 7, share: 0.25, cents: 3 }) });
    const edged = a.markets.filter((m) => m.edgeCents > 0);
    expect(edged.length).toBeGreaterThan(0);
    expect(edged.length).toBeLessThan(a.markets.length);
    expect(edged.map((m) => m.ref.ticker)).toEqual(b.markets.filter((m) => m.edgeCents > 0).map((m) => m.ref.ticker));
    for (const m of edged) {
      expect(m.edgeCents).toBe(3);
      const f = Math.round(m.fair! * 100);
      expect(m.askCents).toBe(Math.max(2, f - 3));
      expect(m.askCents! / 100).toBeLessThan(m.fair!);
      expect(m.bidCents).toBeLessThan(m.askCents!);
    }
    // no consensus: no quote, so no edge either
    for (const m of a.markets.filter((x) => x.fair === undefined)) expect(m.edgeCents).toBe(0);
  });

  it('refuses a body that is not an Odds API odds response', () => {
    expect(() => buildGamesSeed({ events: [] })).toThrow(/not an Odds API odds response/);
  });
});

describe('games seed and restarts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'exchange-games-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds once: a restart replays the journal and keeps the same house orders', async () => {
    const cfg = { host: '127.0.0.1', port: 0, mode: 'live' as const, logger: false as const, dataDir: dir, gamesFromOdds: ODDS };
    const a = await startExchange(cfg);
    const before = a.venue.engine.listOrders({ accountId: HOUSE_ACCOUNT }).filter((o) => /GAME-/.test(o.marketTicker)).length;
    await a.close();
    expect(before).toBe(60);
    const b = await startExchange(cfg);
    try {
      const after = b.venue.engine.listOrders({ accountId: HOUSE_ACCOUNT }).filter((o) => /GAME-/.test(o.marketTicker)).length;
      expect(after).toBe(60);
      expect((await get(b, '/events/KXNBAGAME-24MAR26LALMIL')).markets).toHaveLength(2);
    } finally {
      await b.close();
    }
  }, 60_000);
});
