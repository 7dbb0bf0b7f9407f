import { Inject, Injectable } from '@nestjs/common';
import type { AnalyticsQuery } from '@ccc/shared-types';
import { AppError } from '../common/app-error.js';
import { isOutage } from '../common/infrastructure-errors.js';
import { LruCache } from '../common/lru-cache.js';
import { SingleFlight } from '../common/single-flight.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PRIMARY_REGION } from '../config/region-config.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { OperatorMetricsService, type QuerySource } from '../telemetry/operator-metrics.service.js';
import { SourcePolicy } from '../datasources/source-policy.js';
import { CacheRepository, type QueryPlan, type QueryResult } from './cache.repository.js';
import { EntryGrouper, planQuery, regionsOverlap, spliceQueryResponse } from './entry-codec.js';
import { QueryCounters } from './query-counters.js';
import { RegionCaches } from './region-caches.js';
import { SourceReader, type SourceTable } from './source-reader.js';

// The cold-cache fallback reads at most this many source rows; a query needing more is too broad, never truncated.
export const MAX_SOURCE_ROWS = 100_000;

// Datasource definitions change rarely; the query path should not ask PostgreSQL for them every time. A change made
// through this process is seen at once (DatasourcesService.onChange); one made through another replica within this.
const STRATEGY_CACHE_MS = 5_000;
const MAX_CACHED_DATASOURCES = 10_000;
// An id that does not exist is remembered as such briefly, in a cache of its own: a client polling it (or a flood of
// made-up ids) costs one lookup per id and interval, and cannot push the real datasources out.
const UNKNOWN_CACHE_MS = 2_000;
const MAX_CACHED_UNKNOWN = 10_000;

/** What the query API keeps of a datasource: its source as the reader takes it, and the regions warms write into. */
interface QueryTarget extends SourceTable {
  regions: string[];
}

/** The analytics query API for other services: answered from the live generation, or from the source when cold. */
@Injectable()
export class AnalyticsQueryService {
  /** What a query needs of a datasource: its source as the reader takes it, the table name parsed and checked once. */
  private readonly known = new LruCache<number, QueryTarget>(MAX_CACHED_DATASOURCES, STRATEGY_CACHE_MS);
  private readonly unknown = new LruCache<number, true>(MAX_CACHED_UNKNOWN, UNKNOWN_CACHE_MS);
  /**
   * The last definition read of each datasource, kept past STRATEGY_CACHE_MS: while PostgreSQL cannot be reached,
   * warm datasources keep answering from Redis with it (the definition cannot change meanwhile, except by a deletion
   * on another replica, which also purges the cache).
   */
  private readonly lastKnown = new LruCache<number, QueryTarget>(MAX_CACHED_DATASOURCES, Infinity);
  /** Queries arriving while a datasource's definition is being read (its cache entry just expired) share that read. */
  private readonly lookups = new SingleFlight<number, QueryTarget>();
  /** Counts definition changes, so that a read that overlapped one is not remembered. */
  private changes = 0;
  /** "Now" of both caches, in ms; tests hold it still. */
  clock: () => number = () => Date.now();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly datasources: DatasourcesService,
    private readonly cache: CacheRepository,
    private readonly source: SourceReader,
    private readonly counters: QueryCounters,
    private readonly policy: SourcePolicy,
    private readonly metrics: OperatorMetricsService,
    private readonly regions: RegionCaches,
  ) {
    datasources.onChange((id) => {
      this.known.delete(id);
      this.lastKnown.delete(id);
      this.unknown.delete(id);
      this.lookups.forgetAll();
      this.changes += 1;
    });
  }

  /** The response as JSON text: stored entry values are spliced in, never decoded and re-encoded. */
  async query(datasourceId: number, query: AnalyticsQuery): Promise<string> {
    const source =
      this.known.get(datasourceId, this.clock()) ??
      (await this.lookups.run(datasourceId, () => this.lookUp(datasourceId)));
    // Also for cached entries: what a datasource warmed from a table outside SOURCE_SCHEMAS is not served either.
    this.source.allowedTable(source);
    const started = performance.now();
    // Counted per datasource once it is known to exist: a made-up id never becomes a label value.
    let answeredBy: QuerySource = 'cache';
    try {
      const body = await this.answer(datasourceId, source, query, () => (answeredBy = 'database'));
      this.metrics.query(datasourceId, answeredBy, 'ok', (performance.now() - started) / 1000);
      return body;
    } catch (error) {
      this.metrics.query(datasourceId, answeredBy, 'error', (performance.now() - started) / 1000);
      throw error;
    }
  }

  private async answer(
    datasourceId: number,
    source: QueryTarget,
    query: AnalyticsQuery,
    toDatabase: () => void,
  ): Promise<string> {
    const started = performance.now();
    const max = this.config.query.maxEntries;
    const plan = planQuery(query);
    const { result, region } = await this.fromRegions(datasourceId, source.regions, query, plan, max);
    if (result.kind === 'too_broad')
      throw this.tooBroad(
        `The query ${result.exact ? 'matches' : 'may match up to'} ${result.count} entries, more than ${max}`,
      );
    if (result.kind === 'hit') {
      const body = spliceQueryResponse(datasourceId, 'cache', result.generation, result.entries, region);
      this.counters.record(datasourceId, true, (performance.now() - started) * 1000);
      return body;
    }
    // Cold cache: the source answers, bounded like the cache would be, and it counts as a miss.
    toDatabase();
    // select() returns up to one row more than asked: that extra row means there are more than the bound.
    const rows = await this.source.select(source, query, MAX_SOURCE_ROWS);
    if (rows.length > MAX_SOURCE_ROWS)
      throw this.tooBroad(`The cache is cold and the query needs more than ${MAX_SOURCE_ROWS} source rows`);
    const grouper = new EntryGrouper(0);
    const entries = [...grouper.add(rows), ...grouper.finish()];
    if (entries.length > max) throw this.tooBroad(`The query matches ${entries.length} entries, more than ${max}`);
    const body = spliceQueryResponse(datasourceId, 'database', null, entries);
    this.counters.record(datasourceId, false, (performance.now() - started) * 1000);
    return body;
  }

  /**
   * The answer of the first region in SERVICE_REGION, SERVICE_REGION_FALLBACK order whose live generation holds it;
   * a region that cannot be reached or is cold is passed over (each answer still comes wholly from one generation of
   * one region). A region not among the datasource's `regions` counts as cold without being read: warms no longer
   * update it, so whatever it still holds is out of date. Every region unreachable: the last error, as a single
   * Redis's outage would be. `region`: set only when several regions are configured (the answer's additive `region`
   * field).
   */
  private async fromRegions(
    datasourceId: number,
    regions: string[],
    query: AnalyticsQuery,
    plan: QueryPlan,
    max: number,
  ): Promise<{ result: QueryResult; region?: string }> {
    if (!this.regions.several) return { result: await this.fromCache(this.cache, datasourceId, query, plan, max) };
    const order = this.regions.readOrder();
    let failure: unknown = null;
    let reached = false;
    for (const region of order) {
      if (region.name !== PRIMARY_REGION && !regions.includes(region.name)) {
        reached = true;
        continue;
      }
      try {
        const result = await this.fromCache(region.cache, datasourceId, query, plan, max);
        if (result.kind !== 'cold') return { result, region: region.name };
        reached = true;
      } catch (error) {
        if (!isOutage(error)) throw error;
        failure = error;
      }
    }
    // Cold where reachable (and down elsewhere): the database answers, as on a cold cache.
    if (!reached) throw failure;
    return { result: { kind: 'cold' } };
  }

  private async fromCache(
    cache: CacheRepository,
    datasourceId: number,
    query: AnalyticsQuery,
    plan: QueryPlan,
    max: number,
  ): Promise<QueryResult> {
    const result = await cache.query(datasourceId, plan, max);
    // After a selective invalidation, entries of the dropped regions are gone until the next warm:
    // a query touching them is answered by the database; any other is still served from the cache.
    if (result.kind !== 'dropped') return result;
    return result.regions.some((region) => regionsOverlap(region, query))
      ? { kind: 'cold' }
      : cache.query(datasourceId, plan, max, true);
  }

  private tooBroad(reason: string): AppError {
    return new AppError('VALIDATION_FAILED', `${reason}; add measure, frequency, practice or provider filters`, {
      fields: [{ field: 'measure', messages: ['narrow the query with measure, frequency, practice or provider'] }],
    });
  }

  /** The datasource from PostgreSQL, or 404 — remembered either way (a 404 briefly). */
  private async lookUp(datasourceId: number): Promise<QueryTarget> {
    if (this.unknown.get(datasourceId, this.clock())) throw AppError.notFound('Datasource', datasourceId);
    const changes = this.changes;
    try {
      const strategy = await this.datasources.getEntity(datasourceId);
      const source: QueryTarget = {
        table: strategy.sourceTable,
        columns: strategy.columnMapping,
        datasourceId,
        strategyId: strategy.id,
        allowed: this.policy.allowedName(strategy.sourceTable),
        regions: strategy.regions ?? [PRIMARY_REGION],
      };
      if (changes === this.changes) {
        this.known.set(datasourceId, source, Infinity, this.clock());
        this.lastKnown.set(datasourceId, source, Infinity, this.clock());
      }
      return source;
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND')
        this.unknown.set(datasourceId, true, Infinity, this.clock());
      const stale = this.lastKnown.get(datasourceId, this.clock());
      if (stale && isOutage(error)) {
        // Asked again after the usual interval, not on every request, while PostgreSQL is away.
        this.known.set(datasourceId, stale, Infinity, this.clock());
        return stale;
      }
      throw error;
    }
  }
}
