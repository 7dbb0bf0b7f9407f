import type { CacheStatsResponse, DatasourceCacheDetails, EfficiencyReport, HitRate } from '@ccc/shared-types';
import { UsageCounters } from '../src/analytics-cache/usage-counters.js';
import { hourOf } from '../src/analytics-cache/query-counters.js';
import { createDatasource } from './support/insights.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';
import { FINAL_STATUSES, requestWarm, waitForJob } from './support/warming.js';

/**
 * One hit rate (docs/api.md "Hit rate"): the cache card, the datasource details, the summary and the efficiency
 * report give the same figure over the same named window, and none while the window holds no request.
 */
describe('the hit rate', () => {
  let redisServer: PrivateRedis;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    // A Redis of its own: the summary adds up every datasource's window, and must see only this file's traffic.
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
      RATE_LIMIT_WARMING_PER_HOUR: '1000',
    });
    token = (await userWithToken(t, 'operator')).token;
  });
  afterAll(async () => {
    await t?.close();
    await redisServer?.stop();
  });

  const stats = async (): Promise<CacheStatsResponse> =>
    (await t.http.get('/api/admin/analytics/cache/stats').set(bearer(token)).expect(200)).body as CacheStatsResponse;
  const details = async (id: number): Promise<DatasourceCacheDetails> =>
    (await t.http.get(`/api/admin/analytics/cache/datasources/${id}`).set(bearer(token)).expect(200))
      .body as DatasourceCacheDetails;
  const efficiency = async (): Promise<EfficiencyReport> =>
    (await t.http.get('/api/admin/monitoring/efficiency?days=7').set(bearer(token)).expect(200))
      .body as EfficiencyReport;
  const query = async (id: number): Promise<string> =>
    (
      (
        await t.http
          .get(`/api/analytics/datasources/${id}/query`)
          .query({ measure: 'Charges', frequency: 'Monthly' })
          .set(bearer(token))
          .expect(200)
      ).body as { source: string }
    ).source;

  /** The figure of one datasource on every surface that reports it; they must agree. */
  async function everywhere(id: number): Promise<HitRate> {
    const fromStats = (await stats()).datasources.find((d) => d.datasourceId === id)!;
    const fromDetails = (await details(id)).metrics;
    const fromEfficiency = (await efficiency()).datasources.find((d) => d.datasourceId === id)!;
    expect(fromDetails.hitRate).toEqual(fromStats.hitRate);
    expect(fromEfficiency.hitRate).toEqual(fromStats.hitRate);
    // The seed's numeric field carries the same figure (0 when there is none).
    expect(fromStats.cacheHitRate).toBe(fromStats.hitRate.percent ?? 0);
    expect(fromDetails.cacheHitRate).toBe(fromStats.cacheHitRate);
    return fromStats.hitRate;
  }

  it('is "no traffic" (null) without requests in the window, even with a week of history, and not 0 %', async () => {
    const ds = await createDatasource(t, token);
    // A replayed history (as the demo seeds it) fills the hourly usage, not the live window.
    const hourAgo = new Date(Date.now() - 2 * 3_600_000);
    await t.app
      .get(UsageCounters)
      .addQueryCounters(ds.id, [{ hour: hourOf(hourAgo), hits: 86, misses: 14, latencyMicros: 0 }]);

    expect(await everywhere(ds.id)).toEqual({
      percent: null,
      hits: 0,
      requests: 0,
      windowMinutes: 15,
      window: 'last 15 min',
    });
    const summary = (await stats()).summary;
    expect(summary.hitRate).toEqual({ percent: null, hits: 0, requests: 0, windowMinutes: 15, window: 'last 15 min' });
    expect(summary.overallCacheHitRate).toBe(0);
  });

  it('counts the query API in the window: misses on a cold cache, then hits once warm, the same figure on every surface', async () => {
    const ds = await createDatasource(t, token);
    for (let i = 0; i < 3; i += 1) expect(await query(ds.id)).toBe('database');
    expect(await everywhere(ds.id)).toMatchObject({ percent: 0, hits: 0, requests: 3, window: 'last 15 min' });

    expect((await waitForJob(t, token, (await requestWarm(t, token, ds.id)).jobId, FINAL_STATUSES)).status).toBe(
      'COMPLETED',
    );
    expect(await query(ds.id)).toBe('cache');
    expect(await everywhere(ds.id)).toMatchObject({ percent: 25, hits: 1, requests: 4 });

    // The summary is hits over requests of every datasource together, never an average of percentages.
    const { summary, datasources } = await stats();
    const requests = datasources.reduce((sum, d) => sum + d.hitRate.requests, 0);
    const hits = datasources.reduce((sum, d) => sum + d.hitRate.hits, 0);
    expect(summary.hitRate).toMatchObject({ requests, hits, percent: Math.round((hits / requests) * 10_000) / 100 });
    expect(summary.overallCacheHitRate).toBe(summary.hitRate.percent);
  });

  it('forgets the window of a deleted datasource', async () => {
    const ds = await createDatasource(t, token);
    await query(ds.id);
    await stats();
    expect((await t.app.get(UsageCounters).windowUsage(ds.id)).requests).toBe(1);
    await t.http.delete(`/api/admin/datasources/${ds.id}`).set(bearer(token)).expect(204);
    expect((await t.app.get(UsageCounters).windowUsage(ds.id)).requests).toBe(0);
  });
});
