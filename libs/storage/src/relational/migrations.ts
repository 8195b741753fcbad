/**
 * Migrations of the platform's relational store: hand-written PostgreSQL (also run by PGlite), applied in order ONLY by
 * an explicit `migrateUp()` (CLI `kalshi-platform migrate up`), recorded in the `migrations` table of the store's
 * schema. Every migration has a `down` that removes exactly what its `up` created.
 *
 * Never edit a released migration: add a new class (name = words + a 13-digit ms timestamp, as typeorm requires,
 * later than the last one) to {@link RELATIONAL_MIGRATIONS}.
 *
 * Units (see `./entities`): BIGINT fixed-point integers, `_ticks` = 1/10000 $, `_centis` = 1/100 contract,
 * `_micros` = 1e-6 $, `_ts_ms` = ms since the Unix epoch. Kalshi prices lie strictly between $0 and $1, hence
 * `price_ticks BETWEEN 1 AND 9999` (Kalshi API v2 docs, "Fixed-point prices": `*_dollars` fields with up to 4 decimals).
 *
 * Deliberately NO foreign keys from `markets` to `events` nor from `fills` to `orders`: the reconciler must be able to
 * store what the exchange reports in whatever order it arrives (a fill can be delivered before the order
 * acknowledgement that carries the exchange `order_id`; a market can be listed before its event). The links are
 * indexed instead. `orders.signal_id` does reference `signals` (signals are ours and always written first).
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Quoted schema of the DataSource the migration runs on (the store always sets one). */
function schemaOf(qr: QueryRunner): string {
  const schema = (qr.connection.driver as { schema?: string }).schema ?? 'public';
  return `"${schema.replace(/"/g, '""')}"`;
}

async function run(qr: QueryRunner, statements: string[]): Promise<void> {
  for (const sql of statements) await qr.query(sql);
}

const SIDE = (c: string) => `CHECK ("${c}" IN ('yes', 'no'))`;
const ACTION = (c: string) => `CHECK ("${c}" IN ('buy', 'sell'))`;
const PRICE = (c: string) => `CHECK ("${c}" BETWEEN 1 AND 9999)`;
const NOT_BLANK = (c: string) => `CHECK ("${c}" <> '')`;

/** `events` and `markets` (exchange reference data, keyed by ticker). */
export class CreatePlatformMarkets1767312000000 implements MigrationInterface {
  readonly name = 'CreatePlatformMarkets1767312000000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await run(qr, [
      `CREATE TABLE ${s}."events" (
        "event_ticker"       TEXT    PRIMARY KEY ${NOT_BLANK('event_ticker')},
        "series_ticker"      TEXT    NOT NULL ${NOT_BLANK('series_ticker')},
        "title"              TEXT    NOT NULL DEFAULT '',
        "status"             TEXT    NOT NULL CHECK ("status" IN ('unopened', 'open', 'closed', 'settled')),
        "mutually_exclusive" BOOLEAN NOT NULL DEFAULT FALSE,
        "close_ts_ms"        BIGINT,
        "updated_ts_ms"      BIGINT  NOT NULL
      )`,
      `CREATE INDEX "events_series_idx" ON ${s}."events" ("series_ticker")`,
      `CREATE TABLE ${s}."markets" (
        "market_ticker" TEXT   PRIMARY KEY ${NOT_BLANK('market_ticker')},
        "event_ticker"  TEXT   NOT NULL ${NOT_BLANK('event_ticker')},
        "series_ticker" TEXT   NOT NULL ${NOT_BLANK('series_ticker')},
        "title"         TEXT   NOT NULL DEFAULT '',
        "status"        TEXT   NOT NULL CHECK ("status" IN ('initialized', 'inactive', 'active', 'closed', 'determined', 'disputed', 'amended', 'finalized', 'unopened', 'open', 'settled')),
        "open_ts_ms"    BIGINT,
        "close_ts_ms"   BIGINT,
        "result"        TEXT   CHECK ("result" IN ('yes', 'no', 'scalar')),
        "updated_ts_ms" BIGINT NOT NULL,
        CONSTRAINT "markets_open_before_close" CHECK ("open_ts_ms" IS NULL OR "close_ts_ms" IS NULL OR "open_ts_ms" <= "close_ts_ms")
      )`,
      `CREATE INDEX "markets_event_idx" ON ${s}."markets" ("event_ticker")`,
      `CREATE INDEX "markets_series_idx" ON ${s}."markets" ("series_ticker")`,
      `CREATE INDEX "markets_status_close_idx" ON ${s}."markets" ("status", "close_ts_ms")`,
    ]);
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await run(qr, [`DROP TABLE IF EXISTS ${s}."markets"`, `DROP TABLE IF EXISTS ${s}."events"`]);
  }
}

/** `signals`, `orders`, `fills`, `positions` (our trading state). */
export class CreatePlatformTrading1767312060000 implements MigrationInterface {
  readonly name = 'CreatePlatformTrading1767312060000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await run(qr, [
      `CREATE TABLE ${s}."signals" (
        "signal_id"     TEXT    PRIMARY KEY ${NOT_BLANK('signal_id')},
        "version"       INTEGER NOT NULL CHECK ("version" >= 1),
        "kind"          TEXT    NOT NULL ${NOT_BLANK('kind')},
        "market_ticker" TEXT    NOT NULL,
        "side"          TEXT    NOT NULL ${SIDE('side')},
        "reasons"       JSONB   NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof("reasons") IN ('array', 'object')),
        "edge_ticks"    BIGINT  NOT NULL,
        "ttl_ms"        BIGINT  NOT NULL CHECK ("ttl_ms" > 0),
        "expires_ts_ms" BIGINT  NOT NULL,
        "ts_ms"         BIGINT  NOT NULL,
        CONSTRAINT "signals_expiry" CHECK ("expires_ts_ms" = "ts_ms" + "ttl_ms")
      )`,
      `CREATE INDEX "signals_market_ts_idx" ON ${s}."signals" ("market_ticker", "ts_ms")`,
      `CREATE INDEX "signals_expires_idx" ON ${s}."signals" ("expires_ts_ms")`,
      `CREATE TABLE ${s}."orders" (
        "client_order_id"  TEXT   PRIMARY KEY ${NOT_BLANK('client_order_id')},
        "order_id"         TEXT   CONSTRAINT "orders_order_id_key" UNIQUE,
        "market_ticker"    TEXT   NOT NULL ${NOT_BLANK('market_ticker')},
        "side"             TEXT   NOT NULL ${SIDE('side')},
        "action"           TEXT   NOT NULL ${ACTION('action')},
        "type"             TEXT   NOT NULL CHECK ("type" IN ('limit', 'market')),
        "price_ticks"      BIGINT NOT NULL ${PRICE('price_ticks')},
        "count_centis"     BIGINT NOT NULL CHECK ("count_centis" > 0),
        "filled_centis"    BIGINT NOT NULL DEFAULT 0 CHECK ("filled_centis" >= 0),
        "remaining_centis" BIGINT NOT NULL CHECK ("remaining_centis" >= 0),
        "status"           TEXT   NOT NULL CONSTRAINT "orders_status_check" CHECK ("status" IN ('pending', 'resting', 'partially_filled', 'executed', 'canceled', 'rejected')),
        "reject_reason"    TEXT,
        "signal_id"        TEXT   REFERENCES ${s}."signals" ("signal_id") ON DELETE SET NULL,
        "created_ts_ms"    BIGINT NOT NULL,
        "updated_ts_ms"    BIGINT NOT NULL,
        CONSTRAINT "orders_sizes" CHECK ("filled_centis" + "remaining_centis" <= "count_centis"),
        CONSTRAINT "orders_executed_is_full" CHECK ("status" <> 'executed' OR ("remaining_centis" = 0 AND "filled_centis" = "count_centis")),
        CONSTRAINT "orders_partial_has_fills" CHECK ("status" <> 'partially_filled' OR ("filled_centis" > 0 AND "remaining_centis" > 0)),
        CONSTRAINT "orders_rejected_unfilled" CHECK ("status" <> 'rejected' OR "filled_centis" = 0),
        CONSTRAINT "orders_acknowledged" CHECK ("status" NOT IN ('resting', 'partially_filled', 'executed') OR "order_id" IS NOT NULL),
        CONSTRAINT "orders_time_order" CHECK ("updated_ts_ms" >= "created_ts_ms")
      )`,
      `CREATE INDEX "orders_open_idx" ON ${s}."orders" ("market_ticker") WHERE "status" IN ('pending', 'resting', 'partially_filled')`,
      `CREATE INDEX "orders_market_created_idx" ON ${s}."orders" ("market_ticker", "created_ts_ms")`,
      `CREATE INDEX "orders_signal_idx" ON ${s}."orders" ("signal_id")`,
      `CREATE INDEX "orders_updated_idx" ON ${s}."orders" ("updated_ts_ms")`,
      `CREATE TABLE ${s}."fills" (
        "fill_id"         TEXT    PRIMARY KEY ${NOT_BLANK('fill_id')},
        "trade_id"        TEXT    NOT NULL ${NOT_BLANK('trade_id')},
        "order_id"        TEXT    NOT NULL ${NOT_BLANK('order_id')},
        "client_order_id" TEXT,
        "market_ticker"   TEXT    NOT NULL ${NOT_BLANK('market_ticker')},
        "side"            TEXT    NOT NULL ${SIDE('side')},
        "action"          TEXT    NOT NULL ${ACTION('action')},
        "price_ticks"     BIGINT  NOT NULL ${PRICE('price_ticks')},
        "count_centis"    BIGINT  NOT NULL CHECK ("count_centis" > 0),
        "fee_micros"      BIGINT  NOT NULL DEFAULT 0,
        "is_taker"        BOOLEAN NOT NULL,
        "ts_ms"           BIGINT  NOT NULL
      )`,
      `CREATE INDEX "fills_order_idx" ON ${s}."fills" ("order_id")`,
      `CREATE INDEX "fills_client_order_idx" ON ${s}."fills" ("client_order_id")`,
      `CREATE INDEX "fills_trade_idx" ON ${s}."fills" ("trade_id")`,
      `CREATE INDEX "fills_market_ts_idx" ON ${s}."fills" ("market_ticker", "ts_ms")`,
      `CREATE INDEX "fills_ts_idx" ON ${s}."fills" ("ts_ms")`,
      `CREATE TABLE ${s}."positions" (
        "market_ticker"       TEXT   PRIMARY KEY ${NOT_BLANK('market_ticker')},
        "position_centis"     BIGINT NOT NULL DEFAULT 0,
        "cost_basis_micros"   BIGINT NOT NULL DEFAULT 0 CHECK ("cost_basis_micros" >= 0),
        "realized_pnl_micros" BIGINT NOT NULL DEFAULT 0,
        "fees_paid_micros"    BIGINT NOT NULL DEFAULT 0,
        "volume_centis"       BIGINT NOT NULL DEFAULT 0 CHECK ("volume_centis" >= 0),
        "updated_ts_ms"       BIGINT NOT NULL,
        CONSTRAINT "positions_flat_has_no_cost" CHECK ("position_centis" <> 0 OR "cost_basis_micros" = 0)
      )`,
      `CREATE INDEX "positions_open_idx" ON ${s}."positions" ("market_ticker") WHERE "position_centis" <> 0`,
    ]);
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await run(qr, ['positions', 'fills', 'orders', 'signals'].map((t) => `DROP TABLE IF EXISTS ${s}."${t}"`));
  }
}

/** `risk_limits` and the append-only `audit_log`. */
export class CreatePlatformRiskAudit1767312120000 implements MigrationInterface {
  readonly name = 'CreatePlatformRiskAudit1767312120000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await run(qr, [
      `CREATE TABLE ${s}."risk_limits" (
        "scope"         TEXT    NOT NULL CHECK ("scope" IN ('global', 'event', 'market')),
        "scope_key"     TEXT    NOT NULL DEFAULT '',
        "limit_name"    TEXT    NOT NULL CONSTRAINT "risk_limits_name_has_unit" CHECK ("limit_name" ~ '^[a-z][a-z0-9_]*_(ticks|centis|micros|count|ms)$'),
        "limit_value"   BIGINT  NOT NULL CHECK ("limit_value" >= 0),
        "enabled"       BOOLEAN NOT NULL DEFAULT TRUE,
        "updated_by"    TEXT    NOT NULL ${NOT_BLANK('updated_by')},
        "updated_ts_ms" BIGINT  NOT NULL,
        PRIMARY KEY ("scope", "scope_key", "limit_name"),
        CONSTRAINT "risk_limits_scope_key" CHECK (("scope" = 'global') = ("scope_key" = ''))
      )`,
      `CREATE TABLE ${s}."audit_log" (
        "id"      BIGSERIAL PRIMARY KEY,
        "ts_ms"   BIGINT    NOT NULL,
        "actor"   TEXT      NOT NULL ${NOT_BLANK('actor')},
        "action"  TEXT      NOT NULL ${NOT_BLANK('action')},
        "subject" TEXT      NOT NULL DEFAULT '',
        "details" JSONB     NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof("details") = 'object')
      )`,
      `CREATE INDEX "audit_log_ts_idx" ON ${s}."audit_log" ("ts_ms")`,
      `CREATE INDEX "audit_log_subject_idx" ON ${s}."audit_log" ("subject", "id")`,
      `CREATE FUNCTION ${s}."audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
          RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END
      $fn$`,
      `CREATE TRIGGER "audit_log_no_update_delete" BEFORE UPDATE OR DELETE ON ${s}."audit_log" FOR EACH ROW EXECUTE FUNCTION ${s}."audit_log_append_only"()`,
      `CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON ${s}."audit_log" FOR EACH STATEMENT EXECUTE FUNCTION ${s}."audit_log_append_only"()`,
    ]);
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await run(qr, [`DROP TABLE IF EXISTS ${s}."audit_log"`, `DROP FUNCTION IF EXISTS ${s}."audit_log_append_only"()`, `DROP TABLE IF EXISTS ${s}."risk_limits"`]);
  }
}

/** Every migration, oldest first. */
/**
 * `orders.event_ticker` (issue #5): the execution app's per-event risk limit needs each open order's event after a
 * restart, before the market list is loaded. Existing rows get '' (unknown).
 */
export class AddOrderEventTicker1795392000000 implements MigrationInterface {
  readonly name = 'AddOrderEventTicker1795392000000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await run(qr, [`ALTER TABLE ${s}."orders" ADD COLUMN "event_ticker" TEXT NOT NULL DEFAULT ''`, `CREATE INDEX "orders_event_idx" ON ${s}."orders" ("event_ticker")`]);
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await run(qr, [`DROP INDEX IF EXISTS ${s}."orders_event_idx"`, `ALTER TABLE ${s}."orders" DROP COLUMN IF EXISTS "event_ticker"`]);
  }
}

export const RELATIONAL_MIGRATIONS = [CreatePlatformMarkets1767312000000, CreatePlatformTrading1767312060000, CreatePlatformRiskAudit1767312120000, AddOrderEventTicker1795392000000];

/** Names of {@link RELATIONAL_MIGRATIONS}, oldest first. */
export const RELATIONAL_MIGRATION_NAMES: readonly string[] = RELATIONAL_MIGRATIONS.map((m) => new m().name);

/** Tables created by the migrations (typeorm's `migrations` table aside). */
export const RELATIONAL_TABLES = ['events', 'markets', 'signals', 'orders', 'fills', 'positions', 'risk_limits', 'audit_log'] as const;
