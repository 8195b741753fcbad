/**
 * `kalshi-platform backfill` (issue #4): downloads the public trades of one market in a time window from
 * `GET /markets/trades` into a JSONL file, one trade per line, each exactly once.
 *
 * - Paging: `ticker`, `min_ts` / `max_ts` (Unix seconds covering the window; trades are then kept when
 *   `startMs <= created_time <= endMs` to the millisecond) and `cursor` until the cursor comes back empty.
 * - Rate limit: a client-side token bucket at the tier's read budget (10 tokens a request; Kalshi tiers basic 200/s,
 *   advanced 300, premier 1000, paragon 2000, prime 4000 read tokens per second). With `REDIS_URL` / `--redis-url` the
 *   account's budget is also shared with every other process of the same key through a Redis counter per second
 *   (libs/storage `SharedRateLimiter`), since Kalshi limits the key, not the process; if Redis fails mid-run the
 *   backfill warns once and goes on with its own bucket.
 * - 429 (Kalshi sends no Retry-After), 5xx and network errors: exponential backoff with full jitter
 *   (`random() * min(cap, base * 2^attempt)`).
 * - Durability: each page is appended and fsynced, then the checkpoint `{cursor, tradesWritten, lastTradeId}` is
 *   written to a temp file, fsynced and renamed over the checkpoint. A killed run restarted with the same checkpoint
 *   resumes at the saved cursor; trade ids already in the output file are skipped, and a torn last line is cut off,
 *   so a kill between the append and the checkpoint leaves neither a gap nor a duplicate.
 * - Completeness check at the end: the output file is re-read; lines == distinct trade ids == the checkpoint count.
 * - Progress: cli-progress bar (window covered, trade rate, ETA) on a TTY, a plain status line otherwise.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { open, readFile, rename, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { optionsOrExit } from './flags';
import { SingleBar, Presets } from 'cli-progress';
import { decodeTrades, KalshiHttpError, KalshiRestClient } from '@kalshi-platform/kalshi';
import { createHotCache, SharedRateLimiter, type HotCache } from '@kalshi-platform/storage';

/** Read tokens per second of each Kalshi rate-limit tier. */
export const TIER_READ_TOKENS_PER_SEC = { basic: 200, advanced: 300, premier: 1000, paragon: 2000, prime: 4000 } as const;
export type RateLimitTier = keyof typeof TIER_READ_TOKENS_PER_SEC;
/** Tokens one read request costs. */
export const READ_REQUEST_TOKENS = 10;

export interface BackfillOptions {
  ticker: string;
  /** window start / end, Unix ms, both inclusive */
  startMs: number;
  endMs: number;
  /** JSONL output file (appended) */
  out: string;
  /** checkpoint file (default `<out>.checkpoint.json`) */
  checkpoint?: string;
  tier?: RateLimitTier;
  /** base URL, e.g. `http://127.0.0.1:8080/trade-api/v2` */
  restUrl: string;
  credentials?: { keyId: string; privateKeyPem: string };
  /** share the key's read budget with other processes through this Redis (`REDIS_URL`) */
  redisUrl?: string;
  /** page size (`limit`, default 1000) */
  pageLimit?: number;
  /** attempts per page on 429 / 5xx / network errors (default 12) */
  maxAttempts?: number;
  /** full-jitter backoff base and cap, ms (defaults 200 and 10,000) */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  random?: () => number;
  /** aborting stops after the page in flight is durably written (simulates a kill in tests) */
  signal?: AbortSignal;
  /** called after each page is durable */
  onPage?: (info: { page: number; trades: number; tradesWritten: number }) => void;
  /** `auto` (default): bar on a TTY stderr, plain line otherwise */
  progress?: 'auto' | 'bar' | 'plain' | 'none';
  log?: (line: string) => void;
}

export interface BackfillResult {
  /** pages fetched by this run */
  pages: number;
  /** trades appended by this run */
  newTrades: number;
  /** trades on fetched pages already in the output file (skipped) */
  duplicatesSkipped: number;
  /** trades in the output file per the checkpoint */
  tradesWritten: number;
  lastTradeId?: string;
  /** 429 answers seen by this run */
  rateLimited: number;
  /** retries of any kind (429, 5xx, network) */
  retries: number;
  resumed: boolean;
  /** the cursor came back empty: the window is fully downloaded */
  done: boolean;
  aborted: boolean;
  /** re-count of the output file */
  check: { lines: number; distinctIds: number; ok: boolean };
  elapsedMs: number;
  /** requests the shared (Redis) rate limit held back to the next second: the key's budget was used elsewhere too */
  sharedThrottled: number;
}

interface Checkpoint {
  version: 1;
  ticker: string;
  minTs: number;
  maxTs: number;
  /** cursor of the next page to fetch ('' before the first page) */
  cursor: string;
  done: boolean;
  tradesWritten: number;
  lastTradeId?: string;
  /** oldest created_time seen (ms), for progress */
  oldestMs?: number;
}

/** A client-side token bucket: `ratePerSec` tokens a second, burst of one second. */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();
  constructor(
    private readonly ratePerSec: number,
    private readonly capacity = ratePerSec,
  ) {
    this.tokens = capacity;
  }
  /** Waits until `cost` tokens are available and takes them. */
  async take(cost: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.ratePerSec);
      this.last = now;
      if (this.tokens >= cost) {
        this.tokens -= cost;
        return;
      }
      await sleep(Math.ceil(((cost - this.tokens) / this.ratePerSec) * 1000), signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Full-jitter exponential backoff delay for retry `attempt` (0-based). */
export function fullJitterDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return random() * Math.min(capMs, baseMs * 2 ** attempt);
}

async function writeCheckpointAtomic(path: string, cp: Checkpoint): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify(cp) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  try {
    const d = openSync(dirname(path), 'r');
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  } catch {
    /* directory fsync is not supported everywhere */
  }
}

/** Reads the output file: trade ids in it; cuts off a torn (unterminated or unparsable) last line. */
async function scanOutput(path: string): Promise<{ ids: Set<string>; lines: number }> {
  const ids = new Set<string>();
  if (!existsSync(path)) return { ids, lines: 0 };
  const buf = await readFile(path);
  let end = buf.length;
  const lastNl = buf.lastIndexOf(0x0a);
  if (lastNl !== buf.length - 1) {
    end = lastNl + 1;
    await truncate(path, end);
  }
  let lines = 0;
  for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
    if (!line) continue;
    const id = (JSON.parse(line) as { trade_id?: unknown }).trade_id;
    if (typeof id !== 'string') throw new Error(`${path}: line ${lines + 1} has no trade_id`);
    ids.add(id);
    lines++;
  }
  return { ids, lines };
}

/** Downloads the window into `opts.out`; see the module docstring. */
export async function runBackfill(opts: BackfillOptions): Promise<BackfillResult> {
  const sharedCache: HotCache | null = opts.redisUrl ? createHotCache({ redisUrl: opts.redisUrl }) : null;
  try {
    return await backfill(opts, sharedCache);
  } finally {
    await sharedCache?.close().catch(() => undefined);
  }
}

async function backfill(opts: BackfillOptions, sharedCache: HotCache | null): Promise<BackfillResult> {
  const t0 = Date.now();
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const cpPath = opts.checkpoint ?? `${opts.out}.checkpoint.json`;
  // min_ts / max_ts are whole seconds compared with the trade's time: ask for the covering seconds, filter by ms here
  const minTs = Math.floor(opts.startMs / 1000);
  const maxTs = Math.ceil(opts.endMs / 1000);
  const tier = opts.tier ?? 'basic';
  const bucket = new TokenBucket(TIER_READ_TOKENS_PER_SEC[tier]);
  const throttledBy: SharedRateLimiter | null = sharedCache
    ? new SharedRateLimiter(sharedCache, { key: `kalshi-read:${opts.credentials?.keyId ?? 'anonymous'}`, perSecond: TIER_READ_TOKENS_PER_SEC[tier] / READ_REQUEST_TOKENS })
    : null;
  let shared = throttledBy;
  const client = new KalshiRestClient({ baseUrl: opts.restUrl, credentials: opts.credentials, maxAttempts: 1 });
  const random = opts.random ?? Math.random;
  const maxAttempts = opts.maxAttempts ?? 12;

  let cp: Checkpoint = { version: 1, ticker: opts.ticker, minTs, maxTs, cursor: '', done: false, tradesWritten: 0 };
  let resumed = false;
  if (existsSync(cpPath)) {
    const saved = JSON.parse(readFileSync(cpPath, 'utf8')) as Checkpoint;
    if (saved.ticker !== opts.ticker || saved.minTs !== minTs || saved.maxTs !== maxTs) {
      throw new Error(`checkpoint ${cpPath} is for ${saved.ticker} [${saved.minTs}, ${saved.maxTs}], not ${opts.ticker} [${minTs}, ${maxTs}]; remove it or pick another --checkpoint`);
    }
    cp = saved;
    resumed = true;
  }
  const { ids } = await scanOutput(opts.out);
  if (!resumed && ids.size > 0) throw new Error(`${opts.out} already has ${ids.size} trades but there is no checkpoint ${cpPath}`);
  // a kill between the append and the checkpoint: the file is ahead of the checkpoint; the ids in it are skipped
  cp.tradesWritten = ids.size;

  const res: BackfillResult = {
    pages: 0,
    newTrades: 0,
    duplicatesSkipped: 0,
    tradesWritten: cp.tradesWritten,
    lastTradeId: cp.lastTradeId,
    rateLimited: 0,
    retries: 0,
    resumed,
    done: cp.done,
    aborted: false,
    check: { lines: 0, distinctIds: 0, ok: false },
    elapsedMs: 0,
    sharedThrottled: 0,
  };
  const progress = makeProgress(opts.progress ?? 'auto', maxTs - minTs, log);
  const covered = () => (cp.oldestMs === undefined ? 0 : Math.max(0, Math.min(maxTs - minTs, maxTs - Math.floor(cp.oldestMs / 1000))));
  progress.start(cp.tradesWritten, covered());

  const fh = await open(opts.out, 'a');
  try {
    while (!cp.done) {
      if (opts.signal?.aborted) {
        res.aborted = true;
        break;
      }
      const body = await fetchPage(cp.cursor);
      if (body === undefined) {
        res.aborted = true;
        break;
      }
      const decoded = decodeTrades(body);
      if (!decoded.ok) throw new Error(`GET markets/trades: unexpected body: ${decoded.error.message}`);
      const raw = (body as { trades: Array<Record<string, unknown>> }).trades;
      const lines: string[] = [];
      for (const t of raw) {
        const id = t.trade_id as string;
        const ms = Date.parse(String(t.created_time));
        if (Number.isFinite(ms)) {
          if (ms < opts.startMs || ms > opts.endMs) continue;
          cp.oldestMs = cp.oldestMs === undefined ? ms : Math.min(cp.oldestMs, ms);
        }
        if (ids.has(id)) {
          res.duplicatesSkipped++;
          continue;
        }
        ids.add(id);
        lines.push(JSON.stringify(t));
        cp.lastTradeId = id;
      }
      if (lines.length) {
        await fh.write(lines.join('\n') + '\n');
        await fh.sync();
      }
      const next = (body as { cursor?: unknown }).cursor;
      cp.cursor = typeof next === 'string' ? next : '';
      cp.done = cp.cursor === '';
      cp.tradesWritten += lines.length;
      await writeCheckpointAtomic(cpPath, cp);
      res.pages++;
      res.newTrades += lines.length;
      progress.update(cp.tradesWritten, cp.done ? maxTs - minTs : covered());
      opts.onPage?.({ page: res.pages, trades: lines.length, tradesWritten: cp.tradesWritten });
    }
  } finally {
    await fh.close();
    progress.stop();
  }

  const check = await scanOutput(opts.out);
  res.check = { lines: check.lines, distinctIds: check.ids.size, ok: check.lines === check.ids.size && check.lines === cp.tradesWritten };
  res.tradesWritten = cp.tradesWritten;
  res.lastTradeId = cp.lastTradeId;
  res.done = cp.done;
  res.elapsedMs = Date.now() - t0;
  res.sharedThrottled = throttledBy?.throttled ?? 0;
  return res;

  /** One page with token bucket and full-jitter retries; undefined when aborted while waiting. */
  async function fetchPage(cursor: string): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      await bucket.take(READ_REQUEST_TOKENS, opts.signal);
      if (shared) {
        try {
          await shared.acquire(opts.signal);
        } catch (e) {
          if (opts.signal?.aborted) return undefined;
          log(`backfill: shared rate limit unavailable (${(e as Error).message}); going on with this process's own budget`);
          shared = null;
        }
      }
      if (opts.signal?.aborted) return undefined;
      try {
        return await client.get('markets/trades', { ticker: opts.ticker, min_ts: minTs, max_ts: maxTs, limit: opts.pageLimit ?? 1000, cursor: cursor || undefined });
      } catch (e) {
        const status = e instanceof KalshiHttpError ? e.status : 0;
        if (status === 429) res.rateLimited++;
        const retryable = status === 429 || status >= 500 || !(e instanceof KalshiHttpError);
        if (!retryable || attempt + 1 >= maxAttempts) throw e;
        res.retries++;
        await sleep(fullJitterDelay(attempt, opts.backoffBaseMs ?? 200, opts.backoffCapMs ?? 10_000, random), opts.signal);
      }
    }
  }
}

interface Progress {
  start(trades: number, covered: number): void;
  update(trades: number, covered: number): void;
  stop(): void;
}

/** Bar over the window's seconds covered (trades come newest first), with trades/s and ETA; or a plain line. */
function makeProgress(mode: 'auto' | 'bar' | 'plain' | 'none', windowSec: number, log: (l: string) => void): Progress {
  const kind = mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'plain') : mode;
  const t0 = Date.now();
  let trades0 = 0;
  const rate = (trades: number) => ((trades - trades0) / Math.max(0.001, (Date.now() - t0) / 1000)).toFixed(1);
  if (kind === 'bar') {
    const bar = new SingleBar(
      { format: 'backfill [{bar}] {percentage}% | {trades} trades | {rate} trades/s | ETA {eta_formatted}', stream: process.stderr, etaBuffer: 20 },
      Presets.shades_classic,
    );
    return {
      start: (trades, covered) => {
        trades0 = trades;
        bar.start(Math.max(1, windowSec), covered, { trades, rate: '0.0' });
      },
      update: (trades, covered) => bar.update(covered, { trades, rate: rate(trades) }),
      stop: () => bar.stop(),
    };
  }
  if (kind === 'plain') {
    let lastLog = 0;
    const line = (trades: number, covered: number, force = false) => {
      if (!force && Date.now() - lastLog < 1000) return;
      lastLog = Date.now();
      const pct = windowSec > 0 ? ((100 * covered) / windowSec).toFixed(1) : '100.0';
      const el = (Date.now() - t0) / 1000;
      const frac = windowSec > 0 ? covered / windowSec : 1;
      const eta = frac > 0 && frac < 1 ? `${Math.round((el / frac) * (1 - frac))}s` : '-';
      log(`backfill: ${pct}% of window, ${trades} trades, ${rate(trades)} trades/s, ETA ${eta}`);
    };
    let last = { trades: 0, covered: 0 };
    return {
      start: (trades) => {
        trades0 = trades;
      },
      update: (trades, covered) => {
        last = { trades, covered };
        line(trades, covered);
      },
      stop: () => line(last.trades, last.covered, true),
    };
  }
  return { start: () => undefined, update: () => undefined, stop: () => undefined };
}

/** A bad command-line argument; the message names the flag. The CLI exits 2. */
export class BackfillArgError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`);
    this.name = 'BackfillArgError';
  }
}

/** Parses `2026-01-02`, `2026-01-02T03:04:05Z` (ISO 8601, UTC unless an offset is given) or Unix seconds. */
export function parseDateArg(flag: string, value: string | undefined): number {
  if (value === undefined || value === '') throw new BackfillArgError(flag, 'is required (ISO 8601 date/time or Unix seconds)');
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) throw new BackfillArgError(flag, `not a date: ${JSON.stringify(value)}`);
  const iso = value.length > 10 && !/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value + 'Z' : value;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new BackfillArgError(flag, `not a date: ${JSON.stringify(value)}`);
  const d = new Date(ms).toISOString().slice(0, 10);
  if (d !== value.slice(0, 10) && !/[+-]\d{2}:?\d{2}$/.test(value)) throw new BackfillArgError(flag, `not a date: ${JSON.stringify(value)}`);
  return ms;
}

export interface BackfillCliFlags {
  ticker?: string;
  start?: string;
  end?: string;
  out?: string;
  checkpoint?: string;
  rateLimitTier?: string;
  restUrl?: string;
  credentials?: string;
  redisUrl?: string;
}

/** Flags (then env `KALSHI_REST_URL`, `KALSHI_CREDENTIALS_FILE`) → options. @throws BackfillArgError naming the flag */
export function backfillOptionsFromFlags(flags: BackfillCliFlags, env: NodeJS.ProcessEnv = process.env): BackfillOptions {
  if (!flags.ticker) throw new BackfillArgError('--ticker', 'is required');
  const startMs = parseDateArg('--start', flags.start);
  const endMs = parseDateArg('--end', flags.end);
  if (endMs < startMs) throw new BackfillArgError('--end', `${flags.end} is before --start ${flags.start}`);
  const tier = flags.rateLimitTier ?? 'basic';
  if (!(tier in TIER_READ_TOKENS_PER_SEC)) throw new BackfillArgError('--rate-limit-tier', `must be one of ${Object.keys(TIER_READ_TOKENS_PER_SEC).join(', ')}, got ${JSON.stringify(tier)}`);
  const restUrl = flags.restUrl ?? env.KALSHI_REST_URL;
  if (!restUrl) throw new BackfillArgError('--rest-url', 'is required (or set KALSHI_REST_URL)');
  try {
    new URL(restUrl);
  } catch {
    throw new BackfillArgError('--rest-url', `not a URL: ${JSON.stringify(restUrl)}`);
  }
  const credFile = flags.credentials ?? env.KALSHI_CREDENTIALS_FILE;
  let credentials: BackfillOptions['credentials'];
  if (credFile) {
    const flag = flags.credentials ? '--credentials' : 'KALSHI_CREDENTIALS_FILE';
    let j: { key_id?: unknown; private_key_pem?: unknown };
    try {
      j = JSON.parse(readFileSync(credFile, 'utf8'));
    } catch (e) {
      throw new BackfillArgError(flag, `cannot read ${credFile}: ${(e as Error).message}`);
    }
    if (typeof j.key_id !== 'string' || typeof j.private_key_pem !== 'string') throw new BackfillArgError(flag, `${credFile} is not a {key_id, private_key_pem} file`);
    credentials = { keyId: j.key_id, privateKeyPem: j.private_key_pem };
  }
  const out = flags.out ?? `${flags.ticker}-trades.jsonl`;
  const redisUrl = flags.redisUrl || env.REDIS_URL || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\/\S+$/.test(redisUrl)) throw new BackfillArgError(flags.redisUrl ? '--redis-url' : 'REDIS_URL', `expected redis://host:port, got ${JSON.stringify(redisUrl.replace(/\/\/[^@/]*@/, '//***@'))}`);
  return { ticker: flags.ticker, startMs, endMs, out, checkpoint: flags.checkpoint, tier: tier as RateLimitTier, restUrl, credentials, redisUrl };
}

/** Registers `backfill` on the program. */
export const registerBackfill = (program: Command): void => {
  program
    .command('backfill')
    .description('Download the public trades of a market in a time window to JSONL (resumable, rate-limited)')
    .option('--ticker <ticker>', 'market ticker')
    .option('--start <date>', 'window start: ISO 8601 (UTC) or Unix seconds')
    .option('--end <date>', 'window end (inclusive): ISO 8601 (UTC) or Unix seconds')
    .option('--out <file>', 'JSONL output file (default <ticker>-trades.jsonl)')
    .option('--checkpoint <file>', 'checkpoint file (default <out>.checkpoint.json)')
    .option('--rate-limit-tier <tier>', 'basic|advanced|premier|paragon|prime', 'basic')
    .option('--rest-url <url>', 'REST base URL (env KALSHI_REST_URL)')
    .option('--credentials <file>', '{key_id, private_key_pem} file (env KALSHI_CREDENTIALS_FILE)')
    .option('--redis-url <url>', "share the key's read budget with other processes through Redis (env REDIS_URL)")
    .action(async (flags: BackfillCliFlags) => {
      const opts = optionsOrExit('backfill', (e) => e instanceof BackfillArgError, () => backfillOptionsFromFlags(flags));
      const ac = new AbortController();
      const onSig = () => ac.abort();
      process.once('SIGINT', onSig);
      process.once('SIGTERM', onSig);
      try {
        const r = await runBackfill({ ...opts, signal: ac.signal });
        const status = r.aborted ? 'interrupted (resume with the same command)' : 'done';
        process.stdout.write(
          `backfill ${opts.ticker}: ${status}; ${r.newTrades} new trades in ${r.pages} pages, ${r.tradesWritten} in ${opts.out}; ` +
            `${r.rateLimited} x 429; completeness check ${r.check.ok ? 'OK' : 'FAILED'} (${r.check.lines} lines, ${r.check.distinctIds} distinct trade ids)\n`,
        );
        if (!r.check.ok) process.exitCode = 1;
        else if (r.aborted) process.exitCode = 130;
      } finally {
        process.off('SIGINT', onSig);
        process.off('SIGTERM', onSig);
      }
    });
};
