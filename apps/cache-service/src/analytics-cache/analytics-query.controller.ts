import { Controller, Get, Header, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AnalyticsQuery } from '@ccc/shared-types';
import { SkipThrottle } from '@nestjs/throttler';
import { RequirePermissions } from '../access/auth.decorators.js';
import { AnalyticsQueryResponseDto } from './analytics-cache.dto.js';
import { AnalyticsQueryPipe, DatasourceIdPipe } from './analytics-query.pipes.js';
import { AnalyticsQueryService } from './analytics-query.service.js';
import { QueryRateLimitGuard } from './query-rate-limit.guard.js';
import { ApiErrorResponses } from '../common/api-errors.js';

@ApiTags('analytics')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('analytics/datasources')
export class AnalyticsQueryController {
  constructor(private readonly queries: AnalyticsQueryService) {}

  /**
   * Returns JSON text built around the stored entries (see AnalyticsQueryService). Exempt from the general
   * per-user limit: backend services read at thousands of requests per second, and a Redis round trip per
   * request for rate limiting would halve that. Limited per principal in process instead (QueryRateLimitGuard).
   */
  @Get(':id/query')
  @SkipThrottle({ default: true })
  @UseGuards(QueryRateLimitGuard)
  @RequirePermissions('analytics:read')
  @Header('Content-Type', 'application/json; charset=utf-8')
  @ApiOkResponse({
    type: AnalyticsQueryResponseDto,
    description: 'Entries matching every given filter; `source` says whether the cache or the database answered',
  })
  @ApiParam({ name: 'id', type: Number, description: 'Datasource id' })
  @ApiQuery({ name: 'measure', required: false, type: String, minLength: 1, maxLength: 200, example: 'Charges' })
  @ApiQuery({ name: 'frequency', required: false, type: String, minLength: 1, maxLength: 200, example: 'Monthly' })
  @ApiQuery({ name: 'practice', required: false, type: String, minLength: 1, maxLength: 200, example: '101' })
  @ApiQuery({ name: 'provider', required: false, type: String, minLength: 1, maxLength: 200, example: '10101' })
  @ApiOperation({
    summary: 'Query analytics data',
    description:
      'Entries of a datasource matching every given filter, from the cache when it is warm, else from the database. `source` says which answered.',
  })
  @ApiErrorResponses(
    [403, 'FORBIDDEN without analytics:read; SOURCE_NOT_ALLOWED when the datasource reads outside SOURCE_SCHEMAS'],
    404,
    [429, 'RATE_LIMITED: over RATE_LIMIT_QUERY_PER_SECOND for this user or API key; see Retry-After'],
    [
      503,
      'SOURCE_BUSY or SOURCE_TIMEOUT: the cache is cold and the database fallback is saturated or took too long; see Retry-After',
    ],
  )
  query(@Param('id', DatasourceIdPipe) id: number, @Query(AnalyticsQueryPipe) query: AnalyticsQuery): Promise<string> {
    return this.queries.query(id, query);
  }
}
