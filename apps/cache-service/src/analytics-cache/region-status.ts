import type { DatasourceRegionStatus, RegionWarmResult } from '@ccc/shared-types';
import { Injectable } from '@nestjs/common';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { CacheKeys } from '../redis/redis-keys.js';
import type { CacheMeta } from './cache.repository.js';
import { REGION_RESULTS_FIELD, RegionCaches } from './region-caches.js';

/**
 * Each region's copy of a datasource's cache (GET …/cache/datasources/:id/regions): its live generation and size from
 * the region's own meta hash, its last warm result from the primary's, and how far it lags behind the primary (the
 * warm whose data it serves, and that warm's age).
 */
@Injectable()
export class RegionStatusService {
  constructor(
    private readonly regions: RegionCaches,
    private readonly datasources: DatasourcesService,
  ) {}

  async of(datasourceId: number): Promise<DatasourceRegionStatus[]> {
    const strategy = await this.datasources.getEntity(datasourceId);
    const primary = this.regions.region('primary');
    const raw = await primary.client.hget(CacheKeys.meta(datasourceId), REGION_RESULTS_FIELD);
    const results = raw ? (JSON.parse(raw) as Record<string, RegionWarmResult>) : {};
    const metas = await Promise.all(
      this.regions.names.map((name) =>
        this.regions
          .region(name)
          .cache.meta(datasourceId)
          .catch((): CacheMeta | null => null),
      ),
    );
    const newest = metas[0];
    const newestMs = newest?.lastWarmed ? Date.parse(newest.lastWarmed) : null;
    return this.regions.names.map((region, i) => {
      const meta = metas[i];
      const upToDate = meta !== null && meta.jobId !== null && meta.jobId === newest?.jobId;
      const warmedMs = meta?.lastWarmed ? Date.parse(meta.lastWarmed) : null;
      return {
        region,
        warmed: (strategy.regions ?? ['primary']).includes(region),
        reachable: meta !== null,
        generation: meta?.generation ?? null,
        lastWarmed: meta?.lastWarmed ?? null,
        entries: meta?.entries ?? 0,
        memoryBytes: meta?.bytes ?? 0,
        jobId: meta?.jobId ?? null,
        lastResult: results[region] ?? null,
        upToDate,
        lagSeconds: upToDate
          ? 0
          : newestMs === null || warmedMs === null
            ? null
            : Math.max(0, Math.round((newestMs - warmedMs) / 1000)),
      };
    });
  }
}
