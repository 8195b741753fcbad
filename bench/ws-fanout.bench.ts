/**
 * WebSocket fan-out to 100 subscribers: frames delivered per second and delivery latency (event time to receipt)
 * of the mock exchange's live WebSocket v2 (`/trade-api/ws/v2`).
 *
 * Set-up: the exchange runs in a CHILD PROCESS (`node tools/run.cjs bench/exchange-server.ts`, live mode, memory only)
 * and changes its own book IN PROCESS: {@link driveVenue} calls `ex.venue.placeOrder(…)` in a loop (no REST, no
 * signing on that path). THIS process holds 100 `ws` clients, each with its own signed upgrade (`signRequest` over
 * `GET /trade-api/ws/v2`, the `demo` key) and one `subscribe` to `orderbook_delta` + `trade` for KXELONMARS-99.
 *
 * Book changes: two bench accounts trade one contract back and forth inside the house spread ($0.09..$0.11, the
 * house quotes $0.08 / $0.12), four orders per cycle: A buys YES at p (rests: +1 delta), B sells YES at p (trade, -1
 * delta), A sells YES at p (rests on the NO ladder: +1 delta), B buys YES at p (trade, -1 delta). So 4 book deltas
 * and 2 trades per cycle, positions back to zero, the book unchanged after every cycle.
 *
 * Two measurements, each over N runs (default 3), interleaved:
 * - throughput ("max"): the driver places cycles as fast as the venue takes them for a fixed time (pausing while the
 *   gateway's largest per-connection send buffer is above 1 MiB, so the server never queues unboundedly); reported:
 *   data frames (orderbook_delta + trade) delivered per second, all subscribers together and per subscriber
 *   (total / 100, plus the slowest and fastest subscriber), and the latency under that load (queueing included);
 * - latency at a fixed rate ("paced", default 200 orders/s = 300 events/s = 30,000 frames/s to 100 subscribers):
 *   p50/p99/max delivery latency.
 * Latency = receipt time in this process minus the time the driver called `placeOrder` in the server process (both
 * `performance.timeOrigin + performance.now()`, the server's clock offset calibrated over IPC round trips). The k-th
 * delta (trade) frame of a subscription is the k-th `orderbook_delta` event (taker fill) the venue published in the
 * run; this is checked on subscriber 0 frame by frame (side, price, delta) and on every subscriber by count. A
 * cross-check with 1 ms resolution uses the frames' own `ts_ms` against `Date.now()` at receipt.
 *
 * If the exchange does not deliver live book changes to subscribers, it prints `skipped: …` and returns normally.
 *
 * Run: `node tools/run.cjs bench/ws-fanout.bench.ts` (env WS_BENCH_CLIENTS, WS_BENCH_RUNS, WS_BENCH_SECONDS,
 * WS_BENCH_RATE for the paced orders/s).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { signRequest, KALSHI_WS_SIGNING_PATH } from '@kalshi-platform/kalshi';
import type { EngineEvent } from '@kalshi-platform/matching';
import type { RunningExchange, VenueCommand } from '@kalshi-platform/feature-exchange';
import { spawnExchangeServer, type ExchangeServerProcess } from './exchange-server';
import { fmtRate, median, printHeader, quantile } from './harness';

const MARKET = 'KXELONMARS-99';
const ACCOUNT_A = 'bench-ws-a';
const ACCOUNT_B = 'bench-ws-b';
/** $1,000,000 each */
const BENCH_CASH_TICKS = 10_000_000_000;

const nowMs = (): number => performance.timeOrigin + performance.now();

// ------------------------------------------------------------------------------------------------ server side

/** Parameters of {@link driveVenue}. */
export interface DriveParams {
  market: string;
  /** `max`: cycles back to back (with send-buffer back-pressure); `paced`: `rate` orders per second */
  mode: 'max' | 'paced';
  seconds: number;
  /** orders per second (paced) */
  rate?: number;
  /** max mode: pause while the largest per-connection WebSocket send buffer exceeds this (default 1 MiB) */
  maxBufferedBytes?: number;
  /** stop after this many orders (default unlimited) */
  maxOrders?: number;
}

/** What {@link driveVenue} did: the published events of the market in publish order, with their event times. */
export interface DriveResult {
  placed: number;
  refused: number;
  firstRefusal?: string;
  /** event time (ms, performance.timeOrigin + performance.now() of the server) of each published orderbook_delta */
  deltaTimes: number[];
  /** `y900:+100` = side, price ticks, signed delta centis of each published orderbook_delta */
  deltaKeys: string[];
  /** event time of each published trade (taker fill) */
  tradeTimes: number[];
  /** time from the first order to the last publication, ms */
  elapsedMs: number;
  /** times the driver waited for the gateway's send buffers (max mode) */
  backPressureWaits: number;
}

/**
 * Server side of the benchmark (runs inside the exchange-server process, see bench/exchange-server.ts): places the
 * cycle orders of the file header on `ex.venue` for `p.seconds` and records, from a venue listener, every
 * `orderbook_delta` and taker fill of `p.market` in publish order with the time its order was placed.
 */
export async function driveVenue(ex: RunningExchange, p: DriveParams): Promise<DriveResult> {
  const v = ex.venue;
  for (const a of [ACCOUNT_A, ACCOUNT_B]) await v.createAccount(a, BENCH_CASH_TICKS); // refused (already there) after the first drive
  const callTime = new Map<number, number>();
  const out: DriveResult = { placed: 0, refused: 0, deltaTimes: [], deltaKeys: [], tradeTimes: [], elapsedMs: 0, backPressureWaits: 0 };
  let lastPublish = 0;
  const off = v.onEvents((events: EngineEvent[], cmd: VenueCommand) => {
    const t = callTime.get(cmd.seq);
    if (t === undefined) return; // not ours
    callTime.delete(cmd.seq);
    lastPublish = nowMs();
    for (const e of events) {
      if (e.type === 'orderbook_delta' && e.marketTicker === p.market) {
        out.deltaTimes.push(t);
        out.deltaKeys.push(`${e.side === 'yes' ? 'y' : 'n'}${e.priceTicks}:${e.deltaCentis > 0 ? '+' : ''}${e.deltaCentis}`);
      } else if (e.type === 'fill' && e.isTaker && e.marketTicker === p.market) out.tradeTimes.push(t);
    }
  });
  let k = 0; // order number
  let last: Promise<unknown> = Promise.resolve();
  const place = (): void => {
    const step = k & 3;
    const priceTicks = 900 + 100 * ((k >> 2) % 3);
    const [account, action] = step === 0 ? [ACCOUNT_A, 'buy'] : step === 1 ? [ACCOUNT_B, 'sell'] : step === 2 ? [ACCOUNT_A, 'sell'] : [ACCOUNT_B, 'buy'];
    k++;
    const t = nowMs();
    const r = v.placeOrder(account, { marketTicker: p.market, side: 'yes', action: action as 'buy' | 'sell', priceTicks, sizeCentis: 100, timeInForce: 'good_till_canceled' }, 'admin');
    callTime.set(v.commandCount, t);
    out.placed++;
    last = r.then((res) => {
      if (!res.ok) {
        out.refused++;
        out.firstRefusal ??= `${res.reason}: ${res.message}`;
      }
    });
  };
  const maxOrders = p.maxOrders ?? Infinity;
  const t0 = nowMs();
  const end = t0 + p.seconds * 1000;
  const maxBuffered = p.maxBufferedBytes ?? 1 << 20;
  try {
    if (p.mode === 'max') {
      while (nowMs() < end && out.placed < maxOrders) {
        for (let i = 0; i < 16; i++) place(); // four cycles per event-loop turn
        await last;
        await new Promise((r) => setImmediate(r));
        while (ex.gateway.bufferedBytes() > maxBuffered && nowMs() < end) {
          out.backPressureWaits++;
          await new Promise((r) => setTimeout(r, 1));
        }
      }
    } else {
      const rate = p.rate ?? 200;
      while (nowMs() < end && out.placed < maxOrders) {
        const due = Math.min(maxOrders, Math.floor(((nowMs() - t0) / 1000) * rate) + 1);
        while (out.placed < due) place();
        const nextAt = t0 + (out.placed / rate) * 1000;
        await new Promise((r) => setTimeout(r, Math.max(0, nextAt - nowMs())));
      }
    }
    // finish the last cycle so that the book and the positions are back where they were
    while ((k & 3) !== 0) place();
    await last;
    await new Promise((r) => setImmediate(r));
  } finally {
    off();
  }
  out.elapsedMs = (lastPublish || nowMs()) - t0;
  return out;
}

// ------------------------------------------------------------------------------------------------ clients

/** One subscriber: receipt times of its data frames (and, for subscriber 0, their content). */
class Subscriber {
  deltaRecv: number[] = [];
  tradeRecv: number[] = [];
  /** Date.now() at receipt minus the frame's ts_ms, ms (1 ms resolution cross-check) */
  tsLag: number[] = [];
  deltaKeys: string[] | null = null;
  other = 0;
  snapshots = 0;
  subscribed = 0;
  errors: string[] = [];

  constructor(
    readonly ws: WebSocket,
    keepContent: boolean,
  ) {
    if (keepContent) this.deltaKeys = [];
    ws.on('message', (data: Buffer) => this.onFrame(data.toString()));
  }

  private onFrame(text: string): void {
    const t = nowMs();
    if (text.startsWith('{"type":"orderbook_delta"')) {
      this.deltaRecv.push(t);
      if (this.deltaKeys) {
        const m = (JSON.parse(text) as { msg: { side: string; price_dollars: string; delta_fp: string } }).msg;
        const delta = Math.round(Number(m.delta_fp) * 100);
        this.deltaKeys.push(`${m.side === 'yes' ? 'y' : 'n'}${Math.round(Number(m.price_dollars) * 10_000)}:${delta > 0 ? '+' : ''}${delta}`);
      }
    } else if (text.startsWith('{"type":"trade"')) this.tradeRecv.push(t);
    else {
      const type = /"type":"([a-z_]+)"/.exec(text)?.[1];
      if (type === 'orderbook_snapshot') this.snapshots++;
      else if (type === 'subscribed') this.subscribed++;
      else if (type === 'error') this.errors.push(text.slice(0, 200));
      else this.other++;
      return;
    }
    const i = text.lastIndexOf('"ts_ms":');
    if (i >= 0 && this.tsLag.length < 1_000_000) this.tsLag.push(Date.now() - parseInt(text.slice(i + 8), 10));
  }

  /** Forgets everything received so far (between runs). */
  reset(): void {
    this.deltaRecv = [];
    this.tradeRecv = [];
    this.tsLag = [];
    if (this.deltaKeys) this.deltaKeys = [];
  }
}

async function connect(wsUrl: string, cred: { key_id: string; private_key_pem: string }, keepContent: boolean): Promise<Subscriber> {
  const headers = signRequest({ keyId: cred.key_id, privateKeyPem: cred.private_key_pem }, 'GET', KALSHI_WS_SIGNING_PATH);
  const ws = new WebSocket(wsUrl, { headers, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  ws.on('error', () => undefined);
  const s = new Subscriber(ws, keepContent);
  ws.send(JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta', 'trade'], market_ticker: MARKET } }));
  return s;
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

/** Offset (server clock - this clock, ms) from the IPC round trip with the smallest delay. */
async function clockOffset(server: ExchangeServerProcess): Promise<{ offsetMs: number; rttMs: number }> {
  let best = { offsetMs: 0, rttMs: Infinity };
  for (let i = 0; i < 40; i++) {
    const t0 = nowMs();
    const r = await server.request<{ nowMs: number }>('clock');
    const t1 = nowMs();
    if (t1 - t0 < best.rttMs) best = { offsetMs: r.nowMs - (t0 + t1) / 2, rttMs: t1 - t0 };
  }
  return best;
}

// ------------------------------------------------------------------------------------------------ one run

/** Figures of one run. */
interface RunResult {
  /** data frames per event stream */
  events: number;
  framesExpected: number;
  framesDelivered: number;
  /** frames delivered per second over all subscribers (first event to last receipt) */
  framesPerSec: number;
  /** p99 latency of the best and the worst subscriber, ms */
  subscriberP99Min: number;
  subscriberP99Max: number;
  /** book changes per second published (deltas + trades, before fan-out) */
  eventsPerSec: number;
  p50: number;
  p99: number;
  max: number;
  /** the ts_ms cross-check, 1 ms resolution */
  tsP50: number;
  tsP99: number;
  mapped: boolean;
  mapNote: string;
  placed: number;
  refused: number;
  firstRefusal?: string;
  backPressureWaits: number;
  clientCpuPct: number;
  serverCpuPct: number;
}

async function runOnce(server: ExchangeServerProcess, subs: Subscriber[], offsetMs: number, p: Omit<DriveParams, 'market'>): Promise<RunResult> {
  for (const s of subs) s.reset();
  const cpu0 = process.cpuUsage();
  const srv0 = await server.cpuMicros();
  const w0 = nowMs();
  const d = await server.request<{ result: DriveResult }>('drive', { ...p, market: MARKET }).then((r) => r.result);
  const nD = d.deltaTimes.length;
  const nT = d.tradeTimes.length;
  await waitFor(() => subs.every((s) => s.deltaRecv.length >= nD && s.tradeRecv.length >= nT), 15_000);
  const wall = (nowMs() - w0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const srv = (await server.cpuMicros()) - srv0;

  // mapping check on subscriber 0 (content), counts on all
  let mapped = true;
  let mapNote = 'frame k = event k (checked on subscriber 0: side, price, delta)';
  const keys = subs[0].deltaKeys ?? [];
  const badCount = subs.filter((s) => s.deltaRecv.length !== nD || s.tradeRecv.length !== nT).length;
  if (badCount > 0) {
    mapped = false;
    mapNote = `${badCount} subscribers received another number of frames than published (${nD} deltas, ${nT} trades; subscriber 0: ${subs[0].deltaRecv.length}, ${subs[0].tradeRecv.length})`;
  } else {
    for (let i = 0; i < nD; i++) {
      if (keys[i] !== d.deltaKeys[i]) {
        mapped = false;
        mapNote = `delta ${i} differs: published ${d.deltaKeys[i]}, received ${keys[i]}`;
        break;
      }
    }
  }

  // latencies (server event time converted to this clock)
  const lat: number[] = [];
  let firstEvent = Infinity;
  let lastRecv = 0;
  let delivered = 0;
  const subP99: number[] = [];
  for (const s of subs) {
    delivered += s.deltaRecv.length + s.tradeRecv.length;
    for (const r of [s.deltaRecv, s.tradeRecv]) if (r.length) lastRecv = Math.max(lastRecv, r[r.length - 1]);
    if (!mapped) continue;
    const own: number[] = [];
    for (let i = 0; i < nD; i++) own.push(s.deltaRecv[i] - (d.deltaTimes[i] - offsetMs));
    for (let i = 0; i < nT; i++) own.push(s.tradeRecv[i] - (d.tradeTimes[i] - offsetMs));
    subP99.push(quantile(own, 0.99));
    for (const x of own) lat.push(x);
  }
  if (nD) firstEvent = d.deltaTimes[0] - offsetMs;
  const windowS = (lastRecv - firstEvent) / 1000;
  const tsLag = subs.flatMap((s) => s.tsLag);
  const f64 = Float64Array.from(lat);
  return {
    events: nD + nT,
    framesExpected: (nD + nT) * subs.length,
    framesDelivered: delivered,
    framesPerSec: delivered / windowS,
    subscriberP99Min: subP99.length ? Math.min(...subP99) : NaN,
    subscriberP99Max: subP99.length ? Math.max(...subP99) : NaN,
    eventsPerSec: (nD + nT) / (d.elapsedMs / 1000),
    p50: mapped ? quantile(f64, 0.5) : NaN,
    p99: mapped ? quantile(f64, 0.99) : NaN,
    max: mapped && lat.length ? f64.reduce((a, b) => Math.max(a, b), -Infinity) : NaN,
    tsP50: quantile(tsLag, 0.5),
    tsP99: quantile(tsLag, 0.99),
    mapped,
    mapNote,
    placed: d.placed,
    refused: d.refused,
    firstRefusal: d.firstRefusal,
    backPressureWaits: d.backPressureWaits,
    clientCpuPct: ((cpu.user + cpu.system) / 1e6 / wall) * 100,
    serverCpuPct: (srv / 1e6 / wall) * 100,
  };
}

// ------------------------------------------------------------------------------------------------ report

const msf = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : 'n/a');
const pct = (x: number): string => `${x.toFixed(0)}%`;

function spread(runs: RunResult[], f: (r: RunResult) => number, fmt: (v: number) => string): string {
  const v = runs.map(f).filter((x) => Number.isFinite(x));
  if (v.length === 0) return 'n/a';
  return `${fmt(median(v))} [${fmt(Math.min(...v))} .. ${fmt(Math.max(...v))}]`;
}

function printRuns(title: string, r: RunResult[], clients: number): void {
  console.log(`ws: ${title}  (${r.length} runs)`);
  console.log(`  delivered    median ${spread(r, (x) => x.framesPerSec, fmtRate)} frames, all ${clients} subscribers`);
  console.log(`  per subscr.  median ${spread(r, (x) => x.framesPerSec / clients, fmtRate)} frames`);
  console.log(`  published    median ${spread(r, (x) => x.eventsPerSec, fmtRate)} book events (deltas + trades) before fan-out`);
  console.log(`  latency p50  median ${spread(r, (x) => x.p50, msf)}`);
  console.log(`  latency p99  median ${spread(r, (x) => x.p99, msf)}`);
  console.log(`  latency max  median ${spread(r, (x) => x.max, msf)}`);
  console.log(`  p99 of the best / worst subscriber: median ${spread(r, (x) => x.subscriberP99Min, msf)} / ${spread(r, (x) => x.subscriberP99Max, msf)}`);
  console.log(`  ts_ms check  p50 ${spread(r, (x) => x.tsP50, (x) => `${x.toFixed(0)} ms`)}, p99 ${spread(r, (x) => x.tsP99, (x) => `${x.toFixed(0)} ms`)} (Date.now() at receipt - frame ts_ms, 1 ms resolution)`);
  const lost = r.reduce((a, x) => a + x.framesExpected - x.framesDelivered, 0);
  const refused = r.reduce((a, x) => a + x.refused, 0);
  console.log(
    `  frames ${r.reduce((a, x) => a + x.framesDelivered, 0)} delivered of ${r.reduce((a, x) => a + x.framesExpected, 0)} expected (${lost} missing); ` +
      `orders ${r.reduce((a, x) => a + x.placed, 0)} (${refused} refused${refused ? `: ${r.find((x) => x.firstRefusal)?.firstRefusal}` : ''}); ` +
      `CPU subscribers ${spread(r, (x) => x.clientCpuPct, pct)}, server ${spread(r, (x) => x.serverCpuPct, pct)} of one core` +
      (r.some((x) => x.backPressureWaits) ? `; back-pressure waits ${r.map((x) => x.backPressureWaits).join('/')}` : ''),
  );
  const unmapped = r.find((x) => !x.mapped);
  if (unmapped) console.log(`  latency not computed: ${unmapped.mapNote}`);
}

// ------------------------------------------------------------------------------------------------ entry

/**
 * Runs the WebSocket fan-out benchmark and prints its report (see the file header). Prints `skipped: …` instead of
 * throwing when the exchange does not deliver live book changes to subscribers.
 */
export async function runWsFanoutBench(): Promise<void> {
  printHeader();
  const clients = Number(process.env.WS_BENCH_CLIENTS ?? 100);
  const runs = Number(process.env.WS_BENCH_RUNS ?? 3);
  const seconds = Number(process.env.WS_BENCH_SECONDS ?? 3);
  const rate = Number(process.env.WS_BENCH_RATE ?? 200);
  let server: ExchangeServerProcess | null = null;
  const subs: Subscriber[] = [];
  try {
    server = await spawnExchangeServer();
    const cred = JSON.parse(readFileSync(server.info.credentialsPath, 'utf8')) as { key_id: string; private_key_pem: string };
    console.log(
      `set-up: exchange (memory only) + in-process order driver in a CHILD PROCESS (${server.command}, pid ${server.info.pid}); ` +
        `${clients} ws subscribers in THIS process (pid ${process.pid}), signed upgrades, orderbook_delta + trade on ${MARKET}; loopback; ` +
        `load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    );
    for (let i = 0; i < clients; i++) subs.push(await connect(server.info.wsUrl, cred, i === 0));
    const ready = await waitFor(() => subs.every((s) => s.subscribed >= 2 || s.errors.length > 0), 10_000);
    const errs = subs.flatMap((s) => s.errors);
    if (!ready || errs.length) {
      console.log(`skipped: subscriptions not confirmed (${subs.filter((s) => s.subscribed >= 2).length}/${clients} subscribed)${errs.length ? `: ${errs[0]}` : ''}`);
      return;
    }
    const clock = await clockOffset(server);
    // probe: do book changes reach the subscribers at all?
    const probe = await server.request<{ result: DriveResult }>('drive', { market: MARKET, mode: 'paced', seconds: 5, rate: 100, maxOrders: 4 }).then((r) => r.result);
    const got = await waitFor(() => subs[0].deltaRecv.length > 0, 3_000);
    if (!got) {
      const stats = await server.request<{ gateway: { framesSent: number } }>('usage');
      console.log(
        `skipped: live book changes do not reach WebSocket subscribers: the venue published ${probe.deltaTimes.length} orderbook_delta and ${probe.tradeTimes.length} trade events, ` +
          `subscriber 0 received ${subs[0].deltaRecv.length} deltas / ${subs[0].tradeRecv.length} trades in 3 s (gateway frames sent: ${stats.gateway.framesSent}, ` +
          `${subs[0].snapshots} snapshot(s) per subscriber) — the gateway does not forward venue events in live mode (libs/feature-exchange/src/ws/ws-gateway.ts)`,
      );
      return;
    }
    await waitFor(() => subs.every((s) => s.deltaRecv.length >= probe.deltaTimes.length && s.tradeRecv.length >= probe.tradeTimes.length), 3_000);
    console.log(`clock offset server - client ${clock.offsetMs.toFixed(3)} ms (IPC round trip ${clock.rttMs.toFixed(3)} ms); ${runs} runs of ${seconds} s per measurement, interleaved`);
    // warm-up, then interleaved runs
    await runOnce(server, subs, clock.offsetMs, { mode: 'max', seconds: 1 });
    await runOnce(server, subs, clock.offsetMs, { mode: 'paced', seconds: 1, rate });
    const maxRuns: RunResult[] = [];
    const pacedRuns: RunResult[] = [];
    for (let i = 0; i < runs; i++) {
      maxRuns.push(await runOnce(server, subs, clock.offsetMs, { mode: 'max', seconds }));
      pacedRuns.push(await runOnce(server, subs, clock.offsetMs, { mode: 'paced', seconds, rate }));
    }
    printRuns(`fan-out throughput, orders as fast as the venue takes them (send-buffer back-pressure at 1 MiB)`, maxRuns, clients);
    printRuns(`fan-out at ${fmtRate(rate)} orders (${fmtRate(rate * 1.5)} book events, ${fmtRate(rate * 1.5 * clients)} frames offered)`, pacedRuns, clients);
  } catch (e) {
    console.log(`skipped: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    for (const s of subs) s.ws.terminate();
    await server?.close();
  }
}

// Direct execution: `node tools/run.cjs bench/ws-fanout.bench.ts` (see bench/book.bench.ts for why argv[1] is checked too).
if (require.main === module || path.resolve(process.argv[1] ?? '') === __filename) {
  runWsFanoutBench().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
