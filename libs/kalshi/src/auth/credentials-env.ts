/**
 * Kalshi API credentials from the environment, one rule for every app:
 * `KALSHI_CREDENTIALS_FILE` (a `{"key_id", "private_key_pem"}` JSON file, as the mock exchange writes with
 * `--credentials-out`) wins; otherwise `KALSHI_API_KEY_ID` with `KALSHI_PRIVATE_KEY_PEM` (inline) or
 * `KALSHI_PRIVATE_KEY_PATH` (a PEM file). The private key is never put in an error message.
 */
import { readFileSync } from 'node:fs';

/** Thrown for missing or unreadable credentials; the message names the variable (never the key). */
export class KalshiCredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KalshiCredentialsError';
  }
}

/**
 * Loads the credentials (see the module docstring).
 * @returns undefined when none of the variables is set
 * @throws KalshiCredentialsError naming the variable or file that is incomplete or unreadable
 */
export function kalshiCredentialsFromEnv(env: NodeJS.ProcessEnv): { keyId: string; privateKeyPem: string } | undefined {
  if (env.KALSHI_CREDENTIALS_FILE) {
    let parsed: { key_id?: unknown; private_key_pem?: unknown };
    try {
      parsed = JSON.parse(readFileSync(env.KALSHI_CREDENTIALS_FILE, 'utf8'));
    } catch (e) {
      throw new KalshiCredentialsError(`KALSHI_CREDENTIALS_FILE ${env.KALSHI_CREDENTIALS_FILE}: ${(e as Error).message.split('\n')[0]}`);
    }
    if (typeof parsed?.key_id !== 'string' || typeof parsed?.private_key_pem !== 'string') {
      throw new KalshiCredentialsError(`KALSHI_CREDENTIALS_FILE ${env.KALSHI_CREDENTIALS_FILE} needs string fields key_id and private_key_pem`);
    }
    return { keyId: parsed.key_id, privateKeyPem: parsed.private_key_pem };
  }
  const keyId = env.KALSHI_API_KEY_ID;
  let pem = env.KALSHI_PRIVATE_KEY_PEM;
  if (!pem && env.KALSHI_PRIVATE_KEY_PATH) {
    try {
      pem = readFileSync(env.KALSHI_PRIVATE_KEY_PATH, 'utf8');
    } catch (e) {
      throw new KalshiCredentialsError(`KALSHI_PRIVATE_KEY_PATH ${env.KALSHI_PRIVATE_KEY_PATH}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  }
  if (!keyId && !pem) return undefined;
  if (!keyId) throw new KalshiCredentialsError('KALSHI_API_KEY_ID is required when a private key is configured');
  if (!pem) throw new KalshiCredentialsError('KALSHI_PRIVATE_KEY_PATH or KALSHI_PRIVATE_KEY_PEM is required when KALSHI_API_KEY_ID is set');
  return { keyId, privateKeyPem: pem };
}
