/** Configuration of the health server from the environment. */

/** A malformed health setting; the message names the variable. Apps print it as a one-line error. */
export class HealthConfigError extends Error {}

/**
 * `HEALTH_PORT`: the port of the health server. Unset or empty -> `undefined` (no server); an integer 0..65535 (0 =
 * any free port, the app prints the chosen one) -> that number.
 * @throws HealthConfigError naming HEALTH_PORT for anything else
 */
export function healthPortFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.HEALTH_PORT;
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = raw.trim();
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65_535) throw new HealthConfigError(`HEALTH_PORT must be an integer port 0..65535 (0 = any free port), got ${JSON.stringify(raw)}`);
  return Number(v);
}

/**
 * A positive integer number of milliseconds from `env[name]` (e.g. `HEALTH_FEED_MAX_AGE_MS`); unset or empty ->
 * `dflt`.
 * @throws HealthConfigError naming the variable for anything else
 */
export function msFromEnv(name: string, dflt: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return dflt;
  const v = raw.trim();
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) <= 0) throw new HealthConfigError(`${name} must be a positive integer number of ms, got ${JSON.stringify(raw)}`);
  return Number(v);
}
