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
import { FeedService, IngestionModule, type ExtraChannel } from '@kalshi-platform/feature-ingestion';
import { startTickerPlant, tickerPlantConfig } from '@kalshi-platform/feature-ticker-plant';
import { DetectionModule, DetectionService, type DetectionConfig } from '@kalshi-platform/feature-detection';
import { ExecutionModule, ExecutionService, type ExecutionConfig, type ExecutionDeps } from '@kalshi-platform/feature-execution';
import { createHotCache, openTickStore, TICK_TABLES, type HotCache, type HotCacheConfig, type TickStore, type TickStoreAdmin, type TickStoreConfig } from '@kalshi-platform/storage';
import type { RunningConsole } from '@kalshi-platform/feature-console';
import { consoleExecution } from './console';
import { collectReport, PipelineStatus, Report, waitForQuiescence } from './report';
import { runSportsbook } from './sportsbook';

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
  /** where ingestion, the ticker plant and detection store their rows; default none (`npm start` passes embedded) */
  tickStore?: TickStoreConfig;
  /** the hot cache (latest BBO per market): Redis when `redisUrl` (`REDIS_URL`) is set, else an in-memory LRU */
  hotCache?: HotCacheConfig;
  /** a saved The Odds API response: after the replay, paper-trade sportsbook edges against live game markets (./sportsbook) */
  oddsPath?: string;
  /** with `oddsPath`: live market time, ms */
  oddsDurationMs?: number;
  /** called about every 100 ms while replaying */
  onProgress?: (p: { replayed: number; total: number; framesReceived: number }) => void;
  /**
   * the trading console (`--console`, libs/feature-console): every pipeline of the run feeds it (the replay's, then the
   * sportsbook phase's), and the replay pipeline also runs the execution app in paper mode (./console.ts) for its kill switch
   */
  console?: RunningConsole;
  /**
   * called with the report once it is complete; the run's services stay up (the replay pipeline, unless `oddsPath` ran
   * the sportsbook phase after it) until the returned promise resolves (`--console`: until Ctrl-C)
   */
  hold?: (report: Report) => Promise<void>;
}

export interface PlatformRun {
  report: Report;
  exchange: RunningExchange;
}

/** A running pipeline (ingestion -> ticker-plant shards -> detection) against some exchange. */
export interface Pipeline {
  bus: ClientProxy;
  ingestion: INestMicroservice;
  shards: number;
  close(): Promise<void>;
}

/** Where the pipeline connects and how it is composed. */
export interface PipelineOptions {
  restUrl: string;
  wsUrl: string;
  credentials: { keyId: string; privateKeyPem: string };
  shards: number;
  partitionCount?: number;
  natsUrl?: string;
  /** markets to subscribe to; empty = all */
  marketTickers?: string[];
  /** public channels ingestion also subscribes and stores (`trade`, `ticker`); default none */
  extraChannels?: ExtraChannel[];
  logLevels?: LogLevel[];
  /** ingestion (deltas, trades, ticker, markets), the ticker plant (BBO) and detection (opportunities) write here */
  tickStore?: TickStore | null;
  /** the ticker plant keeps each market's latest BBO here */
  hotCache?: HotCache | null;
  /** detection settings beyond the defaults (e.g. `sportsbook`: fair values from an odds file) */
  detection?: Partial<DetectionConfig>;
  /** also run the execution app (signals -> risk gate -> orders); started (reconciled) before the feed */
  execution?: { config: ExecutionConfig; deps: ExecutionDeps };
  /** the trading console: subscribed to this pipeline's bus (before the feed starts), detached when it closes */
  console?: Pick<RunningConsole, 'attach'>;
}

/**
 * Starts ingestion, the ticker-plant shards and detection against an exchange (the mock in replay or live mode, or
 * Kalshi), over the in-process transport or NATS. The feed is not started: call `ingestion.get(FeedService).start()`.
 * @throws Error when a service cannot start (everything started so far is closed first).
 */
export async function startPipeline(o: PipelineOptions): Promise<Pipeline> {
  const logger: LogLevel[] = o.logLevels ?? ['error', 'warn'];
  const partitionCount = o.partitionCount ?? DEFAULT_PARTITION_COUNT;
  const broker = o.natsUrl ? undefined : new InProcessBroker();
  const transport: BusTransport = busTransportFromConfig(o.natsUrl, broker, 'platform');
  const apps: Array<{ close(): Promise<unknown> }> = [];
  let bus: ClientProxy | null = null;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const app of apps.reverse()) await app.close().catch(() => undefined);
    if (bus) await Promise.resolve(bus.close()).catch(() => undefined);
  };
  try {
    for (let i = 0; i < o.shards; i++) apps.push(await startTickerPlant(tickerPlantConfig(i, o.shards, partitionCount), transport, { logger }, { tickStore: o.tickStore ?? undefined, hotCache: o.hotCache ?? undefined }));

    if (o.execution) {
      const execution = await NestFactory.createMicroservice(ExecutionModule.forRoot(o.execution.config, transport, o.execution.deps), { strategy: createBusServer(transport), logger });
      apps.push(execution);
      await execution.get(ExecutionService).start();
      await execution.listen();
    }

    const detection = await NestFactory.createMicroservice(DetectionModule.forRoot({ restUrl: o.restUrl, takerFeeBps: 700, feeRoundingTicks: 1, ...o.detection }, transport, { tickStore: o.tickStore ?? undefined }), {
      strategy: createBusServer(transport),
      logger,
    });
    apps.push(detection);
    await detection.get(DetectionService).loadReferenceData();
    await detection.listen();

    const ingestion = await NestFactory.createMicroservice(
      IngestionModule.forRoot(
        {
          restUrl: o.restUrl,
          wsUrl: o.wsUrl,
          credentials: o.credentials,
          marketTickers: o.marketTickers ?? [],
          extraChannels: o.extraChannels,
          partitionCount,
          reconnectInitialDelayMs: 50,
          snapshotTimeoutMs: 2_000,
        },
        transport,
        { tickStore: o.tickStore ?? undefined },
      ),
      { strategy: createBusServer(transport), logger },
    );
    apps.push(ingestion);
    await ingestion.listen();

    if (o.console) apps.push(await o.console.attach(transport, { shards: o.shards, logger }));

    bus = createBusClient(transport);
    await bus.connect();
    return { bus, ingestion, shards: o.shards, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Runs the whole pipeline on a capture and returns the report.
 * @throws CaptureError / Error naming the file for unreadable inputs; Error when the pipeline does not drain.
 */
export async function runPlatform(opts: PlatformOptions): Promise<Report> {
  const t0 = Date.now();
  const logger: LogLevel[] = opts.logLevels ?? ['error', 'warn'];
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
  let ticks: Awaited<ReturnType<typeof openTickStore>> = null;
  let cache: HotCache | null = null;
  let paper: Awaited<ReturnType<typeof consoleExecution>> | null = null;
  try {
    ticks = opts.tickStore ? await openTickStore(opts.tickStore) : null;
    cache = createHotCache(opts.hotCache ?? {});
    if (opts.console) {
      opts.console.setRun({ phase: 'starting: paper execution store (PGlite), pipeline' });
      paper = await consoleExecution(exchange, { keyId, privateKeyPem: keys.privateKeyPem });
    }
    const p = await startPipeline({
      tickStore: ticks,
      hotCache: cache,
      restUrl: exchange.restUrl,
      wsUrl: exchange.wsUrl,
      credentials: { keyId, privateKeyPem: keys.privateKeyPem },
      shards: opts.shards,
      partitionCount: opts.partitionCount,
      natsUrl: opts.natsUrl,
      logLevels: logger,
      execution: paper?.execution,
      console: opts.console,
    });
    const feed = p.ingestion.get(FeedService);
    const progress =
      opts.onProgress || opts.console
        ? setInterval(() => {
            const s = exchange.replay!.stats;
            const x = { replayed: s.framesReplayed, total: s.framesTotal, framesReceived: feed.status().framesReceived };
            opts.onProgress?.(x);
            opts.console?.setRun(x);
          }, 100)
        : null;
    try {
      opts.console?.setRun({ phase: `replaying the capture (${opts.speed}${opts.speed === 'realtime' && (opts.realtimeFactor ?? 1) > 1 ? ` x${opts.realtimeFactor}` : ''})` });
      await feed.start();
      await exchange.replay!.whenDone();
      const status = await waitForQuiescence(p.bus, opts.shards);
      const s = exchange.replay!.stats;
      opts.onProgress?.({ replayed: s.framesReplayed, total: s.framesTotal, framesReceived: status.ingestion.framesReceived });
      const report = await collectReport(p.bus, opts.shards, { capture: opts.capturePath, events: opts.eventsPath }, status, Date.now() - t0);
      if (progress) clearInterval(progress);
      opts.console?.setRun({ replayed: s.framesReplayed, total: s.framesTotal, framesReceived: status.ingestion.framesReceived });
      if (!opts.hold || opts.oddsPath) {
        await p.close();
        await paper?.close(); // one PGlite per process: the sportsbook phase opens its own
      }
      if (opts.oddsPath) {
        opts.console?.setRun({ phase: 'sportsbook phase: live game markets, paper execution', replayed: null, total: null, framesReceived: null });
        const sb = await runSportsbook({ oddsPath: opts.oddsPath, seed: opts.seed, durationMs: opts.oddsDurationMs, shards: opts.shards, natsUrl: opts.natsUrl, tickStore: ticks, hotCache: cache, logLevels: logger, console: opts.console });
        report.opportunities.push(...sb.opportunities);
        Object.assign(report, { orders: sb.orders, fills: sb.fills, positions: sb.positions, pnl: sb.pnl, execution: sb.execution });
      }
      if (ticks && opts.tickStore) report.storage = await storageReport(ticks, opts.tickStore, status);
      opts.console?.setRun({ phase: opts.oddsPath ? 'run complete: report written; the pipelines have stopped (the last state stays)' : 'replay complete: report written; services still up (Ctrl-C to stop)' });
      if (opts.hold) await opts.hold(report);
      return report;
    } finally {
      if (progress) clearInterval(progress);
      await p.close();
    }
  } finally {
    await paper?.close();
    await ticks?.close().catch(() => undefined);
    await cache?.close().catch(() => undefined);
    await exchange.close();
  }
}

/**
 * The report's `storage` section: the tick store's rows per table after a flush (the whole store, so earlier runs
 * into the same file count too: identical replays add nothing under the natural-key dedup) and what this run
 * handed to it and what was refused.
 */
async function storageReport(ticks: TickStore & Partial<TickStoreAdmin>, cfg: TickStoreConfig, status: PipelineStatus): Promise<NonNullable<Report['storage']>> {
  await ticks.flush();
  const tables: Record<string, number> = {};
  if (ticks.countRows) for (const t of TICK_TABLES) tables[t] = await ticks.countRows(t);
  const w = ticks.stats;
  const sum = (f: (x: { ticksWritten?: number; ticksRefused?: number }) => number | undefined) =>
    (f(status.ingestion) ?? 0) + status.shards.reduce((a, x) => a + (f(x) ?? 0), 0) + (f(status.detection) ?? 0);
  return {
    backend: cfg.backend,
    location: cfg.backend === 'questdb' ? cfg.questdbAddr : cfg.path,
    rows_handed: sum((x) => x.ticksWritten),
    rows_refused: sum((x) => x.ticksRefused),
    rows_written: w.rowsWritten,
    dropped: w.droppedRows,
    invalid: w.invalidRows,
    rejected: w.rejectedRows,
    tables,
  };
}
