/**
 * Kalshi REST v2 client (read side used by the platform's apps): signed requests when credentials are
 * given (RSA-PSS over `timestamp + METHOD + path`, KALSHI_API.md "Authentication"), JSON bodies, cursor
 * pagination (pass `cursor` until it comes back empty or null), and retries on 429 / 5xx with exponential
 * backoff and jitter (Kalshi sends no Retry-After: docs.kalshi.com/getting_started/rate_limits).
 * HTTP is Node's built-in fetch (undici).
 */
import type { KeyObject } from 'node:crypto';
import { signRequest } from '../auth';

export interface KalshiRestClientOptions {
  /** e.g. `https://external-api.kalshi.com/trade-api/v2` or the mock's `http://127.0.0.1:8080/trade-api/v2` */
  baseUrl: string;
  credentials?: { keyId: string; privateKeyPem?: string; privateKey?: KeyObject };
  /** attempts for 429 / 5xx / network errors (default 5) */
  maxAttempts?: number;
  /** first backoff delay (default 200 ms), doubled each attempt, jittered */
  initialBackoffMs?: number;
  timeoutMs?: number;
  random?: () => number;
}

/** A non-2xx answer; `status` and Kalshi's error body are kept, the message names the request. */
export class KalshiHttpError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: unknown,
  ) {
    super(`${method} ${path} -> HTTP ${status}: ${typeof body === 'string' ? body.slice(0, 300) : JSON.stringify(body).slice(0, 300)}`);
    this.name = 'KalshiHttpError';
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

/** See the module docstring. */
export class KalshiRestClient {
  private readonly base: URL;
  /** requests retried after 429 */
  rateLimited = 0;

  constructor(private readonly opts: KalshiRestClientOptions) {
    this.base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : opts.baseUrl + '/');
  }

  /**
   * GET `path` (relative to the base URL, e.g. `markets`) and return the parsed JSON body.
   * @throws KalshiHttpError on a non-2xx answer after retries; Error on network failure after retries.
   */
  async get<T = unknown>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('GET', path, query);
  }

  /** Sends a request with optional JSON body; retries 429, 5xx and network errors. */
  async request<T = unknown>(method: string, path: string, query: Query = {}, body?: unknown): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const maxAttempts = this.opts.maxAttempts ?? 5;
    const random = this.opts.random ?? Math.random;
    // Only 429 (refused before any processing) is retried for every method; 5xx and network errors are retried
    // only for idempotent methods, so a POST that may have reached the exchange is never sent twice.
    const idempotent = method === 'GET' || method === 'HEAD' || method === 'DELETE';
    let lastErr: unknown;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      if (attempt > 0) {
        const base = (this.opts.initialBackoffMs ?? 200) * 2 ** (attempt - 1);
        await new Promise((r) => setTimeout(r, base / 2 + (random() * base) / 2));
      }
      const headers: Record<string, string> = { accept: 'application/json' };
      const c = this.opts.credentials;
      if (c) {
        const key = c.privateKey ?? c.privateKeyPem;
        Object.assign(headers, signRequest({ keyId: c.keyId, privateKey: key as KeyObject } as never, method, url.pathname));
      }
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000) });
      } catch (e) {
        lastErr = e;
        if (!idempotent) break;
        continue;
      }
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* keep text */
      }
      if (res.ok) return parsed as T;
      if (res.status === 429) this.rateLimited++;
      lastErr = new KalshiHttpError(res.status, method, url.pathname, parsed);
      if (res.status !== 429 && (res.status < 500 || !idempotent)) throw lastErr;
    }
    throw lastErr instanceof Error ? lastErr : new Error(`${method} ${url.pathname} failed: ${String(lastErr)}`);
  }

  /**
   * Fetches every page of a cursor-paged list: repeats with `cursor` until it is empty or null.
   * `key` is the array's field in the body (e.g. `markets`, `events`).
   */
  async getAll<T = unknown>(path: string, key: string, query: Query = {}, maxPages = 10_000): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < maxPages; i++) {
      const body = await this.get<Record<string, unknown>>(path, { ...query, cursor });
      const items = body?.[key];
      if (!Array.isArray(items)) throw new Error(`GET ${path}: body has no "${key}" array`);
      out.push(...(items as T[]));
      const next = body.cursor;
      if (typeof next !== 'string' || next === '') return out;
      cursor = next;
    }
    throw new Error(`GET ${path}: more than ${maxPages} pages`);
  }
}
