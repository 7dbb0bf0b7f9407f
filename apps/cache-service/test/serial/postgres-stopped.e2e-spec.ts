import { DataSource } from 'typeorm';
import { AuditService } from '../../src/audit/audit.service.js';
import { loadConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { runMigrations } from '../../src/database/migrate.js';
import {
  cachedAnswer,
  createDatasource,
  FAULT_ENV,
  isFinal,
  queryOne,
  waitForJobState,
  waitForReadiness,
} from '../support/faults.js';
import { PrivatePostgres } from '../support/postgres-server.js';
import { freePort, PrivateRedis } from '../support/redis-server.js';
import { bearer, createTestApp, userWithToken, type TestApp } from '../support/test-app.js';
import { requestWarm, sleep } from '../support/warming.js';

/**
 * PostgreSQL (a private cluster of this test, never the machine's own) stops while the service runs and a refresh is
 * writing: what is warm keeps answering from Redis, nothing crashes, no job-history or audit write is silently lost,
 * and everything recovers in the same process once PostgreSQL is back.
 */
const describeWithPostgres = PrivatePostgres.available() ? describe : describe.skip;

describeWithPostgres('PostgreSQL stopped', () => {
  let postgres: PrivatePostgres;
  let redisServer: PrivateRedis;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    postgres = new PrivatePostgres(await freePort());
    await postgres.init();
    const env = { ...FAULT_ENV, DATABASE_URL: postgres.url(), WARM_JOB_LOCK_MS: '3000' };
    const db = await new DataSource(dataSourceOptions(loadConfig({ ...process.env, ...env }))).initialize();
    await runMigrations(db);
    await db.destroy();
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    t = await createTestApp({ ...env, REDIS_URL: redisServer.url });
    token = (await userWithToken(t, 'admin')).token;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await redisServer?.destroy();
    postgres?.destroy();
  });

  it('keeps warm datasources answering from Redis, reports or defers every write, and recovers without a restart', async () => {
    const warm = await createDatasource(t, token, { practices: 2, providers: 10, periods: 10 });
    const refreshed = await createDatasource(t, token, { practices: 5, providers: 200, periods: 10 });
    for (const id of [warm, refreshed])
      expect((await waitForJobState(t, token, (await requestWarm(t, token, id)).jobId, isFinal)).status).toBe(
        'COMPLETED',
      );
    const before = await cachedAnswer(t, token, warm);
    // Another service reads with an API key (used once before the outage, as a running service would have).
    const created = await t.http
      .post('/api/admin/api-keys')
      .set(bearer(token))
      .send({ name: 'reporting-service', permissions: ['analytics:read'] })
      .expect(201);
    const apiKey = (created.body as { key: string }).key;
    const readWithKey = () =>
      t.http
        .get(`/api/analytics/datasources/${warm}/query`)
        .query({ measure: 'Charges', frequency: 'Daily', practice: '1', provider: '1001' })
        .set('X-API-Key', apiKey);
    expect((await readWithKey()).status).toBe(200);

    const refresh = await requestWarm(t, token, refreshed);
    await waitForJobState(t, token, refresh.jobId, (job) => job.status === 'RUNNING' && job.rowsProcessed > 0);

    postgres.stop();
    try {
      const down = await waitForReadiness(t, 503);
      expect(down).toMatchObject({
        status: 'error',
        checks: { postgres: { status: 'down' }, redis: { status: 'up' } },
      });

      // Warm data: served from Redis, the same generation as before — also once every in-memory cache of datasource
      // definitions, accounts and API keys (5 s) has expired.
      await sleep(6_000);
      for (let i = 0; i < 20; i++) {
        for (const response of [await queryOne(t, token, warm), await readWithKey()]) {
          expect(response.status).toBe(200);
          expect(response.body).toMatchObject({ source: 'cache', generation: before.generation });
        }
      }

      // Changes need PostgreSQL (the datasource, the job history): refused with a clear, retryable error — never a 500 —
      // and each refusal is audited: the row waits in Redis's audit outbox until PostgreSQL takes it.
      for (const change of [
        t.http.post('/api/admin/analytics/cache/invalidate').set(bearer(token)).send({ datasourceId: warm }),
        t.http.post('/api/admin/analytics/cache/warm').set(bearer(token)).send({ datasourceId: warm, force: true }),
      ]) {
        const refused = await change;
        expect({ status: refused.status, code: (refused.body as { code?: string }).code }).toEqual({
          status: 503,
          code: 'SERVICE_UNAVAILABLE',
        });
        expect(refused.headers['retry-after']).toBeDefined();
      }
      expect(await t.app.get(AuditService).outboxLength()).toBeGreaterThanOrEqual(2);
      await sleep(2_000);
    } finally {
      await postgres.start();
    }

    expect(await waitForReadiness(t, 200)).toMatchObject({ status: 'ok', checks: { postgres: { status: 'up' } } });

    // The interrupted refresh is closed by itself: retried to completion, or failed with its reason — never left running.
    const ended = await waitForJobState(t, token, refresh.jobId, isFinal);
    console.log(
      `[postgres-stopped] refresh interrupted by the outage ended ${ended.status}: ${ended.failureReason ?? 'no failure reason'}`,
    );
    expect(['COMPLETED', 'FAILED']).toContain(ended.status);
    if (ended.status === 'FAILED') expect(ended.failureReason).toBeTruthy();

    // The audit rows of the refusals reached PostgreSQL (the outbox drains on its own).
    const audited = async (action: string): Promise<unknown[]> =>
      (
        (await t.http.get('/api/admin/audit').query({ action }).set(bearer(token)).expect(200)).body as {
          items: unknown[];
        }
      ).items;
    const deadline = Date.now() + 30_000;
    while ((await t.app.get(AuditService).outboxLength()) > 0 && Date.now() < deadline) await sleep(250);
    expect(await audited('cache.invalidate')).toEqual([
      expect.objectContaining({
        targetId: String(warm),
        outcome: 'failure',
        statusCode: 503,
        errorCode: 'SERVICE_UNAVAILABLE',
      }),
    ]);
    expect(await audited('cache.warm')).toEqual(
      expect.arrayContaining([expect.objectContaining({ outcome: 'failure', statusCode: 503 })]),
    );

    // And the same process warms again.
    const again = await waitForJobState(t, token, (await requestWarm(t, token, warm)).jobId, isFinal);
    expect(again.status).toBe('COMPLETED');
    expect(await cachedAnswer(t, token, warm)).toMatchObject({ source: 'cache', generation: again.generation });
  }, 240_000);
});
