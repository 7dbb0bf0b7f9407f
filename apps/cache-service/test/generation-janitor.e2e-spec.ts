import type { AnalyticsQueryResponse, Datasource } from '@ccc/shared-types';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { CacheRepository } from '../src/analytics-cache/cache.repository.js';
import { WarmLocks } from '../src/analytics-cache/warm-locks.js';
import { QueryCounters } from '../src/analytics-cache/query-counters.js';
import { CacheKeys } from '../src/redis/redis-keys.js';
import { WarmingService } from '../src/warming/warming.service.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';
import { generationKeys, requestWarm, scanAll, sleep, waitForJob } from './support/warming.js';

/**
 * Generations nobody deletes — a process that died between a swap and scheduling the old generation's
 * deletion, or a warm that crashed and was never retried — are found and removed by the janitor.
 */
describe('generation janitor', () => {
  let redisServer: PrivateRedis;
  let redis: Redis;
  let t: TestApp;
  let token: string;
  let cache: CacheRepository;
  let locks: WarmLocks;

  beforeAll(async () => {
    // A Redis of its own: the test counts keys.
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    redis = new Redis(redisServer.url);
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      CACHE_GC_GRACE_MS: '200',
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
    });
    token = (await userWithToken(t, 'operator')).token;
    cache = t.app.get(CacheRepository);
    locks = t.app.get(WarmLocks);
  });
  afterAll(async () => {
    await t?.close();
    redis?.disconnect();
    await redisServer?.stop();
  });

  const keysOf = (datasourceId: number, generation: number) => generationKeys(redis, datasourceId, generation);

  /** Writes a generation the way a warm does (entries and index sets in MULTIs, then the directory), without making it live. */
  async function writeGeneration(datasourceId: number, measure: string): Promise<number> {
    const { shadow } = await cache.beginWarm(datasourceId);
    const coordinates = { measure, practice: '1', provider: '11', frequency: 'Monthly' };
    await cache.writeBatch(datasourceId, shadow, [{ id: 0, coordinates, value: '[["2026-01-01",1]]' }]);
    await cache.writeDirectory(datasourceId, shadow, new Map([[measure, new Set(['Monthly'])]]));
    return shadow;
  }

  it('deletes leaked generations after the grace period and keeps the live one and the one a running warm writes', async () => {
    const table = await createSourceTable(t.app.get(DataSource), { practices: 2, providers: 2, periods: 2 });
    const ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(token))
        .send({ name: `Janitor ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
        .expect(201)
    ).body as Datasource;
    await waitForJob(t, token, (await requestWarm(t, token, ds.id, false)).jobId, ['COMPLETED']);
    const live = (await cache.meta(ds.id)).generation!;
    const liveKeys = await keysOf(ds.id, live);
    expect(liveKeys.length).toBeGreaterThan(0);

    // A warm that crashed and was never retried: its shadow stays, nobody holds the lock.
    const crashed = await writeGeneration(ds.id, 'Crashed');
    // A warm whose process died right after its swap: the generation it replaced was never scheduled for deletion.
    const swappedOut = await writeGeneration(ds.id, 'Swapped');
    const meta = await cache.meta(ds.id);
    const summary = {
      rows: 1,
      entries: 1,
      indexes: 5,
      bytes: 20,
      measures: 1,
      practices: 1,
      providers: 1,
      frequencies: ['Monthly'],
      measureList: ['Swapped'],
    };
    expect(await locks.claimLock(ds.id, 'died-after-swap', 'died-after-swap#1', 60_000)).toBe(true);
    expect(
      await cache.swap(
        ds.id,
        { live, epoch: String(meta.epoch) },
        swappedOut,
        { ...summary, lastWarmed: new Date().toISOString(), sourceRows: 1, jobId: 'died-after-swap' },
        'died-after-swap#1',
      ),
    ).toBe('ok');
    // It died: its lease lapses.
    await locks.releaseJobLock(ds.id, 'died-after-swap');
    // A warm running now: its shadow is being written under the lock.
    expect(await locks.acquireLock(ds.id, 'running-job', 60_000)).toBe(true);
    const running = await writeGeneration(ds.id, 'Running');

    expect(await cache.storedGenerations(ds.id)).toEqual([live, crashed, swappedOut, running]);
    expect(await t.app.get(WarmingService).sweepLeakedGenerations()).toBe(2);
    // Not before the grace period: a reader that started on the old generation may still be reading it.
    expect(await keysOf(ds.id, live)).toEqual(liveKeys);

    for (let waited = 0; (await cache.storedGenerations(ds.id)).length > 2 && waited < 10_000; waited += 50)
      await sleep(50);
    expect(await cache.storedGenerations(ds.id)).toEqual([swappedOut, running]);
    expect(await keysOf(ds.id, live)).toEqual([]);
    expect(await keysOf(ds.id, crashed)).toEqual([]);
    expect((await keysOf(ds.id, running)).length).toBeGreaterThan(0);
    // Readers are served by the live generation throughout.
    const answer = (
      await t.http
        .get(`/api/analytics/datasources/${ds.id}/query`)
        .query({ measure: 'Swapped' })
        .set(bearer(token))
        .expect(200)
    ).body as AnalyticsQueryResponse;
    expect(answer).toMatchObject({ source: 'cache', generation: swappedOut });

    // Once the running warm is gone (crashed without clean-up), its shadow is garbage too.
    await locks.releaseLock(ds.id, 'running-job');
    expect(await t.app.get(WarmingService).sweepLeakedGenerations()).toBe(1);
    for (let waited = 0; (await cache.storedGenerations(ds.id)).length > 1 && waited < 10_000; waited += 50)
      await sleep(50);
    expect(await cache.storedGenerations(ds.id)).toEqual([swappedOut]);
  });

  it('removes everything a datasource has in Redis when it is deleted, also during a warm', async () => {
    const allKeysOf = (datasourceId: number) => scanAll(redis, [`*{ds:${datasourceId}}*`]);
    const create = async (): Promise<Datasource> => {
      const table = await createSourceTable(t.app.get(DataSource), { practices: 5, providers: 40, periods: 10 });
      return (
        await t.http
          .post('/api/admin/datasources')
          .set(bearer(token))
          .send({
            name: `Deleted ${table}`,
            sourceTable: table,
            columnMapping: TEST_MAPPING,
            minWarmIntervalSeconds: 0,
          })
          .expect(201)
      ).body as Datasource;
    };
    const warmAndWait = async (id: number, until: string[]) =>
      waitForJob(t, token, (await requestWarm(t, token, id)).jobId, until);

    const idle = await create();
    await warmAndWait(idle.id, ['COMPLETED']);
    await t.http
      .get(`/api/analytics/datasources/${idle.id}/query`)
      .query({ measure: 'Charges' })
      .set(bearer(token))
      .expect(200);
    await t.app.get(QueryCounters).flush();
    expect((await allKeysOf(idle.id)).length).toBeGreaterThan(0);
    await t.http.delete(`/api/admin/datasources/${idle.id}`).set(bearer(token)).expect(204);
    // Only the hourly usage counters stay (they expire within 8 days, and feed the last usage patterns).
    expect((await allKeysOf(idle.id)).filter((key) => !key.startsWith('cache:usage:'))).toEqual([]);

    const busy = await create();
    await warmAndWait(busy.id, ['COMPLETED']);
    const { jobId } = await requestWarm(t, token, busy.id);
    await t.http.post(`/api/admin/analytics/cache/warming/jobs/${jobId}/pause`).set(bearer(token));
    await sleep(300);
    await t.http.delete(`/api/admin/datasources/${busy.id}`).set(bearer(token)).expect(204);
    // The warm stops and deletes its own shadow; at most the meta hash (with the bumped epoch) stays.
    for (
      let waited = 0;
      (await allKeysOf(busy.id)).some((key) => key !== CacheKeys.meta(busy.id)) && waited < 10_000;
      waited += 50
    )
      await sleep(50);
    expect((await allKeysOf(busy.id)).filter((key) => key !== CacheKeys.meta(busy.id))).toEqual([]);
  });

  it('after an upgrade, serves nothing of a generation a previous version made live (layout 1): deletes it and warms again', async () => {
    const table = await createSourceTable(t.app.get(DataSource), { practices: 2, providers: 2, periods: 2 });
    const ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(token))
        .send({ name: `Upgraded ${table}`, sourceTable: table, columnMapping: TEST_MAPPING, minWarmIntervalSeconds: 0 })
        .expect(201)
    ).body as Datasource;
    // What the previous version left live: entries named by their coordinates, a master set and four index sets of
    // those names, and its live pointer — with a value the source does not hold.
    const { shadow: legacy } = await cache.beginWarm(ds.id);
    const coordinates = { measure: 'Charges', practice: '1', provider: '1001', frequency: 'Monthly' };
    const suffix = CacheKeys.legacy.entrySuffix(coordinates);
    const indexPrefix = CacheKeys.indexPrefix(ds.id, legacy);
    const write = redis.multi().set(CacheKeys.entryPrefix(ds.id, legacy) + suffix, '[["2026-01-01",-999]]');
    for (const set of CacheKeys.legacy.indexSuffixesOf(coordinates)) write.sadd(indexPrefix + set, suffix);
    write.hset(CacheKeys.meta(ds.id), {
      [CacheKeys.legacyLiveField]: String(legacy),
      lastWarmed: new Date().toISOString(),
      rows: '1',
      entries: '1',
    });
    await write.hdel(CacheKeys.meta(ds.id), 'shadowGen').exec();
    expect(await cache.storedGenerations(ds.id)).toEqual([legacy]);

    // Readers never see it: the cache is cold, the source answers.
    const ask = async (): Promise<AnalyticsQueryResponse> =>
      (await t.http.get(`/api/analytics/datasources/${ds.id}/query`).query(coordinates).set(bearer(token)).expect(200))
        .body as AnalyticsQueryResponse;
    const fromSource = await ask();
    expect(fromSource).toMatchObject({ source: 'database', generation: null });
    expect(JSON.stringify(fromSource)).not.toContain('-999');
    expect(await cache.meta(ds.id)).toMatchObject({ generation: null, legacyGeneration: legacy, entries: 0 });

    // The janitor deletes it (after the grace period) and warms the datasource again in the current layout.
    await t.app.get(WarmingService).sweepLeakedGenerations();
    for (
      let waited = 0;
      ((await cache.meta(ds.id)).generation === null || (await cache.storedGenerations(ds.id)).includes(legacy)) &&
      waited < 20_000;
      waited += 100
    )
      await sleep(100);
    const meta = await cache.meta(ds.id);
    expect(meta).toMatchObject({ legacyGeneration: null, entries: 4 * 2 * 2 * 4 });
    expect(await keysOf(ds.id, legacy)).toEqual([]);
    expect(await ask()).toEqual({ ...fromSource, source: 'cache', generation: meta.generation });
  });
});
