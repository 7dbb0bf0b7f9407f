import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ThrottlerModule } from '@nestjs/throttler';
import { AlertsModule } from './alerts/alerts.module.js';
import { ApiRoutesModule } from './api-routes.module.js';
import { AnalyticsCacheModule } from './analytics-cache/analytics-cache.module.js';
import { AuditInterceptor } from './audit/audit.interceptor.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AuthModule } from './auth/auth.module.js';
import { BootstrapService } from './bootstrap.service.js';
import { ChangeCaptureModule } from './change-capture/change-capture.module.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { PrincipalLimits, PrincipalThrottlerGuard, throttlerOptions } from './common/rate-limit.js';
import type { AppConfig } from './config/app-config.js';
import { APP_CONFIG, ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DatasourcesModule } from './datasources/datasources.module.js';
import { DbPerformanceModule } from './db-performance/db-performance.module.js';
import { DemoModule } from './demo/demo.module.js';
import { HealthModule } from './health/health.module.js';
import { InsightsModule } from './insights/insights.module.js';
import { RemediationModule } from './remediation/remediation.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { QueueBoardModule } from './observability/queue-board.module.js';
import { PlatformModule } from './platform/platform.module.js';
import { RedisAdminModule } from './redis-admin/redis-admin.module.js';
import { REDIS, RedisModule, type RedisClient } from './redis/redis.module.js';
import { RedisThrottlerStorage } from './redis/redis-throttler.storage.js';
import { UsersModule } from './users/users.module.js';
import { loggingModule } from './telemetry/request-logging.js';
import { WarmingModule } from './warming/warming.module.js';

/**
 * Composes the service in roles all and api (role worker: worker.module.ts): global plumbing (configuration,
 * database, Redis, scheduler, rate limits), the feature modules (docs/architecture.md maps them), their routes, the
 * request pipeline every route shares, and start-up.
 */
@Module({
  imports: [
    // Plumbing: global, used by every module.
    ConfigModule,
    DatabaseModule,
    RedisModule,
    ScheduleModule.forRoot(),
    loggingModule(),
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, REDIS],
      useFactory: (config: AppConfig, redis: RedisClient) => ({
        ...throttlerOptions(config),
        storage: new RedisThrottlerStorage(redis),
      }),
    }),
    PlatformModule,
    // Identity.
    UsersModule,
    AuditModule,
    AuthModule,
    // Datasources, the engine, warming.
    DatasourcesModule,
    AnalyticsCacheModule,
    WarmingModule,
    ChangeCaptureModule,
    // Redis tools, monitoring, operations and the operator surface.
    RedisAdminModule,
    DbPerformanceModule,
    AlertsModule,
    InsightsModule,
    RemediationModule,
    HealthModule,
    DemoModule,
    ObservabilityModule,
    QueueBoardModule,
    // The feature modules' routes (they hold providers only; role worker runs them without these: worker.module.ts).
    ApiRoutesModule,
  ],
  providers: [
    BootstrapService,
    // Order matters: authenticate first, so that rate limits count per principal.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: PrincipalThrottlerGuard },
    PrincipalLimits,
    // Not global: attached per route by its HTTP method, with the input check (route-enhancers.ts, configure-app.ts).
    AuditInterceptor,
    { provide: APP_FILTER, useClass: HttpExceptionFilter },
  ],
})
export class AppModule {}
