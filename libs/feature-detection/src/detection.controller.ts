import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { DetectionStatusV1, OpportunityEventV1, subjects } from '@kalshi-platform/bus';
import { DetectionService } from './detection.service';
import type { DetectionSportsbookReport } from './sportsbook-feed';
import { DETECTION_SPORTSBOOK_SUBJECT } from './tokens';

/** Bus endpoints of the detection app. */
@Controller()
export class DetectionController {
  constructor(private readonly detection: DetectionService) {}

  /** Every BBO change from every ticker-plant shard: `book.v1.*.bbo.*`. */
  @EventPattern(subjects.bboAll)
  onBbo(@Payload() data: unknown): void {
    this.detection.onBbo(data);
  }

  @MessagePattern(subjects.detectionStatus)
  status(): DetectionStatusV1 {
    return this.detection.status();
  }

  @MessagePattern(subjects.detectionEpisodes)
  episodes(): OpportunityEventV1[] {
    return this.detection.episodes();
  }

  /** `ctl.v1.detection.sportsbook`: odds source, event matching (matched/unmatched/ambiguous with reasons), consensus, signal counts. */
  @MessagePattern(DETECTION_SPORTSBOOK_SUBJECT)
  sportsbook(): DetectionSportsbookReport {
    return this.detection.sportsbookReport();
  }
}
