/**
 * Matching engine benchmark: one deterministic order stream (seeded PRNG) run, in the same process, through
 *  1. our MatchingEngine, full: validation, Kalshi order semantics, accounts, collateral, positions, fees, typed
 *     events (order life cycle, fills, positions, book deltas) — "engine, with bookkeeping";
 *  2. our LimitOrderBook: the same ladder / FIFO data structure and matching loop without accounts, fees or events —
 *     "core, no bookkeeping" (the like-for-like comparison: nodejs-order-book has no accounts either);
 *  3. nodejs-order-book@10.1.1: `new OrderBook()`, `limit({side, id, size, price})`, `cancel(id)` (its README),
 *     plain good-till-canceled limits, no STP, no journaling.
 *
 * The stream: 200,000 limit orders around a random-walk mid (YES terms, $0.15..$0.85 on the cent grid), half bids and
 * half asks, ~20% marketable (priced up to 2 cents through the opposite touch), the rest 1..10 cents behind the
 * touch, sizes 1..20 contracts; ~10% of the operations are cancels of earlier orders (some already filled: a miss is
 * part of the work). Prices are integer ticks (1/10000 $) and sizes integer centis (1/100 contract) for all three.
 * Our engine gets each order in Kalshi form (a YES bid is "buy yes at p" or "sell no at 1-p", a YES ask "sell yes at
 * p" or "buy no at 1-p"), the two plain books the same order in YES terms. Every runner builds its request object
 * inside the timed loop, as a decoder would hand it over. Bids come from accounts 0..499 and asks from 500..999 (each
 * funded with $1M), so self-trade prevention never fires and no order is refused: before timing, the run checks that
 * all three trade exactly the same volume and end with the same book.
 *
 * Fairness details: each variant gets its own copy of the id strings (nodejs-order-book uses ids as object keys,
 * which internalizes the strings and would slow every later Map lookup on the shared copies), and a full garbage
 * collection runs before each variant (the check's books and the previous variant's garbage are not charged to the
 * next one). Garbage collection during a variant's own samples is charged to it (each sample builds a fresh book).
 *
 * Reports, per variant: operations per second (limits + cancels; median and spread over samples, each sample a fresh
 * book running the whole stream, construction included), p50/p99 ns per operation from 100-operation batches
 * (process.hrtime.bigint), and the ratio ours / nodejs-order-book.
 *
 * Run: `node tools/run.cjs bench/matching.bench.ts` (env MATCHING_BENCH_ORDERS, MATCHING_BENCH_SAMPLES to resize).
 */
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { OrderBook } from 'nodejs-order-book';
import { LimitOrderBook, MatchingEngine } from '@kalshi-platform/matching';
import { fmtRate, measureRate, printHeader, quantile, report, type SampleStats, prng } from './harness';

const MARKET = 'KXBENCH-26JAN01-T50';
const ACCOUNTS = 1_000;
const SEED = 20260701;

/** The operation stream, as parallel arrays (ids as numbers: each variant materializes its own strings). */
interface Stream {
  n: number;
  limits: number;
  cancels: number;
  /** 0 = limit order, 1 = cancel */
  kind: Uint8Array;
  /** number of the order placed (limit) or canceled (cancel); its id is `o<number>` */
  orderNo: Int32Array;
  /** account index of the order (or of the canceled order) */
  account: Int32Array;
  /** YES-terms direction: 1 = bid */
  bid: Uint8Array;
  /** 1: in Kalshi form via the NO side (buy NO = YES ask, sell NO = YES bid) */
  viaNo: Uint8Array;
  /** YES-terms price, ticks */
  yesPrice: Int32Array;
  /** size, centis */
  size: Int32Array;
}

function makeStream(limitCount: number, seed: number): Stream {
  const rnd = prng(seed);
  const cap = Math.ceil(limitCount * 1.25) + 16;
  const s: Stream = {
    n: 0,
    limits: 0,
    cancels: 0,
    kind: new Uint8Array(cap),
    orderNo: new Int32Array(cap),
    account: new Int32Array(cap),
    bid: new Uint8Array(cap),
    viaNo: new Uint8Array(cap),
    yesPrice: new Int32Array(cap),
    size: new Int32Array(cap),
  };
  const accountOf = new Int32Array(limitCount);
  let mid = 5_000; // ticks, on the cent grid
  let k = 0;
  while (s.limits < limitCount) {
    if (s.limits > 10 && rnd() < 0.1) {
      const target = Math.floor(rnd() * s.limits);
      s.kind[k] = 1;
      s.orderNo[k] = target;
      s.account[k] = accountOf[target];
      k++;
      s.cancels++;
      continue;
    }
    if (rnd() < 0.1) mid = Math.min(8_500, Math.max(1_500, mid + (rnd() < 0.5 ? -100 : 100)));
    const isBid = rnd() < 0.5;
    const crossing = rnd() < 0.2;
    // passive: 1..10 cents behind the mid; crossing: 0..2 cents through the opposite touch (best ask ~ mid + 1c)
    const off = crossing ? Math.floor(rnd() * 3) * 100 : (1 + Math.floor(rnd() * 10)) * 100;
    const p = isBid ? (crossing ? mid + 100 + off : mid - off) : crossing ? mid - 100 - off : mid + off;
    const acc = (isBid ? 0 : ACCOUNTS / 2) + Math.floor(rnd() * (ACCOUNTS / 2));
    s.kind[k] = 0;
    s.orderNo[k] = s.limits;
    s.account[k] = acc;
    accountOf[s.limits] = acc;
    s.bid[k] = isBid ? 1 : 0;
    s.yesPrice[k] = p;
    s.size[k] = (1 + Math.floor(rnd() * 20)) * 100;
    s.viaNo[k] = rnd() < 0.5 ? 1 : 0;
    k++;
    s.limits++;
  }
  s.n = k;
  return s;
}

/** Fresh id and account strings for one variant. */
interface Strings {
  id: string[];
  account: string[];
}

function strings(s: Stream): Strings {
  const id: string[] = new Array(s.n);
  const account: string[] = new Array(s.n);
  const names = Array.from({ length: ACCOUNTS }, (_, i) => `acct-${i}`);
  for (let k = 0; k < s.n; k++) {
    id[k] = `o${s.orderNo[k]}`;
    account[k] = names[s.account[k]];
  }
  return { id, account };
}

// ------------------------------------------------------------------------------------------------ runners

function newEngine(): MatchingEngine {
  const e = new MatchingEngine({ nowMs: 1 });
  e.createMarket({ marketTicker: MARKET, tickStructure: 'linear_cent' });
  for (let i = 0; i < ACCOUNTS; i++) e.createAccount(`acct-${i}`, 10_000_000_000); // $1M each
  return e;
}

let sink = 0;

function runEngine(s: Stream, str: Strings, from: number, to: number, e: MatchingEngine): void {
  const { id, account } = str;
  for (let k = from; k < to; k++) {
    if (s.kind[k] === 0) {
      const viaNo = s.viaNo[k] === 1;
      const isBid = s.bid[k] === 1;
      const r = e.placeOrder({
        orderId: id[k],
        accountId: account[k],
        marketTicker: MARKET,
        side: viaNo ? 'no' : 'yes',
        action: isBid ? (viaNo ? 'sell' : 'buy') : viaNo ? 'buy' : 'sell',
        priceTicks: viaNo ? 10_000 - s.yesPrice[k] : s.yesPrice[k],
        sizeCentis: s.size[k],
      });
      sink += r.events.length;
    } else {
      sink += e.cancelOrder(account[k], id[k]).events.length;
    }
  }
}

function runCore(s: Stream, str: Strings, from: number, to: number, book: LimitOrderBook): void {
  const { id } = str;
  for (let k = from; k < to; k++) {
    if (s.kind[k] === 0) sink += book.limit(id[k], s.bid[k] === 1 ? 'buy' : 'sell', s.yesPrice[k], s.size[k]) as number;
    else book.cancel(id[k]);
  }
}

function runTheirs(s: Stream, str: Strings, from: number, to: number, ob: OrderBook): void {
  const { id } = str;
  for (let k = from; k < to; k++) {
    if (s.kind[k] === 0) {
      const r = ob.limit({ side: (s.bid[k] === 1 ? 'buy' : 'sell') as never, id: id[k], size: s.size[k], price: s.yesPrice[k] });
      sink += r.done.length;
    } else {
      ob.cancel(id[k]);
    }
  }
}

/** Runs the stream once through all three and checks that they trade the same volume and end with the same book. */
function checkSameWork(s: Stream): string {
  const e = newEngine();
  const str1 = strings(s);
  let engineVolume = 0;
  let engineFills = 0;
  for (let k = 0; k < s.n; k++) {
    if (s.kind[k] === 1) {
      e.cancelOrder(str1.account[k], str1.id[k]);
      continue;
    }
    const viaNo = s.viaNo[k] === 1;
    const isBid = s.bid[k] === 1;
    const r = e.placeOrder({
      orderId: str1.id[k],
      accountId: str1.account[k],
      marketTicker: MARKET,
      side: viaNo ? 'no' : 'yes',
      action: isBid ? (viaNo ? 'sell' : 'buy') : viaNo ? 'buy' : 'sell',
      priceTicks: viaNo ? 10_000 - s.yesPrice[k] : s.yesPrice[k],
      sizeCentis: s.size[k],
    });
    if (!r.ok) throw new Error(`engine refused ${str1.id[k]}: ${r.message}`);
    for (const x of r.events) {
      if (x.type === 'fill' && x.isTaker) {
        engineVolume += x.sizeCentis;
        engineFills++;
      }
    }
  }
  const core = new LimitOrderBook();
  runCore(s, strings(s), 0, s.n, core);
  const ob = new OrderBook();
  const str3 = strings(s);
  let theirVolume = 0;
  for (let k = 0; k < s.n; k++) {
    if (s.kind[k] === 1) {
      ob.cancel(str3.id[k]);
      continue;
    }
    const r = ob.limit({ side: (s.bid[k] === 1 ? 'buy' : 'sell') as never, id: str3.id[k], size: s.size[k], price: s.yesPrice[k] });
    if (r.err) throw new Error(`nodejs-order-book refused ${str3.id[k]}: ${r.err.message}`);
    theirVolume += s.size[k] - (ob.order(str3.id[k])?.size ?? 0); // good-till-canceled: what did not trade rests
  }
  const view = e.getBook(MARKET) as NonNullable<ReturnType<MatchingEngine['getBook']>>;
  const engineDepth = JSON.stringify({ bids: [...view.yes].reverse(), asks: [...view.no].reverse().map(([p, q]) => [10_000 - p, q]) });
  const coreDepth = JSON.stringify(core.depth());
  const [asks, bids] = ob.depth();
  const theirDepth = JSON.stringify({ bids: [...bids].sort((a, b) => b[0] - a[0]), asks: [...asks].sort((a, b) => a[0] - b[0]) });
  const totals = e.totals();
  if (engineVolume !== core.volume || core.volume !== theirVolume || engineFills !== core.fills || engineDepth !== coreDepth || coreDepth !== theirDepth) {
    throw new Error('the three books did not produce the same trades and final book: the comparison would not be fair');
  }
  if (totals.imbalanceMicros !== 0) throw new Error(`engine money imbalance ${totals.imbalanceMicros} micros`);
  const d = core.depth();
  return (
    `check: all three traded ${core.volume / 100} contracts (${core.fills} fills) and ended with the same book ` +
    `(${core.size} resting orders on ${d.bids.length} bid + ${d.asks.length} ask levels); engine fees ${(totals.feesCollectedMicros / 1e6).toFixed(4)} $, money balanced`
  );
}

/**
 * A full garbage collection, so that each variant starts on a clean heap (the check's three books and the previous
 * variant's garbage would otherwise be collected on the next variant's time). Uses the documented V8 flag at run time.
 */
function fullGc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** ns per operation over `batch`-operation batches of full passes (a fresh book per pass). */
function latency<B>(s: Stream, passes: number, batch: number, fresh: () => B, run: (s: Stream, str: Strings, from: number, to: number, b: B) => void): Float64Array {
  const per = Math.ceil(s.n / batch);
  const out = new Float64Array(passes * per);
  const str = strings(s);
  let o = 0;
  for (let r = 0; r < passes; r++) {
    const b = fresh();
    for (let from = 0; from < s.n; from += batch) {
      const to = Math.min(s.n, from + batch);
      const t0 = process.hrtime.bigint();
      run(s, str, from, to, b);
      out[o++] = Number(process.hrtime.bigint() - t0) / (to - from);
    }
  }
  return out;
}

/** Runs the matching benchmark and prints its report (see the file header). */
export async function runMatchingBench(): Promise<void> {
  printHeader();
  const limitCount = Number(process.env.MATCHING_BENCH_ORDERS ?? 200_000);
  const samples = Number(process.env.MATCHING_BENCH_SAMPLES ?? 7);
  const s = makeStream(limitCount, SEED);
  console.log(`stream: ${s.limits} limit orders + ${s.cancels} cancels = ${s.n} operations (seed ${SEED}, ${ACCOUNTS} accounts, one linear_cent market)`);
  console.log(checkSameWork(s));

  const variants: { name: string; fresh: () => unknown; run: (s: Stream, str: Strings, from: number, to: number, b: never) => void }[] = [
    { name: 'matching: engine, with bookkeeping', fresh: newEngine, run: runEngine },
    { name: 'matching: core, no bookkeeping', fresh: () => new LimitOrderBook(), run: runCore },
    { name: 'matching: nodejs-order-book 10.1.1', fresh: () => new OrderBook(), run: runTheirs },
  ];
  const results: SampleStats[] = [];
  for (const v of variants) {
    const str = strings(s);
    fullGc();
    const stats = measureRate(() => v.run(s, str, 0, s.n, v.fresh() as never), s.n, samples, 2);
    fullGc();
    const lat = latency(s, 3, 100, v.fresh, v.run as (s: Stream, str: Strings, from: number, to: number, b: unknown) => void);
    report(v.name, stats, `p50 ${quantile(lat, 0.5).toFixed(0)} ns  p99 ${quantile(lat, 0.99).toFixed(0)} ns per op (100-op batches)`);
    results.push(stats);
  }
  const [engine, core, theirs] = results;
  const ratio = (a: SampleStats): string => `${(a.medianOpsPerSec / theirs.medianOpsPerSec).toFixed(1)}x`;
  console.log(
    `ratio ours / nodejs-order-book (medians): engine with bookkeeping ${ratio(engine)}, core ${ratio(core)}. ` +
      `Targets: engine >= 1M ops/s (${fmtRate(engine.medianOpsPerSec)}), >= 2x nodejs-order-book.`,
  );
  if (Number.isNaN(sink)) console.log('sink is NaN'); // keeps the results observable
}

// Direct execution: `node tools/run.cjs bench/matching.bench.ts` (see bench/book.bench.ts for why argv[1] is checked too).
if (require.main === module || path.resolve(process.argv[1] ?? '') === __filename) {
  runMatchingBench().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
