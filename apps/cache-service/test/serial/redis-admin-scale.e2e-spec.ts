import type { RedisKeysPage, RedisPurgeResult } from '@ccc/shared-types';
import { Redis } from 'ioredis';
import { commandCalls, parseInfo } from '../../src/redis-admin/redis-info.js';
import { EXAMINE_CAP } from '../../src/redis-admin/redis-key-browser.service.js';
import { PURGE_BATCH_SIZE } from '../../src/redis-admin/redis-purge.service.js';
import { freePort, PrivateRedis } from '../support/redis-server.js';
import { bearer, createTestApp, userWithToken, type TestApp } from '../support/test-app.js';

/** Large keyspaces on a private redis-server, so that other test files never see (or wait for) these keys. */
describe('Redis admin tools at scale', () => {
  let server: PrivateRedis;
  let redis: Redis;
  let t: TestApp;
  let token: string;

  async function load(prefix: string, count: number): Promise<void> {
    for (let start = 0; start < count; start += 5000) {
      const args: string[] = [];
      for (let i = start; i < Math.min(count, start + 5000); i += 1) args.push(`${prefix}${i}`, '1');
      await redis.mset(...args);
    }
  }

  beforeAll(async () => {
    server = new PrivateRedis(await freePort());
    await server.start();
    redis = new Redis(server.url);
    // The browser follows ~200 cursors in a few seconds; the per-minute default would be in the way.
    // No workers (role api): BullMQ's stalled-job check runs DEL in its scripts, which would muddy the
    // command statistics this file asserts on.
    t = await createTestApp({ REDIS_URL: server.url, RATE_LIMIT_DEFAULT_PER_MINUTE: '100000', SERVICE_ROLE: 'api' });
    // The keys here (bulk:*, wanted:*) lie outside the service's namespaces: only an admin may browse and purge them.
    token = (await userWithToken(t, 'admin')).token;
  });
  afterAll(async () => {
    redis?.disconnect();
    await t?.close();
    await server?.stop();
  });

  it('answers a keys request on 200,000 unrelated keys within its examination cap, and its cursors visit every key exactly once', async () => {
    await load('unrelated:', 200_000);
    const before = Number(await redis.dbsize());
    expect(before).toBeGreaterThanOrEqual(200_000);

    // A pattern nothing matches: the request stops at its cap and hands back a cursor instead of walking 200k keys.
    const miss = (
      await t.http.get('/api/admin/redis/keys').query({ pattern: 'wanted:*', count: 50 }).set(bearer(token)).expect(200)
    ).body as RedisKeysPage;
    expect(miss.keys).toEqual([]);
    expect(miss.more).toBe(true);
    expect(miss.cursor).not.toBe('0');
    expect(miss.examined).toBeLessThanOrEqual(EXAMINE_CAP);

    const seen: string[] = [];
    let cursor = '0';
    let requests = 0;
    do {
      const page = (
        await t.http
          .get('/api/admin/redis/keys')
          .query({ pattern: 'unrelated:*', count: 1000, cursor })
          .set(bearer(token))
          .expect(200)
      ).body as RedisKeysPage;
      expect(page.examined).toBeLessThanOrEqual(EXAMINE_CAP);
      for (const key of page.keys) seen.push(key.key);
      cursor = page.cursor;
      requests += 1;
    } while (cursor !== '0' && requests < 5000);
    expect(seen.length).toBe(200_000);
    expect(new Set(seen).size).toBe(200_000);
  });

  it('purges 100,000 keys with bounded UNLINK batches, never one command over everything, and never KEYS or FLUSH', async () => {
    await load('bulk:', 100_000);
    await redis.set('survivor', '1');
    await redis.config('RESETSTAT');

    const dry = (
      await t.http
        .post('/api/admin/redis/purge')
        .set(bearer(token))
        .send({ pattern: 'bulk:*', dryRun: true })
        .expect(200)
    ).body as RedisPurgeResult;
    expect(dry.matched).toBe(100_000);
    expect(await redis.exists('bulk:0', 'bulk:99999')).toBe(2);

    let result = (
      await t.http
        .post('/api/admin/redis/purge')
        .set(bearer(token))
        .send({ pattern: 'bulk:*', dryRun: false })
        .expect(200)
    ).body as RedisPurgeResult;
    // A long run answers "running" and is followed by its id.
    for (let polls = 0; result.status === 'running' && polls < 600; polls += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      result = (await t.http.get(`/api/admin/redis/purge/${result.purgeId}`).set(bearer(token)).expect(200))
        .body as RedisPurgeResult;
    }
    expect(result).toMatchObject({ status: 'completed', deleted: dry.matched, batchSize: PURGE_BATCH_SIZE });

    const calls = commandCalls(parseInfo(await redis.info('commandstats')));
    // 100,000 keys in batches of at most PURGE_BATCH_SIZE: at least 200 UNLINK calls, one per batch.
    expect(calls.unlink).toBe(result.batches);
    expect(calls.unlink).toBeGreaterThanOrEqual(Math.ceil(100_000 / PURGE_BATCH_SIZE));
    expect(calls.del ?? 0).toBe(0);
    expect(calls.keys ?? 0).toBe(0);
    expect(calls.flushdb ?? 0).toBe(0);
    expect(calls.flushall ?? 0).toBe(0);

    const [, remaining] = await redis.scan('0', 'MATCH', 'bulk:*', 'COUNT', 1_000_000);
    expect(remaining).toEqual([]);
    expect(await redis.get('survivor')).toBe('1');
    expect(await redis.dbsize()).toBeGreaterThanOrEqual(200_001);
  });
});
