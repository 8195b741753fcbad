import type { DollarsMicros, PriceTicks, SizeCentis } from '@kalshi-platform/market';
import type { OrderRateTier } from './rate';

/**
 * Pre-trade limits of a {@link RiskGate}. Every field is optional (absent = that check is off) and, when present,
 * a non-negative safe integer in the unit its name carries. A value equal to a limit is allowed; the gate rejects
 * an order only when the would-be value is strictly greater than the limit.
 */
export interface RiskLimits {
  /**
   * Largest worst-case |position| in one market, in 1/100 contract. Position is signed (+YES / -NO, see
   * {@link RiskGate}); the worst case assumes every open order (pending or resting) that moves the position
   * in one direction fills and none of the others do.
   */
  maxPositionCentisPerMarket?: SizeCentis;
  /** Largest sum, over the markets of one event, of each market's worst-case |position|, in 1/100 contract (gross, not netted across markets). */
  maxPositionCentisPerEvent?: SizeCentis;
  /** Largest number of open orders (pending at the exchange or resting on the book), the new order included. */
  maxOpenOrders?: number;
  /** Largest notional of one order, `priceTicks x countCentis`, in micro-dollars (1 tick x 1 centi = 1e-4 $ x 1e-2 = 1e-6 $). */
  maxOrderNotionalMicros?: DollarsMicros;
  /** Largest loss of the UTC day (realised + unrealised, fees included) at which new orders are still allowed, in micro-dollars (a positive number). */
  maxDailyLossMicros?: DollarsMicros;
  /**
   * Price collar: the largest distance `|priceTicks - referencePriceTicks|` of an order's price from its reference
   * price (the current best ask / fair value of the same side), in 1/10000 dollar.
   */
  priceCollarTicks?: PriceTicks;
  /** Oldest signal an order may come from: `nowMs - signalTsMs`, in milliseconds. */
  maxSignalAgeMs?: number;
  /** Kalshi rate-limit tier of the account: orders draw {@link ORDER_WRITE_COST} tokens from a bucket refilled at the tier's write rate. */
  orderRateTier?: OrderRateTier;
  /** Budget the order-rate bucket holds, in milliseconds of the tier's write rate (default {@link DEFAULT_ORDER_BURST_MS}). */
  orderRateBurstMs?: number;
}

/** Names of the numeric limits a {@link LimitRejection} can name. */
export type RiskLimitName =
  | 'maxPositionCentisPerMarket'
  | 'maxPositionCentisPerEvent'
  | 'maxOpenOrders'
  | 'maxOrderNotionalMicros'
  | 'maxDailyLossMicros'
  | 'priceCollarTicks'
  | 'maxSignalAgeMs'
  | 'orderRate';

/** Unit of a limit value and would-be value. */
export type RiskUnit = 'centis' | 'orders' | 'micros' | 'ticks' | 'ms' | 'tokens';

/** A numeric limit the order would break: `wouldBeValue > limitValue`, both in `unit`. */
export interface LimitRejection {
  kind: 'limit';
  limit: RiskLimitName;
  /** the configured limit (for `orderRate`: the bucket's capacity in tokens) */
  limitValue: number;
  /** the value the limit is compared with if the order went ahead (for `orderRate`: tokens in use after this order, rounded up) */
  wouldBeValue: number;
  unit: RiskUnit;
  /** human-readable summary, e.g. `maxOpenOrders: 4 orders > limit 3` */
  message: string;
}

/** A state of the gate that blocks every order: the kill switch is engaged, or the circuit breaker is not letting orders through. */
export interface StateRejection {
  kind: 'state';
  limit: 'killSwitch' | 'circuitBreaker';
  /** `engaged` for the kill switch; the breaker's state (`open`, or `half-open` when its trial orders are used up) */
  state: string;
  message: string;
}

/** One reason a {@link RiskGate} rejects an order. */
export type RiskRejection = LimitRejection | StateRejection;

/** Thrown when an order, fill or limit handed to the risk library is malformed (non-integers, out-of-range prices, empty ids...). */
export class RiskInputError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'RiskInputError';
  }
}

/** Thrown when a lifecycle call does not fit the gate's state (unknown order id, fill larger than the order's remainder...). */
export class RiskStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RiskStateError';
  }
}

/** @throws RiskInputError unless `value` is a safe integer >= `min`. */
export function requireInt(what: string, value: number, min = 0): void {
  if (!Number.isSafeInteger(value) || value < min) throw new RiskInputError(`${what}: ${String(value)} is not an integer >= ${min}`);
}

const INTEGER_LIMITS = [
  'maxPositionCentisPerMarket',
  'maxPositionCentisPerEvent',
  'maxOpenOrders',
  'maxOrderNotionalMicros',
  'maxDailyLossMicros',
  'priceCollarTicks',
  'maxSignalAgeMs',
] as const;

/** @throws RiskInputError naming the first field that is not a non-negative safe integer (or an unknown tier / non-positive burst). */
export function validateLimits(limits: RiskLimits): void {
  for (const k of INTEGER_LIMITS) {
    const v = limits[k];
    if (v !== undefined) requireInt(`limits.${k}`, v);
  }
  if (limits.orderRateBurstMs !== undefined) requireInt('limits.orderRateBurstMs', limits.orderRateBurstMs, 1);
}
