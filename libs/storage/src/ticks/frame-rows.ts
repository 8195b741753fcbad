/**
 * Kalshi WebSocket frames -> tick-store rows: the ONE mapping used by ingestion (live) and by
 * `kalshi-platform replay` (captures), so a live run and a replay of its recording store identical rows.
 *
 * - `orderbook_delta` -> `kalshi_orderbook_deltas`; `trade` -> `kalshi_trades`; `ticker` -> `kalshi_ticker`.
 *   Every other frame (`ok`, `fill`, ...) maps to `null` (not stored). Snapshots have no time of their own: a stream's
 *   snapshots go through {@link FrameRowMapper} to `kalshi_orderbook_snapshots`.
 * - Timestamps come from the frame, never the clock: a delta uses `ts_ms`, else its RFC 3339 `ts` exact to the
 *   nanosecond; a delta with neither maps to `null`. Trades and tickers use the decoder's `tsMs`.
 *   Source of the fields: https://docs.kalshi.com/websockets (orderbook_delta, trade, ticker).
 */
import type { OrderbookDeltaFrame, OrderbookSnapshotFrame, WsFrame } from '@kalshi-platform/kalshi';
import type { OrderbookSnapshotRow, TickRow, TickTimestamp } from './tick-rows';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;

/** Exact epoch nanoseconds of an RFC 3339 timestamp (up to 9 fractional digits); `null` if it is not one. */
export function rfc3339ToNs(text: string): bigint | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (!Number.isFinite(ms)) return null;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  if (ms < 0) return null;
  return BigInt(ms) * 1_000_000n + BigInt((frac ?? '').padEnd(9, '0'));
}

/** The delta's own timestamp: `ts_ms` (ms), else `ts` (exact ns), else `null`. */
export function deltaTs(f: OrderbookDeltaFrame): TickTimestamp | null {
  if (f.tsMs !== undefined) return f.tsMs;
  if (f.ts !== undefined) return rfc3339ToNs(f.ts);
  return null;
}

/** The tick row of one frame; `null` for frames that are not stored (see the module docstring). */
export function frameToRow(f: WsFrame): TickRow | null {
  switch (f.type) {
    case 'orderbook_delta': {
      const ts = deltaTs(f);
      if (ts === null) return null;
      return { table: 'kalshi_orderbook_deltas', marketTicker: f.marketTicker, side: f.side, priceTicks: f.priceTicks, deltaCentis: f.deltaCentis, seq: f.seq, sid: f.sid, ts };
    }
    case 'trade':
      return { table: 'kalshi_trades', tradeId: f.tradeId, marketTicker: f.marketTicker, yesPriceTicks: f.yesPriceTicks, countCentis: f.countCentis, takerSide: f.takerSide, ts: f.tsMs };
    case 'ticker':
      return {
        table: 'kalshi_ticker',
        marketTicker: f.marketTicker,
        yesBidTicks: f.yesBidTicks ?? null,
        yesAskTicks: f.yesAskTicks ?? null,
        lastPriceTicks: f.lastPriceTicks ?? null,
        volumeCentis: f.volumeCentis ?? null,
        openInterestCentis: f.openInterestCentis ?? null,
        ts: f.tsMs,
      };
    default:
      return null;
  }
}

/**
 * Frames of one stream (a connection, a capture) -> rows, including order book snapshots, which Kalshi sends without
 * an exchange time: a snapshot's level rows take the last exchange time seen on the stream (the snapshot was made
 * after it; its `seq` orders it among the deltas), or, before any timed frame, are held and stamped with the first
 * one. Deterministic for a given frame sequence, so a replay rewrites the same keys.
 */
export class FrameRowMapper {
  private lastTs: TickTimestamp | null = null;
  private held: OrderbookSnapshotRow[] = [];

  /** The rows this frame makes storable now (held snapshot rows first, stamped with this frame's time). */
  map(f: WsFrame): TickRow[] {
    if (f.type === 'orderbook_snapshot') {
      const rows = snapshotRows(f, this.lastTs ?? 0);
      if (this.lastTs !== null) return rows;
      for (const r of rows) this.held.push(r);
      return [];
    }
    const row = frameToRow(f);
    if (row === null) return [];
    this.lastTs = row.ts;
    if (this.held.length === 0) return [row];
    const out: TickRow[] = this.held.map((r) => ({ ...r, ts: row.ts }));
    this.held = [];
    out.push(row);
    return out;
  }

  /** Snapshot rows still held (no timed frame ever followed); they cannot be stored with a true time. */
  get heldRows(): number {
    return this.held.length;
  }
}

/** The level rows of one snapshot at `ts` (YES levels, then NO levels, as the frame lists them). */
export function snapshotRows(f: OrderbookSnapshotFrame, ts: TickTimestamp): OrderbookSnapshotRow[] {
  const rows: OrderbookSnapshotRow[] = [];
  for (const [side, levels] of [['yes', f.yes], ['no', f.no]] as const) {
    for (const [priceTicks, sizeCentis] of levels) rows.push({ table: 'kalshi_orderbook_snapshots', marketTicker: f.marketTicker, side, priceTicks, sizeCentis, seq: f.seq, sid: f.sid, ts });
  }
  return rows;
}
