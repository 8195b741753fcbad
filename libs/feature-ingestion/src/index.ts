export * from './ingestion.config';
export * from './ingestion.module';
export * from './feed.service';
export * from './tokens';
export * from './md-stream.provider';
