/**
 * Cursor paging shared by the mock exchange's list endpoints (Kalshi: "pass `cursor` until it comes back empty").
 *
 * A cursor is opaque to clients: base64url of `<scope>:<position>`, where `scope` names the listing that issued it
 * (`markets`, `events`, `trades`, ...) and `position` is a non-negative integer whose meaning belongs to that
 * listing (an offset for {@link page}, an index into an append-only log for keyset paging). A cursor that is not
 * one this API produced for the same scope (garbage, another listing's cursor, a hand-made offset) is answered
 * with 400 `invalid_parameter` naming `cursor`. The last page carries `cursor: ""` (Kalshi's required string).
 */
import { badParam } from './kalshi-http-error';

/** One page of a listing and the cursor of the next page (`""` on the last page). */
export interface Page<T> {
  items: T[];
  cursor: string;
}

const CURSOR_TEXT = /^([a-z0-9_.-]*):(\d{1,15})$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/** Encodes a cursor for `position` within the listing `scope` (see the module docstring). */
export function encodeCursor(scope: string, position: number): string {
  if (!Number.isSafeInteger(position) || position < 0) throw new RangeError(`cursor position must be a non-negative integer, got ${position}`);
  return Buffer.from(`${scope}:${position}`, 'utf8').toString('base64url');
}

/**
 * Decodes a cursor issued by {@link encodeCursor} for `scope`; `undefined` for an absent or empty cursor (first page).
 * @throws KalshiHttpError 400 naming `param` (default `cursor`) when the cursor is not one of this scope's.
 */
export function decodeCursor(scope: string, raw: string | undefined, param = 'cursor'): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const bad = () => badParam(param, 'is not a cursor returned by this endpoint');
  if (!BASE64URL.test(raw)) throw bad();
  const m = CURSOR_TEXT.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!m || m[1] !== scope) throw bad();
  const n = Number(m[2]);
  if (!Number.isSafeInteger(n)) throw bad();
  return n;
}

/**
 * Offset paging over a list whose order is stable between calls: the items after the cursor's offset, at most `limit`.
 * A cursor past the end yields an empty last page.
 * @param scope names the listing (a cursor of another scope is refused); default `list`
 * @throws KalshiHttpError 400 naming `cursor` for a cursor this API did not issue for `scope`.
 */
export function page<T>(items: readonly T[], limit: number, cursor: string | undefined, scope = 'list'): Page<T> {
  const offset = decodeCursor(scope, cursor) ?? 0;
  const slice = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? encodeCursor(scope, offset + limit) : '';
  return { items: slice, cursor: next };
}

// ------------------------------------------------------------------------------------------- query parameters

/**
 * An integer query parameter in `min..max` (digits only: no sign, decimals or hex), `dflt` when absent or empty.
 * @throws KalshiHttpError 400 naming `name`.
 */
export function intParam(name: string, raw: string | string[] | undefined, min: number, max: number, dflt: number): number;
export function intParam(name: string, raw: string | string[] | undefined, min: number, max: number, dflt?: undefined): number | undefined;
export function intParam(name: string, raw: string | string[] | undefined, min: number, max: number, dflt?: number): number | undefined {
  if (Array.isArray(raw)) throw badParam(name, 'must be given once');
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d{1,15}$/.test(raw)) throw badParam(name, `must be an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw badParam(name, `must be in ${min}..${max}, got ${n}`);
  return n;
}

/**
 * A boolean query parameter (`true` / `false`), `dflt` when absent or empty.
 * @throws KalshiHttpError 400 naming `name` for anything else (`1`, `yes`, ...).
 */
export function boolParam(name: string, raw: string | string[] | undefined, dflt = false): boolean {
  if (Array.isArray(raw)) throw badParam(name, 'must be given once');
  if (raw === undefined || raw === '') return dflt;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw badParam(name, `must be true or false, got ${JSON.stringify(raw)}`);
}

/**
 * A list query parameter: comma-separated (`a,b`) and/or repeated (`x=a&x=b`), empty entries dropped, order kept,
 * duplicates removed; `undefined` when absent or empty.
 * @throws KalshiHttpError 400 naming `name` when it has more than `max` entries.
 */
export function listParam(name: string, raw: string | string[] | undefined, max = Infinity): string[] | undefined {
  if (raw === undefined) return undefined;
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) return undefined;
  const unique = [...new Set(parts)];
  if (unique.length > max) throw badParam(name, `at most ${max} entries, got ${unique.length}`);
  return unique;
}

/**
 * A single-valued string query parameter, one of `allowed` when given.
 * @throws KalshiHttpError 400 naming `name` for another value or a repeated parameter.
 */
export function enumParam<T extends string>(name: string, raw: string | string[] | undefined, allowed: readonly T[]): T | undefined {
  if (Array.isArray(raw)) throw badParam(name, 'must be given once');
  if (raw === undefined || raw === '') return undefined;
  if (!(allowed as readonly string[]).includes(raw)) throw badParam(name, `must be one of ${allowed.join(', ')}; got ${JSON.stringify(raw)}`);
  return raw as T;
}
