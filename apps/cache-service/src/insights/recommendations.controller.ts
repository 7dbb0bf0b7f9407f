import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@ccc/shared-types';
import { Audited } from '../audit/audited.decorator.js';
import { CurrentPrincipal, RequirePermissions } from '../access/auth.decorators.js';
import { UuidParam } from '../common/id-param.dto.js';
import {
  RecommendationDecisionDto,
  RecommendationDto,
  RecommendationGenerationResultDto,
  RecommendationListQueryDto,
  RecommendationPageDto,
} from './insights.dto.js';
import { RecommendationGenerator } from './recommendation-generator.js';
import { RecommendationsService } from './recommendations.service.js';
import { ApiErrorResponses } from '../common/api-errors.js';

@ApiTags('admin: monitoring')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/monitoring/recommendations')
export class RecommendationsController {
  constructor(
    private readonly recommendations: RecommendationsService,
    private readonly generator: RecommendationGenerator,
  ) {}

  @Get()
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: RecommendationPageDto, description: 'PENDING first, then by priority, newest first' })
  @ApiOperation({
    summary: 'List recommendations',
    description: 'Recommendations, PENDING first, then by priority, newest first, one page at a time.',
  })
  list(@Query() query: RecommendationListQueryDto): Promise<RecommendationPageDto> {
    return this.recommendations.list(query);
  }

  @Post('generate')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('recommendation.generate', 'recommendation')
  @ApiOkResponse({ type: RecommendationGenerationResultDto })
  @ApiOperation({
    summary: 'Generate recommendations now',
    description: 'Analyses usage, cache efficiency and slow queries and records new recommendations.',
  })
  generate(): Promise<RecommendationGenerationResultDto> {
    return this.generator.generate();
  }

  @Get(':id')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: RecommendationDto })
  @ApiOperation({
    summary: 'Get a recommendation',
    description: 'One recommendation with its reasoning and proposed change.',
  })
  @ApiErrorResponses(404)
  get(@Param() params: UuidParam): Promise<RecommendationDto> {
    return this.recommendations.get(params.id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('recommendation.approve', 'recommendation')
  @ApiOkResponse({ type: RecommendationDto, description: 'PENDING → APPROVED; 409 from any other status' })
  @ApiOperation({ summary: 'Approve a recommendation', description: 'PENDING → APPROVED.' })
  @ApiErrorResponses(404, [409, 'CONFLICT: the recommendation is not PENDING'])
  approve(@Param() params: UuidParam, @CurrentPrincipal() principal: Principal): Promise<RecommendationDto> {
    return this.recommendations.approve(params.id, principal);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('recommendation.reject', 'recommendation')
  @ApiOkResponse({ type: RecommendationDto, description: 'PENDING or APPROVED → REJECTED; 409 from any other status' })
  @ApiOperation({
    summary: 'Reject a recommendation',
    description: 'PENDING or APPROVED → REJECTED, with an optional comment.',
  })
  @ApiErrorResponses(404, [409, 'CONFLICT: the recommendation is neither PENDING nor APPROVED'])
  reject(
    @Param() params: UuidParam,
    @Body() body: RecommendationDecisionDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RecommendationDto> {
    return this.recommendations.reject(params.id, body.notes, principal);
  }

  @Post(':id/implement')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('recommendation.implement', 'recommendation')
  @ApiOkResponse({
    type: RecommendationDto,
    description:
      'Applies an APPROVED recommendation (schedule, TTL, index) and marks it IMPLEMENTED; 409 when not APPROVED or when the configuration changed since (stale)',
  })
  @ApiOperation({
    summary: 'Implement a recommendation',
    description: 'Applies an APPROVED recommendation’s change (TTL, schedule, index) and marks it IMPLEMENTED.',
  })
  @ApiErrorResponses(404, [409, 'CONFLICT: the recommendation is not APPROVED, is stale or carries no valid change'])
  implement(
    @Param() params: UuidParam,
    @Body() body: RecommendationDecisionDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RecommendationDto> {
    return this.recommendations.implement(params.id, body.notes, principal);
  }
}
