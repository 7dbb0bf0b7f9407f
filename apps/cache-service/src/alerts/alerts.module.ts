import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AnalyticsCacheModule } from '../analytics-cache/analytics-cache.module.js';
import { DatasourcesModule } from '../datasources/datasources.module.js';
import { PlatformModule } from '../platform/platform.module.js';
import { WarmingModule } from '../warming/warming.module.js';
import { AlertEvaluator } from './alert-evaluator.service.js';
import { AlertMeasurements } from './alert-measurements.js';
import { AlertMetricsRepository } from './alert-metrics.repository.js';
import { AlertNotifier } from './alert-notifier.js';
import { AlertsService } from './alerts.service.js';
import { CacheAlertEntity } from './cache-alert.entity.js';
import { PerformanceThresholdEntity } from './performance-threshold.entity.js';
import { ThresholdsService } from './thresholds.service.js';

/**
 * Thresholds and alerts: the only owner of the performance_thresholds and cache_alerts tables.
 * Offers: ThresholdsService (default thresholds at start-up), AlertNotifier (webhook delivery at start-up).
 * Needs: AnalyticsCacheModule (cache metrics), DatasourcesModule (settings), WarmingModule (the webhook queue),
 * PlatformModule (periodic evaluation). Routes: /api/admin/monitoring/{thresholds,alerts}.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([PerformanceThresholdEntity, CacheAlertEntity]),
    AnalyticsCacheModule,
    DatasourcesModule,
    WarmingModule,
    PlatformModule,
  ],
  providers: [
    ThresholdsService,
    AlertsService,
    AlertMeasurements,
    AlertEvaluator,
    AlertMetricsRepository,
    AlertNotifier,
  ],
  exports: [ThresholdsService, AlertNotifier, AlertsService, AlertEvaluator],
})
export class AlertsModule {}
