import type { OddsQuota } from './types';

/**
 * Base class of every error thrown by this library, so callers can `catch (e) { if (e instanceof OddsSourceError) }`.
 * No message or property of these errors ever contains the API key (URLs carry `apiKey=REDACTED`).
 */
export class OddsSourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An invalid constructor option or argument; `field` names it (e.g. `regions[1]`, `sport`, `timeoutMs`). */
export class OddsApiConfigError extends OddsSourceError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`invalid ${field}: ${problem}`);
  }
}

/**
 * A non-2xx answer from The Odds API that was not (or no longer) retried.
 * - `status`: HTTP status (401 bad/missing key, 422 bad parameters, 429 too many requests, 5xx...).
 * - `errorCode`: the API's `error_code` (e.g. `INVALID_KEY`, `EXCEEDED_FREQ_LIMIT`;
 *   https://the-odds-api.com/liveapi/guides/v4/api-error-codes.html) or `null` when the body has none.
 * - `apiMessage`: the API's `message` field, else the first 300 characters of the body (key redacted).
 * - `url`: the request URL with `apiKey=REDACTED`. `attempts`: HTTP attempts made (>= 1).
 */
export class OddsApiHttpError extends OddsSourceError {
  constructor(
    readonly status: number,
    readonly errorCode: string | null,
    readonly apiMessage: string,
    readonly url: string,
    readonly attempts: number,
  ) {
    super(
      `The Odds API GET ${url} -> HTTP ${status}${errorCode ? ` ${errorCode}` : ''}: ${apiMessage || '(empty body)'}` +
        ` (after ${attempts} attempt${attempts === 1 ? '' : 's'})`,
    );
  }
}

/**
 * The request never got an HTTP answer (connection refused/reset, DNS, timeout) in `attempts` attempts.
 * `cause` is a sanitised copy (message and `code` only) of the last low-level error.
 */
export class OddsApiNetworkError extends OddsSourceError {
  constructor(
    readonly url: string,
    readonly attempts: number,
    detail: string,
    cause: Error,
  ) {
    super(`The Odds API GET ${url} failed without an HTTP response after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${detail}`, { cause });
  }
}

/**
 * Refused without sending a request because the usage quota is known to be spent
 * (`x-requests-remaining` was 0 on an earlier response). `quota` is the last known quota.
 */
export class OddsQuotaExhaustedError extends OddsSourceError {
  constructor(
    readonly quota: OddsQuota,
    detail = 'refusing to call',
  ) {
    super(
      `The Odds API usage quota is exhausted (x-requests-remaining=${String(quota.remaining)}, x-requests-used=${String(quota.used)}): ${detail}`,
    );
  }
}

/** A body (HTTP 200 or saved file) that is not valid UTF-8 JSON whose top level is an array. `source`: redacted URL or file path. */
export class OddsBodyFormatError extends OddsSourceError {
  constructor(
    readonly source: string,
    readonly detail: string,
  ) {
    super(`odds body from ${source} is not a JSON array: ${detail}`);
  }
}

/** A saved odds file that cannot be read (missing, a directory, no permission). `code` is the Node error code, e.g. `ENOENT`. */
export class OddsFileError extends OddsSourceError {
  constructor(
    readonly path: string,
    readonly code: string | null,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot read odds file ${path}: ${detail}`, options);
  }
}
