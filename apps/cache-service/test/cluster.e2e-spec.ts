import type {
  AlertEvaluationResult,
  AnalyticsQueryResponse,
  CacheAlert,
  CacheStatsResponse,
  Datasource,
  EfficiencyReport,
  Paginated,
  RecommendationGenerationResult,
  UsagePattern,
  WarmingJob,
  WarmResponse,
} from '@ccc/shared-types';
import { DataSource } from 'typeorm';
import { CacheRepository } from '../src/analytics-cache/cache.repository.js';
import { QueryCounters } from '../src/analytics-cache/query-counters.js';
import { WarmingService } from '../src/warming/warming.service.js';
import { PrivateRedisCluster } from './support/redis-cluster.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';
import { FINAL_STATUSES, waitForJob } from './support/warming.js';

/** The whole service on a 3-master Redis Cluster (DESIGN.md §8): queue, warming, queries, invalidation, rate limits, monitoring. */
describe('the service on a Redis Cluster', () => {
  const redisCluster = new PrivateRedisCluster();
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    await redisCluster.start();
    t = await createTestApp({
      REDIS_URL: `redis://127.0.0.1:${redisCluster.ports[0]}`,
      REDIS_CLUSTER_NODES: redisCluster.nodeList,
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
    });
    token = (await userWithToken(t, 'operator')).token;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    redisCluster.stop();
  });

  const waitFor = (jobId: string): Promise<WarmingJob> => waitForJob(t, token, jobId, FINAL_STATUSES);

  it('warms, refreshes, answers queries and invalidates, with every datasource key in one slot', async () => {
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body.checks.redis.status).toBe('up');
    const db = t.app.get(DataSource);
    const ids: number[] = [];
    for (let n = 0; n < 3; n++) {
      const table = await createSourceTable(db, { practices: 3, providers: 3, periods: 4 });
      const created = await t.http
        .post('/api/admin/datasources')
        .set(bearer(token))
        .send({ name: `Cluster ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
        .expect(201);
      ids.push((created.body as Datasource).id);
    }
    // Several datasources land on different nodes; each one's keys share its {ds:N} slot.
    for (const id of ids) {
      const warm = (
        await t.http.post('/api/admin/analytics/cache/warm').set(bearer(token)).send({ datasourceId: id }).expect(202)
      ).body as WarmResponse;
      expect(await waitFor(warm.jobId)).toMatchObject({ status: 'COMPLETED', entriesWritten: 4 * 3 * 3 * 4 });
    }
    const first = (
      await t.http
        .get(`/api/analytics/datasources/${ids[0]}/query`)
        .query({ measure: 'Charges', practice: '2' })
        .set(bearer(token))
        .expect(200)
    ).body as AnalyticsQueryResponse;
    expect(first).toMatchObject({ source: 'cache', generation: 1 });
    expect(first.entries).toHaveLength(3 * 4);

    const refresh = (
      await t.http
        .post('/api/admin/analytics/cache/warm')
        .set(bearer(token))
        .send({ datasourceId: ids[0], force: true })
        .expect(202)
    ).body as WarmResponse;
    expect((await waitFor(refresh.jobId)).status).toBe('COMPLETED');
    expect(
      (
        (
          await t.http
            .get(`/api/analytics/datasources/${ids[0]}/query`)
            .query({ measure: 'Charges' })
            .set(bearer(token))
            .expect(200)
        ).body as AnalyticsQueryResponse
      ).generation,
    ).toBe(2);

    const stats = (await t.http.get('/api/admin/analytics/cache/stats').set(bearer(token)).expect(200))
      .body as CacheStatsResponse;
    expect(stats.summary.warmDatasources).toBeGreaterThanOrEqual(3);

    const invalidated = await t.http
      .post('/api/admin/analytics/cache/invalidate')
      .set(bearer(token))
      .send({ datasourceId: ids[1] })
      .expect(200);
    expect(invalidated.body.keysDeleted).toBe(144);
    expect(
      (
        (
          await t.http
            .get(`/api/analytics/datasources/${ids[1]}/query`)
            .query({ measure: 'Visits' })
            .set(bearer(token))
            .expect(200)
        ).body as AnalyticsQueryResponse
      ).source,
    ).toBe('database');
  }, 60_000);

  it('runs the monitoring work on the cluster: alerts from per-node memory, usage roll-up, recommendations, efficiency, janitor, metrics', async () => {
    const table = await createSourceTable(t.app.get(DataSource), { practices: 3, providers: 3, periods: 4 });
    const ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(token))
        .send({ name: `Cluster monitoring ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
        .expect(201)
    ).body as Datasource;
    const warm = (
      await t.http.post('/api/admin/analytics/cache/warm').set(bearer(token)).send({ datasourceId: ds.id }).expect(202)
    ).body as WarmResponse;
    expect((await waitFor(warm.jobId)).status).toBe('COMPLETED');
    for (let i = 0; i < 5; i++)
      await t.http
        .get(`/api/analytics/datasources/${ds.id}/query`)
        .query({ measure: 'Charges', practice: '1' })
        .set(bearer(token))
        .expect(200);
    await t.app.get(QueryCounters).flush();

    // Memory share is measured against the masters' memory: any cached datasource breaches a tiny threshold.
    await t.http
      .post('/api/admin/monitoring/thresholds')
      .set(bearer(token))
      .send({
        metricType: 'CACHE_MEMORY_SHARE',
        datasourceId: ds.id,
        warningThreshold: 0.0001,
        criticalThreshold: 0.0002,
      })
      .expect(201);
    let evaluation: AlertEvaluationResult;
    do
      evaluation = (await t.http.post('/api/admin/monitoring/alerts/evaluate').set(bearer(token)).expect(200))
        .body as AlertEvaluationResult;
    while (!evaluation.ran);
    const alerts = (
      await t.http.get('/api/admin/monitoring/alerts').query({ datasourceId: ds.id }).set(bearer(token)).expect(200)
    ).body as Paginated<CacheAlert>;
    expect(alerts.items).toEqual([
      expect.objectContaining({ alertType: 'MEMORY_USAGE_HIGH', severity: 'CRITICAL', alertStatus: 'ACTIVE' }),
    ]);

    const today = new Date().toISOString().slice(0, 10);
    const patterns = (
      await t.http
        .post('/api/admin/monitoring/usage-patterns/rollup')
        .set(bearer(token))
        .send({ date: today })
        .expect(200)
    ).body as UsagePattern[];
    expect(patterns.find((p) => p.datasourceId === ds.id)).toMatchObject({ dailyRequests: 5, dailyCacheHits: 5 });
    let generation: RecommendationGenerationResult;
    do
      generation = (await t.http.post('/api/admin/monitoring/recommendations/generate').set(bearer(token)).expect(200))
        .body as RecommendationGenerationResult;
    while (!generation.ran);
    const report = (await t.http.get('/api/admin/monitoring/efficiency').set(bearer(token)).expect(200))
      .body as EfficiencyReport;
    expect(report.datasources.find((d) => d.datasourceId === ds.id)).toMatchObject({
      warmsInPeriod: 1,
      queriesServed: 5,
      cacheHits: 5,
    });
    expect((report.datasources.find((d) => d.datasourceId === ds.id)?.memoryBytes ?? 0) > 0).toBe(true);

    // The janitor reads each datasource's generations within its slot: here only the live one.
    expect(await t.app.get(CacheRepository).storedGenerations(ds.id)).toEqual([1]);
    await t.app.get(WarmingService).sweepLeakedGenerations();
    expect(await t.app.get(CacheRepository).storedGenerations(ds.id)).toEqual([1]);
    expect((await t.http.get('/metrics').expect(200)).text).toMatch(
      /ccc_alerts_open_by_type\{alert_type="MEMORY_USAGE_HIGH",severity="CRITICAL",status="ACTIVE"\} [1-9]/,
    );
  }, 60_000);
});
