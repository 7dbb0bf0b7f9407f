import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CacheStrategyEntity } from './cache-strategy.entity.js';
import { DatasourcesService } from './datasources.service.js';
import { SourceCatalogRepository } from './source-catalog.repository.js';
import { SourceDatabase } from './source-database.js';
import { SourcePolicy } from './source-policy.js';

/**
 * The datasource registry: the only owner of the cache_strategies table.
 * Offers: DatasourcesService (read a datasource's settings; change them; follow its lifecycle), SourcePolicy
 * (which source tables may be read), SourceDatabase (the read-only source pool), SourceCatalogRepository (the
 * source tables' columns and indexes).
 * Needs: the global configuration and database. Routes: /api/admin/datasources.
 */
@Module({
  imports: [TypeOrmModule.forFeature([CacheStrategyEntity])],
  providers: [DatasourcesService, SourceCatalogRepository, SourceDatabase, SourcePolicy],
  exports: [DatasourcesService, SourceCatalogRepository, SourceDatabase, SourcePolicy],
})
export class DatasourcesModule {}
