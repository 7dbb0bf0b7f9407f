import { Controller, Get, Headers, Res } from '@nestjs/common';
import type { ReadinessResponse } from '@ccc/shared-types';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { Public } from '../access/auth.decorators.js';
import { HealthService } from './health.service.js';
import { MetricsAccess } from './metrics-access.js';
import { MetricsService } from './metrics.service.js';

/**
 * Served by every role, the worker included. Its OpenAPI documentation lives in health.openapi.ts, which only the
 * roles that serve the API load: a worker never loads @nestjs/swagger for it.
 */
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
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  async ready(@Res({ passthrough: true }) response: FastifyReply): Promise<ReadinessResponse> {
    const result = await this.health.readiness();
    if (result.status !== 'ok') response.status(503);
    return result;
  }

  @Get('metrics')
  render(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<string> {
    this.metricsAccess.assertAllowed(authorization);
    // Set here, not by @Header: a refusal must stay a JSON error body.
    response.header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    return this.metrics.render();
  }
}
