/**
 * A lean price-time priority limit order book: the matching core of {@link MatchingEngine} (the same
 * {@link PriceLadder} and {@link BookOrder}) without accounts, fees, Kalshi order flags, validation or events.
 *
 * It exists for two reasons: as the "no bookkeeping" variant of the matching benchmark (the like-for-like comparison
 * with `nodejs-order-book`, which has no accounts either), and as a small, obviously correct reference of the
 * matching loop. The engine does not depend on it.
 *
 * Prices are integers on a grid `k x step`, `0 <= k < slots` (defaults: Kalshi ticks, $0.001 grid, $0..$1); sizes are
 * positive integers. Trade price = the resting order's price.
 */
import { BookOrder } from './book-order';
import { PriceLadder } from './ladder';

/** Side of an order in a plain two-sided book. */
export type BookSideName = 'buy' | 'sell';

/** Called once per fill: the resting order, the incoming order, the trade price and size. */
export type FillListener = (makerId: string, takerId: string, price: number, size: number) => void;

/** Options of {@link LimitOrderBook}. */
export interface LimitOrderBookOptions {
  /** Number of price slots (prices 0 .. (slots-1) x step). Default 1001. */
  slots?: number;
  /** Price grid step. Default 10 (Kalshi's finest tick, $0.001, in 1/10000 dollar). */
  step?: number;
  /** Called for every fill (optional). */
  onFill?: FillListener;
}

/** Why {@link LimitOrderBook.limit} refused an order (nothing changed). */
export type LimitRejection = 'duplicate_id' | 'invalid_price' | 'invalid_size';

export class LimitOrderBook {
  readonly bids: PriceLadder;
  readonly asks: PriceLadder;
  private readonly orders = new Map<string, BookOrder>();
  private seq = 0;
  private readonly onFill: FillListener | undefined;
  /** Total size traded since construction. */
  volume = 0;
  /** Number of fills since construction. */
  fills = 0;

  constructor(options: LimitOrderBookOptions = {}) {
    const slots = options.slots ?? 1001;
    const step = options.step ?? 10;
    this.bids = new PriceLadder(true, slots, step);
    this.asks = new PriceLadder(false, slots, step);
    this.onFill = options.onFill;
  }

  /** Number of resting orders. */
  get size(): number {
    return this.orders.size;
  }

  /**
   * Good-till-canceled limit order: matches against the opposite side while prices cross (best price first, oldest
   * first within a price; trade price = the resting order's price) and rests the remainder.
   * @returns the size filled immediately (>= 0), or a {@link LimitRejection} (nothing changed) for a duplicate
   *   resting id, a price that is not a positive multiple of the step inside the ladder, or a non-positive or
   *   non-integer size.
   */
  limit(id: string, side: BookSideName, price: number, size: number): number | LimitRejection {
    if (this.orders.has(id)) return 'duplicate_id';
    const step = this.bids.step;
    if (!(Number.isInteger(price) && price > 0 && price < this.bids.slots * step && price % step === 0)) return 'invalid_price';
    if (!(Number.isSafeInteger(size) && size > 0)) return 'invalid_size';
    const isBid = side === 'buy';
    const opposite = isBid ? this.asks : this.bids;
    let remaining = size;
    while (remaining > 0) {
      const level = opposite.bestLevel();
      if (level === undefined || (isBid ? level.price > price : level.price < price)) break;
      const maker = level.head as BookOrder;
      const qty = maker.remaining < remaining ? maker.remaining : remaining;
      remaining -= qty;
      maker.filled += qty;
      this.volume += qty;
      this.fills++;
      if (qty === maker.remaining) {
        opposite.remove(maker); // subtracts maker.remaining (= qty) from the level
        maker.remaining = 0;
        this.orders.delete(maker.orderId);
      } else {
        maker.remaining -= qty;
        opposite.shrink(maker, qty);
      }
      if (this.onFill !== undefined) this.onFill(maker.orderId, id, level.price, qty);
    }
    if (remaining > 0) {
      const order = new BookOrder(id, isBid, price, remaining, ++this.seq);
      (isBid ? this.bids : this.asks).append(order, price);
      this.orders.set(id, order);
    }
    return size - remaining;
  }

  /** Removes a resting order. @returns true if it was resting. */
  cancel(id: string): boolean {
    const order = this.orders.get(id);
    if (order === undefined) return false;
    (order.isBid ? this.bids : this.asks).remove(order);
    this.orders.delete(id);
    return true;
  }

  /** Aggregated levels, best first: `[price, size][]` per side. */
  depth(): { bids: [number, number][]; asks: [number, number][] } {
    const bids: [number, number][] = [];
    const asks: [number, number][] = [];
    this.bids.forEachLevel((l) => void bids.push([l.price, l.size]));
    this.asks.forEachLevel((l) => void asks.push([l.price, l.size]));
    return { bids, asks };
  }
}
