import type { ApplyIndexResult, Datasource, IndexCollectionResult, IndexStrategy } from '@ccc/shared-types';
import { DataSource } from 'typeorm';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';

const BASE = '/api/admin/monitoring/indexes';

describe('index management: validation and permissions', () => {
  let redisServer: PrivateRedis;
  let t: TestApp;
  let db: DataSource;
  let operator: string;
  let viewer: string;
  let table: string;
  let suffix: string;

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    // INDEX_DROP_MIN_AGE_DAYS keeps its default (7); any index here counts as large.
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
      INDEX_DROP_MIN_BYTES: '8192',
    });
    db = t.app.get(DataSource);
    operator = (await userWithToken(t, 'operator')).token;
    viewer = (await userWithToken(t, 'viewer')).token;
    table = await createSourceTable(db, { practices: 2, providers: 2, periods: 2 });
    suffix = table.split('.')[1].slice(2);
    await db.query(`ALTER TABLE ${table} ADD COLUMN tags text[], ADD COLUMN doc jsonb`);
    const created = await t.http
      .post('/api/admin/datasources')
      .set(bearer(operator))
      .send({ name: `Val ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
      .expect(201);
    expect((created.body as Datasource).sourceTable).toBe(table);
  });
  afterAll(async () => {
    await t?.close();
    await redisServer?.stop();
  });

  const valid = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    tableName: table,
    indexName: `idx_${suffix}_${Math.random().toString(36).slice(2, 8)}`,
    indexType: 'BTREE',
    columns: ['practice_id'],
    usagePattern: 'LOOKUP',
    maintenanceWindow: 'IMMEDIATE',
    ...extra,
  });

  async function rejected(body: Record<string, unknown>, field: string): Promise<void> {
    const response = await t.http.post(BASE).set(bearer(operator)).send(body);
    expect({ status: response.status, body: response.body }).toMatchObject({ status: 400 });
    expect((response.body.details.fields as Array<{ field: string }>).map((f) => f.field)).toContain(field);
  }

  it('refuses bad definitions with 400 naming the field, and never takes SQL', async () => {
    await rejected(valid({ tableName: 'cache_test.no_such_table' }), 'tableName');
    await rejected(valid({ tableName: `${table}.x` }), 'tableName');
    // Unqualified means public, as for every table name (and public is not a source schema here).
    const unqualified = await t.http
      .post(BASE)
      .set(bearer(operator))
      .send(valid({ tableName: table.split('.')[1] }))
      .expect(403);
    expect(unqualified.body).toMatchObject({
      code: 'SOURCE_NOT_ALLOWED',
      details: { fields: [{ field: 'tableName' }] },
    });
    // A real table, but outside SOURCE_SCHEMAS (the service's own): refused as such, naming the field.
    const own = await t.http
      .post(BASE)
      .set(bearer(operator))
      .send(valid({ tableName: 'public.app_user' }))
      .expect(403);
    expect(own.body).toMatchObject({ code: 'SOURCE_NOT_ALLOWED', details: { fields: [{ field: 'tableName' }] } });
    await rejected(valid({ columns: ['no_such_column'] }), 'columns');
    await rejected(valid({ columns: [] }), 'columns');
    await rejected(valid({ columns: ['practice_id); DROP TABLE app_user; --'] }), 'columns');
    await rejected(valid({ indexName: 'bad-name' }), 'indexName');
    await rejected(valid({ indexName: '1idx' }), 'indexName');
    await rejected(valid({ indexName: 'i'.repeat(64) }), 'indexName');
    await rejected(valid({ indexName: 'Idx_Mixed_Case' }), 'indexName'); // lower case only, as the dashboard's form says
    await rejected(valid({ indexType: 'BITMAP' }), 'indexType');
    await rejected(valid({ usagePattern: 'SOMETIMES' }), 'usagePattern');
    await rejected(valid({ indexType: 'HASH', columns: ['practice_id', 'provider_id'] }), 'columns');
    await rejected(valid({ indexType: 'COMPOSITE', columns: ['practice_id'] }), 'columns');
    await rejected(valid({ indexType: 'PARTIAL' }), 'whereClause');
    await rejected(valid({ indexType: 'PARTIAL', whereClause: 'practice_id = 1; DROP TABLE app_user' }), 'whereClause');
    await rejected(valid({ indexType: 'PARTIAL', whereClause: 'practice_id = 1 OR 1 = 1' }), 'whereClause');
    await rejected(valid({ indexType: 'PARTIAL', whereClause: 'nope IS NULL' }), 'whereClause');
    await rejected(valid({ whereClause: 'practice_id = 1' }), 'whereClause');
    // Literals: no backslashes or NUL; and PostgreSQL type-checks the predicate at create time, not at apply.
    await rejected(valid({ indexType: 'PARTIAL', whereClause: "measure = 'a\\' OR 1 = 1 --'" }), 'whereClause');
    await rejected(valid({ indexType: 'PARTIAL', whereClause: "measure = 'a\u0000'" }), 'whereClause');
    await rejected(valid({ indexType: 'PARTIAL', whereClause: 'measure > 5' }), 'whereClause');
    await rejected(valid({ indexType: 'PARTIAL', whereClause: "practice_id = 'abc'" }), 'whereClause');
    await rejected(valid({ indexType: 'PARTIAL', whereClause: "period_date >= 'not a date'" }), 'whereClause');
    await rejected(valid({ indexType: 'FUNCTIONAL', columns: ['md5(measure)'] }), 'columns');
    await rejected(valid({ indexType: 'FUNCTIONAL', columns: ['lower(value)'] }), 'columns');
    await rejected(valid({ columns: ['lower(measure)'] }), 'columns');
    await rejected(valid({ indexType: 'GIN', columns: ['practice_id'] }), 'columns');
    await rejected(valid({ indexType: 'GIST', columns: ['measure'] }), 'columns');
    await rejected(valid({ maintenanceWindow: 'SCHEDULED' }), 'scheduledAt');
    await rejected(valid({ maintenanceWindow: 'SCHEDULED', scheduledAt: '2020-01-01T00:00:00Z' }), 'scheduledAt');
    await rejected(valid({ indexDefinition: 'CREATE INDEX x ON y (z)' }), 'indexDefinition');
    // Nothing was recorded (another test file's collector may discover the table's own index meanwhile).
    expect(await db.query(`SELECT 1 FROM index_strategy WHERE table_name = $1 AND NOT discovered`, [table])).toEqual(
      [],
    );
    // A predicate that fits the column types is accepted.
    await t.http
      .post(BASE)
      .set(bearer(operator))
      .send(valid({ indexType: 'PARTIAL', whereClause: "period_date >= '2026-01-01' AND measure <> 'x'" }))
      .expect(201);

    // What the column types support is accepted.
    const gin = (
      await t.http
        .post(BASE)
        .set(bearer(operator))
        .send(valid({ indexType: 'GIN', columns: ['tags'], usagePattern: 'FULL_TEXT' }))
        .expect(201)
    ).body as IndexStrategy;
    expect(gin.indexDefinition).toContain('USING gin ("tags")');
    const scheduled = await t.http
      .post(BASE)
      .set(bearer(operator))
      .send(valid({ maintenanceWindow: 'SCHEDULED', scheduledAt: new Date(Date.now() + 86_400_000).toISOString() }))
      .expect(201);
    expect(scheduled.body.scheduledAt).not.toBeNull();
  });

  it('answers 409 for a duplicate strategy or an index name PostgreSQL already has', async () => {
    const body = valid();
    await t.http.post(BASE).set(bearer(operator)).send(body).expect(201);
    await t.http.post(BASE).set(bearer(operator)).send(body).expect(409).expect(errorCode('CONFLICT'));
    const [{ indexname }] = await db.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'cache_test' AND tablename = $1 LIMIT 1`,
      [table.split('.')[1]],
    );
    await t.http
      .post(BASE)
      .set(bearer(operator))
      .send(valid({ indexName: indexname }))
      .expect(409)
      .expect(errorCode('CONFLICT'));
  });

  it('lets viewers read and only writers change', async () => {
    const strategy = (await t.http.post(BASE).set(bearer(operator)).send(valid()).expect(201)).body as IndexStrategy;
    await t.http.get(BASE).set(bearer(viewer)).expect(200);
    await t.http.get(`${BASE}/${strategy.id}`).set(bearer(viewer)).expect(200);
    await t.http.get(`${BASE}/usage`).set(bearer(viewer)).expect(200);
    await t.http.post(BASE).set(bearer(viewer)).send(valid()).expect(403).expect(errorCode('FORBIDDEN'));
    await t.http
      .patch(`${BASE}/${strategy.id}`)
      .set(bearer(viewer))
      .send({ isMonitoring: false })
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
    await t.http.post(`${BASE}/${strategy.id}/apply`).set(bearer(viewer)).expect(403).expect(errorCode('FORBIDDEN'));
    await t.http.delete(`${BASE}/${strategy.id}`).set(bearer(viewer)).expect(403).expect(errorCode('FORBIDDEN'));
    await t.http.post(`${BASE}/collect`).set(bearer(viewer)).expect(403).expect(errorCode('FORBIDDEN'));
    await t.http.get(BASE).expect(401).expect(errorCode('UNAUTHENTICATED'));

    // Updates are validated too; unknown ids are 404, malformed ones 400.
    const patched = await t.http
      .patch(`${BASE}/${strategy.id}`)
      .set(bearer(operator))
      .send({ isMonitoring: false, usagePattern: 'SORT' })
      .expect(200);
    expect(patched.body).toMatchObject({ isMonitoring: false, usagePattern: 'SORT', maintenanceWindow: 'IMMEDIATE' });
    const noSchedule = await t.http
      .patch(`${BASE}/${strategy.id}`)
      .set(bearer(operator))
      .send({ maintenanceWindow: 'SCHEDULED' })
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));
    expect(noSchedule.body.details.fields[0].field).toBe('scheduledAt');
    await t.http
      .patch(`${BASE}/${strategy.id}`)
      .set(bearer(operator))
      .send({ indexDefinition: 'DROP TABLE x' })
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));
    await t.http
      .get(`${BASE}/00000000-0000-4000-8000-000000000000`)
      .set(bearer(operator))
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
    await t.http.get(`${BASE}/not-a-uuid`).set(bearer(operator)).expect(400).expect(errorCode('VALIDATION_FAILED'));
    await t.http
      .get(`${BASE}/usage`)
      .query({ indexStrategyId: 'nope' })
      .set(bearer(operator))
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));

    // Without an index in PostgreSQL, deleting just deactivates.
    await t.http.delete(`${BASE}/${strategy.id}`).set(bearer(operator)).expect(204);
    expect(
      ((await t.http.get(`${BASE}/${strategy.id}`).set(bearer(operator)).expect(200)).body as IndexStrategy).isActive,
    ).toBe(false);

    // So does PATCH isActive=false (with an index it is 409, see index-management.e2e-spec).
    const other = (await t.http.post(BASE).set(bearer(operator)).send(valid()).expect(201)).body as IndexStrategy;
    const deactivated = await t.http
      .patch(`${BASE}/${other.id}`)
      .set(bearer(operator))
      .send({ isActive: false })
      .expect(200);
    expect(deactivated.body).toMatchObject({ isActive: false, isCreated: false });
  });

  it('does not flag a just-built large index for dropping although nothing has used it yet', async () => {
    const strategy = (await t.http.post(BASE).set(bearer(operator)).send(valid()).expect(201)).body as IndexStrategy;
    expect(
      ((await t.http.post(`${BASE}/${strategy.id}/apply`).set(bearer(operator)).expect(200)).body as ApplyIndexResult)
        .status,
    ).toBe('created');
    expect(
      ((await t.http.post(`${BASE}/collect`).set(bearer(operator)).expect(200)).body as IndexCollectionResult).ran,
    ).toBe(true);
    const usage = ((await t.http.get(`${BASE}/${strategy.id}`).set(bearer(operator)).expect(200)).body as IndexStrategy)
      .latestUsage!;
    expect(usage.indexSizeBytes).toBeGreaterThanOrEqual(8192);
    expect(usage).toMatchObject({ totalScans: 0, isRecommendedForDrop: false });
  });
});
