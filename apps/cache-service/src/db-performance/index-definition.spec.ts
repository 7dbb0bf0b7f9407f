import {
  buildIndexDefinition,
  columnText,
  DefinitionError,
  isValidIdentifier,
  parseIndexColumn,
  parseWhereClause,
  renderIndexColumn,
  renderWhere,
} from './index-definition.js';

const whereError = (input: string): string => {
  try {
    parseWhereClause(input);
  } catch (error) {
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as DefinitionError).field).toBe('whereClause');
    return (error as Error).message;
  }
  throw new Error(`accepted: ${input}`);
};

describe('partial-index predicates', () => {
  it('parses comparisons and null tests joined by AND and renders them with quoted identifiers and literals', () => {
    const conditions = parseWhereClause(
      `frequency = 'Monthly' and value >= -1.5 AND provider_id IS NOT NULL AND note is null AND name <> 'O''Brien' AND x != 3`,
    );
    expect(renderWhere(conditions)).toBe(
      `"frequency" = 'Monthly' AND "value" >= -1.5 AND "provider_id" IS NOT NULL AND "note" IS NULL AND "name" <> 'O''Brien' AND "x" <> 3`,
    );
  });

  it('refuses anything outside the grammar', () => {
    whereError(`frequency = 'Monthly'; DROP TABLE users`);
    whereError(`frequency = 'a' OR 1 = 1`);
    whereError(`lower(frequency) = 'a'`);
    whereError(`a = b`);
    whereError(`a = (SELECT 1)`);
    whereError(`a = 'unterminated`);
    whereError(`a = 1 AND`);
    whereError(`a -- comment`);
    whereError('');
  });

  it('refuses backslashes and NUL inside string literals', () => {
    expect(whereError(`name = 'a\\' OR true --'`)).toMatch(/backslash/);
    expect(whereError(`name = 'a\u0000b'`)).toMatch(/NUL/);
  });
});

describe('index columns', () => {
  it('allows expressions only for FUNCTIONAL, from the allow-list', () => {
    expect(parseIndexColumn('practice_id', false)).toEqual({ kind: 'column', column: 'practice_id' });
    expect(() => parseIndexColumn('lower(measure)', false)).toThrow(DefinitionError);
    expect(parseIndexColumn('LOWER( measure )', true)).toEqual({ kind: 'lower', column: 'measure' });
    expect(columnText(parseIndexColumn("date_trunc('Month', period_date)", true))).toBe(
      "date_trunc('month', period_date)",
    );
    expect(() => parseIndexColumn("date_trunc('fortnight', period_date)", true)).toThrow(/unit/);
    expect(() => parseIndexColumn('md5(measure)', true)).toThrow(DefinitionError);
    expect(() => parseIndexColumn('a"; DROP', true)).toThrow(DefinitionError);
  });

  it('renders expressions that PostgreSQL accepts in an index (immutable date_trunc)', () => {
    expect(renderIndexColumn({ kind: 'lower', column: 'measure' }, 'text')).toBe('(lower("measure"))');
    expect(() => renderIndexColumn({ kind: 'upper', column: 'value' }, 'numeric(14,2)')).toThrow(/text column/);
    expect(renderIndexColumn({ kind: 'date_trunc', unit: 'month', column: 'd' }, 'date')).toBe(
      `(date_trunc('month', "d"::timestamp))`,
    );
    expect(renderIndexColumn({ kind: 'date_trunc', unit: 'day', column: 'ts' }, 'timestamp with time zone')).toBe(
      `(date_trunc('day', ("ts" AT TIME ZONE 'UTC')))`,
    );
  });

  it('checks identifiers and builds the statement', () => {
    expect(isValidIdentifier('idx_ok_1')).toBe(true);
    expect(isValidIdentifier('1idx')).toBe(false);
    expect(isValidIdentifier('idx-bad')).toBe(false);
    expect(isValidIdentifier('i'.repeat(64))).toBe(false);
    expect(
      buildIndexDefinition({
        schema: 's',
        table: 't',
        indexName: 'idx',
        method: 'btree',
        columns: ['"a"', '(lower("b"))'],
        where: `"c" IS NULL`,
      }),
    ).toBe(`CREATE INDEX CONCURRENTLY "idx" ON "s"."t" USING btree ("a", (lower("b"))) WHERE "c" IS NULL`);
  });
});
