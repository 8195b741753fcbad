import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DEFAULT_MAX_SKEW_MS,
  generateKalshiKeyPair,
  KalshiAuthError,
  loadPrivateKey,
  signingMessage,
  signingPath,
  signRequest,
  verifyRequestSignature,
} from '../index';

const { privateKeyPem, publicKeyPem } = generateKalshiKeyPair();
const creds = { keyId: 'a952bcbe-ec3b-4b5b-b8f9-11dae589608c', privateKeyPem };
const T = 1_782_873_105_308;

function verify(h: Record<string, string>, method: string, p: string, opts: { nowMs?: number; maxSkewMs?: number } = { nowMs: T }) {
  return verifyRequestSignature(publicKeyPem, { timestampMs: h['KALSHI-ACCESS-TIMESTAMP'], signature: h['KALSHI-ACCESS-SIGNATURE'] }, method, p, opts);
}

/** Chunks of the PEM body: none of them may ever appear in an error message. */
function keyChunks(pem: string): string[] {
  const body = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const out: string[] = [];
  for (let i = 0; i + 16 <= body.length; i += 16) out.push(body.slice(i, i + 16));
  return out;
}

describe('signRequest / verifyRequestSignature', () => {
  it('produces the three Kalshi headers and round-trips', () => {
    const h = signRequest(creds, 'GET', '/trade-api/v2/portfolio/balance', T);
    expect(Object.keys(h).sort()).toEqual(['KALSHI-ACCESS-KEY', 'KALSHI-ACCESS-SIGNATURE', 'KALSHI-ACCESS-TIMESTAMP']);
    expect(h['KALSHI-ACCESS-KEY']).toBe(creds.keyId);
    expect(h['KALSHI-ACCESS-TIMESTAMP']).toBe('1782873105308');
    expect(Buffer.from(h['KALSHI-ACCESS-SIGNATURE'], 'base64')).toHaveLength(256);
    expect(verify(h, 'GET', '/trade-api/v2/portfolio/balance')).toEqual({ ok: true });
  });

  it('is RSA-PSS / SHA-256 / MGF1-SHA-256 with a 32-byte salt over timestamp+METHOD+path (checked with node:crypto directly)', () => {
    const h = signRequest(creds, 'post', '/trade-api/v2/portfolio/orders?x=1', T);
    const msg = Buffer.from(`${T}POST/trade-api/v2/portfolio/orders`);
    const sig = Buffer.from(h['KALSHI-ACCESS-SIGNATURE'], 'base64');
    expect(crypto.verify('sha256', msg, { key: publicKeyPem, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST }, sig)).toBe(true);
    expect(crypto.verify('sha256', msg, { key: publicKeyPem, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig)).toBe(true);
    expect(crypto.verify('sha256', msg, { key: publicKeyPem, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }, sig)).toBe(false);
    // randomized: two signatures of the same message differ, both verify
    const h2 = signRequest(creds, 'post', '/trade-api/v2/portfolio/orders', T);
    expect(h2['KALSHI-ACCESS-SIGNATURE']).not.toBe(h['KALSHI-ACCESS-SIGNATURE']);
    expect(verify(h2, 'POST', '/trade-api/v2/portfolio/orders')).toEqual({ ok: true });
  });

  it('rejects a tampered path, method or timestamp', () => {
    const h = signRequest(creds, 'GET', '/trade-api/v2/portfolio/balance', T);
    expect(verify(h, 'GET', '/trade-api/v2/portfolio/positions')).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(verify(h, 'POST', '/trade-api/v2/portfolio/balance')).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(verify({ ...h, 'KALSHI-ACCESS-TIMESTAMP': String(T + 1) }, 'GET', '/trade-api/v2/portfolio/balance')).toEqual({ ok: false, reason: 'signature mismatch' });
    const other = generateKalshiKeyPair();
    expect(verifyRequestSignature(other.publicKeyPem, { timestampMs: h['KALSHI-ACCESS-TIMESTAMP'], signature: h['KALSHI-ACCESS-SIGNATURE'] }, 'GET', '/trade-api/v2/portfolio/balance', { nowMs: T })).toEqual({ ok: false, reason: 'signature mismatch' });
    const flipped = Buffer.from(h['KALSHI-ACCESS-SIGNATURE'], 'base64');
    flipped[100] ^= 1;
    expect(verify({ ...h, 'KALSHI-ACCESS-SIGNATURE': flipped.toString('base64') }, 'GET', '/trade-api/v2/portfolio/balance')).toEqual({ ok: false, reason: 'signature mismatch' });
  });

  it('ignores the query string (and fragment, scheme, host) on both sides; method case does not matter', () => {
    const h = signRequest(creds, 'get', '/trade-api/v2/markets?limit=5&cursor=abc', T);
    expect(verify(h, 'GET', '/trade-api/v2/markets')).toEqual({ ok: true });
    expect(verify(h, 'get', '/trade-api/v2/markets?status=open')).toEqual({ ok: true });
    expect(verify(h, 'GET', 'https://demo-api.kalshi.co/trade-api/v2/markets?limit=1#x')).toEqual({ ok: true });
    expect(signingPath('/trade-api/v2/markets?limit=5')).toBe('/trade-api/v2/markets');
    expect(signingPath('wss://demo-api.kalshi.co/trade-api/ws/v2')).toBe('/trade-api/ws/v2');
    expect(signingMessage(T, 'get', '/trade-api/v2/markets?limit=5')).toBe('1782873105308GET/trade-api/v2/markets');
  });

  it('signs the WebSocket upgrade over timestamp + "GET" + "/trade-api/ws/v2"', () => {
    const h = signRequest(creds, 'GET', 'wss://external-api-ws.kalshi.com/trade-api/ws/v2', T);
    const sig = Buffer.from(h['KALSHI-ACCESS-SIGNATURE'], 'base64');
    expect(crypto.verify('sha256', Buffer.from(`${T}GET/trade-api/ws/v2`), { key: publicKeyPem, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig)).toBe(true);
  });

  it(`refuses stale or future timestamps outside ±${DEFAULT_MAX_SKEW_MS} ms`, () => {
    const h = signRequest(creds, 'GET', '/trade-api/v2/portfolio/balance', T);
    expect(verify(h, 'GET', '/trade-api/v2/portfolio/balance', { nowMs: T + 5_000 })).toEqual({ ok: true });
    const stale = verify(h, 'GET', '/trade-api/v2/portfolio/balance', { nowMs: T + 5_001 });
    expect(stale).toEqual({ ok: false, reason: 'stale timestamp: -5001 ms from server time, outside ±5000 ms' });
    expect(verify(h, 'GET', '/trade-api/v2/portfolio/balance', { nowMs: T - 60_000 })).toMatchObject({ ok: false, reason: expect.stringMatching(/^stale timestamp: 60000 ms/) });
    expect(verify(h, 'GET', '/trade-api/v2/portfolio/balance', { nowMs: T + 20_000, maxSkewMs: 30_000 })).toEqual({ ok: true });
    // default clock: a signature from an hour ago is refused
    const old = signRequest(creds, 'GET', '/trade-api/v2/portfolio/balance', Date.now() - 3_600_000);
    expect(verify(old, 'GET', '/trade-api/v2/portfolio/balance', {})).toMatchObject({ ok: false, reason: expect.stringContaining('stale timestamp') });
    expect(verify(signRequest(creds, 'GET', '/trade-api/v2/x'), 'GET', '/trade-api/v2/x', {})).toEqual({ ok: true });
  });

  it('names missing headers, malformed timestamps and bad base64', () => {
    const h = signRequest(creds, 'GET', '/trade-api/v2/portfolio/balance', T);
    const p = '/trade-api/v2/portfolio/balance';
    expect(verifyRequestSignature(publicKeyPem, { signature: h['KALSHI-ACCESS-SIGNATURE'] }, 'GET', p, { nowMs: T })).toEqual({ ok: false, reason: 'missing KALSHI-ACCESS-TIMESTAMP header' });
    expect(verifyRequestSignature(publicKeyPem, { timestampMs: String(T), signature: '' }, 'GET', p, { nowMs: T })).toEqual({ ok: false, reason: 'missing KALSHI-ACCESS-SIGNATURE header' });
    expect(verifyRequestSignature(publicKeyPem, { timestampMs: '1782873105.308', signature: 'AAAA' }, 'GET', p, { nowMs: T })).toMatchObject({ ok: false, reason: expect.stringContaining('malformed KALSHI-ACCESS-TIMESTAMP') });
    expect(verifyRequestSignature(publicKeyPem, { timestampMs: String(T), signature: 'not base64!' }, 'GET', p, { nowMs: T })).toEqual({ ok: false, reason: 'signature is not valid base64' });
    expect(verifyRequestSignature(publicKeyPem, { timestampMs: String(T), signature: 'AAAA' }, 'GET', p, { nowMs: T })).toEqual({ ok: false, reason: 'signature has 3 bytes, expected 256' });
    expect(verifyRequestSignature('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----', { timestampMs: String(T), signature: h['KALSHI-ACCESS-SIGNATURE'] }, 'GET', p, { nowMs: T })).toMatchObject({ ok: false, reason: expect.stringMatching(/^invalid public key/) });
  });

  it('accepts KeyObjects and PEM strings as the signer key, and refuses bad inputs', () => {
    const key = loadPrivateKey(privateKeyPem);
    const h = signRequest({ keyId: 'k', privateKey: key }, 'GET', '/trade-api/v2/x', T);
    expect(verify(h, 'GET', '/trade-api/v2/x')).toEqual({ ok: true });
    expect(verify(signRequest({ keyId: 'k', privateKey: privateKeyPem }, 'GET', '/trade-api/v2/x', T), 'GET', '/trade-api/v2/x')).toEqual({ ok: true });
    expect(verifyRequestSignature(crypto.createPublicKey(publicKeyPem), { timestampMs: h['KALSHI-ACCESS-TIMESTAMP'], signature: h['KALSHI-ACCESS-SIGNATURE'] }, 'GET', '/trade-api/v2/x', { nowMs: T })).toEqual({ ok: true });
    expect(() => signRequest({ keyId: '', privateKeyPem }, 'GET', '/x', T)).toThrow(KalshiAuthError);
    expect(() => signRequest(creds, 'GET /x', '/x', T)).toThrow(/invalid HTTP method/);
    expect(() => signRequest(creds, 'GET', '/x', 1.5)).toThrow(/timestampMs/);
    expect(() => signRequest({ keyId: 'k', privateKey: crypto.createPublicKey(publicKeyPem) }, 'GET', '/x', T)).toThrow(/must be a private key/);
  });
});

describe('known-good vectors', () => {
  // No Kalshi-published (public key, signature) pair was found in Kalshi's docs or starter code. These vectors were
  // produced with Python `cryptography` 48 using exactly the parameters of Kalshi's official Python sample
  // (getting_started/quick_start_authenticated_requests): padding.PSS(mgf=MGF1(SHA256()), salt_length=PSS.DIGEST_LENGTH),
  // hashes.SHA256(), base64 — an independent implementation (OpenSSL via pyca) from node:crypto. PSS is randomized, so
  // these are verify-only. Only the public key is stored here; the private key was discarded.
  const PUB = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzpZgSbcIPF8QoLAUbSua
CPWmpf46iIRw28vW8CoFaQ+0V9pYMLeKWXz0Bjv4QW6HVpn7EJ8vzYa91ZSqW7SX
s5qj0KD6GZNMEBc4rAeatVSxJhDTtOPm6oZ9DAx0myTpD9Y/Rf41WS0HyrDfDGHw
AlAFdiDc8IgJsz+UQh++wPX0RWwmIDGU38Cak52mOO6DbDv6VFlo0GRnbsf+BC2F
pPOI7/BKx3DU7w2rcsJa7pCV4RnEbDlKBmTU8cMQtdHbPWa5W0qK31R6ZZvZ3mAY
JuF8/xDiYEUBgjVJmERYMl0qPhgTKFjUUvvc7DSPD63qeFFItbbW/RjGzUsuHxKU
VwIDAQAB
-----END PUBLIC KEY-----
`;
  const VECTORS: [string, string, string, string][] = [
    [
      '1703123456789',
      'GET',
      '/trade-api/v2/portfolio/balance',
      'J50k4eNxmlyOFXhxS+k/YYtTlW4yafnGp9pGD1orxuMVBat+iVGtTbOpEIV3HnOQSucdSP6ZTBH4uJ0mTCSLW724ZDIHZ6Go9pAVULuk6gWdNvHrscWcbPsSNDiKeimRq7BxB+8IIw+i4JQqd1TNoQFwk5U1uOSXvLhx0vb4FkNBztuRVLbGC7Ljn/ya1noTG3tXJfq6spP+ttIKCkMO2p1Qt+/kx48tITphE+tuSZ/cbSkMfZ7mx+CK7Hd2ZlEhR97SOD02nOpxFKL6U7h7P8tirTkkDyBQY+nVBa0NZyohF09VKPqVtqARrVGdUvlDNMhmHvtJAMq+lVQP3yOh8g==',
    ],
    [
      '1782873105308',
      'POST',
      '/trade-api/v2/portfolio/orders',
      'TuG+tnUDo2TtAHkLsaCGIc1FCqITdHfT597Om3nbm3RGABaelhoea28aOp5BHrx92hraudp66o1MkYLPMZcWyT7qKFcSpVlOcW01Z4atP6tELs/iLBtMAeH9WBBbPWpGveLbfGgpMj2O27Srtmg7WW9Pu9jVupKvms1rinX+FXC/mjfxuJaYWKMj76Vmm0lz8KNLxWivLZNESFUdTXVVkrHUqeZLEU/YQQcbBqKpmv82EOIGKyGHsL4HMVLa4q8pJpba7ETgp/TSIMFmUl/0B31vT3StCQTku3SWtr0t48BXdLuD5JjxTR6uO69/hB3fY7qUaV+xP4j00PEuVXqX7A==',
    ],
    [
      '1782873105308',
      'GET',
      '/trade-api/ws/v2',
      'dqztwU8pvste8grgnl/8jZrsUubciZT1kwavP/CMmTAW66rMGDlBas8k68vc27d3waV0e3nwYdr8Uu6EPGroBP6doeLVYk1IUzBprj/e8WNfOnLNf6axKWIFPTu9s3mJxOxzLDsymivlgVxnuqfuv1O1GSmagLts6uGCIP2/+7Av65lwTA/8EucNTvcP03iuGtEX29xCtKE8w84m0ip5GUREas/FCFIAcmQstTf+Gw7E/g28vmiJ8WIeRqxI2cebHNDMmlRv8E26JUP6amrN/oIdyTXMLzt5IpEYYDTLHTZZZUKsY0bqfqhGj8fVzcLvazv0/3lSVcOs+ZuRGeulbg==',
    ],
  ];
  // Same key and message as VECTORS[0] but signed with PSS.MAX_LENGTH salt (222 bytes): not what Kalshi specifies.
  const MAX_SALT_SIG =
    'kvTda70nKnZ+fuWg7LD4/5ujux8aVmMSS4q4v2kYwVNTUlpB6yQeEAaRqR8hfsBrUUtS8u8TPFOkMS3ym9Mhmu9v44C9Up7RHxJyZEeV5fsWNDt7zTpyBX+srCSxhCJbfL+AjMrVBQOqnFMzNZYLKhDECWeb0E9SQ64QJUnoL4YYfM+tUAHSCPy7mQypMnpOMkJXeblPUCtWgjvIFH19BuCpDtZSZji30MiM2S+RQkHtn2drP1ajmddLliMP6fkcnpzln2Or4dqWUXGwC5fLicmcFivZoD6S9TxhlS4CpBy8TzA4NcvrEYE25VyyUANHipbR5lkXJkYeANhuXr791Q==';

  it.each(VECTORS)('verifies %s %s %s', (ts, method, p, sig) => {
    expect(verifyRequestSignature(PUB, { timestampMs: ts, signature: sig }, method, p, { nowMs: Number(ts) })).toEqual({ ok: true });
    expect(verifyRequestSignature(PUB, { timestampMs: ts, signature: sig }, method, `${p}/x`, { nowMs: Number(ts) })).toEqual({ ok: false, reason: 'signature mismatch' });
  });

  it('rejects a valid PSS signature made with the wrong (max-length) salt', () => {
    const [ts, method, p] = VECTORS[0];
    expect(crypto.verify('sha256', Buffer.from(ts + method + p), { key: PUB, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_AUTO }, Buffer.from(MAX_SALT_SIG, 'base64'))).toBe(true);
    expect(verifyRequestSignature(PUB, { timestampMs: ts, signature: MAX_SALT_SIG }, method, p, { nowMs: Number(ts) })).toEqual({ ok: false, reason: 'signature mismatch' });
  });
});

describe('loadPrivateKey', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kalshi-auth-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('loads PKCS#1 and PKCS#8 PEM, escaped newlines and files', () => {
    expect(loadPrivateKey(privateKeyPem).asymmetricKeyType).toBe('rsa');
    const pkcs8 = crypto.createPrivateKey(privateKeyPem).export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(pkcs8).toContain('BEGIN PRIVATE KEY');
    expect(loadPrivateKey(pkcs8).asymmetricKeyType).toBe('rsa');
    expect(loadPrivateKey(privateKeyPem.replace(/\n/g, '\\n')).asymmetricKeyType).toBe('rsa');
    const file = path.join(tmp, 'kalshi.key');
    fs.writeFileSync(file, privateKeyPem, { mode: 0o600 });
    const h = signRequest({ keyId: 'k', privateKey: loadPrivateKey(file) }, 'GET', '/trade-api/v2/x', T);
    expect(verify(h, 'GET', '/trade-api/v2/x')).toEqual({ ok: true });
  });

  it('names the problem and never echoes key material', () => {
    const cases: [string, RegExp][] = [
      [path.join(tmp, 'missing.pem'), /^private key file not found: .*missing\.pem$/],
      [publicKeyPem, /got a public key/],
      [privateKeyPem.replace(/[A-Za-z]{8}/, 'AAAAAAAA'), /could not be parsed/],
      [privateKeyPem.slice(0, 300), /could not be parsed/],
      ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', /got a certificate/],
      [crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, /must be RSA.*got ec/],
      [crypto.createPrivateKey(privateKeyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string, /encrypted private keys are not supported/],
      ['', /empty value/],
    ];
    for (const [input, re] of cases) {
      let message = '';
      try {
        loadPrivateKey(input);
      } catch (e) {
        expect(e).toBeInstanceOf(KalshiAuthError);
        message = (e as Error).message;
      }
      expect(message).toMatch(re);
      for (const chunk of keyChunks(privateKeyPem)) expect(message).not.toContain(chunk);
      if (input.includes('-----BEGIN')) for (const chunk of keyChunks(input)) expect(message).not.toContain(chunk);
    }
    const file = path.join(tmp, 'not-a-key.txt');
    fs.writeFileSync(file, 'hello');
    expect(() => loadPrivateKey(file)).toThrow(/does not contain a PEM block/);
  });

  it('signRequest errors on a bad key do not contain the key', () => {
    const broken = privateKeyPem.slice(0, 400);
    let message = '';
    try {
      signRequest({ keyId: 'k', privateKeyPem: broken }, 'GET', '/x', T);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/could not be parsed/);
    for (const chunk of keyChunks(broken)) expect(message).not.toContain(chunk);
  });
});
