/**
 * Kalshi REST v2 API-key endpoints of the mock exchange (signed; docs.kalshi.com/api-reference/api-keys/*, SDK
 * models api-key.ts, create-api-key-*.ts, generate-api-key-*.ts):
 *
 * - `GET /api_keys` -> `{api_keys: [{api_key_id, name, scopes}]}`: the caller's account's keys;
 * - `POST /api_keys` `{name, public_key (RSA PEM), scopes?}` -> 201 `{api_key_id}`;
 * - `POST /api_keys/generate` `{name, scopes?}` -> 201 `{api_key_id, private_key}`: the server makes an RSA-2048 pair
 *   and returns the private key (PKCS#1 PEM) this once; it is never stored or logged;
 * - `DELETE /api_keys/{api_key}` -> 204; 404 for an unknown key or another account's key.
 *
 * New keys belong to the caller's account. Scopes: `read` and/or `write` (default both; `write` needs `read`, as
 * Kalshi documents). With a durable store (`state.store`), keys are also written to / deleted from it, so they
 * survive a restart; a store failure undoes the change and answers 500.
 */
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { generateKalshiKeyPair } from '@kalshi-platform/kalshi';
import { EXCHANGE_STATE, ExchangeState } from '../exchange-state';
import { Auth, type AuthContext } from './auth.guard';
import { badParam, KalshiHttpError, notFound } from './kalshi-http-error';
import { createApiKeySchema, generateApiKeySchema, parseBody } from './params';

/** Scopes of a new key: default read + write; `write` without `read` is refused. @throws KalshiHttpError 400. */
function scopesOf(scopes: string[] | undefined): string[] {
  if (scopes === undefined || scopes.length === 0) return ['read', 'write'];
  const set = [...new Set(scopes)];
  if (set.some((s) => s.startsWith('write')) && !set.includes('read')) throw badParam('scopes', 'write scopes require read');
  return set;
}

/**
 * Registers a key in the registry and, when there is one, in the durable store; undoes the registry change when the
 * store fails.
 * @returns the new key id
 * @throws KalshiHttpError 400 for a public key that is not an RSA PEM, 500 when the store fails.
 */
export async function registerApiKey(st: ExchangeState, accountId: string, name: string, publicKeyPem: string, scopes: string[]): Promise<string> {
  let keyId: string;
  try {
    keyId = st.keys.add(publicKeyPem, undefined, accountId, { name, scopes });
  } catch (e) {
    throw badParam('public_key', `is not an RSA public key in PEM form (${(e as Error).message.slice(0, 120)})`);
  }
  const k = st.keys.get(keyId);
  if (st.store && k) {
    try {
      await st.store.addApiKey({ keyId, accountId, name, publicKeyPem, createdTsMs: k.createdTsMs, scopes: k.scopes });
    } catch (e) {
      st.keys.remove(keyId);
      throw new KalshiHttpError(500, 'internal_error', `could not store the API key: ${(e as Error).message}`);
    }
  }
  return keyId;
}

/** See the module docstring. */
@Controller('trade-api/v2')
export class ApiKeysController {
  constructor(@Inject(EXCHANGE_STATE) private readonly st: ExchangeState) {}

  /** `GET /api_keys` (get-api-keys). */
  @Get('api_keys')
  list(@Auth() a: AuthContext) {
    return { api_keys: this.st.keys.list(a.accountId).map((k) => ({ api_key_id: k.keyId, name: k.name, scopes: k.scopes })) };
  }

  /** `POST /api_keys` (create-api-key): registers the caller's RSA public key. 201 `{api_key_id}`. */
  @Post('api_keys')
  @HttpCode(201)
  async create(@Auth() a: AuthContext, @Body() body: unknown) {
    const b = parseBody(createApiKeySchema, body);
    const keyId = await registerApiKey(this.st, a.accountId, b.name, b.public_key, scopesOf(b.scopes));
    return { api_key_id: keyId };
  }

  /** `POST /api_keys/generate` (generate-api-key): 201 `{api_key_id, private_key}` — the private key is shown once. */
  @Post('api_keys/generate')
  @HttpCode(201)
  async generate(@Auth() a: AuthContext, @Body() body: unknown) {
    const b = parseBody(generateApiKeySchema, body);
    const pair = generateKalshiKeyPair();
    const keyId = await registerApiKey(this.st, a.accountId, b.name, pair.publicKeyPem, scopesOf(b.scopes));
    return { api_key_id: keyId, private_key: pair.privateKeyPem };
  }

  /** `DELETE /api_keys/{api_key}` (delete-api-key): 204; 404 unless the key is the caller account's. */
  @Delete('api_keys/:api_key')
  @HttpCode(204)
  async remove(@Auth() a: AuthContext, @Param('api_key') keyId: string): Promise<void> {
    const k = this.st.keys.get(keyId);
    if (!k || k.accountId !== a.accountId) throw notFound(`API key ${keyId}`);
    if (this.st.store) {
      try {
        await this.st.store.deleteApiKey(keyId);
      } catch (e) {
        throw new KalshiHttpError(500, 'internal_error', `could not delete the API key from the store: ${(e as Error).message}`);
      }
    }
    this.st.keys.remove(keyId);
  }
}
