/**
 * Reads the `--events` file (a Kalshi `GET /events?with_nested_markets=true` body) into the exchange's
 * reference data.
 */
import { decodeEventsList } from '@kalshi-platform/kalshi';
import { inferMarket, RefEvent, RefMarket } from './reference';

/** @throws Error naming the file and the offending field. */
export function eventsFromBody(body: unknown, file: string): Array<{ event: RefEvent; markets: RefMarket[] }> {
  const r = decodeEventsList(body);
  if (!r.ok) throw new Error(`events file ${file}: not a GET /events body: ${r.error.message}`);
  return r.value.events.map((e) => ({
    event: {
      eventTicker: e.eventTicker,
      seriesTicker: e.seriesTicker,
      title: e.title,
      subTitle: e.subTitle ?? '',
      category: e.category ?? '',
      mutuallyExclusive: e.mutuallyExclusive,
      marketTickers: (e.markets ?? []).map((m) => m.ticker),
    },
    markets: (e.markets ?? []).map((m) => {
      const inferred = inferMarket(m.ticker);
      return {
        ticker: m.ticker,
        eventTicker: m.eventTicker,
        seriesTicker: e.seriesTicker,
        title: m.title ?? m.ticker,
        yesSubTitle: m.yesSubTitle ?? inferred.yesSubTitle,
        status: m.status,
        priceLevelStructure: m.priceLevelStructure,
        strikeType: m.strikeType,
        floorStrike: m.floorStrike,
        capStrike: m.capStrike,
      };
    }),
  }));
}
