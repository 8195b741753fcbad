import { ONE_DOLLAR, describeValue } from '@kalshi-platform/market';
import { ExecutionInputError, type InputErrorFactory, requireAction, requireInt, requireNonEmptyString, requireObject, requirePriceTicks, requireSafeInt, requireSide, requireTime } from './errors';

/**
 * One fill of one of our orders, as Kalshi reports it (WS `fill` channel or REST `GET /portfolio/fills`,
 * docs.kalshi.com). Prices in 1/10000 $, sizes in 1/100 contract, money in micro-dollars, times in epoch ms.
 */
export interface LedgerFill {
  /** unique id of the fill: the ledger's idempotency key */
  fillId: string;
  tradeId: string;
  orderId: string;
  clientOrderId: string | null;
  marketTicker: string;
  side: 'yes' | 'no';
  action: 'buy' | 'sell';
  /** price of `side` (the NO price for a NO fill), 1/10000 $, 1..9999 */
  priceTicks: number;
  /** size, 1/100 contract, >= 1 */
  countCentis: number;
  /** fee, micro-dollars: >= 0 charged; negative = rebate */
  feeMicros: number;
  isTaker: boolean;
  tsMs: number;
}

/**
 * Position and PnL of one market. Kalshi nets YES and NO of one market into one signed position (docs.kalshi.com,
 * portfolio positions: `position` > 0 is YES, < 0 is NO); this uses the same **+YES / -NO** convention as
 * `positionDeltaCentis` of `@kalshi-platform/risk`.
 */
export interface PositionState {
  marketTicker: string;
  /** net position, 1/100 contract, +YES / -NO */
  positionCentis: number;
  /**
   * cost of the open position in its own side, micro-dollars, >= 0: long YES n centis at average YES price a ->
   * `n * a`; long NO n centis at average NO price b -> `n * b`; 0 when flat
   */
  costBasisMicros: number;
  /** realized PnL, micro-dollars, fees included (every fee is subtracted when charged, every rebate added) */
  realizedPnlMicros: number;
  /** sum of the fees charged (rebates negative), micro-dollars */
  feesPaidMicros: number;
  /** sum of the filled sizes, 1/100 contract */
  volumeCentis: number;
  /** latest `tsMs` of the fills applied (or the loaded value), epoch ms */
  updatedTsMs: number;
}

/** Thrown when a fill or an initial position handed to the {@link PositionLedger} is malformed; the message names the field. */
export class LedgerInputError extends ExecutionInputError {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerInputError';
  }
}

const ledgerError: InputErrorFactory = (m) => new LedgerInputError(m);

/** Signed position change of a fill, 1/100 contract, +YES / -NO: `+count` for buy YES and sell NO, `-count` for sell YES and buy NO. */
export function fillDeltaCentis(side: 'yes' | 'no', action: 'buy' | 'sell', countCentis: number): number {
  return (side === 'yes') === (action === 'buy') ? countCentis : -countCentis;
}

/** The YES price of a price of `side`, 1/10000 $: the price itself for YES, `10000 - price` for NO (a NO at q is a YES at $1 - q). */
export function yesPriceTicks(side: 'yes' | 'no', priceTicks: number): number {
  return side === 'yes' ? priceTicks : ONE_DOLLAR - priceTicks;
}

/**
 * Validates a {@link LedgerFill}.
 * @param path prefix of the field names in the error (default `fill`)
 * @throws LedgerInputError naming the field: empty `fillId` / `tradeId` / `orderId` / `marketTicker`, `clientOrderId`
 *   neither null nor a string, bad side/action, `priceTicks` not 1..9999, `countCentis` not an integer >= 1 (or a
 *   notional `price x count` beyond the safe-integer range), `feeMicros` not a safe integer, `isTaker` not a boolean,
 *   `tsMs` not finite
 */
export function validateLedgerFill(f: LedgerFill, path = 'fill'): void {
  requireObject(path, f, ledgerError);
  requireNonEmptyString(`${path}.fillId`, f.fillId, ledgerError);
  requireNonEmptyString(`${path}.tradeId`, f.tradeId, ledgerError);
  requireNonEmptyString(`${path}.orderId`, f.orderId, ledgerError);
  if (f.clientOrderId !== null && typeof f.clientOrderId !== 'string') {
    throw new LedgerInputError(`${path}.clientOrderId: got ${describeValue(f.clientOrderId)}, expected a string or null`);
  }
  requireNonEmptyString(`${path}.marketTicker`, f.marketTicker, ledgerError);
  requireSide(`${path}.side`, f.side, ledgerError);
  requireAction(`${path}.action`, f.action, ledgerError);
  requirePriceTicks(`${path}.priceTicks`, f.priceTicks, ledgerError);
  requireInt(`${path}.countCentis`, f.countCentis, 1, Math.floor(Number.MAX_SAFE_INTEGER / ONE_DOLLAR), ledgerError);
  requireSafeInt(`${path}.feeMicros`, f.feeMicros, ledgerError);
  if (typeof f.isTaker !== 'boolean') throw new LedgerInputError(`${path}.isTaker: got ${describeValue(f.isTaker)}, expected a boolean`);
  requireTime(`${path}.tsMs`, f.tsMs, ledgerError);
}

/**
 * The position after one fill: pure average-cost accounting in YES terms (see {@link PositionLedger} for the rule and
 * the rounding). `prev` undefined = a market never traded. Does not validate `f` (see {@link validateLedgerFill}).
 * @throws LedgerInputError when a resulting amount leaves the safe-integer range
 */
export function applyFillToPosition(prev: PositionState | undefined, f: LedgerFill): PositionState {
  const pos = prev?.positionCentis ?? 0;
  const n = Math.abs(pos);
  let yesCost = prev ? yesCostMicros(prev) : 0; // total YES cost of the open position: sum of y x count
  let realized = prev?.realizedPnlMicros ?? 0;
  const d = fillDeltaCentis(f.side, f.action, f.countCentis);
  const y = yesPriceTicks(f.side, f.priceTicks);
  const next = pos + d;
  if (pos === 0 || Math.sign(d) === Math.sign(pos)) {
    yesCost += y * f.countCentis; // opens or adds at y
  } else {
    const closed = Math.min(n, f.countCentis);
    const removed = closed === n ? yesCost : proportionalCost(yesCost, closed, n);
    // long YES reduced: sold `closed` at y, bought at avg -> y*k - cost; long NO (short YES) reduced: the reverse
    realized += pos > 0 ? y * closed - removed : removed - y * closed;
    yesCost -= removed;
    const opened = f.countCentis - closed; // crosses through zero: the rest opens at y
    if (opened > 0) yesCost = y * opened;
  }
  const fee = f.feeMicros;
  const out: PositionState = {
    marketTicker: f.marketTicker,
    positionCentis: next,
    costBasisMicros: next >= 0 ? yesCost : -next * ONE_DOLLAR - yesCost,
    realizedPnlMicros: realized - fee,
    feesPaidMicros: (prev?.feesPaidMicros ?? 0) + fee,
    volumeCentis: (prev?.volumeCentis ?? 0) + f.countCentis,
    updatedTsMs: prev ? Math.max(prev.updatedTsMs, f.tsMs) : f.tsMs,
  };
  for (const k of ['positionCentis', 'costBasisMicros', 'realizedPnlMicros', 'feesPaidMicros', 'volumeCentis'] as const) {
    if (!Number.isSafeInteger(out[k])) throw new LedgerInputError(`fill ${f.fillId}: ${k} of ${f.marketTicker} would leave the safe-integer range (${describeValue(out[k])})`);
  }
  return out;
}

/** Total YES cost of a position's open part, micro-dollars: the cost basis for long YES, `n x $1 - NO cost` for long NO. */
function yesCostMicros(p: PositionState): number {
  return p.positionCentis >= 0 ? p.costBasisMicros : -p.positionCentis * ONE_DOLLAR - p.costBasisMicros;
}

/** `cost x k / n` rounded half up (cost >= 0, 0 < k < n), exact through BigInt. */
function proportionalCost(cost: number, k: number, n: number): number {
  const num = BigInt(cost) * BigInt(k);
  const den = BigInt(n);
  return Number((2n * num + den) / (2n * den));
}

/**
 * Positions and PnL of every market from our fills: pure, idempotent by `fillId`, exact integer arithmetic.
 *
 * Accounting, in YES terms (exact for Kalshi, which nets YES and NO of one market into one position): a fill's
 * signed delta is `d = +count` for buy YES / sell NO and `-count` for sell YES / buy NO, its YES price
 * `y = price` for YES and `10000 - price` for NO. Average cost: the open position keeps its total YES cost
 * `C = sum y x count` (an integer, micro-dollars) and its average YES entry price is `C / |position|`.
 * - a fill that increases |position| (same sign, or from flat) adds `y x count` to `C`;
 * - a fill that reduces it by `k` of `n` centis removes `r = round(C x k / n)` from `C` and realizes
 *   `y x k - r` on a long-YES position, `r - y x k` on a short-YES (long NO) position;
 * - a fill that crosses zero closes all `n` (removing all of `C`) and opens the rest at `y`.
 *
 * Rounding: `r` is `C x k / n` rounded half up, computed exactly with BigInt (`C >= 0`); the rounding remainder
 * stays in the open position, and closing the whole position removes exactly what is left. So every round trip
 * that ends flat realizes exactly the sum of its cash flows (sells - buys, in YES terms) minus its fees, and
 * the average stays within one micro-dollar of exact. `costBasisMicros` reports `C` for long YES and the NO cost
 * `n x 10000 - C` for long NO. Fees: `feesPaidMicros += fee`, `realizedPnlMicros -= fee` when the fill is applied.
 *
 * Example (centis, ticks, micros): buy 10 YES at 0.40 -> position +1000, C = 4000 x 1000 = 4_000_000 ($4.00);
 * buy 5 NO at 0.70 (= sell 5 YES at 0.30: d = -500, y = 3000) -> r = 4_000_000 x 500 / 1000 = 2_000_000,
 * realized = 3000 x 500 - 2_000_000 = -500_000 (-$0.50, i.e. (0.30 - 0.40) x 5), minus that fill's fee;
 * position +500 with C = 2_000_000 (avg 0.40).
 *
 * Unrealized PnL marks long YES at the YES bid and long NO at the YES ask (`$1 -` the NO bid), i.e. at the price the
 * position could be closed at now.
 */
export class PositionLedger {
  private readonly byMarket = new Map<string, PositionState>();
  private readonly applied = new Set<string>();

  /**
   * @param initial positions to start from (e.g. loaded from storage) and the ids of the fills they already include
   * @throws LedgerInputError on a malformed position (naming `initial.positions[i].field`: non-integer amounts, a cost
   *   basis outside `0..|position| x 10000` or non-zero when flat, negative volume, a duplicate market) or an empty fill id
   */
  constructor(initial?: { positions?: PositionState[]; fillIds?: Iterable<string> }) {
    (initial?.positions ?? []).forEach((p, i) => {
      const path = `initial.positions[${i}]`;
      validatePosition(p, path);
      if (this.byMarket.has(p.marketTicker)) throw new LedgerInputError(`${path}.marketTicker: duplicate market ${describeValue(p.marketTicker)}`);
      this.byMarket.set(p.marketTicker, { ...p });
    });
    let i = 0;
    for (const id of initial?.fillIds ?? []) {
      requireNonEmptyString(`initial.fillIds[${i++}]`, id, ledgerError);
      this.applied.add(id);
    }
  }

  /**
   * Applies one fill (see the class docstring for the accounting). Idempotent: a `fillId` already applied changes
   * nothing and returns false. On a malformed fill nothing changes either.
   * @returns true when the fill was applied
   * @throws LedgerInputError naming the field of a malformed fill (see {@link validateLedgerFill}), or when an amount
   *   would leave the safe-integer range
   */
  applyFill(f: LedgerFill): boolean {
    validateLedgerFill(f);
    if (this.applied.has(f.fillId)) return false;
    const next = applyFillToPosition(this.byMarket.get(f.marketTicker), f);
    this.byMarket.set(f.marketTicker, next);
    this.applied.add(f.fillId);
    return true;
  }

  /** True when a fill with this id was applied (or loaded as already included). */
  hasFill(fillId: string): boolean {
    return this.applied.has(fillId);
  }

  /** The ids of the fills applied or loaded, in insertion order (to persist with the positions). */
  fillIds(): string[] {
    return [...this.applied];
  }

  /** A copy of a market's position, undefined for a market never traded nor loaded. */
  position(marketTicker: string): PositionState | undefined {
    const p = this.byMarket.get(marketTicker);
    return p ? { ...p } : undefined;
  }

  /** Copies of every position, sorted by ticker; flat positions with history (volume, PnL) are kept. */
  positions(): PositionState[] {
    return [...this.byMarket.values()].sort((a, b) => (a.marketTicker < b.marketTicker ? -1 : a.marketTicker > b.marketTicker ? 1 : 0)).map((p) => ({ ...p }));
  }

  /** An independent copy of the ledger (positions and applied fill ids). */
  clone(): PositionLedger {
    return new PositionLedger({ positions: [...this.byMarket.values()], fillIds: this.applied });
  }

  /**
   * Unrealized PnL of a market's open position, micro-dollars: long YES n marked at the YES bid
   * (`bid x n - C`), long NO n (short YES) at the YES ask, i.e. `$1 -` the NO bid (`C - ask x n`); C is the open
   * position's total YES cost (see the class docstring).
   * @param yesBidTicks best YES bid, 1/10000 $ 0..10000, null when there is none
   * @param yesAskTicks best YES ask, 1/10000 $ 0..10000, null when there is none
   * @returns 0 when flat (or never traded); null when the side needed to mark the position has no price
   * @throws LedgerInputError on a price that is neither null nor an integer 0..10000
   */
  unrealizedPnlMicros(marketTicker: string, yesBidTicks: number | null, yesAskTicks: number | null): number | null {
    if (yesBidTicks !== null) requireInt('yesBidTicks', yesBidTicks, 0, ONE_DOLLAR, ledgerError);
    if (yesAskTicks !== null) requireInt('yesAskTicks', yesAskTicks, 0, ONE_DOLLAR, ledgerError);
    const p = this.byMarket.get(marketTicker);
    if (!p || p.positionCentis === 0) return 0;
    const C = yesCostMicros(p);
    if (p.positionCentis > 0) return yesBidTicks === null ? null : yesBidTicks * p.positionCentis - C;
    return yesAskTicks === null ? null : C - yesAskTicks * -p.positionCentis;
  }
}

function validatePosition(p: PositionState, path: string): void {
  requireObject(path, p, ledgerError);
  requireNonEmptyString(`${path}.marketTicker`, p.marketTicker, ledgerError);
  requireSafeInt(`${path}.positionCentis`, p.positionCentis, ledgerError);
  const n = Math.abs(p.positionCentis);
  requireInt(`${path}.costBasisMicros`, p.costBasisMicros, 0, Math.min(Number.MAX_SAFE_INTEGER, n * ONE_DOLLAR), ledgerError);
  requireSafeInt(`${path}.realizedPnlMicros`, p.realizedPnlMicros, ledgerError);
  requireSafeInt(`${path}.feesPaidMicros`, p.feesPaidMicros, ledgerError);
  requireInt(`${path}.volumeCentis`, p.volumeCentis, 0, Number.MAX_SAFE_INTEGER, ledgerError);
  requireTime(`${path}.updatedTsMs`, p.updatedTsMs, ledgerError);
}
