import type { Paginated, Recommendation, WarmingStatusResponse, WarmResponse } from '@ccc/shared-types';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { cleanupPageData, preparePageData, type PageData } from './page-data';
import { apiHeaders, ok, requireServiceEnv, screenshot, signIn } from './support';

requireServiceEnv();
test.describe.configure({ mode: 'serial' });

/**
 * Keyboard only: every dialog opens from its button with Enter, keeps focus inside while open (Tab and
 * Shift+Tab go round its controls), closes with Escape and with its close button, and gives focus back
 * to the button that opened it; the Redis views are tabs moved through with the arrow keys.
 * (Playwright's focus() only puts focus on the button to start from; everything after is keys.)
 */

const CACHE_API = '/api/admin/analytics/cache';
const MONITORING = '/api/admin/monitoring';
/** Warmed and paused here, for the cancel dialog of a running warm; no other spec warms it. */
const PAUSED_DATASOURCE = 'Operational Metrics';

let data: PageData;
let admin: Record<string, string>;
let page: Page;

const focusInDialog = () => page.evaluate(() => document.activeElement?.closest('[role="dialog"]') !== null);

/** The controls Tab stops at in the dialog, counted as the browser would. */
async function tabStops(dialog: Locator): Promise<number> {
  return dialog
    .locator(
      'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), a[href], [tabindex="0"]',
    )
    .count();
}

/** Presses `key` as many times as the dialog has tab stops: focus must stay inside and come back round. */
async function goRound(dialog: Locator, key: 'Tab' | 'Shift+Tab'): Promise<void> {
  const stops = await tabStops(dialog);
  expect(stops).toBeGreaterThan(1);
  await page.evaluate(() => {
    (window as unknown as { focusStart: Element | null }).focusStart = document.activeElement;
  });
  for (let i = 0; i < stops; i += 1) {
    await page.keyboard.press(key);
    expect(await focusInDialog(), `${key} #${i + 1} left the dialog`).toBe(true);
  }
  expect(
    await page.evaluate(
      () => document.activeElement === (window as unknown as { focusStart: Element | null }).focusStart,
    ),
  ).toBe(true);
}

async function checkDialog(opener: Locator, name: string | RegExp, shot?: string): Promise<void> {
  await expect(opener).toBeEnabled();
  await opener.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name });
  await expect(dialog).toBeVisible();
  await expect.poll(focusInDialog).toBe(true);
  if (shot) await screenshot(page, shot, false);
  await goRound(dialog, 'Tab');
  await goRound(dialog, 'Shift+Tab');

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();

  // Again, closed with its close button, reached with Tab.
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  const close = dialog.getByRole('button', { name: 'Close dialog' });
  const stops = await tabStops(dialog);
  for (let i = 0; i < stops && !(await close.evaluate((element) => element === document.activeElement)); i += 1)
    await page.keyboard.press('Tab');
  await expect(close).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
}

async function go(path: string, ready: string): Promise<void> {
  await page.goto(path);
  await expect(page.getByTestId(ready).first()).toBeVisible();
}

test.beforeAll(async ({ playwright, browser }) => {
  test.setTimeout(300_000);
  const request = await playwright.request.newContext({ baseURL: process.env.BASE_URL });
  try {
    admin = await apiHeaders(request);
    data = await preparePageData(request, admin, 'keys');
    // An approved recommendation (not of the datasource the monitoring spec follows), for the implement dialog.
    const pending = await ok<Paginated<Recommendation>>(
      await request.get(`${MONITORING}/recommendations`, {
        headers: admin,
        params: { status: 'PENDING', pageSize: 100 },
      }),
    );
    const pick = pending.items.find((r) => r.datasourceName !== 'Patient Experience') ?? pending.items[0];
    if (!pick) throw new Error('no pending recommendation to approve: the seeded traffic should have produced some');
    await ok(await request.post(`${MONITORING}/recommendations/${pick.id}/approve`, { headers: admin }));
  } finally {
    await request.dispose();
  }
  const context = await browser.newContext({ baseURL: process.env.BASE_URL, viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  await signIn(page);
});

test.afterAll(async ({ playwright }) => {
  await page?.context().close();
  if (!data) return;
  const request = await playwright.request.newContext({ baseURL: process.env.BASE_URL });
  await cleanupPageData(request, admin, data);
  await request.dispose();
});

test('cache and alert dialogs: invalidate, acknowledge, resolve, delete a threshold', async () => {
  const { datasource } = data;
  await go('/cache', `ds-card-${datasource.id}`);
  await checkDialog(
    page.getByRole('button', { name: `Invalidate ${datasource.name}` }),
    `Invalidate DS #${datasource.id}: ${datasource.name}?`,
    'keyboard-invalidate',
  );
  await go(`/cache/${datasource.id}`, 'entries-table');
  await checkDialog(
    page
      .getByTestId('entries-table')
      .getByRole('button', { name: /^Invalidate / })
      .first(),
    /^Invalidate .+ of DS #/,
  );

  await go('/alerts', 'current-alerts-table');
  const name = `Cache stale on ${datasource.name}`;
  await checkDialog(
    page.getByRole('button', { name: `Acknowledge ${name}` }),
    `Acknowledge alert: Cache stale on DS #${datasource.id}: ${datasource.name}`,
  );
  await checkDialog(
    page.getByRole('button', { name: `Resolve ${name}` }),
    `Resolve alert: Cache stale on DS #${datasource.id}: ${datasource.name}`,
  );

  await go('/thresholds', 'thresholds-table');
  await checkDialog(
    page.getByRole('button', { name: `Delete Cache age (DS #${datasource.id}: ${datasource.name})` }),
    'Delete the Cache age threshold?',
  );
});

test('recommendation and index dialogs: implement, reject, edit and delete a strategy', async () => {
  await go('/recommendations', 'recommendations-list');
  await checkDialog(page.getByRole('button', { name: /^Implement / }).first(), /^Implement: .+\?$/);
  await checkDialog(page.getByRole('button', { name: /^Reject / }).first(), /^Reject: .+\?$/);

  const { indexName } = data.strategy;
  await go('/indexes', `index-row-${indexName}`);
  await checkDialog(page.getByRole('button', { name: `Edit ${indexName}`, exact: true }), `Edit ${indexName}`);
  await checkDialog(
    page.getByRole('button', { name: `Delete ${indexName}`, exact: true }),
    `Delete the strategy ${indexName}?`,
  );
});

test('the Redis views are tabs: arrow keys, Home and End move between them; the purge dialog', async () => {
  await go('/redis', 'redis-stats');
  const tab = (name: string) => page.getByRole('tab', { name });
  await tab('Overview').focus();
  await page.keyboard.press('ArrowRight');
  await expect(tab('Keys')).toBeFocused();
  await expect(tab('Keys')).toHaveAttribute('aria-selected', 'true');
  await expect(page).toHaveURL(/view=keys/);
  await expect(page.getByTestId('keys-table')).toBeVisible();
  await page.keyboard.press('End');
  await expect(tab('Memory')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowRight'); // wraps round
  await expect(tab('Overview')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowLeft');
  await expect(tab('Memory')).toBeFocused();
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await expect(tab('Keys')).toHaveAttribute('aria-selected', 'true');
  // Tab leaves the tab list for the panel's first control.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.closest('[role="tabpanel"]') !== null)).toBe(true);

  await checkDialog(page.getByRole('button', { name: 'Purge keys…' }), 'Purge keys');
});

test('the cancel dialog of a running warm, then the warm is cancelled from it', async ({ playwright }) => {
  test.setTimeout(180_000);
  const request = await playwright.request.newContext({ baseURL: process.env.BASE_URL });
  let jobId: string | undefined;
  try {
    const status = async () =>
      ok<WarmingStatusResponse>(await request.get(`${CACHE_API}/warming/status`, { headers: admin }));
    const datasources = await ok<Array<{ id: number; name: string }>>(
      await request.get('/api/admin/datasources', { headers: admin }),
    );
    const id = datasources.find((ds) => ds.name === PAUSED_DATASOURCE)!.id;
    // Paused as soon as it runs, so the dialog has a warm to cancel whatever the machine's speed; a warm that
    // ends first is started again.
    for (let attempt = 0; attempt < 3 && !jobId; attempt += 1) {
      const warm = await ok<WarmResponse>(
        await request.post(`${CACHE_API}/warm`, { headers: data.operator, data: { datasourceId: id, force: true } }),
        202,
      );
      const candidate = warm.results.find((r) => r.datasourceId === id)?.jobId;
      if (!candidate)
        throw new Error(`the warm of ${PAUSED_DATASOURCE} was not queued: ${JSON.stringify(warm.results)}`);
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const job = (await status()).activeJobs.find((j) => j.jobId === candidate);
        if (!job) break;
        if (job.status === 'PAUSED') {
          jobId = candidate;
          break;
        }
        if (job.status === 'RUNNING')
          await request.post(`${CACHE_API}/warming/jobs/${encodeURIComponent(candidate)}/pause`, { headers: admin });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    if (!jobId) throw new Error(`could not catch a warm of ${PAUSED_DATASOURCE} running to pause it`);

    await go('/warming', `job-${jobId}`);
    const label = `DS #${id}: ${PAUSED_DATASOURCE}`;
    const opener = page.getByRole('button', { name: `Cancel warming of ${label}` });
    await checkDialog(opener, `Cancel warming of ${label}?`, 'keyboard-cancel-warm');

    // Confirmed with the keyboard: Tab from Cancel ("Keep warming") to "Cancel job", Enter.
    await opener.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Cancel warming of ${label}?` });
    await expect(dialog.getByRole('button', { name: 'Keep warming' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(dialog.getByRole('button', { name: 'Cancel job' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(dialog).toBeHidden();
    await expect
      .poll(async () => (await status()).activeJobs.some((j) => j.jobId === jobId), { timeout: 60_000 })
      .toBe(false);
  } finally {
    if (jobId)
      await request
        .post(`${CACHE_API}/warming/jobs/${encodeURIComponent(jobId)}/cancel`, { headers: admin })
        .catch(() => undefined);
    await request.dispose();
  }
});

test('on a phone, the Menu button opens the navigation and Escape folds it back', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await go('/cache', `ds-card-${data.datasource.id}`);
  const menu = page.getByRole('button', { name: 'Menu' });
  await menu.focus();
  await page.keyboard.press('Enter');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Analytics Cache' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(nav.getByRole('link', { name: 'Warming' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(nav).toBeHidden();
  await expect(menu).toBeFocused();
});
