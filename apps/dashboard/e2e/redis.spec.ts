import type { Datasource, RedisKeysPage, RedisStatsResponse, UserSummary } from '@ccc/shared-types';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { adminEmail, adminPassword, apiHeaders as login, requireServiceEnv, screenshot, signIn } from './support';

requireServiceEnv();

/** Every key matching `pattern`, through the API (the keyspace of a test run is small). */
async function keysMatching(
  request: APIRequestContext,
  headers: Record<string, string>,
  pattern: string,
): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const response = await request.get('/api/admin/redis/keys', { headers, params: { pattern, count: 1000, cursor } });
    expect(response.status()).toBe(200);
    const page = (await response.json()) as RedisKeysPage;
    keys.push(...page.keys.map((k) => k.key));
    cursor = page.cursor;
  } while (cursor !== '0');
  return keys;
}

test('the Redis tab browses keys, inspects one, changes its TTL and purges after a dry run', async ({
  page,
  request,
}) => {
  const admin = await login(request, adminEmail, adminPassword);
  // Warming has a per-user hourly budget: this test warms as its own operator so it never eats the admin's.
  const email = `e2e-redis-${Date.now()}@example.com`;
  const password = 'Redis-Operator-Passw0rd!';
  const created = await request.post('/api/admin/users', {
    headers: admin,
    data: { email, password, role: 'operator' },
  });
  expect(created.status()).toBe(201);
  const operatorUser = (await created.json()) as UserSummary;
  const operator = await login(request, email, password);

  const datasources = (await (await request.get('/api/admin/datasources', { headers: admin })).json()) as Datasource[];
  const datasource = datasources.find((d) => d.name === 'Pharmacy Utilization') ?? datasources.at(-1)!;
  const warm = async () =>
    expect(
      (
        await request.post('/api/admin/analytics/cache/warm', {
          headers: operator,
          data: { datasourceId: datasource.id, force: true },
        })
      ).ok(),
    ).toBe(true);
  const liveGeneration = async (): Promise<number | null> => {
    const stats = (await (
      await request.get('/api/admin/redis/stats', { headers: admin })
    ).json()) as RedisStatsResponse;
    return stats.analyticsCache.datasources.find((d) => d.datasourceId === datasource.id)?.liveGeneration ?? null;
  };

  try {
    const previous = await liveGeneration();
    await warm();
    await expect.poll(liveGeneration, { timeout: 60_000 }).not.toBe(previous);
    // Only the live generation: an older one is deleted in the background after its grace period.
    const generation = (await liveGeneration())!;
    const entryPattern = `cache:{ds:${datasource.id}}:g${generation}:*`;
    await expect
      .poll(async () => (await keysMatching(request, admin, entryPattern)).length, { timeout: 60_000 })
      .toBeGreaterThan(0);

    // Overview: server figures, with the analytics cache part on its own.
    await signIn(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Redis' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Redis' })).toBeVisible();
    const cacheSection = page.getByTestId('analytics-cache-section');
    await expect(cacheSection.getByRole('heading', { name: 'Analytics cache' })).toBeVisible();
    await expect(cacheSection).toContainText(datasource.name);
    await expect(page.getByTestId('stat-hit-rate')).toBeVisible();
    await expect(page.getByTestId('distribution-note')).toContainText('From a sample of');
    await screenshot(page, 'redis-overview');

    // Browse the datasource's entries.
    await page.getByRole('tab', { name: 'Keys' }).click();
    await page.getByLabel('Pattern').fill(entryPattern);
    await page.getByLabel('Type').selectOption('string');
    await page.getByRole('button', { name: 'Search' }).click();
    const table = page.getByTestId('keys-table');
    await expect(table.locator('tbody tr').first()).toContainText(`cache:{ds:${datasource.id}}:g${generation}:`);
    await expect(table).toContainText('Analytics cache entries');
    await screenshot(page, 'redis-keys');

    // Inspect one entry: decoded rows, then a new TTL.
    const firstKey = (await table.locator('tbody tr').first().getByRole('button').textContent())!.trim();
    await table.getByRole('button', { name: firstKey, exact: true }).click();
    const inspector = page.getByTestId('key-inspector');
    await expect(inspector.getByTestId('key-facts')).toContainText('string');
    await expect(inspector.getByTestId('decoded-entry')).toContainText('Decoded cache entry');
    await expect(inspector.getByTestId('key-ttl')).toHaveText('No expiry');
    await inspector.getByLabel('New TTL (seconds)').fill('3600');
    await inspector.getByRole('button', { name: 'Set TTL' }).click();
    await expect(inspector.getByTestId('ttl-status')).toHaveText('TTL is now 1 h.');
    await expect(inspector.getByTestId('key-ttl')).toContainText(/59 min|1 h/);
    await screenshot(page, 'redis-inspector', false);
    await inspector.getByRole('button', { name: 'Close inspector' }).click();

    // A pattern that reaches protected keys is refused with the reason.
    await page.getByRole('button', { name: 'Purge keys…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Purge keys' });
    await dialog.getByLabel('Pattern to purge').fill('*');
    await dialog.getByRole('button', { name: 'Preview (dry run)' }).click();
    await expect(dialog.getByTestId('purge-error')).toContainText('protected');

    // Purge part of the generation's entries (entries are numbered: those whose number starts with 1): dry run first
    // (nothing deleted), then the typed confirmation.
    const purgePattern = `cache:{ds:${datasource.id}}:g${generation}:1*`;
    const before = await keysMatching(request, admin, purgePattern);
    expect(before.length).toBeGreaterThan(0);
    await dialog.getByLabel('Pattern to purge').fill(purgePattern);
    await dialog.getByRole('button', { name: 'Preview (dry run)' }).click();
    await expect(dialog.getByTestId('purge-preview')).toContainText(`${before.length.toLocaleString('en-US')} keys`);
    await expect(dialog.getByRole('button', { name: /^Delete/ })).toBeDisabled();
    expect((await keysMatching(request, admin, purgePattern)).length).toBe(before.length);
    await screenshot(page, 'redis-purge-preview', false);

    await dialog.getByLabel('Type the pattern to confirm').fill(purgePattern);
    await dialog.getByRole('button', { name: `Delete ${before.length.toLocaleString('en-US')} keys` }).click();
    await expect(dialog.getByTestId('purge-result')).toContainText(
      `Deleted ${before.length.toLocaleString('en-US')} keys`,
    );
    await screenshot(page, 'redis-purge-done', false);
    expect(await keysMatching(request, admin, purgePattern)).toEqual([]);
    await dialog.getByRole('button', { name: 'Done' }).click();

    // Slow log and memory analysis.
    await page.getByRole('tab', { name: 'Slow log' }).click();
    // The slow log of a fresh test Redis may well be empty: then it says so instead of an empty table.
    await expect(page.getByTestId('slowlog-table').or(page.getByTestId('slowlog-empty'))).toBeVisible();
    await page.getByRole('tab', { name: 'Memory' }).click();
    await expect(page.getByTestId('memory-top-keys').locator('tbody tr').first()).toBeVisible();
    await expect(page.getByTestId('memory-note')).toContainText('From a sample of');
    await screenshot(page, 'redis-memory');
  } finally {
    // Leave the datasource whole for the other tests: warm it again, and retire the operator.
    await request.post('/api/admin/analytics/cache/warm', {
      headers: operator,
      data: { datasourceId: datasource.id, force: true },
    });
    await request.patch(`/api/admin/users/${operatorUser.id}`, { headers: admin, data: { isActive: false } });
  }
});
