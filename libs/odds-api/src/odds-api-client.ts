/**
 * The Odds API v4 live odds client (issue #5, part 2: the odds source).
 *
 * External rules (The Odds API v4 docs, https://the-odds-api.com/liveapi/guides/v4/):
 * - Endpoint: `GET {baseUrl}/v4/sports/{sport}/odds?apiKey=...&regions=us&markets=h2h&oddsFormat=american&dateFormat=iso`;
 *   `{sport}` is a sport key (e.g. `basketball_nba`) or `upcoming` (the next 8 games across all sports);
 *   `regions` and `markets` are comma-separated lists. Each call costs markets x regions usage credits.
 * - Quota headers on responses: `x-requests-remaining`, `x-requests-used`, `x-requests-last` (cost of this call).
 * - Errors: 401 missing/invalid/deactivated key, 422 invalid parameters, 429 rate limited (EXCEEDED_FREQ_LIMIT,
 *   "retry after a short wait"); error bodies are JSON `{message, error_code, details_url}`
 *   (https://the-odds-api.com/liveapi/guides/v4/api-error-codes.html).
 *
 * HTTP is Node's global fetch (undici). The API key only ever appears in the URL handed to fetch: every URL,
 * message and log line produced here carries `apiKey=REDACTED` instead, and the key is kept in an ES private
 * field (not enumerable, not shown by util.inspect or JSON.stringify).
 */
import type { HotCache } from '@kalshi-platform/storage';
import { assertJsonArray, decodeUtf8Exact } from './body';
import {
  OddsApiConfigError,
  OddsApiHttpError,
  OddsApiNetworkError,
  OddsQuotaExhaustedError,
} from './errors';
import { type OddsFetch, type OddsQuota, type OddsSource, UNKNOWN_QUOTA } from './types';

/** Price format requested from the API (`oddsFormat` query parameter). */
export type OddsFormat = 'american' | 'decimal';

/** Production API origin. */
export const DEFAULT_ODDS_API_BASE_URL = 'https://api.the-odds-api.com';

/** Defaults of {@link OddsApiClientOptions}. Durations in milliseconds. */
export const ODDS_API_DEFAULTS = Object.freeze({
  baseUrl: DEFAULT_ODDS_API_BASE_URL,
  regions: Object.freeze(['us']) as readonly string[],
  markets: Object.freeze(['h2h']) as readonly string[],
  oddsFormat: 'american' as OddsFormat,
  timeoutMs: 10_000,
  maxAttempts: 4,
  backoffBaseMs: 500,
  backoffCapMs: 8_000,
  cacheTtlMs: 60_000,
});

/** Options of {@link OddsApiClient}. */
export interface OddsApiClientOptions {
  /** The Odds API key (secret: sent only as the `apiKey` query parameter, never logged or put in errors). */
  apiKey: string;
  /** API origin (plus optional path prefix), http(s), no query; default `https://api.the-odds-api.com`. */
  baseUrl?: string;
  /** Bookmaker regions (`us`, `us2`, `uk`, `eu`, `au`...), non-empty, `[a-z0-9_]+` each; default `['us']`. */
  regions?: readonly string[];
  /** Market keys (`h2h`, `spreads`, `totals`...), non-empty, `[a-z0-9_]+` each; default `['h2h']`. */
  markets?: readonly string[];
  /** `american` (default) or `decimal`. */
  oddsFormat?: OddsFormat;
  /** Per-attempt timeout covering connect, headers and body, ms (positive integer); default 10 000. */
  timeoutMs?: number;
  /** Total HTTP attempts per fetch, including the first (integer >= 1); default 4. */
  maxAttempts?: number;
  /** Backoff before retry n (n >= 1) is uniform in [0, min(backoffCapMs, backoffBaseMs * 2^(n-1))) ms ("full jitter"); default 500. */
  backoffBaseMs?: number;
  /** Upper bound of the backoff window, ms (>= backoffBaseMs); default 8 000. */
  backoffCapMs?: number;
  /** Hot cache for responses (libs/storage `HotCache`, Redis or memory); none by default. */
  cache?: HotCache;
  /** Lifetime of a cached response, ms (positive integer); default 60 000. */
  cacheTtlMs?: number;
  /** Clock, Unix epoch ms; default `Date.now`. */
  now?: () => number;
  /** Uniform [0, 1) source for jitter; default `Math.random`. */
  random?: () => number;
  /** Wait `ms` milliseconds; default a `setTimeout` promise. */
  sleep?: (ms: number) => Promise<void>;
  /** Diagnostic lines (retries, cache failures, refusals); already redacted. Default: discarded. */
  log?: (line: string) => void;
}

/** Counters since construction (all integers). */
export interface OddsApiClientStats {
  /** HTTP requests sent (every attempt counts). */
  httpRequests: number;
  /** Attempts after the first one (each preceded by a backoff sleep). */
  retries: number;
  /** HTTP 429 answers received. */
  rateLimited: number;
  /** Fetches served from the cache. */
  cacheHits: number;
  /** Cache reads that found nothing usable. */
  cacheMisses: number;
  /** Cache reads/writes that failed (the fetch went on without the cache). */
  cacheErrors: number;
  /** Calls refused because the quota was known to be exhausted. */
  quotaRefusals: number;
}

/** Version tag of the cache envelope; bump when its shape changes. */
const CACHE_ENVELOPE_VERSION = 1;
const TOKEN = /^[a-z0-9_]+$/;

/**
 * Client of The Odds API v4 `/odds` endpoint: builds the documented query, tracks the usage quota from the
 * response headers, refuses to call once `x-requests-remaining` is known to be 0, retries 429 / 5xx / network
 * errors with exponential backoff and full jitter, checks that the body is a JSON array, and caches it in the
 * hot cache. Concurrent `getOdds` calls for the same sport share one fetch. See the module docstring for sources.
 *
 * @throws OddsApiConfigError from the constructor on an invalid option (the message names the option).
 */
export class OddsApiClient implements OddsSource {
  /** Normalised base URL (no trailing slash). */
  readonly baseUrl: string;
  readonly regions: readonly string[];
  readonly markets: readonly string[];
  readonly oddsFormat: OddsFormat;
  readonly cacheTtlMs: number;

  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #backoffBaseMs: number;
  readonly #backoffCapMs: number;
  readonly #cache: HotCache | undefined;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #log: (line: string) => void;
  #quota: OddsQuota = UNKNOWN_QUOTA;
  readonly #stats: OddsApiClientStats = {
    httpRequests: 0,
    retries: 0,
    rateLimited: 0,
    cacheHits: 0,
    cacheMisses: 0,
    cacheErrors: 0,
    quotaRefusals: 0,
  };
  readonly #inflight = new Map<string, Promise<OddsFetch>>();

  constructor(options: OddsApiClientOptions) {
    if (options === null || typeof options !== 'object') throw new OddsApiConfigError('options', 'must be an object');
    const { apiKey } = options;
    if (typeof apiKey !== 'string' || !/^[\x21-\x7e]{1,256}$/.test(apiKey)) {
      // Never echo the value: it is a secret.
      throw new OddsApiConfigError('apiKey', 'must be a non-empty string of printable ASCII characters without spaces');
    }
    this.#apiKey = apiKey;
    this.baseUrl = normaliseBaseUrl(options.baseUrl ?? ODDS_API_DEFAULTS.baseUrl);
    this.regions = tokenList('regions', options.regions ?? ODDS_API_DEFAULTS.regions);
    this.markets = tokenList('markets', options.markets ?? ODDS_API_DEFAULTS.markets);
    const oddsFormat = options.oddsFormat ?? ODDS_API_DEFAULTS.oddsFormat;
    if (oddsFormat !== 'american' && oddsFormat !== 'decimal') {
      throw new OddsApiConfigError('oddsFormat', `must be 'american' or 'decimal', got ${describe(oddsFormat)}`);
    }
    this.oddsFormat = oddsFormat;
    this.#timeoutMs = positiveInt('timeoutMs', options.timeoutMs ?? ODDS_API_DEFAULTS.timeoutMs);
    this.#maxAttempts = positiveInt('maxAttempts', options.maxAttempts ?? ODDS_API_DEFAULTS.maxAttempts);
    this.#backoffBaseMs = nonNegativeInt('backoffBaseMs', options.backoffBaseMs ?? ODDS_API_DEFAULTS.backoffBaseMs);
    this.#backoffCapMs = nonNegativeInt('backoffCapMs', options.backoffCapMs ?? ODDS_API_DEFAULTS.backoffCapMs);
    if (this.#backoffCapMs < this.#backoffBaseMs) {
      throw new OddsApiConfigError('backoffCapMs', `must be >= backoffBaseMs (${this.#backoffBaseMs}), got ${this.#backoffCapMs}`);
    }
    this.cacheTtlMs = positiveInt('cacheTtlMs', options.cacheTtlMs ?? ODDS_API_DEFAULTS.cacheTtlMs);
    this.#cache = options.cache;
    this.#now = fn('now', options.now) ?? Date.now;
    this.#random = fn('random', options.random) ?? Math.random;
    this.#sleep = fn('sleep', options.sleep) ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const log = fn('log', options.log);
    this.#log = log ? (line) => log(this.#redact(line)) : () => undefined;
  }

  /** Last known usage quota (each field updated whenever a response carries that header; `null` until then). */
  get quota(): OddsQuota {
    return this.#quota;
  }

  /** Snapshot of the counters. */
  get stats(): Readonly<OddsApiClientStats> {
    return { ...this.#stats };
  }

  /** Forget the known quota (e.g. after the monthly reset or a plan upgrade) so calls are attempted again. */
  resetQuota(): void {
    this.#quota = UNKNOWN_QUOTA;
  }

  /**
   * Cache key of `sport`'s document: `theoddsapi:v4:<baseUrl>:odds:<sport>:regions=..:markets=..:oddsFormat=..:dateFormat=iso`.
   * Never contains the API key. (The hot cache adds its own `<prefix>odds:` namespace.)
   * @throws OddsApiConfigError on an invalid sport key.
   */
  cacheKey(sport = 'upcoming'): string {
    checkSport(sport);
    return (
      `theoddsapi:v4:${this.baseUrl}:odds:${sport}:regions=${this.regions.join(',')}` +
      `:markets=${this.markets.join(',')}:oddsFormat=${this.oddsFormat}:dateFormat=iso`
    );
  }

  /** The request URL of `sport` with the key shown as `apiKey=REDACTED` (for logs and errors). */
  redactedUrl(sport = 'upcoming'): string {
    return this.#redact(this.#url(sport));
  }

  /**
   * Latest odds document of `sport` (a v4 sport key such as `basketball_nba`, or `upcoming`; `[a-z0-9_]+`).
   * Order: hot cache (hit -> `fromCache: true`, no HTTP) -> quota check -> HTTP with retries -> body check -> cache write.
   * Cache failures are logged and bypassed, never thrown.
   *
   * @returns {@link OddsFetch}; `body` is the response body exactly as received.
   * @throws OddsApiConfigError for an invalid `sport`.
   * @throws OddsQuotaExhaustedError when `x-requests-remaining` is known to be 0 (no request is sent), or becomes 0
   *   on a retryable failure (retrying cannot succeed).
   * @throws OddsApiHttpError on 401/422/other non-retryable statuses at once, or 429/5xx after `maxAttempts`.
   * @throws OddsApiNetworkError when no attempt got an HTTP answer (refused, reset, timeout).
   * @throws OddsBodyFormatError when a 2xx body is not UTF-8 JSON with an array at the top level (it is not cached).
   */
  getOdds(sport = 'upcoming'): Promise<OddsFetch> {
    let key: string;
    try {
      key = this.cacheKey(sport);
    } catch (e) {
      return Promise.reject(e);
    }
    const running = this.#inflight.get(key);
    if (running) return running;
    const p = this.#load(sport, key).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, p);
    return p;
  }

  /**
   * Replace every `apiKey=<value>` and every literal occurrence of the key in `text` by `REDACTED`.
   * Private on purpose: a public version would let callers test guesses of the key.
   */
  #redact(text: string): string {
    let out = text.replace(/(apiKey=)[^&\s"'#<>]*/gi, '$1REDACTED');
    for (const form of new Set([this.#apiKey, encodeURIComponent(this.#apiKey)])) out = out.split(form).join('REDACTED');
    return out;
  }

  async #load(sport: string, key: string): Promise<OddsFetch> {
    const cache = this.#cache;
    if (cache) {
      const hit = await this.#readCache(cache, key);
      if (hit) return hit;
    }
    if (this.#quota.remaining !== null && this.#quota.remaining <= 0) {
      this.#stats.quotaRefusals++;
      this.#log(`odds-api: quota exhausted, refusing GET ${this.redactedUrl(sport)}`);
      throw new OddsQuotaExhaustedError(this.#quota);
    }
    const fetched = await this.#fetchWithRetries(sport);
    assertJsonArray(fetched.body, this.redactedUrl(sport), (s) => this.#redact(s));
    if (cache) {
      const envelope = JSON.stringify({ v: CACHE_ENVELOPE_VERSION, fetchedTsMs: fetched.fetchedTsMs, quota: fetched.quota, body: fetched.body });
      try {
        await cache.setOdds(key, envelope, this.cacheTtlMs);
      } catch (e) {
        this.#stats.cacheErrors++;
        this.#log(`odds-api: cache write failed for ${key}: ${errorText(e)}`);
      }
    }
    return { ...fetched, fromCache: false };
  }

  async #readCache(cache: HotCache, key: string): Promise<OddsFetch | null> {
    let raw: string | null;
    try {
      raw = await cache.getOdds(key);
    } catch (e) {
      this.#stats.cacheErrors++;
      this.#log(`odds-api: cache read failed for ${key}: ${errorText(e)}`);
      return null;
    }
    const hit = raw === null ? null : parseEnvelope(raw);
    if (raw !== null && hit === null) this.#log(`odds-api: ignoring unreadable cache entry ${key}`);
    if (hit) this.#stats.cacheHits++;
    else this.#stats.cacheMisses++;
    return hit;
  }

  async #fetchWithRetries(sport: string): Promise<Omit<OddsFetch, 'fromCache'>> {
    const url = this.#url(sport);
    const shown = this.#redact(url);
    let lastHttp: OddsApiHttpError | null = null;
    let lastNet: { detail: string; code: string | undefined } | null = null;
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      if (attempt > 1) {
        const window = Math.min(this.#backoffCapMs, this.#backoffBaseMs * 2 ** (attempt - 2));
        const delay = Math.floor(this.#random() * window);
        this.#stats.retries++;
        const why = lastHttp ? `HTTP ${lastHttp.status}` : (lastNet?.detail ?? 'error');
        this.#log(`odds-api: GET ${shown} attempt ${attempt - 1}/${this.#maxAttempts} failed (${why}); retrying in ${delay} ms`);
        await this.#sleep(delay);
      }
      this.#stats.httpRequests++;
      let res: Response;
      let bytes: Uint8Array;
      try {
        res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.#timeoutMs) });
        bytes = new Uint8Array(await res.arrayBuffer());
      } catch (e) {
        lastHttp = null;
        lastNet = networkDetail(e, (s) => this.#redact(s));
        continue;
      }
      const fetchedTsMs = this.#now();
      const quota = parseQuota(res.headers);
      this.#mergeQuota(quota);
      if (res.ok) return { body: decodeUtf8Exact(bytes, shown), fetchedTsMs, quota };

      const { errorCode, apiMessage } = parseApiError(new TextDecoder().decode(bytes));
      lastNet = null;
      lastHttp = new OddsApiHttpError(res.status, errorCode, this.#redact(apiMessage), shown, attempt);
      if (res.status === 429) this.#stats.rateLimited++;
      const retryable = res.status === 429 || res.status >= 500;
      if (!retryable) throw lastHttp;
      if (this.#quota.remaining !== null && this.#quota.remaining <= 0) {
        throw new OddsQuotaExhaustedError(this.#quota, `HTTP ${res.status} with no credits left; not retrying`);
      }
    }
    if (lastHttp) throw lastHttp;
    const net = lastNet ?? { detail: 'unknown error', code: undefined };
    const cause = Object.assign(new Error(net.detail), net.code ? { code: net.code } : {});
    throw new OddsApiNetworkError(shown, this.#maxAttempts, net.detail, cause);
  }

  #mergeQuota(q: OddsQuota): void {
    const prev = this.#quota;
    this.#quota = Object.freeze({
      remaining: q.remaining ?? prev.remaining,
      used: q.used ?? prev.used,
      last: q.last ?? prev.last,
    });
  }

  /** Request URL with the real key (only ever passed to fetch). Items are validated `[a-z0-9_]+`, so commas stay literal. */
  #url(sport: string): string {
    checkSport(sport);
    return (
      `${this.baseUrl}/v4/sports/${sport}/odds?apiKey=${encodeURIComponent(this.#apiKey)}` +
      `&regions=${this.regions.join(',')}&markets=${this.markets.join(',')}&oddsFormat=${this.oddsFormat}&dateFormat=iso`
    );
  }
}

/** Parse the quota headers (`x-requests-remaining`, `x-requests-used`, `x-requests-last`); non-numbers become `null`. */
export function parseQuota(headers: Headers): OddsQuota {
  const num = (name: string): number | null => {
    const v = headers.get(name);
    return v !== null && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : null;
  };
  return Object.freeze({ remaining: num('x-requests-remaining'), used: num('x-requests-used'), last: num('x-requests-last') });
}

function parseApiError(text: string): { errorCode: string | null; apiMessage: string } {
  try {
    const j: unknown = JSON.parse(text);
    if (j && typeof j === 'object' && !Array.isArray(j)) {
      const o = j as Record<string, unknown>;
      const message = typeof o.message === 'string' ? o.message : null;
      const code = typeof o.error_code === 'string' ? o.error_code : null;
      if (message !== null || code !== null) return { errorCode: code, apiMessage: (message ?? '').slice(0, 300) };
    }
  } catch {
    /* not JSON: fall through to raw text */
  }
  return { errorCode: null, apiMessage: text.trim().slice(0, 300) };
}

function parseEnvelope(raw: string): OddsFetch | null {
  try {
    const e = JSON.parse(raw) as Record<string, unknown>;
    const q = e?.quota as Record<string, unknown> | undefined;
    const isQ = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isFinite(v));
    if (
      e?.v !== CACHE_ENVELOPE_VERSION ||
      typeof e.body !== 'string' ||
      typeof e.fetchedTsMs !== 'number' ||
      !Number.isSafeInteger(e.fetchedTsMs) ||
      !q ||
      !isQ(q.remaining) ||
      !isQ(q.used) ||
      !isQ(q.last)
    ) {
      return null;
    }
    return { body: e.body, fetchedTsMs: e.fetchedTsMs, fromCache: true, quota: Object.freeze({ remaining: q.remaining, used: q.used, last: q.last }) };
  } catch {
    return null;
  }
}

function networkDetail(e: unknown, redact: (s: string) => string): { detail: string; code: string | undefined } {
  const err = e as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const name = typeof err?.name === 'string' ? err.name : 'Error';
  const message = typeof err?.message === 'string' ? err.message : String(e);
  const code = typeof err?.cause?.code === 'string' ? err.cause.code : undefined;
  const causeMsg = typeof err?.cause?.message === 'string' && err.cause.message !== message ? `: ${err.cause.message}` : '';
  return { detail: redact(`${name}: ${message}${causeMsg}`).slice(0, 300), code };
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function checkSport(sport: unknown): asserts sport is string {
  if (typeof sport !== 'string' || !TOKEN.test(sport)) {
    throw new OddsApiConfigError('sport', `must be a v4 sport key like 'basketball_nba' or 'upcoming' ([a-z0-9_]+), got ${describe(sport)}`);
  }
}

function tokenList(field: string, value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) throw new OddsApiConfigError(field, `must be a non-empty array of keys, got ${describe(value)}`);
  const seen = new Set<string>();
  value.forEach((v: unknown, i) => {
    if (typeof v !== 'string' || !TOKEN.test(v)) throw new OddsApiConfigError(`${field}[${i}]`, `must match [a-z0-9_]+, got ${describe(v)}`);
    if (seen.has(v)) throw new OddsApiConfigError(`${field}[${i}]`, `duplicate ${JSON.stringify(v)}`);
    seen.add(v);
  });
  return Object.freeze([...(value as string[])]);
}

function normaliseBaseUrl(value: unknown): string {
  if (typeof value !== 'string') throw new OddsApiConfigError('baseUrl', `must be a string, got ${describe(value)}`);
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new OddsApiConfigError('baseUrl', `not a valid absolute URL: ${JSON.stringify(value.slice(0, 200))}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new OddsApiConfigError('baseUrl', `must be http or https, got ${u.protocol}`);
  if (u.search || u.hash || u.username || u.password) {
    throw new OddsApiConfigError('baseUrl', 'must not contain a query, fragment or credentials (the key goes in apiKey)');
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

function positiveInt(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new OddsApiConfigError(field, `must be a positive integer, got ${describe(v)}`);
  return v;
}

function nonNegativeInt(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new OddsApiConfigError(field, `must be a non-negative integer, got ${describe(v)}`);
  return v;
}

function fn<T>(field: string, v: T | undefined): T | undefined {
  if (v !== undefined && typeof v !== 'function') throw new OddsApiConfigError(field, `must be a function, got ${describe(v)}`);
  return v;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 100));
  if (Array.isArray(v)) return `array(${v.length})`;
  return v === null ? 'null' : typeof v === 'object' ? 'object' : String(v);
}
