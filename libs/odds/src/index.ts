/** Sportsbook odds (issue #5): formats, de-vig, consensus, The Odds API v4 response decoding. Domain: no framework, no I/O. */
export * from './errors';
export * from './formats';
export * from './devig';
export * from './consensus';
export * from './decode';
export * from './matching';
