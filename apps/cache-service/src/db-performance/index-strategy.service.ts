import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
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
import type { DataSource, Repository } from 'typeorm';
import { AppError } from '../common/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PeriodicTasks } from '../monitoring/periodic-tasks.js';
import { SYSTEM_USER_ID } from '../users/app-user.entity.js';
import { IndexCatalogRepository } from './index-catalog.repository.js';
import {
  buildIndexDefinition,
  columnText,
  DefinitionError,
  INDEX_METHOD,
  isValidIdentifier,
  MAX_IDENTIFIER_BYTES,
  parseIndexColumn,
  parseWhereClause,
  qualifiedTable,
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

/** The UTC day of `YYYY-MM-DD` or of an ISO timestamp. */
function utcDay(value: string, field: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw AppError.invalidField(field, `${field} must be a date (YYYY-MM-DD) or an ISO timestamp`);
  return date.toISOString().slice(0, 10);
}

const authorOf = (principal: Principal): string => (principal.kind === 'user' ? principal.id : SYSTEM_USER_ID);

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
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(IndexStrategyEntity) private readonly strategies: Repository<IndexStrategyEntity>,
    @InjectRepository(IndexUsageStatsEntity) private readonly usage: Repository<IndexUsageStatsEntity>,
    private readonly catalog: IndexCatalogRepository,
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
    Object.assign(row, {
      usagePattern: request.usagePattern ?? row.usagePattern,
      maintenanceWindow: window,
      scheduledAt,
      isMonitoring: request.isMonitoring ?? row.isMonitoring,
      isActive: request.isActive ?? row.isActive,
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
    const state = await this.catalog.indexState(schema, row.indexName);
    if (state.exists && (state.isPrimary || state.backsConstraint)) {
      throw AppError.conflict(`Index ${row.indexName} backs a constraint of ${row.tableName} and is not dropped here`);
    }
    if (state.exists) {
      try {
        await this.catalog.dropConcurrently(schema, row.indexName, this.lockTimeoutMs);
      } catch (error) {
        throw AppError.conflict(`Index ${row.indexName} could not be dropped: ${(error as Error).message}`);
      }
    }
    Object.assign(row, { isCreated: false, isActive: false, applyRequestedAt: null, updatedBy: authorOf(principal), updatedAt: new Date() });
    const saved = await this.strategies.save(row);
    return toIndexStrategy(saved, (await this.latestUsage([id])).get(id) ?? null);
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
        Object.assign(row, { isCreated: true, applyRequestedAt: null, createdInDatabaseAt: row.createdInDatabaseAt ?? new Date(), updatedAt: new Date() });
        await this.strategies.save(row);
      }
      return { status: 'exists', windowOpensAt: null, strategy: await this.get(id) };
    }
    const now = this.clock();
    const opensAt = windowOpensAt(row.maintenanceWindow, { offPeakHours: this.config.monitoring.offPeakHours, scheduledAt: row.scheduledAt }, now);
    if (opensAt.getTime() > now.getTime()) {
      Object.assign(row, { applyRequestedAt: row.applyRequestedAt ?? now, updatedBy: authorOf(principal), updatedAt: new Date() });
      await this.strategies.save(row);
      return { status: 'deferred', windowOpensAt: opensAt.toISOString(), strategy: await this.get(id) };
    }
    const failure = await this.build(row, principal);
    if (failure) throw AppError.conflict(`Index ${row.indexName} could not be built: ${failure}`, { reason: failure });
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
      const failure = await this.build(row, null);
      if (failure) this.logger.warn(`index ${row.tableName}.${row.indexName} was not built: ${failure}`);
      else built++;
    }
    return built;
  }

  async usageHistory(query: IndexUsageQuery): Promise<IndexUsageStats[]> {
    const builder = this.usage.createQueryBuilder('u');
    if (query.indexStrategyId) builder.andWhere('u.index_strategy_id = :sid', { sid: query.indexStrategyId });
    if (query.tableName) builder.andWhere('u.table_name = :table', { table: query.tableName });
    if (query.from) builder.andWhere('u.stats_date >= :from', { from: utcDay(query.from, 'from') });
    if (query.to) builder.andWhere('u.stats_date <= :to', { to: utcDay(query.to, 'to') });
    const rows = await builder.orderBy('u.stats_date', 'DESC').addOrderBy('u.index_name', 'ASC').limit(1000).getMany();
    return rows.map(toIndexUsageStats);
  }

  async entity(id: string): Promise<IndexStrategyEntity> {
    const row = await this.strategies.findOneBy({ id });
    if (!row) throw AppError.notFound('Index strategy', id);
    return row;
  }

  /** Runs the build; on failure drops an invalid leftover, records last_error and returns the reason. */
  private async build(row: IndexStrategyEntity, principal: Principal | null): Promise<string | null> {
    const { schema } = splitTable(row.tableName);
    let failure: string | null = null;
    try {
      // An invalid leftover of an earlier failed build blocks the name: it goes first.
      const before = await this.catalog.indexState(schema, row.indexName);
      if (before.exists && !before.valid) await this.catalog.dropConcurrently(schema, row.indexName, this.lockTimeoutMs);
      const ran = await this.catalog.buildConcurrently(row.indexDefinition, row.id, this.lockTimeoutMs);
      if (!ran) return 'another build of this index is running';
    } catch (error) {
      failure = (error as Error).message;
    }
    const after = await this.catalog.indexState(schema, row.indexName);
    if (after.exists && !after.valid) {
      failure ??= 'the index was left invalid';
      await this.catalog.dropConcurrently(schema, row.indexName, this.lockTimeoutMs).catch((error: Error) => {
        this.logger.warn(`could not drop the invalid index ${row.indexName}: ${error.message}`);
      });
    } else if (!after.exists) {
      failure ??= 'the index does not exist after the build';
    }
    const by = principal ? authorOf(principal) : row.updatedBy;
    if (failure) {
      await this.strategies.update({ id: row.id }, { lastError: failure.slice(0, 2000), updatedBy: by, updatedAt: new Date() });
      return failure;
    }
    await this.strategies.update(
      { id: row.id },
      { isCreated: true, createdInDatabaseAt: new Date(), applyRequestedAt: null, lastError: null, updatedBy: by, updatedAt: new Date() },
    );
    return null;
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
    const sources: Array<{ source_table: string }> = await this.db.query(`SELECT DISTINCT source_table FROM cache_strategy`);
    if (!sources.some((source) => qualifiedTable(source.source_table) === tableName)) {
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
