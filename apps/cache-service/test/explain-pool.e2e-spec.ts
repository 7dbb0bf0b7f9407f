import type { CreatedApiKey, Datasource } from '@ccc/shared-types';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { QueryPerformanceRecorder } from '../src/db-performance/query-performance.recorder.js';
import { testEnv } from './support/env.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';
import { sleep } from './support/warming.js';

const FALLBACKS = 'cache-command-center:cold-fallback';

/**
 * The query-performance log EXPLAINs each new pattern of the analytics readers' cold fallbacks. Without
 * SOURCE_DATABASE_URL those EXPLAINs ran on the service's own pool; they run on a spare connection of the
 * fallbacks' own pool, and are skipped while the fallbacks need it.
 */
describe('EXPLAINs of the query-performance log', () => {
  let redisServer: PrivateRedis;
  let t: TestApp;
  let db: DataSource;
  let recorder: QueryPerformanceRecorder;
  let key: string;
  let admin: string;
  const blockers: pg.Client[] = [];

  /** An execution as the cold fallback records it, of a pattern of its own (a table of its own). */
  const recordRead = (table: string): void =>
    recorder.record({
      sql: `SELECT "measure"::text FROM ${table} WHERE "measure"::text = $1`,
      params: ['Charges'],
      datasourceId: null,
      strategyId: null,
      table,
      context: 'cold-fallback',
      executionTimeMs: 1,
      rowsReturned: 1,
    });
  const logged = async (table: string) =>
    (await db.query(
      `SELECT rows_examined::int AS examined, indexes_used FROM query_performance_log WHERE query_pattern LIKE $1 ORDER BY executed_at`,
      [`%${table}%`],
    )) as Array<{
      examined: number;
      indexes_used: string[] | null;
    }>;
  /** A session holding ACCESS EXCLUSIVE on the table until its ROLLBACK: anything reading or planning it waits. */
  const lock = async (table: string): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: testEnv().databaseUrl });
    await client.connect();
    blockers.push(client);
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    return client;
  };
  const waiting = async (like: string, seconds = 30): Promise<Array<{ application_name: string }>> => {
    for (let i = 0; i < seconds * 20; i++) {
      const rows = (await db.query(
        `SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`,
        [like],
      )) as Array<{ application_name: string }>;
      if (rows.length > 0) return rows;
      await sleep(50);
    }
    return [];
  };

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    // No SOURCE_DATABASE_URL: the fallbacks' pool and the service's own pool reach the same database as the same role.
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      SOURCE_QUERY_POOL_SIZE: '1',
      SOURCE_QUERY_MAX_CONCURRENT: '1',
      SOURCE_QUERY_TIMEOUT_MS: '60000',
    });
    db = t.app.get(DataSource);
    recorder = t.app.get(QueryPerformanceRecorder);
    admin = (await userWithToken(t, 'admin')).token;
    key = (
      (
        await t.http
          .post('/api/admin/api-keys')
          .set(bearer(admin))
          .send({ name: 'explain', permissions: ['analytics:read'] })
          .expect(201)
      ).body as CreatedApiKey
    ).key;
  });
  afterAll(async () => {
    for (const client of blockers) await client.end().catch(() => undefined);
    await t?.close();
    await redisServer?.stop();
  });

  it("runs them on the cold fallbacks' pool, never on the service's own", async () => {
    const table = await createSourceTable(db, { practices: 1, providers: 1, periods: 1 });
    const blocker = await lock(table);
    recordRead(table);
    const flushed = recorder.flush();
    try {
      // The EXPLAIN plans the locked table, so it waits for the lock where it runs.
      const explaining = await waiting(`EXPLAIN%${table.split('.')[1]}%`);
      expect(explaining.map((row) => row.application_name)).toEqual([FALLBACKS]);
    } finally {
      await blocker.query('ROLLBACK');
    }
    await flushed;
    expect((await logged(table))[0].examined).toBeGreaterThan(0);
  });

  it('skips them while the fallbacks need every connection, and explains the pattern once one is spare again', async () => {
    // A cold fallback waits on a locked table, holding the only connection of the fallbacks' pool.
    const busyTable = await createSourceTable(db, { practices: 1, providers: 1, periods: 1 });
    const ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(admin))
        .send({ name: `Busy ${busyTable}`, sourceTable: busyTable, columnMapping: TEST_MAPPING })
        .expect(201)
    ).body as Datasource;
    const blocker = await lock(busyTable);
    const fallback = t.http
      .get(`/api/analytics/datasources/${ds.id}/query`)
      .query({ measure: 'Charges' })
      .set('X-API-Key', key)
      .then((response) => response);
    const table = await createSourceTable(db, { practices: 1, providers: 1, periods: 1 });
    try {
      expect((await waiting(`%${busyTable.split('.')[1]}%`)).map((row) => row.application_name)).toContain(FALLBACKS);
      recordRead(table);
      await recorder.flush();
      expect(await logged(table)).toEqual([{ examined: 0, indexes_used: null }]);
    } finally {
      await blocker.query('ROLLBACK');
    }
    expect((await fallback).status).toBe(200);
    recordRead(table);
    await recorder.flush();
    const rows = await logged(table);
    expect(rows).toHaveLength(2);
    expect(rows[1].examined).toBeGreaterThan(0);
  });
});
