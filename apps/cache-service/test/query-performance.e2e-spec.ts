import type { Datasource, QueryPatternSummary, QueryPerformanceEntry } from '@ccc/shared-types';
import { DataSource } from 'typeorm';
import { QueryPerformanceRecorder } from '../src/db-performance/query-performance.recorder.js';
import { QueryPerformanceService } from '../src/db-performance/query-performance.service.js';
import { SYSTEM_USER_ID } from '../src/users/app-user.entity.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { expectShape, keysOf } from './support/shape.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';
import { warmAndWait } from './support/warming.js';

const ENTRY = keysOf<QueryPerformanceEntry>()(
  'id',
  'queryHash',
  'queryPattern',
  'executionTimeMs',
  'rowsExamined',
  'rowsReturned',
  'indexesUsed',
  'executionPlan',
  'usedIndex',
  'isSlowQuery',
  'slowQueryThresholdMs',
  'databaseUser',
  'applicationContext',
  'datasourceId',
  'executedAt',
);
const PATTERN = keysOf<QueryPatternSummary>()(
  'queryHash',
  'queryPattern',
  'executions',
  'totalTimeMs',
  'avgTimeMs',
  'maxTimeMs',
  'slowExecutions',
  'lastExecutedAt',
);
const HASH = /^[0-9a-f]{64}$/;
const BASE = '/api/admin/monitoring/query-performance';

interface LogRow {
  query_hash: string;
  query_pattern: string;
  rows_returned: string;
  rows_examined: string;
  is_slow_query: boolean;
  execution_plan: unknown;
  slow_query_threshold_ms: string;
  application_context: string;
  database_user: string;
  indexes_used: string[] | null;
}

describe('query performance log', () => {
  let redisServer: PrivateRedis;
  let t: TestApp;
  let db: DataSource;
  let operator: string;
  let viewer: string;

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      WARM_ATTEMPTS: '1',
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
      RATE_LIMIT_WARMING_PER_HOUR: '1000',
    });
    db = t.app.get(DataSource);
    operator = (await userWithToken(t, 'operator')).token;
    viewer = (await userWithToken(t, 'viewer')).token;
  });
  afterAll(async () => {
    await t?.close();
    await redisServer?.stop();
  });

  /** A datasource on a table of its own, with a QUERY_TIME threshold naming that table. */
  async function datasourceWithThreshold(
    warningMs: number,
  ): Promise<{ id: number; strategyId: string; table: string }> {
    const table = await createSourceTable(db, { practices: 3, providers: 3, periods: 5 });
    const created = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(operator))
        .send({ name: `QP ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
        .expect(201)
    ).body as Datasource;
    await db.query(
      `INSERT INTO performance_threshold (metric_type, table_name, warning_threshold, critical_threshold, threshold_unit, alert_enabled, created_by)
       VALUES ('QUERY_TIME', $1, $2, $3, 'MILLISECONDS', false, $4)`,
      [table, warningMs, warningMs * 2, SYSTEM_USER_ID],
    );
    return { id: created.id, strategyId: created.strategyId, table };
  }

  async function warmAndWaitFor(datasourceId: number): Promise<void> {
    await warmAndWait(t, operator, datasourceId, false);
  }

  const coldQuery = async (
    datasourceId: number,
    params: Record<string, string>,
  ): Promise<{ source: string; entries: unknown[] }> =>
    (
      await t.http
        .get(`/api/analytics/datasources/${datasourceId}/query`)
        .query(params)
        .set(bearer(operator))
        .expect(200)
    ).body;

  const logRows = async (strategyId: string): Promise<LogRow[]> => {
    await t.app.get(QueryPerformanceRecorder).flush();
    return db.query(`SELECT * FROM query_performance_log WHERE cache_strategy_id = $1 ORDER BY executed_at`, [
      strategyId,
    ]);
  };

  it('logs a slow cold-fallback query and a slow warming COPY with a 64-hex hash, the slow flag and an EXPLAIN plan', async () => {
    const ds = await datasourceWithThreshold(0.001);
    // Cold cache: the database answers (Charges × Monthly = 3 practices × 3 providers × 5 periods rows).
    const cold = await coldQuery(ds.id, { measure: 'Charges', frequency: 'Monthly' });
    expect(cold.source).toBe('database');
    await warmAndWaitFor(ds.id);

    const rows = await logRows(ds.strategyId);
    const fallback = rows.find((row) => row.application_context === `cold-fallback:ds:${ds.id}`)!;
    const copy = rows.find((row) => row.query_pattern.startsWith('COPY'))!;
    expect(fallback).toBeDefined();
    expect(copy).toBeDefined();
    for (const row of [fallback, copy]) {
      expect(row.query_hash).toMatch(HASH);
      expect(row.is_slow_query).toBe(true);
      expect(Number(row.slow_query_threshold_ms)).toBe(0.001);
      // A real EXPLAIN (FORMAT JSON): a list with the plan tree.
      expect(Array.isArray(row.execution_plan)).toBe(true);
      expect((row.execution_plan as Array<{ Plan: { 'Node Type': string } }>)[0].Plan['Node Type']).toEqual(
        expect.any(String),
      );
      expect(Number(row.rows_examined)).toBeGreaterThan(0);
      expect(row.database_user).toEqual(expect.any(String));
    }
    expect(Number(fallback.rows_returned)).toBe(45);
    // Values never reach the pattern.
    expect(fallback.query_pattern).not.toContain('Charges');
    expect(fallback.query_pattern).toContain('= ?');
    expect(copy.application_context).toBe(`warming:ds:${ds.id}`);
    expect(Number(copy.rows_returned)).toBe(4 * 3 * 3 * 4 * 5);

    // Through the API: slow queries (slowest first), patterns by total time, one pattern's history (newest first).
    const slow = (await t.http.get(`${BASE}/slow`).query({ datasourceId: ds.id }).set(bearer(viewer)).expect(200))
      .body as QueryPerformanceEntry[];
    expect(slow.map((entry) => entry.queryHash)).toEqual(
      expect.arrayContaining([fallback.query_hash, copy.query_hash]),
    );
    for (const entry of slow) expectShape(entry, ENTRY);
    const times = slow.map((entry) => entry.executionTimeMs);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const apiFallback = slow.find((entry) => entry.queryHash === fallback.query_hash)!;
    expect(apiFallback).toMatchObject({
      isSlowQuery: true,
      datasourceId: ds.id,
      rowsReturned: 45,
      applicationContext: `cold-fallback:ds:${ds.id}`,
    });
    expect(apiFallback.executionPlan).not.toBeNull();

    const patterns = (
      await t.http.get(`${BASE}/patterns`).query({ datasourceId: ds.id }).set(bearer(viewer)).expect(200)
    ).body as QueryPatternSummary[];
    for (const pattern of patterns) expectShape(pattern, PATTERN);
    const totals = patterns.map((pattern) => pattern.totalTimeMs);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    expect(patterns.find((pattern) => pattern.queryHash === copy.query_hash)).toMatchObject({
      executions: 1,
      slowExecutions: 1,
      queryPattern: copy.query_pattern,
    });

    // A second cold query with other values shares the fallback's pattern.
    await t.http
      .post('/api/admin/analytics/cache/invalidate')
      .set(bearer(operator))
      .send({ datasourceId: ds.id })
      .expect(200);
    await coldQuery(ds.id, { measure: 'Visits', frequency: 'Weekly' });
    await logRows(ds.strategyId);
    const history = (await t.http.get(`${BASE}/patterns/${fallback.query_hash}`).set(bearer(viewer)).expect(200))
      .body as QueryPerformanceEntry[];
    expect(history).toHaveLength(2);
    for (const entry of history) expectShape(entry, ENTRY);
    expect(new Date(history[0].executedAt).getTime()).toBeGreaterThanOrEqual(new Date(history[1].executedAt).getTime());
  });

  it('logs a fast query under a high threshold as not slow and without a plan', async () => {
    const ds = await datasourceWithThreshold(1_000_000);
    await coldQuery(ds.id, { measure: 'Payments', frequency: 'Daily' });
    const [row] = await logRows(ds.strategyId);
    expect(row).toMatchObject({
      is_slow_query: false,
      execution_plan: null,
      application_context: `cold-fallback:ds:${ds.id}`,
    });
    expect(Number(row.slow_query_threshold_ms)).toBe(1_000_000);
    expect(row.query_hash).toMatch(HASH);
    // The plan still gave the estimate and the index list.
    expect(Array.isArray(row.indexes_used)).toBe(true);
    const slow = (await t.http.get(`${BASE}/slow`).query({ datasourceId: ds.id }).set(bearer(viewer)).expect(200))
      .body as QueryPerformanceEntry[];
    expect(slow).toEqual([]);
  });

  it('validates windows and hashes, and needs a credential', async () => {
    const bad = async (path: string, query: Record<string, unknown>, field: string): Promise<void> => {
      const response = await t.http
        .get(path)
        .query(query)
        .set(bearer(viewer))
        .expect(400)
        .expect(errorCode('VALIDATION_FAILED'));
      expect((response.body.details.fields as Array<{ field: string }>).map((f) => f.field)).toContain(field);
    };
    await bad(`${BASE}/slow`, { from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 'from');
    await bad(`${BASE}/slow`, { from: 'yesterday' }, 'from');
    await bad(`${BASE}/patterns`, { limit: 501 }, 'limit');
    await bad(`${BASE}/patterns`, { limit: 0 }, 'limit');
    await bad(`${BASE}/patterns/abc`, {}, 'hash');
    // A window spans at most 31 days.
    await bad(`${BASE}/patterns`, { from: '2026-01-01T00:00:00Z', to: '2026-02-15T00:00:00Z' }, 'from');
    await bad(`${BASE}/slow`, { to: '2026-03-01T00:00:00Z', from: '2025-03-01T00:00:00Z' }, 'from');
    await t.http
      .get(`${BASE}/slow`)
      .query({ from: '2026-01-01T00:00:00Z', to: '2026-01-31T00:00:00Z' })
      .set(bearer(viewer))
      .expect(200);
    // An unknown datasource in a filter is 404, in every read.
    for (const path of [`${BASE}/slow`, `${BASE}/patterns`, `${BASE}/patterns/${'0'.repeat(64)}`]) {
      await t.http
        .get(path)
        .query({ datasourceId: 2_000_000_000 })
        .set(bearer(viewer))
        .expect(404)
        .expect(errorCode('NOT_FOUND'));
    }
    // An unknown hash has no executions.
    const none = await t.http
      .get(`${BASE}/patterns/${'0'.repeat(64)}`)
      .set(bearer(viewer))
      .expect(200);
    expect(none.body).toEqual([]);
    await t.http.get(`${BASE}/slow`).expect(401).expect(errorCode('UNAUTHENTICATED'));
  });

  it('keeps the log to QUERY_LOG_RETENTION_DAYS (default 30): the retention task deletes older rows only', async () => {
    const ds = await datasourceWithThreshold(1_000);
    const insert = (hash: string, executedAt: string): Promise<unknown> =>
      db.query(
        `INSERT INTO query_performance_log (query_hash, query_pattern, execution_time_ms, rows_examined, rows_returned, database_user, executed_at, cache_strategy_id)
         VALUES ($1, 'SELECT ?', 1, 0, 0, 'test', $2, $3)`,
        [hash, executedAt, ds.strategyId],
      );
    const day = 86_400_000;
    await insert('a'.repeat(64), new Date(Date.now() - 45 * day).toISOString());
    await insert('b'.repeat(64), new Date(Date.now() - 31 * day).toISOString());
    await insert('c'.repeat(64), new Date(Date.now() - 29 * day).toISOString());
    await insert('d'.repeat(64), new Date().toISOString());

    expect(await t.app.get(QueryPerformanceService).applyRetention()).toBeGreaterThanOrEqual(2);
    const left: Array<{ query_hash: string }> = await db.query(
      `SELECT query_hash FROM query_performance_log WHERE cache_strategy_id = $1 ORDER BY query_hash`,
      [ds.strategyId],
    );
    expect(left.map((row) => row.query_hash[0])).toEqual(['c', 'd']);
  });
});
