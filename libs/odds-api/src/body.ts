import { OddsBodyFormatError } from './errors';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decode raw bytes as UTF-8 exactly (a BOM is kept, not stripped, so the text re-encodes to the same bytes).
 * @throws OddsBodyFormatError when the bytes are not valid UTF-8.
 */
export function decodeUtf8Exact(bytes: Uint8Array, source: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new OddsBodyFormatError(source, 'not valid UTF-8');
  }
}

/**
 * Check that `text` is JSON whose top-level value is an array (the shape of a v4 `/odds` response:
 * `[{id, sport_key, commence_time, home_team, away_team, bookmakers: [...]}, ...]`). Returns the array length.
 * `redact` is applied to any text quoted in the error.
 * @throws OddsBodyFormatError naming `source` and what was found instead.
 */
export function assertJsonArray(text: string, source: string, redact: (s: string) => string = (s) => s): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const head = text.length === 0 ? 'empty body' : `invalid JSON (${(e as Error).message.slice(0, 120)})`;
    throw new OddsBodyFormatError(source, redact(head));
  }
  if (!Array.isArray(parsed)) {
    const kind = parsed === null ? 'null' : typeof parsed === 'object' ? 'an object' : `a ${typeof parsed}`;
    throw new OddsBodyFormatError(source, `top-level value is ${kind}`);
  }
  return parsed.length;
}
