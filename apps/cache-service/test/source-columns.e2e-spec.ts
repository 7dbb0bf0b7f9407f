import { randomUUID } from 'node:crypto';
import type { Datasource } from '@ccc/shared-types';
import { DataSource } from 'typeorm';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { TEST_MAPPING, TEST_SOURCE_SCHEMA } from './support/source-table.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';
import { requestWarm, waitForJob } from './support/warming.js';

/** A datasource's columns are checked for what the reads do with them: when it is saved, and before every read. */
describe('source tables and columns a datasource may map', () => {
  let redisServer: PrivateRedis;
  let t: TestApp;
  let db: DataSource;
  let admin: string;

  /** A table with one column of each awkward type beside usable ones. */
  const oddTable = async (): Promise<string> => {
    const table = `${TEST_SOURCE_SCHEMA}.odd_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${TEST_SOURCE_SCHEMA}`);
    await db.query(
      `CREATE TABLE ${table} (measure TEXT, practice_id INT, provider_id INT, frequency TEXT, period_date DATE, value NUMERIC,
         doc JSON, markup XML, spot POINT, label TEXT, flag BOOLEAN)`,
    );
    await db.query(
      `INSERT INTO ${table} VALUES ('Charges', 1, 1001, 'Monthly', '2026-01-01', 1, '{}', '<a/>', '(1,2)', 'x', true)`,
    );
    return table;
  };
  const create = (sourceTable: string, columnMapping: Record<string, string>) =>
    t.http
      .post('/api/admin/datasources')
      .set(bearer(admin))
      .send({ name: `Columns ${randomUUID().slice(0, 8)}`, sourceTable, columnMapping });

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    // One attempt per warm: a table that no longer fits fails its warm at once.
    t = await createTestApp({ REDIS_URL: redisServer.url, WARM_ATTEMPTS: '1' });
    db = t.app.get(DataSource);
    admin = (await userWithToken(t, 'admin')).token;
  });
  afterAll(async () => {
    await t?.close();
    await redisServer?.stop();
  });

  it.each([
    ['a json dimension', { measure: 'doc' }, 'columnMapping.measure', /cannot sort/],
    ['an xml dimension', { provider: 'markup' }, 'columnMapping.provider', /cannot sort/],
    ['a point period', { period: 'spot' }, 'columnMapping.period', /cannot sort/],
    [
      'a boolean period',
      { period: 'flag' },
      'columnMapping.period',
      /period must be a date, time, number or text column/,
    ],
    ['a text value', { value: 'label' }, 'columnMapping.value', /value must be a number column/],
  ])('refuses %s when the datasource is saved: 400 naming the field', async (_label, patch, field, message) => {
    const response = await create(await oddTable(), { ...TEST_MAPPING, ...patch }).expect(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    const fields = response.body.details.fields as Array<{ field: string; messages: string[] }>;
    expect(fields.map((f) => f.field)).toEqual([field]);
    expect(fields[0].messages[0]).toMatch(message);
  });

  it.each([
    ['a dimension changed to json', 'practice_id TYPE json USING to_json(practice_id)', 'columnMapping.practice'],
    ['the value changed to text', 'value TYPE text', 'columnMapping.value'],
  ])(
    'answers reads of a datasource whose table changed since it was saved (%s) with 409 CONFLICT naming the field, never 500 or nulls',
    async (_label, change, field) => {
      const table = await oddTable();
      const ds = (await create(table, TEST_MAPPING).expect(201)).body as Datasource;
      await db.query(`ALTER TABLE ${table} ALTER COLUMN ${change}`);
      const response = await t.http
        .get(`/api/analytics/datasources/${ds.id}/query`)
        .query({ measure: 'Charges' })
        .set(bearer(admin))
        .expect(409);
      expect(response.body).toMatchObject({ code: 'CONFLICT', details: { sourceTable: table, fields: [{ field }] } });
      expect(response.body.message).toMatch(/cannot be read/);
      // A warm stops at the same check, with the same reason on its job.
      const job = await waitForJob(t, admin, (await requestWarm(t, admin, ds.id)).jobId, ['FAILED']);
      expect(job.failureReason).toContain(field);
    },
  );
});
