import type {
  ActiveWarmingJob,
  CacheHealthResponse,
  CacheStatsResponse,
  Datasource,
  DatasourceCacheMetrics,
  InvalidateResponse,
  RecentWarmingJob,
  WarmingStatusResponse,
  WarmResponse,
} from '@ccc/shared-types';
import { DataSource } from 'typeorm';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { expectShape, keysOf } from './support/shape.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';
import { FINAL_STATUSES, waitForJob } from './support/warming.js';

// Seed 004 "New API Endpoints": field names and shapes are the contract.
const SUMMARY = keysOf<CacheStatsResponse['summary']>()(
  'totalDatasources',
  'warmDatasources',
  'coldDatasources',
  'totalCacheEntries',
  'totalIndexes',
  'totalMemoryMB',
  'overallCacheHitRate',
  'hitRate',
);
const METRICS = keysOf<DatasourceCacheMetrics>()(
  'datasourceId',
  'datasourceName',
  'isWarm',
  'lastWarmed',
  'ageMinutes',
  'totalEntries',
  'indexCount',
  'estimatedMemoryMB',
  'uniqueMeasures',
  'uniquePractices',
  'uniqueProviders',
  'uniqueFrequencies',
  'avgQueryTimeMs',
  'cacheHitRate',
  'totalQueries',
  'health',
  'warnings',
  'hitRate',
);
const WARM = keysOf<WarmResponse>()('jobId', 'datasourcesQueued', 'estimatedDuration', 'results');
const STATUS = keysOf<WarmingStatusResponse>()('activeJobs', 'recentJobs');
const ACTIVE = keysOf<ActiveWarmingJob>()(
  'jobId',
  'datasourceId',
  'datasourceName',
  'startedAt',
  'progress',
  'rowsProcessed',
  'rowsTotal',
  'etaSeconds',
  'status',
);
const RECENT = keysOf<RecentWarmingJob>()(
  'jobId',
  'datasourceId',
  'datasourceName',
  'startedAt',
  'completedAt',
  'duration',
  'entriesCached',
  'success',
  'error',
  'status',
  'refreshKind',
);
const INVALIDATE = keysOf<InvalidateResponse>()('keysDeleted', 'indexesDeleted', 'memoryFreedMB');
const HEALTH = keysOf<CacheHealthResponse>()('overall', 'issues', 'recommendations');
const ISSUE = keysOf<CacheHealthResponse['issues'][number]>()(
  'datasourceId',
  'datasourceName',
  'severity',
  'issue',
  'recommendation',
);

describe("the seed's five analytics-cache endpoints", () => {
  let redisServer: PrivateRedis;
  let t: TestApp;
  let token: string;
  let datasourceId: number;

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    t = await createTestApp({ REDIS_URL: redisServer.url, RATE_LIMIT_DEFAULT_PER_MINUTE: '100000' });
    token = (await userWithToken(t, 'operator')).token;
    const table = await createSourceTable(t.app.get(DataSource), { practices: 40, providers: 10, periods: 20 });
    const created = await t.http
      .post('/api/admin/datasources')
      .set(bearer(token))
      .send({ name: `Contract ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
      .expect(201);
    datasourceId = (created.body as Datasource).id;
  });
  afterAll(async () => {
    await t?.close();
    await redisServer?.stop();
  });

  it('answer with exactly the fields of the shared types (seed 004)', async () => {
    const warm = (
      await t.http.post('/api/admin/analytics/cache/warm').set(bearer(token)).send({ datasourceId }).expect(202)
    ).body as WarmResponse;
    expectShape(warm, WARM);
    expect(warm.datasourcesQueued).toEqual([datasourceId]);
    expect(typeof warm.estimatedDuration).toBe('number');

    // While the warm is queued or running, it is an active job.
    const during = (await t.http.get('/api/admin/analytics/cache/warming/status').set(bearer(token)).expect(200))
      .body as WarmingStatusResponse;
    expectShape(during, STATUS);
    const active = during.activeJobs.find((job) => job.jobId === warm.jobId);
    if (active) expectShape(active, ACTIVE);

    const finished = await waitForJob(t, token, warm.jobId, FINAL_STATUSES);
    expect(finished.status).toBe('COMPLETED');

    const after = (await t.http.get('/api/admin/analytics/cache/warming/status').set(bearer(token)).expect(200))
      .body as WarmingStatusResponse;
    const recent = after.recentJobs.find((job) => job.jobId === warm.jobId)!;
    expectShape(recent, RECENT, ['error']);
    expect(recent).toMatchObject({ success: true, entriesCached: 4 * 40 * 10 * 4, datasourceId });

    const stats = (await t.http.get('/api/admin/analytics/cache/stats').set(bearer(token)).expect(200))
      .body as CacheStatsResponse;
    expectShape(stats, keysOf<CacheStatsResponse>()('summary', 'datasources'));
    expectShape(stats.summary, SUMMARY);
    for (const metrics of stats.datasources) expectShape(metrics, METRICS);
    expect(stats.datasources.find((d) => d.datasourceId === datasourceId)).toMatchObject({
      isWarm: true,
      totalEntries: 6400,
      health: 'excellent',
    });

    const health = (await t.http.get('/api/admin/analytics/cache/health').set(bearer(token)).expect(200))
      .body as CacheHealthResponse;
    expectShape(health, HEALTH);
    expect(['excellent', 'good', 'degraded', 'critical']).toContain(health.overall);
    for (const issue of health.issues) expectShape(issue, ISSUE);

    const invalidated = (
      await t.http.post('/api/admin/analytics/cache/invalidate').set(bearer(token)).send({ datasourceId }).expect(200)
    ).body as InvalidateResponse;
    expectShape(invalidated, INVALIDATE);
    expect(invalidated.keysDeleted).toBe(6400);

    const coldHealth = (await t.http.get('/api/admin/analytics/cache/health').set(bearer(token)).expect(200))
      .body as CacheHealthResponse;
    expect(coldHealth.overall).toBe('critical');
    const issue = coldHealth.issues.find((i) => i.datasourceId === datasourceId)!;
    expectShape(issue, ISSUE);
    expect(issue).toMatchObject({
      severity: 'error',
      issue: expect.stringContaining('cold'),
      recommendation: expect.stringContaining('Warm it now'),
    });
  });

  it('validate their input with the field named, and 404 for unknown datasources', async () => {
    const bad = await t.http
      .post('/api/admin/analytics/cache/warm')
      .set(bearer(token))
      .send({ datasourceId: -3, force: 'yes' })
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));
    expect((bad.body.details.fields as Array<{ field: string }>).map((f) => f.field).sort()).toEqual([
      'datasourceId',
      'force',
    ]);
    await t.http
      .post('/api/admin/analytics/cache/invalidate')
      .set(bearer(token))
      .send({})
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));
    await t.http
      .post('/api/admin/analytics/cache/warm')
      .set(bearer(token))
      .send({ datasourceId: 999_999 })
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
    await t.http
      .post('/api/admin/analytics/cache/invalidate')
      .set(bearer(token))
      .send({ datasourceId: 999_999 })
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
    await t.http
      .get('/api/analytics/datasources/999999/query')
      .set(bearer(token))
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
    await t.http
      .get(`/api/analytics/datasources/${datasourceId}/query`)
      .query({ measure: '' })
      .set(bearer(token))
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));
    await t.http
      .get('/api/admin/analytics/cache/warming/jobs/not-a-uuid')
      .set(bearer(token))
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));
    await t.http
      .get('/api/admin/analytics/cache/warming/jobs/6f1c1f0e-0000-4000-8000-000000000000')
      .set(bearer(token))
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
    await t.http
      .get('/api/admin/analytics/cache/warming/jobs')
      .query({ status: 'DONE' })
      .set(bearer(token))
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));
  });
});
