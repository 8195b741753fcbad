/**
 * Configuration of the ingestion app. From the environment (`ingestionConfigFromEnv`) for the standalone
 * service, or built in code by the all-in-one platform.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `KALSHI_REST_URL` | REST base, e.g. `https://external-api.kalshi.com/trade-api/v2` | required |
 * | `KALSHI_WS_URL` | WebSocket URL, e.g. `wss://external-api-ws.kalshi.com/trade-api/ws/v2` | required |
 * | `KALSHI_API_KEY_ID` | API key id | required by Kalshi |
 * | `KALSHI_PRIVATE_KEY_PATH` or `KALSHI_PRIVATE_KEY_PEM` | RSA private key (never logged) | required by Kalshi |
 * | `KALSHI_CREDENTIALS_FILE` | a `{key_id, private_key_pem}` file as the mock exchange writes | - |
 * | `INGEST_MARKET_TICKERS` | comma-separated tickers; empty = every open market from `GET /markets` | empty |
 * | `INGEST_CHANNELS` | extra public channels to subscribe and store besides `orderbook_delta`: `trade`, `ticker` | empty |
 * | `PARTITION_COUNT` | partitions of the ticker plant | 64 |
 * | `NATS_URL` | the bus | required for the standalone app |
 * | `HEALTH_PORT` | standalone app: serve `GET /healthz` and `GET /readyz` on this port (0 = any free port, printed as `health: http://127.0.0.1:<port>`); ready = NATS connected and the feed fresh | unset: no HTTP server |
 * | `HEALTH_FEED_MAX_AGE_MS` | with `HEALTH_PORT`: the feed is fresh while the WebSocket is connected and its last frame arrived at most this long ago | 60000 |
 * | `MD_STREAM` | JetStream stream ensured at start that keeps `md.v1.>` for replay (ticker-plant hand-off); `off` = none | `MD` |
 */
import { DEFAULT_PARTITION_COUNT, MD_STREAM } from '@kalshi-platform/bus';
import { KalshiCredentialsError, kalshiCredentialsFromEnv } from '@kalshi-platform/kalshi';

export interface IngestionConfig {
  restUrl: string;
  wsUrl: string;
  credentials?: { keyId: string; privateKeyPem: string };
  /** markets to subscribe; empty = all open markets listed by the REST API */
  marketTickers: string[];
  partitionCount: number;
  /** extra public channels (`trade`, `ticker`) whose frames are stored in the tick store; default none */
  extraChannels?: ExtraChannel[];
  heartbeatTimeoutMs?: number;
  snapshotTimeoutMs?: number;
  reconnectInitialDelayMs?: number;
  /**
   * JetStream stream that keeps the market data (`md.v1.>`) for replay, made sure to exist at start when the bus is
   * NATS (`ensureMdStream`); unset = none (configs built in code, the in-process bus). From the environment:
   * `MD_STREAM`, default `MD`, `off` for none.
   */
  mdStream?: string;
}

/** Public channels ingestion can follow besides `orderbook_delta` (stored, not published on the bus). */
export const EXTRA_CHANNELS = ['trade', 'ticker'] as const;
export type ExtraChannel = (typeof EXTRA_CHANNELS)[number];

/** Thrown for a missing or malformed setting; the message names the variable (never its secret value). */
export class ConfigError extends Error {}

/** Reads a positive integer setting. @throws ConfigError naming the variable. */
export function positiveInt(name: string, raw: string | undefined, dflt: number): number {
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) throw new ConfigError(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** Loads Kalshi credentials from the environment (libs/kalshi `kalshiCredentialsFromEnv`). @throws ConfigError naming the variable or file. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): { keyId: string; privateKeyPem: string } | undefined {
  try {
    return kalshiCredentialsFromEnv(env);
  } catch (e) {
    if (e instanceof KalshiCredentialsError) throw new ConfigError(e.message);
    throw e;
  }
}

/** @throws ConfigError naming the missing or malformed variable. */
export function ingestionConfigFromEnv(env: NodeJS.ProcessEnv = process.env): IngestionConfig {
  const restUrl = env.KALSHI_REST_URL;
  const wsUrl = env.KALSHI_WS_URL;
  if (!restUrl) throw new ConfigError('KALSHI_REST_URL is required (e.g. http://127.0.0.1:8080/trade-api/v2)');
  if (!wsUrl) throw new ConfigError('KALSHI_WS_URL is required (e.g. ws://127.0.0.1:8080/trade-api/ws/v2)');
  return {
    restUrl,
    wsUrl,
    credentials: credentialsFromEnv(env),
    marketTickers: (env.INGEST_MARKET_TICKERS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    partitionCount: positiveInt('PARTITION_COUNT', env.PARTITION_COUNT, DEFAULT_PARTITION_COUNT),
    extraChannels: extraChannelsFromEnv(env.INGEST_CHANNELS),
    mdStream: mdStreamFromEnv(env.MD_STREAM),
  };
}

/** `MD_STREAM`: unset or empty -> `MD`; `off` -> undefined (no stream). @throws ConfigError naming MD_STREAM for a bad name. */
export function mdStreamFromEnv(raw: string | undefined): string | undefined {
  const v = (raw ?? '').trim();
  if (v === '') return MD_STREAM;
  if (v === 'off') return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(v)) throw new ConfigError(`MD_STREAM must be a JetStream stream name (letters, digits, _ or -) or off, got ${JSON.stringify(raw)}`);
  return v;
}

/** `trade,ticker` -> channels. @throws ConfigError naming INGEST_CHANNELS and the unknown channel. */
export function extraChannelsFromEnv(raw: string | undefined): ExtraChannel[] {
  const out: ExtraChannel[] = [];
  for (const c of (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(EXTRA_CHANNELS as readonly string[]).includes(c)) throw new ConfigError(`INGEST_CHANNELS: unknown channel ${JSON.stringify(c)} (expected ${EXTRA_CHANNELS.join(', ')})`);
    if (!out.includes(c as ExtraChannel)) out.push(c as ExtraChannel);
  }
  return out;
}
