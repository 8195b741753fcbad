/**
 * REST order round trip under load: `POST /trade-api/v2/portfolio/orders` against a live mock exchange on loopback,
 * driven by autocannon (programmatic API) at a fixed offered rate.
 *
 * Set-up: the exchange runs in a CHILD PROCESS (`node tools/run.cjs bench/exchange-server.ts`, memory only, or with
 * `--data-dir <tmp>` = the embedded PGlite store), autocannon in this process: client and server are separate
 * processes sharing the machine's cores. Rate limits are off. Each variant gets a fresh exchange.
 *
 * Load: autocannon `overallRate` 2,000 requests/s over 10 keep-alive connections (`connections`, pipelining 1), in two
 * modes, runs interleaved:
 * - `burst` = plain autocannon: its rate limit is a per-connection quota per one-second window (each connection sends
 *   back to back until it has made rate/connections requests, then waits for the next second), so when the server is
 *   fast the offered load comes in bursts at the start of each second;
 * - `paced`: the same, plus a `setupClient` hook that spreads each connection's requests evenly (one every 5 ms,
 *   connections staggered) — the steady 2,000/s the target speaks of.
 * The report shows how far into each second the requests went out ("send offset p90": ~900 ms when evenly spread).
 *
 * Requests: every request carries its own Kalshi auth headers (KALSHI-ACCESS-KEY/TIMESTAMP/SIGNATURE by `signRequest`
 * over `timestamp + POST + /trade-api/v2/portfolio/orders`, the `demo` key the exchange wrote to its credentials
 * file) — the exchange refuses a signature it has seen before — and a unique `client_order_id`, both set in
 * autocannon's `requests[].setupRequest` hook. Where the signatures come from (`REST_BENCH_SIGNER`, a comma list: each
 * signer is a variant, runs interleaved on the same exchange):
 * - `presigned` (default): every request of a run is signed BEFORE the run starts (not timed, not in the client CPU);
 *   the request objects (headers, body) are built then too, and this process's heap is settled with a full GC, so
 *   setupRequest only hands out the next unused request. The signatures are up to a run's length old when sent, so the
 *   exchange is started with a wider auth window (`--auth-max-skew-ms 600000`, i.e. `startExchange({authMaxSkewMs})`;
 *   the server's verification work per request is unchanged). Why: RSA-2048 signing costs ~0.35 ms of CPU per
 *   request, ~0.7 core at 2,000/s, and the load generator shares this 2-core machine with the server — signing inline
 *   measures the two processes fighting for cores, not the server. A real client signs on its own machine.
 * - `inline`: `signRequest` inside setupRequest, on autocannon's event loop (the CPU shows up as client CPU);
 * - `worker`: a worker thread keeps 0.5 s of fresh signatures ready (each used once, at most 3 s old); on a 2-core
 *   machine that is three busy threads on two cores.
 * Any request a pre-signed pool could not cover is signed inline and counted ("signed during the run").
 * Body: Kalshi's create-order body `{ticker, side, action:'buy', count:1, yes_price_dollars|no_price_dollars,
 * client_order_id, time_in_force:'good_till_canceled'}` on KXELONMARS-99: 97.5% rest (buy YES or buy NO at
 * $0.01..$0.08, below the house touch: 16 price levels that grow in depth), 2.5% cross (buy YES at $0.13: takes the
 * house's YES asks at $0.12/$0.13 while they last, then rests at $0.13).
 *
 * Reports per variant (memory-only and PGlite side by side): achieved rate, p50/p90/p99/max latency (autocannon's
 * per-request time from writing the request to the complete response; computed here from every response at µs
 * resolution, without coordinated-omission correction), non-2xx responses, errors/timeouts, CPU of client and server
 * (and the server's CPU time per response), the pauses behind the tail (the server's event-loop delay and GC pauses by
 * kind, via the server's `pauses` IPC command; this process's event-loop delay and GC pauses: autocannon reads the
 * responses on that loop) — the median and spread (min..max) over the runs (default 3 runs of 5 s, after a 1 s
 * warm-up). Target: p99 < 5 ms at 2,000 orders/s.
 *
 * If the exchange has no `POST /portfolio/orders` (404) or refuses the probe order, the benchmark prints
 * `skipped: …` with the reason and returns normally; if the PGlite store cannot start, that variant is skipped.
 *
 * Run: `node tools/run.cjs bench/rest.bench.ts` (env REST_BENCH_RATE, REST_BENCH_CONNECTIONS, REST_BENCH_RUNS,
 * REST_BENCH_SECONDS, REST_BENCH_WARMUP_SECONDS, REST_BENCH_STORES=memory,pglite, REST_BENCH_MODES=burst,paced,
 * REST_BENCH_SIGNER=presigned,inline,worker (default presigned; e.g. `presigned,inline` for both side by side),
 * REST_BENCH_AUTH_SKEW_MS (server auth window when a presigned variant runs, default 600000),
 * REST_BENCH_SERVER_NODE_ARGS (extra node flags of the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p` or `--trace-gc`),
 * REST_BENCH_SERVER_LOG (a file that gets the server's output)).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { loadPrivateKey, signRequest, type KalshiAuthHeaders } from '@kalshi-platform/kalshi';
import { spawnExchangeServer, type ExchangeServerProcess, type ServerPauses } from './exchange-server';
import { fmtRate, median, printHeader, quantile } from './harness';

const ORDERS_PATH = '/trade-api/v2/portfolio/orders';
const MARKET = 'KXELONMARS-99';
const TARGET_P99_MS = 5;

// ------------------------------------------------------------------------------------------------ autocannon (untyped)

interface AcRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  setupRequest?: (req: AcRequest, context: Record<string, unknown>) => AcRequest | null;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}
interface AcResult {
  duration: number;
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
/** The parts of autocannon's per-connection Client that pacing uses (`_doRequest` is internal to autocannon 9). */
interface AcClient {
  _doRequest(...args: unknown[]): void;
  destroyed: boolean;
}
interface AcInstance {
  on(event: 'response', cb: (client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => void): void;
  on(event: 'done', cb: (r: AcResult) => void): void;
}
type Autocannon = (
  opts: {
    url: string;
    connections: number;
    pipelining?: number;
    duration: number;
    overallRate?: number;
    timeout?: number;
    ignoreCoordinatedOmission?: boolean;
    setupClient?: (client: AcClient) => void;
    requests: AcRequest[];
  },
  cb: (err: Error | null, r: AcResult) => void,
) => AcInstance;
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

// ------------------------------------------------------------------------------------------------ signing

type SignerMode = 'presigned' | 'inline' | 'worker';
const SIGNER_MODES: readonly SignerMode[] = ['presigned', 'inline', 'worker'];
const SIGNER_NAME: Record<SignerMode, string> = {
  presigned: 'presigned before the run (not measured)',
  inline: 'signRequest inline in setupRequest',
  worker: 'worker-thread pool of fresh signatures',
};

/** Where a request's auth headers come from. */
interface Signer {
  mode: SignerMode;
  /** Called before each run (outside the measured window) with the most requests the run can send. */
  prepare(requests: number): Promise<void>;
  /** Fresh, never-used headers for one POST /portfolio/orders. */
  next(): KalshiAuthHeaders;
  /** Signatures made on autocannon's event loop during the run (inline signer, or a pool that ran dry). */
  inlineSigned: number;
  /** Age (ms) of the signatures handed out, for the report. */
  ages: number[];
  /** Signatures made by the last `prepare` and the ms it took (presigned). */
  prepared: { count: number; ms: number };
  close(): Promise<void>;
}

function inlineSigner(keyId: string, privateKeyPem: string): Signer {
  const signer = { keyId, privateKey: loadPrivateKey(privateKeyPem) };
  const s: Signer = {
    mode: 'inline',
    prepare: async () => undefined,
    inlineSigned: 0,
    ages: [],
    prepared: { count: 0, ms: 0 },
    next: () => {
      s.inlineSigned++;
      return signRequest(signer, 'POST', ORDERS_PATH);
    },
    close: async () => undefined,
  };
  return s;
}

/**
 * Signs every request of a run before the run (`prepare`), so that the load generator spends no RSA time inside the
 * measured window; `next` hands the headers out in order, each once, and signs inline (counted) only if a run sends
 * more than was prepared. The headers are up to one run old when sent: the exchange must accept that skew
 * (`--auth-max-skew-ms`).
 */
function presignedSigner(keyId: string, privateKeyPem: string): Signer {
  const signer = { keyId, privateKey: loadPrivateKey(privateKeyPem) };
  let pool: KalshiAuthHeaders[] = [];
  let head = 0;
  const s: Signer = {
    mode: 'presigned',
    inlineSigned: 0,
    ages: [],
    prepared: { count: 0, ms: 0 },
    prepare: async (requests) => {
      const t0 = performance.now();
      pool = new Array<KalshiAuthHeaders>(requests);
      head = 0;
      for (let i = 0; i < requests; i++) {
        pool[i] = signRequest(signer, 'POST', ORDERS_PATH);
        if (i % 2_000 === 1_999) await new Promise((r) => setImmediate(r)); // keep the IPC channel served
      }
      s.prepared = { count: requests, ms: performance.now() - t0 };
    },
    next: () => {
      if (head < pool.length) {
        const h = pool[head];
        pool[head++] = undefined as unknown as KalshiAuthHeaders; // let it go
        if (s.ages.length < 200_000) s.ages.push(Date.now() - Number(h['KALSHI-ACCESS-TIMESTAMP']));
        return h;
      }
      s.inlineSigned++;
      return signRequest(signer, 'POST', ORDERS_PATH);
    },
    close: async () => {
      pool = [];
    },
  };
  return s;
}

/** The signer worker: signs `want` requests at a time with `signRequest` (libs/kalshi) and posts them back. */
const SIGNER_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
process.env.SWC_NODE_PROJECT = workerData.project;
require('@swc-node/register');
const { signRequest, loadPrivateKey } = require(workerData.signingModule);
const signer = { keyId: workerData.keyId, privateKey: loadPrivateKey(workerData.privateKeyPem) };
parentPort.on('message', (m) => {
  if (m === 'stop') return process.exit(0);
  const out = [];
  for (let i = 0; i < m.want; i++) out.push(signRequest(signer, 'POST', workerData.path));
  parentPort.postMessage(out);
});
`;

/**
 * Signatures made by a worker thread, kept `poolSize` deep (half a second of requests) and handed out in order;
 * each is used once. Headers older than `maxAgeMs` are dropped (the exchange accepts ±5 s).
 */
async function workerSigner(keyId: string, privateKeyPem: string, poolSize: number, maxAgeMs = 3_000): Promise<Signer> {
  const repo = path.resolve(__dirname, '..');
  const worker = new Worker(SIGNER_WORKER, {
    eval: true,
    workerData: { project: path.join(repo, 'tsconfig.base.json'), signingModule: path.join(repo, 'libs/kalshi/src/auth/signing.ts'), keyId, privateKeyPem, path: ORDERS_PATH },
  });
  const pool: KalshiAuthHeaders[] = [];
  let head = 0;
  let inFlight = 0;
  const batch = 50;
  const fallback = inlineSigner(keyId, privateKeyPem);
  let failure: Error | null = null;
  worker.once('error', (e) => (failure = e));
  const refill = () => {
    while (pool.length - head + inFlight < poolSize) {
      worker.postMessage({ want: batch });
      inFlight += batch;
    }
  };
  worker.on('message', (m: KalshiAuthHeaders[]) => {
    inFlight -= m.length;
    if (head > 4096) {
      pool.splice(0, head);
      head = 0;
    }
    for (const h of m) pool.push(h);
    refill();
  });
  /** waits until the pool holds `poolSize` usable signatures (or the worker failed) */
  const fill = async () => {
    refill();
    while (pool.length - head < poolSize) {
      if (failure) throw failure;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await fill();
  const s: Signer = {
    mode: 'worker',
    prepared: { count: 0, ms: 0 },
    // other variants ran since the last run: drop signatures that may be too old by now and refill
    prepare: async () => {
      pool.splice(0, pool.length);
      head = 0;
      await fill();
    },
    inlineSigned: 0,
    ages: [],
    next: () => {
      const now = Date.now();
      while (head < pool.length) {
        const h = pool[head++];
        const age = now - Number(h['KALSHI-ACCESS-TIMESTAMP']);
        if (age > maxAgeMs) continue;
        if (s.ages.length < 200_000) s.ages.push(age);
        refill();
        return h;
      }
      refill();
      s.inlineSigned++;
      return fallback.next();
    },
    close: async () => {
      worker.postMessage('stop');
      await new Promise((r) => worker.once('exit', r));
    },
  };
  return s;
}

// ------------------------------------------------------------------------------------------------ orders

const price = (cents: number): string => `0.${String(cents).padStart(2, '0')}00`;

/** The n-th order body of run `tag` (see the file header for the mix). */
function orderBody(tag: string, n: number): string {
  const id = `${tag}-${n}`;
  if (n % 40 === 7) return JSON.stringify({ ticker: MARKET, side: 'yes', action: 'buy', count: 1, yes_price_dollars: '0.1300', client_order_id: id, time_in_force: 'good_till_canceled' });
  const cents = 1 + ((n >> 1) % 8);
  return n % 2 === 0
    ? JSON.stringify({ ticker: MARKET, side: 'yes', action: 'buy', count: 1, yes_price_dollars: price(cents), client_order_id: id, time_in_force: 'good_till_canceled' })
    : JSON.stringify({ ticker: MARKET, side: 'no', action: 'buy', count: 1, no_price_dollars: price(cents), client_order_id: id, time_in_force: 'good_till_canceled' });
}

// ------------------------------------------------------------------------------------------------ one run

/** A full GC of this process (node's `gc`, enabled at run time), or nothing if that is not available. */
const fullGc: () => void = (() => {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? () => (gc as () => void)() : () => undefined;
  } catch {
    return () => undefined;
  }
})();

/** Figures of one autocannon run. */
interface RunResult {
  seconds: number;
  responses: number;
  achievedPerSec: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** order statuses in the 2xx bodies (`"status":"resting"` …) */
  orderStatuses: Record<string, number>;
  /** 90th percentile of the send time's offset into its second of the run, ms (1000 = evenly paced) */
  sendOffsetP90: number;
  clientCpuPct: number;
  serverCpuPct: number;
  /** server CPU time (user + system) per response, µs */
  serverCpuPerResponseUs: number;
  /** server event-loop delay and GC pauses during the run */
  pauses: ServerPauses;
  /** this process's (autocannon's) event-loop delay during the run, ms: it delays reading responses too */
  clientLoopDelayP99Ms: number;
  /** this process's GC pauses during the run */
  clientGcCount: number;
  clientGcMaxMs: number;
  /** median age of the signatures used (ms between signing and use) */
  signatureAgeP50: number;
  /** signatures made on autocannon's event loop during the run (inline signer, or a pool that ran dry) */
  inlineSigned: number;
  /** signatures made before the run (presigned) and the ms that took (outside the measured window) */
  presigned: number;
  presignMs: number;
  firstError?: string;
}

/**
 * `setupClient` hook of the paced mode: spreads each connection's requests evenly (one every connections/rate s,
 * connections staggered) instead of autocannon's back-to-back quota per second, by deferring the connection's
 * internal `_doRequest` (autocannon 9) to its slot with a timer. autocannon's own quota still applies on top.
 */
function pacer(o: { rate: number; connections: number }): (client: AcClient) => void {
  const interval = (1000 * o.connections) / o.rate;
  let clients = 0;
  return (client) => {
    const idx = clients++;
    const doRequest = client._doRequest;
    let nextAt = performance.now() + (idx * interval) / o.connections;
    let timer: NodeJS.Timeout | null = null;
    client._doRequest = function paced(...args: unknown[]) {
      if (timer) return;
      const wait = nextAt - performance.now();
      if (wait > 0.2) {
        timer = setTimeout(() => {
          timer = null;
          if (client.destroyed) return;
          nextAt += interval;
          doRequest.apply(client, args);
        }, wait);
        return;
      }
      nextAt = Math.max(nextAt + interval, performance.now() - interval); // late: catch up by at most one slot
      doRequest.apply(client, args);
    };
  };
}

async function runOnce(server: ExchangeServerProcess, signer: Signer, tag: string, o: { rate: number; connections: number; seconds: number; paced: boolean }): Promise<RunResult> {
  const origin = new URL(server.info.restUrl).origin;
  let n = 0;
  const lat: number[] = [];
  const sendOffsets: number[] = [];
  const orderStatuses: Record<string, number> = {};
  let firstError: string | undefined;
  const statusRe = /"status"\s*:\s*"([a-z_]+)"/;
  const request: AcRequest = {
    method: 'POST',
    path: ORDERS_PATH,
    setupRequest: (req) => {
      const i = n++;
      const p = prebuilt[i];
      if (p !== undefined) {
        prebuilt[i] = undefined;
        if (signer.ages.length < 200_000) signer.ages.push(Date.now() - Number(p.headers['KALSHI-ACCESS-TIMESTAMP']));
        req.headers = p.headers; // `req` is autocannon's fresh copy of the template (which has no headers of its own)
        req.body = p.body;
        return req;
      }
      return { ...req, headers: { ...req.headers, 'content-type': 'application/json', ...signer.next() }, body: orderBody(tag, i) };
    },
    onResponse: (status, body) => {
      if (status >= 200 && status < 300) {
        const m = statusRe.exec(body);
        const k = m ? m[1] : 'no status field';
        orderStatuses[k] = (orderStatuses[k] ?? 0) + 1;
      } else if (firstError === undefined) firstError = `HTTP ${status} ${body.slice(0, 300)}`;
    },
  };
  // before the measured window: the presigned signer signs every request the run can send (autocannon's quota is
  // rate x seconds; burst mode may overshoot a little: margin), the worker signer refreshes its pool
  await signer.prepare(Math.ceil(o.rate * (o.seconds + 1) * 1.1) + 20 * o.connections);
  // presigned: the rest of each request (headers object, body) is built beforehand too, to keep the load generator's
  // own work and garbage (its event-loop and GC pauses delay reading responses, i.e. the latency measured) small
  const prebuilt: Array<{ headers: Record<string, string>; body: string } | undefined> =
    signer.mode === 'presigned' ? Array.from({ length: signer.prepared.count }, (_, i) => ({ headers: { 'content-type': 'application/json', ...signer.next() }, body: orderBody(tag, i) })) : [];
  signer.ages.length = 0;
  signer.inlineSigned = 0;
  fullGc(); // settle this process's heap (the pre-built requests) now rather than in pauses inside the window
  const cpu0 = process.cpuUsage();
  const srv0 = await server.cpuMicros();
  await server.request('pauses'); // resets the server's pause figures
  const clientLoop = monitorEventLoopDelay({ resolution: 1 });
  clientLoop.enable();
  const clientGc = { count: 0, maxMs: 0 };
  const gcObs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      clientGc.count++;
      clientGc.maxMs = Math.max(clientGc.maxMs, e.duration);
    }
  });
  gcObs.observe({ entryTypes: ['gc'] });
  const t0 = performance.now();
  const result = await new Promise<AcResult>((resolve, reject) => {
    const inst = autocannon(
      {
        url: origin,
        connections: o.connections,
        pipelining: 1,
        duration: o.seconds,
        overallRate: o.rate,
        timeout: 10,
        ...(o.paced ? { setupClient: pacer(o) } : {}),
        requests: [request],
      },
      (err, r) => (err ? reject(err) : resolve(r)),
    );
    inst.on('response', (_c, _status, _bytes, ms) => {
      lat.push(ms);
      const sentAt = performance.now() - ms - t0;
      sendOffsets.push(sentAt % 1000);
    });
  });
  const wall = (performance.now() - t0) / 1000;
  clientLoop.disable();
  gcObs.disconnect();
  const cpu = process.cpuUsage(cpu0);
  const srv = (await server.cpuMicros()) - srv0;
  const { ok: _ok, id: _id, ...pauses } = await server.request<ServerPauses & { ok: boolean; id: number }>('pauses');
  const statusCodes: Record<string, number> = {};
  for (const [k, v] of Object.entries(result.statusCodeStats ?? {})) statusCodes[k] = v.count;
  const f64 = Float64Array.from(lat);
  return {
    seconds: result.duration,
    responses: lat.length,
    achievedPerSec: lat.length / result.duration,
    p50: quantile(f64, 0.5),
    p90: quantile(f64, 0.9),
    p99: quantile(f64, 0.99),
    max: lat.length ? Math.max(...lat) : NaN,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    orderStatuses,
    sendOffsetP90: quantile(sendOffsets, 0.9),
    clientCpuPct: ((cpu.user + cpu.system) / 1e6 / wall) * 100,
    serverCpuPct: (srv / 1e6 / wall) * 100,
    serverCpuPerResponseUs: lat.length ? srv / lat.length : NaN,
    pauses,
    clientLoopDelayP99Ms: clientLoop.percentile(99) / 1e6,
    clientGcCount: clientGc.count,
    clientGcMaxMs: clientGc.maxMs,
    signatureAgeP50: signer.ages.length ? quantile(signer.ages, 0.5) : 0,
    inlineSigned: signer.inlineSigned,
    presigned: signer.prepared.count,
    presignMs: signer.prepared.ms,
    firstError,
  };
}

// ------------------------------------------------------------------------------------------------ probe

/** One signed order through fetch: `null` when it was accepted, else the reason to skip. */
async function probe(server: ExchangeServerProcess, keyId: string, privateKeyPem: string): Promise<string | null> {
  const url = server.info.restUrl + '/portfolio/orders';
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signRequest({ keyId, privateKeyPem }, 'POST', ORDERS_PATH) },
      body: orderBody(`probe-${process.pid}`, 0),
    });
  } catch (e) {
    return `probe POST ${url} failed: ${(e as Error).message}`;
  }
  const text = await res.text();
  if (res.status === 404) return `POST ${ORDERS_PATH} answered 404 (the portfolio endpoint is not there yet: libs/feature-exchange/src/rest/portfolio.controller.ts): ${text.slice(0, 200)}`;
  if (res.status < 200 || res.status >= 300) return `the probe order was refused: HTTP ${res.status} ${text.slice(0, 300)}`;
  return null;
}

// ------------------------------------------------------------------------------------------------ report

type Mode = 'burst' | 'paced';
const MODE_NAME: Record<Mode, string> = { burst: 'autocannon overallRate', paced: 'paced' };

interface VariantResult {
  store: 'memory' | 'pglite';
  mode: Mode;
  signer: SignerMode;
  runs: RunResult[];
}

const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : 'n/a');
const pct = (x: number): string => `${x.toFixed(0)}%`;
const us = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(0)} µs` : 'n/a');
const label = (v: VariantResult): string => `${v.store === 'memory' ? 'memory' : 'PGlite'}, ${v.mode}, ${v.signer}`;

/** `median [min .. max]` of one field over the runs. */
function spread(runs: RunResult[], f: (r: RunResult) => number, fmt: (v: number) => string): string {
  const v = runs.map(f);
  return `${fmt(median(v))} [${fmt(Math.min(...v))} .. ${fmt(Math.max(...v))}]`;
}

function sum(runs: RunResult[], f: (r: RunResult) => number): number {
  return runs.reduce((a, r) => a + f(r), 0);
}

function merge(rs: Record<string, number>[]): string {
  const m: Record<string, number> = {};
  for (const r of rs) for (const [k, v] of Object.entries(r)) m[k] = (m[k] ?? 0) + v;
  return Object.entries(m)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

function printVariant(v: VariantResult, o: { rate: number; connections: number; seconds: number }): void {
  const r = v.runs;
  console.log(
    `rest: ${v.store === 'memory' ? 'memory only' : 'PGlite store'}, ${MODE_NAME[v.mode]}, signer ${v.signer} (${SIGNER_NAME[v.signer]})  (${r.length} runs of ${o.seconds} s, offered ${fmtRate(o.rate)} over ${o.connections} connections)`,
  );
  console.log(`  achieved     median ${spread(r, (x) => x.achievedPerSec, fmtRate)}`);
  console.log(`  latency p50  median ${spread(r, (x) => x.p50, ms)}`);
  console.log(`  latency p90  median ${spread(r, (x) => x.p90, ms)}`);
  console.log(`  latency p99  median ${spread(r, (x) => x.p99, ms)}`);
  console.log(`  latency max  median ${spread(r, (x) => x.max, ms)}`);
  console.log(
    `  responses ${sum(r, (x) => x.responses)}; non-2xx ${sum(r, (x) => x.non2xx)}; errors ${sum(r, (x) => x.errors)} (timeouts ${sum(r, (x) => x.timeouts)}); ` +
      `HTTP ${merge(r.map((x) => x.statusCodes))}; order status ${merge(r.map((x) => x.orderStatuses))}`,
  );
  console.log(
    `  pauses: server event-loop delay p99 ${spread(r, (x) => x.pauses.loopDelayP99Ms, ms)}, max ${spread(r, (x) => x.pauses.loopDelayMaxMs, ms)}; ` +
      `client (autocannon) event-loop delay p99 ${spread(r, (x) => x.clientLoopDelayP99Ms, ms)}, GC ${spread(r, (x) => x.clientGcCount, (x) => x.toFixed(0))} pauses, longest ${spread(r, (x) => x.clientGcMaxMs, ms)}; ` +
      `server GC ${spread(r, (x) => x.pauses.gc.count, (x) => x.toFixed(0))} pauses per run, ${spread(r, (x) => x.pauses.gc.totalMs, ms)} in all, longest ${spread(r, (x) => x.pauses.gc.maxMs, ms)}` +
      ` (${[...new Set(r.flatMap((x) => Object.keys(x.pauses.gc.byKind)))]
        .sort()
        .map((k) => {
          const of = (x: RunResult) => x.pauses.gc.byKind[k] ?? { count: 0, totalMs: 0, maxMs: 0 };
          return `${k}: ${median(r.map((x) => of(x).count)).toFixed(0)} x, longest ${ms(median(r.map((x) => of(x).maxMs)))}`;
        })
        .join('; ')}; medians)`,
  );
  const firstError = r.find((x) => x.firstError)?.firstError;
  if (firstError) console.log(`  first non-2xx: ${firstError}`);
  console.log(
    `  CPU client ${spread(r, (x) => x.clientCpuPct, pct)}, server ${spread(r, (x) => x.serverCpuPct, pct)} of one core = ${spread(r, (x) => x.serverCpuPerResponseUs, us)} per response; ` +
      `send offset p90 in its second ${spread(r, (x) => x.sendOffsetP90, (x) => `${x.toFixed(0)} ms`)} (evenly paced: ~900); ` +
      `signature age p50 ${spread(r, (x) => x.signatureAgeP50, (x) => `${x.toFixed(0)} ms`)}, ${sum(r, (x) => x.inlineSigned)} signed during the runs` +
      (v.signer === 'presigned' ? ` (${sum(r, (x) => x.presigned)} pre-signed before them, ${spread(r, (x) => x.presignMs / 1000, (x) => `${x.toFixed(1)} s`)} per run, not measured)` : ''),
  );
}

// ------------------------------------------------------------------------------------------------ entry

/**
 * Runs the REST order round-trip benchmark and prints its report (see the file header). A missing or refusing
 * portfolio endpoint, or a store that cannot start, is reported as `skipped: …`, not thrown.
 */
export async function runRestBench(): Promise<void> {
  printHeader();
  const o = {
    rate: Number(process.env.REST_BENCH_RATE ?? 2_000),
    connections: Number(process.env.REST_BENCH_CONNECTIONS ?? 10),
    seconds: Number(process.env.REST_BENCH_SECONDS ?? 5),
  };
  const runs = Number(process.env.REST_BENCH_RUNS ?? 3);
  const warmup = Number(process.env.REST_BENCH_WARMUP_SECONDS ?? 1);
  const stores = (process.env.REST_BENCH_STORES ?? 'memory,pglite').split(',').map((s) => s.trim());
  const modes = (process.env.REST_BENCH_MODES ?? 'burst,paced').split(',').map((s) => s.trim()).filter((m): m is Mode => m === 'burst' || m === 'paced');
  const signerNames = (process.env.REST_BENCH_SIGNER ?? 'presigned').split(',').map((s) => s.trim()).filter(Boolean);
  const bad = signerNames.filter((n) => !(SIGNER_MODES as readonly string[]).includes(n));
  if (bad.length) console.log(`skipped: unknown signer(s) ${bad.map((b) => JSON.stringify(b)).join(', ')} in REST_BENCH_SIGNER (presigned, inline, worker)`);
  const signerModes = SIGNER_MODES.filter((m) => signerNames.includes(m));
  if (signerModes.length === 0) return;
  // a presigned request is up to one run old when it is sent: the server must accept that (inline/worker sign fresh)
  const authSkewMs = signerModes.includes('presigned') ? Number(process.env.REST_BENCH_AUTH_SKEW_MS ?? 600_000) : undefined;
  const serverNodeArgs = (process.env.REST_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  console.log(
    `set-up: exchange in a CHILD PROCESS (node tools/run.cjs bench/exchange-server.ts), autocannon ${autocannonVersion()} in THIS process (pid ${process.pid}); ` +
      `loopback HTTP/1.1 keep-alive, pipelining 1; modes: ${modes.map((m) => MODE_NAME[m] ?? m).join(', ')}; signers: ${signerModes.join(', ')} (runs interleaved)`,
  );
  for (const m of signerModes) console.log(`signer ${m}: ${SIGNER_NAME[m]}`);
  if (signerModes.includes('presigned')) {
    console.log(
      `  why presigned: RSA-2048 signing costs the load generator ~0.35 ms of CPU per request (~0.7 core at 2,000/s) on the same ${cpus().length}-core machine ` +
        `the server runs on, so inline signing measures client and server fighting for cores; a real client signs on its own machine. ` +
        `Every request of a run is signed before the run starts (outside the timed window and the client CPU figure); the server verifies each ` +
        `signature exactly as before (RSA-PSS verify + replay check), but accepts timestamps up to ±${authSkewMs} ms old (--auth-max-skew-ms ${authSkewMs}; default ±5,000).`,
    );
  }
  const results: VariantResult[] = [];
  for (const store of stores) {
    if (store !== 'memory' && store !== 'pglite') {
      console.log(`skipped: unknown store ${JSON.stringify(store)} in REST_BENCH_STORES`);
      continue;
    }
    const dataDir = store === 'pglite' ? mkdtempSync(path.join(tmpdir(), 'bench-rest-pglite-')) : undefined;
    let server: ExchangeServerProcess | null = null;
    const signers: Signer[] = [];
    try {
      try {
        server = await spawnExchangeServer({ dataDir, authMaxSkewMs: authSkewMs, execArgv: serverNodeArgs, logFile: process.env.REST_BENCH_SERVER_LOG });
      } catch (e) {
        console.log(`skipped: ${store === 'pglite' ? 'PGlite store' : 'memory-only exchange'}: ${(e as Error).message.split('\n')[0]}`);
        continue;
      }
      const cred = JSON.parse(readFileSync(server.info.credentialsPath, 'utf8')) as { key_id: string; private_key_pem: string };
      const why = await probe(server, cred.key_id, cred.private_key_pem);
      if (why) {
        console.log(`skipped: ${why}`);
        return; // the same endpoint serves every store
      }
      for (const m of signerModes) {
        signers.push(
          m === 'worker'
            ? await workerSigner(cred.key_id, cred.private_key_pem, Math.ceil(o.rate / 2))
            : m === 'presigned'
              ? presignedSigner(cred.key_id, cred.private_key_pem)
              : inlineSigner(cred.key_id, cred.private_key_pem),
        );
      }
      console.log(
        `${store === 'memory' ? 'memory only' : `PGlite store in ${dataDir}`}: server ${server.command} (pid ${server.info.pid}, auth window ±${server.info.authMaxSkewMs ?? 5_000} ms); ` +
          `load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
      );
      const byVariant = new Map<string, RunResult[]>();
      const key = (m: Mode, sg: Signer) => `${m}|${sg.mode}`;
      for (const m of modes) for (const sg of signers) if (warmup > 0) await runOnce(server, sg, `w${process.pid}-${store}-${m}-${sg.mode}`, { ...o, seconds: warmup, paced: m === 'paced' });
      for (let i = 0; i < runs; i++) {
        for (const m of modes) {
          for (const sg of signers) {
            const r = await runOnce(server, sg, `r${process.pid}-${store}-${m}-${sg.mode}-${i}`, { ...o, paced: m === 'paced' });
            byVariant.set(key(m, sg), [...(byVariant.get(key(m, sg)) ?? []), r]);
          }
        }
      }
      for (const m of modes) {
        for (const sg of signers) {
          const v: VariantResult = { store, mode: m, signer: sg.mode, runs: byVariant.get(key(m, sg)) ?? [] };
          printVariant(v, o);
          results.push(v);
        }
      }
    } finally {
      for (const sg of signers) await sg.close();
      await server?.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  }
  if (results.length === 0) return;
  const W = Math.max(20, ...results.map((v) => label(v).length + 2));
  const row = (name: string, f: (r: RunResult) => number, fmt: (x: number) => string) =>
    console.log(`  ${name.padEnd(12)}${results.map((v) => fmt(median(v.runs.map(f))).padStart(W)).join('')}`);
  console.log('rest: side by side (medians over runs)');
  console.log(`  ${''.padEnd(12)}${results.map((v) => label(v).padStart(W)).join('')}`);
  row('achieved', (r) => r.achievedPerSec, fmtRate);
  row('p50', (r) => r.p50, ms);
  row('p90', (r) => r.p90, ms);
  row('p99', (r) => r.p99, ms);
  row('max', (r) => r.max, ms);
  row('non-2xx', (r) => r.non2xx, (x) => String(x));
  row('server CPU', (r) => r.serverCpuPct, pct);
  row('srv CPU/resp', (r) => r.serverCpuPerResponseUs, us);
  row('client CPU', (r) => r.clientCpuPct, pct);
  row('loop dly p99', (r) => r.pauses.loopDelayP99Ms, ms);
  row('GC longest', (r) => r.pauses.gc.maxMs, ms);
  row('client dly99', (r) => r.clientLoopDelayP99Ms, ms);
  const verdicts = results.map((v) => {
    const p99 = median(v.runs.map((r) => r.p99));
    const rate = median(v.runs.map((r) => r.achievedPerSec));
    const ok = p99 < TARGET_P99_MS && rate >= 0.98 * o.rate && sum(v.runs, (r) => r.non2xx + r.errors) === 0;
    return `${label(v)} ${ok ? 'met' : 'NOT met'} (p99 ${ms(p99)}, ${fmtRate(rate)})`;
  });
  console.log(`target p99 < ${TARGET_P99_MS} ms at ${fmtRate(o.rate)}, no errors: ${verdicts.join('; ')}`);
}

function autocannonVersion(): string {
  try {
    return (createRequire(__filename)('autocannon/package.json') as { version: string }).version;
  } catch {
    return '?';
  }
}

// Direct execution: `node tools/run.cjs bench/rest.bench.ts` (see bench/book.bench.ts for why argv[1] is checked too).
if (require.main === module || path.resolve(process.argv[1] ?? '') === __filename) {
  runRestBench().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
