import { ChangeCaptureLink } from './change-capture-link.js';
import { Module } from '@nestjs/common';
import { DatasourcesModule } from '../datasources/datasources.module.js';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { AnalyticsCacheService } from './analytics-cache.service.js';
import { AnalyticsQueryService } from './analytics-query.service.js';
import { ChangeReader } from './change-reader.js';
import { GenerationCarry } from './generation-carry.js';
import { CacheRepository } from './cache.repository.js';
import { QueryCounters } from './query-counters.js';
import { RedisMemory } from './redis-memory.js';
import { RegionCaches } from './region-caches.js';
import { RegionStatusService } from './region-status.js';
import { RetainedGenerations } from './retained-generation.js';
import { SourceReader } from './source-reader.js';
import { UsageCounters } from './usage-counters.js';
import { WarmActivityLink } from './warm-activity.js';
import { WarmLocks } from './warm-locks.js';

/**
 * The cache engine: generations in Redis, atomic swaps, consistent reads, the query API, statistics, health and
 * invalidation. Its state lives in Redis; it owns no table.
 * Offers: CacheRepository (generations), WarmLocks (the warming lock, job controls), UsageCounters (query
 * counters in Redis), RedisMemory (INFO memory), RetainedGenerations (the generation a swap replaced, kept for a
 * rollback), QueryCounters (in-process hit/miss tallies), SourceReader
 * (streams a source table; reports each source query to its listeners, as db-performance records them),
 * WarmActivityLink (warming connects itself here; the engine never imports it).
 * Needs: DatasourcesModule (settings and source access), the global Redis client.
 * Routes: /api/analytics/datasources/*, /api/admin/analytics/cache/{stats,health,invalidate,datasources/:id}.
 */
@Module({
  imports: [DatasourcesModule, TelemetryModule],
  providers: [
    CacheRepository,
    WarmLocks,
    UsageCounters,
    RedisMemory,
    RetainedGenerations,
    SourceReader,
    ChangeReader,
    GenerationCarry,
    QueryCounters,
    AnalyticsQueryService,
    AnalyticsCacheService,
    WarmActivityLink,
    ChangeCaptureLink,
    RegionCaches,
    RegionStatusService,
  ],
  exports: [
    RegionStatusService,
    RegionCaches,
    CacheRepository,
    WarmLocks,
    UsageCounters,
    RedisMemory,
    RetainedGenerations,
    SourceReader,
    ChangeReader,
    GenerationCarry,
    QueryCounters,
    WarmActivityLink,
    ChangeCaptureLink,
    AnalyticsQueryService,
    AnalyticsCacheService,
  ],
})
export class AnalyticsCacheModule {}
