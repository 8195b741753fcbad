/** Kalshi API-key authentication: RSA-PSS request signing and verification. */
export * from './signing';
export * from './credentials-env';
