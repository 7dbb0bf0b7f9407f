import type {
  Datasource,
  RedisKeysPage,
  RedisMemoryAnalysis,
  RedisPurgeResult,
  RedisStatsResponse,
} from '@ccc/shared-types';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { encodeStoredEntry } from '../src/analytics-cache/entry-codec.js';
import { CacheKeys, hourOf } from '../src/redis/redis-keys.js';
import { WarmingService } from '../src/warming/warming.service.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';
import { requestWarm, scanAll, waitForJob } from './support/warming.js';
import { UsageCounters } from '../src/analytics-cache/usage-counters.js';

/**
 * What a datasource pulled from a table outside SOURCE_SCHEMAS (warmed before the allow-list, or before its schema was
 * taken off it) stays unreadable through the Redis tools — for everyone — and is deleted at start-up and by the janitor.
 */
describe('Redis tools and rows cached from a source that is not allowed', () => {
  let redisServer: PrivateRedis;
  let redis: Redis;
  let t: TestApp;
  let db: DataSource;
  let admin: string;
  let operator: string;
  let viewer: string;

  const keysOf = (datasourceId: number): Promise<string[]> =>
    scanAll(redis, [`cache:*{ds:${datasourceId}}*`, `idx:{ds:${datasourceId}}:*`, `lock:warm:{ds:${datasourceId}}`]);

  /** A datasource warmed from an allowed table whose row then names the service's own users table (as before the rule). */
  async function warmedThenRefused(): Promise<{ id: number; entry: string; index: string }> {
    const table = await createSourceTable(db, { practices: 1, providers: 2, periods: 2 });
    const ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(admin))
        .send({ name: `Refused ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
        .expect(201)
    ).body as Datasource;
    await waitForJob(t, admin, (await requestWarm(t, admin, ds.id)).jobId, ['COMPLETED']);
    // What the review's probe left behind: entry names carrying e-mail addresses, values carrying password hashes.
    const generation = Number(await redis.hget(CacheKeys.meta(ds.id), CacheKeys.liveField));
    const coordinates = {
      measure: 'alice@example.com',
      practice: 'scrypt$131072$8$1$c2FsdA$aGFzaA',
      provider: 'admin',
      frequency: 'x',
    };
    const id = 999;
    const entry = CacheKeys.entryKey(ds.id, generation, id);
    const indexPrefix = CacheKeys.indexPrefix(ds.id, generation);
    const set = CacheKeys.indexSuffixes.practice(coordinates.practice);
    const index = indexPrefix + set;
    // Written as a warm writes an entry: value, index set, the generation's ranges and registry.
    await redis
      .multi()
      .set(entry, encodeStoredEntry(coordinates, '[["2026-01-01","scrypt$131072$8$1$c2FsdA$aGFzaA"]]'))
      .sadd(index, id)
      .hset(indexPrefix + CacheKeys.indexSuffixes.ranges(), String(id), '1')
      .sadd(indexPrefix + CacheKeys.indexSuffixes.registry(), set)
      .exec();
    await t.app
      .get(UsageCounters)
      .addQueryCounters(ds.id, [{ hour: hourOf(new Date()), hits: 1, misses: 0, latencyMicros: 10 }]);
    await db.query(`UPDATE cache_strategy SET source_table = 'public.app_user' WHERE datasource_id = $1`, [ds.id]);
    return { id: ds.id, entry, index };
  }

  beforeAll(async () => {
    // A Redis of its own: the test counts keys, and start-ups delete keys of refused sources.
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    redis = new Redis(redisServer.url);
    t = await createTestApp({ REDIS_URL: redisServer.url, RATE_LIMIT_DEFAULT_PER_MINUTE: '100000' });
    db = t.app.get(DataSource);
    [admin, operator, viewer] = await Promise.all(
      (['admin', 'operator', 'viewer'] as const).map(async (role) => (await userWithToken(t, role)).token),
    );
  });
  afterAll(async () => {
    await t?.close();
    redis?.disconnect();
    await redisServer?.stop();
  });

  it('lists, inspects, re-times and purges none of its keys, for no role — admins included (403 SOURCE_NOT_ALLOWED)', async () => {
    const { id, entry, index } = await warmedThenRefused();
    const before = await keysOf(id);
    expect(before).toEqual(expect.arrayContaining([entry, index, CacheKeys.meta(id), CacheKeys.queryStats(id)]));

    for (const token of [viewer, operator, admin]) {
      for (const pattern of [`cache:{ds:${id}}:*`, `idx:{ds:${id}}:*`, `cache:*`, '*']) {
        const page = (
          await t.http.get('/api/admin/redis/keys').query({ pattern, count: 1000 }).set(bearer(token)).expect(200)
        ).body as RedisKeysPage;
        expect(page.keys.filter((key) => key.key.includes(`{ds:${id}}`))).toEqual([]);
      }
      for (const key of [entry, index, CacheKeys.meta(id)]) {
        const refused = await t.http.get('/api/admin/redis/inspect').query({ key }).set(bearer(token)).expect(403);
        expect(refused.body).toMatchObject({
          code: 'SOURCE_NOT_ALLOWED',
          details: { fields: [{ field: 'key' }], datasourceId: id },
        });
        expect(JSON.stringify(refused.body)).not.toContain('scrypt$131072$8$1$c2FsdA$aGFzaA');
      }
      const memory = (
        await t.http.get('/api/admin/redis/memory').query({ sample: 10_000, top: 100 }).set(bearer(token)).expect(200)
      ).body as RedisMemoryAnalysis;
      expect(memory.topKeys.filter((key) => key.key.includes(`{ds:${id}}`))).toEqual([]);
      const stats = (await t.http.get('/api/admin/redis/stats').set(bearer(token)).expect(200))
        .body as RedisStatsResponse;
      expect(stats.analyticsCache.datasources.find((d) => d.datasourceId === id)?.fields).toEqual({});
    }
    for (const token of [operator, admin]) {
      const ttl = await t.http
        .post('/api/admin/redis/ttl')
        .set(bearer(token))
        .send({ key: entry, ttlSeconds: 5 })
        .expect(403);
      expect(ttl.body.code).toBe('SOURCE_NOT_ALLOWED');
      const dry = (
        await t.http
          .post('/api/admin/redis/purge')
          .set(bearer(token))
          .send({ pattern: `cache:{ds:${id}}:*`, dryRun: true })
          .expect(200)
      ).body as RedisPurgeResult;
      expect({ matched: dry.matched, sample: dry.sample }).toEqual({ matched: 0, sample: [] });
    }
    expect(await redis.ttl(entry)).toBe(-1);
    expect(await keysOf(id)).toEqual(before);
  });

  it('deletes its generations and counters when the janitor runs, with the invalidation code (live pointer and counters too)', async () => {
    const { id } = await warmedThenRefused();
    const allowed = await createSourceTable(db, { practices: 1, providers: 1, periods: 1 });
    const kept = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(admin))
        .send({ name: `Kept ${allowed}`, sourceTable: allowed, columnMapping: TEST_MAPPING })
        .expect(201)
    ).body as Datasource;
    await waitForJob(t, admin, (await requestWarm(t, admin, kept.id)).jobId, ['COMPLETED']);
    const keptKeys = await keysOf(kept.id);

    await t.app.get(WarmingService).sweepLeakedGenerations();
    expect(await keysOf(id)).toEqual([]);
    // An allowed datasource's cache is left alone.
    expect(await keysOf(kept.id)).toEqual(keptKeys);
  });

  it('deletes them at start-up, before anything is served', async () => {
    const { id } = await warmedThenRefused();
    expect((await keysOf(id)).length).toBeGreaterThan(3);
    const restarted = await createTestApp({ REDIS_URL: redisServer.url });
    try {
      expect(await keysOf(id)).toEqual([]);
    } finally {
      await restarted.close();
    }
  });
});
