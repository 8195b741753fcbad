export * from './tick-rows';
export { appendTickRow, validateTickRow } from './ilp-rows';
export * from './questdb-writer';
export { FakeQuestDb } from './fake-questdb';
export * from './tick-store';
