import type { Datasource, Paginated, RemediationAction, RemediationRule } from '@ccc/shared-types';
import type { DataSource } from 'typeorm';
import { createSourceTable, TEST_MAPPING } from './source-table.js';
import { bearer, type TestApp } from './test-app.js';

export const RULES = '/api/admin/monitoring/remediation/rules';
export const ACTIONS = '/api/admin/monitoring/remediation/actions';

/** What the remediation specs call through the API as an admin; `current` is read at each call (set in beforeAll). */
export function remediationHelpers(current: () => { t: TestApp; db: DataSource; token: string }) {
  async function threshold(body: Record<string, unknown>): Promise<void> {
    const { t, token } = current();
    await t.http.post('/api/admin/monitoring/thresholds').set(bearer(token)).send(body).expect(201);
  }

  /** A cold datasource whose alerts other than its hit rate are silenced (query time, memory share, age, failures). */
  async function hitRateOnlyDatasource(): Promise<Datasource & { table: string }> {
    const { t, db, token } = current();
    const table = await createSourceTable(db, { practices: 2, providers: 2, periods: 3 });
    const ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(token))
        .send({ name: `Remedy ${table.slice(-6)}`, sourceTable: table, columnMapping: TEST_MAPPING })
        .expect(201)
    ).body as Datasource;
    for (const metricType of ['QUERY_TIME', 'CACHE_MEMORY_SHARE', 'CACHE_AGE', 'WARMING_FAILURES'])
      await threshold({
        metricType,
        datasourceId: ds.id,
        warningThreshold: 1,
        criticalThreshold: 2,
        alertEnabled: false,
      });
    return { ...ds, table };
  }

  async function rule(body: Record<string, unknown>): Promise<RemediationRule> {
    const { t, token } = current();
    return (await t.http.post(RULES).set(bearer(token)).send(body).expect(201)).body as RemediationRule;
  }

  async function actionsOf(ruleId: string): Promise<RemediationAction[]> {
    const { t, token } = current();
    return (
      (await t.http.get(ACTIONS).query({ ruleId }).set(bearer(token)).expect(200)).body as Paginated<RemediationAction>
    ).items;
  }

  return { threshold, hitRateOnlyDatasource, rule, actionsOf };
}
