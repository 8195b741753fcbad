/**
 * The main job end to end on the real demo capture: mock exchange -> loopback WebSocket -> ingestion ->
 * ticker plant -> detection, in-process and over real NATS, with faults.
 */
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

  it('runs the same apps over real NATS', async () => {
    const r = await runPlatform({ capturePath: CAPTURE, eventsPath: null, speed: 'max', dropFrames: 10, seed: 3, shards: 2, natsUrl: NATS_URL, ...quiet });
    expectBooksMatchOracle(r);
    expect(r.stats.gaps_detected).toBeGreaterThan(0);
  });
});
