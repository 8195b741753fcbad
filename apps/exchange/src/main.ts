/**
 * `npm run exchange -- [--port 8080] [--host 127.0.0.1] [--mode replay] [--capture FILE] [--events FILE]
 *   [--speed max|realtime] [--data-dir DIR] [--credentials-out FILE] [--drop-frames N] [--seed S]
 *   [--disconnect-after-frames N] [--dialect fixed_point|legacy_cents] [--allow-unauthenticated]`
 *
 * Starts the mock Kalshi exchange. This first cut has the `replay` mode only (the live venue with
 * matching is issue #3). Ready when `GET /trade-api/v2/exchange/status` answers 200; prints its REST and
 * WebSocket addresses. On start it generates an API key pair, accepts the public key, and writes
 * `{"key_id", "private_key_pem"}` to --credentials-out (default `<data-dir>/credentials.json`, mode 0600).
 */
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CaptureError, startExchange } from '@kalshi-platform/feature-exchange';

const REPO_ROOT = resolve(__dirname, '../../..');
const DEFAULT_CAPTURE = resolve(REPO_ROOT, 'data/samples/kalshi-demo-ws-capture-2026-07-01/ws_session_orderbook_delta_fill.jsonl');

function nonNegInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a non-negative integer');
  return Number(value);
}

async function main(argv: string[]): Promise<void> {
  const o = new Command('npm run exchange --')
    .description('Mock Kalshi exchange: REST v2 + WebSocket v2 replaying a recorded capture')
    .option('--port <port>', 'TCP port (0 = any free port)', nonNegInt, 8080)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .addOption(new Option('--mode <mode>', 'venue mode (live arrives with the matching engine)').choices(['replay']).default('replay'))
    .option('--capture <file>', 'Kalshi WebSocket capture to replay', DEFAULT_CAPTURE)
    .option('--events <file>', 'Kalshi GET /events?with_nested_markets=true body served by GET /events')
    .addOption(new Option('--speed <speed>', 'replay pacing').choices(['max', 'realtime']).default('max'))
    .option('--data-dir <dir>', 'where the exchange keeps its files', 'tmp/exchange')
    .option('--credentials-out <file>', 'write the generated API key here (default <data-dir>/credentials.json)')
    .option('--drop-frames <n>', 'fault: drop N delta frames on the wire (seq gaps)', nonNegInt, 0)
    .option('--seed <s>', 'seed of the fault injection', nonNegInt, 1)
    .option('--disconnect-after-frames <n>', 'fault: close each connection once after N frames', nonNegInt)
    .addOption(new Option('--dialect <dialect>', 'WebSocket number format').choices(['fixed_point', 'legacy_cents']).default('fixed_point'))
    .option('--allow-unauthenticated', 'accept WebSocket connections without a signature')
    .parse(argv, { from: 'user' })
    .opts();
  const credentialsOut = resolve(o.credentialsOut ?? join(o.dataDir, 'credentials.json'));
  const ex = await startExchange({
    host: o.host,
    port: o.port,
    capturePath: resolve(o.capture),
    eventsPath: o.events ? resolve(o.events) : undefined,
    speed: o.speed,
    dropFrames: o.dropFrames,
    seed: o.seed,
    dialect: o.dialect,
    credentialsOut,
    allowUnauthenticated: !!o.allowUnauthenticated,
    disconnectAfterFrames: o.disconnectAfterFrames,
    logger: ['error', 'warn', 'log'],
    log: (m) => console.log(m),
  });
  console.log(`mock exchange (replay of ${ex.replay!.capture.frames.length} frames, ${ex.reference.markets.size} markets)`);
  console.log(`REST ${ex.restUrl}`);
  console.log(`WS   ${ex.wsUrl}`);
  console.log(`credentials (key id ${ex.generatedKeyId}) written to ${credentialsOut}`);
  const stop = () => {
    void ex.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(`exchange: ${e instanceof CaptureError || e instanceof RangeError ? e.message : e.stack ?? e.message}`);
  process.exit(e instanceof CaptureError || e instanceof RangeError ? 2 : 1);
});
