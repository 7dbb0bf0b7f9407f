import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@ccc/shared-types';
import { Audited } from '../audit/audited.decorator.js';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators.js';
import { NumericIdParam } from '../common/id-param.dto.js';
import { RateLimited } from '../common/rate-limit.js';
import { WarmingService } from '../warming/warming.service.js';
import {
  CacheHealthResponseDto,
  CacheStatsResponseDto,
  DatasourceCacheDetailsDto,
  DatasourceIdParam,
  InvalidateRequestDto,
  InvalidateResponseDto,
  JobIdParam,
  UpdateWarmScheduleDto,
  WarmingJobDto,
  WarmingJobPageDto,
  WarmingJobQueryDto,
  WarmingStatusResponseDto,
  WarmRequestDto,
  WarmResponseDto,
  WarmScheduleDto,
} from './analytics-cache.dto.js';
import { AnalyticsCacheService } from './analytics-cache.service.js';
import { ApiErrorResponses } from '../common/api-errors.js';

@ApiTags('admin: analytics cache')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/analytics/cache')
export class AnalyticsCacheController {
  constructor(
    private readonly cache: AnalyticsCacheService,
    private readonly warming: WarmingService,
  ) {}

  @Get('stats')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: CacheStatsResponseDto })
  @ApiOperation({ summary: 'Cache statistics', description: 'Entries, memory, hits and misses of the analytics cache, in total and per datasource.' })
  stats(): Promise<CacheStatsResponseDto> {
    return this.cache.stats();
  }

  @Post('warm')
  @HttpCode(202)
  @RequirePermissions('settings:write:all')
  @RateLimited('warming')
  @Audited('cache.warm', 'datasource', 'datasourceId')
  @ApiAcceptedResponse({ type: WarmResponseDto })
  warm(@Body() body: WarmRequestDto, @CurrentPrincipal() principal: Principal): Promise<WarmResponseDto> {
    return this.warming.requestWarm({
      datasourceIds: body.datasourceId === undefined ? 'all' : [body.datasourceId],
      force: body.force ?? false,
      warmingType: body.datasourceId === undefined ? 'WARM_ALL' : 'MANUAL',
      principal,
    });
  }

  @Get('warming/status')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: WarmingStatusResponseDto })
  warmingStatus(): Promise<WarmingStatusResponseDto> {
    return this.warming.status();
  }

  @Get('warming/jobs')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: WarmingJobPageDto })
  history(@Query() query: WarmingJobQueryDto): Promise<WarmingJobPageDto> {
    return this.warming.history(query);
  }

  @Get('warming/jobs/:jobId')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: WarmingJobDto })
  job(@Param() params: JobIdParam): Promise<WarmingJobDto> {
    return this.warming.job(params.jobId);
  }

  @Post('warming/jobs/:jobId/pause')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('cache.warm_pause', 'warming_job', 'jobId')
  @ApiOkResponse({ type: WarmingJobDto })
  pause(@Param() params: JobIdParam): Promise<WarmingJobDto> {
    return this.warming.pause(params.jobId);
  }

  @Post('warming/jobs/:jobId/resume')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('cache.warm_resume', 'warming_job', 'jobId')
  @ApiOkResponse({ type: WarmingJobDto })
  resume(@Param() params: JobIdParam): Promise<WarmingJobDto> {
    return this.warming.resume(params.jobId);
  }

  @Post('warming/jobs/:jobId/cancel')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('cache.warm_cancel', 'warming_job', 'jobId')
  @ApiOkResponse({ type: WarmingJobDto })
  cancel(@Param() params: JobIdParam): Promise<WarmingJobDto> {
    return this.warming.cancel(params.jobId);
  }

  @Get('schedules')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: WarmScheduleDto, isArray: true })
  schedules(): Promise<WarmScheduleDto[]> {
    return this.warming.schedules();
  }

  @Put('schedules/:datasourceId')
  @RequirePermissions('settings:write:all')
  @Audited('cache.schedule_update', 'datasource', 'datasourceId')
  @ApiOkResponse({ type: WarmScheduleDto })
  setSchedule(@Param() params: DatasourceIdParam, @Body() body: UpdateWarmScheduleDto): Promise<WarmScheduleDto> {
    return this.warming.setSchedule(params.datasourceId, body.cron);
  }

  @Post('invalidate')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @RateLimited('invalidation')
  @Audited('cache.invalidate', 'datasource', 'datasourceId')
  @ApiOkResponse({ type: InvalidateResponseDto })
  @ApiOperation({ summary: 'Invalidate cached data', description: 'Drops the cached data of one datasource (or all): the next queries read the database until the cache is warmed again.' })
  @ApiErrorResponses(404)
  invalidate(@Body() body: InvalidateRequestDto): Promise<InvalidateResponseDto> {
    return this.cache.invalidate(body);
  }

  @Get('health')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: CacheHealthResponseDto })
  @ApiOperation({ summary: 'Cache health', description: 'The cache’s overall health and the state of each datasource (cold, warming, warm, stale).' })
  health(): Promise<CacheHealthResponseDto> {
    return this.cache.health();
  }

  @Get('datasources/:id')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: DatasourceCacheDetailsDto })
  @ApiOperation({ summary: 'Cache details of a datasource', description: 'One datasource’s cache: generation, entries, memory, hit rate, last warm and schedule.' })
  @ApiErrorResponses(404)
  details(@Param() params: NumericIdParam): Promise<DatasourceCacheDetailsDto> {
    return this.cache.details(params.id);
  }
}
