import { Inject, Injectable } from '@nestjs/common';
import type { AnalyticsQuery } from '@ccc/shared-types';
import { AppError } from '../common/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { CacheKeys } from '../redis/redis-keys.js';
import { CacheRepository } from './cache.repository.js';
import { EntryGrouper, planQuery, regionsOverlap, spliceQueryResponse } from './entry-codec.js';
import { QueryCounters } from './query-counters.js';
import { SourceReader } from './source-reader.js';

// The cold-cache fallback reads at most this many source rows; a query needing more is too broad, never truncated.
export const MAX_SOURCE_ROWS = 100_000;

// Datasource definitions change rarely; the query path should not ask PostgreSQL for them every time.
const STRATEGY_CACHE_MS = 5_000;

/** The analytics query API for other services: answered from the live generation, or from the source when cold. */
@Injectable()
export class AnalyticsQueryService {
  private readonly strategies = new Map<number, { strategy: CacheStrategyEntity; at: number }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly datasources: DatasourcesService,
    private readonly cache: CacheRepository,
    private readonly source: SourceReader,
    private readonly counters: QueryCounters,
  ) {}

  /** The response as JSON text: stored entry values are spliced in, never decoded and re-encoded. */
  async query(datasourceId: number, query: AnalyticsQuery): Promise<string> {
    const strategy = await this.strategy(datasourceId);
    const source = { table: strategy.sourceTable, columns: strategy.columnMapping, datasourceId, strategyId: strategy.id };
    // Also for cached entries: what a datasource warmed from a table outside SOURCE_SCHEMAS is not served either.
    this.source.allowedTable(source);
    const started = performance.now();
    const max = this.config.query.maxEntries;
    const plan = planQuery(query);
    let result = await this.cache.query(datasourceId, plan, max);
    // After a selective invalidation, entries of the dropped regions are gone until the next warm:
    // a query touching them is answered by the database; any other is still served from the cache.
    if (result.kind === 'dropped') {
      result = result.regions.some((region) => regionsOverlap(region, query)) ? { kind: 'cold' } : await this.cache.query(datasourceId, plan, max, true);
    }
    if (result.kind === 'too_broad') throw this.tooBroad(`The query ${result.exact ? 'matches' : 'may match up to'} ${result.count} entries, more than ${max}`);
    if (result.kind === 'hit') {
      const entries = result.entries.map((entry) => ({ coordinates: CacheKeys.parseEntrySuffix(entry.suffix)!, value: entry.value }));
      const body = spliceQueryResponse(datasourceId, 'cache', result.generation, entries);
      this.counters.record(datasourceId, true, (performance.now() - started) * 1000);
      return body;
    }
    // Cold cache: the source answers, bounded like the cache would be, and it counts as a miss.
    // select() returns up to one row more than asked: that extra row means there are more than the bound.
    const rows = await this.source.select(source, query, MAX_SOURCE_ROWS);
    if (rows.length > MAX_SOURCE_ROWS) throw this.tooBroad(`The cache is cold and the query needs more than ${MAX_SOURCE_ROWS} source rows`);
    const grouper = new EntryGrouper(0);
    const entries = [...grouper.add(rows), ...grouper.finish()];
    if (entries.length > max) throw this.tooBroad(`The query matches ${entries.length} entries, more than ${max}`);
    const body = spliceQueryResponse(datasourceId, 'database', null, entries);
    this.counters.record(datasourceId, false, (performance.now() - started) * 1000);
    return body;
  }

  private tooBroad(reason: string): AppError {
    return new AppError('VALIDATION_FAILED', `${reason}; add measure, frequency, practice or provider filters`, {
      fields: [{ field: 'measure', messages: ['narrow the query with measure, frequency, practice or provider'] }],
    });
  }

  private async strategy(datasourceId: number): Promise<CacheStrategyEntity> {
    const cached = this.strategies.get(datasourceId);
    if (cached && Date.now() - cached.at < STRATEGY_CACHE_MS) return cached.strategy;
    const strategy = await this.datasources.getEntity(datasourceId);
    this.strategies.set(datasourceId, { strategy, at: Date.now() });
    return strategy;
  }
}
