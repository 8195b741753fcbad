export * from './detection.config';
export * from './detection.module';
export * from './detection.service';
export * from './tokens';
export * from './signals';
export * from './sportsbook-feed';
