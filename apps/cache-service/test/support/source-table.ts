import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** Where the tests' source tables live: an allowed source schema of every test app (support/test-app.ts). */
export const TEST_SOURCE_SCHEMA = 'cache_test';

export const TEST_MAPPING = {
  measure: 'measure',
  practice: 'practice_id',
  provider: 'provider_id',
  frequency: 'frequency',
  period: 'period_date',
  value: 'value',
};
export const TEST_MEASURES = ['Charges', 'Payments', 'Visits', 'No Shows'];
export const TEST_FREQUENCIES = ['Daily', 'Weekly', 'Monthly', 'Quarterly'];

/**
 * A fact table of its own for one test: measures × practices × providers × 4 frequencies × periods rows,
 * every value `value` (so a refresh that changes values is easy to tell apart).
 */
export async function createSourceTable(
  db: DataSource,
  shape: { practices: number; providers: number; periods: number; value?: number },
): Promise<string> {
  const table = `${TEST_SOURCE_SCHEMA}.t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${TEST_SOURCE_SCHEMA}`);
  await db.query(
    `CREATE TABLE ${table} (measure TEXT NOT NULL, practice_id INT NOT NULL, provider_id INT NOT NULL, frequency TEXT NOT NULL, period_date DATE NOT NULL, value NUMERIC(14,2))`,
  );
  await db.query(
    `INSERT INTO ${table}
     SELECT m, p, p * 1000 + v, f, date '2026-01-01' + k, $4::numeric
     FROM unnest($1::text[]) m, generate_series(1, $2::int) p, generate_series(1, $3::int) v, unnest($5::text[]) f, generate_series(1, $6::int) k`,
    [TEST_MEASURES, shape.practices, shape.providers, shape.value ?? 1, TEST_FREQUENCIES, shape.periods],
  );
  await db.query(`CREATE INDEX ON ${table} (measure, practice_id, provider_id, frequency, period_date)`);
  return table;
}
