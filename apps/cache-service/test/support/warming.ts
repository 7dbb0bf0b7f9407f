import type { WarmingJob, WarmResponse } from '@ccc/shared-types';
import type { Redis } from 'ioredis';
import { bearer, type TestApp } from './test-app.js';

export const FINAL_STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED'];

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** POST /warm for one datasource (202 expected). */
export async function requestWarm(
  t: TestApp,
  token: string,
  datasourceId: number,
  force = true,
): Promise<WarmResponse> {
  return (
    await t.http.post('/api/admin/analytics/cache/warm').set(bearer(token)).send({ datasourceId, force }).expect(202)
  ).body as WarmResponse;
}

export async function warmingJob(t: TestApp, token: string, jobId: string): Promise<WarmingJob> {
  return (await t.http.get(`/api/admin/analytics/cache/warming/jobs/${jobId}`).set(bearer(token)).expect(200))
    .body as WarmingJob;
}

/** Polls `done` every `everyMs` until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(
  done: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Polls the job until `done` holds for it; the error names its last status and progress. */
export async function waitForJobWhere(
  t: TestApp,
  token: string,
  jobId: string,
  done: (job: WarmingJob) => boolean,
  timeoutMs = 30_000,
): Promise<WarmingJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await warmingJob(t, token, jobId);
    if (done(current)) return current;
    if (Date.now() > deadline)
      throw new Error(
        `job ${jobId} stayed ${current.status} (${current.rowsProcessed}/${current.rowsTotal}): ${current.failureReason}`,
      );
    await sleep(20);
  }
}

/** Polls the job until it reaches one of `statuses`. */
export async function waitForJob(
  t: TestApp,
  token: string,
  jobId: string,
  statuses: string[],
  timeoutMs = 30_000,
): Promise<WarmingJob> {
  return waitForJobWhere(t, token, jobId, (job) => statuses.includes(job.status), timeoutMs);
}

/** Warms one datasource and waits for the job to complete (throws with the reason if it failed or was cancelled). */
export async function warmAndWait(t: TestApp, token: string, datasourceId: number, force = true): Promise<WarmingJob> {
  const { jobId } = await requestWarm(t, token, datasourceId, force);
  const job = await waitForJob(t, token, jobId, FINAL_STATUSES);
  if (job.status !== 'COMPLETED') throw new Error(`warm ${jobId}: ${job.status} ${job.failureReason}`);
  return job;
}

/** Every Redis key (entries and index sets) of one generation of a datasource, sorted, found with SCAN. */
export async function generationKeys(redis: Redis, datasourceId: number, generation: number): Promise<string[]> {
  return scanAll(redis, [`cache:{ds:${datasourceId}}:g${generation}:*`, `idx:{ds:${datasourceId}}:g${generation}:*`]);
}

export async function scanAll(redis: Redis, patterns: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const pattern of patterns) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
  }
  return found.sort();
}
