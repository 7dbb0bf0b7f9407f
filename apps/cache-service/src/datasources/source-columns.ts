import type { ColumnMapping } from '@ccc/shared-types';
import type { SourceName } from './source-name.js';
import { SOURCE_RELKINDS } from './source-policy.js';

export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A column of a source as the catalog describes it. */
export interface SourceColumn {
  /** format_type, e.g. `integer`, `character varying(20)`, `json`. */
  type: string;
  /** The type under a domain (pg_type.typname), e.g. `int4`. */
  base: string;
  /** pg_type.typcategory of the base type: D date/time, N numeric, S string… */
  category: string;
  /** Has a default btree operator class: PostgreSQL can sort and compare it (json, xml, point cannot). */
  sortable: boolean;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** What a source is: its relation kind (null: no such relation) and the named columns it has. */
export interface SourceDescription {
  kind: string | null;
  columns: Map<string, SourceColumn>;
}

/**
 * The relation and the named columns in one catalog query (one round trip: the cold fallback runs it before each
 * read). Domains count as their base type; arrays, enums and ranges sort when PostgreSQL's polymorphic operator
 * classes cover them.
 */
export async function describeSource(
  client: Queryable,
  name: SourceName,
  columns: string[],
): Promise<SourceDescription> {
  const { rows } = await client.query(
    `SELECT c.relkind::text AS kind, (
       SELECT COALESCE(json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'base', b.typname,
         'category', b.typcategory, 'sortable', EXISTS (
           SELECT 1 FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
           WHERE am.amname = 'btree' AND oc.opcdefault AND (
             oc.opcintype = b.oid
             OR (oc.opcintype = 'anyarray'::regtype AND b.typcategory = 'A')
             OR (oc.opcintype = 'anyenum'::regtype AND b.typtype = 'e')
             OR (oc.opcintype = 'anyrange'::regtype AND b.typtype = 'r')
             OR (oc.opcintype = 'anymultirange'::regtype AND b.typtype = 'm')
             OR EXISTS (SELECT 1 FROM pg_cast k WHERE k.castsource = b.oid AND k.casttarget = oc.opcintype AND k.castmethod = 'b' AND k.castcontext = 'i'))))), '[]'::json)
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
       WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY($3::text[])) AS columns
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
    [name.schema, name.table, columns],
  );
  const row = rows[0] as { kind: string; columns: Array<SourceColumn & { name: string }> } | undefined;
  return {
    kind: row?.kind ?? null,
    columns: new Map((row?.columns ?? []).map(({ name: column, ...rest }) => [column, rest])),
  };
}

/** Why a relation cannot be read as a source: null when it is a table, partitioned table, view or materialized view. */
export function relationProblem(name: SourceName, kind: string | null): string | null {
  if (kind === null) return `${name.qualified} does not exist`;
  if (!(SOURCE_RELKINDS as readonly string[]).includes(kind)) return `${name.qualified} is not a table or view`;
  return null;
}

/** What a value column may be: the reads print it as text and serve it as a JSON number. */
const NUMBER_TYPES = ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8'];
/** pg_type categories a period may be: date/time, numeric, string. */
const PERIOD_CATEGORIES = new Set(['D', 'N', 'S']);

/**
 * Field errors (`columnMapping.<role>`) of a mapping its table cannot serve: a column that does not exist, or whose
 * type cannot play its role in the reads. Entries are grouped and ordered by the four dimensions and the period, so
 * those must be sortable and comparable; the period is served as text and orders the rows (a date, time, number or
 * text); the value is served as a JSON number (a number column: anything else would be served as null).
 */
export function mappingProblems(
  mapping: ColumnMapping,
  columns: Map<string, SourceColumn>,
  table: string,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [role, column] of Object.entries(mapping) as Array<[keyof ColumnMapping, string]>) {
    const field = `columnMapping.${role}`;
    const found = columns.get(column);
    if (!found) {
      problems.push({ field, message: `column ${column} does not exist in ${table}` });
    } else if (role === 'value') {
      if (!NUMBER_TYPES.includes(found.base))
        problems.push({
          field,
          message: `${field}: column ${column} is ${found.type}; the value must be a number column (${NUMBER_TYPES.join(', ')})`,
        });
    } else if (!found.sortable) {
      problems.push({
        field,
        message: `${field}: column ${column} is ${found.type}, which PostgreSQL cannot sort or compare; dimensions and the period need a type such as text, a number or a date`,
      });
    } else if (role === 'period' && (!PERIOD_CATEGORIES.has(found.category) || found.base === 'money')) {
      problems.push({
        field,
        message: `${field}: column ${column} is ${found.type}; the period must be a date, time, number or text column`,
      });
    }
  }
  return problems;
}

/** Types a watermark may be: PostgreSQL compares them, and "later" means "changed later" (no float: rounding). */
const WATERMARK_TYPES = ['timestamptz', 'timestamp', 'date', 'int2', 'int4', 'int8', 'numeric'];

/**
 * The field error of a watermark column (change detection `watermark`) its table cannot serve: missing, or not a
 * timestamp, date or exact number. Null when it can.
 */
export function watermarkProblem(
  column: string,
  columns: Map<string, SourceColumn>,
  table: string,
): FieldProblem | null {
  const found = columns.get(column);
  if (!found) return { field: 'watermarkColumn', message: `column ${column} does not exist in ${table}` };
  if (!WATERMARK_TYPES.includes(found.base))
    return {
      field: 'watermarkColumn',
      message: `watermarkColumn: column ${column} is ${found.type}; a watermark must be a timestamp, date or integer/numeric column set on every insert and update`,
    };
  return null;
}

/**
 * Why a datasource cannot be read as mapped right now, by the catalog, on the connection about to read it: the
 * relation is gone or not a table, or a mapped column is gone or no longer of a usable type. Null when it can be read.
 */
export async function sourceProblem(
  client: Queryable,
  name: SourceName,
  mapping: ColumnMapping,
): Promise<{ message: string; fields: FieldProblem[] } | null> {
  const described = await describeSource(client, name, Object.values(mapping));
  const relation = relationProblem(name, described.kind);
  if (relation) return { message: relation, fields: [] };
  const fields = mappingProblems(mapping, described.columns, name.qualified);
  return fields.length > 0 ? { message: fields.map((problem) => problem.message).join('; '), fields } : null;
}
