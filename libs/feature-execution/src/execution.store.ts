/**
 * The execution app's persistence: orders, fills, positions, signals and the audit log in the platform's relational
 * store (PostgreSQL schema `platform`, typeorm entities of libs/storage). Money columns are BIGINT read as `bigint`;
 * the domain works in safe-integer numbers, converted exactly here (a value beyond 2^53 throws rather than rounds).
 *
 * Write-ahead rule of the service: an order row exists (status `pending`) BEFORE the order is sent, so a crash after
 * sending leaves a row that reconciliation can match by `client_order_id`.
 */
import type { DataSource } from 'typeorm';
import type { SignalV1 } from '@kalshi-platform/bus';
import type { LedgerFill, OrderState, PositionState } from '@kalshi-platform/execution';
import { PlatformAuditLogRow, PlatformFillRow, PlatformOrderRow, PlatformPositionRow, PlatformSignalRow, type RelationalStore } from '@kalshi-platform/storage';

function num(v: bigint, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what}: ${v} is beyond the safe integer range`);
  return n;
}

/** Orders, fills, positions and signals of the execution app. */
export class ExecutionStore {
  private readonly ds: DataSource;
  constructor(store: RelationalStore) {
    this.ds = store.dataSource;
  }

  /**
   * Inserts a new order row; false when the client_order_id exists already (the order was sent before).
   * @throws the database error for anything but a duplicate key
   */
  async insertOrder(o: OrderState): Promise<boolean> {
    const r = await this.ds.createQueryBuilder().insert().into(PlatformOrderRow).values(orderRow(o)).orIgnore().returning('client_order_id').execute();
    return rowsOf(r.raw).length !== 0;
  }

  /** Writes an order's current state (upsert by client_order_id). */
  async saveOrder(o: OrderState): Promise<void> {
    await this.ds.getRepository(PlatformOrderRow).upsert(orderRow(o), ['clientOrderId']);
  }

  /** The order with this client_order_id, if stored. */
  async findOrder(clientOrderId: string): Promise<OrderState | undefined> {
    const r = await this.ds.getRepository(PlatformOrderRow).findOneBy({ clientOrderId });
    return r ? orderState(r) : undefined;
  }

  /** Every stored order, oldest first. */
  async loadOrders(): Promise<OrderState[]> {
    const rows = await this.ds.getRepository(PlatformOrderRow).find({ order: { createdTsMs: 'ASC', clientOrderId: 'ASC' } });
    return rows.map(orderState);
  }

  /** Inserts a fill once (keyed by fill id); false when it was stored before. */
  async insertFill(f: LedgerFill): Promise<boolean> {
    const r = await this.ds
      .createQueryBuilder()
      .insert()
      .into(PlatformFillRow)
      .values({
        fillId: f.fillId,
        tradeId: f.tradeId,
        orderId: f.orderId,
        clientOrderId: f.clientOrderId,
        marketTicker: f.marketTicker,
        side: f.side,
        action: f.action,
        priceTicks: BigInt(f.priceTicks),
        countCentis: BigInt(f.countCentis),
        feeMicros: BigInt(f.feeMicros),
        isTaker: f.isTaker,
        tsMs: f.tsMs,
      })
      .orIgnore()
      .returning('fill_id')
      .execute();
    return rowsOf(r.raw).length !== 0;
  }

  /** Every stored fill, in time order. */
  async loadFills(): Promise<LedgerFill[]> {
    const rows = await this.ds.getRepository(PlatformFillRow).find({ order: { tsMs: 'ASC', fillId: 'ASC' } });
    return rows.map((r) => ({
      fillId: r.fillId,
      tradeId: r.tradeId,
      orderId: r.orderId,
      clientOrderId: r.clientOrderId,
      marketTicker: r.marketTicker,
      side: r.side,
      action: r.action,
      priceTicks: num(r.priceTicks, 'fills.price_ticks'),
      countCentis: num(r.countCentis, 'fills.count_centis'),
      feeMicros: num(r.feeMicros, 'fills.fee_micros'),
      isTaker: r.isTaker,
      tsMs: r.tsMs,
    }));
  }

  /** Writes a market's position (upsert). */
  async savePosition(p: PositionState): Promise<void> {
    await this.ds.getRepository(PlatformPositionRow).upsert(
      {
        marketTicker: p.marketTicker,
        positionCentis: BigInt(p.positionCentis),
        costBasisMicros: BigInt(p.costBasisMicros),
        realizedPnlMicros: BigInt(p.realizedPnlMicros),
        feesPaidMicros: BigInt(p.feesPaidMicros),
        volumeCentis: BigInt(p.volumeCentis),
        updatedTsMs: p.updatedTsMs,
      },
      ['marketTicker'],
    );
  }

  /** Stored positions. */
  async loadPositions(): Promise<PositionState[]> {
    const rows = await this.ds.getRepository(PlatformPositionRow).find({ order: { marketTicker: 'ASC' } });
    return rows.map((r) => ({
      marketTicker: r.marketTicker,
      positionCentis: num(r.positionCentis, 'positions.position_centis'),
      costBasisMicros: num(r.costBasisMicros, 'positions.cost_basis_micros'),
      realizedPnlMicros: num(r.realizedPnlMicros, 'positions.realized_pnl_micros'),
      feesPaidMicros: num(r.feesPaidMicros, 'positions.fees_paid_micros'),
      volumeCentis: num(r.volumeCentis, 'positions.volume_centis'),
      updatedTsMs: r.updatedTsMs,
    }));
  }

  /**
   * Stores a signal once (its first leg's market and side; all legs in `reasons.legs`). Edge rounded to whole ticks.
   */
  async insertSignal(s: SignalV1): Promise<void> {
    await this.ds
      .createQueryBuilder()
      .insert()
      .into(PlatformSignalRow)
      .values({
        signalId: s.id,
        version: s.v,
        kind: s.kind,
        marketTicker: s.legs[0].marketTicker,
        side: s.legs[0].side,
        reasons: { reasons: s.reasons, legs: s.legs, fairTicks: s.fairTicks, grossEdgeTicks: s.grossEdgeTicks, netEdgeTicks: s.netEdgeTicks, confidence: s.confidence, source: s.source ?? null },
        edgeTicks: BigInt(Math.round(s.netEdgeTicks)),
        ttlMs: s.expiresTsMs - s.createdTsMs,
        expiresTsMs: s.expiresTsMs,
        tsMs: s.createdTsMs,
      })
      .orIgnore()
      .execute();
  }

  /** Stored signals, oldest first, as SignalV1 (legs and edges from `reasons`). */
  async loadSignals(): Promise<SignalV1[]> {
    const rows = await this.ds.getRepository(PlatformSignalRow).find({ order: { tsMs: 'ASC', signalId: 'ASC' } });
    return rows.map((r) => {
      const x = r.reasons as { reasons: string[]; legs: SignalV1['legs']; fairTicks: number | null; grossEdgeTicks: number; netEdgeTicks: number; confidence: number; source: SignalV1['source'] | null };
      const s: SignalV1 = { v: 1, id: r.signalId, kind: r.kind, legs: x.legs, fairTicks: x.fairTicks, grossEdgeTicks: x.grossEdgeTicks, netEdgeTicks: x.netEdgeTicks, confidence: x.confidence, reasons: x.reasons, createdTsMs: r.tsMs, expiresTsMs: r.expiresTsMs };
      if (x.source) s.source = x.source;
      return s;
    });
  }

  /** Appends to the audit log (who did what to what, with details). */
  async audit(actor: string, action: string, subject: string, details: unknown, tsMs: number): Promise<void> {
    await this.ds.getRepository(PlatformAuditLogRow).insert({ actor, action, subject, details: details as object, tsMs });
  }

  /** Audit rows of one action, oldest first (for reports and tests). */
  async auditRows(action: string): Promise<Array<{ actor: string; subject: string; details: unknown; tsMs: number }>> {
    const rows = await this.ds.getRepository(PlatformAuditLogRow).find({ where: { action }, order: { id: 'ASC' } });
    return rows.map((r) => ({ actor: r.actor, subject: r.subject, details: r.details, tsMs: r.tsMs }));
  }
}

/** The rows of a RETURNING clause (pg gives an array; PGlite may wrap it in `{rows}`). */
function rowsOf(raw: unknown): unknown[] {
  if (Array.isArray(raw)) return raw;
  const rows = (raw as { rows?: unknown[] } | null)?.rows;
  return Array.isArray(rows) ? rows : [];
}

function orderRow(o: OrderState): Partial<PlatformOrderRow> {
  return {
    clientOrderId: o.clientOrderId,
    orderId: o.orderId,
    marketTicker: o.marketTicker,
    eventTicker: o.eventTicker,
    side: o.side,
    action: o.action,
    type: 'limit',
    priceTicks: BigInt(o.priceTicks),
    countCentis: BigInt(o.countCentis),
    filledCentis: BigInt(o.filledCentis),
    remainingCentis: BigInt(o.remainingCentis),
    status: o.status,
    rejectReason: o.rejectReason,
    signalId: o.signalId,
    createdTsMs: o.createdTsMs,
    updatedTsMs: Math.max(o.updatedTsMs, o.createdTsMs),
  };
}

function orderState(r: PlatformOrderRow): OrderState {
  return {
    clientOrderId: r.clientOrderId,
    orderId: r.orderId,
    signalId: r.signalId,
    marketTicker: r.marketTicker,
    eventTicker: r.eventTicker,
    side: r.side,
    action: r.action,
    priceTicks: num(r.priceTicks, 'orders.price_ticks'),
    countCentis: num(r.countCentis, 'orders.count_centis'),
    filledCentis: num(r.filledCentis, 'orders.filled_centis'),
    remainingCentis: num(r.remainingCentis, 'orders.remaining_centis'),
    status: r.status,
    rejectReason: r.rejectReason,
    createdTsMs: r.createdTsMs,
    updatedTsMs: r.updatedTsMs,
  };
}
