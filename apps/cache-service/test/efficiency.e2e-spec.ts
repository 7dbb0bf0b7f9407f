import type { DatasourceEfficiency, EfficiencyReport, WarmingJob } from '@ccc/shared-types';
import { CacheRepository } from '../src/analytics-cache/cache.repository.js';
import { UsageCounters } from '../src/analytics-cache/usage-counters.js';
import { hourOf, minuteOf } from '../src/analytics-cache/query-counters.js';
import { verdictOf } from '../src/insights/efficiency.js';
import { createDatasource, dayOf, yesterday } from './support/insights.js';
import { expectShape, keysOf } from './support/shape.js';
import { FINAL_STATUSES, requestWarm, waitForJob } from './support/warming.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';

const REPORT_KEYS = keysOf<EfficiencyReport>()('generatedAt', 'periodDays', 'from', 'to', 'datasources');
const DATASOURCE_KEYS = keysOf<DatasourceEfficiency>()(
  'datasourceId',
  'name',
  'hitRateTrend',
  'currentHitRate',
  'memoryBytes',
  'cacheHits',
  'memoryPerHitBytes',
  'warmsInPeriod',
  'avgWarmSeconds',
  'warmingCostSeconds',
  'queriesServed',
  'queriesPerWarmingSecond',
  'verdict',
  'hitRate',
);

describe('cache efficiency report', () => {
  let t: TestApp;
  let admin: { id: string; token: string };
  let viewer: { id: string; token: string };
  const created: number[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    admin = await userWithToken(t, 'admin');
    viewer = await userWithToken(t, 'viewer');
  });
  afterAll(async () => {
    for (const id of created) await t.http.delete(`/api/admin/datasources/${id}`).set(bearer(admin.token));
    await t.close();
  });

  const warmAndWait = async (datasourceId: number): Promise<WarmingJob> =>
    waitForJob(t, admin.token, (await requestWarm(t, admin.token, datasourceId, false)).jobId, FINAL_STATUSES);

  it('relates warming cost, memory and hits of a warmed datasource with traffic', async () => {
    const ds = await createDatasource(t, admin.token);
    created.push(ds.id);
    expect((await warmAndWait(ds.id)).status).toBe('COMPLETED');
    const cache = t.app.get(CacheRepository);
    const usage = t.app.get(UsageCounters);
    // Today (this hour and minute): 90 hits of 100. Yesterday 00:00 (outside the last 24 hours): 50 of 100.
    await usage.addQueryCounters(ds.id, [
      { hour: hourOf(new Date()), minute: minuteOf(new Date()), hits: 90, misses: 10, latencyMicros: 100 * 800 },
      { hour: `${yesterday().replace(/-/g, '')}00`, hits: 50, misses: 50, latencyMicros: 100 * 800 },
    ]);
    const memoryBytes = (await cache.meta(ds.id)).bytes;
    expect(memoryBytes).toBeGreaterThan(0);

    const report = (await t.http.get('/api/admin/monitoring/efficiency?days=7').set(bearer(viewer.token)).expect(200))
      .body as EfficiencyReport;
    expectShape(report, REPORT_KEYS);
    expect(report.periodDays).toBe(7);
    const mine = report.datasources.find((d) => d.datasourceId === ds.id)!;
    expectShape(mine, DATASOURCE_KEYS);
    expect(mine).toMatchObject({
      name: ds.name,
      memoryBytes,
      cacheHits: 140,
      queriesServed: 200,
      memoryPerHitBytes: Math.round((memoryBytes / 140) * 100) / 100,
      warmsInPeriod: 1,
      currentHitRate: 90,
      hitRate: { percent: 90, hits: 90, requests: 100, windowMinutes: 15, window: 'last 15 min' },
    });
    expect(mine.warmingCostSeconds).toBeGreaterThanOrEqual(0);
    expect(mine.avgWarmSeconds).toBe(mine.warmingCostSeconds);
    expect(mine.queriesPerWarmingSecond).toBeGreaterThan(0);
    expect(mine.verdict).toBe(verdictOf(mine));
    expect(mine.hitRateTrend).toHaveLength(7);
    expect(mine.hitRateTrend.at(-1)).toEqual({ date: dayOf(new Date()), hitRate: 90, requests: 100 });
    expect(mine.hitRateTrend.at(-2)).toEqual({ date: yesterday(), hitRate: 50, requests: 100 });
    expect(mine.hitRateTrend[0]).toMatchObject({ hitRate: null, requests: 0 });
  });

  it('calls a datasource nobody queries UNUSED', async () => {
    const ds = await createDatasource(t, admin.token);
    created.push(ds.id);
    const report = (await t.http.get('/api/admin/monitoring/efficiency?days=1').set(bearer(viewer.token)).expect(200))
      .body as EfficiencyReport;
    expect(report.datasources.find((d) => d.datasourceId === ds.id)).toMatchObject({
      verdict: 'UNUSED',
      queriesServed: 0,
      memoryPerHitBytes: null,
      warmsInPeriod: 0,
      avgWarmSeconds: null,
      queriesPerWarmingSecond: null,
      currentHitRate: null,
      hitRateTrend: [{ date: dayOf(new Date()), hitRate: null, requests: 0 }],
    });
  });

  it.each(['0', '91', 'seven', '2.5'])('refuses days=%s with 400 naming the field', async (days) => {
    const response = await t.http
      .get(`/api/admin/monitoring/efficiency?days=${days}`)
      .set(bearer(viewer.token))
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));
    expect(response.body.details.fields[0].field).toBe('days');
  });

  it('defaults to 7 days', async () => {
    const report = (await t.http.get('/api/admin/monitoring/efficiency').set(bearer(viewer.token)).expect(200))
      .body as EfficiencyReport;
    expect(report.periodDays).toBe(7);
    expect(Date.parse(report.to) - Date.parse(report.from)).toBeGreaterThan(6 * 86_400_000);
  });
});
