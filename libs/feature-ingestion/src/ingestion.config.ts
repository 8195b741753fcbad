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
 */
import { DEFAULT_PARTITION_COUNT } from '@kalshi-platform/bus';
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
  };
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
