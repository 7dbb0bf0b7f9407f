import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { tableNameMessage } from '../src/datasources/source-name.js';
import { createSourceTable, TEST_MAPPING, TEST_SOURCE_SCHEMA } from './support/source-table.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';

/**
 * Datasources (sourceTable), thresholds and index strategies (tableName) name tables by one rule: the same names are
 * refused with the same 400 naming the field, an unqualified name means public everywhere.
 */
describe('one rule for table names', () => {
  let t: TestApp;
  let db: DataSource;
  let admin: string;
  const create = (sourceTable: string, columnMapping: Record<string, string>) =>
    t.http
      .post('/api/admin/datasources')
      .set(bearer(admin))
      .send({ name: `Names ${randomUUID().slice(0, 8)}`, sourceTable, columnMapping });

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
    admin = (await userWithToken(t, 'admin')).token;
  });
  afterAll(() => t?.close());

  const routes = [
    { field: 'sourceTable', send: (name: string) => create(name, TEST_MAPPING) },
    {
      field: 'tableName',
      send: (name: string) =>
        t.http
          .post('/api/admin/monitoring/thresholds')
          .set(bearer(admin))
          .send({ metricType: 'QUERY_TIME', tableName: name, warningThreshold: 100, criticalThreshold: 200 }),
    },
    {
      field: 'tableName',
      send: (name: string) =>
        t.http
          .post('/api/admin/monitoring/indexes')
          .set(bearer(admin))
          .send({
            tableName: name,
            indexName: 'idx_rule',
            indexType: 'BTREE',
            columns: ['measure'],
            usagePattern: 'LOOKUP',
            maintenanceWindow: 'IMMEDIATE',
          }),
    },
  ];

  it.each([
    ['a space', 'x y'],
    ['three parts', 'a.b.c'],
    ['quotes', '"cache_test".t'],
    ['a part over 63 characters', `${TEST_SOURCE_SCHEMA}.${'t'.repeat(64)}`],
    ['over 100 characters qualified', `${'s'.repeat(50)}.${'t'.repeat(50)}`],
  ])('refuses a name with %s on every route with the same 400 naming the field', async (_label, name) => {
    for (const route of routes) {
      const response = await route.send(name);
      expect({ status: response.status, code: response.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
      expect(response.body.details.fields).toEqual([{ field: route.field, messages: [tableNameMessage(route.field)] }]);
    }
  });

  it('reads an unqualified name as public on every route (outside SOURCE_SCHEMAS here: 403)', async () => {
    for (const route of routes) {
      const response = await route.send('app_user');
      expect({ status: response.status, code: response.body.code }).toEqual({
        status: 403,
        code: 'SOURCE_NOT_ALLOWED',
      });
      expect(response.body.message).toContain('public.app_user');
    }
  });

  it('accepts a valid name on every route', async () => {
    const table = await createSourceTable(db, { practices: 1, providers: 1, periods: 1 });
    await create(table, TEST_MAPPING).expect(201);
    for (const route of routes.slice(1)) expect((await route.send(table)).status).toBe(201);
  });
});
