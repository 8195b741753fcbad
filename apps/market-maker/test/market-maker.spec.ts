/**
 * The market maker against a live mock exchange over real HTTP: its quotes rest on the venue at the prices it
 * computed, move between cycles (amended in place), a crossing order of another account fills one and the runner
 * sees the fill, and stopping cancels its orders — through the runner (in-process) and through the CLI (a child
 * process stopped with SIGINT).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startExchange, type RunningExchange } from '@kalshi-platform/feature-exchange';
import { KalshiRestClient, loadPrivateKey } from '@kalshi-platform/kalshi';
import { ONE_DOLLAR } from '@kalshi-platform/market';
import { MarketMaker } from '../src/market-maker';

const REPO = resolve(__dirname, '../../..');
/** deci_cent, no resting orders in the seed: every quote is the only liquidity */
const EMPTY = 'KXCOLONIZEMARS-50';
/** linear_cent, house book 0.08 / 0.12: a band of 0.09..0.11 quotes inside the house spread */
const HOUSE = 'KXELONMARS-99';
const PREFIX = 'mmtest';

jest.setTimeout(60_000);

describe('market maker against the live mock exchange', () => {
  let ex: RunningExchange;
  let dir: string;
  let creds: { key_id: string; private_key_pem: string };
  const lines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mm-test-'));
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, credentialsOut: join(dir, 'credentials.json'), rateLimits: false });
    creds = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8'));
    await ex.venue.createAccount('bob', 1_000_000_000);
  });

  afterAll(async () => {
    await ex?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const demoOrders = () => ex.venue.engine.listOrders({ accountId: 'demo' });

  it('quotes rest on the venue, move every cycle, a crossing order fills one, the runner sees it, stop cancels', async () => {
    const client = new KalshiRestClient({ baseUrl: ex.restUrl, credentials: { keyId: creds.key_id, privateKey: loadPrivateKey(creds.private_key_pem) } });
    const mm = new MarketMaker({
      client,
      tickers: [EMPTY, HOUSE],
      intervalMs: 30,
      priceMinTicks: 900,
      priceMaxTicks: 1100,
      spreadTicks: 200,
      quantityCentis: 1000,
      seed: 1,
      postOnly: true,
      clientOrderIdPrefix: PREFIX,
      log: (l) => lines.push(l),
    });

    // cycle 1: four new quotes, exactly at the computed prices (bid = buy YES, ask = buy NO at 1 - ask)
    const r1 = await mm.cycle();
    expect(r1.markets.map((m) => [m.ticker, m.bid, m.ask])).toEqual([
      [EMPTY, 'placed', 'placed'],
      [HOUSE, 'placed', 'placed'],
    ]);
    const expectOnVenue = (r: typeof r1) => {
      const live = demoOrders();
      expect(live).toHaveLength(4);
      for (const m of r.markets) {
        const bid = live.find((o) => o.orderId === m.bidOrderId)!;
        const ask = live.find((o) => o.orderId === m.askOrderId)!;
        expect(bid).toMatchObject({ marketTicker: m.ticker, side: 'yes', action: 'buy', priceTicks: m.quote.bidTicks, remainingCentis: 1000, status: 'resting', postOnly: true });
        expect(ask).toMatchObject({ marketTicker: m.ticker, side: 'no', action: 'buy', priceTicks: ONE_DOLLAR - m.quote.askTicks, remainingCentis: 1000, status: 'resting' });
        expect(ask.yesPriceTicks).toBe(m.quote.askTicks);
        expect(bid.clientOrderId).toMatch(new RegExp(`^${PREFIX}-\\d+$`));
        expect(ask.clientOrderId).toMatch(new RegExp(`^${PREFIX}-\\d+$`));
        expect(m.quote.bidTicks).toBeLessThan(m.quote.askTicks);
        expect(m.quote.bidTicks).toBeGreaterThanOrEqual(900);
        expect(m.quote.askTicks).toBeLessThanOrEqual(1100);
      }
    };
    expectOnVenue(r1);
    // deci_cent market starts mid-band; the house market starts at its book's mid (0.08 + 0.12) / 2
    expect(r1.markets[0].quote).toEqual({ midTicks: 1000, bidTicks: 900, askTicks: 1100 });
    expect(r1.markets[1].quote).toEqual({ midTicks: 1000, bidTicks: 900, askTicks: 1100 });
    // post-only quotes inside the house spread (0.08 / 0.12) became the new top of book, nothing traded
    expect(ex.venue.books.get(HOUSE)!.yesBidTicks).toBe(900);
    expect(ex.venue.books.get(HOUSE)!.yesAskTicks).toBe(1100);
    expect(ex.venue.trades).toHaveLength(0);

    // cycles 2..3: the walk moves every cycle; resting quotes are amended in place (same order ids, new prices)
    const r2 = await mm.cycle();
    expect(r2.markets[0].quote.midTicks).not.toBe(r1.markets[0].quote.midTicks);
    expect(r2.markets[1].quote.midTicks).not.toBe(r1.markets[1].quote.midTicks);
    expectOnVenue(r2);
    for (const [i, m] of r2.markets.entries()) {
      expect(m.bidOrderId).toBe(r1.markets[i].bidOrderId);
      expect(m.askOrderId).toBe(r1.markets[i].askOrderId);
      expect(['amended', 'kept']).toContain(m.bid);
      expect(['amended', 'kept']).toContain(m.ask);
    }
    expect(r2.markets.some((m) => m.bid === 'amended' || m.ask === 'amended')).toBe(true);
    // the platform's REST view agrees with the venue
    const listed = (await client.get<{ orders: Array<{ order_id: string; client_order_id: string }> }>('portfolio/orders', { status: 'resting' })).orders;
    expect(listed.map((o) => o.order_id).sort()).toEqual(demoOrders().map((o) => o.orderId).sort());

    // bob lifts the market maker's YES ask on the empty market: buy 3 YES at the ask (crosses the NO bid at 1 - ask)
    const ask = r2.markets[0].quote.askTicks;
    const taken = await ex.venue.placeOrder('bob', { marketTicker: EMPTY, side: 'yes', action: 'buy', priceTicks: ask, sizeCentis: 300, timeInForce: 'immediate_or_cancel' });
    expect(taken.ok && taken.filledCentis).toBe(300);

    const r3 = await mm.cycle();
    expect(r3.newFills).toHaveLength(1);
    expect(r3.newFills[0]).toMatchObject({ orderId: r2.markets[0].askOrderId, ticker: EMPTY, side: 'no', action: 'buy', countCentis: 300, yesPriceTicks: ask, isTaker: false });
    expect(r3.fills).toBe(1);
    expect(r3.fillCentis).toBe(300);
    expect(mm.fills).toHaveLength(1);
    expect(r3.markets[0].positionCentis).toBe(-300); // 3 NO held
    expect(r3.line).toMatch(/fills 1 \(3\.00 contracts\)/);
    // the partly filled ask is back to full size (amend count = filled + quantity) at the new price
    expectOnVenue(r3);
    const askOrder = ex.venue.engine.getOrder(r3.markets[0].askOrderId!)!;
    expect(askOrder.filledCentis + askOrder.remainingCentis).toBe(1300);

    // run() keeps quoting on its interval until stop(); then every resting quote is canceled
    const before = mm.cycleCount;
    const running = mm.run();
    await new Promise((r) => setTimeout(r, 250));
    mm.stop();
    const summary = await running;
    expect(summary.cycles).toBeGreaterThan(before + 1);
    expect(summary.canceled).toBe(4);
    expect(summary.fills).toBe(1);
    expect(demoOrders()).toHaveLength(0);
    // one log line per cycle with mid, bid, ask and fills
    const cycleLines = lines.filter((l) => l.startsWith('cycle '));
    expect(cycleLines).toHaveLength(summary.cycles);
    expect(cycleLines[0]).toBe(`cycle 1 | ${EMPTY} mid 0.1000 bid 0.0900+ ask 0.1100+ pos 0.00 | ${HOUSE} mid 0.1000 bid 0.0900+ ask 0.1100+ pos 0.00 | fills 0 (0.00 contracts)`);
    expect(lines[lines.length - 1]).toMatch(/stopped after \d+ cycles: canceled 4 resting orders; fills 1 \(3\.00 contracts\)/);
  });

  it('the CLI quotes until SIGINT, then cancels its orders and exits 0', async () => {
    const child = spawn(
      process.execPath,
      [
        join(REPO, 'tools/run.cjs'),
        join(REPO, 'apps/market-maker/src/main.ts'),
        '--exchange',
        ex.restUrl.replace(/\/trade-api\/v2$/, ''),
        '--credentials',
        join(dir, 'credentials.json'),
        '--tickers',
        EMPTY,
        '--interval-ms',
        '50',
        '--price-min',
        '0.30',
        '--price-max',
        '0.70',
        '--spread',
        '0.02',
        '--quantity',
        '2.5',
        '--seed',
        '7',
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 30_000;
    while ((out.match(/^cycle /gm) ?? []).length < 3) {
      if (Date.now() > deadline) throw new Error(`no cycles from the CLI:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // quoting: one bid and one ask of 2.50 contracts on the venue, within the band
    const live = demoOrders();
    expect(live.map((o) => [o.marketTicker, o.side, o.remainingCentis]).sort()).toEqual([
      [EMPTY, 'no', 250],
      [EMPTY, 'yes', 250],
    ]);
    for (const o of live) expect(o.yesPriceTicks).toBeGreaterThanOrEqual(3000);
    for (const o of live) expect(o.yesPriceTicks).toBeLessThanOrEqual(7000);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/SIGINT: stopping/);
    expect(out).toMatch(/canceled 2 resting orders/);
    expect(demoOrders()).toHaveLength(0);
    // a line per cycle: "cycle N | TICKER mid … bid … ask … pos … | fills …"
    expect(out).toMatch(new RegExp(`^cycle 1 \\| ${EMPTY} mid 0\\.\\d{4} bid 0\\.\\d{4}. ask 0\\.\\d{4}. pos 0\\.00 \\| fills 0 \\(0\\.00 contracts\\)$`, 'm'));
  });

  it('the CLI refuses bad options and unreadable credentials with exit code 2', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; err: string }>((r) => {
        const c = spawn(process.execPath, [join(REPO, 'tools/run.cjs'), join(REPO, 'apps/market-maker/src/main.ts'), ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        c.stderr.on('data', (d) => (err += d));
        c.on('exit', (code) => r({ code, err }));
      });
    const missing = await run(['--exchange', ex.restUrl, '--credentials', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--credentials .*nope\.json/);
    const badSpread = await run(['--exchange', ex.restUrl, '--credentials', join(dir, 'credentials.json'), '--spread', '0.00001']);
    expect(badSpread.code).toBe(2);
    expect(badSpread.err).toMatch(/more than 4 decimals/);
    const unknown = await run(['--exchange', ex.restUrl, '--credentials', join(dir, 'credentials.json'), '--tickers', 'NOPE-1']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown market NOPE-1/);
  });
});
