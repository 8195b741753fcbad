import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKalshiKeyPair } from '@kalshi-platform/kalshi';
import { ExecutionConfigError, executionConfigFromEnv, isProductionKalshiHost } from './execution.config';

describe('execution config', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'exec-config-'));
    writeFileSync(join(dir, 'key.pem'), generateKalshiKeyPair().privateKeyPem);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    env = { KALSHI_REST_URL: 'http://127.0.0.1:8080/trade-api/v2', KALSHI_WS_URL: 'ws://127.0.0.1:8080/trade-api/ws/v2', KALSHI_API_KEY_ID: 'k1', KALSHI_PRIVATE_KEY_PATH: join(dir, 'key.pem') };
  });

  it('defaults to paper mode, REST, sportsbook_edge, and the documented limits in exact units', () => {
    const c = executionConfigFromEnv(env);
    expect(c).toMatchObject({ mode: 'paper', route: 'rest', kinds: ['sportsbook_edge'], timeInForce: 'gtc', reconcileIntervalMs: 30_000, reconcileGraceMs: 5_000 });
    expect(c.limits).toEqual({ maxPositionCentisPerMarket: 10_000, maxPositionCentisPerEvent: 20_000, maxOpenOrders: 20, maxOrderNotionalMicros: 100_000_000, maxDailyLossMicros: 50_000_000, priceCollarTicks: 500, maxSignalAgeMs: 5_000, orderRateTier: 'basic' });
    expect(c.credentials.keyId).toBe('k1');
    expect(c.credentials.privateKeyPem).toContain('PRIVATE KEY');
  });

  it('parses dollar amounts exactly (no floats) and refuses malformed ones naming the variable', () => {
    const c = executionConfigFromEnv({ ...env, EXECUTION_MAX_DAILY_LOSS_DOLLARS: '12.3456', EXECUTION_PRICE_COLLAR_DOLLARS: '0.0301', EXECUTION_MAX_POSITION_CONTRACTS: '7' });
    expect(c.limits.maxDailyLossMicros).toBe(12_345_600);
    expect(c.limits.priceCollarTicks).toBe(301);
    expect(c.limits.maxPositionCentisPerMarket).toBe(700);
    expect(() => executionConfigFromEnv({ ...env, EXECUTION_MAX_DAILY_LOSS_DOLLARS: '1e3' })).toThrow(/EXECUTION_MAX_DAILY_LOSS_DOLLARS/);
    expect(() => executionConfigFromEnv({ ...env, EXECUTION_MAX_OPEN_ORDERS: '-1' })).toThrow(/EXECUTION_MAX_OPEN_ORDERS/);
    expect(() => executionConfigFromEnv({ ...env, EXECUTION_RATE_TIER: 'gold' })).toThrow(/EXECUTION_RATE_TIER/);
    expect(() => executionConfigFromEnv({ ...env, EXECUTION_MODE: 'yolo' })).toThrow(/EXECUTION_MODE/);
  });

  it('paper mode refuses Kalshi production URLs; live mode must be asked for', () => {
    const prod = { ...env, KALSHI_REST_URL: 'https://external-api.kalshi.com/trade-api/v2', KALSHI_WS_URL: 'wss://external-api-ws.kalshi.com/trade-api/ws/v2' };
    expect(() => executionConfigFromEnv(prod)).toThrow(/production API but EXECUTION_MODE is paper/);
    expect(executionConfigFromEnv({ ...prod, EXECUTION_MODE: 'live' }).mode).toBe('live');
    expect(executionConfigFromEnv({ ...env, KALSHI_REST_URL: 'https://demo-api.kalshi.co/trade-api/v2' }).mode).toBe('paper');
    expect(isProductionKalshiHost('https://api.elections.kalshi.com/trade-api/v2')).toBe(true);
    expect(isProductionKalshiHost('https://demo-api.kalshi.co/trade-api/v2')).toBe(false);
    expect(isProductionKalshiHost('http://127.0.0.1:8080')).toBe(false);
  });

  it('names what is missing, and never puts the key in a message', () => {
    expect(() => executionConfigFromEnv({ ...env, KALSHI_REST_URL: '' })).toThrow(/KALSHI_REST_URL is required/);
    expect(() => executionConfigFromEnv({ KALSHI_REST_URL: env.KALSHI_REST_URL, KALSHI_WS_URL: env.KALSHI_WS_URL })).toThrow(/credentials are required/);
    expect(() => executionConfigFromEnv({ ...env, KALSHI_PRIVATE_KEY_PATH: join(dir, 'nope.pem') })).toThrow(/KALSHI_PRIVATE_KEY_PATH .*nope\.pem: ENOENT/);
    expect(() => executionConfigFromEnv({ ...env, EXECUTION_ROUTE: 'fix' })).toThrow(/KALSHI_FIX_HOST/);
    let err: unknown;
    try {
      executionConfigFromEnv({ ...env, KALSHI_API_KEY_ID: '', KALSHI_PRIVATE_KEY_PATH: '', KALSHI_PRIVATE_KEY_PEM: 'secret-material' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExecutionConfigError);
    expect((err as Error).message).toMatch(/KALSHI_API_KEY_ID is required/);
    expect((err as Error).message).not.toContain('secret-material');
  });
});
