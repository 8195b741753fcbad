/**
 * Sportsbook edge (issue #5 item 4): edge of a Kalshi market against a sportsbook consensus, a heuristic
 * confidence, and fractional-Kelly sizing walking the ask ladder. Pure computation (domain): no framework, no I/O.
 */
export { SportsbookInputError } from './errors';
export { asksFromOrderBook, resolveTakerFees, sportsbookEdge, takerFeePerContractTicks, WHOLE_CONTRACT_CENTIS } from './edge';
export type { AskLevel, ContractSide, ResolvedFees, SideEdge, SportsbookEdgeInput, SportsbookEdgeResult, TakerFeeSettings } from './edge';
export { confidenceFromConsensus, fairDispersion, sportsbookConfidence } from './confidence';
export type { SportsbookConfidence, SportsbookConfidenceInput, SportsbookConfidenceParams } from './confidence';
export { fullKellyFraction, kellySize } from './kelly';
export type { ExistingExposure, KellySizeInput, KellySizeResult, SizedFill, SizingCaps, SizingStopReason } from './kelly';
export { fairValuesFromMatch, SPORTSBOOK_SIGNAL_ID_VERSION, SportsbookEdgeDetector, sportsbookSignalId } from './detector';
export type { SportsbookDetectorOptions, SportsbookFairValue, SportsbookLadderQuote, SportsbookQuote, SportsbookSignalV1, SportsbookTopQuote } from './detector';
