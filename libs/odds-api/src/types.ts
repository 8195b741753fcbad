/**
 * Shapes shared by every odds source (live HTTP client, saved-file source).
 * Sources return the raw response body; decoding into events/prices happens elsewhere (libs/odds).
 */

/**
 * Usage quota reported by The Odds API v4 in its response headers
 * (https://the-odds-api.com/liveapi/guides/v4/, "Usage quota"):
 * - `remaining` <- `x-requests-remaining`: usage credits left until the quota resets.
 * - `used` <- `x-requests-used`: usage credits used since the last reset.
 * - `last` <- `x-requests-last`: usage cost of the last call (for `/odds`: markets x regions).
 *
 * Units are usage credits (not HTTP requests). `null` = header absent or not a non-negative number.
 */
export interface OddsQuota {
  readonly remaining: number | null;
  readonly used: number | null;
  readonly last: number | null;
}

/** A quota with nothing known (every field `null`). */
export const UNKNOWN_QUOTA: OddsQuota = Object.freeze({ remaining: null, used: null, last: null });

/**
 * One odds document as fetched.
 * - `body`: the response body exactly as received (UTF-8 text of a JSON array of v4 events), never re-serialised.
 * - `fetchedTsMs`: when the body was obtained from its origin, Unix epoch milliseconds (for a cache hit: the time
 *   of the original HTTP fetch; for a file: the file's mtime).
 * - `fromCache`: true when served from the hot cache without an HTTP request.
 * - `quota`: quota headers of the HTTP response that produced `body` (all `null` for a file).
 */
export interface OddsFetch {
  readonly body: string;
  readonly fetchedTsMs: number;
  readonly fromCache: boolean;
  readonly quota: OddsQuota;
}

/** Anything that yields odds documents: {@link OddsApiClient} (live) or {@link FileOddsSource} (replay). */
export interface OddsSource {
  /** Fetch the odds document of `sport` (a v4 sport key or `upcoming`); sources may ignore `sport`. */
  getOdds(sport?: string): Promise<OddsFetch>;
}
