import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@ccc/shared-types';
import { Audited } from '../audit/audited.decorator.js';
import { CurrentPrincipal, RequirePermissions } from '../access/auth.decorators.js';
import { ApiErrorResponses } from '../common/api-errors.js';
import {
  PurgeIdParam,
  RedisKeyInspectionDto,
  RedisKeyQueryDto,
  RedisKeysPageDto,
  RedisKeysQueryDto,
  RedisMemoryAnalysisDto,
  RedisMemoryQueryDto,
  RedisPurgeRequestDto,
  RedisPurgeResultDto,
  RedisRegionQueryDto,
  RedisSlowlogQueryDto,
  RedisSlowlogResetResponseDto,
  RedisSlowlogResponseDto,
  RedisStatsResponseDto,
  RedisTtlRequestDto,
  RedisTtlResponseDto,
} from './redis-admin.dto.js';
import { RedisKeyBrowserService } from './redis-key-browser.service.js';
import { RedisMemoryService } from './redis-memory.service.js';
import { RedisPurgeService } from './redis-purge.service.js';
import { RegionalRedisTools } from './regional-tools.js';
import { RedisSlowlogService } from './redis-slowlog.service.js';
import { RedisStatsService } from './redis-stats.service.js';
import { RedisTtlService } from './redis-ttl.service.js';

@ApiTags('admin: redis')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/redis')
export class RedisAdminController {
  constructor(
    private readonly statistics: RedisStatsService,
    private readonly keyBrowser: RedisKeyBrowserService,
    private readonly ttlTool: RedisTtlService,
    private readonly slowlogs: RedisSlowlogService,
    private readonly memoryAnalysis: RedisMemoryService,
    private readonly purges: RedisPurgeService,
    private readonly regions: RegionalRedisTools,
  ) {}

  @Get('stats')
  @RequirePermissions('settings:read:all')
  @ApiOperation({
    summary: 'Redis statistics',
    description: 'Server statistics (per node and total) and key distribution by namespace from a sample.',
  })
  @ApiOkResponse({ type: RedisStatsResponseDto })
  @ApiErrorResponses([400, 'VALIDATION_FAILED: region is not a configured region'])
  stats(@Query() query: RedisRegionQueryDto, @CurrentPrincipal() principal: Principal): Promise<RedisStatsResponseDto> {
    return this.regions.tools(query.region).stats.stats(principal);
  }

  @Get('keys')
  @RequirePermissions('settings:read:all')
  @ApiOperation({
    summary: 'Browse keys',
    description:
      'One page of at most `count` keys per request (SCAN, capped in keys examined); follow `cursor` while `more`. Keys outside the service’s namespaces are listed to admins only.',
  })
  @ApiOkResponse({ type: RedisKeysPageDto })
  keys(@Query() query: RedisKeysQueryDto, @CurrentPrincipal() principal: Principal): Promise<RedisKeysPageDto> {
    return this.regions.tools(query.region).keys.scanKeys(query, principal);
  }

  @Get('inspect')
  @RequirePermissions('settings:read:all')
  @ApiOperation({
    summary: 'Inspect a key',
    description:
      'Type, TTL, encoding, memory, length and a size-capped preview of one key (keys outside the service’s namespaces: admins only).',
  })
  @ApiErrorResponses(
    [403, 'FORBIDDEN: a missing permission, or a key outside the service’s namespaces asked by a non-admin'],
    404,
  )
  @ApiOkResponse({ type: RedisKeyInspectionDto })
  inspect(@Query() query: RedisKeyQueryDto, @CurrentPrincipal() principal: Principal): Promise<RedisKeyInspectionDto> {
    return this.regions.tools(query.region).keys.inspect(query.key, principal);
  }

  @Post('purge')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('redis.purge', 'redis-pattern', 'pattern')
  @ApiOperation({
    summary: 'Purge keys by pattern',
    description:
      "Deletes keys matching a pattern (SCAN + UNLINK in batches); dryRun counts first. Refuses patterns that could match protected namespaces unless allowProtected (admin only; rate-limit counters are never purged). Operators purge only the service's own namespaces. A run that is not done within a few seconds answers `running`; follow it with GET purge/{purgeId}.",
  })
  @ApiErrorResponses([
    403,
    'FORBIDDEN: a missing permission, or a pattern reaching protected namespaces without allowProtected (admins only)',
  ])
  @ApiOkResponse({ type: RedisPurgeResultDto })
  purge(@Body() body: RedisPurgeRequestDto, @CurrentPrincipal() principal: Principal): Promise<RedisPurgeResultDto> {
    return this.purges.purge(body, principal);
  }

  @Get('purge/:purgeId')
  @RequirePermissions('settings:read:all')
  @ApiOperation({
    summary: 'Purge progress',
    description: 'Progress and outcome of a purge run started by POST purge.',
  })
  @ApiErrorResponses(404)
  @ApiOkResponse({ type: RedisPurgeResultDto })
  purgeStatus(@Param() params: PurgeIdParam): Promise<RedisPurgeResultDto> {
    return this.purges.status(params.purgeId);
  }

  @Post('ttl')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('redis.ttl', 'redis-key', 'key')
  @ApiOperation({ summary: 'Set a key’s TTL', description: 'Sets or removes the expiry of an existing key.' })
  @ApiErrorResponses(
    [403, 'FORBIDDEN: a missing permission, or a key outside the service’s namespaces asked by a non-admin'],
    404,
  )
  @ApiOkResponse({ type: RedisTtlResponseDto })
  ttl(@Body() body: RedisTtlRequestDto, @CurrentPrincipal() principal: Principal): Promise<RedisTtlResponseDto> {
    return this.ttlTool.setTtl(body, principal);
  }

  @Get('slowlog')
  @RequirePermissions('settings:read:all')
  @ApiOperation({
    summary: 'Redis slow log',
    description:
      "The slow log of every node, newest first. Admins see each command with its arguments (capped); everyone else sees the command name and the key when it is one of the service's own — other arguments are redacted.",
  })
  @ApiOkResponse({ type: RedisSlowlogResponseDto })
  slowlog(
    @Query() query: RedisSlowlogQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RedisSlowlogResponseDto> {
    return this.slowlogs.slowlog(query.limit ?? 50, principal);
  }

  @Post('slowlog/reset')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('redis.slowlog.reset', 'redis')
  @ApiOperation({ summary: 'Reset the slow log', description: 'Empties the slow log of every node.' })
  @ApiOkResponse({ type: RedisSlowlogResetResponseDto })
  resetSlowlog(): Promise<RedisSlowlogResetResponseDto> {
    return this.slowlogs.resetSlowlog();
  }

  @Get('memory')
  @RequirePermissions('settings:read:all')
  @ApiOperation({
    summary: 'Memory by key and namespace',
    description: 'Top keys and namespaces by memory, from a bounded sample of keys.',
  })
  @ApiOkResponse({ type: RedisMemoryAnalysisDto })
  memory(
    @Query() query: RedisMemoryQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RedisMemoryAnalysisDto> {
    return this.memoryAnalysis.memory(query, principal);
  }
}
