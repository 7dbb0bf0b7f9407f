import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { QueryPatternSummary, QueryPerformanceEntry } from '@ccc/shared-types';
import { RequirePermissions } from '../access/auth.decorators.js';
import {
  QueryHashParam,
  QueryPatternSummaryDto,
  QueryPerformanceEntryDto,
  QueryPerformanceWindowDto,
} from './db-performance.dto.js';
import { QueryPerformanceService } from './query-performance.service.js';

@ApiTags('admin: monitoring')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/monitoring/query-performance')
export class QueryPerformanceController {
  constructor(private readonly queries: QueryPerformanceService) {}

  @Get('slow')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({
    type: QueryPerformanceEntryDto,
    isArray: true,
    description: 'Slow datasource queries in the window, slowest first',
  })
  @ApiOperation({ summary: 'Slow queries', description: 'Slow datasource queries in the time window, slowest first.' })
  slow(@Query() query: QueryPerformanceWindowDto): Promise<QueryPerformanceEntry[]> {
    return this.queries.slow(query);
  }

  @Get('patterns')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({
    type: QueryPatternSummaryDto,
    isArray: true,
    description: 'Query patterns by total time, largest first',
  })
  @ApiOperation({
    summary: 'Query patterns',
    description: 'Normalized query patterns by total time in the window, largest first.',
  })
  patterns(@Query() query: QueryPerformanceWindowDto): Promise<QueryPatternSummary[]> {
    return this.queries.patterns(query);
  }

  @Get('patterns/:hash')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({
    type: QueryPerformanceEntryDto,
    isArray: true,
    description: 'Executions of one pattern, newest first (empty for an unknown hash)',
  })
  @ApiOperation({
    summary: 'Executions of a query pattern',
    description: 'Executions of one normalized query pattern in the window, newest first (empty for an unknown hash).',
  })
  history(
    @Param() params: QueryHashParam,
    @Query() query: QueryPerformanceWindowDto,
  ): Promise<QueryPerformanceEntry[]> {
    return this.queries.history(params.hash, query);
  }
}
