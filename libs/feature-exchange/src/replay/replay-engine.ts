/**
 * The replay engine of the mock exchange: walks a recorded capture in order, applies every order book
 * frame to the exchange's own true books (libs/market OrderBook), and hands each frame to a sink (the
 * WebSocket gateway) that fans it out to subscribers. Pacing: `max` (as fast as the subscribers' sockets
 * drain) or `realtime` (by the frames' recorded `ts_ms`, optionally scaled).
 */
import { ANY_TICK, OrderBook } from '@kalshi-platform/market';
import type { FillFrame, OrderbookDeltaFrame } from '@kalshi-platform/kalshi';
import type { Capture, CaptureFrame } from './capture';

/** Receives the replay's frames (implemented by the WebSocket gateway). */
export interface ReplaySink {
  /** a market's true book was replaced by a recorded snapshot */
  onBookReset(marketTicker: string, tsMs: number): void;
  /** a recorded delta was applied to the true book; `dropped` = do not send it on the wire (seq still advances) */
  onDelta(frame: OrderbookDeltaFrame, tsMs: number, dropped: boolean): void;
  /** a recorded own-account fill */
  onFill(frame: FillFrame, raw: string): void;
  /** a recorded line that does not decode: replayed verbatim, as it was on the wire */
  onMalformed(raw: string): void;
  /** bytes waiting in subscriber sockets (for backpressure) */
  bufferedBytes(): number;
}

export type ReplaySpeed = 'max' | 'realtime';
export type ReplayState = 'waiting' | 'running' | 'done';

export interface ReplayOptions {
  speed: ReplaySpeed;
  /** capture indices of delta frames to drop on the wire */
  dropFrames?: Set<number>;
  /** with `realtime`, replay this many times faster than recorded (default 1) */
  realtimeFactor?: number;
  /** frames processed per event-loop turn in `max` mode (default 256) */
  batchSize?: number;
}

/** Counters of a replay. */
export interface ReplayStats {
  framesTotal: number;
  framesReplayed: number;
  snapshots: number;
  deltas: number;
  deltasDropped: number;
  fills: number;
  /** deltas the true book refused (would make a size negative): the book is then invalid until the next snapshot */
  invalidDeltas: number;
  /** undecodable recorded lines sent verbatim */
  malformedReplayed: number;
  startedAtMs: number | null;
  finishedAtMs: number | null;
}

const HIGH_WATER_BYTES = 8 * 1024 * 1024;

/** See the module docstring. */
export class ReplayEngine {
  readonly books = new Map<string, OrderBook>();
  state: ReplayState = 'waiting';
  readonly stats: ReplayStats;
  private position = 0;
  private malformedPos = 0;
  private readonly doneWaiters: Array<() => void> = [];
  private sink: ReplaySink | null = null;
  private stopped = false;

  constructor(
    readonly capture: Capture,
    private readonly opts: ReplayOptions,
  ) {
    this.stats = {
      framesTotal: capture.frames.length,
      framesReplayed: 0,
      snapshots: 0,
      deltas: 0,
      deltasDropped: 0,
      fills: 0,
      invalidDeltas: 0,
      malformedReplayed: 0,
      startedAtMs: null,
      finishedAtMs: null,
    };
  }

  /** Connects the sink; must be called before `start`. */
  attach(sink: ReplaySink): void {
    this.sink = sink;
  }

  /** The exchange time of the replay position (ts_ms of the last replayed frame, carried forward). */
  get clockTsMs(): number {
    return this.position > 0 ? this.capture.frames[this.position - 1].tsMs : 0;
  }

  /** Starts replaying (idempotent). */
  start(): void {
    if (this.state !== 'waiting') return;
    if (!this.sink) throw new Error('replay engine has no sink attached');
    this.state = 'running';
    this.stats.startedAtMs = Date.now();
    void this.run();
  }

  /** Stops the replay where it is (for shutdown). */
  stop(): void {
    this.stopped = true;
    this.finish();
  }

  /** Resolves when the whole capture has been replayed. */
  whenDone(): Promise<void> {
    if (this.state === 'done') return Promise.resolve();
    return new Promise((resolve) => this.doneWaiters.push(resolve));
  }

  private finish(): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.stats.finishedAtMs = Date.now();
    for (const w of this.doneWaiters.splice(0)) w();
  }

  private async run(): Promise<void> {
    const frames = this.capture.frames;
    const batch = this.opts.batchSize ?? 256;
    const factor = this.opts.realtimeFactor ?? 1;
    const wallStart = Date.now();
    const firstTs = frames.find((f) => f.tsMs > 0)?.tsMs ?? 0;
    while (this.position < frames.length && !this.stopped) {
      if (this.opts.speed === 'realtime') {
        const f = frames[this.position];
        const dueWall = wallStart + (f.tsMs > 0 ? (f.tsMs - firstTs) / factor : 0);
        const wait = dueWall - Date.now();
        if (wait > 0) await sleep(Math.min(wait, 1000));
        if (Date.now() < dueWall) continue;
        this.step(f);
        continue;
      }
      const end = Math.min(frames.length, this.position + batch);
      while (this.position < end) this.step(frames[this.position]);
      while (this.sink!.bufferedBytes() > HIGH_WATER_BYTES && !this.stopped) await sleep(2);
      await new Promise<void>((r) => setImmediate(r));
    }
    this.finish();
  }

  private step(cf: CaptureFrame): void {
    const bad = this.capture.malformed;
    while (this.malformedPos < bad.length && bad[this.malformedPos].beforeFrame <= cf.index) {
      this.stats.malformedReplayed++;
      this.sink!.onMalformed(bad[this.malformedPos++].raw);
    }
    this.position++;
    this.stats.framesReplayed++;
    const f = cf.frame;
    const sink = this.sink!;
    if (f.type === 'orderbook_snapshot') {
      let book = this.books.get(f.marketTicker);
      if (!book) {
        book = new OrderBook(f.marketTicker, ANY_TICK); // the recording's exchange enforced the grid
        this.books.set(f.marketTicker, book);
      }
      book.applySnapshot(f.yes, f.no);
      this.stats.snapshots++;
      sink.onBookReset(f.marketTicker, cf.tsMs);
    } else if (f.type === 'orderbook_delta') {
      const book = this.books.get(f.marketTicker);
      this.stats.deltas++;
      if (!book) {
        this.stats.invalidDeltas++;
        return;
      }
      const outcome = book.applyDelta(f.side, f.priceTicks, f.deltaCentis);
      if (outcome !== 'applied') this.stats.invalidDeltas++;
      const dropped = this.opts.dropFrames?.has(cf.index) ?? false;
      if (dropped) this.stats.deltasDropped++;
      sink.onDelta(f, cf.tsMs, dropped);
    } else if (f.type === 'fill') {
      this.stats.fills++;
      sink.onFill(f, cf.raw);
    }
    // subscribed / ok / other frames were replies to the recording client: not replayed
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
