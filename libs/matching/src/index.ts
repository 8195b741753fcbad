/**
 * @kalshi-platform/matching — the matching engine of the mock Kalshi exchange (binary YES/NO contracts): price-time
 * priority on one YES ladder per market, Kalshi order semantics, exact fixed-point accounts, fees, market lifecycle
 * and settlement, typed events. Domain library: no framework, no I/O.
 */
export * from './types';
export { ENGINE_LIMITS, MatchingEngine, type EngineTotals } from './engine';
export { LimitOrderBook, type BookSideName, type FillListener, type LimitOrderBookOptions, type LimitRejection } from './limit-order-book';
export { collateralRequirement, DOLLAR } from './state';
export { feeTicks, mulDivFloor, ceilDiv, floorRemainder, MICROS_PER_TICK, MICROS_PER_CENTI_PAYOUT } from './fixed';
