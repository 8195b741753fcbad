import { HealthConfigError, healthPortFromEnv, msFromEnv } from './index';

describe('healthPortFromEnv', () => {
  it('unset or empty -> undefined (no server)', () => {
    expect(healthPortFromEnv({})).toBeUndefined();
    expect(healthPortFromEnv({ HEALTH_PORT: '' })).toBeUndefined();
    expect(healthPortFromEnv({ HEALTH_PORT: '  ' })).toBeUndefined();
  });

  it('an integer 0..65535', () => {
    expect(healthPortFromEnv({ HEALTH_PORT: '0' })).toBe(0);
    expect(healthPortFromEnv({ HEALTH_PORT: '8081' })).toBe(8081);
    expect(healthPortFromEnv({ HEALTH_PORT: ' 9000 ' })).toBe(9000);
    expect(healthPortFromEnv({ HEALTH_PORT: '65535' })).toBe(65535);
  });

  it.each(['65536', '-1', '80.5', 'http', '8080x', '1e3', '0x50', '100000'])('%s -> an error naming HEALTH_PORT', (v) => {
    expect(() => healthPortFromEnv({ HEALTH_PORT: v })).toThrow(HealthConfigError);
    expect(() => healthPortFromEnv({ HEALTH_PORT: v })).toThrow(`HEALTH_PORT must be an integer port 0..65535 (0 = any free port), got ${JSON.stringify(v)}`);
  });

  it('reads process.env by default', () => {
    const saved = process.env.HEALTH_PORT;
    try {
      process.env.HEALTH_PORT = '1234';
      expect(healthPortFromEnv()).toBe(1234);
      delete process.env.HEALTH_PORT;
      expect(healthPortFromEnv()).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.HEALTH_PORT;
      else process.env.HEALTH_PORT = saved;
    }
  });
});

describe('msFromEnv', () => {
  it('a positive integer, else the default; anything else names the variable', () => {
    expect(msFromEnv('HEALTH_FEED_MAX_AGE_MS', 60_000, {})).toBe(60_000);
    expect(msFromEnv('HEALTH_FEED_MAX_AGE_MS', 60_000, { HEALTH_FEED_MAX_AGE_MS: '' })).toBe(60_000);
    expect(msFromEnv('HEALTH_FEED_MAX_AGE_MS', 60_000, { HEALTH_FEED_MAX_AGE_MS: '1500' })).toBe(1500);
    for (const v of ['0', '-5', '1.5', 'soon']) expect(() => msFromEnv('HEALTH_FEED_MAX_AGE_MS', 60_000, { HEALTH_FEED_MAX_AGE_MS: v })).toThrow(/^HEALTH_FEED_MAX_AGE_MS must be a positive integer/);
  });
});
