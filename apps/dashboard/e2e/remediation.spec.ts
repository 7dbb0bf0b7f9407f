import type { AlertEvaluationResult, Datasource, Paginated, RemediationAction } from '@ccc/shared-types';
import { expect, test, type Page } from '@playwright/test';
import { apiHeaders, ok, requireServiceEnv, screenshot, signIn } from './support';

requireServiceEnv();
test.describe.configure({ mode: 'serial' });

/** A datasource of this spec's own, over a demo table: its traffic, alert and rules touch no other spec. */
const SOURCE_DATASOURCE = 'Clinical Data';
const MEASURE = 'Readmissions';
const MONITORING = '/api/admin/monitoring';

let page: Page;
let headers: Record<string, string>;
let datasource: Datasource;

test.beforeAll(async ({ browser, request }) => {
  headers = await apiHeaders(request);
  const all = await ok<Datasource[]>(await request.get('/api/admin/datasources', { headers }));
  const source = all.find((ds) => ds.name === SOURCE_DATASOURCE);
  if (!source) throw new Error(`The demo datasource "${SOURCE_DATASOURCE}" is missing; start with SEED_DEMO=true`);
  datasource = await ok<Datasource>(
    await request.post('/api/admin/datasources', {
      headers,
      data: {
        name: `Remediation e2e ${Date.now().toString(36)}`,
        sourceTable: source.sourceTable,
        columnMapping: source.columnMapping,
        minWarmIntervalSeconds: 0,
      },
    }),
    201,
  );
  // Cold: every query falls back to the database, a hit rate of 0 %.
  for (let i = 0; i < 5; i += 1)
    await ok(
      await request.get(`/api/analytics/datasources/${datasource.id}/query`, { headers, params: { measure: MEASURE } }),
    );
  await ok(
    await request.post(`${MONITORING}/thresholds`, {
      headers,
      data: { metricType: 'CACHE_HIT_RATIO', datasourceId: datasource.id, warningThreshold: 60, criticalThreshold: 20 },
    }),
    201,
  );
  page = await browser.newPage();
  await signIn(page);
});

test.afterAll(async ({ request }) => {
  await page?.close();
  // Its rules, actions, thresholds and alerts go with it.
  if (datasource) await request.delete(`/api/admin/datasources/${datasource.id}`, { headers });
});

test('remediation: a rule is created in a dialog, acts on the firing alert, and its action and a dry run are listed', async ({
  request,
}) => {
  await page.goto('/remediation');
  await expect(page.getByRole('heading', { level: 1, name: 'Remediation' })).toBeVisible();

  const create = async (name: string, action: string, dryRun: boolean): Promise<void> => {
    await page.getByRole('button', { name: 'New rule' }).click();
    const dialog = page.getByTestId('remediation-rule-dialog');
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByLabel('Alert type').selectOption('HIT_RATE_LOW');
    await dialog.getByLabel('Datasource').selectOption(String(datasource.id));
    await dialog.getByLabel('Action').selectOption(action);
    if (dryRun) await dialog.getByLabel(/Dry run/).check();
    if (name.startsWith('Warm')) await screenshot(page, 'remediation-rule-dialog', false);
    await dialog.getByRole('button', { name: 'Create rule' }).click();
    await expect(dialog).toBeHidden();
  };
  await create(`Warm ${datasource.name}`, 'WARM', false);
  await create(`Raise TTL ${datasource.name}`, 'RAISE_STALENESS_TTL', true);
  const rules = page.getByTestId('remediation-rules-table');
  await expect(rules).toContainText(`Warm ${datasource.name}`);
  await expect(rules).toContainText('Dry run');

  // The evaluator fires the hit-rate alert; the rules act in the same round.
  await expect
    .poll(
      async () => {
        await ok<AlertEvaluationResult>(await request.post(`${MONITORING}/alerts/evaluate`, { headers }));
        const actions = await ok<Paginated<RemediationAction>>(
          await request.get(`${MONITORING}/remediation/actions`, {
            headers,
            params: { datasourceId: datasource.id },
          }),
        );
        return actions.items.map((a) => a.outcome).sort();
      },
      { message: 'the rules did not act on the alert', timeout: 30_000 },
    )
    .toEqual(['DONE', 'DRY_RUN']);

  await page.reload();
  const recent = page.getByTestId('remediation-actions-table');
  await expect(recent).toContainText(`Queued a warm of datasource ${datasource.id}`);
  await expect(page.getByTestId('remediation-dry-runs-table')).toContainText('Dry run: would raise the staleness TTL');
  await screenshot(page, 'remediation-tab');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'remediation-tab-phone');
  await page.setViewportSize({ width: 1440, height: 900 });
});
