/**
 * Detection: keeps libs/strategy's ArbitrageDetector fed with every BBO change from the ticker plant and
 * publishes each episode event (opened / updated / closed) on `signal.v1.opportunity.<kind>`.
 * Reference data (events, their markets, mutual exclusivity, strikes) comes from the exchange's REST API
 * (`GET /events?with_nested_markets=true`, all pages) at start.
 * With a tick store (`TICK_STORE`), every episode event is also stored as an `arb_opportunities` row (see
 * {@link episodeToRow}); refused rows are counted in `status().ticksRefused`. Changes caused by a BBO without an
 * exchange time (ts 0, from a snapshot before any timed frame) are held and stored at the first exchange time seen,
 * with that time as `opened_ts` when the episode's own is unknown.
 */
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { BUS_CLIENT, decodeBboV1, DetectionStatusV1, OpportunityEventV1, subjects } from '@kalshi-platform/bus';
import { decodeEventsList, KalshiEvent, KalshiRestClient } from '@kalshi-platform/kalshi';
import { ArbitrageDetector, Episode, EpisodeEvent, EventRef } from '@kalshi-platform/strategy';
import { TICK_STORE, type ArbOpportunityRow, type TickStore } from '@kalshi-platform/storage';
import type { DetectionConfig } from './detection.config';
import { DETECTION_CONFIG } from './tokens';

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
export class DetectionService {
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

  constructor(
    @Inject(DETECTION_CONFIG) private readonly cfg: DetectionConfig,
    @Inject(BUS_CLIENT) private readonly bus: ClientProxy,
    @Optional() @Inject(TICK_STORE) private readonly ticks: TickStore | null = null,
  ) {
    this.detector = new ArbitrageDetector([], { takerFeeBps: cfg.takerFeeBps, feeRoundingTicks: cfg.feeRoundingTicks });
  }

  /** Loads reference data from the REST API (all pages). @throws on HTTP failure after retries. */
  async loadReferenceData(): Promise<number> {
    const rest = new KalshiRestClient({ baseUrl: this.cfg.restUrl });
    const events = await rest.getAll<unknown>('events', 'events', { with_nested_markets: true, limit: 200 });
    const decoded = decodeEventsList({ events });
    if (!decoded.ok) throw new Error(`GET ${this.cfg.restUrl}/events: ${decoded.error.message}`);
    this.events = decoded.value.events.map(toEventRef);
    this.detector.setEvents(this.events);
    const exclusive = this.events.filter((e) => e.mutuallyExclusive).length;
    this.logger.log(`reference data: ${this.events.length} event(s), ${exclusive} mutually exclusive`);
    return this.events.length;
  }

  /** Handles one BBO message. Never throws: a malformed message is counted and skipped. */
  onBbo(data: unknown): void {
    this.consumed++;
    let out: EpisodeEvent[];
    let tsMs: number;
    try {
      const b = decodeBboV1(data);
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
      if (this.ticks !== null) {
        const row = episodeToRow(out[i].type, out[i].episode, tsMs);
        if (tsMs <= 0) this.untimed.push(row);
        else this.storeRow(row.openedTs > 0 ? row : { ...row, openedTs: this.stampedOpenTs.get(row.episodeKey) ?? tsMs });
        if (out[i].type === 'closed') this.stampedOpenTs.delete(row.episodeKey);
      }
    }
  }

  private storeRow(row: ArbOpportunityRow): void {
    if (this.ticks!.write(row)) this.ticksWritten++;
    else this.ticksRefused++;
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
