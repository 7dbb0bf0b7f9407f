import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Datasource, WarmingJob, WarmResponse } from '@ccc/shared-types';
import pg from 'pg';
import request from 'supertest';
import { freePort, PrivateRedis } from '../support/redis-server.js';
import { createScratchDatabase } from '../support/scratch-database.js';
import { sleep } from '../support/warming.js';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');
const LOAD_SCRIPT = join(__dirname, 'support', 'refresh-load.mjs');
const ADMIN = { email: 'load-admin@example.com', password: 'Load-Admin-Passw0rd!' };
const RATE = 250;
// Demo values are below 10,000; the refresh reads them raised by this, so an answer shows which generation its values came from.
const RAISED = 1_000_000;

type Result = [
  sentAt: number,
  latencyMs: number,
  status: number,
  source: string | null,
  generation: number | null,
  entries: number,
  values: 'old' | 'new' | 'mixed' | 'none',
];

/**
 * Two API processes and one worker process (the built service, by SERVICE_ROLE) on one Redis and one database; a
 * paced load of mixed queries across both API processes for the whole refresh of the largest demo datasource.
 * Every answer must be a cache hit, from one generation as a whole; latencies are printed (the bench owns speed).
 */
describe('load during a refresh, across processes', () => {
  const children: ChildProcess[] = [];
  const logDir = mkdtempSync(join(tmpdir(), 'ccc-load-'));
  let redisServer: PrivateRedis;
  let database: { url: string; drop(): Promise<void> };

  async function startService(role: 'api' | 'worker', extra: Record<string, string> = {}): Promise<string> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the service first (npm run build)`);
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        REDIS_URL: redisServer.url,
        DATABASE_URL: database.url,
        PORT: String(port),
        SERVICE_ROLE: role,
        JWT_SECRET: 'load-test-secret-load-test-secret-0000',
        LOG_LEVEL: 'warn',
        MONITORING_SCHEDULES: 'false',
        SEED_DEMO: 'false',
        RATE_LIMIT_QUERY_PER_SECOND: '1000000',
        RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000',
        RATE_LIMIT_WARMING_PER_HOUR: '1000',
        CACHE_GC_GRACE_MS: '5000',
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(join(logDir, `${role}-${port}.log`));
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    children.push(child);
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(
          `the ${role} process exited with ${child.exitCode} (log: ${join(logDir, `${role}-${port}.log`)})`,
        );
      const ready = await fetch(`${base}/health/ready`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ready) return base;
      if (Date.now() > deadline) throw new Error(`the ${role} process did not become ready`);
      await sleep(250);
    }
  }

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    database = await createScratchDatabase('ccc_load');
  });
  afterAll(async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => (clearTimeout(killer), resolve()));
            child.kill('SIGTERM');
          }),
      ),
    );
    await redisServer?.destroy();
    await database?.drop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('serves 0 errors and 0 misses, every answer from one generation, for the whole refresh of the largest demo datasource', async () => {
    // The worker migrates, seeds the demo and creates the admin; then the API processes join.
    await startService('worker', {
      SEED_DEMO: 'true',
      DEMO_SCALE: '1',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    });
    const apis = [await startService('api'), await startService('api')];
    const http = request(apis[0]);
    const token = ((await http.post('/api/auth/login').send(ADMIN).expect(200)).body as { accessToken: string })
      .accessToken;
    const auth = { Authorization: `Bearer ${token}` };
    const listed = (await http.get('/api/admin/datasources').query({ limit: 100 }).set(auth).expect(200)).body as
      { items: Datasource[] } | Datasource[];
    const revenue = (Array.isArray(listed) ? listed : listed.items).find(
      (datasource) => datasource.name === 'Revenue Analytics',
    )!;
    expect(revenue).toBeDefined();
    const key = (
      (
        await http
          .post('/api/admin/api-keys')
          .set(auth)
          .send({ name: 'load', permissions: ['analytics:read'] })
          .expect(201)
      ).body as { key: string }
    ).key;

    const warm = async (): Promise<{ job: WarmingJob; requestedAt: number }> => {
      const requestedAt = Date.now();
      const { jobId } = (
        await http
          .post('/api/admin/analytics/cache/warm')
          .set(auth)
          .send({ datasourceId: revenue.id, force: true })
          .expect(202)
      ).body as WarmResponse;
      for (;;) {
        const job = (await http.get(`/api/admin/analytics/cache/warming/jobs/${jobId}`).set(auth).expect(200))
          .body as WarmingJob;
        if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status)) return { job, requestedAt };
        await sleep(100);
      }
    };
    const first = await warm();
    expect(first.job.status).toBe('COMPLETED');

    // The refresh reads changed values: an answer mixing generations would show both kinds.
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    await db.query(`UPDATE demo_analytics.revenue_facts SET value = value + ${RAISED}`);
    await db.end();

    const load = fork(LOAD_SCRIPT, [], {
      env: {
        ...process.env,
        LOAD_URLS: apis.join(','),
        LOAD_KEY: key,
        LOAD_DATASOURCE: String(revenue.id),
        LOAD_RATE: String(RATE),
        LOAD_RAISED: String(RAISED),
      },
      stdio: 'inherit',
    });
    children.push(load);
    const finished = new Promise<{ results: Result[]; startedAt: number; stoppedAt: number }>((resolve) =>
      load.on(
        'message',
        (message: { done?: { results: Result[]; startedAt: number; stoppedAt: number } }) =>
          message.done && resolve(message.done),
      ),
    );
    await sleep(1_000);
    const refresh = await warm();
    const completedAt = Date.now();
    await sleep(1_000);
    load.send('stop');
    const { results } = await finished;

    expect(refresh.job.status).toBe('COMPLETED');
    const during = results.filter(([sentAt]) => sentAt >= refresh.requestedAt && sentAt <= completedAt);
    const seconds = (completedAt - refresh.requestedAt) / 1000;
    const latencies = during.map(([, latency]) => latency).sort((a, b) => a - b);
    const percentile = (p: number): number =>
      Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] * 10) / 10;
    const byGeneration = new Map<number | null, number>();
    for (const result of results) byGeneration.set(result[4], (byGeneration.get(result[4]) ?? 0) + 1);
    console.log(
      `[load-during-refresh] refresh of ${revenue.name} (${refresh.job.rowsTotal} rows) took ${seconds.toFixed(1)} s; ${during.length} queries during it ` +
        `(${(during.length / seconds).toFixed(0)} req/s over 2 API processes, 1 worker), p50 ${percentile(50)} ms, p99 ${percentile(99)} ms; ` +
        `${results.length} queries in all, by generation: ${[...byGeneration].map(([generation, n]) => `g${generation}: ${n}`).join(', ')}; ` +
        `machine: ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} (latencies include the wait for a core)`,
    );

    expect(results.filter(([, , status]) => status !== 200).slice(0, 5)).toEqual([]);
    expect(results.filter(([, , , source]) => source !== 'cache').slice(0, 5)).toEqual([]);
    // Wholly one generation: the old one's values or the new one's, matching the generation the answer names.
    const expectedValues = (generation: number | null): string =>
      generation === first.job.generation ? 'old' : generation === refresh.job.generation ? 'new' : 'unknown';
    expect(results.filter((result) => result[6] !== expectedValues(result[4])).slice(0, 5)).toEqual([]);
    expect(byGeneration.get(first.job.generation)).toBeGreaterThan(0);
    expect(byGeneration.get(refresh.job.generation)).toBeGreaterThan(0);
    expect(during.length).toBeGreaterThan(0);
  }, 600_000);
});
