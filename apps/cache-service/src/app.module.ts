import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ALERTS_CONTROLLERS, ALERTS_PROVIDERS } from './alerts/index.js';
import { AnalyticsCacheController } from './analytics-cache/analytics-cache.controller.js';
import { AnalyticsCacheService } from './analytics-cache/analytics-cache.service.js';
import { AnalyticsQueryController } from './analytics-cache/analytics-query.controller.js';
import { AnalyticsQueryService } from './analytics-cache/analytics-query.service.js';
import { CacheRepository } from './analytics-cache/cache.repository.js';
import { QueryCounters } from './analytics-cache/query-counters.js';
import { SourceReader } from './analytics-cache/source-reader.js';
import { AuditController } from './audit/audit.controller.js';
import { AuditInterceptor } from './audit/audit.interceptor.js';
import { AuditLogEntity } from './audit/audit-log.entity.js';
import { AuditModule } from './audit/audit.module.js';
import { ApiKeyEntity } from './auth/api-key.entity.js';
import { ApiKeysController } from './auth/api-keys.controller.js';
import { ApiKeysService } from './auth/api-keys.service.js';
import { AuthController } from './auth/auth.controller.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AuthService } from './auth/auth.service.js';
import { PasswordHasher } from './auth/password.js';
import { SignInThrottle } from './auth/sign-in-throttle.js';
import { TokenService } from './auth/token.service.js';
import { BootstrapService } from './bootstrap.service.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { InputProblemInterceptor } from './common/input-guard.js';
import { PrincipalThrottlerGuard, throttlerOptions } from './common/rate-limit.js';
import type { AppConfig } from './config/app-config.js';
import { APP_CONFIG, ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { ENTITIES } from './database/entities.js';
import { CacheStrategyEntity } from './datasources/cache-strategy.entity.js';
import { DB_PERFORMANCE_CONTROLLERS, DB_PERFORMANCE_PROVIDERS } from './db-performance/index.js';
import { DatasourcesController } from './datasources/datasources.controller.js';
import { DatasourcesService } from './datasources/datasources.service.js';
import { SourceCatalogRepository } from './datasources/source-catalog.repository.js';
import { SourceDatabase } from './datasources/source-database.js';
import { SourcePolicy } from './datasources/source-policy.js';
import { DemoSeedService } from './demo/demo-seed.service.js';
import { DemoTrafficService } from './demo/demo-traffic.service.js';
import { HealthController } from './health/health.controller.js';
import { HealthService } from './health/health.service.js';
import { MetricsAccess } from './health/metrics-access.js';
import { MetricsService } from './health/metrics.service.js';
import { INSIGHTS_CONTROLLERS, INSIGHTS_PROVIDERS } from './insights/index.js';
import { PeriodicTasks } from './monitoring/periodic-tasks.js';
import { OBSERVABILITY_CONTROLLERS, OBSERVABILITY_PROVIDERS, observabilityImports } from './observability/index.js';
import { RedisAdminModule } from './redis-admin/redis-admin.module.js';
import { REDIS, RedisModule, type RedisClient } from './redis/redis.module.js';
import { RedisThrottlerStorage } from './redis/redis-throttler.storage.js';
import { AppUserEntity } from './users/app-user.entity.js';
import { UsersController } from './users/users.controller.js';
import { UsersService } from './users/users.service.js';
import { JobRepository } from './warming/job.repository.js';
import { WarmingJobEntity } from './warming/warming-job.entity.js';
import { WarmingProcessor } from './warming/warming.processor.js';
import { WarmingService } from './warming/warming.service.js';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule,
    RedisModule,
    AuditModule,
    RedisAdminModule,
    ScheduleModule.forRoot(),
    ...observabilityImports(),
    TypeOrmModule.forFeature(ENTITIES),
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, REDIS],
      useFactory: (config: AppConfig, redis: RedisClient) => ({ ...throttlerOptions(config), storage: new RedisThrottlerStorage(redis) }),
    }),
  ],
  controllers: [
    AuthController,
    UsersController,
    ApiKeysController,
    AuditController,
    DatasourcesController,
    HealthController,
    AnalyticsCacheController,
    AnalyticsQueryController,
    ...ALERTS_CONTROLLERS,
    ...INSIGHTS_CONTROLLERS,
    ...DB_PERFORMANCE_CONTROLLERS,
    ...OBSERVABILITY_CONTROLLERS,
  ],
  providers: [
    AuthService,
    TokenService,
    SignInThrottle,
    {
      provide: PasswordHasher,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new PasswordHasher(config.auth.scryptCost, { concurrency: config.auth.hashConcurrency, maxWaiting: config.auth.hashMaxWaiting }),
    },
    ApiKeysService,
    UsersService,
    DatasourcesService,
    SourceCatalogRepository,
    SourceDatabase,
    SourcePolicy,
    DemoSeedService,
    DemoTrafficService,
    HealthService,
    MetricsService,
    MetricsAccess,
    BootstrapService,
    CacheRepository,
    SourceReader,
    QueryCounters,
    AnalyticsQueryService,
    AnalyticsCacheService,
    JobRepository,
    WarmingService,
    WarmingProcessor,
    PeriodicTasks,
    ...ALERTS_PROVIDERS,
    ...INSIGHTS_PROVIDERS,
    ...DB_PERFORMANCE_PROVIDERS,
    ...OBSERVABILITY_PROVIDERS,
    // Order matters: authenticate first, so that rate limits count per principal.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: PrincipalThrottlerGuard },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
    // Inside the audit interceptor: input refused by the input guard is audited like other refusals.
    { provide: APP_INTERCEPTOR, useClass: InputProblemInterceptor },
    { provide: APP_FILTER, useClass: HttpExceptionFilter },
  ],
})
export class AppModule {}
