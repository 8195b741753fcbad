/**
 * Public data shapes of the intra-Kalshi arbitrage detector.
 *
 * Units: every price is a PriceTicks (integer 1/10000 dollar, $1 = ONE_DOLLAR = 10000) and every size a
 * SizeCentis (integer 1/100 contract), as in `@kalshi-platform/market`. Edges are per ONE contract per leg.
 *
 * Book semantics (docs.kalshi.com, getting_started/orderbook_responses): a Kalshi market's book holds bids
 * only, one ladder for YES and one for NO. YES ask = $1 - best NO bid (its size is that NO bid's size) and
 * NO ask = $1 - best YES bid. Buying YES at the ask is a taker trade against the best NO bid.
 */
import type { PriceTicks, SizeCentis } from '@kalshi-platform/market';

/**
 * Top of book of one market, as the ticker plant sees it after a book update.
 * A side that is empty has price -1 and size 0 (any negative price or a size <= 0 is read as empty).
 * Prices are integer ticks in 0..10000; sizes are integer centis.
 */
export interface MarketQuote {
  marketTicker: string;
  /** best YES bid in ticks, -1 when the YES ladder is empty */
  yesBidTicks: PriceTicks;
  /** size at the best YES bid in centis, 0 when empty */
  yesBidSizeCentis: SizeCentis;
  /** best NO bid in ticks, -1 when the NO ladder is empty */
  noBidTicks: PriceTicks;
  /** size at the best NO bid in centis, 0 when empty */
  noBidSizeCentis: SizeCentis;
}

/**
 * Reference data of one market (Kalshi `GET /markets` / `GET /events?with_nested_markets=true`:
 * `ticker`, `event_ticker`, `strike_type`, `floor_strike`, `cap_strike`).
 * Only `strikeType` 'greater' / 'greater_or_equal' with a finite `floorStrike` takes part in `ladder`.
 */
export interface MarketRef {
  marketTicker: string;
  eventTicker: string;
  strikeType?: string;
  floorStrike?: number;
  capStrike?: number;
}

/**
 * Reference data of one event (Kalshi `GET /events`: `event_ticker`, `series_ticker`, `mutually_exclusive`,
 * nested `markets`). `mutuallyExclusive: true` enables the basket detectors.
 */
export interface EventRef {
  eventTicker: string;
  seriesTicker?: string;
  mutuallyExclusive: boolean;
  markets: MarketRef[];
}

/** The four intra-Kalshi arbitrage structures (see ArbitrageDetector). */
export type OpportunityKind = 'cross' | 'basket_yes' | 'basket_no' | 'ladder';

/** One taker buy of ONE contract: `side` of `marketTicker` at `priceTicks` (the ask of that side). */
export interface Leg {
  marketTicker: string;
  side: 'yes' | 'no';
  action: 'buy';
  priceTicks: PriceTicks;
}

/**
 * One continuous period during which an arbitrage condition (gross edge > 0) held for one key.
 *
 * - `key`: `kind|eventTicker|ticker/side,ticker/side,...` with legs sorted by market ticker, YES before NO.
 * - `openedTsMs` / `closedTsMs`: the `tsMs` of the update that made the condition true / false
 *   (`closedTsMs` is null while open).
 * - `maxGrossEdgeTicks` / `maxNetEdgeTicks`: the highest gross and (independently) the highest net edge
 *   per one contract per leg seen while open; the net maximum may have occurred at another moment than
 *   the gross maximum, and can be negative (fees exceed the gross edge).
 * - `legs[].priceTicks`: the leg prices at the FIRST moment the maximum gross edge was reached.
 * - `updates`: how many 'updated' events (a new maximum gross or net edge) the episode has had.
 */
export interface Episode {
  key: string;
  kind: OpportunityKind;
  eventTicker: string;
  legs: Leg[];
  openedTsMs: number;
  closedTsMs: number | null;
  maxGrossEdgeTicks: PriceTicks;
  maxNetEdgeTicks: PriceTicks;
  updates: number;
}

/**
 * A change of an episode: 'opened', 'updated' (a new maximum gross or net edge) or 'closed'.
 * `episode` is a snapshot taken when the event was produced (later changes do not show through).
 */
export interface EpisodeEvent {
  type: 'opened' | 'updated' | 'closed';
  episode: Episode;
}

/**
 * Fee settings (Kalshi fee schedule; rounding per docs.kalshi.com/getting_started/fee_rounding).
 * - `takerFeeBps`: fee multiplier in basis points, default 700 (= 0.07).
 * - `feeRoundingTicks`: the fee is rounded UP to this step, default 1 ($0.0001); 100 = whole cents.
 * - `feeBpsBySeries`: multiplier per `seriesTicker` for series that use another one; events without a
 *   `seriesTicker`, and markets not in any event, use `takerFeeBps`.
 */
export interface DetectorOptions {
  takerFeeBps?: number;
  feeRoundingTicks?: number;
  feeBpsBySeries?: Record<string, number>;
}

/** A currently present arbitrage (from `scanOpportunities`): gross > 0, edges per one contract per leg. */
export interface Opportunity {
  key: string;
  kind: OpportunityKind;
  eventTicker: string;
  /** legs sorted by market ticker, YES before NO, priced at the current asks */
  legs: Leg[];
  /** guaranteed payout minus cost, ticks */
  grossEdgeTicks: PriceTicks;
  /** gross minus the per-leg one-contract taker fees, ticks */
  netEdgeTicks: PriceTicks;
}
