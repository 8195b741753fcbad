/**
 * Replay source: a saved The Odds API v4 `/odds` response body on disk (e.g. the capture in
 * /work/shared/data/theoddsapi-sportsbook-arb-2024-03-26/), served through the same {@link OddsFetch} shape as the
 * live client so the decoding and detection pipeline can run offline.
 */
import { promises as fs } from 'node:fs';
import { assertJsonArray, decodeUtf8Exact } from './body';
import { OddsApiConfigError, OddsFileError } from './errors';
import { type OddsFetch, type OddsSource, UNKNOWN_QUOTA } from './types';

/**
 * Reads one saved response body per call (re-read every time, so an updated file is picked up).
 * `getOdds()` returns `{ body: <file content as is, UTF-8>, fetchedTsMs: <file mtime, epoch ms, floored>,
 * fromCache: false, quota: all null }`. The `sport` argument is accepted for interface compatibility and ignored.
 *
 * @throws OddsApiConfigError from the constructor when `path` is not a non-empty string.
 */
export class FileOddsSource implements OddsSource {
  constructor(readonly path: string) {
    if (typeof path !== 'string' || path.length === 0) throw new OddsApiConfigError('path', 'must be a non-empty file path string');
  }

  /**
   * Read the file.
   * @throws OddsFileError when the file is missing (`code` `ENOENT`), is a directory, or cannot be read.
   * @throws OddsBodyFormatError when the content is not UTF-8 JSON with an array at the top level.
   */
  async getOdds(_sport?: string): Promise<OddsFetch> {
    let bytes: Buffer;
    let mtimeMs: number;
    try {
      const handle = await fs.open(this.path, 'r');
      try {
        const st = await handle.stat();
        if (!st.isFile()) throw new OddsFileError(this.path, st.isDirectory() ? 'EISDIR' : null, 'not a regular file');
        mtimeMs = st.mtimeMs;
        bytes = await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (e) {
      if (e instanceof OddsFileError) throw e;
      const errno = (e as NodeJS.ErrnoException | null)?.code;
      const code = typeof errno === 'string' ? errno : null;
      const detail = code === 'ENOENT' ? 'file does not exist' : code === 'EISDIR' ? 'not a regular file' : (e as Error)?.message ?? String(e);
      throw new OddsFileError(this.path, code, detail, { cause: e });
    }
    const body = decodeUtf8Exact(bytes, this.path);
    assertJsonArray(body, this.path);
    return { body, fetchedTsMs: Math.floor(mtimeMs), fromCache: false, quota: UNKNOWN_QUOTA };
  }
}
