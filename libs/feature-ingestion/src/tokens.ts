/** Injection token of the IngestionConfig. */
export const INGESTION_CONFIG = Symbol('INGESTION_CONFIG');
