import type { AnalyticsQueryResponse, Datasource } from '@ccc/shared-types';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { CacheKeys } from '../src/redis/redis-keys.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';
import { FINAL_STATUSES as FINAL, requestWarm, waitForJob } from './support/warming.js';
const ENV = {
  CACHE_GC_GRACE_MS: '200',
  WARM_BATCH_ENTRIES: '10',
  WARM_ATTEMPTS: '1',
  RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
};

/** A replica stopping (a deploy) while it runs a warm: it stops at once and another replica finishes the warm. */
describe('a service stopping during a warm', () => {
  let redisServer: PrivateRedis;
  let redis: Redis;
  let first: TestApp;
  let second: TestApp | undefined;

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    redis = new Redis(redisServer.url);
    first = await createTestApp({ ...ENV, REDIS_URL: redisServer.url });
  });
  afterAll(async () => {
    await second?.close();
    redis?.disconnect();
    await redisServer?.stop();
  });

  it('hands a running (even paused) warm back to the queue without using up an attempt; the next replica completes it', async () => {
    const token = (await userWithToken(first, 'operator')).token;
    const db = first.app.get(DataSource);
    const table = await createSourceTable(db, { practices: 5, providers: 100, periods: 10, value: 4 });
    const ds = (
      await first.http
        .post('/api/admin/datasources')
        .set(bearer(token))
        .send({ name: `Shutdown ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
        .expect(201)
    ).body as Datasource;
    const { jobId } = await requestWarm(first, token, ds.id, false);
    const waitFor = (app: TestApp, statuses: string[]) => waitForJob(app, token, jobId, statuses);
    await waitFor(first, ['RUNNING']);
    await first.http.post(`/api/admin/analytics/cache/warming/jobs/${jobId}/pause`).set(bearer(token)).expect(200);
    const paused = await waitFor(first, ['PAUSED', ...FINAL]);
    expect(paused.status).toBe('PAUSED');

    // Stopping does not wait for the warm (paused, it could wait up to WARM_MAX_PAUSE_SECONDS).
    await first.close();
    const handedBack = await redis.hgetall(`{ccc}:warming:${jobId}`);
    expect(handedBack.name).toBe(`warm:${ds.name}`);
    expect(handedBack.attemptsMade ?? '0').toBe('0');
    expect(await redis.exists(CacheKeys.warmLock(ds.id))).toBe(1);

    // The next replica takes it over; it was paused, so it pauses again, and finishes when resumed.
    second = await createTestApp({ ...ENV, REDIS_URL: redisServer.url });
    const resumedPaused = await waitFor(second, ['PAUSED', ...FINAL]);
    expect(resumedPaused.status).toBe('PAUSED');
    expect(resumedPaused.generation).not.toBe(paused.generation);
    await second.http.post(`/api/admin/analytics/cache/warming/jobs/${jobId}/resume`).set(bearer(token)).expect(200);
    expect(await waitFor(second, FINAL)).toMatchObject({ status: 'COMPLETED', failureReason: null });
    const answer = (
      await second.http
        .get(`/api/analytics/datasources/${ds.id}/query`)
        .query({ measure: 'Charges', practice: '1', provider: '1001', frequency: 'Daily' })
        .set(bearer(token))
        .expect(200)
    ).body as AnalyticsQueryResponse;
    expect(answer.source).toBe('cache');
    expect(answer.entries[0].rows.every(([, value]) => value === 4)).toBe(true);
    expect(await redis.exists(CacheKeys.warmLock(ds.id))).toBe(0);
  });
});
