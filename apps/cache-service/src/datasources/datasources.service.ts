import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DATASOURCE_LIMITS } from '@ccc/shared-types';
import type { CreateDatasourceRequest, Datasource, Principal, UpdateDatasourceRequest } from '@ccc/shared-types';
import type { Repository } from 'typeorm';
import { AppError } from '../common/app-error.js';
import { withRequestValues } from '../common/infrastructure-errors.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PRIMARY_REGION } from '../config/region-config.js';
import { authorOf } from '../users/author.js';
import { ANALYTICS_CACHE_LAYER_ID, CacheStrategyEntity } from './cache-strategy.entity.js';
import { SourceCatalogRepository } from './source-catalog.repository.js';

/**
 * Work that follows a datasource's lifecycle and belongs to the areas above this one (warming: its schedule,
 * its running warm, what it cached). They register here when they start; datasources never imports them.
 */
export interface DatasourceFollower {
  /** Created, deleted, or its schedule or enabled flag changed. */
  scheduleChanged(datasourceId: number): Promise<void>;
  /** About to be deleted: stop its work and drop what it holds. */
  removing(datasourceId: number): Promise<void>;
  /** Problems with the settings about to be saved that only this follower can see (400 naming the field). */
  vet?(row: CacheStrategyEntity): Promise<Array<{ field: string; message: string }>>;
  /**
   * Its regions changed: `stale` are the regions (never the primary) whose copy of its cache is no longer valid —
   * removed ones (warms no longer update them) and added ones (whatever they hold is from before). Never throws.
   */
  regionsChanged?(datasourceId: number, stale: string[]): Promise<void>;
}

/**
 * The change detection a request leaves a datasource with (`current`: the row before an update). Mode `watermark` needs
 * its column (400 naming watermarkColumn); the column is kept when another mode is chosen, so switching back is easy.
 */
function changeDetectionOf(
  request: UpdateDatasourceRequest,
  current: CacheStrategyEntity | null,
): Pick<Datasource, 'changeDetection' | 'watermarkColumn'> {
  const changeDetection = request.changeDetection ?? current?.changeDetection ?? 'none';
  const watermarkColumn =
    request.watermarkColumn !== undefined ? request.watermarkColumn : (current?.watermarkColumn ?? null);
  if (changeDetection === 'watermark' && !watermarkColumn)
    throw AppError.invalidField('watermarkColumn', 'watermarkColumn is required when changeDetection is watermark');
  return { changeDetection, watermarkColumn };
}

/** `primary` first, then the requested regions, each once; a name not in REDIS_REGIONS is the request's mistake (400). */
function regionsOf(requested: string[], configured: string[]): string[] {
  const unknown = requested.filter((name) => !configured.includes(name));
  if (unknown.length > 0)
    throw AppError.invalidField(
      'regions',
      `regions must be configured regions (${configured.join(', ')}); unknown: ${unknown.join(', ')}`,
    );
  return [...new Set([PRIMARY_REGION, ...requested])];
}

export function toDatasource(row: CacheStrategyEntity): Datasource {
  return {
    id: row.datasourceId,
    strategyId: row.id,
    name: row.name,
    description: row.description,
    sourceTable: row.sourceTable,
    columnMapping: row.columnMapping,
    stalenessTtlSeconds: row.stalenessTtlSeconds,
    minWarmIntervalSeconds: row.minWarmIntervalSeconds,
    warmSchedule: row.warmSchedule,
    enabled: row.isEnabled,
    changeDetection: row.changeDetection,
    watermarkColumn: row.watermarkColumn,
    fullRefreshEvery: row.fullRefreshEvery,
    regions: row.regions ?? [PRIMARY_REGION],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

@Injectable()
export class DatasourcesService {
  private readonly listeners: Array<(datasourceId: number) => void> = [];
  private readonly followers: DatasourceFollower[] = [];

  constructor(
    @InjectRepository(CacheStrategyEntity) private readonly strategies: Repository<CacheStrategyEntity>,
    private readonly catalog: SourceCatalogRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  follow(follower: DatasourceFollower): void {
    this.followers.push(follower);
  }

  private async scheduleChanged(datasourceId: number): Promise<void> {
    for (const follower of this.followers) await follower.scheduleChanged(datasourceId);
  }

  /**
   * Calls `listener` with the id of every datasource this process creates, changes or deletes (the query API drops
   * what it cached of it; other replicas see the change when their cache expires).
   */
  onChange(listener: (datasourceId: number) => void): void {
    this.listeners.push(listener);
  }

  private changed(datasourceId: number): void {
    for (const listener of this.listeners) listener(datasourceId);
  }

  async list(): Promise<Datasource[]> {
    return (await this.strategies.find({ order: { datasourceId: 'ASC' } })).map(toDatasource);
  }

  async get(id: number): Promise<Datasource> {
    return toDatasource(await this.getEntity(id));
  }

  async getEntity(id: number): Promise<CacheStrategyEntity> {
    const row = await this.strategies.findOne({ where: { datasourceId: id } });
    if (!row) throw AppError.notFound('Datasource', id);
    return row;
  }

  /**
   * The rows themselves, for the areas that read a datasource's settings (warming, alerts, insights, tools): this
   * service owns the table, so they read through it and change it only through its methods.
   */
  async entities(options: { enabledOnly?: boolean } = {}): Promise<CacheStrategyEntity[]> {
    return this.strategies.find({
      where: options.enabledOnly ? { isEnabled: true } : {},
      order: { datasourceId: 'ASC' },
    });
  }

  async findEntity(datasourceId: number): Promise<CacheStrategyEntity | null> {
    return this.strategies.findOneBy({ datasourceId });
  }

  /** By the row's own id (warming jobs, thresholds and alerts refer to it). */
  async entitiesByStrategyIds(strategyIds: string[]): Promise<CacheStrategyEntity[]> {
    return strategyIds.length ? this.strategies.find({ where: strategyIds.map((id) => ({ id })) }) : [];
  }

  async entityByStrategyId(strategyId: string): Promise<CacheStrategyEntity | null> {
    return this.strategies.findOneBy({ id: strategyId });
  }

  /** Sets only the warm schedule (the warming area's schedule route; warming itself re-plans the schedule). */
  async setWarmSchedule(datasourceId: number, cron: string | null): Promise<CacheStrategyEntity> {
    const row = await this.getEntity(datasourceId);
    row.warmSchedule = cron;
    row.updatedAt = new Date();
    await this.strategies.save(row);
    this.changed(datasourceId);
    return row;
  }

  async create(request: CreateDatasourceRequest, principal: Principal): Promise<Datasource> {
    await this.assertNameFree(request.name);
    const detection = changeDetectionOf(request, null);
    const sourceTable = await this.assertSourceMatches(request.sourceTable, request.columnMapping, detection);
    const row = this.strategies.create({
      cacheLayerId: ANALYTICS_CACHE_LAYER_ID,
      name: request.name.trim(),
      description: request.description ?? null,
      sourceTable,
      columnMapping: { ...request.columnMapping },
      stalenessTtlSeconds: request.stalenessTtlSeconds ?? 14400,
      minWarmIntervalSeconds: request.minWarmIntervalSeconds ?? 300,
      warmSchedule: request.warmSchedule ?? null,
      isEnabled: request.enabled ?? true,
      ...detection,
      fullRefreshEvery: request.fullRefreshEvery ?? DATASOURCE_LIMITS.fullRefreshEvery.default,
      regions: regionsOf(request.regions ?? [], this.config.regions.names),
      createdBy: authorOf(principal),
    });
    await this.vetted(row);
    // The row holds the request's values: one PostgreSQL refuses is the request's to fix (400), not a bug of ours.
    const saved = await withRequestValues(() => this.strategies.save(row));
    const created = await this.strategies.findOneByOrFail({ id: saved.id });
    this.changed(created.datasourceId);
    await this.scheduleChanged(created.datasourceId);
    return toDatasource(created);
  }

  async update(id: number, request: UpdateDatasourceRequest, principal: Principal): Promise<Datasource> {
    const row = await this.getEntity(id);
    if (request.name !== undefined && request.name.trim().toLowerCase() !== row.name.toLowerCase()) {
      await this.assertNameFree(request.name);
    }
    let sourceTable = request.sourceTable ?? row.sourceTable;
    const columnMapping = request.columnMapping ? { ...request.columnMapping } : row.columnMapping;
    const detection = changeDetectionOf(request, row);
    if (
      request.sourceTable !== undefined ||
      request.columnMapping !== undefined ||
      request.changeDetection !== undefined ||
      request.watermarkColumn !== undefined
    ) {
      sourceTable = await this.assertSourceMatches(sourceTable, columnMapping, detection);
    }
    const regionsBefore = row.regions ?? [PRIMARY_REGION];
    Object.assign(row, {
      name: request.name?.trim() ?? row.name,
      description: request.description !== undefined ? request.description : row.description,
      sourceTable,
      columnMapping,
      stalenessTtlSeconds: request.stalenessTtlSeconds ?? row.stalenessTtlSeconds,
      minWarmIntervalSeconds: request.minWarmIntervalSeconds ?? row.minWarmIntervalSeconds,
      warmSchedule: request.warmSchedule !== undefined ? request.warmSchedule : row.warmSchedule,
      isEnabled: request.enabled ?? row.isEnabled,
      ...detection,
      fullRefreshEvery: request.fullRefreshEvery ?? row.fullRefreshEvery,
      regions: request.regions ? regionsOf(request.regions, this.config.regions.names) : row.regions,
      updatedBy: authorOf(principal),
      updatedAt: new Date(),
    });
    await this.vetted(row);
    const saved = await withRequestValues(() => this.strategies.save(row));
    this.changed(id);
    if (request.warmSchedule !== undefined || request.enabled !== undefined) await this.scheduleChanged(id);
    // Part of this change (and of its audit row): a region out of the list would otherwise keep its copy as it was.
    const regionsAfter = saved.regions ?? [PRIMARY_REGION];
    const stale = [...new Set([...regionsBefore, ...regionsAfter])].filter(
      (name) => name !== PRIMARY_REGION && regionsBefore.includes(name) !== regionsAfter.includes(name),
    );
    if (stale.length > 0) for (const follower of this.followers) await follower.regionsChanged?.(id, stale);
    return toDatasource(saved);
  }

  /** Deletes the datasource with its schedule, its running warm and everything it has in Redis. */
  async remove(id: number): Promise<void> {
    const row = await this.getEntity(id);
    for (const follower of this.followers) await follower.removing(id);
    await this.strategies.delete({ id: row.id });
    this.changed(id);
    await this.scheduleChanged(id);
  }

  private async vetted(row: CacheStrategyEntity): Promise<void> {
    const problems: Array<{ field: string; message: string }> = [];
    for (const follower of this.followers) problems.push(...((await follower.vet?.(row)) ?? []));
    if (problems.length > 0)
      throw AppError.validation(problems.map((problem) => ({ field: problem.field, messages: [problem.message] })));
  }

  private async assertNameFree(name: string): Promise<void> {
    const taken = await this.strategies
      .createQueryBuilder('s')
      .where('lower(s.name) = lower(:name)', { name: name.trim() })
      .getExists();
    if (taken) throw AppError.conflict(`A datasource named "${name.trim()}" already exists`, { field: 'name' });
  }

  /** The table, schema-qualified as stored, when the source may be read and the mapping matches its columns. */
  private async assertSourceMatches(
    sourceTable: string,
    mapping: CreateDatasourceRequest['columnMapping'],
    detection: Pick<Datasource, 'changeDetection' | 'watermarkColumn'>,
  ): Promise<string> {
    const watermark = detection.changeDetection === 'watermark' ? detection.watermarkColumn : null;
    const { table, problems } = await this.catalog.check(sourceTable, mapping, watermark);
    if (problems.length > 0) {
      throw AppError.validation(problems.map((problem) => ({ field: problem.field, messages: [problem.message] })));
    }
    return table.qualified;
  }
}
