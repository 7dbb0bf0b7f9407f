import { Injectable } from '@nestjs/common';
import type { Principal } from '@ccc/shared-types';
import { AppError } from '../common/app-error.js';
import type { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { nextRuns } from '../datasources/cron.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { SourceCatalogRepository } from '../datasources/source-catalog.repository.js';
import { SourcePolicy } from '../datasources/source-policy.js';
import { WarmingService } from '../warming/warming.service.js';
import { IndexActions } from './index-actions.js';
import { InsightsRepository } from './insights.repository.js';
import { covers } from './recommendation-rules.js';
import type { RecommendationEntity } from './recommendation.entity.js';

export interface Applied {
  note: string;
  /** Puts the previous configuration back if the status change cannot be recorded. */
  undo?: () => Promise<unknown>;
}

/**
 * What implementing a recommendation changes in the other areas, each through its owner: a warm schedule
 * (warming), a staleness TTL (datasources), an index (db-performance). Refuses a stale recommendation (409).
 */
@Injectable()
export class RecommendationChanges {
  constructor(
    private readonly warming: WarmingService,
    private readonly datasources: DatasourcesService,
    private readonly indexes: IndexActions,
    private readonly catalog: SourceCatalogRepository,
    private readonly insights: InsightsRepository,
    private readonly policy: SourcePolicy,
  ) {}

  async apply(row: RecommendationEntity, strategy: CacheStrategyEntity, principal: Principal): Promise<Applied> {
    const current = row.currentConfiguration;
    const recommended = row.recommendedConfiguration;
    const stale = (what: string): AppError =>
      AppError.conflict(
        `Recommendation ${row.id} is stale: ${what}. Reject it; the next evaluation proposes a fresh one if it still applies.`,
        {
          stale: true,
        },
      );
    const datasourceId = strategy.datasourceId;
    switch (row.recommendationType) {
      case 'PREDICTIVE_WARMING':
      case 'WARMING_SCHEDULE': {
        const expected = (current.warmSchedule as string | null | undefined) ?? null;
        if (strategy.warmSchedule !== expected)
          throw stale(
            `the warm schedule is now ${strategy.warmSchedule === null ? 'none' : `"${strategy.warmSchedule}"`}, not ${expected === null ? 'none' : `"${expected}"`}`,
          );
        const cron = recommended.warmSchedule;
        if (typeof cron !== 'string' || !nextRuns(cron, 1))
          throw AppError.conflict(`Recommendation ${row.id} carries no valid warm schedule`);
        try {
          await this.warming.setSchedule(datasourceId, cron);
        } catch (error) {
          await this.warming.setSchedule(datasourceId, expected).catch(() => undefined);
          throw error;
        }
        return {
          note: `Warm schedule of datasource ${datasourceId} set to "${cron}" (was ${expected === null ? 'none' : `"${expected}"`}).`,
          undo: () => this.warming.setSchedule(datasourceId, expected),
        };
      }
      case 'ADJUST_TTL': {
        const expected = Number(current.stalenessTtlSeconds);
        if (strategy.stalenessTtlSeconds !== expected)
          throw stale(`the staleness TTL is now ${strategy.stalenessTtlSeconds} s, not ${expected} s`);
        const ttl = Number(recommended.stalenessTtlSeconds);
        if (!Number.isInteger(ttl) || ttl <= 0)
          throw AppError.conflict(`Recommendation ${row.id} carries no valid staleness TTL`);
        await this.datasources.update(datasourceId, { stalenessTtlSeconds: ttl }, principal);
        return {
          note: `Staleness TTL of datasource ${datasourceId} set to ${ttl} s (was ${expected} s).`,
          undo: () => this.datasources.update(datasourceId, { stalenessTtlSeconds: expected }, principal),
        };
      }
      case 'ADD_SOURCE_INDEX': {
        const tableName = String(recommended.tableName);
        const columns = (recommended.columns as unknown[]).map(String);
        const { qualified } = this.policy.assertAllowed(tableName, 'tableName');
        if ((await this.catalog.columnsOf(qualified)) === null) throw stale(`table ${tableName} no longer exists`);
        const existing = await this.insights.indexColumns(qualified, [...new Set([tableName, qualified])]);
        if (existing.some((index) => covers(index, columns)))
          throw stale(`an index leading with (${columns.join(', ')}) exists on ${tableName} now`);
        return this.indexes.createAndApply({ tableName, indexName: String(recommended.indexName), columns }, principal);
      }
      case 'DROP_UNUSED_INDEX': {
        const strategyId = String(recommended.indexStrategyId);
        if (!(await this.insights.indexStrategyBuilt(strategyId)))
          throw stale(`index ${String(recommended.drop)} is no longer an active, built index`);
        return this.indexes.drop(strategyId, String(recommended.drop), principal);
      }
      case 'INCREASE_MEMORY':
        return {
          note: `Redis memory cannot be changed by this service: set maxmemory to ${Math.round(Number(recommended.maxmemoryBytes) / (1024 * 1024))} MB in the Redis configuration. Recorded as implemented.`,
        };
    }
  }
}
