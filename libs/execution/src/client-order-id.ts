import { createHash } from 'node:crypto';
import { requireInt, requireNonEmptyString } from './errors';

/**
 * Kalshi's rule for `client_order_id` (docs.kalshi.com, create-order: the client-chosen id, unique per order, used
 * to deduplicate orders before the exchange's `order_id` is known): at most 64 characters of `[A-Za-z0-9_-]`.
 */
export const CLIENT_ORDER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** True when `id` satisfies Kalshi's `client_order_id` rule ({@link CLIENT_ORDER_ID_PATTERN}). */
export function isValidClientOrderId(id: unknown): id is string {
  return typeof id === 'string' && CLIENT_ORDER_ID_PATTERN.test(id);
}

/**
 * The deterministic `client_order_id` of leg `legIndex` of signal `signalId`.
 *
 * Same `(signalId, legIndex)` -> same id, so a retried or replayed send of one leg carries the same
 * `client_order_id` and Kalshi refuses the duplicate (`order_already_exists`) instead of opening a second order.
 * Different inputs give different ids with overwhelming probability (122 bits of SHA-256).
 *
 * Shape: a UUID string, 36 characters `xxxxxxxx-xxxx-8xxx-Vxxx-xxxxxxxxxxxx` of lowercase hex, built from the first 16
 * bytes of `SHA-256(signalId + "\u0000" + legIndex)` (UTF-8; legIndex in decimal) with the version nibble set to `8`
 * and the variant bits to `10` (RFC 9562 section 5.8, UUIDv8 "custom"). It satisfies Kalshi's `client_order_id` rule
 * (<= 64 characters of `[A-Za-z0-9_-]`, see {@link CLIENT_ORDER_ID_PATTERN}).
 *
 * @param signalId id of the signal the order comes from, a non-empty string
 * @param legIndex index of the leg within the signal, an integer >= 0
 * @throws ExecutionInputError on an empty or non-string `signalId` or a `legIndex` that is not an integer >= 0
 */
export function clientOrderIdFor(signalId: string, legIndex: number): string {
  requireNonEmptyString('signalId', signalId);
  requireInt('legIndex', legIndex, 0);
  const b = createHash('sha256').update(`${signalId}\u0000${legIndex}`, 'utf8').digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x80; // version 8
  b[8] = (b[8] & 0x3f) | 0x80; // variant 10xx
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
