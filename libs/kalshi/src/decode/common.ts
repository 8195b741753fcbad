/**
 * Shared result/error types for every Kalshi decoder (WebSocket and REST), the two unit dialects, and the small
 * field readers the non-hot-path decoders are written with.
 *
 * Decoders never throw: they return {@link DecodeResult}.
 */
import type { Level } from '@kalshi-platform/market';

/**
 * One price level of a Kalshi bid ladder: `[price, resting size]` = `[PriceTicks, SizeCentis]`. Ladders are
 * ascending by price, as Kalshi sends them (best bid last). Re-exported from `@kalshi-platform/market` (the same
 * type the order book uses), so star-exporting both libraries does not clash.
 */
export type { Level };

/**
 * Which unit dialect a payload used (docs.kalshi.com/getting_started/fixed_point_migration):
 * - `fixed_point`: `*_dollars` price strings and `*_fp` count strings (the only dialect since 2026-03-12);
 * - `legacy_cents`: integer cents and integer contract counts (`yes_price: 42`, `count: 13`, book `yes: [[42, 13]]`).
 * A payload carrying both is decoded from its fixed-point fields and reported as `fixed_point`.
 */
export type Dialect = 'fixed_point' | 'legacy_cents';

/**
 * A market's `price_level_structure` (docs.kalshi.com/getting_started/fixed_point_migration, "Price Level
 * Structures"): `linear_cent` = $0.01 everywhere; `tapered_deci_cent` = $0.001 below $0.10 and above $0.90,
 * $0.01 between; `deci_cent` = $0.001 everywhere. Same literal union as `TickStructure` in `@kalshi-platform/market`
 * (kept under its own name here so that the two libraries can be star-exported side by side).
 */
export type PriceLevelStructure = 'linear_cent' | 'tapered_deci_cent' | 'deci_cent';

/** The three known price level structures. */
export const PRICE_LEVEL_STRUCTURES: readonly PriceLevelStructure[] = ['linear_cent', 'tapered_deci_cent', 'deci_cent'];

/** `yes` / `no` outcome side. */
export type YesNo = 'yes' | 'no';
/**
 * Kalshi's `book_side` / `taker_book_side`: `bid` or `ask` (docs.kalshi.com/getting_started/order_direction).
 * Named `BidAsk` because `BookSide` in `@kalshi-platform/market` means the YES/NO ladder.
 */
export type BidAsk = 'bid' | 'ask';
/** `buy` / `sell` order action (legacy direction field, still sent next to `outcome_side`/`book_side`). */
export type BuySell = 'buy' | 'sell';

/**
 * Why a payload was rejected.
 * - `malformed_json`: the text is not JSON (message quotes the parser error and the start of the text);
 * - `not_an_object`: JSON, but not an object (e.g. an array or a string);
 * - `unknown_type`: a WebSocket frame whose `type` this library does not know (message names it);
 * - `invalid_field`: a field is missing, has the wrong JSON type, or its value is out of range or has too many
 *   decimals; `field` is the dotted path (`msg.yes_dollars_fp[3][0]`) and the message quotes the value.
 */
export interface DecodeError {
  kind: 'malformed_json' | 'not_an_object' | 'unknown_type' | 'invalid_field';
  /** Human-readable, names the field path and the offending value (truncated to ~80 characters). */
  message: string;
  /** Dotted path of the offending field, when there is one. */
  field?: string;
  /** The frame `type` (WebSocket) or endpoint name (REST) being decoded, when known. */
  frameType?: string;
}

/** Result of every decoder: never throws, either the typed value or a {@link DecodeError}. */
export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

/** A JSON object as read from the wire. */
export type Rec = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export { describeValue } from '@kalshi-platform/market';

/** Builds a failed {@link DecodeResult}. */
export function decodeFailure(kind: DecodeError['kind'], message: string, field?: string, frameType?: string): { ok: false; error: DecodeError } {
  const error: DecodeError = { kind, message };
  if (field !== undefined) error.field = field;
  if (frameType !== undefined) error.frameType = frameType;
  return { ok: false, error };
}
