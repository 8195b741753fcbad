/**
 * Detection's trading signals end to end over real sockets (issue #5 item 5): the live mock exchange lists the Kalshi
 * NHL/NBA game markets of the real The Odds API capture, the house quoting them around the sportsbook consensus except
 * KXNHLGAME-24MAR26PHINYR-NYR, 5 cents below fair (as in apps/platform/test/sportsbook-edge.spec.ts, which computes the
 * edge by hand). The detection module runs as the app does (NestJS, in-process bus, embedded DuckDB tick store) with
 * that capture as its odds file; it loads the reference data over REST, matches, and gets every game market's top of
 * book, read from the exchange's REST order books and published as BboV1 on the bus.
 * Oracle: exactly one `sportsbook_edge` SignalV1, on that market's YES at 0.83, net edge 426.66 ticks, id
 * `sbe1:<market>:yes:8300:<odds observed at load time>`, not re-emitted by the same quote within its TTL, stored in
 * `trade_signals`; 16 events matched. The same mis-pricing makes the PHI/NYR game a YES basket under $1 (0.83 + 0.14):
 * one `basket_yes` arbitrage signal too.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';
import { busRequest, createBusClient, createBusServer, decodeSignalV1, InProcessBroker, subjects, type BboV1, type BusTransport, type SignalV1 } from '@kalshi-platform/bus';
import { startExchange, type RunningExchange } from '@kalshi-platform/feature-exchange';
import { DETECTION_SPORTSBOOK_SUBJECT, DetectionModule, DetectionService, type DetectionConfig, type DetectionSportsbookReport } from '@kalshi-platform/feature-detection';
import { decodeOrderbook, KalshiRestClient } from '@kalshi-platform/kalshi';
import { openTickStore, type DuckDbTickStore } from '@kalshi-platform/storage';

const ODDS = resolve(__dirname, '../../../data/samples/theoddsapi-sportsbook-arb-2024-03-26/odds_h2h_us_2024-03-27T0134Z.json');
const MISPRICED = 'KXNHLGAME-24MAR26PHINYR-NYR';
const GAME = 'KXNHLGAME-24MAR26PHINYR';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('detection publishes and stores sportsbook-edge and arbitrage signals against the live mock venue', () => {
  let ex: RunningExchange;
  let dir: string;
  let app: INestMicroservice;
  let store: DuckDbTickStore;
  const broker = new InProcessBroker({ cloneMessages: true });
  const transport: BusTransport = { kind: 'in-process', broker };
  const signals: SignalV1[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'detection-signals-'));
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
    store = (await openTickStore({ backend: 'embedded', path: join(dir, 'ticks.duckdb'), questdbAddr: 'localhost:9000' }, { flushIntervalMs: 0 })) as DuckDbTickStore;
    broker.subscribe(subjects.signalAll, (_s, d) => signals.push(d as SignalV1));
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await ex?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one sportsbook_edge signal for the mis-priced market (decodable, stored), none again within the TTL; 16 events matched', async () => {
    const cfg: DetectionConfig = {
      restUrl: ex.restUrl,
      takerFeeBps: 700,
      feeRoundingTicks: 1,
      sportsbook: { oddsFile: ODDS, minEdgeTicks: 100, maxOddsAgeMs: 3_600_000, ttlMs: 30_000, bankrollMicros: 1_000_000_000, kellyFraction: 0.5 },
    };
    app = await NestFactory.createMicroservice(DetectionModule.forRoot(cfg, transport, { tickStore: store }), { strategy: createBusServer(transport), logger: ['error', 'warn'] });
    const svc = app.get(DetectionService);
    const before = Date.now();
    await svc.loadReferenceData();
    const after = Date.now();
    await app.listen();

    const client = createBusClient(transport);
    const report = await busRequest<DetectionSportsbookReport>(client, DETECTION_SPORTSBOOK_SUBJECT);
    expect(report).toMatchObject({ v: 1, enabled: true, source: 'file', kalshi: { gameEvents: 16, gameMarkets: 32, skippedMarkets: 0 }, matching: { matched: 16, unmatched: 0, ambiguous: 0, problems: [] } });
    expect(report.odds).toMatchObject({ loads: 1, errors: 0, lastError: null });
    // books that disagree (the in-play Florida-Boston game) give no fair value: skipped and said why
    expect(report.consensus.skipped).toBeGreaterThanOrEqual(1);
    expect(report.consensus.problems.map((p) => p.eventTicker)).toContain('KXNHLGAME-24MAR26BOSFLA');
    expect(report.consensus.events + report.consensus.skipped).toBe(16);
    // a saved response is replayed as if fetched at load time: that is the observation time
    const observedTsMs = report.odds.observedTsMs!;
    expect(observedTsMs).toBeGreaterThanOrEqual(before);
    expect(observedTsMs).toBeLessThanOrEqual(after);

    // every game market's top of book, from the exchange's REST order book, as the ticker plant would publish it
    const rest = new KalshiRestClient({ baseUrl: ex.restUrl });
    const tickers: string[] = [];
    for (const series of ['KXNHLGAME', 'KXNBAGAME']) {
      for (const e of await rest.getAll<Json>('events', 'events', { series_ticker: series, with_nested_markets: true, limit: 200 })) tickers.push(...e.markets.map((m: Json) => m.ticker as string));
    }
    expect(tickers).toHaveLength(32);
    const tsMs = observedTsMs + 1_000;
    const bbos = new Map<string, BboV1>();
    for (const t of tickers) {
      const ob = decodeOrderbook(await rest.get(`markets/${t}/orderbook`));
      if (!ob.ok) throw ob.error;
      const best = (levels: Array<[number, number]>) => levels[levels.length - 1] ?? [0, 0];
      const [yesBidTicks, yesBidSizeCentis] = best(ob.value.yes);
      const [noBidTicks, noBidSizeCentis] = best(ob.value.no);
      bbos.set(t, { v: 1, marketTicker: t, valid: true, yesBidTicks, yesBidSizeCentis, noBidTicks, noBidSizeCentis, tsMs });
    }
    for (const [t, b] of bbos) await lastValueFrom(client.emit(subjects.book(0, 'bbo', t), b), { defaultValue: undefined });
    await waitFor(() => svc.status().consumed === 32);

    const sbe = signals.filter((s) => s.kind === 'sportsbook_edge');
    expect(sbe).toHaveLength(1);
    const s = decodeSignalV1(sbe[0]);
    expect(s).toMatchObject({
      v: 1,
      id: `sbe1:${MISPRICED}:yes:8300:${observedTsMs}`,
      legs: [{ marketTicker: MISPRICED, eventTicker: GAME, side: 'yes', action: 'buy', priceTicks: 8300 }],
      createdTsMs: tsMs,
      expiresTsMs: tsMs + 30_000,
      source: { oddsEventId: '3155054ddb303037fc92da88afdb5509', oddsObservedTsMs: observedTsMs },
    });
    // fair 0.882566 - ask 0.83 - fee 0.0099 = 0.042666 (hand computation: apps/platform/test/sportsbook-edge.spec.ts)
    expect(s.fairTicks!).toBeCloseTo(8825.66, 1);
    expect(s.netEdgeTicks).toBeCloseTo(426.66, 1);
    expect(s.grossEdgeTicks).toBeCloseTo(525.66, 1);
    expect(s.legs[0].sizeCentis).toBeGreaterThan(0);
    expect(s.confidence).toBeGreaterThan(0);
    expect(s.confidence).toBeLessThanOrEqual(1);

    // the mis-pricing also makes the game's YES basket cost 0.97: one arbitrage signal, two legs
    const arb = signals.filter((x) => x.kind !== 'sportsbook_edge');
    expect(arb.map((x) => [x.kind, x.id, x.legs.map((l) => [l.marketTicker, l.priceTicks, l.sizeCentis])])).toEqual([
      ['basket_yes', `arb1:basket_yes|${GAME}|${MISPRICED}/yes,${GAME}-PHI/yes:${tsMs}`, [[MISPRICED, 8300, 100], [`${GAME}-PHI`, 1400, 100]]],
    ]);
    expect(decodeSignalV1(arb[0])).toMatchObject({ fairTicks: null, grossEdgeTicks: 300, confidence: 1, expiresTsMs: tsMs + 5_000 });

    // the same quote again, within the TTL: no new signal
    await lastValueFrom(client.emit(subjects.book(0, 'bbo', MISPRICED), { ...bbos.get(MISPRICED)!, tsMs: tsMs + 1_000 }), { defaultValue: undefined });
    await waitFor(() => svc.status().consumed === 33);
    expect(signals.filter((x) => x.kind === 'sportsbook_edge')).toHaveLength(1);
    const counted = await busRequest<DetectionSportsbookReport>(client, DETECTION_SPORTSBOOK_SUBJECT);
    expect(counted.signals).toMatchObject({ published: { sportsbook_edge: 1, basket_yes: 1 }, invalid: 0 });
    expect(counted.quotes).toEqual({ evaluated: 33, rejected: 0 });

    // stored: one trade_signals row per leg, the sportsbook one with the signal's exact values
    await store.flush();
    expect(await store.countRows('trade_signals')).toBe(3);
    const [row] = await store.query(
      `SELECT * EXCLUDE (ts, expires_ts), epoch_ms(expires_ts) AS expires_ts, epoch_ms(ts) AS ts FROM trade_signals WHERE kind = 'sportsbook_edge'`,
    );
    expect(row).toEqual({
      signal_id: s.id,
      kind: 'sportsbook_edge',
      leg: 0n,
      market_ticker: MISPRICED,
      event_ticker: GAME,
      side: 'yes',
      action: 'buy',
      price_ticks: 8300n,
      size_centis: BigInt(s.legs[0].sizeCentis),
      fair_ticks: s.fairTicks,
      gross_edge_ticks: s.grossEdgeTicks,
      net_edge_ticks: s.netEdgeTicks,
      confidence: s.confidence,
      expires_ts: BigInt(s.expiresTsMs),
      reasons: JSON.stringify(s.reasons),
      source: JSON.stringify(s.source),
      ts: BigInt(s.createdTsMs),
    });
    expect(svc.status()).toMatchObject({ ticksWritten: 3 + 1, ticksRefused: 0 }); // + the basket's arb_opportunities row
    await client.close();
  }, 60_000);
});

async function waitFor(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
