/** Kalshi API-key authentication: RSA-PSS request signing and verification. */
export * from './signing';
