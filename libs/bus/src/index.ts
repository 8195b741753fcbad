export * from './partition';
export * from './subjects';
export * from './contracts';
export * from './in-process';
export * from './transport';
export * from './trading';
export * from './jetstream';
export * from './md-stream';
