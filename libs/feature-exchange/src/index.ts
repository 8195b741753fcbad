export * from './exchange';
export * from './replay/capture';
export * from './replay/faults';
export * from './replay/replay-engine';
export * from './reference';
export * from './auth/key-registry';
export * from './ws/ws-gateway';
