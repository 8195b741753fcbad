/**
 * typeorm entities of the venue store (tables created by the hand-written migrations in `./migrations`, never by
 * `synchronize`). The same entities serve PostgreSQL and PGlite.
 *
 * Units (those of the matching engine): prices and balances in ticks (integer 1/10000 dollar), sizes in centis
 * (integer 1/100 contract), cash that is a price times a size in micros (integer 1e-6 dollar), timestamps in ms since
 * the Unix epoch. Every such column is a BIGINT, read back as a JS number through {@link bigintNumber} (all values
 * are below 2^53).
 */
import 'reflect-metadata';
import { Column, Entity, PrimaryColumn, type ValueTransformer } from 'typeorm';

/**
 * BIGINT <-> number. node-postgres returns BIGINT as a string, PGlite as a number (or a bigint beyond 2^53); all come
 * back as a number.
 * @throws RangeError when a stored value is not a safe integer (would lose precision as a number)
 */
export const bigintNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | bigint | null | undefined): number | null | undefined => {
    if (v === null || v === undefined) return v;
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT ${String(v)} is not a safe integer`);
    return n;
  },
};

/** Options of a NOT NULL BIGINT column read back as a number. */
const big = (name: string) => ({ name, type: 'bigint' as const, transformer: bigintNumber });

/** `journal`: one row per state-changing venue command, in application order (the unit of durability and replay). */
@Entity({ name: 'journal' })
export class JournalRow {
  /** 1, 2, 3, … assigned by the venue */
  @PrimaryColumn(big('seq'))
  seq!: number;
  /** Command time, ms (the engine clock the command was applied at). */
  @Column(big('ts_ms'))
  tsMs!: number;
  @Column({ name: 'kind', type: 'text' })
  kind!: string;
  @Column({ name: 'payload', type: 'jsonb' })
  payload!: Record<string, unknown>;
}

/** `accounts`: balance of each account, from `balance_changed` events. */
@Entity({ name: 'accounts' })
export class AccountRow {
  @PrimaryColumn({ name: 'account_id', type: 'text' })
  accountId!: string;
  /** All cash, ticks. */
  @Column(big('cash_ticks'))
  cashTicks!: number;
  /** Cash not held for live orders, ticks. */
  @Column(big('available_ticks'))
  availableTicks!: number;
  @Column(big('updated_ts_ms'))
  updatedTsMs!: number;
  /** Journal seq of the last command that changed the row. */
  @Column(big('updated_seq'))
  updatedSeq!: number;
}

/** `orders`: last known state of each order, upserted from every `order_*` event except `order_rejected`. */
@Entity({ name: 'orders' })
export class OrderRow {
  @PrimaryColumn({ name: 'order_id', type: 'text' })
  orderId!: string;
  @Column({ name: 'client_order_id', type: 'text', nullable: true })
  clientOrderId!: string | null;
  @Column({ name: 'account_id', type: 'text' })
  accountId!: string;
  @Column({ name: 'market_ticker', type: 'text' })
  marketTicker!: string;
  /** `yes` | `no` */
  @Column({ name: 'side', type: 'text' })
  side!: string;
  /** `buy` | `sell` */
  @Column({ name: 'action', type: 'text' })
  action!: string;
  /** Own-side limit price, ticks. */
  @Column(big('price_ticks'))
  priceTicks!: number;
  /** `pending` | `resting` | `executed` | `canceled` */
  @Column({ name: 'status', type: 'text' })
  status!: string;
  @Column(big('remaining_centis'))
  remainingCentis!: number;
  @Column(big('filled_centis'))
  filledCentis!: number;
  /** Type of the last event applied (`order_resting`, `order_canceled`, …). */
  @Column({ name: 'last_event', type: 'text' })
  lastEvent!: string;
  /** Time of the first event stored for the order, ms (its acceptance). */
  @Column(big('created_ts_ms'))
  createdTsMs!: number;
  @Column(big('updated_ts_ms'))
  updatedTsMs!: number;
  @Column(big('updated_seq'))
  updatedSeq!: number;
}

/** `fills`: one row per `fill` event (each trade has two: taker and maker). */
@Entity({ name: 'fills' })
export class FillRow {
  @PrimaryColumn({ name: 'trade_id', type: 'text' })
  tradeId!: string;
  @PrimaryColumn({ name: 'order_id', type: 'text' })
  orderId!: string;
  @Column({ name: 'account_id', type: 'text' })
  accountId!: string;
  @Column({ name: 'market_ticker', type: 'text' })
  marketTicker!: string;
  @Column({ name: 'side', type: 'text' })
  side!: string;
  @Column({ name: 'action', type: 'text' })
  action!: string;
  /** Trade price in the order's own side terms, ticks. */
  @Column(big('price_ticks'))
  priceTicks!: number;
  /** Trade price in YES terms, ticks. */
  @Column(big('yes_price_ticks'))
  yesPriceTicks!: number;
  @Column(big('size_centis'))
  sizeCentis!: number;
  @Column({ name: 'is_taker', type: 'boolean' })
  isTaker!: boolean;
  @Column(big('fee_ticks'))
  feeTicks!: number;
  @Column(big('rounding_fee_micros'))
  roundingFeeMicros!: number;
  @Column(big('rebate_ticks'))
  rebateTicks!: number;
  @Column(big('ts_ms'))
  tsMs!: number;
  /** Journal seq of the command that produced the fill. */
  @Column(big('seq'))
  seq!: number;
}

/** `positions`: position of an account in a market, from `position_changed` events. */
@Entity({ name: 'positions' })
export class PositionRow {
  @PrimaryColumn({ name: 'account_id', type: 'text' })
  accountId!: string;
  @PrimaryColumn({ name: 'market_ticker', type: 'text' })
  marketTicker!: string;
  /** Signed centis in YES terms (+ YES held, - NO held). */
  @Column(big('position_centis'))
  positionCentis!: number;
  @Column(big('cost_basis_micros'))
  costBasisMicros!: number;
  @Column(big('realized_pnl_micros'))
  realizedPnlMicros!: number;
  @Column(big('fees_paid_micros'))
  feesPaidMicros!: number;
  @Column(big('volume_centis'))
  volumeCentis!: number;
  @Column(big('updated_ts_ms'))
  updatedTsMs!: number;
  @Column(big('updated_seq'))
  updatedSeq!: number;
}

/** `settlements`: one row per `settlement` event (an account's position in a settled market). */
@Entity({ name: 'settlements' })
export class SettlementRow {
  @PrimaryColumn({ name: 'market_ticker', type: 'text' })
  marketTicker!: string;
  @PrimaryColumn({ name: 'account_id', type: 'text' })
  accountId!: string;
  /** `yes` | `no` */
  @Column({ name: 'result', type: 'text' })
  result!: string;
  /** Position settled, signed centis (YES terms). */
  @Column(big('position_centis'))
  positionCentis!: number;
  @Column(big('payout_ticks'))
  payoutTicks!: number;
  @Column(big('realized_pnl_micros'))
  realizedPnlMicros!: number;
  @Column(big('ts_ms'))
  tsMs!: number;
  @Column(big('seq'))
  seq!: number;
}

/** `api_keys`: API keys (public half only) and the account each acts for. Not journaled. */
@Entity({ name: 'api_keys' })
export class ApiKeyRow {
  @PrimaryColumn({ name: 'key_id', type: 'text' })
  keyId!: string;
  @Column({ name: 'account_id', type: 'text' })
  accountId!: string;
  @Column({ name: 'name', type: 'text' })
  name!: string;
  @Column({ name: 'public_key_pem', type: 'text' })
  publicKeyPem!: string;
  @Column(big('created_ts_ms'))
  createdTsMs!: number;
  /** JSON array of scope strings. */
  @Column({ name: 'scopes', type: 'jsonb' })
  scopes!: string[];
}

/** Every entity of the store (for the DataSource). */
export const STORE_ENTITIES = [JournalRow, AccountRow, OrderRow, FillRow, PositionRow, SettlementRow, ApiKeyRow];

/** Projection tables and their row types (for the test readers). */
export interface ProjectionRows {
  journal: JournalRow;
  accounts: AccountRow;
  orders: OrderRow;
  fills: FillRow;
  positions: PositionRow;
  settlements: SettlementRow;
  api_keys: ApiKeyRow;
}
export type StoreTable = keyof ProjectionRows;

/** Entity class of each table. */
export const TABLE_ENTITIES: { [T in StoreTable]: new () => ProjectionRows[T] } = {
  journal: JournalRow,
  accounts: AccountRow,
  orders: OrderRow,
  fills: FillRow,
  positions: PositionRow,
  settlements: SettlementRow,
  api_keys: ApiKeyRow,
};
