import type {
  AlertEvaluationResult,
  CacheAlert,
  CacheStatsResponse,
  Datasource,
  HourlyUsage,
  Paginated,
  WarmingStatusResponse,
} from '@ccc/shared-types';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { apiHeaders, ok, replaceThreshold, requireServiceEnv, screenshot, signIn } from './support';

requireServiceEnv();
test.describe.configure({ mode: 'serial' });

/**
 * A small demo datasource no other browser spec touches, so its traffic, alerts and recommendations are
 * this spec's own. The service seeds three made-up weeks of traffic (patterns, recommendations, forecasts) for the other
 * demo datasources: everything below is picked by this datasource, never "the first one".
 */
const DATASOURCE = 'Patient Experience';
const MEASURE = 'Complaints';
const REQUESTS_EACH = 12; // cold, then warm: 24 requests at a 50 % hit rate (≥ 20 for the recommendation rules)
const CACHE_API = '/api/admin/analytics/cache';
const MONITORING = '/api/admin/monitoring';

type Headers = Record<string, string>;

/** A UTC hour of a UTC day, as the usage rollup and the heat-map count them. */
interface UtcHour {
  day: string;
  hour: number;
}

interface State {
  datasource: Datasource;
  alertId: string;
  thresholdIds: string[];
  headers: Headers;
  /** The UTC hours the traffic was made in (one, or two when it crossed an hour). */
  trafficHours: UtcHour[];
}
let state: State;
/**
 * One signed-in page for all the tabs, and one API token: sign-ins are rate-limited (20 a minute), and
 * the other specs sign in too.
 */
let page: Page;

/** The shared page keeps the toasts of earlier steps for a few seconds: dismiss them so they hide nothing. */
async function shot(name: string, fullPage = true): Promise<void> {
  const dismiss = page.getByRole('button', { name: 'Dismiss' });
  while ((await dismiss.count()) > 0)
    await dismiss
      .first()
      .click({ timeout: 1_000 })
      .catch(() => undefined); // a toast may expire meanwhile
  await screenshot(page, name, fullPage);
}

async function openTab(name: string): Promise<void> {
  // "Alerts" carries the open-alert count in its name ("Alerts (2 open alerts)").
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: new RegExp(`^${name}( \\(|$)`) })
    .click();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
}

async function query(
  request: APIRequestContext,
  headers: Headers,
  id: number,
  times: number,
): Promise<Array<'cache' | 'database'>> {
  const sources: Array<'cache' | 'database'> = [];
  for (let i = 0; i < times; i += 1) {
    const body = await ok<{ source: 'cache' | 'database' }>(
      await request.get(`/api/analytics/datasources/${id}/query`, { headers, params: { measure: MEASURE } }),
    );
    sources.push(body.source);
  }
  return sources;
}

/** Every UTC hour from `start` to `end`, both included. */
function utcHours(start: Date, end: Date): UtcHour[] {
  const hours: UtcHour[] = [];
  for (let t = Math.floor(start.getTime() / 3_600_000) * 3_600_000; t <= end.getTime(); t += 3_600_000) {
    const at = new Date(t);
    hours.push({ day: at.toISOString().slice(0, 10), hour: at.getUTCHours() });
  }
  return hours;
}

async function coldAndIdle(request: APIRequestContext, headers: Headers, id: number): Promise<void> {
  await expect
    .poll(
      async () =>
        (
          await ok<WarmingStatusResponse>(await request.get(`${CACHE_API}/warming/status`, { headers }))
        ).activeJobs.filter((j) => j.datasourceId === id).length,
      {
        message: `a warm of DS #${id} is still running`,
        timeout: 120_000,
      },
    )
    .toBe(0);
  const stats = await ok<CacheStatsResponse>(await request.get(`${CACHE_API}/stats`, { headers }));
  const metrics = stats.datasources.find((ds) => ds.datasourceId === id);
  if (metrics?.isWarm || (metrics?.totalEntries ?? 0) > 0) {
    await ok(await request.post(`${CACHE_API}/invalidate`, { headers, data: { datasourceId: id } }));
  }
}

async function warm(request: APIRequestContext, headers: Headers, id: number): Promise<void> {
  await ok(await request.post(`${CACHE_API}/warm`, { headers, data: { datasourceId: id } }), 202);
  await expect
    .poll(
      async () =>
        (await ok<CacheStatsResponse>(await request.get(`${CACHE_API}/stats`, { headers }))).datasources.find(
          (ds) => ds.datasourceId === id,
        )?.isWarm,
      {
        message: `DS #${id} did not turn warm`,
        timeout: 120_000,
      },
    )
    .toBe(true);
}

test.beforeAll(async ({ playwright, browser }) => {
  test.setTimeout(300_000);
  const request = await playwright.request.newContext({ baseURL: process.env.BASE_URL });
  try {
    const headers = await apiHeaders(request);
    const datasources = await ok<Datasource[]>(await request.get('/api/admin/datasources', { headers }));
    const datasource = datasources.find((ds) => ds.name === DATASOURCE);
    if (!datasource)
      throw new Error(`The demo datasource "${DATASOURCE}" is missing; start the service with SEED_DEMO=true`);
    const id = datasource.id;
    await coldAndIdle(request, headers, id);

    // Every query of its table counts as slow, so the Performance tab has slow queries to list.
    const slowQueries = await replaceThreshold(request, headers, {
      metricType: 'QUERY_TIME',
      datasourceId: id,
      tableName: datasource.sourceTable,
      warningThreshold: 0.001,
      criticalThreshold: 600_000,
    });

    // Traffic: misses on the cold cache (answered by the database), then hits once it is warm.
    const trafficStart = new Date();
    expect(await query(request, headers, id, REQUESTS_EACH)).toContain('database');
    await warm(request, headers, id);
    expect(await query(request, headers, id, REQUESTS_EACH)).toEqual(new Array(REQUESTS_EACH).fill('cache'));
    const trafficHours = utcHours(trafficStart, new Date());
    // The counters reach Redis within a second or so.
    await expect
      .poll(
        async () => {
          const rows = await ok<HourlyUsage[]>(
            await request.get(`${MONITORING}/usage/hourly`, { headers, params: { datasourceId: id } }),
          );
          return (
            rows.reduce((sum, row) => sum + row.hits, 0) >= REQUESTS_EACH &&
            rows.reduce((sum, row) => sum + row.requests, 0) >= 2 * REQUESTS_EACH
          );
        },
        { message: 'the query counters did not reach the hourly usage' },
      )
      .toBe(true);

    // A hit-rate threshold the live rate (about 50 %) breaches: critical below 95 %.
    const hitRate = await replaceThreshold(request, headers, {
      metricType: 'CACHE_HIT_RATIO',
      datasourceId: id,
      warningThreshold: 99,
      criticalThreshold: 95,
    });

    let alertId: string | undefined;
    await expect
      .poll(
        async () => {
          const result = await ok<AlertEvaluationResult>(
            await request.post(`${MONITORING}/alerts/evaluate`, { headers }),
          );
          const page = await ok<Paginated<CacheAlert>>(
            await request.get(`${MONITORING}/alerts`, {
              headers,
              params: { status: 'ACTIVE', alertType: 'HIT_RATE_LOW', datasourceId: id },
            }),
          );
          alertId = page.items[0]?.id;
          return result.ran || alertId !== undefined ? page.items[0]?.severity : undefined;
        },
        { message: 'the evaluator raised no hit-rate alert', timeout: 30_000 },
      )
      .toBe('CRITICAL');
    state = { datasource, alertId: alertId!, thresholdIds: [slowQueries.id, hitRate.id], headers, trafficHours };
  } finally {
    await request.dispose();
  }
  // A page of its own outside the per-test fixtures, so it needs the project's base URL and viewport given here.
  page = await browser.newPage({ baseURL: process.env.BASE_URL, viewport: { width: 1280, height: 720 } });
  await signIn(page);
});

test.afterAll(async ({ playwright }) => {
  await page?.close();
  if (!state) return;
  const request = await playwright.request.newContext({ baseURL: process.env.BASE_URL });
  for (const id of state.thresholdIds)
    await request.delete(`${MONITORING}/thresholds/${id}`, { headers: state.headers });
  await request.dispose();
});

test('alerts: the breached threshold’s alert is listed first, acknowledged with a comment, then resolved once within the threshold', async ({
  request,
}) => {
  const { datasource, alertId } = state;
  await openTab('Alerts');
  await expect(page.getByRole('heading', { level: 1, name: 'Alerts' })).toBeVisible();

  // Active alerts come first; ours is among them.
  const current = page.getByTestId('current-alerts-table');
  await expect(current.locator('tbody tr').first()).toHaveAttribute('data-status', 'ACTIVE');
  const row = current.getByTestId(`alert-row-${alertId}`);
  await expect(row).toContainText('Critical');
  await expect(row).toContainText('Hit rate low');
  await expect(row).toContainText('< 95');

  // Narrowed to this datasource and type, it is the first row.
  await page.getByLabel('Type').selectOption('HIT_RATE_LOW');
  await page.getByLabel('Datasource', { exact: true }).selectOption(String(datasource.id));
  await expect(current.locator('tbody tr').first()).toHaveAttribute('data-testid', `alert-row-${alertId}`);

  // Acknowledge: the button stays disabled until a comment is typed.
  const name = `Hit rate low on ${datasource.name}`;
  await row.getByRole('button', { name: `Acknowledge ${name}` }).click();
  const dialog = page.getByRole('dialog');
  const confirm = dialog.getByRole('button', { name: 'Acknowledge' });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Comment (required)').fill('Investigating: warming on a schedule from now on');
  await expect(confirm).toBeEnabled();
  await confirm.click();
  await expect(dialog).toBeHidden();
  await expect(row).toHaveAttribute('data-status', 'ACKNOWLEDGED');
  await expect(row).toContainText('Acknowledged');

  // Its timeline: fired, then acknowledged with the comment.
  await row.getByRole('button', { name: `Details of ${name}` }).click();
  const timeline = page.getByTestId('alert-timeline');
  await expect(timeline.locator('li').first()).toContainText('Fired');
  await expect(timeline).toContainText('Acknowledged');
  await expect(timeline).toContainText('“Investigating: warming on a schedule from now on”');
  await shot('monitoring-alerts');

  // Resolving is refused while the metric still breaches the threshold: the dialog shows why.
  await row.getByRole('button', { name: `Resolve ${name}` }).click();
  const resolveDialog = page.getByRole('dialog');
  await resolveDialog.getByLabel('Comment (optional)').fill('Schedule added');
  await resolveDialog.getByRole('button', { name: 'Resolve' }).click();
  await expect(resolveDialog.getByRole('alert')).toContainText('still breaching its threshold');
  await expect(resolveDialog.getByRole('alert')).toContainText('acknowledge it instead');

  // Once the threshold no longer counts 50 % as a breach, it resolves and moves to the history.
  const relaxed = await request.patch(`${MONITORING}/thresholds/${state.thresholdIds[1]}`, {
    headers: state.headers,
    data: { warningThreshold: 40, criticalThreshold: 20 },
  });
  expect(relaxed.status(), await relaxed.text()).toBe(200);
  await resolveDialog.getByRole('button', { name: 'Resolve' }).click();
  // The scheduled evaluation (every minute) may notice the recovery first and resolve it itself.
  const resolvedToast = page.getByRole('status').filter({ hasText: 'Alert resolved.' });
  const alreadyResolved = resolveDialog.getByText('already RESOLVED');
  await expect(resolvedToast.or(alreadyResolved)).toBeVisible();
  const outcome = (await alreadyResolved.isVisible()) ? ('auto-resolved' as const) : ('resolved' as const);
  if (outcome === 'auto-resolved') await resolveDialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(resolveDialog).toBeHidden();
  await expect(current.getByTestId(`alert-row-${alertId}`)).toHaveCount(0);
  const history = page.getByTestId('resolved-alerts-table').getByTestId(`alert-row-${alertId}`);
  await expect(history).toContainText('Resolved');
  await expect(timeline).toContainText('Resolved');
  if (outcome === 'resolved') await expect(timeline).toContainText('“Schedule added”');
});

test('thresholds: a wrong order is refused beside the field, the server’s 400 is shown, then one is created, edited and deleted', async () => {
  const { datasource } = state;
  await openTab('Thresholds');
  const table = page.getByTestId('thresholds-table');
  await expect(table).toContainText('Cache hit rate');

  await page.getByRole('button', { name: 'New threshold' }).click();
  const form = page.getByRole('form', { name: 'New threshold' });
  await form.getByLabel('Metric').selectOption('TABLE_SIZE');
  await expect(form.getByTestId('threshold-direction')).toContainText(
    'Alerts when the value is above a level; measured in bytes',
  );
  await form.getByLabel(/^Table/).fill(datasource.sourceTable);
  await form.getByLabel('Warning: alert when above (bytes)').fill('2000000000');
  await form.getByLabel('Critical: alert when above (bytes)').fill('1000000000');
  await form.getByRole('button', { name: 'Create threshold' }).click();
  await expect(form.getByTestId('threshold-criticalThreshold-error')).toContainText('at least the warning level');

  // A table that is no datasource's: the server answers 400 naming tableName, shown under that field.
  await form.getByLabel('Critical: alert when above (bytes)').fill('4000000000');
  await form.getByLabel(/^Table/).fill('demo_analytics.no_such_table');
  const refused = page.waitForResponse(
    (r) => r.url().endsWith(`${MONITORING}/thresholds`) && r.request().method() === 'POST',
  );
  await form.getByRole('button', { name: 'Create threshold' }).click();
  expect((await refused).status()).toBe(400);
  await expect(form.getByTestId('threshold-tableName-error')).toContainText(
    'not the source table of a registered datasource',
  );

  await form.getByLabel(/^Table/).fill(datasource.sourceTable);
  await form.getByRole('button', { name: 'Create threshold' }).click();
  await expect(form).toBeHidden();
  const label = `Table size (${datasource.sourceTable})`;
  const row = table.getByRole('row').filter({ hasText: 'Table size' }).filter({ hasText: datasource.sourceTable });
  await expect(row).toContainText('1.9 GB');

  // Edit it: raise the warning level.
  await page.getByRole('button', { name: `Edit ${label}` }).click();
  const edit = page.getByRole('form', { name: 'Edit threshold' });
  await expect(edit.getByLabel('Metric')).toBeDisabled();
  await edit.getByLabel('Warning: alert when above (bytes)').fill('3000000000');
  await edit.getByRole('button', { name: 'Save threshold' }).click();
  await expect(edit).toBeHidden();
  await expect(row).toContainText('2.8 GB');
  await shot('monitoring-thresholds');

  await page.getByRole('button', { name: `Delete ${label}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(row).toHaveCount(0);
});

test('performance: hit-rate and query-time charts, the usage heat-map, slow queries and query patterns', async ({
  request,
}) => {
  const { datasource, trafficHours } = state;
  const label = `DS #${datasource.id}: ${datasource.name}`;
  await openTab('Performance');

  const hitRate = page.getByTestId('hit-rate-chart');
  await expect(hitRate.getByRole('img', { name: /Cache hit rate per hour/ })).toBeVisible();
  await expect(hitRate.getByRole('list', { name: 'Cache hit rate per hour legend' })).toContainText(label);
  await expect(hitRate.locator(`[data-series="${label}"] circle`).first()).toBeAttached();
  await expect(page.getByTestId('query-time-chart').getByRole('list')).toContainText(label);

  // Today's usage pattern, computed now instead of at night.
  const rolledUp = page.waitForResponse(
    (r) => r.url().endsWith(`${MONITORING}/usage-patterns/rollup`) && r.request().method() === 'POST',
  );
  await page.getByRole('button', { name: 'Roll up today' }).first().click();
  expect((await rolledUp).ok()).toBe(true);
  // Traffic made before a UTC midnight belongs to a day "Roll up today" no longer covers: roll that day up too.
  const today = new Date().toISOString().slice(0, 10);
  const earlierDays = [...new Set(trafficHours.map((h) => h.day))].filter((day) => day !== today);
  for (const date of earlierDays)
    await ok(
      await request.post(`${MONITORING}/usage-patterns/rollup`, { headers: state.headers, data: { date } }),
      200,
    );
  if (earlierDays.length > 0) await page.reload();

  // This datasource only: a heat-map row per analysed day; the cell of the hour the traffic was made in is filled.
  await page.getByLabel('Datasource', { exact: true }).selectOption(String(datasource.id));
  const heatmap = page.getByTestId('usage-heatmap');
  await expect(heatmap.getByRole('img', { name: /Requests per UTC hour, by day/ })).toBeVisible();
  await expect(heatmap.locator(`[data-row="${trafficHours[0]!.day}"] rect`)).toHaveCount(24);
  await expect
    .poll(
      async () => {
        const buckets = await Promise.all(
          trafficHours.map(({ day, hour }) =>
            heatmap.locator(`[data-row="${day}"] rect`).nth(hour).getAttribute('data-bucket'),
          ),
        );
        return buckets.some((bucket) => bucket !== null && bucket !== '0');
      },
      { message: `no requests in the heat-map at ${trafficHours.map((h) => `${h.day} ${h.hour}:00`).join(' / ')} UTC` },
    )
    .toBe(true);
  await expect(page.getByTestId('usage-patterns-table')).toContainText(datasource.name);

  const slow = page.getByTestId('slow-queries-table');
  // The context is named for people; the recorded one is its tooltip.
  await expect(slow.getByTitle(`cold-fallback:ds:${datasource.id}`, { exact: true }).first()).toHaveText(
    'Cold-cache answer',
  );
  await expect(slow).toContainText(datasource.sourceTable.split('.')[1]!);
  // Only this datasource's patterns (the seeded ones of the others are filtered out); a pattern's history
  // covers the same period as the list.
  const patterns = page.getByTestId('query-patterns-table');
  // The pattern text is cut in the cell; its title holds the whole query.
  await expect(patterns.locator('tbody tr').first().locator('code')).toHaveAttribute(
    'title',
    new RegExp(`"${datasource.sourceTable.split('.')[1]!}"`),
  );
  await page.getByLabel('Period', { exact: true }).selectOption('168');
  await patterns
    .locator('tbody tr')
    .first()
    .getByRole('button', { name: /History of pattern/ })
    .click();
  await expect(
    page.getByTestId('pattern-history').getByRole('img', { name: /Execution time of this query pattern/ }),
  ).toBeVisible();
  await shot('monitoring-performance');

  // The demand forecast of a demo datasource with the seeded weeks of traffic: forecast vs actual vs the old rule,
  // and the forecast's error is the lower one.
  const datasources = await ok<Datasource[]>(await request.get('/api/admin/datasources', { headers: state.headers }));
  const revenue = datasources.find((ds) => ds.name === 'Revenue Analytics');
  if (!revenue)
    throw new Error('The demo datasource "Revenue Analytics" is missing; start the service with SEED_DEMO=true');
  await page.getByLabel('Datasource', { exact: true }).selectOption(String(revenue.id));
  const forecast = page.getByTestId('forecast-panel');
  await expect(
    forecast.getByTestId('forecast-backtest-chart').getByRole('img', { name: /actual, forecast and rule/ }),
  ).toBeVisible();
  const wape = async (testId: string): Promise<number> =>
    Number.parseFloat((await forecast.getByTestId(testId).textContent()) ?? '');
  const [forecastWape, ruleWape] = [await wape('forecast-wape'), await wape('rule-wape')];
  expect(forecastWape).toBeGreaterThan(0);
  expect(forecastWape).toBeLessThan(ruleWape);
  await expect(forecast.getByTestId('forecast-plan')).toContainText('Model: Holt-Winters');
  await forecast.scrollIntoViewIfNeeded();
  await shot('monitoring-forecast');
});

test('recommendations: generated from the traffic, approved, and implemented after a confirmation showing current vs recommended', async () => {
  const { datasource } = state;
  const label = `DS #${datasource.id}: ${datasource.name}`;
  await openTab('Recommendations');
  await page.getByRole('button', { name: 'Generate recommendations' }).click();
  await expect(page.getByTestId('generation-result')).toBeVisible();
  await page.getByLabel('Datasource', { exact: true }).selectOption(String(datasource.id));

  // Which rules match depends on the traffic (50 % hit rate, no warm schedule, slow unindexed queries):
  // prefer one that changes the warm schedule, whose effect shows on the Warming tab; any pending one of
  // this datasource will do (the list still shows the other datasources' until the filtered one loads).
  const cards = page
    .getByTestId('recommendations-list')
    .locator('li[data-status="PENDING"]')
    .filter({ hasText: label });
  await expect(cards.first()).toBeVisible();
  const scheduleCards = cards.filter({ hasText: 'warmSchedule' });
  const picked = (await scheduleCards.count()) > 0 ? scheduleCards.first() : cards.first();
  // Approving reorders the list: follow the card by its id.
  const card = page.getByTestId((await picked.getAttribute('data-testid'))!);
  const title = (await card.getByRole('heading').textContent())!;
  expect(title).toContain(label);
  await card.getByRole('button', { name: `Approve ${title}` }).click();
  await expect(card.getByText('Approved', { exact: true })).toBeVisible();
  await shot('monitoring-recommendations');

  await card.getByRole('button', { name: `Implement ${title}` }).click();
  const dialog = page.getByRole('dialog', { name: `Implement: ${title}?` });
  const changed = dialog.getByTestId('implement-diff').locator('tbody tr[data-changed="true"]');
  await expect(changed.first()).toBeVisible();
  const key = (await changed.first().getByRole('rowheader').locator('code').textContent())!;
  const [current, recommended] = await changed.first().getByRole('cell').locator('code').allTextContents();
  expect(current).not.toBe(recommended);
  await shot('monitoring-recommendation-implement', false);
  await dialog.getByLabel('Notes (optional)').fill('Implemented from the browser test');
  await dialog.getByRole('button', { name: 'Implement' }).click();
  await expect(dialog).toBeHidden();

  // Implemented: no longer open, listed as implemented with the notes.
  await expect(card).toHaveCount(0);
  await page.getByLabel('Status').selectOption('IMPLEMENTED');
  await expect(card).toContainText('Implemented');
  await expect(card).toContainText('Implemented from the browser test');
  if (key === 'warmSchedule') {
    await openTab('Warming');
    await expect(page.getByLabel(`Cron schedule for ${datasource.name}`)).toHaveValue(recommended!);
  }
});

test('indexes: a strategy is created on a demo table, applied now, its usage collected with the drop flag shown', async () => {
  const { datasource } = state;
  const indexName = `idx_e2e_${Date.now().toString(36)}`;
  await openTab('Indexes');
  await page.getByRole('button', { name: 'New index strategy' }).click();
  const form = page.getByRole('form', { name: 'New index strategy' });
  await form.getByLabel('Table').selectOption(datasource.sourceTable);
  await form
    .getByLabel('Columns (comma-separated, in order)')
    .fill(`${datasource.columnMapping.provider}, ${datasource.columnMapping.period}`);
  await form.getByLabel('Index name').fill(indexName);
  await form.getByLabel('Build window').selectOption('IMMEDIATE');
  await form.getByRole('button', { name: 'Create strategy' }).click();
  await expect(form).toBeHidden();

  const row = page.getByTestId(`index-row-${indexName}`);
  await expect(row).toContainText('Not created');
  await row.getByRole('button', { name: `Apply ${indexName}` }).click();
  await expect(page.getByTestId('apply-result')).toContainText(`${indexName} was built.`);
  await expect(page.getByTestId(`index-status-${indexName}`)).toContainText('Created');

  await page.getByRole('button', { name: 'Collect usage now' }).click();
  await expect(page.getByTestId('collection-result')).toContainText('Collected statistics of');
  await page.getByLabel('Table', { exact: true }).selectOption(datasource.sourceTable);
  const usage = page.getByTestId('index-usage-table');
  await expect(usage.getByRole('columnheader', { name: 'Drop?' })).toBeVisible();
  await expect(usage.getByTestId(`drop-flag-${indexName}`)).toHaveText(/Keep|Drop recommended/);
  await shot('monitoring-indexes');

  // Delete the strategy: its index exists, so the dialog drops it too.
  await row.getByRole('button', { name: `Delete ${indexName}` }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('drop-index-note')).toContainText(indexName);
  await dialog.getByRole('button', { name: 'Drop index and delete' }).click();
  await expect(row).toHaveCount(0);
});

test('efficiency: every datasource with its hit-rate trend, costs and verdict', async ({ request }) => {
  const datasources = await ok<Datasource[]>(await request.get('/api/admin/datasources', { headers: state.headers }));
  await openTab('Efficiency');
  const table = page.getByTestId('efficiency-table');
  for (const ds of datasources) await expect(table.getByTestId(`efficiency-row-${ds.id}`)).toContainText(ds.name);
  const row = table.getByTestId(`efficiency-row-${state.datasource.id}`);
  await expect(row.getByRole('img', { name: /hit rate per day/ })).toBeVisible();
  await expect(row.getByTestId(`verdict-${state.datasource.id}`)).toHaveText(/Efficient|OK|Wasteful|Unused/);
  await shot('monitoring-efficiency');
});
