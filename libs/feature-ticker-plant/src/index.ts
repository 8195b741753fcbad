export * from './ticker-plant.config';
export * from './ticker-plant.module';
export * from './book-registry.service';
export * from './tokens';
export * from './assignment';
export * from './handoff.service';
