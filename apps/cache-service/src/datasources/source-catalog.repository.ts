import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ColumnMapping } from '@ccc/shared-types';
import type { DataSource } from 'typeorm';
import { AppError } from '../common/app-error.js';
import { SourceDatabase } from './source-database.js';
import { parseSourceName, SOURCE_RELKINDS, SourcePolicy, type SourceName } from './source-policy.js';

/**
 * The one rule for naming a datasource table: `schema.table`, an unqualified name meaning `public`
 * (datasources are validated against the catalog the same way).
 */
export function qualifiedTableName(name: string): string {
  return parseSourceName(name)?.qualified ?? (name.includes('.') ? name : `public.${name}`);
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * Why a relation cannot be read as a source, by PostgreSQL's catalog (never by its name alone): null when it is a
 * table, partitioned table, view or materialized view of exactly that schema and name.
 */
export async function relationProblem(client: Queryable, name: SourceName): Promise<string | null> {
  const { rows } = await client.query(
    `SELECT c.relkind::text AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
    [name.schema, name.table],
  );
  const kind = (rows[0] as { kind: string } | undefined)?.kind;
  if (kind === undefined) return `${name.qualified} does not exist`;
  if (!(SOURCE_RELKINDS as readonly string[]).includes(kind)) return `${name.qualified} is not a table or view`;
  return null;
}

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

  /** The qualified source tables of every registered datasource (each once) that may still be read. */
  async sourceTables(): Promise<string[]> {
    const rows: Array<{ source_table: string }> = await this.db.query(`SELECT DISTINCT source_table FROM cache_strategy`);
    const allowed = rows.map((row) => this.policy.allowedName(row.source_table)?.qualified).filter((name): name is string => name !== undefined);
    return [...new Set(allowed)].sort();
  }

  /**
   * The table a datasource, threshold or index strategy may name: in an allowed schema (403 SOURCE_NOT_ALLOWED),
   * and a table or view there by the catalog (400 naming `field`).
   */
  async resolve(sourceTable: string, field = 'sourceTable'): Promise<SourceName> {
    const name = this.policy.assertAllowed(sourceTable, field);
    const client = { query: async (sql: string, params?: unknown[]) => ({ rows: await this.source.query(sql, params) }) };
    const problem = await relationProblem(client, name);
    if (problem) throw AppError.invalidField(field, `${field} ${problem}`);
    return name;
  }

  /** Field errors (`sourceTable`, `columnMapping.<dimension>`) for a table and mapping that do not match the database. */
  async problemsWith(sourceTable: string, mapping: ColumnMapping): Promise<Array<{ field: string; message: string }>> {
    const name = await this.resolve(sourceTable);
    const columns = (await this.columnsOf(name.qualified)) ?? new Set<string>();
    return Object.entries(mapping)
      .filter(([, column]) => !columns.has(column))
      .map(([dimension, column]) => ({
        field: `columnMapping.${dimension}`,
        message: `column ${column} does not exist in ${sourceTable}`,
      }));
  }
}
