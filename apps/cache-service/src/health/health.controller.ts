import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { ReadinessResponse } from '@ccc/shared-types';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { Public } from '../access/auth.decorators.js';
import { LivenessDto, ReadinessDto } from './health.dto.js';
import { HealthService } from './health.service.js';
import { MetricsAccess } from './metrics-access.js';
import { MetricsService } from './metrics.service.js';
import { ApiErrorResponses } from '../common/api-errors.js';

@ApiTags('operations')
@Public()
@SkipThrottle()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly metrics: MetricsService,
    private readonly metricsAccess: MetricsAccess,
  ) {}

  @Get('health/live')
  @ApiOkResponse({ type: LivenessDto, description: 'The process is up' })
  @ApiOperation({
    summary: 'Liveness',
    description: 'Answers as long as the process runs; for the orchestrator’s liveness probe.',
  })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @ApiOkResponse({ type: ReadinessDto, description: 'Redis and PostgreSQL answer' })
  @ApiOperation({
    summary: 'Readiness',
    description:
      'Whether Redis, PostgreSQL and (in role all) the warming workers answer; 503 with `checks` saying which does not.',
  })
  @ApiServiceUnavailableResponse({
    type: ReadinessDto,
    description: 'A dependency is down: `status` is error and `checks` says which',
  })
  async ready(@Res({ passthrough: true }) response: Response): Promise<ReadinessResponse> {
    const result = await this.health.readiness();
    if (result.status !== 'ok') response.status(503);
    return result;
  }

  @Get('metrics')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format', schema: { type: 'string' } })
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Metrics in the Prometheus text format. Public by default; METRICS=token asks for METRICS_TOKEN as a bearer token, METRICS=off hides it.',
  })
  @ApiErrorResponses(
    [401, 'UNAUTHENTICATED: METRICS=token and no or another bearer token than METRICS_TOKEN'],
    [404, 'NOT_FOUND: METRICS=off'],
  )
  render(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    this.metricsAccess.assertAllowed(authorization);
    // Set here, not by @Header: a refusal must stay a JSON error body.
    response.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    return this.metrics.render();
  }
}
