/**
 * typeorm entities of the PLATFORM's relational store (our trading side; the mock exchange's venue store is a
 * different thing in `libs/feature-exchange/src/store`). Tables are created only by the hand-written migrations in
 * `./migrations` (never by `synchronize`) inside the store's schema (`platform` by default, see
 * `./relational-store`). The same entities serve PostgreSQL (`pg`) and embedded PGlite.
 *
 * Units are fixed-point integers named by the column suffix:
 * - `_ticks`  = 1/10000 dollar (a Kalshi price $0.4500 is 4500 ticks)
 * - `_centis` = 1/100 contract (Kalshi fractional contracts `count_fp` "1.50" is 150 centis)
 * - `_micros` = 1e-6 dollar (cash that is a price times a size: ticks x centis = micros)
 * - `_ts_ms`  = ms since the Unix epoch; `_ms` = a duration in ms
 *
 * BIGINT mapping (decided here, tested in `relational-store.spec.ts`):
 * - every money / size column (`_ticks`, `_centis`, `_micros`, risk `limit_value`) is a JS `bigint` through
 *   {@link bigintExact}: exact over the whole signed 64-bit range, so a cumulative PnL or notional beyond 2^53 can
 *   neither be silently rounded on read nor on write;
 * - timestamps, durations and row ids are a JS `number` through {@link bigintSafeNumber}, which throws rather than
 *   round when a stored value is not a safe integer (ms timestamps are ~2^41).
 */
import 'reflect-metadata';
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn, type ValueTransformer } from 'typeorm';
import type { PrimaryGeneratedColumnNumericOptions } from 'typeorm/decorator/options/PrimaryGeneratedColumnNumericOptions';

/** Largest / smallest PostgreSQL BIGINT. */
const INT8_MAX = 9_223_372_036_854_775_807n;
const INT8_MIN = -9_223_372_036_854_775_808n;

/**
 * BIGINT <-> JS `bigint`, exact. Written as a decimal string (accepted for an int8 parameter by both `pg` and
 * PGlite); read from what the driver returns: node-postgres gives a string, PGlite a number (safe range) or a bigint.
 * A safe-integer `number` is accepted on write for convenience.
 * @throws RangeError on write of a non-integer / unsafe number or a bigint outside the int8 range
 */
export const bigintExact: ValueTransformer = {
  to: (v: bigint | number | null | undefined): string | null | undefined => {
    if (v === null || v === undefined) return v;
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new RangeError(`BIGINT column: ${v} is not a safe integer (pass a bigint)`);
      return String(v);
    }
    if (typeof v !== 'bigint') return v as never; // FindOperator and friends: typeorm transforms their values itself
    if (v > INT8_MAX || v < INT8_MIN) throw new RangeError(`BIGINT column: ${v} is outside the signed 64-bit range`);
    return v.toString();
  },
  from: (v: string | number | bigint | null | undefined): bigint | null | undefined => {
    if (v === null || v === undefined) return v;
    return BigInt(v);
  },
};

/**
 * BIGINT <-> JS `number` for timestamps, durations and ids.
 * @throws RangeError when a value (read or written) is not a safe integer
 */
export const bigintSafeNumber: ValueTransformer = {
  to: (v: number | null | undefined) => {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new RangeError(`BIGINT column: ${v} is not a safe integer`);
    return v;
  },
  from: (v: string | number | bigint | null | undefined): number | null | undefined => {
    if (v === null || v === undefined) return v;
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT ${String(v)} is not a safe integer`);
    return n;
  },
};

/** A BIGINT money/size column read as `bigint`. */
const money = (name: string, nullable = false) => ({ name, type: 'bigint' as const, transformer: bigintExact, nullable });
/** A BIGINT time/duration column read as `number`. */
const ms = (name: string, nullable = false) => ({ name, type: 'bigint' as const, transformer: bigintSafeNumber, nullable });
const text = (name: string) => ({ name, type: 'text' as const });
const textNull = (name: string) => ({ name, type: 'text' as const, nullable: true });

/** Kalshi market lifecycle statuses (API v2 `status`), plus the legacy `unopened`/`open`/`settled` of older payloads. */
export const PLATFORM_MARKET_STATUSES = ['initialized', 'inactive', 'active', 'closed', 'determined', 'disputed', 'amended', 'finalized', 'unopened', 'open', 'settled'] as const;
/** Event statuses as Kalshi's event filters name them. */
export const PLATFORM_EVENT_STATUSES = ['unopened', 'open', 'closed', 'settled'] as const;
/** Our order lifecycle. `executed` = fully filled (remaining 0); `canceled` and `rejected` are terminal too. */
export const PLATFORM_ORDER_STATUSES = ['pending', 'resting', 'partially_filled', 'executed', 'canceled', 'rejected'] as const;
/** Statuses of an order that may still trade (the reconciler's "open orders"). */
export const PLATFORM_OPEN_ORDER_STATUSES = ['pending', 'resting', 'partially_filled'] as const;
export const PLATFORM_ORDER_TYPES = ['limit', 'market'] as const;
export const PLATFORM_RISK_SCOPES = ['global', 'event', 'market'] as const;

export type PlatformMarketStatus = (typeof PLATFORM_MARKET_STATUSES)[number];
export type PlatformEventStatus = (typeof PLATFORM_EVENT_STATUSES)[number];
export type PlatformOrderStatus = (typeof PLATFORM_ORDER_STATUSES)[number];
export type PlatformOrderType = (typeof PLATFORM_ORDER_TYPES)[number];
export type PlatformRiskScope = (typeof PLATFORM_RISK_SCOPES)[number];
export type PlatformSide = 'yes' | 'no';
export type PlatformAction = 'buy' | 'sell';

/** `events`: a Kalshi event (a group of markets), keyed by event ticker. */
@Entity({ name: 'events' })
export class PlatformEventRow {
  @PrimaryColumn(text('event_ticker'))
  eventTicker!: string;
  @Column(text('series_ticker'))
  seriesTicker!: string;
  @Column(text('title'))
  title!: string;
  @Column(text('status'))
  status!: PlatformEventStatus;
  /** Exactly one of its markets resolves YES. */
  @Column({ name: 'mutually_exclusive', type: 'boolean' })
  mutuallyExclusive!: boolean;
  /** When trading stops (latest market close), ms; null if unknown. */
  @Column(ms('close_ts_ms', true))
  closeTsMs!: number | null;
  @Column(ms('updated_ts_ms'))
  updatedTsMs!: number;
}

/** `markets`: a Kalshi market, keyed by market ticker. */
@Entity({ name: 'markets' })
export class PlatformMarketRow {
  @PrimaryColumn(text('market_ticker'))
  marketTicker!: string;
  @Column(text('event_ticker'))
  eventTicker!: string;
  @Column(text('series_ticker'))
  seriesTicker!: string;
  @Column(text('title'))
  title!: string;
  @Column(text('status'))
  status!: PlatformMarketStatus;
  @Column(ms('open_ts_ms', true))
  openTsMs!: number | null;
  @Column(ms('close_ts_ms', true))
  closeTsMs!: number | null;
  /** `yes` | `no` | `scalar` once determined, else null. */
  @Column(textNull('result'))
  result!: 'yes' | 'no' | 'scalar' | null;
  @Column(ms('updated_ts_ms'))
  updatedTsMs!: number;
}

/** `signals`: a strategy's trading signal; orders point at the signal that caused them. */
@Entity({ name: 'signals' })
export class PlatformSignalRow {
  @PrimaryColumn(text('signal_id'))
  signalId!: string;
  /** Version of the strategy/model that produced it (>= 1). */
  @Column({ name: 'version', type: 'integer' })
  version!: number;
  /** Strategy kind, e.g. `mean_reversion`. */
  @Column(text('kind'))
  kind!: string;
  @Column(text('market_ticker'))
  marketTicker!: string;
  @Column(text('side'))
  side!: PlatformSide;
  /** Why (strategy-specific JSON: features, thresholds, ...). */
  @Column({ name: 'reasons', type: 'jsonb' })
  reasons!: unknown;
  /** Expected edge per contract, ticks (signed). */
  @Column(money('edge_ticks'))
  edgeTicks!: bigint;
  /** Time to live, ms (> 0). */
  @Column(ms('ttl_ms'))
  ttlMs!: number;
  /** = ts_ms + ttl_ms (CHECKed). */
  @Column(ms('expires_ts_ms'))
  expiresTsMs!: number;
  @Column(ms('ts_ms'))
  tsMs!: number;
}

/** `orders`: our orders, keyed by our client_order_id; order_id is the exchange's (unique once known). */
@Entity({ name: 'orders' })
export class PlatformOrderRow {
  @PrimaryColumn(text('client_order_id'))
  clientOrderId!: string;
  /** Exchange order id, null until the exchange acknowledged the order. */
  @Column(textNull('order_id'))
  orderId!: string | null;
  @Column(text('market_ticker'))
  marketTicker!: string;
  /** The market's event ('' when unknown: rows from before migration AddOrderEventTicker). */
  @Column({ name: 'event_ticker', type: 'text', default: '' })
  eventTicker!: string;
  @Column(text('side'))
  side!: PlatformSide;
  @Column(text('action'))
  action!: PlatformAction;
  @Column(text('type'))
  type!: PlatformOrderType;
  /** Limit price in the order's own side, ticks (1..9999). */
  @Column(money('price_ticks'))
  priceTicks!: bigint;
  /** Ordered size, centis (> 0). */
  @Column(money('count_centis'))
  countCentis!: bigint;
  @Column(money('filled_centis'))
  filledCentis!: bigint;
  @Column(money('remaining_centis'))
  remainingCentis!: bigint;
  @Column(text('status'))
  status!: PlatformOrderStatus;
  @Column(textNull('reject_reason'))
  rejectReason!: string | null;
  @Column(textNull('signal_id'))
  signalId!: string | null;
  @Column(ms('created_ts_ms'))
  createdTsMs!: number;
  @Column(ms('updated_ts_ms'))
  updatedTsMs!: number;
}

/** `fills`: one row per exchange fill, keyed by the exchange's fill id (a redelivered fill is stored once). */
@Entity({ name: 'fills' })
export class PlatformFillRow {
  @PrimaryColumn(text('fill_id'))
  fillId!: string;
  @Column(text('trade_id'))
  tradeId!: string;
  /** Exchange order id of our order. */
  @Column(text('order_id'))
  orderId!: string;
  /** Our id of the order, when the fill could be matched to one. */
  @Column(textNull('client_order_id'))
  clientOrderId!: string | null;
  @Column(text('market_ticker'))
  marketTicker!: string;
  @Column(text('side'))
  side!: PlatformSide;
  @Column(text('action'))
  action!: PlatformAction;
  /** Price in the fill's own side, ticks (1..9999). */
  @Column(money('price_ticks'))
  priceTicks!: bigint;
  /** Filled size, centis (> 0). */
  @Column(money('count_centis'))
  countCentis!: bigint;
  /** Fee charged, micros (negative = rebate). */
  @Column(money('fee_micros'))
  feeMicros!: bigint;
  @Column({ name: 'is_taker', type: 'boolean' })
  isTaker!: boolean;
  @Column(ms('ts_ms'))
  tsMs!: number;
}

/** `positions`: our net position per market. */
@Entity({ name: 'positions' })
export class PlatformPositionRow {
  @PrimaryColumn(text('market_ticker'))
  marketTicker!: string;
  /** Signed, centis: > 0 long YES, < 0 long NO (Kalshi's `position` convention). */
  @Column(money('position_centis'))
  positionCentis!: bigint;
  /** Cost of the open position, micros. */
  @Column(money('cost_basis_micros'))
  costBasisMicros!: bigint;
  @Column(money('realized_pnl_micros'))
  realizedPnlMicros!: bigint;
  /** Fees paid in total, micros. */
  @Column(money('fees_paid_micros'))
  feesPaidMicros!: bigint;
  /** Total traded size, centis (>= 0). */
  @Column(money('volume_centis'))
  volumeCentis!: bigint;
  @Column(ms('updated_ts_ms'))
  updatedTsMs!: number;
}

/** `risk_limits`: one limit per (scope, scope_key, limit_name); the unit is the suffix of limit_name. */
@Entity({ name: 'risk_limits' })
export class PlatformRiskLimitRow {
  @PrimaryColumn(text('scope'))
  scope!: PlatformRiskScope;
  /** '' for `global`, else the event or market ticker. */
  @PrimaryColumn(text('scope_key'))
  scopeKey!: string;
  /** e.g. `max_position_centis`, `max_daily_loss_micros`, `max_open_orders_count`. */
  @PrimaryColumn(text('limit_name'))
  limitName!: string;
  /** In the unit named by {@link limitName}'s suffix (>= 0). */
  @Column(money('limit_value'))
  limitValue!: bigint;
  @Column({ name: 'enabled', type: 'boolean' })
  enabled!: boolean;
  @Column(text('updated_by'))
  updatedBy!: string;
  @Column(ms('updated_ts_ms'))
  updatedTsMs!: number;
}

/** `audit_log`: append-only (UPDATE/DELETE/TRUNCATE are refused by triggers). */
@Entity({ name: 'audit_log' })
export class PlatformAuditLogRow {
  /** BIGSERIAL. (typeorm's PrimaryGeneratedColumn typings omit `transformer`, which its metadata does apply: tested.) */
  @PrimaryGeneratedColumn({ name: 'id', type: 'bigint', transformer: bigintSafeNumber } as PrimaryGeneratedColumnNumericOptions)
  id!: number;
  @Column(ms('ts_ms'))
  tsMs!: number;
  /** Who: a user, a service (`reconciler`), a strategy. */
  @Column(text('actor'))
  actor!: string;
  /** What, e.g. `order.place`, `risk_limit.set`. */
  @Column(text('action'))
  action!: string;
  /** On what, e.g. a client_order_id or market ticker. */
  @Column(text('subject'))
  subject!: string;
  @Column({ name: 'details', type: 'jsonb' })
  details!: unknown;
}

/** Every entity of the store. */
export const RELATIONAL_ENTITIES = [PlatformEventRow, PlatformMarketRow, PlatformSignalRow, PlatformOrderRow, PlatformFillRow, PlatformPositionRow, PlatformRiskLimitRow, PlatformAuditLogRow];
