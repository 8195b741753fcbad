/**
 * In which order a two-sided maker moves its quotes from the ones resting to the next ones, so that its own bid and
 * ask never cross while it moves them (pure: no I/O).
 *
 * Both quotes rest on the exchange as separate orders and are moved one request at a time. If the mid jumps by more
 * than the spread, moving the wrong side first puts the new bid at or above the still-resting ask (or the new ask at
 * or below the still-resting bid): a post_only order is then refused (`post_only_would_cross`) and a plain one
 * self-trades (or trips self-trade prevention). Moving the side that moves **away** from the other first avoids it:
 * when the quote moves up, the ask first, then the bid; when it moves down, the bid first, then the ask.
 *
 * Invariant (property-tested): for any resting quotes that do not cross and any next quote with bid < ask, applying
 * the planned steps one at a time never leaves a resting bid ≥ a resting ask, and ends at the next quote.
 */
import type { PriceTicks } from '@kalshi-platform/market';

/** The quotes resting now, YES terms, ticks; a side without a resting order is undefined. */
export interface RestingQuotes {
  /** the resting YES bid (buy YES), ticks */
  bidTicks?: PriceTicks;
  /** the resting YES ask (buy NO at $1 − ask), YES ticks */
  askTicks?: PriceTicks;
}

/** One side of a quote. */
export type QuoteSide = 'bid' | 'ask';

/**
 * One step of a move: `move` brings the side to its next price (amend the resting order, or place one when none rests;
 * a side already at its price is left alone); `cancel` takes the side's resting order off the book.
 */
export interface QuoteStep {
  op: 'move' | 'cancel';
  side: QuoteSide;
}

/** True when a resting bid and a resting ask (YES ticks; undefined = none) would cross (bid ≥ ask). */
export function quotesCross(bidTicks: PriceTicks | undefined, askTicks: PriceTicks | undefined): boolean {
  return bidTicks !== undefined && askTicks !== undefined && bidTicks >= askTicks;
}

/**
 * The steps that move `resting` to `next` without the two sides ever crossing in between (see the module docstring).
 *
 * - The direction of the move is the sum of the resting sides' moves (`next − resting`): up → ask first, down or
 *   unchanged → bid first.
 * - If that order would cross anyway (it cannot when `resting` does not cross; kept as a guard for a resting pair that
 *   already crosses), the other order is used; if both would cross, the resting ask is canceled first, then the bid
 *   and the ask are moved.
 * @param next the next quote, YES ticks (`bidTicks < askTicks`)
 * @returns `move` steps for both sides (bid and ask, in order), preceded by a `cancel` only in the degenerate case
 * @throws RangeError when the next quote crosses itself (`bidTicks ≥ askTicks`) or a price is not an integer
 */
export function planQuoteMoves(resting: RestingQuotes, next: { bidTicks: PriceTicks; askTicks: PriceTicks }): QuoteStep[] {
  for (const p of [resting.bidTicks, resting.askTicks, next.bidTicks, next.askTicks]) {
    if (p !== undefined && !Number.isSafeInteger(p)) throw new RangeError(`prices must be integer ticks, got ${p}`);
  }
  if (next.bidTicks >= next.askTicks) throw new RangeError(`the next quote crosses itself: bid ${next.bidTicks} >= ask ${next.askTicks}`);
  const bidFirst: QuoteStep[] = [
    { op: 'move', side: 'bid' },
    { op: 'move', side: 'ask' },
  ];
  const askFirst: QuoteStep[] = [
    { op: 'move', side: 'ask' },
    { op: 'move', side: 'bid' },
  ];
  // after the first step only one side has its next price; the last step ends at `next`, which does not cross
  const bidFirstSafe = !quotesCross(next.bidTicks, resting.askTicks);
  const askFirstSafe = !quotesCross(resting.bidTicks, next.askTicks);
  const up = (resting.bidTicks === undefined ? 0 : next.bidTicks - resting.bidTicks) + (resting.askTicks === undefined ? 0 : next.askTicks - resting.askTicks) > 0;
  if (up ? askFirstSafe : bidFirstSafe) return up ? askFirst : bidFirst;
  if (up ? bidFirstSafe : askFirstSafe) return up ? bidFirst : askFirst;
  return [{ op: 'cancel', side: 'ask' }, ...bidFirst];
}
