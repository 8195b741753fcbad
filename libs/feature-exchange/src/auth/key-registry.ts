/**
 * API keys known to the mock exchange: key id -> RSA public key and the account it trades for. Requests,
 * WebSocket upgrades and FIX logons are verified against it with Kalshi's RSA-PSS scheme (docs.kalshi.com,
 * getting_started/quick_start_authenticated_requests). Private keys are never stored here.
 *
 * Replay protection: a signature is accepted once. RSA-PSS signatures carry a random salt, so an honest client never
 * sends the same one twice; a captured request replayed within the ±5 s timestamp window is refused as a replay, and
 * after the window as stale.
 */
import { createPublicKey, KeyObject, randomUUID } from 'node:crypto';
import { DEFAULT_MAX_SKEW_MS, verifyRequestSignature } from '@kalshi-platform/kalshi';

export type AuthResult = { ok: true; keyId: string; accountId: string } | { ok: false; status: number; reason: string };

/** One registered key. */
export interface RegisteredKey {
  keyId: string;
  accountId: string;
  name: string;
  publicKeyPem: string;
  publicKey: KeyObject;
  createdTsMs: number;
  scopes: string[];
}

/** The first value of a header (repeated headers arrive as an array). */
const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Account of keys registered without one (replay mode, `publicKeys` of the config). */
export const DEFAULT_ACCOUNT = 'demo';

/** See the module docstring. */
export class KeyRegistry {
  private readonly keys = new Map<string, RegisteredKey>();
  /** signature -> time after which it can no longer be replayed (it is stale by then) */
  private readonly seen = new Map<string, number>();
  private lastPruneMs = 0;

  constructor(private readonly maxSkewMs = DEFAULT_MAX_SKEW_MS) {}

  /**
   * Registers a public key (PEM) for an account; returns its key id (a new UUID unless given).
   * @throws Error (from node:crypto) when the PEM is not a public key.
   */
  add(publicKeyPem: string, keyId: string = randomUUID(), accountId = DEFAULT_ACCOUNT, meta: { name?: string; createdTsMs?: number; scopes?: string[] } = {}): string {
    const publicKey = createPublicKey(publicKeyPem);
    if (publicKey.asymmetricKeyType !== 'rsa') throw new Error(`API key must be an RSA public key, got ${publicKey.asymmetricKeyType}`);
    this.keys.set(keyId, { keyId, accountId, name: meta.name ?? '', publicKeyPem, publicKey, createdTsMs: meta.createdTsMs ?? Date.now(), scopes: meta.scopes ?? ['read', 'write'] });
    return keyId;
  }

  remove(keyId: string): boolean {
    return this.keys.delete(keyId);
  }

  get(keyId: string): RegisteredKey | undefined {
    return this.keys.get(keyId);
  }

  /** Keys of an account (every key when `accountId` is omitted). */
  list(accountId?: string): RegisteredKey[] {
    return [...this.keys.values()].filter((k) => accountId === undefined || k.accountId === accountId);
  }

  get size(): number {
    return this.keys.size;
  }

  /**
   * Verifies Kalshi's three auth headers for `method` + `path` (query ignored), and that the signature was not used
   * before. Returns 401 with a reason naming the problem (missing header, unknown key, stale timestamp, bad
   * signature, replayed signature).
   */
  verify(headers: Record<string, string | string[] | undefined>, method: string, path: string, nowMs = Date.now()): AuthResult {
    // Node's header names are lower case
    const keyId = first(headers['kalshi-access-key']);
    const ts = first(headers['kalshi-access-timestamp']);
    const sig = first(headers['kalshi-access-signature']);
    if (!keyId || !ts || !sig) {
      const missing = [!keyId && 'KALSHI-ACCESS-KEY', !ts && 'KALSHI-ACCESS-TIMESTAMP', !sig && 'KALSHI-ACCESS-SIGNATURE'].filter(Boolean).join(', ');
      return { ok: false, status: 401, reason: `missing authentication header(s): ${missing}` };
    }
    const key = this.keys.get(keyId);
    if (!key) return { ok: false, status: 401, reason: 'unknown API key id' };
    const r = verifyRequestSignature(key.publicKey, { timestampMs: ts, signature: sig }, method, path, { nowMs, maxSkewMs: this.maxSkewMs });
    if (!r.ok) return { ok: false, status: 401, reason: r.reason };
    if (!this.markSeen(sig, nowMs)) return { ok: false, status: 401, reason: 'replayed signature: this KALSHI-ACCESS-SIGNATURE was already used' };
    return { ok: true, keyId, accountId: key.accountId };
  }

  /** Records a signature as used; false if it already was (within its replay window). */
  markSeen(signature: string, nowMs = Date.now()): boolean {
    if (nowMs - this.lastPruneMs > this.maxSkewMs) {
      this.prune(nowMs);
      this.lastPruneMs = nowMs;
    }
    const until = this.seen.get(signature);
    if (until !== undefined) {
      if (until >= nowMs) return false;
      this.seen.delete(signature); // re-inserted below, at the end of the (expiry-ordered) map
    }
    this.seen.set(signature, nowMs + 2 * this.maxSkewMs);
    return true;
  }

  /**
   * Forgets expired signatures. Entries are inserted with `now + 2 x maxSkew`, so the map is (nearly: the clock may
   * step back) in expiry order: stop at the first live entry instead of walking every signature of the window. An
   * expired entry left behind by a clock step is still treated as expired by {@link markSeen}, and goes at a later prune.
   */
  private prune(nowMs: number): void {
    for (const [s, until] of this.seen) {
      if (until >= nowMs) break;
      this.seen.delete(s);
    }
  }
}
