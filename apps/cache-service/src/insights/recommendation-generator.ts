import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ImplementationStatus, RecommendationGenerationResult, RecommendationType } from '@ccc/shared-types';
import type { Repository } from 'typeorm';
import { CacheRepository } from '../analytics-cache/cache.repository.js';
import { utcDay } from '../common/time-window.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { SourceCatalogRepository } from '../datasources/source-catalog.repository.js';
import { parseSourceName } from '../datasources/source-name.js';
import { PeriodicTasks } from '../platform/periodic-tasks.js';
import { SYSTEM_USER_ID } from '../users/app-user.entity.js';
import { ForecastService, WARM_MEASURE_DAYS } from './forecast.service.js';
import { InsightsRepository } from './insights.repository.js';
import {
  datasourceCandidates,
  increaseMemoryRule,
  SLOW_UNINDEXED_WINDOW_DAYS,
  type Candidate,
  type DatasourceSnapshot,
} from './recommendation-rules.js';
import { RecommendationEntity } from './recommendation.entity.js';
import { addDays, DAY_MS, isForeignKeyViolation } from './usage-analysis.js';
import { UsagePatternsService } from './usage-patterns.service.js';

export const RECOMMENDATIONS_EVERY_MS = 3600_000;
/** A rejected recommendation is not proposed again for this long. */
export const REJECTION_QUIET_DAYS = 7;
/** Usage patterns older than this are too old to act on. */
export const PATTERN_MAX_AGE_DAYS = 7;
const OPEN: ImplementationStatus[] = ['PENDING', 'APPROVED'];

const sameTarget = (
  a: { cacheStrategyId: string; recommendationType: RecommendationType; targetKey: string },
  strategyId: string,
  c: Candidate,
): boolean =>
  a.cacheStrategyId === strategyId && a.recommendationType === c.recommendationType && a.targetKey === c.targetKey;

/**
 * The rules half of recommendations: gathers each datasource's snapshot (usage, cache, source indexes), runs the
 * rules (recommendation-rules.ts) and files what they propose as PENDING, hourly and after each usage rollup.
 */
@Injectable()
export class RecommendationGenerator implements OnModuleInit {
  constructor(
    @InjectRepository(RecommendationEntity) private readonly rows: Repository<RecommendationEntity>,
    private readonly insights: InsightsRepository,
    private readonly usage: UsagePatternsService,
    private readonly cache: CacheRepository,
    private readonly datasources: DatasourcesService,
    private readonly catalog: SourceCatalogRepository,
    private readonly periodic: PeriodicTasks,
    private readonly forecasts: ForecastService,
  ) {}

  onModuleInit(): void {
    this.periodic.register('recommendations', RECOMMENDATIONS_EVERY_MS, () => this.generateNow());
    this.usage.onRolledUp(() => this.periodic.runExclusive('recommendations', () => this.generateNow()));
  }

  /** "Run now": evaluates the rules unless another replica is doing it at this moment. */
  async generate(): Promise<RecommendationGenerationResult> {
    const outcome = await this.periodic.runExclusive('recommendations', () => this.generateNow());
    if (outcome.ran) return outcome.result;
    return { generatedAt: new Date().toISOString(), created: 0, alreadyOpen: 0, ran: false };
  }

  async generateNow(now = new Date()): Promise<RecommendationGenerationResult> {
    const strategies = await this.datasources.entities();
    const latest = await this.usage.latestPerDatasource(addDays(utcDay(now), -PATTERN_MAX_AGE_DAYS));
    const open = await this.rows
      .createQueryBuilder('r')
      .where('r.implementation_status IN (:...open)', { open: OPEN })
      .getMany();
    const rejected = await this.rows
      .createQueryBuilder('r')
      .where(`r.implementation_status = 'REJECTED'`)
      .andWhere('r.rejected_at >= :since', { since: new Date(now.getTime() - REJECTION_QUIET_DAYS * DAY_MS) })
      .getMany();
    const since = new Date(now.getTime() - SLOW_UNINDEXED_WINDOW_DAYS * DAY_MS);
    const warms = await this.insights.completedWarms(new Date(now.getTime() - WARM_MEASURE_DAYS * DAY_MS), now);
    const proposals: Array<{ strategyId: string; candidate: Candidate }> = [];
    let largest: { strategyId: string; bytes: number } | null = null;

    for (const strategy of strategies) {
      const meta = await this.cache.meta(strategy.datasourceId);
      if (!largest || meta.bytes > largest.bytes) largest = { strategyId: strategy.id, bytes: meta.bytes };
      const qualified = parseSourceName(strategy.sourceTable)?.qualified ?? strategy.sourceTable;
      // Null as well for a table outside SOURCE_SCHEMAS: no index advice about tables the service may not touch.
      const exists = (await this.catalog.columnsOf(qualified)) !== null;
      const tableNames = [...new Set([strategy.sourceTable, qualified])];
      const pattern = latest.get(strategy.id) ?? null;
      // The forecast only matters where the warm-before-the-rise rule can act: enabled, with recent usage.
      const forecast =
        pattern && strategy.isEnabled
          ? await this.forecasts.warmingForecast(
              strategy,
              warms.filter((w) => w.cacheStrategyId === strategy.id).map((w) => w.seconds),
              now,
            )
          : null;
      const snapshot: DatasourceSnapshot = {
        now,
        datasourceId: strategy.datasourceId,
        name: strategy.name,
        sourceTable: qualified,
        filterColumns: [strategy.columnMapping.measure, strategy.columnMapping.frequency],
        stalenessTtlSeconds: strategy.stalenessTtlSeconds,
        warmSchedule: strategy.warmSchedule,
        enabled: strategy.isEnabled,
        lastWarmed: meta.generation !== null ? meta.lastWarmed : null,
        latestPattern: pattern,
        slowUnindexed: await this.insights.slowUnindexed(strategy.id, since),
        sourceIndexes: exists ? await this.insights.indexColumns(qualified, tableNames) : [],
        dropCandidates: exists ? await this.insights.dropCandidates(tableNames) : [],
        predictiveWarmingOpen: open.some(
          (r) => r.cacheStrategyId === strategy.id && r.recommendationType === 'PREDICTIVE_WARMING',
        ),
        forecast,
      };
      // A table that does not exist cannot be indexed: leave ADD_SOURCE_INDEX out.
      const candidates = datasourceCandidates(snapshot).filter(
        (c) => exists || c.recommendationType !== 'ADD_SOURCE_INDEX',
      );
      for (const candidate of candidates) proposals.push({ strategyId: strategy.id, candidate });
    }

    // Redis memory is one resource: one advisory, filed under the datasource holding the most memory.
    const memory = increaseMemoryRule(await this.insights.redisMemory());
    if (memory && largest) {
      const existing = open.find((r) => r.recommendationType === 'INCREASE_MEMORY');
      proposals.push({ strategyId: existing?.cacheStrategyId ?? largest.strategyId, candidate: memory });
    }

    let created = 0;
    let alreadyOpen = 0;
    for (const { strategyId, candidate } of proposals) {
      if (open.some((r) => sameTarget(r, strategyId, candidate))) {
        alreadyOpen += 1;
        continue;
      }
      const quiet =
        candidate.recommendationType === 'INCREASE_MEMORY'
          ? rejected.some((r) => r.recommendationType === 'INCREASE_MEMORY')
          : rejected.some((r) => sameTarget(r, strategyId, candidate));
      if (quiet) continue;
      let inserted: Array<{ id: string }>;
      try {
        inserted = (await this.rows.query(
          `INSERT INTO cache_optimization_recommendation (cache_strategy_id, recommendation_type, priority, recommendation_description,
                                                          current_configuration, recommended_configuration, estimated_improvement,
                                                          improvement_metric, target_key, created_by)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9, $10)
           ON CONFLICT (cache_strategy_id, recommendation_type, target_key) WHERE implementation_status IN ('PENDING', 'APPROVED') DO NOTHING
           RETURNING id`,
          [
            strategyId,
            candidate.recommendationType,
            candidate.priority,
            candidate.description.slice(0, 1000),
            JSON.stringify(candidate.currentConfiguration),
            JSON.stringify(candidate.recommendedConfiguration),
            // DECIMAL(10,2): each metric is chosen to fit (index sizes in MB); the cap only guards the column.
            Math.min(99_999_999.99, candidate.estimatedImprovement),
            candidate.improvementMetric,
            candidate.targetKey.slice(0, 200),
            SYSTEM_USER_ID,
          ],
        )) as Array<{ id: string }>;
      } catch (error) {
        if (isForeignKeyViolation(error)) continue; // the datasource was deleted meanwhile
        throw error;
      }
      if (inserted.length > 0) created += 1;
      else alreadyOpen += 1;
    }
    return { generatedAt: now.toISOString(), created, alreadyOpen, ran: true };
  }
}
