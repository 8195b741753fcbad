/**
 * Folds the engine events of a batch of commands into the rows the store writes: journal rows, inserts (fills,
 * settlements) and upserts coalesced by primary key (accounts, orders, positions). Coalescing keeps the last state of
 * each row within the batch, so one multi-row `INSERT … ON CONFLICT DO UPDATE` never touches a row twice (PostgreSQL
 * refuses that). Units are the engine's (see `./entities`).
 */
import type { EngineEvent } from '@kalshi-platform/matching';
import type { AccountRow, FillRow, JournalRow, OrderRow, PositionRow, SettlementRow } from './entities';

/** A journaled venue command (the unit of durability and replay). */
export interface VenueCommand {
  /** 1, 2, 3, … assigned by the venue, in application order. */
  seq: number;
  /** Command time, ms since the Unix epoch (the engine clock it is applied at). */
  tsMs: number;
  kind: string;
  /** JSON-serializable arguments of the command. */
  payload: Record<string, unknown>;
}

/** Rows of one batch, ready to write. */
export interface BatchRows {
  journal: JournalRow[];
  accounts: AccountRow[];
  orders: OrderRow[];
  fills: FillRow[];
  positions: PositionRow[];
  settlements: SettlementRow[];
}

/** See the module docstring. `items` in commit order. */
export function projectBatch(items: ReadonlyArray<{ command: VenueCommand; events: readonly EngineEvent[] }>): BatchRows {
  const journal: JournalRow[] = [];
  const accounts = new Map<string, AccountRow>();
  const orders = new Map<string, OrderRow>();
  const positions = new Map<string, PositionRow>();
  const fills: FillRow[] = [];
  const settlements: SettlementRow[] = [];
  for (const { command, events } of items) {
    const seq = command.seq;
    journal.push({ seq, tsMs: command.tsMs, kind: command.kind, payload: command.payload });
    for (const e of events) {
      switch (e.type) {
        case 'balance_changed':
          accounts.set(e.accountId, { accountId: e.accountId, cashTicks: e.cashTicks, availableTicks: e.availableTicks, updatedTsMs: e.tsMs, updatedSeq: seq });
          break;
        case 'order_accepted':
        case 'order_resting':
        case 'order_partially_filled':
        case 'order_filled':
        case 'order_canceled':
        case 'order_expired':
        case 'order_decreased':
        case 'order_amended': {
          const prev = orders.get(e.orderId);
          orders.set(e.orderId, {
            orderId: e.orderId,
            clientOrderId: e.clientOrderId ?? null,
            accountId: e.accountId,
            marketTicker: e.marketTicker,
            side: e.side,
            action: e.action,
            priceTicks: e.priceTicks,
            status: e.status,
            remainingCentis: e.remainingCentis,
            filledCentis: e.filledCentis,
            lastEvent: e.type,
            createdTsMs: prev?.createdTsMs ?? e.tsMs,
            updatedTsMs: e.tsMs,
            updatedSeq: seq,
          });
          break;
        }
        case 'fill':
          fills.push({
            tradeId: e.tradeId,
            orderId: e.orderId,
            accountId: e.accountId,
            marketTicker: e.marketTicker,
            side: e.side,
            action: e.action,
            priceTicks: e.priceTicks,
            yesPriceTicks: e.yesPriceTicks,
            sizeCentis: e.sizeCentis,
            isTaker: e.isTaker,
            feeTicks: e.feeTicks,
            roundingFeeMicros: e.roundingFeeMicros,
            rebateTicks: e.rebateTicks,
            tsMs: e.tsMs,
            seq,
          });
          break;
        case 'position_changed':
          positions.set(`${e.accountId}\u0000${e.marketTicker}`, {
            accountId: e.accountId,
            marketTicker: e.marketTicker,
            positionCentis: e.positionCentis,
            costBasisMicros: e.costBasisMicros,
            realizedPnlMicros: e.realizedPnlMicros,
            feesPaidMicros: e.feesPaidMicros,
            volumeCentis: e.volumeCentis,
            updatedTsMs: e.tsMs,
            updatedSeq: seq,
          });
          break;
        case 'settlement':
          settlements.push({
            marketTicker: e.marketTicker,
            accountId: e.accountId,
            result: e.result,
            positionCentis: e.positionCentis,
            payoutTicks: e.payoutTicks,
            realizedPnlMicros: e.realizedPnlMicros,
            tsMs: e.tsMs,
            seq,
          });
          break;
        // not projected: a rejected request changed nothing (and its order id may be a live order's, not to be
        // overwritten); market data and lifecycle are rebuilt by replaying the journal
        case 'order_rejected':
        case 'orderbook_delta':
        case 'market_status_changed':
          break;
        default: {
          const unhandled: never = e;
          throw new Error(`unknown engine event ${JSON.stringify((unhandled as { type?: unknown }).type)}`);
        }
      }
    }
  }
  return {
    journal,
    accounts: [...accounts.values()],
    orders: [...orders.values()],
    fills,
    positions: [...positions.values()],
    settlements,
  };
}
