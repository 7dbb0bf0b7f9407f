import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { DatasourcesModule } from '../datasources/datasources.module.js';
import { KeyAccessService } from './key-access.service.js';
import { RedisAdminController } from './redis-admin.controller.js';
import { RedisAdminRepository } from './redis-admin.repository.js';
import { RedisKeyBrowserService } from './redis-key-browser.service.js';
import { RedisMemoryService } from './redis-memory.service.js';
import { RedisPurgeService } from './redis-purge.service.js';
import { RegionalRedisTools } from './regional-tools.js';
import { RedisSlowlogService } from './redis-slowlog.service.js';
import { RedisStatsService } from './redis-stats.service.js';
import { RedisTtlService } from './redis-ttl.service.js';

/**
 * Redis tools: statistics, key browser, inspector, purge, TTL, slow log, memory analysis. Owns no table.
 * Offers: nothing to other areas.
 * Needs: DatasourcesModule (which datasources' keys nobody may reach), AuditModule (purges and TTL changes are
 * recorded with their counts), the global Redis client. Routes: /api/admin/redis/*.
 */
@Module({
  imports: [DatasourcesModule, AuditModule],
  controllers: [RedisAdminController],
  // One class per tool; KeyAccessService decides what each caller may see or change.
  providers: [
    RedisAdminRepository,
    KeyAccessService,
    RedisStatsService,
    RedisKeyBrowserService,
    RedisTtlService,
    RedisSlowlogService,
    RedisMemoryService,
    RedisPurgeService,
    RegionalRedisTools,
  ],
})
export class RedisAdminModule {}
