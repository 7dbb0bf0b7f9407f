import type { ApplyIndexResult, Datasource, IndexCollectionResult, IndexStrategy } from '@ccc/shared-types';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config.js';
import { ANALYTICS_CACHE_LAYER_ID, CacheStrategyEntity } from '../src/datasources/cache-strategy.entity.js';
import { SourceDatabase } from '../src/datasources/source-database.js';
import { QueryPerformanceRecorder } from '../src/db-performance/query-performance.recorder.js';
import { SYSTEM_USER_ID } from '../src/users/app-user.entity.js';
import { adminDatabaseUrl, testEnv } from './support/env.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { createSourceTable, TEST_MAPPING, TEST_SOURCE_SCHEMA } from './support/source-table.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';
import { requestWarm, waitForJob } from './support/warming.js';

const INDEXES = '/api/admin/monitoring/indexes';

/**
 * Sources read through a separate, read-only role (SOURCE_DATABASE_URL): it may SELECT in the source schema and
 * nothing else. Warming, queries, the query log's EXPLAINs and index discovery work through it; index builds (DDL)
 * run on DATABASE_URL. The service's own tables are out of reach of both the API and the role.
 */
describe('sources through a read-only role', () => {
  const role = `ccc_reader_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  let admin: pg.Client;
  let redisServer: PrivateRedis;
  let t: TestApp;
  let db: DataSource;
  let token: string;

  const roleUrl = (): string => {
    const url = new URL(testEnv().databaseUrl);
    url.username = role;
    url.password = '';
    return url.toString();
  };

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: testEnv().databaseUrl });
    await admin.connect();
    const database = (await admin.query<{ name: string }>('SELECT current_database() AS name')).rows[0].name;
    // Another test file may create the schema at the same moment.
    await admin
      .query(`CREATE SCHEMA IF NOT EXISTS ${TEST_SOURCE_SCHEMA}`)
      .catch(() => admin.query(`CREATE SCHEMA IF NOT EXISTS ${TEST_SOURCE_SCHEMA}`));
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    await admin.query(`GRANT CONNECT ON DATABASE ${database} TO ${role}`);
    await admin.query(`GRANT USAGE ON SCHEMA ${TEST_SOURCE_SCHEMA} TO ${role}`);
    await admin.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${TEST_SOURCE_SCHEMA} TO ${role}`);
    await admin.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${TEST_SOURCE_SCHEMA} GRANT SELECT ON TABLES TO ${role}`);

    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      SOURCE_DATABASE_URL: roleUrl(),
      INDEX_DROP_MIN_AGE_DAYS: '0',
    });
    db = t.app.get(DataSource);
    token = (await userWithToken(t, 'admin')).token;
  });
  afterAll(async () => {
    await t?.close();
    await redisServer?.stop();
    await admin.query(`DROP OWNED BY ${role}`).catch(() => undefined);
    await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin.end();
  });

  it('warms, answers hot and cold queries, logs plans, discovers and builds indexes — reading only through the role', async () => {
    const table = await createSourceTable(db, { practices: 2, providers: 2, periods: 3 });
    const ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(token))
        .send({ name: `Role ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
        .expect(201)
    ).body as Datasource;

    const cold = await t.http
      .get(`/api/analytics/datasources/${ds.id}/query`)
      .query({ measure: 'Charges', practice: '1' })
      .set(bearer(token))
      .expect(200);
    expect(cold.body).toMatchObject({ source: 'database' });
    const warm = await requestWarm(t, token, ds.id);
    await waitForJob(t, token, warm.jobId, ['COMPLETED']);
    const hot = await t.http
      .get(`/api/analytics/datasources/${ds.id}/query`)
      .query({ measure: 'Charges', practice: '1' })
      .set(bearer(token))
      .expect(200);
    expect(hot.body).toMatchObject({ source: 'cache' });
    const sorted = (entries: unknown[]): string[] => entries.map((entry) => JSON.stringify(entry)).sort();
    expect(sorted(hot.body.entries)).toEqual(sorted(cold.body.entries));

    // The query log records the role the source was read as, and the plans EXPLAIN gave it.
    await t.app.get(QueryPerformanceRecorder).flush();
    const logged = (await db.query(
      `SELECT DISTINCT database_user, application_context FROM query_performance_log WHERE cache_strategy_id = $1 ORDER BY 2`,
      [ds.strategyId],
    )) as Array<{
      database_user: string;
      application_context: string;
    }>;
    expect(logged).toEqual([
      { database_user: role, application_context: `cold-fallback:ds:${ds.id}` },
      { database_user: role, application_context: `warming:ds:${ds.id}` },
    ]);

    // Index discovery reads the catalog through the role; a build is DDL and runs as DATABASE_URL's role.
    let collected: IndexCollectionResult | undefined;
    while (!collected?.ran)
      collected = (await t.http.post(`${INDEXES}/collect`).set(bearer(token)).expect(200))
        .body as IndexCollectionResult;
    const discovered = (await t.http.get(INDEXES).query({ tableName: table }).set(bearer(token)).expect(200))
      .body as IndexStrategy[];
    expect(discovered.filter((s) => s.discovered)).toHaveLength(1);
    const indexName = `ix_${table.split('.')[1]}_value`;
    const strategy = (
      await t.http
        .post(INDEXES)
        .set(bearer(token))
        .send({
          tableName: table,
          indexName,
          indexType: 'BTREE',
          columns: ['value'],
          usagePattern: 'LOOKUP',
          maintenanceWindow: 'IMMEDIATE',
        })
        .expect(201)
    ).body as IndexStrategy;
    const applied = (await t.http.post(`${INDEXES}/${strategy.id}/apply`).set(bearer(token)).expect(200))
      .body as ApplyIndexResult;
    expect(applied).toMatchObject({ status: 'created', strategy: { isCreated: true, builtByService: true } });

    // Proof that reads go through the role: without its SELECT grant the fallback is refused, not served.
    await admin.query(`REVOKE SELECT ON ${table} FROM ${role}`);
    await t.http
      .post('/api/admin/analytics/cache/invalidate')
      .set(bearer(token))
      .send({ datasourceId: ds.id })
      .expect(200);
    const refused = await t.http
      .get(`/api/analytics/datasources/${ds.id}/query`)
      .query({ measure: 'Charges', practice: '1' })
      .set(bearer(token))
      .expect(403);
    expect(refused.body).toMatchObject({ code: 'SOURCE_NOT_ALLOWED' });
  });

  it("keeps the service's own tables out of reach: of every API, and of the role itself", async () => {
    const created = await t.http
      .post('/api/admin/datasources')
      .set(bearer(token))
      .send({
        name: 'Users',
        sourceTable: 'public.app_user',
        columnMapping: { ...TEST_MAPPING, measure: 'email', practice: 'password_hash' },
      })
      .expect(403);
    expect(created.body.code).toBe('SOURCE_NOT_ALLOWED');
    const repository = db.getRepository(CacheStrategyEntity);
    const legacy = await repository.save(
      repository.create({
        cacheLayerId: ANALYTICS_CACHE_LAYER_ID,
        name: `Legacy ${randomUUID().slice(0, 8)}`,
        sourceTable: 'public.app_user',
        columnMapping: { ...TEST_MAPPING, measure: 'email', practice: 'password_hash' },
        createdBy: SYSTEM_USER_ID,
      }),
    );
    const { datasourceId } = await repository.findOneByOrFail({ id: legacy.id });
    expect(
      (await t.http.get(`/api/analytics/datasources/${datasourceId}/query`).set(bearer(token)).expect(403)).body.code,
    ).toBe('SOURCE_NOT_ALLOWED');

    const asRole = new pg.Client({ connectionString: roleUrl() });
    await asRole.connect();
    try {
      for (const own of ['public.app_user', 'public.api_key', 'public.audit_log', 'public.cache_strategy']) {
        await expect(asRole.query(`SELECT * FROM ${own} LIMIT 1`)).rejects.toMatchObject({ code: '42501' });
      }
    } finally {
      await asRole.end();
    }
  });

  it("refuses to start with SOURCE_SCHEMAS naming the service's own schema, or SOURCE_DATABASE_URL on another database", async () => {
    const boot = async (env: Record<string, string>): Promise<void> => {
      const probe = new SourceDatabase(loadConfig({ ...process.env, NODE_ENV: 'test', ...env }), db);
      try {
        await probe.onModuleInit();
      } finally {
        await probe.onApplicationShutdown();
      }
    };
    await expect(boot({ SOURCE_SCHEMAS: `${TEST_SOURCE_SCHEMA},public` })).rejects.toThrow(
      /^SOURCE_SCHEMAS must not include public: that schema holds the service's own tables/,
    );
    await expect(boot({ SOURCE_SCHEMAS: 'PUBLIC' })).rejects.toThrow(/SOURCE_SCHEMAS must not include PUBLIC/);
    await expect(boot({ SOURCE_SCHEMAS: TEST_SOURCE_SCHEMA, SOURCE_DATABASE_URL: adminDatabaseUrl() })).rejects.toThrow(
      /reaches database postgres.*point both at the same database/,
    );
    await expect(boot({ SOURCE_SCHEMAS: TEST_SOURCE_SCHEMA, SOURCE_DATABASE_URL: roleUrl() })).resolves.toBeUndefined();
  });
});
