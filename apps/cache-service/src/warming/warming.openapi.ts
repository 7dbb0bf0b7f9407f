import { applyDecorators } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-errors.js';

/**
 * The OpenAPI documentation of the warming routes (issue 12: summary, description and route errors on every
 * operation), kept beside the controller so that its routes stay readable: `@WarmingDocs.warm()` and so on sit next
 * to each route's other decorators. The errors every operation can give
 * (400, 401, 403, 429, 503 and, with a body, 413 and 415) are added to the document by documentGlobalBehaviour.
 */
export const WarmingDocs = {
  warm: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Warm a datasource',
        description:
          'Queues a warming job that loads the datasource into a new cache generation and switches to it when complete; the answer carries the job id to follow. Counts against the per-user warming limit.',
      }),
      ApiErrorResponses(404, [
        429,
        'RATE_LIMITED: over the warming limit of this user or API key (or the general one); see Retry-After',
      ]),
    ),
  status: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Warming status',
        description:
          'Warming jobs active right now (queued, running, paused) with their progress, and the most recent finished ones.',
      }),
    ),
  jobs: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Warming job history',
        description: 'Warming jobs by datasource, status and time window, newest first, one page at a time.',
      }),
    ),
  job: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Get a warming job',
        description: 'One warming job with its progress, row counts, timing and failure reason.',
      }),
      ApiErrorResponses(404),
    ),
  pause: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Pause a warming job',
        description: 'Pauses a running job between batches; resume continues where it stopped.',
      }),
      ApiErrorResponses(404, [409, 'CONFLICT: only a running job can be paused']),
    ),
  resume: () =>
    applyDecorators(
      ApiOperation({ summary: 'Resume a warming job', description: 'Continues a paused job where it stopped.' }),
      ApiErrorResponses(404, [409, 'CONFLICT: only a paused job can be resumed']),
    ),
  cancel: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Cancel a warming job',
        description: 'Stops a queued, running or paused job; the live generation stays as it was.',
      }),
      ApiErrorResponses(404, [409, 'CONFLICT: the job has already finished']),
    ),
  schedules: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Warm schedules',
        description: 'Every datasource’s warm schedule (cron, UTC) with its next runs.',
      }),
    ),
  setSchedule: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Set a warm schedule',
        description: 'Sets or (with null) removes the cron schedule (UTC) that warms a datasource.',
      }),
      ApiErrorResponses(404),
    ),
};
