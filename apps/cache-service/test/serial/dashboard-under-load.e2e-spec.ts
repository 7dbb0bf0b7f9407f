import { fork, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { CreatedApiKey, Datasource } from '@ccc/shared-types';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { testEnv } from '../support/env.js';
import { freePort, PrivateRedis } from '../support/redis-server.js';
import { createSourceTable, TEST_MAPPING } from '../support/source-table.js';
import { bearer, createTestApp, userWithToken, type TestApp } from '../support/test-app.js';
import { sleep } from '../support/warming.js';

const READERS = 40;
const DASHBOARD_ROUNDS = 6;
/** The bound for a dashboard request while analytics readers hammer the database. */
const DASHBOARD_BOUND_MS = 1_000;
const READER_SCRIPT = join(__dirname, 'support', 'cold-readers.mjs');

interface Outcome {
  status: number;
  code?: string;
  retryAfter: string | null;
}

/** Resolves once `ready()` holds, polling; fails with `what` after `ms`. */
async function until(ready: () => boolean, what: string, ms = 60_000): Promise<void> {
  for (const deadline = Date.now() + ms; !ready(); await sleep(20)) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms / 1000} s`);
  }
}

/**
 * Issue 9, acceptance 4: 40 analytics readers keep sending broad cold queries (each a sequential scan of ~400,000
 * source rows) while a dashboard user lists datasources and warming history. The readers get answers or 503 with
 * Retry-After — never a 500 — and every dashboard request answers 2xx within a second: the readers' cold fallbacks
 * have their own small pool and cap, so the service's own queries never wait behind them.
 *
 * Runs in the serial pass (nothing else of the suite beside it). The readers are a process of their own, so the
 * test process's event loop serves the service, not 40 HTTP clients. The mix is made certain rather than likely:
 * one fallback at a time (pool and cap 1) and a timeout no scan reaches, and the first fallback waits on a lock
 * until a reader has been turned away (503 SOURCE_BUSY) — once the lock goes, it and later ones answer (200).
 */
describe('the dashboard under a flood of cold analytics queries', () => {
  let redisServer: PrivateRedis;
  let t: TestApp;
  let base: string;
  let viewer: string;
  let key: string;
  let ds: Datasource;
  let readers: ChildProcess | undefined;

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    // The fallbacks sized for this machine's database, as the README advises: it has 2 cores, the readers may use
    // one (pool and cap 1), the service keeps the other. The limits that would stop the load are lifted.
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      SOURCE_QUERY_POOL_SIZE: '1',
      SOURCE_QUERY_MAX_CONCURRENT: '1',
      SOURCE_QUERY_TIMEOUT_MS: '120000',
      RATE_LIMIT_QUERY_PER_SECOND: '1000000',
      RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000',
    });
    const db = t.app.get(DataSource);
    const admin = (await userWithToken(t, 'admin')).token;
    viewer = (await userWithToken(t, 'viewer')).token;
    // 16 × 40 × 16 × 40 = 409,600 rows; its index leads with measure, so a provider filter scans it all.
    const table = await createSourceTable(db, { practices: 40, providers: 16, periods: 40 });
    await db.query(`ANALYZE ${table}`);
    ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(admin))
        .send({ name: `Flood ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
        .expect(201)
    ).body as Datasource;
    key = (
      (
        await t.http
          .post('/api/admin/api-keys')
          .set(bearer(admin))
          .send({ name: 'flood', permissions: ['analytics:read'] })
          .expect(201)
      ).body as CreatedApiKey
    ).key;
    // Real sockets with keep-alive, as services and browsers use them (supertest would open a listener per request).
    const server = await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 180_000);
  afterAll(async () => {
    readers?.kill();
    await t?.close();
    await redisServer?.stop();
  });

  it('answers every dashboard request with 2xx within a second while 40 readers get answers or 503 with Retry-After', async () => {
    const paths = [
      '/api/admin/datasources',
      '/api/admin/analytics/cache/warming/jobs?pageSize=50',
      '/api/admin/analytics/cache/warming/status',
    ];
    // A running service has served these before: the first, still-unoptimised calls are not what is measured.
    for (const path of paths) await (await fetch(`${base}${path}`, { headers: bearer(viewer) })).arrayBuffer();

    const blocker = new pg.Client({ connectionString: testEnv().databaseUrl });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`LOCK TABLE ${ds.sourceTable} IN ACCESS EXCLUSIVE MODE`);
    const seen = new Map<number, number>();
    const child = fork(READER_SCRIPT, [], {
      env: {
        ...process.env,
        READERS_URL: `${base}/api/analytics/datasources/${ds.id}/query`,
        READERS_KEY: key,
        READERS: String(READERS),
      },
    });
    readers = child;
    const finished = new Promise<Outcome[]>((resolve, reject) => {
      child.on('message', (message: { outcome?: Outcome; done?: Outcome[] }) => {
        if (message.outcome) seen.set(message.outcome.status, (seen.get(message.outcome.status) ?? 0) + 1);
        if (message.done) resolve(message.done);
      });
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the readers exited (${code}) before reporting`)));
    });
    finished.catch(() => undefined); // awaited below; a failure before that must not surface as an unhandled rejection

    const dashboard: Array<{ path: string; status: number; ms: number }> = [];
    try {
      try {
        // The first fallback holds the only slot while it waits for the lock: the other readers are turned away.
        await until(() => (seen.get(503) ?? 0) > 0, 'a reader turned away');
      } finally {
        await blocker.query('ROLLBACK').catch(() => undefined);
        await blocker.end();
      }
      // From here on the fallbacks scan the table one after another as fast as the database allows.
      for (let round = 0; round < DASHBOARD_ROUNDS; round++) {
        for (const path of paths) {
          const started = performance.now();
          const response = await fetch(`${base}${path}`, { headers: bearer(viewer) });
          await response.arrayBuffer();
          dashboard.push({ path, status: response.status, ms: Math.round(performance.now() - started) });
        }
        await sleep(150);
      }
      await until(() => (seen.get(200) ?? 0) > 0, 'a reader answered');
    } finally {
      child.send('stop');
    }
    const outcomes = await finished;

    expect(dashboard.filter((request) => request.status < 200 || request.status >= 300)).toEqual([]);
    expect(dashboard.filter((request) => request.ms >= DASHBOARD_BOUND_MS)).toEqual([]);
    // Some readers answered, some were turned away — none failed.
    expect(outcomes.filter((o) => o.status === 200).length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.status === 503).length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.status !== 200 && o.status !== 503)).toEqual([]);
    for (const refused of outcomes.filter((o) => o.status === 503)) {
      expect(['SOURCE_BUSY', 'SOURCE_TIMEOUT']).toContain(refused.code);
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    }
  }, 180_000);
});
