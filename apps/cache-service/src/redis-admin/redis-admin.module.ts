import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { SourcePolicy } from '../datasources/source-policy.js';
import { KeyAccessService } from './key-access.service.js';
import { RedisAdminController } from './redis-admin.controller.js';
import { RedisAdminRepository } from './redis-admin.repository.js';
import { RedisAdminService } from './redis-admin.service.js';
import { RedisPurgeService } from './redis-purge.service.js';

/** Redis tools: statistics, key browser, inspector, purge, TTL, slow log, memory analysis. */
@Module({
  imports: [TypeOrmModule.forFeature([CacheStrategyEntity])],
  controllers: [RedisAdminController],
  // SourcePolicy: which datasources' keys nobody may reach (stateless, read from the configuration).
  providers: [RedisAdminRepository, RedisAdminService, RedisPurgeService, KeyAccessService, SourcePolicy],
})
export class RedisAdminModule {}
