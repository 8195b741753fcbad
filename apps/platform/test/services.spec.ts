/**
 * The apps as separate processes, each a NestJS microservice over real NATS on loopback, started with
 * their own one-line commands (`node tools/run.cjs apps/<app>/src/main.ts`, what `npm run <app>` runs):
 * mock exchange (replay with dropped frames) -> ingestion -> 2 ticker-plant shards -> detection.
 * The test collects the report over NATS, as an operator's tool would, and checks the books against the oracle.
 * Ingestion and the shards store into their own embedded tick files; SIGTERM must leave every row in them.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { busRequest, createBusClient, subjects } from '@kalshi-platform/bus';
import { generateKalshiKeyPair, KalshiRestClient } from '@kalshi-platform/kalshi';
import { formatPriceDollars } from '@kalshi-platform/market';
import { DuckDbTickStore } from '@kalshi-platform/storage';
import { collectReport, waitForQuiescence } from '../src/report';
import { CAPTURE, expectBooksMatchOracle } from './oracle';

const ROOT = resolve(__dirname, '../../..');
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

interface Proc {
  name: string;
  child: ChildProcess;
  out: string[];
}

function start(name: string, entry: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [join(ROOT, 'tools/run.cjs'), entry, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  child.stdout!.on('data', (d) => out.push(String(d)));
  child.stderr!.on('data', (d) => out.push(String(d)));
  return { name, child, out };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, procs: Proc[] = []): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {
      /* not yet */
    }
    const dead = procs.find((p) => p.child.exitCode !== null);
    if (dead) throw new Error(`${dead.name} exited (${dead.child.exitCode}) while waiting for ${what}:\n${dead.out.join('')}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${procs.map((p) => `--- ${p.name}\n${p.out.join('')}`).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('apps as separate NestJS microservices over NATS', () => {
  const procs: Proc[] = [];
  const bus = createBusClient({ kind: 'nats', url: NATS_URL });

  const exited = (p: Proc): Promise<unknown> | undefined => (p.child.exitCode !== null || p.child.signalCode !== null ? undefined : new Promise((r) => p.child.once('exit', r)));
  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map(exited));
    await bus.close();
  });

  it('replays the demo capture with seq gaps; the books end equal to the oracle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-services-'));
    const creds = join(dir, 'credentials.json');
    const exchange = start('exchange', 'apps/exchange/src/main.ts', ['--mode', 'replay', '--port', '0', '--fix-port', '0', '--capture', CAPTURE, '--credentials-out', creds, '--drop-frames', '15', '--seed', '11'], {});
    procs.push(exchange);
    const restUrl = await waitFor('exchange REST address', () => /REST (\S+)/.exec(exchange.out.join(''))?.[1], 30_000, procs);
    const wsUrl = await waitFor('exchange WS address', () => /WS\s+(\S+)/.exec(exchange.out.join(''))?.[1], 30_000, procs);
    const status = await fetch(`${restUrl}/exchange/status`);
    expect(status.status).toBe(200);

    const shards = 2;
    // each process stores into its own embedded file (a DuckDB file has one writer process)
    const tickFile = (name: string) => ({ TICK_STORE: 'embedded', TICK_STORE_PATH: join(dir, `${name}.duckdb`) });
    for (let i = 0; i < shards; i++) {
      procs.push(start(`ticker-plant-${i}`, 'apps/ticker-plant/src/main.ts', [], { NATS_URL, SHARD_INDEX: String(i), SHARD_COUNT: String(shards), ...tickFile(`ticker-plant-${i}`) }));
    }
    procs.push(start('detection', 'apps/detection/src/main.ts', [], { NATS_URL, KALSHI_REST_URL: restUrl }));
    await bus.connect();
    for (let i = 0; i < shards; i++) await waitFor(`ticker-plant ${i}`, () => busRequest(bus, subjects.tickerPlantStatus(i), {}, 500), 30_000, procs);
    await waitFor('detection', () => busRequest(bus, subjects.detectionStatus, {}, 500), 30_000, procs);

    procs.push(start('ingestion', 'apps/ingestion/src/main.ts', [], { NATS_URL, KALSHI_REST_URL: restUrl, KALSHI_WS_URL: wsUrl, KALSHI_CREDENTIALS_FILE: creds, ...tickFile('ingestion') }));
    await waitFor(
      'replay to finish',
      async () => {
        const r = (await (await fetch(`${restUrl}/mock/replay`)).json()) as { state: string };
        return r.state === 'done' ? r : undefined;
      },
      60_000,
      procs,
    );
    const quiet = await waitForQuiescence(bus, shards, { timeoutMs: 30_000 });
    const report = await collectReport(bus, shards, { capture: CAPTURE, events: null }, quiet, 0);
    expectBooksMatchOracle(report);
    expect(report.stats.gaps_detected).toBeGreaterThan(0);
    expect(report.stats.resyncs).toBeGreaterThan(0); // several gaps may share one resync when they come before the snapshots
    expect(report.stats.deltas).toBe(2885 - 15);
    // both shards hold books: the 5 markets are spread over partitions owned by different shards
    expect(quiet.shards.map((s) => s.books).reduce((a, b) => a + b, 0)).toBe(5);

    // SIGTERM drains each service's tick store: every received delta, and BBO histories ending at the oracle
    const writers = procs.filter((p) => p.name === 'ingestion' || p.name.startsWith('ticker-plant'));
    for (const p of writers) p.child.kill('SIGTERM');
    await Promise.all(writers.map(exited));
    const ingestionStore = await DuckDbTickStore.open({ path: join(dir, 'ingestion.duckdb') });
    try {
      expect(await ingestionStore.countRows('kalshi_orderbook_deltas')).toBe(2885 - 15);
      expect(await ingestionStore.countRows('kalshi_markets')).toBe(5);
    } finally {
      await ingestionStore.close();
    }
    const lastBbo: Record<string, string | null> = {};
    for (let i = 0; i < shards; i++) {
      const st = await DuckDbTickStore.open({ path: join(dir, `ticker-plant-${i}.duckdb`) });
      try {
        for (const r of await st.query('SELECT market_ticker, arg_max(yes_bid_ticks, ts) AS bid FROM kalshi_bbo GROUP BY market_ticker')) {
          lastBbo[r.market_ticker as string] = r.bid === null ? null : formatPriceDollars(Number(r.bid));
        }
      } finally {
        await st.close();
      }
    }
    expect(lastBbo).toEqual(Object.fromEntries(Object.entries(report.bbo).map(([t, b]) => [t, b.yes_bid_dollars])));
  }, 120_000);
});

describe('the mock exchange accepts the platform key (--accept-env-key)', () => {
  it('derives the public key from the environment key so apps and the mock can share one Secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-accept-key-'));
    const k = generateKalshiKeyPair();
    const keyPath = join(dir, 'key.pem');
    writeFileSync(keyPath, k.privateKeyPem, { mode: 0o600 });
    const ex = start('exchange', 'apps/exchange/src/main.ts', ['--mode', 'live', '--port', '0', '--fix-port', '0', '--data-dir', dir, '--accept-env-key'], { KALSHI_API_KEY_ID: 'shared-key-1', KALSHI_PRIVATE_KEY_PATH: keyPath });
    try {
      const restUrl = await waitFor('exchange REST address', () => /REST (\S+)/.exec(ex.out.join(''))?.[1], 60_000, [ex]);
      await waitFor('the accepted key line', () => /also accepting the environment's key shared-key-1/.test(ex.out.join('')) || undefined, 10_000, [ex]);
      const signed = new KalshiRestClient({ baseUrl: restUrl, credentials: { keyId: 'shared-key-1', privateKeyPem: k.privateKeyPem }, maxAttempts: 1 });
      const bal = await signed.get<{ balance: number }>('portfolio/balance');
      expect(bal.balance).toBeGreaterThan(0); // the demo account's funded balance
      const other = generateKalshiKeyPair();
      const stranger = new KalshiRestClient({ baseUrl: restUrl, credentials: { keyId: 'shared-key-1', privateKeyPem: other.privateKeyPem }, maxAttempts: 1 });
      await expect(stranger.get('portfolio/balance')).rejects.toThrow(/HTTP 401/);
    } finally {
      ex.child.kill("SIGTERM");
    }
  }, 90_000);
});
