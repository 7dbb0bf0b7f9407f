import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
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
  list(@Query() query: RecommendationListQueryDto): Promise<RecommendationPageDto> {
    return this.recommendations.list(query);
  }

  @Post('generate')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('recommendation.generate', 'recommendation')
  @ApiOkResponse({ type: RecommendationGenerationResultDto })
  generate(): Promise<RecommendationGenerationResultDto> {
    return this.generator.generate();
  }

  @Get(':id')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: RecommendationDto })
  get(@Param() params: UuidParam): Promise<RecommendationDto> {
    return this.recommendations.get(params.id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('recommendation.approve', 'recommendation')
  @ApiOkResponse({ type: RecommendationDto, description: 'PENDING → APPROVED; 409 from any other status' })
  approve(@Param() params: UuidParam, @CurrentPrincipal() principal: Principal): Promise<RecommendationDto> {
    return this.recommendations.approve(params.id, principal);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('recommendation.reject', 'recommendation')
  @ApiOkResponse({ type: RecommendationDto, description: 'PENDING or APPROVED → REJECTED; 409 from any other status' })
  reject(@Param() params: UuidParam, @Body() body: RecommendationDecisionDto, @CurrentPrincipal() principal: Principal): Promise<RecommendationDto> {
    return this.recommendations.reject(params.id, body.notes, principal);
  }

  @Post(':id/implement')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('recommendation.implement', 'recommendation')
  @ApiOkResponse({
    type: RecommendationDto,
    description: 'Applies an APPROVED recommendation (schedule, TTL, index) and marks it IMPLEMENTED; 409 when not APPROVED or when the configuration changed since (stale)',
  })
  implement(@Param() params: UuidParam, @Body() body: RecommendationDecisionDto, @CurrentPrincipal() principal: Principal): Promise<RecommendationDto> {
    return this.recommendations.implement(params.id, body.notes, principal);
  }
}
