import type { OrderBook } from '@kalshi-platform/market';
import type { KeyRegistry } from './auth/key-registry';
import type { FaultController } from './faults/fault-spec';
import type { ReferenceData } from './reference';
import type { ReplayEngine } from './replay/replay-engine';
import type { OrderLedger } from './rest/portfolio-json';
import type { VenueStore } from './store';
import type { Venue } from './venue/venue';
import type { WsGateway } from './ws/ws-gateway';

/** Injection token of the exchange's live state. */
export const EXCHANGE_STATE = Symbol('EXCHANGE_STATE');

/** `live`: a matching venue seeded from real fixtures; `replay`: a recorded capture played back. */
export type ExchangeMode = 'live' | 'replay';

/** Everything the exchange's controllers read. */
export interface ExchangeState {
  mode: ExchangeMode;
  /** books served by REST and WS: the venue's mirror books (live) or the replay's true books (replay) */
  books: ReadonlyMap<string, OrderBook>;
  /** Kalshi `market_id` of a market, if known */
  marketId(marketTicker: string): string | undefined;
  /** replay mode only */
  replay: ReplayEngine | null;
  /** the matching venue (replay mode: an empty one; orders are refused with unknown_market) */
  venue: Venue;
  /** every order since the journal began (the engine keeps only live ones), for the portfolio endpoints */
  ledger: OrderLedger;
  gateway: WsGateway;
  reference: ReferenceData;
  keys: KeyRegistry;
  faults: FaultController;
  /** durable store (null = memory only) */
  store: VenueStore | null;
}
