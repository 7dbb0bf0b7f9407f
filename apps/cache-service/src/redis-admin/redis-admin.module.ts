import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { DatasourcesModule } from '../datasources/datasources.module.js';
import { KeyAccessService } from './key-access.service.js';
import { RedisAdminController } from './redis-admin.controller.js';
import { RedisAdminRepository } from './redis-admin.repository.js';
import { RedisAdminService } from './redis-admin.service.js';
import { RedisPurgeService } from './redis-purge.service.js';

/**
 * Redis tools: statistics, key browser, inspector, purge, TTL, slow log, memory analysis. Owns no table.
 * Offers: nothing to other areas.
 * Needs: DatasourcesModule (which datasources' keys nobody may reach), AuditModule (purges and TTL changes are
 * recorded with their counts), the global Redis client. Routes: /api/admin/redis/*.
 */
@Module({
  imports: [DatasourcesModule, AuditModule],
  controllers: [RedisAdminController],
  providers: [RedisAdminRepository, RedisAdminService, RedisPurgeService, KeyAccessService],
})
export class RedisAdminModule {}
