/**
 * One side of a price-time priority book: price levels indexed directly by price, each a FIFO queue of resting
 * orders (an intrusive doubly linked list, so that a cancel anywhere in the queue is O(1)), plus a bitmap of the
 * non-empty levels so that the next best level after the best one empties is found with a handful of word scans
 * (`Math.clz32`) instead of a walk over empty prices.
 *
 * Used by {@link MatchingEngine} (one YES-bid and one YES-ask ladder per market) and by the lean
 * {@link LimitOrderBook}. Pure data structure: no accounts, no events, no validation beyond programmer errors.
 *
 * Prices are integers; a ladder of `slots` levels with `step` accepts prices `step x k` for `k` in `0..slots-1`
 * (for Kalshi books: step 10 ticks = $0.001, the finest tick of any price level structure, and 1001 slots for
 * $0.000..$1.000; a linear-cent market simply never uses the in-between slots).
 */
import type { BookOrder } from './book-order';

/** One price level: a FIFO queue of resting orders at `price` and their aggregate remaining size. */
export class Level {
  /** Oldest order (first to fill). */
  head: BookOrder | null = null;
  /** Newest order. */
  tail: BookOrder | null = null;
  /** Sum of `remaining` over the queue (centis for the engine). */
  size = 0;
  /** Number of orders in the queue. */
  count = 0;
  constructor(
    /** Price of the level (ticks for the engine, YES terms). */
    readonly price: number,
    /** Slot index in the ladder (price / step). */
    readonly index: number,
  ) {}
}

/** Thrown on a programmer error in ladder use (a price off the ladder's grid, removing an order that is not resting). */
export class LadderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LadderError';
  }
}

/**
 * One side (bids or asks) of a price-time priority book.
 * Best price: highest for bids, lowest for asks. Within a level, orders fill in arrival order (the queue order).
 */
export class PriceLadder {
  /** Levels by slot index; allocated on first use and kept (an empty level costs one small object). */
  readonly levels: (Level | undefined)[];
  private readonly bits: Uint32Array;
  /** Slot index of the best non-empty level, or -1 when the side is empty. */
  bestIndex = -1;
  /** Number of resting orders on this side. */
  orderCount = 0;

  /**
   * @param isBid true for a bid ladder (best = highest price), false for an ask ladder (best = lowest)
   * @param slots number of price slots (prices `0 .. (slots-1) x step`)
   * @param step price distance between slots
   */
  constructor(
    readonly isBid: boolean,
    readonly slots = 1001,
    readonly step = 10,
  ) {
    this.levels = new Array<Level | undefined>(slots);
    this.bits = new Uint32Array((slots + 31) >>> 5);
  }

  /** Best price, or -1 when the side is empty. */
  get bestPrice(): number {
    return this.bestIndex < 0 ? -1 : this.bestIndex * this.step;
  }

  /** The best level, or undefined when the side is empty. */
  bestLevel(): Level | undefined {
    return this.bestIndex < 0 ? undefined : this.levels[this.bestIndex];
  }

  /** The level at `price` if it has ever been used (it may be empty), else undefined. */
  levelAt(price: number): Level | undefined {
    return this.levels[price / this.step];
  }

  /**
   * Appends `order` (with `order.remaining > 0`) at the tail of the queue at `price` (it becomes the newest order there).
   * @throws LadderError if `price` is not on the ladder's grid.
   */
  append(order: BookOrder, price: number): Level {
    const index = price / this.step;
    if (!(index >= 0 && index < this.slots && Number.isInteger(index))) throw new LadderError(`price ${price} is not on the ladder grid (step ${this.step}, ${this.slots} slots)`);
    let level = this.levels[index];
    if (level === undefined) {
      level = new Level(price, index);
      this.levels[index] = level;
    }
    order.next = null;
    order.prev = level.tail;
    if (level.tail === null) {
      level.head = order;
      this.bits[index >>> 5] |= 1 << (index & 31);
      if (this.bestIndex < 0 || (this.isBid ? index > this.bestIndex : index < this.bestIndex)) this.bestIndex = index;
    } else {
      level.tail.next = order;
    }
    level.tail = order;
    level.size += order.remaining;
    level.count++;
    this.orderCount++;
    return level;
  }

  /**
   * Unlinks `order` (resting on this ladder at `order.yesPrice`) from its level, at any position in the queue. The
   * level's size drops by `order.remaining`.
   * @throws LadderError if no order rests at that price (the caller must only remove resting orders).
   */
  remove(order: BookOrder): void {
    const level = this.levels[order.yesPrice / this.step];
    if (level === undefined || level.count === 0) throw new LadderError(`order ${order.orderId} is not resting at ${order.yesPrice}`);
    const prev = order.prev;
    const next = order.next;
    if (prev === null) level.head = next;
    else prev.next = next;
    if (next === null) level.tail = prev;
    else next.prev = prev;
    order.prev = null;
    order.next = null;
    level.size -= order.remaining;
    level.count--;
    this.orderCount--;
    if (level.head === null) this.clearSlot(level.index);
  }

  /** Lowers the level size after `order.remaining` was reduced by `qty` (the order keeps its place in the queue). @returns the level. */
  shrink(order: BookOrder, qty: number): Level {
    const level = this.levels[order.yesPrice / this.step] as Level;
    level.size -= qty;
    return level;
  }

  private clearSlot(index: number): void {
    this.bits[index >>> 5] &= ~(1 << (index & 31));
    if (index !== this.bestIndex) return;
    this.bestIndex = this.isBid ? this.highestSetAtOrBelow(index) : this.lowestSetAtOrAbove(index);
  }

  private highestSetAtOrBelow(index: number): number {
    const bits = this.bits;
    let w = index >>> 5;
    const shift = 31 - (index & 31);
    let m = shift === 0 ? bits[w] : bits[w] & (0xffffffff >>> shift);
    while (m === 0) {
      if (--w < 0) return -1;
      m = bits[w];
    }
    return (w << 5) + 31 - Math.clz32(m);
  }

  private lowestSetAtOrAbove(index: number): number {
    const bits = this.bits;
    let w = index >>> 5;
    let m = bits[w] & (0xffffffff << (index & 31));
    while (m === 0) {
      if (++w >= bits.length) return -1;
      m = bits[w];
    }
    return (w << 5) + 31 - Math.clz32(m & -m);
  }

  /**
   * Calls `visit(level)` for every non-empty level from best to worst, stopping early when it returns false.
   * Allocation-free.
   */
  forEachLevel(visit: (level: Level) => boolean | void): void {
    let i = this.bestIndex;
    while (i >= 0) {
      const level = this.levels[i] as Level;
      if (visit(level) === false) return;
      if (this.isBid) i = i === 0 ? -1 : this.highestSetAtOrBelow(i - 1);
      else i = i + 1 >= this.slots ? -1 : this.lowestSetAtOrAbove(i + 1);
    }
  }

  /** The non-empty level just worse than `level` (lower for bids, higher for asks), or undefined. */
  nextLevel(level: Level): Level | undefined {
    const i = level.index;
    let j: number;
    if (this.isBid) j = i === 0 ? -1 : this.highestSetAtOrBelow(i - 1);
    else j = i + 1 >= this.slots ? -1 : this.lowestSetAtOrAbove(i + 1);
    return j < 0 ? undefined : this.levels[j];
  }
}
