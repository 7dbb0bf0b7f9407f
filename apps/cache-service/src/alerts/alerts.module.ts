import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AnalyticsCacheModule } from '../analytics-cache/analytics-cache.module.js';
import { ChangeCaptureModule } from '../change-capture/change-capture.module.js';
import { DatasourcesModule } from '../datasources/datasources.module.js';
import { PlatformModule } from '../platform/platform.module.js';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { WarmingModule } from '../warming/warming.module.js';
import { AlertEvaluator } from './alert-evaluator.service.js';
import { AlertMailer } from './alert-mailer.js';
import { AlertMeasurements } from './alert-measurements.js';
import { AlertMetricsRepository } from './alert-metrics.repository.js';
import { AlertNotifier } from './alert-notifier.js';
import { AlertsService } from './alerts.service.js';
import { CacheAlertEntity } from './cache-alert.entity.js';
import { PerformanceThresholdEntity } from './performance-threshold.entity.js';
import { ThresholdsService } from './thresholds.service.js';

/**
 * Thresholds and alerts: the only owner of the performance_thresholds and cache_alerts tables.
 * Offers: ThresholdsService (default thresholds at start-up), AlertNotifier (webhook and e-mail delivery at start-up),
 * AlertsService (read alerts; escalate one for remediation), AlertEvaluator (remediation follows its rounds).
 * Needs: AnalyticsCacheModule (cache metrics), DatasourcesModule (settings), WarmingModule (the notifications queue),
 * ChangeCaptureModule (replication slot lag and incidents), PlatformModule (periodic evaluation), TelemetryModule (notification counters). Routes:
 * /api/admin/monitoring/{thresholds,alerts}.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([PerformanceThresholdEntity, CacheAlertEntity]),
    AnalyticsCacheModule,
    DatasourcesModule,
    WarmingModule,
    ChangeCaptureModule,
    PlatformModule,
    TelemetryModule,
  ],
  providers: [
    ThresholdsService,
    AlertsService,
    AlertMeasurements,
    AlertEvaluator,
    AlertMetricsRepository,
    AlertNotifier,
    AlertMailer,
  ],
  exports: [ThresholdsService, AlertNotifier, AlertsService, AlertEvaluator],
})
export class AlertsModule {}
