/**
 * @kalshi-platform/strategy — trading-strategy domain logic (pure computation, no I/O, no framework).
 *
 * Arbitrage inside Kalshi: `ArbitrageDetector` (incremental, episodes) and `scanOpportunities` (from scratch).
 */
export * from './arbitrage/types';
export { ArbitrageDetector } from './arbitrage/detector';
export { scanOpportunities } from './arbitrage/scan';
export { compareLegShapes, dominates, episodeKey, normalizeEvents, rungOf } from './arbitrage/reference';
export type { LegShape, NormalizedEvent, Rung } from './arbitrage/reference';
export * from './market-maker';
export * from './sportsbook';
