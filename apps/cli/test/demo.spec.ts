/**
 * `kalshi-platform demo` against the live mock exchange over real HTTP: the series KXELONMARS, its open market
 * KXELONMARS-99 (seeded book YES bid 0.0800 / YES ask 0.1200) and one trade made by bob; both the exported core
 * (`runDemo`) and the real process; an unknown series exits 2 naming it; flag / env / default precedence.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startExchange, type RunningExchange } from '@kalshi-platform/feature-exchange';
import { DemoArgError, demoOptionsFromFlags, formatTable, KALSHI_PRODUCTION_REST_URL, runDemo } from '../src/commands/demo';

const SERIES = 'KXELONMARS';
const ELON = 'KXELONMARS-99';
const REPO = join(__dirname, '..', '..', '..');

/** Runs the CLI asynchronously: the mock exchange lives in this process and must keep answering. */
function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(REPO, 'tools', 'run.cjs'), join(REPO, 'apps', 'cli', 'src', 'main.ts'), 'demo', ...args], {
    cwd: REPO,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

/** The row of the table whose first cell is `first`, split into cells. */
function row(text: string, header: string, first: string): string[] {
  const section = text.slice(text.indexOf(header));
  const line = section.split('\n').find((l) => l.startsWith(first + ' '));
  if (!line) throw new Error(`no row ${first} after ${header} in:\n${text}`);
  return line.trim().split(/\s{2,}/);
}

describe('demo', () => {
  let ex: RunningExchange;
  let tradeId: string;

  beforeAll(async () => {
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, rateLimits: false });
    await ex.venue.createAccount('bob', 1_000_000_000);
    const r = await ex.venue.placeOrder('bob', { marketTicker: ELON, side: 'yes', action: 'buy', priceTicks: 1200, sizeCentis: 100 });
    if (!r.ok) throw new Error(r.message);
    const last = ex.venue.trades.filter((t) => t.marketTicker === ELON).at(-1);
    if (!last) throw new Error('no trade on ' + ELON);
    tradeId = last.tradeId;
  }, 60_000);

  afterAll(async () => {
    await ex.close();
  });

  const expectTables = (out: string) => {
    expect(out).toContain(`Series ${SERIES}`);
    // market listing: ticker, status, YES bid / ask as Kalshi's 4-decimal strings, last trade price
    expect(row(out, 'MARKET', ELON).slice(0, 5)).toEqual([ELON, 'active', '0.0800', '0.1200', '0.1200']);
    // order book: bid size, YES bid, YES ask (= 1 - best NO bid 0.8800), ask size, spread
    const book = row(out, 'Order books', ELON);
    expect(book.slice(0, 6)).toEqual([ELON, '444.32', '0.0800', '0.1200', expect.stringMatching(/^\d+\.\d{2}$/), '0.0400']);
    expect(book[6]).toMatch(/^\d+ \/ \d+\.\d{2}$/);
    // bob's trade: 1 contract at YES 0.1200 / NO 0.8800
    const trade = row(out, 'Recent trades', ELON);
    expect(trade).toContain('0.1200');
    expect(trade).toContain('0.8800');
    expect(trade).toContain('1.00');
    expect(trade).toContain(tradeId);
  };

  it('runDemo prints the markets, top of book and the trade as aligned tables', async () => {
    let out = '';
    const r = await runDemo({ series: SERIES, restUrl: ex.restUrl, limit: 5 }, (t) => (out += t));
    expect(r.markets).toBeGreaterThanOrEqual(1);
    expect(r.shown).toBe(Math.min(5, r.markets));
    expectTables(out);
    // columns are aligned: every line of the book table has the header's width
    const bookLines = out.slice(out.indexOf('Order books')).split('\n').slice(1, 3 + r.shown);
    const widths = new Set(bookLines.map((l) => l.length));
    expect(widths.size).toBe(1);
  });

  it('pages the market listing with the cursor (one market a page)', async () => {
    // a series with several open markets in the mock's reference data
    const multi = 'KXNEXTTEAMNBA';
    let one = '';
    let all = '';
    const a = await runDemo({ series: multi, restUrl: ex.restUrl, limit: 0, pageLimit: 1 }, (t) => (one += t));
    const b = await runDemo({ series: multi, restUrl: ex.restUrl, limit: 0 }, (t) => (all += t));
    expect(a.markets).toBeGreaterThanOrEqual(2);
    expect(a.markets).toBe(b.markets);
    expect(one).toBe(all);
    expect(a.shown).toBe(0);
  });

  it('unknown series: DemoArgError naming it', async () => {
    await expect(runDemo({ series: 'KXNOSUCHSERIES', restUrl: ex.restUrl }, () => undefined)).rejects.toThrow(DemoArgError);
    await expect(runDemo({ series: 'KXNOSUCHSERIES', restUrl: ex.restUrl }, () => undefined)).rejects.toThrow(/KXNOSUCHSERIES/);
  });

  it('options: --rest-url wins over KALSHI_REST_URL, which wins over production; bad flags name the flag', () => {
    expect(demoOptionsFromFlags({ series: 'S' }, {}).restUrl).toBe(KALSHI_PRODUCTION_REST_URL);
    expect(KALSHI_PRODUCTION_REST_URL).toBe('https://external-api.kalshi.com/trade-api/v2');
    expect(demoOptionsFromFlags({ series: 'S' }, { KALSHI_REST_URL: 'http://env/trade-api/v2' }).restUrl).toBe('http://env/trade-api/v2');
    expect(demoOptionsFromFlags({ series: 'S', restUrl: 'http://flag/trade-api/v2' }, { KALSHI_REST_URL: 'http://env/' }).restUrl).toBe('http://flag/trade-api/v2');
    expect(demoOptionsFromFlags({ series: 'S', limit: '7' }, {}).limit).toBe(7);
    expect(() => demoOptionsFromFlags({}, {})).toThrow(/--series/);
    expect(() => demoOptionsFromFlags({ series: 'S', limit: '-1' }, {})).toThrow(/--limit/);
    expect(() => demoOptionsFromFlags({ series: 'S', restUrl: 'nope' }, {})).toThrow(/--rest-url/);
  });

  it('formatTable right-aligns numeric columns', () => {
    expect(formatTable(['A', 'PX'], [['x', '0.1200'], ['long', '1.0000']], new Set([1]))).toBe('A         PX\n----  ------\nx     0.1200\nlong  1.0000\n');
  });

  it('CLI: prints the tables (flag URL) and exits 0', async () => {
    const r = await runCli(['--series', SERIES, '--rest-url', ex.restUrl, '--limit', '2'], { KALSHI_REST_URL: 'http://127.0.0.1:1/trade-api/v2' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expectTables(r.stdout);
  }, 60_000);

  it('CLI: KALSHI_REST_URL is used without --rest-url', async () => {
    const r = await runCli(['--series', SERIES], { KALSHI_REST_URL: ex.restUrl });
    expect(r.status).toBe(0);
    expectTables(r.stdout);
  }, 60_000);

  it('CLI: unknown series exits 2 with a message naming it', async () => {
    const r = await runCli(['--series', 'KXNOSUCHSERIES', '--rest-url', ex.restUrl]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown series "KXNOSUCHSERIES"');
    expect(r.stdout).toBe('');
  }, 60_000);
});
