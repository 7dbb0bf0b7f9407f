import { expect, test } from '@playwright/test';
import { requireServiceEnv, screenshot, signIn } from './support';

requireServiceEnv();

test('an admin opens the read-only queue board from the warming page and sees the service queues', async ({ page }) => {
  await signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Warming', exact: true }).click();
  await page.getByRole('link', { name: 'Queue board' }).click();
  await expect(page).toHaveURL(/\/admin\/queues/);
  // bull-board's own UI, served by the service and allowed by its content security policy.
  await expect(page.getByText('warming', { exact: true }).first()).toBeVisible({ timeout: 15_000 });
  await expect(page.getByText('notifications', { exact: true }).first()).toBeVisible();
  await screenshot(page, 'queue-board');
});

test('the queue board refuses a browser without the board session', async ({ browser }) => {
  const context = await browser.newContext();
  const response = await (await context.newPage()).goto('/admin/queues');
  expect(response?.status()).toBe(401);
  await context.close();
});
