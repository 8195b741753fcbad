/** Durable storage of the venue (command journal + projections) through typeorm: PostgreSQL or embedded PGlite. */
export * from './venue-store';
export { projectBatch, type BatchRows } from './projection';
export { bigintNumber, STORE_ENTITIES, JournalRow, AccountRow, OrderRow, FillRow, PositionRow, SettlementRow, ApiKeyRow, type ProjectionRows, type StoreTable } from './entities';
export { STORE_MIGRATIONS, CreateVenueStore1767225600000 } from './migrations';
