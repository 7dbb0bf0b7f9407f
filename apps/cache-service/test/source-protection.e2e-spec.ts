import type { CreatedApiKey, Datasource } from '@ccc/shared-types';
import pg from 'pg';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { testEnv } from './support/env.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';
import { requestWarm, sleep, waitForJob } from './support/warming.js';

const TIMEOUT_MS = 5_000;

/**
 * The database is protected from its readers: the query API's cold fallbacks run on their own small pool, at most
 * SOURCE_QUERY_MAX_CONCURRENT at once, under a statement timeout, and each principal has an in-process query limit.
 */
describe('database protection from analytics readers', () => {
  let redisServer: PrivateRedis;
  let t: TestApp;
  let db: DataSource;
  let admin: string;
  let viewer: string;
  const keys: string[] = [];

  const query = (id: number, key: string) => t.http.get(`/api/analytics/datasources/${id}/query`).query({ measure: 'Charges' }).set('X-API-Key', key);
  const datasource = async (label: string): Promise<Datasource> => {
    const table = await createSourceTable(db, { practices: 2, providers: 2, periods: 3 });
    return (await t.http.post('/api/admin/datasources').set(bearer(admin)).send({ name: `${label} ${table}`, sourceTable: table, columnMapping: TEST_MAPPING }).expect(201)).body as Datasource;
  };

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      SOURCE_QUERY_POOL_SIZE: '1',
      SOURCE_QUERY_MAX_CONCURRENT: '1',
      SOURCE_QUERY_TIMEOUT_MS: String(TIMEOUT_MS),
      RATE_LIMIT_QUERY_PER_SECOND: '2',
    });
    db = t.app.get(DataSource);
    admin = (await userWithToken(t, 'admin')).token;
    viewer = (await userWithToken(t, 'viewer')).token;
    for (const name of ['service a', 'service b']) {
      keys.push(((await t.http.post('/api/admin/api-keys').set(bearer(admin)).send({ name, permissions: ['analytics:read'] }).expect(201)).body as CreatedApiKey).key);
    }
  });
  afterAll(async () => {
    await t?.close();
    await redisServer?.stop();
  });

  it('refuses cold fallbacks over the cap with 503 SOURCE_BUSY, stops a slow one with 503 SOURCE_TIMEOUT, and the dashboard is served meanwhile', async () => {
    const ds = await datasource('Cold');
    // A writer holds the source table: the first fallback waits for it, holding the only fallback slot.
    const blocker = new pg.Client({ connectionString: testEnv().databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE ${ds.sourceTable} IN ACCESS EXCLUSIVE MODE`);
      const first = query(ds.id, keys[0]).then((response) => response);
      let waiting = false;
      for (let i = 0; i < 400 && !waiting; i++) {
        const rows = (await db.query(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = 'cache-command-center:cold-fallback' AND wait_event_type = 'Lock' AND datname = current_database()`,
        )) as unknown[];
        waiting = rows.length > 0;
        if (!waiting) await sleep(10);
      }
      expect(waiting).toBe(true);

      const busy = await query(ds.id, keys[1]).expect(503);
      expect(busy.body).toMatchObject({ code: 'SOURCE_BUSY' });
      expect(busy.headers['retry-after']).toBe('1');
      // The service's own database work does not wait behind the readers.
      await t.http.get('/api/admin/datasources').set(bearer(viewer)).expect(200);
      await t.http.get('/api/admin/analytics/cache/warming/jobs').set(bearer(viewer)).expect(200);

      const timedOut: Response = await first;
      expect({ status: timedOut.status, code: timedOut.body.code }).toEqual({ status: 503, code: 'SOURCE_TIMEOUT' });
      expect(timedOut.headers['retry-after']).toBe(String(TIMEOUT_MS / 1000));
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
    }
    // The slot and its connection are free again.
    await sleep(1_000);
    const answered = await query(ds.id, keys[0]).expect(200);
    expect(answered.body).toMatchObject({ datasourceId: ds.id, source: 'database' });
  });

  it('limits each API key to RATE_LIMIT_QUERY_PER_SECOND with 429 RATE_LIMITED and Retry-After; other keys are still served', async () => {
    const ds = await datasource('Warm');
    const warm = await requestWarm(t, admin, ds.id);
    await waitForJob(t, admin, warm.jobId, ['COMPLETED']);
    await sleep(1_500); // both keys' buckets full again
    const burst = await Promise.all(Array.from({ length: 12 }, () => query(ds.id, keys[0])));
    const statuses = burst.map((response) => response.status);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(2);
    const limited = burst.filter((response) => response.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
    for (const response of limited) {
      expect(response.body.code).toBe('RATE_LIMITED');
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    const other = await query(ds.id, keys[1]).expect(200);
    expect(other.body).toMatchObject({ source: 'cache' });
  });
});
