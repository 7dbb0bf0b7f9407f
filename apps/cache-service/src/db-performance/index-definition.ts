import type { IndexType } from '@ccc/shared-types';
import { MAX_IDENTIFIER_LENGTH, quoteIdent } from '../datasources/source-name.js';

/**
 * Index definitions are built here from parsed parts, never from user SQL: identifiers are quoted,
 * literals re-rendered, and the only expressions are the ones in the allow-list below.
 */

export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const MAX_IDENTIFIER_BYTES = MAX_IDENTIFIER_LENGTH;

export { quoteIdent };
export const quoteLiteral = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** The access method each index type is built with. */
export const INDEX_METHOD: Record<IndexType, 'btree' | 'hash' | 'gin' | 'gist'> = {
  BTREE: 'btree',
  COMPOSITE: 'btree',
  PARTIAL: 'btree',
  FUNCTIONAL: 'btree',
  HASH: 'hash',
  GIN: 'gin',
  GIST: 'gist',
};

export class DefinitionError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export function isValidIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && Buffer.byteLength(name, 'utf8') <= MAX_IDENTIFIER_BYTES;
}

// ---------------------------------------------------------------------------------------------
// Index columns: a plain column, or (FUNCTIONAL) lower(col) / upper(col) / date_trunc('unit', col)
// ---------------------------------------------------------------------------------------------

export const DATE_TRUNC_UNITS = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute'] as const;

export type IndexColumn =
  | { kind: 'column'; column: string }
  | { kind: 'lower' | 'upper'; column: string }
  | { kind: 'date_trunc'; unit: (typeof DATE_TRUNC_UNITS)[number]; column: string };

const IDENT = '([A-Za-z_][A-Za-z0-9_]*)';
const CASE_FN = new RegExp(`^(lower|upper)\\s*\\(\\s*${IDENT}\\s*\\)$`, 'i');
const DATE_TRUNC = new RegExp(`^date_trunc\\s*\\(\\s*'([a-z]+)'\\s*,\\s*${IDENT}\\s*\\)$`, 'i');

/** Parses one entry of `columns`; expressions only when the index type allows them. */
export function parseIndexColumn(entry: string, allowExpressions: boolean): IndexColumn {
  const text = entry.trim();
  if (IDENTIFIER.test(text) && Buffer.byteLength(text) <= MAX_IDENTIFIER_BYTES) return { kind: 'column', column: text };
  if (allowExpressions) {
    const caseFn = CASE_FN.exec(text);
    if (caseFn) return { kind: caseFn[1].toLowerCase() as 'lower' | 'upper', column: caseFn[2] };
    const trunc = DATE_TRUNC.exec(text);
    if (trunc) {
      const unit = trunc[1].toLowerCase();
      if (!(DATE_TRUNC_UNITS as readonly string[]).includes(unit)) {
        throw new DefinitionError('columns', `date_trunc unit must be one of ${DATE_TRUNC_UNITS.join(', ')}`);
      }
      return { kind: 'date_trunc', unit: unit as (typeof DATE_TRUNC_UNITS)[number], column: trunc[2] };
    }
    throw new DefinitionError(
      'columns',
      `columns entry "${entry.slice(0, 100)}" must be a column name, lower(column), upper(column) or date_trunc('unit', column)`,
    );
  }
  throw new DefinitionError(
    'columns',
    `columns entry "${entry.slice(0, 100)}" must be a plain column name (letters, digits, underscore)`,
  );
}

/** The canonical text stored in `columns`. */
export function columnText(column: IndexColumn): string {
  switch (column.kind) {
    case 'column':
      return column.column;
    case 'lower':
    case 'upper':
      return `${column.kind}(${column.column})`;
    case 'date_trunc':
      return `date_trunc('${column.unit}', ${column.column})`;
  }
}

/** Column types that lower()/upper() and date_trunc() may index (PostgreSQL's format_type names). */
const TEXT_TYPES = /^(text|character varying|character|varchar|char|citext|name)\b/;
const DATE_TYPES = /^(date|timestamp without time zone|timestamp with time zone)$/;

/**
 * The element of the CREATE INDEX column list. date_trunc over timestamptz or date is not IMMUTABLE, so it is
 * indexed on the UTC wall-clock time (timestamptz) or the date as a timestamp.
 */
export function renderIndexColumn(column: IndexColumn, columnType: string): string {
  const ident = quoteIdent(column.column);
  switch (column.kind) {
    case 'column':
      return ident;
    case 'lower':
    case 'upper':
      if (!TEXT_TYPES.test(columnType))
        throw new DefinitionError('columns', `${column.kind}() needs a text column; ${column.column} is ${columnType}`);
      return `(${column.kind}(${ident}))`;
    case 'date_trunc': {
      if (!DATE_TYPES.test(columnType))
        throw new DefinitionError(
          'columns',
          `date_trunc() needs a date or timestamp column; ${column.column} is ${columnType}`,
        );
      const source =
        columnType === 'date'
          ? `${ident}::timestamp`
          : columnType === 'timestamp with time zone'
            ? `(${ident} AT TIME ZONE 'UTC')`
            : ident;
      return `(date_trunc(${quoteLiteral(column.unit)}, ${source}))`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Partial-index predicates: <column> <op> <number|'string'> | <column> IS [NOT] NULL, joined by AND
// ---------------------------------------------------------------------------------------------

export const MAX_WHERE_LENGTH = 1000;

export type Condition =
  | {
      column: string;
      op: '=' | '<>' | '<' | '<=' | '>' | '>=';
      value: { kind: 'number'; text: string } | { kind: 'string'; text: string };
    }
  | { column: string; isNull: boolean };

type Token =
  | { kind: 'ident'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'op'; text: string };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const rest = input.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0] });
      i += ident[0].length;
      continue;
    }
    const number = /^-?[0-9]+(\.[0-9]+)?/.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', text: number[0] });
      i += number[0].length;
      continue;
    }
    const op = /^(<=|>=|<>|!=|=|<|>)/.exec(rest);
    if (op) {
      tokens.push({ kind: 'op', text: op[0] === '!=' ? '<>' : op[0] });
      i += op[0].length;
      continue;
    }
    if (rest[0] === "'") {
      let j = 1;
      let text = '';
      for (;;) {
        if (j >= rest.length)
          throw new DefinitionError('whereClause', 'whereClause has an unterminated string literal');
        if (rest[j] === '\\' || rest[j] === '\u0000') {
          // Literals are re-rendered as standard strings: a backslash would mean something else under
          // standard_conforming_strings = off (or in an E'' string), and PostgreSQL text cannot hold NUL.
          throw new DefinitionError(
            'whereClause',
            'whereClause string literals may not contain a backslash or a NUL character',
          );
        }
        if (rest[j] === "'") {
          if (rest[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += rest[j];
        j++;
      }
      tokens.push({ kind: 'string', text });
      i += j + 1;
      continue;
    }
    throw new DefinitionError(
      'whereClause',
      `whereClause may not contain "${rest[0]}": use column op value, column IS [NOT] NULL, joined by AND`,
    );
  }
  return tokens;
}

/** Parses the restricted predicate grammar; anything else (functions, OR, sub-queries, `;`) is refused. */
export function parseWhereClause(input: string): Condition[] {
  if (input.length > MAX_WHERE_LENGTH)
    throw new DefinitionError('whereClause', `whereClause must be at most ${MAX_WHERE_LENGTH} characters`);
  const tokens = tokenize(input);
  if (tokens.length === 0) throw new DefinitionError('whereClause', 'whereClause must not be empty');
  const conditions: Condition[] = [];
  let i = 0;
  const fail = (): never => {
    throw new DefinitionError(
      'whereClause',
      "whereClause must be conditions like column = 'text', column >= 10 or column IS [NOT] NULL, joined by AND",
    );
  };
  const keyword = (token: Token | undefined, word: string): boolean =>
    token?.kind === 'ident' && token.text.toUpperCase() === word;
  for (;;) {
    const column = tokens[i];
    if (column?.kind !== 'ident' || ['AND', 'IS', 'NOT', 'NULL', 'OR'].includes(column.text.toUpperCase())) fail();
    if (keyword(tokens[i + 1], 'IS')) {
      if (keyword(tokens[i + 2], 'NULL')) {
        conditions.push({ column: column.text, isNull: true });
        i += 3;
      } else if (keyword(tokens[i + 2], 'NOT') && keyword(tokens[i + 3], 'NULL')) {
        conditions.push({ column: column.text, isNull: false });
        i += 4;
      } else fail();
    } else {
      const op = tokens[i + 1];
      const value = tokens[i + 2];
      if (op?.kind !== 'op' || (value?.kind !== 'number' && value?.kind !== 'string')) fail();
      conditions.push({
        column: column.text,
        op: op.text as '=',
        value: { kind: value.kind as 'number', text: value.text },
      });
      i += 3;
    }
    if (i === tokens.length) return conditions;
    if (!keyword(tokens[i], 'AND')) fail();
    i++;
  }
}

/** The predicate as it goes into the CREATE INDEX statement (and is stored as where_clause). */
export function renderWhere(conditions: Condition[]): string {
  return conditions
    .map((condition) => {
      const column = quoteIdent(condition.column);
      if ('isNull' in condition) return `${column} IS ${condition.isNull ? '' : 'NOT '}NULL`;
      const value = condition.value.kind === 'number' ? condition.value.text : quoteLiteral(condition.value.text);
      return `${column} ${condition.op} ${value}`;
    })
    .join(' AND ');
}

export function buildIndexDefinition(parts: {
  schema: string;
  table: string;
  indexName: string;
  method: string;
  columns: string[];
  where: string | null;
}): string {
  const where = parts.where ? ` WHERE ${parts.where}` : '';
  return `CREATE INDEX CONCURRENTLY ${quoteIdent(parts.indexName)} ON ${quoteIdent(parts.schema)}.${quoteIdent(parts.table)} USING ${parts.method} (${parts.columns.join(', ')})${where}`;
}
