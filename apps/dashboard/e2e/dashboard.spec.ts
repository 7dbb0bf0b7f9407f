import type { UserSummary } from '@ccc/shared-types';
import { expect, test, type Page } from '@playwright/test';
import { adminEmail, adminPassword, apiToken as adminToken, requireServiceEnv, screenshot, signIn } from './support';

requireServiceEnv();

async function openDatasource(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasources' }).click();
  await page.getByTestId('datasources-table').getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

test('an unauthenticated visit goes to sign-in, which shows the server error for a wrong password', async ({
  page,
}) => {
  await page.goto('/datasources');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Cache Command Center' })).toBeVisible();
  await screenshot(page, 'sign-in');

  await page.getByLabel('Email').fill(adminEmail);
  await page.getByLabel('Password').fill(`${adminPassword}-wrong`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByRole('alert')).not.toBeEmpty();
  await expect(page).toHaveURL(/\/login$/);
});

test('signs in to the analytics cache tab and lists the demo datasources', async ({ page }) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/cache$/);
  await expect(page.getByTestId('current-user')).toContainText('admin');

  await page.getByRole('link', { name: 'Datasources' }).click();
  const table = page.getByTestId('datasources-table');
  for (const name of ['Revenue Analytics', 'Operational Metrics', 'Clinical Data']) {
    await expect(table.getByRole('link', { name, exact: true })).toBeVisible();
  }
  await expect(page.getByRole('link', { name: 'New datasource' })).toBeVisible();
  await screenshot(page, 'datasources-list');
});

test('edits a datasource and the change is still there after a reload', async ({ page }) => {
  await signIn(page);
  await openDatasource(page, 'Operational Metrics');

  const description = page.getByLabel('Description');
  const interval = page.getByLabel('Minimum warm interval (seconds)');
  const originalDescription = await description.inputValue();
  const originalInterval = await interval.inputValue();
  const newDescription = `Edited by the browser test at ${new Date().toISOString()}`;
  const newInterval = originalInterval === '420' ? '480' : '420';

  await description.fill(newDescription);
  await interval.fill(newInterval);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByTestId('save-status')).toHaveText('Saved.');

  await page.reload();
  await expect(page.getByLabel('Description')).toHaveValue(newDescription);
  await expect(page.getByLabel('Minimum warm interval (seconds)')).toHaveValue(newInterval);
  await screenshot(page, 'datasource-edit');

  // The list shows the new interval in words (420 s = 7 min, 480 s = 8 min).
  await page.getByRole('link', { name: '← Datasources' }).click();
  const row = page.getByTestId('datasources-table').getByRole('row').filter({ hasText: 'Operational Metrics' });
  await expect(row).toContainText(newInterval === '420' ? '7 min' : '8 min');

  // Put the demo data back as it was.
  await openDatasource(page, 'Operational Metrics');
  await page.getByLabel('Description').fill(originalDescription);
  await page.getByLabel('Minimum warm interval (seconds)').fill(originalInterval);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByTestId('save-status')).toHaveText('Saved.');
});

test('shows client-side and server-side validation errors next to the fields', async ({ page }) => {
  await signIn(page);
  await openDatasource(page, 'Revenue Analytics');
  const name = page.getByLabel('Name');
  const ttl = page.getByLabel('Staleness TTL (seconds)');
  const schedule = page.getByLabel('Warm schedule (cron)');
  const originalTtl = await ttl.inputValue();

  // Client side: caught before anything is sent (the service's own limits, shared with the form).
  let patches = 0;
  page.on('request', (request) => {
    if (request.method() === 'PATCH') patches += 1;
  });
  await name.fill('');
  await ttl.fill('30');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByTestId('form-error')).toHaveText('Please correct the highlighted fields.');
  await expect(page.getByTestId('field-error-name')).toHaveText('Name is required.');
  await expect(page.getByTestId('field-error-stalenessTtlSeconds')).toContainText('from 60 s');
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  expect(patches).toBe(0);

  // Server side: what only the service can check (that the cron expression's values make sense).
  await name.fill('Revenue Analytics');
  await ttl.fill(originalTtl);
  await schedule.fill('61 * * * *');
  const response = page.waitForResponse((r) => r.request().method() === 'PATCH');
  await page.getByRole('button', { name: 'Save changes' }).click();
  expect((await response).status()).toBe(400);
  await expect(page.getByTestId('form-error')).toBeVisible();
  await expect(page.getByTestId('field-error-warmSchedule')).toContainText('cron');
  await expect(page.getByTestId('field-error-stalenessTtlSeconds')).toHaveCount(0);
  await expect(page.getByTestId('field-error-name')).toHaveCount(0);
  await expect(page.getByTestId('save-status')).toHaveCount(0);
  await screenshot(page, 'datasource-validation');

  // Nothing was saved.
  await page.reload();
  await expect(page.getByLabel('Staleness TTL (seconds)')).toHaveValue(originalTtl);
  await expect(page.getByLabel('Warm schedule (cron)')).not.toHaveValue('61 * * * *');
});

test('a viewer sees datasources read-only, without any write action', async ({ page, request }) => {
  const token = await adminToken(request);
  const headers = { Authorization: `Bearer ${token}` };
  const email = `e2e-viewer-${Date.now()}@example.com`;
  const password = 'Viewer-Passw0rd!';
  const created = await request.post('/api/admin/users', { headers, data: { email, password, role: 'viewer' } });
  expect(created.status()).toBe(201);
  const viewer = (await created.json()) as UserSummary;

  try {
    await signIn(page, email, password);
    await expect(page.getByTestId('current-user')).toContainText('viewer');
    await page.getByRole('link', { name: 'Datasources' }).click();
    await expect(page.getByTestId('datasources-table').getByRole('link', { name: 'Revenue Analytics' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'New datasource' })).toHaveCount(0);
    await expect(page.getByRole('link', { name: /^Edit / })).toHaveCount(0);

    await openDatasource(page, 'Revenue Analytics');
    await expect(page.getByText('You have read-only access to datasources.')).toBeVisible();
    await expect(page.getByLabel('Name')).toBeDisabled();
    await expect(page.getByLabel('Staleness TTL (seconds)')).toBeDisabled();
    await expect(page.getByRole('button', { name: /save/i })).toHaveCount(0);
  } finally {
    await request.patch(`/api/admin/users/${viewer.id}`, { headers, data: { isActive: false } });
  }
});

test('the audit log shows datasource changes and filters by outcome', async ({ page }) => {
  await signIn(page);
  // Saving unchanged values is still an audited update, so this test does not depend on the others.
  await openDatasource(page, 'Clinical Data');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByTestId('save-status')).toHaveText('Saved.');

  await page.getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();

  await page.getByLabel('Action').fill('datasource.update');
  await page.getByLabel('Outcome').selectOption('success');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/action=datasource.update/);
  const rows = page.getByTestId('audit-table').locator('tbody tr');
  await expect(rows.first()).toContainText('datasource.update');
  await expect(rows.first()).toContainText('success');
  await expect(rows.first()).toContainText(adminEmail);
  await expect(page.getByTestId('audit-page-info')).toContainText('Page 1 of');
  await screenshot(page, 'audit');
});

test('a token the API rejects ends the session with an explanation', async ({ page }) => {
  await signIn(page);
  // Simulate an expired/revoked token: the next API call answers 401.
  await page.evaluate(() => {
    const key = 'ccc.session';
    const session = JSON.parse(sessionStorage.getItem(key) ?? '{}') as { token?: string };
    sessionStorage.setItem(key, JSON.stringify({ ...session, token: 'not-a-valid-token' }));
  });
  await page.goto('/datasources');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByText('Your session expired, please sign in again')).toBeVisible();

  // Signing in again returns to the page the user was on.
  await page.getByLabel('Email').fill(adminEmail);
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/datasources$/);
  await expect(page.getByTestId('datasources-table')).toBeVisible();
});

test('signs out and lands on the sign-in page', async ({ page }) => {
  await signIn(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();

  // The session is gone: protected pages send us back.
  await page.goto('/datasources');
  await expect(page).toHaveURL(/\/login$/);
});
