/**
 * Throughput of ArbitrageDetector.onQuote (libs/strategy): ~1M random-walk top-of-book updates over one
 * event of 10 markets, in three scenarios:
 *  - mutually exclusive event (cross + basket_yes + basket_no), every update moves a best price;
 *  - the same with half of the updates changing sizes only (deeper book deltas: the early-exit path);
 *  - a strike ladder of 10 above-strike markets (cross + 45 ladder pairs, O(10) per update).
 * Quotes are pre-generated (seeded PRNG) into typed arrays and replayed through one reusable quote object
 * per market, so only onQuote is timed. Run: `node tools/run.cjs bench/detector.bench.ts`.
 */
import * as path from 'node:path';
import { ArbitrageDetector, EventRef, MarketQuote } from '@kalshi-platform/strategy';
import { measureRate, printHeader, report, prng } from './harness';

const N = 1_000_000;
const MARKETS = 10;

interface Tape {
  market: Uint8Array;
  yes: Int32Array;
  no: Int32Array;
  size: Int32Array;
}

const clampBid = (ticks: number): number => Math.min(9900, Math.max(100, Math.round(ticks / 100) * 100));

/**
 * Mutually exclusive event: fair probabilities start at 0.10 each; a step moves one market's fair value by
 * ±1 cent (and another's by the opposite, keeping the sum at $1) and requotes it with a random half-spread
 * of 0..3 cents per side, or -1 cent (a crossed book) with probability 1%. Stale quotes of the other markets create short-lived baskets.
 * `sizeOnlyShare` of the steps only change the size at the best bid.
 */
function meTape(sizeOnlyShare: number, seed: number): Tape {
  const r = prng(seed);
  const fair = new Array(MARKETS).fill(1000);
  const lastYes = new Array(MARKETS).fill(-1);
  const lastNo = new Array(MARKETS).fill(-1);
  const t: Tape = { market: new Uint8Array(N), yes: new Int32Array(N), no: new Int32Array(N), size: new Int32Array(N) };
  for (let i = 0; i < N; i++) {
    const m = Math.floor(r() * MARKETS);
    t.market[i] = m;
    if (lastYes[m] >= 0 && r() < sizeOnlyShare) {
      t.yes[i] = lastYes[m];
      t.no[i] = lastNo[m];
      t.size[i] = 100 + Math.floor(r() * 5000);
      continue;
    }
    const other = (m + 1 + Math.floor(r() * (MARKETS - 1))) % MARKETS;
    const step = r() < 0.5 ? 100 : -100;
    if (fair[m] + step >= 200 && fair[m] + step <= 9800 && fair[other] - step >= 200 && fair[other] - step <= 9800) {
      fair[m] += step;
      fair[other] -= step;
    }
    const halfSpread = (): number => (r() < 0.01 ? -100 : Math.floor(r() * 4) * 100);
    lastYes[m] = t.yes[i] = clampBid(fair[m] - halfSpread());
    lastNo[m] = t.no[i] = clampBid(10000 - fair[m] - halfSpread());
    t.size[i] = 100 + Math.floor(r() * 5000);
  }
  return t;
}

/** Strike ladder: underlying random walk; P(x > strike_i) logistic; requote one random rung per step
 * (same half-spreads). */
function ladderTape(seed: number): Tape {
  const r = prng(seed);
  let x = MARKETS / 2;
  const t: Tape = { market: new Uint8Array(N), yes: new Int32Array(N), no: new Int32Array(N), size: new Int32Array(N) };
  for (let i = 0; i < N; i++) {
    x += (r() - 0.5) * 0.2;
    if (x < 0) x = 0;
    if (x > MARKETS) x = MARKETS;
    const m = Math.floor(r() * MARKETS);
    const p = 10000 / (1 + Math.exp(-(x - m - 0.5) * 1.5));
    t.market[i] = m;
    const halfSpread = (): number => (r() < 0.01 ? -100 : Math.floor(r() * 4) * 100);
    t.yes[i] = clampBid(p - halfSpread());
    t.no[i] = clampBid(10000 - p - halfSpread());
    t.size[i] = 100 + Math.floor(r() * 5000);
  }
  return t;
}

function replay(events: EventRef[], tickers: string[], tape: Tape): { episodes: number; events: number } {
  const d = new ArbitrageDetector(events);
  const quotes: MarketQuote[] = tickers.map((marketTicker) => ({ marketTicker, yesBidTicks: -1, yesBidSizeCentis: 0, noBidTicks: -1, noBidSizeCentis: 0 }));
  let emitted = 0;
  const { market, yes, no, size } = tape;
  for (let i = 0; i < N; i++) {
    const q = quotes[market[i]];
    q.yesBidTicks = yes[i];
    q.noBidTicks = no[i];
    q.yesBidSizeCentis = size[i];
    q.noBidSizeCentis = size[i];
    emitted += d.onQuote(q, i).length;
  }
  return { episodes: d.episodes().length, events: emitted };
}

/** Runs the three scenarios and prints one line each (median onQuote calls/s over 7 samples). */
export async function runDetectorBench(): Promise<void> {
  printHeader();
  const meTickers = Array.from({ length: MARKETS }, (_, i) => `KXBENCH-ME-${i}`);
  const meEvents: EventRef[] = [
    { eventTicker: 'KXBENCH-ME', mutuallyExclusive: true, markets: meTickers.map((marketTicker) => ({ marketTicker, eventTicker: 'KXBENCH-ME' })) },
  ];
  const ladTickers = Array.from({ length: MARKETS }, (_, i) => `KXBENCH-LAD-T${i}`);
  const ladEvents: EventRef[] = [
    {
      eventTicker: 'KXBENCH-LAD',
      mutuallyExclusive: false,
      markets: ladTickers.map((marketTicker, i) => ({ marketTicker, eventTicker: 'KXBENCH-LAD', strikeType: 'greater', floorStrike: i })),
    },
  ];
  const scenarios: [string, EventRef[], string[], Tape][] = [
    ['detector.onQuote ME event x10, price moves', meEvents, meTickers, meTape(0, 1)],
    ['detector.onQuote ME event x10, 50% size-only', meEvents, meTickers, meTape(0.5, 2)],
    ['detector.onQuote ladder x10 (45 pairs)', ladEvents, ladTickers, ladderTape(3)],
  ];
  for (const [name, events, tickers, tape] of scenarios) {
    let last = { episodes: 0, events: 0 };
    const stats = measureRate(() => {
      last = replay(events, tickers, tape);
    }, N);
    report(name, stats, `${N} quotes/sample, ${last.episodes} episodes, ${last.events} events`);
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === __filename) {
  void runDetectorBench();
}
