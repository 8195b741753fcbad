/**
 * `kalshi-platform backfill` against the live mock exchange over real HTTP: ~300 trades made by crossing the house
 * book, paged with 429 storms on (every trade exactly once, 429s counted), a run aborted after a few pages and
 * resumed from its checkpoint (no gap, no duplicate, also when the checkpoint lags the file), the time window, and
 * argument errors (exit 2, message naming the flag).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExchange, type RunningExchange } from '@kalshi-platform/feature-exchange';
import { backfillOptionsFromFlags, BackfillArgError, fullJitterDelay, parseDateArg, runBackfill, type BackfillOptions } from '../src/commands/backfill';

const ELON = 'KXELONMARS-99';
const N = 300;
const REPO = join(__dirname, '..', '..', '..');

const idsOf = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { trade_id: string }).trade_id);

describe('backfill', () => {
  let ex: RunningExchange;
  let dir: string;
  let creds: string;
  let expected: string[];
  let startMs: number;
  let endMs: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'backfill-'));
    creds = join(dir, 'creds.json');
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, credentialsOut: creds, rateLimits: { readPerSec: 4000, writePerSec: 4000 } });
    await ex.venue.createAccount('bob', 1_000_000_000);
    startMs = Date.now() - 1000;
    const elonTrades = () => ex.venue.trades.filter((t) => t.marketTicker === ELON).length;
    for (let i = 0; elonTrades() < N && i < 2 * N; i++) {
      // two batches in different seconds, so the window test can cut between them
      if (i === N / 2) await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 10));
      const side = i % 2 === 0 ? 'yes' : 'no';
      const r = await ex.venue.placeOrder('bob', { marketTicker: ELON, side, action: 'buy', priceTicks: 9900, sizeCentis: 100, timeInForce: 'immediate_or_cancel' });
      if (!r.ok) throw new Error(r.message);
    }
    endMs = Date.now() + 1000;
    expected = ex.venue.trades.filter((t) => t.marketTicker === ELON).map((t) => t.tradeId);
    expect(expected.length).toBeGreaterThanOrEqual(N);
  }, 60_000);

  afterAll(async () => {
    ex.faults.set({ seed: 1 });
    await ex.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const base = (name: string): BackfillOptions => ({
    ticker: ELON,
    startMs,
    endMs,
    out: join(dir, `${name}.jsonl`),
    restUrl: ex.restUrl,
    credentials: (() => {
      const j = JSON.parse(readFileSync(creds, 'utf8'));
      return { keyId: j.key_id, privateKeyPem: j.private_key_pem };
    })(),
    tier: 'prime',
    pageLimit: 25,
    backoffBaseMs: 20,
    backoffCapMs: 300,
    progress: 'none',
  });

  it('stores every trade exactly once through 429 storms, and counts the 429s', async () => {
    ex.faults.set({ seed: 1, storm: { everyMs: 400, forMs: 150 } });
    try {
      // basic tier: 200 read tokens/s = 20 requests/s after a burst of 20, so 31+ pages span several storms
      const o: BackfillOptions = { ...base('storm'), tier: 'basic', pageLimit: 10 };
      const r = await runBackfill(o);
      expect(r.elapsedMs).toBeGreaterThanOrEqual(((r.pages + r.retries - 20) / 20) * 1000 - 50);
      const got = idsOf(o.out);
      expect(r.done).toBe(true);
      expect(r.aborted).toBe(false);
      expect(got).toHaveLength(expected.length);
      expect(new Set(got).size).toBe(got.length);
      expect([...got].sort()).toEqual([...expected].sort());
      expect(r.rateLimited).toBeGreaterThan(0);
      expect(r.check).toEqual({ lines: expected.length, distinctIds: expected.length, ok: true });
      expect(r.tradesWritten).toBe(expected.length);
      const cp = JSON.parse(readFileSync(`${o.out}.checkpoint.json`, 'utf8'));
      expect(cp).toMatchObject({ done: true, cursor: '', tradesWritten: expected.length, lastTradeId: got[got.length - 1] });
    } finally {
      ex.faults.set({ seed: 1 });
    }
  }, 60_000);

  it('two backfills of one key share its budget through Redis: held back to the next second, each trade once in each file', async () => {
    const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
    // basic tier: 20 requests a second for the key, shared; each run alone would start with a burst of 20
    const a: BackfillOptions = { ...base('shared-a'), tier: 'basic', pageLimit: 10, redisUrl };
    const b: BackfillOptions = { ...base('shared-b'), tier: 'basic', pageLimit: 10, redisUrl };
    const [ra, rb] = await Promise.all([runBackfill(a), runBackfill(b)]);
    for (const [o, r] of [[a, ra], [b, rb]] as const) {
      expect(r.check).toEqual({ lines: expected.length, distinctIds: expected.length, ok: true });
      expect([...idsOf(o.out)].sort()).toEqual([...expected].sort());
    }
    expect(ra.sharedThrottled + rb.sharedThrottled).toBeGreaterThan(0);
    // together no faster than the key's 20 requests a second (after the first second's 20)
    const requests = ra.pages + ra.retries + rb.pages + rb.retries;
    expect(Math.max(ra.elapsedMs, rb.elapsedMs)).toBeGreaterThanOrEqual(((requests - 20) / 20) * 1000 - 1000);
  }, 60_000);

  it('resumes from the checkpoint after an abort mid-way: no gaps, no duplicates', async () => {
    const o = base('resume');
    const ac = new AbortController();
    const first = await runBackfill({ ...o, signal: ac.signal, onPage: ({ page }) => page === 4 && ac.abort() });
    expect(first).toMatchObject({ aborted: true, done: false, pages: 4, tradesWritten: 100 });
    expect(first.check.ok).toBe(true);
    // a kill after the append of page 5 but before its checkpoint, with a torn last line: the file is ahead
    const cpFile = `${o.out}.checkpoint.json`;
    const cpBefore = readFileSync(cpFile, 'utf8');
    const ac2 = new AbortController();
    await runBackfill({ ...o, signal: ac2.signal, onPage: () => ac2.abort() });
    writeFileSync(cpFile, cpBefore);
    writeFileSync(o.out, readFileSync(o.out, 'utf8') + '{"trade_id":"torn', { flag: 'w' });
    const second = await runBackfill(o);
    expect(second.resumed).toBe(true);
    expect(second.done).toBe(true);
    expect(second.duplicatesSkipped).toBe(25);
    const got = idsOf(o.out);
    expect(got).toHaveLength(expected.length);
    expect(new Set(got).size).toBe(expected.length);
    expect([...got].sort()).toEqual([...expected].sort());
    // newest first, as the exchange pages them: the file is the reverse of the venue's order
    expect(got).toEqual([...expected].reverse());
    expect(second.check).toEqual({ lines: expected.length, distinctIds: expected.length, ok: true });
    // a finished checkpoint: running again fetches nothing
    const third = await runBackfill(o);
    expect(third).toMatchObject({ pages: 0, newTrades: 0, done: true, check: { ok: true } });
  }, 60_000);

  it('filters by the time window (inclusive, to the millisecond)', async () => {
    const trades = ex.venue.trades.filter((t) => t.marketTicker === ELON);
    const secs = [...new Set(trades.map((t) => Math.floor(t.tsMs / 1000)))];
    expect(secs.length).toBeGreaterThan(1);
    const cut = secs[secs.length - 1];
    const inWin = trades.filter((t) => Math.floor(t.tsMs / 1000) >= cut).map((t) => t.tradeId);
    expect(inWin.length).toBeGreaterThan(0);
    expect(inWin.length).toBeLessThan(trades.length);
    const before = trades.filter((t) => Math.floor(t.tsMs / 1000) <= cut - 1).map((t) => t.tradeId);
    const early = { ...base('early'), startMs: 0, endMs: cut * 1000 - 1 };
    await runBackfill(early);
    expect([...idsOf(early.out)].sort()).toEqual([...before].sort());
    const o = { ...base('window'), startMs: cut * 1000, endMs };
    const r = await runBackfill(o);
    expect([...idsOf(o.out)].sort()).toEqual([...inWin].sort());
    expect(r.check.ok).toBe(true);
    const none = { ...base('empty'), startMs: endMs + 10_000, endMs: endMs + 20_000 };
    const e = await runBackfill(none);
    expect(e).toMatchObject({ tradesWritten: 0, done: true, check: { lines: 0, ok: true } });
    // a checkpoint of another window is refused
    await expect(runBackfill({ ...o, startMs: startMs })).rejects.toThrow(/checkpoint .* is for/);
  });

  it('validates arguments and names the flag', () => {
    const ok = { ticker: ELON, start: '2026-01-01', end: '2026-01-02T12:00:00Z', restUrl: 'http://127.0.0.1:1/trade-api/v2' };
    expect(backfillOptionsFromFlags(ok, {})).toMatchObject({ startMs: Date.UTC(2026, 0, 1), endMs: Date.UTC(2026, 0, 2, 12), tier: 'basic' });
    expect(backfillOptionsFromFlags({ ...ok, restUrl: undefined }, { KALSHI_REST_URL: 'http://x/trade-api/v2' }).restUrl).toBe('http://x/trade-api/v2');
    expect(backfillOptionsFromFlags(ok, { KALSHI_REST_URL: 'http://env/' }).restUrl).toBe(ok.restUrl);
    expect(parseDateArg('--start', '1767225600')).toBe(Date.UTC(2026, 0, 1));
    const err = (f: object) => {
      try {
        backfillOptionsFromFlags({ ...ok, ...f }, {});
      } catch (e) {
        expect(e).toBeInstanceOf(BackfillArgError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(err({ end: '2025-12-31' })).toMatch(/^--end: .*before --start/);
    expect(err({ start: 'yesterday' })).toMatch(/^--start: not a date/);
    expect(err({ start: '2026-02-30' })).toMatch(/^--start: not a date/);
    expect(err({ ticker: undefined })).toMatch(/^--ticker/);
    expect(err({ rateLimitTier: 'gold' })).toMatch(/^--rate-limit-tier/);
    expect(err({ credentials: join(dir, 'nope.json') })).toMatch(/^--credentials/);
    // full jitter: uniform in [0, min(cap, base * 2^attempt))
    expect(fullJitterDelay(3, 100, 500, () => 0.5)).toBe(250);
    expect(fullJitterDelay(1, 100, 500, () => 0.5)).toBe(100);
  });

  it('CLI: bad arguments exit 2 with a message naming the flag', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin', 'kalshi-platform.cjs'), 'backfill', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 });
    const r1 = run('--ticker', ELON, '--start', '2026-01-02', '--end', '2026-01-01', '--rest-url', 'http://127.0.0.1:1/trade-api/v2');
    expect({ status: r1.status, stderr: r1.stderr }).toEqual({ status: 2, stderr: expect.stringContaining('--end') });
    const r2 = run('--ticker', ELON, '--start', 'soon', '--end', '2026-01-01', '--rest-url', 'http://127.0.0.1:1/trade-api/v2');
    expect({ status: r2.status, stderr: r2.stderr }).toEqual({ status: 2, stderr: expect.stringContaining('--start') });
  }, 60_000);

  it('CLI: downloads the window end to end (plain status line off a TTY)', async () => {
    const out = join(dir, 'cli.jsonl');
    // async spawn: the mock exchange runs in this process and must keep answering
    const child = spawn(
      process.execPath,
      [join(REPO, 'bin', 'kalshi-platform.cjs'), 'backfill', '--ticker', ELON, '--start', String(Math.floor(startMs / 1000)), '--end', String(Math.ceil(endMs / 1000)), '--out', out, '--rate-limit-tier', 'prime'],
      { cwd: dir, env: { ...process.env, NODE_OPTIONS: '', KALSHI_REST_URL: ex.restUrl, KALSHI_CREDENTIALS_FILE: creds } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ status, stderr }).toEqual({ status: 0, stderr: expect.stringContaining('backfill: 100.0% of window') });
    expect(stdout).toContain('completeness check OK');
    expect(new Set(idsOf(out)).size).toBe(expected.length);
  }, 60_000);
});
