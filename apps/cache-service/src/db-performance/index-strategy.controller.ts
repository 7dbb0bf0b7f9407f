import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { ApplyIndexResult, IndexCollectionResult, IndexStrategy, IndexUsageStats, Principal } from '@ccc/shared-types';
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
  usage(@Query() query: IndexUsageQueryDto): Promise<IndexUsageStats[]> {
    return this.indexes.usageHistory(query);
  }

  @Post('collect')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('index.collect', 'index_strategy')
  @ApiOkResponse({ type: IndexCollectionResultDto })
  collect(): Promise<IndexCollectionResult> {
    return this.collector.collectNow();
  }

  @Get()
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: IndexStrategyDto, isArray: true })
  list(@Query() query: IndexListQueryDto): Promise<IndexStrategy[]> {
    return this.indexes.list(query.tableName);
  }

  @Get(':id')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: IndexStrategyDto })
  get(@Param() params: UuidParam): Promise<IndexStrategy> {
    return this.indexes.get(params.id);
  }

  @Post()
  @RequirePermissions('settings:write:all')
  @Audited('index.create', 'index_strategy')
  @ApiCreatedResponse({ type: IndexStrategyDto })
  create(@Body() body: CreateIndexStrategyDto, @CurrentPrincipal() principal: Principal): Promise<IndexStrategy> {
    return this.indexes.create(body, principal);
  }

  @Patch(':id')
  @RequirePermissions('settings:write:all')
  @Audited('index.update', 'index_strategy')
  @ApiOkResponse({ type: IndexStrategyDto })
  update(@Param() params: UuidParam, @Body() body: UpdateIndexStrategyDto, @CurrentPrincipal() principal: Principal): Promise<IndexStrategy> {
    return this.indexes.update(params.id, body, principal);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('settings:write:all')
  @Audited('index.delete', 'index_strategy')
  @ApiNoContentResponse({ description: 'Deactivated; with dropIndex=true the index is dropped concurrently first (409 without it when it exists)' })
  remove(@Param() params: UuidParam, @Query() query: DeleteIndexQueryDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.indexes.remove(params.id, query.dropIndex ?? false, principal);
  }

  @Post(':id/apply')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('index.apply', 'index_strategy')
  @ApiOkResponse({ type: ApplyIndexResultDto })
  apply(@Param() params: UuidParam, @CurrentPrincipal() principal: Principal): Promise<ApplyIndexResult> {
    return this.indexes.apply(params.id, principal);
  }
}
