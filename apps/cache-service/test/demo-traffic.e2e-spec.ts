import type {
  Datasource,
  DemandForecast,
  ForecastBacktest,
  Paginated,
  Recommendation,
  UsagePattern,
} from '@ccc/shared-types';
import { DemoSeedService } from '../src/demo/demo-seed.service.js';
import { DemoTrafficService } from '../src/demo/demo-traffic.service.js';
import { JobRepository } from '../src/warming/job.repository.js';
import { WarmingService } from '../src/warming/warming.service.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { generateRecommendations, yesterday } from './support/insights.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';

/** What `npm start` shows before any real traffic: a week of demo query traffic, rolled up like real traffic. */
describe('demo query-traffic history', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  let admin: { token: string };
  let viewer: { token: string };

  beforeAll(async () => {
    // Its own Redis: the history is written once per Redis.
    redis = new PrivateRedis(await freePort());
    await redis.start();
    t = await createTestApp({ REDIS_URL: redis.url });
    await t.app.get(DemoSeedService).seed(0.02);
    admin = await userWithToken(t, 'admin');
    viewer = await userWithToken(t, 'viewer');
  });
  afterAll(async () => {
    // The demo datasources live in the database every test file shares, and each app syncs every datasource's warm
    // schedule at start-up: the schedule implemented below would warm the pharmacy datasource at 06:30 UTC in other
    // files' apps.
    const pharmacy = await demoDatasource('Pharmacy Utilization').catch(() => undefined);
    if (pharmacy)
      await t.http
        .patch(`/api/admin/datasources/${pharmacy.id}`)
        .set(bearer(admin.token))
        .send({ warmSchedule: null })
        .expect(200);
    await t?.close();
    await redis?.stop();
  });

  async function demoDatasource(name: string): Promise<Datasource | undefined> {
    const datasources = (await t.http.get('/api/admin/datasources').set(bearer(admin.token)).expect(200))
      .body as Datasource[];
    return datasources.find((d) => d.name === name);
  }

  it('is written once, and rolls up into the demo profiles: an afternoon peak, a steady load, a morning peak that gets a warm-before-peak recommendation', async () => {
    expect(await t.app.get(DemoTrafficService).seedHistory()).toBe(4);
    expect(await t.app.get(DemoTrafficService).seedHistory()).toBe(0);

    const day = yesterday();
    const patterns = (
      await t.http
        .post('/api/admin/monitoring/usage-patterns/rollup')
        .set(bearer(admin.token))
        .send({ date: day })
        .expect(200)
    ).body as UsagePattern[];
    const byName = new Map(patterns.map((p) => [p.datasourceName, p]));
    expect(byName.get('Revenue Analytics')).toMatchObject({
      accessPattern: 'PEAKED',
      peakHourStart: 13,
      peakHourEnd: 15,
      analysisDate: day,
    });
    expect(byName.get('Operational Metrics')).toMatchObject({ accessPattern: 'STEADY' });
    expect(byName.get('Pharmacy Utilization')).toMatchObject({
      accessPattern: 'PEAKED',
      peakHourStart: 7,
      peakHourEnd: 9,
    });
    expect(byName.get('Operational Metrics')!.averageHitRate).toBeGreaterThan(90);

    await generateRecommendations(t, admin.token);
    const datasources = (await t.http.get('/api/admin/datasources').set(bearer(admin.token)).expect(200))
      .body as Datasource[];
    const pharmacy = datasources.find((d) => d.name === 'Pharmacy Utilization')!;
    const revenue = datasources.find((d) => d.name === 'Revenue Analytics')!;
    const open = async (datasourceId: number) =>
      (
        (
          await t.http
            .get(
              `/api/admin/monitoring/recommendations?datasourceId=${datasourceId}&recommendationType=PREDICTIVE_WARMING`,
            )
            .set(bearer(admin.token))
            .expect(200)
        ).body as Paginated<Recommendation>
      ).items.filter((r) => r.implementationStatus === 'PENDING');
    const [forPharmacy] = await open(pharmacy.id);
    expect(forPharmacy.recommendedConfiguration).toEqual({ warmSchedule: '30 6 * * *' });
    // Revenue Analytics already warms every 4 hours, at 12:00 among others: no warm-before-peak needed.
    expect(await open(revenue.id)).toEqual([]);
  });

  it('acceptance 3: on the demo history the backtest error of the forecast is lower than that of the rule, and its warm, implemented, changes the schedule and the scheduler', async () => {
    const datasources = (await t.http.get('/api/admin/datasources').set(bearer(admin.token)).expect(200))
      .body as Datasource[];
    const demo = datasources.filter((d) =>
      ['Revenue Analytics', 'Operational Metrics', 'Clinical Data', 'Pharmacy Utilization'].includes(d.name),
    );
    expect(demo).toHaveLength(4);
    for (const ds of demo) {
      // Viewers may read it, like the usage patterns next to it.
      const backtest = (
        await t.http
          .get(`/api/admin/monitoring/usage-patterns/${ds.id}/forecast/backtest?days=7`)
          .set(bearer(viewer.token))
          .expect(200)
      ).body as ForecastBacktest;
      expect(backtest).toMatchObject({ datasourceId: ds.id, errorMeasure: 'WAPE', historyDays: 21 });
      expect(backtest.days).toHaveLength(7);
      expect(backtest.days.every((d) => d.method === 'WEEKLY_SEASONAL')).toBe(true);
      expect(backtest.hours).toHaveLength(7 * 24);
      expect(backtest.days[6].date).toBe(yesterday());
      // The forecast beats "tomorrow looks like yesterday" on the same hours.
      expect({ name: ds.name, beats: backtest.forecast.wape! < backtest.rule.wape! }).toEqual({
        name: ds.name,
        beats: true,
      });
      expect(backtest.forecast.mae).toBeLessThan(backtest.rule.mae);
    }

    const pharmacy = demo.find((d) => d.name === 'Pharmacy Utilization')!;
    const forecast = (
      await t.http
        .get(`/api/admin/monitoring/usage-patterns/${pharmacy.id}/forecast?hours=48`)
        .set(bearer(viewer.token))
        .expect(200)
    ).body as DemandForecast;
    expect(forecast.model.method).toBe('WEEKLY_SEASONAL');
    expect(forecast.points).toHaveLength(48);
    expect(forecast.days.map((d) => [d.accessPattern, d.peakHourStart])).toEqual([
      ['PEAKED', 7],
      ['PEAKED', 7],
    ]);
    expect(forecast.warming).toMatchObject({ warmSchedule: '30 6 * * *', riseHour: 7, leadSeconds: 1800 });

    // The recommendation (filed by the first test) carries the forecast's schedule and reason.
    const [recommendation] = (
      (
        await t.http
          .get(
            `/api/admin/monitoring/recommendations?datasourceId=${pharmacy.id}&recommendationType=PREDICTIVE_WARMING&status=PENDING`,
          )
          .set(bearer(admin.token))
          .expect(200)
      ).body as Paginated<Recommendation>
    ).items;
    expect(recommendation.recommendedConfiguration).toEqual({ warmSchedule: forecast.warming!.warmSchedule });
    expect(recommendation.recommendationDescription).toContain(
      'demand forecast (Holt-Winters, daily and weekly seasonality',
    );
    await t.http
      .post(`/api/admin/monitoring/recommendations/${recommendation.id}/approve`)
      .set(bearer(admin.token))
      .expect(200);
    await t.http
      .post(`/api/admin/monitoring/recommendations/${recommendation.id}/implement`)
      .set(bearer(admin.token))
      .send({})
      .expect(200);
    const after = (await t.http.get(`/api/admin/datasources/${pharmacy.id}`).set(bearer(admin.token)).expect(200))
      .body as Datasource;
    expect(after.warmSchedule).toBe('30 6 * * *');
    const schedule = (await t.app.get(WarmingService).schedules()).find((s) => s.datasourceId === pharmacy.id)!;
    expect(schedule.cron).toBe('30 6 * * *');
    expect(await t.app.get(JobRepository).scheduleIds()).toContain(`warm-schedule-${pharmacy.id}`);
  });

  it('refuses a forecast or backtest with bad input (400 naming the field) and an unknown datasource (404)', async () => {
    const base = '/api/admin/monitoring/usage-patterns';
    for (const [url, field] of [
      [`${base}/1/forecast/backtest?days=0`, 'days'],
      [`${base}/1/forecast/backtest?days=29`, 'days'],
      [`${base}/1/forecast/backtest?days=x`, 'days'],
      [`${base}/1/forecast?hours=169`, 'hours'],
      [`${base}/0/forecast`, 'id'],
    ]) {
      const response = await t.http.get(url).set(bearer(admin.token)).expect(400);
      expect(response.body.details.fields[0].field).toBe(field);
    }
    await t.http.get(`${base}/999999/forecast/backtest`).set(bearer(admin.token)).expect(404);
  });
});
