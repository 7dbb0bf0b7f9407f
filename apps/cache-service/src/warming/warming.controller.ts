import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@ccc/shared-types';
import { CurrentPrincipal, RequirePermissions } from '../access/auth.decorators.js';
import { WarmingJobDto } from '../analytics-cache/analytics-cache.dto.js';
import { Audited } from '../audit/audited.decorator.js';
import { RateLimited } from '../common/rate-limit.js';
import {
  DatasourceIdParam,
  JobIdParam,
  UpdateWarmScheduleDto,
  WarmingJobPageDto,
  WarmingJobQueryDto,
  WarmingStatusResponseDto,
  WarmRequestDto,
  WarmResponseDto,
  WarmScheduleDto,
} from './warming.dto.js';
import { WarmingDocs } from './warming.openapi.js';
import { WarmingService } from './warming.service.js';

/** The audit target of a warm without a datasource id: every datasource it concerned, counted. */
const describeWarmAll = (result: unknown): string => {
  const count = (result as WarmResponseDto | undefined)?.results?.length;
  return count === undefined ? 'all datasources' : `all datasources (${count})`;
};

/** Warm requests, the job list and its controls, and schedules: under the cache's prefix, as published. */
@ApiTags('admin: analytics cache')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/analytics/cache')
export class WarmingController {
  constructor(private readonly warming: WarmingService) {}

  @Post('warm')
  @HttpCode(202)
  @RequirePermissions('settings:write:all')
  @RateLimited('warming')
  @Audited('cache.warm', 'datasource', 'datasourceId', describeWarmAll)
  @ApiAcceptedResponse({ type: WarmResponseDto })
  @WarmingDocs.warm()
  warm(@Body() body: WarmRequestDto, @CurrentPrincipal() principal: Principal): Promise<WarmResponseDto> {
    return this.warming.requestWarm({
      datasourceIds: body.datasourceId === undefined ? 'all' : [body.datasourceId],
      force: body.force ?? false,
      warmingType: body.datasourceId === undefined ? 'WARM_ALL' : 'MANUAL',
      principal,
      ...(body.refresh && { refresh: { kind: body.refresh } }),
    });
  }

  @Get('warming/status')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: WarmingStatusResponseDto })
  @WarmingDocs.status()
  warmingStatus(): Promise<WarmingStatusResponseDto> {
    return this.warming.status();
  }

  @Get('warming/jobs')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: WarmingJobPageDto })
  @WarmingDocs.jobs()
  history(@Query() query: WarmingJobQueryDto): Promise<WarmingJobPageDto> {
    return this.warming.history(query);
  }

  @Get('warming/jobs/:jobId')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: WarmingJobDto })
  @WarmingDocs.job()
  job(@Param() params: JobIdParam): Promise<WarmingJobDto> {
    return this.warming.job(params.jobId);
  }

  @Post('warming/jobs/:jobId/pause')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('cache.warm_pause', 'warming_job', 'jobId')
  @ApiOkResponse({ type: WarmingJobDto })
  @WarmingDocs.pause()
  pause(@Param() params: JobIdParam): Promise<WarmingJobDto> {
    return this.warming.pause(params.jobId);
  }

  @Post('warming/jobs/:jobId/resume')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('cache.warm_resume', 'warming_job', 'jobId')
  @ApiOkResponse({ type: WarmingJobDto })
  @WarmingDocs.resume()
  resume(@Param() params: JobIdParam): Promise<WarmingJobDto> {
    return this.warming.resume(params.jobId);
  }

  @Post('warming/jobs/:jobId/cancel')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('cache.warm_cancel', 'warming_job', 'jobId')
  @ApiOkResponse({ type: WarmingJobDto })
  @WarmingDocs.cancel()
  cancel(@Param() params: JobIdParam): Promise<WarmingJobDto> {
    return this.warming.cancel(params.jobId);
  }

  @Get('schedules')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: WarmScheduleDto, isArray: true })
  @WarmingDocs.schedules()
  schedules(): Promise<WarmScheduleDto[]> {
    return this.warming.schedules();
  }

  @Put('schedules/:datasourceId')
  @RequirePermissions('settings:write:all')
  @Audited('cache.schedule_update', 'datasource', 'datasourceId')
  @ApiOkResponse({ type: WarmScheduleDto })
  @WarmingDocs.setSchedule()
  setSchedule(@Param() params: DatasourceIdParam, @Body() body: UpdateWarmScheduleDto): Promise<WarmScheduleDto> {
    return this.warming.setSchedule(params.datasourceId, body.cron);
  }
}
