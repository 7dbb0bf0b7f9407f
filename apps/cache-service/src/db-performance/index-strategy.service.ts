import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type {
  ApplyIndexResult,
  CreateIndexStrategyRequest,
  IndexStrategy,
  IndexUsageQuery,
  IndexUsageStats,
  Principal,
  UpdateIndexStrategyRequest,
} from '@ccc/shared-types';
import { INDEX_USAGE_PATTERNS, MAINTENANCE_WINDOWS } from '@ccc/shared-types';
import type { Repository } from 'typeorm';
import { AppError } from '../common/app-error.js';
import { withRequestValues } from '../common/infrastructure-errors.js';
import { parseWindow, utcDay } from '../common/time-window.js';
import { SourcePolicy } from '../datasources/source-policy.js';
import { PeriodicTasks } from '../platform/periodic-tasks.js';
import { authorOf } from '../users/author.js';
import { IndexBuilderService } from './index-builder.service.js';
import { IndexCatalogRepository } from './index-catalog.repository.js';
import { IndexStrategyEntity } from './index-strategy.entity.js';
import { toIndexStrategy, toIndexUsageStats } from './index-strategy.mapper.js';
import { IndexStrategyValidator, parseScheduledAt } from './index-strategy.validator.js';
import { IndexUsageStatsEntity } from './index-usage-stats.entity.js';

const DAY_MS = 86_400_000;
/** Usage history: the last 90 days unless asked otherwise, at most a year per request. */
const USAGE_DEFAULT_DAYS = 90;
const USAGE_MAX_DAYS = 366;

/** The UTC midnight starting the day of a `YYYY-MM-DD` or ISO timestamp parameter. */
function dayStart(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw AppError.invalidField(field, `${field} must be a date (YYYY-MM-DD) or an ISO timestamp`);
  return new Date(`${utcDay(date)}T00:00:00.000Z`);
}

/**
 * Index strategies on datasource source tables: validated definitions built from parsed parts, applied with
 * CREATE INDEX CONCURRENTLY inside their maintenance window, dropped concurrently. Other areas (index
 * recommendations) call create / apply / dropIndex.
 */
@Injectable()
export class IndexStrategyService implements OnModuleInit {
  /** "Now" for window decisions; tests move it. */
  clock: () => Date = () => new Date();

  constructor(
    @InjectRepository(IndexStrategyEntity) private readonly strategies: Repository<IndexStrategyEntity>,
    @InjectRepository(IndexUsageStatsEntity) private readonly usage: Repository<IndexUsageStatsEntity>,
    private readonly catalog: IndexCatalogRepository,
    private readonly validator: IndexStrategyValidator,
    private readonly builder: IndexBuilderService,
    private readonly periodic: PeriodicTasks,
    private readonly policy: SourcePolicy,
  ) {}

  /** lock_timeout of index builds and drops; tests shorten it. */
  get lockTimeoutMs(): number {
    return this.builder.lockTimeoutMs;
  }

  set lockTimeoutMs(ms: number) {
    this.builder.lockTimeoutMs = ms;
  }

  onModuleInit(): void {
    this.periodic.register('index-apply', 60_000, () => this.applyDeferred());
  }

  async list(tableName?: string): Promise<IndexStrategy[]> {
    const rows = await this.strategies.find({
      where: { isActive: true, ...(tableName ? { tableName } : {}) },
      order: { tableName: 'ASC', indexName: 'ASC' },
    });
    const latest = await this.latestUsage(rows.map((row) => row.id));
    return rows.map((row) => toIndexStrategy(row, latest.get(row.id) ?? null));
  }

  async get(id: string): Promise<IndexStrategy> {
    const row = await this.entity(id);
    return toIndexStrategy(row, (await this.latestUsage([id])).get(id) ?? null);
  }

  async create(request: CreateIndexStrategyRequest, principal: Principal): Promise<IndexStrategy> {
    const built = await this.validator.validateCreate(request, this.clock);
    const existing = await this.strategies.findOneBy({ tableName: built.tableName, indexName: request.indexName });
    if (existing?.isActive) {
      throw AppError.conflict(`An index strategy named ${request.indexName} already exists on ${built.tableName}`, {
        field: 'indexName',
      });
    }
    // A deactivated strategy of the same name (unique per table) is replaced, keeping its usage history.
    const row = existing ?? this.strategies.create({ createdBy: authorOf(principal) });
    Object.assign(row, {
      tableName: built.tableName,
      indexName: request.indexName,
      indexType: request.indexType,
      indexDefinition: built.definition,
      columns: built.columns,
      whereClause: built.where,
      usagePattern: request.usagePattern,
      maintenanceWindow: request.maintenanceWindow,
      scheduledAt: built.scheduledAt,
      isCreated: false,
      builtByService: false,
      isMonitoring: request.isMonitoring ?? true,
      applyRequestedAt: null,
      createdInDatabaseAt: null,
      lastError: null,
      discovered: false,
      isActive: true,
      ...(existing ? { createdBy: authorOf(principal), createdAt: new Date(), updatedBy: null } : {}),
      updatedAt: new Date(),
    });
    try {
      const saved = await withRequestValues(() => this.strategies.save(row));
      return toIndexStrategy(saved, null);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw AppError.conflict(`An index strategy named ${request.indexName} already exists on ${built.tableName}`, {
          field: 'indexName',
        });
      }
      throw error;
    }
  }

  async update(id: string, request: UpdateIndexStrategyRequest, principal: Principal): Promise<IndexStrategy> {
    const row = await this.entity(id);
    if (request.usagePattern !== undefined && !INDEX_USAGE_PATTERNS.includes(request.usagePattern)) {
      throw AppError.invalidField('usagePattern', `usagePattern must be one of ${INDEX_USAGE_PATTERNS.join(', ')}`);
    }
    if (request.maintenanceWindow !== undefined && !MAINTENANCE_WINDOWS.includes(request.maintenanceWindow)) {
      throw AppError.invalidField(
        'maintenanceWindow',
        `maintenanceWindow must be one of ${MAINTENANCE_WINDOWS.join(', ')}`,
      );
    }
    const window = request.maintenanceWindow ?? row.maintenanceWindow;
    let scheduledAt = request.scheduledAt !== undefined ? parseScheduledAt(request.scheduledAt) : row.scheduledAt;
    if (window !== 'SCHEDULED') {
      if (request.scheduledAt)
        throw AppError.invalidField('scheduledAt', 'scheduledAt is only for the SCHEDULED maintenance window');
      scheduledAt = null;
    } else if (!scheduledAt) {
      throw AppError.invalidField('scheduledAt', 'scheduledAt is required for the SCHEDULED maintenance window');
    } else if (
      (request.scheduledAt !== undefined || request.maintenanceWindow !== undefined) &&
      scheduledAt.getTime() <= this.clock().getTime() &&
      !row.isCreated
    ) {
      throw AppError.invalidField('scheduledAt', 'scheduledAt must be in the future');
    }
    const deactivate = request.isActive === false && row.isActive;
    // A strategy on a table outside SOURCE_SCHEMAS (saved before the allow-list) may be put away without a look at it.
    const table = deactivate ? this.policy.allowedName(row.tableName) : null;
    if (table) {
      // The same rule as DELETE: a strategy whose index exists is not deactivated behind the index's back.
      if ((await this.catalog.indexState(table.schema, row.indexName)).exists) {
        throw AppError.conflict(
          `Index ${row.indexName} exists in PostgreSQL; drop it with DELETE ?dropIndex=true to deactivate the strategy`,
          { field: 'isActive' },
        );
      }
    }
    Object.assign(row, {
      usagePattern: request.usagePattern ?? row.usagePattern,
      maintenanceWindow: window,
      scheduledAt,
      isMonitoring: request.isMonitoring ?? row.isMonitoring,
      isActive: request.isActive ?? row.isActive,
      ...(deactivate ? { isCreated: false, builtByService: false, applyRequestedAt: null } : {}),
      updatedBy: authorOf(principal),
      updatedAt: new Date(),
    });
    const saved = await this.strategies.save(row);
    return toIndexStrategy(saved, (await this.latestUsage([id])).get(id) ?? null);
  }

  /**
   * Deactivates a strategy. An index that exists in PostgreSQL is dropped only when asked (`dropIndex`),
   * otherwise 409: deleting the strategy must not silently leave or remove an index.
   */
  async remove(id: string, dropIndex: boolean, principal: Principal): Promise<void> {
    const row = await this.entity(id);
    const table = this.policy.allowedName(row.tableName);
    if (!table) {
      // Outside SOURCE_SCHEMAS nothing is looked at or dropped; the strategy itself may still be put away.
      if (dropIndex) this.policy.assertAllowed(row.tableName, 'tableName');
      await this.strategies.update(
        { id },
        { isActive: false, applyRequestedAt: null, updatedBy: authorOf(principal), updatedAt: new Date() },
      );
      return;
    }
    const state = await this.catalog.indexState(table.schema, row.indexName);
    if (state.exists) {
      if (!dropIndex) {
        throw AppError.conflict(
          `Index ${row.indexName} exists in PostgreSQL; repeat with dropIndex=true to drop it concurrently`,
          { field: 'dropIndex' },
        );
      }
      await this.dropIndex(id, principal);
      return;
    }
    await this.strategies.update(
      { id },
      {
        isActive: false,
        isCreated: false,
        builtByService: false,
        applyRequestedAt: null,
        updatedBy: authorOf(principal),
        updatedAt: new Date(),
      },
    );
  }

  /** Drops the index concurrently and deactivates its strategy (is_created = false, is_active = false). */
  async dropIndex(id: string, principal: Principal): Promise<IndexStrategy> {
    await this.builder.drop(await this.entity(id), principal);
    return this.get(id);
  }

  /**
   * Builds the index now when its maintenance window is open, else records the request (the 'index-apply'
   * task builds it once the window opens). An index already in PostgreSQL is `exists`.
   */
  async apply(id: string, principal: Principal): Promise<ApplyIndexResult> {
    const row = await this.entity(id);
    if (!row.isActive) throw AppError.conflict(`Index strategy ${id} is inactive`);
    const { schema } = this.policy.assertAllowed(row.tableName, 'tableName');
    const state = await this.catalog.indexState(schema, row.indexName);
    if (state.exists && state.valid) {
      // Taken over, not built: someone else's index of that name (see IndexBuilderService.build).
      if (!row.isCreated) {
        await this.strategies.update(
          { id },
          {
            isCreated: true,
            builtByService: false,
            applyRequestedAt: null,
            createdInDatabaseAt: row.createdInDatabaseAt ?? new Date(),
            updatedAt: new Date(),
          },
        );
      }
      return { status: 'exists', windowOpensAt: null, strategy: await this.get(id) };
    }
    const now = this.clock();
    const opensAt = this.builder.windowOpensAt(row, now);
    if (opensAt.getTime() > now.getTime()) {
      await this.strategies.update(
        { id },
        { applyRequestedAt: row.applyRequestedAt ?? now, updatedBy: authorOf(principal), updatedAt: new Date() },
      );
      return { status: 'deferred', windowOpensAt: opensAt.toISOString(), strategy: await this.get(id) };
    }
    // Synchronous (an IMMEDIATE apply answers once the index is there), on the build lock's own connection,
    // never inside a transaction.
    const outcome = await this.builder.build(row, principal);
    if (outcome === 'exists') return { status: 'exists', windowOpensAt: null, strategy: await this.get(id) };
    if (!outcome.built) {
      if (outcome.busy)
        throw AppError.conflict(
          `Index ${row.indexName} is already being built (or dropped); its result shows on the strategy when it ends`,
          { reason: outcome.reason },
        );
      throw AppError.conflict(`Index ${row.indexName} could not be built: ${outcome.reason}`, {
        reason: outcome.reason,
      });
    }
    return { status: 'created', windowOpensAt: null, strategy: await this.get(id) };
  }

  /** The 'index-apply' task: builds requested indexes whose window is open. Returns how many were built. */
  async applyDeferred(): Promise<number> {
    return this.builder.buildDue(this.clock());
  }

  async usageHistory(query: IndexUsageQuery): Promise<IndexUsageStats[]> {
    const builder = this.usage.createQueryBuilder('u');
    if (query.indexStrategyId) builder.andWhere('u.index_strategy_id = :sid', { sid: query.indexStrategyId });
    if (query.tableName) builder.andWhere('u.table_name = :table', { table: query.tableName });
    // Whole UTC days, both ends inclusive: [start of from's day, end of to's day).
    const from = dayStart(query.from, 'from');
    const toDay = dayStart(query.to, 'to');
    const today = dayStart(new Date().toISOString(), 'to')!;
    const window = parseWindow(
      { from, to: toDay ? new Date(toDay.getTime() + DAY_MS) : undefined },
      {
        defaultMs: USAGE_DEFAULT_DAYS * DAY_MS,
        maxMs: USAGE_MAX_DAYS * DAY_MS,
        now: new Date(today.getTime() + DAY_MS),
      },
    );
    builder.andWhere('u.stats_date >= :from AND u.stats_date < :to', {
      from: utcDay(window.from),
      to: utcDay(window.to),
    });
    const rows = await builder.orderBy('u.stats_date', 'DESC').addOrderBy('u.index_name', 'ASC').limit(1000).getMany();
    return rows.map(toIndexUsageStats);
  }

  async entity(id: string): Promise<IndexStrategyEntity> {
    const row = await this.strategies.findOneBy({ id });
    if (!row) throw AppError.notFound('Index strategy', id);
    return row;
  }

  private async latestUsage(ids: string[]): Promise<Map<string, IndexUsageStatsEntity>> {
    if (ids.length === 0) return new Map();
    const rows = await this.usage
      .createQueryBuilder('u')
      .distinctOn(['u.index_strategy_id'])
      .where('u.index_strategy_id IN (:...ids)', { ids })
      .orderBy('u.index_strategy_id')
      .addOrderBy('u.stats_date', 'DESC')
      .getMany();
    return new Map(rows.map((row) => [row.indexStrategyId, row]));
  }
}
