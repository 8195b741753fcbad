/**
 * Hand-computed cases for ArbitrageDetector. Prices are ticks (1/10000 dollar): 5500 = $0.55.
 * Fees: Kalshi taker fee 0.07·C·P·(1−P) for C = 1 contract, rounded UP to $0.0001 (1 tick) by default.
 */
import { FEE_ROUNDING_TICKS_CENT, FixedPointError } from '@kalshi-platform/market';
import { ArbitrageDetector, EventRef, MarketQuote } from '../index';

/** Quote with 10 contracts on each non-empty side; pass -1 for an empty side. */
function q(marketTicker: string, yesBidTicks: number, noBidTicks: number): MarketQuote {
  return {
    marketTicker,
    yesBidTicks,
    yesBidSizeCentis: yesBidTicks < 0 ? 0 : 1000,
    noBidTicks,
    noBidSizeCentis: noBidTicks < 0 ? 0 : 1000,
  };
}

function meEvent(eventTicker: string, tickers: string[], mutuallyExclusive = true, seriesTicker?: string): EventRef {
  return { eventTicker, seriesTicker, mutuallyExclusive, markets: tickers.map((marketTicker) => ({ marketTicker, eventTicker })) };
}

describe('cross', () => {
  it('YES bid 0.55 + NO bid 0.47: gross 0.0200, fees 0.0175 + 0.0174, net −0.0149', () => {
    const d = new ArbitrageDetector([]);
    const ev = d.onQuote(q('M', 5500, 4700), 1000);
    expect(ev).toHaveLength(1);
    expect(ev[0].type).toBe('opened');
    // legs: YES at 1 − 0.47 = 0.53, NO at 1 − 0.55 = 0.45; cost 0.98, payout 1.00 → gross 0.0200
    // fee YES: 0.07·0.53·0.47 = 0.017437 → 0.0175;  fee NO: 0.07·0.45·0.55 = 0.017325 → 0.0174
    // net = 0.0200 − (0.0175 + 0.0174) = −0.0149
    expect(ev[0].episode).toEqual({
      key: 'cross||M/yes,M/no',
      kind: 'cross',
      eventTicker: '',
      legs: [
        { marketTicker: 'M', side: 'yes', action: 'buy', priceTicks: 5300 },
        { marketTicker: 'M', side: 'no', action: 'buy', priceTicks: 4500 },
      ],
      openedTsMs: 1000,
      closedTsMs: null,
      maxGrossEdgeTicks: 200,
      maxNetEdgeTicks: -149,
      updates: 0,
    });
    expect(d.openEpisodes()).toEqual([ev[0].episode]);
  });

  it('whole-cent rounding: 0.017437 → 0.02 and 0.017325 → 0.02, net 0.0200 − 0.0400 = −0.0200', () => {
    const d = new ArbitrageDetector([], { feeRoundingTicks: FEE_ROUNDING_TICKS_CENT });
    const [ev] = d.onQuote(q('M', 5500, 4700), 1);
    expect(ev.episode.maxGrossEdgeTicks).toBe(200);
    expect(ev.episode.maxNetEdgeTicks).toBe(-200);
  });

  it('uses the event ticker and the series fee multiplier of the event listing the market', () => {
    const d = new ArbitrageDetector([meEvent('E', ['M', 'N'], false, 'HALF')], { feeBpsBySeries: { HALF: 350 } });
    const [ev] = d.onQuote(q('M', 5500, 4700), 1);
    // fee YES: 0.035·0.53·0.47 = 0.0087185 → 0.0088; fee NO: 0.035·0.45·0.55 = 0.0086625 → 0.0087
    // net = 0.0200 − 0.0175 = 0.0025
    expect(ev.episode.key).toBe('cross|E|M/yes,M/no');
    expect(ev.episode.eventTicker).toBe('E');
    expect(ev.episode.maxNetEdgeTicks).toBe(25);
  });

  it('zero fee rate: net = gross', () => {
    const d = new ArbitrageDetector([], { takerFeeBps: 0 });
    const [ev] = d.onQuote(q('M', 5500, 4700), 1);
    expect(ev.episode.maxNetEdgeTicks).toBe(200);
  });

  it('YES bid + NO bid = exactly $1 is no arbitrage (gross 0)', () => {
    const d = new ArbitrageDetector([]);
    expect(d.onQuote(q('M', 5300, 4700), 1)).toEqual([]);
    expect(d.episodes()).toEqual([]);
  });

  it('an empty side (price −1, or size 0) is not evaluable', () => {
    const d = new ArbitrageDetector([]);
    expect(d.onQuote(q('M', 9000, -1), 1)).toEqual([]);
    expect(d.onQuote({ marketTicker: 'M', yesBidTicks: 9000, yesBidSizeCentis: 500, noBidTicks: 9000, noBidSizeCentis: 0 }, 2)).toEqual([]);
    expect(d.episodes()).toEqual([]);
  });
});

describe('episode lifecycle', () => {
  it('open → update (new max gross) → lower edge (no event) → update (new max net only) → close → reopen as a new episode', () => {
    const d = new ArbitrageDetector([]);
    // t=1: 0.55 + 0.47 → gross 200, net 200 − (175 + 174) = −149
    expect(d.onQuote(q('M', 5500, 4700), 1).map((e) => e.type)).toEqual(['opened']);

    // t=2: 0.56 + 0.47 → gross 300; legs YES 1 − 0.47 = 0.53 (fee 0.0175), NO 1 − 0.56 = 0.44
    //      (fee 0.07·0.44·0.56 = 0.017248 → 0.0173); net = 300 − 348 = −48
    const up = d.onQuote(q('M', 5600, 4700), 2);
    expect(up.map((e) => e.type)).toEqual(['updated']);
    expect(up[0].episode.maxGrossEdgeTicks).toBe(300);
    expect(up[0].episode.maxNetEdgeTicks).toBe(-48);
    expect(up[0].episode.legs.map((l) => l.priceTicks)).toEqual([5300, 4400]);
    expect(up[0].episode.updates).toBe(1);

    // t=3: back to gross 200 / net −149: below both maxima → nothing
    expect(d.onQuote(q('M', 5500, 4700), 3)).toEqual([]);

    // t=4: 0.58 + 0.45 → gross 300 again (not a new max); legs YES 0.55 (fee 0.017325 → 0.0174),
    //      NO 0.42 (fee 0.07·0.42·0.58 = 0.017052 → 0.0171): net = 300 − 345 = −45 > −48 → updated (net only)
    const netUp = d.onQuote(q('M', 5800, 4500), 4);
    expect(netUp.map((e) => e.type)).toEqual(['updated']);
    expect(netUp[0].episode.maxGrossEdgeTicks).toBe(300);
    expect(netUp[0].episode.maxNetEdgeTicks).toBe(-45);
    // legs stay at the first moment of the max gross edge (t=2)
    expect(netUp[0].episode.legs.map((l) => l.priceTicks)).toEqual([5300, 4400]);
    expect(netUp[0].episode.updates).toBe(2);

    // t=5: the same prices again → the shared empty result
    const same1 = d.onQuote(q('M', 5800, 4500), 5);
    const same2 = d.onQuote({ ...q('M', 5800, 4500), yesBidSizeCentis: 1 }, 5); // size change only
    expect(same1).toEqual([]);
    expect(same2).toBe(same1);
    expect(Object.isFrozen(same1)).toBe(true);

    // t=6: 0.52 + 0.47 = 0.99 → closed at 6
    const closed = d.onQuote(q('M', 5200, 4700), 6);
    expect(closed.map((e) => e.type)).toEqual(['closed']);
    expect(closed[0].episode.closedTsMs).toBe(6);
    expect(d.openEpisodes()).toEqual([]);

    // t=7: recurrence → a NEW episode with the same key
    const re = d.onQuote(q('M', 5600, 4700), 7);
    expect(re.map((e) => e.type)).toEqual(['opened']);
    expect(re[0].episode).toMatchObject({ openedTsMs: 7, closedTsMs: null, maxGrossEdgeTicks: 300, updates: 0 });
    const all = d.episodes();
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({ key: 'cross||M/yes,M/no', openedTsMs: 1, closedTsMs: 6, maxGrossEdgeTicks: 300, maxNetEdgeTicks: -45 });
    expect(all[1]).toMatchObject({ key: 'cross||M/yes,M/no', openedTsMs: 7, closedTsMs: null });
  });

  it('event snapshots do not change afterwards', () => {
    const d = new ArbitrageDetector([]);
    const [opened] = d.onQuote(q('M', 5500, 4700), 1);
    d.onQuote(q('M', 5600, 4700), 2);
    expect(opened.episode.maxGrossEdgeTicks).toBe(200);
    expect(opened.episode.legs[1].priceTicks).toBe(4500);
  });

  it('pruneClosed forgets closed episodes only', () => {
    const d = new ArbitrageDetector([]);
    d.onQuote(q('A', 5500, 4700), 1);
    d.onQuote(q('A', 5000, 4700), 2);
    d.onQuote(q('B', 5500, 4700), 3);
    expect(d.pruneClosed()).toBe(1);
    expect(d.episodes().map((e) => e.key)).toEqual(['cross||B/yes,B/no']);
    expect(d.openCount()).toBe(1);
  });
});

describe('basket_yes', () => {
  const events = [meEvent('E', ['A', 'B', 'C'])];
  // NO bids 0.70, 0.75, 0.60 → YES asks 0.30, 0.25, 0.40, sum 0.95 → gross = 1 − 0.95 = 0.0500
  // (YES bids 0.20 keep cross (0.20 + 0.70 < 1) and basket_no (sum 0.60 < 1) out)
  // fees: 0.07·0.30·0.70 = 0.0147; 0.07·0.25·0.75 = 0.013125 → 0.0132; 0.07·0.40·0.60 = 0.0168; sum 0.0447
  // net = 0.0500 − 0.0447 = 0.0053
  it('3 markets: gross 0.0500, net 0.0053, only once every market has a YES ask', () => {
    const d = new ArbitrageDetector(events);
    expect(d.onQuote(q('A', 2000, 7000), 1)).toEqual([]);
    expect(d.onQuote(q('B', 2000, 7500), 2)).toEqual([]); // C never quoted: not evaluable
    const ev = d.onQuote(q('C', 2000, 6000), 3);
    expect(ev).toHaveLength(1);
    expect(ev[0].episode).toEqual({
      key: 'basket_yes|E|A/yes,B/yes,C/yes',
      kind: 'basket_yes',
      eventTicker: 'E',
      legs: [
        { marketTicker: 'A', side: 'yes', action: 'buy', priceTicks: 3000 },
        { marketTicker: 'B', side: 'yes', action: 'buy', priceTicks: 2500 },
        { marketTicker: 'C', side: 'yes', action: 'buy', priceTicks: 4000 },
      ],
      openedTsMs: 3,
      closedTsMs: null,
      maxGrossEdgeTicks: 500,
      maxNetEdgeTicks: 53,
      updates: 0,
    });
  });

  it('an event with a market whose NO side is empty is not evaluable', () => {
    const d = new ArbitrageDetector(events);
    d.onQuote(q('A', 2000, 7000), 1);
    d.onQuote(q('B', 2000, 7500), 2);
    expect(d.onQuote(q('C', 2000, -1), 3)).toEqual([]);
    expect(d.episodes()).toEqual([]);
  });

  it('a non-exclusive event never produces baskets', () => {
    const d = new ArbitrageDetector([meEvent('E', ['A', 'B', 'C'], false)]);
    d.onQuote(q('A', 2000, 7000), 1);
    d.onQuote(q('B', 2000, 7500), 2);
    expect(d.onQuote(q('C', 2000, 6000), 3)).toEqual([]);
    // also with YES bids summing above $1 (would be a basket_no): 0.40 + 0.40 + 0.39 = 1.19
    d.onQuote(q('A', 4000, 5000), 4);
    d.onQuote(q('B', 4000, 5000), 5);
    d.onQuote(q('C', 3900, 5000), 6);
    expect(d.episodes()).toEqual([]);
  });

  it('a mutually exclusive event of one market has no basket', () => {
    const d = new ArbitrageDetector([meEvent('E', ['A'])]);
    expect(d.onQuote(q('A', 2000, 7000), 1)).toEqual([]);
  });
});

describe('basket_no', () => {
  it('3 markets: NO asks 0.60 + 0.65 + 0.70 = 1.95 < n − 1 = 2 → gross 0.0500, net 0.0025', () => {
    // YES bids 0.40, 0.35, 0.30 → NO asks 0.60, 0.65, 0.70; gross = 2 − 1.95 = 0.05 (= sum of YES bids − 1)
    // fees: 0.07·0.60·0.40 = 0.0168; 0.07·0.65·0.35 = 0.015925 → 0.0160; 0.07·0.70·0.30 = 0.0147; sum 0.0475
    // net = 0.0500 − 0.0475 = 0.0025. NO bids 0.50 → YES asks sum 1.50: no basket_yes, no cross.
    const d = new ArbitrageDetector([meEvent('E', ['C', 'A', 'B'])]);
    d.onQuote(q('A', 4000, 5000), 1);
    d.onQuote(q('B', 3500, 5000), 2);
    const ev = d.onQuote(q('C', 3000, 5000), 3);
    expect(ev).toHaveLength(1);
    expect(ev[0].episode).toMatchObject({
      key: 'basket_no|E|A/no,B/no,C/no',
      kind: 'basket_no',
      eventTicker: 'E',
      maxGrossEdgeTicks: 500,
      maxNetEdgeTicks: 25,
    });
    // legs sorted by ticker, whatever the event's list order
    expect(ev[0].episode.legs.map((l) => [l.marketTicker, l.side, l.priceTicks])).toEqual([
      ['A', 'no', 6000],
      ['B', 'no', 6500],
      ['C', 'no', 7000],
    ]);
    // raising A's YES bid to 0.45: gross 0.10 → updated
    const up = d.onQuote(q('A', 4500, 5000), 4);
    expect(up.map((e) => [e.type, e.episode.maxGrossEdgeTicks])).toEqual([['updated', 1000]]);
    // C's YES side empties → not evaluable → closed
    expect(d.onQuote(q('C', -1, 5000), 5).map((e) => [e.type, e.episode.closedTsMs])).toEqual([['closed', 5]]);
  });
});

describe('ladder', () => {
  const events: EventRef[] = [
    {
      eventTicker: 'HI',
      mutuallyExclusive: false,
      markets: [
        { marketTicker: 'HI-T50', eventTicker: 'HI', strikeType: 'greater', floorStrike: 50 },
        { marketTicker: 'HI-T60', eventTicker: 'HI', strikeType: 'greater', floorStrike: 60 },
        { marketTicker: 'HI-B55', eventTicker: 'HI', strikeType: 'between', floorStrike: 55, capStrike: 56 },
      ],
    },
  ];

  it('YES bid(>60) 0.65 > YES ask(>50) 0.62: buy YES >50 at 0.62 + NO >60 at 0.35, gross 0.0300, net −0.0025', () => {
    const d = new ArbitrageDetector(events);
    // >50: YES bid 0.60, NO bid 0.38 → YES ask 0.62 (cross: 0.98, none)
    expect(d.onQuote(q('HI-T50', 6000, 3800), 1)).toEqual([]);
    d.onQuote(q('HI-B55', 9000, 9000), 2); // a crossed 'between' market: a cross only, never a ladder rung
    // >60: YES bid 0.65, NO bid 0.30 → NO ask 0.35 (cross: 0.95, none)
    const ev = d.onQuote(q('HI-T60', 6500, 3000), 3);
    // cost 0.62 + 0.35 = 0.97; payoff: x ≤ 50: 0 + 1; 50 < x ≤ 60: 1 + 1; x > 60: 1 + 0 → min 1 → gross 0.03
    // fees: 0.07·0.62·0.38 = 0.016492 → 0.0165; 0.07·0.35·0.65 = 0.015925 → 0.0160; net = 0.0300 − 0.0325
    expect(ev).toHaveLength(1);
    expect(ev[0].episode).toMatchObject({
      key: 'ladder|HI|HI-T50/yes,HI-T60/no',
      kind: 'ladder',
      eventTicker: 'HI',
      legs: [
        { marketTicker: 'HI-T50', side: 'yes', action: 'buy', priceTicks: 6200 },
        { marketTicker: 'HI-T60', side: 'no', action: 'buy', priceTicks: 3500 },
      ],
      maxGrossEdgeTicks: 300,
      maxNetEdgeTicks: -25,
      openedTsMs: 3,
    });
    expect(d.openEpisodes().map((e) => e.kind).sort()).toEqual(['cross', 'ladder']);
    // the low rung's NO bid drops to 0.34 → YES ask 0.66 > 0.65 → closed
    expect(d.onQuote(q('HI-T50', 6000, 3400), 4).map((e) => [e.type, e.episode.kind])).toEqual([['closed', 'ladder']]);
  });

  it('equal strikes: ≥50 contains >50, so YES bid(>50) > YES ask(≥50) is a ladder', () => {
    const d = new ArbitrageDetector([
      {
        eventTicker: 'E',
        mutuallyExclusive: false,
        markets: [
          { marketTicker: 'GT50', eventTicker: 'E', strikeType: 'greater', floorStrike: 50 },
          { marketTicker: 'GE50', eventTicker: 'E', strikeType: 'greater_or_equal', floorStrike: 50 },
        ],
      },
    ]);
    d.onQuote(q('GE50', 4000, 5200), 1); // YES ask(≥50) = 1 − 0.52 = 0.48
    const ev = d.onQuote(q('GT50', 5000, 4000), 2); // YES bid(>50) = 0.50 → gross 0.02
    expect(ev.map((e) => [e.episode.key, e.episode.maxGrossEdgeTicks])).toEqual([['ladder|E|GE50/yes,GT50/no', 200]]);
  });

  it('the reverse combination (YES on the higher strike + NO on the lower) is never reported', () => {
    const d = new ArbitrageDetector(events);
    d.onQuote(q('HI-T50', 6000, 3800), 1); // YES ask(>50) 0.62, NO ask(>50) 0.40
    d.onQuote(q('HI-T60', 3000, 6500), 2); // YES bid(>60) 0.30 < 0.62: no ladder
    // YES(>60) at 0.35 + NO(>50) at 0.40 costs only 0.75 but pays 0 when 50 < x <= 60: not riskless
    expect(d.episodes()).toEqual([]);
  });
});

describe('stale books', () => {
  it('invalidate closes every episode that depends on the market; a later quote reopens new ones', () => {
    const d = new ArbitrageDetector([meEvent('E', ['A', 'B'])]);
    // A crossed: 0.35 + 0.70 = 1.05 → cross gross 0.05; basket_yes: YES asks 0.30 + 0.25 = 0.55 → gross 0.45
    d.onQuote(q('A', 3500, 7000), 1);
    d.onQuote(q('B', 1000, 7500), 2);
    d.onQuote(q('X', 1000, 1000), 3); // unrelated
    expect(d.openEpisodes().map((e) => e.key)).toEqual(['cross|E|A/yes,A/no', 'basket_yes|E|A/yes,B/yes']);
    const ev = d.invalidate('A', 10);
    expect(ev.map((e) => [e.type, e.episode.key, e.episode.closedTsMs])).toEqual([
      ['closed', 'cross|E|A/yes,A/no', 10],
      ['closed', 'basket_yes|E|A/yes,B/yes', 10],
    ]);
    expect(d.openEpisodes()).toEqual([]);
    expect(d.invalidate('A', 11)).toEqual([]); // already stale
    expect(d.invalidate('NOPE', 11)).toEqual([]); // unknown market
    expect(d.onQuote(q('A', 3500, 7000), 12).map((e) => e.type)).toEqual(['opened', 'opened']);
    expect(d.episodes()).toHaveLength(4);
  });
});

describe('reference data', () => {
  it('arriving after the quotes: opens the basket, re-keys the cross, events come with the next update', () => {
    const d = new ArbitrageDetector([]);
    d.onQuote(q('A', 3500, 7000), 1); // cross||A opens (no reference data yet)
    d.onQuote(q('B', 1000, 7500), 2);
    d.setEvents([meEvent('E', ['A', 'B'])]); // stamped with the last tsMs seen: 2
    expect(d.openEpisodes().map((e) => e.key)).toEqual(['cross|E|A/yes,A/no', 'basket_yes|E|A/yes,B/yes']);
    const ev = d.onQuote(q('Z', 1, 1), 3); // any update delivers the queued events first
    expect(ev.map((e) => [e.type, e.episode.key, e.type === 'closed' ? e.episode.closedTsMs : e.episode.openedTsMs])).toEqual([
      ['closed', 'cross||A/yes,A/no', 2],
      ['opened', 'cross|E|A/yes,A/no', 2],
      ['opened', 'basket_yes|E|A/yes,B/yes', 2],
    ]);
    expect(d.drainEvents()).toEqual([]);
  });

  it('a refresh keeps open episodes whose structure is unchanged and closes those that vanished', () => {
    const d = new ArbitrageDetector([meEvent('E', ['A', 'B'])]);
    d.onQuote(q('A', 1000, 7000), 1);
    d.onQuote(q('B', 1000, 7500), 2);
    const [before] = d.openEpisodes();
    d.setEvents([meEvent('E', ['A', 'B'])], 5);
    expect(d.drainEvents()).toEqual([]);
    expect(d.openEpisodes()).toEqual([before]);
    d.setEvents([meEvent('E', ['A', 'B'], false)], 6); // no longer mutually exclusive
    expect(d.drainEvents().map((e) => [e.type, e.episode.key, e.episode.closedTsMs])).toEqual([['closed', 'basket_yes|E|A/yes,B/yes', 6]]);
  });
});

describe('validation', () => {
  it('rejects prices outside 0..10000 ticks or not integers', () => {
    const d = new ArbitrageDetector([]);
    expect(() => d.onQuote(q('M', 10001, 100), 1)).toThrow(RangeError);
    expect(() => d.onQuote(q('M', 100, 12.5), 1)).toThrow(RangeError);
    expect(() => d.onQuote(q('M', Number.NaN, 100), 1)).toThrow(RangeError);
  });

  it('rejects bad fee options at construction', () => {
    expect(() => new ArbitrageDetector([], { takerFeeBps: -1 })).toThrow(FixedPointError);
    expect(() => new ArbitrageDetector([], { feeRoundingTicks: 0 })).toThrow(FixedPointError);
    expect(() => new ArbitrageDetector([], { feeBpsBySeries: { S: 1.5 } })).toThrow(FixedPointError);
  });
});
