import type { DatasourceCacheDetails } from '@ccc/shared-types';
import { Redis } from 'ioredis';
import { CacheRepository } from '../src/analytics-cache/cache.repository.js';
import { ESTIMATED_BYTES_PER_ROW } from '../src/warming/shadow-writer.js';
import { createDatasource, FAULT_ENV } from './support/faults.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';
import { generationKeys, warmAndWait } from './support/warming.js';

const usedMemory = async (redis: Redis): Promise<number> =>
  Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? 0);

/**
 * Issue 16: a retained previous generation is kept only while memory permits. When a warm needs the memory, the memory
 * guard drops the retained generation first instead of refusing the warm.
 */
describe('retained generation and the memory guard', () => {
  let redisServer: PrivateRedis;
  let redis: Redis;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    // A Redis of its own: the test sets its maxmemory.
    redisServer = new PrivateRedis(await freePort(), { args: ['--maxmemory-policy', 'noeviction'] });
    await redisServer.start();
    redis = new Redis(redisServer.url);
    t = await createTestApp({
      ...FAULT_ENV,
      WARM_BATCH_ENTRIES: '200',
      REDIS_URL: redisServer.url,
      GENERATION_RETENTION_SECONDS: '3600',
      CACHE_MEMORY_GUARD_RATIO: '1',
    });
    token = (await userWithToken(t, 'operator')).token;
  });
  afterAll(async () => {
    redis?.disconnect();
    await t?.close();
    await redisServer?.destroy();
  });

  it('drops the retained generation for the memory a refresh needs, and the refresh completes', async () => {
    const shape = { practices: 10, providers: 25, periods: 25 };
    const rows = 4 * shape.practices * shape.providers * 4 * shape.periods;
    const id = await createDatasource(t, token, shape);
    const cache = t.app.get(CacheRepository);
    const first = (await warmAndWait(t, token, id)).generation!;
    const withOne = await usedMemory(redis);
    const second = (await warmAndWait(t, token, id)).generation!;
    expect((await cache.meta(id)).previous?.generation).toBe(first);
    expect(await cache.storedGenerations(id)).toEqual([first, second]);
    const retainedBytes = (await usedMemory(redis)) - withOne;
    expect(retainedBytes).toBeGreaterThan(0);

    // Room for the shadow's estimate only once the retained generation is gone (half a generation of margin each way).
    const estimate = rows * ESTIMATED_BYTES_PER_ROW;
    const limit = (await usedMemory(redis)) + estimate - Math.round(retainedBytes / 2);
    await redis.config('SET', 'maxmemory', String(limit));
    try {
      const third = (await warmAndWait(t, token, id)).generation!;
      expect(await generationKeys(redis, id, first)).toEqual([]);
      const details = (await t.http.get(`/api/admin/analytics/cache/datasources/${id}`).set(bearer(token)).expect(200))
        .body as DatasourceCacheDetails;
      expect(details.generation).toBe(third);
      expect(details.previousGeneration?.generation).toBe(second);
    } finally {
      await redis.config('SET', 'maxmemory', '0');
    }
  });
});
