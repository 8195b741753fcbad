import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { IngestionStatusV1, subjects } from '@kalshi-platform/bus';
import { FeedService } from './feed.service';

/** Bus endpoints of the ingestion app. */
@Controller()
export class IngestionController {
  constructor(private readonly feed: FeedService) {}

  /** `ctl.v1.ingestion.status` -> IngestionStatusV1 */
  @MessagePattern(subjects.ingestionStatus)
  status(): IngestionStatusV1 {
    return this.feed.status();
  }
}
