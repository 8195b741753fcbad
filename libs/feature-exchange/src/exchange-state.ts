import type { KeyRegistry } from './auth/key-registry';
import type { ReferenceData } from './reference';
import type { ReplayEngine } from './replay/replay-engine';
import type { WsGateway } from './ws/ws-gateway';

/** Injection token of the exchange's live state. */
export const EXCHANGE_STATE = Symbol('EXCHANGE_STATE');

/** Everything the exchange's controllers read: true books, reference data, gateway, keys. */
export interface ExchangeState {
  engine: ReplayEngine;
  gateway: WsGateway;
  reference: ReferenceData;
  keys: KeyRegistry;
}
