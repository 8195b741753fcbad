/**
 * The server half of the exchange benchmarks (bench/rest.bench.ts, bench/ws-fanout.bench.ts): starts one live mock
 * exchange on 127.0.0.1 (any free port, rate limits off, no Nest logging), writes the `demo` key to a credentials file,
 * prints one line `EXCHANGE {"restUrl":…,"wsUrl":…,"credentialsPath":…,"store":…,"pid":…}` and runs until SIGINT /
 * SIGTERM / a `close` message. The benchmarks start it as a separate process so that the load generator and the
 * server do not share one event loop.
 *
 * Run by hand: `node tools/run.cjs bench/exchange-server.ts [--data-dir DIR] [--credentials FILE] [--auth-max-skew-ms MS]`
 * (no --data-dir: memory only; with it: the embedded PGlite store under DIR; `--auth-max-skew-ms` widens the accepted
 * clock skew of signed requests from the default ±5,000 ms, for load generators that sign every request before the
 * measured window: see `presigned` in bench/rest.bench.ts — never for a real deployment).
 *
 * When started with an IPC channel (child_process.fork), it answers messages `{id, cmd}`:
 * - `usage`: this process's CPU time (µs, user + system) and RSS, plus the WebSocket gateway's counters;
 * - `pauses`: the event loop's delay (p50/p99/max, ms, sampled every 1 ms) and the GC pauses (count, total and longest
 *   ms, by kind) since the previous `pauses` (resets them: call it before and after a measured window);
 * - `clock`: `nowMs` = performance.timeOrigin + performance.now() (clock-offset calibration);
 * - `drive`: runs {@link driveVenue} of bench/ws-fanout.bench.ts in this process (in-process venue orders);
 * - `close`: closes the exchange and exits 0.
 * Every reply is `{id, ok: true, ...}` or `{id, ok: false, error}`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { startExchange, type RunningExchange } from '@kalshi-platform/feature-exchange';
import { DEFAULT_MAX_SKEW_MS } from '@kalshi-platform/kalshi';

const REPO_ROOT = path.resolve(__dirname, '..');

/** The line the server prints once it listens (JSON after the `EXCHANGE ` prefix). */
export interface ExchangeServerInfo {
  restUrl: string;
  wsUrl: string;
  credentialsPath: string;
  store: 'memory' | 'pglite';
  pid: number;
  /** accepted clock skew of signed requests, ms (`--auth-max-skew-ms`, default ±5,000) */
  authMaxSkewMs: number;
}

/** A message to the server over IPC. */
export interface ServerRequest {
  id: number;
  cmd: 'usage' | 'pauses' | 'clock' | 'drive' | 'close';
  params?: unknown;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const dataDir = arg('--data-dir');
  const skewArg = arg('--auth-max-skew-ms');
  const authMaxSkewMs = skewArg === undefined ? undefined : Number(skewArg);
  if (authMaxSkewMs !== undefined && !(Number.isSafeInteger(authMaxSkewMs) && authMaxSkewMs > 0)) {
    console.log(`EXCHANGE_ERROR ${JSON.stringify({ message: `--auth-max-skew-ms must be a positive integer of ms, got ${JSON.stringify(skewArg)}` })}`);
    process.exit(1);
  }
  const ownDir = arg('--credentials') ? null : mkdtempSync(path.join(tmpdir(), 'bench-exchange-')); // removed on close
  const credentialsPath = path.resolve(arg('--credentials') ?? path.join(ownDir as string, 'credentials.json'));
  let ex: RunningExchange;
  try {
    ex = await startExchange({
      host: '127.0.0.1',
      port: 0,
      mode: 'live',
      logger: false,
      credentialsOut: credentialsPath,
      rateLimits: false,
      ...(authMaxSkewMs !== undefined ? { authMaxSkewMs } : {}),
      ...(dataDir ? { dataDir: path.resolve(dataDir) } : {}),
    });
  } catch (e) {
    console.log(`EXCHANGE_ERROR ${JSON.stringify({ message: (e as Error).message })}`);
    process.exit(1);
  }
  const info: ExchangeServerInfo = { restUrl: ex.restUrl, wsUrl: ex.wsUrl, credentialsPath, store: ex.store ? 'pglite' : 'memory', pid: process.pid, authMaxSkewMs: authMaxSkewMs ?? DEFAULT_MAX_SKEW_MS };
  console.log(`EXCHANGE ${JSON.stringify(info)}`);

  let closing = false;
  const close = async (code: number): Promise<void> => {
    if (closing) return;
    closing = true;
    try {
      await ex.close();
    } finally {
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
      process.exit(code);
    }
  };
  process.on('SIGINT', () => void close(0));
  process.on('SIGTERM', () => void close(0));
  if (!process.send) return;
  process.on('disconnect', () => void close(0)); // the parent went away
  const pauses = pauseMonitor();
  process.on('message', (m: ServerRequest) => {
    const reply = (body: Record<string, unknown>) => process.send?.({ id: m.id, ...body });
    void (async () => {
      try {
        switch (m.cmd) {
          case 'usage': {
            const cpu = process.cpuUsage();
            reply({ ok: true, cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage().rss, gateway: { ...ex.gateway.stats } });
            break;
          }
          case 'pauses':
            reply({ ok: true, ...pauses.take() });
            break;
          case 'clock':
            reply({ ok: true, nowMs: performance.timeOrigin + performance.now() });
            break;
          case 'drive': {
            // loaded on demand: the REST benchmark never needs it
            const { driveVenue } = await import('./ws-fanout.bench');
            reply({ ok: true, result: await driveVenue(ex, m.params as Parameters<typeof driveVenue>[1]) });
            break;
          }
          case 'close':
            reply({ ok: true });
            await close(0);
            break;
          default:
            reply({ ok: false, error: `unknown command ${JSON.stringify((m as { cmd: unknown }).cmd)}` });
        }
      } catch (e) {
        reply({ ok: false, error: (e as Error).stack ?? String(e) });
      }
    })();
  });
}

/** Event-loop delay and GC pauses since the last `take` (see `pauses` in the file header). */
export interface ServerPauses {
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  gc: { count: number; totalMs: number; maxMs: number; byKind: Record<string, { count: number; totalMs: number; maxMs: number }> };
}

const GC_KIND: Record<number, string> = { 1: 'scavenge', 2: 'mark-compact', 4: 'incremental', 8: 'weak-callbacks' };

function pauseMonitor(): { take(): ServerPauses } {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let gc: ServerPauses['gc'] = { count: 0, totalMs: 0, maxMs: 0, byKind: {} };
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = GC_KIND[((e as unknown as { detail?: { kind?: number } }).detail)?.kind ?? 0] ?? 'other';
      const k = (gc.byKind[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
      for (const a of [gc, k]) {
        a.count++;
        a.totalMs += e.duration;
        a.maxMs = Math.max(a.maxMs, e.duration);
      }
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  return {
    take: () => {
      const r: ServerPauses = { loopDelayP50Ms: loop.percentile(50) / 1e6, loopDelayP99Ms: loop.percentile(99) / 1e6, loopDelayMaxMs: loop.max / 1e6, gc };
      loop.reset();
      gc = { count: 0, totalMs: 0, maxMs: 0, byKind: {} };
      return r;
    },
  };
}

/** A running exchange-server child process (see the file header). */
export interface ExchangeServerProcess {
  info: ExchangeServerInfo;
  child: ChildProcess;
  /** The command line it was started with, for the report. */
  command: string;
  /** Sends a command over IPC and resolves with the reply (rejects on `ok: false` or when the child exits). */
  request<T = Record<string, unknown>>(cmd: ServerRequest['cmd'], params?: unknown, timeoutMs?: number): Promise<T>;
  /** CPU time (user + system, µs) the server process has used so far. */
  cpuMicros(): Promise<number>;
  /** Asks the server to close, and kills it (SIGKILL, this child only) if it has not exited after 10 s. */
  close(): Promise<void>;
}

/**
 * Node flags the exchange runs with (the `exchange` script of package.json): a young generation of 4 MB semi-spaces
 * instead of V8's default 16 MB keeps each scavenge short. Every order leaves long-lived state (a resting order, the
 * ledger record), so scavenges copy survivors; measured at 2k orders/s, memory store: p99 4.7-5.3 ms with 3-4 MB,
 * 5.7 ms with 8 MB, ~7 ms with the default.
 */
export const EXCHANGE_NODE_FLAGS = ['--max-semi-space-size=4'];

/**
 * Starts `node [execArgv] tools/run.cjs bench/exchange-server.ts [--data-dir DIR] [--auth-max-skew-ms MS]` as a child
 * process with an IPC channel and waits for its `EXCHANGE` line. The child always gets {@link EXCHANGE_NODE_FLAGS}; `execArgv` are extra node flags (e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/p`: the profile is written when the server exits after `close`); `logFile` gets
 * everything the server prints.
 * @throws Error with the child's output when it fails to start within `timeoutMs`.
 */
export function spawnExchangeServer(opts: { dataDir?: string; authMaxSkewMs?: number; execArgv?: string[]; logFile?: string; timeoutMs?: number } = {}): Promise<ExchangeServerProcess> {
  const args = ['bench/exchange-server.ts', ...(opts.dataDir ? ['--data-dir', opts.dataDir] : []), ...(opts.authMaxSkewMs !== undefined ? ['--auth-max-skew-ms', String(opts.authMaxSkewMs)] : [])];
  const execArgv = [...EXCHANGE_NODE_FLAGS, ...(opts.execArgv ?? [])];
  const child = fork(path.join(REPO_ROOT, 'tools/run.cjs'), args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], ...(execArgv.length ? { execArgv: [...process.execArgv, ...execArgv] } : {}) });
  const command = `node ${execArgv.length ? execArgv.join(' ') + ' ' : ''}tools/run.cjs ${args.join(' ')}`;
  let out = '';
  let err = '';
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let exited: string | null = null;
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  if (opts.logFile) {
    // everything the server prints (e.g. with execArgv --trace-gc), appended to a file
    const log = createWriteStream(opts.logFile, { flags: 'a' });
    child.stdout?.on('data', (d: Buffer) => log.write(d));
    child.stderr?.on('data', (d: Buffer) => log.write(d));
    child.once('exit', () => log.end());
  }
  child.on('message', (m: { id: number; ok: boolean; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m as never);
    else p.reject(new Error(`exchange server: ${m.error}`));
  });
  child.on('exit', (code, signal) => {
    exited = `exchange server exited (code ${code}, signal ${signal})`;
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(exited));
    }
    pending.clear();
  });
  const request = <T,>(cmd: ServerRequest['cmd'], params?: unknown, timeoutMs = 120_000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(new Error(exited));
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`exchange server: no reply to ${cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, { resolve: resolve as (v: never) => void, reject, timer });
      child.send({ id, cmd, params } satisfies ServerRequest);
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`exchange server did not start within ${opts.timeoutMs ?? 60_000} ms\n${out}${err}`));
    }, opts.timeoutMs ?? 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const ok = /^EXCHANGE (\{.*\})$/m.exec(out);
      const bad = /^EXCHANGE_ERROR (\{.*\})$/m.exec(out);
      if (bad) {
        clearTimeout(timer);
        reject(new Error(`exchange server failed to start: ${(JSON.parse(bad[1]) as { message: string }).message}`));
      } else if (ok) {
        clearTimeout(timer);
        const info = JSON.parse(ok[1]) as ExchangeServerInfo;
        resolve({
          info,
          child,
          command,
          request,
          cpuMicros: async () => (await request<{ cpuMicros: number }>('usage')).cpuMicros,
          close: async () => {
            if (exited) return;
            const gone = new Promise<void>((r) => child.once('exit', () => r()));
            request('close', undefined, 10_000).catch(() => undefined);
            const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            await gone;
            clearTimeout(killer);
          },
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exchange server exited with code ${code} before listening\n${out}${err}`));
    });
  });
}

// Direct execution only (the benchmarks import spawnExchangeServer from here): see bench/book.bench.ts for argv[1].
if (require.main === module || path.resolve(process.argv[1] ?? '') === __filename) void main();
