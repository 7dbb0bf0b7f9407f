import { Module } from '@nestjs/common';
import { AlertsController } from './alerts/alerts.controller.js';
import { AlertsModule } from './alerts/alerts.module.js';
import { ThresholdsController } from './alerts/thresholds.controller.js';
import { AnalyticsCacheController } from './analytics-cache/analytics-cache.controller.js';
import { RegionStatusController } from './analytics-cache/region-status.controller.js';
import { AnalyticsCacheModule } from './analytics-cache/analytics-cache.module.js';
import { AnalyticsQueryController } from './analytics-cache/analytics-query.controller.js';
import { AuditController } from './audit/audit.controller.js';
import { AuditModule } from './audit/audit.module.js';
import { DatasourcesController } from './datasources/datasources.controller.js';
import { DatasourcesModule } from './datasources/datasources.module.js';
import { DbPerformanceModule } from './db-performance/db-performance.module.js';
import { IndexStrategyController } from './db-performance/index-strategy.controller.js';
import { QueryPerformanceController } from './db-performance/query-performance.controller.js';
import { HealthController } from './health/health.controller.js';
import { HealthModule } from './health/health.module.js';
// Describes HealthController's routes in the OpenAPI document (the worker serves them undescribed).
import './health/health.openapi.js';
import { EfficiencyController } from './insights/efficiency.controller.js';
import { ForecastController } from './insights/forecast.controller.js';
import { InsightsModule } from './insights/insights.module.js';
import { RecommendationsController } from './insights/recommendations.controller.js';
import { UsagePatternsController } from './insights/usage-patterns.controller.js';
import { RemediationController } from './remediation/remediation.controller.js';
import { RemediationModule } from './remediation/remediation.module.js';
import { UsersController } from './users/users.controller.js';
import { UsersModule } from './users/users.module.js';
import { RollbackController } from './warming/rollback.controller.js';
import { WarmingController } from './warming/warming.controller.js';
import { WarmingModule } from './warming/warming.module.js';

/**
 * The HTTP API of the feature modules (roles all and api). The feature modules hold providers only, so that a
 * worker (worker.module.ts) runs the same services without loading a controller, a DTO or @nestjs/swagger.
 * Modules that only the API roles load (auth, redis-admin, the queue board) keep their controllers themselves.
 * The order is the order in which the routes are matched: keep a parametrised route after the fixed ones it
 * could swallow (analytics-cache before warming, alerts and db-performance before insights).
 */
@Module({
  imports: [
    UsersModule,
    AuditModule,
    DatasourcesModule,
    AnalyticsCacheModule,
    WarmingModule,
    DbPerformanceModule,
    AlertsModule,
    InsightsModule,
    RemediationModule,
    HealthModule,
  ],
  controllers: [
    UsersController,
    AuditController,
    DatasourcesController,
    AnalyticsCacheController,
    RegionStatusController,
    AnalyticsQueryController,
    WarmingController,
    RollbackController,
    QueryPerformanceController,
    IndexStrategyController,
    ThresholdsController,
    AlertsController,
    UsagePatternsController,
    ForecastController,
    RecommendationsController,
    EfficiencyController,
    RemediationController,
    HealthController,
  ],
})
export class ApiRoutesModule {}
