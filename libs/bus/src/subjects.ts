/**
 * NATS subject names of the platform, version in the name and the market ticker last so a shard can
 * filter by partition: `md.v1.p<partition>.<kind>.<ticker>`.
 *
 * Kalshi tickers contain `.` (e.g. `KXBTCD-26JUL0317-T60499.99`), which NATS treats as a token separator,
 * so the ticker token is escaped: `.` -> `~` (a character Kalshi tickers do not use). `tickerFromSubject`
 * reverses it.
 */

/** Market data from ingestion (normalized Kalshi order book frames). */
export const MD_PREFIX = 'md.v1';
/** Books from the ticker plant (BBO changes and applied book deltas). */
export const BOOK_PREFIX = 'book.v1';
/** Detection output. */
export const SIGNAL_PREFIX = 'signal.v1';
/** Execution output (orders and fills). */
export const EXEC_PREFIX = 'exec.v1';
/** JetStream stream that keeps every trading signal (`signal.v1.trade.>`), for audit and replay. */
export const SIGNAL_STREAM = 'SIGNALS';

/** Escapes a ticker into one NATS token. */
export function tickerToken(marketTicker: string): string {
  return marketTicker.indexOf('.') < 0 ? marketTicker : marketTicker.replace(/\./g, '~');
}

/** Reverses `tickerToken`. */
export function tickerFromToken(token: string): string {
  return token.indexOf('~') < 0 ? token : token.replace(/~/g, '.');
}

export type MdKind = 'snapshot' | 'delta' | 'stale';
export type BookKind = 'bbo' | 'delta' | 'snapshot';

export const subjects = {
  /** `md.v1.p<k>.<snapshot|delta|stale>.<ticker>` published by ingestion. */
  md: (partition: number, kind: MdKind, marketTicker: string) => `${MD_PREFIX}.p${partition}.${kind}.${tickerToken(marketTicker)}`,
  /** Everything of one partition, for a shard's subscription. */
  mdPartition: (partition: number) => `${MD_PREFIX}.p${partition}.>`,
  /** All market data. */
  mdAll: `${MD_PREFIX}.>`,
  /** `book.v1.p<k>.<bbo|delta|snapshot>.<ticker>` published by the ticker plant. */
  book: (partition: number, kind: BookKind, marketTicker: string) => `${BOOK_PREFIX}.p${partition}.${kind}.${tickerToken(marketTicker)}`,
  /** All BBO changes. */
  bboAll: `${BOOK_PREFIX}.*.bbo.*`,
  /** All ticker-plant output. */
  bookAll: `${BOOK_PREFIX}.>`,
  /** Opportunity episode events from detection: `signal.v1.opportunity.<kind>`. */
  opportunity: (kind: string) => `${SIGNAL_PREFIX}.opportunity.${kind}`,
  opportunityAll: `${SIGNAL_PREFIX}.opportunity.*`,
  /** Trading signals (SignalV1) from detection: `signal.v1.trade.<kind>`; the JetStream stream {@link SIGNAL_STREAM} keeps them. */
  signal: (kind: string) => `${SIGNAL_PREFIX}.trade.${kind}`,
  signalAll: `${SIGNAL_PREFIX}.trade.*`,
  /** Order changes of the execution app (OrderUpdateV1): `exec.v1.order.<status>`. */
  order: (status: string) => `${EXEC_PREFIX}.order.${status}`,
  orderAll: `${EXEC_PREFIX}.order.*`,
  /** Fills of the execution app (FillV1). */
  fill: `${EXEC_PREFIX}.fill`,
  /** Request/reply: status of the execution app (ExecutionStatusV1). */
  executionStatus: 'ctl.v1.execution.status',
  /** Request/reply: orders, fills, positions and PnL (ExecutionPortfolioV1). */
  executionPortfolio: 'ctl.v1.execution.portfolio',
  /** Request/reply: engage the kill switch, trip the breaker, cancel every open order (KillSwitchCommandV1 -> KillSwitchResultV1). */
  executionKill: 'ctl.v1.execution.kill',
  /** Request/reply: disengage the kill switch (KillSwitchCommandV1 -> KillSwitchResultV1 with canceled 0). */
  executionResume: 'ctl.v1.execution.resume',
  /** Request/reply: reconcile with the exchange now (-> ReconcileReportV1). */
  executionReconcile: 'ctl.v1.execution.reconcile',
  /** Request/reply: status of the ingestion app. */
  ingestionStatus: 'ctl.v1.ingestion.status',
  /** Request/reply: status of ticker-plant shard i. */
  tickerPlantStatus: (shardIndex: number) => `ctl.v1.ticker-plant.${shardIndex}.status`,
  /** Request/reply: all books of ticker-plant shard i. */
  tickerPlantBooks: (shardIndex: number) => `ctl.v1.ticker-plant.${shardIndex}.books`,
  /** Request/reply: status of the detection app. */
  detectionStatus: 'ctl.v1.detection.status',
  /** Request/reply: every opportunity episode detection has seen. */
  detectionEpisodes: 'ctl.v1.detection.episodes',
} as const;

/** The last token of a subject, unescaped to the market ticker. */
export function tickerFromSubject(subject: string): string {
  return tickerFromToken(subject.slice(subject.lastIndexOf('.') + 1));
}

/**
 * NATS subject matching: `*` matches one token, `>` (last token only) matches one or more tokens
 * (NATS docs, "Subject-Based Messaging", wildcards).
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  if (pattern === subject) return true;
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return i === p.length - 1 && s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}
