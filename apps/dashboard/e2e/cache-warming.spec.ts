import type { CacheStatsResponse, UserSummary, WarmingStatusResponse, WarmResponse } from '@ccc/shared-types';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { apiHeaders as adminHeaders, requireServiceEnv, screenshot, signIn } from './support';

requireServiceEnv();

/** The largest demo datasource, so a warm lasts long enough to be watched. */
const DATASOURCE = 'Revenue Analytics';
const CACHE_API = '/api/admin/analytics/cache';


async function openTab(page: Page, name: 'Analytics Cache' | 'Warming'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
}

/**
 * Starts from a cold datasource with no warm in progress, so the test can watch it turn warm.
 * Uses the API directly: this is set-up, not what the test is about.
 */
async function coldDatasource(request: APIRequestContext, name: string): Promise<number> {
  const headers = await adminHeaders(request);
  await expect
    .poll(
      async () => {
        const status = (await (await request.get(`${CACHE_API}/warming/status`, { headers })).json()) as WarmingStatusResponse;
        return status.activeJobs.filter((job) => job.datasourceName === name).length;
      },
      { message: `a warm of ${name} is still in progress`, timeout: 120_000, intervals: [1_000] },
    )
    .toBe(0);
  const stats = (await (await request.get(`${CACHE_API}/stats`, { headers })).json()) as CacheStatsResponse;
  const metrics = stats.datasources.find((ds) => ds.datasourceName === name);
  if (!metrics) throw new Error(`The demo datasource "${name}" is missing; start the service with SEED_DEMO=true`);
  if (metrics.isWarm || metrics.totalEntries > 0) {
    const response = await request.post(`${CACHE_API}/invalidate`, { headers, data: { datasourceId: metrics.datasourceId } });
    expect(response.status(), await response.text()).toBe(200);
  }
  return metrics.datasourceId;
}

test('warms a datasource, watches it reach 100%, sees it warm on its card, then invalidates it', async ({ page, request }) => {
  test.setTimeout(240_000);
  const id = await coldDatasource(request, DATASOURCE);

  await signIn(page);
  await expect(page).toHaveURL(/\/cache$/);
  const card = page.getByTestId(`ds-card-${id}`);
  await expect(card.getByRole('heading')).toHaveText(`DS #${id}: ${DATASOURCE}`);
  await expect(card.getByTestId(`ds-health-${id}`)).toHaveText(/Cold/);
  await expect(card).toContainText('Never warmed');

  // Warm it from the Warming tab and follow the job.
  await openTab(page, 'Warming');
  await expect(page.getByRole('heading', { level: 1, name: 'Cache Warming Control' })).toBeVisible();
  const warmed = page.waitForResponse((r) => r.url().endsWith(`${CACHE_API}/warm`) && r.request().method() === 'POST');
  await page.getByRole('button', { name: `Warm ${DATASOURCE} now` }).click();
  const warmResponse = await warmed;
  expect(warmResponse.status(), await warmResponse.text()).toBe(202);
  const outcome = ((await warmResponse.json()) as WarmResponse).results.find((r) => r.datasourceId === id);
  expect(outcome?.status).toBe('queued');
  await expect(page.getByTestId(`warm-result-${id}`)).toContainText('Queued');

  const bar = page.getByTestId(`progress-${outcome!.jobId}`);
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAccessibleName(`Warming progress of DS #${id}: ${DATASOURCE}`);
  // Catch it mid-warm if it lasts long enough (at DEMO_SCALE=1 a warm may take about a second).
  const progress = async () => Number((await bar.getAttribute('aria-valuenow')) ?? '0');
  await expect.poll(progress, { timeout: 60_000, intervals: [100] }).toBeGreaterThan(0);
  const firstSeen = await progress();
  const seenMidWarm = firstSeen < 100;
  if (seenMidWarm) {
    await expect(page.getByTestId(`job-rows-${outcome!.jobId}`)).toContainText(/[\d,]+ \/ [\d,]+ rows • /);
    await screenshot(page, 'warming-tab');
  }
  test.info().annotations.push({ type: 'progress first seen', description: `${firstSeen}%` });

  await expect(bar).toHaveAttribute('aria-valuenow', '100', { timeout: 180_000 });
  await expect(page.getByTestId(`job-${outcome!.jobId}`)).toContainText('Completed');
  await expect(page.getByTestId('no-active-jobs')).toBeVisible();
  if (!seenMidWarm) await screenshot(page, 'warming-tab');
  // The finished job is in the history.
  await expect(page.getByTestId('warming-history-table').getByTestId(`job-row-${outcome!.jobId}`)).toContainText('Completed');

  // The card is warm now, with entries and memory.
  await openTab(page, 'Analytics Cache');
  await expect(card.getByTestId(`ds-health-${id}`)).not.toHaveText(/Cold/);
  await expect(card.getByTestId(`ds-last-warmed-${id}`)).toContainText('Last warmed:');
  await expect(card.getByTestId(`ds-size-${id}`)).toContainText(/^[\d,]+ entries • [\d.<]+ MB • \d+ measures • \d+ practices$/);
  await expect(page.getByTestId('summary-warm')).toBeVisible();
  await screenshot(page, 'cache-tab');

  // Its details: live generation and entries per measure and frequency.
  await card.getByRole('link', { name: `Details of ${DATASOURCE}` }).click();
  await expect(page).toHaveURL(new RegExp(`/cache/${id}$`));
  await expect(page.getByRole('heading', { level: 1, name: `DS #${id}: ${DATASOURCE}` })).toBeVisible();
  await expect(page.getByTestId('details-metrics')).toContainText(/Live generation\d+/);
  await expect(page.getByTestId('entries-table').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('details-jobs-table').getByTestId(`job-row-${outcome!.jobId}`)).toContainText('Completed');
  await screenshot(page, 'cache-details');

  // Invalidate it, after confirming, and it is cold again.
  await page.getByRole('link', { name: '← Analytics Cache' }).click();
  await card.getByRole('button', { name: `Invalidate ${DATASOURCE}` }).click();
  const dialog = page.getByRole('dialog', { name: `Invalidate DS #${id}: ${DATASOURCE}?` });
  await expect(dialog.getByTestId('invalidate-summary')).toContainText(/[\d,]+ cache entries/);
  await dialog.getByRole('button', { name: 'Invalidate', exact: true }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByText(new RegExp(`^Invalidated DS #${id}: ${DATASOURCE}: [\\d,]+ keys? and [\\d,]+ index(es)? deleted`))).toBeVisible();
  await expect(card.getByTestId(`ds-health-${id}`)).toHaveText(/Cold/);
  await expect(card).toContainText('Never warmed');
  await expect(card.getByTestId(`ds-size-${id}`)).toHaveText('No cache entries');
});

test('a viewer sees the cache and warming tabs without any write action', async ({ page, request }) => {
  const headers = await adminHeaders(request);
  const email = `e2e-cache-viewer-${Date.now()}@example.com`;
  const password = 'Viewer-Passw0rd!';
  const created = await request.post('/api/admin/users', { headers, data: { email, password, role: 'viewer' } });
  expect(created.status()).toBe(201);
  const viewer = (await created.json()) as UserSummary;

  try {
    await signIn(page, email, password);
    await expect(page.getByRole('heading', { name: 'Analytics Cache V2 Overview' })).toBeVisible();
    await expect(page.getByRole('link', { name: `Details of ${DATASOURCE}` })).toBeVisible();
    await expect(page.getByRole('button', { name: /^(Warm|Refresh|Invalidate)/ })).toHaveCount(0);

    await openTab(page, 'Warming');
    await expect(page.getByTestId('schedule-table')).toContainText(DATASOURCE);
    await expect(page.getByRole('textbox', { name: /Cron schedule/ })).toHaveCount(0);
    await expect(page.getByRole('button', { name: /Warm|Refresh|Save|Clear schedule|Pause|Cancel/ })).toHaveCount(0);
  } finally {
    await request.patch(`/api/admin/users/${viewer.id}`, { headers, data: { isActive: false } });
  }
});
