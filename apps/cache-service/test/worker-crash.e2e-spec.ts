import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalyticsQueryResponse, Datasource, WarmingJob, WarmResponse } from '@ccc/shared-types';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { createSourceTable, TEST_MAPPING, TEST_SOURCE_SCHEMA } from './support/source-table.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';
import { waitForJobWhere } from './support/warming.js';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const JOB_LOCK_MS = 3000;

/** A separate worker process (the built service in role `worker`), so it can really be killed. */
async function startWorker(redisUrl: string): Promise<ChildProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the service first (npm run build)`);
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      REDIS_URL: redisUrl,
      DATABASE_URL: process.env.DATABASE_URL!,
      SOURCE_SCHEMAS: `demo_analytics,${TEST_SOURCE_SCHEMA}`,
      PORT: String(await freePort()),
      SERVICE_ROLE: 'worker',
      JWT_SECRET: 'test-secret-test-secret-test-secret-000',
      WARM_JOB_LOCK_MS: String(JOB_LOCK_MS),
      WARM_BATCH_ENTRIES: '5',
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  return child;
}

describe('a worker process killed mid-warm', () => {
  let redisServer: PrivateRedis;
  let t: TestApp;
  let token: string;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    // This process only serves the API: every warm runs in a worker process.
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      SERVICE_ROLE: 'api',
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
      RATE_LIMIT_WARMING_PER_HOUR: '1000',
    });
    token = (await userWithToken(t, 'operator')).token;
  });
  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await t?.close();
    await redisServer?.stop();
  });

  const waitFor = (jobId: string, done: (job: WarmingJob) => boolean, timeoutMs = 60_000): Promise<WarmingJob> =>
    waitForJobWhere(t, token, jobId, done, timeoutMs);

  it('is recovered by another worker and completes, while readers are served throughout', async () => {
    const table = await createSourceTable(t.app.get(DataSource), { practices: 5, providers: 200, periods: 10 });
    const created = await t.http
      .post('/api/admin/datasources')
      .set(bearer(token))
      .send({ name: `Crash ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
      .expect(201);
    const id = (created.body as Datasource).id;
    const warm = async (): Promise<WarmResponse> =>
      (
        await t.http
          .post('/api/admin/analytics/cache/warm')
          .set(bearer(token))
          .send({ datasourceId: id, force: true })
          .expect(202)
      ).body as WarmResponse;

    const first = await startWorker(redisServer.url);
    workers.push(first);
    const initial = await warm();
    await waitFor(initial.jobId, (j) => j.status === 'COMPLETED');

    let stop = false;
    const failures: string[] = [];
    let reads = 0;
    const reader = async (): Promise<void> => {
      while (!stop) {
        const response = await t.http
          .get(`/api/analytics/datasources/${id}/query`)
          .query({ measure: 'Charges', frequency: 'Daily', practice: '2', provider: '2007' })
          .set(bearer(token));
        reads += 1;
        if (
          response.status !== 200 ||
          (response.body as AnalyticsQueryResponse).source !== 'cache' ||
          (response.body as AnalyticsQueryResponse).entries.length !== 1
        ) {
          failures.push(`${response.status} ${JSON.stringify(response.body).slice(0, 120)}`);
        }
      }
    };
    const readers = Array.from({ length: 5 }, () => reader());

    const refresh = await warm();
    const midway = await waitFor(refresh.jobId, (j) => j.status === 'RUNNING' && j.rowsProcessed > 0);
    first.kill('SIGKILL');
    const crashedGeneration = midway.generation!;

    workers.push(await startWorker(redisServer.url));
    const done = await waitFor(refresh.jobId, (j) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(j.status));
    stop = true;
    await Promise.all(readers);

    expect(done).toMatchObject({ status: 'COMPLETED', rowsProcessed: done.rowsTotal });
    expect(done.generation).not.toBe(crashedGeneration);
    expect(failures.slice(0, 3)).toEqual([]);
    expect(reads).toBeGreaterThan(50);

    // The crashed attempt's partial shadow is gone.
    const redis = new Redis(redisServer.url);
    try {
      const leftovers: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `*{ds:${id}}:g${crashedGeneration}:*`, 'COUNT', 10_000);
        cursor = next;
        leftovers.push(...keys);
      } while (cursor !== '0');
      expect(leftovers).toEqual([]);
    } finally {
      redis.disconnect();
    }
  }, 120_000);
});
