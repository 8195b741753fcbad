/**
 * The main job end to end on the real demo capture: mock exchange -> loopback WebSocket -> ingestion ->
 * ticker plant -> detection, in-process and over real NATS, with faults.
 */
import { resolve } from 'node:path';
import { runPlatform } from '../src/platform';
import { CAPTURE, expectBooksMatchOracle } from './oracle';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const quiet = { logLevels: [] as never[] };

describe('platform (all-in-one)', () => {
  it('replays the demo capture in-process: books equal the oracle, every frame counted', async () => {
    const r = await runPlatform({ capturePath: CAPTURE, eventsPath: null, speed: 'max', dropFrames: 0, seed: 1, shards: 1, ...quiet });
    expectBooksMatchOracle(r);
    // 5 snapshots + 2,885 deltas, plus the subscribed reply; no gap in a clean replay
    expect(r.stats.snapshots).toBe(5);
    expect(r.stats.deltas).toBe(2885);
    expect(r.stats.frames).toBe(5 + 2885 + 1);
    expect(r.stats.gaps_detected).toBe(0);
    expect(r.stats.resyncs).toBe(0);
    expect(r.stats.malformed).toBe(0);
    expect(r.input).toEqual({ capture: CAPTURE, events: null });
  });

  it('detects dropped frames as seq gaps, resyncs from snapshots, and still ends exact', async () => {
    const r = await runPlatform({ capturePath: CAPTURE, eventsPath: null, speed: 'max', dropFrames: 25, seed: 7, shards: 3, ...quiet });
    expectBooksMatchOracle(r);
    expect(r.stats.gaps_detected).toBeGreaterThan(0);
    expect(r.stats.gaps_detected).toBeLessThanOrEqual(25);
    expect(r.stats.resyncs).toBeGreaterThan(0); // several gaps may share one resync when they come before the snapshots
    expect(r.stats.deltas).toBe(2885 - 25);
  });

  it('survives a WebSocket disconnect mid-stream (reconnect, resubscribe, snapshots)', async () => {
    const r = await runPlatform({ capturePath: CAPTURE, eventsPath: null, speed: 'max', dropFrames: 0, seed: 1, shards: 2, disconnectAfterFrames: 1200, ...quiet });
    expectBooksMatchOracle(r);
    expect(r.stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(r.stats.resyncs).toBeGreaterThanOrEqual(3);
  });

  it('reports a basket episode when the events file declares the event mutually exclusive', async () => {
    const events = resolve(__dirname, 'fixtures/events-demo-capture-handmade.json');
    const r = await runPlatform({ capturePath: CAPTURE, eventsPath: events, speed: 'max', dropFrames: 0, seed: 1, shards: 1, ...quiet });
    expectBooksMatchOracle(r);
    // Final YES asks: CLE 0.26, GSW 0.48, MIA 0.17 -> cost 0.91, gross edge 1 - 0.91 = 0.0900.
    // Taker fees for one contract, rounded up to $0.0001: 0.07*0.26*0.74 = 0.013468 -> 0.0135,
    // 0.07*0.48*0.52 = 0.017472 -> 0.0175, 0.07*0.17*0.83 = 0.009877 -> 0.0099; net = 0.0900 - 0.0409 = 0.0491.
    // The asks never improve during the capture, so the maximum is the final value. The basket became
    // evaluable with the last snapshot, before any frame carried ts_ms, hence opened_ts_ms 0.
    expect(r.opportunities).toEqual([
      {
        kind: 'basket_yes',
        event_ticker: 'KXNEXTTEAMNBA-26LJAM',
        legs: [
          { market_ticker: 'KXNEXTTEAMNBA-26LJAM-CLE', side: 'yes', action: 'buy', price_dollars: '0.2600' },
          { market_ticker: 'KXNEXTTEAMNBA-26LJAM-GSW', side: 'yes', action: 'buy', price_dollars: '0.4800' },
          { market_ticker: 'KXNEXTTEAMNBA-26LJAM-MIA', side: 'yes', action: 'buy', price_dollars: '0.1700' },
        ],
        opened_ts_ms: 0,
        closed_ts_ms: null,
        max_gross_edge_dollars: '0.0900',
        max_net_edge_dollars: '0.0491',
      },
    ]);
    // the non-exclusive BTC event gets no basket, and its two strikes never invert (0.19 bid above vs 0.23 ask below)
    expect(r.opportunities.some((o) => o.event_ticker === 'KXBTCD-26JUL0317')).toBe(false);
  });

  it('runs the same apps over real NATS', async () => {
    const r = await runPlatform({ capturePath: CAPTURE, eventsPath: null, speed: 'max', dropFrames: 10, seed: 3, shards: 2, natsUrl: NATS_URL, ...quiet });
    expectBooksMatchOracle(r);
    expect(r.stats.gaps_detected).toBeGreaterThan(0);
  });
});
