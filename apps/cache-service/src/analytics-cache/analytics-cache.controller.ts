import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audited.decorator.js';
import { RequirePermissions } from '../access/auth.decorators.js';
import { NumericIdParam } from '../common/id-param.dto.js';
import { RateLimited } from '../common/rate-limit.js';
import {
  CacheHealthResponseDto,
  CacheStatsResponseDto,
  DatasourceCacheDetailsDto,
  InvalidateRequestDto,
  InvalidateResponseDto,
} from './analytics-cache.dto.js';
import { AnalyticsCacheService } from './analytics-cache.service.js';
import { ApiErrorResponses } from '../common/api-errors.js';

/** Statistics, health and invalidation of the cache; warming's routes under the same prefix are in warming/. */
@ApiTags('admin: analytics cache')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/analytics/cache')
export class AnalyticsCacheController {
  constructor(private readonly cache: AnalyticsCacheService) {}

  @Get('stats')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: CacheStatsResponseDto })
  @ApiOperation({
    summary: 'Cache statistics',
    description: 'Entries, memory, hits and misses of the analytics cache, in total and per datasource.',
  })
  stats(): Promise<CacheStatsResponseDto> {
    return this.cache.stats();
  }

  @Post('invalidate')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @RateLimited('invalidation')
  @Audited('cache.invalidate', 'datasource', 'datasourceId')
  @ApiOkResponse({ type: InvalidateResponseDto })
  @ApiOperation({
    summary: 'Invalidate cached data',
    description:
      'Drops the cached data of one datasource (or all): the next queries read the database until the cache is warmed again.',
  })
  @ApiErrorResponses(404)
  invalidate(@Body() body: InvalidateRequestDto): Promise<InvalidateResponseDto> {
    return this.cache.invalidate(body);
  }

  @Get('health')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: CacheHealthResponseDto })
  @ApiOperation({
    summary: 'Cache health',
    description: 'The cache’s overall health and the state of each datasource (cold, warming, warm, stale).',
  })
  health(): Promise<CacheHealthResponseDto> {
    return this.cache.health();
  }

  @Get('datasources/:id')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: DatasourceCacheDetailsDto })
  @ApiOperation({
    summary: 'Cache details of a datasource',
    description: 'One datasource’s cache: generation, entries, memory, hit rate, last warm and schedule.',
  })
  @ApiErrorResponses(404)
  details(@Param() params: NumericIdParam): Promise<DatasourceCacheDetailsDto> {
    return this.cache.details(params.id);
  }
}
