import type { CacheHealthResponse, CacheStatsResponse, Datasource, WarmResponse, WarmingJob } from '@ccc/shared-types';
import { Redis } from 'ioredis';
import { QUEUE_PREFIX } from '../../src/redis/redis-keys.js';
import { isolatedStack, type IsolatedStack } from '../support/isolated-stack.js';
import { createSourceTable, TEST_MAPPING } from '../support/source-table.js';
import { bearer, createTestApp, userWithToken, type TestApp } from '../support/test-app.js';
import { sleep } from '../support/warming.js';
import {
  countMatching,
  familyTable,
  peakRssMb,
  inBatches,
  keyFamilies,
  medianMs,
  startWorkerProcess,
  stopWorkerProcess,
  sumWhere,
  type WorkerProcess,
} from './support/scale.js';

/**
 * Issue 13, "many datasources": 1,000 small datasources and one large one, warmed by three worker processes (the
 * built service in role `worker`; this process serves the API only). Proves that every datasource ends warm, that
 * warms are prioritised (manual > warm-all > scheduled, see JobRepository's WARM_PRIORITY) so that a manual warm is
 * not starved behind 1,000 scheduled ones, that Redis and queue keys stay bounded across rounds, and that the
 * stats, health and list endpoints still answer. Timings are printed for the issue's note, never asserted.
 */
const SMALL = 1000;
const WORKERS = 3;
const CLIENTS = 12;

interface JobCounts {
  [typeAndStatus: string]: number;
}

describe('1,000 datasources, warmed by 3 worker processes', () => {
  let stack: IsolatedStack;
  let t: TestApp;
  let token: string;
  let redis: Redis;
  const workers: WorkerProcess[] = [];
  const small: number[] = [];
  let large: number;
  const timings: string[] = [];
  const note = (line: string): void => void timings.push(line);

  beforeAll(async () => {
    stack = await isolatedStack('scale');
    t = await createTestApp({
      ...stack.env,
      SERVICE_ROLE: 'api',
      RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000',
      RATE_LIMIT_WARMING_PER_HOUR: '100000',
    });
    token = (await userWithToken(t, 'operator')).token;
    redis = new Redis(stack.env.REDIS_URL);
    // Retention 0 (as in createTestApp): the test counts one generation per datasource after each round.
    const env = { CACHE_GC_GRACE_MS: '500', GENERATION_RETENTION_SECONDS: '0' };
    for (let i = 0; i < WORKERS; i++) workers.push(await startWorkerProcess(stack.env, env));
  }, 120_000);

  afterAll(async () => {
    console.log(
      `many-datasources timings (${SMALL} small + 1 large, ${WORKERS} worker processes):\n  ${timings.join('\n  ')}`,
    );
    await Promise.all(workers.map(stopWorkerProcess));
    redis?.disconnect();
    await t?.close();
    await stack?.close();
  }, 60_000);

  afterEach(() => {
    const dead = workers.filter((w) => w.child.exitCode !== null);
    if (dead.length > 0) throw new Error(`a worker process exited: ${dead.map((w) => w.stderr()).join('\n---\n')}`);
  });

  const jobCounts = async (): Promise<JobCounts> => {
    const rows: Array<{ type: string; status: string; n: string }> = await stack.db.query(
      'SELECT warming_type AS type, job_status AS status, count(*) AS n FROM cache_warming_job GROUP BY 1, 2',
    );
    return Object.fromEntries(rows.map((r) => [`${r.type}/${r.status}`, Number(r.n)]));
  };
  const countOf = (counts: JobCounts, type: string, statuses: string[]): number =>
    statuses.reduce((sum, s) => sum + (counts[`${type}/${s}`] ?? 0), 0);

  async function waitUntil<T>(
    what: string,
    probe: () => Promise<T | null | false>,
    timeoutMs: number,
    pollMs = 250,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting until ${what}: ${JSON.stringify(await jobCounts())}`);
      await sleep(pollMs);
    }
  }

  const stats = async (): Promise<CacheStatsResponse> =>
    (await t.http.get('/api/admin/analytics/cache/stats').set(bearer(token)).expect(200)).body as CacheStatsResponse;

  it('registers 1,000 small datasources on one shared source table and one large datasource', async () => {
    const started = Date.now();
    // Many datasources may read one table: a datasource is a name, a source and a cache policy.
    const smallTable = await createSourceTable(stack.db, { practices: 1, providers: 2, periods: 2 });
    const largeTable = await createSourceTable(stack.db, { practices: 10, providers: 50, periods: 20 });
    const create = async (body: Record<string, unknown>): Promise<number> =>
      ((await t.http.post('/api/admin/datasources').set(bearer(token)).send(body).expect(201)).body as Datasource).id;
    large = await create({ name: 'Scale large', sourceTable: largeTable, columnMapping: TEST_MAPPING });
    // No minimum interval: a scheduled warm right after warm-all is a real warm, not a skip.
    small.push(
      ...(await inBatches(
        Array.from({ length: SMALL }, (_, i) => i),
        CLIENTS,
        (i) =>
          create({
            name: `Scale small ${String(i).padStart(4, '0')}`,
            sourceTable: smallTable,
            columnMapping: TEST_MAPPING,
            minWarmIntervalSeconds: 0,
          }),
      )),
    );
    note(
      `register ${SMALL + 1} datasources through the API (${CLIENTS} clients): ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    const list = (await t.http.get('/api/admin/datasources').set(bearer(token)).expect(200)).body as Datasource[];
    expect(list).toHaveLength(SMALL + 1);
  }, 180_000);

  let afterFirstRound: Map<string, number>;

  it('warm-all queues every datasource and the workers warm them all, the large one included', async () => {
    const started = Date.now();
    const response = (
      await t.http.post('/api/admin/analytics/cache/warm').set(bearer(token)).send({ force: true }).expect(202)
    ).body as WarmResponse;
    const queuedMs = Date.now() - started;
    expect(response.datasourcesQueued).toHaveLength(SMALL + 1);
    // Within one priority the queue is first in, first out: the large one (queued first) is not overtaken.
    const largeJob = response.results.find((r) => r.datasourceId === large)!.jobId!;
    const counts = await waitUntil(
      'warm-all completes',
      async () => {
        const c = await jobCounts();
        return countOf(c, 'WARM_ALL', ['COMPLETED', 'FAILED', 'CANCELLED']) === SMALL + 1 && c;
      },
      150_000,
      500,
    );
    const totalMs = Date.now() - started;
    expect(counts['WARM_ALL/COMPLETED']).toBe(SMALL + 1);
    const largeRow = (
      await t.http.get(`/api/admin/analytics/cache/warming/jobs/${largeJob}`).set(bearer(token)).expect(200)
    ).body as WarmingJob;
    expect(largeRow).toMatchObject({ status: 'COMPLETED', rowsProcessed: 160_000 });
    note(
      `warm-all: POST answered in ${(queuedMs / 1000).toFixed(1)} s; all ${SMALL + 1} warm after ${(totalMs / 1000).toFixed(1)} s (${((SMALL + 1) / (totalMs / 1000)).toFixed(0)} datasources/s); the large one (160k rows) took ${largeRow.durationSeconds} s`,
    );

    const summary = (await stats()).summary;
    expect(summary).toMatchObject({ totalDatasources: SMALL + 1, warmDatasources: SMALL + 1, coldDatasources: 0 });
    afterFirstRound = await keyFamilies(redis);
  }, 240_000);

  it('schedules fire for all 1,000 at once, and a manual warm queued behind them starts before they drain', async () => {
    // One 6-field cron for all: every minute at one second, far enough ahead for the PUTs to land before it.
    const second = new Date(Date.now() + 25_000).getUTCSeconds();
    const cron = `${second} * * * * *`;
    let started = Date.now();
    await inBatches(small, CLIENTS, (id) =>
      t.http.put(`/api/admin/analytics/cache/schedules/${id}`).set(bearer(token)).send({ cron }).expect(200),
    );
    note(`set ${SMALL} warm schedules through the API: ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // The schedules' trigger jobs (no priority) each queue one SCHEDULED warm (priority 10).
    const queued = await waitUntil(
      'the schedules queued their warms',
      async () => {
        const c = await jobCounts();
        const n = countOf(c, 'SCHEDULED', ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED']);
        return n >= SMALL * 0.9 && n;
      },
      90_000,
      100,
    );
    // Should the PUTs outlast the margin, part of the schedules fire a minute later: count what waits now.
    const waiting = countOf(await jobCounts(), 'SCHEDULED', ['PENDING']);
    expect(waiting).toBeGreaterThan(100);
    started = Date.now();
    const manual = (
      await t.http
        .post('/api/admin/analytics/cache/warm')
        .set(bearer(token))
        .send({ datasourceId: large, force: true })
        .expect(202)
    ).body as WarmResponse;
    expect(manual.results[0].status).toBe('queued');
    const manualJob = await waitUntil(
      'the manual warm completes',
      async () => {
        const job = (
          await t.http.get(`/api/admin/analytics/cache/warming/jobs/${manual.jobId}`).set(bearer(token)).expect(200)
        ).body as WarmingJob;
        return job.status === 'COMPLETED' && job;
      },
      120_000,
      100,
    );
    // How many of the scheduled warms queued before it had not yet started when it started.
    const [{ behind }] = (await stack.db.query(
      `SELECT count(*)::int AS behind FROM cache_warming_job WHERE warming_type = 'SCHEDULED' AND (started_at IS NULL OR started_at > $1)`,
      [manualJob.startedAt],
    )) as Array<{ behind: number }>;
    note(
      `manual warm queued behind ${queued} scheduled warms (${waiting} not yet started): started after ${((Date.parse(manualJob.startedAt!) - started) / 1000).toFixed(1)} s, with ${behind} scheduled warms still waiting`,
    );
    expect(behind).toBeGreaterThan(waiting / 2);

    const counts = await waitUntil(
      'the scheduled warms drain',
      async () => {
        const c = await jobCounts();
        return (
          countOf(c, 'SCHEDULED', ['PENDING', 'RUNNING', 'PAUSED']) === 0 &&
          countOf(c, 'SCHEDULED', ['COMPLETED']) >= SMALL &&
          c
        );
      },
      150_000,
      500,
    );
    note(
      `scheduled round: ${((Date.now() - started) / 1000).toFixed(1)} s from the manual warm until all scheduled warms had run`,
    );
    expect(countOf(counts, 'SCHEDULED', ['FAILED'])).toBe(0);
    // Off again, so that no further round starts while the keys are counted.
    await inBatches(small, CLIENTS, (id) =>
      t.http.put(`/api/admin/analytics/cache/schedules/${id}`).set(bearer(token)).send({ cron: null }).expect(200),
    );
  }, 300_000);

  it('keeps per-datasource keys and queue keys bounded: a second round leaves what the first did', async () => {
    // Old generations go after the grace period: one live generation per datasource again (a generation's `ranges`
    // hash exists exactly while it has entries).
    await waitUntil(
      'old generations are deleted',
      async () => (await countMatching(redis, 'idx:{ds:*}:g*:ranges')) === SMALL + 1,
      60_000,
      500,
    );
    await waitUntil(
      'the queue is idle',
      async () => {
        const [waiting, active, prioritized] = await Promise.all([
          redis.llen(`${QUEUE_PREFIX}:warming:wait`),
          redis.llen(`${QUEUE_PREFIX}:warming:active`),
          redis.zcard(`${QUEUE_PREFIX}:warming:prioritized`),
        ]);
        return waiting + active + prioritized === 0;
      },
      30_000,
      250,
    );
    const afterSecondRound = await keyFamilies(redis);
    console.log(
      `${familyTable('keys after warm-all', afterFirstRound)}\n${familyTable('keys after the scheduled round', afterSecondRound)}`,
    );

    const perDatasource = (families: Map<string, number>): number => sumWhere(families, (f) => f.includes('{ds:'));
    expect(perDatasource(afterSecondRound)).toBe(perDatasource(afterFirstRound));
    // Locks and control keys of finished warms are gone: nothing per job outlives it outside the queue.
    expect(sumWhere(afterSecondRound, (f) => f.startsWith('lock:') || f.includes(':warm-control:'))).toBe(0);

    // The queue keeps at most 1,000 finished jobs of each outcome, however many ran (here > 4,000).
    const [completed, failed] = await Promise.all([
      redis.zcard(`${QUEUE_PREFIX}:warming:completed`),
      redis.zcard(`${QUEUE_PREFIX}:warming:failed`),
    ]);
    expect(completed).toBeLessThanOrEqual(1000);
    expect(failed).toBeLessThanOrEqual(1000);
    const queueKeys = (families: Map<string, number>): number => sumWhere(families, (f) => f.startsWith(QUEUE_PREFIX));
    // Retained jobs (≤ 2 × 1,000, each a hash and perhaps a log list) plus a fixed handful of queue structures.
    expect(queueKeys(afterSecondRound)).toBeLessThanOrEqual(2 * 2 * 1000 + 50);
    note(
      `keys: ${perDatasource(afterSecondRound)} per-datasource keys after both rounds (${perDatasource(afterFirstRound)} after the first); queue keys ${queueKeys(afterFirstRound)} → ${queueKeys(afterSecondRound)}; completed jobs kept ${completed}`,
    );
  }, 120_000);

  it('answers stats, health, the lists and readiness with 1,001 datasources (latency printed)', async () => {
    const get = (path: string) => () => t.http.get(path).set(bearer(token)).expect(200);
    const endpoints: Array<[string, string]> = [
      ['stats', '/api/admin/analytics/cache/stats'],
      ['health', '/api/admin/analytics/cache/health'],
      ['datasources list', '/api/admin/datasources'],
      ['schedules', '/api/admin/analytics/cache/schedules'],
      ['warming status', '/api/admin/analytics/cache/warming/status'],
      ['warming jobs (page)', '/api/admin/analytics/cache/warming/jobs'],
      ['one datasource details', `/api/admin/analytics/cache/datasources/${small[500]}`],
      ['readiness', '/health/ready'],
    ];
    for (const [name, path] of endpoints) note(`GET ${name}: median ${await medianMs(5, get(path))} ms of 5`);

    const summary = (await stats()).summary;
    expect(summary).toMatchObject({ totalDatasources: SMALL + 1, warmDatasources: SMALL + 1 });
    const health = (await t.http.get('/api/admin/analytics/cache/health').set(bearer(token)).expect(200))
      .body as CacheHealthResponse;
    expect(health.issues.filter((issue) => issue.severity === 'error')).toEqual([]);

    // What the processes hold, for the capacity guide (docs/scaling.md): connections by client name, worker peak memory.
    const clients = ((await redis.client('LIST')) as string).split('\n').filter(Boolean);
    const byName = new Map<string, number>();
    for (const line of clients) {
      const name = /name=(\S*)/.exec(line)?.[1] || '(unnamed)';
      byName.set(name, (byName.get(name) ?? 0) + 1);
    }
    note(
      `Redis connections (${WORKERS} workers + 1 API process + this test's one): ${[...byName].map(([name, n]) => `${name} ${n}`).join(', ')}`,
    );
    const pg: Array<{ name: string; n: number }> = await stack.db.query(
      'SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() GROUP BY 1',
    );
    note(`PostgreSQL connections: ${pg.map((row) => `${row.name || '(unnamed)'} ${row.n}`).join(', ')}`);
    note(`worker peak RSS (VmHWM): ${workers.map((w) => peakRssMb(w.child.pid!)).join(' / ')} MB`);
  }, 120_000);
});
