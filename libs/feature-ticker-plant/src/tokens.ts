/** Injection token of the TickerPlantConfig. */
export const TICKER_PLANT_CONFIG = Symbol('TICKER_PLANT_CONFIG');
