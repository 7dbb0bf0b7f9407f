import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type {
  CreateRemediationRuleRequest,
  Principal,
  RemediationRule,
  UpdateRemediationRuleRequest,
} from '@ccc/shared-types';
import type { Repository } from 'typeorm';
import { RegionCaches } from '../analytics-cache/region-caches.js';
import { AppError } from '../common/app-error.js';
import type { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { authorOf } from '../users/author.js';
import { RemediationRuleEntity } from './remediation-rule.entity.js';

const DEFAULT_COOLDOWN_SECONDS = 900;
const DEFAULT_MAX_FAILED_ATTEMPTS = 3;

export function toRule(row: RemediationRuleEntity, strategy: CacheStrategyEntity | null): RemediationRule {
  return {
    id: row.id,
    name: row.name,
    alertType: row.alertType,
    minSeverity: row.minSeverity,
    datasourceId: strategy?.datasourceId ?? null,
    datasourceName: strategy?.name ?? null,
    action: row.action,
    ttlFactor: row.ttlFactor,
    maxTtlSeconds: row.maxTtlSeconds,
    region: row.region,
    cooldownSeconds: row.cooldownSeconds,
    maxFailedAttempts: row.maxFailedAttempts,
    dryRun: row.dryRun,
    enabled: row.enabled,
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Remediation rules: the only owner of the remediation_rule table. */
@Injectable()
export class RemediationRulesService {
  constructor(
    @InjectRepository(RemediationRuleEntity) private readonly rows: Repository<RemediationRuleEntity>,
    private readonly datasources: DatasourcesService,
    private readonly regions: RegionCaches,
  ) {}

  async list(): Promise<RemediationRule[]> {
    const rows = await this.rows.find({ order: { createdAt: 'ASC', id: 'ASC' } });
    return this.mapRows(rows);
  }

  /** The enabled rules, as entities, for the executor. */
  enabledEntities(): Promise<RemediationRuleEntity[]> {
    return this.rows.find({ where: { enabled: true }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async get(id: string): Promise<RemediationRule> {
    return (await this.mapRows([await this.entity(id)]))[0];
  }

  async create(request: CreateRemediationRuleRequest, principal: Principal): Promise<RemediationRule> {
    const strategy =
      request.datasourceId === undefined || request.datasourceId === null
        ? null
        : await this.datasourceOf(request.datasourceId);
    const now = new Date();
    const row = this.rows.create({
      name: request.name.trim(),
      alertType: request.alertType,
      minSeverity: request.minSeverity ?? 'WARNING',
      cacheStrategyId: strategy?.id ?? null,
      action: request.action,
      ttlFactor: request.ttlFactor ?? null,
      maxTtlSeconds: request.maxTtlSeconds ?? null,
      region: request.region ?? null,
      cooldownSeconds: request.cooldownSeconds ?? DEFAULT_COOLDOWN_SECONDS,
      maxFailedAttempts: request.maxFailedAttempts ?? DEFAULT_MAX_FAILED_ATTEMPTS,
      dryRun: request.dryRun ?? false,
      enabled: request.enabled ?? true,
      createdBy: authorOf(principal),
      updatedBy: null,
      createdAt: now,
      updatedAt: now,
    });
    this.assertActionFields(row);
    return toRule(await this.save(row), strategy);
  }

  async update(id: string, request: UpdateRemediationRuleRequest, principal: Principal): Promise<RemediationRule> {
    const row = await this.entity(id);
    let strategy = row.cacheStrategyId ? await this.datasources.entityByStrategyId(row.cacheStrategyId) : null;
    if (request.datasourceId !== undefined) {
      strategy = request.datasourceId === null ? null : await this.datasourceOf(request.datasourceId);
      row.cacheStrategyId = strategy?.id ?? null;
    }
    // null for a field that cannot be empty leaves it as it is (the validation pipe lets null through as absent).
    if (request.name != null) row.name = request.name.trim();
    if (request.alertType != null) row.alertType = request.alertType;
    if (request.minSeverity != null) row.minSeverity = request.minSeverity;
    if (request.action != null) {
      row.action = request.action;
      // Another action: the TTL settings go unless this request gives them.
      if (request.action !== 'RAISE_STALENESS_TTL') {
        row.ttlFactor = null;
        row.maxTtlSeconds = null;
      }
      if (request.action !== 'INVALIDATE_REGION') row.region = null;
    }
    if (request.ttlFactor !== undefined) row.ttlFactor = request.ttlFactor;
    if (request.maxTtlSeconds !== undefined) row.maxTtlSeconds = request.maxTtlSeconds;
    if (request.region !== undefined) row.region = request.region;
    if (request.cooldownSeconds != null) row.cooldownSeconds = request.cooldownSeconds;
    if (request.maxFailedAttempts != null) row.maxFailedAttempts = request.maxFailedAttempts;
    if (request.dryRun != null) row.dryRun = request.dryRun;
    if (request.enabled != null) row.enabled = request.enabled;
    this.assertActionFields(row);
    row.updatedBy = authorOf(principal);
    row.updatedAt = new Date();
    return toRule(await this.save(row), strategy);
  }

  /** The fields an action takes: RAISE_STALENESS_TTL its factor and cap, INVALIDATE_REGION a configured region. */
  private assertActionFields(row: RemediationRuleEntity): void {
    assertTtlFields(row);
    const invalidates = row.action === 'INVALIDATE_REGION';
    if (invalidates && row.region === null)
      throw AppError.invalidField('region', 'region is required for the action INVALIDATE_REGION');
    if (!invalidates && row.region !== null)
      throw AppError.invalidField('region', 'region applies to the action INVALIDATE_REGION only');
    // 400 naming `region` when REDIS_REGIONS has no such region.
    if (row.region !== null) this.regions.region(row.region, 'region');
  }

  async remove(id: string): Promise<void> {
    await this.entity(id);
    await this.rows.delete({ id });
  }

  private async save(row: RemediationRuleEntity): Promise<RemediationRuleEntity> {
    try {
      return await this.rows.save(row);
    } catch (error) {
      if ((error as { driverError?: { code?: string } }).driverError?.code !== '23505') throw error;
      throw AppError.conflict(
        `A rule with action ${row.action} for ${row.alertType} alerts ${row.cacheStrategyId ? 'of this datasource' : 'of every datasource'} already exists`,
        { alertType: row.alertType, action: row.action },
      );
    }
  }

  private async entity(id: string): Promise<RemediationRuleEntity> {
    const row = await this.rows.findOneBy({ id });
    if (!row) throw AppError.notFound('Remediation rule', id);
    return row;
  }

  /** An unknown datasource in a rule is the request's mistake: 400 naming the field, not 404 of the route. */
  private async datasourceOf(datasourceId: number): Promise<CacheStrategyEntity> {
    const strategy = await this.datasources.findEntity(datasourceId);
    if (!strategy) throw AppError.invalidField('datasourceId', `datasourceId ${datasourceId} is not a datasource`);
    return strategy;
  }

  private async mapRows(rows: RemediationRuleEntity[]): Promise<RemediationRule[]> {
    const ids = [...new Set(rows.map((r) => r.cacheStrategyId).filter((id): id is string => id !== null))];
    const strategies = new Map((await this.datasources.entitiesByStrategyIds(ids)).map((s) => [s.id, s]));
    return rows.map((row) => toRule(row, row.cacheStrategyId ? (strategies.get(row.cacheStrategyId) ?? null) : null));
  }
}

/** RAISE_STALENESS_TTL needs its factor and cap; the other actions take neither. */
function assertTtlFields(row: RemediationRuleEntity): void {
  const raises = row.action === 'RAISE_STALENESS_TTL';
  for (const field of ['ttlFactor', 'maxTtlSeconds'] as const) {
    if (raises && row[field] === null)
      throw AppError.invalidField(field, `${field} is required for the action RAISE_STALENESS_TTL`);
    if (!raises && row[field] !== null)
      throw AppError.invalidField(field, `${field} applies to the action RAISE_STALENESS_TTL only`);
  }
}
