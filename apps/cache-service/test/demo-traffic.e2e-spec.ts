import type { Datasource, Paginated, Recommendation, UsagePattern } from '@ccc/shared-types';
import { DemoSeedService } from '../src/demo/demo-seed.service.js';
import { DemoTrafficService } from '../src/demo/demo-traffic.service.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { generateRecommendations, yesterday } from './support/insights.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';

/** What `npm start` shows before any real traffic: a week of demo query traffic, rolled up like real traffic. */
describe('demo query-traffic history', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  let admin: { token: string };

  beforeAll(async () => {
    // Its own Redis: the history is written once per Redis.
    redis = new PrivateRedis(await freePort());
    await redis.start();
    t = await createTestApp({ REDIS_URL: redis.url });
    await t.app.get(DemoSeedService).seed(0.02);
    admin = await userWithToken(t, 'admin');
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

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
});
