/**
 * Sportsbook edge inside detection (issue #5): Kalshi game-winner markets (from the reference data) matched to The
 * Odds API events (libs/odds `matchKalshiEvents`), a consensus fair value per matched event (libs/odds `consensus`,
 * multiplicative de-vig, median across books), and libs/strategy's SportsbookEdgeDetector fed those fair values and
 * every quote of a game market.
 *
 * Odds sources (one, from the configuration):
 * - a FILE (a saved `/odds` response): loaded once at start; its odds are taken as observed at LOAD time, i.e. the
 *   saved response is replayed as if it had just been fetched. With the capture's own times every saved response
 *   would be days old and nothing would ever be fresh. The books' own `last_update` times are not used for
 *   staleness (no `maxAgeMs` in the consensus): the observation time is.
 * - The Odds API (libs/odds-api `OddsApiClient`, quota/backoff): every sport is fetched per poll; odds are observed
 *   at the fetch time the client reports (`fetchedTsMs`). A sport whose fetch fails keeps its previous odds, which
 *   then age out in the detector (`maxOddsAgeMs`).
 *
 * Every odds load re-runs the matching and the consensus on everything in use: an event whose books disagree (no
 * consensus, e.g. a game in play) is skipped and counted, and a market that loses its match or its consensus loses
 * its fair value. Nothing here throws on bad data: failures are counted and reported ({@link SportsbookFeed.report}).
 */
import type { KalshiEvent } from '@kalshi-platform/kalshi';
import {
  consensus,
  decodeOddsResponse,
  eventQuotes,
  KALSHI_GAME_SERIES_SPORTS,
  matchKalshiEvents,
  type KalshiGameMarket,
  type KalshiMatchReport,
  type OddsApiEvent,
  type OddsApiPriceFormat,
} from '@kalshi-platform/odds';
import { FileOddsSource, OddsApiClient, type OddsSource } from '@kalshi-platform/odds-api';
import { fairValuesFromMatch, SportsbookEdgeDetector, type SportsbookFairValue, type SportsbookSignalV1, type SportsbookTopQuote } from '@kalshi-platform/strategy';
import type { SportsbookDetectionConfig } from './detection.config';

/** Market statuses after which a game market is not traded any more (left out of the matching). */
const ENDED_STATUSES = new Set(['closed', 'determined', 'settled', 'finalized']);

/** Counts of the trading signals detection published (every kind), part of {@link DetectionSportsbookReport}. */
export interface DetectionSignalCounts {
  /** published on `signal.v1.trade.<kind>`, per kind */
  published: Record<string, number>;
  /**
   * built but refused by `decodeSignalV1` (e.g. a leg on a market of no known event: no `eventTicker`, which per-event
   * risk limits need; an out-of-range price): not published, not stored, logged
   */
  invalid: number;
  /** arbitrage episodes that opened without a positive net edge after fees: no signal */
  arbNotPositive: number;
  /** arbitrage signals waiting for the first exchange time (their episode opened on a BBO without one) */
  arbHeld: number;
  /** held arbitrage signals dropped because their episode closed before any exchange time */
  arbDroppedUnsent: number;
}

/** One Kalshi game event the matching could not pair with an Odds API event. */
export interface SportsbookMatchProblem {
  eventTicker: string;
  status: 'unmatched' | 'ambiguous';
  /** libs/odds `UnmatchedCode` (`no_odds_event`, `outside_window`, `team_unresolved`, ...) or `ambiguous` */
  code: string;
  reason: string;
}

/** One matched event without a fair value (books disagree, no book left, an outcome missing). */
export interface SportsbookConsensusProblem {
  eventTicker: string;
  oddsEventId: string;
  reason: string;
}

/** Reply of `ctl.v1.detection.sportsbook` ({@link DETECTION_SPORTSBOOK_SUBJECT}): a plain JSON object. */
export interface DetectionSportsbookReport {
  v: 1;
  /** false when the app runs without an odds source: every section below is then empty, except `signals` */
  enabled: boolean;
  source: 'file' | 'api' | null;
  odds: {
    /** loads that brought odds (file: at most one; API: polls with at least one sport fetched) */
    loads: number;
    /** failed fetches or decodes (per sport for the API) */
    errors: number;
    lastError: string | null;
    /** wall-clock time of the last successful load, epoch ms */
    lastLoadTsMs: number | null;
    /** newest observation time of the odds in use, epoch ms (file: its load time; API: the fetch time) */
    observedTsMs: number | null;
    /** Odds API events in use */
    events: number;
  };
  kalshi: {
    /** game-winner events of a series the matching knows (KXNBAGAME, KXNHLGAME, KXNFLGAME, KXMLBGAME, ...) */
    gameEvents: number;
    gameMarkets: number;
    /** game markets left out: ended (closed/settled) or a ticker not under its event's */
    skippedMarkets: number;
  };
  matching: {
    matched: number;
    unmatched: number;
    ambiguous: number;
    /** not-matched events per reason code (`ambiguous` for the ambiguous ones) */
    byReason: Record<string, number>;
    problems: SportsbookMatchProblem[];
    /** override keys naming no Kalshi game event */
    unusedOverrides: string[];
  };
  consensus: {
    /** matched events with a fair value */
    events: number;
    /** matched events without one */
    skipped: number;
    problems: SportsbookConsensusProblem[];
  };
  /** Kalshi markets with a fair value now */
  fairValues: number;
  quotes: {
    /** game-market quotes given to the detector */
    evaluated: number;
    /** quotes the detector refused as malformed (counted and skipped) */
    rejected: number;
  };
  signals: DetectionSignalCounts;
}

/** Minimal logger (NestJS `Logger` fits). */
export interface FeedLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Dependencies of {@link SportsbookFeed}. */
export interface SportsbookFeedDeps {
  /** wall clock, epoch ms (observation time of a file; `setFairValues` time) */
  now: () => number;
  logger: FeedLogger;
  /** Kalshi taker fees (same as the arbitrage detector's) */
  fees: { takerFeeBps: number; feeRoundingTicks: number };
}

interface OddsDoc {
  events: OddsApiEvent[];
  format: OddsApiPriceFormat;
  observedTsMs: number;
}

/** Kalshi reference data -> the game-winner markets `matchKalshiEvents` takes (series it knows, not ended). */
export function kalshiGameMarkets(events: readonly KalshiEvent[], seriesSports: Readonly<Record<string, string>> = KALSHI_GAME_SERIES_SPORTS): { markets: KalshiGameMarket[]; events: number; skipped: number } {
  const markets: KalshiGameMarket[] = [];
  let n = 0;
  let skipped = 0;
  for (const e of events) {
    if (seriesSports[e.seriesTicker] === undefined) continue;
    n++;
    for (const m of e.markets ?? []) {
      if (ENDED_STATUSES.has(m.status) || !m.ticker.startsWith(`${e.eventTicker}-`) || m.eventTicker !== e.eventTicker || !e.eventTicker.startsWith(`${e.seriesTicker}-`)) {
        skipped++;
        continue;
      }
      const closeTsMs = m.closeTime !== undefined ? Date.parse(m.closeTime) : NaN;
      markets.push({
        eventTicker: e.eventTicker,
        marketTicker: m.ticker,
        seriesTicker: e.seriesTicker,
        title: m.title ?? e.title,
        yesSubTitle: m.yesSubTitle ?? '',
        ...(Number.isFinite(closeTsMs) ? { closeTsMs } : {}),
      });
    }
  }
  return { markets, events: n, skipped };
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The sportsbook half of detection: odds in (file or API), fair values out to the detector, quotes in, signals out.
 * Plain class (no framework); the DetectionService owns one when sportsbook edge is configured.
 * @throws from the constructor: SportsbookInputError (libs/strategy) / OddsApiConfigError (libs/odds-api) naming a
 *   bad option.
 */
export class SportsbookFeed {
  readonly detector: SportsbookEdgeDetector;
  readonly source: 'file' | 'api';
  private readonly sources: Array<{ key: string; src: OddsSource; sport?: string }>;
  private gameMarkets: KalshiGameMarket[] = [];
  private readonly gameTickers = new Set<string>();
  private gameEvents = 0;
  private skippedMarkets = 0;
  /** odds in use, per source key (the file, or a sport) */
  private readonly docs = new Map<string, OddsDoc>();
  private readonly withFair = new Set<string>();
  private match: KalshiMatchReport | null = null;
  private consensusEvents = 0;
  private consensusProblems: SportsbookConsensusProblem[] = [];
  private loads = 0;
  private errors = 0;
  private lastError: string | null = null;
  private lastLoadTsMs: number | null = null;
  private quotesEvaluated = 0;
  private quotesRejected = 0;

  constructor(
    private readonly cfg: SportsbookDetectionConfig,
    private readonly deps: SportsbookFeedDeps,
  ) {
    this.detector = new SportsbookEdgeDetector({
      minEdgeTicks: cfg.minEdgeTicks,
      minConfidence: cfg.minConfidence ?? 0,
      maxOddsAgeMs: cfg.maxOddsAgeMs,
      ttlMs: cfg.ttlMs,
      bankrollMicros: cfg.bankrollMicros,
      kellyFraction: cfg.kellyFraction,
      caps: {
        ...(cfg.maxContractsCentis !== undefined ? { maxContractsCentis: cfg.maxContractsCentis } : {}),
        ...(cfg.maxMarketCostMicros !== undefined ? { maxMarketCostMicros: cfg.maxMarketCostMicros } : {}),
      },
      fees: deps.fees,
    });
    if (cfg.oddsApi !== undefined) {
      const api = cfg.oddsApi;
      const client = new OddsApiClient({ apiKey: api.apiKey, baseUrl: api.baseUrl, regions: api.regions, now: deps.now, log: (l) => deps.logger.warn(`odds api: ${l}`) });
      this.source = 'api';
      this.sources = api.sports.map((sport) => ({ key: `sport:${sport}`, src: client, sport }));
    } else if (cfg.oddsFile !== undefined) {
      this.source = 'file';
      this.sources = [{ key: 'file', src: new FileOddsSource(cfg.oddsFile) }];
    } else {
      throw new Error('sportsbook configuration without an odds source (oddsFile or oddsApi)');
    }
  }

  /** Sets the Kalshi reference data (all events, with nested markets); the game markets are taken from it. */
  setKalshiEvents(events: readonly KalshiEvent[]): void {
    const g = kalshiGameMarkets(events);
    this.gameMarkets = g.markets;
    this.gameEvents = g.events;
    this.skippedMarkets = g.skipped;
    this.gameTickers.clear();
    for (const m of g.markets) this.gameTickers.add(m.marketTicker);
  }

  /** True for a Kalshi game market of the reference data (only those are quoted to the detector). */
  isGameMarket(marketTicker: string): boolean {
    return this.gameTickers.has(marketTicker);
  }

  /**
   * Loads the odds (every source), then re-matches and re-computes the fair values. Never throws: a failed source is
   * counted in `odds.errors` (its previous odds are kept).
   * @returns the signals the new fair values caused on markets whose book is already known
   */
  async refresh(): Promise<SportsbookSignalV1[]> {
    let loaded = 0;
    for (const s of this.sources) {
      try {
        const fetched = await s.src.getOdds(s.sport);
        const decoded = decodeOddsResponse(fetched.body);
        if (!decoded.ok) throw decoded.error;
        // a file is replayed as if fetched now (module comment); the API's odds were observed when fetched
        const observedTsMs = this.source === 'file' ? this.deps.now() : fetched.fetchedTsMs;
        this.docs.set(s.key, { events: decoded.value.events, format: decoded.value.format, observedTsMs });
        loaded++;
      } catch (e) {
        this.errors++;
        this.lastError = `${s.sport ?? this.cfg.oddsFile}: ${message(e)}`;
        this.deps.logger.error(`sportsbook odds: ${this.lastError}`);
      }
    }
    if (loaded === 0) return [];
    this.loads++;
    this.lastLoadTsMs = this.deps.now();
    return this.apply(this.lastLoadTsMs);
  }

  /** Matching + consensus + fair values on the odds in use, at `nowMs`. Never throws. */
  private apply(nowMs: number): SportsbookSignalV1[] {
    const events = new Map<string, { event: OddsApiEvent; format: OddsApiPriceFormat; observedTsMs: number }>();
    for (const d of this.docs.values()) {
      for (const event of d.events) {
        const had = events.get(event.id);
        if (had === undefined || had.observedTsMs < d.observedTsMs) events.set(event.id, { event, format: d.format, observedTsMs: d.observedTsMs });
      }
    }
    let report: KalshiMatchReport;
    try {
      report = matchKalshiEvents(this.gameMarkets, [...events.values()].map((e) => e.event), { overrides: this.cfg.matchOverrides });
    } catch (e) {
      this.errors++;
      this.lastError = `event matching: ${message(e)}`;
      this.deps.logger.error(`sportsbook: ${this.lastError}`);
      return [];
    }
    this.match = report;
    const out: SportsbookSignalV1[] = [];
    const fair = new Set<string>();
    const problems: SportsbookConsensusProblem[] = [];
    let ok = 0;
    for (const r of report.results) {
      if (r.status !== 'matched') continue;
      const e = events.get(r.oddsEventId);
      if (e === undefined) continue; // cannot happen: the matching only returns ids it was given
      let entries: SportsbookFairValue[];
      try {
        const c = consensus(eventQuotes(e.event, 'h2h'), { priceFormat: e.format });
        entries = fairValuesFromMatch(r, c, e.observedTsMs);
        out.push(...this.detector.setFairValues(entries, nowMs));
      } catch (err) {
        problems.push({ eventTicker: r.eventTicker, oddsEventId: r.oddsEventId, reason: message(err) });
        continue;
      }
      ok++;
      for (const f of entries) fair.add(f.marketTicker);
    }
    for (const t of this.withFair) if (!fair.has(t)) this.detector.clearFairValue(t);
    this.withFair.clear();
    for (const t of fair) this.withFair.add(t);
    this.consensusEvents = ok;
    this.consensusProblems = problems;
    const count = (status: string) => report.results.filter((r) => r.status === status).length;
    this.deps.logger.log(
      `sportsbook: ${events.size} odds event(s), ${this.gameEvents} Kalshi game event(s): ${count('matched')} matched, ${count('unmatched')} unmatched, ${count('ambiguous')} ambiguous; ` +
        `${ok} with a consensus, ${problems.length} skipped (books disagree or no book); ${fair.size} market(s) with a fair value`,
    );
    return out;
  }

  /**
   * Gives a game market's top of book to the detector (at `tsMs`, the quote's time). A malformed quote is counted
   * (`quotes.rejected`) and skipped. @returns the signals it caused.
   */
  onQuote(q: SportsbookTopQuote, tsMs: number): SportsbookSignalV1[] {
    this.quotesEvaluated++;
    try {
      return this.detector.onQuote(q, tsMs);
    } catch (e) {
      this.quotesRejected++;
      if (this.quotesRejected <= 20) this.deps.logger.warn(`sportsbook: rejected quote of ${q.marketTicker}: ${message(e)}`);
      return [];
    }
  }

  /** The market's book is unknown until its next quote (an invalid BBO). */
  invalidate(marketTicker: string): void {
    this.detector.invalidate(marketTicker);
  }

  /** The report (see {@link DetectionSportsbookReport}); `signals` comes from the service. */
  report(signals: DetectionSignalCounts): DetectionSportsbookReport {
    const results = this.match?.results ?? [];
    const problems: SportsbookMatchProblem[] = [];
    const byReason: Record<string, number> = {};
    let matched = 0;
    for (const r of results) {
      if (r.status === 'matched') {
        matched++;
        continue;
      }
      const code = r.status === 'ambiguous' ? 'ambiguous' : r.reason.code;
      byReason[code] = (byReason[code] ?? 0) + 1;
      problems.push({ eventTicker: r.eventTicker, status: r.status, code, reason: r.status === 'ambiguous' ? r.reason : r.reason.message });
    }
    let observed: number | null = null;
    const ids = new Set<string>();
    for (const d of this.docs.values()) {
      observed = observed === null ? d.observedTsMs : Math.max(observed, d.observedTsMs);
      for (const e of d.events) ids.add(e.id);
    }
    return {
      v: 1,
      enabled: true,
      source: this.source,
      odds: { loads: this.loads, errors: this.errors, lastError: this.lastError, lastLoadTsMs: this.lastLoadTsMs, observedTsMs: observed, events: ids.size },
      kalshi: { gameEvents: this.gameEvents, gameMarkets: this.gameMarkets.length, skippedMarkets: this.skippedMarkets },
      matching: {
        matched,
        unmatched: problems.filter((p) => p.status === 'unmatched').length,
        ambiguous: problems.filter((p) => p.status === 'ambiguous').length,
        byReason,
        problems,
        unusedOverrides: this.match?.unusedOverrides ?? [],
      },
      consensus: { events: this.consensusEvents, skipped: this.consensusProblems.length, problems: this.consensusProblems },
      fairValues: this.withFair.size,
      quotes: { evaluated: this.quotesEvaluated, rejected: this.quotesRejected },
      signals,
    };
  }
}

/** Zeroed {@link DetectionSignalCounts}. */
export function emptySignalCounts(): DetectionSignalCounts {
  return { published: {}, invalid: 0, arbNotPositive: 0, arbHeld: 0, arbDroppedUnsent: 0 };
}

/** The report of an app without an odds source. */
export function disabledSportsbookReport(signals: DetectionSignalCounts): DetectionSportsbookReport {
  return {
    v: 1,
    enabled: false,
    source: null,
    odds: { loads: 0, errors: 0, lastError: null, lastLoadTsMs: null, observedTsMs: null, events: 0 },
    kalshi: { gameEvents: 0, gameMarkets: 0, skippedMarkets: 0 },
    matching: { matched: 0, unmatched: 0, ambiguous: 0, byReason: {}, problems: [], unusedOverrides: [] },
    consensus: { events: 0, skipped: 0, problems: [] },
    fairValues: 0,
    quotes: { evaluated: 0, rejected: 0 },
    signals,
  };
}
