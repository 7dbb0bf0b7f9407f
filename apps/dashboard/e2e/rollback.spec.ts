import type { Datasource, WarmingJob, WarmResponse } from '@ccc/shared-types';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { apiHeaders, ok, requireServiceEnv, screenshot, signIn } from './support';

requireServiceEnv();
test.describe.configure({ mode: 'serial' });

/** A datasource of this spec's own over a small demo table: its generations and rollback touch no other spec. */
const SOURCE_DATASOURCE = 'Clinical Data';
const CACHE_API = '/api/admin/analytics/cache';

let page: Page;
let headers: Record<string, string>;
let datasource: Datasource;

async function warm(request: APIRequestContext): Promise<number> {
  const { jobId } = await ok<WarmResponse>(
    await request.post(`${CACHE_API}/warm`, { headers, data: { datasourceId: datasource.id, force: true } }),
    202,
  );
  let job: WarmingJob | undefined;
  await expect
    .poll(
      async () => {
        job = await ok<WarmingJob>(await request.get(`${CACHE_API}/warming/jobs/${jobId}`, { headers }));
        return job.status;
      },
      { message: `warm ${jobId} of ${datasource.name}`, timeout: 60_000, intervals: [250] },
    )
    .toBe('COMPLETED');
  return job!.generation!;
}

test.beforeAll(async ({ browser, request }) => {
  headers = await apiHeaders(request);
  const all = await ok<Datasource[]>(await request.get('/api/admin/datasources', { headers }));
  const source = all.find((ds) => ds.name === SOURCE_DATASOURCE);
  if (!source) throw new Error(`The demo datasource "${SOURCE_DATASOURCE}" is missing; start with SEED_DEMO=true`);
  datasource = await ok<Datasource>(
    await request.post('/api/admin/datasources', {
      headers,
      data: {
        name: `Rollback e2e ${Date.now().toString(36)}`,
        sourceTable: source.sourceTable,
        columnMapping: source.columnMapping,
        minWarmIntervalSeconds: 0,
      },
    }),
    201,
  );
  page = await browser.newPage();
  await signIn(page);
});

test.afterAll(async ({ request }) => {
  await page?.close();
  if (datasource) await request.delete(`/api/admin/datasources/${datasource.id}`, { headers });
});

test('rollback: after two warms the details page shows both generations and rolls back to the previous one', async ({
  request,
}) => {
  const first = await warm(request);
  const second = await warm(request);

  await page.goto(`/cache/${datasource.id}`);
  const panel = page.getByTestId('generations-panel');
  await expect(panel.getByTestId('live-Generation')).toHaveText(String(second));
  await expect(panel.getByTestId('previous-Generation')).toHaveText(String(first));

  await panel.getByRole('button', { name: `Roll back to generation ${first}` }).click();
  const dialog = page.getByRole('dialog', { name: new RegExp(`Roll back .* to generation ${first}\\?`) });
  await expect(dialog.getByTestId('rollback-summary')).toContainText(`back: generation ${first}`);
  await expect(dialog.getByTestId('rollback-summary')).toContainText(`out: generation ${second}`);
  await screenshot(page, 'rollback-dialog', false);

  await dialog.getByRole('button', { name: 'Roll back' }).click();
  await expect(dialog).toBeHidden();
  await expect(
    page.getByText(new RegExp(`back to generation ${first}\\. Generation ${second} is kept until`)),
  ).toBeVisible();
  // Rolled back: the first generation serves again, the second is kept for a roll forward.
  await expect(panel.getByTestId('live-Generation')).toHaveText(String(first));
  await expect(panel.getByTestId('previous-Generation')).toHaveText(String(second));
  await expect(panel.getByRole('button', { name: `Roll back to generation ${second}` })).toBeVisible();
  await panel.scrollIntoViewIfNeeded();
  await screenshot(page, 'rollback-panel');

  const answer = await ok<{ source: string; generation: number }>(
    await request.get(`/api/analytics/datasources/${datasource.id}/query`, {
      headers,
      params: { measure: 'Readmissions' },
    }),
  );
  expect(answer).toMatchObject({ source: 'cache', generation: first });
});
