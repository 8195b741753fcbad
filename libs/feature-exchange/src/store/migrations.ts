/**
 * Migrations of the venue store: hand-written PostgreSQL (also run by PGlite), applied in order by typeorm's
 * `runMigrations()` and recorded in the `migrations` table of the store's schema. Never edit a released migration:
 * add a new class (name = words + a 13-digit ms timestamp, as typeorm requires) to {@link STORE_MIGRATIONS}.
 *
 * Money and sizes are BIGINT integers in the engine's units (ticks = 1/10000 $, centis = 1/100 contract,
 * micros = 1e-6 $), timestamps BIGINT ms since the Unix epoch.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Quoted schema of the DataSource the migration runs on (`public` unless the store was given one). */
function schemaOf(qr: QueryRunner): string {
  const schema = (qr.connection.driver as { schema?: string }).schema ?? 'public';
  return `"${schema.replace(/"/g, '""')}"`;
}

/** The journal, the projection tables and `api_keys`. */
export class CreateVenueStore1767225600000 implements MigrationInterface {
  readonly name = 'CreateVenueStore1767225600000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    const statements = [
      `CREATE TABLE ${s}."journal" (
        "seq"     BIGINT PRIMARY KEY CHECK ("seq" > 0),
        "ts_ms"   BIGINT NOT NULL,
        "kind"    TEXT   NOT NULL,
        "payload" JSONB  NOT NULL
      )`,
      `CREATE TABLE ${s}."accounts" (
        "account_id"      TEXT   PRIMARY KEY,
        "cash_ticks"      BIGINT NOT NULL,
        "available_ticks" BIGINT NOT NULL,
        "updated_ts_ms"   BIGINT NOT NULL,
        "updated_seq"     BIGINT NOT NULL
      )`,
      `CREATE TABLE ${s}."orders" (
        "order_id"         TEXT   PRIMARY KEY,
        "client_order_id"  TEXT,
        "account_id"       TEXT   NOT NULL,
        "market_ticker"    TEXT   NOT NULL,
        "side"             TEXT   NOT NULL CHECK ("side" IN ('yes', 'no')),
        "action"           TEXT   NOT NULL CHECK ("action" IN ('buy', 'sell')),
        "price_ticks"      BIGINT NOT NULL,
        "status"           TEXT   NOT NULL CHECK ("status" IN ('pending', 'resting', 'executed', 'canceled')),
        "remaining_centis" BIGINT NOT NULL,
        "filled_centis"    BIGINT NOT NULL,
        "last_event"       TEXT   NOT NULL,
        "created_ts_ms"    BIGINT NOT NULL,
        "updated_ts_ms"    BIGINT NOT NULL,
        "updated_seq"      BIGINT NOT NULL
      )`,
      `CREATE INDEX "orders_account_market_idx" ON ${s}."orders" ("account_id", "market_ticker")`,
      `CREATE TABLE ${s}."fills" (
        "trade_id"            TEXT    NOT NULL,
        "order_id"            TEXT    NOT NULL,
        "account_id"          TEXT    NOT NULL,
        "market_ticker"       TEXT    NOT NULL,
        "side"                TEXT    NOT NULL,
        "action"              TEXT    NOT NULL,
        "price_ticks"         BIGINT  NOT NULL,
        "yes_price_ticks"     BIGINT  NOT NULL,
        "size_centis"         BIGINT  NOT NULL,
        "is_taker"            BOOLEAN NOT NULL,
        "fee_ticks"           BIGINT  NOT NULL,
        "rounding_fee_micros" BIGINT  NOT NULL,
        "rebate_ticks"        BIGINT  NOT NULL,
        "ts_ms"               BIGINT  NOT NULL,
        "seq"                 BIGINT  NOT NULL,
        PRIMARY KEY ("trade_id", "order_id")
      )`,
      `CREATE INDEX "fills_account_ts_idx" ON ${s}."fills" ("account_id", "ts_ms")`,
      `CREATE TABLE ${s}."positions" (
        "account_id"          TEXT   NOT NULL,
        "market_ticker"       TEXT   NOT NULL,
        "position_centis"     BIGINT NOT NULL,
        "cost_basis_micros"   BIGINT NOT NULL,
        "realized_pnl_micros" BIGINT NOT NULL,
        "fees_paid_micros"    BIGINT NOT NULL,
        "volume_centis"       BIGINT NOT NULL,
        "updated_ts_ms"       BIGINT NOT NULL,
        "updated_seq"         BIGINT NOT NULL,
        PRIMARY KEY ("account_id", "market_ticker")
      )`,
      `CREATE TABLE ${s}."settlements" (
        "market_ticker"       TEXT   NOT NULL,
        "account_id"          TEXT   NOT NULL,
        "result"              TEXT   NOT NULL CHECK ("result" IN ('yes', 'no')),
        "position_centis"     BIGINT NOT NULL,
        "payout_ticks"        BIGINT NOT NULL,
        "realized_pnl_micros" BIGINT NOT NULL,
        "ts_ms"               BIGINT NOT NULL,
        "seq"                 BIGINT NOT NULL,
        PRIMARY KEY ("market_ticker", "account_id")
      )`,
      `CREATE TABLE ${s}."api_keys" (
        "key_id"         TEXT   PRIMARY KEY,
        "account_id"     TEXT   NOT NULL,
        "name"           TEXT   NOT NULL,
        "public_key_pem" TEXT   NOT NULL,
        "created_ts_ms"  BIGINT NOT NULL,
        "scopes"         JSONB  NOT NULL DEFAULT '[]'::jsonb
      )`,
    ];
    for (const sql of statements) await qr.query(sql);
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    for (const t of ['api_keys', 'settlements', 'positions', 'fills', 'orders', 'accounts', 'journal']) {
      await qr.query(`DROP TABLE IF EXISTS ${s}."${t}"`);
    }
  }
}

/** Every migration, oldest first. */
export const STORE_MIGRATIONS = [CreateVenueStore1767225600000];
