/**
 * Authentication of the WebSocket upgrade (KALSHI_API.md "Authentication"): every connection must be signed over
 * `timestamp + "GET" + "/trade-api/ws/v2"` with a registered key; refusals are HTTP 401 with a reason.
 */
import { generateKalshiKeyPair, signRequest } from '@kalshi-platform/kalshi';
import type { RunningExchange } from '../src/exchange';
import { WS_PATH } from '../src/ws/ws-gateway';
import { RawClient, startQuiet, tryUpgrade } from './harness';

const registered = generateKalshiKeyPair();
const stranger = generateKalshiKeyPair();
const KEY_ID = 'test-key-1';

const reasonOf = (body: string): string => (JSON.parse(body) as { error: { code: string; message: string } }).error.message;

describe('WebSocket upgrade authentication', () => {
  let ex: RunningExchange;

  beforeAll(async () => {
    ex = await startQuiet({ allowUnauthenticated: false, publicKeys: [{ keyId: KEY_ID, publicKeyPem: registered.publicKeyPem }] });
  });
  afterAll(async () => {
    await ex.close();
  });

  it('refuses an unsigned upgrade with HTTP 401 naming the missing headers', async () => {
    const r = await tryUpgrade(ex.wsUrl);
    expect(r.open).toBe(false);
    if (r.open) return;
    expect(r.status).toBe(401);
    const reason = reasonOf(r.body);
    expect(reason).toContain('KALSHI-ACCESS-KEY');
    expect(reason).toContain('KALSHI-ACCESS-SIGNATURE');
  });

  it('refuses a signature made with another key (forged) with 401 signature mismatch', async () => {
    const headers = signRequest({ keyId: KEY_ID, privateKeyPem: stranger.privateKeyPem }, 'GET', WS_PATH);
    const r = await tryUpgrade(ex.wsUrl, headers);
    expect(r).toMatchObject({ open: false, status: 401 });
    if (!r.open) expect(reasonOf(r.body)).toBe('signature mismatch');
  });

  it('refuses a signature over the wrong path', async () => {
    const headers = signRequest({ keyId: KEY_ID, privateKeyPem: registered.privateKeyPem }, 'GET', '/trade-api/v2/markets');
    const r = await tryUpgrade(ex.wsUrl, headers);
    expect(r).toMatchObject({ open: false, status: 401 });
  });

  it('refuses an unknown key id', async () => {
    const headers = signRequest({ keyId: 'who-is-this', privateKeyPem: registered.privateKeyPem }, 'GET', WS_PATH);
    const r = await tryUpgrade(ex.wsUrl, headers);
    expect(r).toMatchObject({ open: false, status: 401 });
    if (!r.open) expect(reasonOf(r.body)).toContain('unknown API key');
  });

  it('refuses a correctly signed but stale timestamp (outside the window)', async () => {
    const headers = signRequest({ keyId: KEY_ID, privateKeyPem: registered.privateKeyPem }, 'GET', WS_PATH, Date.now() - 60_000);
    const r = await tryUpgrade(ex.wsUrl, headers);
    expect(r).toMatchObject({ open: false, status: 401 });
    if (!r.open) expect(reasonOf(r.body)).toMatch(/^stale timestamp/);
  });

  it('accepts a valid signature, and the connection speaks the protocol', async () => {
    const refusedBefore = ex.gateway.stats.refusedUpgrades;
    const c = await RawClient.connect(ex.wsUrl, signRequest({ keyId: KEY_ID, privateKeyPem: registered.privateKeyPem }, 'GET', WS_PATH));
    const id = c.send({ cmd: 'list_subscriptions' });
    const reply = await c.reply(id);
    expect(reply).toEqual({ id, type: 'ok', msg: [] });
    c.close();
    expect(ex.gateway.stats.refusedUpgrades).toBe(refusedBefore);
  });

  it('counts refusals and keeps accepting good clients afterwards', async () => {
    expect(ex.gateway.stats.refusedUpgrades).toBeGreaterThanOrEqual(5);
    const r = await tryUpgrade(ex.wsUrl, signRequest({ keyId: KEY_ID, privateKeyPem: registered.privateKeyPem }, 'GET', WS_PATH));
    expect(r.open).toBe(true);
  });

  it('answers 404 for another path', async () => {
    const r = await tryUpgrade(ex.wsUrl.replace(WS_PATH, '/trade-api/ws/v1'), signRequest({ keyId: KEY_ID, privateKeyPem: registered.privateKeyPem }, 'GET', WS_PATH));
    expect(r).toMatchObject({ open: false, status: 404 });
  });
});

describe('allowUnauthenticated', () => {
  it('accepts an unsigned client', async () => {
    const ex = await startQuiet({ allowUnauthenticated: true });
    try {
      const r = await tryUpgrade(ex.wsUrl);
      expect(r.open).toBe(true);
      expect(ex.gateway.stats.connections).toBe(1);
      expect(ex.gateway.stats.refusedUpgrades).toBe(0);
    } finally {
      await ex.close();
    }
  });

  it('is off by default: an exchange started without it refuses unsigned clients', async () => {
    const ex = await startQuiet({ allowUnauthenticated: undefined });
    try {
      const r = await tryUpgrade(ex.wsUrl);
      expect(r).toMatchObject({ open: false, status: 401 });
    } finally {
      await ex.close();
    }
  });
});
