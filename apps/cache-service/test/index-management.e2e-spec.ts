import type {
  ApplyIndexResult,
  CreateIndexStrategyRequest,
  IndexCollectionResult,
  IndexStrategy,
  IndexUsageStats,
} from '@ccc/shared-types';
import { DataSource } from 'typeorm';
import { IndexStrategyService } from '../src/db-performance/index-strategy.service.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { expectShape, keysOf } from './support/shape.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';

const STRATEGY = keysOf<IndexStrategy>()(
  'id',
  'tableName',
  'indexName',
  'indexType',
  'indexDefinition',
  'columns',
  'whereClause',
  'usagePattern',
  'maintenanceWindow',
  'scheduledAt',
  'isCreated',
  'isMonitoring',
  'applyRequestedAt',
  'createdInDatabaseAt',
  'lastError',
  'discovered',
  'builtByService',
  'createdBy',
  'updatedBy',
  'createdAt',
  'updatedAt',
  'isActive',
  'latestUsage',
);
const USAGE = keysOf<IndexUsageStats>()(
  'id',
  'indexStrategyId',
  'tableName',
  'indexName',
  'totalScans',
  'totalTuplesRead',
  'totalTuplesFetched',
  'avgScanTimeMs',
  'selectivityRatio',
  'indexSizeBytes',
  'maintenanceCostScore',
  'isRecommendedForDrop',
  'isUnique',
  'isPrimary',
  'statsDate',
  'lastAnalyzed',
);
const APPLY = keysOf<ApplyIndexResult>()('status', 'windowOpensAt', 'strategy');
const COLLECTION = keysOf<IndexCollectionResult>()('collectedAt', 'indexes', 'discovered', 'flaggedForDrop', 'ran');
const BASE = '/api/admin/monitoring/indexes';
const DROP_MIN_BYTES = 256 * 1024;

describe('index management', () => {
  let redisServer: PrivateRedis;
  let t: TestApp;
  let db: DataSource;
  let operator: string;
  let table: string;
  let schema: string;
  let suffix: string;

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
      INDEX_DROP_MIN_BYTES: String(DROP_MIN_BYTES),
      INDEX_DROP_MIN_AGE_DAYS: '0',
      INDEX_OFF_PEAK_HOURS: '1-5',
    });
    db = t.app.get(DataSource);
    operator = (await userWithToken(t, 'operator')).token;
    // 16 × 25 × 10 × 15 = 60,000 rows.
    table = await createSourceTable(db, { practices: 25, providers: 10, periods: 15 });
    [schema] = table.split('.');
    suffix = table.split('.')[1].slice(2);
    await t.http
      .post('/api/admin/datasources')
      .set(bearer(operator))
      .send({ name: `Idx ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
      .expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await redisServer?.stop();
  });

  const create = async (request: Partial<CreateIndexStrategyRequest>): Promise<IndexStrategy> => {
    const body = {
      tableName: table,
      indexType: 'BTREE',
      usagePattern: 'LOOKUP',
      maintenanceWindow: 'IMMEDIATE',
      ...request,
    };
    const response = await t.http.post(BASE).set(bearer(operator)).send(body);
    if (response.status !== 201) throw new Error(`${response.status}: ${JSON.stringify(response.body)}`);
    return response.body as IndexStrategy;
  };
  const apply = async (id: string): Promise<ApplyIndexResult> =>
    (await t.http.post(`${BASE}/${id}/apply`).set(bearer(operator)).expect(200)).body as ApplyIndexResult;
  const inPostgres = async (indexName: string): Promise<boolean> =>
    (await db.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname = $2`, [schema, indexName]))
      .length === 1;
  const collect = async (): Promise<IndexCollectionResult> =>
    (await t.http.post(`${BASE}/collect`).set(bearer(operator)).expect(200)).body as IndexCollectionResult;
  const strategies = async (): Promise<IndexStrategy[]> =>
    (await t.http.get(BASE).query({ tableName: table }).set(bearer(operator)).expect(200)).body as IndexStrategy[];

  it('applies an IMMEDIATE strategy with CREATE INDEX CONCURRENTLY, records its use, and flags only large, unused, plain indexes for dropping', async () => {
    const used = await create({
      indexName: `idx_${suffix}_practice`,
      columns: ['practice_id'],
      usagePattern: 'RANGE_SCAN',
    });
    expectShape(used, STRATEGY);
    expect(used).toMatchObject({ isCreated: false, discovered: false, isActive: true, latestUsage: null });
    expect(used.indexDefinition).toBe(
      `CREATE INDEX CONCURRENTLY "idx_${suffix}_practice" ON "${schema}"."${table.split('.')[1]}" USING btree ("practice_id")`,
    );

    const applied = await apply(used.id);
    expectShape(applied, APPLY);
    expect(applied).toMatchObject({
      status: 'created',
      windowOpensAt: null,
      strategy: { isCreated: true, lastError: null },
    });
    expect(applied.strategy.createdInDatabaseAt).not.toBeNull();
    expect(await inPostgres(used.indexName)).toBe(true);
    expect((await apply(used.id)).status).toBe('exists');
    // Deactivating through PATCH follows DELETE's rule: not while the index exists.
    const patched = await t.http
      .patch(`${BASE}/${used.id}`)
      .set(bearer(operator))
      .send({ isActive: false })
      .expect(409)
      .expect(errorCode('CONFLICT'));
    expect(patched.body.details.field).toBe('isActive');
    expect(
      ((await t.http.get(`${BASE}/${used.id}`).set(bearer(operator)).expect(200)).body as IndexStrategy).isActive,
    ).toBe(true);

    // A large index nobody uses, and a small one (a partial index over 240 rows).
    const unused = await create({ indexName: `idx_${suffix}_provider`, columns: ['provider_id'] });
    const small = await create({
      indexName: `idx_${suffix}_small`,
      indexType: 'PARTIAL',
      columns: ['period_date'],
      whereClause: 'practice_id = 1 AND provider_id = 1001',
    });
    expect(small.whereClause).toBe(`"practice_id" = 1 AND "provider_id" = 1001`);
    const functional = await create({
      indexName: `idx_${suffix}_lower`,
      indexType: 'FUNCTIONAL',
      columns: ['lower(measure)', "date_trunc('month', period_date)"],
    });
    for (const strategy of [unused, small, functional]) expect((await apply(strategy.id)).status).toBe('created');
    // A unique index made outside the service: discovered by the collector, never flagged.
    await db.query(
      `CREATE UNIQUE INDEX "idx_${suffix}_unique" ON ${table} (measure, practice_id, provider_id, frequency, period_date)`,
    );

    // Use the first index, then make this backend publish its statistics.
    const runner = db.createQueryRunner();
    try {
      await runner.query('BEGIN');
      await runner.query('SET LOCAL enable_seqscan = off');
      await runner.query(`SELECT count(*) FROM ${table} WHERE practice_id = 3`);
      await runner.query('COMMIT');
      await runner.query('SELECT pg_stat_force_next_flush()');
      await runner.query('SELECT 1');
    } finally {
      await runner.release();
    }
    for (let i = 0; i < 100; i++) {
      const [row] = await db.query(
        `SELECT idx_scan FROM pg_stat_user_indexes WHERE schemaname = $1 AND indexrelname = $2`,
        [schema, used.indexName],
      );
      if (Number(row?.idx_scan) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const collected = await collect();
    expectShape(collected, COLLECTION);
    expect(collected.ran).toBe(true);
    expect(collected.discovered).toBeGreaterThanOrEqual(2); // the table's own index and the unique one
    expect(collected.indexes).toBeGreaterThanOrEqual(6);

    const usage = (
      await t.http.get(`${BASE}/usage`).query({ indexStrategyId: used.id }).set(bearer(operator)).expect(200)
    ).body as IndexUsageStats[];
    expect(usage).toHaveLength(1);
    expectShape(usage[0], USAGE);
    expect(usage[0].totalScans).toBeGreaterThan(0);
    expect(usage[0].statsDate).toBe(new Date().toISOString().slice(0, 10));
    expect(usage[0].isRecommendedForDrop).toBe(false);

    const byName = new Map((await strategies()).map((strategy) => [strategy.indexName, strategy]));
    const unusedUsage = byName.get(unused.indexName)!.latestUsage!;
    expect(unusedUsage.indexSizeBytes).toBeGreaterThanOrEqual(DROP_MIN_BYTES);
    expect(unusedUsage).toMatchObject({ totalScans: 0, isRecommendedForDrop: true, isUnique: false });
    const smallUsage = byName.get(small.indexName)!.latestUsage!;
    expect(smallUsage.indexSizeBytes).toBeLessThan(DROP_MIN_BYTES);
    expect(smallUsage).toMatchObject({ totalScans: 0, isRecommendedForDrop: false });
    const unique = byName.get(`idx_${suffix}_unique`)!;
    expect(unique).toMatchObject({
      discovered: true,
      isCreated: true,
      indexType: 'COMPOSITE',
      createdBy: '00000000-0000-0000-0000-000000000000',
    });
    expect(unique.columns).toEqual(['measure', 'practice_id', 'provider_id', 'frequency', 'period_date']);
    expect(unique.latestUsage!.indexSizeBytes).toBeGreaterThanOrEqual(DROP_MIN_BYTES);
    expect(unique.latestUsage).toMatchObject({ totalScans: 0, isUnique: true, isRecommendedForDrop: false });

    // A second run the same day updates the day's row: history stays one row per day.
    await collect();
    expect(
      (
        (await t.http.get(`${BASE}/usage`).query({ indexStrategyId: used.id }).set(bearer(operator)).expect(200))
          .body as IndexUsageStats[]
      ).length,
    ).toBe(1);
    const today = new Date().toISOString().slice(0, 10);
    const tableHistory = (
      await t.http
        .get(`${BASE}/usage`)
        .query({ tableName: table, from: today, to: `${today}T23:59:59Z` })
        .set(bearer(operator))
        .expect(200)
    ).body as IndexUsageStats[];
    expect(tableHistory.map((row) => row.indexName)).toEqual(
      expect.arrayContaining([used.indexName, unused.indexName, small.indexName, `idx_${suffix}_unique`]),
    );
    expect(
      (
        (
          await t.http
            .get(`${BASE}/usage`)
            .query({ tableName: table, to: '2020-01-01' })
            .set(bearer(operator))
            .expect(200)
        ).body as IndexUsageStats[]
      ).length,
    ).toBe(0);

    // Deleting a strategy whose index exists needs dropIndex=true; then the index is gone.
    await t.http.delete(`${BASE}/${unused.id}`).set(bearer(operator)).expect(409).expect(errorCode('CONFLICT'));
    expect(await inPostgres(unused.indexName)).toBe(true);
    await t.http.delete(`${BASE}/${unused.id}`).query({ dropIndex: 'true' }).set(bearer(operator)).expect(204);
    expect(await inPostgres(unused.indexName)).toBe(false);
    const gone = (await t.http.get(`${BASE}/${unused.id}`).set(bearer(operator)).expect(200)).body as IndexStrategy;
    expect(gone).toMatchObject({ isActive: false, isCreated: false });
    expect((await strategies()).map((strategy) => strategy.id)).not.toContain(unused.id);

    // Audited under its own action names.
    const audit = await db.query(`SELECT action FROM audit_log WHERE target_id = $1 ORDER BY id`, [unused.id]);
    expect(audit.map((row: { action: string }) => row.action)).toEqual(
      expect.arrayContaining(['index.create', 'index.apply', 'index.delete']),
    );
  });

  it('defers an OFF_PEAK build outside its window and builds it when the index-apply task runs inside it', async () => {
    const service = t.app.get(IndexStrategyService);
    const realClock = service.clock;
    try {
      service.clock = () => new Date('2026-03-04T12:00:00Z');
      const strategy = await create({
        indexName: `idx_${suffix}_offpeak`,
        columns: ['frequency', 'period_date'],
        indexType: 'COMPOSITE',
        maintenanceWindow: 'OFF_PEAK',
      });
      const deferred = await apply(strategy.id);
      expect(deferred).toMatchObject({
        status: 'deferred',
        windowOpensAt: '2026-03-05T01:00:00.000Z',
        strategy: { isCreated: false },
      });
      expect(deferred.strategy.applyRequestedAt).not.toBeNull();
      expect(await inPostgres(strategy.indexName)).toBe(false);

      // Still outside: nothing happens.
      await service.applyDeferred();
      expect(await inPostgres(strategy.indexName)).toBe(false);

      service.clock = () => new Date('2026-03-05T02:00:00Z');
      expect(await service.applyDeferred()).toBeGreaterThanOrEqual(1);
      expect(await inPostgres(strategy.indexName)).toBe(true);
      const built = (await t.http.get(`${BASE}/${strategy.id}`).set(bearer(operator)).expect(200))
        .body as IndexStrategy;
      expect(built).toMatchObject({ isCreated: true, applyRequestedAt: null, lastError: null });
    } finally {
      service.clock = realClock;
    }
  });

  const validIndex = async (indexName: string): Promise<boolean[]> =>
    (
      await db.query(
        `SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
        [schema, indexName],
      )
    ).map((row: { indisvalid: boolean }) => row.indisvalid);

  it('builds once when two applies race (a double click), and a second apply never drops an index being built', async () => {
    const raced = await create({
      indexName: `idx_${suffix}_race`,
      indexType: 'COMPOSITE',
      columns: ['measure', 'period_date', 'value'],
    });
    const responses = await Promise.all(
      [1, 2].map(() => t.http.post(`${BASE}/${raced.id}/apply`).set(bearer(operator))),
    );
    for (const response of responses) {
      if (response.status === 409) expect(response.body.message).toContain('already being built');
      else
        expect({ status: response.status, result: response.body.status }).toMatchObject({
          status: 200,
          result: expect.stringMatching(/^(created|exists)$/),
        });
    }
    expect(responses.filter((response) => response.status === 200 && response.body.status === 'created')).toHaveLength(
      1,
    );
    expect(await validIndex(raced.indexName)).toEqual([true]);

    // Deterministically: a build waits on an open writer, so its index is in PostgreSQL but not yet valid
    // (what an interrupted build also leaves). A second apply, the index-apply task and a drop all leave it alone.
    const service = t.app.get(IndexStrategyService);
    const strategy = await create({ indexName: `idx_${suffix}_inflight`, columns: ['period_date'] });
    const blocker = db.createQueryRunner();
    await blocker.query('BEGIN');
    await blocker.query(`INSERT INTO ${table} VALUES ('Charges', 998, 998, 'Daily', '2026-01-02', 1)`);
    let first: Promise<{ status: number; body: ApplyIndexResult }> | undefined;
    try {
      first = t.http
        .post(`${BASE}/${strategy.id}/apply`)
        .set(bearer(operator))
        .then((response) => ({ status: response.status, body: response.body }));
      for (let i = 0; i < 200 && (await validIndex(strategy.indexName)).length === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 25));
      expect(await validIndex(strategy.indexName)).toEqual([false]);

      const second = await t.http
        .post(`${BASE}/${strategy.id}/apply`)
        .set(bearer(operator))
        .expect(409)
        .expect(errorCode('CONFLICT'));
      expect(second.body.message).toContain('already being built');
      await db.query(`UPDATE index_strategy SET apply_requested_at = now() WHERE id = $1`, [strategy.id]);
      await service.applyDeferred();
      await t.http
        .delete(`${BASE}/${strategy.id}`)
        .query({ dropIndex: 'true' })
        .set(bearer(operator))
        .expect(409)
        .expect(errorCode('INDEX_NOT_MANAGED'));
      expect(await validIndex(strategy.indexName)).toEqual([false]);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.release();
    }
    const result = await first!;
    expect(result).toMatchObject({
      status: 200,
      body: { status: 'created', strategy: { isCreated: true, lastError: null } },
    });
    expect(await validIndex(strategy.indexName)).toEqual([true]);
    const after = (await t.http.get(`${BASE}/${strategy.id}`).set(bearer(operator)).expect(200)).body as IndexStrategy;
    expect(after).toMatchObject({ isCreated: true, applyRequestedAt: null, isActive: true });
  });

  it('answers 409 with the reason when the name was taken between create and apply', async () => {
    const strategy = await create({ indexName: `idx_${suffix}_clash`, columns: ['value'] });
    await db.query(`CREATE TABLE ${schema}."idx_${suffix}_clash" (x int)`);
    try {
      const response = await t.http
        .post(`${BASE}/${strategy.id}/apply`)
        .set(bearer(operator))
        .expect(409)
        .expect(errorCode('CONFLICT'));
      expect(response.body.message).toContain('already exists');
      const after = (await t.http.get(`${BASE}/${strategy.id}`).set(bearer(operator)).expect(200))
        .body as IndexStrategy;
      expect(after.isCreated).toBe(false);
      expect(after.lastError).toContain('already exists');
    } finally {
      await db.query(`DROP TABLE ${schema}."idx_${suffix}_clash"`);
    }
  });

  it('answers 409 with the reason when a build times out on a lock, and the next apply clears the invalid leftover and builds', async () => {
    const service = t.app.get(IndexStrategyService);
    const strategy = await create({ indexName: `idx_${suffix}_blocked`, columns: ['value'] });
    // A writer that stays open: CREATE INDEX CONCURRENTLY has to wait for it after registering the (invalid) index.
    const blocker = db.createQueryRunner();
    const lockTimeout = service.lockTimeoutMs;
    service.lockTimeoutMs = 300;
    try {
      await blocker.query('BEGIN');
      await blocker.query(`INSERT INTO ${table} VALUES ('Charges', 999, 999, 'Daily', '2026-01-01', 1)`);
      const [{ pid }] = (await blocker.query('SELECT pg_backend_pid() AS pid')) as Array<{ pid: number }>;
      const response = await t.http
        .post(`${BASE}/${strategy.id}/apply`)
        .set(bearer(operator))
        .expect(409)
        .expect(errorCode('CONFLICT'));
      expect(response.body.message).toContain('lock timeout');
      // It names what it waited for, so an operator can find it in pg_stat_activity.
      expect(response.body.message).toContain(`pid ${pid} (idle in transaction`);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.release();
      service.lockTimeoutMs = lockTimeout;
    }
    const failed = (await t.http.get(`${BASE}/${strategy.id}`).set(bearer(operator)).expect(200)).body as IndexStrategy;
    expect(failed).toMatchObject({ isCreated: false });
    expect(failed.lastError).toContain('lock timeout');

    expect((await apply(strategy.id)).strategy).toMatchObject({ isCreated: true, lastError: null });
    expect(await validIndex(strategy.indexName)).toEqual([true]);
  });
});
