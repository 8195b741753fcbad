/**
 * Quoting logic of a simple two-sided Kalshi market maker (pure: no I/O, no clock, no framework).
 *
 * A seeded random walk of the "fair" YES price moves on the market's price grid between two bounds; around it the
 * maker quotes a YES bid and a YES ask `spread` apart. Prices are {@link PriceTicks} (integer 1/10000 $), never
 * floats. Both quotes are YES prices; the app places the ask as **buy NO at $1 − ask** (Kalshi's single book: a NO
 * bid at 1 − p is the YES ask at p, docs.kalshi.com/getting_started/orderbook_responses), which needs no YES
 * inventory and is collateralized by its own price. All three grids are symmetric around $0.50, so $1 − ask is on
 * the grid whenever the ask is.
 *
 * Invariants (property-tested): mid, bid and ask are grid prices; `low ≤ bid < ask ≤ high`; `ask − bid ≥ spread`
 * whenever the unclamped quote fits in the band (near an edge the clamped side sits on the edge and the quote is
 * narrower); the walk never leaves the band and moves every step.
 */
import { ONE_DOLLAR, type PriceTicks, type TickStructure } from '@kalshi-platform/market';
import { ceilToGrid, floorToGrid, gridDown, gridUp } from './grid';

/** The inclusive price band the walk and the quotes stay in, snapped inward to the grid (ticks). */
export interface QuoteBand {
  structure: TickStructure;
  /** lowest grid price ≥ the configured minimum */
  lowTicks: PriceTicks;
  /** highest grid price ≤ the configured maximum */
  highTicks: PriceTicks;
}

/** One two-sided quote, YES terms, ticks. */
export interface TwoSidedQuote {
  midTicks: PriceTicks;
  /** YES bid: buy YES at this price */
  bidTicks: PriceTicks;
  /** YES ask: placed as buy NO at `ONE_DOLLAR − askTicks` */
  askTicks: PriceTicks;
}

/**
 * The grid-snapped band of `[minTicks, maxTicks]` (e.g. `--price-min 0.05 --price-max 0.95` = 500..9500).
 * @throws RangeError when a bound is not an integer, min ≥ max, or the band holds fewer than two grid prices (no room
 *   for a bid below an ask).
 */
export function quoteBand(structure: TickStructure, minTicks: PriceTicks, maxTicks: PriceTicks): QuoteBand {
  if (!Number.isSafeInteger(minTicks) || !Number.isSafeInteger(maxTicks)) throw new RangeError(`price bounds must be integer ticks, got ${minTicks}..${maxTicks}`);
  if (minTicks >= maxTicks) throw new RangeError(`price-min (${minTicks} ticks) must be below price-max (${maxTicks} ticks)`);
  const low = ceilToGrid(structure, minTicks);
  const high = floorToGrid(structure, maxTicks);
  if (low === null || high === null || low >= high) {
    throw new RangeError(`price band ${minTicks}..${maxTicks} ticks holds fewer than two ${structure} grid prices`);
  }
  return { structure, lowTicks: low, highTicks: high };
}

/** `p` clamped into the band and snapped to the grid (down, or up at the low edge). */
export function clampToBand(band: QuoteBand, priceTicks: PriceTicks): PriceTicks {
  if (priceTicks <= band.lowTicks) return band.lowTicks;
  if (priceTicks >= band.highTicks) return band.highTicks;
  return floorToGrid(band.structure, priceTicks) ?? band.lowTicks;
}

/**
 * Where the walk starts (ticks): the market's mid `(bid + ask) / 2` (rounded down) when it has a two-sided book
 * (`0 < bid < ask < 10000`), else the middle of the band; then clamped into the band and snapped to the grid.
 * @param marketBidTicks the market's best YES bid (`yes_bid_dollars`; 0 = none)
 * @param marketAskTicks the market's best YES ask (`yes_ask_dollars`; 10000 = none)
 */
export function initialMid(band: QuoteBand, marketBidTicks?: PriceTicks, marketAskTicks?: PriceTicks): PriceTicks {
  const twoSided = marketBidTicks !== undefined && marketAskTicks !== undefined && marketBidTicks > 0 && marketAskTicks < ONE_DOLLAR && marketBidTicks < marketAskTicks;
  const raw = twoSided ? Math.floor((marketBidTicks + marketAskTicks) / 2) : Math.floor((band.lowTicks + band.highTicks) / 2);
  return clampToBand(band, raw);
}

/**
 * The two-sided quote around `midTicks`: bid = grid floor of `mid − ⌊spread/2⌋`, ask = grid ceiling of
 * `mid + ⌈spread/2⌉` (rounding outward, so the quoted spread is at least `spread`), both clamped into the band; if
 * clamping made them touch, the quote is widened by one grid step on the side that has room.
 * @param spreadTicks total width ask − bid wanted, ticks (`--spread 0.04` = 400); a positive integer
 * @throws RangeError for a non-positive or non-integer spread, or a mid outside the band.
 */
export function quoteAround(band: QuoteBand, midTicks: PriceTicks, spreadTicks: PriceTicks): TwoSidedQuote {
  if (!Number.isSafeInteger(spreadTicks) || spreadTicks <= 0) throw new RangeError(`spread must be a positive integer number of ticks, got ${spreadTicks}`);
  if (!Number.isSafeInteger(midTicks) || midTicks < band.lowTicks || midTicks > band.highTicks) {
    throw new RangeError(`mid ${midTicks} is outside the band ${band.lowTicks}..${band.highTicks}`);
  }
  const s = band.structure;
  const half = Math.floor(spreadTicks / 2);
  let bid = Math.max(band.lowTicks, floorToGrid(s, midTicks - half) ?? band.lowTicks);
  let ask = Math.min(band.highTicks, ceilToGrid(s, midTicks + (spreadTicks - half)) ?? band.highTicks);
  if (bid >= ask) {
    // only possible at a band edge (the unclamped quote is at least one grid step wide)
    if (bid < band.highTicks) ask = gridUp(s, bid)!;
    else bid = gridDown(s, ask)!;
  }
  return { midTicks, bidTicks: bid, askTicks: ask };
}

/**
 * Mulberry32 (public domain, Tommy Ettinger): a small seedable 32-bit PRNG. `nextUint32()` returns an integer in
 * 0..2^32−1; `nextInt(n)` an unbiased integer in 0..n−1 (rejection sampling).
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    this.state = seed >>> 0;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform integer in 0..n−1. @throws RangeError unless 1 ≤ n ≤ 2^32. */
  nextInt(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1 || n > 0x1_0000_0000) throw new RangeError(`nextInt needs 1 <= n <= 2^32, got ${n}`);
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }
}

/** Options of {@link RandomWalk}. */
export interface RandomWalkOptions {
  band: QuoteBand;
  /** starting price, ticks (clamped into the band and snapped to the grid) */
  startTicks: PriceTicks;
  /** largest move per step, in grid steps (≥ 1); each step moves 1..maxStep grid steps up or down */
  maxStepGridTicks: number;
  /** PRNG seed (same seed, same path) */
  seed: number;
}

/**
 * A seeded random walk on the grid inside a band. Each {@link step} picks a direction (up/down, equally likely) and
 * a size of 1..maxStep grid steps; a move that would leave the band reflects off its edge. The walk therefore moves
 * on every step (the band holds at least two grid prices) and never leaves the band.
 */
export class RandomWalk {
  private mid: PriceTicks;
  private readonly rng: SeededRandom;

  constructor(private readonly opts: RandomWalkOptions) {
    if (!Number.isSafeInteger(opts.maxStepGridTicks) || opts.maxStepGridTicks < 1) throw new RangeError(`max step must be a positive integer number of grid steps, got ${opts.maxStepGridTicks}`);
    this.mid = clampToBand(opts.band, opts.startTicks);
    this.rng = new SeededRandom(opts.seed);
  }

  /** Current price, ticks (a grid price in the band). */
  get midTicks(): PriceTicks {
    return this.mid;
  }

  /** Moves the walk one step and returns the new price (ticks). */
  step(): PriceTicks {
    const { band, maxStepGridTicks } = this.opts;
    let dir = this.rng.nextInt(2) === 0 ? -1 : 1;
    const size = 1 + this.rng.nextInt(maxStepGridTicks);
    let p = this.mid;
    for (let i = 0; i < size; i++) {
      let next = dir > 0 ? gridUp(band.structure, p) : gridDown(band.structure, p);
      if (next === null || next < band.lowTicks || next > band.highTicks) {
        dir = -dir;
        next = dir > 0 ? gridUp(band.structure, p) : gridDown(band.structure, p);
      }
      p = next!;
    }
    // a reflection can bring a multi-step move back to where it started; nudge it one step so the walk always moves
    if (p === this.mid) p = (p < band.highTicks ? gridUp(band.structure, p) : gridDown(band.structure, p))!;
    this.mid = p;
    return p;
  }
}

/** Parameters of a {@link MarketMakerQuoter}, ticks. */
export interface QuoterParams {
  structure: TickStructure;
  /** `--price-min`, ticks */
  priceMinTicks: PriceTicks;
  /** `--price-max`, ticks */
  priceMaxTicks: PriceTicks;
  /** `--spread`, ticks */
  spreadTicks: PriceTicks;
  /** largest walk step per cycle, grid steps (default 2) */
  maxStepGridTicks?: number;
  seed: number;
  /** the market's best YES bid / ask when the quoter starts (for {@link initialMid}) */
  marketBidTicks?: PriceTicks;
  marketAskTicks?: PriceTicks;
}

/** The quotes of one market over time: a {@link RandomWalk} plus {@link quoteAround}. */
export class MarketMakerQuoter {
  readonly band: QuoteBand;
  private readonly walk: RandomWalk;
  private readonly spreadTicks: PriceTicks;

  /** @throws RangeError for an empty band, a bad spread or step (see {@link quoteBand}, {@link quoteAround}). */
  constructor(params: QuoterParams) {
    this.band = quoteBand(params.structure, params.priceMinTicks, params.priceMaxTicks);
    if (!Number.isSafeInteger(params.spreadTicks) || params.spreadTicks <= 0) throw new RangeError(`spread must be a positive integer number of ticks, got ${params.spreadTicks}`);
    this.spreadTicks = params.spreadTicks;
    this.walk = new RandomWalk({
      band: this.band,
      startTicks: initialMid(this.band, params.marketBidTicks, params.marketAskTicks),
      maxStepGridTicks: params.maxStepGridTicks ?? 2,
      seed: params.seed,
    });
  }

  /** The quote at the walk's current price. */
  current(): TwoSidedQuote {
    return quoteAround(this.band, this.walk.midTicks, this.spreadTicks);
  }

  /** Steps the walk and returns the new quote. */
  next(): TwoSidedQuote {
    this.walk.step();
    return this.current();
  }
}
