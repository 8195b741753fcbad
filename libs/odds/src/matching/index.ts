/** Kalshi game-winner events ↔ The Odds API events: alias tables, fuzzy names, time window, overrides. */
export * from './errors';
export * from './normalize';
export * from './teams';
export * from './match';
