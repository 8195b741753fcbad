import type { BboV1, BookLevelV1, BookSnapshotV1, ExecutionStatusV1, FillV1, OpportunityEventV1 } from '@kalshi-platform/bus';
import { ConsoleState, formatRealTicks } from './console-state';

const T = 'KXNEXTTEAMNBA-26LJAM-GSW';
const snap = (yes: Array<[number, number]>, no: Array<[number, number]>): BookSnapshotV1 => ({ v: 1, marketTicker: T, sid: 1, seq: 1, yes, no, tsMs: 0 });
const bbo = (yesBid: number, yesSize: number, noBid: number, noSize: number, tsMs: number): BboV1 => ({ v: 1, marketTicker: T, valid: true, yesBidTicks: yesBid, yesBidSizeCentis: yesSize, noBidTicks: noBid, noBidSizeCentis: noSize, tsMs });
const level = (side: 'yes' | 'no', priceTicks: number, sizeCentis: number, tsMs = 1_782_873_105_000): BookLevelV1 => ({ v: 1, marketTicker: T, side, priceTicks, sizeCentis, tsMs });

describe('ConsoleState', () => {
  it('formats the book from integer units, YES asks from NO bids, best first', () => {
    const s = new ConsoleState({ ladderDepth: 2 });
    s.onBookSnapshot(snap([[4500, 100], [4600, 250], [4700, 629137]], [[5000, 10], [5200, 2394590]]));
    s.onBbo(bbo(4700, 629137, 5200, 2394590, 1_782_873_105_308));
    const [m] = s.snapshot().markets;
    expect(m).toMatchObject({ ticker: T, valid: true, bid: '0.4700', bidSize: '6291.37', ask: '0.4800', askSize: '23945.90', spread: '0.0100', changed: [] });
    expect(m.ladder.bids).toEqual([
      { key: 'yes:4700', price: '0.4700', size: '6291.37' },
      { key: 'yes:4600', price: '0.4600', size: '2.50' },
    ]);
    expect(m.ladder.asks).toEqual([
      { key: 'no:5200', price: '0.4800', size: '23945.90' },
      { key: 'no:5000', price: '0.5000', size: '0.10' },
    ]);
    expect(s.snapshot().history[T]).toEqual([[1_782_873_105, 4700, 4800]]);
  });

  it('sends each market at most once per update, with the levels that changed since the last one', () => {
    const s = new ConsoleState();
    s.onBookSnapshot(snap([[4700, 100]], [[5200, 100]]));
    s.takeUpdate();
    s.onLevel(level('yes', 4700, 300));
    s.onLevel(level('yes', 4800, 50));
    s.onLevel(level('no', 5200, 0)); // removed
    const u = s.takeUpdate()!;
    expect(u.markets).toHaveLength(1);
    expect(u.markets![0].changed.sort()).toEqual(['no:5200', 'yes:4700', 'yes:4800']);
    expect(u.markets![0].ladder.bids.map((l) => l.price)).toEqual(['0.4800', '0.4700']);
    expect(u.markets![0].ladder.asks).toEqual([]);
    expect(u.markets![0].levelUpdates).toBe(3);
    expect(s.takeUpdate()).toBeNull();
  });

  it('keeps one chart point per exchange second, never going back in time', () => {
    const s = new ConsoleState();
    s.onBbo(bbo(4700, 1, 5200, 1, 10_100));
    s.onBbo(bbo(4600, 1, 5200, 1, 10_900)); // same second: replaces
    s.onBbo(bbo(4500, 1, 5300, 1, 11_000));
    s.onBbo(bbo(4400, 1, 0, 0, 9_000)); // older: ignored for the chart
    expect(s.snapshot().history[T]).toEqual([
      [10, 4600, 4800],
      [11, 4500, 4700],
    ]);
  });

  it('tracks opportunity episodes as they open, update and close; counts malformed messages', () => {
    const s = new ConsoleState();
    const ev = (type: OpportunityEventV1['type'], net: number, closed: number | null): OpportunityEventV1 => ({
      v: 1,
      type,
      kind: 'basket_yes',
      key: 'basket_yes:E',
      eventTicker: 'E',
      legs: [{ marketTicker: 'E-A', side: 'yes', action: 'buy', priceTicks: 2600 }],
      openedTsMs: 5,
      closedTsMs: closed,
      maxGrossEdgeTicks: 900,
      maxNetEdgeTicks: net,
    });
    s.onOpportunity(ev('opened', 491, null), 1);
    expect(s.takeUpdate()!.opportunities).toEqual([expect.objectContaining({ state: 'open', gross: '0.0900', net: '0.0491', legs: [{ market: 'E-A', side: 'yes', action: 'buy', price: '0.2600' }] })]);
    s.onOpportunity(ev('closed', 491, 9), 2);
    expect(s.takeUpdate()!.opportunities![0]).toMatchObject({ state: 'closed', closedTsMs: 9, updates: 2, seenMs: 1 });
    s.onOpportunity({ v: 2 });
    s.onBbo({ v: 1, marketTicker: T });
    expect(s.snapshot().counters.malformed).toBe(2);
  });

  it('formats fills, the kill switch and health from the status replies', () => {
    const s = new ConsoleState();
    const fill: FillV1 = { v: 1, fillId: 't:o', tradeId: 't', orderId: 'o', clientOrderId: null, marketTicker: T, side: 'yes', action: 'buy', priceTicks: 1700, countCentis: 552, feeMicros: 54_600, isTaker: true, tsMs: 1 };
    s.onFill(fill);
    s.onFill(fill); // once per fill id
    expect(s.snapshot().fills).toEqual([{ id: 't:o', market: T, side: 'yes', action: 'buy', price: '0.1700', count: '5.52', fee: '0.054600', taker: true, ours: false, tsMs: 1 }]);
    const execution = {
      v: 1,
      mode: 'paper',
      route: 'rest',
      signalsReceived: 1,
      signalsIgnored: 1,
      ordersSent: 0,
      ordersByStatus: { pending: 0, resting: 0, partially_filled: 0, executed: 0, canceled: 0, rejected: 0 },
      fills: 2,
      breaker: { state: 'open', transitions: 1 },
      killSwitch: { engaged: true, by: 'ops', reason: 'test', atMs: 7 },
      exchangeErrors: 0,
    } as unknown as ExecutionStatusV1;
    s.onStatus({ ingestion: new Error('no responders for ctl.v1.ingestion.status'), shards: [], detection: new Error('timeout'), execution, portfolio: null, atMs: 1 });
    const snap1 = s.snapshot();
    expect(snap1.kill).toEqual({ engaged: true, by: 'ops', reason: 'test', atMs: 7, breaker: 'open', mode: 'paper' });
    expect(snap1.health.map((h) => [h.name, h.ok])).toEqual([
      ['ingestion (feed)', false],
      ['detection', false],
      ['execution (paper, rest)', false],
    ]);
    expect(snap1.health[0].summary).toContain('no responders');
    s.onFeedClosed();
    const snap2 = s.snapshot();
    expect(snap2.kill.engaged).toBeNull();
    expect(snap2.health.every((h) => !h.ok && h.summary.startsWith('stopped'))).toBe(true);
  });

  it('rounds the real-valued ticks of a signal to micro-dollars once', () => {
    expect(formatRealTicks(491.23456)).toBe('0.049123');
    expect(formatRealTicks(-12.5)).toBe('-0.001250');
  });
});
