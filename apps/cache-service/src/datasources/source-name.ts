import { QUALIFIED_TABLE_PATTERN, TABLE_NAME_MAX_LENGTH } from '@ccc/shared-types';

/** PostgreSQL's identifier limit (NAMEDATALEN - 1), as QUALIFIED_TABLE_PATTERN has it; names here are ASCII. */
export const MAX_IDENTIFIER_LENGTH = 63;
/**
 * The longest qualified name (`schema.table`) any table name may have: the width of the table-name columns of
 * index strategies, thresholds and index statistics (VARCHAR(100)), so a name accepted anywhere can be stored everywhere.
 */
export const MAX_TABLE_NAME_LENGTH = TABLE_NAME_MAX_LENGTH;

/** A source table name taken apart: always schema-qualified, and its SQL form quoted (search_path never applies). */
export interface SourceName {
  schema: string;
  table: string;
  /** `schema.table`, as datasources, thresholds and index strategies store it. */
  qualified: string;
  /** `"schema"."table"`: the only form the service puts into SQL. */
  sql: string;
}

export const quoteIdent = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;

/**
 * The one rule for naming a table, everywhere (datasources, thresholds, index strategies, stored rows): `schema.table`
 * or `table` (unqualified means `public`), plain identifiers of at most 63 characters, at most 100 characters
 * qualified. Null for anything else (quotes, more dots, other characters, too long), which no stored or requested
 * name may be.
 */
export function parseSourceName(name: unknown): SourceName | null {
  if (typeof name !== 'string' || !QUALIFIED_TABLE_PATTERN.test(name)) return null;
  const dot = name.indexOf('.');
  const schema = dot < 0 ? 'public' : name.slice(0, dot);
  const table = name.slice(dot + 1);
  const qualified = `${schema}.${table}`;
  if (qualified.length > MAX_TABLE_NAME_LENGTH) return null;
  return { schema, table, qualified, sql: `${quoteIdent(schema)}.${quoteIdent(table)}` };
}

/** The message for a name parseSourceName refuses, naming the field. */
export const tableNameMessage = (field: string): string =>
  `${field} must be a table name, optionally schema-qualified (schema.table): letters, digits and underscores, at most ${MAX_IDENTIFIER_LENGTH} characters a part and ${MAX_TABLE_NAME_LENGTH} qualified`;
