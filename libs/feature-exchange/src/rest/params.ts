/**
 * Validation of the mock exchange's REST input (bodies with zod, query strings by hand), turning Kalshi's wire units
 * into the venue's integers. Every refusal is a `400 {"error":{"code":"invalid_parameter","message":"<field>: <why>"}}`
 * whose message starts with the offending field (`orders.3.count_fp: ...` inside a batch).
 *
 * Wire units (docs.kalshi.com/api-reference/orders/create-order, getting_started/fixed_point_migration):
 * - `count` integer contracts (>= 1) or `count_fp` string with 0-2 decimals -> centis; both given must match;
 * - `yes_price` / `no_price` integer cents (1..99) or `yes_price_dollars` / `no_price_dollars` strings with up to 4
 *   decimals -> ticks (1/10000 $); exactly one side's price; a NO price on a YES order (or the reverse) is mirrored
 *   (own price = $1 - other side's price);
 * - `buy_max_cost` cents -> ticks; `expiration_ts` (V2: `expiration_time`) Unix SECONDS -> ms;
 * - query `min_ts` / `max_ts` Unix seconds; `limit` 1..1000 (default 100); `cursor` opaque.
 * `null` in an optional body field is read as absent.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { FixedPointError, parsePriceDollars, parseSizeFp, type PriceTicks, type SizeCentis } from '@kalshi-platform/market';
import type { Action, SelfTradePrevention, Side, TimeInForce } from '@kalshi-platform/matching';
import type { VenueOrderInput } from '../venue/venue';
import { badParam } from './kalshi-http-error';
import { MAX_BATCH_ITEMS } from './rate-limit';

const TIME_IN_FORCE = ['fill_or_kill', 'good_till_canceled', 'immediate_or_cancel'] as const;
const STP = ['taker_at_cross', 'maker'] as const;

const optional = <T extends z.ZodType>(t: T) => t.nullish().transform((v) => (v === null ? undefined : v));
const str = z.string({ error: 'must be a string' });
const nonEmpty = str.min(1, 'must not be empty');
const int = z.number({ error: 'must be an integer' }).int('must be an integer');
const bool = z.boolean({ error: 'must be true or false' });
const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(', ')}` });
const zeroOnly = (what: string) => z.literal(0, { error: `only ${what} 0 is supported by the mock` });

/** `POST /portfolio/orders` body (SDK CreateOrderRequest). */
export const createOrderSchema = z.object({
  ticker: nonEmpty,
  client_order_id: optional(nonEmpty.max(128, 'must be at most 128 characters')),
  side: oneOf(['yes', 'no'] as const),
  action: oneOf(['buy', 'sell'] as const),
  type: optional(oneOf(['limit', 'market'] as const)),
  count: optional(int.min(1, 'must be >= 1')),
  count_fp: optional(str),
  yes_price: optional(int.min(1, 'must be 1..99 cents').max(99, 'must be 1..99 cents')),
  no_price: optional(int.min(1, 'must be 1..99 cents').max(99, 'must be 1..99 cents')),
  yes_price_dollars: optional(str),
  no_price_dollars: optional(str),
  expiration_ts: optional(int.min(1, 'must be a positive Unix timestamp in seconds')),
  time_in_force: optional(oneOf(TIME_IN_FORCE)),
  buy_max_cost: optional(int.min(1, 'must be a positive number of cents')),
  post_only: optional(bool),
  reduce_only: optional(bool),
  sell_position_floor: optional(z.literal(0, { error: 'is deprecated and only accepts 0 (use reduce_only)' })),
  self_trade_prevention_type: optional(oneOf(STP)),
  order_group_id: optional(str),
  cancel_order_on_pause: optional(bool),
  subaccount: optional(zeroOnly('subaccount')),
  exchange_index: optional(zeroOnly('exchange_index')),
});
export type CreateOrderBody = z.infer<typeof createOrderSchema>;

/**
 * The hot path of `parseBody(createOrderSchema, body)`: `body` as the schema would return it when every field is
 * plainly valid (known key, right type and range; `null` read as absent), else `undefined` and zod decides — so
 * every refusal, and anything unusual (unknown keys, which zod strips), still goes through zod and keeps its exact
 * message. Accepts a subset of what the schema accepts, with the same result.
 */
function createOrderFast(body: Record<string, unknown>): CreateOrderBody | undefined {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(body)) {
    const v = body[k];
    if (v === null || v === undefined) {
      if (k === 'ticker' || k === 'side' || k === 'action' || !CREATE_ORDER_KEYS.has(k)) return undefined;
      out[k] = undefined;
      continue;
    }
    switch (k) {
      case 'ticker':
        if (typeof v !== 'string' || v.length === 0) return undefined;
        break;
      case 'client_order_id':
        if (typeof v !== 'string' || v.length === 0 || v.length > 128) return undefined;
        break;
      case 'side':
        if (v !== 'yes' && v !== 'no') return undefined;
        break;
      case 'action':
        if (v !== 'buy' && v !== 'sell') return undefined;
        break;
      case 'type':
        if (v !== 'limit' && v !== 'market') return undefined;
        break;
      case 'count':
      case 'expiration_ts':
      case 'buy_max_cost':
        if (!Number.isSafeInteger(v) || (v as number) < 1) return undefined;
        break;
      case 'yes_price':
      case 'no_price':
        if (!Number.isSafeInteger(v) || (v as number) < 1 || (v as number) > 99) return undefined;
        break;
      case 'count_fp':
      case 'yes_price_dollars':
      case 'no_price_dollars':
      case 'order_group_id':
        if (typeof v !== 'string') return undefined;
        break;
      case 'time_in_force':
        if (!(TIME_IN_FORCE as readonly unknown[]).includes(v)) return undefined;
        break;
      case 'post_only':
      case 'reduce_only':
      case 'cancel_order_on_pause':
        if (typeof v !== 'boolean') return undefined;
        break;
      case 'self_trade_prevention_type':
        if (!(STP as readonly unknown[]).includes(v)) return undefined;
        break;
      case 'sell_position_floor':
      case 'subaccount':
      case 'exchange_index':
        if (v !== 0) return undefined;
        break;
      default:
        return undefined;
    }
    out[k] = v;
  }
  if (out.ticker === undefined || out.side === undefined || out.action === undefined) return undefined;
  return out as CreateOrderBody;
}
const CREATE_ORDER_KEYS: ReadonlySet<string> = new Set(Object.keys(createOrderSchema.shape));

/** `POST /portfolio/events/orders` body (SDK CreateOrderV2Request: bid = buy YES, ask = sell YES). */
export const createOrderV2Schema = z.object({
  ticker: nonEmpty,
  client_order_id: optional(nonEmpty.max(128, 'must be at most 128 characters')),
  side: oneOf(['bid', 'ask'] as const),
  count: str,
  price: str,
  time_in_force: oneOf(TIME_IN_FORCE),
  self_trade_prevention_type: oneOf(STP),
  expiration_time: optional(int.min(1, 'must be a positive Unix timestamp in seconds')),
  post_only: optional(bool),
  reduce_only: optional(bool),
  cancel_order_on_pause: optional(bool),
  order_group_id: optional(str),
  subaccount: optional(zeroOnly('subaccount')),
  exchange_index: optional(zeroOnly('exchange_index')),
});
export type CreateOrderV2Body = z.infer<typeof createOrderV2Schema>;

/** `POST /portfolio/orders/{id}/amend` body (SDK AmendOrderRequest; `count` = new max fillable = fill + remaining). */
export const amendOrderSchema = z.object({
  ticker: nonEmpty,
  side: oneOf(['yes', 'no'] as const),
  action: oneOf(['buy', 'sell'] as const),
  client_order_id: optional(str),
  updated_client_order_id: optional(str),
  yes_price: optional(int.min(1, 'must be 1..99 cents').max(99, 'must be 1..99 cents')),
  no_price: optional(int.min(1, 'must be 1..99 cents').max(99, 'must be 1..99 cents')),
  yes_price_dollars: optional(str),
  no_price_dollars: optional(str),
  count: optional(int.min(1, 'must be >= 1')),
  count_fp: optional(str),
  subaccount: optional(zeroOnly('subaccount')),
  exchange_index: optional(zeroOnly('exchange_index')),
});
export type AmendOrderBody = z.infer<typeof amendOrderSchema>;

/** `POST /portfolio/events/orders/{id}/amend` body (SDK AmendOrderV2Request: YES-side `price`, new max fillable `count`). */
export const amendOrderV2Schema = z.object({
  ticker: nonEmpty,
  side: oneOf(['bid', 'ask'] as const),
  price: str,
  count: str,
  client_order_id: optional(str),
  updated_client_order_id: optional(str),
  exchange_index: optional(zeroOnly('exchange_index')),
});

/** `POST /portfolio/events/orders/{id}/decrease` body (SDK DecreaseOrderV2Request: count strings). */
export const decreaseOrderV2Schema = z.object({
  reduce_by: optional(str),
  reduce_to: optional(str),
  exchange_index: optional(zeroOnly('exchange_index')),
  market_ticker: optional(str),
});

/** `POST /portfolio/orders/{id}/decrease` body: exactly one of reduce_by(_fp) / reduce_to(_fp). */
export const decreaseOrderSchema = z.object({
  reduce_by: optional(int.min(1, 'must be >= 1')),
  reduce_by_fp: optional(str),
  reduce_to: optional(int.min(0, 'must be >= 0')),
  reduce_to_fp: optional(str),
  subaccount: optional(zeroOnly('subaccount')),
  exchange_index: optional(zeroOnly('exchange_index')),
});
export type DecreaseOrderBody = z.infer<typeof decreaseOrderSchema>;

/** `DELETE /portfolio/orders/batched` body: `ids` or `orders: [{order_id}]`. */
export const batchCancelSchema = z.object({
  ids: optional(z.array(nonEmpty, { error: 'must be an array of order ids' })),
  orders: optional(z.array(z.object({ order_id: nonEmpty, subaccount: optional(zeroOnly('subaccount')), exchange_index: optional(zeroOnly('exchange_index')), market_ticker: optional(str) }), { error: 'must be an array' })),
});

const SCOPES = ['read', 'write', 'read::block_trade_accept', 'read::portfolio_balance', 'write::trade', 'write::transfer', 'write::block_trade_accept'] as const;

/** `POST /api_keys` body (SDK CreateApiKeyRequest). */
export const createApiKeySchema = z.object({
  name: nonEmpty.max(200, 'must be at most 200 characters'),
  public_key: nonEmpty,
  scopes: optional(z.array(oneOf(SCOPES), { error: 'must be an array of scopes' })),
  subaccount: optional(zeroOnly('subaccount')),
});

/** `POST /api_keys/generate` body (SDK GenerateApiKeyRequest). */
export const generateApiKeySchema = z.object({
  name: nonEmpty.max(200, 'must be at most 200 characters'),
  scopes: optional(z.array(oneOf(SCOPES), { error: 'must be an array of scopes' })),
  subaccount: optional(zeroOnly('subaccount')),
});

/** `POST /mock/accounts` body. */
export const mockAccountSchema = z.object({
  account_id: nonEmpty.max(64, 'must be at most 64 characters').regex(/^[A-Za-z0-9_.-]+$/, 'may only contain letters, digits, _ . -'),
  balance_dollars: optional(str),
});

/** `POST /mock/accounts/{id}/deposit` body. */
export const mockDepositSchema = z.object({ amount_dollars: str });

/** `POST /mock/markets/{ticker}/determine` body. */
export const mockDetermineSchema = z.object({ result: oneOf(['yes', 'no'] as const) });

/**
 * Parses a JSON body with `schema`.
 * @param prefix field prefix of the messages (`orders.3` inside a batch)
 * @throws KalshiHttpError 400 naming the first bad field.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, prefix = ''): z.infer<S> {
  const where = (p: PropertyKey[]) => [prefix, ...p.map(String)].filter((x) => x !== '').join('.') || 'body';
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) throw badParam(prefix || 'body', 'must be a JSON object');
  if ((schema as z.ZodType) === createOrderSchema) {
    const fast = createOrderFast(body as Record<string, unknown>);
    if (fast !== undefined) return fast as z.infer<S>;
  }
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (issue.code === 'unrecognized_keys') throw badParam(where([...(issue.path as PropertyKey[]), issue.keys[0]]), 'is not a known field');
  const field = where(issue.path as PropertyKey[]);
  let at: unknown = body;
  for (const k of issue.path as PropertyKey[]) at = at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[k] : undefined;
  const missing = at === undefined;
  throw badParam(field, missing ? 'is required' : issue.message);
}

/** Runs a fixed-point parser, turning its error into a 400 naming `field`. */
function fixed<T>(field: string, parse: (s: string) => T, text: string): T {
  try {
    return parse(text);
  } catch (e) {
    if (e instanceof FixedPointError) throw badParam(field, `${JSON.stringify(text)} is not valid (${e.message.replace(/^[a-z_]+: /, '')})`);
    throw e;
  }
}

/** A contract count from `count` (integer) and/or `count_fp` (string), centis; both given must match. */
export function countCentis(intField: string, fpField: string, count: number | undefined, countFp: string | undefined, required: boolean): SizeCentis | undefined {
  let fromFp: number | undefined;
  if (countFp !== undefined) {
    fromFp = fixed(fpField, parseSizeFp, countFp);
    if (fromFp <= 0) throw badParam(fpField, `must be positive, got ${JSON.stringify(countFp)}`);
  }
  const fromInt = count === undefined ? undefined : count * 100;
  if (fromInt !== undefined && fromFp !== undefined && fromInt !== fromFp) throw badParam(fpField, `${JSON.stringify(countFp)} does not match ${intField} ${count}`);
  const v = fromFp ?? fromInt;
  if (v === undefined && required) throw badParam(intField, `${intField} or ${fpField} is required`);
  return v;
}

/** A size (>= 0 allowed when `allowZero`) from `x` (integer contracts) / `x_fp` (string), centis; `fpName` names the string field. */
function sizeField(name: string, fpName: string, n: number | undefined, fp: string | undefined, allowZero: boolean): SizeCentis | undefined {
  let fromFp: number | undefined;
  if (fp !== undefined) {
    fromFp = fixed(fpName, parseSizeFp, fp);
    if (fromFp < 0 || (!allowZero && fromFp === 0)) throw badParam(fpName, `must be ${allowZero ? 'non-negative' : 'positive'}, got ${JSON.stringify(fp)}`);
  }
  const fromInt = n === undefined ? undefined : n * 100;
  if (fromInt !== undefined && fromFp !== undefined && fromInt !== fromFp) throw badParam(fpName, `${JSON.stringify(fp)} does not match ${name} ${n}`);
  return fromFp ?? fromInt;
}

/**
 * The order's own-side limit price from Kalshi's four price fields, ticks.
 * @throws KalshiHttpError 400 when none, or prices of both sides, or mismatching cents/dollars are given.
 */
export function ownPriceTicks(
  side: Side,
  b: { yes_price?: number; no_price?: number; yes_price_dollars?: string; no_price_dollars?: string },
  prefix: string,
  required: boolean,
): PriceTicks | undefined {
  const f = (n: string) => (prefix ? `${prefix}.${n}` : n);
  const one = (cents: number | undefined, dollars: string | undefined, name: 'yes' | 'no'): number | undefined => {
    const d = dollars === undefined ? undefined : fixed(f(`${name}_price_dollars`), parsePriceDollars, dollars);
    const c = cents === undefined ? undefined : cents * 100;
    if (d !== undefined && c !== undefined && d !== c) throw badParam(f(`${name}_price_dollars`), `${JSON.stringify(dollars)} does not match ${name}_price ${cents}`);
    const v = d ?? c;
    if (v !== undefined && (v <= 0 || v >= 10_000)) throw badParam(f(`${name}_price_dollars`), `must be strictly between 0 and 1, got ${JSON.stringify(dollars ?? String(cents))}`);
    return v;
  };
  const yes = one(b.yes_price, b.yes_price_dollars, 'yes');
  const no = one(b.no_price, b.no_price_dollars, 'no');
  if (yes !== undefined && no !== undefined) throw badParam(f('yes_price_dollars'), 'give the price of one side only (yes_price[_dollars] or no_price[_dollars])');
  if (yes === undefined && no === undefined) {
    if (required) throw badParam(f('yes_price_dollars'), 'a price is required: yes_price_dollars, no_price_dollars, yes_price or no_price');
    return undefined;
  }
  if (yes !== undefined) return side === 'yes' ? yes : 10_000 - yes;
  return side === 'no' ? (no as number) : 10_000 - (no as number);
}

/** Rejects mock-unsupported options. */
function unsupported(field: string, present: boolean, why: string): void {
  if (present) throw badParam(field, why);
}

/**
 * Decodes a create-order body (already schema-checked) into the venue's order input.
 * @throws KalshiHttpError 400 naming the field.
 */
export function venueOrderFromCreate(b: CreateOrderBody, prefix = ''): VenueOrderInput & { cancelOrderOnPause: boolean } {
  const f = (n: string) => (prefix ? `${prefix}.${n}` : n);
  unsupported(f('order_group_id'), b.order_group_id !== undefined, 'order groups are not supported by the mock exchange');
  const sizeCentis = countCentis(f('count'), f('count_fp'), b.count, b.count_fp, true) as number;
  const priceTicks = ownPriceTicks(b.side, b, prefix, true) as number;
  if (b.buy_max_cost !== undefined && b.action !== 'buy') throw badParam(f('buy_max_cost'), 'only allowed with action buy');
  return {
    marketTicker: b.ticker,
    side: b.side,
    action: b.action,
    priceTicks,
    sizeCentis,
    clientOrderId: b.client_order_id,
    timeInForce: b.time_in_force as TimeInForce | undefined,
    postOnly: b.post_only,
    reduceOnly: b.reduce_only,
    buyMaxCostTicks: b.buy_max_cost === undefined ? undefined : b.buy_max_cost * 100,
    expirationTsMs: b.expiration_ts === undefined ? undefined : b.expiration_ts * 1000,
    selfTradePrevention: b.self_trade_prevention_type as SelfTradePrevention | undefined,
    cancelOrderOnPause: b.cancel_order_on_pause ?? false,
  };
}

/**
 * Decodes a V2 create-order body: `bid` = buy YES, `ask` = sell YES, `price` the YES price in dollars.
 * @throws KalshiHttpError 400 naming the field.
 */
export function venueOrderFromV2(b: CreateOrderV2Body, prefix = ''): VenueOrderInput & { cancelOrderOnPause: boolean } {
  const f = (n: string) => (prefix ? `${prefix}.${n}` : n);
  unsupported(f('order_group_id'), b.order_group_id !== undefined, 'order groups are not supported by the mock exchange');
  const sizeCentis = fixed(f('count'), parseSizeFp, b.count);
  if (sizeCentis <= 0) throw badParam(f('count'), `must be positive, got ${JSON.stringify(b.count)}`);
  const priceTicks = fixed(f('price'), parsePriceDollars, b.price);
  if (priceTicks <= 0 || priceTicks >= 10_000) throw badParam(f('price'), `must be strictly between 0 and 1, got ${JSON.stringify(b.price)}`);
  const action: Action = b.side === 'bid' ? 'buy' : 'sell';
  return {
    marketTicker: b.ticker,
    side: 'yes',
    action,
    priceTicks,
    sizeCentis,
    clientOrderId: b.client_order_id,
    timeInForce: b.time_in_force,
    postOnly: b.post_only,
    reduceOnly: b.reduce_only,
    expirationTsMs: b.expiration_time === undefined ? undefined : b.expiration_time * 1000,
    selfTradePrevention: b.self_trade_prevention_type,
    cancelOrderOnPause: b.cancel_order_on_pause ?? false,
  };
}

/**
 * Decodes a decrease body into exactly one of reduce-by / reduce-to, centis. V1 bodies carry `reduce_by` (integer)
 * and/or `reduce_by_fp` (string); V2 bodies (`v2`) carry the strings under `reduce_by` / `reduce_to`.
 * @throws KalshiHttpError 400 naming the field.
 */
export function decreaseChange(b: { reduce_by?: number; reduce_by_fp?: string; reduce_to?: number; reduce_to_fp?: string }, v2 = false): { reduceByCentis?: SizeCentis; reduceToCentis?: SizeCentis } {
  const fp = (n: string) => (v2 ? n : `${n}_fp`);
  const by = sizeField('reduce_by', fp('reduce_by'), b.reduce_by, b.reduce_by_fp, false);
  const to = sizeField('reduce_to', fp('reduce_to'), b.reduce_to, b.reduce_to_fp, true);
  if ((by === undefined) === (to === undefined)) throw badParam('reduce_by', v2 ? 'give exactly one of reduce_by and reduce_to' : 'give exactly one of reduce_by(_fp) and reduce_to(_fp)');
  return by !== undefined ? { reduceByCentis: by } : { reduceToCentis: to };
}

/** Order ids of a batch-cancel body (at most {@link MAX_BATCH_ITEMS}). @throws KalshiHttpError 400. */
export function batchCancelIds(body: unknown): string[] {
  const b = parseBody(batchCancelSchema, body);
  const ids = b.ids ?? b.orders?.map((o) => o.order_id);
  if (!ids || ids.length === 0) throw badParam('ids', 'give a non-empty ids (or orders) array');
  if (ids.length > MAX_BATCH_ITEMS) throw badParam(b.ids ? 'ids' : 'orders', `at most ${MAX_BATCH_ITEMS} orders per batch, got ${ids.length}`);
  return ids;
}

/** A dollar amount (`"100000.00"`) -> ticks. @throws KalshiHttpError 400 naming `field`. */
export function dollarsField(field: string, text: string): PriceTicks {
  return fixed(field, parsePriceDollars, text);
}

// ----------------------------------------------------------------------------------------------- query strings

/** An integer query parameter in `min..max` (default `dflt` when absent). @throws KalshiHttpError 400. */
export function intQuery(name: string, raw: string | undefined, min: number, max: number, dflt: number): number {
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d{1,15}$/.test(raw)) throw badParam(name, `must be an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw badParam(name, `must be in ${min}..${max}, got ${n}`);
  return n;
}

/** Page size: `limit` 1..1000, default 100 (Kalshi's list endpoints). */
export const limitQuery = (raw: string | undefined, max = 1000): number => intQuery('limit', raw, 1, max, 100);

/** A Unix-seconds query parameter (`min_ts`, `max_ts`), or undefined. @throws KalshiHttpError 400. */
export function secondsQuery(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,12}$/.test(raw)) throw badParam(name, `must be a Unix timestamp in seconds, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** A query parameter restricted to `values`, or undefined. @throws KalshiHttpError 400. */
export function enumQuery<T extends string>(name: string, raw: string | undefined, values: readonly T[]): T | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!(values as readonly string[]).includes(raw)) throw badParam(name, `must be one of ${values.join(', ')}; got ${JSON.stringify(raw)}`);
  return raw as T;
}

/** A comma-separated list query parameter (at most `max` items), or undefined. @throws KalshiHttpError 400. */
export function listQuery(name: string, raw: string | undefined, max: number): string[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length > max) throw badParam(name, `at most ${max} values, got ${items.length}`);
  return items;
}

// ----------------------------------------------------------------------------------------------- cursors

/**
 * An opaque, stable cursor: base64url of `[kind, key]` where key is the last item's position in an append-only
 * sequence (or its sort key). New items never shift a cursor, so paging while the list grows neither skips nor repeats.
 */
export function encodeCursor(kind: string, key: number | string): string {
  return Buffer.from(JSON.stringify([kind, key])).toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor} with the same `kind`; undefined when absent.
 * @throws KalshiHttpError 400 naming `cursor` for anything else.
 */
export function decodeCursor<K extends 'number' | 'string'>(kind: string, raw: string | undefined, keyType: K): (K extends 'number' ? number : string) | undefined {
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = /^[A-Za-z0-9_-]{1,512}={0,2}$/.test(raw) ? JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  const ok = Array.isArray(parsed) && parsed.length === 2 && parsed[0] === kind && (keyType === 'number' ? Number.isSafeInteger(parsed[1]) && parsed[1] >= 0 : typeof parsed[1] === 'string');
  if (!ok) throw badParam('cursor', 'is not a cursor returned by this endpoint');
  return (parsed as [string, never])[1];
}

// ----------------------------------------------------------------------------------------------- error shape

const CODE_OF_STATUS: Record<number, string> = { 400: 'invalid_parameter', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed', 409: 'conflict', 413: 'payload_too_large', 415: 'unsupported_media_type', 503: 'service_unavailable' };

/**
 * Answers every HTTP exception in Kalshi's error shape. Bodies that already have an `error` key (KalshiHttpError's
 * `{"error":{"code","message"}}`, the 429 `{"error":"too many requests"}`) pass unchanged; Nest's own errors (malformed
 * JSON bodies, unknown routes) become `{"error":{"code","message"}}` (a malformed body: 400 `invalid_parameter`,
 * message `body: malformed JSON (...)`).
 */
@Catch(HttpException)
export class KalshiErrorFilter implements ExceptionFilter {
  catch(e: HttpException, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<ServerResponse>();
    const status = e.getStatus();
    let body = e.getResponse();
    const kalshiShape =
      body !== null &&
      typeof body === 'object' &&
      'error' in body &&
      ((typeof body.error === 'string' && Object.keys(body).length === 1) || (typeof body.error === 'object' && body.error !== null && 'code' in body.error));
    if (!kalshiShape) {
      const raw = typeof body === 'string' ? body : (body as { message?: unknown })?.message;
      const msg = Array.isArray(raw) ? raw.join('; ') : String(raw ?? e.message);
      const malformed = status === 400 && /JSON/i.test(msg);
      body = { error: { code: CODE_OF_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'bad_request'), message: malformed ? `body: malformed JSON (${msg})` : msg } };
    }
    const text = JSON.stringify(body);
    const reply = res as unknown as { code?: (s: number) => unknown; sent?: boolean; header(k: string, v: string): unknown; send(t: string): unknown };
    if (typeof reply.code === 'function') {
      // Fastify reply
      if (reply.sent) return;
      reply.code(status);
      reply.header('content-type', 'application/json; charset=utf-8');
      reply.send(text);
      return;
    }
    if (res.headersSent) return;
    res.statusCode = status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(text));
    res.end(text);
  }
}
