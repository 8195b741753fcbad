/**
 * Configuration of the execution app (issue #5 item 6). Every setting has an environment variable; the standalone app
 * (`npm run execution`) reads them with {@link executionConfigFromEnv}, `npm start -- --odds` builds the config in code.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `EXECUTION_MODE` | `paper` (an exchange that is not Kalshi's production API: the mock, Kalshi's demo) or `live` | `paper` |
 * | `KALSHI_REST_URL` | REST base, e.g. `http://127.0.0.1:8080/trade-api/v2` | required |
 * | `KALSHI_WS_URL` | WebSocket URL for the `fill` and `user_orders` channels | required |
 * | `KALSHI_CREDENTIALS_FILE` | a `{key_id, private_key_pem}` file (what the mock writes); or: | — |
 * | `KALSHI_API_KEY_ID` + `KALSHI_PRIVATE_KEY_PATH` (or `KALSHI_PRIVATE_KEY_PEM`) | API key id and its RSA private key (never logged) | required |
 * | `EXECUTION_ROUTE` | `rest` or `fix` (orders over FIX; portfolio reads stay on REST) | `rest` |
 * | `KALSHI_FIX_HOST`, `KALSHI_FIX_PORT` | FIX acceptor, with `EXECUTION_ROUTE=fix` | — |
 * | `DATABASE_URL` | PostgreSQL of the platform's relational store (schema `platform`; run `kalshi-platform migrate up` first) | embedded PGlite in `EXECUTION_DB_DIR` |
 * | `EXECUTION_DB_DIR` | PGlite directory without `DATABASE_URL` | `data/platform-db` |
 * | `EXECUTION_DB_SCHEMA` | schema of the relational store | `platform` |
 * | `EXECUTION_KINDS` | signal kinds to trade, comma-separated | `sportsbook_edge` |
 * | `EXECUTION_TIME_IN_FORCE` | `gtc` (rests until the signal expires: `expiration_ts`) or `ioc` | `gtc` |
 * | `EXECUTION_MAX_POSITION_CONTRACTS` | max worst-case position per market, contracts | 100 |
 * | `EXECUTION_MAX_EVENT_CONTRACTS` | max worst-case position per event (sum over its markets), contracts | 200 |
 * | `EXECUTION_MAX_OPEN_ORDERS` | max open orders | 20 |
 * | `EXECUTION_MAX_ORDER_DOLLARS` | max notional of one order (price x count), dollars | 100 |
 * | `EXECUTION_MAX_DAILY_LOSS_DOLLARS` | no new order once the UTC day's PnL is below minus this, dollars | 50 |
 * | `EXECUTION_PRICE_COLLAR_DOLLARS` | max distance of an order's price from the current ask of its side, dollars | 0.05 |
 * | `EXECUTION_MAX_SIGNAL_AGE_MS` | orders from older signals are refused | 5000 |
 * | `EXECUTION_RATE_TIER` | Kalshi rate-limit tier of the account (`basic`, `advanced`, `premier`, `paragon`, `prime`) | `basic` |
 * | `EXECUTION_BREAKER_REJECTS` | breaker trips after this many consecutive rejects | 5 |
 * | `EXECUTION_BREAKER_ERRORS` / `EXECUTION_BREAKER_ERROR_WINDOW_MS` | ... or this many exchange errors within the window | 5 / 60000 |
 * | `EXECUTION_BREAKER_DRAWDOWN_DOLLARS` | ... or a drawdown from the day's peak equity beyond this | 25 |
 * | `EXECUTION_BREAKER_COOLDOWN_MS` / `EXECUTION_BREAKER_MAX_COOLDOWN_MS` | cool-down before half-open, and its cap after failed trials | 30000 / 300000 |
 * | `EXECUTION_RECONCILE_MS` | periodic reconciliation with `GET /portfolio/orders|fills|positions` | 30000 |
 * | `EXECUTION_RECONCILE_GRACE_MS` | how long an order may be missing from the exchange's lists (read-after-write lag) | 5000 |
 * | `EXECUTION_HTTP_PORT` | HTTP port of `/healthz`, `/readyz` (started, NATS, PostgreSQL, WebSocket; 503 naming what is not), `/status`, `/portfolio`, `POST /kill-switch` (standalone app; `HEALTH_PORT` is not used) | 8090 |
 * | `NATS_URL` | the bus | required for the standalone app |
 */
import { KalshiCredentialsError, kalshiCredentialsFromEnv } from '@kalshi-platform/kalshi';
import { FixedPointError, ONE_DOLLAR, parsePriceDollars } from '@kalshi-platform/market';
import { ORDER_RATE_TIERS, type CircuitBreakerConfig, type OrderRateTier, type RiskLimits } from '@kalshi-platform/risk';

/** Everything the execution service needs. */
export interface ExecutionConfig {
  mode: 'paper' | 'live';
  restUrl: string;
  wsUrl: string;
  credentials: { keyId: string; privateKeyPem: string };
  route: 'rest' | 'fix';
  fix?: { host: string; port: number };
  /** signal kinds traded; others are counted as ignored */
  kinds: string[];
  timeInForce: 'gtc' | 'ioc';
  limits: RiskLimits;
  breaker: CircuitBreakerConfig;
  reconcileIntervalMs: number;
  reconcileGraceMs: number;
  /** relational store: PostgreSQL URL, else PGlite in `dbDir` */
  databaseUrl?: string;
  dbDir?: string;
  /** schema of the relational store (default `platform`) */
  dbSchema?: string;
}

/** Thrown for a missing or malformed setting; the message names the variable. */
export class ExecutionConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutionConfigError';
  }
}

/** Risk limits of a paper account unless configured (see the module table). Units: centis, micros, ticks, ms. */
export const DEFAULT_EXECUTION_LIMITS: RiskLimits = {
  maxPositionCentisPerMarket: 100 * 100,
  maxPositionCentisPerEvent: 200 * 100,
  maxOpenOrders: 20,
  maxOrderNotionalMicros: 100 * 1_000_000,
  maxDailyLossMicros: 50 * 1_000_000,
  priceCollarTicks: 500,
  maxSignalAgeMs: 5_000,
  orderRateTier: 'basic',
};

/** Breaker settings unless configured. */
export const DEFAULT_BREAKER: CircuitBreakerConfig = {
  maxConsecutiveRejects: 5,
  maxErrorsInWindow: 5,
  errorWindowMs: 60_000,
  maxDrawdownMicros: 25 * 1_000_000,
  coolDownMs: 30_000,
  maxCoolDownMs: 300_000,
  backoffFactor: 2,
  halfOpenTrials: 1,
};

/**
 * Hosts of Kalshi's production trading API. Paper mode refuses them, so a paper configuration can never trade real
 * money by a wrong URL (Kalshi docs: production `api.elections.kalshi.com` / `external-api.kalshi.com`, demo
 * `demo-api.kalshi.co`).
 */
export function isProductionKalshiHost(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'kalshi.com' || host.endsWith('.kalshi.com');
}

/**
 * Checks a config: paper mode must not point at production; live mode must.
 * @throws ExecutionConfigError naming the setting
 */
export function validateExecutionConfig(c: ExecutionConfig): ExecutionConfig {
  if (c.mode !== 'paper' && c.mode !== 'live') throw new ExecutionConfigError(`EXECUTION_MODE must be paper or live, got ${JSON.stringify(c.mode)}`);
  for (const [name, url] of [
    ['KALSHI_REST_URL', c.restUrl],
    ['KALSHI_WS_URL', c.wsUrl],
  ] as const) {
    if (c.mode === 'paper' && isProductionKalshiHost(url)) {
      throw new ExecutionConfigError(`${name} ${url} is Kalshi's production API but EXECUTION_MODE is paper; set EXECUTION_MODE=live to trade real money`);
    }
  }
  if (!c.credentials.keyId) throw new ExecutionConfigError('KALSHI_API_KEY_ID is required');
  if (!c.credentials.privateKeyPem.includes('PRIVATE KEY')) throw new ExecutionConfigError('KALSHI_PRIVATE_KEY_PATH does not hold a PEM private key');
  if (c.route === 'fix' && !c.fix) throw new ExecutionConfigError('EXECUTION_ROUTE=fix needs KALSHI_FIX_HOST and KALSHI_FIX_PORT');
  if (c.kinds.length === 0) throw new ExecutionConfigError('EXECUTION_KINDS must name at least one signal kind');
  return c;
}

function intVar(env: NodeJS.ProcessEnv, name: string, dflt: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) < min) throw new ExecutionConfigError(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** Dollars with up to 4 decimals -> micros (exact). */
function dollarsVar(env: NodeJS.ProcessEnv, name: string, dfltMicros: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dfltMicros;
  const m = /^(\d+)(?:\.(\d{1,4}))?$/.exec(raw.trim());
  if (!m) throw new ExecutionConfigError(`${name} must be a dollar amount like 25 or 0.05 (up to 4 decimals), got ${JSON.stringify(raw)}`);
  const micros = Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(4, '0')) * 100;
  if (!Number.isSafeInteger(micros)) throw new ExecutionConfigError(`${name} is too large`);
  return micros;
}

function priceVar(env: NodeJS.ProcessEnv, name: string, dfltTicks: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dfltTicks;
  try {
    const t = parsePriceDollars(raw.trim());
    if (t < 0 || t > ONE_DOLLAR) throw new FixedPointError(`outside 0..1`);
    return t;
  } catch (e) {
    throw new ExecutionConfigError(`${name} must be a dollar price in 0..1 with up to 4 decimals, got ${JSON.stringify(raw)} (${(e as Error).message})`);
  }
}

/**
 * Reads the config from the environment (see the module table).
 * @throws ExecutionConfigError naming the variable that is missing or malformed
 */
export function executionConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ExecutionConfig {
  const need = (name: string): string => {
    const v = env[name];
    if (!v) throw new ExecutionConfigError(`${name} is required`);
    return v;
  };
  const mode = (env.EXECUTION_MODE || 'paper') as ExecutionConfig['mode'];
  const route = (env.EXECUTION_ROUTE || 'rest') as ExecutionConfig['route'];
  if (route !== 'rest' && route !== 'fix') throw new ExecutionConfigError(`EXECUTION_ROUTE must be rest or fix, got ${JSON.stringify(route)}`);
  const tif = (env.EXECUTION_TIME_IN_FORCE || 'gtc') as ExecutionConfig['timeInForce'];
  if (tif !== 'gtc' && tif !== 'ioc') throw new ExecutionConfigError(`EXECUTION_TIME_IN_FORCE must be gtc or ioc, got ${JSON.stringify(tif)}`);
  const tier = (env.EXECUTION_RATE_TIER || 'basic') as OrderRateTier;
  if (!(tier in ORDER_RATE_TIERS)) throw new ExecutionConfigError(`EXECUTION_RATE_TIER must be one of ${Object.keys(ORDER_RATE_TIERS).join(', ')}, got ${JSON.stringify(tier)}`);
  let credentials: { keyId: string; privateKeyPem: string } | undefined;
  try {
    credentials = kalshiCredentialsFromEnv(env);
  } catch (e) {
    if (e instanceof KalshiCredentialsError) throw new ExecutionConfigError(e.message);
    throw e;
  }
  if (!credentials) throw new ExecutionConfigError('Kalshi credentials are required: KALSHI_CREDENTIALS_FILE, or KALSHI_API_KEY_ID with KALSHI_PRIVATE_KEY_PATH or KALSHI_PRIVATE_KEY_PEM');
  const fixHost = env.KALSHI_FIX_HOST;
  const cooldown = intVar(env, 'EXECUTION_BREAKER_COOLDOWN_MS', DEFAULT_BREAKER.coolDownMs, 1);
  return validateExecutionConfig({
    mode,
    restUrl: need('KALSHI_REST_URL'),
    wsUrl: need('KALSHI_WS_URL'),
    credentials,
    route,
    fix: fixHost ? { host: fixHost, port: intVar(env, 'KALSHI_FIX_PORT', 0, 1) } : undefined,
    kinds: (env.EXECUTION_KINDS || 'sportsbook_edge')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    timeInForce: tif,
    limits: {
      maxPositionCentisPerMarket: intVar(env, 'EXECUTION_MAX_POSITION_CONTRACTS', 100) * 100,
      maxPositionCentisPerEvent: intVar(env, 'EXECUTION_MAX_EVENT_CONTRACTS', 200) * 100,
      maxOpenOrders: intVar(env, 'EXECUTION_MAX_OPEN_ORDERS', 20),
      maxOrderNotionalMicros: dollarsVar(env, 'EXECUTION_MAX_ORDER_DOLLARS', 100_000_000),
      maxDailyLossMicros: dollarsVar(env, 'EXECUTION_MAX_DAILY_LOSS_DOLLARS', 50_000_000),
      priceCollarTicks: priceVar(env, 'EXECUTION_PRICE_COLLAR_DOLLARS', 500),
      maxSignalAgeMs: intVar(env, 'EXECUTION_MAX_SIGNAL_AGE_MS', 5_000),
      orderRateTier: tier,
    },
    breaker: {
      ...DEFAULT_BREAKER,
      maxConsecutiveRejects: intVar(env, 'EXECUTION_BREAKER_REJECTS', 5, 1),
      maxErrorsInWindow: intVar(env, 'EXECUTION_BREAKER_ERRORS', 5, 1),
      errorWindowMs: intVar(env, 'EXECUTION_BREAKER_ERROR_WINDOW_MS', 60_000, 1),
      maxDrawdownMicros: dollarsVar(env, 'EXECUTION_BREAKER_DRAWDOWN_DOLLARS', 25_000_000),
      coolDownMs: cooldown,
      maxCoolDownMs: Math.max(cooldown, intVar(env, 'EXECUTION_BREAKER_MAX_COOLDOWN_MS', DEFAULT_BREAKER.maxCoolDownMs, 1)),
    },
    reconcileIntervalMs: intVar(env, 'EXECUTION_RECONCILE_MS', 30_000, 100),
    reconcileGraceMs: intVar(env, 'EXECUTION_RECONCILE_GRACE_MS', 5_000),
    databaseUrl: env.DATABASE_URL || undefined,
    dbDir: env.EXECUTION_DB_DIR || undefined,
    dbSchema: env.EXECUTION_DB_SCHEMA || undefined,
  });
}
