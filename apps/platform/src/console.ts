/**
 * `npm start -- --console`: what the trading console (libs/feature-console) needs from the main job besides the bus.
 *
 * The console's kill switch talks to the execution app (`ctl.v1.execution.kill`), so in console mode the replay
 * pipeline runs one too: in PAPER mode against the replay exchange (whose venue lists no market: it never places an
 * order there, and trades only `sportsbook_edge` signals, which a replay does not produce), with a fresh embedded
 * PostgreSQL (PGlite) store deleted afterwards, as the sportsbook phase does. It reconciles with the replay venue's
 * portfolio, receives the capture's two recorded `fill` frames of the recording account (applied as foreign fills:
 * the console's fills, positions and PnL show them) and answers status, portfolio and the kill switch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_BREAKER, DEFAULT_EXECUTION_LIMITS, openExecutionDeps, type ExecutionConfig, type ExecutionDeps } from '@kalshi-platform/feature-execution';
import { openRelationalStore } from '@kalshi-platform/storage';

/** A paper execution app's config and dependencies for {@link startPipeline}'s `execution`, and how to release them. */
export interface ConsoleExecution {
  execution: { config: ExecutionConfig; deps: ExecutionDeps };
  /** closes the store and deletes its directory (after the pipeline is closed); idempotent */
  close(): Promise<void>;
}

/**
 * Opens a fresh PGlite store (migrated) and the execution dependencies for a paper account on `exchange`.
 * @throws Error when the store cannot be opened or migrated (nothing is left behind)
 */
export async function consoleExecution(exchange: { restUrl: string; wsUrl: string }, credentials: { keyId: string; privateKeyPem: string }): Promise<ConsoleExecution> {
  const dir = mkdtempSync(join(tmpdir(), 'kalshi-platform-console-'));
  const relational = await openRelationalStore({ dataDir: join(dir, 'platform-db') }).catch((e: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await relational.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await relational.migrateUp();
    const config: ExecutionConfig = {
      mode: 'paper',
      restUrl: exchange.restUrl,
      wsUrl: exchange.wsUrl,
      credentials,
      route: 'rest',
      kinds: ['sportsbook_edge'],
      timeInForce: 'gtc',
      limits: DEFAULT_EXECUTION_LIMITS,
      breaker: DEFAULT_BREAKER,
      reconcileIntervalMs: 3_600_000, // the replay venue never changes: periodic runs would only repeat the capture's foreign fills as a mismatch
      reconcileGraceMs: 2_000,
    };
    const deps = await openExecutionDeps(config, { relational });
    return { execution: { config, deps }, close };
  } catch (e) {
    await close();
    throw e;
  }
}
