/**
 * `npm start -- [--capture FILE.jsonl] [--events FILE.json] [--report OUT.json] [--speed max|realtime]
 *                [--drop-frames N] [--seed S] [--nats URL] [--tick-store embedded|questdb|off] [--tick-store-path FILE]
 *                [--questdb-addr HOST:PORT] [--odds ODDS.json [--odds-seconds N]] [--console [--port 3000]]`
 *
 * With `--console`, the trading console (libs/feature-console) serves a web UI on `--port` (default 3000; interface
 * `CONSOLE_HOST`, default 127.0.0.1) during the run, fed by the bus, and the process keeps serving after the report is
 * written until Ctrl-C (SIGINT/SIGTERM), the replay's services still up (execution in paper mode for the kill switch).
 *
 * With `--odds`, after the replay the sportsbook half runs (./sportsbook.ts): live game markets for the odds file's
 * events, sportsbook_edge signals, paper execution; the report gains `orders`, `fills`, `positions`, `pnl`, `execution`.
 *
 * Ticks (deltas, BBO, opportunities, the market list) go to the tick store: by default the embedded DuckDB file
 * `data/ticks.duckdb` (`TICK_STORE`, `TICK_STORE_PATH`, `QUESTDB_ADDR` in the environment or `.env`; flags win).
 * The latest BBO per market goes to Redis when `REDIS_URL` is set, else to an in-memory cache.
 *
 * Replays a Kalshi WebSocket capture through exchange -> ingestion -> ticker plant -> detection, shows
 * progress, prints a summary and writes the report (see report.ts). Exit code 0 on success; a one-line
 * error and exit code 2 on bad arguments or unreadable files, 1 on a pipeline failure.
 */
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { config as loadDotEnv } from 'dotenv';
import { CaptureError } from '@kalshi-platform/feature-exchange';
import { TickStoreConfigError, tickStoreConfig, TICK_STORE_CHOICES, DEFAULT_TICK_STORE_PATH } from '@kalshi-platform/storage';
import { createAppLogger, LoggingConfigError, startTracing, TracingConfigError, type TracingHandle } from '@kalshi-platform/telemetry';
import { startConsoleServer, type RunningConsole } from '@kalshi-platform/feature-console';
import { runPlatform } from './platform';
import type { Report } from './report';

const REPO_ROOT = resolve(__dirname, '../../..');
export const DEFAULT_CAPTURE = resolve(REPO_ROOT, 'data/samples/kalshi-demo-ws-capture-2026-07-01/ws_session_orderbook_delta_fill.jsonl');

function nonNegInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a non-negative integer');
  return Number(value);
}
function port(value: string): number {
  const n = nonNegInt(value);
  if (n > 65_535) throw new InvalidArgumentError('must be a port number 0..65535');
  return n;
}
/**
 * Resolves on the first SIGINT or SIGTERM (the console keeps serving until then); the run then shuts down, and a second
 * signal exits at once (code 130).
 */
function untilSignal(): Promise<string> {
  return new Promise((done) => {
    const on = (sig: string) => () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.stderr.write(`${sig}: stopping the console and the services (again to exit at once)\n`);
      const force = () => process.exit(130);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      done(sig);
    };
    const onInt = on('SIGINT');
    const onTerm = on('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}
function positiveInt(value: string): number {
  const n = nonNegInt(value);
  if (n === 0) throw new InvalidArgumentError('must be at least 1');
  return n;
}

/** Input error: one line, exit code 2. */
class UsageError extends Error {}

function readable(flag: string, path: string): string {
  try {
    accessSync(path, constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code ?? 'unreadable'}`);
  }
  return path;
}

function summary(r: Report, reportPath: string): string {
  const s = r.stats;
  const lines = [
    `frames ${s.frames} (snapshots ${s.snapshots}, deltas ${s.deltas}, malformed ${s.malformed}); gaps ${s.gaps_detected}, resyncs ${s.resyncs}, reconnects ${s.reconnects}; ${s.elapsed_ms} ms`,
    'market                                   YES bid         YES ask',
  ];
  for (const [t, b] of Object.entries(r.bbo)) {
    const bid = b.yes_bid_dollars ? `${b.yes_bid_dollars} x ${b.yes_bid_size_fp}` : '-';
    const ask = b.yes_ask_dollars ? `${b.yes_ask_dollars} x ${b.yes_ask_size_fp}` : '-';
    lines.push(`${t.padEnd(40)} ${bid.padEnd(15)} ${ask}`);
  }
  const open = r.opportunities.filter((o) => o.closed_ts_ms === null).length;
  lines.push(`opportunities: ${r.opportunities.length} episode(s), ${open} still open at the end`);
  for (const o of r.opportunities.slice(0, 10)) {
    lines.push(`  ${o.kind.padEnd(10)} ${o.event_ticker.padEnd(28)} gross ${o.max_gross_edge_dollars} net ${o.max_net_edge_dollars} legs ${o.legs.map((l) => `${l.side}@${l.price_dollars} ${l.market_ticker}`).join(', ')}`);
  }
  if (r.orders && r.fills && r.positions && r.pnl && r.execution) {
    const byStatus = new Map<string, number>();
    for (const x of r.orders) byStatus.set(x.status, (byStatus.get(x.status) ?? 0) + 1);
    const rej = Object.entries(r.execution.risk_rejections).map(([k, n]) => `${k}=${n}`).join(' ');
    lines.push(`execution (${r.execution.mode} mode): ${r.execution.signals_received} signal(s), ${r.orders.length} order(s) [${[...byStatus].map(([k, n]) => `${k} ${n}`).join(', ')}], ${r.fills.length} fill(s)${rej ? `; risk rejections ${rej}` : ''}`);
    for (const p of r.positions) lines.push(`  ${p.market_ticker.padEnd(40)} position ${p.position_fp.padStart(8)} (exchange ${p.exchange_position_fp}) cost ${p.cost_basis_dollars} unrealized ${p.unrealized_pnl_dollars ?? '-'} fees ${p.fees_dollars}`);
    lines.push(`  PnL: realized ${r.pnl.realized_dollars} (fees ${r.pnl.fees_dollars} included), unrealized ${r.pnl.unrealized_dollars} (at the bid), total ${r.pnl.total_dollars}; at the consensus fair value ${r.pnl.expected_at_fair_dollars}`);
    const rc = r.execution.reconcile;
    if (rc) lines.push(`  reconciled with the exchange: ${rc.ordersChecked} order(s) checked, ${rc.positionMismatches.length} position mismatch(es)`);
  }
  if (r.storage) {
    const st = r.storage;
    const tables = Object.entries(st.tables).filter(([, n]) => n > 0).map(([t, n]) => `${t}=${n}`).join(' ');
    lines.push(`tick store (${st.backend}, ${st.location}): ${st.rows_written} row(s) written this run, refused ${st.rows_refused}, dropped ${st.dropped}, rejected ${st.rejected}${tables ? `; in the store: ${tables}` : ''}`);
  }
  if (s.invalid_books.length) lines.push(`WARNING: ${s.invalid_books.length} book(s) invalid at the end: ${s.invalid_books.join(', ')}`);
  lines.push(`report written to ${reportPath}`);
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('npm start --')
    .description('Replay a Kalshi WebSocket capture through exchange -> ingestion -> ticker plant -> detection and write a report.')
    .option('--capture <file>', 'Kalshi WebSocket capture (JSONL or JSON array)', DEFAULT_CAPTURE)
    .option('--events <file>', 'Kalshi GET /events?with_nested_markets=true body; events with mutually_exclusive form baskets')
    .option('--report <file>', 'where to write the report (JSON)', 'reports/report.json')
    .addOption(new Option('--speed <speed>', 'replay pacing').choices(['max', 'realtime']).default('max'))
    .option('--realtime-factor <n>', 'with --speed realtime, replay this many times faster', positiveInt, 1)
    .option('--drop-frames <n>', 'fault: drop N delta frames on the wire (seq gaps)', nonNegInt, 0)
    .option('--seed <s>', 'seed of the fault injection', nonNegInt, 1)
    .option('--disconnect-after-frames <n>', 'fault: the exchange closes the connection once after N frames', positiveInt)
    .option('--nats <url>', 'run the apps over this NATS server instead of in-process')
    .option('--shards <n>', 'ticker-plant shards', positiveInt, 1)
    .addOption(new Option('--tick-store <backend>', `where ticks are stored (env TICK_STORE; default embedded)`).choices([...TICK_STORE_CHOICES]))
    .option('--tick-store-path <file>', `embedded DuckDB file (env TICK_STORE_PATH, default ${DEFAULT_TICK_STORE_PATH})`)
    .option('--questdb-addr <host:port>', 'QuestDB HTTP endpoint for --tick-store questdb (env QUESTDB_ADDR, default localhost:9000)')
    .option('--odds <file>', 'a saved The Odds API v4 odds response: after the replay, paper-trade sportsbook edges against live game markets for its events')
    .option('--odds-seconds <n>', 'with --odds: seconds of live market to trade', positiveInt, 3)
    .option('--console', 'serve the trading console (web UI) during the run, and keep serving after it until Ctrl-C')
    .option('--port <n>', 'with --console: HTTP port of the console (0 = any free port; interface: env CONSOLE_HOST, default 127.0.0.1)', port)
    .option('--quiet', 'no progress bar')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let o: Record<string, unknown>;
  try {
    program.parse(argv, { from: 'user' });
    o = program.opts();
  } catch (e) {
    const code = (e as { exitCode?: number; code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return 0;
    return 2;
  }
  let consoleServer: RunningConsole | null = null;
  let tracing: TracingHandle | undefined;
  try {
    if (o.port !== undefined && !o.console) throw new UsageError('--port needs --console');
    loadDotEnv();
    // one tracing SDK for every app of this process (export off unless OTEL_* says otherwise; flushed in `finally`);
    // the apps' NestJS logs as pino lines on stderr (LOG_FORMAT, LOG_LEVEL): stdout carries only the summary
    tracing = startTracing({ serviceName: 'platform' });
    createAppLogger({ service: 'platform', destination: 'stderr' });
    const tickStore = tickStoreConfig({ tickStore: o.tickStore as string | undefined, tickStorePath: o.tickStorePath as string | undefined, questdbAddr: o.questdbAddr as string | undefined }, process.env, 'embedded');
    const capturePath = readable('--capture', resolve(o.capture as string));
    const eventsPath = o.events ? readable('--events', resolve(o.events as string)) : null;
    const oddsPath = o.odds ? readable('--odds', resolve(o.odds as string)) : undefined;
    const reportPath = resolve(o.report as string);
    const showBar = !o.quiet && process.stderr.isTTY;
    const bar = showBar ? new SingleBar({ format: 'replay [{bar}] {percentage}% | {value}/{total} frames | received {received}', stream: process.stderr, hideCursor: true }) : null;
    let started = false;
    let lastLogged = 0;
    const finish = (report: Report) => {
      bar?.stop();
      mkdirSync(dirname(reportPath), { recursive: true });
      writeFileSync(reportPath, JSON.stringify(report, null, 2) + '\n');
      console.log(summary(report, reportPath));
    };
    if (o.console) {
      consoleServer = await startConsoleServer({ port: (o.port as number | undefined) ?? 3000, host: process.env.CONSOLE_HOST || undefined });
      console.log(`console: ${consoleServer.url}`);
    }
    const c = consoleServer;
    const report = await runPlatform({
      capturePath,
      eventsPath,
      speed: o.speed as 'max' | 'realtime',
      realtimeFactor: o.realtimeFactor as number,
      dropFrames: o.dropFrames as number,
      seed: o.seed as number,
      natsUrl: o.nats as string | undefined,
      shards: o.shards as number,
      disconnectAfterFrames: o.disconnectAfterFrames as number | undefined,
      oddsPath,
      oddsDurationMs: (o.oddsSeconds as number) * 1000,
      tickStore: tickStore.backend === 'off' ? undefined : tickStore,
      hotCache: { redisUrl: process.env.REDIS_URL || undefined },
      console: c ?? undefined,
      hold: c
        ? async (r) => {
            finish(r);
            console.log(`console: ${c.url} (still serving; Ctrl-C to stop)`);
            await untilSignal();
          }
        : undefined,
      onProgress: (p) => {
        if (bar) {
          if (!started) bar.start(p.total, 0, { received: 0 });
          started = true;
          bar.update(p.replayed, { received: p.framesReceived });
        } else if (!o.quiet && (Date.now() - lastLogged > 2000 || p.replayed === p.total) && p.replayed !== lastLogged) {
          lastLogged = Date.now();
          process.stderr.write(`replay: ${p.replayed}/${p.total} frames, received ${p.framesReceived}\n`);
        }
      },
    });
    if (!c) finish(report);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof CaptureError || e instanceof RangeError || e instanceof TickStoreConfigError || e instanceof TracingConfigError || e instanceof LoggingConfigError) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    console.error(`error: ${(e as Error).message}`);
    return 1;
  } finally {
    await consoleServer?.close().catch(() => undefined);
    await tracing?.shutdown().catch(() => undefined);
  }
}

if (require.main === module || process.argv[1] === __filename) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      console.error(`error: ${e.message}`);
      process.exit(1);
    },
  );
}
