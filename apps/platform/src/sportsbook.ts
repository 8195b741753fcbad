/**
 * `npm start -- --odds ODDS.json`: the sportsbook half of the main job (issue #5). After the capture replay, a second,
 * LIVE mock exchange lists Kalshi NBA/NHL game markets for the events of the odds file (`gamesFromOdds`), its house
 * quoting them around the sportsbook consensus and mis-pricing a seeded share of them (`seededEdges`, the same markets
 * for the same `--seed`). The platform then runs against it exactly as against Kalshi: ingestion -> ticker plant ->
 * detection (sportsbook edge from the odds file's consensus) -> execution in PAPER mode (risk gate, orders over signed
 * REST, fills from the WebSocket `fill` channel, positions and PnL in an embedded PostgreSQL (PGlite) store created for
 * the run), for `durationMs` of live market, then a final reconciliation with `GET /portfolio/orders|fills|positions`.
 *
 * The run's relational store is a fresh PGlite directory (deleted afterwards) because the venue is fresh too: a store
 * kept across runs would hold orders the new venue never saw. Everything it held is in the report.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogLevel } from '@nestjs/common';
import { busRequest, subjects, type ExecutionPortfolioV1, type ExecutionStatusV1, type SignalV1 } from '@kalshi-platform/bus';
import { seededEdges, startExchange } from '@kalshi-platform/feature-exchange';
import { DEFAULT_BREAKER, DEFAULT_EXECUTION_LIMITS, openExecutionDeps, type ExecutionConfig } from '@kalshi-platform/feature-execution';
import { FeedService } from '@kalshi-platform/feature-ingestion';
import { decodePositions, KalshiRestClient } from '@kalshi-platform/kalshi';
import { formatPriceDollars, formatSizeFp } from '@kalshi-platform/market';
import { openRelationalStore, type HotCache, type TickStore } from '@kalshi-platform/storage';
import { startPipeline, type PipelineOptions } from './platform';
import type { ReportOpportunity } from './report';

/** Options of {@link runSportsbook}. */
export interface SportsbookRunOptions {
  oddsPath: string;
  /** picks the mis-priced markets (`seededEdges`) */
  seed: number;
  /** share of the game markets the house mis-prices (default 0.25) */
  edgeShare?: number;
  /** how far below fair their ask sits, cents (default 5) */
  edgeCents?: number;
  /** live market time after the books are in, ms (default 3000) */
  durationMs?: number;
  shards: number;
  natsUrl?: string;
  tickStore?: TickStore | null;
  hotCache?: HotCache | null;
  logLevels?: LogLevel[];
  /** the trading console (`--console`): fed by this phase's pipeline too */
  console?: PipelineOptions['console'];
}

/** The report sections the sportsbook run adds. Money as Kalshi fixed-point dollar strings. */
export interface SportsbookReport {
  opportunities: ReportOpportunity[];
  orders: Array<{ client_order_id: string; order_id: string | null; signal_id: string | null; market_ticker: string; side: 'yes' | 'no'; action: 'buy' | 'sell'; price_dollars: string; count_fp: string; filled_fp: string; status: string; reject_reason: string | null }>;
  fills: Array<{ trade_id: string; order_id: string; client_order_id: string | null; market_ticker: string; side: 'yes' | 'no'; action: 'buy' | 'sell'; price_dollars: string; count_fp: string; fee_dollars: string; is_taker: boolean; ts_ms: number }>;
  positions: Array<{ market_ticker: string; position_fp: string; exchange_position_fp: string; cost_basis_dollars: string; realized_pnl_dollars: string; unrealized_pnl_dollars: string | null; fees_dollars: string }>;
  /**
   * `expected_at_fair_dollars`: what the fills are worth at the consensus fair value of their signals, fees paid:
   * sum over fills of `count x (fair - price) - fee` (the edge the strategy claims; `unrealized` marks at the bid).
   */
  pnl: { realized_dollars: string; unrealized_dollars: string; fees_dollars: string; total_dollars: string; expected_at_fair_dollars: string };
  execution: { mode: 'paper' | 'live'; risk_rejections: Record<string, number>; signals_received: number; orders_sent: number; reconcile: ExecutionPortfolioV1['lastReconcile'] };
}

/** Micro-dollars -> a signed dollar string with 6 decimals (exact). */
export function formatMicros(micros: number): string {
  const neg = micros < 0;
  const a = Math.abs(micros);
  return `${neg ? '-' : ''}${Math.floor(a / 1_000_000)}.${String(a % 1_000_000).padStart(6, '0')}`;
}

const signedSize = (centis: number): string => (centis < 0 ? `-${formatSizeFp(-centis)}` : formatSizeFp(centis));

/** A signal as a report opportunity (same shape as the arbitrage episodes, plus the signal's own fields). */
function signalOpportunity(s: SignalV1): ReportOpportunity {
  return {
    kind: s.kind,
    event_ticker: s.legs[0].eventTicker,
    legs: s.legs.map((l) => ({ market_ticker: l.marketTicker, side: l.side, action: 'buy', price_dollars: formatPriceDollars(l.priceTicks) })),
    opened_ts_ms: s.createdTsMs,
    closed_ts_ms: s.expiresTsMs,
    max_gross_edge_dollars: (s.grossEdgeTicks / 10_000).toFixed(6),
    max_net_edge_dollars: (s.netEdgeTicks / 10_000).toFixed(6),
    signal_id: s.id,
    fair_dollars: s.fairTicks === null ? null : (s.fairTicks / 10_000).toFixed(6),
    size_fp: formatSizeFp(s.legs[0].sizeCentis),
    confidence: Number(s.confidence.toFixed(4)),
  };
}

/**
 * Runs the sportsbook half (see the module docstring) and returns its report sections.
 * @throws Error when the odds file is unreadable or a service fails to start
 */
export async function runSportsbook(o: SportsbookRunOptions): Promise<SportsbookReport> {
  const dir = mkdtempSync(join(tmpdir(), 'kalshi-platform-odds-'));
  const credsPath = join(dir, 'demo-credentials.json');
  const logger = o.logLevels ?? ['error', 'warn'];
  const exchange = await startExchange({
    host: '127.0.0.1',
    port: 0,
    mode: 'live',
    gamesFromOdds: o.oddsPath,
    gamesOptions: { edgeFor: seededEdges({ seed: o.seed, share: o.edgeShare ?? 0.25, cents: o.edgeCents ?? 5 }) },
    credentialsOut: credsPath,
    logger,
  });
  const relational = await openRelationalStore({ dataDir: join(dir, 'platform-db') });
  try {
    await relational.migrateUp(); // the run's own, fresh store (see the module docstring)
    const creds = JSON.parse(readFileSync(credsPath, 'utf8')) as { key_id: string; private_key_pem: string };
    const credentials = { keyId: creds.key_id, privateKeyPem: creds.private_key_pem };
    const config: ExecutionConfig = {
      mode: 'paper',
      restUrl: exchange.restUrl,
      wsUrl: exchange.wsUrl,
      credentials,
      route: 'rest',
      kinds: ['sportsbook_edge'],
      timeInForce: 'gtc',
      limits: DEFAULT_EXECUTION_LIMITS,
      breaker: DEFAULT_BREAKER,
      reconcileIntervalMs: 1_000,
      reconcileGraceMs: 2_000,
    };
    const deps = await openExecutionDeps(config, { relational });
    const p = await startPipeline({
      restUrl: exchange.restUrl,
      wsUrl: exchange.wsUrl,
      credentials,
      shards: o.shards,
      natsUrl: o.natsUrl,
      tickStore: o.tickStore,
      hotCache: o.hotCache,
      logLevels: logger,
      // sizing caps inside the execution limits (100 contracts, $100 an order), so every signal is tradable
      detection: {
        sportsbook: { oddsFile: o.oddsPath, minEdgeTicks: 100, maxOddsAgeMs: 3_600_000, ttlMs: 10_000, bankrollMicros: 1_000 * 1_000_000, kellyFraction: 0.25, maxContractsCentis: 100 * 100, maxMarketCostMicros: 100 * 1_000_000 },
      },
      execution: { config, deps },
      console: o.console,
    });
    try {
      const feed = p.ingestion.get(FeedService);
      await feed.start();
      await new Promise((r) => setTimeout(r, o.durationMs ?? 3_000));
      await busRequest(p.bus, subjects.executionReconcile, {}, 30_000);
      const portfolio = await busRequest<ExecutionPortfolioV1>(p.bus, subjects.executionPortfolio, {}, 10_000);
      const status = await busRequest<ExecutionStatusV1>(p.bus, subjects.executionStatus, {}, 10_000);
      const signals = await deps.store.loadSignals();
      const fairBySignal = new Map(signals.map((x) => [x.id, x.fairTicks]));
      const signalByOrder = new Map(portfolio.orders.map((x) => [x.clientOrderId, x.signalId]));
      let expectedMicros = 0;
      for (const f of portfolio.fills) {
        const fair = fairBySignal.get(signalByOrder.get(f.clientOrderId ?? '') ?? '');
        if (fair !== undefined && fair !== null) expectedMicros += Math.round(f.countCentis * (fair - f.priceTicks)) - f.feeMicros;
      }
      const rest = new KalshiRestClient({ baseUrl: exchange.restUrl, credentials });
      const ex = decodePositions({ market_positions: await rest.getAll('portfolio/positions', 'market_positions', { limit: 200 }) });
      const exPos = new Map(ex.ok ? ex.value.marketPositions.map((m) => [m.ticker, m.positionCentis]) : []);
      return {
        opportunities: signals.map(signalOpportunity),
        orders: portfolio.orders.map((x) => ({
          client_order_id: x.clientOrderId,
          order_id: x.orderId,
          signal_id: x.signalId,
          market_ticker: x.marketTicker,
          side: x.side,
          action: x.action,
          price_dollars: formatPriceDollars(x.priceTicks),
          count_fp: formatSizeFp(x.countCentis),
          filled_fp: formatSizeFp(x.filledCentis),
          status: x.status,
          reject_reason: x.rejectReason,
        })),
        fills: portfolio.fills.map((f) => ({
          trade_id: f.tradeId,
          order_id: f.orderId,
          client_order_id: f.clientOrderId,
          market_ticker: f.marketTicker,
          side: f.side,
          action: f.action,
          price_dollars: formatPriceDollars(f.priceTicks),
          count_fp: formatSizeFp(f.countCentis),
          fee_dollars: formatMicros(f.feeMicros),
          is_taker: f.isTaker,
          ts_ms: f.tsMs,
        })),
        positions: portfolio.positions.map((x) => ({
          market_ticker: x.marketTicker,
          position_fp: signedSize(x.positionCentis),
          exchange_position_fp: signedSize(exPos.get(x.marketTicker) ?? 0),
          cost_basis_dollars: formatMicros(x.costBasisMicros),
          realized_pnl_dollars: formatMicros(x.realizedPnlMicros),
          unrealized_pnl_dollars: x.unrealizedPnlMicros === null ? null : formatMicros(x.unrealizedPnlMicros),
          fees_dollars: formatMicros(x.feesPaidMicros),
        })),
        pnl: {
          realized_dollars: formatMicros(portfolio.pnl.realizedMicros),
          unrealized_dollars: formatMicros(portfolio.pnl.unrealizedMicros),
          fees_dollars: formatMicros(portfolio.pnl.feesMicros),
          total_dollars: formatMicros(portfolio.pnl.totalMicros),
          expected_at_fair_dollars: formatMicros(expectedMicros),
        },
        execution: { mode: status.mode, risk_rejections: status.riskRejections, signals_received: status.signalsReceived, orders_sent: status.ordersSent, reconcile: portfolio.lastReconcile },
      };
    } finally {
      await p.close();
    }
  } finally {
    await relational.close().catch(() => undefined);
    await exchange.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
