import { defineConfig, devices } from '@playwright/test';

/**
 * Browser tests against a running service that serves the built dashboard.
 * BASE_URL (e.g. http://localhost:3000), E2E_ADMIN_EMAIL and E2E_ADMIN_PASSWORD come from the environment.
 */
export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results/playwright',
  workers: 1,
  fullyParallel: false,
  // One retry in CI: a test that fails and then passes counts as passed but is reported as flaky, by name and first
  // error, in `npm test`'s summary (scripts/lib/results.mjs), so it is seen and fixed rather than hidden.
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT ?? 'test-results/playwright.json' }]],
  use: {
    baseURL: process.env.BASE_URL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
});
