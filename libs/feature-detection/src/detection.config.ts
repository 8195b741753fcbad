/**
 * Configuration of the detection app.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `KALSHI_REST_URL` | REST base to read events and markets from (reference data) | required |
 * | `DETECTION_TAKER_FEE_BPS` | Kalshi taker fee multiplier in basis points | 700 (0.07) |
 * | `DETECTION_FEE_ROUNDING_TICKS` | fee rounding step in 1/10000 dollar (1 = $0.0001 as Kalshi rounds, 100 = whole cents) | 1 |
 * | `DETECTION_ARB_SIGNAL_SIZE` | contracts per leg of an arbitrage signal, decimal with up to 2 decimals (`"1.00"`) | 1 |
 * | `DETECTION_ARB_SIGNAL_TTL_MS` | lifetime of an arbitrage signal, ms | 5000 |
 * | `DETECTION_ODDS_FILE` | a saved The Odds API v4 `/odds` response (JSON array): enables sportsbook edge, loaded once at start | none |
 * | `ODDS_API_KEY` | The Odds API key: enables sportsbook edge with live odds, polled (not with `DETECTION_ODDS_FILE`) | none |
 * | `ODDS_SPORTS` | comma-separated Odds API sport keys to poll (`basketball_nba,icehockey_nhl`) | required with `ODDS_API_KEY` |
 * | `ODDS_REGIONS` | comma-separated bookmaker regions | `us` |
 * | `ODDS_POLL_S` | seconds between two polls (each costs one usage credit per sport and region) | 60 |
 * | `ODDS_API_BASE_URL` | API origin | `https://api.the-odds-api.com` |
 * | `DETECTION_MATCH_OVERRIDES` | JSON file of event-matching overrides (`{ "<Kalshi event>": "<Odds API id>" \| {oddsEventId, outcomes} }`) | none |
 * | `SPORTSBOOK_MIN_EDGE` | minimum net edge per contract after taker fees, dollars (up to 4 decimals) | 0.0100 |
 * | `SPORTSBOOK_MIN_CONFIDENCE` | minimum confidence, in [0,1] | 0 |
 * | `SPORTSBOOK_MAX_ODDS_AGE_MS` | odds observed longer ago than this produce no signal, ms | 300000 |
 * | `SPORTSBOOK_TTL_MS` | lifetime of a sportsbook signal, ms | 30000 |
 * | `SPORTSBOOK_BANKROLL_DOLLARS` | bankroll for Kelly sizing, dollars (up to 6 decimals) | required with a sportsbook source |
 * | `SPORTSBOOK_KELLY_FRACTION` | Kelly multiplier in (0,1] (0.5 = half Kelly) | 0.25 |
 * | `SPORTSBOOK_MAX_CONTRACTS` | cap per signal, contracts (up to 2 decimals) | none |
 * | `SPORTSBOOK_MAX_MARKET_DOLLARS` | cap on the cost of one signal, dollars | none |
 * | `NATS_URL` | the bus; the standalone app also makes sure the JetStream stream `SIGNALS` exists there | required for the standalone app |
 * | `HEALTH_PORT` | standalone app: serve `GET /healthz` and `GET /readyz` on this port (0 = any free port, printed as `health: http://127.0.0.1:<port>`); ready = NATS connected and the reference data loaded | unset: no HTTP server |
 *
 * Money is parsed exactly (libs/market fixed point): dollars to ticks (1/10000 $) or micros (1e-6 $), contracts to
 * centis (1/100). Every error names the variable.
 */
import { readFileSync } from 'node:fs';
import { FixedPointError, MICROS_PER_DOLLAR, parsePriceDollars, parseSizeFp, scanFixed, type DollarsMicros, type PriceTicks, type SizeCentis } from '@kalshi-platform/market';
import { OddsError, parseMatchOverrides, type MatchOverrides } from '@kalshi-platform/odds';

/** Live odds from The Odds API v4 (libs/odds-api `OddsApiClient`), polled. */
export interface OddsApiPollConfig {
  /** secret: only ever handed to OddsApiClient (which redacts it everywhere) */
  apiKey: string;
  /** sport keys, one request each per poll (non-empty) */
  sports: string[];
  /** bookmaker regions (default `['us']`) */
  regions?: string[];
  /** between the end of a poll and the start of the next, ms (default 60000) */
  pollMs?: number;
  /** API origin (default The Odds API's) */
  baseUrl?: string;
}

/**
 * Sportsbook edge (issue #5): Kalshi game markets against the consensus of sportsbooks (libs/odds), signals from
 * libs/strategy's SportsbookEdgeDetector. Exactly one odds source: `oddsFile` or `oddsApi`.
 */
export interface SportsbookDetectionConfig {
  /**
   * A saved The Odds API v4 `/odds` response, loaded once at start. Its odds are taken as observed at LOAD time
   * (a saved response replayed as if fetched now; with its capture time every saved response would be days old and
   * never fresh). The signal ids carry that time.
   */
  oddsFile?: string;
  oddsApi?: OddsApiPollConfig;
  /** manual event matches (libs/odds `parseMatchOverrides` shape) */
  matchOverrides?: MatchOverrides;
  /** minimum net edge per contract after fees, ticks (>= 0) */
  minEdgeTicks: PriceTicks;
  /** minimum confidence in [0,1] (default 0) */
  minConfidence?: number;
  /** odds older than this at the quote's time produce nothing, ms */
  maxOddsAgeMs: number;
  /** signal lifetime, ms (>= 1) */
  ttlMs: number;
  /** Kelly bankroll, micros */
  bankrollMicros: DollarsMicros;
  /** Kelly multiplier in (0,1] */
  kellyFraction: number;
  /** cap per signal, centis */
  maxContractsCentis?: SizeCentis;
  /** cap on the cost of one signal (price x size), micros */
  maxMarketCostMicros?: DollarsMicros;
}

export interface DetectionConfig {
  restUrl: string;
  takerFeeBps: number;
  feeRoundingTicks: number;
  /** size of every leg of an arbitrage signal, centis (default 100 = one contract) */
  arbSignalSizeCentis?: SizeCentis;
  /** lifetime of an arbitrage signal, ms (default 5000) */
  arbSignalTtlMs?: number;
  /** sportsbook edge; absent = off */
  sportsbook?: SportsbookDetectionConfig;
}

/** Default of {@link DetectionConfig.arbSignalSizeCentis}: one contract per leg. */
export const DEFAULT_ARB_SIGNAL_SIZE_CENTIS: SizeCentis = 100;
/** Default of {@link DetectionConfig.arbSignalTtlMs}. */
export const DEFAULT_ARB_SIGNAL_TTL_MS = 5_000;
/** Default of {@link OddsApiPollConfig.pollMs}. */
export const DEFAULT_ODDS_POLL_MS = 60_000;

/** Thrown for a missing or malformed setting; the message names the variable. */
export class DetectionConfigError extends Error {}

function nonNegInt(name: string, raw: string | undefined, dflt: number): number {
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d+$/.test(raw)) throw new DetectionConfigError(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new DetectionConfigError(`${name} is out of range, got ${JSON.stringify(raw)}`);
  return n;
}

function posInt(name: string, raw: string | undefined, dflt: number): number {
  const n = nonNegInt(name, raw, dflt);
  if (n < 1) throw new DetectionConfigError(`${name} must be >= 1, got ${JSON.stringify(raw)}`);
  return n;
}

/** A dollar amount per contract, to ticks (exact, up to 4 decimals). */
function dollarsTicks(name: string, raw: string | undefined, dflt: PriceTicks): PriceTicks {
  if (raw === undefined || raw === '') return dflt;
  try {
    return parsePriceDollars(raw);
  } catch (e) {
    if (e instanceof FixedPointError) throw new DetectionConfigError(`${name} must be a non-negative dollar amount with at most 4 decimals, got ${JSON.stringify(raw)}`);
    throw e;
  }
}

/** A dollar amount to micros (exact, up to 6 decimals). */
function dollarsMicros(name: string, raw: string): DollarsMicros {
  const v = scanFixed(raw, 6, MICROS_PER_DOLLAR, false);
  if (Number.isNaN(v)) throw new DetectionConfigError(`${name} must be a non-negative dollar amount with at most 6 decimals, got ${JSON.stringify(raw)}`);
  return v;
}

/** A contract count to centis (exact, up to 2 decimals), > 0. */
function contractsCentis(name: string, raw: string): SizeCentis {
  let v: number;
  try {
    v = parseSizeFp(raw);
  } catch (e) {
    if (e instanceof FixedPointError) throw new DetectionConfigError(`${name} must be a number of contracts with at most 2 decimals, got ${JSON.stringify(raw)}`);
    throw e;
  }
  if (v <= 0) throw new DetectionConfigError(`${name} must be > 0 contracts, got ${JSON.stringify(raw)}`);
  return v;
}

/** A plain decimal in [lo, hi] (`lo` excluded when `loOpen`). Not money: a ratio. */
function ratio(name: string, raw: string | undefined, dflt: number, lo: number, hi: number, loOpen: boolean): number {
  if (raw === undefined || raw === '') return dflt;
  const v = /^(\d+(\.\d*)?|\.\d+)$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(v) || v > hi || v < lo || (loOpen && v === lo)) {
    throw new DetectionConfigError(`${name} must be a decimal in ${loOpen ? '(' : '['}${lo},${hi}], got ${JSON.stringify(raw)}`);
  }
  return v;
}

function list(name: string, raw: string): string[] {
  const items = raw.split(',').map((s) => s.trim());
  if (items.length === 0 || items.some((s) => !/^[a-z0-9_]+$/.test(s))) throw new DetectionConfigError(`${name} must be a comma-separated list of keys like basketball_nba, got ${JSON.stringify(raw)}`);
  return items;
}

function httpUrl(name: string, raw: string): string {
  let u: URL | null = null;
  try {
    u = new URL(raw);
  } catch {
    /* reported below */
  }
  if (u === null || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.search !== '') throw new DetectionConfigError(`${name} must be an http(s) URL without a query, got ${JSON.stringify(raw)}`);
  return raw;
}

const SPORTSBOOK_VARS = [
  'ODDS_SPORTS',
  'ODDS_REGIONS',
  'ODDS_POLL_S',
  'ODDS_API_BASE_URL',
  'DETECTION_MATCH_OVERRIDES',
  'SPORTSBOOK_MIN_EDGE',
  'SPORTSBOOK_MIN_CONFIDENCE',
  'SPORTSBOOK_MAX_ODDS_AGE_MS',
  'SPORTSBOOK_TTL_MS',
  'SPORTSBOOK_BANKROLL_DOLLARS',
  'SPORTSBOOK_KELLY_FRACTION',
  'SPORTSBOOK_MAX_CONTRACTS',
  'SPORTSBOOK_MAX_MARKET_DOLLARS',
] as const;

/**
 * The sportsbook part of the configuration (variables in the module's table); `undefined` when neither
 * `DETECTION_ODDS_FILE` nor `ODDS_API_KEY` is set.
 * @throws DetectionConfigError naming the variable: a malformed value, both sources, a sportsbook variable without a
 *   source, `ODDS_API_KEY` without `ODDS_SPORTS`, a source without `SPORTSBOOK_BANKROLL_DOLLARS`, an unreadable or
 *   malformed overrides file.
 */
export function sportsbookConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SportsbookDetectionConfig | undefined {
  const file = env.DETECTION_ODDS_FILE || undefined;
  const apiKey = env.ODDS_API_KEY || undefined;
  if (file === undefined && apiKey === undefined) {
    const stray = SPORTSBOOK_VARS.find((v) => env[v] !== undefined && env[v] !== '');
    if (stray) throw new DetectionConfigError(`${stray} is set but sportsbook edge is off: set DETECTION_ODDS_FILE or ODDS_API_KEY`);
    return undefined;
  }
  if (file !== undefined && apiKey !== undefined) throw new DetectionConfigError('DETECTION_ODDS_FILE and ODDS_API_KEY are both set: choose one odds source');
  let oddsApi: OddsApiPollConfig | undefined;
  if (apiKey !== undefined) {
    if (!env.ODDS_SPORTS) throw new DetectionConfigError('ODDS_SPORTS is required with ODDS_API_KEY (e.g. basketball_nba,icehockey_nhl)');
    oddsApi = {
      apiKey,
      sports: list('ODDS_SPORTS', env.ODDS_SPORTS),
      regions: env.ODDS_REGIONS ? list('ODDS_REGIONS', env.ODDS_REGIONS) : ['us'],
      pollMs: posInt('ODDS_POLL_S', env.ODDS_POLL_S, DEFAULT_ODDS_POLL_MS / 1000) * 1000,
      ...(env.ODDS_API_BASE_URL ? { baseUrl: httpUrl('ODDS_API_BASE_URL', env.ODDS_API_BASE_URL) } : {}),
    };
  } else {
    for (const v of ['ODDS_SPORTS', 'ODDS_REGIONS', 'ODDS_POLL_S', 'ODDS_API_BASE_URL'] as const) {
      if (env[v]) throw new DetectionConfigError(`${v} is only used with ODDS_API_KEY (DETECTION_ODDS_FILE is loaded once)`);
    }
  }
  if (!env.SPORTSBOOK_BANKROLL_DOLLARS) throw new DetectionConfigError('SPORTSBOOK_BANKROLL_DOLLARS is required with a sportsbook odds source (Kelly sizing), e.g. 1000.00');
  const cfg: SportsbookDetectionConfig = {
    ...(file !== undefined ? { oddsFile: file } : {}),
    ...(oddsApi !== undefined ? { oddsApi } : {}),
    minEdgeTicks: dollarsTicks('SPORTSBOOK_MIN_EDGE', env.SPORTSBOOK_MIN_EDGE, 100),
    minConfidence: ratio('SPORTSBOOK_MIN_CONFIDENCE', env.SPORTSBOOK_MIN_CONFIDENCE, 0, 0, 1, false),
    maxOddsAgeMs: nonNegInt('SPORTSBOOK_MAX_ODDS_AGE_MS', env.SPORTSBOOK_MAX_ODDS_AGE_MS, 300_000),
    ttlMs: posInt('SPORTSBOOK_TTL_MS', env.SPORTSBOOK_TTL_MS, 30_000),
    bankrollMicros: dollarsMicros('SPORTSBOOK_BANKROLL_DOLLARS', env.SPORTSBOOK_BANKROLL_DOLLARS),
    kellyFraction: ratio('SPORTSBOOK_KELLY_FRACTION', env.SPORTSBOOK_KELLY_FRACTION, 0.25, 0, 1, true),
  };
  if (env.SPORTSBOOK_MAX_CONTRACTS) cfg.maxContractsCentis = contractsCentis('SPORTSBOOK_MAX_CONTRACTS', env.SPORTSBOOK_MAX_CONTRACTS);
  if (env.SPORTSBOOK_MAX_MARKET_DOLLARS) cfg.maxMarketCostMicros = dollarsMicros('SPORTSBOOK_MAX_MARKET_DOLLARS', env.SPORTSBOOK_MAX_MARKET_DOLLARS);
  if (env.DETECTION_MATCH_OVERRIDES) cfg.matchOverrides = overridesFromFile(env.DETECTION_MATCH_OVERRIDES);
  return cfg;
}

function overridesFromFile(path: string): MatchOverrides {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DetectionConfigError(`DETECTION_MATCH_OVERRIDES: cannot read ${path} as JSON: ${(e as Error).message}`);
  }
  try {
    return parseMatchOverrides(json);
  } catch (e) {
    if (e instanceof OddsError) throw new DetectionConfigError(`DETECTION_MATCH_OVERRIDES (${path}): ${e.message}`);
    throw e;
  }
}

/** @throws DetectionConfigError naming the variable. */
export function detectionConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DetectionConfig {
  if (!env.KALSHI_REST_URL) throw new DetectionConfigError('KALSHI_REST_URL is required (e.g. http://127.0.0.1:8080/trade-api/v2)');
  const feeRoundingTicks = nonNegInt('DETECTION_FEE_ROUNDING_TICKS', env.DETECTION_FEE_ROUNDING_TICKS, 1);
  if (feeRoundingTicks === 0) throw new DetectionConfigError('DETECTION_FEE_ROUNDING_TICKS must be >= 1');
  const sportsbook = sportsbookConfigFromEnv(env);
  return {
    restUrl: env.KALSHI_REST_URL,
    takerFeeBps: nonNegInt('DETECTION_TAKER_FEE_BPS', env.DETECTION_TAKER_FEE_BPS, 700),
    feeRoundingTicks,
    arbSignalSizeCentis: env.DETECTION_ARB_SIGNAL_SIZE ? contractsCentis('DETECTION_ARB_SIGNAL_SIZE', env.DETECTION_ARB_SIGNAL_SIZE) : DEFAULT_ARB_SIGNAL_SIZE_CENTIS,
    arbSignalTtlMs: posInt('DETECTION_ARB_SIGNAL_TTL_MS', env.DETECTION_ARB_SIGNAL_TTL_MS, DEFAULT_ARB_SIGNAL_TTL_MS),
    ...(sportsbook !== undefined ? { sportsbook } : {}),
  };
}
