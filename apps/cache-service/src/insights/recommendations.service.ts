import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type {
  ImplementationStatus,
  Paginated,
  Principal,
  Recommendation,
  RecommendationGenerationResult,
  RecommendationListQuery,
  RecommendationType,
} from '@ccc/shared-types';
import type { DataSource, Repository } from 'typeorm';
import { CacheRepository } from '../analytics-cache/cache.repository.js';
import { AppError } from '../common/app-error.js';
import { utcDay } from '../common/time-window.js';
import { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { nextRuns } from '../datasources/cron.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { SourceCatalogRepository } from '../datasources/source-catalog.repository.js';
import { parseSourceName } from '../datasources/source-name.js';
import { SourcePolicy } from '../datasources/source-policy.js';
import { PeriodicTasks } from '../platform/periodic-tasks.js';
import { SYSTEM_USER_ID } from '../users/app-user.entity.js';
import { authorOf } from '../users/author.js';
import { WarmingService } from '../warming/warming.service.js';
import { IndexActions } from './index-actions.js';
import { InsightsRepository } from './insights.repository.js';
import { covers, datasourceCandidates, increaseMemoryRule, SLOW_UNINDEXED_WINDOW_DAYS, type Candidate, type DatasourceSnapshot } from './recommendation-rules.js';
import { RecommendationEntity } from './recommendation.entity.js';
import { addDays, DAY_MS, isForeignKeyViolation } from './usage-analysis.js';
import { UsagePatternsService } from './usage-patterns.service.js';

export const RECOMMENDATIONS_EVERY_MS = 3600_000;
/** A rejected recommendation is not proposed again for this long. */
export const REJECTION_QUIET_DAYS = 7;
/** Usage patterns older than this are too old to act on. */
export const PATTERN_MAX_AGE_DAYS = 7;
const OPEN: ImplementationStatus[] = ['PENDING', 'APPROVED'];

const sameTarget = (a: { cacheStrategyId: string; recommendationType: RecommendationType; targetKey: string }, strategyId: string, c: Candidate): boolean =>
  a.cacheStrategyId === strategyId && a.recommendationType === c.recommendationType && a.targetKey === c.targetKey;

type RecommendationRow = RecommendationEntity & { datasourceId: number; datasourceName: string };

function toRecommendation(row: RecommendationRow): Recommendation {
  return {
    id: row.id,
    cacheStrategyId: row.cacheStrategyId,
    datasourceId: row.datasourceId,
    datasourceName: row.datasourceName,
    recommendationType: row.recommendationType,
    priority: row.priority,
    recommendationDescription: row.recommendationDescription,
    currentConfiguration: row.currentConfiguration,
    recommendedConfiguration: row.recommendedConfiguration,
    estimatedImprovement: row.estimatedImprovement,
    improvementMetric: row.improvementMetric,
    implementationStatus: row.implementationStatus,
    targetKey: row.targetKey,
    approvedBy: row.approvedBy,
    approvedAt: row.approvedAt?.toISOString() ?? null,
    implementedAt: row.implementedAt?.toISOString() ?? null,
    implementationNotes: row.implementationNotes,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}

interface Applied {
  note: string;
  /** Puts the previous configuration back if the status change cannot be recorded. */
  undo?: () => Promise<unknown>;
}

/** The rules engine that writes recommendations, and their PENDING → APPROVED → IMPLEMENTED / REJECTED workflow. */
@Injectable()
export class RecommendationsService implements OnModuleInit {
  private readonly logger = new Logger(RecommendationsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(RecommendationEntity) private readonly rows: Repository<RecommendationEntity>,
    private readonly insights: InsightsRepository,
    private readonly usage: UsagePatternsService,
    private readonly cache: CacheRepository,
    private readonly warming: WarmingService,
    private readonly datasources: DatasourcesService,
    private readonly indexes: IndexActions,
    private readonly catalog: SourceCatalogRepository,
    private readonly periodic: PeriodicTasks,
    private readonly policy: SourcePolicy,
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
    const open = await this.rows.createQueryBuilder('r').where('r.implementation_status IN (:...open)', { open: OPEN }).getMany();
    const rejected = await this.rows
      .createQueryBuilder('r')
      .where(`r.implementation_status = 'REJECTED'`)
      .andWhere('r.rejected_at >= :since', { since: new Date(now.getTime() - REJECTION_QUIET_DAYS * DAY_MS) })
      .getMany();
    const since = new Date(now.getTime() - SLOW_UNINDEXED_WINDOW_DAYS * DAY_MS);
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
        predictiveWarmingOpen: open.some((r) => r.cacheStrategyId === strategy.id && r.recommendationType === 'PREDICTIVE_WARMING'),
      };
      // A table that does not exist cannot be indexed: leave ADD_SOURCE_INDEX out.
      const candidates = datasourceCandidates(snapshot).filter((c) => exists || c.recommendationType !== 'ADD_SOURCE_INDEX');
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

  async list(query: RecommendationListQuery): Promise<Paginated<Recommendation>> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 50;
    const builder = this.rowsQuery();
    if (query.status) builder.andWhere('r.implementation_status = :status', { status: query.status });
    if (query.recommendationType) builder.andWhere('r.recommendation_type = :type', { type: query.recommendationType });
    if (query.datasourceId !== undefined) {
      const strategy = await this.datasources.getEntity(query.datasourceId);
      builder.andWhere('r.cache_strategy_id = :sid', { sid: strategy.id });
    }
    const total = await builder.getCount();
    builder
      .orderBy(`CASE r.implementation_status WHEN 'PENDING' THEN 0 WHEN 'APPROVED' THEN 1 ELSE 2 END`, 'ASC')
      .addOrderBy('r.priority', 'DESC')
      .addOrderBy('r.created_at', 'DESC')
      .addOrderBy('r.id', 'ASC')
      .offset((page - 1) * pageSize)
      .limit(pageSize);
    return { items: await this.mapRows(builder), total, page, pageSize };
  }

  async get(id: string): Promise<Recommendation> {
    const [row] = await this.mapRows(this.rowsQuery().where('r.id = :id', { id }));
    if (!row) throw AppError.notFound('Recommendation', id);
    return row;
  }

  async approve(id: string, principal: Principal): Promise<Recommendation> {
    const result = (await this.rows.query(
      `UPDATE cache_optimization_recommendation SET implementation_status = 'APPROVED', approved_by = $2, approved_at = now()
        WHERE id = $1 AND implementation_status = 'PENDING' RETURNING id`,
      [id, authorOf(principal)],
    )) as [Array<{ id: string }>, number];
    if (result[0].length === 0) await this.refuse(id, 'approved', ['PENDING']);
    return this.get(id);
  }

  async reject(id: string, notes: string | undefined, principal: Principal): Promise<Recommendation> {
    const result = (await this.rows.query(
      `UPDATE cache_optimization_recommendation
          SET implementation_status = 'REJECTED', rejected_by = $2, rejected_at = now(), implementation_notes = COALESCE($3, implementation_notes)
        WHERE id = $1 AND implementation_status IN ('PENDING', 'APPROVED') RETURNING id`,
      [id, authorOf(principal), notes ?? null],
    )) as [Array<{ id: string }>, number];
    if (result[0].length === 0) await this.refuse(id, 'rejected', OPEN);
    return this.get(id);
  }

  /**
   * Applies an APPROVED recommendation and marks it IMPLEMENTED, holding the row locked meanwhile so that no
   * concurrent decision interleaves. Refused with 409 when the live configuration no longer matches the one the
   * recommendation was made for. If applying fails, nothing is recorded (the status stays APPROVED); if the
   * status cannot be recorded after applying, the previous configuration is put back.
   */
  async implement(id: string, notes: string | undefined, principal: Principal): Promise<Recommendation> {
    let applied: Applied | null = null;
    try {
      await this.db.transaction(async (manager) => {
        const row = await manager.getRepository(RecommendationEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
        if (!row) throw AppError.notFound('Recommendation', id);
        if (row.implementationStatus !== 'APPROVED') {
          throw AppError.conflict(`Recommendation ${id} is ${row.implementationStatus}; only an APPROVED recommendation can be implemented`, {
            status: row.implementationStatus,
          });
        }
        const strategy = await manager.getRepository(CacheStrategyEntity).findOneBy({ id: row.cacheStrategyId });
        if (!strategy) throw AppError.notFound('Datasource of recommendation', id);
        applied = await this.apply(row, strategy, principal);
        const text = [notes?.trim(), applied.note].filter(Boolean).join(' — ').slice(0, 2000);
        await manager.update(RecommendationEntity, { id }, { implementationStatus: 'IMPLEMENTED', implementedAt: new Date(), implementedBy: authorOf(principal), implementationNotes: text });
      });
    } catch (error) {
      const undo = (applied as Applied | null)?.undo;
      if (undo) await undo().catch((undoError: Error) => this.logger.error(`could not undo recommendation ${id}: ${undoError.message}`));
      throw error;
    }
    return this.get(id);
  }

  private async apply(row: RecommendationEntity, strategy: CacheStrategyEntity, principal: Principal): Promise<Applied> {
    const current = row.currentConfiguration;
    const recommended = row.recommendedConfiguration;
    const stale = (what: string): AppError =>
      AppError.conflict(`Recommendation ${row.id} is stale: ${what}. Reject it; the next evaluation proposes a fresh one if it still applies.`, {
        stale: true,
      });
    const datasourceId = strategy.datasourceId;
    switch (row.recommendationType) {
      case 'PREDICTIVE_WARMING':
      case 'WARMING_SCHEDULE': {
        const expected = (current.warmSchedule as string | null | undefined) ?? null;
        if (strategy.warmSchedule !== expected) throw stale(`the warm schedule is now ${strategy.warmSchedule === null ? 'none' : `"${strategy.warmSchedule}"`}, not ${expected === null ? 'none' : `"${expected}"`}`);
        const cron = recommended.warmSchedule;
        if (typeof cron !== 'string' || !nextRuns(cron, 1)) throw AppError.conflict(`Recommendation ${row.id} carries no valid warm schedule`);
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
        if (strategy.stalenessTtlSeconds !== expected) throw stale(`the staleness TTL is now ${strategy.stalenessTtlSeconds} s, not ${expected} s`);
        const ttl = Number(recommended.stalenessTtlSeconds);
        if (!Number.isInteger(ttl) || ttl <= 0) throw AppError.conflict(`Recommendation ${row.id} carries no valid staleness TTL`);
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
        if (existing.some((index) => covers(index, columns))) throw stale(`an index leading with (${columns.join(', ')}) exists on ${tableName} now`);
        return this.indexes.createAndApply({ tableName, indexName: String(recommended.indexName), columns }, principal);
      }
      case 'DROP_UNUSED_INDEX': {
        const strategyId = String(recommended.indexStrategyId);
        if (!(await this.insights.indexStrategyBuilt(strategyId))) throw stale(`index ${String(recommended.drop)} is no longer an active, built index`);
        return this.indexes.drop(strategyId, String(recommended.drop), principal);
      }
      case 'INCREASE_MEMORY':
        return {
          note: `Redis memory cannot be changed by this service: set maxmemory to ${Math.round(Number(recommended.maxmemoryBytes) / (1024 * 1024))} MB in the Redis configuration. Recorded as implemented.`,
        };
    }
  }

  /** Explains why a conditional status change matched nothing: 404 for an unknown id, else 409. */
  private async refuse(id: string, verb: string, from: ImplementationStatus[]): Promise<never> {
    const row = await this.rows.findOneBy({ id });
    if (!row) throw AppError.notFound('Recommendation', id);
    throw AppError.conflict(`Recommendation ${id} is ${row.implementationStatus}; only ${from.join(' or ')} recommendations can be ${verb}`, {
      status: row.implementationStatus,
    });
  }

  private rowsQuery() {
    return this.rows
      .createQueryBuilder('r')
      .innerJoin(CacheStrategyEntity, 's', 's.id = r.cache_strategy_id')
      .addSelect('s.datasource_id', 'ds_id')
      .addSelect('s.name', 'ds_name');
  }

  private async mapRows(builder: ReturnType<RecommendationsService['rowsQuery']>): Promise<Recommendation[]> {
    const { entities, raw } = await builder.getRawAndEntities<{ ds_id: number; ds_name: string }>();
    return entities.map((entity, i) => toRecommendation({ ...entity, datasourceId: Number(raw[i].ds_id), datasourceName: raw[i].ds_name } as RecommendationRow));
  }

}
