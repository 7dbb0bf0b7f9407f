import { Redis } from 'ioredis';
import { CacheRepository } from '../../src/analytics-cache/cache.repository.js';
import { WarmingService } from '../../src/warming/warming.service.js';
import {
  cachedAnswer,
  createDatasource,
  FAULT_ENV,
  isFinal,
  waitForJobState,
  waitForReadiness,
} from '../support/faults.js';
import { freePort, PrivateRedis } from '../support/redis-server.js';
import { createTestApp, userWithToken, type TestApp } from '../support/test-app.js';
import { requestWarm, scanAll, sleep } from '../support/warming.js';

/**
 * Redis crashes (SIGKILL) while a refresh writes its shadow generation and comes back with its data (append-only
 * file, as a production Redis keeps it). The same service process — never restarted — must notice, recover and
 * leave nothing behind.
 */
describe('Redis restarted mid-warm', () => {
  let redisServer: PrivateRedis;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort(), { persistent: true });
    await redisServer.start();
    t = await createTestApp({ ...FAULT_ENV, REDIS_URL: redisServer.url, WARM_JOB_LOCK_MS: '3000' });
    token = (await userWithToken(t, 'operator')).token;
  });
  afterAll(async () => {
    await t?.close();
    await redisServer?.destroy();
  });

  it('ends the warm cleanly, reconnects by itself (ready 503 then 200), leaves no shadow after the janitor, and the next warm succeeds', async () => {
    const id = await createDatasource(t, token, { practices: 5, providers: 200, periods: 10 });
    const first = await requestWarm(t, token, id);
    const initial = await waitForJobState(t, token, first.jobId, isFinal);
    expect(initial.status).toBe('COMPLETED');
    const liveBefore = (await cachedAnswer(t, token, id)).generation;

    const refresh = await requestWarm(t, token, id);
    const midway = await waitForJobState(
      t,
      token,
      refresh.jobId,
      (job) => job.status === 'RUNNING' && job.rowsProcessed > 0,
    );
    const interrupted = midway.generation!;
    expect(interrupted).not.toBe(liveBefore);

    await redisServer.stop();
    const down = await waitForReadiness(t, 503);
    expect(down).toMatchObject({ status: 'error', checks: { redis: { status: 'down' }, postgres: { status: 'up' } } });
    await sleep(1_000);
    await redisServer.start();
    expect(await waitForReadiness(t, 200)).toMatchObject({ status: 'ok' });

    // The interrupted warm ends by itself: retried to completion, or failed with a reason — never left running.
    const ended = await waitForJobState(t, token, refresh.jobId, isFinal);
    console.log(
      `[redis-restart] interrupted warm ended ${ended.status}: ${ended.failureReason ?? 'no failure reason'}`,
    );
    expect(['COMPLETED', 'FAILED']).toContain(ended.status);
    if (ended.status === 'FAILED') expect(ended.failureReason).toBeTruthy();
    // Readers get one whole generation: the old one, or the retry's.
    const afterRestart = await cachedAnswer(t, token, id);
    expect(afterRestart).toMatchObject({ source: 'cache' });
    expect(afterRestart.entries).toHaveLength(1);
    expect(afterRestart.entries[0].rows).toHaveLength(10);

    // The janitor schedules every generation that is neither live nor being written; the deletions run at once (no grace).
    const cache = t.app.get(CacheRepository);
    await t.app.get(WarmingService).sweepLeakedGenerations();
    const live = (await cache.meta(id)).generation;
    await waitUntil(async () => (await cache.storedGenerations(id)).every((generation) => generation === live));
    const redis = new Redis(redisServer.url);
    try {
      expect(await scanAll(redis, [`*{ds:${id}}:g${interrupted}:*`])).toEqual([]);
    } finally {
      redis.disconnect();
    }

    const next = await requestWarm(t, token, id);
    const done = await waitForJobState(t, token, next.jobId, isFinal);
    expect(done).toMatchObject({ status: 'COMPLETED', rowsProcessed: done.rowsTotal });
    const answer = await cachedAnswer(t, token, id);
    expect(answer).toMatchObject({ source: 'cache', generation: done.generation });
    expect(await cache.storedGenerations(id)).toContain(done.generation);
  }, 180_000);
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}
