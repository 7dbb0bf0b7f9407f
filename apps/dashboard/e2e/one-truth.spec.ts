import type {
  AlertEvaluationResult,
  CacheAlert,
  CacheStatsResponse,
  Datasource,
  LoginResponse,
  Paginated,
  UserSummary,
} from '@ccc/shared-types';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { apiHeaders, ok, replaceThreshold, requireServiceEnv, screenshot, signIn } from './support';

/**
 * Issue 12, "one truth on the dashboard": while a critical alert is open, the landing page, the datasource's card
 * and the navigation all say so; and the datasource's hit rate reads the same on every page that shows it.
 */
requireServiceEnv();
test.describe.configure({ mode: 'serial' });

/** Small (a few hundred entries at the test scale); redis.spec warms and purges it later, nothing watches it before. */
const DATASOURCE = 'Pharmacy Utilization';
const CACHE_API = '/api/admin/analytics/cache';
const MONITORING = '/api/admin/monitoring';
type Headers = Record<string, string>;

let admin: Headers;
let datasource: Datasource;
let thresholdId: string;
let alertId: string;
let operatorId: string;

async function login(request: APIRequestContext, email: string, password: string): Promise<Headers> {
  const body = await ok<LoginResponse>(await request.post('/api/auth/login', { data: { email, password } }));
  return { Authorization: `Bearer ${body.accessToken}` };
}

async function querySource(request: APIRequestContext, measure: string): Promise<string> {
  const params = { measure, frequency: 'Monthly' };
  return (
    await ok<{ source: string }>(
      await request.get(`/api/analytics/datasources/${datasource.id}/query`, { headers: admin, params }),
    )
  ).source;
}

/** Open alerts as the service counts them: active and acknowledged. */
async function openAlertCount(request: APIRequestContext): Promise<number> {
  let total = 0;
  for (const status of ['ACTIVE', 'ACKNOWLEDGED']) {
    total += (
      await ok<Paginated<CacheAlert>>(
        await request.get(`${MONITORING}/alerts`, { headers: admin, params: { status, pageSize: 1 } }),
      )
    ).total;
  }
  return total;
}

test.beforeAll(async ({ playwright }) => {
  test.setTimeout(240_000);
  const request = await playwright.request.newContext({ baseURL: process.env.BASE_URL });
  try {
    admin = await apiHeaders(request);
    const datasources = await ok<Datasource[]>(await request.get('/api/admin/datasources', { headers: admin }));
    const found = datasources.find((ds) => ds.name === DATASOURCE);
    if (!found)
      throw new Error(`The demo datasource "${DATASOURCE}" is missing; start the service with SEED_DEMO=true`);
    datasource = found;

    // Warming has a per-user hourly budget: warm as an operator of this spec's own.
    const email = `e2e-one-truth-${Date.now()}@example.com`;
    const password = 'One-Truth-Passw0rd!';
    operatorId = (
      await ok<UserSummary>(
        await request.post('/api/admin/users', { headers: admin, data: { email, password, role: 'operator' } }),
        201,
      )
    ).id;
    const operator = await login(request, email, password);
    const warmedBefore = (
      await ok<CacheStatsResponse>(await request.get(`${CACHE_API}/stats`, { headers: admin }))
    ).datasources.find((m) => m.datasourceId === datasource.id)?.lastWarmed;
    await ok(
      await request.post(`${CACHE_API}/warm`, {
        headers: operator,
        data: { datasourceId: datasource.id, force: true },
      }),
      202,
    );
    await expect
      .poll(
        async () => {
          const m = (
            await ok<CacheStatsResponse>(await request.get(`${CACHE_API}/stats`, { headers: admin }))
          ).datasources.find((d) => d.datasourceId === datasource.id);
          return m?.isWarm === true && m.lastWarmed !== warmedBefore;
        },
        { message: `${DATASOURCE} did not turn warm`, timeout: 120_000 },
      )
      .toBe(true);

    // Traffic in the hit-rate window: three hits, then one miss on a dropped region (answered by the database): 75 %.
    for (let i = 0; i < 3; i += 1) expect(await querySource(request, 'Prescriptions')).toBe('cache');
    await ok(
      await request.post(`${CACHE_API}/invalidate`, {
        headers: operator,
        data: { datasourceId: datasource.id, measure: 'Generic Rate' },
      }),
    );
    expect(await querySource(request, 'Generic Rate')).toBe('database');
    await expect
      .poll(
        async () =>
          (await ok<CacheStatsResponse>(await request.get(`${CACHE_API}/stats`, { headers: admin }))).datasources.find(
            (d) => d.datasourceId === datasource.id,
          )?.hitRate,
        {
          message: 'the queries did not reach the hit-rate window',
        },
      )
      .toMatchObject({ percent: 75, hits: 3, requests: 4 });

    // Critical below 90 %: 75 % is a critical alert.
    thresholdId = (
      await replaceThreshold(request, admin, {
        metricType: 'CACHE_HIT_RATIO',
        datasourceId: datasource.id,
        warningThreshold: 99,
        criticalThreshold: 90,
      })
    ).id;
    await expect
      .poll(
        async () => {
          await ok<AlertEvaluationResult>(await request.post(`${MONITORING}/alerts/evaluate`, { headers: admin }));
          const alerts = await ok<Paginated<CacheAlert>>(
            await request.get(`${MONITORING}/alerts`, {
              headers: admin,
              params: { status: 'ACTIVE', alertType: 'HIT_RATE_LOW', datasourceId: datasource.id },
            }),
          );
          alertId = alerts.items[0]?.id ?? '';
          return alerts.items[0]?.severity;
        },
        { message: 'the evaluator raised no critical hit-rate alert', timeout: 30_000 },
      )
      .toBe('CRITICAL');
  } finally {
    await request.dispose();
  }
});

test.afterAll(async ({ playwright }) => {
  const request = await playwright.request.newContext({ baseURL: process.env.BASE_URL });
  try {
    // Without its threshold the alert resolves at the next evaluation; later specs see the open alerts they make.
    if (thresholdId) await request.delete(`${MONITORING}/thresholds/${thresholdId}`, { headers: admin });
    await request.post(`${MONITORING}/alerts/evaluate`, { headers: admin });
    if (operatorId)
      await request.patch(`/api/admin/users/${operatorId}`, { headers: admin, data: { isActive: false } });
  } finally {
    await request.dispose();
  }
});

async function hitRateOn(page: Page, path: string): Promise<string> {
  await page.goto(path);
  const figure = page.getByTestId(`hit-rate-${datasource.id}`);
  await expect(figure).toBeVisible();
  return (await figure.textContent())!.trim();
}

test('a critical alert shows on the landing page, on its datasource card and in the navigation', async ({
  page,
  request,
}) => {
  await signIn(page);
  await page.goto('/');
  await expect(page).toHaveURL(/\/cache$/);

  // The landing page's verdict: never "Excellent — No issues found" while the alert is open.
  const health = page.getByTestId('cache-health');
  await expect(health.getByTestId('overall-health')).toHaveText('Critical');
  await expect(health.getByTestId('overall-health-reason')).toContainText('Hit rate low (critical)');
  await expect(health.getByRole('list', { name: 'Open alerts' })).toContainText(`DS #${datasource.id}: ${DATASOURCE}`);
  await expect(health).not.toContainText('No issues found');

  // The datasource's card: the alert outranks its computed health, and says why.
  const card = page.getByTestId(`ds-card-${datasource.id}`);
  await expect(card.getByTestId(`ds-health-${datasource.id}`)).toContainText('Critical');
  await expect(card.getByTestId(`ds-health-reason-${datasource.id}`)).toContainText('Hit rate low (critical)');

  // The navigation: a badge whose accessible name carries the count the service reports.
  const alertsLink = page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: /^Alerts \(\d+ open alerts?\)$/ });
  await expect(alertsLink).toBeVisible();
  const count = await openAlertCount(request);
  expect(count).toBeGreaterThanOrEqual(1);
  await expect(alertsLink).toHaveAccessibleName(`Alerts (${count} open alert${count === 1 ? '' : 's'})`);
  await expect(page.getByTestId('nav-open-alerts')).toHaveText(
    `${count}(${count} open alert${count === 1 ? '' : 's'})`,
  );
  await screenshot(page, 'one-truth-landing');

  // On a phone the navigation folds away: the Menu button carries the count.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole('button', { name: `Menu (${count} open alert${count === 1 ? '' : 's'})` })).toBeVisible();
});

test('the datasource’s hit rate reads the same on every page that shows it', async ({ page }) => {
  await signIn(page);
  const onCard = await hitRateOn(page, '/cache');
  const onDetails = await hitRateOn(page, `/cache/${datasource.id}`);
  const onEfficiency = await hitRateOn(page, '/efficiency');
  await page.goto(`/alerts?ds=${datasource.id}`);
  const actual = page.getByTestId(`alert-actual-${alertId}`);
  await expect(actual).toBeVisible();
  const onAlert = (await actual.textContent())!.trim();

  expect({ onCard, onDetails, onEfficiency, onAlert }).toEqual({
    onCard: '75%',
    onDetails: '75%',
    onEfficiency: '75%',
    onAlert: '75%',
  });
  // The alert's own sentence (written by the service) uses the same figure and window.
  await expect(page.getByTestId(`alert-row-${alertId}`)).toContainText(
    `Hit rate of ${DATASOURCE} (last 15 min) is ${onCard} (critical below 90%)`,
  );
  // Each page names the window the figure covers.
  await page.goto(`/cache/${datasource.id}`);
  await expect(page.getByTestId('details-metrics')).toContainText('Hit rate (last 15 min)');
});
