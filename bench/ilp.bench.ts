/**
 * Tick store ILP encoding benchmark (issue: "`npm run bench` grows: ILP encoding rows/s of the tick store", target
 * >= 1M rows/s encoded): rows -> the ILP/HTTP request bodies `QuestDbTickWriter` would POST, no network.
 *
 * Data:
 * - `capture`: the Kalshi demo WebSocket capture of 2026-07-01, decoded as `kalshi-platform replay` does
 *   (`decodeWsFrame` + `frameToRow`): 2,885 `kalshi_orderbook_deltas` rows over 3 markets (its only stored frames);
 * - `trades`: one `kalshi_trades` row per capture delta (same markets, prices, sizes and timestamps, a random v4
 *   UUID trade id, the capture's two fill ids first);
 * - `7-table mix`: capture deltas interleaved with trades, BBO (some NULL sides), ticker, markets, sportsbook odds
 *   and arbitrage rows (60/15/10/8/2/3/2 %) with realistic values; bigint-ns timestamps on a third of the rows.
 *
 * Paths, side by side on the same rows, in batches of 1,000 rows (the writer's default `batchRows`), one
 * request body (Buffer) per batch:
 * - `official Sender`: what the writer did before: `await appendTickRow(sender, row)` per row
 *   (`@questdb/nodejs-client` 4.2.0 `Sender`, protocol v1, auto_flush off), then the Sender's buffer
 *   `toBufferNew()` (the bytes `flush()` would send);
 * - `official SenderBuffer`: the same client's `SenderBuffer`, synchronously (`appendTickRowToBuffer`, no per-row
 *   promise), 1 MiB `init_buf_size` (no growth);
 * - `ours`: `encodeTickRows` (libs/storage/src/ticks/ilp-rows.ts), what the writer uses now.
 * The three bodies are compared byte for byte before timing (the run fails if they differ).
 *
 * Reports rows/s median [min .. max] over samples and MB/s (median rows/s x bytes per row).
 *
 * Run: `node tools/run.cjs bench/ilp.bench.ts` (alone) or `npm run bench` (all benchmarks).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createBuffer, Sender, SenderOptions, type SenderBuffer } from '@questdb/nodejs-client';
import { decodeWsFrame } from '@kalshi-platform/kalshi';
import { frameToRow, type TickRow } from '@kalshi-platform/storage';
import { appendTickRow, appendTickRowToBuffer, encodeTickRows } from '../libs/storage/src/ticks/ilp-rows';
import { measureRate, measureRateAsync, printHeader, prng, report, type SampleStats } from './harness';

const CAPTURE = path.resolve(__dirname, '../data/samples/kalshi-demo-ws-capture-2026-07-01/ws_session_orderbook_delta_fill.jsonl');
const BATCH = 1_000;

interface Capture {
  deltas: TickRow[];
  fillIds: string[];
}

function decodeCapture(file: string): Capture {
  const deltas: TickRow[] = [];
  const fillIds: string[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const r = decodeWsFrame(line);
    if (!r.ok) continue;
    if (r.value.type === 'fill') fillIds.push((JSON.parse(line) as { msg: { trade_id: string } }).msg.trade_id);
    const row = frameToRow(r.value);
    if (row) deltas.push(row);
  }
  return { deltas, fillIds };
}

function uuid(rnd: () => number): string {
  const hex = (n: number): string =>
    Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(rnd() * 4)]}${hex(3)}-${hex(12)}`;
}

function tradesFrom(c: Capture, rnd: () => number): TickRow[] {
  return c.deltas.map((d, k) => {
    if (d.table !== 'kalshi_orderbook_deltas') throw new Error('capture rows must be deltas');
    const yes = d.side === 'yes' ? d.priceTicks : 10_000 - d.priceTicks;
    return {
      table: 'kalshi_trades',
      tradeId: c.fillIds[k] ?? uuid(rnd),
      marketTicker: d.marketTicker,
      yesPriceTicks: yes,
      countCentis: Math.max(1, Math.abs(d.deltaCentis)),
      takerSide: rnd() < 0.5 ? 'yes' : 'no',
      ts: d.ts,
    };
  });
}

function mixFrom(c: Capture, trades: TickRow[], rnd: () => number): TickRow[] {
  const tickers = [...new Set(c.deltas.map((d) => (d as { marketTicker: string }).marketTicker))];
  const out: TickRow[] = [];
  const n = c.deltas.length;
  for (let k = 0; k < n; k++) {
    const d = c.deltas[k];
    const ms = Number(d.ts);
    const ts = k % 3 === 0 ? BigInt(ms) * 1_000_000n + BigInt(Math.floor(rnd() * 1e6)) : ms;
    const t = tickers[k % tickers.length];
    const price = 100 + Math.floor(rnd() * 9_800);
    const u = rnd();
    if (u < 0.6) out.push({ ...d, ts });
    else if (u < 0.75) out.push({ ...trades[k], ts });
    else if (u < 0.85)
      out.push({
        table: 'kalshi_bbo',
        marketTicker: t,
        yesBidTicks: rnd() < 0.1 ? null : price,
        yesBidSizeCentis: rnd() < 0.1 ? null : Math.floor(rnd() * 10_000_000),
        yesAskTicks: rnd() < 0.1 ? null : price + 100,
        yesAskSizeCentis: rnd() < 0.1 ? null : Math.floor(rnd() * 10_000_000),
        ts,
      });
    else if (u < 0.93)
      out.push({
        table: 'kalshi_ticker',
        marketTicker: t,
        yesBidTicks: price,
        yesAskTicks: price + 100,
        lastPriceTicks: rnd() < 0.2 ? null : price + 50,
        volumeCentis: Math.floor(rnd() * 1e10),
        openInterestCentis: Math.floor(rnd() * 1e9),
        ts,
      });
    else if (u < 0.95)
      out.push({
        table: 'kalshi_markets',
        marketTicker: t,
        eventTicker: t.slice(0, t.lastIndexOf('-')),
        seriesTicker: rnd() < 0.5 ? null : t.slice(0, t.indexOf('-')),
        status: 'active',
        title: 'Will the Miami Heat, Cleveland or Golden State be "next" for LeBron? (2026)',
        closeTs: rnd() < 0.2 ? null : ms + 86_400_000,
        ts,
      });
    else if (u < 0.98)
      out.push({
        table: 'sportsbook_odds',
        eventId: 'e912304de2b2ce35b473ce2ecd43d502',
        sportKey: 'basketball_nba',
        bookmaker: rnd() < 0.5 ? 'draftkings' : 'fanduel',
        market: 'h2h',
        outcome: rnd() < 0.5 ? 'Miami Heat' : 'Golden State Warriors',
        priceAmerican: rnd() < 0.5 ? -110 - Math.floor(rnd() * 200) : 100 + Math.floor(rnd() * 300),
        commenceTs: ms + 3_600_000,
        ts,
      });
    else
      out.push({
        table: 'arb_opportunities',
        kind: 'basket_yes',
        episodeKey: 'basket_yes:' + t.slice(0, t.lastIndexOf('-')),
        eventTicker: t.slice(0, t.lastIndexOf('-')),
        change: 'opened',
        legs: JSON.stringify(tickers.map((m) => ({ market_ticker: m, side: 'yes', action: 'buy', price_ticks: 1000 + Math.floor(rnd() * 8000) }))),
        maxGrossEdgeTicks: Math.floor(rnd() * 600),
        maxNetEdgeTicks: Math.floor(rnd() * 300),
        openedTs: ms,
        ts,
      });
  }
  return out;
}

/** Batches of `BATCH` rows -> request bodies, with our encoder. */
function encodeOurs(rows: TickRow[]): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < rows.length; i += BATCH) out.push(encodeTickRows(rows, i, Math.min(rows.length, i + BATCH)));
  return out;
}

/** Batches -> request bodies through the official SenderBuffer, synchronously. */
function encodeOfficialBuffer(buf: SenderBuffer, rows: TickRow[]): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < rows.length; i += BATCH) {
    buf.reset();
    const end = Math.min(rows.length, i + BATCH);
    for (let k = i; k < end; k++) appendTickRowToBuffer(buf, rows[k]);
    out.push(buf.toBufferNew() ?? Buffer.alloc(0));
  }
  return out;
}

/** Batches -> request bodies through the official Sender, `await` per row, as the writer did before. */
async function encodeOfficialSender(sender: Sender, rows: TickRow[]): Promise<Buffer[]> {
  // The Sender's buffer is private; `flush()` would send `buffer.toBufferNew()`: read it directly (no network).
  const inner = (sender as unknown as { buffer: SenderBuffer }).buffer;
  const out: Buffer[] = [];
  for (let i = 0; i < rows.length; i += BATCH) {
    sender.reset();
    const end = Math.min(rows.length, i + BATCH);
    for (let k = i; k < end; k++) await appendTickRow(sender, rows[k]);
    out.push(inner.toBufferNew() ?? Buffer.alloc(0));
  }
  return out;
}

const totalBytes = (bufs: Buffer[]): number => bufs.reduce((a, b) => a + b.length, 0);

function line(label: string, stats: SampleStats, bytesPerRow: number, extra = ''): void {
  report(label, stats, `${((stats.medianOpsPerSec * bytesPerRow) / 1e6).toFixed(0).padStart(4)} MB/s${extra}`);
}

/** Runs the ILP encoding benchmark and prints its report (see the file header). */
export async function runIlpBench(): Promise<void> {
  printHeader();
  if (!fs.existsSync(CAPTURE)) throw new Error(`capture not found: ${CAPTURE}`);
  const capture = decodeCapture(CAPTURE);
  const rnd = prng(20260701);
  const trades = tradesFrom(capture, rnd);
  const mix = mixFrom(capture, trades, rnd);
  const sender = await Sender.fromConfig('http::addr=127.0.0.1:9;protocol_version=1;auto_flush=off;stdlib_http=on;', { log: () => undefined });
  const senderBuffer = createBuffer(await SenderOptions.fromConfig('http::addr=127.0.0.1:9;protocol_version=1;init_buf_size=1048576;'));
  console.log(
    `data: ${path.relative(process.cwd(), CAPTURE)} -> ${capture.deltas.length} delta rows (replay mapping); batches of ${BATCH} rows, one request body each`,
  );

  const sets: [string, TickRow[]][] = [
    ['capture (deltas)', capture.deltas],
    ['trades', trades],
    ['7-table mix', mix],
  ];
  for (const [name, rows] of sets) {
    // Same bytes from the three paths, or the comparison is meaningless.
    const ours = Buffer.concat(encodeOurs(rows));
    const viaBuffer = Buffer.concat(encodeOfficialBuffer(senderBuffer, rows));
    const viaSender = Buffer.concat(await encodeOfficialSender(sender, rows));
    if (!ours.equals(viaBuffer) || !ours.equals(viaSender)) throw new Error(`${name}: encoders disagree on the bytes`);
    const bpr = ours.length / rows.length;
    console.log(`\n## ${name}: ${rows.length} rows, ${bpr.toFixed(1)} bytes/row, identical bytes from the 3 paths`);

    const repsSender = Math.max(1, Math.round(30_000 / rows.length));
    const official = await measureRateAsync(
      async () => {
        for (let r = 0; r < repsSender; r++) await encodeOfficialSender(sender, rows);
      },
      repsSender * rows.length,
      7,
      1,
    );
    line(`ilp ${name}: official Sender (await at)`, official, bpr);

    const repsBuf = Math.max(1, Math.round(30_000 / rows.length));
    const buf = measureRate(
      () => {
        for (let r = 0; r < repsBuf; r++) encodeOfficialBuffer(senderBuffer, rows);
      },
      repsBuf * rows.length,
      7,
      1,
    );
    line(`ilp ${name}: official SenderBuffer (sync)`, buf, bpr, `  x${(buf.medianOpsPerSec / official.medianOpsPerSec).toFixed(2)} vs Sender`);

    const repsOurs = Math.max(1, Math.round(500_000 / rows.length));
    const mine = measureRate(
      () => {
        let bytes = 0;
        for (let r = 0; r < repsOurs; r++) bytes += totalBytes(encodeOurs(rows));
        if (bytes === 0) throw new Error('nothing encoded');
      },
      repsOurs * rows.length,
      11,
      3,
    );
    line(`ilp ${name}: ours (encodeTickRows)`, mine, bpr, `  x${(mine.medianOpsPerSec / official.medianOpsPerSec).toFixed(2)} vs Sender, x${(mine.medianOpsPerSec / buf.medianOpsPerSec).toFixed(2)} vs SenderBuffer`);
  }
  await sender.close();
}

if (require.main === module || path.resolve(process.argv[1] ?? '') === __filename) {
  runIlpBench().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
