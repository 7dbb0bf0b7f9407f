import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Datasource, LoginResponse, WarmingJob, WarmResponse } from '@ccc/shared-types';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { createScratchDatabase } from './support/scratch-database.js';
import { createSourceTable, TEST_MAPPING, TEST_SOURCE_SCHEMA } from './support/source-table.js';
import { sleep } from './support/warming.js';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const ADMIN = { email: 'logs-admin@test.local', password: 'Correct-Horse-9-logs' };

type LogLine = Record<string, unknown>;

/**
 * What on-call reads: the built service's stdout, one JSON object per line. A request's correlation id leads from
 * its request line to the lines of the warm it queued, written by the worker. The service runs as a process of its
 * own (on its own Redis and database, so its worker takes no other test's jobs).
 */
describe('request logging on stdout', () => {
  let redis: PrivateRedis;
  let database: { url: string; drop(): Promise<void> };
  let service: ChildProcess;
  let base: string;
  let stdout = '';
  let db: pg.Client;
  const lines = (): LogLine[] =>
    stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as LogLine;
        } catch {
          throw new Error(`not a JSON log line: ${line}`);
        }
      });
  const call = async <T>(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => null)) as T };
  };

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the service first (npm run build)`);
    redis = new PrivateRedis(await freePort());
    await redis.start();
    database = await createScratchDatabase('ccc_logs');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    service = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        REDIS_URL: redis.url,
        DATABASE_URL: database.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        JWT_SECRET: 'test-secret-test-secret-test-secret-000',
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        SOURCE_SCHEMAS: TEST_SOURCE_SCHEMA,
        SCRYPT_COST: '14',
        LOG_LEVEL: 'log',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    service.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    for (let i = 0; i < 600; i++) {
      if (
        (await fetch(`${base}/health/ready`).then(
          (r) => r.status,
          () => 0,
        )) === 200
      )
        break;
      if (service.exitCode !== null) throw new Error(`the service ended at start-up:\n${stdout}`);
      await sleep(100);
    }
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  }, 90_000);
  afterAll(async () => {
    service?.kill('SIGTERM');
    await new Promise((resolve) => (service?.exitCode !== null ? resolve(null) : service.once('exit', resolve)));
    await db?.end();
    await database?.drop();
    await redis?.stop();
  });

  it('follows one warm request from its request line to the worker lines of the warm it queued', async () => {
    const login = await call<LoginResponse>('POST', '/api/auth/login', {}, ADMIN);
    expect(login.status).toBe(200);
    const auth = { Authorization: `Bearer ${login.body.accessToken}` };
    const table = await createSourceTable(
      { query: async (sql: string, params?: unknown[]) => (await db.query(sql, params)).rows } as unknown as DataSource,
      { practices: 2, providers: 2, periods: 3 },
    );
    const ds = (
      await call<Datasource>('POST', '/api/admin/datasources', auth, {
        name: 'Logged source',
        sourceTable: table,
        columnMapping: TEST_MAPPING,
      })
    ).body;

    const correlationId = `warm-trace-${randomUUID()}`;
    const warm = await call<WarmResponse>(
      'POST',
      '/api/admin/analytics/cache/warm',
      { ...auth, 'X-Correlation-Id': correlationId },
      { datasourceId: ds.id, force: true },
    );
    expect(warm.status).toBe(202);
    let job: WarmingJob | null = null;
    for (let i = 0; i < 300 && job?.status !== 'COMPLETED'; i++) {
      await sleep(100);
      job = (await call<WarmingJob>('GET', `/api/admin/analytics/cache/warming/jobs/${warm.body.jobId}`, auth)).body;
    }
    expect(job?.status).toBe('COMPLETED');
    await sleep(300); // the last worker lines reach stdout

    const all = lines();
    const requestLine = all.find((line) => line.msg === 'request' && line.correlationId === correlationId);
    expect(requestLine).toMatchObject({
      level: 'info',
      method: 'POST',
      route: '/api/admin/analytics/cache/warm',
      status: 202,
      principal: expect.stringMatching(/^user:[0-9a-f-]{36}$/),
      durationMs: expect.any(Number),
      time: expect.any(String),
    });
    // Route templates, never raw paths: the job id is not in the route of its polling requests.
    expect(all.find((line) => line.msg === 'request' && String(line.route).includes('/warming/jobs/'))).toMatchObject({
      route: '/api/admin/analytics/cache/warming/jobs/:jobId',
    });

    const workerLines = all.filter((line) => line.correlationId === correlationId && line.msg !== 'request');
    expect(workerLines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          context: 'WarmingProcessor',
          msg: 'warm completed',
          datasourceId: ds.id,
          jobId: warm.body.jobId,
        }),
      ]),
    );
    // Nothing of this warm was logged without its correlation id.
    expect(all.filter((line) => line.jobId === warm.body.jobId && line.correlationId !== correlationId)).toEqual([]);
  });
});
