/**
 * Detection: keeps libs/strategy's ArbitrageDetector fed with every BBO change from the ticker plant and
 * publishes each episode event (opened / updated / closed) on `signal.v1.opportunity.<kind>`.
 * Reference data (events, their markets, mutual exclusivity, strikes) comes from the exchange's REST API
 * (`GET /events?with_nested_markets=true`, all pages) at start.
 * With a tick store (`TICK_STORE`), every episode event is also stored as an `arb_opportunities` row (see
 * {@link episodeToRow}); refused rows are counted in `status().ticksRefused`. Changes caused by a BBO without an
 * exchange time (ts 0, from a snapshot before any timed frame) are held and stored at the first exchange time seen,
 * with that time as `opened_ts` when the episode's own is unknown.
 *
 * Trading signals (issue #5 item 5), bus contract `SignalV1` on `signal.v1.trade.<kind>` (the JetStream stream
 * `SIGNALS` keeps them when it exists), each also stored as one `trade_signals` row per leg (counted in
 * `ticksWritten` / `ticksRefused` like the other rows):
 * - arbitrage: one signal per episode, when it OPENS with a positive net edge after fees (an episode opens on a gross
 *   edge > 0, which fees can eat: such an opening is counted in `arbNotPositive`, not signalled, as a signal claims a
 *   positive expected value net of fees). Kind = the episode's, id `arb1:<episodeKey>:<openedTsMs>`, see
 *   {@link arbEpisodeToSignal}. An episode opened on a BBO without an exchange time is held and signalled at the first
 *   exchange time (which is then its opening time in the id, as in `arb_opportunities`), or dropped if it closes first;
 *   so a replay of the same feed gives the same ids.
 * - sportsbook edge (`cfg.sportsbook`): {@link SportsbookFeed} (odds, matching, consensus, SportsbookEdgeDetector) fed
 *   every valid BBO of a Kalshi game market (an invalid one forgets the book); its signals are converted with
 *   {@link sportsbookSignalToV1}. The quote time is the BBO's exchange time, or the local clock for a BBO without one.
 * Every signal is checked with `decodeSignalV1` before it leaves (a failure is counted in `invalid`, logged, not sent).
 * Counts and the matching report: {@link DetectionService.sportsbookReport} (`ctl.v1.detection.sportsbook`).
 *
 * Metrics (libs/telemetry): its counters are read at scrape time (`kalshi_detection_*`, `kalshi_bus_*_total{app=
 * "detection"}`, `kalshi_exchange_rate_limited_total`, the tick store's); each BBO message is timed
 * (`kalshi_stage_latency_seconds{stage="detection"}`) and its `tsMs` gives `kalshi_bus_consume_lag_seconds`.
 */
import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { BUS_CLIENT, decodeBboV1, decodeSignalV1, DetectionStatusV1, OpportunityEventV1, subjects, type SignalV1 } from '@kalshi-platform/bus';
import { decodeEventsList, KalshiEvent, KalshiRestClient } from '@kalshi-platform/kalshi';
import { ArbitrageDetector, Episode, EpisodeEvent, EventRef, type SportsbookSignalV1 } from '@kalshi-platform/strategy';
import { TICK_STORE, type ArbOpportunityRow, type TickRow, type TickStore } from '@kalshi-platform/storage';
import { payloadTsMs, registerCollector, registerTickStore, stageProbe, type Unregister } from '@kalshi-platform/telemetry';
import { DEFAULT_ARB_SIGNAL_SIZE_CENTIS, DEFAULT_ARB_SIGNAL_TTL_MS, DEFAULT_ODDS_POLL_MS, type DetectionConfig } from './detection.config';
import { arbEpisodeToSignal, signalToRows, sportsbookSignalToV1 } from './signals';
import { disabledSportsbookReport, emptySignalCounts, SportsbookFeed, type DetectionSignalCounts, type DetectionSportsbookReport } from './sportsbook-feed';
import { DETECTION_CLOCK, DETECTION_CONFIG } from './tokens';

/** Converts a domain episode into the bus contract. */
export function episodeToV1(type: EpisodeEvent['type'], e: Episode): OpportunityEventV1 {
  return {
    v: 1,
    type,
    kind: e.kind,
    key: e.key,
    eventTicker: e.eventTicker,
    legs: e.legs.map((l) => ({ marketTicker: l.marketTicker, side: l.side, action: l.action, priceTicks: l.priceTicks })),
    openedTsMs: e.openedTsMs,
    closedTsMs: e.closedTsMs,
    maxGrossEdgeTicks: e.maxGrossEdgeTicks,
    maxNetEdgeTicks: e.maxNetEdgeTicks,
  };
}

/**
 * One episode event -> an `arb_opportunities` row at `tsMs` (the BBO change that caused it). `legs` is a JSON array
 * of `{market_ticker, side, action, price_ticks}` at the asks the detector saw; edges are per contract, in ticks.
 */
export function episodeToRow(type: EpisodeEvent['type'], e: Episode, tsMs: number): ArbOpportunityRow {
  return {
    table: 'arb_opportunities',
    kind: e.kind,
    episodeKey: e.key,
    eventTicker: e.eventTicker,
    change: type,
    legs: JSON.stringify(e.legs.map((l) => ({ market_ticker: l.marketTicker, side: l.side, action: l.action, price_ticks: l.priceTicks }))),
    maxGrossEdgeTicks: e.maxGrossEdgeTicks,
    maxNetEdgeTicks: e.maxNetEdgeTicks,
    openedTs: e.openedTsMs,
    ts: tsMs,
  };
}

/** Kalshi reference data -> the detector's event description. */
export function toEventRef(e: KalshiEvent): EventRef {
  return {
    eventTicker: e.eventTicker,
    seriesTicker: e.seriesTicker,
    mutuallyExclusive: e.mutuallyExclusive,
    markets: (e.markets ?? []).map((m) => ({ marketTicker: m.ticker, eventTicker: m.eventTicker, strikeType: m.strikeType, floorStrike: m.floorStrike, capStrike: m.capStrike })),
  };
}

@Injectable()
export class DetectionService implements OnModuleDestroy {
  private readonly logger = new Logger('detection');
  private readonly detector: ArbitrageDetector;
  private events: EventRef[] = [];
  consumed = 0;
  rejected = 0;
  ticksWritten = 0;
  ticksRefused = 0;
  /** rows of episode changes that happened before any BBO carried an exchange time */
  private readonly untimed: ArbOpportunityRow[] = [];
  /** episode key -> the exchange time its untimed opening was stored with */
  private readonly stampedOpenTs = new Map<string, number>();
  /** sportsbook edge, when configured */
  private readonly sportsbook: SportsbookFeed | null;
  /** market ticker -> its event ticker (reference data), for the legs of sportsbook signals */
  private readonly marketEvent = new Map<string, string>();
  private readonly counts: DetectionSignalCounts = emptySignalCounts();
  /** arbitrage episodes that opened on a BBO without exchange time, by key: signalled at the first exchange time */
  private readonly heldArb = new Map<string, Episode>();
  private readonly now: () => number;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private refreshing: Promise<void> | null = null;
  private stopped = false;
  /** messages published (episode events and signals) */
  private published = 0;
  /** episodes opened, by kind */
  private readonly episodesOpened: Record<string, number> = {};
  /** the REST client of the reference data (its 429 count is a metric) */
  private rest: KalshiRestClient | null = null;
  private readonly stage = stageProbe('detection');
  private readonly unregister: Unregister[] = [];

  /**
   * @param now wall clock, epoch ms (default `Date.now`): the observation time of an odds file and the quote time of
   *   a BBO without exchange time
   * @throws SportsbookInputError / OddsApiConfigError naming a bad sportsbook option
   */
  constructor(
    @Inject(DETECTION_CONFIG) private readonly cfg: DetectionConfig,
    @Inject(BUS_CLIENT) private readonly bus: ClientProxy,
    @Optional() @Inject(TICK_STORE) private readonly ticks: TickStore | null = null,
    @Optional() @Inject(DETECTION_CLOCK) now: (() => number) | null = null,
  ) {
    this.now = now ?? Date.now;
    this.detector = new ArbitrageDetector([], { takerFeeBps: cfg.takerFeeBps, feeRoundingTicks: cfg.feeRoundingTicks });
    this.sportsbook =
      cfg.sportsbook === undefined
        ? null
        : new SportsbookFeed(cfg.sportsbook, { now: this.now, logger: this.logger, fees: { takerFeeBps: cfg.takerFeeBps, feeRoundingTicks: cfg.feeRoundingTicks } });
    this.unregister.push(
      registerCollector(
        'detection',
        () => ({
          published: this.published,
          consumed: this.consumed,
          signals: { ...this.counts.published },
          episodes: { ...this.episodesOpened },
          openEpisodes: this.detector.openCount(),
          rateLimited: this.rest?.rateLimited ?? 0,
        }),
        this,
      ),
    );
    if (ticks !== null) this.unregister.push(registerTickStore(ticks));
  }

  /**
   * Loads reference data from the REST API (all pages). With sportsbook edge, then builds the Kalshi game market list,
   * loads the odds once (a failure is counted and reported, not thrown) and, for The Odds API, starts polling.
   * @throws on HTTP failure after retries.
   */
  async loadReferenceData(): Promise<number> {
    const rest = new KalshiRestClient({ baseUrl: this.cfg.restUrl });
    this.rest = rest;
    const events = await rest.getAll<unknown>('events', 'events', { with_nested_markets: true, limit: 200 });
    const decoded = decodeEventsList({ events });
    if (!decoded.ok) throw new Error(`GET ${this.cfg.restUrl}/events: ${decoded.error.message}`);
    this.setReferenceData(decoded.value.events);
    if (this.sportsbook !== null) {
      await this.refreshOdds();
      this.schedulePoll();
    }
    return this.events.length;
  }

  /**
   * Sets the reference data (decoded Kalshi events with their markets): the arbitrage detector's events, the event of
   * every market (the legs' `eventTicker`; a signal on a market without one is not sent), the sportsbook game markets.
   * Does not load odds (see {@link refreshOdds}).
   */
  setReferenceData(events: readonly KalshiEvent[]): void {
    this.events = events.map(toEventRef);
    this.detector.setEvents(this.events);
    this.marketEvent.clear();
    for (const e of events) for (const m of e.markets ?? []) this.marketEvent.set(m.ticker, m.eventTicker);
    this.sportsbook?.setKalshiEvents(events);
    const exclusive = this.events.filter((e) => e.mutuallyExclusive).length;
    this.logger.log(`reference data: ${this.events.length} event(s), ${exclusive} mutually exclusive`);
  }

  /**
   * Loads the odds now (file or API), re-matches and publishes the signals the new fair values cause. Never throws;
   * concurrent calls share one refresh. No-op without sportsbook edge.
   */
  refreshOdds(): Promise<void> {
    const feed = this.sportsbook;
    if (feed === null) return Promise.resolve();
    if (this.refreshing === null) {
      this.refreshing = feed
        .refresh()
        .then((signals) => {
          if (!this.stopped) this.publishSportsbook(signals);
        })
        .catch((e: unknown) => this.logger.error(`sportsbook refresh: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => {
          this.refreshing = null;
        });
    }
    return this.refreshing;
  }

  /** The Odds API: the next poll `pollMs` after the end of the previous one (never two at once). */
  private schedulePoll(): void {
    const api = this.cfg.sportsbook?.oddsApi;
    if (api === undefined || this.stopped || this.pollTimer !== null) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      void this.refreshOdds().then(() => this.schedulePoll());
    }, api.pollMs ?? DEFAULT_ODDS_POLL_MS);
  }

  /** Stops the odds polling (NestJS calls it at shutdown). */
  onModuleDestroy(): void {
    this.stopped = true;
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    for (const u of this.unregister.splice(0)) u();
  }

  /** Handles one BBO message (timed for the metrics). Never throws: a malformed message is counted and skipped. */
  onBbo(data: unknown): void {
    const t0 = this.stage.begin(payloadTsMs(data));
    this.handleBbo(data);
    this.stage.end(t0);
  }

  private handleBbo(data: unknown): void {
    this.consumed++;
    let out: EpisodeEvent[];
    let tsMs: number;
    let b: ReturnType<typeof decodeBboV1>;
    try {
      b = decodeBboV1(data);
      tsMs = b.tsMs;
      out = b.valid
        ? this.detector.onQuote({ marketTicker: b.marketTicker, yesBidTicks: b.yesBidTicks, yesBidSizeCentis: b.yesBidSizeCentis, noBidTicks: b.noBidTicks, noBidSizeCentis: b.noBidSizeCentis }, b.tsMs)
        : this.detector.invalidate(b.marketTicker, b.tsMs);
    } catch (e) {
      this.rejected++;
      if (this.rejected <= 20) this.logger.warn(`rejected BBO message: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (this.untimed.length > 0 && tsMs > 0) {
      // episode changes seen before any exchange time: stored with the first one (see the module docstring)
      for (const row of this.untimed.splice(0)) {
        if (row.openedTs <= 0) this.stampedOpenTs.set(row.episodeKey, tsMs);
        this.storeRow({ ...row, ts: tsMs, openedTs: row.openedTs > 0 ? row.openedTs : tsMs });
      }
    }
    for (let i = 0; i < out.length; i++) {
      this.bus.emit(subjects.opportunity(out[i].episode.kind), episodeToV1(out[i].type, out[i].episode));
      this.published++;
      if (out[i].type === 'opened') this.episodesOpened[out[i].episode.kind] = (this.episodesOpened[out[i].episode.kind] ?? 0) + 1;
      if (this.ticks !== null) {
        const row = episodeToRow(out[i].type, out[i].episode, tsMs);
        if (tsMs <= 0) this.untimed.push(row);
        else this.storeRow(row.openedTs > 0 ? row : { ...row, openedTs: this.stampedOpenTs.get(row.episodeKey) ?? tsMs });
        if (out[i].type === 'closed') this.stampedOpenTs.delete(row.episodeKey);
      }
    }
    this.arbSignals(out, tsMs);
    const feed = this.sportsbook;
    if (feed !== null && feed.isGameMarket(b.marketTicker)) {
      if (b.valid) {
        const q = { marketTicker: b.marketTicker, yesBidTicks: b.yesBidTicks, yesBidSizeCentis: b.yesBidSizeCentis, noBidTicks: b.noBidTicks, noBidSizeCentis: b.noBidSizeCentis };
        this.publishSportsbook(feed.onQuote(q, tsMs > 0 ? tsMs : this.now()));
      } else feed.invalidate(b.marketTicker);
    }
  }

  /** Signals of the arbitrage episodes that opened (see the module comment), held ones at the first exchange time. */
  private arbSignals(out: readonly EpisodeEvent[], tsMs: number): void {
    for (const ev of out) {
      const e = ev.episode;
      if (ev.type === 'closed') {
        if (this.heldArb.delete(e.key)) this.counts.arbDroppedUnsent++;
        continue;
      }
      if (ev.type !== 'opened') continue;
      if (!(e.maxNetEdgeTicks > 0)) {
        this.counts.arbNotPositive++;
        continue;
      }
      if (tsMs <= 0) this.heldArb.set(e.key, e);
      else this.publishArb(e, tsMs);
    }
    if (tsMs > 0 && this.heldArb.size > 0) {
      for (const e of this.heldArb.values()) this.publishArb(e, tsMs);
      this.heldArb.clear();
    }
  }

  private publishArb(e: Episode, tsMs: number): void {
    const sizeCentis = this.cfg.arbSignalSizeCentis ?? DEFAULT_ARB_SIGNAL_SIZE_CENTIS;
    const ttlMs = this.cfg.arbSignalTtlMs ?? DEFAULT_ARB_SIGNAL_TTL_MS;
    this.publishSignal(arbEpisodeToSignal(e, { openedTsMs: e.openedTsMs > 0 ? e.openedTsMs : tsMs, createdTsMs: tsMs, sizeCentis, ttlMs }));
  }

  private publishSportsbook(signals: readonly SportsbookSignalV1[]): void {
    for (const s of signals) {
      const eventTicker = this.marketEvent.get(s.marketTicker);
      if (eventTicker === undefined) {
        this.counts.invalid++; // cannot happen: game markets come from the reference data
        this.logger.warn(`sportsbook signal ${s.id}: market ${s.marketTicker} not in the reference data, not sent`);
        continue;
      }
      this.publishSignal(sportsbookSignalToV1(s, eventTicker));
    }
  }

  /** Validates, publishes on `signal.v1.trade.<kind>`, counts and stores (one row per leg) one signal. */
  private publishSignal(s: SignalV1): void {
    try {
      decodeSignalV1(s);
    } catch (e) {
      this.counts.invalid++;
      if (this.counts.invalid <= 20) this.logger.warn(`signal ${s.id} not sent: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.bus.emit(subjects.signal(s.kind), s);
    this.published++;
    this.counts.published[s.kind] = (this.counts.published[s.kind] ?? 0) + 1;
    if (this.ticks !== null) for (const row of signalToRows(s)) this.storeRow(row);
  }

  private storeRow(row: TickRow): void {
    if (this.ticks!.write(row)) this.ticksWritten++;
    else this.ticksRefused++;
  }

  /** Counts of the trading signals so far (a copy). */
  signalCounts(): DetectionSignalCounts {
    return { ...this.counts, published: { ...this.counts.published }, arbHeld: this.heldArb.size };
  }

  /** Reply of `ctl.v1.detection.sportsbook`: odds, matching, consensus and signal counts (see DetectionSportsbookReport). */
  sportsbookReport(): DetectionSportsbookReport {
    const counts = this.signalCounts();
    return this.sportsbook === null ? disabledSportsbookReport(counts) : this.sportsbook.report(counts);
  }

  status(): DetectionStatusV1 {
    return {
      v: 1,
      consumed: this.consumed,
      rejected: this.rejected,
      openEpisodes: this.detector.openEpisodes().length,
      episodes: this.detector.episodes().length,
      events: this.events.length,
      ...(this.ticks !== null ? { ticksWritten: this.ticksWritten, ticksRefused: this.ticksRefused } : {}),
    };
  }

  /** Every episode so far, in order of opening, as bus contracts. */
  episodes(): OpportunityEventV1[] {
    return this.detector.episodes().map((e) => episodeToV1(e.closedTsMs === null ? 'opened' : 'closed', e));
  }
}
