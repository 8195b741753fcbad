import { Controller } from '@nestjs/common';

/** Placeholder: being written. */
@Controller('trade-api/v2')
export class MarketHistoryController {}
