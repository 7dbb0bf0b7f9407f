import type { AuditEntry, Datasource, HourlyUsage, Paginated, Recommendation, UsagePattern } from '@ccc/shared-types';
import { nextRuns } from '../src/datasources/cron.js';
import { UsagePatternsService } from '../src/insights/usage-patterns.service.js';
import { JobRepository } from '../src/warming/job.repository.js';
import { WarmingService } from '../src/warming/warming.service.js';
import { createDatasource, daysAgo, generateRecommendations, peakedDay, yesterday } from './support/insights.js';
import { expectShape, keysOf } from './support/shape.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';

const PATTERN_KEYS = keysOf<UsagePattern>()(
  'id',
  'cacheStrategyId',
  'datasourceId',
  'datasourceName',
  'resourceType',
  'accessPattern',
  'peakHourStart',
  'peakHourEnd',
  'averageHitRate',
  'peakHitRate',
  'optimalTtlSeconds',
  'dailyRequests',
  'dailyCacheHits',
  'hourlyRequests',
  'hourlyHits',
  'analysisDate',
  'calculatedAt',
);
const HOURLY_KEYS = keysOf<HourlyUsage>()('datasourceId', 'hour', 'requests', 'hits', 'hitRate', 'avgQueryTimeMs');

describe('usage patterns', () => {
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

  it('acceptance 2: a day with a clear peak gives a PEAKED pattern and a "warm before peak" recommendation that, implemented, changes the schedule', async () => {
    const ds = await createDatasource(t, admin.token);
    created.push(ds.id);
    const day = yesterday();
    await peakedDay(t, ds.id, day);

    // Roll the day up through the API (viewers may not).
    await t.http
      .post('/api/admin/monitoring/usage-patterns/rollup')
      .set(bearer(viewer.token))
      .send({ date: day })
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
    const rolled = (
      await t.http
        .post('/api/admin/monitoring/usage-patterns/rollup')
        .set(bearer(admin.token))
        .send({ date: day })
        .expect(200)
    ).body as UsagePattern[];
    const pattern = rolled.find((p) => p.datasourceId === ds.id)!;
    expectShape(pattern, PATTERN_KEYS);
    expect(pattern).toMatchObject({
      datasourceName: ds.name,
      cacheStrategyId: ds.strategyId,
      resourceType: 'ANALYTICS_DATASOURCE',
      accessPattern: 'PEAKED',
      peakHourStart: 14,
      peakHourEnd: 16,
      dailyRequests: 21 * 20 + 3 * 600,
      dailyCacheHits: 21 * 19 + 3 * 300,
      peakHitRate: 50,
      averageHitRate: Math.round(((21 * 19 + 900) / 2220) * 10_000) / 100,
      analysisDate: day,
    });
    expect(pattern.hourlyRequests).toHaveLength(24);
    expect(pattern.hourlyRequests[15]).toBe(600);

    // Rolling up again updates the same row (one pattern per datasource and day).
    const again = (
      await t.http
        .post('/api/admin/monitoring/usage-patterns/rollup')
        .set(bearer(admin.token))
        .send({ date: day })
        .expect(200)
    ).body as UsagePattern[];
    expect(again.find((p) => p.datasourceId === ds.id)!.id).toBe(pattern.id);

    const listed = (
      await t.http
        .get(`/api/admin/monitoring/usage-patterns?datasourceId=${ds.id}&from=${daysAgo(3)}&to=${day}`)
        .set(bearer(viewer.token))
        .expect(200)
    ).body as UsagePattern[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: pattern.id, accessPattern: 'PEAKED', peakHourStart: 14, peakHourEnd: 16 });

    // The rules engine proposes one predictive warm before 14:00, once.
    await generateRecommendations(t, admin.token);
    const list = async (): Promise<Recommendation[]> =>
      (
        (
          await t.http
            .get(`/api/admin/monitoring/recommendations?datasourceId=${ds.id}&recommendationType=PREDICTIVE_WARMING`)
            .set(bearer(viewer.token))
            .expect(200)
        ).body as Paginated<Recommendation>
      ).items;
    const [recommendation, ...others] = await list();
    expect(others).toEqual([]);
    expect(recommendation).toMatchObject({
      datasourceId: ds.id,
      implementationStatus: 'PENDING',
      targetKey: 'warm-schedule',
      currentConfiguration: { warmSchedule: null },
      improvementMetric: 'peak_hit_rate_pct',
      estimatedImprovement: 50,
      createdBy: '00000000-0000-0000-0000-000000000000',
    });
    const cron = recommendation.recommendedConfiguration.warmSchedule as string;
    const fires = nextRuns(cron, 1, new Date(`${day}T12:00:00Z`))![0];
    expect(fires.getTime()).toBeLessThan(Date.parse(`${day}T14:00:00Z`));

    const second = await generateRecommendations(t, admin.token);
    expect(second.alreadyOpen).toBeGreaterThanOrEqual(1);
    expect(await list()).toHaveLength(1);

    // Approve, then implement: the schedule changes, the scheduler exists, the audit log has it.
    await t.http
      .post(`/api/admin/monitoring/recommendations/${recommendation.id}/approve`)
      .set(bearer(viewer.token))
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
    const approved = (
      await t.http
        .post(`/api/admin/monitoring/recommendations/${recommendation.id}/approve`)
        .set(bearer(admin.token))
        .expect(200)
    ).body as Recommendation;
    expect(approved).toMatchObject({
      implementationStatus: 'APPROVED',
      approvedBy: admin.id,
      approvedAt: expect.any(String),
    });

    await t.http
      .post(`/api/admin/monitoring/recommendations/${recommendation.id}/implement`)
      .set(bearer(viewer.token))
      .send({})
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
    const implemented = (
      await t.http
        .post(`/api/admin/monitoring/recommendations/${recommendation.id}/implement`)
        .set(bearer(admin.token))
        .send({ notes: 'before the afternoon peak' })
        .expect(200)
    ).body as Recommendation;
    expect(implemented).toMatchObject({ implementationStatus: 'IMPLEMENTED', implementedAt: expect.any(String) });
    expect(implemented.implementationNotes).toContain('before the afternoon peak');
    expect(implemented.implementationNotes).toContain(cron);

    const datasource = (await t.http.get(`/api/admin/datasources/${ds.id}`).set(bearer(viewer.token)).expect(200))
      .body as Datasource;
    expect(datasource.warmSchedule).toBe(cron);
    const schedule = (await t.app.get(WarmingService).schedules()).find((s) => s.datasourceId === ds.id)!;
    expect(schedule.cron).toBe(cron);
    expect(schedule.nextRuns).toHaveLength(3);
    expect(await t.app.get(JobRepository).scheduleIds()).toContain(`warm-schedule-${ds.id}`);

    const audit = (
      await t.http.get('/api/admin/audit?action=recommendation.implement').set(bearer(admin.token)).expect(200)
    ).body as Paginated<AuditEntry>;
    expect(audit.items.find((entry) => entry.targetId === recommendation.id)).toMatchObject({
      outcome: 'success',
      actorId: admin.id,
      targetType: 'recommendation',
    });

    // Implemented once: a second implement is a conflict, and the next evaluation sees the schedule covers the peak.
    await t.http
      .post(`/api/admin/monitoring/recommendations/${recommendation.id}/implement`)
      .set(bearer(admin.token))
      .send({})
      .expect(409)
      .expect(errorCode('CONFLICT'));
    await generateRecommendations(t, admin.token);
    expect((await list()).map((r) => r.implementationStatus)).toEqual(['IMPLEMENTED']);
  });

  it('serves the hourly counters for charts', async () => {
    const ds = await createDatasource(t, admin.token);
    created.push(ds.id);
    const day = yesterday();
    await peakedDay(t, ds.id, day);
    const hours = (
      await t.http
        .get(`/api/admin/monitoring/usage/hourly?datasourceId=${ds.id}&from=${day}T13:00:00Z&to=${day}T16:30:00Z`)
        .set(bearer(viewer.token))
        .expect(200)
    ).body as HourlyUsage[];
    expect(hours.map((h) => h.hour)).toEqual([13, 14, 15, 16].map((hour) => `${day}T${hour}:00:00.000Z`));
    for (const h of hours) expectShape(h, HOURLY_KEYS);
    expect(hours[0]).toEqual({
      datasourceId: ds.id,
      hour: `${day}T13:00:00.000Z`,
      requests: 20,
      hits: 19,
      hitRate: 95,
      avgQueryTimeMs: 1.5,
    });
    expect(hours[1]).toMatchObject({ requests: 600, hits: 300, hitRate: 50 });

    // All datasources by default, over the last 48 hours; an hour without traffic has no rate.
    const all = (await t.http.get('/api/admin/monitoring/usage/hourly').set(bearer(viewer.token)).expect(200))
      .body as HourlyUsage[];
    const mine = all.filter((h) => h.datasourceId === ds.id);
    expect(mine.length).toBeGreaterThanOrEqual(48);
    expect(mine.find((h) => h.requests === 0)).toMatchObject({ hitRate: null, avgQueryTimeMs: null });
  });

  it('keeps history queryable by date range, newest first', async () => {
    const ds = await createDatasource(t, admin.token);
    created.push(ds.id);
    for (const back of [3, 2]) {
      await peakedDay(t, ds.id, daysAgo(back), { peakHours: [9] });
      await t.http
        .post('/api/admin/monitoring/usage-patterns/rollup')
        .set(bearer(admin.token))
        .send({ date: daysAgo(back) })
        .expect(200);
    }
    const both = (
      await t.http
        .get(`/api/admin/monitoring/usage-patterns?datasourceId=${ds.id}&from=${daysAgo(5)}&to=${daysAgo(1)}`)
        .set(bearer(admin.token))
        .expect(200)
    ).body as UsagePattern[];
    expect(both.map((p) => p.analysisDate)).toEqual([daysAgo(2), daysAgo(3)]);
    expect(both.every((p) => p.peakHourStart === 9 && p.peakHourEnd === 9)).toBe(true);
    const one = (
      await t.http
        .get(`/api/admin/monitoring/usage-patterns?datasourceId=${ds.id}&from=${daysAgo(3)}&to=${daysAgo(3)}`)
        .set(bearer(admin.token))
        .expect(200)
    ).body as UsagePattern[];
    expect(one.map((p) => p.analysisDate)).toEqual([daysAgo(3)]);
    // Default range (the last 30 days) includes them.
    const recent = (
      await t.http
        .get(`/api/admin/monitoring/usage-patterns?datasourceId=${ds.id}`)
        .set(bearer(admin.token))
        .expect(200)
    ).body as UsagePattern[];
    expect(recent).toHaveLength(2);
  });

  it('rolls up today as a partial day, and the periodic rollup completes missing days idempotently', async () => {
    const ds = await createDatasource(t, admin.token);
    created.push(ds.id);
    const today = daysAgo(0);
    const rolled = (
      await t.http
        .post('/api/admin/monitoring/usage-patterns/rollup')
        .set(bearer(admin.token))
        .send({ date: today })
        .expect(200)
    ).body as UsagePattern[];
    expect(rolled.find((p) => p.datasourceId === ds.id)).toMatchObject({
      analysisDate: today,
      accessPattern: 'IDLE',
      dailyRequests: 0,
    });
    // Without a date: yesterday.
    const byDefault = (
      await t.http.post('/api/admin/monitoring/usage-patterns/rollup').set(bearer(admin.token)).send({}).expect(200)
    ).body as UsagePattern[];
    expect(byDefault.every((p) => p.analysisDate === yesterday())).toBe(true);

    // The periodic task: a complete day with traffic and no pattern is rolled up, once.
    const service = t.app.get(UsagePatternsService);
    await peakedDay(t, ds.id, daysAgo(4));
    await service.rollupMissing();
    const patternOf = async (day: string): Promise<UsagePattern | undefined> =>
      (
        (
          await t.http
            .get(`/api/admin/monitoring/usage-patterns?datasourceId=${ds.id}&from=${day}&to=${day}`)
            .set(bearer(admin.token))
            .expect(200)
        ).body as UsagePattern[]
      )[0];
    const first = (await patternOf(daysAgo(4)))!;
    expect(first).toMatchObject({ accessPattern: 'PEAKED', dailyRequests: 2220 });
    await service.rollupMissing();
    expect((await patternOf(daysAgo(4)))!.calculatedAt).toBe(first.calculatedAt);

    // Today's partial pattern is redone once the day is complete (here: as seen from tomorrow).
    await peakedDay(t, ds.id, today);
    await service.rollupMissing(new Date(Date.now() + 86_400_000));
    expect(await patternOf(today)).toMatchObject({ accessPattern: 'PEAKED', dailyRequests: 2220 });
  });

  it.each([
    ['a malformed date', { date: '30/01/2026' }, 'date'],
    ['an impossible date', { date: '2026-02-30' }, 'date'],
    ['a future date', { date: '2999-01-01' }, 'date'],
    ['a date whose counters expired', { date: daysAgo(20) }, 'date'],
    ['an unknown field', { day: '2026-01-01' }, 'day'],
  ])('refuses a rollup with %s (400 naming the field)', async (_label, body, field) => {
    const response = await t.http
      .post('/api/admin/monitoring/usage-patterns/rollup')
      .set(bearer(admin.token))
      .send(body)
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));
    expect((response.body.details.fields as Array<{ field: string }>).map((f) => f.field)).toContain(field);
  });

  it.each([
    ['/api/admin/monitoring/usage-patterns?from=2026-13-01', 'from'],
    ['/api/admin/monitoring/usage-patterns?to=yesterday', 'to'],
    ['/api/admin/monitoring/usage-patterns?from=2026-03-02&to=2026-03-01', 'from'],
    ['/api/admin/monitoring/usage-patterns?from=2024-01-01&to=2025-01-01', 'from'], // 367 days
    ['/api/admin/monitoring/usage-patterns?datasourceId=abc', 'datasourceId'],
    ['/api/admin/monitoring/usage/hourly?from=noon', 'from'],
    ['/api/admin/monitoring/usage/hourly?from=2026-01-10T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
    ['/api/admin/monitoring/usage/hourly?from=2026-01-01T00:00:00Z&to=2026-01-09T00:00:01Z', 'from'], // 8 days + 1 s
    ['/api/admin/monitoring/usage/hourly?from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
    ['/api/admin/monitoring/usage/hourly?datasourceId=0', 'datasourceId'],
  ])('answers 400 naming the field for %s', async (url, field) => {
    const response = await t.http.get(url).set(bearer(viewer.token)).expect(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect((response.body.details.fields as Array<{ field: string }>).map((f) => f.field)).toContain(field);
  });

  it('accepts the documented longest ranges: 366 days of patterns, 8 days of hourly counters', async () => {
    await t.http
      .get('/api/admin/monitoring/usage-patterns?from=2024-01-01&to=2024-12-31')
      .set(bearer(viewer.token))
      .expect(200);
    await t.http
      .get('/api/admin/monitoring/usage-patterns?from=2026-03-01&to=2026-03-01')
      .set(bearer(viewer.token))
      .expect(200);
    const ds = await createDatasource(t, admin.token);
    created.push(ds.id);
    const hours = (
      await t.http
        .get(
          `/api/admin/monitoring/usage/hourly?datasourceId=${ds.id}&from=2026-01-01T00:00:00Z&to=2026-01-09T00:00:00Z`,
        )
        .set(bearer(viewer.token))
        .expect(200)
    ).body as HourlyUsage[];
    expect(hours).toHaveLength(8 * 24);
  });

  it('answers 404 for an unknown datasource', async () => {
    await t.http
      .get('/api/admin/monitoring/usage-patterns?datasourceId=424242')
      .set(bearer(viewer.token))
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
    await t.http
      .get('/api/admin/monitoring/usage/hourly?datasourceId=424242')
      .set(bearer(viewer.token))
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
  });
});
