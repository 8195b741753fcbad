/**
 * The all-in-one process behind `npm start`: mock exchange (replaying a capture on a loopback port) +
 * ingestion + ticker plant + detection, each a NestJS microservice, talking over the in-process transport
 * (default) or a real NATS server (`--nats URL`). Ingestion reaches the exchange over a real loopback
 * WebSocket with a signed upgrade, exactly as it would reach Kalshi.
 */
import 'reflect-metadata';
import { INestMicroservice, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ClientProxy } from '@nestjs/microservices';
import { busTransportFromConfig, BusTransport, createBusClient, createBusServer, DEFAULT_PARTITION_COUNT, InProcessBroker } from '@kalshi-platform/bus';
import { generateKalshiKeyPair } from '@kalshi-platform/kalshi';
import { RunningExchange, startExchange } from '@kalshi-platform/feature-exchange';
import { FeedService, IngestionModule } from '@kalshi-platform/feature-ingestion';
import { startTickerPlant, tickerPlantConfig } from '@kalshi-platform/feature-ticker-plant';
import { DetectionModule, DetectionService } from '@kalshi-platform/feature-detection';
import { collectReport, Report, waitForQuiescence } from './report';

export interface PlatformOptions {
  capturePath: string;
  eventsPath: string | null;
  speed: 'max' | 'realtime';
  realtimeFactor?: number;
  dropFrames: number;
  seed: number;
  natsUrl?: string;
  shards: number;
  partitionCount?: number;
  /** fault: the exchange closes the client connection once after this many frames */
  disconnectAfterFrames?: number;
  logLevels?: LogLevel[];
  /** called about every 100 ms while replaying */
  onProgress?: (p: { replayed: number; total: number; framesReceived: number }) => void;
}

export interface PlatformRun {
  report: Report;
  exchange: RunningExchange;
}

/**
 * Runs the whole pipeline on a capture and returns the report.
 * @throws CaptureError / Error naming the file for unreadable inputs; Error when the pipeline does not drain.
 */
export async function runPlatform(opts: PlatformOptions): Promise<Report> {
  const t0 = Date.now();
  const logger: LogLevel[] = opts.logLevels ?? ['error', 'warn'];
  const partitionCount = opts.partitionCount ?? DEFAULT_PARTITION_COUNT;
  const keys = generateKalshiKeyPair();
  const keyId = 'platform-ingestion';
  const exchange = await startExchange({
    host: '127.0.0.1',
    port: 0,
    mode: 'replay',
    capturePath: opts.capturePath,
    eventsPath: opts.eventsPath ?? undefined,
    speed: opts.speed,
    realtimeFactor: opts.realtimeFactor,
    dropFrames: opts.dropFrames,
    seed: opts.seed,
    dialect: 'fixed_point',
    publicKeys: [{ keyId, publicKeyPem: keys.publicKeyPem }],
    disconnectAfterFrames: opts.disconnectAfterFrames,
    logger,
  });
  const broker = opts.natsUrl ? undefined : new InProcessBroker();
  const transport: BusTransport = busTransportFromConfig(opts.natsUrl, broker, 'platform');
  const apps: INestMicroservice[] = [];
  let bus: ClientProxy | null = null;
  try {
    for (let i = 0; i < opts.shards; i++) apps.push(await startTickerPlant(tickerPlantConfig(i, opts.shards, partitionCount), transport, { logger }));

    const detection = await NestFactory.createMicroservice(DetectionModule.forRoot({ restUrl: exchange.restUrl, takerFeeBps: 700, feeRoundingTicks: 1 }, transport), {
      strategy: createBusServer(transport),
      logger,
    });
    apps.push(detection);
    await detection.get(DetectionService).loadReferenceData();
    await detection.listen();

    const ingestion = await NestFactory.createMicroservice(
      IngestionModule.forRoot(
        {
          restUrl: exchange.restUrl,
          wsUrl: exchange.wsUrl,
          credentials: { keyId, privateKeyPem: keys.privateKeyPem },
          marketTickers: [],
          partitionCount,
          reconnectInitialDelayMs: 50,
          snapshotTimeoutMs: 2_000,
        },
        transport,
      ),
      { strategy: createBusServer(transport), logger },
    );
    apps.push(ingestion);
    await ingestion.listen();

    bus = createBusClient(transport);
    await bus.connect();

    const progress = opts.onProgress
      ? setInterval(() => {
          const s = exchange.replay!.stats;
          opts.onProgress!({ replayed: s.framesReplayed, total: s.framesTotal, framesReceived: ingestion.get(FeedService).status().framesReceived });
        }, 100)
      : null;
    try {
      await ingestion.get(FeedService).start();
      await exchange.replay!.whenDone();
      const status = await waitForQuiescence(bus, opts.shards);
      const s = exchange.replay!.stats;
      opts.onProgress?.({ replayed: s.framesReplayed, total: s.framesTotal, framesReceived: status.ingestion.framesReceived });
      return await collectReport(bus, opts.shards, { capture: opts.capturePath, events: opts.eventsPath }, status, Date.now() - t0);
    } finally {
      if (progress) clearInterval(progress);
    }
  } finally {
    for (const app of apps.reverse()) await app.close().catch(() => undefined);
    if (bus) await Promise.resolve(bus.close()).catch(() => undefined);
    await exchange.close();
  }
}
