import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { IndexCollectionResult, IndexType } from '@ccc/shared-types';
import { In, type DataSource, type Repository } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { SourceCatalogRepository } from '../datasources/source-catalog.repository.js';
import { SourcePolicy } from '../datasources/source-policy.js';
import { PeriodicTasks } from '../platform/periodic-tasks.js';
import { SYSTEM_USER_ID } from '../users/app-user.entity.js';
import { IndexCatalogRepository, type ExistingIndex, type IndexUsageRow } from './index-catalog.repository.js';
import { IndexStrategyEntity } from './index-strategy.entity.js';
import { QueryPerformanceRepository } from './query-performance.repository.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** avg_scan_time_ms: logged queries of the last week whose plan used the index. */
const SCAN_TIME_WINDOW_MS = 7 * DAY_MS;
const MB = 1024 * 1024;
const MAX_COST_SCORE = 99_999_999.99;

/** The index type an existing index is recorded as, from its access method and shape. */
export function indexTypeOf(index: Pick<ExistingIndex, 'method' | 'columns' | 'where' | 'hasExpressions'>): IndexType {
  if (index.method === 'hash') return 'HASH';
  if (index.method === 'gin') return 'GIN';
  if (index.method === 'gist') return 'GIST';
  if (index.where) return 'PARTIAL';
  if (index.hasExpressions) return 'FUNCTIONAL';
  return index.columns.length > 1 ? 'COMPOSITE' : 'BTREE';
}

/** When an index may be judged unused: only after it has existed (with statistics counting) long enough. */
export interface DropRule {
  /** Smallest index worth flagging. */
  minBytes: number;
  minAgeDays: number;
  /** Days since the index was built or first seen, or since the statistics were reset if that is later. */
  observedDays: number;
}

export interface UsageFigures {
  selectivityRatio: number;
  maintenanceCostScore: number;
  isRecommendedForDrop: boolean;
}

/**
 * What the collector derives from an index's cumulative statistics:
 * - selectivity_ratio = tuples fetched / tuples read, clamped to [0, 1] (0 when nothing was read);
 * - maintenance_cost_score = size in MB × table writes (n_tup_ins + n_tup_upd + n_tup_del) / (scans + 1), rounded
 *   to 2 decimals: what keeping the index up to date costs per use of it;
 * - the drop flag only for an index never scanned although observed for at least `minAgeDays` (idx_scan is 0
 *   right after a build or a statistics reset), at least `minBytes` large, and neither unique, primary nor
 *   backing a constraint (dropping those changes behaviour, not just speed).
 */
export function usageFigures(usage: IndexUsageRow, drop: DropRule): UsageFigures {
  const selectivity = usage.tuplesRead > 0 ? Math.min(1, Math.max(0, usage.tuplesFetched / usage.tuplesRead)) : 0;
  const cost = Math.min(
    MAX_COST_SCORE,
    Math.round(((usage.sizeBytes / MB) * usage.tableWrites * 100) / (usage.scans + 1)) / 100,
  );
  return {
    selectivityRatio: Math.round(selectivity * 1e6) / 1e6,
    maintenanceCostScore: cost,
    isRecommendedForDrop:
      usage.scans === 0 &&
      drop.observedDays >= drop.minAgeDays &&
      usage.sizeBytes >= drop.minBytes &&
      !usage.isUnique &&
      !usage.isPrimary &&
      !usage.backsConstraint,
  };
}

/**
 * The 'index-collection' task: records indexes found on datasource tables, then writes today's usage row of
 * every monitored index (one row per strategy and UTC day; later runs of the day update it).
 */
@Injectable()
export class IndexUsageCollector implements OnModuleInit {
  private readonly logger = new Logger(IndexUsageCollector.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(IndexStrategyEntity) private readonly strategies: Repository<IndexStrategyEntity>,
    private readonly catalog: IndexCatalogRepository,
    private readonly sources: SourceCatalogRepository,
    private readonly queries: QueryPerformanceRepository,
    private readonly periodic: PeriodicTasks,
    private readonly policy: SourcePolicy,
  ) {}

  onModuleInit(): void {
    this.periodic.register('index-collection', HOUR_MS, () => this.collect());
  }

  /** "Run now": under the same lease as the scheduled run. */
  async collectNow(): Promise<IndexCollectionResult> {
    const outcome = await this.periodic.runExclusive('index-collection', () => this.collect());
    if (outcome.ran) return outcome.result;
    return { collectedAt: new Date().toISOString(), indexes: 0, discovered: 0, flaggedForDrop: 0, ran: false };
  }

  async collect(): Promise<IndexCollectionResult> {
    const collectedAt = new Date();
    const discovered = await this.discover();
    const active = await this.strategies.find({ where: { isActive: true, isMonitoring: true } });
    // Only tables in SOURCE_SCHEMAS are looked at. What an earlier collector found elsewhere (the service's own
    // indexes, say) is put away; strategies made there by hand are left alone but no longer read.
    const outside = active.filter((strategy) => !this.policy.allowedName(strategy.tableName));
    const stray = outside.filter((strategy) => strategy.discovered).map((strategy) => strategy.id);
    if (stray.length > 0) await this.strategies.update({ id: In(stray) }, { isActive: false, updatedAt: new Date() });
    const monitored = active.flatMap((strategy) => {
      const table = this.policy.allowedName(strategy.tableName);
      return table ? [{ strategy, table }] : [];
    });
    // Once per collection, not once per index: the week's scan times of every monitored index, when each was
    // first seen, and when the statistics were last reset.
    const scanTimes = await this.queries.averageTimesUsingIndexes(
      [...new Set(monitored.map(({ strategy }) => strategy.indexName))],
      new Date(collectedAt.getTime() - SCAN_TIME_WINDOW_MS),
    );
    const firstSeen = await this.firstStatsDates(monitored.map(({ strategy }) => strategy.id));
    const statsResetAt = await this.catalog.statsResetAt();
    let indexes = 0;
    let flaggedForDrop = 0;
    for (const { strategy, table } of monitored) {
      const usage = await this.catalog.usageOf(table.schema, strategy.indexName);
      if (!usage) {
        // Dropped outside the service: the strategy no longer has an index.
        // An index that appears under that name later is someone else's unless the service builds it again.
        if (strategy.isCreated)
          await this.strategies.update(
            { id: strategy.id },
            { isCreated: false, builtByService: false, updatedAt: new Date() },
          );
        continue;
      }
      let createdAt = strategy.createdInDatabaseAt;
      if (!strategy.isCreated) {
        // Built outside the service (or by a build whose bookkeeping was lost).
        createdAt ??= collectedAt;
        await this.strategies.update(
          { id: strategy.id },
          { isCreated: true, builtByService: false, createdInDatabaseAt: createdAt, updatedAt: new Date() },
        );
      }
      // Discovered indexes have no build time: their first statistics row stands in (none yet: seen now).
      const since = Math.max(
        (createdAt ?? firstSeen.get(strategy.id) ?? collectedAt).getTime(),
        statsResetAt?.getTime() ?? 0,
      );
      const figures = usageFigures(usage, {
        minBytes: this.config.monitoring.indexDropMinBytes,
        minAgeDays: this.config.monitoring.indexDropMinAgeDays,
        observedDays: (collectedAt.getTime() - since) / DAY_MS,
      });
      const avgScanTimeMs = scanTimes.get(strategy.indexName) ?? 0;
      await this.db.query(
        `INSERT INTO index_usage_stats (index_strategy_id, table_name, index_name, total_scans, total_tuples_read, total_tuples_fetched,
           avg_scan_time_ms, selectivity_ratio, index_size_bytes, maintenance_cost_score, is_recommended_for_drop, is_unique, is_primary,
           stats_date, last_analyzed)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, ($14::timestamptz AT TIME ZONE 'UTC')::date, $14)
         ON CONFLICT (index_strategy_id, stats_date) DO UPDATE SET
           table_name = EXCLUDED.table_name, index_name = EXCLUDED.index_name, total_scans = EXCLUDED.total_scans,
           total_tuples_read = EXCLUDED.total_tuples_read, total_tuples_fetched = EXCLUDED.total_tuples_fetched,
           avg_scan_time_ms = EXCLUDED.avg_scan_time_ms, selectivity_ratio = EXCLUDED.selectivity_ratio,
           index_size_bytes = EXCLUDED.index_size_bytes, maintenance_cost_score = EXCLUDED.maintenance_cost_score,
           is_recommended_for_drop = EXCLUDED.is_recommended_for_drop, is_unique = EXCLUDED.is_unique,
           is_primary = EXCLUDED.is_primary, last_analyzed = EXCLUDED.last_analyzed`,
        [
          strategy.id,
          strategy.tableName,
          strategy.indexName,
          usage.scans,
          usage.tuplesRead,
          usage.tuplesFetched,
          Math.min(avgScanTimeMs, 99_999_999_999),
          figures.selectivityRatio,
          usage.sizeBytes,
          figures.maintenanceCostScore,
          figures.isRecommendedForDrop,
          usage.isUnique,
          usage.isPrimary,
          collectedAt.toISOString(),
        ],
      );
      indexes++;
      if (figures.isRecommendedForDrop) flaggedForDrop++;
    }
    return { collectedAt: collectedAt.toISOString(), indexes, discovered, flaggedForDrop, ran: true };
  }

  /** The first stats_date (UTC midnight) of each strategy that has one. */
  private async firstStatsDates(ids: string[]): Promise<Map<string, Date>> {
    if (ids.length === 0) return new Map();
    const rows: Array<{ id: string; first: string }> = await this.db.query(
      `SELECT index_strategy_id AS id, min(stats_date)::text AS first FROM index_usage_stats WHERE index_strategy_id = ANY($1::uuid[]) GROUP BY 1`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, new Date(`${row.first}T00:00:00.000Z`)]));
  }

  /** Indexes on datasource source tables (in SOURCE_SCHEMAS) that no strategy names yet become discovered strategies. */
  private async discover(): Promise<number> {
    const tables = await this.sources.sourceNames();
    let discovered = 0;
    for (const table of tables) {
      let found: ExistingIndex[];
      try {
        found = await this.catalog.indexesOf(table);
      } catch (error) {
        this.logger.warn(`could not list the indexes of ${table.qualified}: ${(error as Error).message}`);
        continue;
      }
      for (const index of found) {
        const inserted: unknown[] = await this.db.query(
          `INSERT INTO index_strategy (table_name, index_name, index_type, index_definition, columns, where_clause, usage_pattern,
             maintenance_window, is_created, is_monitoring, created_by, discovered, created_in_db_at)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6, 'LOOKUP', 'IMMEDIATE', true, true, $7, true, NULL)
           ON CONFLICT (table_name, index_name) DO NOTHING
           RETURNING id`,
          [
            table.qualified,
            index.indexName,
            indexTypeOf(index),
            index.definition.slice(0, 2000),
            JSON.stringify(index.columns),
            index.where,
            SYSTEM_USER_ID,
          ],
        );
        discovered += inserted.length;
      }
    }
    return discovered;
  }
}
