/**
 * `npm run exchange -- [--port 8080] [--fix-port 9878] [--mode live|replay] [--capture FILE] [--data-dir DIR]
 *   [--credentials-out FILE] [--accept-env-key] [--faults SPEC] [--host 127.0.0.1] [--events FILE] [--speed max|realtime]
 *   [--rate-limit-tier basic|advanced|premier|paragon|prime|off] [--allow-unauthenticated]
 *   [--games-from-odds FILE]`
 *
 * Starts the mock Kalshi exchange (docs/exchange.md). Ready when `GET /trade-api/v2/exchange/status` answers 200;
 * prints its REST, WebSocket and FIX addresses. On first start (live mode) it seeds the markets, creates the `demo`
 * account with a funded balance and an API key, and writes `{"key_id", "private_key_pem"}` to --credentials-out
 * (default `<data-dir>/credentials.json`, mode 0600). Live mode keeps its state in PostgreSQL when `DATABASE_URL` is
 * set, else in an embedded PGlite database under the data dir; a restart keeps every order, balance and position.
 *
 * Tracing and logs (libs/telemetry): OpenTelemetry tracing, export off unless `OTEL_TRACES_EXPORTER` /
 * `OTEL_EXPORTER_OTLP_ENDPOINT` say otherwise; the NestJS logs (errors and warnings) as pino JSON lines on stdout
 * (`LOG_FORMAT`, `LOG_LEVEL`); the address lines above stay plain.
 */
import { resolve } from 'node:path';
import { createPublicKey } from 'node:crypto';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CaptureError, defaultCredentialsPath, FaultSpecError, formatFaultSpec, parseFaultSpec, RATE_LIMIT_TIERS, startExchange } from '@kalshi-platform/feature-exchange';
import { KalshiCredentialsError, kalshiCredentialsFromEnv } from '@kalshi-platform/kalshi';
import { createAppLogger, LoggingConfigError, startTracing, TracingConfigError } from '@kalshi-platform/telemetry';

const REPO_ROOT = resolve(__dirname, '../../..');
const DEFAULT_CAPTURE = resolve(REPO_ROOT, 'data/samples/kalshi-demo-ws-capture-2026-07-01/ws_session_orderbook_delta_fill.jsonl');

function nonNegInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a non-negative integer');
  return Number(value);
}


function faults(value: string) {
  try {
    return parseFaultSpec(value);
  } catch (e) {
    if (e instanceof FaultSpecError) throw new InvalidArgumentError(e.message);
    throw e;
  }
}

async function main(argv: string[]): Promise<void> {
  const tracing = startTracing({ serviceName: 'exchange' });
  createAppLogger({ service: 'exchange' });
  const o = new Command('npm run exchange --')
    .description('Mock Kalshi exchange: REST v2, WebSocket v2 and FIX; a live matching venue or a capture replay')
    .option('--port <port>', 'REST + WebSocket TCP port (0 = any free port)', nonNegInt, 8080)
    .option('--fix-port <port>', 'FIX acceptor TCP port (0 = any free port)', nonNegInt, 9878)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .addOption(new Option('--mode <mode>', 'live: matching venue seeded from real fixtures; replay: play a recorded capture').choices(['live', 'replay']).default('live'))
    .option('--capture <file>', 'replay mode: Kalshi WebSocket capture to replay', DEFAULT_CAPTURE)
    .option('--events <file>', 'replay mode: Kalshi GET /events?with_nested_markets=true body describing the capture markets')
    .addOption(new Option('--speed <speed>', 'replay pacing').choices(['max', 'realtime']).default('max'))
    .option('--data-dir <dir>', 'where the exchange keeps its files (embedded database, credentials)', 'tmp/exchange')
    .option('--credentials-out <file>', 'write the demo API key here (default <data-dir>/credentials.json)')
    .option('--faults <spec>', 'fault injection, e.g. "drop=50,disconnect=500,storm=10000/2000,latency=20,stale=40,legacy,seed=7" (docs/exchange.md)', faults)
    .addOption(new Option('--rate-limit-tier <tier>', "Kalshi rate-limit tier of every API key (token buckets, 10 tokens a request), or off").choices([...Object.keys(RATE_LIMIT_TIERS), 'off']).default('basic'))
    .option('--allow-unauthenticated', 'accept WebSocket connections without a signature')
    .option('--accept-env-key', "also accept the API key of the environment (KALSHI_CREDENTIALS_FILE, or KALSHI_API_KEY_ID + KALSHI_PRIVATE_KEY_PATH|PEM) for the demo account: its public key is derived from the private key, so the platform's apps and the mock can share one Secret")
    .option('--games-from-odds <file>', 'live mode: list Kalshi NBA/NHL game events for the games of this The Odds API v4 odds response, quoted by the house around the consensus')
    // the foundation's fault flags, kept for existing scripts (the same as --faults drop=/disconnect=/legacy/seed=)
    .option('--drop-frames <n>', 'fault: drop N delta frames on the wire (same as --faults drop=N)', nonNegInt)
    .option('--seed <s>', 'seed of the fault injection (same as --faults seed=S)', nonNegInt)
    .option('--disconnect-after-frames <n>', 'fault: close a connection after N frames (same as --faults disconnect=N)', nonNegInt)
    .addOption(new Option('--dialect <dialect>', 'WebSocket number format (legacy_cents = --faults legacy)').choices(['fixed_point', 'legacy_cents']))
    .parse(argv, { from: 'user' })
    .opts();
  const dataDir = resolve(o.dataDir);
  const credentialsOut = resolve(o.credentialsOut ?? defaultCredentialsPath(dataDir));
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const faultSpec = { seed: 1, ...o.faults };
  if (o.dropFrames) faultSpec.drop = o.dropFrames;
  if (o.seed !== undefined) faultSpec.seed = o.seed;
  if (o.disconnectAfterFrames) faultSpec.disconnect = o.disconnectAfterFrames;
  if (o.dialect === 'legacy_cents') faultSpec.legacy = true;
  let publicKeys: Array<{ keyId: string; publicKeyPem: string }> | undefined;
  if (o.acceptEnvKey) {
    const c = kalshiCredentialsFromEnv(process.env);
    if (!c) throw new KalshiCredentialsError('--accept-env-key: no key in the environment (KALSHI_CREDENTIALS_FILE, or KALSHI_API_KEY_ID + KALSHI_PRIVATE_KEY_PATH|PEM)');
    publicKeys = [{ keyId: c.keyId, publicKeyPem: createPublicKey(c.privateKeyPem).export({ type: 'spki', format: 'pem' }).toString() }];
  }
  const ex = await startExchange({
    publicKeys,
    host: o.host,
    port: o.port,
    fixPort: o.fixPort,
    mode: o.mode,
    capturePath: resolve(o.capture),
    eventsPath: o.events ? resolve(o.events) : undefined,
    speed: o.speed,
    gamesFromOdds: o.gamesFromOdds ? resolve(o.gamesFromOdds) : undefined,
    dataDir,
    databaseUrl,
    credentialsOut,
    faults: faultSpec,
    rateLimits: o.rateLimitTier === 'off' ? false : RATE_LIMIT_TIERS[o.rateLimitTier as keyof typeof RATE_LIMIT_TIERS],
    allowUnauthenticated: !!o.allowUnauthenticated,
    logger: ['error', 'warn'],
    log: (m) => console.log(m),
  });
  if (ex.mode === 'live') {
    const store = ex.store ? `${ex.store.kind}${ex.store.kind === 'pglite' ? ` in ${dataDir}` : ''}` : 'memory';
    console.log(`mock exchange (live venue: ${ex.venue.engine.marketTickers().length} markets, ${ex.venue.commandCount} journaled commands, store ${store})`);
  } else {
    console.log(`mock exchange (replay of ${ex.replay!.capture.frames.length} frames, ${ex.reference.markets.size} markets)`);
  }
  console.log(`REST ${ex.restUrl}`);
  console.log(`WS   ${ex.wsUrl}`);
  if (ex.fixPort !== undefined) console.log(`FIX  tcp://${o.host}:${ex.fixPort} (FIXT.1.1 / FIX50SP2, TargetCompID KalshiNR)`);
  console.log(`credentials (key id ${ex.generatedKeyId}) in ${credentialsOut}`);
  if (publicKeys) console.log(`also accepting the environment's key ${publicKeys[0].keyId} for the demo account`);
  console.log(`faults: ${formatFaultSpec(ex.faults.current)}`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void ex
      .close()
      .then(() => tracing.shutdown())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((e: Error) => {
  const expected = e instanceof CaptureError || e instanceof RangeError || e instanceof KalshiCredentialsError || e instanceof TracingConfigError || e instanceof LoggingConfigError || /seed file|cannot read|journal/.test(e.message);
  console.error(`exchange: ${expected ? e.message : (e.stack ?? e.message)}`);
  process.exit(expected ? 2 : 1);
});
