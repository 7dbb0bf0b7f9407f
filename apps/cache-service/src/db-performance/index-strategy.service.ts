import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
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
import { INDEX_TYPES, INDEX_USAGE_PATTERNS, MAINTENANCE_WINDOWS } from '@ccc/shared-types';
import type { Repository } from 'typeorm';
import { AppError } from '../common/app-error.js';
import { parseWindow, utcDay } from '../common/time-window.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { SourceCatalogRepository } from '../datasources/source-catalog.repository.js';
import { PeriodicTasks } from '../monitoring/periodic-tasks.js';
import { authorOf } from '../users/author.js';
import { IndexCatalogRepository, type BuildSession } from './index-catalog.repository.js';
import {
  buildIndexDefinition,
  columnText,
  DefinitionError,
  INDEX_METHOD,
  isValidIdentifier,
  MAX_IDENTIFIER_BYTES,
  parseIndexColumn,
  parseWhereClause,
  renderIndexColumn,
  renderWhere,
  splitTable,
  type IndexColumn,
} from './index-definition.js';
import { IndexStrategyEntity } from './index-strategy.entity.js';
import { IndexUsageStatsEntity } from './index-usage-stats.entity.js';
import { windowOpensAt } from './index-window.js';

/** How long an index build or drop waits for a lock (on the table, or for older transactions) before giving up. */
export const INDEX_LOCK_TIMEOUT_MS = 30_000;
const MAX_DEFINITION_LENGTH = 2000;
const MAX_COLUMNS = 32;

const DAY_MS = 86_400_000;
/** Usage history: the last 90 days unless asked otherwise, at most a year per request. */
const USAGE_DEFAULT_DAYS = 90;
const USAGE_MAX_DAYS = 366;
/** statement_timeout of the EXPLAIN that type-checks a partial-index predicate at create time. */
const PREDICATE_CHECK_TIMEOUT_MS = 2_000;

/** The UTC midnight starting the day of a `YYYY-MM-DD` or ISO timestamp parameter. */
function dayStart(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw AppError.invalidField(field, `${field} must be a date (YYYY-MM-DD) or an ISO timestamp`);
  return new Date(`${utcDay(date)}T00:00:00.000Z`);
}

/** Why a build did not produce a valid index (`busy`: another build or drop of it holds its lock). */
type BuildOutcome = { built: true } | { built: false; busy: boolean; reason: string };

export function toIndexUsageStats(row: IndexUsageStatsEntity): IndexUsageStats {
  return {
    id: row.id,
    indexStrategyId: row.indexStrategyId,
    tableName: row.tableName,
    indexName: row.indexName,
    totalScans: row.totalScans,
    totalTuplesRead: row.totalTuplesRead,
    totalTuplesFetched: row.totalTuplesFetched,
    avgScanTimeMs: row.avgScanTimeMs,
    selectivityRatio: row.selectivityRatio,
    indexSizeBytes: row.indexSizeBytes,
    maintenanceCostScore: row.maintenanceCostScore,
    isRecommendedForDrop: row.isRecommendedForDrop,
    isUnique: row.isUnique,
    isPrimary: row.isPrimary,
    statsDate: row.statsDate,
    lastAnalyzed: row.lastAnalyzed.toISOString(),
  };
}

export function toIndexStrategy(row: IndexStrategyEntity, latestUsage: IndexUsageStatsEntity | null): IndexStrategy {
  return {
    id: row.id,
    tableName: row.tableName,
    indexName: row.indexName,
    indexType: row.indexType,
    indexDefinition: row.indexDefinition,
    columns: row.columns,
    whereClause: row.whereClause,
    usagePattern: row.usagePattern,
    maintenanceWindow: row.maintenanceWindow,
    scheduledAt: row.scheduledAt?.toISOString() ?? null,
    isCreated: row.isCreated,
    isMonitoring: row.isMonitoring,
    applyRequestedAt: row.applyRequestedAt?.toISOString() ?? null,
    createdInDatabaseAt: row.createdInDatabaseAt?.toISOString() ?? null,
    lastError: row.lastError,
    discovered: row.discovered,
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    isActive: row.isActive,
    latestUsage: latestUsage ? toIndexUsageStats(latestUsage) : null,
  };
}

/**
 * Index strategies on datasource source tables: validated definitions built from parsed parts, applied with
 * CREATE INDEX CONCURRENTLY inside their maintenance window, dropped concurrently. Other areas (index
 * recommendations) call create / apply / dropIndex.
 */
@Injectable()
export class IndexStrategyService implements OnModuleInit {
  private readonly logger = new Logger(IndexStrategyService.name);
  /** "Now" for window decisions; tests move it. */
  clock: () => Date = () => new Date();
  /** lock_timeout of index builds and drops; tests shorten it. */
  lockTimeoutMs = INDEX_LOCK_TIMEOUT_MS;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(IndexStrategyEntity) private readonly strategies: Repository<IndexStrategyEntity>,
    @InjectRepository(IndexUsageStatsEntity) private readonly usage: Repository<IndexUsageStatsEntity>,
    private readonly catalog: IndexCatalogRepository,
    private readonly sources: SourceCatalogRepository,
    private readonly periodic: PeriodicTasks,
  ) {}

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
    const built = await this.validate(request);
    const existing = await this.strategies.findOneBy({ tableName: built.tableName, indexName: request.indexName });
    if (existing?.isActive) {
      throw AppError.conflict(`An index strategy named ${request.indexName} already exists on ${built.tableName}`, { field: 'indexName' });
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
      const saved = await this.strategies.save(row);
      return toIndexStrategy(saved, null);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw AppError.conflict(`An index strategy named ${request.indexName} already exists on ${built.tableName}`, { field: 'indexName' });
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
      throw AppError.invalidField('maintenanceWindow', `maintenanceWindow must be one of ${MAINTENANCE_WINDOWS.join(', ')}`);
    }
    const window = request.maintenanceWindow ?? row.maintenanceWindow;
    let scheduledAt = request.scheduledAt !== undefined ? this.parseScheduledAt(request.scheduledAt) : row.scheduledAt;
    if (window !== 'SCHEDULED') {
      if (request.scheduledAt) throw AppError.invalidField('scheduledAt', 'scheduledAt is only for the SCHEDULED maintenance window');
      scheduledAt = null;
    } else if (!scheduledAt) {
      throw AppError.invalidField('scheduledAt', 'scheduledAt is required for the SCHEDULED maintenance window');
    } else if ((request.scheduledAt !== undefined || request.maintenanceWindow !== undefined) && scheduledAt.getTime() <= this.clock().getTime() && !row.isCreated) {
      throw AppError.invalidField('scheduledAt', 'scheduledAt must be in the future');
    }
    const deactivate = request.isActive === false && row.isActive;
    if (deactivate) {
      // The same rule as DELETE: a strategy whose index exists is not deactivated behind the index's back.
      const { schema } = splitTable(row.tableName);
      if ((await this.catalog.indexState(schema, row.indexName)).exists) {
        throw AppError.conflict(`Index ${row.indexName} exists in PostgreSQL; drop it with DELETE ?dropIndex=true to deactivate the strategy`, { field: 'isActive' });
      }
    }
    Object.assign(row, {
      usagePattern: request.usagePattern ?? row.usagePattern,
      maintenanceWindow: window,
      scheduledAt,
      isMonitoring: request.isMonitoring ?? row.isMonitoring,
      isActive: request.isActive ?? row.isActive,
      ...(deactivate ? { isCreated: false, applyRequestedAt: null } : {}),
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
    const { schema } = splitTable(row.tableName);
    const state = await this.catalog.indexState(schema, row.indexName);
    if (state.exists) {
      if (!dropIndex) {
        throw AppError.conflict(`Index ${row.indexName} exists in PostgreSQL; repeat with dropIndex=true to drop it concurrently`, { field: 'dropIndex' });
      }
      await this.dropIndex(id, principal);
      return;
    }
    await this.strategies.update({ id }, { isActive: false, isCreated: false, applyRequestedAt: null, updatedBy: authorOf(principal), updatedAt: new Date() });
  }

  /** Drops the index concurrently and deactivates its strategy (is_created = false, is_active = false). */
  async dropIndex(id: string, principal: Principal): Promise<IndexStrategy> {
    const row = await this.entity(id);
    const { schema } = splitTable(row.tableName);
    // Under the build lock: never drops an index a build is still creating.
    const outcome = await this.catalog.withIndexLock(schema, row.indexName, this.lockTimeoutMs, async (session) => {
      const state = await session.state();
      if (state.exists && (state.isPrimary || state.backsConstraint)) {
        throw AppError.conflict(`Index ${row.indexName} backs a constraint of ${row.tableName} and is not dropped here`);
      }
      if (state.exists) {
        try {
          await session.drop();
        } catch (error) {
          throw AppError.conflict(`Index ${row.indexName} could not be dropped: ${(error as Error).message}`);
        }
      }
      await this.strategies.update({ id }, { isCreated: false, isActive: false, applyRequestedAt: null, updatedBy: authorOf(principal), updatedAt: new Date() });
    });
    if (!outcome.locked) throw AppError.conflict(`Index ${row.indexName} is being built or dropped right now; try again when that has finished`);
    return this.get(id);
  }

  /**
   * Builds the index now when its maintenance window is open, else records the request (the 'index-apply'
   * task builds it once the window opens). An index already in PostgreSQL is `exists`.
   */
  async apply(id: string, principal: Principal): Promise<ApplyIndexResult> {
    const row = await this.entity(id);
    if (!row.isActive) throw AppError.conflict(`Index strategy ${id} is inactive`);
    const { schema } = splitTable(row.tableName);
    const state = await this.catalog.indexState(schema, row.indexName);
    if (state.exists && state.valid) {
      if (!row.isCreated) {
        await this.strategies.update({ id }, { isCreated: true, applyRequestedAt: null, createdInDatabaseAt: row.createdInDatabaseAt ?? new Date(), updatedAt: new Date() });
      }
      return { status: 'exists', windowOpensAt: null, strategy: await this.get(id) };
    }
    const now = this.clock();
    const opensAt = windowOpensAt(row.maintenanceWindow, { offPeakHours: this.config.monitoring.offPeakHours, scheduledAt: row.scheduledAt }, now);
    if (opensAt.getTime() > now.getTime()) {
      await this.strategies.update({ id }, { applyRequestedAt: row.applyRequestedAt ?? now, updatedBy: authorOf(principal), updatedAt: new Date() });
      return { status: 'deferred', windowOpensAt: opensAt.toISOString(), strategy: await this.get(id) };
    }
    // Synchronous (an IMMEDIATE apply answers once the index is there), on the build lock's own connection,
    // never inside a transaction.
    const outcome = await this.build(row, principal);
    if (outcome === 'exists') return { status: 'exists', windowOpensAt: null, strategy: await this.get(id) };
    if (!outcome.built) {
      if (outcome.busy) throw AppError.conflict(`Index ${row.indexName} is already being built (or dropped); its result shows on the strategy when it ends`, { reason: outcome.reason });
      throw AppError.conflict(`Index ${row.indexName} could not be built: ${outcome.reason}`, { reason: outcome.reason });
    }
    return { status: 'created', windowOpensAt: null, strategy: await this.get(id) };
  }

  /** The 'index-apply' task: builds requested indexes whose window is open. Returns how many were built. */
  async applyDeferred(): Promise<number> {
    const now = this.clock();
    const waiting = await this.strategies
      .createQueryBuilder('s')
      .where('s.is_active AND NOT s.is_created AND s.apply_requested_at IS NOT NULL')
      .orderBy('s.apply_requested_at', 'ASC')
      .getMany();
    let built = 0;
    for (const row of waiting) {
      const opensAt = windowOpensAt(row.maintenanceWindow, { offPeakHours: this.config.monitoring.offPeakHours, scheduledAt: row.scheduledAt }, now);
      if (opensAt.getTime() > now.getTime()) continue;
      const outcome = await this.build(row, null);
      if (outcome === 'exists') continue;
      if (outcome.built) built++;
      else if (!outcome.busy) this.logger.warn(`index ${row.tableName}.${row.indexName} was not built: ${outcome.reason}`);
    }
    return built;
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
      { defaultMs: USAGE_DEFAULT_DAYS * DAY_MS, maxMs: USAGE_MAX_DAYS * DAY_MS, now: new Date(today.getTime() + DAY_MS) },
    );
    builder.andWhere('u.stats_date >= :from AND u.stats_date < :to', { from: utcDay(window.from), to: utcDay(window.to) });
    const rows = await builder.orderBy('u.stats_date', 'DESC').addOrderBy('u.index_name', 'ASC').limit(1000).getMany();
    return rows.map(toIndexUsageStats);
  }

  async entity(id: string): Promise<IndexStrategyEntity> {
    const row = await this.strategies.findOneBy({ id });
    if (!row) throw AppError.notFound('Index strategy', id);
    return row;
  }

  /**
   * Builds the index holding its lock from the first look to the last: inspect (a valid index is `exists`) →
   * drop an invalid leftover of an earlier failed build → CREATE INDEX CONCURRENTLY → check it is valid (an
   * invalid result is dropped again). Failures are recorded in last_error. Another holder of the lock (a
   * second click, the 'index-apply' task, another replica) makes this a `busy` no-op: nothing is dropped.
   */
  private async build(row: IndexStrategyEntity, principal: Principal | null): Promise<BuildOutcome | 'exists'> {
    const { schema } = splitTable(row.tableName);
    const by = principal ? authorOf(principal) : row.updatedBy;
    const locked = await this.catalog.withIndexLock(schema, row.indexName, this.lockTimeoutMs, async (session): Promise<BuildOutcome | 'exists'> => {
      const current = await this.strategies.findOneBy({ id: row.id });
      if (!current?.isActive) return { built: false, busy: false, reason: 'the strategy was deactivated' };
      const before = await session.state();
      if (before.exists && before.valid) {
        if (!current.isCreated) {
          await this.strategies.update(
            { id: row.id },
            { isCreated: true, applyRequestedAt: null, createdInDatabaseAt: current.createdInDatabaseAt ?? new Date(), lastError: null, updatedAt: new Date() },
          );
        }
        return 'exists';
      }
      const failure = await this.buildLocked(session, row);
      if (failure) {
        await this.strategies.update({ id: row.id }, { lastError: failure.slice(0, 2000), updatedBy: by, updatedAt: new Date() });
        return { built: false, busy: false, reason: failure };
      }
      await this.strategies.update(
        { id: row.id },
        { isCreated: true, createdInDatabaseAt: new Date(), applyRequestedAt: null, lastError: null, updatedBy: by, updatedAt: new Date() },
      );
      return { built: true };
    });
    return locked.locked ? locked.result : { built: false, busy: true, reason: 'another build or drop of this index is running' };
  }

  /** The build steps inside the lock; returns why it failed, or null. */
  private async buildLocked(session: BuildSession, row: IndexStrategyEntity): Promise<string | null> {
    let failure: string | null = null;
    try {
      // An invalid leftover of an earlier failed build blocks the name: it goes first. (Under the lock, an
      // invalid index cannot be a build in progress.)
      const before = await session.state();
      if (before.exists && !before.valid) await session.drop();
      await session.build(row.indexDefinition);
    } catch (error) {
      failure = (error as Error).message;
    }
    const after = await session.state();
    if (after.exists && !after.valid) {
      failure ??= 'the index was left invalid';
      await session.drop().catch((error: Error) => {
        this.logger.warn(`could not drop the invalid index ${row.indexName}: ${error.message}`);
      });
    } else if (!after.exists) {
      failure ??= 'the index does not exist after the build';
    }
    return failure;
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

  private parseScheduledAt(value: string | null | undefined): Date | null {
    if (value === null || value === undefined) return null;
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw AppError.invalidField('scheduledAt', 'scheduledAt must be an ISO timestamp');
    return date;
  }

  /** Every rule of a new strategy; the definition is built from parsed parts only. */
  private async validate(request: CreateIndexStrategyRequest): Promise<{ tableName: string; definition: string; columns: string[]; where: string | null; scheduledAt: Date | null }> {
    if (!INDEX_TYPES.includes(request.indexType)) throw AppError.invalidField('indexType', `indexType must be one of ${INDEX_TYPES.join(', ')}`);
    if (!INDEX_USAGE_PATTERNS.includes(request.usagePattern)) throw AppError.invalidField('usagePattern', `usagePattern must be one of ${INDEX_USAGE_PATTERNS.join(', ')}`);
    if (!MAINTENANCE_WINDOWS.includes(request.maintenanceWindow)) {
      throw AppError.invalidField('maintenanceWindow', `maintenanceWindow must be one of ${MAINTENANCE_WINDOWS.join(', ')}`);
    }
    if (typeof request.indexName !== 'string' || !isValidIdentifier(request.indexName)) {
      throw AppError.invalidField('indexName', `indexName must be an identifier (letter or underscore, then letters, digits, underscores) of at most ${MAX_IDENTIFIER_BYTES} bytes`);
    }

    const tableName = typeof request.tableName === 'string' ? request.tableName.trim() : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/.test(tableName) || tableName.length > 100) {
      throw AppError.invalidField('tableName', 'tableName must be a schema-qualified table name (schema.table)');
    }
    if (!(await this.sources.sourceTables()).includes(tableName)) {
      throw AppError.invalidField('tableName', `tableName ${tableName} is not the source table of a registered datasource`);
    }
    const tableColumns = await this.catalog.columnsOf(tableName);
    if (!tableColumns) throw AppError.invalidField('tableName', `tableName ${tableName} does not exist`);
    const types = new Map(tableColumns.map((column) => [column.name, column.type]));

    try {
      if (!Array.isArray(request.columns) || request.columns.length === 0 || request.columns.some((column) => typeof column !== 'string')) {
        throw new DefinitionError('columns', 'columns must be a non-empty list of column names');
      }
      if (request.columns.length > MAX_COLUMNS) throw new DefinitionError('columns', `columns may list at most ${MAX_COLUMNS} entries`);
      const parsed: IndexColumn[] = request.columns.map((column) => parseIndexColumn(column, request.indexType === 'FUNCTIONAL'));
      const texts = parsed.map(columnText);
      if (new Set(texts).size !== texts.length) throw new DefinitionError('columns', 'columns must not repeat');
      for (const column of parsed) {
        if (!types.has(column.column)) throw new DefinitionError('columns', `column ${column.column} does not exist in ${tableName}`);
      }
      if (request.indexType === 'HASH' && parsed.length !== 1) throw new DefinitionError('columns', 'a HASH index has exactly one column');
      if (request.indexType === 'COMPOSITE' && parsed.length < 2) throw new DefinitionError('columns', 'a COMPOSITE index has at least two columns');
      if (request.indexType === 'FUNCTIONAL' && !parsed.some((column) => column.kind !== 'column')) {
        throw new DefinitionError('columns', "a FUNCTIONAL index needs an expression: lower(column), upper(column) or date_trunc('unit', column)");
      }

      const method = INDEX_METHOD[request.indexType];
      const plain = parsed.filter((column) => column.kind === 'column').map((column) => column.column);
      if (plain.length > 0) {
        const unsupported = await this.catalog.columnsWithoutOpclass(tableName, method, plain);
        if (unsupported.length > 0) {
          const detail = unsupported.map((column) => `${column} (${types.get(column)})`).join(', ');
          throw new DefinitionError('columns', `a ${request.indexType} index (${method}) cannot index ${detail}`);
        }
      }
      const rendered = parsed.map((column) => renderIndexColumn(column, types.get(column.column)!));

      let where: string | null = null;
      const clause = request.whereClause ?? null;
      if (request.indexType === 'PARTIAL') {
        if (typeof clause !== 'string' || clause.trim() === '') throw new DefinitionError('whereClause', 'a PARTIAL index needs a whereClause');
        const conditions = parseWhereClause(clause);
        for (const condition of conditions) {
          if (!types.has(condition.column)) throw new DefinitionError('whereClause', `whereClause column ${condition.column} does not exist in ${tableName}`);
        }
        where = renderWhere(conditions);
        // The grammar is checked; PostgreSQL checks the types (text_col > 5) now rather than at build time.
        const problem = await this.catalog.predicateProblem(tableName, where, PREDICATE_CHECK_TIMEOUT_MS);
        if (problem) throw new DefinitionError('whereClause', `whereClause does not fit the columns of ${tableName}: ${problem}`);
      } else if (clause !== null && clause !== '') {
        throw new DefinitionError('whereClause', 'whereClause is only for PARTIAL indexes');
      }

      const { schema, table } = splitTable(tableName);
      const definition = buildIndexDefinition({ schema, table, indexName: request.indexName, method, columns: rendered, where });
      if (definition.length > MAX_DEFINITION_LENGTH) throw new DefinitionError('columns', `the index definition would exceed ${MAX_DEFINITION_LENGTH} characters`);

      let scheduledAt: Date | null = null;
      if (request.maintenanceWindow === 'SCHEDULED') {
        scheduledAt = this.parseScheduledAt(request.scheduledAt);
        if (!scheduledAt) throw new DefinitionError('scheduledAt', 'scheduledAt is required for the SCHEDULED maintenance window');
        if (scheduledAt.getTime() <= this.clock().getTime()) throw new DefinitionError('scheduledAt', 'scheduledAt must be in the future');
      } else if (request.scheduledAt) {
        throw new DefinitionError('scheduledAt', 'scheduledAt is only for the SCHEDULED maintenance window');
      }

      if (await this.catalog.relationExists(schema, request.indexName)) {
        throw AppError.conflict(`A relation named ${request.indexName} already exists in schema ${schema}`, { field: 'indexName' });
      }
      return { tableName, definition, columns: texts, where, scheduledAt };
    } catch (error) {
      if (error instanceof DefinitionError) throw AppError.invalidField(error.field, error.message);
      throw error;
    }
  }
}
