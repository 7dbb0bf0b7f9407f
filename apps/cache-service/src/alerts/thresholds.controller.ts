import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { PerformanceThreshold, Principal } from '@ccc/shared-types';
import { Audited } from '../audit/audited.decorator.js';
import { CurrentPrincipal, RequirePermissions } from '../access/auth.decorators.js';
import { UuidParam } from '../common/id-param.dto.js';
import { CreateThresholdDto, ThresholdDto, ThresholdListQueryDto, UpdateThresholdDto } from './threshold.dto.js';
import { ThresholdsService } from './thresholds.service.js';

@ApiTags('admin: monitoring')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/monitoring/thresholds')
export class ThresholdsController {
  constructor(private readonly thresholds: ThresholdsService) {}

  @Get()
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: ThresholdDto, isArray: true })
  list(@Query() query: ThresholdListQueryDto): Promise<PerformanceThreshold[]> {
    return this.thresholds.list(query.includeInactive ?? false);
  }

  @Get(':id')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: ThresholdDto })
  get(@Param() params: UuidParam): Promise<PerformanceThreshold> {
    return this.thresholds.get(params.id);
  }

  @Post()
  @RequirePermissions('settings:write:all')
  @Audited('threshold.create', 'threshold')
  @ApiCreatedResponse({ type: ThresholdDto })
  create(@Body() body: CreateThresholdDto, @CurrentPrincipal() principal: Principal): Promise<PerformanceThreshold> {
    return this.thresholds.create(body, principal);
  }

  @Patch(':id')
  @RequirePermissions('settings:write:all')
  @Audited('threshold.update', 'threshold')
  @ApiOkResponse({ type: ThresholdDto })
  update(@Param() params: UuidParam, @Body() body: UpdateThresholdDto, @CurrentPrincipal() principal: Principal): Promise<PerformanceThreshold> {
    return this.thresholds.update(params.id, body, principal);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('settings:write:all')
  @Audited('threshold.delete', 'threshold')
  @ApiNoContentResponse()
  remove(@Param() params: UuidParam, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.thresholds.remove(params.id, principal);
  }
}
