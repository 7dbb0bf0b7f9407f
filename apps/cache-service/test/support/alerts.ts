import type { AlertEvaluationResult, CacheAlertType, CacheAlert, Paginated } from '@ccc/shared-types';
import { QueryCounters } from '../../src/analytics-cache/query-counters.js';
import { bearer, type TestApp } from './test-app.js';
import { sleep } from './warming.js';

/** One alert evaluation through the API, after the query counters are flushed; retried while another round runs. */
export async function evaluateAlerts(app: TestApp, token: string): Promise<AlertEvaluationResult> {
  await app.app.get(QueryCounters).flush();
  for (;;) {
    const result = (await app.http.post('/api/admin/monitoring/alerts/evaluate').set(bearer(token)).expect(200))
      .body as AlertEvaluationResult;
    if (result.ran) return result;
    await sleep(50);
  }
}

/** The one alert of a type a datasource has (the test fails if there is none or more than one). */
export async function onlyAlertOf(
  app: TestApp,
  token: string,
  datasourceId: number,
  alertType: CacheAlertType = 'HIT_RATE_LOW',
): Promise<CacheAlert> {
  const page = (
    await app.http.get('/api/admin/monitoring/alerts').query({ datasourceId, alertType }).set(bearer(token)).expect(200)
  ).body as Paginated<CacheAlert>;
  expect(page.items).toHaveLength(1);
  return page.items[0];
}
