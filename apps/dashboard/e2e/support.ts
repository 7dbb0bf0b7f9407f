import type { LoginResponse, PerformanceThreshold } from '@ccc/shared-types';
import { expect, test, type APIRequestContext, type APIResponse, type Page } from '@playwright/test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What every browser test needs: the running service, an admin to sign in with, and where screenshots go. */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const screenshotDir = path.join(repoRoot, 'artifacts', 'screenshots');

export const adminEmail = process.env.E2E_ADMIN_EMAIL ?? '';
export const adminPassword = process.env.E2E_ADMIN_PASSWORD ?? '';

/** Call at the top of a spec: fails its tests with a clear message when the environment is missing. */
export function requireServiceEnv(): void {
  test.beforeAll(() => {
    if (!process.env.BASE_URL)
      throw new Error('BASE_URL must point at the running service, e.g. http://localhost:3000');
    if (!adminEmail || !adminPassword) throw new Error('E2E_ADMIN_EMAIL and E2E_ADMIN_PASSWORD must be set');
  });
}

/** Full page by default; the viewport for dialogs and side panels that sit over a long page. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage });
}

export async function signIn(page: Page, email = adminEmail, password = adminPassword): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('current-user')).toContainText(email);
}

/** A bearer token through the API, for setting up and checking state around the UI. */
export async function apiToken(
  request: APIRequestContext,
  email = adminEmail,
  password = adminPassword,
): Promise<string> {
  const response = await request.post('/api/auth/login', { data: { email, password } });
  expect(response.status()).toBe(200);
  return ((await response.json()) as LoginResponse).accessToken;
}

export async function apiHeaders(
  request: APIRequestContext,
  email = adminEmail,
  password = adminPassword,
): Promise<Record<string, string>> {
  return { Authorization: `Bearer ${await apiToken(request, email, password)}` };
}

/** The body of a response that must have `status` (the URL and body are in the failure message). */
export async function ok<T>(response: APIResponse, status = 200): Promise<T> {
  expect(response.status(), `${response.url()}: ${await response.text()}`).toBe(status);
  return (await response.json().catch(() => undefined)) as T;
}

/** A threshold of this scope may be left from an earlier run against the same database: replace it. */
export async function replaceThreshold(
  request: APIRequestContext,
  headers: Record<string, string>,
  data: Record<string, unknown>,
): Promise<PerformanceThreshold> {
  const existing = await ok<PerformanceThreshold[]>(await request.get('/api/admin/monitoring/thresholds', { headers }));
  for (const t of existing) {
    if (
      t.metricType === data.metricType &&
      t.datasourceId === (data.datasourceId ?? null) &&
      t.tableName === (data.tableName ?? null)
    ) {
      await ok(await request.delete(`/api/admin/monitoring/thresholds/${t.id}`, { headers }), 204);
    }
  }
  return ok<PerformanceThreshold>(await request.post('/api/admin/monitoring/thresholds', { headers, data }), 201);
}
