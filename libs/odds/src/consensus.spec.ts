import * as fs from 'node:fs';
import * as path from 'node:path';
import { consensus, ConsensusError, decodeOddsResponse, eventQuotes, formatProbability, median, type BookQuote, type OddsApiEvent } from './index';

const CAPTURE = path.resolve(__dirname, '../../../../shared/data/theoddsapi-sportsbook-arb-2024-03-26/odds_h2h_us_2024-03-27T0134Z.json');
const decoded = decodeOddsResponse(fs.readFileSync(CAPTURE, 'utf8'));
if (!decoded.ok) throw decoded.error;
const EVENTS = decoded.value.events;
/** Latest last_update in the capture (draftkings, Indiana St vs Cincinnati): 2024-03-27T01:34:38Z. */
const CAPTURE_NOW_MS = Date.UTC(2024, 2, 27, 1, 34, 38);

function event(home: string): OddsApiEvent {
  const e = EVENTS.find((x) => x.homeTeam === home);
  if (e === undefined) throw new Error(`no event with home team ${home}`);
  return e;
}
const fairOf = (c: ReturnType<typeof consensus>, name: string): number => c.outcomes.find((o) => o.name === name)?.fairProbability ?? NaN;

describe('consensus checked by hand on the capture', () => {
  // Implied probability of an American price: −a → a/(a+100); +a → 100/(a+100). Fractions kept exact below.
  it('Samford vs Mississippi St (3 books), multiplicative + median', () => {
    // betmgm : MS −160 → 160/260 = 8/13;  Samford +115 → 100/215 = 20/43;  S = 8/13 + 20/43 = 604/559
    //          fair MS = (8/13)/(604/559) = 344/604 = 86/151 ≈ 0.569536;  Samford = 65/151 ≈ 0.430464
    // bovada : MS −175 → 175/275 = 7/11;  Samford +135 → 100/235 = 20/47;  S = 549/517
    //          fair MS = (7/11)/(549/517) = 329/549 ≈ 0.599271;  Samford = 220/549 ≈ 0.400729
    // fanduel: MS −172 → 172/272 = 43/68; Samford +128 → 100/228 = 25/57;  S = 4151/3876
    //          fair MS = (43/68)/(4151/3876) = 2451/4151 ≈ 0.590460;  Samford = 1700/4151 ≈ 0.409540
    // median MS = middle of {0.569536, 0.590460, 0.599271} = 2451/4151 (fanduel);
    // median Samford = middle of {0.400729, 0.409540, 0.430464} = 1700/4151 (fanduel); sum = 1, renormalising changes nothing
    const c = consensus(eventQuotes(event('Samford Bulldogs')));
    expect(c.books.map((b) => b.bookmaker)).toEqual(['betmgm', 'bovada', 'fanduel']);
    expect(c.dropped).toEqual([]);
    expect(fairOf(c, 'Mississippi St Bulldogs')).toBeCloseTo(2451 / 4151, 12);
    expect(fairOf(c, 'Samford Bulldogs')).toBeCloseTo(1700 / 4151, 12);
    expect(c.books[0].fair[0]).toBeCloseTo(86 / 151, 12);
    expect(c.books[1].fair[0]).toBeCloseTo(329 / 549, 12);
    expect(c.books[0].overround).toBeCloseTo(604 / 559 - 1, 12); // 8.05%
    expect(c.outcomes.map((o) => formatProbability(o.fairProbability))).toEqual(['0.5905', '0.4095']);
  });

  it('Houston vs Lamar (3 books), multiplicative + median, and shin + median', () => {
    // betmgm : Houston −350 → 350/450 = 7/9;   Lamar +225 → 100/325 = 4/13;  S = 7/9 + 4/13 = 127/117
    //          fair Houston = (7/9)/(127/117) = 91/127 ≈ 0.716535;  Lamar = 36/127 ≈ 0.283465
    // bovada : Houston −335 → 335/435 = 67/87; Lamar +240 → 100/340 = 5/17;  S = 1574/1479
    //          fair Houston = 1139/1574 ≈ 0.723634;  Lamar = 435/1574 ≈ 0.276366
    // fanduel: Houston −320 → 320/420 = 16/21; Lamar +225 → 4/13;            S = 292/273
    //          fair Houston = 208/292 = 52/73 ≈ 0.712329;  Lamar = 21/73 ≈ 0.287671
    // median Houston = 91/127 (betmgm), median Lamar = 36/127 (betmgm); sum 1.
    const c = consensus(eventQuotes(event('Houston Cougars')));
    expect(fairOf(c, 'Houston Cougars')).toBeCloseTo(91 / 127, 12);
    expect(fairOf(c, 'Lamar Cardinals')).toBeCloseTo(36 / 127, 12);
    // Shin with two outcomes = additive: p_i = (1 + π_i − π_j)/2 (see devig.ts).
    // betmgm : (1 + 7/9 − 4/13)/2 = (117 + 91 − 36)/234 = 172/234 = 86/117 ≈ 0.735043
    // bovada : (1 + 67/87 − 5/17)/2 = (1479 + 1139 − 435)/2958 = 2183/2958 ≈ 0.738002
    // fanduel: (1 + 16/21 − 4/13)/2 = (273 + 208 − 84)/546 = 397/546 ≈ 0.727106
    // median Houston = 86/117 (betmgm); Lamar = 31/117; sum 1.
    const s = consensus(eventQuotes(event('Houston Cougars')), { method: 'shin' });
    expect(s.method).toBe('shin');
    expect(fairOf(s, 'Houston Cougars')).toBeCloseTo(86 / 117, 12);
    expect(fairOf(s, 'Lamar Cardinals')).toBeCloseTo(31 / 117, 12);
    expect(s.books[1].fair[0]).toBeCloseTo(2183 / 2958, 12);
  });

  it('Baylor vs UTSA (2 books: the median is the mean), multiplicative and shin', () => {
    // bovada : Baylor −385 → 385/485 = 77/97;  UTSA +265 → 100/365 = 20/73;  S = 7561/7081
    //          fair Baylor = (77/97)/(7561/7081) = 5621/7561 ≈ 0.743420
    // fanduel: Baylor −320 → 16/21;            UTSA +225 → 4/13;            S = 292/273
    //          fair Baylor = 52/73 ≈ 0.712329
    // median of two = mean: Baylor = (5621/7561 + 52/73)/2 ≈ 0.727875; UTSA = (1940/7561 + 21/73)/2 ≈ 0.272125
    const c = consensus(eventQuotes(event('Baylor Bears')));
    expect(fairOf(c, 'Baylor Bears')).toBeCloseTo((5621 / 7561 + 52 / 73) / 2, 12);
    expect(fairOf(c, 'UTSA Roadrunners')).toBeCloseTo((1940 / 7561 + 21 / 73) / 2, 12);
    expect(consensus(eventQuotes(event('Baylor Bears')), { consensus: 'mean' }).outcomes).toEqual(c.outcomes.map((o) => ({ ...o, fairProbability: expect.closeTo(o.fairProbability, 14) })));
    // shin: bovada (1 + 77/97 − 20/73)/2 = (7081 + 5621 − 1940)/14162 = 5381/7081 ≈ 0.759921;
    //       fanduel 397/546 ≈ 0.727106; mean ≈ 0.743514
    const s = consensus(eventQuotes(event('Baylor Bears')), { method: 'shin' });
    expect(fairOf(s, 'Baylor Bears')).toBeCloseTo((5381 / 7081 + 397 / 546) / 2, 12);
  });

  it('NY Rangers vs Philadelphia (8 books, in play): two books far off are dropped as outliers', () => {
    // fair NYR per book (multiplicative; fair PHI = 1 − fair NYR):
    //   unibet  −1667/+700 : 1667/1767 , 1/8   → 13336/15103 ≈ 0.883003
    //   mybookie −160/+120 : 8/13 , 5/11       → 88/153      ≈ 0.575163
    //   draftkings −920/+550: 46/51 , 2/13     → 299/350     ≈ 0.854286
    //   fanduel −1450/+700 : 29/31 , 1/8       → 232/263     ≈ 0.882129
    //   bovada  −145/+110  : 29/49 , 10/21     → 87/157      ≈ 0.554140
    //   betmgm  −1400/+725 : 14/15 , 4/33      → 77/87       ≈ 0.885057
    //   williamhill −1100/+640: 11/12 , 5/37   → 407/467     ≈ 0.871520
    //   wynnbet −2000/+775 : 20/21 , 4/35      → 25/28       ≈ 0.892857
    // cross-book median NYR (8 books) = (0.871520 + 0.882129)/2 ≈ 0.876825
    //   mybookie is 0.301662 away, bovada 0.322685 away (> 0.15): dropped; draftkings 0.022539: kept
    // consensus of the 6 left: median NYR = (232/263 + 13336/15103)/2 ≈ 0.882566
    const c = consensus(eventQuotes(event('New York Rangers')));
    expect(c.dropped.map((d) => [d.bookmaker, d.reason])).toEqual([
      ['mybookieag', 'outlier'],
      ['bovada', 'outlier'],
    ]);
    expect(c.dropped[1].detail).toBe('fair probability of "New York Rangers" is 0.5541, 0.3227 from the cross-book median 0.8768 (threshold 0.15)');
    expect(c.books).toHaveLength(6);
    expect(fairOf(c, 'New York Rangers')).toBeCloseTo((232 / 263 + 13336 / 15103) / 2, 12);
    expect(fairOf(c, 'Philadelphia Flyers')).toBeCloseTo((31 / 263 + 1767 / 15103) / 2, 12);
    // without outlier rejection the two wild books pull the median down only a little, the mean a lot
    const noFilter = consensus(eventQuotes(event('New York Rangers')), { outlierThreshold: null, consensus: 'mean' });
    expect(noFilter.books).toHaveLength(8);
    expect(fairOf(noFilter, 'New York Rangers')).toBeCloseTo((13336 / 15103 + 88 / 153 + 299 / 350 + 232 / 263 + 87 / 157 + 77 / 87 + 407 / 467 + 25 / 28) / 8, 12);
  });
});

describe('outliers and stale quotes on the capture’s in-play noise', () => {
  it('Washington vs Detroit: the two books with Washington −1250/−900 are dropped, wynnbet +102/−135 is kept', () => {
    const c = consensus(eventQuotes(event('Washington Capitals')));
    expect(c.dropped.map((d) => `${d.bookmaker}:${d.reason}`)).toEqual(['mybookieag:outlier', 'bovada:outlier']);
    expect(c.books.map((b) => b.bookmaker)).toContain('wynnbet');
  });

  it('Florida vs Boston: books disagree on who is winning, so there is no consensus (5 of 8 books are outliers)', () => {
    // Boston −2000 (unibet), −1600 (betmgm) vs Boston +350/+430/+450 (mybookie/fanduel/bovada) vs ≈ −115 (dk/wh/wynn)
    let err: unknown;
    try {
      consensus(eventQuotes(event('Florida Panthers')));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConsensusError);
    expect((err as ConsensusError).code).toBe('disagreement');
    expect((err as ConsensusError).dropped.map((d) => d.bookmaker)).toEqual(['unibet_us', 'mybookieag', 'fanduel', 'bovada', 'betmgm']);
    // with the disagreement check off, the filter keeps the 3 books near even money
    const c = consensus(eventQuotes(event('Florida Panthers')), { maxOutliersPerKept: null });
    expect(c.books.map((b) => b.bookmaker)).toEqual(['draftkings', 'williamhill_us', 'wynnbet']);
    expect(c.dropped.every((d) => d.reason === 'outlier')).toBe(true);
    // and those three are >2 minutes old at capture time: with a 2-minute age limit only williamhill is left
    const fresh = consensus(eventQuotes(event('Florida Panthers')), { maxAgeMs: 120_000, nowMs: CAPTURE_NOW_MS, maxOutliersPerKept: null });
    expect(fresh.dropped.filter((d) => d.reason === 'stale').map((d) => d.bookmaker)).toEqual(['draftkings', 'fanduel', 'wynnbet']);
    expect(fresh.books.map((b) => b.bookmaker)).toEqual(['williamhill_us']);
  });

  it('Winnipeg vs Edmonton: wynnbet (−426, updated 01:30:58) is stale at 01:34:38 with a 2-minute limit', () => {
    const c = consensus(eventQuotes(event('Winnipeg Jets')), { maxAgeMs: 120_000, nowMs: CAPTURE_NOW_MS, outlierThreshold: null });
    expect(c.dropped).toEqual([{ bookmaker: 'wynnbet', reason: 'stale', detail: 'last update 2024-03-27T01:30:58.000Z is 220000 ms before now, more than maxAgeMs 120000' }]);
    expect(c.books).toHaveLength(7);
    // no age filter without maxAgeMs/nowMs
    expect(consensus(eventQuotes(event('Winnipeg Jets')), { outlierThreshold: null }).books).toHaveLength(8);
  });

  it('every event of the capture gets a consensus summing to 1 with every method (the disagreeing Florida game aside)', () => {
    for (const e of EVENTS) {
      for (const method of ['multiplicative', 'additive', 'power', 'shin'] as const) {
        const c = consensus(eventQuotes(e), { method, maxOutliersPerKept: null });
        expect(c.outcomes.reduce((a, o) => a + o.fairProbability, 0)).toBeCloseTo(1, 12);
        expect(c.outcomes.every((o) => o.fairProbability > 0 && o.fairProbability < 1)).toBe(true);
      }
    }
  });
});

describe('consensus input handling', () => {
  const q = (bookmaker: string, a: number, b: number, lastUpdateMs = 0, names = ['A', 'B']): BookQuote => ({
    bookmaker,
    lastUpdateMs,
    outcomes: [
      { name: names[0], price: a },
      { name: names[1], price: b },
    ],
  });

  it('drops a book with a different outcome set, a duplicate bookmaker and an invalid price, and reports why', () => {
    const c = consensus([q('x', -110, -110), q('y', -120, 100), q('z', -110, -110, 0, ['A', 'Draw']), q('x', -200, 150), q('w', 50, -110)]);
    expect(c.books.map((b) => b.bookmaker)).toEqual(['x', 'y']);
    expect(c.dropped).toEqual([
      { bookmaker: 'x', reason: 'duplicate_bookmaker', detail: 'a quote from x was already used (quote #3)' },
      { bookmaker: 'z', reason: 'outcome_mismatch', detail: 'outcomes ["A","Draw"] differ from the consensus outcome set ["A","B"]' },
      { bookmaker: 'w', reason: 'invalid_quote', detail: 'outcome "A" price: expected an American price (a finite number with |price| >= 100), got 50' },
    ]);
  });

  it('3-way markets with a draw (decimal prices), outcome order taken from the first book', () => {
    const three = (bookmaker: string, h: number, d: number, a: number): BookQuote => ({
      bookmaker,
      lastUpdateMs: 0,
      outcomes: [
        { name: 'Home', price: h },
        { name: 'Draw', price: d },
        { name: 'Away', price: a },
      ],
    });
    const reordered: BookQuote = { bookmaker: 'r', lastUpdateMs: 0, outcomes: [{ name: 'Away', price: 4.5 }, { name: 'Home', price: 1.85 }, { name: 'Draw', price: 3.5 }] };
    const c = consensus([three('a', 1.8, 3.6, 4.75), three('b', 1.9, 3.4, 4.2), reordered], { priceFormat: 'decimal', method: 'shin' });
    expect(c.outcomes.map((o) => o.name)).toEqual(['Home', 'Draw', 'Away']);
    expect(c.books[2].implied).toEqual([1 / 1.85, 1 / 3.5, 1 / 4.5]);
    expect(c.outcomes.reduce((a, o) => a + o.fairProbability, 0)).toBeCloseTo(1, 12);
  });

  it('drops a book the method rejects (Shin on a book summing below 1) as invalid_quote', () => {
    const c = consensus([q('a', -110, -110), q('b', 105, 105)], { method: 'shin' });
    expect(c.dropped).toHaveLength(1);
    expect(c.dropped[0]).toMatchObject({ bookmaker: 'b', reason: 'invalid_quote' });
    expect(c.dropped[0].detail).toMatch(/^Shin de-vig needs a book sum >= 1/);
  });

  it('throws ConsensusError for bad options and when no book is left', () => {
    expect(() => consensus([q('a', -110, -110)], { maxAgeMs: 1000 })).toThrow('maxAgeMs and nowMs go together');
    expect(() => consensus([q('a', -110, -110)], { outlierThreshold: 0 })).toThrow('outlierThreshold: expected a number in (0,1] or null, got 0');
    expect(() => consensus([q('a', -110, -110)], { method: 'logit' as never })).toThrow(ConsensusError);
    expect(() => consensus([q('a', -110, -110)], { minBooksForOutliers: 2 })).toThrow('minBooksForOutliers');
    expect(() => consensus([])).toThrow(new ConsensusError('no_books', 'no book left for a consensus (0 dropped: no quotes given)'));
    try {
      consensus([q('a', -110, -110, 0)], { maxAgeMs: 10, nowMs: 1000 });
      throw new Error('unreachable');
    } catch (e) {
      expect(e).toBeInstanceOf(ConsensusError);
      expect((e as ConsensusError).code).toBe('no_books');
      expect((e as ConsensusError).dropped.map((d) => d.reason)).toEqual(['stale']);
    }
  });

  it('skips outlier rejection below 3 books and keeps a quote stamped after now', () => {
    const c = consensus([q('a', -110, -110, 5000), q('b', -2000, 900, 0)], { maxAgeMs: 100, nowMs: 100 });
    expect(c.books.map((b) => b.bookmaker)).toEqual(['a', 'b']);
  });

  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('median of an empty list');
  });
});
