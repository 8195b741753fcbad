import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeSignalV1, InProcessBroker, InProcessClient, OpportunityEventV1, subjects, type SignalV1 } from '@kalshi-platform/bus';
import type { KalshiEvent } from '@kalshi-platform/kalshi';
import type { TickRow, TickStore, TradeSignalRow } from '@kalshi-platform/storage';
import { detectionConfigFromEnv, type DetectionConfig } from './detection.config';
import { DetectionService, toEventRef } from './detection.service';
import { signalToRows } from './signals';

const ODDS = resolve(__dirname, '../../../data/samples/theoddsapi-sportsbook-arb-2024-03-26/odds_h2h_us_2024-03-27T0134Z.json');
const NYR = 'KXNHLGAME-24MAR26PHINYR-NYR';

/** A TickStore that keeps what it is given (the real stores are tested in libs/storage and apps/detection). */
function memoryStore(): TickStore & { rows: TickRow[] } {
  const rows: TickRow[] = [];
  return {
    backend: 'embedded',
    rows,
    stats: {} as TickStore['stats'],
    write: (r: TickRow) => {
      rows.push(r);
      return true;
    },
    flush: async () => undefined,
    close: async () => undefined,
  };
}

function bus(): { client: InProcessClient; signals: SignalV1[]; opportunities: OpportunityEventV1[] } {
  const broker = new InProcessBroker({ cloneMessages: true });
  const signals: SignalV1[] = [];
  const opportunities: OpportunityEventV1[] = [];
  broker.subscribe(subjects.signalAll, (_s, d) => signals.push(d as SignalV1));
  broker.subscribe(subjects.opportunityAll, (_s, d) => opportunities.push(d as OpportunityEventV1));
  return { client: new InProcessClient(broker), signals, opportunities };
}

const bbo = (marketTicker: string, yesBidTicks: number, noBidTicks: number, tsMs: number, size = 10_000) => ({ v: 1, marketTicker, valid: true, yesBidTicks, yesBidSizeCentis: size, noBidTicks, noBidSizeCentis: size, tsMs });

describe('detection configuration', () => {
  const base = { KALSHI_REST_URL: 'http://x' };
  const sb = { ...base, DETECTION_ODDS_FILE: '/tmp/odds.json', SPORTSBOOK_BANKROLL_DOLLARS: '1000' };

  it('defaults to Kalshi taker fees rounded to $0.0001, one-contract 5 s arbitrage signals, no sportsbook; names bad variables', () => {
    expect(detectionConfigFromEnv(base)).toEqual({ restUrl: 'http://x', takerFeeBps: 700, feeRoundingTicks: 1, arbSignalSizeCentis: 100, arbSignalTtlMs: 5000 });
    expect(() => detectionConfigFromEnv({})).toThrow(/KALSHI_REST_URL is required/);
    expect(() => detectionConfigFromEnv({ KALSHI_REST_URL: 'x', DETECTION_FEE_ROUNDING_TICKS: '0' })).toThrow(/DETECTION_FEE_ROUNDING_TICKS must be >= 1/);
    expect(() => detectionConfigFromEnv({ KALSHI_REST_URL: 'x', DETECTION_TAKER_FEE_BPS: '-1' })).toThrow(/DETECTION_TAKER_FEE_BPS/);
    expect(detectionConfigFromEnv({ ...base, DETECTION_ARB_SIGNAL_SIZE: '2.5', DETECTION_ARB_SIGNAL_TTL_MS: '1500' })).toMatchObject({ arbSignalSizeCentis: 250, arbSignalTtlMs: 1500 });
    expect(() => detectionConfigFromEnv({ ...base, DETECTION_ARB_SIGNAL_SIZE: '0' })).toThrow(/DETECTION_ARB_SIGNAL_SIZE must be > 0 contracts/);
    expect(() => detectionConfigFromEnv({ ...base, DETECTION_ARB_SIGNAL_SIZE: '1.234' })).toThrow(/DETECTION_ARB_SIGNAL_SIZE must be a number of contracts with at most 2 decimals/);
    expect(() => detectionConfigFromEnv({ ...base, DETECTION_ARB_SIGNAL_TTL_MS: '0' })).toThrow(/DETECTION_ARB_SIGNAL_TTL_MS must be >= 1/);
  });

  it('parses the sportsbook settings exactly (dollars to ticks/micros, contracts to centis)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'detection-cfg-'));
    try {
      const overrides = join(dir, 'overrides.json');
      writeFileSync(overrides, JSON.stringify({ 'KXNHLGAME-24MAR26PHINYR': '3155054ddb303037fc92da88afdb5509' }));
      const cfg = detectionConfigFromEnv({
        ...sb,
        SPORTSBOOK_BANKROLL_DOLLARS: '1000.50',
        SPORTSBOOK_MIN_EDGE: '0.0125',
        SPORTSBOOK_MIN_CONFIDENCE: '0.3',
        SPORTSBOOK_MAX_ODDS_AGE_MS: '60000',
        SPORTSBOOK_TTL_MS: '15000',
        SPORTSBOOK_KELLY_FRACTION: '0.5',
        SPORTSBOOK_MAX_CONTRACTS: '12.5',
        SPORTSBOOK_MAX_MARKET_DOLLARS: '250',
        DETECTION_MATCH_OVERRIDES: overrides,
      });
      expect(cfg.sportsbook).toEqual({
        oddsFile: '/tmp/odds.json',
        minEdgeTicks: 125,
        minConfidence: 0.3,
        maxOddsAgeMs: 60_000,
        ttlMs: 15_000,
        bankrollMicros: 1_000_500_000,
        kellyFraction: 0.5,
        maxContractsCentis: 1250,
        maxMarketCostMicros: 250_000_000,
        matchOverrides: { 'KXNHLGAME-24MAR26PHINYR': '3155054ddb303037fc92da88afdb5509' },
      });
      expect(detectionConfigFromEnv(sb).sportsbook).toEqual({ oddsFile: '/tmp/odds.json', minEdgeTicks: 100, minConfidence: 0, maxOddsAgeMs: 300_000, ttlMs: 30_000, bankrollMicros: 1_000_000_000, kellyFraction: 0.25 });
      const api = detectionConfigFromEnv({ ...base, ODDS_API_KEY: 'k', ODDS_SPORTS: 'basketball_nba, icehockey_nhl', ODDS_POLL_S: '30', ODDS_REGIONS: 'us,us2', ODDS_API_BASE_URL: 'http://127.0.0.1:9', SPORTSBOOK_BANKROLL_DOLLARS: '100' });
      expect(api.sportsbook?.oddsApi).toEqual({ apiKey: 'k', sports: ['basketball_nba', 'icehockey_nhl'], regions: ['us', 'us2'], pollMs: 30_000, baseUrl: 'http://127.0.0.1:9' });
      writeFileSync(overrides, '{"X": {"oddsEventId": 3}}');
      expect(() => detectionConfigFromEnv({ ...sb, DETECTION_MATCH_OVERRIDES: overrides })).toThrow(/DETECTION_MATCH_OVERRIDES .*overrides\.X\.oddsEventId/);
      expect(() => detectionConfigFromEnv({ ...sb, DETECTION_MATCH_OVERRIDES: join(dir, 'missing.json') })).toThrow(/DETECTION_MATCH_OVERRIDES: cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each<[Record<string, string>, RegExp]>([
    [{ ...base, ODDS_API_KEY: 'k', DETECTION_ODDS_FILE: 'f', SPORTSBOOK_BANKROLL_DOLLARS: '1' }, /DETECTION_ODDS_FILE and ODDS_API_KEY are both set/],
    [{ ...base, SPORTSBOOK_MIN_EDGE: '0.01' }, /SPORTSBOOK_MIN_EDGE is set but sportsbook edge is off/],
    [{ ...base, ODDS_API_KEY: 'k', SPORTSBOOK_BANKROLL_DOLLARS: '1' }, /ODDS_SPORTS is required with ODDS_API_KEY/],
    [{ ...base, ODDS_API_KEY: 'k', ODDS_SPORTS: 'NBA!', SPORTSBOOK_BANKROLL_DOLLARS: '1' }, /ODDS_SPORTS must be a comma-separated list/],
    [{ ...base, ODDS_API_KEY: 'k', ODDS_SPORTS: 'basketball_nba', ODDS_POLL_S: '0', SPORTSBOOK_BANKROLL_DOLLARS: '1' }, /ODDS_POLL_S must be >= 1/],
    [{ ...base, ODDS_API_KEY: 'k', ODDS_SPORTS: 'basketball_nba', ODDS_API_BASE_URL: 'ftp://x', SPORTSBOOK_BANKROLL_DOLLARS: '1' }, /ODDS_API_BASE_URL must be an http\(s\) URL/],
    [{ ...base, DETECTION_ODDS_FILE: 'f', ODDS_POLL_S: '5', SPORTSBOOK_BANKROLL_DOLLARS: '1' }, /ODDS_POLL_S is only used with ODDS_API_KEY/],
    [{ ...base, DETECTION_ODDS_FILE: 'f' }, /SPORTSBOOK_BANKROLL_DOLLARS is required/],
    [{ ...sb, SPORTSBOOK_BANKROLL_DOLLARS: '1,000' }, /SPORTSBOOK_BANKROLL_DOLLARS must be a non-negative dollar amount with at most 6 decimals, got "1,000"/],
    [{ ...sb, SPORTSBOOK_BANKROLL_DOLLARS: '-5' }, /SPORTSBOOK_BANKROLL_DOLLARS must be a non-negative dollar amount/],
    [{ ...sb, SPORTSBOOK_MIN_EDGE: '0.00001' }, /SPORTSBOOK_MIN_EDGE must be a non-negative dollar amount with at most 4 decimals, got "0.00001"/],
    [{ ...sb, SPORTSBOOK_MIN_EDGE: '1e-2' }, /SPORTSBOOK_MIN_EDGE must be/],
    [{ ...sb, SPORTSBOOK_KELLY_FRACTION: '0' }, /SPORTSBOOK_KELLY_FRACTION must be a decimal in \(0,1\]/],
    [{ ...sb, SPORTSBOOK_KELLY_FRACTION: '1.5' }, /SPORTSBOOK_KELLY_FRACTION must be a decimal in \(0,1\]/],
    [{ ...sb, SPORTSBOOK_KELLY_FRACTION: 'half' }, /SPORTSBOOK_KELLY_FRACTION/],
    [{ ...sb, SPORTSBOOK_MIN_CONFIDENCE: '2' }, /SPORTSBOOK_MIN_CONFIDENCE must be a decimal in \[0,1\]/],
    [{ ...sb, SPORTSBOOK_TTL_MS: '0' }, /SPORTSBOOK_TTL_MS must be >= 1/],
    [{ ...sb, SPORTSBOOK_MAX_ODDS_AGE_MS: '1.5' }, /SPORTSBOOK_MAX_ODDS_AGE_MS must be a non-negative integer/],
    [{ ...sb, SPORTSBOOK_MAX_CONTRACTS: '0' }, /SPORTSBOOK_MAX_CONTRACTS must be > 0 contracts/],
    [{ ...sb, SPORTSBOOK_MAX_MARKET_DOLLARS: 'lots' }, /SPORTSBOOK_MAX_MARKET_DOLLARS must be a non-negative dollar amount/],
  ])('refuses %j', (env, message) => {
    expect(() => detectionConfigFromEnv(env)).toThrow(message);
  });
});

describe('DetectionService', () => {
  const cfg: DetectionConfig = { restUrl: 'http://unused', takerFeeBps: 700, feeRoundingTicks: 1 };
  /** reference data: one event (not mutually exclusive: no baskets) listing the test markets */
  const KX = [
    {
      eventTicker: 'KX',
      seriesTicker: 'KXS',
      title: 'test',
      mutuallyExclusive: false,
      markets: ['KX-A', 'KX-B', 'KX-C', 'KX-OTHER'].map((ticker) => ({ ticker, eventTicker: 'KX', status: 'active' })),
    },
  ] as unknown as KalshiEvent[];

  it('turns BBO messages into opportunity events on the bus, and stale books close them', () => {
    const { client, opportunities: out } = bus();
    const svc = new DetectionService(cfg, client);
    // a crossed book: YES bid 0.55 + NO bid 0.47 = 1.02 > $1 -> cross, gross 0.0200
    svc.onBbo({ v: 1, marketTicker: 'KX-A', valid: true, yesBidTicks: 5500, yesBidSizeCentis: 100, noBidTicks: 4700, noBidSizeCentis: 100, tsMs: 100 });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ v: 1, type: 'opened', kind: 'cross', openedTsMs: 100, closedTsMs: null, maxGrossEdgeTicks: 200 });
    svc.onBbo({ v: 1, marketTicker: 'KX-A', valid: false, yesBidTicks: -1, yesBidSizeCentis: 0, noBidTicks: -1, noBidSizeCentis: 0, tsMs: 101 });
    expect(out[1]).toMatchObject({ type: 'closed', kind: 'cross', closedTsMs: 101 });
    svc.onBbo({ v: 2 });
    expect(svc.status()).toMatchObject({ consumed: 3, rejected: 1, openEpisodes: 0, episodes: 1 });
  });

  it('signals an arbitrage episode once when it opens with a positive net edge, and stores a row per leg', () => {
    const { client, signals, opportunities } = bus();
    const store = memoryStore();
    const svc = new DetectionService({ ...cfg, arbSignalSizeCentis: 300, arbSignalTtlMs: 2000 }, client, store);
    svc.setReferenceData(KX);
    // gross 0.02 is eaten by the fees (0.0175 + 0.0174): an episode, no signal
    svc.onBbo(bbo('KX-A', 5500, 4700, 100));
    expect(opportunities).toHaveLength(1);
    expect(signals).toEqual([]);
    expect(svc.signalCounts()).toMatchObject({ published: {}, arbNotPositive: 1 });
    // YES bid 0.60 + NO bid 0.50: buy YES at 0.50 and NO at 0.40, gross 0.1000, fees 0.0175 + 0.0168 -> net 0.0657
    svc.onBbo(bbo('KX-B', 6000, 5000, 200));
    expect(signals).toHaveLength(1);
    const s = decodeSignalV1(signals[0]);
    const ep = opportunities[1];
    expect(s).toEqual({
      v: 1,
      id: `arb1:${ep.key}:200`,
      kind: 'cross',
      legs: [
        { marketTicker: 'KX-B', eventTicker: ep.eventTicker, side: 'yes', action: 'buy', priceTicks: 5000, sizeCentis: 300 },
        { marketTicker: 'KX-B', eventTicker: ep.eventTicker, side: 'no', action: 'buy', priceTicks: 4000, sizeCentis: 300 },
      ],
      fairTicks: null,
      grossEdgeTicks: 1000,
      netEdgeTicks: 657,
      confidence: 1,
      reasons: expect.arrayContaining([expect.stringContaining('gross edge 0.1000 per set, net 0.0657 after Kalshi taker fees')]),
      createdTsMs: 200,
      expiresTsMs: 2200,
      source: { episodeKey: ep.key, openedTsMs: 200 },
    });
    // an update of the same episode (a better edge) is not a new signal
    svc.onBbo(bbo('KX-B', 6100, 5000, 300));
    expect(opportunities.at(-1)).toMatchObject({ type: 'updated' });
    expect(signals).toHaveLength(1);
    const rows = store.rows.filter((r): r is TradeSignalRow => r.table === 'trade_signals');
    expect(rows).toEqual(signalToRows(s));
    expect(rows.map((r) => [r.leg, r.side, r.priceTicks, r.sizeCentis, r.fairTicks, r.ts, r.expiresTs])).toEqual([
      [0, 'yes', 5000, 300, null, 200, 2200],
      [1, 'no', 4000, 300, null, 200, 2200],
    ]);
    expect(JSON.parse(rows[0].reasons)).toEqual(s.reasons);
    expect(JSON.parse(rows[0].source!)).toEqual(s.source);
    expect(svc.status()).toMatchObject({ ticksWritten: store.rows.length, ticksRefused: 0 });
    expect(svc.sportsbookReport()).toMatchObject({ v: 1, enabled: false, signals: { published: { cross: 1 }, arbNotPositive: 1, invalid: 0 } });
    // a market of no known event: its legs would have no eventTicker, so the signal is counted and not sent
    svc.onBbo(bbo('KX-NOWHERE', 6000, 5000, 400));
    expect(signals).toHaveLength(1);
    expect(svc.signalCounts()).toMatchObject({ invalid: 1 });
  });

  it('holds the signal of an episode opened before any exchange time until the first one (deterministic id), drops it if it closes first', () => {
    const { client, signals } = bus();
    const store = memoryStore();
    const svc = new DetectionService(cfg, client, store);
    svc.setReferenceData(KX);
    svc.onBbo(bbo('KX-B', 6000, 5000, 0)); // snapshot: no exchange time
    expect(signals).toEqual([]);
    expect(svc.signalCounts().arbHeld).toBe(1);
    svc.onBbo(bbo('KX-OTHER', 4000, 5000, 1_700_000_000_500));
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ createdTsMs: 1_700_000_000_500, expiresTsMs: 1_700_000_005_500, source: { openedTsMs: 1_700_000_000_500 } });
    expect(signals[0].id).toMatch(/^arb1:.*:1700000000500$/);
    // the arb_opportunities row of that opening carries the same time
    expect(store.rows.find((r) => r.table === 'arb_opportunities')).toMatchObject({ openedTs: 1_700_000_000_500 });

    svc.onBbo(bbo('KX-C', 6000, 5000, 0));
    svc.onBbo({ v: 1, marketTicker: 'KX-C', valid: false, yesBidTicks: -1, yesBidSizeCentis: 0, noBidTicks: -1, noBidSizeCentis: 0, tsMs: 0 });
    svc.onBbo(bbo('KX-OTHER', 4000, 5000, 1_700_000_001_000));
    expect(signals).toHaveLength(1);
    expect(svc.signalCounts()).toMatchObject({ arbHeld: 0, arbDroppedUnsent: 1 });
  });

  it('maps Kalshi events to the detector reference data', () => {
    const e = {
      eventTicker: 'KXBTCD-26JUL0317',
      seriesTicker: 'KXBTCD',
      title: 't',
      mutuallyExclusive: false,
      markets: [{ ticker: 'KXBTCD-26JUL0317-T60499.99', eventTicker: 'KXBTCD-26JUL0317', strikeType: 'greater', floorStrike: 60499.99 }],
    } as unknown as KalshiEvent;
    expect(toEventRef(e)).toEqual({
      eventTicker: 'KXBTCD-26JUL0317',
      seriesTicker: 'KXBTCD',
      mutuallyExclusive: false,
      markets: [{ marketTicker: 'KXBTCD-26JUL0317-T60499.99', eventTicker: 'KXBTCD-26JUL0317', strikeType: 'greater', floorStrike: 60499.99, capStrike: undefined }],
    });
  });
});

/**
 * Sportsbook edge with live odds: a loopback stand-in of The Odds API v4 (`GET /v4/sports/<sport>/odds`, serving the
 * real capture for icehockey_nhl and a 401 for basketball_nba) and of Kalshi's `GET /events` (three NHL games as
 * Kalshi names them, one with an unknown team, plus a non-game event). The client, the matching, the consensus and
 * the detector are the real ones.
 */
describe('DetectionService with sportsbook edge from The Odds API (loopback stand-ins)', () => {
  const T0 = 1_711_500_000_000;
  let clock = T0;
  let odds: Server;
  let kalshi: Server;
  let oddsUrl: string;
  let kalshiUrl: string;
  const oddsRequests: string[] = [];
  const capture = readFileSync(ODDS, 'utf8');

  const market = (event: string, code: string, title: string, sub: string, status = 'active') => ({
    ticker: `${event}-${code}`,
    event_ticker: event,
    status,
    title,
    yes_sub_title: sub,
    yes_bid_dollars: '0.0000',
    yes_ask_dollars: '0.0000',
    no_bid_dollars: '0.0000',
    no_ask_dollars: '0.0000',
  });
  const game = (event: string, away: [string, string], home: [string, string]) => ({
    event_ticker: event,
    series_ticker: 'KXNHLGAME',
    title: `${away[1]} at ${home[1]}`,
    mutually_exclusive: true,
    markets: [market(event, away[0], `${away[1]} at ${home[1]} Winner?`, away[1]), market(event, home[0], `${away[1]} at ${home[1]} Winner?`, home[1])],
  });
  const EVENTS = [
    game('KXNHLGAME-24MAR26PHINYR', ['PHI', 'Philadelphia'], ['NYR', 'New York R']),
    game('KXNHLGAME-24MAR26BOSFLA', ['BOS', 'Boston'], ['FLA', 'Florida']), // in play: the books disagree
    game('KXNHLGAME-24MAR26QUEMTL', ['QUE', 'Quebec'], ['MTL', 'Montreal']), // no such team
    { event_ticker: 'KXBTCD-24MAR26', series_ticker: 'KXBTCD', title: 'Bitcoin', mutually_exclusive: false, markets: [market('KXBTCD-24MAR26', 'T1', 'BTC', '')] },
  ];

  beforeAll(async () => {
    odds = createServer((req, res) => {
      oddsRequests.push(req.url ?? '');
      const headers = { 'content-type': 'application/json', 'x-requests-remaining': '100', 'x-requests-used': '1', 'x-requests-last': '1' };
      if (req.url?.startsWith('/v4/sports/icehockey_nhl/odds?')) {
        res.writeHead(200, headers).end(capture);
      } else {
        res.writeHead(401, headers).end(JSON.stringify({ message: 'API key is not valid', error_code: 'INVALID_KEY' }));
      }
    });
    kalshi = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.url?.startsWith('/trade-api/v2/events') ? { events: EVENTS, cursor: '' } : {}));
    });
    await Promise.all([new Promise<void>((r) => odds.listen(0, '127.0.0.1', r)), new Promise<void>((r) => kalshi.listen(0, '127.0.0.1', r))]);
    oddsUrl = `http://127.0.0.1:${(odds.address() as AddressInfo).port}`;
    kalshiUrl = `http://127.0.0.1:${(kalshi.address() as AddressInfo).port}/trade-api/v2`;
  });
  afterAll(async () => {
    await Promise.all([new Promise((r) => odds.close(r)), new Promise((r) => kalshi.close(r))]);
  });

  it('polls, matches, signals the mis-priced market once per observation, and reports the matching', async () => {
    const { client, signals } = bus();
    const store = memoryStore();
    const svc = new DetectionService(
      {
        restUrl: kalshiUrl,
        takerFeeBps: 700,
        feeRoundingTicks: 1,
        sportsbook: {
          oddsApi: { apiKey: 'secret-key', sports: ['icehockey_nhl', 'basketball_nba'], pollMs: 60_000, baseUrl: oddsUrl },
          minEdgeTicks: 100,
          maxOddsAgeMs: 120_000,
          ttlMs: 30_000,
          bankrollMicros: 1_000_000_000,
          kellyFraction: 0.5,
        },
      },
      client,
      store,
      () => clock,
    );
    try {
      expect(await svc.loadReferenceData()).toBe(4);
      expect(oddsRequests.map((u) => u.slice(0, u.indexOf('?')))).toEqual(['/v4/sports/icehockey_nhl/odds', '/v4/sports/basketball_nba/odds']);
      const report = svc.sportsbookReport();
      expect(report).toMatchObject({
        enabled: true,
        source: 'api',
        odds: { loads: 1, errors: 1, observedTsMs: T0, events: 28 }, // the whole capture (every sport) is served
        kalshi: { gameEvents: 3, gameMarkets: 6, skippedMarkets: 0 },
        matching: { matched: 2, unmatched: 1, ambiguous: 0, byReason: { team_unresolved: 1 } },
        consensus: { events: 1, skipped: 1 },
        fairValues: 2,
      });
      expect(report.odds.lastError).toMatch(/basketball_nba: .*401/);
      expect(report.odds.lastError).not.toContain('secret-key');
      expect(report.matching.problems).toEqual([{ eventTicker: 'KXNHLGAME-24MAR26QUEMTL', status: 'unmatched', code: 'team_unresolved', reason: expect.stringContaining('Quebec') }]);
      expect(report.consensus.problems).toEqual([{ eventTicker: 'KXNHLGAME-24MAR26BOSFLA', oddsEventId: 'e68ea688721505f9e340a01425e732cf', reason: expect.any(String) }]);

      // NYR fair 0.8826; ask 0.83 (a NO bid at 0.17): net 426.66 ticks -> one signal; PHI fairly quoted -> none
      svc.onBbo(bbo(NYR, 7900, 1700, T0 + 1000, 50_000));
      svc.onBbo(bbo('KXNHLGAME-24MAR26PHINYR-PHI', 1000, 8600, T0 + 1000, 50_000));
      const sbe = signals.filter((s) => s.kind === 'sportsbook_edge');
      expect(sbe).toHaveLength(1);
      expect(decodeSignalV1(sbe[0])).toMatchObject({
        id: `sbe1:${NYR}:yes:8300:${T0}`,
        legs: [{ marketTicker: NYR, eventTicker: 'KXNHLGAME-24MAR26PHINYR', side: 'yes', action: 'buy', priceTicks: 8300 }],
        createdTsMs: T0 + 1000,
        expiresTsMs: T0 + 31_000,
        source: { oddsEventId: '3155054ddb303037fc92da88afdb5509', oddsObservedTsMs: T0 },
      });
      expect(sbe[0].netEdgeTicks).toBeCloseTo(426.66, 1);
      expect(sbe[0].legs[0].sizeCentis).toBeGreaterThan(0);
      // the same quote within the TTL: nothing new
      svc.onBbo(bbo(NYR, 7900, 1700, T0 + 2000, 50_000));
      expect(signals.filter((s) => s.kind === 'sportsbook_edge')).toHaveLength(1);

      // a new observation (the next poll) re-evaluates the known book at once: a new id
      clock = T0 + 60_000;
      await svc.refreshOdds();
      const again = signals.filter((s) => s.kind === 'sportsbook_edge');
      expect(again.map((s) => s.id)).toEqual([`sbe1:${NYR}:yes:8300:${T0}`, `sbe1:${NYR}:yes:8300:${T0 + 60_000}`]);
      expect(again[1].createdTsMs).toBe(T0 + 60_000);
      // odds older than maxOddsAgeMs at the quote's time: nothing
      svc.onBbo(bbo(NYR, 7900, 1800, T0 + 60_000 + 120_001, 50_000));
      expect(signals.filter((s) => s.kind === 'sportsbook_edge')).toHaveLength(2);
      // an invalid BBO forgets the book (nothing to evaluate); a malformed BBO is counted and skipped, not thrown
      svc.onBbo({ v: 1, marketTicker: NYR, valid: false, yesBidTicks: -1, yesBidSizeCentis: 0, noBidTicks: -1, noBidSizeCentis: 0, tsMs: T0 + 61_000 });
      svc.onBbo(bbo(NYR, 7900, 1700.5, T0 + 61_000));
      expect(svc.status()).toMatchObject({ rejected: 1 });
      expect(svc.sportsbookReport()).toMatchObject({ quotes: { evaluated: 4, rejected: 0 }, signals: { published: { sportsbook_edge: 2 } } });
      // NYR's YES ask 0.83 + PHI's 0.14 = 0.97 < $1 in a mutually exclusive game: an arbitrage basket as well
      expect(signals.filter((s) => s.kind === 'basket_yes').map((s) => [s.id, s.legs.map((l) => l.priceTicks)])).toEqual([
        [`arb1:basket_yes|KXNHLGAME-24MAR26PHINYR|${NYR}/yes,KXNHLGAME-24MAR26PHINYR-PHI/yes:${T0 + 1000}`, [8300, 1400]],
      ]);
      const rows = store.rows.filter((r): r is TradeSignalRow => r.table === 'trade_signals' && r.kind === 'sportsbook_edge');
      expect(rows.map((r) => r.signalId)).toEqual(again.map((s) => s.id));
      expect(rows[0]).toMatchObject({ kind: 'sportsbook_edge', leg: 0, marketTicker: NYR, eventTicker: 'KXNHLGAME-24MAR26PHINYR', priceTicks: 8300, ts: T0 + 1000, expiresTs: T0 + 31_000 });
      expect(JSON.parse(rows[0].source!)).toEqual({ oddsEventId: '3155054ddb303037fc92da88afdb5509', oddsObservedTsMs: T0 });
    } finally {
      svc.onModuleDestroy();
    }
  });

  it('polls every pollMs until destroyed', async () => {
    const { client } = bus();
    oddsRequests.length = 0;
    const svc = new DetectionService(
      {
        restUrl: kalshiUrl,
        takerFeeBps: 700,
        feeRoundingTicks: 1,
        sportsbook: { oddsApi: { apiKey: 'k', sports: ['icehockey_nhl'], pollMs: 30, baseUrl: oddsUrl }, minEdgeTicks: 100, maxOddsAgeMs: 1000, ttlMs: 1000, bankrollMicros: 1_000_000, kellyFraction: 0.5 },
      },
      client,
    );
    await svc.loadReferenceData();
    const deadline = Date.now() + 5000;
    while (oddsRequests.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    svc.onModuleDestroy();
    expect(oddsRequests.length).toBeGreaterThanOrEqual(3);
    const n = oddsRequests.length;
    await new Promise((r) => setTimeout(r, 120));
    expect(oddsRequests.length).toBeLessThanOrEqual(n + 1); // at most the poll already in flight
    expect(svc.sportsbookReport().odds.loads).toBeGreaterThanOrEqual(3);
  });
});
