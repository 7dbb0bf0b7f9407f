import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators.js';
import { HealthService } from './health.service.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('operations')
@Public()
@SkipThrottle()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly metrics: MetricsService,
  ) {}

  @Get('health/live')
  @ApiOkResponse({ description: 'The process is up' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @ApiOkResponse({ description: 'Redis and PostgreSQL answer' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; `checks` says which' })
  async ready(@Res({ passthrough: true }) response: Response): Promise<unknown> {
    const result = await this.health.readiness();
    if (result.status !== 'ok') response.status(503);
    return result;
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOkResponse({ description: 'Prometheus text format' })
  render(): Promise<string> {
    return this.metrics.render();
  }
}
