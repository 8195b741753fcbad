/**
 * The trading console on its own, for apps running as separate services over NATS (docker-compose, Kubernetes):
 *
 *   node tools/run.cjs apps/console/src/main.ts [--nats URL] [--port 3000] [--host 127.0.0.1] [--shards N]
 *
 * It subscribes to the bus (book.v1 BBO, levels and snapshots, opportunities, signals, orders, fills), seeds the books
 * and episodes from the running services (`ctl.v1.ticker-plant.<i>.books`, `ctl.v1.detection.episodes`), polls their
 * `ctl.v1.*.status` replies, and serves the web UI (libs/feature-console) until SIGINT/SIGTERM. `npm start -- --console`
 * serves the same console inside the all-in-one main job.
 *
 * Environment: `NATS_URL`, `CONSOLE_PORT`, `CONSOLE_HOST`, `SHARD_COUNT` (the ticker plant's); flags win.
 * Exit code 2 for a bad flag, 1 when the bus or the port cannot be used.
 */
import 'reflect-metadata';
import { Command, InvalidArgumentError } from 'commander';
import { busTransportFromConfig } from '@kalshi-platform/bus';
import { startConsoleServer } from '@kalshi-platform/feature-console';

function intIn(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new InvalidArgumentError(`must be an integer ${min}..${max}`);
    return Number(value);
  };
}

/** Parses the flags, starts the console, serves until a signal. Resolves to the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const program = new Command('console')
    .description('Serve the trading console (web UI) for the platform apps on a NATS bus.')
    .option('--nats <url>', 'the bus (env NATS_URL)', env.NATS_URL || 'nats://127.0.0.1:4222')
    .option('--port <n>', 'HTTP port, 0 = any free port (env CONSOLE_PORT)', intIn(0, 65_535), env.CONSOLE_PORT ? Number(env.CONSOLE_PORT) : 3000)
    .option('--host <host>', 'interface to bind (env CONSOLE_HOST)', env.CONSOLE_HOST || '127.0.0.1')
    .option('--shards <n>', 'ticker-plant shards to ask for status and books (env SHARD_COUNT)', intIn(1, 1024), env.SHARD_COUNT ? Number(env.SHARD_COUNT) : 1)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let o: { nats: string; port: number; host: string; shards: number };
  try {
    program.parse(argv, { from: 'user' });
    o = program.opts();
    if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65_535) throw new InvalidArgumentError(`CONSOLE_PORT must be an integer 0..65535, got ${env.CONSOLE_PORT}`);
    if (!Number.isInteger(o.shards) || o.shards < 1) throw new InvalidArgumentError(`SHARD_COUNT must be a positive integer, got ${env.SHARD_COUNT}`);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return 0;
    if (e instanceof InvalidArgumentError && !code) console.error(`console: ${e.message}`);
    return 2;
  }
  let transport;
  try {
    transport = busTransportFromConfig(o.nats, undefined, 'console');
  } catch (e) {
    console.error(`console: ${(e as Error).message}`);
    return 2;
  }
  const server = await startConsoleServer({ port: o.port, host: o.host });
  try {
    await server.attach(transport, { shards: o.shards });
    server.setRun({ phase: `watching ${o.nats}` });
    console.log(`console: ${server.url} (bus ${o.nats}; Ctrl-C to stop)`);
    await new Promise<void>((done) => {
      process.once('SIGINT', () => done());
      process.once('SIGTERM', () => done());
    });
    return 0;
  } finally {
    await server.close();
  }
}

if (require.main === module || process.argv[1] === __filename) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      console.error(`console: ${e.message}`);
      process.exit(1);
    },
  );
}
