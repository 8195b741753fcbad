import 'reflect-metadata';
import { InProcessBroker, InProcessClient, OpportunityEventV1, subjects } from '@kalshi-platform/bus';
import type { KalshiEvent } from '@kalshi-platform/kalshi';
import { detectionConfigFromEnv } from './detection.config';
import { DetectionService, toEventRef } from './detection.service';

describe('detection configuration', () => {
  it('defaults to Kalshi taker fees rounded to $0.0001 and names bad variables', () => {
    expect(detectionConfigFromEnv({ KALSHI_REST_URL: 'http://x' })).toEqual({ restUrl: 'http://x', takerFeeBps: 700, feeRoundingTicks: 1 });
    expect(() => detectionConfigFromEnv({})).toThrow(/KALSHI_REST_URL is required/);
    expect(() => detectionConfigFromEnv({ KALSHI_REST_URL: 'x', DETECTION_FEE_ROUNDING_TICKS: '0' })).toThrow(/DETECTION_FEE_ROUNDING_TICKS must be >= 1/);
    expect(() => detectionConfigFromEnv({ KALSHI_REST_URL: 'x', DETECTION_TAKER_FEE_BPS: '-1' })).toThrow(/DETECTION_TAKER_FEE_BPS/);
  });
});

describe('DetectionService', () => {
  it('turns BBO messages into opportunity events on the bus, and stale books close them', () => {
    const broker = new InProcessBroker({ cloneMessages: true });
    const out: OpportunityEventV1[] = [];
    broker.subscribe(subjects.opportunityAll, (_s, d) => out.push(d as OpportunityEventV1));
    const svc = new DetectionService({ restUrl: 'http://unused', takerFeeBps: 700, feeRoundingTicks: 1 }, new InProcessClient(broker));
    // a crossed book: YES bid 0.55 + NO bid 0.47 = 1.02 > $1 -> cross, gross 0.0200
    svc.onBbo({ v: 1, marketTicker: 'KX-A', valid: true, yesBidTicks: 5500, yesBidSizeCentis: 100, noBidTicks: 4700, noBidSizeCentis: 100, tsMs: 100 });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ v: 1, type: 'opened', kind: 'cross', openedTsMs: 100, closedTsMs: null, maxGrossEdgeTicks: 200 });
    svc.onBbo({ v: 1, marketTicker: 'KX-A', valid: false, yesBidTicks: -1, yesBidSizeCentis: 0, noBidTicks: -1, noBidSizeCentis: 0, tsMs: 101 });
    expect(out[1]).toMatchObject({ type: 'closed', kind: 'cross', closedTsMs: 101 });
    svc.onBbo({ v: 2 });
    expect(svc.status()).toMatchObject({ consumed: 3, rejected: 1, openEpisodes: 0, episodes: 1 });
  });

  it('maps Kalshi events to the detector reference data', () => {
    const e = {
      eventTicker: 'KXBTCD-26JUL0317',
      seriesTicker: 'KXBTCD',
      title: 't',
      mutuallyExclusive: false,
      markets: [{ ticker: 'KXBTCD-26JUL0317-T60499.99', eventTicker: 'KXBTCD-26JUL0317', strikeType: 'greater', floorStrike: 60499.99 }],
    } as unknown as KalshiEvent;
    expect(toEventRef(e)).toEqual({
      eventTicker: 'KXBTCD-26JUL0317',
      seriesTicker: 'KXBTCD',
      mutuallyExclusive: false,
      markets: [{ marketTicker: 'KXBTCD-26JUL0317-T60499.99', eventTicker: 'KXBTCD-26JUL0317', strikeType: 'greater', floorStrike: 60499.99, capStrike: undefined }],
    });
  });
});
