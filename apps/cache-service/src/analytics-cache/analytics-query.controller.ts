import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { RequirePermissions } from '../auth/auth.decorators.js';
import { NumericIdParam } from '../common/id-param.dto.js';
import { AnalyticsQueryDto, AnalyticsQueryResponseDto } from './analytics-cache.dto.js';
import { AnalyticsQueryService } from './analytics-query.service.js';

@ApiTags('analytics')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('analytics/datasources')
export class AnalyticsQueryController {
  constructor(private readonly queries: AnalyticsQueryService) {}

  /**
   * Returns JSON text built around the stored entries (see AnalyticsQueryService). Exempt from the general
   * per-user limit: backend services read at thousands of requests per second, and a Redis round trip per
   * request for rate limiting would halve that.
   */
  @Get(':id/query')
  @SkipThrottle({ default: true })
  @RequirePermissions('analytics:read')
  @Header('Content-Type', 'application/json; charset=utf-8')
  @ApiOkResponse({ type: AnalyticsQueryResponseDto, description: 'Entries matching every given filter; `source` says whether the cache or the database answered' })
  query(@Param() params: NumericIdParam, @Query() query: AnalyticsQueryDto): Promise<string> {
    return this.queries.query(params.id, query);
  }
}
