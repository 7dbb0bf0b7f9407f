import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audited.decorator.js';
import { RequirePermissions } from '../access/auth.decorators.js';
import {
  HourlyUsageDto,
  HourlyUsageQueryDto,
  RollupRequestDto,
  UsagePatternDto,
  UsagePatternQueryDto,
} from './insights.dto.js';
import { UsagePatternsService } from './usage-patterns.service.js';

@ApiTags('admin: monitoring')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/monitoring')
export class UsagePatternsController {
  constructor(private readonly usage: UsagePatternsService) {}

  @Get('usage-patterns')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({
    type: UsagePatternDto,
    isArray: true,
    description: 'Daily usage patterns in the date range, newest first',
  })
  @ApiOperation({
    summary: 'Usage patterns',
    description: 'Daily usage patterns per datasource in the date range, newest first.',
  })
  list(@Query() query: UsagePatternQueryDto): Promise<UsagePatternDto[]> {
    return this.usage.list(query);
  }

  @Post('usage-patterns/rollup')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('usage-pattern.rollup', 'usage-pattern', 'date')
  @ApiOkResponse({ type: UsagePatternDto, isArray: true, description: 'The patterns of that day, one per datasource' })
  @ApiOperation({
    summary: 'Roll up usage now',
    description: 'Computes the usage patterns of one day from the hourly counters, one per datasource.',
  })
  rollup(@Body() body: RollupRequestDto): Promise<UsagePatternDto[]> {
    return this.usage.rollup(body.date);
  }

  @Get('usage/hourly')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({
    type: HourlyUsageDto,
    isArray: true,
    description: 'Hourly query-API counters (kept 8 days), per datasource then hour',
  })
  @ApiOperation({
    summary: 'Hourly usage',
    description: 'Hourly query-API counters (kept 8 days), per datasource then hour.',
  })
  hourly(@Query() query: HourlyUsageQueryDto): Promise<HourlyUsageDto[]> {
    return this.usage.hourly(query);
  }
}
