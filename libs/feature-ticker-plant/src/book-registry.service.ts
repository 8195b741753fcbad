/**
 * The ticker plant's books: one libs/market OrderBook per market of the shard's partitions, rebuilt from
 * ingestion's snapshots and deltas. After every change it publishes the applied level
 * (`book.v1.p<k>.delta.<ticker>`, new absolute size) and, when the top of book moved, the BBO
 * (`book.v1.p<k>.bbo.<ticker>`); a snapshot publishes the whole book (`book.v1.p<k>.snapshot.<ticker>`).
 * A malformed message is counted and skipped, never thrown.
 *
 * Each BBO it publishes is also, when provided, written to the tick store (`kalshi_bbo`, an empty or invalid side as
 * NULL) and to the hot cache as the market's latest BBO (an empty side as price 0 / ask 10000 with size 0; an invalid
 * book has both sides empty, so a stale price never leaks). Failures are counted in `status()`, never thrown.
 * A BBO known only with no exchange time (ts 0: Kalshi's snapshots carry none, and the feed has not seen a timed
 * frame yet) is held and stored with the next exchange time the shard sees, so replays stay deterministic and no
 * row lands in 1970.
 *
 * With the KV-assigned plant (./handoff.service.ts) the partitions it owns change at run time (`own` / `disown`), and a
 * gained partition is first rebuilt with `replay`: the message is applied to the book exactly as `onMarketData` would,
 * but nothing is published or stored, and the "last published" top of book is updated as if it had been, because the
 * previous owner did publish it. The next live message then publishes exactly what one uninterrupted shard would have.
 *
 * Metrics (libs/telemetry): its counters and books are read at scrape time (`kalshi_tickerplant_*{shard}`,
 * `kalshi_bus_*_total{app="ticker-plant"}`, the tick store's); each live message is timed
 * (`kalshi_stage_latency_seconds{stage="ticker_plant"}`: applied and published; with the in-process transport this
 * includes the subscribers of what it publishes) and its `tsMs` gives `kalshi_bus_consume_lag_seconds`.
 */
import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import {
  BboV1,
  BookLevelV1,
  BookSnapshotV1,
  BUS_CLIENT,
  ContractError,
  decodeBookDeltaV1,
  decodeBookSnapshotV1,
  decodeBookStaleV1,
  partitionOf,
  subjects,
  TickerPlantBooksV1,
  TickerPlantStatusV1,
} from '@kalshi-platform/bus';
import { ANY_TICK, NO_PRICE, OrderBook, OrderBookError, PRICE_SCALE } from '@kalshi-platform/market';
import { HOT_CACHE, TICK_STORE, type BboRow, type HotCache, type TickStore } from '@kalshi-platform/storage';
import { payloadTsMs, registerCollector, registerTickStore, stageProbe, type Unregister } from '@kalshi-platform/telemetry';
import { TICKER_PLANT_CONFIG } from './tokens';
import type { TickerPlantConfig } from './ticker-plant.config';

interface Entry {
  book: OrderBook;
  partition: number;
  /** last published top of book */
  yesBid: number;
  yesBidSize: number;
  noBid: number;
  noBidSize: number;
  valid: boolean;
}

@Injectable()
export class BookRegistry implements OnModuleDestroy {
  private readonly logger = new Logger('ticker-plant');
  private readonly books = new Map<string, Entry>();
  private readonly owned: Set<number>;
  private shardCount: number;
  /** true while `replay` applies a message: nothing is published or stored */
  private silent = false;
  /** messages applied live (published for); a replayed message is counted in `replayed` instead */
  consumed = 0;
  /** messages applied silently to rebuild a gained partition (hand-off) */
  replayed = 0;
  rejected = 0;
  published = 0;
  bboPublished = 0;
  notOwned = 0;
  ticksWritten = 0;
  ticksRefused = 0;
  cacheErrors = 0;
  /** BBO rows of markets whose book changed before any message carried an exchange time (latest per market) */
  private readonly untimedBbo = new Map<string, BboRow>();
  private readonly stage = stageProbe('ticker_plant');
  private readonly unregister: Unregister[] = [];

  constructor(
    @Inject(TICKER_PLANT_CONFIG) private readonly cfg: TickerPlantConfig,
    @Inject(BUS_CLIENT) private readonly bus: ClientProxy,
    @Optional() @Inject(TICK_STORE) private readonly ticks: TickStore | null = null,
    @Optional() @Inject(HOT_CACHE) private readonly cache: HotCache | null = null,
  ) {
    this.owned = new Set(cfg.partitions);
    this.shardCount = cfg.shardCount;
    this.unregister.push(
      registerCollector(
        'ticker-plant',
        () => {
          let invalidBooks = 0;
          for (const e of this.books.values()) if (!e.book.valid) invalidBooks++;
          return { shard: cfg.shardIndex, published: this.published, consumed: this.consumed, bboPublished: this.bboPublished, books: this.books.size, partitions: this.owned.size, invalidBooks };
        },
        this,
      ),
    );
    if (ticks !== null) this.unregister.push(registerTickStore(ticks));
  }

  /** Stops reporting metrics (its counters stay counted). */
  onModuleDestroy(): void {
    for (const u of this.unregister.splice(0)) u();
  }

  /** Starts owning partition p (hand-off): its markets' messages are accepted. */
  own(p: number): void {
    this.owned.add(p);
  }

  /** Stops owning partition p (hand-off): its books are dropped; later messages of it are ignored (counted `notOwned`). */
  disown(p: number): void {
    this.owned.delete(p);
    for (const [t, e] of this.books) {
      if (e.partition === p) {
        this.books.delete(t);
        this.untimedBbo.delete(t);
      }
    }
  }

  /** The partitions owned now, ascending. */
  ownedPartitions(): number[] {
    return [...this.owned].sort((a, b) => a - b);
  }

  /** Shards in the plant, as the assignment says (status only). */
  setShardCount(n: number): void {
    this.shardCount = n;
  }

  /**
   * Applies a market-data message without publishing or storing anything (rebuild of a gained partition from the
   * stream, up to the hand-off cut). Never throws.
   */
  replay(subject: string, data: unknown): void {
    this.silent = true;
    try {
      this.apply(subject, data);
    } finally {
      this.silent = false;
    }
  }

  /** Handles one market-data message; `subject` is `md.v1.p<k>.<kind>.<ticker>`. Never throws. */
  onMarketData(subject: string, data: unknown): void {
    const t0 = this.stage.begin(payloadTsMs(data));
    this.apply(subject, data);
    this.stage.end(t0);
  }

  private apply(subject: string, data: unknown): void {
    if (this.silent) this.replayed++;
    else this.consumed++;
    try {
      const kindStart = subject.indexOf('.', 6) + 1; // after "md.v1.p<k>."
      const kind = subject.slice(kindStart, subject.indexOf('.', kindStart));
      if (kind === 'delta') this.onDelta(data);
      else if (kind === 'snapshot') this.onSnapshot(data);
      else if (kind === 'stale') this.onStale(data);
      else throw new ContractError('md.v1', `unknown message kind "${kind}" on ${subject}`);
    } catch (e) {
      if (this.silent) return; // counted (and logged) by the shard that applied it live
      this.rejected++;
      if (this.rejected <= 20 || this.rejected % 1000 === 0) {
        this.logger.warn(`rejected message on ${subject} (${this.rejected} so far): ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private entry(ticker: string): Entry | null {
    let e = this.books.get(ticker);
    if (!e) {
      const partition = partitionOf(ticker, this.cfg.partitionCount);
      if (!this.owned.has(partition)) {
        this.notOwned++;
        return null;
      }
      e = { book: new OrderBook(ticker, ANY_TICK), partition, yesBid: -2, yesBidSize: -1, noBid: -2, noBidSize: -1, valid: false };
      this.books.set(ticker, e);
    }
    return e;
  }

  private onSnapshot(data: unknown): void {
    const m = decodeBookSnapshotV1(data);
    const e = this.entry(m.marketTicker);
    if (!e) return;
    try {
      e.book.applySnapshot(m.yes, m.no);
    } catch (err) {
      if (err instanceof OrderBookError && !this.silent) this.logger.warn(`snapshot refused for ${m.marketTicker}: ${err.message}`);
      this.publishBbo(e, m.tsMs);
      throw err;
    }
    if (!this.silent) {
      const snap: BookSnapshotV1 = { v: 1, marketTicker: m.marketTicker, sid: m.sid, seq: m.seq, yes: e.book.levels('yes'), no: e.book.levels('no'), tsMs: m.tsMs };
      this.bus.emit(subjects.book(e.partition, 'snapshot', m.marketTicker), snap);
      this.published++;
    }
    this.publishBbo(e, m.tsMs);
  }

  private onDelta(data: unknown): void {
    const m = decodeBookDeltaV1(data);
    const e = this.entry(m.marketTicker);
    if (!e) return;
    const outcome = e.book.applyDelta(m.side, m.priceTicks, m.deltaCentis);
    if (outcome === 'applied' && !this.silent) {
      const level: BookLevelV1 = { v: 1, marketTicker: m.marketTicker, side: m.side, priceTicks: m.priceTicks, sizeCentis: e.book.sizeAt(m.side, m.priceTicks), tsMs: m.tsMs };
      this.bus.emit(subjects.book(e.partition, 'delta', m.marketTicker), level);
      this.published++;
    } else if (outcome === 'invalidated' && !this.silent) {
      this.logger.warn(`delta invalidated ${m.marketTicker} (${e.book.invalidReason ?? 'unknown'}): awaiting a snapshot`);
    }
    this.publishBbo(e, m.tsMs);
  }

  private onStale(data: unknown): void {
    const m = decodeBookStaleV1(data);
    const e = this.entry(m.marketTicker);
    if (!e) return;
    e.book.markStale();
    this.publishBbo(e, m.tsMs);
  }

  /** Publishes the BBO when the top of book or validity changed since the last publication (replay: records it only). */
  private publishBbo(e: Entry, tsMs: number): void {
    const b = e.book;
    const valid = b.valid;
    const yesBid = b.yesBidTicks;
    const yesBidSize = b.yesBidSizeCentis;
    const noBid = b.noBidTicks;
    const noBidSize = b.noBidSizeCentis;
    if (valid === e.valid && yesBid === e.yesBid && yesBidSize === e.yesBidSize && noBid === e.noBid && noBidSize === e.noBidSize) return;
    e.valid = valid;
    e.yesBid = yesBid;
    e.yesBidSize = yesBidSize;
    e.noBid = noBid;
    e.noBidSize = noBidSize;
    if (this.silent) return;
    const msg: BboV1 = { v: 1, marketTicker: b.marketTicker, valid, yesBidTicks: yesBid, yesBidSizeCentis: yesBidSize, noBidTicks: noBid, noBidSizeCentis: noBidSize, tsMs };
    this.bus.emit(subjects.book(e.partition, 'bbo', b.marketTicker), msg);
    this.published++;
    this.bboPublished++;
    if (this.ticks !== null || this.cache !== null) this.storeBbo(b.marketTicker, valid, yesBid, yesBidSize, noBid, noBidSize, tsMs);
  }

  private storeRow(row: BboRow): void {
    if (this.ticks!.write(row)) this.ticksWritten++;
    else this.ticksRefused++;
  }

  private storeBbo(ticker: string, valid: boolean, yesBid: number, yesBidSize: number, noBid: number, noBidSize: number, tsMs: number): void {
    const hasBid = valid && yesBid !== NO_PRICE;
    const hasAsk = valid && noBid !== NO_PRICE;
    if (this.ticks !== null) {
      const row: BboRow = {
        table: 'kalshi_bbo',
        marketTicker: ticker,
        yesBidTicks: hasBid ? yesBid : null,
        yesBidSizeCentis: hasBid ? yesBidSize : null,
        yesAskTicks: hasAsk ? PRICE_SCALE - noBid : null,
        yesAskSizeCentis: hasAsk ? noBidSize : null,
        ts: tsMs,
      };
      if (tsMs <= 0) {
        // no exchange time yet (Kalshi's snapshots carry none): held, written with the next known time
        this.untimedBbo.set(ticker, row);
      } else {
        if (this.untimedBbo.size > 0) {
          for (const held of this.untimedBbo.values()) if (held.marketTicker !== ticker) this.storeRow({ ...held, ts: tsMs });
          this.untimedBbo.clear();
        }
        this.storeRow(row);
      }
    }
    if (this.cache !== null) {
      const bbo = {
        yesBidTicks: hasBid ? yesBid : 0,
        yesBidSizeCentis: hasBid ? yesBidSize : 0,
        yesAskTicks: hasAsk ? PRICE_SCALE - noBid : PRICE_SCALE,
        yesAskSizeCentis: hasAsk ? noBidSize : 0,
        tsMs,
      };
      this.cache.setBbo(ticker, bbo).catch((err: Error) => {
        if (this.cacheErrors++ < 5) this.logger.warn(`hot cache: latest BBO of ${ticker} not stored: ${err.message}`);
      });
    }
  }

  status(): TickerPlantStatusV1 {
    let invalid = 0;
    for (const e of this.books.values()) if (!e.book.valid) invalid++;
    return {
      v: 1,
      shardIndex: this.cfg.shardIndex,
      shardCount: this.shardCount,
      partitions: this.ownedPartitions(),
      books: this.books.size,
      consumed: this.consumed,
      rejected: this.rejected,
      published: this.published,
      bboPublished: this.bboPublished,
      invalidBooks: invalid,
      ...(this.ticks !== null ? { ticksWritten: this.ticksWritten, ticksRefused: this.ticksRefused } : {}),
      ...(this.cache !== null ? { cacheErrors: this.cacheErrors } : {}),
    };
  }

  /** Every book of the shard, ladders ascending as Kalshi sends them. */
  snapshot(): TickerPlantBooksV1 {
    const books: TickerPlantBooksV1['books'] = {};
    for (const [t, e] of this.books) books[t] = { valid: e.book.valid, yes: e.book.levels('yes'), no: e.book.levels('no') };
    return { v: 1, shardIndex: this.cfg.shardIndex, books };
  }
}
