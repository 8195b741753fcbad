import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileOddsSource, OddsApiConfigError, OddsBodyFormatError, OddsFileError, type OddsSource } from './index';

const CAPTURE_PATH = '/work/shared/data/theoddsapi-sportsbook-arb-2024-03-26/odds_h2h_us_2024-03-27T0134Z.json';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'odds-api-file-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );
}

describe('FileOddsSource', () => {
  it('returns the real capture as is, with its mtime and no quota', async () => {
    const src: OddsSource = new FileOddsSource(CAPTURE_PATH);
    const r = await src.getOdds('ignored_sport');
    expect(Buffer.from(r.body, 'utf8').equals(readFileSync(CAPTURE_PATH))).toBe(true);
    expect(r.fetchedTsMs).toBe(Math.floor(statSync(CAPTURE_PATH).mtimeMs));
    expect(r.fromCache).toBe(false);
    expect(r.quota).toEqual({ remaining: null, used: null, last: null });
    expect(JSON.parse(r.body)).toHaveLength(28);
  });

  it('re-reads the file on every call', async () => {
    const p = write('changing.json', '[]');
    utimesSync(p, 1_700_000_000, 1_700_000_000);
    const src = new FileOddsSource(p);
    expect(await src.getOdds()).toMatchObject({ body: '[]', fetchedTsMs: 1_700_000_000_000 });
    writeFileSync(p, '[ {"id":"x"} ]\n');
    utimesSync(p, 1_700_000_100, 1_700_000_100.5);
    expect(await src.getOdds()).toMatchObject({ body: '[ {"id":"x"} ]\n', fetchedTsMs: 1_700_000_100_500 });
  });

  it('reports a missing file with ENOENT and the path', async () => {
    const p = join(dir, 'nope.json');
    const e = await rejection(new FileOddsSource(p).getOdds());
    expect(e).toBeInstanceOf(OddsFileError);
    expect((e as OddsFileError).code).toBe('ENOENT');
    expect(e.message).toBe(`cannot read odds file ${p}: file does not exist`);
  });

  it('reports a directory', async () => {
    const e = await rejection(new FileOddsSource(dir).getOdds());
    expect(e).toBeInstanceOf(OddsFileError);
    expect(e.message).toContain('not a regular file');
  });

  it.each<[string, string | Buffer, RegExp]>([
    ['an object', '{"message":"Invalid API key"}', /top-level value is an object/],
    ['a number', '42', /top-level value is a number/],
    ['null', 'null', /top-level value is null/],
    ['truncated JSON', readFileSync(CAPTURE_PATH).subarray(0, 1000), /invalid JSON/],
    ['an empty file', '', /empty body/],
    ['invalid UTF-8', Buffer.from([0x5b, 0xff, 0xfe, 0x5d]), /not valid UTF-8/],
  ])('rejects %s as OddsBodyFormatError naming the file', async (name, content, msg) => {
    const p = write(`bad-${name.replace(/\W+/g, '_')}.json`, content);
    const e = await rejection(new FileOddsSource(p).getOdds());
    expect(e).toBeInstanceOf(OddsBodyFormatError);
    expect(e.message).toMatch(msg);
    expect(e.message).toContain(p);
  });

  it('rejects an empty path', () => {
    expect(() => new FileOddsSource('')).toThrow(OddsApiConfigError);
  });
});
