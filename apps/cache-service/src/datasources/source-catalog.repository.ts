import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ColumnMapping } from '@ccc/shared-types';
import type { DataSource } from 'typeorm';

/**
 * The one rule for naming a datasource table: `schema.table`, an unqualified name meaning `public`
 * (datasources are validated against information_schema the same way).
 */
export function qualifiedTableName(name: string): string {
  return name.includes('.') ? name : `public.${name}`;
}

/** Reads PostgreSQL's catalog to check that a datasource points at a real table and real columns. */
@Injectable()
export class SourceCatalogRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Column names of a table, or null when it does not exist. */
  async columnsOf(qualifiedTable: string): Promise<Set<string> | null> {
    const [schema, table] = qualifiedTableName(qualifiedTable).split('.');
    const rows: Array<{ column_name: string }> = await this.db.query(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`,
      [schema, table],
    );
    return rows.length === 0 ? null : new Set(rows.map((row) => row.column_name));
  }

  /** The qualified source tables of every registered datasource (each once). */
  async sourceTables(): Promise<string[]> {
    const rows: Array<{ source_table: string }> = await this.db.query(`SELECT DISTINCT source_table FROM cache_strategy`);
    return [...new Set(rows.map((row) => qualifiedTableName(row.source_table)))].sort();
  }

  /** Field errors (`sourceTable`, `columnMapping.<dimension>`) for a table and mapping that do not match the database. */
  async problemsWith(sourceTable: string, mapping: ColumnMapping): Promise<Array<{ field: string; message: string }>> {
    const columns = await this.columnsOf(sourceTable);
    if (!columns) return [{ field: 'sourceTable', message: `sourceTable ${sourceTable} does not exist` }];
    return Object.entries(mapping)
      .filter(([, column]) => !columns.has(column))
      .map(([dimension, column]) => ({
        field: `columnMapping.${dimension}`,
        message: `column ${column} does not exist in ${sourceTable}`,
      }));
  }
}
