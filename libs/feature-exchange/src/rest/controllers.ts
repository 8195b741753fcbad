/** Every REST controller of the mock exchange (registered by ExchangeModule). */
import { ApiKeysController } from './api-keys.controller';
import { MarketDataController } from './market-data.controller';
import { MarketHistoryController } from './market-history.controller';
import { MockAdminController } from './mock-admin.controller';
import { PortfolioController } from './portfolio.controller';

export const REST_CONTROLLERS = [MarketDataController, MarketHistoryController, PortfolioController, ApiKeysController, MockAdminController];
