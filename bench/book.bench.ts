/**
 * Order book benchmark on real data: the Kalshi demo WebSocket capture of 2026-07-01 (5 snapshots, 2,885
 * `orderbook_delta` frames over 3 markets). The frames are decoded once into numeric arrays (not timed); each
 * pass then applies the 5 snapshots and every delta in capture order, reading the YES/NO best bid and sizes
 * after each delta as a ticker plant would.
 *
 * Reports:
 * - throughput: deltas (+ 4 top-of-book reads each) per second, median and spread over samples, snapshot
 *   application included;
 * - latency: p50 / p99 ns per delta, from batches of up to 1,000 deltas timed with process.hrtime.bigint (a
 *   single ~100 ns operation cannot be timed meaningfully), snapshots excluded;
 * - the same stream fanned out over many book copies, interleaved, so the working set no longer fits in L1/L2
 *   (what tens of thousands of markets look like).
 *
 * Run: `node tools/run.cjs bench/book.bench.ts`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OrderBook, parsePriceDollars, parseSizeFp, type BookSide, type Level } from '@kalshi-platform/market';
import { measureRate, printHeader, quantile, report } from './harness';

const CAPTURE = path.resolve(__dirname, '../data/samples/kalshi-demo-ws-capture-2026-07-01/ws_session_orderbook_delta_fill.jsonl');

/** The capture, decoded once: snapshots per market and the deltas as parallel arrays. */
interface Decoded {
  tickers: string[];
  snapshots: { yes: Level[]; no: Level[] }[];
  /** index into `tickers`/`snapshots` of each delta's market */
  book: Uint16Array;
  side: BookSide[];
  price: Int32Array;
  delta: Float64Array;
}

function decodeCapture(file: string): Decoded {
  const frames = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
  const tickers: string[] = [];
  const snapshots: Decoded['snapshots'] = [];
  const index = new Map<string, number>();
  const levels = (raw: [string, string][] | undefined): Level[] => (raw ?? []).map(([p, s]) => [parsePriceDollars(p), parseSizeFp(s)]);
  const deltaFrames = [];
  for (const f of frames) {
    if (f.type === 'orderbook_snapshot') {
      index.set(f.msg.market_ticker, tickers.length);
      tickers.push(f.msg.market_ticker);
      snapshots.push({ yes: levels(f.msg.yes_dollars_fp), no: levels(f.msg.no_dollars_fp) });
    } else if (f.type === 'orderbook_delta') {
      deltaFrames.push(f.msg);
    }
  }
  const n = deltaFrames.length;
  const decoded: Decoded = { tickers, snapshots, book: new Uint16Array(n), side: new Array(n), price: new Int32Array(n), delta: new Float64Array(n) };
  deltaFrames.forEach((m, k) => {
    const b = index.get(m.market_ticker);
    if (b === undefined) throw new Error(`delta for ${m.market_ticker} before its snapshot`);
    decoded.book[k] = b;
    decoded.side[k] = m.side === 'yes' ? 'yes' : 'no'; // interned literals
    decoded.price[k] = parsePriceDollars(m.price_dollars);
    decoded.delta[k] = parseSizeFp(m.delta_fp);
  });
  return decoded;
}

let sink = 0;

/** One pass: snapshots, then every delta with 4 top-of-book reads after it. Returns the number of non-`applied` outcomes. */
function pass(books: OrderBook[], d: Decoded): number {
  for (let b = 0; b < books.length; b++) books[b].applySnapshot(d.snapshots[b].yes, d.snapshots[b].no);
  const { book, side, price, delta } = d;
  let bad = 0;
  let acc = 0;
  for (let k = 0; k < price.length; k++) {
    const ob = books[book[k]];
    if (ob.applyDelta(side[k], price[k], delta[k]) !== 'applied') bad++;
    acc += ob.yesBidTicks + ob.yesBidSizeCentis + ob.noBidTicks + ob.noBidSizeCentis;
  }
  sink += acc;
  return bad;
}

/** Per-delta latency: batches of up to `batch` deltas timed as a whole, divided by their length. */
function latencySamples(books: OrderBook[], d: Decoded, passes: number, batch: number): Float64Array {
  const n = d.price.length;
  const perPass = Math.ceil(n / batch);
  const out = new Float64Array(passes * perPass);
  const { book, side, price, delta } = d;
  let o = 0;
  let acc = 0;
  for (let r = 0; r < passes; r++) {
    for (let b = 0; b < books.length; b++) books[b].applySnapshot(d.snapshots[b].yes, d.snapshots[b].no);
    for (let start = 0; start < n; start += batch) {
      const end = Math.min(n, start + batch);
      const t0 = process.hrtime.bigint();
      for (let k = start; k < end; k++) {
        const ob = books[book[k]];
        ob.applyDelta(side[k], price[k], delta[k]);
        acc += ob.yesBidTicks + ob.yesBidSizeCentis + ob.noBidTicks + ob.noBidSizeCentis;
      }
      out[o++] = Number(process.hrtime.bigint() - t0) / (end - start);
    }
  }
  sink += acc;
  return out;
}

/** The same stream over `copies` copies of every book, interleaved delta by delta (each copy sees its deltas in order). */
function fanOutPass(copies: OrderBook[][], d: Decoded): void {
  const { book, side, price, delta } = d;
  let acc = 0;
  for (const books of copies) for (let b = 0; b < books.length; b++) books[b].applySnapshot(d.snapshots[b].yes, d.snapshots[b].no);
  for (let k = 0; k < price.length; k++) {
    const b = book[k];
    const s = side[k];
    const p = price[k];
    const q = delta[k];
    for (let c = 0; c < copies.length; c++) {
      const ob = copies[c][b];
      ob.applyDelta(s, p, q);
      acc += ob.yesBidTicks + ob.yesBidSizeCentis + ob.noBidTicks + ob.noBidSizeCentis;
    }
  }
  sink += acc;
}

/** Runs the order book benchmark and prints its report (see the file header). */
export async function runBookBench(): Promise<void> {
  printHeader();
  if (!fs.existsSync(CAPTURE)) throw new Error(`capture not found: ${CAPTURE}`);
  const d = decodeCapture(CAPTURE);
  const n = d.price.length;
  const books = d.tickers.map((t) => new OrderBook(t, 'linear_cent'));
  const bad = pass(books, d);
  if (bad !== 0) throw new Error(`${bad} deltas were not applied on the capture: the replay is broken`);
  console.log(`data: ${path.relative(process.cwd(), CAPTURE)}: ${d.tickers.length} snapshots, ${n} deltas over ${new Set(d.book).size} markets`);

  const reps = 200; // ~0.58 M deltas per sample
  const stats = measureRate(
    () => {
      for (let r = 0; r < reps; r++) pass(books, d);
    },
    reps * n,
    15,
    3,
  );
  report('book: applyDelta + 4 top-of-book reads', stats, `(${reps} passes x ${n} deltas per sample, snapshots included)`);

  latencySamples(books, d, 50, 1_000); // warm-up
  const lat = latencySamples(books, d, 2_000, 1_000);
  console.log(
    `${'book: ns per delta (1,000-delta batches)'.padEnd(44)} p50 ${quantile(lat, 0.5).toFixed(1)} ns  p99 ${quantile(lat, 0.99).toFixed(1)} ns  max ${quantile(lat, 1).toFixed(1)} ns  (${lat.length} batches, snapshots excluded)`,
  );

  const copyCount = 4_000; // x5 markets = 20,000 books
  const heapBefore = process.memoryUsage().heapUsed;
  const copies = Array.from({ length: copyCount }, () => d.tickers.map((t) => new OrderBook(t, 'linear_cent')));
  fanOutPass(copies, d);
  const heapPerBook = (process.memoryUsage().heapUsed - heapBefore) / (copyCount * d.tickers.length);
  const fan = measureRate(() => fanOutPass(copies, d), copyCount * n, 5, 1);
  report(
    `book: ${copyCount * d.tickers.length} books, interleaved`,
    fan,
    `(${copyCount} copies of the capture's books; ~${Math.round(heapPerBook)} B heap per loaded book, rough, no GC forced)`,
  );
  if (Number.isNaN(sink)) console.log('checksum is NaN'); // keeps the reads observable
}

// Direct execution: `node tools/run.cjs bench/book.bench.ts` loads this file from tools/run.cjs (so require.main is
// run.cjs) after setting process.argv[1] to this file; plain `require.main === module` covers other runners.
if (require.main === module || path.resolve(process.argv[1] ?? '') === __filename) {
  runBookBench().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
