import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type {
  CacheHealthResponse,
  CacheStatsResponse,
  DatasourceCacheDetails,
  DatasourceCacheMetrics,
  InvalidateResponse,
  SelectiveInvalidateRequest,
} from '@ccc/shared-types';
import { PRIMARY_REGION } from '../config/region-config.js';
import type { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { CacheRepository, type CacheMeta, type DeletionCounts } from './cache.repository.js';
import { RegionCaches } from './region-caches.js';
import { calculateCacheHealth, overallHealth } from './cache-health.js';
import { planQuery } from './entry-codec.js';
import { hitRateOf, sumUsage, type WindowUsage } from './hit-rate.js';
import { QueryCounters } from './query-counters.js';
import { toPreviousGeneration } from './retained-generation.js';
import { UsageCounters } from './usage-counters.js';
import { ChangeCaptureLink } from './change-capture-link.js';
import { WarmActivityLink, type WarmActivity } from './warm-activity.js';

const MB = 1024 * 1024;
const DIMENSION_KEYS = ['measure', 'practice', 'provider', 'frequency'] as const;
const round2 = (value: number): number => Math.round(value * 100) / 100;
const LOW_HIT_RATE = 80;
const MIN_QUERIES_FOR_HIT_RATE = 20;

function describeDuration(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const hours = minutes / 60;
  return hours < 48 ? `${round2(hours)} h` : `${Math.round(hours / 24)} days`;
}

/** Statistics, health and invalidation of the analytics cache (seed 004 endpoints 1, 4 and 5). */
@Injectable()
export class AnalyticsCacheService implements OnModuleInit {
  private readonly logger = new Logger(AnalyticsCacheService.name);

  constructor(
    private readonly cache: CacheRepository,
    private readonly usageCounters: UsageCounters,
    private readonly counters: QueryCounters,
    private readonly datasources: DatasourcesService,
    private readonly warmActivity: WarmActivityLink,
    private readonly changeCapture: ChangeCaptureLink,
    private readonly regions: RegionCaches,
  ) {}

  onModuleInit(): void {
    this.datasources.follow({
      scheduleChanged: async () => undefined,
      removing: async () => undefined,
      regionsChanged: (datasourceId, stale) => this.dropRegionCopies(datasourceId, stale),
    });
  }

  private get warming(): WarmActivity {
    return this.warmActivity.current;
  }

  async stats(): Promise<CacheStatsResponse> {
    // Unflushed tallies stay in process (and are retried) if Redis is briefly unavailable: stats still answer.
    await this.counters.flush().catch(() => undefined);
    const strategies = await this.datasources.entities();
    const now = new Date();
    const windows = await Promise.all(strategies.map((s) => this.usageCounters.windowUsage(s.datasourceId, now)));
    const datasources = await Promise.all(strategies.map((s, i) => this.metrics(s, undefined, windows[i])));
    const hitRate = hitRateOf(sumUsage(windows));
    const warm = datasources.filter((d) => d.isWarm).length;
    return {
      summary: {
        totalDatasources: datasources.length,
        warmDatasources: warm,
        coldDatasources: datasources.length - warm,
        totalCacheEntries: datasources.reduce((sum, d) => sum + d.totalEntries, 0),
        totalIndexes: datasources.reduce((sum, d) => sum + d.indexCount, 0),
        totalMemoryMB: round2(datasources.reduce((sum, d) => sum + d.estimatedMemoryMB, 0)),
        overallCacheHitRate: hitRate.percent ?? 0,
        hitRate,
      },
      datasources,
    };
  }

  async details(datasourceId: number): Promise<DatasourceCacheDetails> {
    await this.counters.flush().catch(() => undefined);
    const strategy = await this.datasources.getEntity(datasourceId);
    const meta = await this.cache.meta(datasourceId);
    return {
      metrics: await this.metrics(strategy, meta),
      generation: meta.generation,
      entriesByMeasureFrequency:
        meta.generation === null
          ? []
          : await this.cache.entriesByMeasureFrequency(
              datasourceId,
              meta.generation,
              meta.measureList,
              meta.frequencies,
            ),
      recentJobs: await this.warming.recentJobs(datasourceId),
      previousGeneration: toPreviousGeneration(meta.previous),
      changeCapture: await this.changeCapture.status(datasourceId),
    };
  }

  async health(): Promise<CacheHealthResponse> {
    const stats = await this.stats();
    const strategies = new Map((await this.datasources.entities()).map((s) => [s.datasourceId, s]));
    const issues: CacheHealthResponse['issues'] = [];
    for (const ds of stats.datasources) {
      const strategy = strategies.get(ds.datasourceId)!;
      if (!strategy.isEnabled) continue;
      const base = { datasourceId: ds.datasourceId, datasourceName: ds.datasourceName };
      if (!ds.isWarm) {
        issues.push({
          ...base,
          severity: 'error',
          issue: 'The cache is cold: every query goes to the database',
          recommendation: strategy.warmSchedule ? 'Warm it now' : 'Warm it now and give it a warming schedule',
        });
        continue;
      }
      const ttlMinutes = Math.round(strategy.stalenessTtlSeconds / 60);
      if (ds.ageMinutes > ttlMinutes) {
        issues.push({
          ...base,
          severity: 'error',
          issue: `Stale: last warmed ${describeDuration(ds.ageMinutes)} ago, past its staleness TTL of ${describeDuration(ttlMinutes)}`,
          recommendation: strategy.warmSchedule
            ? `Refresh it now; its schedule (${strategy.warmSchedule}) runs less often than the TTL allows`
            : 'Refresh it now and schedule warming at least as often as the staleness TTL',
        });
      }
      if (ds.hitRate.requests >= MIN_QUERIES_FOR_HIT_RATE && ds.cacheHitRate < LOW_HIT_RATE) {
        issues.push({
          ...base,
          severity: 'warning',
          issue: `Hit rate ${ds.cacheHitRate}% (${ds.hitRate.window}) is below ${LOW_HIT_RATE}%`,
          recommendation: 'Warm more often, or before the peak hours of its queries',
        });
      }
      if (ds.health === 'degraded') {
        issues.push({
          ...base,
          severity: 'warning',
          issue: 'Health is degraded',
          recommendation: 'Refresh it and check its hit rate and coverage',
        });
      }
    }
    for (const job of await this.warming.lastFailures()) {
      const strategy = strategies.get(job.datasourceId);
      if (strategy) {
        issues.push({
          datasourceId: strategy.datasourceId,
          datasourceName: strategy.name,
          severity: 'error',
          issue: `The last warm failed: ${job.failureReason ?? 'unknown reason'}`,
          recommendation: 'Fix the cause and warm again; the previous generation keeps serving meanwhile',
        });
      }
    }
    // One line per distinct action, naming the datasources it concerns.
    const byAction = new Map<string, string[]>();
    for (const issue of issues)
      byAction.set(issue.recommendation, [...(byAction.get(issue.recommendation) ?? []), issue.datasourceName]);
    const recommendations = [...byAction].map(([action, names]) => `${action}: ${[...new Set(names)].join(', ')}`);
    return {
      overall: overallHealth(
        stats.datasources.filter((d) => strategies.get(d.datasourceId)?.isEnabled).map((d) => d.health),
      ),
      issues,
      recommendations,
    };
  }

  async invalidate(request: SelectiveInvalidateRequest): Promise<InvalidateResponse> {
    const datasourceId = request.datasourceId;
    await this.datasources.getEntity(datasourceId);
    const selective = [request.measure, request.practice, request.provider, request.frequency].some(
      (v) => v !== undefined,
    );
    const counts = selective ? await this.dropSelection(this.cache, request) : await this.dropPrimary(datasourceId);
    // The other regions serve the same data: it goes there too (best effort: a region that is down keeps its copy).
    for (const name of this.regions.names.slice(1))
      await this.invalidateRegion(this.regions.region(name).cache, request, selective).catch(() => undefined);
    return {
      keysDeleted: counts.keysDeleted,
      indexesDeleted: counts.indexesDeleted,
      memoryFreedMB: round2(counts.bytesFreed / MB),
    };
  }

  /**
   * Drops a datasource's cache in one region only (a remediation rule's INVALIDATE_REGION): the primary as a whole
   * invalidation drops it there (a running warm is cancelled), another region as `invalidate` drops its copy. The
   * other regions keep serving; the next warm writes every region again. Returns the keys deleted.
   */
  async invalidateOneRegion(datasourceId: number, regionName: string): Promise<{ entriesDropped: number }> {
    await this.datasources.getEntity(datasourceId);
    const region = this.regions.region(regionName);
    const entriesDropped = (await region.cache.meta(datasourceId)).entries;
    if (region.name === PRIMARY_REGION) await this.dropPrimary(datasourceId);
    else await this.invalidateRegion(region.cache, { datasourceId }, false);
    return { entriesDropped };
  }

  /**
   * A datasource's regions changed (a PATCH of `regions`): the copies in `stale` — regions taken out, which warms no
   * longer update, or put back, which hold what they had before — are dropped, as a whole invalidation does there.
   * Best effort: a region that cannot be reached keeps its copy (logged), and a region out of the list is never read.
   */
  private async dropRegionCopies(datasourceId: number, stale: string[]): Promise<void> {
    for (const name of stale) {
      try {
        await this.invalidateRegion(this.regions.region(name).cache, { datasourceId }, false);
      } catch (error) {
        this.logger.warn({
          msg: 'could not drop the cache of a region taken out of (or put back into) a datasource',
          datasourceId,
          region: name,
          error: (error as Error).message,
        });
      }
    }
  }

  /** A whole datasource out of the primary region, with its shadow and retained generations. */
  private async dropPrimary(datasourceId: number): Promise<DeletionCounts> {
    // Drop the pointer first (a running warm can no longer swap in), delete and count, and only then
    // cancel the warm: cancelling first would let its own cleanup delete the shadow uncounted.
    const running = await this.warming.activeJobOf(datasourceId);
    const { live, shadow, previous } = await this.cache.invalidate(datasourceId);
    const counts = { keysDeleted: 0, indexesDeleted: 0, bytesFreed: 0 };
    // The retained previous generation goes too: invalidated data must not come back by a rollback.
    for (const generation of [shadow, live, previous]) {
      if (generation === null) continue;
      const deleted = await this.cache.deleteGeneration(datasourceId, generation);
      counts.keysDeleted += deleted.keysDeleted;
      counts.indexesDeleted += deleted.indexesDeleted;
      counts.bytesFreed += deleted.bytesFreed;
    }
    if (running) await this.warming.cancel(running).catch(() => undefined);
    return counts;
  }

  private async invalidateRegion(
    cache: CacheRepository,
    request: SelectiveInvalidateRequest,
    selective: boolean,
  ): Promise<void> {
    const id = request.datasourceId;
    if (selective) {
      await this.dropSelection(cache, request);
      return;
    }
    const { live, shadow, previous } = await cache.invalidate(id);
    for (const generation of [shadow, live, previous])
      if (generation !== null) await cache.deleteGeneration(id, generation);
  }

  /**
   * Selective invalidation in one region: only the matching ids, never the values, and in batches (any number of
   * entries). The region is marked first: from then on queries overlapping it go to the database, never to a
   * half-dropped set. The retained previous generation still holds the region: the mark releases it and it is deleted
   * here (paced), so that no rollback serves the invalidated rows again.
   */
  private async dropSelection(cache: CacheRepository, request: SelectiveInvalidateRequest): Promise<DeletionCounts> {
    const id = request.datasourceId;
    const region = Object.fromEntries(
      DIMENSION_KEYS.filter((d) => request[d] !== undefined).map((d) => [d, request[d]]),
    );
    const { marked, released } = await cache.markDropped(id, region);
    if (!marked) return { keysDeleted: 0, indexesDeleted: 0, bytesFreed: 0 };
    const counts = await cache.dropEntries(id, await cache.matchingIds(id, planQuery(request)));
    if (released === null) return counts;
    const retained = await cache.deleteGeneration(id, released);
    return {
      keysDeleted: counts.keysDeleted + retained.keysDeleted,
      indexesDeleted: counts.indexesDeleted + retained.indexesDeleted,
      bytesFreed: counts.bytesFreed + retained.bytesFreed,
    };
  }

  private async metrics(
    strategy: CacheStrategyEntity,
    known?: CacheMeta,
    window?: WindowUsage,
  ): Promise<DatasourceCacheMetrics> {
    const id = strategy.datasourceId;
    const meta = known ?? (await this.cache.meta(id));
    const counters = await this.usageCounters.queryCounters(id);
    const totalQueries = counters.hits + counters.misses;
    const isWarm = meta.generation !== null;
    const ageMinutes =
      isWarm && meta.lastWarmed ? Math.max(0, Math.floor((Date.now() - Date.parse(meta.lastWarmed)) / 60_000)) : 0;
    const hitRate = hitRateOf(window ?? (await this.usageCounters.windowUsage(id)));
    const cacheHitRate = hitRate.percent ?? 0;
    const metrics: DatasourceCacheMetrics = {
      datasourceId: id,
      datasourceName: strategy.name,
      isWarm,
      lastWarmed: isWarm ? meta.lastWarmed : null,
      ageMinutes,
      totalEntries: meta.entries,
      indexCount: meta.indexes,
      estimatedMemoryMB: round2(meta.bytes / MB),
      uniqueMeasures: meta.measures,
      uniquePractices: meta.practices,
      uniqueProviders: meta.providers,
      uniqueFrequencies: meta.frequencies,
      avgQueryTimeMs: totalQueries === 0 ? 0 : round2(counters.latencyMicros / totalQueries / 1000),
      cacheHitRate,
      totalQueries,
      health: 'cold',
      warnings: [],
      hitRate,
    };
    if (!isWarm) {
      metrics.warnings.push(
        strategy.isEnabled ? 'Never warmed, or invalidated: queries go to the database' : 'Disabled',
      );
      return metrics;
    }
    // No traffic in the window is no evidence of misses: score the hit rate as perfect until there is some.
    metrics.health = calculateCacheHealth({ ...metrics, cacheHitRate: hitRate.percent ?? 100 }).health;
    const ttlMinutes = Math.round(strategy.stalenessTtlSeconds / 60);
    if (ageMinutes > ttlMinutes)
      metrics.warnings.push(`Stale: warmed ${describeDuration(ageMinutes)} ago (TTL: ${describeDuration(ttlMinutes)})`);
    if (hitRate.requests >= MIN_QUERIES_FOR_HIT_RATE && cacheHitRate < LOW_HIT_RATE)
      metrics.warnings.push(`Low hit rate: ${cacheHitRate}% (${hitRate.window})`);
    if (!strategy.isEnabled) metrics.warnings.push('Disabled: not refreshed by schedules');
    if (meta.droppedRegions.length > 0) {
      metrics.warnings.push(
        `Partially invalidated (${meta.droppedRegions.length} region(s)): those queries go to the database until the next warm`,
      );
    }
    return metrics;
  }
}
