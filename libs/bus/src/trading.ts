/**
 * Versioned contracts of the trading half of the bus (issue #5): trading signals from detection, and the execution
 * app's control plane (status, portfolio, kill switch) and its order/fill events. Same rules as `./contracts`:
 * `v: 1` in every payload, integer fixed-point units in the names (ticks = 1/10000 $, centis = 1/100 contract,
 * micros = 1e-6 $, `TsMs` = ms since the epoch), validated at the edge by the `decode*` functions.
 */
import { ContractError } from './contracts';

/** One order a signal asks for. */
export interface SignalLegV1 {
  marketTicker: string;
  /** the market's event (per-event risk limits) */
  eventTicker: string;
  side: 'yes' | 'no';
  action: 'buy' | 'sell';
  /** limit price of `side`, ticks, 1..9999 */
  priceTicks: number;
  /** size, centis, > 0 */
  sizeCentis: number;
}

/**
 * A trading signal: a detector's claim that the legs, bought at their prices within the TTL, have a positive expected
 * value net of Kalshi's fees. `id` is deterministic for one opportunity (same market(s), prices and inputs give the same
 * id), so an order id derived from it can never be doubled by a retry or a re-emission.
 */
export interface SignalV1 {
  v: 1;
  id: string;
  /** `sportsbook_edge` | `yes_no_cross` | `basket_under` | ... */
  kind: string;
  /** at least one */
  legs: SignalLegV1[];
  /** fair value of the first leg's side (probability x 10000, real), null when the kind has none (arbitrage) */
  fairTicks: number | null;
  /** expected edge per contract (per set for multi-leg) before fees, ticks (real) */
  grossEdgeTicks: number;
  /** after Kalshi's taker fees, ticks (real) */
  netEdgeTicks: number;
  /** in [0, 1] */
  confidence: number;
  /** human-readable justification, one line each */
  reasons: string[];
  createdTsMs: number;
  /** > createdTsMs; an order must not be sent after it */
  expiresTsMs: number;
  /** kind-specific provenance (e.g. `oddsEventId`, `oddsObservedTsMs`, `episodeKey`) */
  source?: Record<string, string | number>;
}

function obj(x: unknown, c: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new ContractError(c, 'payload is not an object');
  const o = x as Record<string, unknown>;
  if (o.v !== 1) throw new ContractError(c, `unsupported version v=${JSON.stringify(o.v)}`);
  return o;
}
function str(o: Record<string, unknown>, k: string, c: string): string {
  const v = o[k];
  if (typeof v !== 'string' || v.length === 0) throw new ContractError(c, `${k} must be a non-empty string`);
  return v;
}
function int(o: Record<string, unknown>, k: string, c: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new ContractError(c, `${k} must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  return v;
}
function num(o: Record<string, unknown>, k: string, c: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ContractError(c, `${k} must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Validates a SignalV1 (legs: non-empty tickers, yes|no, buy|sell, price 1..9999 ticks, size >= 1 centi;
 * confidence in [0,1]; expiresTsMs > createdTsMs).
 * @throws ContractError naming the bad field, e.g. `SignalV1: legs[0].priceTicks must be an integer in 1..9999, got 0`
 */
export function decodeSignalV1(x: unknown): SignalV1 {
  const c = 'SignalV1';
  const o = obj(x, c);
  str(o, 'id', c);
  str(o, 'kind', c);
  if (!Array.isArray(o.legs) || o.legs.length === 0) throw new ContractError(c, 'legs must be a non-empty array');
  o.legs.forEach((l, i) => {
    const lc = `${c}: legs[${i}]`;
    if (typeof l !== 'object' || l === null) throw new ContractError(c, `legs[${i}] is not an object`);
    const leg = l as Record<string, unknown>;
    str(leg, 'marketTicker', lc);
    str(leg, 'eventTicker', lc);
    if (leg.side !== 'yes' && leg.side !== 'no') throw new ContractError(lc, `side must be "yes" or "no", got ${JSON.stringify(leg.side)}`);
    if (leg.action !== 'buy' && leg.action !== 'sell') throw new ContractError(lc, `action must be "buy" or "sell", got ${JSON.stringify(leg.action)}`);
    int(leg, 'priceTicks', lc, 1, 9999);
    int(leg, 'sizeCentis', lc, 1);
  });
  if (o.fairTicks !== null) num(o, 'fairTicks', c);
  num(o, 'grossEdgeTicks', c);
  num(o, 'netEdgeTicks', c);
  const conf = num(o, 'confidence', c);
  if (conf < 0 || conf > 1) throw new ContractError(c, `confidence must be in [0,1], got ${conf}`);
  if (!Array.isArray(o.reasons) || o.reasons.some((r) => typeof r !== 'string')) throw new ContractError(c, 'reasons must be an array of strings');
  const created = int(o, 'createdTsMs', c);
  const expires = int(o, 'expiresTsMs', c);
  if (expires <= created) throw new ContractError(c, `expiresTsMs ${expires} must be after createdTsMs ${created}`);
  if (o.source !== undefined && (typeof o.source !== 'object' || o.source === null || Array.isArray(o.source))) throw new ContractError(c, 'source must be an object');
  return o as unknown as SignalV1;
}

/** Order lifecycle of the platform (libs/execution): `executed` = fully filled. */
export type OrderStatusV1 = 'pending' | 'resting' | 'partially_filled' | 'executed' | 'canceled' | 'rejected';

/** One of our orders as the execution app knows it (published on every change, listed in the portfolio). */
export interface OrderUpdateV1 {
  v: 1;
  clientOrderId: string;
  /** the exchange's id, null until acknowledged */
  orderId: string | null;
  signalId: string | null;
  marketTicker: string;
  eventTicker: string;
  side: 'yes' | 'no';
  action: 'buy' | 'sell';
  priceTicks: number;
  countCentis: number;
  filledCentis: number;
  remainingCentis: number;
  status: OrderStatusV1;
  rejectReason: string | null;
  createdTsMs: number;
  updatedTsMs: number;
}

/** One of our fills (stored once per fill id). */
export interface FillV1 {
  v: 1;
  fillId: string;
  tradeId: string;
  orderId: string;
  clientOrderId: string | null;
  marketTicker: string;
  side: 'yes' | 'no';
  action: 'buy' | 'sell';
  /** price of `side`, ticks */
  priceTicks: number;
  countCentis: number;
  feeMicros: number;
  isTaker: boolean;
  tsMs: number;
}

/** Net position of one market with its PnL. */
export interface PositionV1 {
  marketTicker: string;
  /** +YES / -NO, centis */
  positionCentis: number;
  /** cost of the open position in its own side, micros */
  costBasisMicros: number;
  realizedPnlMicros: number;
  feesPaidMicros: number;
  /** mark-to-market of the open position at the YES mark (bid for a long, ask for a short), micros; null without a mark */
  unrealizedPnlMicros: number | null;
  /** the YES price the position was marked at, ticks; null without a mark */
  markTicks: number | null;
}

/** Reply of `ctl.v1.execution.portfolio`. */
export interface ExecutionPortfolioV1 {
  v: 1;
  mode: 'paper' | 'live';
  orders: OrderUpdateV1[];
  fills: FillV1[];
  positions: PositionV1[];
  pnl: {
    realizedMicros: number;
    unrealizedMicros: number;
    feesMicros: number;
    /** realized + unrealized (fees are inside realized: every fill's fee is charged when it happens) */
    totalMicros: number;
  };
  /** the latest reconciliation with the exchange */
  lastReconcile: ReconcileReportV1 | null;
}

/** What one reconciliation against `GET /portfolio/orders|fills|positions` found and did. */
export interface ReconcileReportV1 {
  v: 1;
  /** `start` | `reconnect` | `periodic` | `manual` | `kill-switch` */
  trigger: string;
  tsMs: number;
  ordersChecked: number;
  /** local orders whose state was moved to the exchange's */
  ordersUpdated: number;
  /** fills the exchange had and we did not (now stored) */
  fillsAdded: number;
  /** local pending orders the exchange never saw, past the grace period (now rejected) */
  ordersLost: number;
  /** orders on the exchange that are not ours (another client of the account) */
  foreignOrders: number;
  /** markets whose position still differs after the fills were applied (each one is a bug or a foreign trade) */
  positionMismatches: Array<{ marketTicker: string; localCentis: number; exchangeCentis: number }>;
  /** local pending orders younger than the grace period that the exchange does not show yet (read-after-write lag) */
  withinGrace: number;
}

/** Status reply of the execution app (`ctl.v1.execution.status`). */
export interface ExecutionStatusV1 {
  v: 1;
  mode: 'paper' | 'live';
  route: 'rest' | 'fix';
  signalsReceived: number;
  /** malformed signal messages (counted and skipped) */
  signalsRejected: number;
  /** signals past their TTL on arrival */
  signalsExpired: number;
  /** signals whose order already exists (a redelivery or re-emission): never sent twice */
  signalsDuplicate: number;
  /** signal kinds this app does not trade */
  signalsIgnored: number;
  ordersSent: number;
  /** orders per current status */
  ordersByStatus: Record<OrderStatusV1, number>;
  /** pre-trade rejections per rule (`maxOpenOrders`, `killSwitch`, `circuitBreaker`, ...) */
  riskRejections: Record<string, number>;
  fills: number;
  breaker: { state: 'closed' | 'open' | 'half-open'; transitions: number };
  killSwitch: { engaged: boolean; by?: string; reason?: string; atMs?: number };
  reconciles: number;
  lastReconcile: ReconcileReportV1 | null;
  /** errors talking to the exchange (each also counted by the breaker) */
  exchangeErrors: number;
}

/** Request of `ctl.v1.execution.kill` and `ctl.v1.execution.resume`. */
export interface KillSwitchCommandV1 {
  v: 1;
  /** who (operator or component) */
  by: string;
  reason: string;
}

/** Reply of `ctl.v1.execution.kill`: the switch is engaged, the breaker tripped and every open order canceled. */
export interface KillSwitchResultV1 {
  v: 1;
  engaged: boolean;
  /** false when it was already engaged (the cancel sweep runs again anyway) */
  changed: boolean;
  /** orders canceled by this sweep */
  canceled: number;
  /** open orders the exchange still shows after the sweep (0 unless a cancel failed) */
  openAfter: number;
  errors: string[];
}

/** Validates a KillSwitchCommandV1. @throws ContractError naming the bad field. */
export function decodeKillSwitchCommandV1(x: unknown): KillSwitchCommandV1 {
  const c = 'KillSwitchCommandV1';
  const o = obj(x, c);
  str(o, 'by', c);
  str(o, 'reason', c);
  return o as unknown as KillSwitchCommandV1;
}
