import type {
  CacheAlert,
  CacheStatsResponse,
  Datasource,
  IndexStrategy,
  LoginResponse,
  Paginated,
  UserSummary,
} from '@ccc/shared-types';
import { expect, type APIRequestContext } from '@playwright/test';
import { ok, replaceThreshold } from './support';

/**
 * Something on every page: a warm datasource (entries, jobs, keys, slow warming queries), an open
 * alert, recommendations, usage patterns, index statistics and an index strategy. Set up through the
 * API for the specs that walk every page; each call uses its own operator (warming has a per-user
 * hourly budget) and undoes what would change other specs' pages.
 */

/** Small (480 entries at the test scale), and no other spec warms or watches it. */
export const PAGE_DATASOURCE = 'Clinical Data';
const CACHE_API = '/api/admin/analytics/cache';
const MONITORING = '/api/admin/monitoring';

type Headers = Record<string, string>;

export interface PageData {
  datasource: Datasource;
  alertId: string;
  strategy: IndexStrategy;
  thresholdIds: string[];
  operatorId: string;
  /** The operator's credential, for more warming. */
  operator: Headers;
}

async function login(request: APIRequestContext, email: string, password: string): Promise<Headers> {
  const body = await ok<LoginResponse>(await request.post('/api/auth/login', { data: { email, password } }));
  return { Authorization: `Bearer ${body.accessToken}` };
}

export async function preparePageData(request: APIRequestContext, admin: Headers, label: string): Promise<PageData> {
  const datasources = await ok<Datasource[]>(await request.get('/api/admin/datasources', { headers: admin }));
  const datasource = datasources.find((ds) => ds.name === PAGE_DATASOURCE);
  if (!datasource)
    throw new Error(`The demo datasource "${PAGE_DATASOURCE}" is missing; start the service with SEED_DEMO=true`);
  const id = datasource.id;

  const email = `e2e-${label}-${Date.now()}@example.com`;
  const password = 'Pages-Operator-Passw0rd!';
  const operatorUser = await ok<UserSummary>(
    await request.post('/api/admin/users', { headers: admin, data: { email, password, role: 'operator' } }),
    201,
  );
  const operator = await login(request, email, password);

  // Every query of its table is slow, so the warm below leaves slow queries (with plans) on the Performance page.
  const slow = await replaceThreshold(request, admin, {
    metricType: 'QUERY_TIME',
    datasourceId: id,
    tableName: datasource.sourceTable,
    warningThreshold: 0.001,
    criticalThreshold: 600_000,
  });
  const warmedBefore = (
    await ok<CacheStatsResponse>(await request.get(`${CACHE_API}/stats`, { headers: admin }))
  ).datasources.find((m) => m.datasourceId === id)?.lastWarmed;
  await ok(
    await request.post(`${CACHE_API}/warm`, { headers: operator, data: { datasourceId: id, force: true } }),
    202,
  );
  await expect
    .poll(
      async () => {
        const metrics = (
          await ok<CacheStatsResponse>(await request.get(`${CACHE_API}/stats`, { headers: admin }))
        ).datasources.find((m) => m.datasourceId === id);
        return metrics?.isWarm === true && metrics.lastWarmed !== warmedBefore;
      },
      { message: `${PAGE_DATASOURCE} did not turn warm`, timeout: 120_000 },
    )
    .toBe(true);

  // Any age is too old: an open CACHE_STALE alert on the Alerts page.
  const stale = await replaceThreshold(request, admin, {
    metricType: 'CACHE_AGE',
    datasourceId: id,
    warningThreshold: 0.0001,
    criticalThreshold: 0.0002,
  });
  let alertId: string | undefined;
  await expect
    .poll(
      async () => {
        await ok(await request.post(`${MONITORING}/alerts/evaluate`, { headers: admin }));
        const alerts = await ok<Paginated<CacheAlert>>(
          await request.get(`${MONITORING}/alerts`, {
            headers: admin,
            params: { status: 'ACTIVE', alertType: 'CACHE_STALE', datasourceId: id },
          }),
        );
        alertId = alerts.items[0]?.id;
        return alertId !== undefined;
      },
      { message: 'the evaluator raised no cache-age alert', timeout: 30_000 },
    )
    .toBe(true);

  // Recommendations and usage patterns from the seeded week of traffic; index statistics of the demo tables.
  await ok(await request.post(`${MONITORING}/recommendations/generate`, { headers: admin }));
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await ok(await request.post(`${MONITORING}/usage-patterns/rollup`, { headers: admin, data: { date: yesterday } }));
  await ok(await request.post(`${MONITORING}/indexes/collect`, { headers: admin }));
  const strategy = await ok<IndexStrategy>(
    await request.post(`${MONITORING}/indexes`, {
      headers: admin,
      data: {
        tableName: datasource.sourceTable,
        indexName: `idx_e2e_${label}_${Date.now().toString(36)}`,
        indexType: 'BTREE',
        columns: [datasource.columnMapping.provider],
        usagePattern: 'LOOKUP',
        // Never applied, so never built.
        maintenanceWindow: 'OFF_PEAK',
      },
    }),
    201,
  );

  return {
    datasource,
    alertId: alertId!,
    strategy,
    thresholdIds: [slow.id, stale.id],
    operatorId: operatorUser.id,
    operator,
  };
}

/** Deletes the thresholds (their alert resolves) and the index strategy, retires the operator. */
export async function cleanupPageData(request: APIRequestContext, admin: Headers, data: PageData): Promise<void> {
  await request.delete(`${MONITORING}/indexes/${data.strategy.id}`, { headers: admin });
  for (const id of data.thresholdIds) await request.delete(`${MONITORING}/thresholds/${id}`, { headers: admin });
  await request.patch(`/api/admin/users/${data.operatorId}`, { headers: admin, data: { isActive: false } });
}
