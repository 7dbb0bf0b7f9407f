import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AlertsModule } from './alerts/alerts.module.js';
import { AnalyticsCacheModule } from './analytics-cache/analytics-cache.module.js';
import { AuditModule } from './audit/audit.module.js';
import { BootstrapService } from './bootstrap.service.js';
import { ChangeCaptureModule } from './change-capture/change-capture.module.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DatasourcesModule } from './datasources/datasources.module.js';
import { DbPerformanceModule } from './db-performance/db-performance.module.js';
import { DemoModule } from './demo/demo.module.js';
import { HealthController } from './health/health.controller.js';
import { HealthModule } from './health/health.module.js';
import { InsightsModule } from './insights/insights.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { PlatformModule } from './platform/platform.module.js';
import { RedisModule } from './redis/redis.module.js';
import { RemediationModule } from './remediation/remediation.module.js';
import { loggingModule } from './telemetry/request-logging.js';
import { UsersModule } from './users/users.module.js';
import { WarmingModule } from './warming/warming.module.js';

/**
 * The service in role `worker` (main.ts loads it instead of AppModule): the same start-up (BootstrapService) and the
 * same services, warming workers, notification worker and periodic tasks (with the remediation rules that follow the alert rounds) as role `all`, but the only routes are
 * /health/live, /health/ready and /metrics. No controller of the API, no DTO, no @nestjs/swagger, no bull-board, no
 * sign-in or rate limiting is loaded: a worker publishes no port for people, and what it does not load it does not
 * carry for its whole life (docs/scaling.md: what each role needs).
 */
@Module({
  imports: [
    ConfigModule,
    DatabaseModule,
    RedisModule,
    loggingModule(),
    PlatformModule,
    UsersModule,
    AuditModule,
    DatasourcesModule,
    AnalyticsCacheModule,
    WarmingModule,
    ChangeCaptureModule,
    DbPerformanceModule,
    AlertsModule,
    InsightsModule,
    RemediationModule,
    HealthModule,
    DemoModule,
    ObservabilityModule,
  ],
  controllers: [HealthController],
  providers: [BootstrapService, { provide: APP_FILTER, useClass: HttpExceptionFilter }],
})
export class WorkerModule {}
