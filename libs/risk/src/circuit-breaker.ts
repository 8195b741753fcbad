import type { DollarsMicros } from '@kalshi-platform/market';
import { RiskInputError, requireInt } from './limits';

/** Milliseconds in a UTC day. */
export const DAY_MS = 86_400_000;

/** UTC day number of an epoch-millisecond time (days since 1970-01-01). */
export function utcDay(nowMs: number): number {
  return Math.floor(nowMs / DAY_MS);
}

/** `closed`: orders flow; `open`: none until the cool-down has elapsed; `half-open`: up to `halfOpenTrials` trial orders. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Why a transition happened. */
export type BreakerCause =
  | 'consecutive-rejects'
  | 'errors-in-window'
  | 'drawdown'
  | 'manual'
  | 'cool-down-elapsed'
  | 'trial-succeeded'
  | 'trial-failed';

/** One state change, returned by the call that caused it and appended to {@link CircuitBreaker.log}. */
export interface BreakerTransition {
  from: BreakerState;
  to: BreakerState;
  /** clock time of the transition, epoch ms */
  atMs: number;
  cause: BreakerCause;
  /** e.g. `5 consecutive rejects >= 5`, or the reason of a manual trip */
  detail: string;
  /** for `to: 'open'`: the cool-down of this trip, ms; the breaker goes half-open at `atMs + coolDownMs` */
  coolDownMs?: number;
}

/**
 * Configuration of a {@link CircuitBreaker}; every number a safe integer. A trigger left undefined is off.
 */
export interface CircuitBreakerConfig {
  /** N: trips after this many consecutive order rejects (>= 1) */
  maxConsecutiveRejects?: number;
  /** M: trips after this many errors within `errorWindowMs` (>= 1; needs `errorWindowMs`) */
  maxErrorsInWindow?: number;
  /** the sliding error window, ms (>= 1): an error at `t` counts while `now - t < errorWindowMs` */
  errorWindowMs?: number;
  /** X: trips when equity falls more than this below the UTC day's peak equity, micro-dollars (>= 0) */
  maxDrawdownMicros?: DollarsMicros;
  /** first cool-down of a trip, ms (>= 1) */
  coolDownMs: number;
  /** cap of the cool-down after repeated trial failures, ms (>= coolDownMs) */
  maxCoolDownMs: number;
  /** multiplier of the cool-down after each failed half-open trial (integer >= 1, default 2) */
  backoffFactor?: number;
  /** K: trial orders allowed while half-open (>= 1) */
  halfOpenTrials: number;
}

/** Largest number of transitions kept in {@link CircuitBreaker.log} (older ones are dropped). */
export const BREAKER_LOG_LIMIT = 10_000;

/**
 * Circuit breaker of the order flow, an explicit state machine on an injected clock (every method takes `nowMs`):
 *
 * - `closed -> open` on N consecutive rejects (`recordReject`), M errors within the error window (`recordError`),
 *   equity more than X below the UTC day's peak (`recordEquity`), or a manual `trip(reason)`;
 * - `open -> half-open` once the cool-down has elapsed (evaluated lazily by every call, `poll` included);
 * - `half-open`: `tryAcquire` grants at most K trial orders; the first success (`recordSuccess`) closes the breaker
 *   and resets the cool-down, the first failure (reject, error, or a drawdown breach) re-opens it with the cool-down
 *   multiplied by `backoffFactor`, capped at `maxCoolDownMs`;
 * - outcomes reported while `open` (late answers to earlier orders) change nothing; a manual trip while `open`
 *   restarts the cool-down (an `open -> open` transition).
 *
 * Every call returns the transitions it caused (usually none); all of them are also kept in {@link log}.
 * The drawdown peak is the highest equity recorded since the last UTC midnight; the first reading of a day
 * starts the new peak. There is no manual close: an operator who wants trading stopped for good uses the kill switch.
 */
export class CircuitBreaker {
  private stateValue: BreakerState = 'closed';
  private coolDownValue: number;
  private reopenAtMs = 0;
  private consecutiveRejects = 0;
  private errorTimes: number[] = [];
  private trialsIssued = 0;
  private peakEquity: number | undefined;
  private peakDay = -Infinity;
  private lastEquity: number | undefined;
  private readonly backoff: number;
  /** Every transition so far (the last {@link BREAKER_LOG_LIMIT}). */
  readonly log: BreakerTransition[] = [];

  /** @throws RiskInputError on a config value that is not an integer in its range */
  constructor(readonly config: CircuitBreakerConfig) {
    const c = config;
    if (c.maxConsecutiveRejects !== undefined) requireInt('maxConsecutiveRejects', c.maxConsecutiveRejects, 1);
    if (c.maxErrorsInWindow !== undefined) {
      requireInt('maxErrorsInWindow', c.maxErrorsInWindow, 1);
      if (c.errorWindowMs === undefined) throw new RiskInputError('maxErrorsInWindow needs errorWindowMs');
    }
    if (c.errorWindowMs !== undefined) requireInt('errorWindowMs', c.errorWindowMs, 1);
    if (c.maxDrawdownMicros !== undefined) requireInt('maxDrawdownMicros', c.maxDrawdownMicros);
    requireInt('coolDownMs', c.coolDownMs, 1);
    requireInt('maxCoolDownMs', c.maxCoolDownMs, c.coolDownMs);
    requireInt('halfOpenTrials', c.halfOpenTrials, 1);
    this.backoff = c.backoffFactor ?? 2;
    requireInt('backoffFactor', this.backoff, 1);
    this.coolDownValue = c.coolDownMs;
  }

  /** State as of the last call (call {@link poll} first to let the cool-down elapse). */
  get state(): BreakerState {
    return this.stateValue;
  }

  /** Cool-down the next trip from half-open would start from, ms (between `coolDownMs` and `maxCoolDownMs`). */
  get coolDownMs(): number {
    return this.coolDownValue;
  }

  /** When an open breaker goes half-open, epoch ms (meaningful while `open`). */
  get reopensAtMs(): number {
    return this.reopenAtMs;
  }

  /** Trial orders still allowed in the current half-open phase (0 unless half-open). */
  get trialsRemaining(): number {
    return this.stateValue === 'half-open' ? this.config.halfOpenTrials - this.trialsIssued : 0;
  }

  /** True when an order may go out now without using a trial beyond K (`closed`, or `half-open` with trials left). Does not advance time: call {@link poll} first. */
  get permits(): boolean {
    return this.stateValue === 'closed' || this.trialsRemaining > 0;
  }

  /** Lets time pass: `open -> half-open` once the cool-down has elapsed. */
  poll(nowMs: number): BreakerTransition[] {
    const out: BreakerTransition[] = [];
    if (this.stateValue === 'open' && nowMs >= this.reopenAtMs) {
      this.trialsIssued = 0;
      this.move('half-open', nowMs, 'cool-down-elapsed', `cool-down of ${this.coolDownValue} ms elapsed`, out);
    }
    return out;
  }

  /** Asks to send one order: granted when `closed`, or `half-open` with a trial left (which it uses up). */
  tryAcquire(nowMs: number): { allowed: boolean; transitions: BreakerTransition[] } {
    const transitions = this.poll(nowMs);
    if (this.stateValue === 'closed') return { allowed: true, transitions };
    if (this.stateValue === 'half-open' && this.trialsIssued < this.config.halfOpenTrials) {
      this.trialsIssued++;
      return { allowed: true, transitions };
    }
    return { allowed: false, transitions };
  }

  /** An order went through (accepted by the exchange): resets the reject streak; closes a half-open breaker. */
  recordSuccess(nowMs: number): BreakerTransition[] {
    const out = this.poll(nowMs);
    if (this.stateValue === 'closed') this.consecutiveRejects = 0;
    else if (this.stateValue === 'half-open') {
      this.coolDownValue = this.config.coolDownMs;
      this.resetCounters();
      this.move('closed', nowMs, 'trial-succeeded', 'trial order succeeded', out);
    }
    return out;
  }

  /** An order was rejected (by the exchange or the gate's caller): counts toward N; fails a half-open trial. */
  recordReject(nowMs: number): BreakerTransition[] {
    const out = this.poll(nowMs);
    if (this.stateValue === 'closed') {
      this.consecutiveRejects++;
      const n = this.config.maxConsecutiveRejects;
      if (n !== undefined && this.consecutiveRejects >= n) {
        this.open(nowMs, 'consecutive-rejects', `${this.consecutiveRejects} consecutive rejects >= ${n}`, this.config.coolDownMs, out);
      }
    } else if (this.stateValue === 'half-open') this.failTrial(nowMs, 'trial order rejected', out);
    return out;
  }

  /** An error (transport, exchange 5xx, timeout): counts toward M within the window; fails a half-open trial. */
  recordError(nowMs: number): BreakerTransition[] {
    const out = this.poll(nowMs);
    if (this.stateValue === 'closed') {
      const window = this.config.errorWindowMs;
      this.errorTimes.push(nowMs);
      if (window !== undefined) this.errorTimes = this.errorTimes.filter((t) => nowMs - t < window);
      const m = this.config.maxErrorsInWindow;
      if (m !== undefined && this.errorTimes.length >= m) {
        this.open(nowMs, 'errors-in-window', `${this.errorTimes.length} errors within ${window} ms >= ${m}`, this.config.coolDownMs, out);
      }
    } else if (this.stateValue === 'half-open') this.failTrial(nowMs, 'trial order errored', out);
    return out;
  }

  /**
   * Equity reading (any consistent basis, e.g. the day's PnL), micro-dollars. Raises the day's peak; a drawdown
   * `peak - equity > maxDrawdownMicros` trips a closed breaker and fails a half-open one.
   * @throws RiskInputError on a non-integer equity
   */
  recordEquity(equityMicros: DollarsMicros, nowMs: number): BreakerTransition[] {
    if (!Number.isSafeInteger(equityMicros)) throw new RiskInputError(`equityMicros: ${equityMicros} is not an integer`);
    const out = this.poll(nowMs);
    const day = utcDay(nowMs);
    if (day > this.peakDay || this.peakEquity === undefined) {
      this.peakDay = day;
      this.peakEquity = equityMicros;
    }
    if (equityMicros > this.peakEquity) this.peakEquity = equityMicros;
    this.lastEquity = equityMicros;
    const x = this.config.maxDrawdownMicros;
    const drawdown = this.peakEquity - equityMicros;
    if (x !== undefined && drawdown > x) {
      const detail = `drawdown ${drawdown} micros from the day's peak ${this.peakEquity} > ${x}`;
      if (this.stateValue === 'closed') this.open(nowMs, 'drawdown', detail, this.config.coolDownMs, out);
      else if (this.stateValue === 'half-open') this.failTrial(nowMs, detail, out);
    }
    return out;
  }

  /** Drawdown from the day's peak as last recorded, micro-dollars (0 before any reading). */
  get drawdownMicros(): DollarsMicros {
    return this.peakEquity === undefined || this.lastEquity === undefined ? 0 : this.peakEquity - this.lastEquity;
  }

  /**
   * Manual trip: opens the breaker from any state with the current cool-down (`coolDownMs` when closed);
   * while already open the cool-down restarts from `nowMs`.
   * @throws RiskInputError on an empty reason
   */
  trip(reason: string, nowMs: number): BreakerTransition[] {
    if (typeof reason !== 'string' || reason.trim() === '') throw new RiskInputError('trip: a reason is required');
    const out = this.poll(nowMs);
    const coolDown = this.stateValue === 'closed' ? this.config.coolDownMs : this.coolDownValue;
    this.open(nowMs, 'manual', reason, coolDown, out);
    return out;
  }

  private failTrial(nowMs: number, detail: string, out: BreakerTransition[]): void {
    const next = Math.min(this.coolDownValue * this.backoff, this.config.maxCoolDownMs);
    this.open(nowMs, 'trial-failed', detail, next, out);
  }

  private open(nowMs: number, cause: BreakerCause, detail: string, coolDownMs: number, out: BreakerTransition[]): void {
    this.coolDownValue = coolDownMs;
    this.reopenAtMs = nowMs + coolDownMs;
    this.resetCounters();
    this.move('open', nowMs, cause, detail, out, coolDownMs);
  }

  private resetCounters(): void {
    this.consecutiveRejects = 0;
    this.errorTimes = [];
    this.trialsIssued = 0;
  }

  private move(to: BreakerState, nowMs: number, cause: BreakerCause, detail: string, out: BreakerTransition[], coolDownMs?: number): void {
    const t: BreakerTransition = { from: this.stateValue, to, atMs: nowMs, cause, detail };
    if (coolDownMs !== undefined) t.coolDownMs = coolDownMs;
    this.stateValue = to;
    out.push(t);
    this.log.push(t);
    if (this.log.length > BREAKER_LOG_LIMIT) this.log.splice(0, this.log.length - BREAKER_LOG_LIMIT);
  }
}
