/**
 * Starting the mock exchange (replay mode, first cut): loads the capture, builds reference data and true
 * books, serves Kalshi REST v2 and WebSocket v2 on one loopback port.
 */
import 'reflect-metadata';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { LoggerService, LogLevel } from '@nestjs/common';
import { Dialect, generateKalshiKeyPair } from '@kalshi-platform/kalshi';
import { KeyRegistry } from './auth/key-registry';
import { ExchangeModule } from './exchange.module';
import { ReferenceData, RefEvent, RefMarket } from './reference';
import { loadCapture } from './replay/capture';
import { chooseDroppedFrames } from './replay/faults';
import { ReplayEngine, ReplaySpeed } from './replay/replay-engine';
import { WsGateway, WS_PATH } from './ws/ws-gateway';
import { eventsFromBody } from './events-file';

/** Configuration of one mock exchange. */
export interface ExchangeConfig {
  host: string;
  /** 0 = any free port */
  port: number;
  capturePath: string;
  eventsPath?: string;
  speed: ReplaySpeed;
  realtimeFactor?: number;
  dropFrames: number;
  seed: number;
  dialect: Dialect;
  /** public keys accepted for signed requests and upgrades */
  publicKeys?: Array<{ keyId: string; publicKeyPem: string }>;
  /** generate a key pair, accept it, and write `{key_id, private_key_pem}` here (mode 0600) */
  credentialsOut?: string;
  allowUnauthenticated?: boolean;
  /** fault: close the first client connection that has been sent this many frames (once per exchange) */
  disconnectAfterFrames?: number;
  pingIntervalMs?: number;
  logger?: LoggerService | LogLevel[] | false;
  log?: (msg: string) => void;
}

/** A running mock exchange. */
export interface RunningExchange {
  restUrl: string;
  wsUrl: string;
  port: number;
  engine: ReplayEngine;
  gateway: WsGateway;
  keys: KeyRegistry;
  reference: ReferenceData;
  /** key id written to credentialsOut, if any */
  generatedKeyId?: string;
  close(): Promise<void>;
}

/**
 * Starts a mock exchange.
 * @throws CaptureError / Error naming the file when the capture or events file cannot be read or parsed,
 *   RangeError for an impossible --drop-frames.
 */
export async function startExchange(cfg: ExchangeConfig): Promise<RunningExchange> {
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
  const reference = ReferenceData.build(capture.marketTickers, described);
  const dropFrames = chooseDroppedFrames(capture.frames, cfg.dropFrames, cfg.seed);
  const engine = new ReplayEngine(capture, { speed: cfg.speed, dropFrames, realtimeFactor: cfg.realtimeFactor });
  const keys = new KeyRegistry();
  for (const k of cfg.publicKeys ?? []) keys.add(k.publicKeyPem, k.keyId);
  let generatedKeyId: string | undefined;
  if (cfg.credentialsOut) {
    const pair = generateKalshiKeyPair();
    generatedKeyId = keys.add(pair.publicKeyPem);
    mkdirSync(dirname(cfg.credentialsOut), { recursive: true });
    writeFileSync(cfg.credentialsOut, JSON.stringify({ key_id: generatedKeyId, private_key_pem: pair.privateKeyPem }, null, 2) + '\n', { mode: 0o600 });
    chmodSync(cfg.credentialsOut, 0o600);
  }
  const gateway = new WsGateway(
    engine,
    keys,
    {
      dialect: cfg.dialect,
      pingIntervalMs: cfg.pingIntervalMs ?? 10_000,
      allowUnauthenticated: cfg.allowUnauthenticated ?? false,
      disconnectAfterFrames: cfg.disconnectAfterFrames,
    },
    cfg.log,
  );
  const app = await NestFactory.create(ExchangeModule.forRoot({ engine, gateway, reference, keys }), { logger: cfg.logger ?? ['error', 'warn'] });
  await app.listen(cfg.port, cfg.host);
  const server = app.getHttpServer();
  gateway.attach(server);
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  return {
    restUrl: `http://${hostForUrl}:${port}/trade-api/v2`,
    wsUrl: `ws://${hostForUrl}:${port}${WS_PATH}`,
    port,
    engine,
    gateway,
    keys,
    reference,
    generatedKeyId,
    close: async () => {
      engine.stop();
      gateway.close();
      await app.close();
    },
  };
}
