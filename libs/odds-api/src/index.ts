/** The Odds API v4 client (HTTP, quota tracking, backoff, cache) and a file source of saved responses (issue #5). */
export * from './types';
export * from './errors';
export * from './odds-api-client';
export * from './file-odds-source';
