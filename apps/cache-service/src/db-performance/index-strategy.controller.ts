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
import type {
  ApplyIndexResult,
  IndexCollectionResult,
  IndexStrategy,
  IndexUsageStats,
  Principal,
} from '@ccc/shared-types';
import { Audited } from '../audit/audited.decorator.js';
import { CurrentPrincipal, RequirePermissions } from '../access/auth.decorators.js';
import { UuidParam } from '../common/id-param.dto.js';
import {
  ApplyIndexResultDto,
  CreateIndexStrategyDto,
  DeleteIndexQueryDto,
  IndexCollectionResultDto,
  IndexListQueryDto,
  IndexStrategyDto,
  IndexUsageQueryDto,
  IndexUsageStatsDto,
  UpdateIndexStrategyDto,
} from './db-performance.dto.js';
import { IndexStrategyService } from './index-strategy.service.js';
import { IndexUsageCollector } from './index-usage.collector.js';
import { ApiErrorResponses } from '../common/api-errors.js';

@ApiTags('admin: monitoring')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/monitoring/indexes')
export class IndexStrategyController {
  constructor(
    private readonly indexes: IndexStrategyService,
    private readonly collector: IndexUsageCollector,
  ) {}

  // Fixed paths first: 'usage' and 'collect' are not ids.
  @Get('usage')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: IndexUsageStatsDto, isArray: true, description: 'Daily usage history, newest first' })
  @ApiOperation({
    summary: 'Index usage history',
    description: 'Daily scans and size of managed indexes, newest first.',
  })
  usage(@Query() query: IndexUsageQueryDto): Promise<IndexUsageStats[]> {
    return this.indexes.usageHistory(query);
  }

  @Post('collect')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('index.collect', 'index_strategy')
  @ApiOkResponse({ type: IndexCollectionResultDto })
  @ApiOperation({
    summary: 'Collect index usage now',
    description: 'Records today’s usage statistics of every managed index at once.',
  })
  collect(): Promise<IndexCollectionResult> {
    return this.collector.collectNow();
  }

  @Get()
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: IndexStrategyDto, isArray: true })
  @ApiOperation({
    summary: 'List index strategies',
    description: 'Managed index definitions with their status in PostgreSQL.',
  })
  list(@Query() query: IndexListQueryDto): Promise<IndexStrategy[]> {
    return this.indexes.list(query.tableName);
  }

  @Get(':id')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: IndexStrategyDto })
  @ApiOperation({
    summary: 'Get an index strategy',
    description: 'One managed index definition with its status in PostgreSQL.',
  })
  @ApiErrorResponses(404)
  get(@Param() params: UuidParam): Promise<IndexStrategy> {
    return this.indexes.get(params.id);
  }

  @Post()
  @RequirePermissions('settings:write:all')
  @Audited('index.create', 'index_strategy')
  @ApiCreatedResponse({ type: IndexStrategyDto })
  @ApiOperation({
    summary: 'Create an index strategy',
    description: 'Defines an index on a source table; apply builds it.',
  })
  @ApiErrorResponses([409, 'CONFLICT: an index strategy or relation of this name already exists'])
  create(@Body() body: CreateIndexStrategyDto, @CurrentPrincipal() principal: Principal): Promise<IndexStrategy> {
    return this.indexes.create(body, principal);
  }

  @Patch(':id')
  @RequirePermissions('settings:write:all')
  @Audited('index.update', 'index_strategy')
  @ApiOkResponse({ type: IndexStrategyDto })
  @ApiOperation({
    summary: 'Change an index strategy',
    description: 'Changes an index definition that is not built yet.',
  })
  @ApiErrorResponses(404, [409, 'CONFLICT: the index is inactive, exists in PostgreSQL or is being built'])
  update(
    @Param() params: UuidParam,
    @Body() body: UpdateIndexStrategyDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<IndexStrategy> {
    return this.indexes.update(params.id, body, principal);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('settings:write:all')
  @Audited('index.delete', 'index_strategy')
  @ApiNoContentResponse({
    description:
      'Deactivated; with dropIndex=true the index is dropped concurrently first (409 without it when it exists)',
  })
  @ApiOperation({
    summary: 'Delete an index strategy',
    description: 'Deactivates an index strategy; with dropIndex=true its index is dropped concurrently first.',
  })
  @ApiErrorResponses(404, [
    409,
    'CONFLICT, INDEX_NOT_MANAGED or INDEX_BACKS_CONSTRAINT: the index exists and dropIndex is not set, is not ours, backs a constraint or is busy',
  ])
  remove(
    @Param() params: UuidParam,
    @Query() query: DeleteIndexQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    return this.indexes.remove(params.id, query.dropIndex ?? false, principal);
  }

  @Post(':id/apply')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('index.apply', 'index_strategy')
  @ApiOkResponse({ type: ApplyIndexResultDto })
  @ApiOperation({ summary: 'Build an index', description: 'Builds the strategy’s index concurrently in PostgreSQL.' })
  @ApiErrorResponses(404, [409, 'CONFLICT: the strategy is inactive, the index is being built or could not be built'])
  apply(@Param() params: UuidParam, @CurrentPrincipal() principal: Principal): Promise<ApplyIndexResult> {
    return this.indexes.apply(params.id, principal);
  }
}
