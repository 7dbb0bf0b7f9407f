import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '../access/auth.decorators.js';
import { RollbackResponseDto } from '../analytics-cache/analytics-cache.dto.js';
import { Audited } from '../audit/audited.decorator.js';
import { ApiErrorResponses } from '../common/api-errors.js';
import { NumericIdParam } from '../common/id-param.dto.js';
import { RateLimited } from '../common/rate-limit.js';
import { GenerationRollbackService } from './generation-rollback.service.js';
import { RollbackRequestDto } from './rollback.dto.js';

/** Rollback to the retained previous generation: beside invalidation, with its permission and rate limit. */
@ApiTags('admin: analytics cache')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/analytics/cache')
export class RollbackController {
  constructor(private readonly rollbacks: GenerationRollbackService) {}

  @Post('datasources/:id/rollback')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @RateLimited('invalidation')
  @Audited('cache.rollback', 'datasource', 'id')
  @ApiOkResponse({ type: RollbackResponseDto })
  @ApiOperation({
    summary: 'Roll back to the previous generation',
    description:
      'Makes the generation the last refresh replaced live again, at once (one compare-and-set, as a refresh swaps), while it is retained (GENERATION_RETENTION_SECONDS). The generation rolled back from is retained in its turn: roll back again to roll forward. 409 when none is retained (or it expired), or while a warm of the datasource is queued or running.',
  })
  @ApiErrorResponses(404, 409)
  rollback(@Param() params: NumericIdParam, @Body() body: RollbackRequestDto): Promise<RollbackResponseDto> {
    return this.rollbacks.rollback(params.id, body.generation);
  }
}
