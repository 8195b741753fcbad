/**
 * Order book of one Kalshi binary market, maintained from `orderbook_snapshot` / `orderbook_delta` messages
 * (WebSocket) or a REST `GET /markets/{ticker}/orderbook` response.
 *
 * Kalshi books hold BIDS ONLY (docs.kalshi.com/getting_started/orderbook_responses): one ladder of YES bids and
 * one of NO bids, each sent ascending by price so the best bid is the last element. Asks are implied by the
 * reciprocal relationship of a binary contract: a NO bid at price q is a YES ask at $1 − q, so
 * YES ask = $1 − best NO bid (with that NO bid's size) and NO ask = $1 − best YES bid.
 *
 * Units: prices are {@link PriceTicks} (integer 1/10000 dollar), sizes {@link SizeCentis} (integer 1/100
 * contract); see ./money.ts. No floating point is involved; sizes may exceed 2^31 and are kept in a
 * Float64Array (exact up to 2^53).
 *
 * Representation: each side is a sparse ladder — two parallel ascending typed arrays (prices, sizes) plus a
 * count, searched by bisection; the best bid is the last element, so every top-of-book read is O(1) and
 * allocation-free, and a delta allocates nothing unless the ladder has to grow. A book costs a few hundred
 * bytes, so tens of thousands of markets fit comfortably (no 10,001-slot array per market).
 *
 * Validity: a book is valid only between a successful {@link OrderBook.applySnapshot} and the next
 * invalidating event (a delta that would drive a size negative or names an off-grid price, or
 * {@link OrderBook.markStale}, e.g. on a WebSocket `seq` gap). An invalid book is also EMPTY — its ladders are
 * dropped, so every getter reports {@link NO_PRICE} / 0 — because Kalshi's guidance is to drop the book until a
 * fresh snapshot arrives; stale prices can therefore never leak to a reader that forgot to check `valid`.
 */
import { ONE_DOLLAR, formatPriceDollars, formatSizeFp, type PriceTicks, type SizeCentis } from './money';
import { isValidPrice, parseTickStructure, type TickStructure } from './ticks';

/** Which ladder of a Kalshi book: YES bids or NO bids (the book holds bids only). */
export type BookSide = 'yes' | 'no';

/** One price level: `[price in ticks (1/10000 $), resting size in centis (1/100 contract)]`, the numeric form of Kalshi's `["0.4200","13.00"]`. */
export type Level = [PriceTicks, SizeCentis];

/** Sentinel returned by price getters (and spread/mid) when the side they depend on is empty or the book is invalid. */
export const NO_PRICE = -1;

/**
 * Result of {@link OrderBook.applyDelta}:
 * - `applied`: the book changed (or, for a zero delta, deliberately did not);
 * - `ignored_stale`: the book is not valid (no snapshot yet, or invalidated) — nothing changed; wait for a snapshot;
 * - `invalidated`: the delta would have driven a level's size below zero, or named an off-grid price, or carried a
 *   non-integer size; the book is now invalid and empty and needs a new snapshot (sizes are never clamped).
 */
/** Grid of a mirroring book: any integer price of 1..9999 ticks (see the OrderBook constructor). */
export const ANY_TICK = 'any_tick' as const;

export type DeltaOutcome = 'applied' | 'ignored_stale' | 'invalidated';

/** Plain snapshot of a book's top of book, as returned by {@link OrderBook.bbo}. Prices in ticks, sizes in centis. */
export interface Bbo {
  /** Whether the book was valid when the snapshot was taken (an invalid book reports everything empty). */
  readonly valid: boolean;
  /** Best YES bid price, or {@link NO_PRICE}. */
  readonly yesBidTicks: PriceTicks;
  /** Size at the best YES bid, or 0. */
  readonly yesBidSizeCentis: SizeCentis;
  /** Best NO bid price, or {@link NO_PRICE}. */
  readonly noBidTicks: PriceTicks;
  /** Size at the best NO bid, or 0. */
  readonly noBidSizeCentis: SizeCentis;
  /** Implied YES ask = 10000 − best NO bid, or {@link NO_PRICE}. */
  readonly yesAskTicks: PriceTicks;
  /** Size at the implied YES ask (= the best NO bid's size), or 0. */
  readonly yesAskSizeCentis: SizeCentis;
  /** Implied NO ask = 10000 − best YES bid, or {@link NO_PRICE}. */
  readonly noAskTicks: PriceTicks;
  /** Size at the implied NO ask (= the best YES bid's size), or 0. */
  readonly noAskSizeCentis: SizeCentis;
  /** yesAsk − yesBid in ticks (negative when crossed), or {@link NO_PRICE} if either side is empty. */
  readonly spreadTicks: number;
  /** yesBid + noBid > 10000: a YES bid and a NO bid that together pay more than $1. */
  readonly crossed: boolean;
  /** yesBid + noBid == 10000: zero spread. */
  readonly locked: boolean;
}

/**
 * Thrown by {@link OrderBook.applySnapshot} on a malformed level (non-positive or non-integer size, price off the
 * market's tick grid or outside 1..9999, duplicate price), and by {@link OrderBook.applyDelta} on a side that is
 * neither `yes` nor `no`. The message names the market, the side and the price, e.g.
 * `order book KX-1: no level at 0.4000 (4000 ticks): size must be a positive integer number of centis, got -1.00`.
 * @param marketTicker the book's market.
 * @param side the offending side as given (`yes`, `no`, or the bad value).
 * @param priceTicks the offending level's price in ticks (as given, possibly NaN or off-grid).
 * @param detail what is wrong with it.
 */
export class OrderBookError extends Error {
  constructor(
    readonly marketTicker: string,
    readonly side: string,
    readonly priceTicks: number,
    detail: string,
  ) {
    super(`order book ${marketTicker}: ${side} level at ${describePrice(priceTicks)}: ${detail}`);
    this.name = 'OrderBookError';
  }
}

function describePrice(priceTicks: number): string {
  return Number.isSafeInteger(priceTicks) ? `${formatPriceDollars(priceTicks)} (${priceTicks} ticks)` : String(priceTicks);
}

function describeSize(sizeCentis: number): string {
  return Number.isSafeInteger(sizeCentis) ? formatSizeFp(sizeCentis) : String(sizeCentis);
}

const INITIAL_CAPACITY = 8;

/** One side's bids: parallel ascending arrays `prices[0..count)`, `sizes[0..count)`; best bid at `count - 1`. */
class Ladder {
  prices = new Int32Array(INITIAL_CAPACITY);
  sizes = new Float64Array(INITIAL_CAPACITY);
  count = 0;

  /** Index of `price` if present, else `~insertionPoint` (negative). */
  find(price: number): number {
    const prices = this.prices;
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const p = prices[mid];
      if (p < price) lo = mid + 1;
      else if (p > price) hi = mid - 1;
      else return mid;
    }
    return ~lo;
  }

  reserve(capacity: number): void {
    if (capacity <= this.prices.length) return;
    let next = this.prices.length * 2;
    while (next < capacity) next *= 2;
    const prices = new Int32Array(next);
    const sizes = new Float64Array(next);
    prices.set(this.prices.subarray(0, this.count));
    sizes.set(this.sizes.subarray(0, this.count));
    this.prices = prices;
    this.sizes = sizes;
  }

  insertAt(index: number, price: number, size: number): void {
    const n = this.count;
    if (n === this.prices.length) this.reserve(n + 1);
    const prices = this.prices;
    const sizes = this.sizes;
    if (index < n) {
      prices.copyWithin(index + 1, index, n);
      sizes.copyWithin(index + 1, index, n);
    }
    prices[index] = price;
    sizes[index] = size;
    this.count = n + 1;
  }

  removeAt(index: number): void {
    const n = this.count - 1;
    if (index < n) {
      this.prices.copyWithin(index, index + 1, n + 1);
      this.sizes.copyWithin(index, index + 1, n + 1);
    }
    this.count = n;
  }

  total(): number {
    let sum = 0;
    for (let i = 0; i < this.count; i++) sum += this.sizes[i];
    return sum;
  }
}

/**
 * The book of one Kalshi binary market: a YES-bid ladder and a NO-bid ladder, with the asks derived from the
 * opposite side (docs.kalshi.com/getting_started/orderbook_responses). Prices are {@link PriceTicks}, sizes
 * {@link SizeCentis}. Feed it {@link applySnapshot} then {@link applyDelta} per `orderbook_delta`; read the top of
 * book through the O(1), allocation-free getters; check {@link valid} (or the delta outcome) to know whether to
 * request a new snapshot. Not thread-safe (JS is single-threaded; do not share across workers).
 */
export class OrderBook {
  private readonly yesLadder = new Ladder();
  private readonly noLadder = new Ladder();
  private isValid = false;
  private reason: string | undefined = 'no snapshot yet';

  /**
   * @param marketTicker the market's ticker (used in error messages only).
   * @param tickStructure the market's `price_level_structure`; decides which prices are on the grid.
   *   {@link ANY_TICK} accepts every price of 1..9999 ticks: for books that mirror an exchange's book (the
   *   ticker plant, a replay) where the exchange, not the mirror, enforces the market's grid.
   * @throws TickStructureError if `tickStructure` is not a known structure (only possible from untyped input).
   */
  constructor(
    readonly marketTicker: string,
    readonly tickStructure: TickStructure | typeof ANY_TICK = 'linear_cent',
  ) {
    if (tickStructure !== ANY_TICK) parseTickStructure(tickStructure);
  }

  private onGrid(priceTicks: number): boolean {
    return this.tickStructure === ANY_TICK
      ? Number.isInteger(priceTicks) && priceTicks >= 1 && priceTicks <= 9999
      : isValidPrice(this.tickStructure, priceTicks);
  }

  /** True after a successful {@link applySnapshot}; false before the first one, after {@link markStale}, {@link clear} and an invalidating delta. */
  get valid(): boolean {
    return this.isValid;
  }

  /** Why the book is invalid (e.g. the invalidating delta, described), or `undefined` while it is valid. */
  get invalidReason(): string | undefined {
    return this.reason;
  }

  /**
   * Replaces both ladders with the given bids and makes the book valid. Levels are `[priceTicks, sizeCentis]` and
   * may come in any order (Kalshi sends them ascending); an empty array is an empty side (Kalshi omits the key
   * `yes_dollars_fp`/`no_dollars_fp` of an empty side — pass `[]`). The input arrays are copied, not retained.
   * @throws OrderBookError naming market, side and price on a size that is not a positive integer, a price off the
   *   market's tick grid or outside 1..9999, or a duplicate price within a side. The book is then left invalid
   *   and empty, never half-applied.
   */
  applySnapshot(yes: readonly Level[], no: readonly Level[]): void {
    this.dropBook('snapshot being applied');
    try {
      this.load('yes', this.yesLadder, yes);
      this.load('no', this.noLadder, no);
    } catch (err) {
      this.dropBook(`rejected snapshot: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    this.isValid = true;
    this.reason = undefined;
  }

  private load(side: BookSide, ladder: Ladder, levels: readonly Level[]): void {
    const n = levels.length;
    ladder.reserve(n);
    const prices = ladder.prices;
    const sizes = ladder.sizes;
    let ascending = true;
    for (let i = 0; i < n; i++) {
      const level = levels[i];
      const price = level[0];
      const size = level[1];
      if (!this.onGrid(price)) {
        throw new OrderBookError(this.marketTicker, side, price, `price is off the ${this.tickStructure} grid or outside 1..9999 ticks`);
      }
      if (!Number.isSafeInteger(size) || size <= 0) {
        throw new OrderBookError(this.marketTicker, side, price, `size must be a positive integer number of centis, got ${describeSize(size)}`);
      }
      if (i > 0 && price <= prices[i - 1]) ascending = false;
      prices[i] = price;
      sizes[i] = size;
    }
    ladder.count = n;
    if (ascending) return;
    // Rare path (Kalshi sends ascending): sort the pairs by price, then reject duplicates.
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => prices[a] - prices[b]);
    const p0 = prices.slice(0, n);
    const s0 = sizes.slice(0, n);
    for (let i = 0; i < n; i++) {
      prices[i] = p0[order[i]];
      sizes[i] = s0[order[i]];
      if (i > 0 && prices[i] === prices[i - 1]) {
        throw new OrderBookError(this.marketTicker, side, prices[i], 'duplicate price in snapshot');
      }
    }
  }

  /**
   * Applies one `orderbook_delta`: adds the signed `deltaCentis` to the `side` bid at `priceTicks`.
   * A level whose size reaches exactly zero leaves the ladder; a positive delta at an absent price inserts a
   * level; a zero delta is `applied` and changes nothing (it never inserts a zero level).
   * Allocation-free unless the ladder must grow.
   * @returns `ignored_stale` if the book is not valid (nothing changes); `invalidated` — the book becomes invalid
   *   and empty, see {@link invalidReason} — if the resulting size would be negative (never clamped), the price is
   *   off the tick grid / outside 1..9999, or `deltaCentis` is not an integer; otherwise `applied`.
   * @throws OrderBookError if `side` is neither `yes` nor `no` (a caller bug, not market data).
   */
  applyDelta(side: BookSide, priceTicks: PriceTicks, deltaCentis: SizeCentis): DeltaOutcome {
    if (!this.isValid) return 'ignored_stale';
    const ladder = side === 'yes' ? this.yesLadder : side === 'no' ? this.noLadder : this.badSide(side, priceTicks);
    if (!this.onGrid(priceTicks)) {
      return this.invalidate(side, priceTicks, `delta price is off the ${this.tickStructure} grid or outside 1..9999 ticks`);
    }
    if (!Number.isInteger(deltaCentis)) {
      return this.invalidate(side, priceTicks, `delta ${deltaCentis} is not an integer number of centis`);
    }
    const i = ladder.find(priceTicks);
    if (i >= 0) {
      const size = ladder.sizes[i] + deltaCentis;
      if (size > 0) ladder.sizes[i] = size;
      else if (size === 0) ladder.removeAt(i);
      else {
        return this.invalidate(side, priceTicks, `delta ${describeSize(deltaCentis)} on size ${describeSize(ladder.sizes[i])} would go negative`);
      }
    } else if (deltaCentis > 0) {
      ladder.insertAt(~i, priceTicks, deltaCentis);
    } else if (deltaCentis < 0) {
      return this.invalidate(side, priceTicks, `delta ${describeSize(deltaCentis)} on an absent level would go negative`);
    }
    return 'applied';
  }

  private badSide(side: string, priceTicks: number): never {
    throw new OrderBookError(this.marketTicker, String(side), priceTicks, `side must be "yes" or "no"`);
  }

  private invalidate(side: BookSide, priceTicks: number, detail: string): DeltaOutcome {
    this.dropBook(`invalidating delta on ${side} at ${describePrice(priceTicks)}: ${detail}`);
    return 'invalidated';
  }

  private dropBook(reason: string): void {
    this.yesLadder.count = 0;
    this.noLadder.count = 0;
    this.isValid = false;
    this.reason = reason;
  }

  /**
   * Marks the book invalid and drops its levels until the next {@link applySnapshot}, e.g. on a WebSocket `seq`
   * gap or a reconnect (Kalshi offers no resume: request `get_snapshot` or resubscribe). Subsequent deltas are
   * `ignored_stale`.
   */
  markStale(): void {
    this.dropBook('marked stale');
  }

  /** Resets the book to its freshly constructed state: empty and invalid (needs a snapshot). */
  clear(): void {
    this.dropBook('no snapshot yet');
  }

  // ---- top of book: O(1), allocation-free -------------------------------------------------------------------

  /** Best (highest) YES bid in ticks, or {@link NO_PRICE} if there is none. */
  get yesBidTicks(): PriceTicks {
    const l = this.yesLadder;
    return l.count > 0 ? l.prices[l.count - 1] : NO_PRICE;
  }

  /** Size in centis at the best YES bid, or 0. */
  get yesBidSizeCentis(): SizeCentis {
    const l = this.yesLadder;
    return l.count > 0 ? l.sizes[l.count - 1] : 0;
  }

  /** Best (highest) NO bid in ticks, or {@link NO_PRICE} if there is none. */
  get noBidTicks(): PriceTicks {
    const l = this.noLadder;
    return l.count > 0 ? l.prices[l.count - 1] : NO_PRICE;
  }

  /** Size in centis at the best NO bid, or 0. */
  get noBidSizeCentis(): SizeCentis {
    const l = this.noLadder;
    return l.count > 0 ? l.sizes[l.count - 1] : 0;
  }

  /** Implied best YES ask = 10000 − best NO bid, in ticks, or {@link NO_PRICE} if there are no NO bids. */
  get yesAskTicks(): PriceTicks {
    const l = this.noLadder;
    return l.count > 0 ? ONE_DOLLAR - l.prices[l.count - 1] : NO_PRICE;
  }

  /** Size in centis at the implied YES ask (the best NO bid's size), or 0. */
  get yesAskSizeCentis(): SizeCentis {
    return this.noBidSizeCentis;
  }

  /** Implied best NO ask = 10000 − best YES bid, in ticks, or {@link NO_PRICE} if there are no YES bids. */
  get noAskTicks(): PriceTicks {
    const l = this.yesLadder;
    return l.count > 0 ? ONE_DOLLAR - l.prices[l.count - 1] : NO_PRICE;
  }

  /** Size in centis at the implied NO ask (the best YES bid's size), or 0. */
  get noAskSizeCentis(): SizeCentis {
    return this.yesBidSizeCentis;
  }

  /**
   * YES spread in ticks: yesAsk − yesBid = 10000 − bestNoBid − bestYesBid. Zero when locked, negative when crossed
   * (always a multiple of the grid step, ≥ 10 ticks in magnitude), {@link NO_PRICE} (−1) if either side is empty —
   * −1 cannot be a real spread since every grid step is at least 10 ticks. The NO spread is the same number.
   */
  spreadTicks(): number {
    const y = this.yesLadder;
    const n = this.noLadder;
    if (y.count === 0 || n.count === 0) return NO_PRICE;
    return ONE_DOLLAR - n.prices[n.count - 1] - y.prices[y.count - 1];
  }

  /**
   * Twice the YES mid price, in ticks: yesBid + yesAsk. Dividing by 2 gives the mid in ticks, i.e. this value is
   * the mid in units of 1/20000 dollar, kept as an exact integer (a mid between two grid prices can fall on a
   * half tick). {@link NO_PRICE} (−1) if either side is empty. The NO mid ×2 is 20000 minus this value.
   */
  midTimes2Ticks(): number {
    const y = this.yesLadder;
    const n = this.noLadder;
    if (y.count === 0 || n.count === 0) return NO_PRICE;
    return y.prices[y.count - 1] + ONE_DOLLAR - n.prices[n.count - 1];
  }

  /** Best YES bid + best NO bid > 10000 ($1): the book is crossed (false if either side is empty). */
  get crossed(): boolean {
    const y = this.yesLadder;
    const n = this.noLadder;
    return y.count > 0 && n.count > 0 && y.prices[y.count - 1] + n.prices[n.count - 1] > ONE_DOLLAR;
  }

  /** Best YES bid + best NO bid == 10000 ($1): the book is locked, zero spread (false if either side is empty). */
  get locked(): boolean {
    const y = this.yesLadder;
    const n = this.noLadder;
    return y.count > 0 && n.count > 0 && y.prices[y.count - 1] + n.prices[n.count - 1] === ONE_DOLLAR;
  }

  /** A plain-object snapshot of the top of book (allocates one object; use the getters on hot paths). */
  bbo(): Bbo {
    return {
      valid: this.isValid,
      yesBidTicks: this.yesBidTicks,
      yesBidSizeCentis: this.yesBidSizeCentis,
      noBidTicks: this.noBidTicks,
      noBidSizeCentis: this.noBidSizeCentis,
      yesAskTicks: this.yesAskTicks,
      yesAskSizeCentis: this.yesAskSizeCentis,
      noAskTicks: this.noAskTicks,
      noAskSizeCentis: this.noAskSizeCentis,
      spreadTicks: this.spreadTicks(),
      crossed: this.crossed,
      locked: this.locked,
    };
  }

  // ---- ladders (allocate; for snapshots, display, tests) ---------------------------------------------------

  private ladder(side: BookSide): Ladder {
    if (side === 'yes') return this.yesLadder;
    if (side === 'no') return this.noLadder;
    return this.badSide(side, NO_PRICE);
  }

  /**
   * The best `n` bid levels of `side`, best (highest price) first, as fresh `[priceTicks, sizeCentis]` arrays.
   * Fewer if the side has fewer levels; empty for n ≤ 0 or an invalid book. Non-integer n is floored.
   * @throws OrderBookError on an unknown side.
   */
  depth(side: BookSide, n: number): Level[] {
    const l = this.ladder(side);
    const k = Math.max(0, Math.min(l.count, Math.floor(n)));
    const out: Level[] = new Array(k);
    for (let i = 0; i < k; i++) {
      const j = l.count - 1 - i;
      out[i] = [l.prices[j], l.sizes[j]];
    }
    return out;
  }

  /**
   * The full bid ladder of `side`, ascending by price (Kalshi's order: best bid last), as fresh copies.
   * @throws OrderBookError on an unknown side.
   */
  levels(side: BookSide): Level[] {
    const l = this.ladder(side);
    const out: Level[] = new Array(l.count);
    for (let i = 0; i < l.count; i++) out[i] = [l.prices[i], l.sizes[i]];
    return out;
  }

  /** Resting size in centis at `priceTicks` on `side`, 0 if there is no such level. O(log n). */
  sizeAt(side: BookSide, priceTicks: PriceTicks): SizeCentis {
    const l = this.ladder(side);
    const i = l.find(priceTicks);
    return i >= 0 ? l.sizes[i] : 0;
  }

  /** Number of price levels on `side` (0 for an invalid book). */
  levelCount(side: BookSide): number {
    return this.ladder(side).count;
  }

  /** Sum of all resting sizes on `side`, in centis. O(levels). */
  totalSizeCentis(side: BookSide): SizeCentis {
    return this.ladder(side).total();
  }
}
