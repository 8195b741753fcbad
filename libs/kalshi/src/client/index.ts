export * from './ws-client';
export * from './rest-client';
