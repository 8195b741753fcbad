import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ingestionConfigFromEnv } from './ingestion.config';

describe('ingestion configuration', () => {
  const base = { KALSHI_REST_URL: 'http://127.0.0.1:8080/trade-api/v2', KALSHI_WS_URL: 'ws://127.0.0.1:8080/trade-api/ws/v2' };

  it('reads URLs, tickers and partitions', () => {
    const c = ingestionConfigFromEnv({ ...base, INGEST_MARKET_TICKERS: 'A, B,,C', PARTITION_COUNT: '16' });
    expect(c).toMatchObject({ ...{ restUrl: base.KALSHI_REST_URL, wsUrl: base.KALSHI_WS_URL }, marketTickers: ['A', 'B', 'C'], partitionCount: 16, credentials: undefined });
  });

  it('names a missing or malformed variable', () => {
    expect(() => ingestionConfigFromEnv({ KALSHI_WS_URL: 'ws://x' })).toThrow(/KALSHI_REST_URL is required/);
    expect(() => ingestionConfigFromEnv({ ...base, PARTITION_COUNT: '0' })).toThrow(/PARTITION_COUNT must be a positive integer/);
    expect(() => ingestionConfigFromEnv({ ...base, KALSHI_API_KEY_ID: 'k' })).toThrow(/KALSHI_PRIVATE_KEY_PATH or KALSHI_PRIVATE_KEY_PEM is required/);
  });

  it('loads credentials from a file without ever echoing the key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-cfg-'));
    const good = join(dir, 'creds.json');
    writeFileSync(good, JSON.stringify({ key_id: 'abc', private_key_pem: '-----BEGIN PRIVATE KEY-----\nSECRETSECRET\n-----END PRIVATE KEY-----\n' }));
    expect(ingestionConfigFromEnv({ ...base, KALSHI_CREDENTIALS_FILE: good }).credentials?.keyId).toBe('abc');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ key_id: 'abc', private_key_pem: 5, note: 'SECRETSECRET' }));
    let message = '';
    try {
      ingestionConfigFromEnv({ ...base, KALSHI_CREDENTIALS_FILE: bad });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/needs string fields key_id and private_key_pem/);
    expect(message).not.toContain('SECRET');
    expect(() => ingestionConfigFromEnv({ ...base, KALSHI_API_KEY_ID: 'k', KALSHI_PRIVATE_KEY_PATH: join(dir, 'missing.pem') })).toThrow(/KALSHI_PRIVATE_KEY_PATH .*ENOENT/);
  });
});
