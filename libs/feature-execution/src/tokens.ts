/** Injection token of the ExecutionConfig. */
export const EXECUTION_CONFIG = Symbol('EXECUTION_CONFIG');
/** Injection token of the ExecutionDeps (store, route, REST and WebSocket clients). */
export const EXECUTION_DEPS = Symbol('EXECUTION_DEPS');
