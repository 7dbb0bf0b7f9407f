import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type {
  CreateThresholdRequest,
  PerformanceThreshold,
  Principal,
  ThresholdMetricType,
  UpdateThresholdRequest,
} from '@ccc/shared-types';
import { PERCENTAGE_METRICS_OVER_100, THRESHOLD_METRICS } from '@ccc/shared-types';
import { IsNull, type DataSource, type Repository } from 'typeorm';
import { AppError } from '../common/app-error.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { SourceCatalogRepository } from '../datasources/source-catalog.repository.js';
import { SourcePolicy } from '../datasources/source-policy.js';
import { SYSTEM_USER_ID } from '../users/app-user.entity.js';
import { authorOf } from '../users/author.js';
import { PerformanceThresholdEntity } from './performance-threshold.entity.js';

/** Global defaults written when the table is empty on start-up (deleted ones stay deleted: their rows remain, inactive). */
export const DEFAULT_THRESHOLDS: Array<{ metricType: ThresholdMetricType; warning: number; critical: number }> = [
  { metricType: 'CACHE_HIT_RATIO', warning: 80, critical: 50 },
  { metricType: 'CACHE_AGE', warning: 100, critical: 200 },
  { metricType: 'WARMING_FAILURES', warning: 1, critical: 3 },
  { metricType: 'QUERY_TIME', warning: 50, critical: 250 },
  { metricType: 'CACHE_MEMORY_SHARE', warning: 60, critical: 85 },
  // Critical at CDC_MAX_LAG_BYTES' default, where change capture gives the slot up for a full warm.
  { metricType: 'CDC_SLOT_LAG', warning: 64 * 1024 * 1024, critical: 256 * 1024 * 1024 },
];

// CACHE_AGE is a percentage of the staleness TTL: 200 % (twice the TTL) is a meaningful level.
const PERCENT_OVER_100_ALLOWED = new Set<ThresholdMetricType>(PERCENTAGE_METRICS_OVER_100);

@Injectable()
export class ThresholdsService {
  constructor(
    @InjectRepository(PerformanceThresholdEntity) private readonly thresholds: Repository<PerformanceThresholdEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly datasources: DatasourcesService,
    private readonly catalog: SourceCatalogRepository,
    private readonly policy: SourcePolicy,
  ) {}

  async list(includeInactive = false): Promise<PerformanceThreshold[]> {
    const rows = await this.thresholds.find({
      where: includeInactive ? {} : { isActive: true },
      order: { metricType: 'ASC', createdAt: 'ASC' },
    });
    return this.toResponses(rows);
  }

  async get(id: string): Promise<PerformanceThreshold> {
    return (await this.toResponses([await this.entity(id)]))[0];
  }

  async create(request: CreateThresholdRequest, principal: Principal): Promise<PerformanceThreshold> {
    const candidate = this.thresholds.create({
      metricType: request.metricType,
      tableName: request.tableName ?? null,
      warningThreshold: request.warningThreshold,
      criticalThreshold: request.criticalThreshold,
      thresholdUnit: request.thresholdUnit ?? THRESHOLD_METRICS[request.metricType].unit,
      alertEnabled: request.alertEnabled ?? true,
      alertConfiguration: request.alertConfiguration ?? null,
      createdBy: authorOf(principal),
      isActive: true,
    });
    candidate.cacheStrategyId = await this.validate(candidate, request.datasourceId ?? null, request.thresholdUnit);
    await this.assertNoDuplicate(candidate);
    const saved = await this.saveUnique(candidate);
    return this.get(saved.id);
  }

  async update(id: string, request: UpdateThresholdRequest, principal: Principal): Promise<PerformanceThreshold> {
    const row = await this.entity(id);
    let datasourceId: number | null = null;
    if (request.datasourceId !== undefined) datasourceId = request.datasourceId;
    else if (row.cacheStrategyId)
      datasourceId = (await this.datasources.entityByStrategyId(row.cacheStrategyId))?.datasourceId ?? null;
    if (request.tableName !== undefined) row.tableName = request.tableName;
    if (request.warningThreshold !== undefined) row.warningThreshold = request.warningThreshold;
    if (request.criticalThreshold !== undefined) row.criticalThreshold = request.criticalThreshold;
    if (request.thresholdUnit !== undefined) row.thresholdUnit = request.thresholdUnit;
    if (request.alertEnabled !== undefined) row.alertEnabled = request.alertEnabled;
    if (request.alertConfiguration !== undefined) row.alertConfiguration = request.alertConfiguration;
    if (request.isActive !== undefined) row.isActive = request.isActive;
    row.cacheStrategyId = await this.validate(row, datasourceId, request.thresholdUnit);
    if (row.isActive) await this.assertNoDuplicate(row);
    row.updatedBy = authorOf(principal);
    row.updatedAt = new Date();
    await this.saveUnique(row);
    return this.get(id);
  }

  /** Soft delete: the row stays (inactive), so history refers to it and start-up defaults are not re-created. */
  async remove(id: string, principal: Principal): Promise<void> {
    const row = await this.entity(id);
    if (!row.isActive) return;
    await this.thresholds.update({ id }, { isActive: false, updatedBy: authorOf(principal), updatedAt: new Date() });
  }

  /** Writes the global defaults if the table has no rows at all (one replica at a time, under an advisory lock). */
  async ensureDefaults(): Promise<number> {
    return this.db.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('ccc:default-thresholds'))`);
      const [{ n }] = (await manager.query(`SELECT count(*)::int AS n FROM performance_threshold`)) as Array<{
        n: number;
      }>;
      if (n > 0) return 0;
      for (const d of DEFAULT_THRESHOLDS) {
        await manager.insert(PerformanceThresholdEntity, {
          metricType: d.metricType,
          warningThreshold: d.warning,
          criticalThreshold: d.critical,
          thresholdUnit: THRESHOLD_METRICS[d.metricType].unit,
          alertEnabled: true,
          createdBy: SYSTEM_USER_ID,
          isActive: true,
        });
      }
      return DEFAULT_THRESHOLDS.length;
    });
  }

  async toResponses(rows: PerformanceThresholdEntity[]): Promise<PerformanceThreshold[]> {
    const strategyIds = [...new Set(rows.map((r) => r.cacheStrategyId).filter((id): id is string => id !== null))];
    const strategies = await this.datasources.entitiesByStrategyIds(strategyIds);
    const datasourceOf = new Map(strategies.map((s) => [s.id, s.datasourceId]));
    return rows.map((row) => ({
      id: row.id,
      metricType: row.metricType,
      tableName: row.tableName,
      datasourceId: row.cacheStrategyId ? (datasourceOf.get(row.cacheStrategyId) ?? null) : null,
      warningThreshold: row.warningThreshold,
      criticalThreshold: row.criticalThreshold,
      thresholdUnit: row.thresholdUnit,
      direction: THRESHOLD_METRICS[row.metricType].direction,
      alertEnabled: row.alertEnabled,
      alertConfiguration: row.alertConfiguration,
      createdBy: row.createdBy,
      updatedBy: row.updatedBy,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      isActive: row.isActive,
    }));
  }

  private async entity(id: string): Promise<PerformanceThresholdEntity> {
    const row = await this.thresholds.findOne({ where: { id } });
    if (!row) throw AppError.notFound('Threshold', id);
    return row;
  }

  /**
   * Saves a threshold; a concurrent request that created (or re-activated) one for the same scope since the
   * pre-check trips uq_perf_threshold_active: a 409 naming that threshold, like the pre-check's.
   */
  private async saveUnique(row: PerformanceThresholdEntity): Promise<PerformanceThresholdEntity> {
    try {
      return await this.thresholds.save(row);
    } catch (error) {
      const driver = (error as { driverError?: { code?: string; constraint?: string } }).driverError;
      if (driver?.code !== '23505' || driver.constraint !== 'uq_perf_threshold_active') throw error;
      await this.assertNoDuplicate(row);
      throw AppError.conflict(
        `An active ${row.metricType} threshold for this scope already exists; change that one instead`,
      );
    }
  }

  /** Checks a threshold as it would be stored; returns the cache strategy id of `datasourceId`. */
  private async validate(
    row: PerformanceThresholdEntity,
    datasourceId: number | null,
    requestedUnit: string | undefined,
  ): Promise<string | null> {
    const metric = THRESHOLD_METRICS[row.metricType];
    if (requestedUnit !== undefined && requestedUnit !== metric.unit) {
      throw AppError.invalidField(
        'thresholdUnit',
        `thresholdUnit of ${row.metricType} must be ${metric.unit} (got ${requestedUnit})`,
      );
    }
    row.thresholdUnit = metric.unit;
    const { warningThreshold: warning, criticalThreshold: critical } = row;
    if (metric.direction === 'ABOVE' && critical < warning) {
      throw AppError.invalidField(
        'criticalThreshold',
        `criticalThreshold must be at least warningThreshold for ${row.metricType} (higher is worse): got warning ${warning}, critical ${critical}`,
      );
    }
    if (metric.direction === 'BELOW' && critical > warning) {
      throw AppError.invalidField(
        'criticalThreshold',
        `criticalThreshold must be at most warningThreshold for ${row.metricType} (lower is worse): got warning ${warning}, critical ${critical}`,
      );
    }
    if (metric.unit === 'PERCENTAGE' && !PERCENT_OVER_100_ALLOWED.has(row.metricType)) {
      for (const [field, value] of [
        ['warningThreshold', warning],
        ['criticalThreshold', critical],
      ] as const) {
        if (value > 100)
          throw AppError.invalidField(
            field,
            `${field} is a percentage for ${row.metricType}: at most 100 (got ${value})`,
          );
      }
    }
    let strategyId: string | null = null;
    if (datasourceId !== null) {
      if (metric.scope !== 'datasource') {
        throw AppError.invalidField(
          'datasourceId',
          `datasourceId applies to datasource metrics only; ${row.metricType} is measured per ${metric.scope}`,
        );
      }
      // In a body, an unknown datasource is an invalid field (400), not a missing resource.
      const strategy = await this.datasources.getEntity(datasourceId).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'NOT_FOUND')
          throw AppError.invalidField('datasourceId', `Datasource ${datasourceId} does not exist`);
        throw error;
      });
      strategyId = strategy.id;
    }
    if (row.tableName !== null) {
      if (metric.scope !== 'table' && row.metricType !== 'QUERY_TIME') {
        throw AppError.invalidField(
          'tableName',
          `tableName applies to table metrics and QUERY_TIME only; ${row.metricType} is measured per ${metric.scope}`,
        );
      }
      // Stored qualified (an unqualified name means public), the way datasources name their tables. Table statistics
      // of anything outside SOURCE_SCHEMAS are not the service's to read (403).
      row.tableName = this.policy.assertAllowed(row.tableName, 'tableName').qualified;
      if (!(await this.catalog.sourceTables()).includes(row.tableName)) {
        throw AppError.invalidField('tableName', `${row.tableName} is not the source table of a registered datasource`);
      }
    }
    return strategyId;
  }

  private async assertNoDuplicate(row: PerformanceThresholdEntity): Promise<void> {
    const existing = await this.thresholds.findOne({
      where: {
        metricType: row.metricType,
        cacheStrategyId: row.cacheStrategyId ?? IsNull(),
        tableName: row.tableName ?? IsNull(),
        isActive: true,
      },
    });
    if (existing && existing.id !== row.id) {
      throw AppError.conflict(
        `An active ${row.metricType} threshold for this scope already exists (${existing.id}); change that one instead`,
        { thresholdId: existing.id },
      );
    }
  }
}
