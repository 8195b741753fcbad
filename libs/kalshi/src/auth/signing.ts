/**
 * Kalshi API-key request signing (RSA-PSS / SHA-256), for the REST client, the WebSocket upgrade and the mock
 * exchange's verifier.
 *
 * Rule (docs.kalshi.com/getting_started/quick_start_authenticated_requests, getting_started/api_keys):
 * - headers `KALSHI-ACCESS-KEY` (the key id), `KALSHI-ACCESS-TIMESTAMP` (Unix milliseconds, decimal string) and
 *   `KALSHI-ACCESS-SIGNATURE` = base64(RSA-PSS(SHA-256, MGF1-SHA-256, salt length = digest length = 32 bytes)) of
 *   the UTF-8 string `timestampMs + METHOD + path`;
 * - `path` starts at `/trade-api/...` and carries no query string (`/trade-api/v2/portfolio/orders`, not
 *   `…/orders?limit=5`);
 * - the WebSocket upgrade signs `timestamp + "GET" + "/trade-api/ws/v2"`
 *   (docs.kalshi.com/getting_started/quick_start_websockets).
 *
 * Key material is never logged and never included in an error message.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

/** A Kalshi API key: its id (shown on the API keys page) and the RSA private key PEM downloaded once at creation. */
export interface KalshiCredentials {
  keyId: string;
  privateKeyPem: string;
}

/** Either credentials with a PEM, or a key id with an already-loaded private key (a KeyObject, or a PEM string). */
export type KalshiSigner = KalshiCredentials | { keyId: string; privateKey: crypto.KeyObject | string };

/** The three Kalshi authentication headers. */
export type KalshiAuthHeaders = Record<'KALSHI-ACCESS-KEY' | 'KALSHI-ACCESS-TIMESTAMP' | 'KALSHI-ACCESS-SIGNATURE', string>;

/** Header carrying the API key id (names as Kalshi spells them; HTTP header names are case-insensitive on the wire). */
export const KALSHI_ACCESS_KEY = 'KALSHI-ACCESS-KEY';
/** Header carrying the request time in Unix milliseconds. */
export const KALSHI_ACCESS_TIMESTAMP = 'KALSHI-ACCESS-TIMESTAMP';
/** Header carrying the base64 RSA-PSS signature. */
export const KALSHI_ACCESS_SIGNATURE = 'KALSHI-ACCESS-SIGNATURE';

/** The path signed for the WebSocket upgrade. */
export const KALSHI_WS_SIGNING_PATH = '/trade-api/ws/v2';

/** PSS salt length Kalshi requires: the SHA-256 digest length, 32 bytes. */
export const KALSHI_PSS_SALT_LENGTH = 32;

/**
 * Default accepted clock skew of {@link verifyRequestSignature}: ±5,000 ms between the request's timestamp and the
 * verifier's clock. Kalshi does not publish its window; 5 s is tight enough to make replays of captured headers
 * useless quickly and loose enough for NTP-synced hosts. Override with `opts.maxSkewMs`.
 */
export const DEFAULT_MAX_SKEW_MS = 5_000;

/** Thrown by {@link loadPrivateKey} and {@link signRequest}; the message names the problem, never the key. */
export class KalshiAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KalshiAuthError';
  }
}

/**
 * The path part Kalshi signs: drops the query string and fragment; a full URL is reduced to its pathname.
 * `"/trade-api/v2/markets?limit=5"` → `"/trade-api/v2/markets"`; `"https://demo-api.kalshi.co/trade-api/ws/v2"` → `"/trade-api/ws/v2"`.
 */
export function signingPath(pathWithOptionalQuery: string): string {
  let p = pathWithOptionalQuery;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) {
    try {
      p = new URL(p).pathname;
    } catch {
      /* not a URL after all: fall through */
    }
  }
  const q = p.search(/[?#]/);
  return q === -1 ? p : p.slice(0, q);
}

/** The exact string Kalshi signs: `timestampMs + METHOD + path` (method upper-cased, query dropped). */
export function signingMessage(timestampMs: number | string, method: string, pathWithOptionalQuery: string): string {
  return `${timestampMs}${method.toUpperCase()}${signingPath(pathWithOptionalQuery)}`;
}

const PSS_OPTIONS = { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: KALSHI_PSS_SALT_LENGTH } as const;

// Single-entry cache so that signing with a PEM string does not re-parse the key for every request.
let cachedPem: string | undefined;
let cachedKey: crypto.KeyObject | undefined;

function resolvePrivateKey(signer: KalshiSigner): crypto.KeyObject {
  const material = 'privateKeyPem' in signer ? signer.privateKeyPem : signer.privateKey;
  if (material instanceof crypto.KeyObject) {
    if (material.type !== 'private') throw new KalshiAuthError(`signing key must be a private key, got a ${material.type} key`);
    if (material.asymmetricKeyType !== 'rsa') throw new KalshiAuthError(`signing key must be an RSA key, got ${material.asymmetricKeyType ?? 'unknown'}`);
    return material;
  }
  if (typeof material !== 'string' || material.length === 0) throw new KalshiAuthError('no private key given (expected privateKeyPem or privateKey)');
  if (material === cachedPem && cachedKey) return cachedKey;
  const key = loadPrivateKey(material);
  cachedPem = material;
  cachedKey = key;
  return key;
}

/**
 * Signs one request and returns Kalshi's three auth headers.
 *
 * @param signer `{keyId, privateKeyPem}` or `{keyId, privateKey}` (KeyObject or PEM string).
 * @param method HTTP method, any case (`get` → `GET`).
 * @param pathWithOptionalQuery request path from `/trade-api/...` (query string, fragment or scheme+host are dropped
 *   before signing; see {@link signingPath}). For the WebSocket upgrade pass `/trade-api/ws/v2` (or the ws URL).
 * @param timestampMs Unix milliseconds (default `Date.now()`).
 * @throws KalshiAuthError on an unusable key (message without key material), an empty key id, a bad method or timestamp.
 */
export function signRequest(signer: KalshiSigner, method: string, pathWithOptionalQuery: string, timestampMs: number = Date.now()): KalshiAuthHeaders {
  if (typeof signer?.keyId !== 'string' || signer.keyId.length === 0) throw new KalshiAuthError('keyId must be a non-empty string');
  if (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method)) throw new KalshiAuthError(`invalid HTTP method ${JSON.stringify(method)}`);
  if (!Number.isSafeInteger(timestampMs) || timestampMs < 0) throw new KalshiAuthError(`timestampMs must be a non-negative integer of Unix milliseconds, got ${String(timestampMs)}`);
  const key = resolvePrivateKey(signer);
  const message = signingMessage(timestampMs, method, pathWithOptionalQuery);
  const signature = crypto.sign('sha256', Buffer.from(message, 'utf8'), { key, ...PSS_OPTIONS }).toString('base64');
  return {
    'KALSHI-ACCESS-KEY': signer.keyId,
    'KALSHI-ACCESS-TIMESTAMP': String(timestampMs),
    'KALSHI-ACCESS-SIGNATURE': signature,
  };
}

/** Result of {@link verifyRequestSignature}. */
export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * Verifies a Kalshi-signed request (for the mock exchange). Checks, in order:
 * 1. both headers present and non-empty (`missing KALSHI-ACCESS-TIMESTAMP header` / `missing KALSHI-ACCESS-SIGNATURE header`);
 * 2. the timestamp is a decimal integer of Unix ms (`malformed KALSHI-ACCESS-TIMESTAMP …`);
 * 3. it is within `maxSkewMs` (default {@link DEFAULT_MAX_SKEW_MS} = 5 s) of `nowMs` (default `Date.now()`), in
 *    either direction (`stale timestamp: … ms from server time, outside ±… ms`);
 * 4. the signature is canonical base64 of exactly the key's modulus length (`signature is not valid base64` /
 *    `signature has … bytes, expected …`);
 * 5. RSA-PSS-SHA-256 with MGF1-SHA-256 and a 32-byte salt verifies over `timestamp + METHOD + path-without-query`
 *    (`signature mismatch`). A signature made with another salt length (e.g. PSS max-length) is rejected.
 * A public key that cannot be loaded yields `invalid public key (…)`. Never throws; reasons never contain key material.
 */
export function verifyRequestSignature(
  publicKey: string | crypto.KeyObject,
  headers: { timestampMs?: string | null; signature?: string | null },
  method: string,
  pathWithOptionalQuery: string,
  opts: { nowMs?: number; maxSkewMs?: number } = {},
): VerifyResult {
  const ts = headers?.timestampMs;
  const sig = headers?.signature;
  if (typeof ts !== 'string' || ts.length === 0) return { ok: false, reason: `missing ${KALSHI_ACCESS_TIMESTAMP} header` };
  if (typeof sig !== 'string' || sig.length === 0) return { ok: false, reason: `missing ${KALSHI_ACCESS_SIGNATURE} header` };
  if (!/^\d{1,16}$/.test(ts)) return { ok: false, reason: `malformed ${KALSHI_ACCESS_TIMESTAMP} ${JSON.stringify(ts.slice(0, 32))}: expected Unix milliseconds` };
  const tsMs = Number(ts);
  const nowMs = opts.nowMs ?? Date.now();
  const maxSkew = opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const skew = tsMs - nowMs;
  if (Math.abs(skew) > maxSkew) return { ok: false, reason: `stale timestamp: ${skew} ms from server time, outside ±${maxSkew} ms` };
  if (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method)) return { ok: false, reason: `invalid HTTP method ${JSON.stringify(String(method)).slice(0, 40)}` };

  let key: crypto.KeyObject;
  try {
    key = publicKey instanceof crypto.KeyObject ? (publicKey.type === 'private' ? crypto.createPublicKey(publicKey) : publicKey) : crypto.createPublicKey(publicKey);
  } catch (e) {
    return { ok: false, reason: `invalid public key (${errorCode(e)})` };
  }
  if (key.asymmetricKeyType !== 'rsa') return { ok: false, reason: `invalid public key (not RSA: ${key.asymmetricKeyType ?? 'unknown'})` };

  if (sig.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(sig)) return { ok: false, reason: 'signature is not valid base64' };
  const sigBytes = Buffer.from(sig, 'base64');
  const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 2048) / 8);
  if (sigBytes.length !== modulusBytes) return { ok: false, reason: `signature has ${sigBytes.length} bytes, expected ${modulusBytes}` };

  let good = false;
  try {
    good = crypto.verify('sha256', Buffer.from(signingMessage(ts, method, pathWithOptionalQuery), 'utf8'), { key, ...PSS_OPTIONS }, sigBytes);
  } catch {
    good = false;
  }
  return good ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}

/**
 * Generates an RSA-2048 key pair in the format Kalshi hands out (PKCS#1 `BEGIN RSA PRIVATE KEY` private key)
 * plus the SPKI public key PEM, for tests and the mock exchange.
 */
export function generateKalshiKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicExponent: 0x10001,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

function errorCode(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string') return (e as { code: string }).code;
  return 'unreadable key data';
}

/**
 * Loads an RSA private key from PEM text or from a file path.
 *
 * Accepts PKCS#1 (`BEGIN RSA PRIVATE KEY`, what Kalshi's API keys page downloads) and PKCS#8 (`BEGIN PRIVATE KEY`)
 * PEM, also with literal `\n` escapes (as stored in environment variables). Anything not containing `-----BEGIN`
 * is treated as a file path.
 * @throws KalshiAuthError naming the problem — file not found/unreadable (the path is named), not a PEM private key,
 *   a public key or certificate instead of a private key, an encrypted key, unparsable key data, or a non-RSA key.
 *   The key contents are never part of the message.
 */
export function loadPrivateKey(pemOrPath: string): crypto.KeyObject {
  if (typeof pemOrPath !== 'string' || pemOrPath.trim().length === 0) throw new KalshiAuthError('private key: expected PEM text or a file path, got an empty value');
  let pem = pemOrPath;
  if (!pem.includes('-----BEGIN')) {
    let text: string;
    try {
      text = fs.readFileSync(pem, 'utf8');
    } catch (e) {
      const code = errorCode(e);
      const shown = pem.length > 200 ? `${pem.slice(0, 200)}…` : pem;
      throw new KalshiAuthError(code === 'ENOENT' ? `private key file not found: ${shown}` : `private key file could not be read (${code}): ${shown}`);
    }
    if (!text.includes('-----BEGIN')) throw new KalshiAuthError('private key file does not contain a PEM block ("-----BEGIN … PRIVATE KEY-----")');
    pem = text;
  }
  if (!pem.includes('\n') && pem.includes('\\n')) pem = pem.replace(/\\n/g, '\n');
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1] ?? '';
  if (label === 'PUBLIC KEY' || label === 'RSA PUBLIC KEY') throw new KalshiAuthError('expected a private key PEM, got a public key');
  if (label === 'CERTIFICATE') throw new KalshiAuthError('expected a private key PEM, got a certificate');
  if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(pem)) throw new KalshiAuthError('encrypted private keys are not supported; decrypt the key first');
  if (!label.endsWith('PRIVATE KEY')) throw new KalshiAuthError('not a PEM private key (expected "-----BEGIN RSA PRIVATE KEY-----" or "-----BEGIN PRIVATE KEY-----")');
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey({ key: pem, format: 'pem' });
  } catch (e) {
    throw new KalshiAuthError(`private key could not be parsed (${errorCode(e)}); is the PEM complete and unmodified?`);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new KalshiAuthError(`private key must be RSA (Kalshi keys are RSA), got ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}
