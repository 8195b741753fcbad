/**
 * `kalshi-platform odds` (issue #5 command-line contract) as a real process on the real The Odds API capture.
 * Expected fair probabilities are computed by hand from the capture's American prices:
 * - Samford vs Mississippi St, multiplicative + median of 3 books: the median book is FanDuel, MS -172 / Samford +128:
 *   implied 172/272 = 0.632353 and 100/228 = 0.438596, sum 1.070949; MS fair = 0.632353 / 1.070949 = 0.590460 -> "0.5905".
 * - Houston vs Lamar, multiplicative: 91/127 = 0.716535 -> "0.7165"; Shin (2-way Shin = additive):
 *   86/117 = 0.735043 -> "0.7350" (libs/odds consensus.spec has the full arithmetic).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oddsOptionsFromFlags, OddsArgError, runOdds } from '../src/commands/odds';

const REPO = join(__dirname, '..', '..', '..');
const CLI = join(REPO, 'bin', 'kalshi-platform.cjs');
const ODDS = '/work/shared/data/theoddsapi-sportsbook-arb-2024-03-26/odds_h2h_us_2024-03-27T0134Z.json';
const SAMPLE = join(REPO, 'data', 'samples', 'theoddsapi-sportsbook-arb-2024-03-26', 'odds_h2h_us_2024-03-27T0134Z.json');

const cli = (args: string[]) => spawnSync(process.execPath, [CLI, 'odds', ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 });

interface Row {
  id: string;
  sport_key: string;
  commence_time: string;
  home_team: string | null;
  away_team: string | null;
  books: number;
  fair: Record<string, string>;
}

describe('kalshi-platform odds', () => {
  const file = SAMPLE;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'odds-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the bundled sample is the shared capture byte for byte (where the shared data is present)', () => {
    if (existsSync(ODDS)) expect(readFileSync(SAMPLE).equals(readFileSync(ODDS))).toBe(true);
    expect(readFileSync(SAMPLE).length).toBe(50_348);
  });

  it('JSON output follows the contract: keys, 4-place fair strings, hand-checked values; disagreeing books give no consensus', () => {
    const r = cli(['--file', file, '--format', 'json']);
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout) as Row[];
    expect(rows.length).toBe(27); // 28 events, the Florida-Boston game has no consensus
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(['id', 'sport_key', 'commence_time', 'home_team', 'away_team', 'books', 'fair']);
      expect(row.commence_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      for (const v of Object.values(row.fair)) expect(v).toMatch(/^0\.\d{4}$/);
      const sum = Object.values(row.fair).reduce((a, v) => a + Number(v.replace('0.', '')), 0);
      expect(Math.abs(sum - 10_000)).toBeLessThanOrEqual(1); // each rounded to 4 places
    }
    const samford = rows.find((x) => x.home_team === 'Samford Bulldogs')!;
    expect(samford).toEqual({
      id: '493be33adaa7bfb70e7388afb4e1867e',
      sport_key: 'baseball_ncaa',
      commence_time: '2024-03-26T23:00:00Z',
      home_team: 'Samford Bulldogs',
      away_team: 'Mississippi St Bulldogs',
      books: 3,
      fair: { 'Mississippi St Bulldogs': '0.5905', 'Samford Bulldogs': '0.4095' },
    });
    expect(rows.find((x) => x.home_team === 'Houston Cougars')!.fair['Houston Cougars']).toBe('0.7165');
    expect(rows.some((x) => x.home_team === 'Florida Panthers')).toBe(false);
    expect(r.stderr).toContain('no consensus for event e68ea688721505f9e340a01425e732cf: books disagree');
  }, 60_000);

  it('--method shin and --consensus mean change the maths; --max-age-s drops stale books', async () => {
    const shin = await runOdds({ ...oddsOptionsFromFlags({ file, method: 'shin' }), format: 'json' });
    expect(shin.events.find((x) => x.home_team === 'Houston Cougars')!.fair['Houston Cougars']).toBe('0.7350');
    const all = await runOdds(oddsOptionsFromFlags({ file }));
    const fresh = await runOdds(oddsOptionsFromFlags({ file, maxAgeS: '120' }));
    const books = (r: typeof all, home: string) => r.events.find((x) => x.home_team === home)!.books;
    // Winnipeg vs Edmonton: wynnbet last updated 220 s before the file's newest update
    expect(books(all, 'Winnipeg Jets') - books(fresh, 'Winnipeg Jets')).toBe(1);
    expect(fresh.dropped[all.events.find((x) => x.home_team === 'Winnipeg Jets')!.id]).toContain('wynnbet (stale)');
    const mean = await runOdds(oddsOptionsFromFlags({ file, consensus: 'mean' }));
    // Baylor vs UTSA has two books: mean and median agree; NY Rangers (6 books kept) differ
    expect(mean.events.find((x) => x.home_team === 'Baylor Bears')!.fair).toEqual(all.events.find((x) => x.home_team === 'Baylor Bears')!.fair);
  });

  it('table output by default', () => {
    const r = cli(['--file', file]);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^sport\s+commence\s+event\s+books\s+outcome\s+fair\s+dropped/);
    expect(r.stdout).toContain('Mississippi St Bulldogs  0.5905');
  }, 60_000);

  it('bad input exits 2 naming the flag or the JSON path', () => {
    for (const [args, needle] of [
      [['--method', 'vibes', '--file', file], '--method'],
      [['--consensus', 'mode', '--file', file], '--consensus'],
      [['--max-age-s', '-5', '--file', file], '--max-age-s'],
      [['--format', 'xml', '--file', file], '--format'],
      [[], '--file is required'],
      [['--file', join(dir, 'missing.json')], '--file'],
    ] as const) {
      const r = cli([...args]);
      expect({ args, status: r.status, stderr: r.stderr }).toEqual({ args, status: 2, stderr: expect.stringContaining(needle) });
    }
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ id: 'x', sport_key: 'nba', sport_title: 'NBA', commence_time: '2024-03-26T23:00:00Z', bookmakers: [{ key: 'b', title: 'B', last_update: '2024-03-26T23:00:00Z', markets: [{ key: 'h2h', last_update: '2024-03-26T23:00:00Z', outcomes: [{ name: 'A', price: 'abc' }] }] }] }]));
    const r = cli(['--file', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('[0].bookmakers[0].markets[0].outcomes[0].price');
    expect(() => oddsOptionsFromFlags({ file, method: 'x' })).toThrow(OddsArgError);
  }, 90_000);
});
