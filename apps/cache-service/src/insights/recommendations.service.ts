import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type {
  ImplementationStatus,
  Paginated,
  Principal,
  Recommendation,
  RecommendationListQuery,
} from '@ccc/shared-types';
import type { Pool } from 'pg';
import type { DataSource, Repository } from 'typeorm';
import { AppError } from '../common/app-error.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { authorOf } from '../users/author.js';
import { RecommendationChanges, type Applied } from './recommendation-changes.js';
import { RecommendationEntity } from './recommendation.entity.js';

const OPEN: ImplementationStatus[] = ['PENDING', 'APPROVED'];

/** Advisory-lock namespace of implementing a recommendation (keyed by its id); see implement. */
const IMPLEMENT_LOCK_NAMESPACE = 0x1dc6;

const beingImplemented = (id: string): AppError =>
  AppError.conflict(`Recommendation ${id} is being implemented right now; its result shows when that has finished`);

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

/**
 * The workflow of recommendations: PENDING → APPROVED → IMPLEMENTED / REJECTED, and their listing. What
 * implementing changes elsewhere is RecommendationChanges'; what files them is RecommendationGenerator.
 */
@Injectable()
export class RecommendationsService {
  private readonly logger = new Logger(RecommendationsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(RecommendationEntity) private readonly rows: Repository<RecommendationEntity>,
    private readonly datasources: DatasourcesService,
    private readonly changes: RecommendationChanges,
  ) {}

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
    const result = await this.db.transaction(async (manager) => {
      // Never while it is being implemented (see implement): the change would stay without its record.
      const [{ locked }] = (await manager.query(`SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked`, [
        IMPLEMENT_LOCK_NAMESPACE,
        id,
      ])) as Array<{ locked: boolean }>;
      if (!locked) throw beingImplemented(id);
      return (await manager.query(
        `UPDATE cache_optimization_recommendation
            SET implementation_status = 'REJECTED', rejected_by = $2, rejected_at = now(), implementation_notes = COALESCE($3, implementation_notes)
          WHERE id = $1 AND implementation_status IN ('PENDING', 'APPROVED') RETURNING id`,
        [id, authorOf(principal), notes ?? null],
      )) as [Array<{ id: string }>, number];
    });
    if (result[0].length === 0) await this.refuse(id, 'rejected', OPEN);
    return this.get(id);
  }

  /**
   * Applies an APPROVED recommendation and marks it IMPLEMENTED, holding its implement lock meanwhile so that no
   * second implement or a reject interleaves. Refused with 409 when the live configuration no longer matches the
   * one the recommendation was made for. If applying fails, nothing is recorded (the status stays APPROVED); if
   * the status cannot be recorded after applying, the previous configuration is put back.
   *
   * The lock is a session advisory lock on a connection of its own, not a row lock in a transaction: applying may
   * build an index with CREATE INDEX CONCURRENTLY, which waits for every older transaction of the database —
   * including one held open here, which would make the build wait for itself until its lock_timeout.
   */
  async implement(id: string, notes: string | undefined, principal: Principal): Promise<Recommendation> {
    const pool = (this.db.driver as unknown as { master: Pool }).master;
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked`,
        [IMPLEMENT_LOCK_NAMESPACE, id],
      );
      if (!rows[0]?.locked) throw beingImplemented(id);
      try {
        await this.implementLocked(id, notes, principal);
      } finally {
        try {
          await client.query(`SELECT pg_advisory_unlock($1, hashtext($2))`, [IMPLEMENT_LOCK_NAMESPACE, id]);
        } catch (error) {
          // Discarding the connection ends its session, and the lock with it.
          broken = error as Error;
        }
      }
    } finally {
      client.release(broken);
    }
    return this.get(id);
  }

  private async implementLocked(id: string, notes: string | undefined, principal: Principal): Promise<void> {
    const row = await this.rows.findOneBy({ id });
    if (!row) throw AppError.notFound('Recommendation', id);
    if (row.implementationStatus !== 'APPROVED') {
      throw AppError.conflict(
        `Recommendation ${id} is ${row.implementationStatus}; only an APPROVED recommendation can be implemented`,
        {
          status: row.implementationStatus,
        },
      );
    }
    const strategy = await this.datasources.entityByStrategyId(row.cacheStrategyId);
    if (!strategy) throw AppError.notFound('Datasource of recommendation', id);
    const applied: Applied = await this.changes.apply(row, strategy, principal);
    try {
      const text = [notes?.trim(), applied.note].filter(Boolean).join(' — ').slice(0, 2000);
      const result = await this.rows.update(
        { id, implementationStatus: 'APPROVED' },
        {
          implementationStatus: 'IMPLEMENTED',
          implementedAt: new Date(),
          implementedBy: authorOf(principal),
          implementationNotes: text,
        },
      );
      if (!result.affected) await this.refuse(id, 'implemented', ['APPROVED']);
    } catch (error) {
      if (applied.undo)
        await applied
          .undo()
          .catch((undoError: Error) => this.logger.error(`could not undo recommendation ${id}: ${undoError.message}`));
      throw error;
    }
  }

  /** Explains why a conditional status change matched nothing: 404 for an unknown id, else 409. */
  private async refuse(id: string, verb: string, from: ImplementationStatus[]): Promise<never> {
    const row = await this.rows.findOneBy({ id });
    if (!row) throw AppError.notFound('Recommendation', id);
    throw AppError.conflict(
      `Recommendation ${id} is ${row.implementationStatus}; only ${from.join(' or ')} recommendations can be ${verb}`,
      {
        status: row.implementationStatus,
      },
    );
  }

  private rowsQuery() {
    return this.rows.createQueryBuilder('r');
  }

  /** The rows with their datasource's id and name, read from the datasources' owner. */
  private async mapRows(builder: ReturnType<RecommendationsService['rowsQuery']>): Promise<Recommendation[]> {
    const entities = await builder.getMany();
    const strategies = await this.datasources.entitiesByStrategyIds([
      ...new Set(entities.map((entity) => entity.cacheStrategyId)),
    ]);
    const byId = new Map(strategies.map((s) => [s.id, s]));
    return entities
      .filter((entity) => byId.has(entity.cacheStrategyId))
      .map((entity) =>
        toRecommendation({
          ...entity,
          datasourceId: byId.get(entity.cacheStrategyId)!.datasourceId,
          datasourceName: byId.get(entity.cacheStrategyId)!.name,
        } as RecommendationRow),
      );
  }
}
