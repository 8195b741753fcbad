import type { TickRow } from './tick-rows';

/** Counters of a tick store's write side (`TickStore.stats`); all are row or request counts since construction. */
export interface TickWriterStats {
  /** Rows the back end acknowledged (QuestDB: HTTP 204; DuckDB: COMMIT). */
  rowsWritten: number;
  /** Rows refused at `write()` because the buffer was full (newest dropped) or the writer was closing/closed. */
  droppedRows: number;
  /** Rows refused at `write()` because they cannot be stored exactly (non-integer money, bad ts, ...). */
  invalidRows: number;
  /**
   * Rows the back end refused for good: a non-retryable failure or a batch out of attempts (the whole batch), or
   * a single row it cannot take (that row alone).
   */
  rejectedRows: number;
  /** Rows still buffered when `close()` gave up (drain timeout). */
  abandonedRows: number;
  /** Batches the back end acknowledged (QuestDB: successful HTTP requests; DuckDB: committed transactions). */
  flushes: number;
  /** Failed attempts that were retried. */
  retries: number;
  /** Rows currently buffered (queued + in flight). */
  buffered: number;
  lastError: string | null;
}

/**
 * What one attempt to store a batch came to (the result of `BufferedTickWriter.sendBatch`):
 * - `sent`: the back end has every row of the batch; they leave the buffer and count in `rowsWritten`.
 * - `failed`: nothing of the batch is stored (the back end is transactional per batch). `transient` = worth
 *   retrying the SAME rows after a backoff (until `maxAttempts`); otherwise the batch is rejected at once.
 * - `rowRejected`: row `index` of the batch (0-based) cannot be sent at all and nothing was sent; that row alone
 *   is removed and counted in `rejectedRows` (`reason` becomes `lastError`), and the batch is rebuilt without it
 *   and sent again at once (no backoff, the retry state is kept).
 */
export type SendOutcome =
  | { readonly kind: 'sent' }
  | { readonly kind: 'failed'; readonly error: Error; readonly transient: boolean }
  | { readonly kind: 'rowRejected'; readonly index: number; readonly reason: string };

export const SENT: SendOutcome = { kind: 'sent' };

/** A failed attempt, as `BufferedTickWriter.describeFailure` / `reportFailure` see it. */
export interface FailedAttempt {
  /** Rows in the failed batch. */
  rows: number;
  /** Transient failures since the last successful batch (or the last batch rejected out of attempts), this one included. */
  attempt: number;
  transient: boolean;
  /** True when the batch is rejected after this attempt (non-transient, or `attempt >= maxAttempts`). */
  final: boolean;
}

/** Sizing of a `BufferedTickWriter`, already defaulted and validated by the subclass. */
export interface BufferedWriterConfig {
  /** Max rows held in memory (queued + in flight); overflow drops the NEWEST row. >= 1. */
  capacity: number;
  /** Max rows per `sendBatch` call, and the queued-row count that kicks a background flush. >= 1. */
  batchRows: number;
  /** Background flush interval in ms (see `startFlushTimer`); 0 = no timer. */
  flushIntervalMs: number;
  /** Attempts per batch while failures are transient (`Infinity` = retry until it goes through or `close()` times out). >= 1. */
  maxAttempts: number;
}

const toError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * The write-side machinery shared by the tick-store back ends (`QuestDbTickWriter`, `DuckDbTickStore`), with no
 * framework and no I/O of its own: a bounded in-memory queue, one background loop that stores it in batches,
 * retry with exponential backoff, `flush()`, `close()` with a drain timeout, and the `TickWriterStats` counters.
 * A back end supplies `validate`, `sendBatch`, the failure reporting hooks, `retryDelayMs` and `release`.
 *
 * - `write(row)` is synchronous, O(1) and never throws: it validates, enqueues and, once `batchRows` rows are
 *   queued, kicks the loop on the next turn of the event loop (`setImmediate`). Refused rows return false and are
 *   counted (`invalidRows`; `droppedRows` for a full buffer or a closing writer).
 * - The loop sends the oldest `batchRows` queued rows per `sendBatch` call, one call at a time, in write order.
 *   Rows leave the buffer only once their batch is `sent`, or rejected (counted in `rejectedRows`).
 * - Loss: a row accepted by `write()` is lost only if it is rejected (`rejectedRows`) or still buffered when
 *   `close()` times out (`abandonedRows`); a process crash loses everything buffered.
 * - Duplication: a transient failure resends the same rows, so an ambiguous failure (the back end stored the
 *   batch but the acknowledgement was lost) stores them twice unless the back end dedups on a key (both tick
 *   schemas upsert on their natural keys, so they do).
 * - Retry: the k-th consecutive transient failure waits `retryDelayMs(k)` ms (interruptible by `close()`'s drain
 *   timeout), then the same rows are sent again; at `attempt >= maxAttempts` the batch is rejected and the count
 *   restarts. A non-transient failure rejects the batch without touching the count; a success resets it.
 */
export abstract class BufferedTickWriter {
  private queue: TickRow[] = [];
  /** wall clock (epoch ms) each row of `queue` was accepted, same indices (the write lag metric) */
  private queuedAt: number[] = [];
  private head = 0;
  private loop: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private kick: NodeJS.Immediate | null = null;
  private closing = false;
  private closed = false;
  private abortDrain = false;
  private wake: (() => void) | null = null;
  private readonly s: Omit<TickWriterStats, 'buffered'> = {
    rowsWritten: 0,
    droppedRows: 0,
    invalidRows: 0,
    rejectedRows: 0,
    abandonedRows: 0,
    flushes: 0,
    retries: 0,
    lastError: null,
  };

  protected constructor(private readonly cfg: BufferedWriterConfig) {}

  // ---- back-end hooks ----------------------------------------------------------------------------

  /** Why `row` cannot be stored exactly, or null when it can. Called by `write()`; must not throw. */
  protected abstract validate(row: TickRow): string | null;

  /**
   * One attempt to store `rows` (1..batchRows rows, oldest first; the array is the writer's own copy). Should not
   * throw: a thrown error counts as a transient failure.
   */
  protected abstract sendBatch(rows: readonly TickRow[]): Promise<SendOutcome>;

  /** The `lastError` text for a failed attempt. */
  protected abstract describeFailure(error: Error, attempt: FailedAttempt): string;

  /** Tells the user's `onError` callback about a failed attempt; whatever it throws is ignored. */
  protected abstract reportFailure(error: Error, attempt: FailedAttempt): void;

  /** Wait in ms before retrying after the `attempt`-th consecutive transient failure (attempt >= 1). */
  protected abstract retryDelayMs(attempt: number): number;

  /** Releases the back end's resources at the end of `close()` (the buffer is empty by then). Must not throw. */
  protected abstract release(): Promise<void> | void;

  /** Runs after every failed attempt, before the backoff or the rejection (e.g. to discard half-staged rows). Default: nothing. */
  protected afterFailure(): Promise<void> {
    return Promise.resolve();
  }

  /** Runs in `close()` after the drain, before the buffer is settled and `release()` (still within the drain timeout). Default: nothing. */
  protected afterDrain(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * `flush()` calls this when `rejected` (> 0) of the rows it waited for were rejected; throwing makes `flush()`
   * reject with that error. Default: nothing (the rejection is in `stats` only).
   */
  protected flushRejected(_rejected: number): void {
    /* nothing */
  }

  /** A `close()` call while an earlier one is still draining. Default: drains and releases again (so `release()` must be idempotent). */
  protected closeWhileClosing(drainTimeoutMs: number): Promise<void> {
    return this.drainAndRelease(drainTimeoutMs);
  }

  // ---- for subclasses ----------------------------------------------------------------------------

  /** Starts the background flush every `flushIntervalMs` (unref'ed); call once the back end can take batches. */
  protected startFlushTimer(): void {
    if (this.cfg.flushIntervalMs > 0 && !this.timer) {
      this.timer = setInterval(() => this.schedule(), this.cfg.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** True once `close()` has settled the buffer (the back end is being or has been released). */
  protected get isClosed(): boolean {
    return this.closed;
  }

  /** Resolves when the background loop, if running, has stopped. */
  protected async loopStopped(): Promise<void> {
    await this.loop;
  }

  // ---- TickStore ---------------------------------------------------------------------------------

  get stats(): TickWriterStats {
    return { ...this.s, buffered: this.queue.length - this.head };
  }

  /**
   * Wall clock (epoch ms) at which the oldest row still buffered was accepted by `write()`; null when nothing is
   * buffered. `now - oldestBufferedAtMs` is the store's write lag (metric `kalshi_tickstore_write_lag_seconds`).
   */
  get oldestBufferedAtMs(): number | null {
    return this.head < this.queue.length ? this.queuedAt[this.head] : null;
  }

  /**
   * Enqueues a row; synchronous, O(1), never throws for data problems. Returns false when the row was not
   * accepted: invalid (`invalidRows`), buffer full (`droppedRows`, newest dropped) or writer closing/closed (`droppedRows`).
   */
  write(row: TickRow): boolean {
    if (this.closing) {
      this.s.droppedRows++;
      this.s.lastError = 'write after close';
      return false;
    }
    const invalid = this.validate(row);
    if (invalid) {
      this.s.invalidRows++;
      this.s.lastError = invalid;
      return false;
    }
    if (this.queue.length - this.head >= this.cfg.capacity) {
      this.s.droppedRows++;
      this.s.lastError = `buffer full (capacity ${this.cfg.capacity}), newest row dropped`;
      return false;
    }
    this.queue.push(row);
    this.queuedAt.push(Date.now());
    if (this.queue.length - this.head >= this.cfg.batchRows) this.schedule();
    return true;
  }

  /**
   * Resolves once every row accepted before the call has been stored or rejected (or `close()`'s drain timed out).
   * @throws whatever `flushRejected` throws when some of those rows were rejected.
   */
  async flush(): Promise<void> {
    const rejectedBefore = this.s.rejectedRows;
    const target = this.s.rowsWritten + this.s.rejectedRows + (this.queue.length - this.head);
    while (this.queue.length - this.head > 0 && this.s.rowsWritten + this.s.rejectedRows < target && !this.abortDrain && !this.closed) {
      this.schedule(true);
      await this.loop;
    }
    if (this.s.rejectedRows > rejectedBefore) this.flushRejected(this.s.rejectedRows - rejectedBefore);
  }

  /**
   * Stops accepting rows, drains the buffer (retrying transient failures) for up to `drainTimeoutMs` ms, then
   * calls `release()`. Rows still buffered after the timeout are counted in `abandonedRows`. Never throws for
   * rejected rows (they are in `stats`); a call after the close is done returns at once.
   */
  async close(drainTimeoutMs = 30_000): Promise<void> {
    if (this.closed) return;
    if (this.closing) return this.closeWhileClosing(drainTimeoutMs);
    return this.drainAndRelease(drainTimeoutMs);
  }

  // ---- internals ---------------------------------------------------------------------------------

  private async drainAndRelease(drainTimeoutMs: number): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const deadline = setTimeout(() => {
      this.abortDrain = true;
      this.wake?.();
    }, drainTimeoutMs);
    try {
      await this.flush().catch(() => undefined);
      await this.loop;
      await this.afterDrain();
    } finally {
      clearTimeout(deadline);
      if (this.kick) clearImmediate(this.kick);
      const left = this.queue.length - this.head;
      if (left > 0) {
        this.s.abandonedRows += left;
        this.s.lastError = `close: ${left} rows not written before drain timeout`;
      }
      this.queue = [];
      this.queuedAt = [];
      this.head = 0;
      this.closed = true;
      await this.release();
    }
  }

  private schedule(now = false): void {
    if (this.loop || this.closed) return;
    if (now) {
      this.loop = this.run();
      return;
    }
    if (this.kick) return;
    this.kick = setImmediate(() => {
      this.kick = null;
      if (!this.loop && !this.closed && this.queue.length - this.head > 0) this.loop = this.run();
    });
  }

  private async run(): Promise<void> {
    try {
      let attempt = 0;
      while (this.queue.length - this.head > 0 && !this.abortDrain) {
        const batch = this.queue.slice(this.head, Math.min(this.queue.length, this.head + this.cfg.batchRows));
        let outcome: SendOutcome;
        try {
          outcome = await this.sendBatch(batch);
        } catch (err) {
          outcome = { kind: 'failed', error: toError(err), transient: true };
        }
        if (outcome.kind === 'sent') {
          attempt = 0;
          this.s.flushes++;
          this.s.rowsWritten += batch.length;
          this.consume(batch.length);
        } else if (outcome.kind === 'rowRejected') {
          this.s.lastError = outcome.reason;
          this.queue.splice(this.head + outcome.index, 1);
          this.queuedAt.splice(this.head + outcome.index, 1);
          this.s.rejectedRows++;
        } else {
          if (outcome.transient) attempt++;
          const info: FailedAttempt = { rows: batch.length, attempt, transient: outcome.transient, final: !outcome.transient || attempt >= this.cfg.maxAttempts };
          await this.failed(outcome.error, info);
          if (info.final) {
            this.s.rejectedRows += batch.length;
            this.consume(batch.length);
            if (info.transient) attempt = 0;
          } else {
            this.s.retries++;
            await this.backoff(this.retryDelayMs(attempt));
          }
        }
      }
    } finally {
      this.loop = null;
    }
  }

  private async failed(error: Error, info: FailedAttempt): Promise<void> {
    this.s.lastError = this.describeFailure(error, info);
    try {
      this.reportFailure(error, info);
    } catch {
      /* callback errors are ignored */
    }
    await this.afterFailure();
  }

  /** Drops the `n` oldest queued rows; compacts the array once the consumed prefix dominates it. */
  private consume(n: number): void {
    this.head += n;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.queuedAt = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.queuedAt = this.queuedAt.slice(this.head);
      this.head = 0;
    }
  }

  /** Waits `ms`, or less when `close()`'s drain deadline fires (`wake`). */
  private backoff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}
