/**
 * Starting the mock exchange. Two modes:
 * - `live`: a matching venue (libs/matching) listing the markets of real recorded REST bodies, with initial books
 *   from the real demo capture; books then move by trading. Durable in PostgreSQL (`databaseUrl`) or the embedded
 *   PGlite under `dataDir`; a restart restores every order, balance and position.
 * - `replay`: the recorded capture played back (books are the capture's; orders are refused: no market is tradable).
 * REST v2 and WebSocket v2 share one loopback port; FIX (FIXT.1.1/FIX50SP2) listens on its own port when `fixPort` is
 * set. Faults (`faults`) apply in both modes.
 */
import 'reflect-metadata';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LoggerService, LogLevel } from '@nestjs/common';
import { Dialect, generateKalshiKeyPair } from '@kalshi-platform/kalshi';
import type { OrderBook } from '@kalshi-platform/market';
import { DEFAULT_ACCOUNT, KeyRegistry } from './auth/key-registry';
import { ExchangeModule } from './exchange.module';
import type { RateLimitOptions } from './rest/rate-limit';
import { OrderLedger } from './rest/portfolio-json';
import type { ExchangeMode, ExchangeState } from './exchange-state';
import { FaultController, type FaultSpec } from './faults/fault-spec';
import { ReferenceData, RefEvent, RefMarket } from './reference';
import { loadCapture } from './replay/capture';
import { chooseDroppedFrames } from './replay/faults';
import { ReplayEngine, ReplaySpeed } from './replay/replay-engine';
import type { VenueStore } from './store';
import { defaultLiveSeedFiles, loadLiveSeed, seedVenue, type LiveSeedFiles } from './venue/live-seed';
import { seedGamesFromOdds, type GamesSeedOptions } from './venue/games-seed';
import { Venue } from './venue/venue';
import { WsGateway, WS_PATH } from './ws/ws-gateway';
import { eventsFromBody } from './events-file';

const REPO_ROOT = resolve(__dirname, '../../..');

/** Balance of the demo account created on first start, ticks ($100,000). */
export const DEMO_CASH_TICKS = 1_000_000_000;

/** Configuration of one mock exchange. */
export interface ExchangeConfig {
  host: string;
  /** 0 = any free port */
  port: number;
  /** FIX acceptor port (0 = any free port); no FIX acceptor when undefined */
  fixPort?: number;
  /** default `replay` (the platform's main job); the CLI defaults to `live` */
  mode?: ExchangeMode;
  /** replay mode: the capture to play */
  capturePath?: string;
  /** replay mode: a Kalshi `GET /events?with_nested_markets=true` body describing the capture's markets */
  eventsPath?: string;
  speed?: ReplaySpeed;
  realtimeFactor?: number;
  /** replay mode: drop N recorded deltas on the wire (also `faults.drop`) */
  dropFrames?: number;
  seed?: number;
  /** WebSocket dialect (also `faults.legacy`) */
  dialect?: Dialect;
  /** live mode: where the seed files are (default: the repository's `data/`) */
  seedFiles?: LiveSeedFiles;
  /**
   * live mode: also list Kalshi game events (KXNBAGAME/KXNHLGAME) for the NBA and NHL events of this The Odds API v4
   * odds response (a JSON file), the house quoting them around the sportsbook consensus (venue/games-seed.ts)
   */
  gamesFromOdds?: string;
  /** live mode: quoting options of `gamesFromOdds` (spread, depth, deliberate mis-pricing) */
  gamesOptions?: GamesSeedOptions;
  /** live mode: PGlite files and default credentials live here; memory only when neither this nor databaseUrl is set */
  dataDir?: string;
  /** live mode: PostgreSQL instead of PGlite */
  databaseUrl?: string;
  /** PostgreSQL schema (tests use their own); default public */
  databaseSchema?: string;
  /**
   * Accepted clock skew of signed requests, upgrades and FIX logons, ms (default 5,000). Benchmarks that pre-sign
   * their requests outside the measured window widen it; a real deployment should not.
   */
  authMaxSkewMs?: number;
  /** public keys accepted for signed requests and upgrades (account `demo`) */
  publicKeys?: Array<{ keyId: string; publicKeyPem: string }>;
  /** generate a key pair for the demo account, accept it, and write `{key_id, private_key_pem}` here (mode 0600) */
  credentialsOut?: string;
  allowUnauthenticated?: boolean;
  /** fault: close the first client connection that has been sent this many frames (also `faults.disconnect`) */
  disconnectAfterFrames?: number;
  faults?: FaultSpec;
  /** rate-limit tier: tokens per second of the read and write buckets (default Kalshi Basic: 200 / 100) */
  rateLimits?: RateLimitOptions | false;
  pingIntervalMs?: number;
  logger?: LoggerService | LogLevel[] | false;
  log?: (msg: string) => void;
}

/** A running mock exchange. */
export interface RunningExchange {
  mode: ExchangeMode;
  restUrl: string;
  wsUrl: string;
  port: number;
  /** FIX acceptor address (`host:port`), if started */
  fixPort?: number;
  replay: ReplayEngine | null;
  venue: Venue;
  gateway: WsGateway;
  keys: KeyRegistry;
  reference: ReferenceData;
  faults: FaultController;
  store: VenueStore | null;
  /** key id written to credentialsOut, if any */
  generatedKeyId?: string;
  close(): Promise<void>;
}

/** Writes `{key_id, private_key_pem}` (mode 0600); never logs the key. */
function writeCredentials(path: string, keyId: string, privateKeyPem: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ key_id: keyId, private_key_pem: privateKeyPem }, null, 2) + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Key id in an existing credentials file, if it is one. */
function existingKeyId(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const j = JSON.parse(readFileSync(path, 'utf8')) as { key_id?: unknown };
    return typeof j.key_id === 'string' ? j.key_id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts a mock exchange.
 * @throws CaptureError / Error naming the file when the capture, events or seed files cannot be read or parsed,
 *   RangeError for an impossible drop count, Error when the database cannot be opened or its journal does not replay.
 */
export async function startExchange(cfg: ExchangeConfig): Promise<RunningExchange> {
  const mode: ExchangeMode = cfg.mode ?? 'replay';
  const log = cfg.log ?? (() => undefined);
  const faultSpec: FaultSpec = { seed: cfg.seed ?? 1, ...cfg.faults };
  if (cfg.dropFrames) faultSpec.drop = cfg.dropFrames;
  if (cfg.disconnectAfterFrames !== undefined) faultSpec.disconnect = cfg.disconnectAfterFrames;
  if (cfg.dialect === 'legacy_cents') faultSpec.legacy = true;
  const faults = new FaultController(faultSpec);

  let store: VenueStore | null = null;
  const keys = new KeyRegistry(cfg.authMaxSkewMs);
  let replay: ReplayEngine | null = null;
  let reference: ReferenceData;
  let books: ReadonlyMap<string, OrderBook>;
  let marketId: (t: string) => string | undefined;
  let venue: Venue;
  let ledger: OrderLedger;
  let generatedKeyId: string | undefined;

  const addKey = async (accountId: string, name: string): Promise<{ keyId: string; privateKeyPem: string }> => {
    const pair = generateKalshiKeyPair();
    const keyId = keys.add(pair.publicKeyPem, undefined, accountId, { name });
    const k = keys.get(keyId)!;
    await store?.addApiKey({ keyId, accountId, name, publicKeyPem: pair.publicKeyPem, createdTsMs: k.createdTsMs, scopes: k.scopes });
    return { keyId, privateKeyPem: pair.privateKeyPem };
  };

  if (mode === 'live') {
    if (cfg.databaseUrl || cfg.dataDir) {
      const { createVenueStore } = await import('./store');
      store = createVenueStore({ databaseUrl: cfg.databaseUrl, dataDir: resolve(cfg.dataDir ?? 'tmp/exchange'), schema: cfg.databaseSchema });
      await store.open();
      for (const k of await store.listApiKeys()) keys.add(k.publicKeyPem, k.keyId, k.accountId, { name: k.name, createdTsMs: k.createdTsMs, scopes: k.scopes });
    }
    venue = new Venue({ journal: store, keys, log });
    ledger = new OrderLedger(venue); // before the replay: it keeps the orders that ended, which the engine forgets
    if (store) {
      const journal = await store.loadJournal();
      venue.replay(journal);
      if (journal.length > 0) log(`restored ${journal.length} journaled commands from ${store.kind}`);
    }
    const seed = loadLiveSeed(cfg.seedFiles ?? defaultLiveSeedFiles(REPO_ROOT));
    reference = seed.reference;
    if (venue.commandCount === 0) {
      const r = await seedVenue(venue, seed, log);
      await venue.createAccount(DEFAULT_ACCOUNT, DEMO_CASH_TICKS);
      log(`seeded ${seed.markets.length} markets with ${r.orders} resting house orders; demo account funded with $${DEMO_CASH_TICKS / 10_000}`);
    }
    if (cfg.gamesFromOdds) {
      let body: unknown;
      try {
        body = JSON.parse(readFileSync(cfg.gamesFromOdds, 'utf8'));
      } catch (e) {
        throw new Error(`cannot read odds file ${cfg.gamesFromOdds}: ${(e as Error).message}`);
      }
      const g = await seedGamesFromOdds(venue, reference, body, cfg.gamesOptions, log);
      log(`games from odds: ${g.seed.events.length} events (${g.seed.markets.length} markets; ${g.listed} listed now with ${g.orders} house orders)`);
    }
    books = venue.books;
    marketId = (t) => venue.markets.get(t)?.marketId;
  } else {
    if (!cfg.capturePath) throw new Error('replay mode needs capturePath');
    const capture = loadCapture(cfg.capturePath);
    let described: Array<{ event: RefEvent; markets: RefMarket[] }> = [];
    if (cfg.eventsPath) {
      let body: unknown;
      try {
        body = JSON.parse(readFileSync(cfg.eventsPath, 'utf8'));
      } catch (e) {
        throw new Error(`cannot read events file ${cfg.eventsPath}: ${(e as Error).message}`);
      }
      described = eventsFromBody(body, cfg.eventsPath);
    }
    reference = ReferenceData.build(capture.marketTickers, described);
    const dropFrames = chooseDroppedFrames(capture.frames, faultSpec.drop ?? 0, faultSpec.seed);
    replay = new ReplayEngine(capture, { speed: cfg.speed ?? 'max', dropFrames, realtimeFactor: cfg.realtimeFactor });
    venue = new Venue({ keys, log });
    ledger = new OrderLedger(venue);
    await venue.createAccount(DEFAULT_ACCOUNT, DEMO_CASH_TICKS);
    books = replay.books;
    const ids = capture.marketIds;
    marketId = (t) => ids.get(t);
  }

  for (const k of cfg.publicKeys ?? []) keys.add(k.publicKeyPem, k.keyId, DEFAULT_ACCOUNT);
  if (cfg.credentialsOut) {
    const have = existingKeyId(cfg.credentialsOut);
    if (have && keys.get(have)) generatedKeyId = have;
    else {
      const k = await addKey(DEFAULT_ACCOUNT, 'demo');
      generatedKeyId = k.keyId;
      writeCredentials(cfg.credentialsOut, k.keyId, k.privateKeyPem);
    }
  }

  const gateway = new WsGateway(
    { books, marketId, replay, venue: mode === 'live' ? venue : null, faults },
    keys,
    {
      dialect: faultSpec.legacy ? 'legacy_cents' : (cfg.dialect ?? 'fixed_point'),
      pingIntervalMs: cfg.pingIntervalMs ?? 10_000,
      allowUnauthenticated: cfg.allowUnauthenticated ?? false,
      disconnectAfterFrames: faultSpec.disconnect,
    },
    log,
  );
  const state: ExchangeState = { mode, books, marketId, replay, venue, ledger, gateway, reference, keys, faults, store };
  const app = await NestFactory.create<NestFastifyApplication>(ExchangeModule.forRoot(state, { rateLimits: cfg.rateLimits }), new FastifyAdapter(), { logger: cfg.logger ?? ['error', 'warn'] });
  await app.listen(cfg.port, cfg.host);
  const server = app.getHttpServer();
  gateway.attach(server);
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;

  let fix: { port: number; close(): Promise<void> } | null = null;
  if (cfg.fixPort !== undefined) {
    const { startFixAcceptor } = await import('./fix');
    fix = await startFixAcceptor({ host: cfg.host, port: cfg.fixPort, venue, log });
  }

  return {
    mode,
    restUrl: `http://${hostForUrl}:${port}/trade-api/v2`,
    wsUrl: `ws://${hostForUrl}:${port}${WS_PATH}`,
    port,
    fixPort: fix?.port,
    replay,
    venue,
    gateway,
    keys,
    reference,
    faults,
    store,
    generatedKeyId,
    close: async () => {
      replay?.stop();
      await fix?.close();
      gateway.close();
      await app.close();
      ledger.close();
      await venue.close();
      await store?.close();
    },
  };
}

/** Default credentials file of a data dir. */
export const defaultCredentialsPath = (dataDir: string): string => join(dataDir, 'credentials.json');
