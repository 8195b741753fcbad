import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  formatPriceDollars,
  formatSizeFp,
  isValidPrice,
  NO_PRICE,
  OrderBook,
  OrderBookError,
  parsePriceDollars,
  parseSizeFp,
  TICK_STRUCTURES,
  type BookSide,
  type Level,
  type TickStructure, ANY_TICK } from './index';

/** `["0.4200","13.00"]` -> `[4200, 1300]` */
const lv = (price: string, size: string): Level => [parsePriceDollars(price), parseSizeFp(size)];
const decodeLevels = (levels: readonly (readonly [string, string])[] | undefined): Level[] => (levels ?? []).map(([p, s]) => lv(p, s));
const formatLevels = (levels: readonly Level[]): [string, string][] => levels.map(([p, s]) => [formatPriceDollars(p), formatSizeFp(s)]);

const DATA = path.resolve(__dirname, '../../../../shared/data');
const WS_DIR = path.join(DATA, 'kalshi-demo-ws-capture-2026-07-01');
const CCXT_DIR = path.join(DATA, 'ccxt-kalshi-static-responses-2026-06');
const readJson = (file: string): any => JSON.parse(fs.readFileSync(file, 'utf8'));

/** The invariants every valid book must satisfy, checked after every mutation in the replay and property tests. */
function expectConsistent(book: OrderBook): void {
  for (const side of ['yes', 'no'] as const) {
    const levels = book.levels(side);
    expect(levels.length).toBe(book.levelCount(side));
    for (let i = 0; i < levels.length; i++) {
      expect(levels[i][1]).toBeGreaterThan(0);
      expect(Number.isSafeInteger(levels[i][1])).toBe(true);
      if (book.tickStructure !== ANY_TICK) expect(isValidPrice(book.tickStructure, levels[i][0])).toBe(true);
      if (i > 0) expect(levels[i][0]).toBeGreaterThan(levels[i - 1][0]);
    }
  }
  const y = book.yesBidTicks;
  const n = book.noBidTicks;
  expect(book.yesAskTicks).toBe(n === NO_PRICE ? NO_PRICE : 10_000 - n);
  expect(book.noAskTicks).toBe(y === NO_PRICE ? NO_PRICE : 10_000 - y);
  expect(book.yesAskSizeCentis).toBe(book.noBidSizeCentis);
  expect(book.noAskSizeCentis).toBe(book.yesBidSizeCentis);
}

describe('OrderBook: hand cases', () => {
  const snapshotYes = [lv('0.40', '10.00'), lv('0.41', '5.50'), lv('0.42', '13.00')];
  const snapshotNo = [lv('0.55', '7.00'), lv('0.56', '2.25')];

  function fresh(): OrderBook {
    const book = new OrderBook('TEST-1');
    book.applySnapshot(snapshotYes, snapshotNo);
    return book;
  }

  it('is invalid and empty before the first snapshot; deltas are ignored', () => {
    const book = new OrderBook('TEST-1');
    expect(book.valid).toBe(false);
    expect(book.invalidReason).toMatch(/no snapshot/);
    expect(book.tickStructure).toBe('linear_cent');
    expect(book.applyDelta('yes', 4200, 100)).toBe('ignored_stale');
    expect(book.levelCount('yes')).toBe(0);
    expect(book.yesBidTicks).toBe(NO_PRICE);
    expect(book.yesBidSizeCentis).toBe(0);
    expect(book.yesAskTicks).toBe(NO_PRICE);
    expect(book.spreadTicks()).toBe(NO_PRICE);
    expect(book.midTimes2Ticks()).toBe(NO_PRICE);
    expect(NO_PRICE).toBe(-1);
  });

  it('applies a snapshot and derives asks from the opposite side', () => {
    const book = fresh();
    expect(book.valid).toBe(true);
    expect(book.invalidReason).toBeUndefined();
    expect(book.levels('yes')).toEqual(snapshotYes);
    expect(book.levels('no')).toEqual(snapshotNo);
    expect(book.bbo()).toEqual({
      valid: true,
      yesBidTicks: 4200,
      yesBidSizeCentis: 1300,
      noBidTicks: 5600,
      noBidSizeCentis: 225,
      yesAskTicks: 4400, // 1 - 0.56
      yesAskSizeCentis: 225,
      noAskTicks: 5800, // 1 - 0.42
      noAskSizeCentis: 1300,
      spreadTicks: 200,
      crossed: false,
      locked: false,
    });
    expect(book.spreadTicks()).toBe(200);
    expect(book.midTimes2Ticks()).toBe(4200 + 4400); // mid $0.43 = 8600 / 2 ticks
    expect(book.totalSizeCentis('yes')).toBe(1000 + 550 + 1300);
    expect(book.totalSizeCentis('no')).toBe(925);
    expectConsistent(book);
  });

  it('keeps a half-tick mid exact via midTimes2Ticks', () => {
    const book = new OrderBook('TEST-HALF', 'deci_cent');
    book.applySnapshot([lv('0.163', '1')], [lv('0.836', '1')]); // yes ask 0.164
    expect(book.midTimes2Ticks()).toBe(1630 + 1640); // mid $0.1635 = 3270 / 2 ticks
    expect(book.spreadTicks()).toBe(10);
  });

  it('sorts an out-of-order snapshot and accepts empty sides', () => {
    const book = new OrderBook('TEST-1');
    book.applySnapshot([lv('0.42', '1'), lv('0.10', '2'), lv('0.30', '3')], []);
    expect(book.levels('yes')).toEqual([lv('0.10', '2'), lv('0.30', '3'), lv('0.42', '1')]);
    expect(book.levels('no')).toEqual([]);
    expect(book.yesBidTicks).toBe(4200);
    expect(book.noBidTicks).toBe(NO_PRICE);
    expect(book.yesAskTicks).toBe(NO_PRICE);
    expect(book.yesAskSizeCentis).toBe(0);
    expect(book.noAskTicks).toBe(5800);
    expect(book.spreadTicks()).toBe(NO_PRICE);
    expect(book.crossed).toBe(false);
    expect(book.locked).toBe(false);
  });

  it('does not retain the snapshot arrays it was given, and returns copies', () => {
    const yes = [lv('0.40', '1')];
    const book = new OrderBook('TEST-1');
    book.applySnapshot(yes, []);
    yes[0][1] = 999;
    yes.push(lv('0.50', '1'));
    const copy = book.levels('yes');
    copy[0][1] = 12345;
    expect(book.levels('yes')).toEqual([lv('0.40', '1')]);
  });

  it('a snapshot replaces both ladders entirely', () => {
    const book = fresh();
    book.applySnapshot([lv('0.05', '1')], []);
    expect(book.levels('yes')).toEqual([lv('0.05', '1')]);
    expect(book.levels('no')).toEqual([]);
  });

  it.each<[string, Level[], Level[], RegExp]>([
    ['zero size', [lv('0.40', '0')], [], /TEST-BAD: yes level at 0\.4000 \(4000 ticks\): size must be a positive/],
    ['negative size', [], [lv('0.40', '-1.00')], /TEST-BAD: no level at 0\.4000.*-1\.00/],
    ['fractional centis', [[4000, 1.5]], [], /yes level at 0\.4000.*1\.5/],
    ['off-grid price', [lv('0.405', '1')], [], /yes level at 0\.4050 \(4050 ticks\): price is off the linear_cent grid/],
    ['price 0', [[0, 100]], [], /yes level at 0\.0000/],
    ['price $1', [], [[10_000, 100]], /no level at 1\.0000/],
    ['duplicate price', [lv('0.40', '1'), lv('0.30', '1'), lv('0.40', '2')], [], /yes level at 0\.4000.*duplicate/],
    ['NaN price', [[NaN, 100]], [], /yes level at NaN/],
  ])('rejects a snapshot with a %s, leaving the book invalid and empty', (_, yes, no, message) => {
    const book = new OrderBook('TEST-BAD');
    book.applySnapshot([lv('0.20', '1')], [lv('0.70', '1')]);
    let caught: unknown;
    try {
      book.applySnapshot(yes, no);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OrderBookError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as OrderBookError).marketTicker).toBe('TEST-BAD');
    expect(book.valid).toBe(false);
    expect(book.invalidReason).toMatch(/rejected snapshot/);
    expect(book.levelCount('yes')).toBe(0);
    expect(book.levelCount('no')).toBe(0);
    expect(book.yesBidTicks).toBe(NO_PRICE);
    expect(book.applyDelta('yes', 2000, 100)).toBe('ignored_stale');
    // a good snapshot recovers it
    book.applySnapshot([lv('0.20', '1')], []);
    expect(book.valid).toBe(true);
  });

  it('a rejected NO side does not leave a half-applied YES side', () => {
    const book = new OrderBook('TEST-HALF');
    expect(() => book.applySnapshot([lv('0.20', '1')], [lv('0.70', '0')])).toThrow(OrderBookError);
    expect(book.valid).toBe(false);
    expect(book.levels('yes')).toEqual([]);
  });

  it('deltas change, insert and remove levels; a level leaves at exactly zero', () => {
    const book = fresh();
    expect(book.applyDelta('yes', 4100, -50)).toBe('applied'); // 5.50 -> 5.00
    expect(book.sizeAt('yes', 4100)).toBe(500);
    expect(book.applyDelta('yes', 4300, 200)).toBe('applied'); // new best bid 0.43 x 2.00
    expect(book.yesBidTicks).toBe(4300);
    expect(book.yesBidSizeCentis).toBe(200);
    expect(book.noAskTicks).toBe(5700);
    expect(book.applyDelta('yes', 3500, 1)).toBe('applied'); // insert at the bottom
    expect(book.applyDelta('yes', 4150, 7)).toBe('invalidated'); // off grid (sub-cent on linear_cent)
    expect(book.valid).toBe(false);

    const b2 = fresh();
    expect(b2.applyDelta('no', 5550, 7)).toBe('invalidated');
    const b3 = fresh();
    expect(b3.applyDelta('yes', 4150 - 50, 7)).toBe('applied'); // 0.41 exists: 5.50 + 0.07
    expect(b3.sizeAt('yes', 4100)).toBe(557);
    expect(b3.applyDelta('yes', 4200, -1300)).toBe('applied'); // best level leaves at exactly zero
    expect(b3.sizeAt('yes', 4200)).toBe(0);
    expect(b3.levelCount('yes')).toBe(2);
    expect(b3.yesBidTicks).toBe(4100);
    expect(b3.yesBidSizeCentis).toBe(557);
    expect(b3.applyDelta('yes', 4000, -1000)).toBe('applied'); // bottom level leaves
    expect(b3.levels('yes')).toEqual([[4100, 557]]);
    expect(b3.applyDelta('yes', 4100, -557)).toBe('applied'); // side now empty
    expect(b3.yesBidTicks).toBe(NO_PRICE);
    expect(b3.noAskTicks).toBe(NO_PRICE);
    expect(b3.noAskSizeCentis).toBe(0);
    expect(b3.valid).toBe(true); // an empty side is still a valid book
    expect(b3.applyDelta('yes', 4100, 1)).toBe('applied'); // re-insert into an empty side
    expect(b3.levels('yes')).toEqual([[4100, 1]]);
    expectConsistent(b3);
  });

  it('applies a zero delta as a no-op, without inserting a zero level', () => {
    const book = fresh();
    expect(book.applyDelta('no', 5000, 0)).toBe('applied');
    expect(book.applyDelta('no', 5600, 0)).toBe('applied');
    expect(book.levels('no')).toEqual(snapshotNo);
  });

  it('a negative-making delta invalidates (never clamps); later deltas are ignored until a snapshot', () => {
    const book = fresh();
    expect(book.applyDelta('no', 5600, -226)).toBe('invalidated'); // 2.25 - 2.26 < 0
    expect(book.valid).toBe(false);
    expect(book.invalidReason).toMatch(/no at 0\.5600.*-2\.26 on size 2\.25 would go negative/);
    expect(book.levelCount('no')).toBe(0);
    expect(book.levelCount('yes')).toBe(0);
    expect(book.bbo()).toMatchObject({ valid: false, yesBidTicks: NO_PRICE, noBidTicks: NO_PRICE, spreadTicks: NO_PRICE });
    expect(book.applyDelta('no', 5600, 226)).toBe('ignored_stale');
    expect(book.applyDelta('yes', 4200, 1)).toBe('ignored_stale');
    book.applySnapshot(snapshotYes, snapshotNo);
    expect(book.valid).toBe(true);
    expect(book.applyDelta('no', 5600, -225)).toBe('applied');
    expect(book.noBidTicks).toBe(5500);
  });

  it('a negative delta on an absent level invalidates', () => {
    const book = fresh();
    expect(book.applyDelta('yes', 3000, -1)).toBe('invalidated');
    expect(book.invalidReason).toMatch(/absent level/);
  });

  it('a non-integer or NaN delta, or an out-of-range price, invalidates', () => {
    for (const [price, delta] of [
      [4200, 0.5],
      [4200, NaN],
      [0, 100],
      [10_000, 100],
      [-100, 100],
      [4200.5, 100],
    ]) {
      const book = fresh();
      expect(book.applyDelta('yes', price, delta)).toBe('invalidated');
      expect(book.valid).toBe(false);
    }
  });

  it('throws on a side that is neither yes nor no', () => {
    const book = fresh();
    expect(() => book.applyDelta('maybe' as BookSide, 4200, 1)).toThrow(/TEST-1: maybe level/);
    expect(() => book.depth('YES' as BookSide, 1)).toThrow(OrderBookError);
  });

  it('markStale and clear invalidate and empty the book', () => {
    const book = fresh();
    book.markStale();
    expect(book.valid).toBe(false);
    expect(book.invalidReason).toBe('marked stale');
    expect(book.levels('yes')).toEqual([]);
    expect(book.applyDelta('yes', 4200, 1)).toBe('ignored_stale');
    book.applySnapshot(snapshotYes, snapshotNo);
    book.clear();
    expect(book.valid).toBe(false);
    expect(book.levelCount('no')).toBe(0);
    expect(book.totalSizeCentis('no')).toBe(0);
  });

  it('detects crossed and locked books', () => {
    const book = new OrderBook('TEST-X');
    book.applySnapshot([lv('0.45', '1')], [lv('0.55', '2')]);
    expect(book.locked).toBe(true);
    expect(book.crossed).toBe(false);
    expect(book.spreadTicks()).toBe(0);
    expect(book.bbo()).toMatchObject({ locked: true, crossed: false, spreadTicks: 0, yesAskTicks: 4500 });
    book.applyDelta('yes', 4600, 1);
    expect(book.crossed).toBe(true);
    expect(book.locked).toBe(false);
    expect(book.spreadTicks()).toBe(-100); // yes ask 0.45 below yes bid 0.46
    expect(book.bbo()).toMatchObject({ locked: false, crossed: true, spreadTicks: -100 });
    expect(book.applyDelta('yes', 4600, -1)).toBe('applied'); // back to locked
    expect(book.locked).toBe(true);
    expect(book.applyDelta('yes', 4500, -100)).toBe('applied'); // 1.00 contract at 0.45 leaves: no YES bids
    expect(book.crossed).toBe(false);
    expect(book.locked).toBe(false);
  });

  it('returns depth best first and levels ascending', () => {
    const book = fresh();
    expect(book.depth('yes', 2)).toEqual([
      [4200, 1300],
      [4100, 550],
    ]);
    expect(book.depth('yes', 10)).toEqual([
      [4200, 1300],
      [4100, 550],
      [4000, 1000],
    ]);
    expect(book.depth('no', 1)).toEqual([[5600, 225]]);
    expect(book.depth('no', 0)).toEqual([]);
    expect(book.depth('no', -3)).toEqual([]);
    expect(book.depth('yes', 1.9)).toEqual([[4200, 1300]]);
    expect(book.levels('yes').map(([p]) => p)).toEqual([4000, 4100, 4200]);
  });

  it('holds sizes beyond 2^31 centis exactly', () => {
    const big = 2 ** 40 + 7;
    const book = new OrderBook('TEST-BIG');
    book.applySnapshot([[100, big]], []);
    expect(book.applyDelta('yes', 100, big)).toBe('applied');
    expect(book.yesBidSizeCentis).toBe(2 * big);
    expect(book.applyDelta('yes', 200, 2 ** 33)).toBe('applied');
    expect(book.sizeAt('yes', 200)).toBe(2 ** 33);
  });

  it('grows ladders past the initial capacity and keeps them ordered', () => {
    const book = new OrderBook('TEST-GROW', 'deci_cent');
    book.applySnapshot([], []);
    // insert 999 levels in a scrambled order (stride 7 is coprime with 999)
    for (let k = 0, i = 0; k < 999; k++, i = (i + 7) % 999) expect(book.applyDelta('no', (i + 1) * 10, i + 1)).toBe('applied');
    expect(book.levelCount('no')).toBe(999);
    expect(book.noBidTicks).toBe(9990);
    expect(book.levels('no')[0]).toEqual([10, 1]);
    expectConsistent(book);
    book.applySnapshot(book.levels('no').reverse(), []); // a big, descending snapshot
    expect(book.levelCount('yes')).toBe(999);
    expect(book.yesBidTicks).toBe(9990);
  });

  it('rejects an unknown tick structure at construction', () => {
    expect(() => new OrderBook('T', 'half_cent' as TickStructure)).toThrow(/"half_cent"/);
  });
});

describe('OrderBook: tick structures', () => {
  it('deci_cent: sub-cent quotes of KXCOLONIZEMARS-50 (ccxt capture)', () => {
    // GET /markets: yes_bid 0.1630 x 30.97, yes_ask 0.1950 x 97.53, no_bid 0.8050, no_ask 0.8370
    const market = readJson(path.join(CCXT_DIR, 'get_markets_tickers_KXELONMARS-99_KXCOLONIZEMARS-50.json')).markets.find(
      (m: any) => m.ticker === 'KXCOLONIZEMARS-50',
    );
    expect(market.price_level_structure).toBe('deci_cent');
    const book = new OrderBook('KXCOLONIZEMARS-50', market.price_level_structure);
    book.applySnapshot([lv(market.yes_bid_dollars, market.yes_bid_size_fp)], [lv(market.no_bid_dollars, market.yes_ask_size_fp)]);
    expect(formatPriceDollars(book.yesBidTicks)).toBe('0.1630');
    expect(formatPriceDollars(book.yesAskTicks)).toBe(market.yes_ask_dollars);
    expect(formatPriceDollars(book.noAskTicks)).toBe(market.no_ask_dollars);
    expect(formatSizeFp(book.yesAskSizeCentis)).toBe(market.yes_ask_size_fp);
    expect(book.applyDelta('yes', parsePriceDollars('0.1640'), 100)).toBe('applied');
    expect(book.yesBidTicks).toBe(1640);
    expect(book.applyDelta('yes', parsePriceDollars('0.1645'), 100)).toBe('invalidated'); // 4th decimal: off grid
  });

  it('linear_cent rejects the same sub-cent snapshot', () => {
    const book = new OrderBook('KXCOLONIZEMARS-50', 'linear_cent');
    expect(() => book.applySnapshot([lv('0.1630', '30.97')], [])).toThrow(/0\.1630 \(1630 ticks\).*linear_cent/);
  });

  it('tapered_deci_cent: deci-cents in the tails, cents in [0.10, 0.90]', () => {
    const mk = () => {
      const b = new OrderBook('TAPER', 'tapered_deci_cent');
      b.applySnapshot([lv('0.095', '1'), lv('0.10', '1'), lv('0.50', '1')], [lv('0.90', '1'), lv('0.905', '1')]);
      return b;
    };
    const book = mk();
    expect(book.levels('yes').map(([p]) => p)).toEqual([950, 1000, 5000]);
    expect(book.yesAskTicks).toBe(950); // 1 - 0.905
    expect(book.applyDelta('yes', 990, 1)).toBe('applied'); // 0.099
    expect(book.applyDelta('no', 9990, 1)).toBe('applied'); // 0.999
    expect(book.yesAskTicks).toBe(10);
    expect(book.applyDelta('yes', 1100, 1)).toBe('applied'); // 0.11
    for (const offGrid of ['0.101', '0.105', '0.895', '0.899']) {
      const b = mk();
      expect(b.applyDelta('yes', parsePriceDollars(offGrid), 1)).toBe('invalidated');
    }
    expect(() => new OrderBook('TAPER', 'tapered_deci_cent').applySnapshot([lv('0.505', '1')], [])).toThrow(/0\.5050/);
  });

  it('a book accepts exactly the prices isValidPrice accepts, in every structure', () => {
    for (const s of TICK_STRUCTURES) {
      const book = new OrderBook('ALL', s);
      for (let p = -10; p <= 10_010; p += 5) {
        book.applySnapshot([], []);
        expect(book.applyDelta('yes', p, 1)).toBe(isValidPrice(s, p) ? 'applied' : 'invalidated');
      }
    }
  });
});

// ------------------------------------------------------------------------------------------------------------
// Oracle: replay of a real demo-exchange WebSocket session against independently derived final books.
// ------------------------------------------------------------------------------------------------------------

interface WsFrame {
  type: string;
  sid?: number;
  seq?: number;
  msg: any;
}

describe('OrderBook: replay of the demo WebSocket capture (2026-07-01)', () => {
  const capture = path.join(WS_DIR, 'ws_session_orderbook_delta_fill.jsonl');
  const expectedFile = path.join(WS_DIR, 'DERIVED_expected_final_books.json');

  it('finds the shared data', () => {
    expect(fs.existsSync(capture)).toBe(true);
    expect(fs.existsSync(expectedFile)).toBe(true);
  });

  it('reproduces every final ladder and best bid, and respects the invariants after every delta', () => {
    const frames: WsFrame[] = fs
      .readFileSync(capture, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line));
    expect(frames.length).toBe(2898);

    const books = new Map<string, OrderBook>();
    const lastSeq = new Map<string, number>();
    const yesAskBefore = new Map<string, number>(); // YES ask before the latest delta, per market
    const noAskBefore = new Map<string, number>();
    let lastDelta: any;
    let deltas = 0;
    let fills = 0;
    for (const frame of frames) {
      const m = frame.msg;
      if (frame.type === 'orderbook_snapshot') {
        const book = new OrderBook(m.market_ticker, 'linear_cent');
        book.applySnapshot(decodeLevels(m.yes_dollars_fp), decodeLevels(m.no_dollars_fp));
        books.set(m.market_ticker, book);
        lastSeq.set(m.market_ticker, frame.seq!);
        expectConsistent(book);
      } else if (frame.type === 'orderbook_delta') {
        const book = books.get(m.market_ticker)!;
        expect(book).toBeDefined();
        yesAskBefore.set(m.market_ticker, book.yesAskTicks);
        noAskBefore.set(m.market_ticker, book.noAskTicks);
        expect(book.applyDelta(m.side, parsePriceDollars(m.price_dollars), parseSizeFp(m.delta_fp))).toBe('applied');
        lastSeq.set(m.market_ticker, frame.seq!);
        lastDelta = m;
        deltas++;
        // spot-check the full invariants (the whole check on all 2,885 deltas is slow under jest's expect)
        if (deltas % 25 === 0) expectConsistent(book);
      } else if (frame.type === 'fill') {
        // Our own taker fill: the delta just before it (same ts_ms) removes exactly the filled size from the
        // opposite side's bid at $1 − our price, and our price was the implied ask at that moment.
        fills++;
        const yesPrice = parsePriceDollars(m.yes_price_dollars);
        const ourPrice = m.purchased_side === 'yes' ? yesPrice : 10_000 - yesPrice;
        expect(lastDelta.market_ticker).toBe(m.market_ticker);
        expect(lastDelta.ts_ms).toBe(m.ts_ms);
        expect(lastDelta.side).toBe(m.purchased_side === 'yes' ? 'no' : 'yes');
        expect(parsePriceDollars(lastDelta.price_dollars)).toBe(10_000 - ourPrice);
        expect(parseSizeFp(lastDelta.delta_fp)).toBe(-parseSizeFp(m.count_fp));
        const askBefore = (m.purchased_side === 'yes' ? yesAskBefore : noAskBefore).get(m.market_ticker);
        expect(askBefore).toBe(ourPrice);
      }
    }
    expect(deltas).toBe(2885);
    expect(fills).toBe(2);

    const expected: Record<string, any> = readJson(expectedFile);
    expect([...books.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [ticker, want] of Object.entries(expected)) {
      const book = books.get(ticker)!;
      expect(book.valid).toBe(true);
      expectConsistent(book);
      expect({ ticker, yes: formatLevels(book.levels('yes')) }).toEqual({ ticker, yes: want.yes_dollars_fp });
      expect({ ticker, no: formatLevels(book.levels('no')) }).toEqual({ ticker, no: want.no_dollars_fp });
      expect(formatPriceDollars(book.yesBidTicks)).toBe(want.best_yes_bid);
      expect(formatPriceDollars(book.noBidTicks)).toBe(want.best_no_bid);
      expect(formatPriceDollars(book.yesAskTicks)).toBe(want.implied_yes_ask);
      expect(lastSeq.get(ticker)).toBe(want.last_seq);
    }
  });
});

describe('OrderBook: REST orderbook of KXELONMARS-99 against CCXT (ccxt capture, 2026-06)', () => {
  it('derives the YES asks from the NO bids exactly as CCXT does', () => {
    const rest = readJson(path.join(CCXT_DIR, 'get_market_orderbook_KXELONMARS-99.json')).orderbook_fp;
    const ccxt = readJson(path.join(CCXT_DIR, 'ccxt_parsed_orderbook_KXELONMARS-99_expected.json'));
    const market = readJson(path.join(CCXT_DIR, 'get_market_KXELONMARS-99.json')).market;
    const book = new OrderBook('KXELONMARS-99', market.price_level_structure);
    book.applySnapshot(decodeLevels(rest.yes_dollars), decodeLevels(rest.no_dollars));
    expectConsistent(book);

    // CCXT gives JS numbers (0.12, 1967.33, 50); an exact integer divided by its scale is the nearest double to
    // the decimal, i.e. exactly what CCXT's parseFloat produced, so toEqual is an exact comparison.
    const asDollars = ([p, s]: Level): [number, number] => [p / 10_000, s / 100];
    const asks = book
      .levels('no')
      .reverse()
      .map(([p, s]): Level => [10_000 - p, s])
      .map(asDollars);
    expect(asks).toEqual(ccxt.asks);
    expect(book.depth('yes', Infinity).map(asDollars)).toEqual(ccxt.bids);

    // and the market's own top-of-book fields agree
    expect(formatPriceDollars(book.yesBidTicks)).toBe(market.yes_bid_dollars);
    expect(formatSizeFp(book.yesBidSizeCentis)).toBe(market.yes_bid_size_fp);
    expect(formatPriceDollars(book.yesAskTicks)).toBe(market.yes_ask_dollars);
    expect(formatSizeFp(book.yesAskSizeCentis)).toBe(market.yes_ask_size_fp);
    expect(formatPriceDollars(book.noBidTicks)).toBe(market.no_bid_dollars);
    expect(formatPriceDollars(book.noAskTicks)).toBe(market.no_ask_dollars);
    expect(book.spreadTicks()).toBe(400);
  });
});

// ------------------------------------------------------------------------------------------------------------
// Properties against a naive Map-based model.
// ------------------------------------------------------------------------------------------------------------

const validPrices = new Map<TickStructure, number[]>(
  TICK_STRUCTURES.map((s) => [s, Array.from({ length: 9999 }, (_, i) => i + 1).filter((p) => isValidPrice(s, p))]),
);

const sizeArb = fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((x) => x * 1024));
const sideArb = fc.constantFrom<BookSide>('yes', 'no');
const opArb = fc.record({ side: sideArb, slot: fc.nat(), raw: fc.integer({ min: -6_000, max: 6_000 }), big: fc.boolean(), size: sizeArb });

const scenarioArb = fc.record({
  structure: fc.constantFrom(...TICK_STRUCTURES),
  universe: fc.integer({ min: 1, max: 24 }), // distinct prices in play: small, so deltas collide with levels
  offset: fc.nat(),
  snapYes: fc.array(fc.tuple(fc.nat(), sizeArb), { maxLength: 12 }),
  snapNo: fc.array(fc.tuple(fc.nat(), sizeArb), { maxLength: 12 }),
  ops: fc.array(opArb, { maxLength: 200 }),
});

type Model = Record<BookSide, Map<number, number>>;
const modelLevels = (m: Map<number, number>): Level[] => [...m.entries()].sort((a, b) => a[0] - b[0]);

describe('OrderBook: properties (fast-check)', () => {
  it('matches a naive Map model under random non-negative delta sequences; conserves size; never holds empty levels', () => {
    fc.assert(
      fc.property(scenarioArb, (sc) => {
        const grid = validPrices.get(sc.structure)!;
        const start = sc.offset % grid.length;
        const universe = Array.from({ length: sc.universe }, (_, i) => grid[(start + i * 7) % grid.length]);
        const priceOf = (slot: number) => universe[slot % universe.length];

        const model: Model = { yes: new Map(), no: new Map() };
        for (const [slot, size] of sc.snapYes) model.yes.set(priceOf(slot), size); // duplicates: last wins
        for (const [slot, size] of sc.snapNo) model.no.set(priceOf(slot), size);
        const book = new OrderBook('PROP', sc.structure);
        // feed the snapshot in a scrambled order to exercise the sort path
        book.applySnapshot(modelLevels(model.yes).reverse(), modelLevels(model.no));
        let total = { yes: book.totalSizeCentis('yes'), no: book.totalSizeCentis('no') };

        for (const op of sc.ops) {
          const price = priceOf(op.slot);
          const current = model[op.side].get(price) ?? 0;
          // never go negative: a too-negative delta is turned into "remove the level exactly"
          let delta = op.big ? op.size : op.raw;
          if (current + delta < 0) delta = -current;
          expect(book.applyDelta(op.side, price, delta)).toBe('applied');
          const next = current + delta;
          if (next === 0) model[op.side].delete(price);
          else model[op.side].set(price, next);
          total = { ...total, [op.side]: total[op.side] + delta };

          const bestYes = modelLevels(model.yes).at(-1);
          const bestNo = modelLevels(model.no).at(-1);
          expect(book.yesBidTicks).toBe(bestYes ? bestYes[0] : NO_PRICE);
          expect(book.yesBidSizeCentis).toBe(bestYes ? bestYes[1] : 0);
          expect(book.yesAskTicks).toBe(bestNo ? 10_000 - bestNo[0] : NO_PRICE);
          expect(book.yesAskSizeCentis).toBe(bestNo ? bestNo[1] : 0);
          expect(book.noAskTicks).toBe(bestYes ? 10_000 - bestYes[0] : NO_PRICE);
          expect(book.crossed).toBe(!!bestYes && !!bestNo && bestYes[0] + bestNo[0] > 10_000);
          expect(book.locked).toBe(!!bestYes && !!bestNo && bestYes[0] + bestNo[0] === 10_000);
        }
        expect(book.valid).toBe(true);
        expect(book.levels('yes')).toEqual(modelLevels(model.yes));
        expect(book.levels('no')).toEqual(modelLevels(model.no));
        expect(book.totalSizeCentis('yes')).toBe(total.yes);
        expect(book.totalSizeCentis('no')).toBe(total.no);
        expect(book.depth('no', 3)).toEqual(modelLevels(model.no).reverse().slice(0, 3));
        expectConsistent(book);
      }),
      { numRuns: 300 },
    );
  });

  it('invalidates on the first negative-making delta and ignores everything after it', () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(), fc.integer({ min: 1, max: 1_000 }), (sc, cut, excess) => {
        const grid = validPrices.get(sc.structure)!;
        const book = new OrderBook('PROP', sc.structure);
        const level: Level = [grid[sc.offset % grid.length], 500];
        book.applySnapshot([level], []);
        expect(book.applyDelta('yes', level[0], -(500 + excess))).toBe('invalidated');
        expect(book.valid).toBe(false);
        expect(book.levelCount('yes') + book.levelCount('no')).toBe(0);
        for (const op of sc.ops.slice(0, cut % 20)) expect(book.applyDelta(op.side, level[0], op.raw)).toBe('ignored_stale');
        expect(book.yesBidTicks).toBe(NO_PRICE);
      }),
      { numRuns: 100 },
    );
  });

  it('a snapshot gives the same book whatever the order of its levels', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { maxLength: 40 }).chain((cents) =>
          fc.tuple(
            fc.constant(cents.map((c, i): Level => [c * 100, i + 1])),
            fc.shuffledSubarray(cents, { minLength: cents.length, maxLength: cents.length }),
          ),
        ),
        ([levels, order]) => {
          const byCents = new Map(levels.map((l) => [l[0] / 100, l]));
          const shuffled = order.map((c) => byCents.get(c)!);
          const book = new OrderBook('PROP');
          book.applySnapshot(shuffled, shuffled);
          const sorted = [...levels].sort((a, b) => a[0] - b[0]);
          expect(book.levels('yes')).toEqual(sorted);
          expect(book.levels('no')).toEqual(sorted);
        },
      ),
    );
  });
});

describe('mirror books (ANY_TICK)', () => {
  it('accept any 1/10000 price the exchange sends, and still refuse the impossible', () => {
    const book = new OrderBook('KXCOLONIZEMARS-50', ANY_TICK);
    book.applySnapshot([[1630, 100]], [[8051, 200]]); // 0.1630 and a 4-decimal 0.8051: off every named grid
    expect(book.valid).toBe(true);
    expect(book.yesAskTicks).toBe(1949);
    expect(book.applyDelta('yes', 1631, 50)).toBe('applied');
    expect(book.applyDelta('no', 10_000, 1)).toBe('invalidated'); // $1.00 can never rest
    expect(() => new OrderBook('X', 'linear_cent').applySnapshot([[1630, 100]], [])).toThrow(/off the linear_cent grid/);
  });
});
