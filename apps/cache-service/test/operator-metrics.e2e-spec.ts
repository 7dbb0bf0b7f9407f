import type { CreatedApiKey, Datasource } from '@ccc/shared-types';
import { DataSource } from 'typeorm';
import { isolatedStack, type IsolatedStack } from './support/isolated-stack.js';
import { sample } from './support/prometheus-text.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';
import { requestWarm, sleep, waitForJob } from './support/warming.js';

/**
 * What an SRE's Prometheus sees of the cache: per-datasource query, hit/miss, warm and state series, queue depth,
 * open alerts (0 when none, last known while PostgreSQL does not answer) and Redis memory. A stack of its own:
 * the alert table is taken away for a while.
 */
describe('operator metrics on /metrics', () => {
  let stack: IsolatedStack;
  let t: TestApp;
  let admin: string;
  let key: string;
  let ds: Datasource;
  const scrape = async (): Promise<string> => {
    await sleep(1_100); // the scrape snapshot is shared for a second
    return (await t.http.get('/metrics').expect(200)).text;
  };
  const id = (): { datasource_id: string } => ({ datasource_id: String(ds.id) });
  const query = () =>
    t.http
      .get(`/api/analytics/datasources/${ds.id}/query`)
      .query({ measure: 'Charges', frequency: 'Daily' })
      .set('X-API-Key', key)
      .expect(200);

  beforeAll(async () => {
    stack = await isolatedStack('metrics');
    t = await createTestApp(stack.env);
    admin = (await userWithToken(t, 'admin')).token;
    key = (
      (
        await t.http
          .post('/api/admin/api-keys')
          .set(bearer(admin))
          .send({ name: 'reader', permissions: ['analytics:read'] })
          .expect(201)
      ).body as CreatedApiKey
    ).key;
    const table = await createSourceTable(stack.db, { practices: 2, providers: 2, periods: 3 });
    ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(admin))
        .send({ name: 'Metrics source', sourceTable: table, columnMapping: TEST_MAPPING })
        .expect(201)
    ).body as Datasource;
  });
  afterAll(async () => {
    await t?.close();
    await stack?.close();
  });

  it('shows a cold datasource with zeroed counters, then its warm, hits and misses', async () => {
    let text = await scrape();
    expect(sample(text, 'ccc_datasource_info', { ...id(), datasource: 'Metrics source', enabled: 'true' })).toBe(1);
    expect(sample(text, 'ccc_cache_live', id())).toBe(0);
    expect(sample(text, 'ccc_cache_hits_total', id())).toBe(0);
    expect(sample(text, 'ccc_warms_total', { ...id(), outcome: 'failed' })).toBe(0);
    expect(sample(text, 'ccc_cache_generation_age_seconds', id())).toBeUndefined();
    expect(sample(text, 'ccc_cache_staleness_ttl_seconds', id())).toBe(14400);

    const job = await waitForJob(t, admin, (await requestWarm(t, admin, ds.id)).jobId, ['COMPLETED']);
    await query();
    await query();
    text = await scrape();
    expect(sample(text, 'ccc_cache_live', id())).toBe(1);
    expect(sample(text, 'ccc_cache_entries', id())).toBe(job.entriesWritten);
    expect(sample(text, 'ccc_cache_memory_bytes', id())).toBeGreaterThan(0);
    expect(sample(text, 'ccc_cache_generation_age_seconds', id())).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'ccc_cache_warming', id())).toBe(0);
    expect(sample(text, 'ccc_warms_total', { ...id(), outcome: 'completed' })).toBe(1);
    expect(sample(text, 'ccc_warm_duration_seconds_count', id())).toBe(1);
    expect(sample(text, 'ccc_warm_rows_total', id())).toBe(job.rowsTotal);
    expect(sample(text, 'ccc_cache_hits_total', id())).toBe(2);
    expect(sample(text, 'ccc_cache_queries_total', { ...id(), source: 'cache', outcome: 'ok' })).toBe(2);
    expect(sample(text, 'ccc_cache_query_duration_seconds_count', { ...id(), source: 'cache' })).toBe(2);

    await t.http
      .post('/api/admin/analytics/cache/invalidate')
      .set(bearer(admin))
      .send({ datasourceId: ds.id })
      .expect(200);
    await query();
    text = await scrape();
    expect(sample(text, 'ccc_cache_live', id())).toBe(0);
    expect(sample(text, 'ccc_cache_entries', id())).toBe(0);
    expect(sample(text, 'ccc_cache_misses_total', id())).toBe(1);
    expect(sample(text, 'ccc_cache_queries_total', { ...id(), source: 'database', outcome: 'ok' })).toBe(1);
  });

  it('counts queues by state and reports Redis memory and evictions', async () => {
    const text = await scrape();
    for (const state of ['waiting', 'active', 'delayed', 'failed'])
      expect(sample(text, 'ccc_queue_jobs', { queue: 'warming', state })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'ccc_queue_jobs', { queue: 'notifications', state: 'waiting' })).toBe(0);
    expect(sample(text, 'ccc_redis_up')).toBe(1);
    expect(sample(text, 'ccc_redis_memory_used_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'ccc_redis_memory_max_bytes')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'ccc_redis_evicted_keys_total')).toBe(0);
  });

  it('reports open alerts per datasource and severity, 0 when none, and the last known count with its age while PostgreSQL does not answer', async () => {
    let text = await scrape();
    expect(sample(text, 'ccc_alerts_open', { ...id(), severity: 'CRITICAL' })).toBe(0);
    expect(sample(text, 'ccc_alerts_open', { severity: 'WARNING' })).toBe(0);
    expect(sample(text, 'ccc_alerts_open_staleness_seconds')).toBe(0);
    await stack.db.query(
      `INSERT INTO cache_performance_alert (cache_layer_id, cache_strategy_id, alert_type, severity, alert_message, threshold_value, actual_value, created_by)
       SELECT cache_layer_id, id, 'HIT_RATE_LOW', 'CRITICAL', 'metrics test', 80, 10, '00000000-0000-0000-0000-000000000000' FROM cache_strategy WHERE datasource_id = $1`,
      [ds.id],
    );
    text = await scrape();
    expect(sample(text, 'ccc_alerts_open', { ...id(), severity: 'CRITICAL' })).toBe(1);
    expect(
      sample(text, 'ccc_alerts_open_by_type', { alert_type: 'HIT_RATE_LOW', severity: 'CRITICAL', status: 'ACTIVE' }),
    ).toBe(1);

    // The alert table does not answer (as when PostgreSQL is away): the last count stays, and its age shows.
    await stack.db.query(`ALTER TABLE cache_performance_alert RENAME TO cache_performance_alert_away`);
    try {
      await sleep(1_000);
      text = await scrape();
      expect(sample(text, 'ccc_alerts_open', { ...id(), severity: 'CRITICAL' })).toBe(1);
      expect(sample(text, 'ccc_alerts_open_staleness_seconds')).toBeGreaterThanOrEqual(1);
    } finally {
      await stack.db.query(`ALTER TABLE cache_performance_alert_away RENAME TO cache_performance_alert`);
    }
    text = await scrape();
    expect(sample(text, 'ccc_alerts_open_staleness_seconds')).toBe(0);
  });

  it('never makes a label of a datasource id that does not exist', async () => {
    await t.http
      .get('/api/analytics/datasources/987654/query')
      .query({ measure: 'Charges' })
      .set('X-API-Key', key)
      .expect(404);
    const text = await scrape();
    expect(text).not.toContain('datasource_id="987654"');
  });
});

describe('operator metrics while Redis is away', () => {
  let redis: PrivateRedis;
  let t: TestApp;

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    t = await createTestApp({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    // Back, and the service reconnected, so that it closes its queues and workers cleanly.
    await redis?.start().catch(() => undefined);
    for (let i = 0; i < 300 && t && (await t.http.get('/health/ready')).status !== 200; i++) await sleep(100);
    await t?.close();
    await redis?.stop();
  });

  it('still answers the scrape: Redis down, no cold-looking cache figures, last known queue counts, database figures as ever', async () => {
    const admin = (await userWithToken(t, 'admin')).token;
    const table = await createSourceTable(t.app.get(DataSource), { practices: 1, providers: 1, periods: 2 });
    const ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(admin))
        .send({ name: `Away ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
        .expect(201)
    ).body as Datasource;
    await waitForJob(t, admin, (await requestWarm(t, admin, ds.id)).jobId, ['COMPLETED']);
    await sleep(1_100);
    const id = { datasource_id: String(ds.id) };
    let text = (await t.http.get('/metrics').expect(200)).text;
    expect(sample(text, 'ccc_cache_live', id)).toBe(1);

    await redis.stop();
    await sleep(1_100);
    text = (await t.http.get('/metrics').expect(200)).text;
    expect(sample(text, 'ccc_redis_up')).toBe(0);
    expect(sample(text, 'ccc_cache_live', id)).toBeUndefined();
    expect(sample(text, 'ccc_cache_staleness_ttl_seconds', id)).toBe(14400);
    expect(sample(text, 'ccc_alerts_open', { ...id, severity: 'CRITICAL' })).toBe(0);
    expect(sample(text, 'ccc_queue_jobs', { queue: 'warming', state: 'waiting' })).toBeGreaterThanOrEqual(0);
  });
});
