import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AnalyticsCacheModule } from '../analytics-cache/analytics-cache.module.js';
import { DatasourcesModule } from '../datasources/datasources.module.js';
import { PlatformModule } from '../platform/platform.module.js';
import { IndexBuilderService } from './index-builder.service.js';
import { IndexCatalogRepository } from './index-catalog.repository.js';
import { IndexStrategyEntity } from './index-strategy.entity.js';
import { IndexStrategyService } from './index-strategy.service.js';
import { IndexStrategyValidator } from './index-strategy.validator.js';
import { IndexUsageStatsEntity } from './index-usage-stats.entity.js';
import { IndexUsageCollector } from './index-usage.collector.js';
import { QueryPerformanceRecorder } from './query-performance.recorder.js';
import { QueryPerformanceRepository } from './query-performance.repository.js';
import { QueryPerformanceService } from './query-performance.service.js';

/**
 * Database performance: source query statistics and the indexes the service manages on source tables; the only
 * owner of the index_strategies and index_usage_stats tables.
 * Offers: IndexStrategyService (insights applies index recommendations through it).
 * Needs: AnalyticsCacheModule (listens to the SourceReader's queries), DatasourcesModule (source policy, catalog
 * and pool), PlatformModule (periodic collection).
 * Routes: /api/admin/monitoring/query-performance, /api/admin/monitoring/indexes.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([IndexStrategyEntity, IndexUsageStatsEntity]),
    AnalyticsCacheModule,
    DatasourcesModule,
    PlatformModule,
  ],
  providers: [
    QueryPerformanceRepository,
    QueryPerformanceRecorder,
    QueryPerformanceService,
    IndexCatalogRepository,
    IndexStrategyValidator,
    IndexBuilderService,
    IndexStrategyService,
    IndexUsageCollector,
  ],
  exports: [IndexStrategyService, IndexUsageCollector, QueryPerformanceService],
})
export class DbPerformanceModule {}
