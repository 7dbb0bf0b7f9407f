// The bench's source table: a fact table in the shape the service warms (measure, practice, provider, frequency,
// period, value), filled by one INSERT … SELECT, with the index in warming order so that warms stream without a sort.
export const MEASURES = ['Charges', 'Payments', 'Adjustments', 'Visits'];
export const PROVIDERS_PER_PRACTICE = 10; // ids practice*100 + 1…10
export const FREQUENCIES = [
  ['Daily', '1 day'],
  ['Weekly', '7 days'],
  ['Monthly', '1 month'],
  ['Quarterly', '3 months'],
];
export const PERIODS = 25;

/**
 * Creates `table` (schema.name; the schema is dropped first) with one row per measure × practice × provider ×
 * frequency × period — `rows` of them for `practices` practices — and the index in warming order.
 */
export async function buildSourceTable(db, log, { table, practices, rows: expected }) {
  const schema = table.split('.')[0];
  const started = performance.now();
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.query(`
    CREATE TABLE ${table} (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      measure TEXT NOT NULL,
      practice_id INTEGER NOT NULL,
      provider_id INTEGER NOT NULL,
      frequency TEXT NOT NULL,
      period_date DATE NOT NULL,
      value NUMERIC(14,2) NOT NULL
    )`);
  const periods = FREQUENCIES.map(([f, step]) => `('${f}', interval '${step}')`).join(', ');
  await db.query(
    `INSERT INTO ${table} (measure, practice_id, provider_id, frequency, period_date, value)
     SELECT m.measure, 100 + pr.n, (100 + pr.n) * 100 + pv.n, f.frequency, (date '2026-10-31' - f.step * k.k)::date,
            ((pr.n * 7919 + pv.n * 104729 + k.k * 31 + length(m.measure) * 17 + length(f.frequency)) % 1000000) / 100.0
     FROM unnest($1::text[]) AS m(measure)
     CROSS JOIN generate_series(1, $2::int) AS pr(n)
     CROSS JOIN generate_series(1, $3::int) AS pv(n)
     CROSS JOIN (VALUES ${periods}) AS f(frequency, step)
     CROSS JOIN generate_series(0, $4::int - 1) AS k(k)`,
    [MEASURES, practices, PROVIDERS_PER_PRACTICE, PERIODS],
  );
  await db.query(`SET maintenance_work_mem = '256MB'`);
  // The index matches the warming order, so both pipelines stream rows without a sort.
  await db.query(
    `CREATE INDEX facts_entry_order_idx ON ${table} (measure, practice_id, provider_id, frequency, period_date)`,
  );
  await db.query(`ANALYZE ${table}`);
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table}`);
  if (rows[0].n !== expected) throw new Error(`the source table has ${rows[0].n} rows, expected ${expected}`);
  log(
    `source table ${table}: ${expected.toLocaleString('en-US')} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
