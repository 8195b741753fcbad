import { BadRequestException, Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ContractError, type ExecutionPortfolioV1, type ExecutionStatusV1, type KillSwitchResultV1 } from '@kalshi-platform/bus';
import { ExecutionService } from './execution.service';

/**
 * HTTP endpoints of the standalone execution app (`EXECUTION_HTTP_PORT`): `GET /healthz`, `GET /status`,
 * `GET /portfolio`, `POST /kill-switch` and `POST /resume` with `{"by": "...", "reason": "..."}`. A malformed body is a
 * 400 naming the field.
 */
@Controller()
export class ExecutionHttpController {
  constructor(private readonly execution: ExecutionService) {}

  @Get('healthz')
  health(): { ok: true } {
    return { ok: true };
  }

  @Get('status')
  status(): ExecutionStatusV1 {
    return this.execution.status();
  }

  @Get('portfolio')
  portfolio(): ExecutionPortfolioV1 {
    return this.execution.portfolio();
  }

  @Post('kill-switch')
  @HttpCode(200)
  async kill(@Body() body: unknown): Promise<KillSwitchResultV1> {
    return badRequestOnContract(() => this.execution.kill({ v: 1, ...(body as object) }));
  }

  @Post('resume')
  @HttpCode(200)
  async resume(@Body() body: unknown): Promise<KillSwitchResultV1> {
    return badRequestOnContract(() => this.execution.resume({ v: 1, ...(body as object) }));
  }
}

async function badRequestOnContract<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ContractError) throw new BadRequestException(e.message);
    throw e;
  }
}
