import type {
  ActiveWarmingJob,
  CacheStatsResponse,
  UserSummary,
  WarmingStatusResponse,
  WarmResponse,
} from '@ccc/shared-types';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { apiHeaders as adminHeaders, requireServiceEnv, screenshot, signIn } from './support';

requireServiceEnv();

/** The largest demo datasource, so a warm lasts long enough to be paused mid-way. */
const DATASOURCE = 'Revenue Analytics';
const CACHE_API = '/api/admin/analytics/cache';

type AuthHeaders = Record<string, string>;

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
        const status = (await (
          await request.get(`${CACHE_API}/warming/status`, { headers })
        ).json()) as WarmingStatusResponse;
        return status.activeJobs.filter((job) => job.datasourceName === name).length;
      },
      { message: `a warm of ${name} is still in progress`, timeout: 120_000, intervals: [1_000] },
    )
    .toBe(0);
  const stats = (await (await request.get(`${CACHE_API}/stats`, { headers })).json()) as CacheStatsResponse;
  const metrics = stats.datasources.find((ds) => ds.datasourceName === name);
  if (!metrics) throw new Error(`The demo datasource "${name}" is missing; start the service with SEED_DEMO=true`);
  if (metrics.isWarm || metrics.totalEntries > 0) {
    const response = await request.post(`${CACHE_API}/invalidate`, {
      headers,
      data: { datasourceId: metrics.datasourceId },
    });
    expect(response.status(), await response.text()).toBe(200);
  }
  return metrics.datasourceId;
}

async function warmingStatus(request: APIRequestContext, headers: AuthHeaders): Promise<WarmingStatusResponse> {
  const response = await request.get(`${CACHE_API}/warming/status`, { headers });
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()) as WarmingStatusResponse;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Fails clearly when the job is no longer active: the warm ended before it could be caught mid-way. */
function endedTooSoon(status: WarmingStatusResponse, jobId: string, what: string): Error {
  const finished = status.recentJobs.find((job) => job.jobId === jobId);
  return new Error(
    `The warm (job ${jobId}) ended (${finished?.status ?? 'no longer active'}) before ${what}, so there is no ` +
      'mid-warm state to screenshot. Make the warm longer: DEMO_SCALE / WARM_BATCH_ENTRIES of the browser stage ' +
      'in scripts/test.mjs.',
  );
}

/**
 * Pauses the job through the API as soon as it runs, and waits until the worker has honoured the pause
 * (status PAUSED: it pauses between two write batches). The worker records its progress at most every
 * 500 ms, so a pause that lands right at the start reports 0%: then it is resumed for a moment and
 * paused again until the paused job reports at least 1% (what the bar shows). Returns the paused job.
 */
async function pauseMidWarm(
  request: APIRequestContext,
  headers: AuthHeaders,
  jobId: string,
): Promise<ActiveWarmingJob> {
  const deadline = Date.now() + 60_000;
  const control = async (action: 'pause' | 'resume'): Promise<boolean> => {
    const response = await request.post(`${CACHE_API}/warming/jobs/${encodeURIComponent(jobId)}/${action}`, {
      headers,
    });
    // 409: not (or no longer) in the state for it, e.g. it has just finished; the next look tells.
    if (response.status() !== 409) expect(response.status(), await response.text()).toBe(200);
    return response.status() === 200;
  };
  let pauseRequested = false;
  let pauses = 0;
  for (;;) {
    const status = await warmingStatus(request, headers);
    const job = status.activeJobs.find((j) => j.jobId === jobId);
    if (!job) {
      throw endedTooSoon(
        status,
        jobId,
        pauses > 0 ? `it was paused with some progress (${pauses} pause(s))` : 'it could be paused',
      );
    }
    if (!pauseRequested && job.status === 'RUNNING') {
      pauseRequested = await control('pause');
      if (pauseRequested) pauses += 1;
    } else if (pauseRequested && job.status === 'PAUSED') {
      if (job.progress >= 1) return job;
      // Paused before the worker recorded 1%: let it run again, and pause it again the moment it runs — a fast warm
      // can finish between two looks at the status, so the pause is asked for without waiting for the next one.
      if (await control('resume')) {
        pauseRequested = false;
        const until = Date.now() + 5_000;
        while (!pauseRequested && Date.now() < until) {
          pauseRequested = await control('pause');
          if (pauseRequested) pauses += 1;
          else if (!(await warmingStatus(request, headers)).activeJobs.some((j) => j.jobId === jobId)) break;
        }
      }
    }
    if (Date.now() > deadline) {
      throw new Error(
        `job ${jobId} was not paused mid-warm within 60 s (${job.status}, ${job.progress}%, ${pauses} pause(s))`,
      );
    }
    await sleep(25);
  }
}

/** If the test failed with the job still active (paused), cancel it so it does not hold a worker. */
async function cancelIfActive(request: APIRequestContext, jobId: string): Promise<void> {
  const headers = await adminHeaders(request);
  const status = await warmingStatus(request, headers);
  if (status.activeJobs.some((job) => job.jobId === jobId)) {
    await request.post(`${CACHE_API}/warming/jobs/${encodeURIComponent(jobId)}/cancel`, { headers });
  }
}

test('warms a datasource, pauses it mid-warm, resumes it to 100%, sees it warm on its card, then invalidates it', async ({
  page,
  request,
}) => {
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
  await page.getByRole('button', { name: `Warm now: ${DATASOURCE}` }).click();
  const warmResponse = await warmed;
  expect(warmResponse.status(), await warmResponse.text()).toBe(202);
  const outcome = ((await warmResponse.json()) as WarmResponse).results.find((r) => r.datasourceId === id);
  expect(outcome?.status).toBe('queued');
  await expect(page.getByTestId(`warm-result-${id}`)).toContainText('Queued');

  const jobId = outcome?.jobId;
  if (!jobId) throw new Error(`the warm response has no job id for DS #${id}: ${JSON.stringify(outcome)}`);
  const jobCard = page.getByTestId(`job-${jobId}`);
  const bar = jobCard.getByTestId(`progress-${jobId}`);
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAccessibleName(`Warming progress of DS #${id}: ${DATASOURCE}`);

  try {
    // Pause it right away through the API, so the screenshots show a warm in progress whatever the speed.
    const headers = await adminHeaders(request);
    const paused = await pauseMidWarm(request, headers, jobId);
    expect(paused.rowsProcessed).toBeGreaterThan(0);
    expect(paused.rowsProcessed).toBeLessThan(paused.rowsTotal);
    test.info().annotations.push({
      type: 'paused mid-warm at',
      description: `${paused.progress}% (${paused.rowsProcessed} / ${paused.rowsTotal} rows)`,
    });

    // The Warming tab shows it paused part-way, with Resume instead of Pause.
    await expect(jobCard).toContainText('Paused');
    await expect(page.getByTestId(`job-rows-${jobId}`)).toContainText(/[\d,]+ \/ [\d,]+ rows • Paused/);
    const pausedAt = Math.floor(paused.progress);
    await expect(bar).toHaveAttribute('aria-valuenow', String(pausedAt));
    expect(pausedAt).toBeGreaterThan(0);
    expect(pausedAt).toBeLessThan(100);
    const resume = jobCard.getByRole('button', { name: `Resume warming of DS #${id}: ${DATASOURCE}` });
    await expect(resume).toBeEnabled();
    await screenshot(page, 'warming-tab');

    // The Analytics Cache tab, mid-warm: the card is still cold and shows the paused warm.
    await openTab(page, 'Analytics Cache');
    await expect(card.getByTestId(`ds-health-${id}`)).toHaveText(/Cold/);
    await expect(card).toContainText('Warming paused');
    await expect(card.getByTestId(`progress-${jobId}`)).toHaveAttribute('aria-valuenow', String(pausedAt));
    await expect(card.getByRole('button', { name: `Warm now: ${DATASOURCE}` })).toBeDisabled();
    await screenshot(page, 'cache-tab');

    // Still where it was paused: nothing was processed while the screenshots were taken.
    const still = (await warmingStatus(request, headers)).activeJobs.find((job) => job.jobId === jobId);
    expect(still?.status).toBe('PAUSED');
    expect(still?.rowsProcessed).toBe(paused.rowsProcessed);

    // Resume it from the Warming tab and watch it finish.
    await openTab(page, 'Warming');
    await resume.click();
    await expect(resume).toHaveCount(0); // Pause again while it runs, no buttons once it has finished
    await expect(bar).toHaveAttribute('aria-valuenow', '100', { timeout: 180_000 });
    await expect(jobCard).toContainText('Completed');
    await expect(page.getByTestId('no-active-jobs')).toBeVisible();
  } catch (error) {
    await cancelIfActive(request, jobId).catch(() => undefined);
    throw error;
  }
  // The finished job is in the history.
  await expect(page.getByTestId('warming-history-table').getByTestId(`job-row-${jobId}`)).toContainText('Completed');

  // The card is warm now, with entries and memory.
  await openTab(page, 'Analytics Cache');
  await expect(card.getByTestId(`ds-health-${id}`)).not.toHaveText(/Cold/);
  await expect(card.getByTestId(`ds-last-warmed-${id}`)).toContainText('Last warmed:');
  await expect(card.getByTestId(`ds-size-${id}`)).toContainText(
    /^[\d,]+ entries • [\d.<]+ MB • \d+ measures • \d+ practices$/,
  );
  await expect(card.getByTestId(`progress-${jobId}`)).toHaveCount(0);
  await expect(page.getByTestId('summary-warm')).toBeVisible();

  // Its details: live generation and entries per measure and frequency.
  await card.getByRole('link', { name: `Details of ${DATASOURCE}` }).click();
  await expect(page).toHaveURL(new RegExp(`/cache/${id}$`));
  await expect(page.getByRole('heading', { level: 1, name: `DS #${id}: ${DATASOURCE}` })).toBeVisible();
  await expect(page.getByTestId('details-metrics')).toContainText(/Live generation\d+/);
  await expect(page.getByTestId('entries-table').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('details-jobs-table').getByTestId(`job-row-${jobId}`)).toContainText('Completed');
  await screenshot(page, 'cache-details');

  // Invalidate it, after confirming, and it is cold again.
  await page.getByRole('link', { name: '← Analytics Cache' }).click();
  await card.getByRole('button', { name: `Invalidate ${DATASOURCE}` }).click();
  const dialog = page.getByRole('dialog', { name: `Invalidate DS #${id}: ${DATASOURCE}?` });
  await expect(dialog.getByTestId('invalidate-summary')).toContainText(/[\d,]+ cache entries/);
  await dialog.getByRole('button', { name: 'Invalidate', exact: true }).click();
  await expect(dialog).toHaveCount(0);
  await expect(
    page.getByText(new RegExp(`^Invalidated DS #${id}: ${DATASOURCE}: [\\d,]+ keys? and [\\d,]+ index(es)? deleted`)),
  ).toBeVisible();
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
    await expect(page.getByRole('heading', { level: 2, name: 'Overview' })).toBeVisible();
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
