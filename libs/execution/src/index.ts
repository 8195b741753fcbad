/**
 * Order execution domain (pure: no framework, no I/O, no clock): deterministic `client_order_id`s, the order state
 * machine, the position/PnL ledger built from fills, and the reconciliation diff against the exchange.
 */
export { ExecutionInputError } from './errors';
export * from './client-order-id';
export * from './order-state';
export * from './ledger';
export * from './reconcile';
