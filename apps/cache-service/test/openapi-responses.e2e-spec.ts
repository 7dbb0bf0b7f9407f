import { randomUUID } from 'node:crypto';
import type { AlertEvaluationResult, Datasource, Paginated, RedisKeysPage } from '@ccc/shared-types';
import { Redis } from 'ioredis';
import { QueryPerformanceRecorder } from '../src/db-performance/query-performance.recorder.js';
import { createDatasource, generateRecommendations, peakedDay, yesterday } from './support/insights.js';
import { isolatedStack, type IsolatedStack } from './support/isolated-stack.js';
import { responseCheck } from './support/openapi-responses.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';
import { requestWarm, waitForJob } from './support/warming.js';

type OpenApiDoc = Parameters<typeof responseCheck>[0] & {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string; required?: boolean }[] }>>;
};

/*
 * Acceptance 1 of issue 12: every GET operation of the live document, called as an admin on real data (a warmed
 * datasource, a slow query with its plan, an alert, a recommendation, an index strategy, a purge, an analytics
 * entry to inspect), answers 200 with a body the document's response schema accepts — no undocumented field
 * either. On a stack of its own: it creates global thresholds and purges keys.
 */
describe('OpenAPI contract: live GET responses', () => {
  let stack: IsolatedStack;
  let t: TestApp;
  let token: string;
  let doc: OpenApiDoc;
  /** Values for path and required query parameters, by operation path and parameter name. */
  const values = new Map<string, Record<string, string>>();

  const get = async <T>(url: string): Promise<T> => (await t.http.get(url).set(bearer(token)).expect(200)).body as T;

  beforeAll(async () => {
    stack = await isolatedStack('openapi');
    t = await createTestApp({
      ...stack.env,
      RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000',
      RATE_LIMIT_WARMING_PER_HOUR: '1000',
    });
    token = (await userWithToken(t, 'admin')).token;
    doc = (await t.http.get('/api/docs-json').expect(200)).body as OpenApiDoc;

    // A datasource whose source table has a QUERY_TIME threshold so low that its cold query is slow and explained.
    const ds: Datasource = await createDatasource(t, token, { minWarmIntervalSeconds: 0 });
    await stack.db.query(
      `INSERT INTO performance_threshold (metric_type, table_name, warning_threshold, critical_threshold, threshold_unit, alert_enabled, created_by)
       VALUES ('QUERY_TIME', $1, 0.001, 0.002, 'MILLISECONDS', false, '00000000-0000-0000-0000-000000000000')`,
      [ds.sourceTable],
    );
    await get(`/api/analytics/datasources/${ds.id}/query?measure=Charges`);
    await waitForJob(t, token, (await requestWarm(t, token, ds.id)).jobId!, ['COMPLETED']);
    await get(`/api/analytics/datasources/${ds.id}/query?measure=Charges`);
    await t.app.get(QueryPerformanceRecorder).flush();

    // An alert raised by the evaluator (there is always at least one connection), a recommendation, an index, a purge.
    await t.http
      .post('/api/admin/monitoring/thresholds')
      .set(bearer(token))
      .send({ metricType: 'CONNECTION_COUNT', warningThreshold: 0.0001, criticalThreshold: 0.0002 })
      .expect(201);
    // A remediation rule that acts on that alert in the same evaluation round (an action to list).
    const rule = (
      await t.http
        .post('/api/admin/monitoring/remediation/rules')
        .set(bearer(token))
        .send({ name: 'openapi contract', alertType: 'CONNECTION_COUNT_HIGH', action: 'NOTIFY_ONLY' })
        .expect(201)
    ).body as { id: string };
    const evaluation = (await t.http.post('/api/admin/monitoring/alerts/evaluate').set(bearer(token)).expect(200))
      .body as AlertEvaluationResult;
    expect(evaluation.fired).toBeGreaterThan(0);
    await peakedDay(t, ds.id, yesterday());
    await t.http
      .post('/api/admin/monitoring/usage-patterns/rollup')
      .set(bearer(token))
      .send({ date: yesterday() })
      .expect(200);
    await generateRecommendations(t, token);
    const index = await t.http
      .post('/api/admin/monitoring/indexes')
      .set(bearer(token))
      .send({
        tableName: ds.sourceTable,
        indexName: `ix_openapi_${randomUUID().slice(0, 8)}`,
        columns: ['practice_id'],
        indexType: 'BTREE',
        usagePattern: 'LOOKUP',
        maintenanceWindow: 'IMMEDIATE',
      })
      .expect(201);
    await t.http.post(`/api/admin/monitoring/indexes/${index.body.id}/apply`).set(bearer(token)).expect(200);
    await t.http.post('/api/admin/monitoring/indexes/collect').set(bearer(token)).expect(200);
    await t.http
      .post('/api/admin/api-keys')
      .set(bearer(token))
      .send({ name: 'openapi contract', permissions: ['analytics:read'] })
      .expect(201);
    const redis = new Redis(stack.env.REDIS_URL);
    await redis.set('openapi-test:a', '1');
    redis.disconnect();
    const purge = (
      await t.http
        .post('/api/admin/redis/purge')
        .set(bearer(token))
        .send({ pattern: 'openapi-test:*', dryRun: false })
        .expect(200)
    ).body as { purgeId: string };

    const first = <T>(page: T[] | Paginated<T>): T => {
      const items = Array.isArray(page) ? page : page.items;
      if (items.length === 0) throw new Error('no row to read one of');
      return items[0];
    };
    const job = first(await get<Paginated<{ jobId: string }>>('/api/admin/analytics/cache/warming/jobs'));
    const threshold = first(await get<{ id: string }[]>('/api/admin/monitoring/thresholds'));
    const alert = first(await get<Paginated<{ id: string }>>('/api/admin/monitoring/alerts'));
    const recommendation = first(await get<Paginated<{ id: string }>>('/api/admin/monitoring/recommendations'));
    const pattern = first(await get<{ queryHash: string }[]>('/api/admin/monitoring/query-performance/patterns'));
    let entryKey: string | undefined;
    for (let cursor = '0', pages = 0; !entryKey && pages < 100; pages++) {
      const page = await get<RedisKeysPage>(
        `/api/admin/redis/keys?pattern=${encodeURIComponent('cache:*')}&count=1000&cursor=${cursor}`,
      );
      entryKey = page.keys.find((key) => key.namespace === 'analytics-entry')?.key;
      cursor = page.cursor;
      if (cursor === '0') break;
    }
    const set = (path: string, params: Record<string, string>) => values.set(path, params);
    set('/api/admin/datasources/{id}', { id: String(ds.id) });
    set('/api/admin/analytics/cache/datasources/{id}', { id: String(ds.id) });
    set('/api/admin/analytics/cache/datasources/{id}/regions', { id: String(ds.id) });
    set('/api/analytics/datasources/{id}/query', { id: String(ds.id) });
    set('/api/admin/analytics/cache/warming/jobs/{jobId}', { jobId: job.jobId });
    set('/api/admin/monitoring/thresholds/{id}', { id: threshold.id });
    set('/api/admin/monitoring/alerts/{id}', { id: alert.id });
    set('/api/admin/monitoring/recommendations/{id}', { id: recommendation.id });
    set('/api/admin/monitoring/query-performance/patterns/{hash}', { hash: pattern.queryHash });
    set('/api/admin/monitoring/indexes/{id}', { id: index.body.id as string });
    set('/api/admin/monitoring/remediation/rules/{id}', { id: rule.id });
    set('/api/admin/monitoring/usage-patterns/{id}/forecast', { id: String(ds.id) });
    set('/api/admin/monitoring/usage-patterns/{id}/forecast/backtest', { id: String(ds.id) });
    set('/api/admin/redis/purge/{purgeId}', { purgeId: purge.purgeId });
    set('/api/admin/redis/inspect', { key: entryKey ?? 'no analytics entry found' });
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    await stack?.close();
  });

  it('answers every GET operation with a body that its documented 200 schema accepts', async () => {
    const check = responseCheck(doc);
    const problems: string[] = [];
    const bodies = new Map<string, unknown>();
    const operations = Object.entries(doc.paths).filter(([, item]) => item.get);
    expect(operations.length).toBeGreaterThan(35);
    for (const [path, item] of operations) {
      const params = values.get(path) ?? {};
      let url = path;
      const query = new URLSearchParams();
      for (const parameter of item.get.parameters ?? []) {
        if (parameter.in === 'path')
          url = url.replace(`{${parameter.name}}`, encodeURIComponent(params[parameter.name] ?? 'missing'));
        else if (parameter.required || params[parameter.name] !== undefined)
          query.set(parameter.name, params[parameter.name] ?? 'missing');
      }
      const response = await t.http.get(query.size > 0 ? `${url}?${query}` : url).set(bearer(token));
      if (response.status !== 200) {
        problems.push(`GET ${path}: ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
        continue;
      }
      bodies.set(path, response.body);
      if (check.schemaOf(path, 'get')) {
        problems.push(...check.problems(path, 'get', response.body).map((problem) => `GET ${path}: ${problem}`));
        continue;
      }
      // Not JSON (Prometheus text): the response is of the type the document names.
      const documented = Object.keys(
        (doc.paths[path].get as { responses: Record<string, { content?: object }> }).responses['200'].content ?? {},
      );
      if (!documented.some((type) => String(response.headers['content-type']).startsWith(type))) {
        problems.push(
          `GET ${path}: content type ${response.headers['content-type']} is not among ${JSON.stringify(documented)}`,
        );
      }
    }
    expect(problems).toEqual([]);
    // The data was real where the schema has its corners: a decoded entry, an EXPLAIN plan, an alert's context.
    expect(bodies.get('/api/admin/redis/inspect')).toMatchObject({
      namespace: 'analytics-entry',
      decoded: { kind: 'analytics-entry' },
    });
    const slow = bodies.get('/api/admin/monitoring/query-performance/slow') as { executionPlan: unknown }[];
    expect(slow.some((entry) => Array.isArray(entry.executionPlan))).toBe(true);
    expect(bodies.get('/api/admin/monitoring/alerts/{id}')).toMatchObject({
      alertContext: { metric: expect.any(String), thresholdId: expect.any(String) },
    });
    expect(bodies.get('/api/admin/monitoring/remediation/actions')).toMatchObject({
      items: [expect.objectContaining({ action: 'NOTIFY_ONLY', outcome: 'DONE' })],
    });
  });

  it('answers errors with the documented error body', async () => {
    const check = responseCheck(doc);
    const cases: [string, number, Record<string, string>][] = [
      ['/api/admin/datasources/{id}', 404, { Authorization: `Bearer ${token}` }],
      ['/api/admin/redis/keys', 400, { Authorization: `Bearer ${token}` }],
      ['/api/auth/me', 401, {}],
    ];
    const urls: Record<string, string> = {
      '/api/admin/datasources/{id}': '/api/admin/datasources/999999',
      '/api/admin/redis/keys': '/api/admin/redis/keys?count=0',
      '/api/auth/me': '/api/auth/me',
    };
    const problems: string[] = [];
    for (const [path, status, headers] of cases) {
      const response = await t.http.get(urls[path]).set(headers).expect(status);
      problems.push(
        ...check
          .problems(path, 'get', response.body, status)
          .map((problem) => `GET ${urls[path]} ${status}: ${problem}`),
      );
    }
    expect(problems).toEqual([]);
  });

  it('finds what the validator is for: an undocumented field, a wrong type, a null where none is allowed', () => {
    const check = responseCheck(doc);
    const valid = { status: 'ok' };
    expect(check.problems('/health/live', 'get', valid)).toEqual([]);
    expect(check.problems('/health/live', 'get', { ...valid, extra: 1 })).not.toEqual([]);
    expect(check.problems('/health/live', 'get', { status: 'fine' })).not.toEqual([]);
    expect(check.problems('/health/live', 'get', null)).not.toEqual([]);
  });
});
