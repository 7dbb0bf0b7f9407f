import type {
  Datasource,
  Paginated,
  Recommendation,
  RecommendationGenerationResult,
  RecommendationType,
} from '@ccc/shared-types';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { IndexStrategyService } from '../src/db-performance/index-strategy.service.js';
import { MIN_SLOW_UNINDEXED } from '../src/insights/recommendation-rules.js';
import { createDatasource, generateRecommendations, peakedDay, yesterday } from './support/insights.js';
import { expectShape, keysOf } from './support/shape.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';

const RECOMMENDATION_KEYS = keysOf<Recommendation>()(
  'id',
  'cacheStrategyId',
  'datasourceId',
  'datasourceName',
  'recommendationType',
  'priority',
  'recommendationDescription',
  'currentConfiguration',
  'recommendedConfiguration',
  'estimatedImprovement',
  'improvementMetric',
  'implementationStatus',
  'targetKey',
  'approvedBy',
  'approvedAt',
  'implementedAt',
  'implementationNotes',
  'createdBy',
  'createdAt',
);
const PAGE_KEYS = keysOf<Paginated<Recommendation>>()('items', 'total', 'page', 'pageSize');
const GENERATION_KEYS = keysOf<RecommendationGenerationResult>()('generatedAt', 'created', 'alreadyOpen', 'ran');
const THREE_DAYS = 3 * 86_400;

describe('optimization recommendations', () => {
  let t: TestApp;
  let admin: { id: string; token: string };
  let operator: { id: string; token: string };
  let viewer: { id: string; token: string };
  const created: number[] = [];
  const base = '/api/admin/monitoring/recommendations';

  /** A datasource with a PEAKED yesterday (peak 14–16 → optimal TTL 4.5 h), rolled up and evaluated. */
  async function peakedDatasource(patch: Record<string, unknown> = {}): Promise<Datasource> {
    const ds = await createDatasource(t, admin.token, patch);
    created.push(ds.id);
    await peakedDay(t, ds.id, yesterday());
    await t.http
      .post('/api/admin/monitoring/usage-patterns/rollup')
      .set(bearer(admin.token))
      .send({ date: yesterday() })
      .expect(200);
    await generateRecommendations(t, admin.token);
    return ds;
  }

  async function recommendationsOf(datasourceId: number, type?: RecommendationType): Promise<Recommendation[]> {
    const query = `datasourceId=${datasourceId}${type ? `&recommendationType=${type}` : ''}`;
    return (
      (await t.http.get(`${base}?${query}`).set(bearer(viewer.token)).expect(200)).body as Paginated<Recommendation>
    ).items;
  }

  const approve = (id: string, token = operator.token) => t.http.post(`${base}/${id}/approve`).set(bearer(token));
  const reject = (id: string, body: object = {}, token = operator.token) =>
    t.http.post(`${base}/${id}/reject`).set(bearer(token)).send(body);
  const implement = (id: string, body: object = {}, token = operator.token) =>
    t.http.post(`${base}/${id}/implement`).set(bearer(token)).send(body);

  beforeAll(async () => {
    t = await createTestApp();
    admin = await userWithToken(t, 'admin');
    operator = await userWithToken(t, 'operator');
    viewer = await userWithToken(t, 'viewer');
  });
  afterAll(async () => {
    for (const id of created) await t.http.delete(`/api/admin/datasources/${id}`).set(bearer(admin.token));
    await t.close();
  });

  it('ADJUST_TTL: implementing it changes the staleness TTL', async () => {
    const ds = await peakedDatasource({ stalenessTtlSeconds: THREE_DAYS });
    const [ttl] = await recommendationsOf(ds.id, 'ADJUST_TTL');
    expectShape(ttl, RECOMMENDATION_KEYS);
    expect(ttl).toMatchObject({
      implementationStatus: 'PENDING',
      targetKey: 'staleness-ttl',
      currentConfiguration: { stalenessTtlSeconds: THREE_DAYS },
      recommendedConfiguration: { stalenessTtlSeconds: 16_200 },
      improvementMetric: 'staleness_seconds_reduced',
      estimatedImprovement: THREE_DAYS - 16_200,
    });

    await implement(ttl.id).expect(409).expect(errorCode('CONFLICT')); // still PENDING
    await approve(ttl.id).expect(200);
    await approve(ttl.id).expect(409).expect(errorCode('CONFLICT')); // already APPROVED
    const done = (await implement(ttl.id, { notes: 'agreed in review' }).expect(200)).body as Recommendation;
    expect(done).toMatchObject({ implementationStatus: 'IMPLEMENTED', implementedAt: expect.any(String) });
    expect(done.implementationNotes).toMatch(
      /^agreed in review — Staleness TTL of datasource \d+ set to 16200 s \(was 259200 s\)\.$/,
    );
    expect(
      ((await t.http.get(`/api/admin/datasources/${ds.id}`).set(bearer(viewer.token)).expect(200)).body as Datasource)
        .stalenessTtlSeconds,
    ).toBe(16_200);
    // The implemented one shows after the open ones, and reading it by id gives the same.
    expect((await t.http.get(`${base}/${ttl.id}`).set(bearer(viewer.token)).expect(200)).body).toEqual(done);
  });

  it('refuses a stale recommendation with 409 and changes nothing', async () => {
    const ds = await peakedDatasource({ stalenessTtlSeconds: THREE_DAYS });
    const [ttl] = await recommendationsOf(ds.id, 'ADJUST_TTL');
    const [warm] = await recommendationsOf(ds.id, 'PREDICTIVE_WARMING');
    await approve(ttl.id).expect(200);
    await approve(warm.id).expect(200);

    // Someone changes the datasource by hand meanwhile.
    await t.http
      .patch(`/api/admin/datasources/${ds.id}`)
      .set(bearer(admin.token))
      .send({ stalenessTtlSeconds: 100_000, warmSchedule: '0 5 * * *' })
      .expect(200);

    const staleTtl = await implement(ttl.id).expect(409).expect(errorCode('CONFLICT'));
    expect(staleTtl.body.message).toContain('stale');
    await implement(warm.id).expect(409).expect(errorCode('CONFLICT'));
    const after = (await t.http.get(`/api/admin/datasources/${ds.id}`).set(bearer(viewer.token)).expect(200))
      .body as Datasource;
    expect(after).toMatchObject({ stalenessTtlSeconds: 100_000, warmSchedule: '0 5 * * *' });
    for (const id of [ttl.id, warm.id]) {
      expect((await t.http.get(`${base}/${id}`).set(bearer(viewer.token)).expect(200)).body).toMatchObject({
        implementationStatus: 'APPROVED',
        implementedAt: null,
      });
    }
  });

  it('rejects PENDING or APPROVED recommendations, and does not propose a rejected one again', async () => {
    const ds = await peakedDatasource();
    const [warm] = await recommendationsOf(ds.id, 'PREDICTIVE_WARMING');
    const rejected = (await reject(warm.id, { notes: 'the peak is a one-off' }).expect(200)).body as Recommendation;
    expect(rejected).toMatchObject({ implementationStatus: 'REJECTED', implementationNotes: 'the peak is a one-off' });
    await reject(warm.id).expect(409).expect(errorCode('CONFLICT'));
    await approve(warm.id).expect(409).expect(errorCode('CONFLICT'));
    await implement(warm.id).expect(409).expect(errorCode('CONFLICT'));

    await generateRecommendations(t, admin.token);
    expect((await recommendationsOf(ds.id, 'PREDICTIVE_WARMING')).map((r) => r.implementationStatus)).toEqual([
      'REJECTED',
    ]);

    // An approved one can still be rejected.
    const other = await peakedDatasource({ stalenessTtlSeconds: THREE_DAYS });
    const [ttl] = await recommendationsOf(other.id, 'ADJUST_TTL');
    await approve(ttl.id).expect(200);
    expect(((await reject(ttl.id).expect(200)).body as Recommendation).implementationStatus).toBe('REJECTED');
  });

  it('lists PENDING first, filters, paginates, and answers with the shared shapes', async () => {
    const ds = await peakedDatasource({ stalenessTtlSeconds: THREE_DAYS });
    const [ttl] = await recommendationsOf(ds.id, 'ADJUST_TTL');
    await approve(ttl.id).expect(200);
    const page = (await t.http.get(`${base}?datasourceId=${ds.id}`).set(bearer(viewer.token)).expect(200))
      .body as Paginated<Recommendation>;
    expectShape(page, PAGE_KEYS);
    expect(page.items.map((r) => r.implementationStatus)).toEqual(['PENDING', 'APPROVED']);
    expect(page.items.map((r) => r.recommendationType)).toEqual(['PREDICTIVE_WARMING', 'ADJUST_TTL']);

    const approved = (
      await t.http.get(`${base}?datasourceId=${ds.id}&status=APPROVED`).set(bearer(viewer.token)).expect(200)
    ).body as Paginated<Recommendation>;
    expect(approved.items.map((r) => r.id)).toEqual([ttl.id]);
    const small = (
      await t.http.get(`${base}?datasourceId=${ds.id}&pageSize=1&page=2`).set(bearer(viewer.token)).expect(200)
    ).body as Paginated<Recommendation>;
    expect(small).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(small.items.map((r) => r.id)).toEqual([ttl.id]);

    const generated = (await t.http.post(`${base}/generate`).set(bearer(admin.token)).expect(200))
      .body as RecommendationGenerationResult;
    expectShape(generated, GENERATION_KEYS);
  });

  /** Slow, unindexed queries of the datasource in the query-performance log, as the source reader logs them. */
  async function slowQueries(
    ds: Datasource,
    count = MIN_SLOW_UNINDEXED,
    context: 'cold-fallback' | 'warming' = 'cold-fallback',
  ): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      await t.app.get(DataSource).query(
        `INSERT INTO query_performance_log (query_hash, query_pattern, execution_time_ms, rows_examined, rows_returned, used_index, is_slow_query, database_user,
                                            application_context, cache_strategy_id)
         VALUES ($1, 'SELECT * FROM t WHERE measure = ? AND frequency = ?', 2400, 100000, 10, false, true, 'test', $2, $3)`,
        [(randomUUID() + randomUUID()).replace(/-/g, ''), `${context}:ds:${ds.id}`, ds.strategyId],
      );
    }
  }

  it('ADD_SOURCE_INDEX counts only slow cold-fallback queries, and needs several of them', async () => {
    const ds = await createDatasource(t, admin.token);
    created.push(ds.id);
    // A slow warm (a full-table COPY that waits for Redis) says nothing about a missing index.
    await slowQueries(ds, MIN_SLOW_UNINDEXED + 2, 'warming');
    await generateRecommendations(t, admin.token);
    expect(await recommendationsOf(ds.id, 'ADD_SOURCE_INDEX')).toEqual([]);
    // One slow cold-fallback query short of the minimum: still nothing.
    await slowQueries(ds, MIN_SLOW_UNINDEXED - 1);
    await generateRecommendations(t, admin.token);
    expect(await recommendationsOf(ds.id, 'ADD_SOURCE_INDEX')).toEqual([]);
    // The minimum reached.
    await slowQueries(ds, 1);
    await generateRecommendations(t, admin.token);
    const [add] = await recommendationsOf(ds.id, 'ADD_SOURCE_INDEX');
    expect(add).toMatchObject({ implementationStatus: 'PENDING', estimatedImprovement: 2400 });
    expect(add.recommendationDescription).toContain(`${MIN_SLOW_UNINDEXED} slow cold-fallback queries`);
  });

  /** Runs `fn` with the index strategies' clock at `iso` (their OFF_PEAK window is 01–05 UTC by default). */
  async function atIndexClock<T>(iso: string, fn: () => Promise<T>): Promise<T> {
    const service = t.app.get(IndexStrategyService);
    const realClock = service.clock;
    service.clock = () => new Date(iso);
    try {
      return await fn();
    } finally {
      service.clock = realClock;
    }
  }

  const indexExists = async (name: unknown): Promise<boolean> =>
    ((await t.app.get(DataSource).query(`SELECT 1 FROM pg_indexes WHERE indexname = $1`, [name])) as unknown[]).length >
    0;

  it('ADD_SOURCE_INDEX: slow unindexed queries give an index recommendation; implementing it creates the index strategy', async () => {
    const ds = await createDatasource(t, admin.token);
    created.push(ds.id);
    await slowQueries(ds);
    await generateRecommendations(t, admin.token);
    const [add] = await recommendationsOf(ds.id, 'ADD_SOURCE_INDEX');
    expect(add).toMatchObject({
      targetKey: `index:${ds.sourceTable}(measure,frequency)`,
      currentConfiguration: { indexName: null },
      recommendedConfiguration: {
        tableName: ds.sourceTable,
        indexType: 'COMPOSITE',
        columns: ['measure', 'frequency'],
        usagePattern: 'ANALYTICS',
        maintenanceWindow: 'OFF_PEAK',
      },
      estimatedImprovement: 2400,
      improvementMetric: 'query_time_ms',
    });
    await approve(add.id).expect(200);
    // Inside the OFF_PEAK window the index is built during the implement call (CREATE INDEX CONCURRENTLY, which
    // waits for every older transaction of the database: implementing must not hold one open meanwhile).
    const done = (await atIndexClock('2026-03-05T02:00:00Z', () => implement(add.id).expect(200)))
      .body as Recommendation;
    expect(done.implementationStatus).toBe('IMPLEMENTED');
    expect(done.implementationNotes).toContain(String(add.recommendedConfiguration.indexName));
    expect(done.implementationNotes).toMatch(/ and built\.$/);
    expect(await indexExists(add.recommendedConfiguration.indexName)).toBe(true);
    const [strategy] = (await t.app
      .get(DataSource)
      .query(
        `SELECT columns, index_type, maintenance_window, is_active FROM index_strategy WHERE table_name = $1 AND index_name = $2`,
        [ds.sourceTable, add.recommendedConfiguration.indexName],
      )) as Array<{ columns: string[]; index_type: string; maintenance_window: string; is_active: boolean }>;
    expect(strategy).toEqual({
      columns: ['measure', 'frequency'],
      index_type: 'COMPOSITE',
      maintenance_window: 'OFF_PEAK',
      is_active: true,
    });

    // The planned index covers the columns: no new recommendation for them.
    await generateRecommendations(t, admin.token);
    expect((await recommendationsOf(ds.id, 'ADD_SOURCE_INDEX')).map((r) => r.implementationStatus)).toEqual([
      'IMPLEMENTED',
    ]);
  });

  it('ADD_SOURCE_INDEX outside the OFF_PEAK window: implementing it defers the build to the window', async () => {
    const ds = await createDatasource(t, admin.token);
    created.push(ds.id);
    await slowQueries(ds);
    await generateRecommendations(t, admin.token);
    const [add] = await recommendationsOf(ds.id, 'ADD_SOURCE_INDEX');
    await approve(add.id).expect(200);
    const done = (await atIndexClock('2026-03-04T12:00:00Z', () => implement(add.id).expect(200)))
      .body as Recommendation;
    expect(done.implementationStatus).toBe('IMPLEMENTED');
    expect(done.implementationNotes).toContain('waits for the off-peak window opening at 2026-03-05T01:00:00.000Z');
    expect(await indexExists(add.recommendedConfiguration.indexName)).toBe(false);
  });

  it('ADD_SOURCE_INDEX is stale once an index leading with those columns exists', async () => {
    const ds = await createDatasource(t, admin.token);
    created.push(ds.id);
    await slowQueries(ds);
    await generateRecommendations(t, admin.token);
    const [add] = await recommendationsOf(ds.id, 'ADD_SOURCE_INDEX');
    await approve(add.id).expect(200);
    await t.app.get(DataSource).query(`CREATE INDEX ON ${ds.sourceTable} (frequency, measure)`);
    expect((await implement(add.id).expect(409)).body.message).toContain('stale');
    expect((await t.http.get(`${base}/${add.id}`).set(bearer(viewer.token)).expect(200)).body).toMatchObject({
      implementationStatus: 'APPROVED',
    });
  });

  it('DROP_UNUSED_INDEX: a flagged index is proposed for dropping, and implementing it drops the index', async () => {
    const ds = await createDatasource(t, admin.token);
    created.push(ds.id);
    const db = t.app.get(DataSource);
    const indexName = `ix_unused_${randomUUID().slice(0, 8)}`;
    await db.query(`CREATE INDEX ${indexName} ON ${ds.sourceTable} (value)`);
    const [index] = (await db.query(
      // As the service's own build leaves it: only indexes it built may be proposed for dropping.
      `INSERT INTO index_strategy (table_name, index_name, index_type, index_definition, columns, usage_pattern, maintenance_window, is_created, built_by_service, created_by)
       VALUES ($1, $2, 'BTREE', $3, '["value"]', 'LOOKUP', 'OFF_PEAK', true, true, $4) RETURNING id`,
      [ds.sourceTable, indexName, `CREATE INDEX ${indexName} ON ${ds.sourceTable} (value)`, admin.id],
    )) as Array<{ id: string }>;
    await db.query(
      `INSERT INTO index_usage_stats (index_strategy_id, table_name, index_name, total_scans, index_size_bytes, is_recommended_for_drop)
       VALUES ($1, $2, $3, 0, 52428800, true)`,
      [index.id, ds.sourceTable, indexName],
    );
    await generateRecommendations(t, admin.token);
    const [drop] = await recommendationsOf(ds.id, 'DROP_UNUSED_INDEX');
    expect(drop).toMatchObject({
      targetKey: `drop-index:${ds.sourceTable}.${indexName}`,
      currentConfiguration: { index: indexName },
      recommendedConfiguration: { drop: indexName, indexStrategyId: index.id },
      estimatedImprovement: 50,
      improvementMetric: 'mb_freed',
    });
    await approve(drop.id).expect(200);
    expect(((await implement(drop.id).expect(200)).body as Recommendation).implementationStatus).toBe('IMPLEMENTED');
    const left = (await db.query(`SELECT 1 FROM pg_indexes WHERE indexname = $1`, [indexName])) as unknown[];
    expect(left).toHaveLength(0);
  });

  it.each([
    ['a malformed id', `${'/api/admin/monitoring/recommendations'}/not-a-uuid`, 'id'],
    ['an unknown status', '/api/admin/monitoring/recommendations?status=DONE', 'status'],
    ['an unknown type', '/api/admin/monitoring/recommendations?recommendationType=MAGIC', 'recommendationType'],
    ['a bad page size', '/api/admin/monitoring/recommendations?pageSize=0', 'pageSize'],
    ['a bad datasource id', '/api/admin/monitoring/recommendations?datasourceId=-3', 'datasourceId'],
  ])('answers 400 naming the field for %s', async (_label, url, field) => {
    const response = await t.http.get(url).set(bearer(viewer.token)).expect(400).expect(errorCode('VALIDATION_FAILED'));
    expect((response.body.details.fields as Array<{ field: string }>).map((f) => f.field)).toContain(field);
  });

  it('answers 404 for an unknown datasource in the filter', async () => {
    const response = await t.http
      .get(`${base}?datasourceId=424242`)
      .set(bearer(viewer.token))
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
    expect(response.body.message).toContain('424242');
  });

  it('answers 400 for bad notes and ids on decisions, 404 for unknown recommendations', async () => {
    const unknown = randomUUID();
    await t.http.get(`${base}/${unknown}`).set(bearer(viewer.token)).expect(404).expect(errorCode('NOT_FOUND'));
    await approve(unknown).expect(404).expect(errorCode('NOT_FOUND'));
    await reject(unknown).expect(404).expect(errorCode('NOT_FOUND'));
    await implement(unknown).expect(404).expect(errorCode('NOT_FOUND'));
    const tooLong = await reject(unknown, { notes: 'x'.repeat(1001) })
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));
    expect(tooLong.body.details.fields[0].field).toBe('notes');
    const badId = await approve('12').expect(400).expect(errorCode('VALIDATION_FAILED'));
    expect(badId.body.details.fields[0].field).toBe('id');
  });

  it('lets viewers read but not decide, generate or roll up', async () => {
    const ds = await peakedDatasource();
    const [warm] = await recommendationsOf(ds.id, 'PREDICTIVE_WARMING');
    await t.http.get(`${base}/${warm.id}`).set(bearer(viewer.token)).expect(200);
    await approve(warm.id, viewer.token).expect(403).expect(errorCode('FORBIDDEN'));
    await reject(warm.id, {}, viewer.token).expect(403).expect(errorCode('FORBIDDEN'));
    await implement(warm.id, {}, viewer.token).expect(403).expect(errorCode('FORBIDDEN'));
    await t.http.post(`${base}/generate`).set(bearer(viewer.token)).expect(403).expect(errorCode('FORBIDDEN'));
    await t.http
      .post('/api/admin/monitoring/usage-patterns/rollup')
      .set(bearer(viewer.token))
      .send({})
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
    expect((await t.http.get(`${base}/${warm.id}`).set(bearer(viewer.token)).expect(200)).body).toMatchObject({
      implementationStatus: 'PENDING',
    });
  });
});
