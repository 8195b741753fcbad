/**
 * API keys known to the mock exchange: key id -> RSA public key. Requests and WebSocket upgrades are
 * verified against it with Kalshi's RSA-PSS scheme (docs.kalshi.com,
 * getting_started/quick_start_authenticated_requests). Private keys are never stored here.
 */
import { createPublicKey, KeyObject, randomUUID } from 'node:crypto';
import { verifyRequestSignature } from '@kalshi-platform/kalshi';

export type AuthResult = { ok: true; keyId: string } | { ok: false; status: number; reason: string };

/** See the module docstring. */
export class KeyRegistry {
  private readonly keys = new Map<string, KeyObject>();

  /** Registers a public key (PEM); returns its key id (a new UUID unless given). */
  add(publicKeyPem: string, keyId: string = randomUUID()): string {
    this.keys.set(keyId, createPublicKey(publicKeyPem));
    return keyId;
  }

  get size(): number {
    return this.keys.size;
  }

  /**
   * Verifies Kalshi's three auth headers for `method` + `path` (query ignored).
   * Returns 401 with a reason naming the problem (missing header, unknown key, stale timestamp, bad signature).
   */
  verify(headers: Record<string, string | string[] | undefined>, method: string, path: string, nowMs = Date.now()): AuthResult {
    const h = (name: string) => {
      const v = headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    };
    const keyId = h('KALSHI-ACCESS-KEY');
    const ts = h('KALSHI-ACCESS-TIMESTAMP');
    const sig = h('KALSHI-ACCESS-SIGNATURE');
    if (!keyId || !ts || !sig) {
      const missing = [!keyId && 'KALSHI-ACCESS-KEY', !ts && 'KALSHI-ACCESS-TIMESTAMP', !sig && 'KALSHI-ACCESS-SIGNATURE'].filter(Boolean).join(', ');
      return { ok: false, status: 401, reason: `missing authentication header(s): ${missing}` };
    }
    const key = this.keys.get(keyId);
    if (!key) return { ok: false, status: 401, reason: 'unknown API key id' };
    const r = verifyRequestSignature(key, { timestampMs: ts, signature: sig }, method, path, { nowMs });
    return r.ok ? { ok: true, keyId } : { ok: false, status: 401, reason: r.reason };
  }
}
