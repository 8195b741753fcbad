/** Kalshi payload decoders/encoders: WebSocket frames (`ws`), REST bodies (`rest`), shared types and units. */
export {
  decodeFailure,
  describeValue,
  PRICE_LEVEL_STRUCTURES,
  type BidAsk,
  type BuySell,
  type DecodeError,
  type DecodeResult,
  type Dialect,
  type Level,
  type PriceLevelStructure,
  type YesNo,
} from './common';
export * from './fixed';
export * from './ws-types';
export * from './ws';
export * from './rest';
