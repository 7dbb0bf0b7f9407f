import type { CreatedApiKey, Datasource } from '@ccc/shared-types';
import pg from 'pg';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { QueryRateLimitGuard } from '../src/analytics-cache/query-rate-limit.guard.js';
import { testEnv } from './support/env.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';
import { requestWarm, sleep, waitForJob } from './support/warming.js';

// Long enough that the requests made while the first fallback holds its slot are answered before it times out.
const TIMEOUT_MS = 8_000;

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

  const query = (id: number, key: string) =>
    t.http.get(`/api/analytics/datasources/${id}/query`).query({ measure: 'Charges' }).set('X-API-Key', key);
  const datasource = async (label: string): Promise<Datasource> => {
    const table = await createSourceTable(db, { practices: 2, providers: 2, periods: 3 });
    return (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(admin))
        .send({ name: `${label} ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
        .expect(201)
    ).body as Datasource;
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
      keys.push(
        (
          (
            await t.http
              .post('/api/admin/api-keys')
              .set(bearer(admin))
              .send({ name, permissions: ['analytics:read'] })
              .expect(201)
          ).body as CreatedApiKey
        ).key,
      );
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
      for (const deadline = Date.now() + 30_000; Date.now() < deadline && !waiting;) {
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
    // The slot and its connection are free again: the next fallback is answered, after at most a retry or two as
    // its Retry-After says should a slow machine still be releasing them.
    let answered = await query(ds.id, keys[0]);
    for (let retry = 0; retry < 5 && answered.status === 503; retry++) {
      await sleep(Number(answered.headers['retry-after']) * 1000);
      answered = await query(ds.id, keys[0]);
    }
    expect({ status: answered.status, body: answered.body }).toMatchObject({
      status: 200,
      body: { datasourceId: ds.id, source: 'database' },
    });
  });

  it('limits each API key to RATE_LIMIT_QUERY_PER_SECOND with 429 RATE_LIMITED and Retry-After; other keys are still served', async () => {
    const ds = await datasource('Warm');
    const warm = await requestWarm(t, admin, ds.id);
    await waitForJob(t, admin, warm.jobId, ['COMPLETED']);
    // The buckets' clock stands still (well after any earlier use, so every bucket is full): however slowly this
    // machine sends the burst, no token comes back during it — exactly a second's worth (2) is served.
    const guard = t.app.get(QueryRateLimitGuard);
    const now = performance.now() + 60_000;
    guard.clock = () => now;
    try {
      const burst = await Promise.all(Array.from({ length: 12 }, () => query(ds.id, keys[0])));
      expect(burst.map((response) => response.status).sort()).toEqual([200, 200, ...Array(10).fill(429)]);
      for (const response of burst.filter((r) => r.status === 429)) {
        expect(response.body.code).toBe('RATE_LIMITED');
        expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
      const other = await query(ds.id, keys[1]).expect(200);
      expect(other.body).toMatchObject({ source: 'cache' });
    } finally {
      guard.clock = () => performance.now();
    }
  });
});
