import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AnalyticsCacheModule } from '../analytics-cache/analytics-cache.module.js';
import { DatasourcesModule } from '../datasources/datasources.module.js';
import { PlatformModule } from '../platform/platform.module.js';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { IncrementalRefresh } from './incremental-refresh.js';
import { JobRepository } from './job.repository.js';
import { WarmingJobEntity } from './warming-job.entity.js';
import { WarmingProcessor } from './warming.processor.js';
import { WarmingService } from './warming.service.js';

/**
 * Warming: the BullMQ queue, its worker and schedules; the only owner of the warming_jobs table.
 * Offers: WarmingService (request, control and list warms; schedules), WarmingProcessor (the worker; started by
 * roles that run workers), JobRepository (the queues: alerts send webhooks through it, health reads it).
 * Needs: AnalyticsCacheModule (writes generations), DatasourcesModule (settings; it follows their lifecycle),
 * PlatformModule (the janitor). Routes: /api/admin/analytics/cache/{warm,warming/*,schedules/*}.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([WarmingJobEntity]),
    AnalyticsCacheModule,
    DatasourcesModule,
    PlatformModule,
    TelemetryModule,
  ],
  providers: [JobRepository, WarmingService, WarmingProcessor, IncrementalRefresh],
  exports: [WarmingService, WarmingProcessor, JobRepository, IncrementalRefresh],
})
export class WarmingModule {}
