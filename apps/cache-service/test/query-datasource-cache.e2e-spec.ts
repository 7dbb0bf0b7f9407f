import type { CreatedApiKey, Datasource } from '@ccc/shared-types';
import { AnalyticsQueryService } from '../src/analytics-cache/analytics-query.service.js';
import { DatasourcesService } from '../src/datasources/datasources.service.js';
import { isolatedStack, type IsolatedStack } from './support/isolated-stack.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';

/**
 * The query route keeps datasources in process memory for a few seconds, and unknown ids too: a client polling an
 * id that does not exist costs one PostgreSQL lookup per interval, not one per request. A database of its own, so
 * the next datasource id is known.
 */
describe('datasources the query route remembers', () => {
  let stack: IsolatedStack;
  let t: TestApp;
  let admin: string;
  let key: string;
  const query = (id: number) =>
    t.http.get(`/api/analytics/datasources/${id}/query`).query({ measure: 'Charges' }).set('X-API-Key', key);

  beforeAll(async () => {
    stack = await isolatedStack('query_cache');
    t = await createTestApp(stack.env);
    admin = (await userWithToken(t, 'admin')).token;
    key = (
      (
        await t.http
          .post('/api/admin/api-keys')
          .set(bearer(admin))
          .send({ name: 'reader', permissions: ['analytics:read'] })
          .expect(201)
      ).body as CreatedApiKey
    ).key;
  });
  afterAll(async () => {
    await t?.close();
    await stack?.close();
  });

  it('looks an unknown datasource id up once per interval, and serves it as soon as it is created through this process', async () => {
    const [sequence] = (await stack.db.query(
      `SELECT last_value::int AS last FROM pg_sequences WHERE sequencename = split_part(pg_get_serial_sequence('cache_strategy', 'datasource_id'), '.', 2)`,
    )) as Array<{ last: number | null }>;
    const next = sequence.last === null ? 1 : sequence.last + 1;
    const service = t.app.get(AnalyticsQueryService);
    const now = Date.now();
    service.clock = () => now; // well inside the interval, however slow the machine
    const lookups = jest.spyOn(t.app.get(DatasourcesService), 'getEntity');
    try {
      for (let i = 0; i < 20; i++) {
        const response = await query(next).expect(404);
        expect(response.body).toMatchObject({ code: 'NOT_FOUND', details: { id: next } });
      }
      expect(lookups).toHaveBeenCalledTimes(1);

      const table = await createSourceTable(stack.db, { practices: 1, providers: 1, periods: 2 });
      const created = (
        await t.http
          .post('/api/admin/datasources')
          .set(bearer(admin))
          .send({ name: 'Created later', sourceTable: table, columnMapping: TEST_MAPPING })
          .expect(201)
      ).body as Datasource;
      expect(created.id).toBe(next);
      const served = await query(next).expect(200);
      expect(served.body).toMatchObject({ datasourceId: next, source: 'database' });

      // And remembered as found: more queries, no more lookups.
      for (let i = 0; i < 5; i++) await query(next).expect(200);
      expect(lookups).toHaveBeenCalledTimes(2);
    } finally {
      lookups.mockRestore();
      service.clock = () => Date.now();
    }
  });
});
