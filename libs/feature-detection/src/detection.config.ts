/**
 * Configuration of the detection app.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `KALSHI_REST_URL` | REST base to read events and markets from (reference data) | required |
 * | `DETECTION_TAKER_FEE_BPS` | Kalshi taker fee multiplier in basis points | 700 (0.07) |
 * | `DETECTION_FEE_ROUNDING_TICKS` | fee rounding step in 1/10000 dollar (1 = $0.0001 as Kalshi rounds, 100 = whole cents) | 1 |
 * | `NATS_URL` | the bus | required for the standalone app |
 */
export interface DetectionConfig {
  restUrl: string;
  takerFeeBps: number;
  feeRoundingTicks: number;
}

/** Thrown for a missing or malformed setting; the message names the variable. */
export class DetectionConfigError extends Error {}

function nonNegInt(name: string, raw: string | undefined, dflt: number): number {
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d+$/.test(raw)) throw new DetectionConfigError(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** @throws DetectionConfigError naming the variable. */
export function detectionConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DetectionConfig {
  if (!env.KALSHI_REST_URL) throw new DetectionConfigError('KALSHI_REST_URL is required (e.g. http://127.0.0.1:8080/trade-api/v2)');
  const feeRoundingTicks = nonNegInt('DETECTION_FEE_ROUNDING_TICKS', env.DETECTION_FEE_ROUNDING_TICKS, 1);
  if (feeRoundingTicks === 0) throw new DetectionConfigError('DETECTION_FEE_ROUNDING_TICKS must be >= 1');
  return {
    restUrl: env.KALSHI_REST_URL,
    takerFeeBps: nonNegInt('DETECTION_TAKER_FEE_BPS', env.DETECTION_TAKER_FEE_BPS, 700),
    feeRoundingTicks,
  };
}
