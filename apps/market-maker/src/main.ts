/**
 * `npm run market-maker -- --exchange URL --credentials FILE [--tickers T1,T2|all] [--interval-ms 1000]
 *   [--price-min 0.05] [--price-max 0.95] [--spread 0.04] [--quantity 10] [--seed 1] [--max-quotes N]
 *   [--max-step 2] [--post-only]`
 *
 * A two-sided market maker for Kalshi (or the mock exchange): quotes a YES bid (buy YES) and a YES ask (buy NO at
 * $1 − ask) around a seeded random walk on each market's price grid, moving its quotes every interval through the
 * platform's signed REST client, logging one line per cycle. SIGINT/SIGTERM stop it cleanly: it cancels its resting
 * orders and exits 0 (a second signal exits 1 at once). Exit 2 for a bad option or an unreadable credentials file,
 * 1 when the exchange fails. See market-maker.ts for the cycle.
 *
 * Environment:
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `HEALTH_PORT` | serve `GET /healthz` and `GET /readyz` (libs/feature-health) on this port (0 = any free port; prints `health: http://127.0.0.1:<port>`); ready = `exchange`: `GET <exchange>/exchange/status` answers 2xx | unset: no HTTP server |
 * | `OTEL_TRACES_EXPORTER`, `OTEL_EXPORTER_OTLP_ENDPOINT` | tracing export (libs/telemetry) | off |
 * | `LOG_FORMAT`, `LOG_LEVEL` | NestJS-style logs as pino lines on stderr (the cycle lines on stdout stay plain) | json (pretty on a TTY), info |
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { HealthConfigError, healthPortFromEnv, httpCheck, startHealthServer } from '@kalshi-platform/feature-health';
import { KalshiRestClient, loadPrivateKey } from '@kalshi-platform/kalshi';
import { FixedPointError, ONE_DOLLAR, parsePriceDollars, parseSizeFp } from '@kalshi-platform/market';
import { createAppLogger, LoggingConfigError, startTracing, TracingConfigError, type TracingHandle } from '@kalshi-platform/telemetry';
import { MarketMaker } from './market-maker';

/** A usage error: exit code 2. */
class UsageError extends Error {}

function dollars(what: string, min: number, max: number) {
  return (value: string): number => {
    let t: number;
    try {
      t = parsePriceDollars(value);
    } catch (e) {
      throw new InvalidArgumentError(e instanceof FixedPointError ? e.message : String(e));
    }
    if (t < min || t > max) throw new InvalidArgumentError(`${what} must be within ${min / ONE_DOLLAR}..${max / ONE_DOLLAR} dollars`);
    return t;
  };
}

function intArg(min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) throw new InvalidArgumentError(`must be an integer >= ${min}`);
    return Number(value);
  };
}

function quantity(value: string): number {
  let c: number;
  try {
    c = parseSizeFp(value);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof FixedPointError ? e.message : String(e));
  }
  if (c <= 0) throw new InvalidArgumentError('must be a positive number of contracts (up to 2 decimals)');
  return c;
}

/** `http://host:port` or `…/trade-api/v2` -> the REST base `…/trade-api/v2`. */
function restBase(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--exchange: not a URL: ${url}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--exchange: expected an http(s) URL, got ${url}`);
  const path = u.pathname.replace(/\/+$/, '');
  u.pathname = path.endsWith('/trade-api/v2') ? path : `${path}/trade-api/v2`;
  return u.toString().replace(/\/$/, '');
}

/** Reads a `{key_id, private_key_pem}` file (what the mock exchange writes to --credentials-out). */
function readCredentials(path: string): { keyId: string; privateKeyPem: string } {
  let j: { key_id?: unknown; private_key_pem?: unknown };
  try {
    j = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--credentials ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof j?.key_id !== 'string' || typeof j?.private_key_pem !== 'string') throw new UsageError(`--credentials ${path}: needs string fields key_id and private_key_pem`);
  return { keyId: j.key_id, privateKeyPem: j.private_key_pem };
}

let tracing: TracingHandle | undefined;

async function main(argv: string[]): Promise<number> {
  try {
    tracing = startTracing({ serviceName: 'market-maker' });
    createAppLogger({ service: 'market-maker', destination: 'stderr' });
  } catch (e) {
    if (e instanceof TracingConfigError || e instanceof LoggingConfigError) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const program = new Command('npm run market-maker --')
    .description('Two-sided Kalshi market maker around a seeded random walk (YES bid = buy YES, YES ask = buy NO at 1 - ask)')
    .requiredOption('--exchange <url>', 'exchange REST base (http://127.0.0.1:8080 or …/trade-api/v2)')
    .requiredOption('--credentials <file>', '{"key_id", "private_key_pem"} file (the mock writes it with --credentials-out)')
    .option('--tickers <list>', 'comma-separated markets, or "all" (every open market); default: the first 2 open markets')
    .option('--interval-ms <ms>', 'cycle period', intArg(0), 1000)
    .addOption(new Option('--price-min <dollars>', 'lowest price of the walk and the quotes').argParser(dollars('--price-min', 1, ONE_DOLLAR - 1)).default(500, '0.05'))
    .addOption(new Option('--price-max <dollars>', 'highest price of the walk and the quotes').argParser(dollars('--price-max', 1, ONE_DOLLAR - 1)).default(9500, '0.95'))
    .addOption(new Option('--spread <dollars>', 'quoted width ask - bid').argParser(dollars('--spread', 1, ONE_DOLLAR - 1)).default(400, '0.04'))
    .addOption(new Option('--quantity <contracts>', 'size of each quote (fixed point, up to 2 decimals)').argParser(quantity).default(1000, '10'))
    .option('--seed <n>', 'random-walk seed (market i uses seed + i)', intArg(0), 1)
    .option('--max-quotes <n>', 'stop after N quoting cycles (then cancel and exit)', intArg(1))
    .option('--max-step <n>', 'largest walk move per cycle, in grid steps', intArg(1), 2)
    .option('--post-only', 'post quotes as post_only (a crossing quote is refused and retried next cycle)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let o;
  try {
    o = program.parse(argv, { from: 'user' }).opts();
  } catch (e) {
    const code = (e as { exitCode?: number; code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return 0;
    return 2;
  }
  let client: KalshiRestClient;
  let tickers: string[] | 'all' | undefined;
  let healthPort: number | undefined;
  let base: string;
  try {
    try {
      healthPort = healthPortFromEnv();
    } catch (e) {
      throw e instanceof HealthConfigError ? new UsageError(e.message) : e;
    }
    if (o.priceMin >= o.priceMax) throw new UsageError('--price-min must be below --price-max');
    const creds = readCredentials(o.credentials);
    let privateKey;
    try {
      privateKey = loadPrivateKey(creds.privateKeyPem);
    } catch (e) {
      throw new UsageError(`--credentials ${o.credentials}: ${(e as Error).message}`);
    }
    base = restBase(o.exchange);
    client = new KalshiRestClient({ baseUrl: base, credentials: { keyId: creds.keyId, privateKey } });
    if (o.tickers !== undefined) {
      const list = String(o.tickers).split(',').map((t) => t.trim()).filter(Boolean);
      if (list.length === 0) throw new UsageError('--tickers: empty list');
      tickers = list.length === 1 && list[0] === 'all' ? 'all' : list;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (healthPort !== undefined) {
    const health = await startHealthServer({ port: healthPort, ready: [httpCheck('exchange', `${base}/exchange/status`)] });
    console.log(`health: http://127.0.0.1:${health.port}`);
  }
  const mm = new MarketMaker({
    client,
    tickers,
    intervalMs: o.intervalMs,
    priceMinTicks: o.priceMin,
    priceMaxTicks: o.priceMax,
    spreadTicks: o.spread,
    quantityCentis: o.quantity,
    seed: o.seed,
    maxCycles: o.maxQuotes,
    maxStepGridTicks: o.maxStep,
    postOnly: !!o.postOnly,
    clientOrderIdPrefix: `mm${o.seed}-${randomBytes(4).toString('hex')}`,
    log: (line) => console.log(line),
  });
  let signals = 0;
  const onSignal = (sig: string) => {
    signals++;
    if (signals > 1) process.exit(1);
    console.log(`${sig}: stopping (canceling resting quotes)…`);
    mm.stop();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  try {
    await mm.start();
  } catch (e) {
    if (e instanceof RangeError || /^unknown market|is not open|lists no open market/.test((e as Error).message)) {
      console.error(`error: ${(e as Error).message}`);
      return 2;
    }
    throw e;
  }
  await mm.run();
  return 0;
}

main(process.argv.slice(2)).then(
  async (code) => {
    await tracing?.shutdown().catch(() => undefined);
    process.exit(code);
  },
  (e: Error) => {
    console.error(`market-maker: ${e.stack ?? e.message}`);
    process.exit(1);
  },
);
