import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { subjects, type ExecutionPortfolioV1, type ExecutionStatusV1, type KillSwitchResultV1, type ReconcileReportV1 } from '@kalshi-platform/bus';
import { ExecutionService } from './execution.service';

/** Bus endpoints of the execution app. */
@Controller()
export class ExecutionController {
  constructor(private readonly execution: ExecutionService) {}

  /** Every trading signal: `signal.v1.trade.*`. */
  @EventPattern(subjects.signalAll)
  onSignal(@Payload() data: unknown): void {
    this.execution.onSignal(data);
  }

  /** BBO changes (marks and the price collar's reference ask). */
  @EventPattern(subjects.bboAll)
  onBbo(@Payload() data: unknown): void {
    this.execution.onBbo(data);
  }

  @MessagePattern(subjects.executionStatus)
  status(): ExecutionStatusV1 {
    return this.execution.status();
  }

  @MessagePattern(subjects.executionPortfolio)
  portfolio(): ExecutionPortfolioV1 {
    return this.execution.portfolio();
  }

  /** Engages the kill switch and cancels every open order (KillSwitchCommandV1). */
  @MessagePattern(subjects.executionKill)
  kill(@Payload() data: unknown): Promise<KillSwitchResultV1> {
    return this.execution.kill(data);
  }

  @MessagePattern(subjects.executionResume)
  resume(@Payload() data: unknown): Promise<KillSwitchResultV1> {
    return this.execution.resume(data);
  }

  @MessagePattern(subjects.executionReconcile)
  reconcile(): Promise<ReconcileReportV1> {
    return this.execution.reconcile('manual');
  }
}
