import fc from 'fast-check';
import { CircuitBreaker, RiskInputError, type BreakerTransition, type CircuitBreakerConfig } from './index';

const T0 = Date.UTC(2026, 7, 1, 12);
const CONFIG: CircuitBreakerConfig = {
  maxConsecutiveRejects: 3,
  maxErrorsInWindow: 2,
  errorWindowMs: 1000,
  maxDrawdownMicros: 1_000_000,
  coolDownMs: 500,
  maxCoolDownMs: 2000,
  halfOpenTrials: 2,
};

describe('CircuitBreaker transitions', () => {
  it('closed -> open (rejects) -> half-open -> open with backoff (capped) -> half-open -> closed', () => {
    const b = new CircuitBreaker(CONFIG);
    expect(b.recordReject(T0)).toEqual([]);
    b.recordReject(T0);
    expect(b.recordReject(T0)).toEqual([{ from: 'closed', to: 'open', atMs: T0, cause: 'consecutive-rejects', detail: '3 consecutive rejects >= 3', coolDownMs: 500 }]);
    expect(b.tryAcquire(T0 + 499).allowed).toBe(false);
    const a = b.tryAcquire(T0 + 500);
    expect(a.allowed).toBe(true);
    expect(a.transitions).toEqual([expect.objectContaining({ from: 'open', to: 'half-open', cause: 'cool-down-elapsed' })]);
    expect(b.trialsRemaining).toBe(1);
    expect(b.tryAcquire(T0 + 501).allowed).toBe(true);
    expect(b.tryAcquire(T0 + 502).allowed).toBe(false); // K = 2 trials
    expect(b.recordError(T0 + 600)).toEqual([expect.objectContaining({ to: 'open', cause: 'trial-failed', coolDownMs: 1000 })]);
    b.poll(T0 + 1600);
    b.recordReject(T0 + 1600); // half-open failure again: 2000
    expect(b.coolDownMs).toBe(2000);
    b.poll(T0 + 3600);
    b.recordReject(T0 + 3600); // capped at 2000
    expect(b.coolDownMs).toBe(2000);
    expect(b.poll(T0 + 5599)).toEqual([]);
    expect(b.poll(T0 + 5600)).toHaveLength(1);
    expect(b.recordSuccess(T0 + 5601)).toEqual([expect.objectContaining({ from: 'half-open', to: 'closed', cause: 'trial-succeeded' })]);
    expect(b.coolDownMs).toBe(500);
    expect(b.log.map((t) => `${t.from}>${t.to}`)).toEqual(['closed>open', 'open>half-open', 'half-open>open', 'open>half-open', 'half-open>open', 'open>half-open', 'half-open>open', 'open>half-open', 'half-open>closed']);
  });

  it('a success resets the reject streak', () => {
    const b = new CircuitBreaker(CONFIG);
    b.recordReject(T0);
    b.recordReject(T0);
    b.recordSuccess(T0);
    b.recordReject(T0);
    b.recordReject(T0);
    expect(b.state).toBe('closed');
  });

  it('M errors within the window trip; spread-out errors do not', () => {
    const b = new CircuitBreaker(CONFIG);
    b.recordError(T0);
    expect(b.recordError(T0 + 1000)).toEqual([]); // the first one left the window
    expect(b.recordError(T0 + 1999)).toEqual([expect.objectContaining({ cause: 'errors-in-window' })]);
  });

  it('drawdown beyond X from the UTC day peak trips; the peak restarts at midnight', () => {
    const b = new CircuitBreaker(CONFIG);
    b.recordEquity(3_000_000, T0);
    expect(b.recordEquity(2_000_000, T0 + 1)).toEqual([]);
    expect(b.recordEquity(1_999_999, T0 + 2)).toEqual([expect.objectContaining({ cause: 'drawdown' })]);
    const b2 = new CircuitBreaker(CONFIG);
    b2.recordEquity(3_000_000, T0);
    const nextDay = Date.UTC(2026, 7, 2);
    expect(b2.recordEquity(0, nextDay)).toEqual([]);
    expect(b2.drawdownMicros).toBe(0);
  });

  it('manual trip from any state, with a reason', () => {
    const b = new CircuitBreaker(CONFIG);
    expect(() => b.trip('', T0)).toThrow(RiskInputError);
    expect(b.trip('operator: exchange maintenance', T0)).toEqual([expect.objectContaining({ from: 'closed', to: 'open', cause: 'manual', detail: 'operator: exchange maintenance' })]);
    expect(b.trip('again', T0 + 400)).toEqual([expect.objectContaining({ from: 'open', to: 'open' })]);
    expect(b.poll(T0 + 500)).toEqual([]); // restarted at T0 + 400
    expect(b.poll(T0 + 900)).toHaveLength(1);
  });

  it('rejects a bad config', () => {
    expect(() => new CircuitBreaker({ ...CONFIG, maxCoolDownMs: 100 })).toThrow(RiskInputError);
    expect(() => new CircuitBreaker({ ...CONFIG, halfOpenTrials: 0 })).toThrow(RiskInputError);
    expect(() => new CircuitBreaker({ coolDownMs: 1, maxCoolDownMs: 1, halfOpenTrials: 1, maxErrorsInWindow: 1 })).toThrow(RiskInputError);
  });
});

type Op = { k: 'success' } | { k: 'reject' } | { k: 'error' } | { k: 'acquire' } | { k: 'advance'; ms: number } | { k: 'equity'; micros: number } | { k: 'trip' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ k: 'success' }),
  fc.constant<Op>({ k: 'reject' }),
  fc.constant<Op>({ k: 'error' }),
  fc.constant<Op>({ k: 'acquire' }),
  fc.constant<Op>({ k: 'trip' }),
  fc.integer({ min: 0, max: 3000 }).map((ms): Op => ({ k: 'advance', ms })),
  fc.integer({ min: -5_000_000, max: 5_000_000 }).map((micros): Op => ({ k: 'equity', micros })),
);

const LEGAL = new Set(['closed>open', 'open>half-open', 'half-open>closed', 'half-open>open', 'open>open']);

describe('CircuitBreaker invariants (property)', () => {
  it('random success/reject/error/acquire/trip/equity/time sequences never break the state machine', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 200 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        (ops, trials, backoff) => {
          const cfg = { ...CONFIG, halfOpenTrials: trials, backoffFactor: backoff };
          const b = new CircuitBreaker(cfg);
          let now = T0;
          let prev = b.state;
          let tripExpiry = -Infinity; // end of the latest trip's cool-down
          let trialsGranted = 0;
          const seen: BreakerTransition[] = [];
          for (const op of ops) {
            let out: BreakerTransition[];
            const wasHalfOpenAfterPoll = (): boolean => b.state === 'half-open';
            switch (op.k) {
              case 'success': out = b.recordSuccess(now); break;
              case 'reject': out = b.recordReject(now); break;
              case 'error': out = b.recordError(now); break;
              case 'trip': out = b.trip('prop', now); break;
              case 'equity': out = b.recordEquity(op.micros, now); break;
              case 'advance': now += op.ms; out = b.poll(now); break;
              case 'acquire': {
                const r = b.tryAcquire(now);
                out = r.transitions;
                if (out.some((t) => t.to === 'half-open')) trialsGranted = 0;
                if (r.allowed && wasHalfOpenAfterPoll()) trialsGranted++;
                if (r.allowed) expect(b.state === 'closed' || b.state === 'half-open').toBe(true);
                break;
              }
            }
            for (const t of out) {
              // transitions chain and are legal
              expect(t.from).toBe(prev);
              expect(LEGAL.has(`${t.from}>${t.to}`)).toBe(true);
              expect(t.atMs).toBe(now);
              if (t.to === 'open') {
                expect(t.coolDownMs).toBeGreaterThanOrEqual(cfg.coolDownMs);
                expect(t.coolDownMs).toBeLessThanOrEqual(cfg.maxCoolDownMs);
                tripExpiry = t.atMs + (t.coolDownMs ?? 0);
              }
              if (t.from === 'open' && t.to === 'half-open') {
                expect(now).toBeGreaterThanOrEqual(tripExpiry); // never leaves open before the cool-down
                trialsGranted = 0;
              }
              prev = t.to;
              seen.push(t);
            }
            // never closed (or half-open) while an unexpired trip is active
            if (now < tripExpiry) expect(b.state).toBe('open');
            // half-open never grants more than K trials
            expect(trialsGranted).toBeLessThanOrEqual(trials);
            if (b.state === 'half-open') expect(b.trialsRemaining).toBe(trials - trialsGranted);
            expect(b.coolDownMs).toBeGreaterThanOrEqual(cfg.coolDownMs);
            expect(b.coolDownMs).toBeLessThanOrEqual(cfg.maxCoolDownMs);
          }
          expect(b.log).toEqual(seen);
        },
      ),
      { numRuns: 500 },
    );
  });
});
