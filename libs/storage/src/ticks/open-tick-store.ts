/**
 * Choosing and opening the tick store from configuration (flags first, then the environment):
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `TICK_STORE` | `embedded` (DuckDB file), `questdb` (ILP/HTTP) or `off` | given by the caller (`npm start`: embedded) |
 * | `TICK_STORE_PATH` | the embedded DuckDB file | `data/ticks.duckdb` |
 * | `QUESTDB_ADDR` | QuestDB HTTP endpoint `host:port` | `localhost:9000` |
 * | `QUESTDB_PROTOCOL` | `http` or `https` | `http` |
 * | `QUESTDB_USERNAME` + `QUESTDB_PASSWORD`, or `QUESTDB_TOKEN` | QuestDB auth (secrets: environment only, never flags, never logged) | none |
 *
 * The embedded store is one DuckDB file with a single writer process: use it from the all-in-one `npm start`
 * or the CLI, and QuestDB when ingestion, the ticker plant and detection run as separate processes.
 */
import type { TickStore, TickStoreAdmin } from './tick-store';
import { DuckDbTickStore } from './duckdb-tick-store';
import { QuestDbAdmin } from './questdb-admin';
import { QuestDbTickWriter } from './questdb-writer';

export const TICK_STORE_CHOICES = ['embedded', 'questdb', 'off'] as const;
export type TickStoreChoice = (typeof TICK_STORE_CHOICES)[number];
export const DEFAULT_TICK_STORE_PATH = 'data/ticks.duckdb';
export const DEFAULT_QUESTDB_ADDR = 'localhost:9000';

export interface TickStoreConfig {
  backend: TickStoreChoice;
  /** embedded: the DuckDB file (`:memory:` for none) */
  path: string;
  /** questdb: `host:port` of its HTTP endpoint */
  questdbAddr: string;
  /** questdb: transport and credentials, from the environment only */
  questdb?: { protocol?: 'http' | 'https'; username?: string; password?: string; token?: string };
}

/** A malformed tick-store setting; the message names the flag or variable. */
export class TickStoreConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TickStoreConfigError';
  }
}

/** Validates `host:port`. @throws TickStoreConfigError naming `what`. */
export function parseHostPort(what: string, addr: string): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s/]+):(\d{1,5})$/.exec(addr);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new TickStoreConfigError(`${what}: expected host:port, got ${JSON.stringify(addr)}`);
  return addr;
}

/**
 * Flags, then `TICK_STORE` / `TICK_STORE_PATH` / `QUESTDB_ADDR`, then `fallback`.
 * @throws TickStoreConfigError naming the flag or variable
 */
export function tickStoreConfig(
  flags: { tickStore?: string; tickStorePath?: string; questdbAddr?: string },
  env: NodeJS.ProcessEnv = process.env,
  fallback: TickStoreChoice = 'off',
): TickStoreConfig {
  const raw = flags.tickStore ?? (env.TICK_STORE || undefined) ?? fallback;
  if (!(TICK_STORE_CHOICES as readonly string[]).includes(raw)) {
    throw new TickStoreConfigError(`${flags.tickStore !== undefined ? '--tick-store' : 'TICK_STORE'}: must be one of ${TICK_STORE_CHOICES.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  const addr = flags.questdbAddr || env.QUESTDB_ADDR || DEFAULT_QUESTDB_ADDR;
  const protocol = env.QUESTDB_PROTOCOL || undefined;
  if (protocol !== undefined && protocol !== 'http' && protocol !== 'https') throw new TickStoreConfigError(`QUESTDB_PROTOCOL: must be http or https, got ${JSON.stringify(protocol)}`);
  if (Boolean(env.QUESTDB_USERNAME) !== Boolean(env.QUESTDB_PASSWORD)) throw new TickStoreConfigError('QUESTDB_USERNAME and QUESTDB_PASSWORD must be set together');
  return {
    backend: raw as TickStoreChoice,
    path: flags.tickStorePath || env.TICK_STORE_PATH || DEFAULT_TICK_STORE_PATH,
    questdbAddr: parseHostPort(flags.questdbAddr ? '--questdb-addr' : 'QUESTDB_ADDR', addr),
    // only the settings given: an explicit `undefined` would override the client's defaults
    questdb: Object.fromEntries(
      Object.entries({ protocol, username: env.QUESTDB_USERNAME, password: env.QUESTDB_PASSWORD, token: env.QUESTDB_TOKEN }).filter(([, v]) => v !== undefined && v !== ''),
    ),
  };
}

/** Opens the write side; `null` for `off`. @throws when the embedded file cannot be opened (locked, unreadable). */
export async function openTickStore(
  cfg: TickStoreConfig,
  options: { batchRows?: number; capacity?: number; flushIntervalMs?: number; onError?: (err: Error) => void } = {},
): Promise<(TickStore & Partial<TickStoreAdmin>) | null> {
  switch (cfg.backend) {
    case 'off':
      return null;
    case 'questdb':
      return new QuestDbTickWriter({ addr: cfg.questdbAddr, ...cfg.questdb, batchRows: options.batchRows, capacity: options.capacity, flushIntervalMs: options.flushIntervalMs, onError: options.onError });
    case 'embedded':
      return DuckDbTickStore.open({ path: cfg.path, batchRows: options.batchRows, capacity: options.capacity, flushIntervalMs: options.flushIntervalMs });
  }
}

/** Opens the administration side (schema, counts, export, drop). @throws TickStoreConfigError for `off`. */
export async function openTickStoreAdmin(cfg: TickStoreConfig): Promise<TickStoreAdmin> {
  switch (cfg.backend) {
    case 'off':
      throw new TickStoreConfigError('--tick-store off has no tables to administer: choose embedded or questdb');
    case 'questdb':
      return new QuestDbAdmin({ addr: cfg.questdbAddr, ...cfg.questdb });
    case 'embedded':
      return DuckDbTickStore.open({ path: cfg.path });
  }
}
