import type {
  AnalyticsQueryResponse,
  CacheStatsResponse,
  Datasource,
  WarmingJob,
  WarmResponse,
} from '@ccc/shared-types';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { decodeStoredEntry } from '../src/analytics-cache/entry-codec.js';
import { createSourceTable, TEST_FREQUENCIES, TEST_MAPPING, TEST_MEASURES } from './support/source-table.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';
import { requestWarm, waitForJob } from './support/warming.js';

const FINAL = ['COMPLETED', 'FAILED', 'CANCELLED'];

describe('analytics cache engine', () => {
  let redisServer: PrivateRedis;
  let redis: Redis;
  let t: TestApp;
  let db: DataSource;
  let token: string;

  beforeAll(async () => {
    // A Redis of its own: these tests count keys and must see only their own.
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    redis = new Redis(redisServer.url);
    // The tests poll job status every 20 ms and warm often: past the per-user limits (tested on their own).
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      CACHE_GC_GRACE_MS: '300',
      WARM_ATTEMPTS: '1',
      WARM_BATCH_ENTRIES: '10',
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
      RATE_LIMIT_WARMING_PER_HOUR: '1000',
    });
    db = t.app.get(DataSource);
    token = (await userWithToken(t, 'operator')).token;
  });
  afterAll(async () => {
    await t?.close();
    redis?.disconnect();
    await redisServer?.stop();
  });

  async function datasource(
    shape: Parameters<typeof createSourceTable>[1],
    extra: Record<string, unknown> = {},
  ): Promise<{ id: number; table: string }> {
    const table = await createSourceTable(db, shape);
    const response = await t.http
      .post('/api/admin/datasources')
      .set(bearer(token))
      .send({
        name: `Test ${table}`,
        sourceTable: table,
        columnMapping: TEST_MAPPING,
        minWarmIntervalSeconds: 3600,
        ...extra,
      })
      .expect(201);
    return { id: (response.body as Datasource).id, table };
  }

  const warm = (datasourceId: number, force = false): Promise<WarmResponse> =>
    requestWarm(t, token, datasourceId, force);
  const waitFor = (jobId: string, statuses: string[], timeoutMs?: number): Promise<WarmingJob> =>
    waitForJob(t, token, jobId, statuses, timeoutMs);

  const query = async (id: number, params: Record<string, string>): Promise<AnalyticsQueryResponse> =>
    (await t.http.get(`/api/analytics/datasources/${id}/query`).query(params).set(bearer(token)).expect(200))
      .body as AnalyticsQueryResponse;

  async function keysOf(datasourceId: number, generation?: number): Promise<string[]> {
    const found: string[] = [];
    for (const pattern of [
      `cache:{ds:${datasourceId}}:g${generation ?? ''}*`,
      `idx:{ds:${datasourceId}}:g${generation ?? ''}*`,
    ]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(
          cursor,
          'MATCH',
          generation === undefined ? pattern : pattern.replace('*', ':*'),
          'COUNT',
          1000,
        );
        cursor = next;
        found.push(...keys);
      } while (cursor !== '0');
    }
    return found;
  }

  it('warms once: a second request is already_warming with the same job, a third right after is skipped', async () => {
    const ds = await datasource({ practices: 3, providers: 3, periods: 5 });
    const first = await warm(ds.id);
    expect(first).toMatchObject({ datasourcesQueued: [ds.id], results: [{ datasourceId: ds.id, status: 'queued' }] });
    const second = await warm(ds.id);
    expect(second.results[0]).toEqual({ datasourceId: ds.id, status: 'already_warming', jobId: first.jobId });
    const done = await waitFor(first.jobId, FINAL);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      rowsProcessed: 4 * 3 * 3 * 4 * 5,
      rowsTotal: 720,
      entriesWritten: 144,
      progress: 100,
    });
    const third = await warm(ds.id);
    expect(third.results[0]).toMatchObject({ status: 'skipped', reason: expect.stringContaining('minimum interval') });

    const stats = (await t.http.get('/api/admin/analytics/cache/stats').set(bearer(token)).expect(200))
      .body as CacheStatsResponse;
    const metrics = stats.datasources.find((d) => d.datasourceId === ds.id)!;
    expect(metrics).toMatchObject({
      isWarm: true,
      totalEntries: 144,
      uniqueMeasures: 4,
      uniquePractices: 3,
      uniqueProviders: 9,
      uniqueFrequencies: [...TEST_FREQUENCIES].sort(),
      health: 'excellent',
    });
    // A measure-frequency set per pair, a set per practice and per provider, and the ranges, registry and directory.
    expect(metrics.indexCount).toBe(16 + 3 + 9 + 3);
    expect(metrics.estimatedMemoryMB).toBeGreaterThan(0);
  });

  it('serves every reader from exactly one generation while a refresh runs: no errors, no misses, no mixes', async () => {
    const ds = await datasource({ practices: 5, providers: 40, periods: 10, value: 1 });
    const initial = await warm(ds.id);
    await waitFor(initial.jobId, ['COMPLETED']);
    const oldGeneration = (await query(ds.id, { measure: 'Charges', frequency: 'Daily', practice: '1' })).generation!;
    await db.query(`UPDATE ${ds.table} SET value = 2`);

    let reads = 0;
    let refreshDone = false;
    const failures: string[] = [];
    const seen = new Set<number>();
    const reader = async (n: number): Promise<void> => {
      const practice = String((n % 5) + 1);
      while (!refreshDone || reads < 5000) {
        const response = await t.http
          .get(`/api/analytics/datasources/${ds.id}/query`)
          .query({ measure: TEST_MEASURES[n % 4], frequency: 'Daily', practice })
          .set(bearer(token));
        reads += 1;
        if (response.status !== 200) {
          failures.push(`status ${response.status}`);
          continue;
        }
        const body = response.body as AnalyticsQueryResponse;
        if (body.source !== 'cache') failures.push(`miss (source ${body.source})`);
        const values = new Set(body.entries.flatMap((entry) => entry.rows.map(([, value]) => value)));
        const expected = body.generation === oldGeneration ? 1 : 2;
        if (body.entries.length !== 40 || values.size !== 1 || !values.has(expected))
          failures.push(`gen ${body.generation}: ${body.entries.length} entries, values ${[...values]}`);
        seen.add(body.generation!);
      }
    };
    const readers = Array.from({ length: 20 }, (_, n) => reader(n));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refresh = await warm(ds.id, true);
    await waitFor(refresh.jobId, ['COMPLETED']);
    refreshDone = true;
    await Promise.all(readers);

    expect(failures.slice(0, 5)).toEqual([]);
    expect(reads).toBeGreaterThanOrEqual(5000);
    expect([...seen].sort()).toEqual([oldGeneration, oldGeneration + 1]);
    // 5,000 reads through supertest: ~20 s on an idle machine, close to a minute on a loaded one.
  }, 120_000);

  it('serves deleted and changed rows correctly after a refresh and deletes the old generation after the grace period', async () => {
    const ds = await datasource({ practices: 2, providers: 2, periods: 3 });
    await waitFor((await warm(ds.id)).jobId, ['COMPLETED']);
    const before = await query(ds.id, { measure: 'Visits' });
    expect(before.entries).toHaveLength(2 * 2 * 4);
    const oldGeneration = before.generation!;

    await db.query(`DELETE FROM ${ds.table} WHERE measure = 'Visits' AND practice_id = 1`);
    await db.query(`UPDATE ${ds.table} SET value = 42.5 WHERE measure = 'Charges' AND frequency = 'Weekly'`);
    await waitFor((await warm(ds.id, true)).jobId, ['COMPLETED']);

    const visits = await query(ds.id, { measure: 'Visits' });
    expect(visits.generation).toBe(oldGeneration + 1);
    expect(visits.entries.map((e) => e.practice)).not.toContain('1');
    expect(visits.entries).toHaveLength(2 * 4);
    expect(await query(ds.id, { measure: 'Visits', practice: '1' })).toMatchObject({ source: 'cache', entries: [] });
    const charges = await query(ds.id, { measure: 'Charges', frequency: 'Weekly' });
    expect(charges.entries.flatMap((e) => e.rows.map(([, v]) => v))).toEqual(Array(4 * 3).fill(42.5));

    const deadline = Date.now() + 10_000;
    while ((await keysOf(ds.id, oldGeneration)).length > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await keysOf(ds.id, oldGeneration)).toEqual([]);
    expect((await keysOf(ds.id, oldGeneration + 1)).length).toBeGreaterThan(0);
  });

  it('answers a selectively invalidated region from the database until the next warm, and the rest from the cache', async () => {
    const ds = await datasource({ practices: 2, providers: 2, periods: 3 });
    await waitFor((await warm(ds.id)).jobId, ['COMPLETED']);
    const invalidated = await t.http
      .post('/api/admin/analytics/cache/invalidate')
      .set(bearer(token))
      .send({ datasourceId: ds.id, measure: 'Charges', frequency: 'Daily' })
      .expect(200);
    expect(invalidated.body.keysDeleted).toBe(2 * 2);

    const dropped = await query(ds.id, { measure: 'Charges', frequency: 'Daily', practice: '1' });
    expect(dropped).toMatchObject({ source: 'database', generation: null });
    expect(dropped.entries).toHaveLength(2);
    expect(dropped.entries[0].rows).toHaveLength(3);
    expect((await query(ds.id, { measure: 'Charges' })).source).toBe('database');
    const sameMeasureOtherFrequency = await query(ds.id, { measure: 'Charges', frequency: 'Weekly' });
    expect(sameMeasureOtherFrequency).toMatchObject({ source: 'cache' });
    expect(sameMeasureOtherFrequency.entries).toHaveLength(4);
    expect((await query(ds.id, { measure: 'Visits', practice: '2' })).source).toBe('cache');

    const stats = (await t.http.get('/api/admin/analytics/cache/stats').set(bearer(token)).expect(200))
      .body as CacheStatsResponse;
    expect(stats.datasources.find((d) => d.datasourceId === ds.id)!.warnings.join(' ')).toMatch(
      /Partially invalidated/,
    );

    await waitFor((await warm(ds.id, true)).jobId, ['COMPLETED']);
    const restored = await query(ds.id, { measure: 'Charges', frequency: 'Daily' });
    expect(restored).toMatchObject({ source: 'cache' });
    expect(restored.entries).toHaveLength(4);
  });

  it('answers from the database on a cold cache and counts the miss', async () => {
    const ds = await datasource({ practices: 2, providers: 2, periods: 3 });
    const cold = await query(ds.id, { measure: 'Payments', frequency: 'Monthly', practice: '2' });
    expect(cold).toMatchObject({ source: 'database', generation: null });
    expect(cold.entries).toHaveLength(2);
    const stats = (await t.http.get('/api/admin/analytics/cache/stats').set(bearer(token)).expect(200))
      .body as CacheStatsResponse;
    expect(stats.datasources.find((d) => d.datasourceId === ds.id)).toMatchObject({
      isWarm: false,
      totalQueries: 1,
      cacheHitRate: 0,
      health: 'cold',
    });
  });

  async function pausedMidWarm(datasourceId: number, force = false): Promise<WarmingJob> {
    const started = await warm(datasourceId, force);
    await waitFor(started.jobId, ['RUNNING']);
    await t.http.post(`/api/admin/analytics/cache/warming/jobs/${started.jobId}/pause`).set(bearer(token)).expect(200);
    const paused = await waitFor(started.jobId, ['PAUSED', ...FINAL]);
    expect(paused.status).toBe('PAUSED');
    expect(paused.rowsProcessed).toBeLessThan(paused.rowsTotal);
    return paused;
  }

  it('leaves the live generation serving and no shadow keys when a warm fails mid-way or is cancelled', async () => {
    const ds = await datasource({ practices: 5, providers: 100, periods: 10, value: 7 });
    await waitFor((await warm(ds.id)).jobId, ['COMPLETED']);
    const live = (await query(ds.id, { measure: 'Charges', practice: '3', provider: '3001', frequency: 'Daily' }))
      .generation!;

    // Failure: the source connection dies while the warm is paused mid-stream.
    const failing = await pausedMidWarm(ds.id, true);
    await db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle' AND query LIKE 'COPY (SELECT%${ds.table.split('.')[1]}%'`,
    );
    await t.http.post(`/api/admin/analytics/cache/warming/jobs/${failing.jobId}/resume`).set(bearer(token)).expect(200);
    const failed = await waitFor(failing.jobId, FINAL);
    expect(failed.status).toBe('FAILED');
    expect(failed.failureReason).toBeTruthy();
    expect(await keysOf(ds.id, failing.generation!)).toEqual([]);
    const afterFailure = await query(ds.id, {
      measure: 'Charges',
      practice: '3',
      provider: '3001',
      frequency: 'Daily',
    });
    expect(afterFailure).toMatchObject({ source: 'cache', generation: live });
    expect(afterFailure.entries[0].rows.every(([, v]) => v === 7)).toBe(true);

    // Cancellation.
    const cancelling = await pausedMidWarm(ds.id, true);
    await t.http
      .post(`/api/admin/analytics/cache/warming/jobs/${cancelling.jobId}/cancel`)
      .set(bearer(token))
      .expect(200);
    expect((await waitFor(cancelling.jobId, FINAL)).status).toBe('CANCELLED');
    expect(await keysOf(ds.id, cancelling.generation!)).toEqual([]);
    expect(
      await query(ds.id, { measure: 'Visits', practice: '1', provider: '1001', frequency: 'Weekly' }),
    ).toMatchObject({ source: 'cache', generation: live });
    await t.http
      .post(`/api/admin/analytics/cache/warming/jobs/${cancelling.jobId}/resume`)
      .set(bearer(token))
      .expect(409)
      .expect(errorCode('CONFLICT'));
  });

  it('invalidating during a running warm cancels it and removes live and shadow keys, reporting what it deleted', async () => {
    const ds = await datasource({ practices: 5, providers: 100, periods: 10 });
    await waitFor((await warm(ds.id)).jobId, ['COMPLETED']);
    const paused = await pausedMidWarm(ds.id, true);
    const keysBefore = await keysOf(ds.id);
    const response = await t.http
      .post('/api/admin/analytics/cache/invalidate')
      .set(bearer(token))
      .send({ datasourceId: ds.id })
      .expect(200);
    const entryKeys = keysBefore.filter((k) => k.startsWith('cache:')).length;
    const indexKeys = keysBefore.filter((k) => k.startsWith('idx:')).length;
    expect(response.body).toMatchObject({ keysDeleted: entryKeys, indexesDeleted: indexKeys });
    expect(response.body.memoryFreedMB).toBeGreaterThan(0);
    expect((await waitFor(paused.jobId, FINAL)).status).toBe('CANCELLED');
    expect(await keysOf(ds.id)).toEqual([]);
    expect(
      await query(ds.id, { measure: 'Charges', practice: '1', provider: '1001', frequency: 'Daily' }),
    ).toMatchObject({ source: 'database' });
  });

  it('refuses broad reads before loading them, serves 2,500 entries at once, and selectively invalidates a 10,000-entry measure', async () => {
    // Two measures × 50 practices × 50 providers × 4 frequencies: 10,000 entries per measure.
    const ds = await datasource({ practices: 50, providers: 50, periods: 1 });
    await db.query(`DELETE FROM ${ds.table} WHERE measure NOT IN ('Charges', 'Payments')`);
    await waitFor((await warm(ds.id)).jobId, ['COMPLETED'], 60_000);
    const get = (params: Record<string, string>) =>
      t.http.get(`/api/analytics/datasources/${ds.id}/query`).query(params).set(bearer(token));

    // Index sets larger than the cap are refused from their sizes alone (no filter, measure only: 10,000 entries).
    for (const params of [{}, { measure: 'Charges' }] as Array<Record<string, string>>) {
      const refused = await get(params).expect(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
      expect(refused.body.message).toMatch(/matches (20000|10000) entries/);
    }
    // Counted exactly: a frequency alone matches the cap (2 measures × 2,500), no more, and is answered.
    expect((await query(ds.id, { frequency: 'Daily' })).entries).toHaveLength(5_000);
    const monthly = await query(ds.id, { measure: 'Charges', frequency: 'Monthly' });
    expect(monthly.source).toBe('cache');
    expect(monthly.entries).toHaveLength(2_500);
    const generation = monthly.generation!;

    const response = await t.http
      .post('/api/admin/analytics/cache/invalidate')
      .set(bearer(token))
      .send({ datasourceId: ds.id, measure: 'Charges' })
      .expect(200);
    // The measure's own sets empty (its 4 m:Charges:freq:*); practice and provider sets keep Payments.
    expect(response.body).toMatchObject({ keysDeleted: 10_000, indexesDeleted: 4 });
    expect(response.body.memoryFreedMB).toBeGreaterThan(0);
    const entryKeys = (await keysOf(ds.id, generation)).filter((key) => key.startsWith('cache:'));
    const measures = (await redis.mget(...entryKeys)).map((value) => decodeStoredEntry(value!)!.coordinates.measure);
    expect(measures.filter((measure) => measure === 'Charges')).toEqual([]);
    expect(measures.filter((measure) => measure === 'Payments')).toHaveLength(10_000);
    // The dropped region is answered by the database (complete), the rest still by the cache.
    const droppedRegion = await query(ds.id, { measure: 'Charges', frequency: 'Monthly' });
    expect(droppedRegion.source).toBe('database');
    expect(droppedRegion.entries).toHaveLength(2_500);
    expect(await query(ds.id, { measure: 'Payments', frequency: 'Monthly' })).toMatchObject({
      source: 'cache',
      entries: expect.any(Array),
    });
    expect((await query(ds.id, { measure: 'Payments', frequency: 'Monthly' })).entries).toHaveLength(2_500);
    const stats = (await t.http.get('/api/admin/analytics/cache/stats').set(bearer(token)).expect(200))
      .body as CacheStatsResponse;
    expect(stats.datasources.find((d) => d.datasourceId === ds.id)).toMatchObject({
      isWarm: true,
      totalEntries: 10_000,
    });
  });

  it('answers a cold query needing more than 100,000 source rows with 400 too broad, never a truncated result', async () => {
    // 4 measures × 10 practices × 10 providers × 4 frequencies × 70 periods = 112,000 rows in 1,600 entries.
    const ds = await datasource({ practices: 10, providers: 10, periods: 70 });
    const refused = await t.http.get(`/api/analytics/datasources/${ds.id}/query`).set(bearer(token)).expect(400);
    expect(refused.body.code).toBe('VALIDATION_FAILED');
    expect(refused.body.message).toMatch(/100000 source rows/);
    const narrow = await query(ds.id, { measure: 'Visits' });
    expect(narrow).toMatchObject({ source: 'database', generation: null });
    expect(narrow.entries).toHaveLength(400);
    expect(narrow.entries.every((entry) => entry.rows.length === 70)).toBe(true);
  });

  it('answers 1,000 random filter combinations exactly as the source database does', async () => {
    const ds = await datasource({ practices: 4, providers: 3, periods: 4 });
    await db.query(`UPDATE ${ds.table} SET value = round((random() * 10000)::numeric, 2)`);
    await db.query(`DELETE FROM ${ds.table} WHERE random() < 0.1`);
    await waitFor((await warm(ds.id, true)).jobId, ['COMPLETED']);
    const pick = <T>(values: T[]): T | undefined =>
      Math.random() < 0.5 ? values[Math.floor(Math.random() * values.length)] : undefined;
    const mismatches: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const filter = Object.fromEntries(
        Object.entries({
          measure: pick(TEST_MEASURES),
          frequency: pick(TEST_FREQUENCIES),
          practice: pick(['1', '2', '3', '4', '9']),
          provider: pick(['1001', '2002', '3003', '4001', '77']),
        }).filter(([, v]) => v !== undefined),
      ) as Record<string, string>;
      const answer = await query(ds.id, filter);
      if (answer.source !== 'cache') mismatches.push(`miss for ${JSON.stringify(filter)}`);
      const conditions = Object.entries(filter).map(
        ([k], n) => `${k === 'practice' ? 'practice_id' : k === 'provider' ? 'provider_id' : k}::text = $${n + 1}`,
      );
      const rows: Array<{
        measure: string;
        practice: string;
        provider: string;
        frequency: string;
        period: string;
        value: string;
      }> = await db.query(
        `SELECT measure, practice_id::text AS practice, provider_id::text AS provider, frequency, period_date::text AS period, value::text AS value FROM ${ds.table} ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}`,
        Object.values(filter),
      );
      const expected = rows
        .map((r) => `${r.measure}|${r.practice}|${r.provider}|${r.frequency}|${r.period}|${Number(r.value)}`)
        .sort();
      const actual = answer.entries
        .flatMap((e) =>
          e.rows.map(([period, value]) => `${e.measure}|${e.practice}|${e.provider}|${e.frequency}|${period}|${value}`),
        )
        .sort();
      if (JSON.stringify(expected) !== JSON.stringify(actual))
        mismatches.push(`${JSON.stringify(filter)}: ${expected.length} vs ${actual.length}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});

describe('the shadow-warming memory guard', () => {
  let redisServer: PrivateRedis;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
      RATE_LIMIT_WARMING_PER_HOUR: '1000',
      WARM_ATTEMPTS: '1',
    });
    token = (await userWithToken(t, 'operator')).token;
  });
  afterAll(async () => {
    await t?.close();
    await redisServer?.stop();
  });

  it('fails a warm whose shadow would pass the configured share of maxmemory, before writing it, and lets a small one through', async () => {
    const redis = new Redis(redisServer.url);
    try {
      const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
      await redis.config('SET', 'maxmemory', String(used + 2 * 1024 * 1024));
      const db = t.app.get(DataSource);
      const register = async (shape: Parameters<typeof createSourceTable>[1]): Promise<number> => {
        const table = await createSourceTable(db, shape);
        const response = await t.http
          .post('/api/admin/datasources')
          .set(bearer(token))
          .send({ name: `Guard ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
          .expect(201);
        return (response.body as Datasource).id;
      };
      const warmAndWait = async (id: number): Promise<WarmingJob> => {
        const { jobId } = (
          await t.http.post('/api/admin/analytics/cache/warm').set(bearer(token)).send({ datasourceId: id }).expect(202)
        ).body as WarmResponse;
        for (let i = 0; i < 400; i++) {
          const job = (
            await t.http.get(`/api/admin/analytics/cache/warming/jobs/${jobId}`).set(bearer(token)).expect(200)
          ).body as WarmingJob;
          if (FINAL.includes(job.status)) return job;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error(`warm ${jobId} did not finish`);
      };

      const big = await register({ practices: 20, providers: 10, periods: 30 }); // 96,000 rows, ~5.8 MB estimated
      const refused = await warmAndWait(big);
      expect(refused.status).toBe('FAILED');
      expect(refused.failureReason).toMatch(/memory guard/i);
      expect(refused.rowsProcessed).toBe(0);
      const [, leftovers] = await redis.scan('0', 'MATCH', `*{ds:${big}}:g*`, 'COUNT', 10_000);
      expect(leftovers).toEqual([]);

      const small = await register({ practices: 1, providers: 1, periods: 2 }); // 32 rows
      expect((await warmAndWait(small)).status).toBe('COMPLETED');
    } finally {
      await redis.config('SET', 'maxmemory', '0');
      redis.disconnect();
    }
  });
});
