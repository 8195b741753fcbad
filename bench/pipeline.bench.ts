/**
 * Whole-pipeline benchmark on the real demo capture (5 snapshots + 2,885 deltas, 3 markets).
 *
 * 1. In-process pipeline: raw capture frames -> libs/kalshi decoder -> bus contract -> in-process transport
 *    -> ticker-plant shard (NestJS microservice, real OrderBook, BBO change detection) -> in-process
 *    transport -> detection (NestJS microservice, ArbitrageDetector). The frames loop many times; every
 *    loop starts with the capture's snapshots, so the books stay exact. No WebSocket: this is the
 *    platform's own processing rate.
 * 2. End to end with the WebSocket: `runPlatform` (mock exchange replaying over a loopback WebSocket,
 *    ingestion with seq tracking, ticker plant, detection) on the capture's book frames repeated 40 times
 *    (~116k frames), wall time from start to a drained pipeline, start-up included.
 *
 * Run: `node tools/run.cjs bench/pipeline.bench.ts`.
 */
import 'reflect-metadata';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { BookDeltaV1, BookSnapshotV1, createBusClient, createBusServer, InProcessBroker, partitionOf, subjects, type BusTransport } from '@kalshi-platform/bus';
import { decodeWsFrame } from '@kalshi-platform/kalshi';
import { startTickerPlant, tickerPlantConfig, BookRegistry } from '@kalshi-platform/feature-ticker-plant';
import { DetectionModule, DetectionService } from '@kalshi-platform/feature-detection';
import { runPlatform } from '../apps/platform/src/platform';
import { measureRateAsync, median, printHeader, report } from './harness';

const CAPTURE = path.resolve(__dirname, '../data/samples/kalshi-demo-ws-capture-2026-07-01/ws_session_orderbook_delta_fill.jsonl');

function bookLines(): string[] {
  return readFileSync(CAPTURE, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"orderbook_snapshot"') || l.includes('"orderbook_delta"'));
}

async function inProcess(): Promise<void> {
  const lines = bookLines().map((l) => Buffer.from(l));
  const broker = new InProcessBroker();
  const transport: BusTransport = { kind: 'in-process', broker };
  const tp = await startTickerPlant(tickerPlantConfig(0, 1), transport, { logger: false });
  const det = await NestFactory.createMicroservice(DetectionModule.forRoot({ restUrl: 'http://unused.invalid', takerFeeBps: 700, feeRoundingTicks: 1 }, transport), {
    strategy: createBusServer(transport),
    logger: false,
  });
  await det.listen();
  const bus = createBusClient(transport);
  const partitions = new Map<string, number>();
  let lastTs = 0;
  const loop = () => {
    for (let i = 0; i < lines.length; i++) {
      const r = decodeWsFrame(lines[i]);
      if (!r.ok) throw new Error(r.error.message);
      const f = r.value;
      if (f.type === 'orderbook_delta') {
        if (f.tsMs !== undefined) lastTs = f.tsMs;
        let p = partitions.get(f.marketTicker);
        if (p === undefined) partitions.set(f.marketTicker, (p = partitionOf(f.marketTicker)));
        const m: BookDeltaV1 = { v: 1, marketTicker: f.marketTicker, sid: f.sid, seq: f.seq, side: f.side, priceTicks: f.priceTicks, deltaCentis: f.deltaCentis, tsMs: lastTs };
        bus.emit(subjects.md(p, 'delta', f.marketTicker), m);
      } else if (f.type === 'orderbook_snapshot') {
        let p = partitions.get(f.marketTicker);
        if (p === undefined) partitions.set(f.marketTicker, (p = partitionOf(f.marketTicker)));
        const m: BookSnapshotV1 = { v: 1, marketTicker: f.marketTicker, sid: f.sid, seq: f.seq, yes: f.yes, no: f.no, tsMs: lastTs };
        bus.emit(subjects.md(p, 'snapshot', f.marketTicker), m);
      }
    }
  };
  const loops = 20;
  // handlers may finish in microtasks (NestJS's RPC pipeline); yield after every pass so all of that
  // work is inside the measurement, as it is when frames arrive from a socket
  const stats = await measureRateAsync(async () => {
    for (let k = 0; k < loops; k++) {
      loop();
      await new Promise<void>((r) => setImmediate(r));
    }
  }, loops * lines.length, 7, 2);
  const reg = tp.get(BookRegistry);
  report('pipeline in-process (decode->TP->detection)', stats, `frames/s; ${reg.status().bboPublished} BBO changes, detection consumed ${det.get(DetectionService).status().consumed}`);
  await det.close();
  await tp.close();
}

async function endToEnd(): Promise<void> {
  const lines = bookLines();
  const repeat = 40;
  const dir = mkdtempSync(path.join(tmpdir(), 'kp-bench-'));
  const file = path.join(dir, 'capture-x40.jsonl');
  // each copy starts with the same snapshots, so every loop rebuilds the books from scratch
  writeFileSync(file, Array.from({ length: repeat }, () => lines.join('\n')).join('\n') + '\n');
  const frames = lines.length * repeat;
  const rates: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    const r = await runPlatform({ capturePath: file, eventsPath: null, speed: 'max', dropFrames: 0, seed: 1, shards: 1, logLevels: [] });
    const ns = Number(process.hrtime.bigint() - t0);
    if (r.stats.deltas !== 2885 * repeat) throw new Error(`expected ${2885 * repeat} deltas, got ${r.stats.deltas}`);
    rates.push((frames * 1e9) / ns);
  }
  report('end to end over loopback WebSocket (x40)', { medianOpsPerSec: median(rates), minOpsPerSec: Math.min(...rates), maxOpsPerSec: Math.max(...rates), samples: rates.length }, `frames/s incl. start-up, ${frames} frames`);
}

/** Runs both pipeline measurements. */
export async function runPipelineBench(): Promise<void> {
  printHeader();
  await inProcess();
  if (process.env.BENCH_PIPELINE_IN_PROCESS_ONLY !== '1') await endToEnd();
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === __filename) {
  void runPipelineBench();
}
