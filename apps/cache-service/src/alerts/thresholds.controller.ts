import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { PerformanceThreshold, Principal } from '@ccc/shared-types';
import { Audited } from '../audit/audited.decorator.js';
import { CurrentPrincipal, RequirePermissions } from '../access/auth.decorators.js';
import { UuidParam } from '../common/id-param.dto.js';
import { CreateThresholdDto, ThresholdDto, ThresholdListQueryDto, UpdateThresholdDto } from './threshold.dto.js';
import { ThresholdsService } from './thresholds.service.js';
import { ApiErrorResponses } from '../common/api-errors.js';

@ApiTags('admin: monitoring')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/monitoring/thresholds')
export class ThresholdsController {
  constructor(private readonly thresholds: ThresholdsService) {}

  @Get()
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: ThresholdDto, isArray: true })
  @ApiOperation({
    summary: 'List thresholds',
    description: 'Alert thresholds, optionally only those of one datasource or metric.',
  })
  list(@Query() query: ThresholdListQueryDto): Promise<PerformanceThreshold[]> {
    return this.thresholds.list(query.includeInactive ?? false);
  }

  @Get(':id')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: ThresholdDto })
  @ApiOperation({
    summary: 'Get a threshold',
    description: 'One alert threshold with its warning and critical values.',
  })
  @ApiErrorResponses(404)
  get(@Param() params: UuidParam): Promise<PerformanceThreshold> {
    return this.thresholds.get(params.id);
  }

  @Post()
  @RequirePermissions('settings:write:all')
  @Audited('threshold.create', 'threshold')
  @ApiCreatedResponse({ type: ThresholdDto })
  @ApiOperation({
    summary: 'Create a threshold',
    description: 'Adds an alert threshold for a metric, globally or for one datasource.',
  })
  @ApiErrorResponses([409, 'CONFLICT: an active threshold for this metric and scope already exists'])
  create(@Body() body: CreateThresholdDto, @CurrentPrincipal() principal: Principal): Promise<PerformanceThreshold> {
    return this.thresholds.create(body, principal);
  }

  @Patch(':id')
  @RequirePermissions('settings:write:all')
  @Audited('threshold.update', 'threshold')
  @ApiOkResponse({ type: ThresholdDto })
  @ApiOperation({
    summary: 'Change a threshold',
    description: 'Changes an alert threshold’s values or enables and disables it.',
  })
  @ApiErrorResponses(404, [409, 'CONFLICT: an active threshold for this metric and scope already exists'])
  update(
    @Param() params: UuidParam,
    @Body() body: UpdateThresholdDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<PerformanceThreshold> {
    return this.thresholds.update(params.id, body, principal);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('settings:write:all')
  @Audited('threshold.delete', 'threshold')
  @ApiNoContentResponse()
  @ApiOperation({
    summary: 'Delete a threshold',
    description: 'Removes an alert threshold; alerts it raised stay in the history.',
  })
  @ApiErrorResponses(404)
  remove(@Param() params: UuidParam, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.thresholds.remove(params.id, principal);
  }
}
