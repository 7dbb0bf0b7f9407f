import { Redis } from 'ioredis';
import { CacheRepository } from '../../src/analytics-cache/cache.repository.js';
import { cachedAnswer, createDatasource, FAULT_ENV, isFinal, waitForJobState } from '../support/faults.js';
import { freePort, PrivateRedis } from '../support/redis-server.js';
import { createTestApp, userWithToken, type TestApp } from '../support/test-app.js';
import { requestWarm, scanAll, sleep } from '../support/warming.js';

const usedMemory = async (redis: Redis): Promise<number> =>
  Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? 0);

/**
 * Redis at maxmemory (noeviction, as BullMQ requires): a refresh of a datasource would need room for a second
 * generation beside the live one. The memory guard must stop the shadow warm with a reason that says what to do,
 * and the live generation must keep serving — whether the guard sees it coming (before writing) or Redis fills
 * up while the shadow is being written.
 */
describe('Redis at maxmemory', () => {
  let redisServer: PrivateRedis;
  let redis: Redis;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort(), { args: ['--maxmemory-policy', 'noeviction'] });
    await redisServer.start();
    redis = new Redis(redisServer.url);
    t = await createTestApp({ ...FAULT_ENV, REDIS_URL: redisServer.url, WARM_ATTEMPTS: '2' });
    token = (await userWithToken(t, 'operator')).token;
  });
  afterAll(async () => {
    redis?.disconnect();
    await t?.close();
    await redisServer?.destroy();
  });

  async function expectLiveServedAndNoShadow(id: number, generation: number, failed: number): Promise<void> {
    expect(await cachedAnswer(t, token, id)).toMatchObject({ source: 'cache', generation });
    // An old generation is deleted in the background after a swap (no grace period here): wait for it.
    const cache = t.app.get(CacheRepository);
    for (let waited = 0; waited < 10_000 && (await cache.storedGenerations(id)).length > 1; waited += 100)
      await sleep(100);
    expect(await cache.storedGenerations(id)).toEqual([generation]);
    // The failed shadow is deleted in paced batches (entries first, index sets last): allow it to finish.
    for (
      let waited = 0;
      waited < 10_000 && (await scanAll(redis, [`*{ds:${id}}:g${failed}:*`])).length > 0;
      waited += 100
    )
      await sleep(100);
    expect(await scanAll(redis, [`*{ds:${id}}:g${failed}:*`])).toEqual([]);
  }

  it('stops the refresh before writing when the shadow cannot fit, keeps the live generation serving, and says what to do', async () => {
    const id = await createDatasource(t, token, { practices: 5, providers: 100, periods: 10 });
    const initial = await waitForJobState(t, token, (await requestWarm(t, token, id)).jobId, isFinal);
    expect(initial.status).toBe('COMPLETED');

    // Room for what is there now and a little more — not for a second copy of the datasource.
    await redis.config('SET', 'maxmemory', String(Math.ceil((await usedMemory(redis)) * 1.2)));
    try {
      const refused = await waitForJobState(t, token, (await requestWarm(t, token, id)).jobId, isFinal);
      console.log(`[redis-maxmemory] refresh refused up front: ${refused.status} — ${refused.failureReason}`);
      expect(refused.status).toBe('FAILED');
      expect(refused.failureReason).toMatch(/^Redis memory guard: .* would pass 90% of maxmemory/);
      expect(refused.failureReason).toContain('Raise Redis maxmemory');
      await expectLiveServedAndNoShadow(id, initial.generation!, refused.generation ?? -1);
    } finally {
      await redis.config('SET', 'maxmemory', '0');
    }
  }, 120_000);

  it('stops a refresh when Redis fills up while its shadow is written, and the next warm succeeds once there is room', async () => {
    const id = await createDatasource(t, token, { practices: 5, providers: 200, periods: 10 });
    const initial = await waitForJobState(t, token, (await requestWarm(t, token, id)).jobId, isFinal);
    expect(initial.status).toBe('COMPLETED');

    // Enough room for the shadow when the refresh starts (the guard lets it begin)…
    const before = await usedMemory(redis);
    await redis.config('SET', 'maxmemory', String(before * 3));
    const fillerKeys: string[] = [];
    try {
      const refresh = await requestWarm(t, token, id);
      const running = await waitForJobState(
        t,
        token,
        refresh.jobId,
        (job) => job.status === 'RUNNING' && job.rowsProcessed > 0,
      );
      // …then something else fills Redis up to its limit while the shadow is being written.
      const chunk = 'x'.repeat(64 * 1024);
      for (let n = 0; ; n++) {
        const key = `filler:${n}`;
        const written = await redis.set(key, chunk).then(
          () => true,
          () => false,
        );
        if (!written) break;
        fillerKeys.push(key);
      }
      const stopped = await waitForJobState(t, token, refresh.jobId, isFinal);
      console.log(`[redis-maxmemory] refresh stopped mid-write: ${stopped.status} — ${stopped.failureReason}`);
      expect(stopped.status).toBe('FAILED');
      expect(stopped.failureReason).toMatch(/^Redis memory guard: /);
      expect(stopped.failureReason).toContain('Raise Redis maxmemory');
      await expectLiveServedAndNoShadow(id, initial.generation!, running.generation!);
    } finally {
      for (let i = 0; i < fillerKeys.length; i += 500) await redis.unlink(...fillerKeys.slice(i, i + 500));
      await redis.config('SET', 'maxmemory', '0');
    }

    const next = await waitForJobState(t, token, (await requestWarm(t, token, id)).jobId, isFinal);
    expect(next.status).toBe('COMPLETED');
    await expectLiveServedAndNoShadow(id, next.generation!, initial.generation!);
  }, 120_000);
});
