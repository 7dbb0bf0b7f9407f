import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ColumnMapping } from '@ccc/shared-types';
import type { DataSource } from 'typeorm';
import { AppError } from '../common/app-error.js';
import {
  describeSource,
  mappingProblems,
  relationProblem,
  watermarkProblem,
  type FieldProblem,
  type Queryable,
} from './source-columns.js';
import { SourceDatabase } from './source-database.js';
import type { SourceName } from './source-name.js';
import { SOURCE_RELKINDS, SourcePolicy } from './source-policy.js';

/** Reads PostgreSQL's catalog (through the source connection) to check that a datasource points at a readable table. */
@Injectable()
export class SourceCatalogRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly source: SourceDatabase,
    private readonly policy: SourcePolicy,
  ) {}

  /** Column names of a table or view in an allowed schema, or null when there is no such relation. */
  async columnsOf(qualifiedTable: string): Promise<Set<string> | null> {
    const name = this.policy.allowedName(qualifiedTable);
    if (!name) return null;
    const rows = await this.source.query<{ name: string }>(
      `SELECT a.attname AS name FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind = ANY($3) AND a.attnum > 0 AND NOT a.attisdropped`,
      [name.schema, name.table, SOURCE_RELKINDS],
    );
    return rows.length === 0 ? null : new Set(rows.map((row) => row.name));
  }

  /** The source tables of every registered datasource (each once, by qualified name) that may still be read. */
  async sourceNames(): Promise<SourceName[]> {
    const rows: Array<{ source_table: string }> = await this.db.query(
      `SELECT DISTINCT source_table FROM cache_strategy`,
    );
    const allowed = new Map<string, SourceName>();
    for (const row of rows) {
      const name = this.policy.allowedName(row.source_table);
      if (name) allowed.set(name.qualified, name);
    }
    return [...allowed.values()].sort((a, b) => a.qualified.localeCompare(b.qualified));
  }

  /** The same, qualified names only. */
  async sourceTables(): Promise<string[]> {
    return (await this.sourceNames()).map((name) => name.qualified);
  }

  /**
   * The table a datasource may read — in an allowed schema (403 SOURCE_NOT_ALLOWED), a table or view there by the
   * catalog (400 naming sourceTable) — and the field errors (`columnMapping.<role>`) of a mapping it cannot serve
   * (see mappingProblems; the reads check the same again before each read), and of its watermark column if it has one
   * (watermarkProblem).
   */
  async check(
    sourceTable: string,
    mapping: ColumnMapping,
    watermarkColumn: string | null = null,
  ): Promise<{ table: SourceName; problems: FieldProblem[] }> {
    const table = this.policy.assertAllowed(sourceTable, 'sourceTable');
    const names = [...Object.values(mapping), ...(watermarkColumn ? [watermarkColumn] : [])];
    const described = await describeSource(this.client(), table, names);
    const problem = relationProblem(table, described.kind);
    if (problem) throw AppError.invalidField('sourceTable', `sourceTable ${problem}`);
    const problems = mappingProblems(mapping, described.columns, sourceTable);
    const watermark = watermarkColumn ? watermarkProblem(watermarkColumn, described.columns, sourceTable) : null;
    return { table, problems: watermark ? [...problems, watermark] : problems };
  }

  private client(): Queryable {
    return { query: async (sql: string, params?: unknown[]) => ({ rows: await this.source.query(sql, params) }) };
  }
}
