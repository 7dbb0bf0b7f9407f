import type { Datasource, WarmSchedule } from '@ccc/shared-types';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { QUEUE_PREFIX } from '../src/redis/redis-keys.js';
import { WARMING_QUEUE } from '../src/warming/job.repository.js';
import { WarmingJobEntity } from '../src/warming/warming-job.entity.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';

describe('scheduled auto-warming', () => {
  let redisServer: PrivateRedis;
  let replicas: TestApp[] = [];
  let token: string;

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    // Two service processes sharing Redis and PostgreSQL, as two replicas would.
    replicas = [
      await createTestApp({ REDIS_URL: redisServer.url }),
      await createTestApp({ REDIS_URL: redisServer.url }),
    ];
    token = (await userWithToken(replicas[0], 'operator')).token;
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await redisServer?.stop();
  });

  it('fires once per tick across replicas, shows its next runs, warms as SCHEDULED, and stops when cleared', async () => {
    const [a, b] = replicas;
    const table = await createSourceTable(a.app.get(DataSource), { practices: 2, providers: 2, periods: 2 });
    const created = await a.http
      .post('/api/admin/datasources')
      .set(bearer(token))
      .send({ name: `Scheduled ${table}`, sourceTable: table, columnMapping: TEST_MAPPING, minWarmIntervalSeconds: 0 })
      .expect(201);
    const { id, strategyId } = created.body as Datasource;

    // Every second (six-field cron), set through one replica; the other replica's own schedule sync must not double it.
    const schedule = (
      await a.http
        .put(`/api/admin/analytics/cache/schedules/${id}`)
        .set(bearer(token))
        .send({ cron: '* * * * * *' })
        .expect(200)
    ).body as WarmSchedule;
    expect(schedule.nextRuns).toHaveLength(3);
    expect(Date.parse(schedule.nextRuns[1]) - Date.parse(schedule.nextRuns[0])).toBe(1000);

    const queue = new Queue(WARMING_QUEUE, { connection: { url: redisServer.url }, prefix: QUEUE_PREFIX });
    try {
      const schedulers = (await queue.getJobSchedulers(0, -1)).filter(
        (s) => s.key === `warm-schedule-${id}` || s.id === `warm-schedule-${id}`,
      );
      expect(schedulers).toHaveLength(1);

      const started = Date.now();
      const firedJobs = async () =>
        (await queue.getJobs(['completed', 'active', 'waiting', 'delayed', 'failed'])).filter(
          (job) =>
            job.name === 'scheduled-warm' &&
            (job.data as { datasourceId: number }).datasourceId === id &&
            job.timestamp >= started - 1000,
        );
      const scheduledWarmDone = async () =>
        (
          await b.app
            .get(DataSource)
            .getRepository(WarmingJobEntity)
            .find({ where: { cacheStrategyId: strategyId } })
        ).some((row) => row.warmingType === 'SCHEDULED' && row.status === 'COMPLETED');
      // BullMQ's scheduler ticks on Redis time: wait (bounded) for two ticks and a completed scheduled warm.
      const deadline = Date.now() + 20_000;
      while (!((await firedJobs()).length >= 2 && (await scheduledWarmDone()))) {
        if (Date.now() > deadline) throw new Error(`the schedule fired ${(await firedJobs()).length} job(s) in 20 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const fired = await firedJobs();
      const ticks = new Set(fired.map((job) => Math.round((job.opts.prevMillis ?? job.timestamp) / 1000)));
      // One job per tick: as many jobs as distinct ticks, whatever the number of replicas.
      expect(fired.length).toBe(ticks.size);
      expect(fired.length).toBeGreaterThanOrEqual(2);

      const cleared = (
        await b.http
          .put(`/api/admin/analytics/cache/schedules/${id}`)
          .set(bearer(token))
          .send({ cron: null })
          .expect(200)
      ).body as WarmSchedule;
      expect(cleared).toMatchObject({ cron: null, nextRuns: [] });
      expect(
        (await queue.getJobSchedulers(0, -1)).filter(
          (s) => s.key === `warm-schedule-${id}` || s.id === `warm-schedule-${id}`,
        ),
      ).toHaveLength(0);
      const listed = (await a.http.get('/api/admin/analytics/cache/schedules').set(bearer(token)).expect(200))
        .body as WarmSchedule[];
      expect(listed.find((s) => s.datasourceId === id)).toMatchObject({ cron: null });
    } finally {
      await queue.close();
    }
  });
});
