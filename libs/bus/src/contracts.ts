/**
 * Versioned message contracts carried on the bus (NATS or the in-process transport). Defined once here and
 * validated at the edge (`decode*` functions) by every consumer.
 *
 * Units are in the names: prices in ticks (1/10000 dollar), sizes in centis (1/100 contract), times in
 * ms since the epoch. Every payload carries `v: 1`; a consumer refuses other versions with a clear error.
 */

/** A price level: [price in 1/10000 dollar, size in 1/100 contract]. */
export type LevelV1 = [number, number];

/** Full book of one market from ingestion (a Kalshi orderbook_snapshot). Ladders ascending by price. */
export interface BookSnapshotV1 {
  v: 1;
  marketTicker: string;
  sid: number;
  seq: number;
  yes: LevelV1[];
  no: LevelV1[];
  /** exchange time of the frame (`ts_ms`), or of the previous frame for frames without one */
  tsMs: number;
}

/** One signed change of one level (a Kalshi orderbook_delta). */
export interface BookDeltaV1 {
  v: 1;
  marketTicker: string;
  sid: number;
  seq: number;
  side: 'yes' | 'no';
  priceTicks: number;
  deltaCentis: number;
  tsMs: number;
}

/** The book can no longer be trusted (sequence gap, disconnect): drop it until the next snapshot. */
export interface BookStaleV1 {
  v: 1;
  marketTicker: string;
  reason: 'seq_gap' | 'disconnect' | 'resubscribe' | 'invalid_delta';
  tsMs: number;
}

/** Best bid and offer of one market after a change, published by the ticker plant. Asks derive from the opposite bids. */
export interface BboV1 {
  v: 1;
  marketTicker: string;
  /** false while the book is stale (awaiting a snapshot); prices are then -1 */
  valid: boolean;
  yesBidTicks: number;
  yesBidSizeCentis: number;
  noBidTicks: number;
  noBidSizeCentis: number;
  tsMs: number;
}

/** A level of the ticker plant's book after a change: its new absolute size (0 = level removed). */
export interface BookLevelV1 {
  v: 1;
  marketTicker: string;
  side: 'yes' | 'no';
  priceTicks: number;
  sizeCentis: number;
  tsMs: number;
}

/** An opportunity episode event from detection. Prices as Kalshi fixed-point dollar strings. */
export interface OpportunityEventV1 {
  v: 1;
  type: 'opened' | 'updated' | 'closed';
  kind: string;
  key: string;
  eventTicker: string;
  legs: Array<{ marketTicker: string; side: 'yes' | 'no'; action: 'buy'; priceTicks: number }>;
  openedTsMs: number;
  closedTsMs: number | null;
  maxGrossEdgeTicks: number;
  maxNetEdgeTicks: number;
}

/** Error raised when a bus message does not match its contract; the message names the field. */
export class ContractError extends Error {
  constructor(
    readonly contract: string,
    message: string,
  ) {
    super(`${contract}: ${message}`);
    this.name = 'ContractError';
  }
}

function obj(x: unknown, contract: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new ContractError(contract, 'payload is not an object');
  const o = x as Record<string, unknown>;
  if (o.v !== 1) throw new ContractError(contract, `unsupported version v=${JSON.stringify(o.v)}`);
  return o;
}
function str(o: Record<string, unknown>, k: string, contract: string): string {
  const v = o[k];
  if (typeof v !== 'string' || v.length === 0) throw new ContractError(contract, `${k} must be a non-empty string`);
  return v;
}
function int(o: Record<string, unknown>, k: string, contract: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ContractError(contract, `${k} must be an integer, got ${JSON.stringify(v)}`);
  return v;
}
function side(o: Record<string, unknown>, contract: string): 'yes' | 'no' {
  const v = o.side;
  if (v !== 'yes' && v !== 'no') throw new ContractError(contract, `side must be "yes" or "no", got ${JSON.stringify(v)}`);
  return v;
}
function levels(o: Record<string, unknown>, k: string, contract: string): LevelV1[] {
  const v = o[k];
  if (!Array.isArray(v)) throw new ContractError(contract, `${k} must be an array of [priceTicks, sizeCentis]`);
  for (let i = 0; i < v.length; i++) {
    const l = v[i];
    if (!Array.isArray(l) || l.length !== 2 || !Number.isSafeInteger(l[0]) || !Number.isSafeInteger(l[1])) {
      throw new ContractError(contract, `${k}[${i}] must be [priceTicks, sizeCentis] integers`);
    }
  }
  return v as LevelV1[];
}

/** Validates a BookSnapshotV1. @throws ContractError naming the bad field. */
export function decodeBookSnapshotV1(x: unknown): BookSnapshotV1 {
  const c = 'BookSnapshotV1';
  const o = obj(x, c);
  str(o, 'marketTicker', c);
  int(o, 'sid', c);
  int(o, 'seq', c);
  levels(o, 'yes', c);
  levels(o, 'no', c);
  int(o, 'tsMs', c);
  return o as unknown as BookSnapshotV1;
}

/** Validates a BookDeltaV1. @throws ContractError naming the bad field. */
export function decodeBookDeltaV1(x: unknown): BookDeltaV1 {
  const c = 'BookDeltaV1';
  const o = obj(x, c);
  str(o, 'marketTicker', c);
  int(o, 'sid', c);
  int(o, 'seq', c);
  side(o, c);
  int(o, 'priceTicks', c);
  int(o, 'deltaCentis', c);
  int(o, 'tsMs', c);
  return o as unknown as BookDeltaV1;
}

const STALE_REASONS = new Set(['seq_gap', 'disconnect', 'resubscribe', 'invalid_delta']);
/** Validates a BookStaleV1. @throws ContractError naming the bad field. */
export function decodeBookStaleV1(x: unknown): BookStaleV1 {
  const c = 'BookStaleV1';
  const o = obj(x, c);
  str(o, 'marketTicker', c);
  if (!STALE_REASONS.has(o.reason as string)) throw new ContractError(c, `reason ${JSON.stringify(o.reason)} is not one of ${[...STALE_REASONS].join(', ')}`);
  int(o, 'tsMs', c);
  return o as unknown as BookStaleV1;
}

/** Validates a BboV1. @throws ContractError naming the bad field. */
export function decodeBboV1(x: unknown): BboV1 {
  const c = 'BboV1';
  const o = obj(x, c);
  str(o, 'marketTicker', c);
  if (typeof o.valid !== 'boolean') throw new ContractError(c, 'valid must be a boolean');
  int(o, 'yesBidTicks', c);
  int(o, 'yesBidSizeCentis', c);
  int(o, 'noBidTicks', c);
  int(o, 'noBidSizeCentis', c);
  int(o, 'tsMs', c);
  return o as unknown as BboV1;
}

/** Validates a BookLevelV1. @throws ContractError naming the bad field. */
export function decodeBookLevelV1(x: unknown): BookLevelV1 {
  const c = 'BookLevelV1';
  const o = obj(x, c);
  str(o, 'marketTicker', c);
  side(o, c);
  int(o, 'priceTicks', c);
  int(o, 'sizeCentis', c);
  int(o, 'tsMs', c);
  return o as unknown as BookLevelV1;
}

/** Validates an OpportunityEventV1. @throws ContractError naming the bad field. */
export function decodeOpportunityEventV1(x: unknown): OpportunityEventV1 {
  const c = 'OpportunityEventV1';
  const o = obj(x, c);
  if (o.type !== 'opened' && o.type !== 'updated' && o.type !== 'closed') throw new ContractError(c, `type ${JSON.stringify(o.type)} is not opened|updated|closed`);
  str(o, 'kind', c);
  str(o, 'key', c);
  if (typeof o.eventTicker !== 'string') throw new ContractError(c, 'eventTicker must be a string');
  if (!Array.isArray(o.legs)) throw new ContractError(c, 'legs must be an array');
  int(o, 'openedTsMs', c);
  if (o.closedTsMs !== null) int(o, 'closedTsMs', c);
  int(o, 'maxGrossEdgeTicks', c);
  int(o, 'maxNetEdgeTicks', c);
  return o as unknown as OpportunityEventV1;
}

/** Status reply of the ingestion app (`ctl.v1.ingestion.status`). */
export interface IngestionStatusV1 {
  v: 1;
  connected: boolean;
  framesReceived: number;
  snapshots: number;
  deltas: number;
  malformed: number;
  gapsDetected: number;
  resyncs: number;
  reconnects: number;
  /** messages published on md.v1.* */
  published: number;
  /** markets whose book is stale and awaiting a snapshot */
  pendingResyncs: number;
  subscribedMarkets: number;
  lastTsMs: number;
  /** rows handed to the tick store (absent when the service has none) */
  ticksWritten?: number;
  /** rows the tick store refused: invalid, buffer full or closed (counted, never silent) */
  ticksRefused?: number;
}

/** Status reply of one ticker-plant shard. */
export interface TickerPlantStatusV1 {
  v: 1;
  shardIndex: number;
  shardCount: number;
  partitions: number[];
  books: number;
  consumed: number;
  rejected: number;
  /** every message published (book.v1.*) */
  published: number;
  /** BBO messages published (what detection consumes) */
  bboPublished: number;
  invalidBooks: number;
  /** rows handed to the tick store (absent when the service has none) */
  ticksWritten?: number;
  /** rows the tick store refused: invalid, buffer full or closed (counted, never silent) */
  ticksRefused?: number;
  /** hot-cache writes of the latest BBO that failed (Redis down); absent without a cache */
  cacheErrors?: number;
}

/** Books reply of one ticker-plant shard: ladders ascending, as Kalshi sends them. */
export interface TickerPlantBooksV1 {
  v: 1;
  shardIndex: number;
  books: Record<string, { valid: boolean; yes: LevelV1[]; no: LevelV1[] }>;
}

/** Status reply of detection. */
export interface DetectionStatusV1 {
  v: 1;
  consumed: number;
  rejected: number;
  openEpisodes: number;
  episodes: number;
  events: number;
  /** rows handed to the tick store (absent when the service has none) */
  ticksWritten?: number;
  /** rows the tick store refused: invalid, buffer full or closed (counted, never silent) */
  ticksRefused?: number;
}
