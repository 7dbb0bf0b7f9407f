import type { AnalyticsQueryResponse, Datasource } from '@ccc/shared-types';
import { DataSource } from 'typeorm';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';
import { FINAL_STATUSES as FINAL, requestWarm, sleep, waitForJob } from './support/warming.js';

/** A warm holds a REPEATABLE READ snapshot and a COPY on the source database: it may not do so (or wait for it) for ever. */
describe('warms that would hold on to the source database', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  let db: DataSource;
  let token: string;

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    t = await createTestApp({
      REDIS_URL: redis.url,
      WARM_MAX_PAUSE_SECONDS: '1',
      WARM_SOURCE_LOCK_TIMEOUT_MS: '500',
      WARM_BATCH_ENTRIES: '10',
      WARM_ATTEMPTS: '1',
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
    });
    db = t.app.get(DataSource);
    token = (await userWithToken(t, 'operator')).token;
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  const waitFor = (jobId: string, statuses: string[]) => waitForJob(t, token, jobId, statuses);
  const copiesOf = async (table: string): Promise<number> =>
    Number(
      (
        await db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE $1 AND pid <> pg_backend_pid()`,
          [`COPY (SELECT%${table}%`],
        )
      )[0].n,
    );

  it('is cancelled after WARM_MAX_PAUSE_SECONDS, closing its snapshot, with the live generation still serving', async () => {
    const table = await createSourceTable(db, { practices: 5, providers: 100, periods: 10, value: 3 });
    const ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(token))
        .send({ name: `Pause ${table}`, sourceTable: table, columnMapping: TEST_MAPPING, minWarmIntervalSeconds: 0 })
        .expect(201)
    ).body as Datasource;
    const warm = () => requestWarm(t, token, ds.id);
    expect((await waitFor((await warm()).jobId, FINAL)).status).toBe('COMPLETED');
    const query = async (): Promise<AnalyticsQueryResponse> =>
      (
        await t.http
          .get(`/api/analytics/datasources/${ds.id}/query`)
          .query({ measure: 'Charges', practice: '2', provider: '2001', frequency: 'Daily' })
          .set(bearer(token))
          .expect(200)
      ).body as AnalyticsQueryResponse;
    const live = (await query()).generation;

    const second = await warm();
    await waitFor(second.jobId, ['RUNNING']);
    await t.http.post(`/api/admin/analytics/cache/warming/jobs/${second.jobId}/pause`).set(bearer(token)).expect(200);
    const paused = await waitFor(second.jobId, ['PAUSED', ...FINAL]);
    expect(paused.status).toBe('PAUSED');
    expect(await copiesOf(table.split('.')[1])).toBe(1);

    const ended = await waitFor(second.jobId, FINAL);
    expect(ended.status).toBe('CANCELLED');
    expect(ended.failureReason).toMatch(/paused for more than 1 s/);
    for (let waited = 0; (await copiesOf(table.split('.')[1])) > 0 && waited < 5_000; waited += 50) await sleep(50);
    expect(await copiesOf(table.split('.')[1])).toBe(0);
    expect(await query()).toMatchObject({ source: 'cache', generation: live });
  });

  it('fails instead of waiting for ever when the source table is locked, and frees the datasource', async () => {
    const table = await createSourceTable(db, { practices: 2, providers: 2, periods: 2 });
    const ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(token))
        .send({ name: `Locked ${table}`, sourceTable: table, columnMapping: TEST_MAPPING, minWarmIntervalSeconds: 0 })
        .expect(201)
    ).body as Datasource;
    // A migration on the source, say: ACCESS EXCLUSIVE held in an open transaction.
    const blocker = await db.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    await blocker.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    try {
      const failed = await waitFor((await requestWarm(t, token, ds.id)).jobId, FINAL);
      expect(failed).toMatchObject({ status: 'FAILED', failureReason: expect.stringMatching(/lock timeout/) });
    } finally {
      await blocker.rollbackTransaction();
      await blocker.release();
    }
    expect((await waitFor((await requestWarm(t, token, ds.id)).jobId, FINAL)).status).toBe('COMPLETED');
  });
});
