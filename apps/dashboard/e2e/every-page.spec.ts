import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { cleanupPageData, preparePageData, type PageData } from './page-data';
import { apiHeaders, requireServiceEnv, screenshot, signIn } from './support';

requireServiceEnv();
test.describe.configure({ mode: 'serial' });

const VIEWPORTS = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

interface PageVisit {
  path: string;
  /** What must be on screen before the page counts as loaded: its data, not a placeholder. */
  ready: string[];
}

function pages({ datasource }: PageData): PageVisit[] {
  const id = datasource.id;
  return [
    { path: '/cache', ready: [`ds-card-${id}`, 'cache-health'] },
    { path: `/cache/${id}`, ready: ['entries-table', 'details-jobs-table'] },
    { path: '/warming', ready: ['schedule-table', 'warming-history-table'] },
    { path: '/redis', ready: ['redis-stats', 'namespace-table'] },
    { path: '/redis?view=keys', ready: ['keys-table'] },
    { path: '/redis?view=slowlog', ready: [] },
    { path: '/redis?view=memory', ready: ['memory-namespaces', 'memory-top-keys'] },
    { path: '/alerts', ready: ['current-alerts-table'] },
    { path: '/thresholds', ready: ['thresholds-table'] },
    { path: '/remediation', ready: [] },
    { path: '/recommendations', ready: ['recommendations-list'] },
    {
      path: '/performance',
      ready: ['hit-rate-chart', 'usage-heatmap', 'usage-patterns-table', 'slow-queries-table', 'query-patterns-table'],
    },
    // One datasource chosen: its demand forecast panel.
    { path: `/performance?datasource=${id}`, ready: ['forecast-panel'] },
    { path: '/indexes', ready: ['index-strategies-table', 'index-usage-table'] },
    { path: '/efficiency', ready: ['efficiency-table'] },
    { path: '/datasources', ready: ['datasources-table'] },
    { path: '/datasources/new', ready: [] },
    { path: `/datasources/${id}`, ready: [] },
    { path: '/audit', ready: ['audit-table'] },
    { path: '/no-such-page', ready: [] },
  ];
}

let data: PageData;
let admin: Record<string, string>;
let page: Page;

/** Checks the page as it is now: no sideways scrolling, no axe violations. Returns what is wrong. */
async function problemsOf(page: Page, what: string): Promise<string[]> {
  const problems: string[] = [];
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  if (scrollWidth > innerWidth) problems.push(`${what}: ${scrollWidth} px wide in a ${innerWidth} px window`);
  const { violations } = await new AxeBuilder({ page }).analyze();
  for (const v of violations) {
    const where = v.nodes
      .slice(0, 3)
      .map((node) => node.target.join(' '))
      .join(' | ');
    problems.push(`${what}: axe ${v.id} (${v.impact}) ${v.help} — ${v.nodes.length} node(s): ${where}`);
  }
  return problems;
}

async function visit(visit: PageVisit): Promise<void> {
  await page.goto(visit.path);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  for (const testId of visit.ready) await expect(page.getByTestId(testId).first()).toBeVisible();
  // No loading placeholder left (each is a status line that says "Loading…" or what it waits for).
  await expect(page.locator('p.muted[role="status"]')).toHaveCount(0);
}

/**
 * A page in a context of its own (what axe's Playwright integration needs); close it with `page.context().close()`,
 * awaited. (Closing the context from the page's close event left a promise nobody awaited: when it rejected, the
 * error surfaced in whatever hook ran next — the next spec file's.)
 */
async function newPage(browser: Browser, viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ baseURL: process.env.BASE_URL, viewport });
  return context.newPage();
}

test.beforeAll(async ({ playwright, browser }) => {
  test.setTimeout(300_000);
  const request = await playwright.request.newContext({ baseURL: process.env.BASE_URL });
  try {
    admin = await apiHeaders(request);
    data = await preparePageData(request, admin, 'pages');
  } finally {
    await request.dispose();
  }
  // One sign-in for both sizes (sign-ins are rate-limited); the window is resized in between.
  page = await newPage(browser, VIEWPORTS[0]);
  await signIn(page);
});

test.afterAll(async ({ playwright }) => {
  await page?.context().close();
  if (!data) return;
  const request = await playwright.request.newContext({ baseURL: process.env.BASE_URL });
  await cleanupPageData(request, admin, data);
  await request.dispose();
});

for (const viewport of VIEWPORTS) {
  test(`every page fits a ${viewport.width} px window and has no axe violations (${viewport.name})`, async ({
    browser,
  }) => {
    test.setTimeout(300_000);
    await page.setViewportSize(viewport);
    const problems: string[] = [];

    // Signed out: the sign-in page.
    const signedOut = await newPage(browser, viewport);
    try {
      await signedOut.goto('/login');
      await expect(signedOut.getByRole('button', { name: 'Sign in' })).toBeVisible();
      problems.push(...(await problemsOf(signedOut, '/login')));
    } finally {
      await signedOut.context().close();
    }

    for (const target of pages(data)) {
      await visit(target);
      problems.push(...(await problemsOf(page, target.path)));
      if (viewport.name === 'phone') {
        const name = target.path.replace(/^\//, '').replace(/[^a-z0-9]+/gi, '-') || 'root';
        await screenshot(page, `phone-${name}`);
      }
    }
    expect(problems).toEqual([]);
  });
}

test('on a phone the navigation folds behind a Menu button', async () => {
  await page.setViewportSize(VIEWPORTS[1]);
  await page.goto('/cache');
  const menu = page.getByRole('button', { name: 'Menu' });
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(nav).toBeHidden();

  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(nav.getByRole('link')).toHaveCount(12);
  await screenshot(page, 'phone-menu-open', false);
  await nav.getByRole('link', { name: 'Alerts' }).click();
  await expect(page).toHaveURL(/\/alerts$/);
  await expect(nav).toBeHidden();

  // On a desktop there is no menu: the links are always there.
  await page.setViewportSize(VIEWPORTS[0]);
  await expect(menu).toBeHidden();
  await expect(nav.getByRole('link', { name: 'Alerts' })).toBeVisible();
});
