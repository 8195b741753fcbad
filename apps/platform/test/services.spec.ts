/**
 * The apps as separate processes, each a NestJS microservice over real NATS on loopback, started with
 * their own one-line commands (`node tools/run.cjs apps/<app>/src/main.ts`, what `npm run <app>` runs):
 * mock exchange (replay with dropped frames) -> ingestion -> 2 ticker-plant shards -> detection.
 * The test collects the report over NATS, as an operator's tool would, and checks the books against the oracle.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { busRequest, createBusClient, subjects } from '@kalshi-platform/bus';
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

  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.child.exitCode !== null ? undefined : new Promise((r) => p.child.once('exit', r)))));
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
    for (let i = 0; i < shards; i++) procs.push(start(`ticker-plant-${i}`, 'apps/ticker-plant/src/main.ts', [], { NATS_URL, SHARD_INDEX: String(i), SHARD_COUNT: String(shards) }));
    procs.push(start('detection', 'apps/detection/src/main.ts', [], { NATS_URL, KALSHI_REST_URL: restUrl }));
    await bus.connect();
    for (let i = 0; i < shards; i++) await waitFor(`ticker-plant ${i}`, () => busRequest(bus, subjects.tickerPlantStatus(i), {}, 500), 30_000, procs);
    await waitFor('detection', () => busRequest(bus, subjects.detectionStatus, {}, 500), 30_000, procs);

    procs.push(start('ingestion', 'apps/ingestion/src/main.ts', [], { NATS_URL, KALSHI_REST_URL: restUrl, KALSHI_WS_URL: wsUrl, KALSHI_CREDENTIALS_FILE: creds }));
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
  }, 120_000);
});
