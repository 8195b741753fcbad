/** Injection token of the IngestionConfig. */
export const INGESTION_CONFIG = Symbol('INGESTION_CONFIG');
/** Injection token of the ingestion app's BusTransport. */
export const INGESTION_TRANSPORT = Symbol('INGESTION_TRANSPORT');
