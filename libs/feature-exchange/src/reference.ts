/**
 * Reference data (series, events, markets) served by the mock exchange in replay mode: every market seen
 * in the capture, grouped into events, optionally described by a Kalshi `GET /events?with_nested_markets=true`
 * body (`--events`). Without that file a market's event ticker is its ticker without the last
 * `-`-separated segment (Kalshi's naming: `KXBTCD-26JUL0317-T60499.99` belongs to `KXBTCD-26JUL0317`), its
 * series the first segment, nothing is mutually exclusive, and a last segment `T<number>` is read as an
 * "above strike" market (`strike_type: "greater"`, `floor_strike: <number>`), Kalshi's threshold naming.
 */

/** A market as the mock knows it. */
export interface RefMarket {
  ticker: string;
  eventTicker: string;
  seriesTicker: string;
  title: string;
  yesSubTitle: string;
  status: string;
  priceLevelStructure: string;
  strikeType?: string;
  floorStrike?: number;
  capStrike?: number;
  /** the recorded Kalshi market JSON this market was seeded from (live mode), served with live fields overwritten */
  template?: Record<string, unknown>;
}

/** An event as the mock knows it. */
export interface RefEvent {
  eventTicker: string;
  seriesTicker: string;
  title: string;
  subTitle: string;
  category: string;
  mutuallyExclusive: boolean;
  marketTickers: string[];
  /** the recorded Kalshi event JSON (live mode) */
  template?: Record<string, unknown>;
}

/** Series, events and markets, in a stable order. */
export class ReferenceData {
  readonly markets = new Map<string, RefMarket>();
  readonly events = new Map<string, RefEvent>();
  /** recorded Kalshi series JSON by series ticker (live mode; replay mode infers series from tickers) */
  readonly series = new Map<string, Record<string, unknown>>();

  /**
   * Builds reference data from the capture's tickers plus the events described in an events body.
   * Events from the body keep all their markets (including ones the capture never mentions).
   */
  static build(captureTickers: string[], describedEvents: Array<{ event: RefEvent; markets: RefMarket[] }> = []): ReferenceData {
    const ref = new ReferenceData();
    for (const { event, markets } of describedEvents) {
      ref.events.set(event.eventTicker, { ...event, marketTickers: markets.map((m) => m.ticker) });
      for (const m of markets) ref.markets.set(m.ticker, m);
    }
    for (const t of captureTickers) {
      if (ref.markets.has(t)) continue;
      const m = inferMarket(t);
      ref.markets.set(t, m);
      let e = ref.events.get(m.eventTicker);
      if (!e) {
        e = { eventTicker: m.eventTicker, seriesTicker: m.seriesTicker, title: m.eventTicker, subTitle: '', category: '', mutuallyExclusive: false, marketTickers: [] };
        ref.events.set(e.eventTicker, e);
      }
      e.marketTickers.push(t);
    }
    return ref;
  }
}

/** Infers a market's event, series and strike from its ticker (see the module docstring). */
export function inferMarket(ticker: string): RefMarket {
  const cut = ticker.lastIndexOf('-');
  const eventTicker = cut > 0 ? ticker.slice(0, cut) : ticker;
  const last = cut > 0 ? ticker.slice(cut + 1) : '';
  const seriesTicker = ticker.split('-')[0];
  const m: RefMarket = { ticker, eventTicker, seriesTicker, title: ticker, yesSubTitle: last, status: 'active', priceLevelStructure: 'linear_cent' };
  const strike = /^T(\d+(?:\.\d+)?)$/.exec(last);
  if (strike) {
    m.strikeType = 'greater';
    m.floorStrike = Number(strike[1]);
  }
  return m;
}
