import type {
  CreatedApiKey,
  Datasource,
  IndexCollectionResult,
  IndexStrategy,
  Paginated,
  Recommendation,
  WarmResponse,
} from '@ccc/shared-types';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ANALYTICS_CACHE_LAYER_ID, CacheStrategyEntity } from '../src/datasources/cache-strategy.entity.js';
import { SYSTEM_USER_ID } from '../src/users/app-user.entity.js';
import { generateRecommendations } from './support/insights.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';
import { requestWarm, waitForJob } from './support/warming.js';

/** What the review's probe used: a "datasource" whose measures are e-mail addresses and practices password hashes. */
const APP_USER_MAPPING = {
  measure: 'email',
  practice: 'password_hash',
  provider: 'role',
  frequency: 'display_name',
  period: 'created_at',
  value: 'is_active',
};
const INDEXES = '/api/admin/monitoring/indexes';

/**
 * Sources are an allow-list (SOURCE_SCHEMAS): datasources, index strategies, thresholds, the collector and the query
 * API reach only tables there — never the service's own tables or PostgreSQL's catalogs, however the name is spelled,
 * and not through rows saved before the rule either.
 */
describe('source isolation', () => {
  let redisServer: PrivateRedis;
  let t: TestApp;
  let db: DataSource;
  let admin: { id: string; token: string };
  let reader: string;

  const create = (body: Record<string, unknown>) =>
    t.http.post('/api/admin/datasources').set(bearer(admin.token)).send(body);
  const query = (id: number, filters: Record<string, string> = {}) =>
    t.http.get(`/api/analytics/datasources/${id}/query`).query(filters).set('X-API-Key', reader);

  /** A datasource row as the service saved it before the allow-list existed (no check runs on this path). */
  async function legacyDatasource(sourceTable: string, columnMapping = APP_USER_MAPPING): Promise<number> {
    const repository = db.getRepository(CacheStrategyEntity);
    const saved = await repository.save(
      repository.create({
        cacheLayerId: ANALYTICS_CACHE_LAYER_ID,
        name: `Legacy ${randomUUID().slice(0, 8)}`,
        sourceTable,
        columnMapping,
        createdBy: SYSTEM_USER_ID,
      }),
    );
    return (await repository.findOneByOrFail({ id: saved.id })).datasourceId;
  }

  function expectNotAllowed(response: { status: number; body: Record<string, unknown> }, field = 'sourceTable'): void {
    expect({ status: response.status, code: response.body.code }).toEqual({ status: 403, code: 'SOURCE_NOT_ALLOWED' });
    expect(response.body.details).toMatchObject({
      fields: [{ field }],
      allowedSchemas: ['demo_analytics', 'cache_test'],
    });
  }

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
      INDEX_DROP_MIN_AGE_DAYS: '0',
    });
    db = t.app.get(DataSource);
    admin = await userWithToken(t, 'admin');
    const key = await t.http
      .post('/api/admin/api-keys')
      .set(bearer(admin.token))
      .send({ name: 'analytics reader', permissions: ['analytics:read'] })
      .expect(201);
    reader = (key.body as CreatedApiKey).key;
  });
  afterAll(async () => {
    await t?.close();
    await redisServer?.stop();
  });

  it("refuses datasources on the service's own tables and PostgreSQL's catalogs, on create and on update", async () => {
    for (const sourceTable of [
      'public.app_user',
      'public.api_key',
      'pg_catalog.pg_authid',
      'pg_catalog.pg_stat_activity',
      'information_schema.tables',
      'app_user',
    ]) {
      expectNotAllowed(
        await create({ name: `Probe ${randomUUID().slice(0, 8)}`, sourceTable, columnMapping: APP_USER_MAPPING }),
      );
    }
    const table = await createSourceTable(db, { practices: 1, providers: 1, periods: 1 });
    const ds = (await create({ name: `Allowed ${table}`, sourceTable: table, columnMapping: TEST_MAPPING }).expect(201))
      .body as Datasource;
    expectNotAllowed(
      await t.http
        .patch(`/api/admin/datasources/${ds.id}`)
        .set(bearer(admin.token))
        .send({ sourceTable: 'public.app_user', columnMapping: APP_USER_MAPPING }),
    );
    expect(
      (await t.http.get(`/api/admin/datasources/${ds.id}`).set(bearer(admin.token)).expect(200)).body,
    ).toMatchObject({ sourceTable: table });
  });

  it('judges quoted, upper-case and search_path spellings by what PostgreSQL would read, not by the text', async () => {
    const table = await createSourceTable(db, { practices: 1, providers: 1, periods: 1 });
    const [schema, name] = table.split('.');
    // Quoting is not a way around the rule: such names are not table names here at all.
    const quoted = await create({
      name: 'Quoted',
      sourceTable: '"public"."app_user"',
      columnMapping: APP_USER_MAPPING,
    }).expect(400);
    expect(quoted.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'sourceTable' }] } });
    // Names are quoted when read, so case matters: PUBLIC is not an allowed schema, nor is CACHE_TEST.
    for (const sourceTable of ['PUBLIC.APP_USER', 'Public.app_user', `${schema.toUpperCase()}.${name}`]) {
      expectNotAllowed(
        await create({ name: `Case ${randomUUID().slice(0, 8)}`, sourceTable, columnMapping: TEST_MAPPING }),
      );
    }
    // Unqualified means public, never "whatever search_path finds first" (pg_catalog.pg_authid would be).
    expectNotAllowed(await create({ name: 'Unqualified', sourceTable: 'pg_authid', columnMapping: APP_USER_MAPPING }));
    // In an allowed schema, only tables and views: the catalog says what a name is.
    await db.query(`CREATE SEQUENCE ${schema}.seq_${name}`);
    const [index] = (await db.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2`, [
      schema,
      name,
    ])) as Array<{ indexname: string }>;
    for (const relation of [`${schema}.seq_${name}`, `${schema}.${index.indexname}`]) {
      const response = await create({
        name: `Not a table ${randomUUID().slice(0, 8)}`,
        sourceTable: relation,
        columnMapping: TEST_MAPPING,
      })
        .expect(400)
        .expect(errorCode('VALIDATION_FAILED'));
      expect(response.body.details.fields).toEqual([
        { field: 'sourceTable', messages: [`sourceTable ${relation} is not a table or view`] },
      ]);
    }
  });

  it('never reads a datasource saved before the allow-list: the query answers 403 and leaks nothing, a warm is skipped', async () => {
    const legacy = await legacyDatasource('public.app_user');
    const response = await query(legacy);
    expectNotAllowed(response);
    expect(JSON.stringify(response.body)).not.toContain('@');
    const warm = (
      await t.http
        .post('/api/admin/analytics/cache/warm')
        .set(bearer(admin.token))
        .send({ datasourceId: legacy, force: true })
        .expect(202)
    ).body as WarmResponse;
    expect(warm.results).toEqual([
      expect.objectContaining({
        datasourceId: legacy,
        status: 'skipped',
        reason: expect.stringContaining('SOURCE_SCHEMAS'),
      }),
    ]);
    // Table statistics of the service's own tables are not the thresholds' business either.
    const threshold = await t.http
      .post('/api/admin/monitoring/thresholds')
      .set(bearer(admin.token))
      .send({ metricType: 'TABLE_SIZE', tableName: 'public.app_user', warningThreshold: 1, criticalThreshold: 2 });
    expectNotAllowed(threshold, 'tableName');
  });

  it('does not serve what a datasource warmed before its table left the allow-list', async () => {
    const table = await createSourceTable(db, { practices: 1, providers: 2, periods: 2 });
    const ds = (await create({ name: `Warmed ${table}`, sourceTable: table, columnMapping: TEST_MAPPING }).expect(201))
      .body as Datasource;
    const warm = await requestWarm(t, admin.token, ds.id);
    await waitForJob(t, admin.token, warm.jobId, ['COMPLETED']);
    await db.query(
      `UPDATE cache_strategy SET source_table = 'public.app_user', column_mapping = $2 WHERE datasource_id = $1`,
      [ds.id, APP_USER_MAPPING],
    );
    expectNotAllowed(await query(ds.id, { measure: 'Charges' }));
  });

  it('fails a queued warm whose source left the allow-list, at once and without reading it', async () => {
    // One process queues (no worker), the table leaves the allow-list, then a worker process picks the job up.
    const queueRedis = new PrivateRedis(await freePort());
    await queueRedis.start();
    const api = await createTestApp({ REDIS_URL: queueRedis.url, SERVICE_ROLE: 'api' });
    let worker: TestApp | undefined;
    try {
      const table = await createSourceTable(db, { practices: 1, providers: 1, periods: 1 });
      const ds = (
        await api.http
          .post('/api/admin/datasources')
          .set(bearer(admin.token))
          .send({ name: `Queued ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
          .expect(201)
      ).body as Datasource;
      const warm = await requestWarm(api, admin.token, ds.id);
      expect(warm.results[0].status).toBe('queued');
      await db.query(
        `UPDATE cache_strategy SET source_table = 'public.app_user', column_mapping = $2 WHERE datasource_id = $1`,
        [ds.id, APP_USER_MAPPING],
      );
      worker = await createTestApp({ REDIS_URL: queueRedis.url, SERVICE_ROLE: 'worker' });
      const job = await waitForJob(api, admin.token, warm.jobId, ['COMPLETED', 'FAILED', 'CANCELLED'], 60_000);
      expect(job).toMatchObject({ status: 'FAILED', failureReason: expect.stringContaining('SOURCE_SCHEMAS') });
      const [row] = (await db.query(`SELECT attempts FROM cache_warming_job WHERE id = $1`, [warm.jobId])) as Array<{
        attempts: number;
      }>;
      expect(row.attempts).toBe(1);
    } finally {
      await worker?.close();
      await api.close();
      await queueRedis.stop();
    }
  });

  it('proposes no source index for a table outside the allow-list, and refuses to build one there', async () => {
    const legacy = await legacyDatasource('public.app_user');
    const [strategy] = (await db.query(`SELECT id FROM cache_strategy WHERE datasource_id = $1`, [legacy])) as Array<{
      id: string;
    }>;
    for (let i = 0; i < 4; i++) {
      await db.query(
        `INSERT INTO query_performance_log (query_hash, query_pattern, execution_time_ms, rows_examined, rows_returned, used_index, is_slow_query, database_user,
                                            application_context, cache_strategy_id)
         VALUES ($1, 'SELECT email FROM app_user WHERE email = ?', 2400, 100000, 10, false, true, 'test', $2, $3)`,
        [(randomUUID() + randomUUID()).replace(/-/g, ''), `cold-fallback:ds:${legacy}`, strategy.id],
      );
    }
    await generateRecommendations(t, admin.token);
    const { items } = (
      await t.http
        .get('/api/admin/monitoring/recommendations')
        .query({ datasourceId: legacy, pageSize: 100 })
        .set(bearer(admin.token))
        .expect(200)
    ).body as Paginated<Recommendation>;
    expect(
      items.filter((r) => r.recommendationType === 'ADD_SOURCE_INDEX' || r.recommendationType === 'DROP_UNUSED_INDEX'),
    ).toEqual([]);
    // Nor can an index strategy be put on it by hand.
    const manual = await t.http
      .post(INDEXES)
      .set(bearer(admin.token))
      .send({
        tableName: 'public.app_user',
        indexName: 'ix_probe',
        indexType: 'BTREE',
        columns: ['email'],
        usagePattern: 'LOOKUP',
        maintenanceWindow: 'IMMEDIATE',
      });
    expectNotAllowed(manual, 'tableName');
  });

  it("registers only indexes of allowed tables, and puts away what an older collector found on the service's own", async () => {
    await legacyDatasource('public.app_user');
    const table = await createSourceTable(db, { practices: 1, providers: 1, periods: 1 });
    await create({ name: `Collected ${table}`, sourceTable: table, columnMapping: TEST_MAPPING }).expect(201);
    // What the collector registered before the allow-list, from a datasource on public.app_user.
    const [old] = (await db.query(
      `INSERT INTO index_strategy (table_name, index_name, index_type, index_definition, columns, usage_pattern, maintenance_window, is_created, created_by, discovered)
       VALUES ('public.app_user', 'uq_app_user_email', 'BTREE', 'CREATE UNIQUE INDEX uq_app_user_email ON public.app_user USING btree (email)', '["email"]',
               'LOOKUP', 'IMMEDIATE', true, $1, true)
       ON CONFLICT (table_name, index_name) DO UPDATE SET is_active = true RETURNING id`,
      [SYSTEM_USER_ID],
    )) as Array<{ id: string }>;

    let collected: IndexCollectionResult | undefined;
    for (let attempt = 0; attempt < 100 && !collected?.ran; attempt++) {
      collected = (await t.http.post(`${INDEXES}/collect`).set(bearer(admin.token)).expect(200))
        .body as IndexCollectionResult;
    }
    expect(collected?.ran).toBe(true);
    const registered = (await db.query(
      `SELECT table_name, index_name FROM index_strategy WHERE is_active AND table_name NOT LIKE 'cache_test.%' AND table_name NOT LIKE 'demo_analytics.%'`,
    )) as unknown[];
    expect(registered).toEqual([]);
    expect(
      (await db.query(`SELECT count(*)::int AS n FROM index_strategy WHERE table_name = $1 AND discovered`, [table]))[0]
        .n,
    ).toBe(1);

    // Its index stays where it is: the strategy's table is outside the allow-list.
    const drop = await t.http.delete(`${INDEXES}/${old.id}`).query({ dropIndex: 'true' }).set(bearer(admin.token));
    expectNotAllowed(drop, 'tableName');
    expect(
      await db.query(
        `SELECT 1 FROM pg_indexes WHERE schemaname = 'public' AND indexname IN ('uq_app_user_email', 'uq_api_key_hash')`,
      ),
    ).toHaveLength(2);
  });

  it('drops only indexes it built: never a discovered one, never a unique one put in place of its own', async () => {
    const table = await createSourceTable(db, { practices: 2, providers: 2, periods: 2 });
    const [schema, name] = table.split('.');
    await create({ name: `Drops ${table}`, sourceTable: table, columnMapping: TEST_MAPPING }).expect(201);
    await db.query(
      `CREATE UNIQUE INDEX uq_${name} ON ${table} (measure, practice_id, provider_id, frequency, period_date)`,
    );
    await db.query(`CREATE INDEX ix_${name}_value ON ${table} (value)`);
    let ran = false;
    while (!ran)
      ran = (
        (await t.http.post(`${INDEXES}/collect`).set(bearer(admin.token)).expect(200)).body as IndexCollectionResult
      ).ran;
    const listed = (await t.http.get(INDEXES).query({ tableName: table }).set(bearer(admin.token)).expect(200))
      .body as IndexStrategy[];
    for (const indexName of [`uq_${name}`, `ix_${name}_value`]) {
      const found = listed.find((s) => s.indexName === indexName)!;
      expect(found).toMatchObject({ discovered: true, builtByService: false });
      const response = await t.http
        .delete(`${INDEXES}/${found.id}`)
        .query({ dropIndex: 'true' })
        .set(bearer(admin.token))
        .expect(409);
      expect(response.body).toMatchObject({ code: 'INDEX_NOT_MANAGED', details: { indexName } });
    }

    // Built by the service, then replaced behind its back by a unique index of the same name.
    const strategy = (
      await t.http
        .post(INDEXES)
        .set(bearer(admin.token))
        .send({
          tableName: table,
          indexName: `ix_${name}_period`,
          indexType: 'BTREE',
          columns: ['period_date'],
          usagePattern: 'LOOKUP',
          maintenanceWindow: 'IMMEDIATE',
        })
        .expect(201)
    ).body as IndexStrategy;
    expect(
      (
        (await t.http.post(`${INDEXES}/${strategy.id}/apply`).set(bearer(admin.token)).expect(200)).body as {
          strategy: IndexStrategy;
        }
      ).strategy,
    ).toMatchObject({
      isCreated: true,
      builtByService: true,
    });
    await db.query(`DROP INDEX ${schema}.ix_${name}_period`);
    await db.query(
      `CREATE UNIQUE INDEX ix_${name}_period ON ${table} (measure, practice_id, provider_id, frequency, period_date)`,
    );
    const unique = await t.http
      .delete(`${INDEXES}/${strategy.id}`)
      .query({ dropIndex: 'true' })
      .set(bearer(admin.token))
      .expect(409);
    expect(unique.body).toMatchObject({
      code: 'INDEX_BACKS_CONSTRAINT',
      details: { indexName: `ix_${name}_period`, tableName: table },
    });
    const left = (await db.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY 1`,
      [schema, name],
    )) as Array<{ indexname: string }>;
    expect(left.map((row) => row.indexname)).toEqual(
      expect.arrayContaining([`uq_${name}`, `ix_${name}_value`, `ix_${name}_period`]),
    );
  });
  it('never counts an index of the same name it took over as its own, even on a strategy that once built one', async () => {
    const table = await createSourceTable(db, { practices: 1, providers: 1, periods: 2 });
    const [schema, name] = table.split('.');
    await create({ name: `Taken over ${table}`, sourceTable: table, columnMapping: TEST_MAPPING }).expect(201);
    const body = {
      tableName: table,
      indexName: `ix_${name}_own`,
      indexType: 'BTREE',
      columns: ['period_date'],
      usagePattern: 'LOOKUP',
      maintenanceWindow: 'IMMEDIATE',
    };
    const first = (await t.http.post(INDEXES).set(bearer(admin.token)).send(body).expect(201)).body as IndexStrategy;
    await t.http.post(`${INDEXES}/${first.id}/apply`).set(bearer(admin.token)).expect(200);
    // Its index is dropped behind its back; the strategy is put away and created again under the same name (the row
    // is reused), and meanwhile someone else makes an index of that name, which apply then takes over.
    await db.query(`DROP INDEX ${schema}.ix_${name}_own`);
    await t.http.delete(`${INDEXES}/${first.id}`).set(bearer(admin.token)).expect(204);
    const again = (await t.http.post(INDEXES).set(bearer(admin.token)).send(body).expect(201)).body as IndexStrategy;
    expect(again).toMatchObject({ id: first.id, builtByService: false });
    await db.query(`CREATE INDEX ix_${name}_own ON ${table} (value)`);
    const applied = await t.http.post(`${INDEXES}/${again.id}/apply`).set(bearer(admin.token)).expect(200);
    expect(applied.body).toMatchObject({ status: 'exists', strategy: { isCreated: true, builtByService: false } });

    const refused = await t.http
      .delete(`${INDEXES}/${again.id}`)
      .query({ dropIndex: 'true' })
      .set(bearer(admin.token))
      .expect(409);
    expect(refused.body).toMatchObject({ code: 'INDEX_NOT_MANAGED', details: { indexName: `ix_${name}_own` } });
    expect(
      await db.query(`SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = $2`, [schema, `ix_${name}_own`]),
    ).toHaveLength(1);
  });
});
