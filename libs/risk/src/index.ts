/** Pre-trade risk checks, circuit breaker and kill switch (issue #5). Domain: no framework, no I/O. */
export * from './limits';
export * from './rate';
export * from './circuit-breaker';
export * from './kill-switch';
export * from './risk-gate';
