import { Injectable } from '@nestjs/common';
import type { CreateIndexStrategyRequest } from '@ccc/shared-types';
import {
  INDEX_NAME_PATTERN,
  INDEX_NAME_RULE,
  INDEX_TYPES,
  INDEX_USAGE_PATTERNS,
  MAINTENANCE_WINDOWS,
} from '@ccc/shared-types';
import { AppError } from '../common/app-error.js';
import { SourceCatalogRepository } from '../datasources/source-catalog.repository.js';
import { SourcePolicy } from '../datasources/source-policy.js';
import { IndexCatalogRepository } from './index-catalog.repository.js';
import {
  buildIndexDefinition,
  columnText,
  DefinitionError,
  INDEX_METHOD,
  parseIndexColumn,
  parseWhereClause,
  renderIndexColumn,
  renderWhere,
  type IndexColumn,
} from './index-definition.js';

const MAX_DEFINITION_LENGTH = 2000;
const MAX_COLUMNS = 32;
/** statement_timeout of the EXPLAIN that type-checks a partial-index predicate at create time. */
const PREDICATE_CHECK_TIMEOUT_MS = 2_000;

/** A create request that passed every rule, with its definition built from parsed parts. */
export interface ValidatedIndexStrategy {
  tableName: string;
  definition: string;
  columns: string[];
  where: string | null;
  scheduledAt: Date | null;
}

export function parseScheduledAt(value: string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw AppError.invalidField('scheduledAt', 'scheduledAt must be an ISO timestamp');
  return date;
}

/**
 * Every rule of a new index strategy. The table, its columns, operator classes and the partial-index predicate
 * are checked against PostgreSQL, so an accepted definition does not fail at build time for a reason known now.
 */
@Injectable()
export class IndexStrategyValidator {
  constructor(
    private readonly catalog: IndexCatalogRepository,
    private readonly sources: SourceCatalogRepository,
    private readonly policy: SourcePolicy,
  ) {}

  /** `clock` is the index-strategy service's "now" (tests move it). */
  async validateCreate(request: CreateIndexStrategyRequest, clock: () => Date): Promise<ValidatedIndexStrategy> {
    if (!INDEX_TYPES.includes(request.indexType))
      throw AppError.invalidField('indexType', `indexType must be one of ${INDEX_TYPES.join(', ')}`);
    if (!INDEX_USAGE_PATTERNS.includes(request.usagePattern))
      throw AppError.invalidField('usagePattern', `usagePattern must be one of ${INDEX_USAGE_PATTERNS.join(', ')}`);
    if (!MAINTENANCE_WINDOWS.includes(request.maintenanceWindow)) {
      throw AppError.invalidField(
        'maintenanceWindow',
        `maintenanceWindow must be one of ${MAINTENANCE_WINDOWS.join(', ')}`,
      );
    }
    if (typeof request.indexName !== 'string' || !INDEX_NAME_PATTERN.test(request.indexName)) {
      throw AppError.invalidField('indexName', `indexName must be ${INDEX_NAME_RULE}`);
    }

    // The one naming rule (400 naming tableName); outside SOURCE_SCHEMAS: 403, even for the table of a datasource
    // saved before the allow-list. Stored qualified, as datasources store their tables.
    const table = this.policy.assertAllowed(
      typeof request.tableName === 'string' ? request.tableName.trim() : '',
      'tableName',
    );
    const tableName = table.qualified;
    if (!(await this.sources.sourceTables()).includes(tableName)) {
      throw AppError.invalidField(
        'tableName',
        `tableName ${tableName} is not the source table of a registered datasource`,
      );
    }
    const tableColumns = await this.catalog.columnsOf(table);
    if (!tableColumns) throw AppError.invalidField('tableName', `tableName ${tableName} does not exist`);
    const types = new Map(tableColumns.map((column) => [column.name, column.type]));

    try {
      if (
        !Array.isArray(request.columns) ||
        request.columns.length === 0 ||
        request.columns.some((column) => typeof column !== 'string')
      ) {
        throw new DefinitionError('columns', 'columns must be a non-empty list of column names');
      }
      if (request.columns.length > MAX_COLUMNS)
        throw new DefinitionError('columns', `columns may list at most ${MAX_COLUMNS} entries`);
      const parsed: IndexColumn[] = request.columns.map((column) =>
        parseIndexColumn(column, request.indexType === 'FUNCTIONAL'),
      );
      const texts = parsed.map(columnText);
      if (new Set(texts).size !== texts.length) throw new DefinitionError('columns', 'columns must not repeat');
      for (const column of parsed) {
        if (!types.has(column.column))
          throw new DefinitionError('columns', `column ${column.column} does not exist in ${tableName}`);
      }
      if (request.indexType === 'HASH' && parsed.length !== 1)
        throw new DefinitionError('columns', 'a HASH index has exactly one column');
      if (request.indexType === 'COMPOSITE' && parsed.length < 2)
        throw new DefinitionError('columns', 'a COMPOSITE index has at least two columns');
      if (request.indexType === 'FUNCTIONAL' && !parsed.some((column) => column.kind !== 'column')) {
        throw new DefinitionError(
          'columns',
          "a FUNCTIONAL index needs an expression: lower(column), upper(column) or date_trunc('unit', column)",
        );
      }

      const method = INDEX_METHOD[request.indexType];
      const plain = parsed.filter((column) => column.kind === 'column').map((column) => column.column);
      if (plain.length > 0) {
        const unsupported = await this.catalog.columnsWithoutOpclass(table, method, plain);
        if (unsupported.length > 0) {
          const detail = unsupported.map((column) => `${column} (${types.get(column)})`).join(', ');
          throw new DefinitionError('columns', `a ${request.indexType} index (${method}) cannot index ${detail}`);
        }
      }
      const rendered = parsed.map((column) => renderIndexColumn(column, types.get(column.column)!));

      let where: string | null = null;
      const clause = request.whereClause ?? null;
      if (request.indexType === 'PARTIAL') {
        if (typeof clause !== 'string' || clause.trim() === '')
          throw new DefinitionError('whereClause', 'a PARTIAL index needs a whereClause');
        const conditions = parseWhereClause(clause);
        for (const condition of conditions) {
          if (!types.has(condition.column))
            throw new DefinitionError(
              'whereClause',
              `whereClause column ${condition.column} does not exist in ${tableName}`,
            );
        }
        where = renderWhere(conditions);
        // The grammar is checked; PostgreSQL checks the types (text_col > 5) now rather than at build time.
        const problem = await this.catalog.predicateProblem(table, where, PREDICATE_CHECK_TIMEOUT_MS);
        if (problem)
          throw new DefinitionError('whereClause', `whereClause does not fit the columns of ${tableName}: ${problem}`);
      } else if (clause !== null && clause !== '') {
        throw new DefinitionError('whereClause', 'whereClause is only for PARTIAL indexes');
      }

      const { schema } = table;
      const definition = buildIndexDefinition({
        schema,
        table: table.table,
        indexName: request.indexName,
        method,
        columns: rendered,
        where,
      });
      if (definition.length > MAX_DEFINITION_LENGTH)
        throw new DefinitionError('columns', `the index definition would exceed ${MAX_DEFINITION_LENGTH} characters`);

      let scheduledAt: Date | null = null;
      if (request.maintenanceWindow === 'SCHEDULED') {
        scheduledAt = parseScheduledAt(request.scheduledAt);
        if (!scheduledAt)
          throw new DefinitionError('scheduledAt', 'scheduledAt is required for the SCHEDULED maintenance window');
        if (scheduledAt.getTime() <= clock().getTime())
          throw new DefinitionError('scheduledAt', 'scheduledAt must be in the future');
      } else if (request.scheduledAt) {
        throw new DefinitionError('scheduledAt', 'scheduledAt is only for the SCHEDULED maintenance window');
      }

      if (await this.catalog.relationExists(schema, request.indexName)) {
        throw AppError.conflict(`A relation named ${request.indexName} already exists in schema ${schema}`, {
          field: 'indexName',
        });
      }
      return { tableName, definition, columns: texts, where, scheduledAt };
    } catch (error) {
      if (error instanceof DefinitionError) throw AppError.invalidField(error.field, error.message);
      throw error;
    }
  }
}
