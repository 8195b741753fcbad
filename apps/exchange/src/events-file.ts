/**
 * Reads the `--events` file (a Kalshi `GET /events?with_nested_markets=true` body) into the exchange's
 * reference data.
 */
import { referenceEventsFromBody, ReferenceDataError } from '@kalshi-platform/kalshi';
import { inferMarket, RefEvent, RefMarket } from './reference';

/** @throws Error naming the file and the offending field. */
export function eventsFromBody(body: unknown, file: string): Array<{ event: RefEvent; markets: RefMarket[] }> {
  let events;
  try {
    events = referenceEventsFromBody(body);
  } catch (e) {
    throw new Error(`events file ${file}: ${e instanceof ReferenceDataError ? e.message : String(e)}`);
  }
  return events.map((e) => ({
    event: {
      eventTicker: e.eventTicker,
      seriesTicker: e.seriesTicker,
      title: e.title,
      subTitle: e.subTitle ?? '',
      category: e.category ?? '',
      mutuallyExclusive: e.mutuallyExclusive,
      marketTickers: e.markets.map((m) => m.ticker),
    },
    markets: e.markets.map((m) => {
      const inferred = inferMarket(m.ticker);
      return {
        ticker: m.ticker,
        eventTicker: m.eventTicker,
        seriesTicker: e.seriesTicker,
        title: m.title ?? m.ticker,
        yesSubTitle: m.yesSubTitle ?? inferred.yesSubTitle,
        status: m.status ?? 'active',
        priceLevelStructure: m.priceLevelStructure ?? 'linear_cent',
        strikeType: m.strikeType,
        floorStrike: m.floorStrike,
        capStrike: m.capStrike,
      };
    }),
  }));
}
