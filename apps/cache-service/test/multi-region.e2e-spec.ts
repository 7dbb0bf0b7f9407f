import type {
  AnalyticsQueryResponse,
  AuditEntry,
  Datasource,
  DatasourceRegionStatus,
  Paginated,
  WarmingJob,
} from '@ccc/shared-types';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { AnalyticsCacheService } from '../src/analytics-cache/analytics-cache.service.js';
import { RegionClients } from '../src/redis/region-clients.js';
import { CacheKeys } from '../src/redis/redis-keys.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';
import { FINAL_STATUSES, requestWarm, waitForJob, waitUntil, warmAndWait } from './support/warming.js';

/**
 * Issue 15, acceptance 4: three Redis servers as regions (primary, eu, us). One warm updates all three; with us
 * stopped the next warm completes for the others and reports us failed; us catches up on the warm after it comes back;
 * the readers of each region (one app per SERVICE_REGION) always see one complete generation.
 */
describe('multi-region caches', () => {
  const servers: Record<'primary' | 'eu' | 'us', PrivateRedis> = {} as never;
  let t: TestApp;
  let eu: TestApp;
  let us: TestApp;
  let db: DataSource;
  let operator: string;
  let ds: Datasource;
  let table: string;

  beforeAll(async () => {
    servers.primary = new PrivateRedis(await freePort());
    servers.eu = new PrivateRedis(await freePort());
    // Persistent: back after a stop with the generation it had, behind the others until the next warm.
    servers.us = new PrivateRedis(await freePort(), { persistent: true });
    for (const server of Object.values(servers)) await server.start();
    const env = {
      REDIS_URL: servers.primary.url,
      REDIS_REGIONS: `eu=${servers.eu.url},us=${servers.us.url}`,
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
    };
    t = await createTestApp(env);
    eu = await createTestApp({ ...env, SERVICE_ROLE: 'api', SERVICE_REGION: 'eu' });
    us = await createTestApp({ ...env, SERVICE_ROLE: 'api', SERVICE_REGION: 'us', SERVICE_REGION_FALLBACK: 'primary' });
    db = t.app.get(DataSource);
    operator = (await userWithToken(t, 'operator')).token;
    table = await createSourceTable(db, { practices: 3, providers: 4, periods: 5, value: 1 });
  });
  afterAll(async () => {
    for (const app of [us, eu, t]) await app?.close();
    for (const server of Object.values(servers)) await server?.destroy();
  });

  const create = (regions: string[]) =>
    t.http
      .post('/api/admin/datasources')
      .set(bearer(operator))
      .send({
        name: `Regions ${table} ${regions.join(' ')}`,
        sourceTable: table,
        columnMapping: TEST_MAPPING,
        minWarmIntervalSeconds: 0,
        regions,
      });
  const statuses = async (): Promise<Record<string, DatasourceRegionStatus>> => {
    const list = (
      await t.http.get(`/api/admin/analytics/cache/datasources/${ds.id}/regions`).set(bearer(operator)).expect(200)
    ).body as DatasourceRegionStatus[];
    return Object.fromEntries(list.map((status) => [status.region, status]));
  };
  const query = async (app: TestApp): Promise<AnalyticsQueryResponse> =>
    (
      await app.http
        .get(`/api/analytics/datasources/${ds.id}/query`)
        .query({ measure: 'Charges', frequency: 'Monthly' })
        .set(bearer(operator))
        .expect(200)
    ).body as AnalyticsQueryResponse;
  /** The one value every row of an answer carries, or 'mixed'. */
  const valueOf = (answer: AnalyticsQueryResponse): number | 'mixed' => {
    const values = new Set(answer.entries.flatMap((entry) => entry.rows.map(([, value]) => Number(value))));
    return values.size === 1 ? [...values][0] : 'mixed';
  };
  const setValue = (value: number) => db.query(`UPDATE ${table} SET value = $1`, [value]);

  it('refuses a region that is not configured, naming the field', async () => {
    await create(['eu', 'mars']).expect(400).expect(errorCode('VALIDATION_FAILED'));
    const refused = await create(['mars']);
    expect(JSON.stringify(refused.body)).toContain('regions');
  });

  it('one warm updates all three regions, and each region’s reader answers the same rows', async () => {
    ds = (await create(['eu', 'us']).expect(201)).body as Datasource;
    expect(ds.regions).toEqual(['primary', 'eu', 'us']);
    const job = await warmAndWait(t, operator, ds.id);
    expect(job.regionResults).toEqual({
      primary: expect.objectContaining({ status: 'ok' }),
      eu: expect.objectContaining({ status: 'ok' }),
      us: expect.objectContaining({ status: 'ok' }),
    });
    const status = await statuses();
    for (const region of ['primary', 'eu', 'us']) {
      expect(status[region]).toMatchObject({
        warmed: true,
        reachable: true,
        upToDate: true,
        lagSeconds: 0,
        jobId: job.jobId,
      });
      expect(status[region].entries).toBe(status.primary.entries);
      expect(status[region].memoryBytes).toBeGreaterThan(0);
    }
    const primary = await query(t);
    expect(primary).toMatchObject({ source: 'cache', region: 'primary' });
    expect(valueOf(primary)).toBe(1);
    for (const [app, region] of [
      [eu, 'eu'],
      [us, 'us'],
    ] as const) {
      const answer = await query(app);
      expect(answer).toMatchObject({ source: 'cache', region });
      expect(answer.entries).toEqual(primary.entries);
    }
    // Only the primary keeps a previous generation: a rollback of the primary alone would leave the regions disagreeing.
    const refused = await t.http
      .post(`/api/admin/analytics/cache/datasources/${ds.id}/rollback`)
      .set(bearer(operator))
      .send({})
      .expect(409);
    expect(JSON.stringify(refused.body)).toMatch(/regions primary, eu, us/);
  });

  it('points the Redis tools at a region, and shows each region’s generation age on /metrics', async () => {
    const meta = `cache:meta:{ds:${ds.id}}`;
    const keys = await t.http
      .get('/api/admin/redis/keys')
      .query({ region: 'eu', pattern: meta })
      .set(bearer(operator))
      .expect(200);
    expect((keys.body as { keys: Array<{ key: string }> }).keys.map((k) => k.key)).toEqual([meta]);
    const inspected = await t.http
      .get('/api/admin/redis/inspect')
      .query({ region: 'us', key: meta })
      .set(bearer(operator));
    expect(inspected.status).toBe(200);
    const stats = await t.http.get('/api/admin/redis/stats').query({ region: 'eu' }).set(bearer(operator)).expect(200);
    expect((stats.body as { nodes: Array<{ node: string }> }).nodes[0].node).toContain(String(servers.eu.port));
    const unknown = await t.http.get('/api/admin/redis/stats').query({ region: 'mars' }).set(bearer(operator));
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('region');
    const metrics = (await t.http.get('/metrics').expect(200)).text;
    for (const region of ['eu', 'us'])
      expect(metrics).toMatch(
        new RegExp(
          `ccc_cache_region_generation_age_seconds\\{datasource_id="${ds.id}",region="${region}"\\} [0-9.e+-]+`,
        ),
      );
  });

  it('with one region down, the warm completes for the others and reports that region failed', async () => {
    await servers.us.stop();
    await setValue(2);
    const job = await warmAndWait(t, operator, ds.id);
    expect(job.regionResults?.eu.status).toBe('ok');
    expect(job.regionResults?.primary.status).toBe('ok');
    expect(job.regionResults?.us).toMatchObject({ status: 'failed', generation: null });
    expect(job.regionResults?.us.error).toBeTruthy();
    const status = await statuses();
    expect(status.us).toMatchObject({ reachable: false, upToDate: false, lastResult: { status: 'failed' } });
    expect(status.eu).toMatchObject({ upToDate: true, jobId: job.jobId, lastResult: { status: 'ok' } });

    const primary = await query(t);
    expect(valueOf(primary)).toBe(2);
    const fromEu = await query(eu);
    expect(fromEu.region).toBe('eu');
    expect(fromEu.entries).toEqual(primary.entries);
    // us cannot be reached: its reader falls back to primary (SERVICE_REGION_FALLBACK).
    const fromUs = await query(us);
    expect(fromUs.region).toBe('primary');
    expect(fromUs.entries).toEqual(primary.entries);
  });

  it('a region back from an outage is behind until the next warm catches it up; readers never see a mix', async () => {
    await servers.us.start();
    await waitUntil(async () => (await statuses()).us.reachable, 'us to be reachable again');
    const behind = (await statuses()).us;
    expect(behind).toMatchObject({ upToDate: false, lastResult: { status: 'failed' } });
    expect(behind.lagSeconds).not.toBeNull();
    // Back with its old generation: a complete one, the first warm's.
    // Its reader's own client reconnects by itself (with backoff); until then it falls back to primary.
    await waitUntil(async () => (await query(us)).region === 'us', 'the us reader to read us again');
    const stale = await query(us);
    expect(valueOf(stale)).toBe(1);

    await setValue(3);
    const expected = (await query(t)).entries.length;
    const { jobId } = await requestWarm(t, operator, ds.id);
    const seen: Array<{ region?: string; value: number | 'mixed'; entries: number }> = [];
    let done = false;
    const readers = [t, eu, us].map(async (app) => {
      while (!done) {
        const answer = await query(app);
        seen.push({ region: answer.region, value: valueOf(answer), entries: answer.entries.length });
      }
    });
    const job = (await waitForJob(t, operator, jobId, FINAL_STATUSES)) as WarmingJob;
    done = true;
    await Promise.all(readers);
    expect(job.status).toBe('COMPLETED');
    expect(job.regionResults).toEqual({
      primary: expect.objectContaining({ status: 'ok' }),
      eu: expect.objectContaining({ status: 'ok' }),
      us: expect.objectContaining({ status: 'ok' }),
    });
    // Every answer was one whole generation: one value throughout, every entry there.
    expect(seen.length).toBeGreaterThan(0);
    for (const answer of seen) {
      expect([1, 2, 3]).toContain(answer.value);
      expect(answer.entries).toBe(expected);
    }

    const status = await statuses();
    for (const region of ['primary', 'eu', 'us'])
      expect(status[region]).toMatchObject({ upToDate: true, lagSeconds: 0, jobId, lastResult: { status: 'ok' } });
    const primary = await query(t);
    expect(valueOf(primary)).toBe(3);
    for (const app of [eu, us]) expect((await query(app)).entries).toEqual(primary.entries);
  });

  it('a remediation rule’s region invalidation (INVALIDATE_REGION) drops one region only, and the next warm writes it again', async () => {
    await warmAndWait(t, operator, ds.id);
    const { entriesDropped } = await t.app.get(AnalyticsCacheService).invalidateOneRegion(ds.id, 'eu');
    expect(entriesDropped).toBeGreaterThan(0);
    expect(await query(eu)).toMatchObject({ source: 'database', generation: null });
    for (const app of [t, us]) expect((await query(app)).source).toBe('cache');
    expect((await statuses()).eu).toMatchObject({ generation: null, entries: 0 });
    const next = (await warmAndWait(t, operator, ds.id)).generation;
    expect(await query(eu)).toMatchObject({ source: 'cache', generation: next });
  });

  it('an invalidation drops the cache in every region: each reader goes to the database', async () => {
    await t.http
      .post('/api/admin/analytics/cache/invalidate')
      .set(bearer(operator))
      .send({ datasourceId: ds.id })
      .expect(200);
    for (const app of [t, eu, us]) expect(await query(app)).toMatchObject({ source: 'database', generation: null });
    const status = await statuses();
    for (const region of ['primary', 'eu', 'us'])
      expect(status[region]).toMatchObject({ generation: null, entries: 0 });
  });

  it('a region taken out of a datasource is never read again and its copy is dropped; put back, it serves after the next warm', async () => {
    const regions = async (list: string[]): Promise<Datasource> =>
      (await t.http.patch(`/api/admin/datasources/${ds.id}`).set(bearer(operator)).send({ regions: list }).expect(200))
        .body as Datasource;
    await warmAndWait(t, operator, ds.id);
    expect(await query(eu)).toMatchObject({ source: 'cache', region: 'eu' });
    expect(await query(us)).toMatchObject({ source: 'cache', region: 'us' });
    const old = valueOf(await query(us));

    // us is down while it is taken out: its copy cannot be dropped then, but its reader never reads it again.
    await servers.us.stop();
    expect((await regions(['eu'])).regions).toEqual(['primary', 'eu']);
    await setValue(old === 4 ? 5 : 4);
    const warmed = await warmAndWait(t, operator, ds.id);
    expect(warmed.regionResults?.eu?.status).toBe('ok');
    expect(valueOf(await query(t))).not.toBe(old);
    await servers.us.start();
    const usClient = us.app.get(RegionClients).client('us');
    await waitUntil(async () => usClient.status === 'ready' && (await statuses()).us.reachable, 'us reachable again');
    // It still holds the copy it had (with the old value)…
    expect((await statuses()).us).toMatchObject({ warmed: false, reachable: true, generation: expect.any(Number) });
    // …which its reader passes over for its fallback once it sees the change (its definitions are kept 5 s).
    await waitUntil(async () => (await query(us)).region === 'primary', 'the us reader to pass over us');
    const fromUs = await query(us);
    expect(fromUs).toMatchObject({ source: 'cache', region: 'primary' });
    expect(valueOf(fromUs)).toBe(valueOf(await query(t)));
    expect(valueOf(fromUs)).not.toBe(old);

    // eu taken out while reachable: its copy is dropped with the change, so its reader (no fallback) asks the database
    // at once — and a rollback, allowed again for a datasource of the primary alone, leaves no region serving older data.
    expect((await regions([])).regions).toEqual(['primary']);
    expect((await statuses()).eu).toMatchObject({ warmed: false, generation: null, entries: 0 });
    expect(await query(eu)).toMatchObject({ source: 'database', generation: null });

    // us put back: what it held from before is dropped; the next warm writes it again.
    expect((await regions(['us'])).regions).toEqual(['primary', 'us']);
    expect((await statuses()).us).toMatchObject({ warmed: true, generation: null, entries: 0 });
    expect((await query(us)).region).toBe('primary');
    const next = (await warmAndWait(t, operator, ds.id)).generation;
    await waitUntil(async () => (await query(us)).region === 'us', 'the us reader to read us again');
    expect(await query(us)).toMatchObject({ source: 'cache', region: 'us' });
    expect(valueOf(await query(us))).toBe(valueOf(await query(t)));
    expect((await statuses()).us).toMatchObject({ upToDate: true, lagSeconds: 0 });
    expect((await query(t)).generation).toBe(next);

    // The drops are part of the audited changes of the datasource.
    const audit = (
      await t.http
        .get('/api/admin/audit')
        .query({ action: 'datasource.update', targetId: String(ds.id), pageSize: 10 })
        .set(bearer(operator))
        .expect(200)
    ).body as Paginated<AuditEntry>;
    expect(audit.items.map((row) => [row.outcome, row.parameters?.regions])).toEqual([
      ['success', ['us']],
      ['success', []],
      ['success', ['eu']],
    ]);
  });

  it('deleting a datasource deletes its cache in every region, not only the primary', async () => {
    const doomed = (await create(['us', 'eu']).expect(201)).body as Datasource;
    await warmAndWait(t, operator, doomed.id);
    const clients = Object.fromEntries(
      Object.entries(servers).map(([name, server]) => [name, new Redis(server.url)] as const),
    );
    try {
      // Every key of a datasource carries its hash tag (CacheKeys); scanned in each region's own server.
      const tag = CacheKeys.meta(doomed.id).match(/\{[^}]+\}/)![0];
      const keysOf = async (client: Redis): Promise<number> => (await client.keys(`*${tag}*`)).length;
      for (const client of Object.values(clients)) expect(await keysOf(client)).toBeGreaterThan(0);

      await t.http.delete(`/api/admin/datasources/${doomed.id}`).set(bearer(operator)).expect(204);
      for (const [name, client] of Object.entries(clients))
        expect({ name, keys: await keysOf(client) }).toEqual({ name, keys: 0 });
    } finally {
      for (const client of Object.values(clients)) client.disconnect();
    }
  });
});
