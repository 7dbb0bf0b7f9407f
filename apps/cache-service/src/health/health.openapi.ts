import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-errors.js';
import { HealthController } from './health.controller.js';
import { LivenessDto, ReadinessDto } from './health.dto.js';

/**
 * The OpenAPI documentation of the health routes, applied to HealthController when this module is loaded. It is
 * kept out of the controller because every role serves these routes but only the roles that serve the API
 * (all, api) describe them: a worker loads neither this file nor @nestjs/swagger (docs/scaling.md, process size).
 * Loaded once per process (an ES module is evaluated once), so the decorators are never applied twice.
 */
function documentRoute(route: 'live' | 'ready' | 'render', ...decorators: MethodDecorator[]): void {
  const prototype = HealthController.prototype;
  applyDecorators(...decorators)(prototype, route, Object.getOwnPropertyDescriptor(prototype, route)!);
}

ApiTags('operations')(HealthController);
documentRoute(
  'live',
  ApiOkResponse({ type: LivenessDto, description: 'The process is up' }),
  ApiOperation({
    summary: 'Liveness',
    description: 'Answers as long as the process runs; for the orchestrator’s liveness probe.',
  }),
);
documentRoute(
  'ready',
  ApiOkResponse({ type: ReadinessDto, description: 'Redis and PostgreSQL answer' }),
  ApiOperation({
    summary: 'Readiness',
    description:
      'Whether Redis, PostgreSQL and (in role all) the warming workers answer; 503 with `checks` saying which does not.',
  }),
  ApiServiceUnavailableResponse({
    type: ReadinessDto,
    description: 'A dependency is down: `status` is error and `checks` says which',
  }),
);
documentRoute(
  'render',
  ApiProduces('text/plain'),
  ApiOkResponse({ description: 'Prometheus text format', schema: { type: 'string' } }),
  ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Metrics in the Prometheus text format. Public by default; METRICS=token asks for METRICS_TOKEN as a bearer token, METRICS=off hides it.',
  }),
  ApiErrorResponses(
    [401, 'UNAUTHENTICATED: METRICS=token and no or another bearer token than METRICS_TOKEN'],
    [404, 'NOT_FOUND: METRICS=off'],
  ),
);
