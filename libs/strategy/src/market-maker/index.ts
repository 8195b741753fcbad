/**
 * Quoting logic of the two-sided market maker (apps/market-maker): grid moves, a seeded random walk, quotes around it,
 * the order in which to move the two quotes so they never cross. Pure computation; the app does the I/O.
 */
export { ceilToGrid, floorToGrid, gridDown, gridUp, highestGridPrice, lowestGridPrice } from './grid';
export { clampToBand, initialMid, MarketMakerQuoter, quoteAround, quoteBand, RandomWalk, SeededRandom } from './quoter';
export type { QuoteBand, QuoterParams, RandomWalkOptions, TwoSidedQuote } from './quoter';
export { planQuoteMoves, quotesCross } from './amend-plan';
export type { QuoteSide, QuoteStep, RestingQuotes } from './amend-plan';
