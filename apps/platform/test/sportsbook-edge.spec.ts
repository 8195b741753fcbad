/**
 * Sportsbook edge end to end over real sockets (issue #5, detection half): the live mock exchange lists Kalshi NHL and
 * NBA game markets for the events of the real The Odds API capture, the house quoting every market around the
 * sportsbook consensus (2 cents either side) except ONE market mis-priced 5 cents below fair. The platform's own
 * pieces then run on what the exchange serves over REST: event matching (libs/odds), consensus per matched event,
 * SportsbookEdgeDetector (libs/strategy) fed the served order books. Oracle: exactly one signal, on that market's
 * YES side at the mis-priced ask, with the net edge computed by hand below.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startExchange, type RunningExchange } from '@kalshi-platform/feature-exchange';
import { decodeOrderbook, KalshiRestClient } from '@kalshi-platform/kalshi';
import { consensus, decodeOddsResponse, eventQuotes, matchKalshiEvents, type KalshiGameMarket } from '@kalshi-platform/odds';
import { fairValuesFromMatch, SportsbookEdgeDetector, type SportsbookSignalV1 } from '@kalshi-platform/strategy';

const ODDS = resolve(__dirname, '../../../data/samples/theoddsapi-sportsbook-arb-2024-03-26/odds_h2h_us_2024-03-27T0134Z.json');
const MISPRICED = 'KXNHLGAME-24MAR26PHINYR-NYR';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('sportsbook edge against the live mock venue', () => {
  let ex: RunningExchange;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sportsbook-edge-'));
    ex = await startExchange({
      host: '127.0.0.1',
      port: 0,
      mode: 'live',
      logger: false,
      rateLimits: false,
      credentialsOut: join(dir, 'c.json'),
      gamesFromOdds: ODDS,
      gamesOptions: { edgeFor: (t) => (t === MISPRICED ? 5 : undefined) },
    });
  });
  afterAll(async () => {
    await ex?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('matches every game, and the detector signals exactly the mis-priced market', async () => {
    const rest = new KalshiRestClient({ baseUrl: ex.restUrl });
    const events: Json[] = [];
    for (const series of ['KXNHLGAME', 'KXNBAGAME']) events.push(...(await rest.getAll<Json>('events', 'events', { series_ticker: series, with_nested_markets: true, limit: 200 })));
    const markets: KalshiGameMarket[] = events.flatMap((e) => e.markets.map((m: Json) => ({ eventTicker: m.event_ticker, marketTicker: m.ticker, seriesTicker: e.series_ticker, title: m.title, yesSubTitle: m.yes_sub_title })));
    expect(events.length).toBe(16);

    const decoded = decodeOddsResponse(readFileSync(ODDS, 'utf8'));
    if (!decoded.ok) throw decoded.error;
    const oddsEvents = decoded.value.events;
    const report = matchKalshiEvents(markets, oddsEvents);
    expect(report.results.map((r) => r.status)).toEqual(Array(16).fill('matched'));

    const observedTsMs = Math.max(...oddsEvents.flatMap((e) => e.bookmakers.map((b) => b.lastUpdateMs)));
    const detector = new SportsbookEdgeDetector({ minEdgeTicks: 100, maxOddsAgeMs: 3_600_000, ttlMs: 30_000, bankrollMicros: 1_000_000_000, kellyFraction: 0.5 });
    let fairNyr = 0;
    for (const r of report.results) {
      if (r.status !== 'matched') continue;
      let c;
      try {
        c = consensus(eventQuotes(oddsEvents.find((e) => e.id === r.oddsEventId)!));
      } catch {
        continue; // books disagree (the in-play Florida-Boston game): no fair value, no signal
      }
      const entries = fairValuesFromMatch(r, c, observedTsMs);
      fairNyr = entries.find((e) => e.marketTicker === MISPRICED)?.fairYes ?? fairNyr;
      expect(detector.setFairValues(entries, observedTsMs)).toEqual([]); // no book seen yet
    }

    const signals: SportsbookSignalV1[] = [];
    for (const m of markets) {
      const ob = decodeOrderbook(await rest.get(`markets/${m.marketTicker}/orderbook`));
      if (!ob.ok) throw ob.error;
      const best = (levels: Array<[number, number]>) => levels[levels.length - 1] ?? [-1, 0];
      const [yesBid, yesBidSize] = best(ob.value.yes);
      const [noBid, noBidSize] = best(ob.value.no);
      signals.push(...detector.onQuote({ marketTicker: m.marketTicker, yesBidTicks: yesBid, yesBidSizeCentis: yesBidSize, noBidTicks: noBid, noBidSizeCentis: noBidSize }, observedTsMs + 1_000));
    }

    // NYR consensus: (232/263 + 13336/15103)/2 = 0.882566 (libs/odds consensus.spec) -> fair 88 cents; the ask sits
    // 5 cents below it at 0.83. Fee at 0.83 = ceil(0.07 x 0.83 x 0.17 = 0.009877) = 0.0099. Net edge = 0.882566 -
    // 0.83 - 0.0099 = 0.042666 = 426.66 ticks (>= the 100-tick threshold). Every other market is quoted at least
    // 1.5 cents above fair on both sides, so nothing else clears the fee.
    expect(fairNyr).toBeCloseTo(0.882566, 6);
    expect(signals).toHaveLength(1);
    const s = signals[0];
    expect(s).toMatchObject({ v: 1, kind: 'sportsbook_edge', marketTicker: MISPRICED, side: 'yes', action: 'buy', priceTicks: 8300 });
    expect(s.netEdgeTicks).toBeCloseTo(426.66, 1);
    expect(s.sizeCentis).toBeGreaterThan(0);
    expect(s.expiresTsMs - s.createdTsMs).toBe(30_000);
    expect(s.id).toBe(`sbe1:${MISPRICED}:yes:8300:${observedTsMs}`);
  });
});
