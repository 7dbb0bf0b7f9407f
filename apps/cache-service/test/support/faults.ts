import type { AnalyticsQueryResponse, Datasource, WarmingJob } from '@ccc/shared-types';
import { DataSource } from 'typeorm';
import { createSourceTable, TEST_MAPPING } from './source-table.js';
import { bearer, type TestApp } from './test-app.js';
import { FINAL_STATUSES, sleep, warmingJob } from './warming.js';

/** Shared steps of the fault tests (test/serial/*-fault / *-mid-warm specs). */

/** Environment every fault test's service gets: limits out of the way, deletions without grace, small batches (a warm lasts a while). */
export const FAULT_ENV = {
  RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000',
  RATE_LIMIT_WARMING_PER_HOUR: '10000',
  RATE_LIMIT_QUERY_PER_SECOND: '100000',
  CACHE_GC_GRACE_MS: '0',
  WARM_BATCH_ENTRIES: '5',
};

/** Polls /health/ready until it answers `expected`; returns its body. */
export async function waitForReadiness(
  t: TestApp,
  expected: 200 | 503,
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  let last: { status: number; body: Record<string, unknown> } = { status: 0, body: {} };
  while (Date.now() < deadline) {
    const response = await t.http.get('/health/ready');
    last = { status: response.status, body: response.body as Record<string, unknown> };
    if (response.status === expected) return last.body;
    await sleep(200);
  }
  throw new Error(`readiness stayed ${last.status}: ${JSON.stringify(last.body)}`);
}

/** Polls a job (through the API) until `done` holds for it; tolerates the API failing meanwhile (a dependency is down). */
export async function waitForJobState(
  t: TestApp,
  token: string,
  jobId: string,
  done: (job: WarmingJob) => boolean,
  timeoutMs = 90_000,
): Promise<WarmingJob> {
  const deadline = Date.now() + timeoutMs;
  let last: WarmingJob | string;
  for (;;) {
    try {
      last = await warmingJob(t, token, jobId);
      if (done(last)) return last;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} did not reach the expected state; last: ${JSON.stringify(last)}`);
    await sleep(100);
  }
}

export const isFinal = (job: WarmingJob): boolean => FINAL_STATUSES.includes(job.status);

/** A datasource on a fresh source table of the given shape (4 measures × practices × providers × 4 frequencies entries, × periods rows). */
export async function createDatasource(
  t: TestApp,
  token: string,
  shape: { practices: number; providers: number; periods: number },
): Promise<number> {
  const table = await createSourceTable(t.app.get(DataSource), shape);
  const created = await t.http
    .post('/api/admin/datasources')
    .set(bearer(token))
    .send({ name: `Fault ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
    .expect(201);
  return (created.body as Datasource).id;
}

/** One analytics query of one entry (practice 1, its first provider, daily charges). */
export function queryOne(t: TestApp, token: string, datasourceId: number) {
  return t.http
    .get(`/api/analytics/datasources/${datasourceId}/query`)
    .query({ measure: 'Charges', frequency: 'Daily', practice: '1', provider: '1001' })
    .set(bearer(token));
}

export async function cachedAnswer(t: TestApp, token: string, datasourceId: number): Promise<AnalyticsQueryResponse> {
  return (await queryOne(t, token, datasourceId).expect(200)).body as AnalyticsQueryResponse;
}
