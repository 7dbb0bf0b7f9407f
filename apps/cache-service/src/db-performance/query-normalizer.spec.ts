import { explainableSql, normaliseQuery, queryHash, summarisePlan } from './query-normalizer.js';

describe('query normalisation', () => {
  it('replaces literals and parameters by ?, collapses whitespace and keeps identifiers', () => {
    const sql = `SELECT "measure"::text, "value2"
                 FROM "cache_test"."t_1" WHERE "practice_id"::text = $1 AND x = 'it''s' AND y >= 12.5
                 ORDER BY "measure" LIMIT 100001`;
    expect(normaliseQuery(sql)).toBe(
      `SELECT "measure"::text, "value2" FROM "cache_test"."t_1" WHERE "practice_id"::text = ? AND x = ? AND y >= ? ORDER BY "measure" LIMIT ?`,
    );
  });

  it('gives executions that differ only in values the same 64-hex hash', () => {
    const a = queryHash(normaliseQuery(`SELECT a FROM t WHERE b = 'x' LIMIT 5`));
    const b = queryHash(normaliseQuery(`SELECT a  FROM t WHERE b = 'yy'\n LIMIT 7`));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).toBe(b);
    expect(queryHash(normaliseQuery('SELECT a FROM u'))).not.toBe(a);
  });

  it('keeps digits inside identifiers and quoted identifiers', () => {
    expect(normaliseQuery(`SELECT t1.c2, "col 3" FROM t1`)).toBe(`SELECT t1.c2, "col 3" FROM t1`);
  });

  it('caps the pattern at 2000 characters', () => {
    expect(normaliseQuery(`SELECT ${'a, '.repeat(2000)}b FROM t`).length).toBe(2000);
  });

  it('plans a COPY by its SELECT and refuses other statements', () => {
    expect(explainableSql('COPY (SELECT a FROM t ORDER BY a) TO STDOUT')).toBe('SELECT a FROM t ORDER BY a');
    expect(explainableSql('SELECT 1')).toBe('SELECT 1');
    expect(explainableSql('DELETE FROM t')).toBeNull();
  });
});

describe('plan summaries', () => {
  it('counts estimated rows read by scans and names the indexes used', () => {
    const plan = [
      {
        Plan: {
          'Node Type': 'Limit',
          'Plan Rows': 10,
          Plans: [
            {
              'Node Type': 'Bitmap Heap Scan',
              'Relation Name': 'facts',
              Schema: 's',
              'Plan Rows': 40,
              Plans: [{ 'Node Type': 'Bitmap Index Scan', 'Index Name': 'idx_b', 'Plan Rows': 40 }],
            },
            {
              'Node Type': 'Index Only Scan',
              'Relation Name': 'dims',
              Schema: 's',
              'Index Name': 'idx_a',
              'Plan Rows': 5,
            },
          ],
        },
      },
    ];
    expect(summarisePlan(plan)).toEqual({ rowsExamined: 45, indexesUsed: ['idx_a', 'idx_b'], usedIndex: true });
  });

  it('takes a sequential scan as reading its whole table', () => {
    const plan = [{ Plan: { 'Node Type': 'Seq Scan', 'Relation Name': 'facts', Schema: 's', 'Plan Rows': 3 } }];
    expect(summarisePlan(plan, (relation) => (relation === 's.facts' ? 60000 : undefined))).toEqual({
      rowsExamined: 60000,
      indexesUsed: [],
      usedIndex: false,
    });
    expect(summarisePlan(plan).rowsExamined).toBe(3);
  });
});
