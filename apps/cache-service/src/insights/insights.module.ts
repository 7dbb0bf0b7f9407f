import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AnalyticsCacheModule } from '../analytics-cache/analytics-cache.module.js';
import { DatasourcesModule } from '../datasources/datasources.module.js';
import { DbPerformanceModule } from '../db-performance/db-performance.module.js';
import { PlatformModule } from '../platform/platform.module.js';
import { WarmingModule } from '../warming/warming.module.js';
import { EfficiencyService } from './efficiency.service.js';
import { ForecastService } from './forecast.service.js';
import { IndexActions } from './index-actions.js';
import { InsightsRepository } from './insights.repository.js';
import { RecommendationChanges } from './recommendation-changes.js';
import { RecommendationEntity } from './recommendation.entity.js';
import { RecommendationGenerator } from './recommendation-generator.js';
import { RecommendationsService } from './recommendations.service.js';
import { UsagePatternEntity } from './usage-pattern.entity.js';
import { UsagePatternsService } from './usage-patterns.service.js';

/**
 * Usage patterns, recommendations and efficiency: the only owner of the cache_usage_pattern and
 * cache_recommendations tables.
 * Offers: nothing to other areas (its results are read over HTTP).
 * Needs: AnalyticsCacheModule (counters), DatasourcesModule (settings; approved TTL and schedule changes),
 * WarmingModule (approved warms and schedules), DbPerformanceModule (approved indexes), PlatformModule (rollups).
 * Routes: /api/admin/monitoring/{usage-patterns,usage-patterns/:id/forecast[/backtest],usage/hourly,recommendations,efficiency}.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([UsagePatternEntity, RecommendationEntity]),
    AnalyticsCacheModule,
    DatasourcesModule,
    WarmingModule,
    DbPerformanceModule,
    PlatformModule,
  ],
  providers: [
    InsightsRepository,
    UsagePatternsService,
    RecommendationGenerator,
    RecommendationsService,
    RecommendationChanges,
    EfficiencyService,
    ForecastService,
    IndexActions,
  ],
  exports: [UsagePatternsService, RecommendationsService, RecommendationGenerator, EfficiencyService, ForecastService],
})
export class InsightsModule {}
