/**
 * The mutable order record that rests in a {@link PriceLadder}. One class for the engine and the lean book, so both
 * run the same data structure (and V8 sees one shape). Internal: the public API hands out {@link OrderView}
 * snapshots, never this object.
 *
 * Kept small on purpose (a resting order is the engine's only long-lived per-order allocation, so its size is what
 * the garbage collector copies): Kalshi's enum-like fields are packed into `flags`, and the per-order fill
 * statistics are allocated on the first fill only.
 */
import type { AccountState, MarketState, PositionState } from './state';
import type { Action, OrderStatus, SelfTradePrevention, Side, TimeInForce } from './types';

/** `flags` bits. */
export const F_NO = 1; // side no (else yes)
export const F_SELL = 2; // action sell (else buy)
export const F_POST_ONLY = 4;
export const F_REDUCE_ONLY = 8;
export const F_STP_MAKER = 16; // self-trade prevention `maker` (else taker_at_cross)
export const F_IOC = 32; // time in force immediate_or_cancel
export const F_FOK = 64; // time in force fill_or_kill (neither: good_till_canceled)
export const F_ASK = 128; // rests as a YES ask (else a YES bid)

/** Per-order fill statistics (Kalshi Order fields), allocated on the first fill. */
export class OrderStats {
  /** Sum of own-side price x size of the fills where the order took / made liquidity, micros. */
  takerFillCostMicros = 0;
  makerFillCostMicros = 0;
  /** Trade fees paid as taker / maker, ticks. */
  takerFeesTicks = 0;
  makerFeesTicks = 0;
  /** Kalshi's per-order rounding-fee accumulator, micros (docs.kalshi.com/getting_started/fee_rounding). */
  roundingAccMicros = 0;
}

export class BookOrder {
  // intrusive FIFO links, owned by the ladder (the level itself is found from the price)
  prev: BookOrder | null = null;
  next: BookOrder | null = null;

  /** Remaining (unfilled, not canceled) size, centis. */
  remaining: number;
  /** Filled size, centis. */
  filled = 0;
  status: OrderStatus = 'pending';
  /** The (account, market) position this order belongs to (null in the lean book). */
  position: PositionState | null = null;
  clientOrderId: string | undefined = undefined;
  /** Packed bid/ask, side, action, flags, time in force, STP mode (F_* bits). */
  flags: number;
  /** Expiration (ms since epoch), or 0 for none. */
  expirationTsMs = 0;
  createdTsMs = 0;
  /** Fee reserve held for this order while it is live, ticks (see the accounting notes in engine.ts). */
  feeReserveTicks = 0;
  stats: OrderStats | null = null;

  constructor(
    readonly orderId: string,
    /** true: rests as a YES bid (buy YES / sell NO); false: rests as a YES ask (sell YES / buy NO). */
    isBid: boolean,
    /** Price in YES terms, ticks (the ladder key). */
    readonly yesPrice: number,
    /** Size at entry (filled + remaining after an amend), centis. */
    public initial: number,
    /** Arrival sequence number (time priority; smaller = older). */
    readonly seq: number,
  ) {
    this.remaining = initial;
    this.flags = isBid ? 0 : F_ASK;
  }

  /** Rests as a YES bid (buy YES / sell NO); else as a YES ask (sell YES / buy NO). */
  get isBid(): boolean {
    return (this.flags & F_ASK) === 0;
  }

  get side(): Side {
    return (this.flags & F_NO) !== 0 ? 'no' : 'yes';
  }

  get action(): Action {
    return (this.flags & F_SELL) !== 0 ? 'sell' : 'buy';
  }

  /** Limit price in the order's own side terms (Kalshi yes_price / no_price), ticks. */
  get ownPrice(): number {
    return (this.flags & F_NO) !== 0 ? 10_000 - this.yesPrice : this.yesPrice;
  }

  get reduceOnly(): boolean {
    return (this.flags & F_REDUCE_ONLY) !== 0;
  }

  get postOnly(): boolean {
    return (this.flags & F_POST_ONLY) !== 0;
  }

  get timeInForce(): TimeInForce {
    return (this.flags & F_IOC) !== 0 ? 'immediate_or_cancel' : (this.flags & F_FOK) !== 0 ? 'fill_or_kill' : 'good_till_canceled';
  }

  get selfTradePrevention(): SelfTradePrevention {
    return (this.flags & F_STP_MAKER) !== 0 ? 'maker' : 'taker_at_cross';
  }

  get account(): AccountState {
    return (this.position as PositionState).account;
  }

  get market(): MarketState {
    return (this.position as PositionState).market;
  }

  /** The statistics record, created on first use. */
  fillStats(): OrderStats {
    return (this.stats ??= new OrderStats());
  }
}

/** Packs Kalshi's order attributes into {@link BookOrder.flags} (to be OR-ed with the bid/ask bit set by the constructor). */
export function packFlags(side: Side, action: Action, postOnly: boolean, reduceOnly: boolean, stp: SelfTradePrevention, tif: TimeInForce): number {
  return (
    (side === 'no' ? F_NO : 0) |
    (action === 'sell' ? F_SELL : 0) |
    (postOnly ? F_POST_ONLY : 0) |
    (reduceOnly ? F_REDUCE_ONLY : 0) |
    (stp === 'maker' ? F_STP_MAKER : 0) |
    (tif === 'immediate_or_cancel' ? F_IOC : tif === 'fill_or_kill' ? F_FOK : 0)
  );
}
