import type { Datasource } from '@ccc/shared-types';
import { expect, test } from '@playwright/test';
import { apiHeaders, ok, requireServiceEnv, screenshot, signIn } from './support';

requireServiceEnv();

/**
 * The cache overview with more datasources than one page holds: 26 extra (never warmed) datasources on a demo table
 * join the demo ones, the page shows 24 cards, and search, health filter and paging (kept in the URL) find the rest.
 */
const EXTRA = 26;
const PREFIX = 'Paging Probe';
const created: number[] = [];
let revenue: Datasource;

test.beforeAll(async ({ request }) => {
  const headers = await apiHeaders(request);
  const existing = await ok<Datasource[]>(await request.get('/api/admin/datasources', { headers }));
  // Left over from an interrupted run against the same database.
  for (const ds of existing.filter((d) => d.name.startsWith(PREFIX)))
    await ok(await request.delete(`/api/admin/datasources/${ds.id}`, { headers }), 204);
  const found = existing.find((d) => d.name === 'Revenue Analytics');
  if (!found)
    throw new Error('The demo datasource "Revenue Analytics" is missing; start the service with SEED_DEMO=true');
  revenue = found;
  for (let i = 1; i <= EXTRA; i++) {
    const name = `${PREFIX} ${String(i).padStart(2, '0')}`;
    const body = { name, sourceTable: revenue.sourceTable, columnMapping: revenue.columnMapping, warmSchedule: null };
    created.push((await ok<Datasource>(await request.post('/api/admin/datasources', { headers, data: body }), 201)).id);
  }
});

test.afterAll(async ({ request }) => {
  const headers = await apiHeaders(request);
  for (const id of created) await ok(await request.delete(`/api/admin/datasources/${id}`, { headers }), 204);
});

test('the cache overview pages its cards and finds a datasource by name, #id and health', async ({ page }) => {
  await signIn(page);
  await page.goto('/cache');
  const cards = page.getByTestId(/^ds-card-\d+$/);
  const pageInfo = page.getByTestId('cache-card-page-info');

  await expect(page.getByTestId('cache-card-count')).toContainText('datasources');
  await expect(cards).toHaveCount(24);
  await expect(pageInfo).toContainText(/^Page 1 of [2-9]/);

  const search = page.getByRole('textbox', { name: 'Search datasources' });
  await search.fill('paging probe 2');
  await expect(cards).toHaveCount(7);
  await expect(page.getByTestId('cache-card-count')).toContainText('7 of');
  await expect(pageInfo).toHaveCount(0);

  await search.fill(PREFIX);
  await page.getByRole('combobox', { name: 'Health' }).selectOption('cold');
  await expect(pageInfo).toHaveText('Page 1 of 2 · 26 datasources');
  await page.getByRole('navigation', { name: 'Datasource card pages' }).getByRole('button', { name: 'Next' }).click();
  await expect(pageInfo).toHaveText('Page 2 of 2 · 26 datasources');
  await expect(cards).toHaveCount(2);
  await expect(page).toHaveURL(/page=2/);
  await screenshot(page, 'cache-overview-paged');

  // The URL holds the view: a reload (or a shared link) opens the same page of the same search.
  await page.reload();
  await expect(pageInfo).toHaveText('Page 2 of 2 · 26 datasources');
  await expect(cards.first()).toContainText(`${PREFIX} 25`);

  await page.getByRole('combobox', { name: 'Health' }).selectOption('');
  await search.fill(`#${revenue.id}`);
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText('Revenue Analytics');

  await search.fill('no datasource has this name');
  await expect(page.getByText('No datasource matches this search.')).toBeVisible();
});
