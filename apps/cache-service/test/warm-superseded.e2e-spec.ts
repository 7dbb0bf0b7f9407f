import type { AnalyticsQueryResponse, Datasource, WarmResponse } from '@ccc/shared-types';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { CacheRepository } from '../src/analytics-cache/cache.repository.js';
import { CacheKeys, QUEUE_PREFIX } from '../src/redis/redis-keys.js';
import { WARMING_QUEUE, type WarmingJobData } from '../src/warming/job.repository.js';
import { WarmingProcessor } from '../src/warming/warming.processor.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';
import {
  FINAL_STATUSES as FINAL,
  generationKeys,
  requestWarm,
  sleep,
  waitForJob,
  waitUntil,
  warmingJob,
} from './support/warming.js';
import { WarmLocks } from '../src/analytics-cache/warm-locks.js';

/**
 * BullMQ hands a job it believes stalled to another worker while the first may still be alive: two executions
 * of one warm at once. Each holds its own token on the warming lock; the newer one wins, and the older one
 * stops without swapping, without touching the job's row and with its own shadow removed.
 */
describe('two executions of one warming job, and jobs given up on', () => {
  let redisServer: PrivateRedis;
  let redis: Redis;
  let t: TestApp;
  let db: DataSource;
  let token: string;

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    redis = new Redis(redisServer.url);
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      CACHE_GC_GRACE_MS: '200',
      WARM_BATCH_ENTRIES: '10',
      WARM_ATTEMPTS: '2',
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
    });
    db = t.app.get(DataSource);
    token = (await userWithToken(t, 'operator')).token;
  });
  afterAll(async () => {
    await t?.close();
    redis?.disconnect();
    await redisServer?.stop();
  });

  const job = (jobId: string) => warmingJob(t, token, jobId);
  const waitFor = (jobId: string, statuses: string[]) => waitForJob(t, token, jobId, statuses);
  const keysOf = (datasourceId: number, generation: number) => generationKeys(redis, datasourceId, generation);

  it('lets the newer execution finish the warm and the older one stop without swapping or closing the job', async () => {
    const table = await createSourceTable(db, { practices: 5, providers: 100, periods: 10, value: 7 });
    const ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(token))
        .send({ name: `Twice ${table}`, sourceTable: table, columnMapping: TEST_MAPPING, minWarmIntervalSeconds: 0 })
        .expect(201)
    ).body as Datasource;
    const warm = (): Promise<WarmResponse> => requestWarm(t, token, ds.id);
    expect((await waitFor((await warm()).jobId, FINAL)).status).toBe('COMPLETED');
    await db.query(`UPDATE ${table} SET value = 9`);

    // Execution A (the real worker) paused mid-warm.
    const { jobId } = await warm();
    await waitFor(jobId, ['RUNNING']);
    await t.http.post(`/api/admin/analytics/cache/warming/jobs/${jobId}/pause`).set(bearer(token)).expect(200);
    const paused = await waitFor(jobId, ['PAUSED', ...FINAL]);
    expect(paused.status).toBe('PAUSED');
    const shadowOfA = paused.generation!;
    const lockOfA = await redis.get(CacheKeys.warmLock(ds.id));
    expect(lockOfA).toMatch(new RegExp(`^${jobId}#`));

    // Execution B: the same job, as BullMQ would hand it to a second worker.
    const second = {
      id: jobId,
      data: { kind: 'warm', jobId },
      attemptsMade: 0,
      opts: { attempts: 1 },
      updateProgress: async () => undefined,
    } as unknown as Job<WarmingJobData>;
    const executionB = t.app.get(WarmingProcessor).process(second);
    while ((await redis.get(CacheKeys.warmLock(ds.id))) === lockOfA) await sleep(10);
    expect(await redis.get(CacheKeys.warmLock(ds.id))).toMatch(new RegExp(`^${jobId}#`));
    // B shares the job's pause request; let both go on.
    await t.http.post(`/api/admin/analytics/cache/warming/jobs/${jobId}/resume`).set(bearer(token)).expect(200);
    await executionB;

    const done = await waitFor(jobId, FINAL);
    expect(done).toMatchObject({ status: 'COMPLETED', failureReason: null });
    const meta = await t.app.get(CacheRepository).meta(ds.id);
    expect(meta.generation).not.toBe(shadowOfA);
    expect(await keysOf(ds.id, shadowOfA)).toEqual([]);
    expect(await redis.get(CacheKeys.warmLock(ds.id))).toBeNull();
    const answer = (
      await t.http
        .get(`/api/analytics/datasources/${ds.id}/query`)
        .query({ measure: 'Charges', practice: '3', provider: '3001', frequency: 'Daily' })
        .set(bearer(token))
        .expect(200)
    ).body as AnalyticsQueryResponse;
    expect(answer).toMatchObject({ source: 'cache', generation: meta.generation });
    expect(answer.entries[0].rows.length).toBeGreaterThan(0);
    expect(answer.entries[0].rows.every(([, value]) => value === 9)).toBe(true);
    // Only the live generation remains once the replaced one's grace period is over.
    for (
      let waited = 0;
      (await t.app.get(CacheRepository).storedGenerations(ds.id)).length > 1 && waited < 10_000;
      waited += 50
    )
      await sleep(50);
    expect(await t.app.get(CacheRepository).storedGenerations(ds.id)).toEqual([meta.generation]);
  });

  async function warmedDatasource(): Promise<{
    ds: Datasource;
    table: string;
    live: number;
    warm: () => Promise<WarmResponse>;
  }> {
    const table = await createSourceTable(db, { practices: 5, providers: 100, periods: 10, value: 7 });
    const ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(token))
        .send({ name: `Given up ${table}`, sourceTable: table, columnMapping: TEST_MAPPING, minWarmIntervalSeconds: 0 })
        .expect(201)
    ).body as Datasource;
    const warm = (): Promise<WarmResponse> => requestWarm(t, token, ds.id);
    expect((await waitFor((await warm()).jobId, FINAL)).status).toBe('COMPLETED');
    return { ds, table, live: (await t.app.get(CacheRepository).meta(ds.id)).generation!, warm };
  }

  it('when BullMQ gives up on a job whose execution is still alive, that execution cannot swap afterwards, and the live generation stays whole', async () => {
    const { ds, live, warm } = await warmedDatasource();
    const { jobId } = await warm();
    await waitFor(jobId, ['RUNNING']);
    await t.http.post(`/api/admin/analytics/cache/warming/jobs/${jobId}/pause`).set(bearer(token)).expect(200);
    const paused = await waitFor(jobId, ['PAUSED', ...FINAL]);
    expect(paused.status).toBe('PAUSED');

    // What BullMQ reports after the job stalled too often, while its worker is in fact still alive.
    const givenUp = {
      id: jobId,
      data: { kind: 'warm', jobId },
      attemptsMade: 2,
      opts: { attempts: 2 },
    } as unknown as Job<WarmingJobData>;
    await t.app.get(WarmingProcessor).onJobFailed(givenUp, new Error('job stalled more than allowable limit'));
    expect(await redis.get(CacheKeys.warmLock(ds.id))).toBeNull();
    expect(await keysOf(ds.id, paused.generation!)).toEqual([]);

    // The live execution resumes: it finds its lock gone and stops without swapping.
    await t.http
      .post(`/api/admin/analytics/cache/warming/jobs/${jobId}/resume`)
      .set(bearer(token))
      .expect(409)
      .expect(errorCode('CONFLICT'));
    await t.app.get(WarmLocks).clearControl(jobId);
    // Until that execution has returned to BullMQ (not merely until its shadow is gone): then nothing more can be written.
    const queue = new Queue(WARMING_QUEUE, { connection: { url: redisServer.url }, prefix: QUEUE_PREFIX });
    try {
      await waitUntil(async () => (await queue.getJobState(jobId)) !== 'active', 'the resumed execution to stop');
    } finally {
      await queue.close();
    }
    const ended = await job(jobId);
    expect(ended).toMatchObject({ status: 'FAILED', failureReason: expect.stringContaining('the worker gave up') });
    expect((await t.app.get(CacheRepository).meta(ds.id)).generation).toBe(live);
    expect(await keysOf(ds.id, paused.generation!)).toEqual([]);
    const answer = (
      await t.http
        .get(`/api/analytics/datasources/${ds.id}/query`)
        .query({ measure: 'Charges', practice: '3', provider: '3001', frequency: 'Daily' })
        .set(bearer(token))
        .expect(200)
    ).body as AnalyticsQueryResponse;
    expect(answer).toMatchObject({ source: 'cache', generation: live });
    // And the datasource can be warmed again at once.
    const again = await warm();
    expect(again.results[0].status).toBe('queued');
    expect((await waitFor(again.jobId, FINAL)).status).toBe('COMPLETED');
  });

  it('cancelling a job that waits for its retry frees the datasource at once', async () => {
    const { ds, table, warm } = await warmedDatasource();
    const { jobId } = await warm();
    await waitFor(jobId, ['RUNNING']);
    await t.http.post(`/api/admin/analytics/cache/warming/jobs/${jobId}/pause`).set(bearer(token)).expect(200);
    expect((await waitFor(jobId, ['PAUSED', ...FINAL])).status).toBe('PAUSED');
    // The source connection dies: a retryable failure; BullMQ retries after a backoff, the row says so.
    await db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE $1 AND pid <> pg_backend_pid()`,
      [`COPY (SELECT%${table.split('.')[1]}%`],
    );
    await t.http.post(`/api/admin/analytics/cache/warming/jobs/${jobId}/resume`).set(bearer(token)).expect(200);
    const retrying = await waitFor(jobId, ['PENDING', ...FINAL]);
    expect(retrying).toMatchObject({ status: 'PENDING', failureReason: expect.stringMatching(/^retrying/) });

    await t.http.post(`/api/admin/analytics/cache/warming/jobs/${jobId}/cancel`).set(bearer(token)).expect(200);
    expect((await waitFor(jobId, FINAL)).status).toBe('CANCELLED');
    expect(await redis.get(CacheKeys.warmLock(ds.id))).toBeNull();
    const next = await warm();
    expect(next.results[0]).toMatchObject({ status: 'queued' });
    expect((await waitFor(next.jobId, FINAL)).status).toBe('COMPLETED');
  });
});
