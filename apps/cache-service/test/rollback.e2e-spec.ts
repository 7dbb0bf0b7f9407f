import type {
  AnalyticsQueryResponse,
  AuditEntry,
  Datasource,
  DatasourceCacheDetails,
  Paginated,
  RollbackResponse,
} from '@ccc/shared-types';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { WarmLocks } from '../src/analytics-cache/warm-locks.js';
import { QUEUE_PREFIX } from '../src/redis/redis-keys.js';
import { WARMING_QUEUE } from '../src/warming/job.repository.js';
import { WarmingService } from '../src/warming/warming.service.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';
import { generationKeys, sleep, waitUntil, warmAndWait } from './support/warming.js';

/** Seconds a replaced generation is kept: long enough for the steps between two swaps on a loaded machine. */
const RETENTION_SECONDS = 15;
const RIGHT = 1;
const WRONG = 999;

/**
 * Issue 16, acceptance 4: a refresh swaps in a generation built from wrong source data; a rollback restores the
 * previous answers at once (readers see wholly old or wholly new answers, never a mix), and the previous generation is
 * deleted only after the retention — or at once when the next refresh supersedes it.
 */
describe('rollback to the previous generation', () => {
  let redisServer: PrivateRedis;
  let t: TestApp;
  let redis: Redis;
  let db: DataSource;
  let operator: string;
  let ds: Datasource;
  let table: string;

  beforeAll(async () => {
    // A Redis of its own, hence queues of its own. On the shared one, the other test files' apps (retention 0, the
    // harness's default) run this file's warm jobs too: a swap they make retains nothing, so the previous generation
    // this file expects is not there — and this app would retain theirs for 15 s. Which process's configuration
    // applies is the worker's (as for every warming setting), so this is the test's isolation, not a product fault.
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      GENERATION_RETENTION_SECONDS: String(RETENTION_SECONDS),
      CACHE_GC_GRACE_MS: '200',
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
      RATE_LIMIT_INVALIDATION_PER_HOUR: '12',
    });
    redis = new Redis(t.config.redis.url);
    db = t.app.get(DataSource);
    operator = (await userWithToken(t, 'operator')).token;
    table = await createSourceTable(db, { practices: 3, providers: 4, periods: 5, value: RIGHT });
    ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(operator))
        .send({ name: `Rollback ${table}`, sourceTable: table, columnMapping: TEST_MAPPING, minWarmIntervalSeconds: 0 })
        .expect(201)
    ).body as Datasource;
  });
  afterAll(async () => {
    redis?.disconnect();
    await t?.close();
    await redisServer?.destroy();
  });

  const rollback = (token = operator, body: Record<string, unknown> = {}) =>
    t.http.post(`/api/admin/analytics/cache/datasources/${ds.id}/rollback`).set(bearer(token)).send(body);
  const details = async (): Promise<DatasourceCacheDetails> =>
    (await t.http.get(`/api/admin/analytics/cache/datasources/${ds.id}`).set(bearer(operator)).expect(200))
      .body as DatasourceCacheDetails;
  const query = async (): Promise<AnalyticsQueryResponse> =>
    (
      await t.http
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
  const keysOf = (generation: number) => generationKeys(redis, ds.id, generation);

  /** Samples a generation's keys until `untilMs`, then waits for them to go; returns whether any sample before was empty. */
  async function keptUntilThenDeleted(generation: number, untilMs: number): Promise<boolean> {
    let goneEarly = false;
    while (Date.now() < untilMs - 500) {
      const sampledAt = Date.now();
      if ((await keysOf(generation)).length === 0 && sampledAt < untilMs) goneEarly = true;
      await sleep(250);
    }
    await waitUntil(async () => (await keysOf(generation)).length === 0, `generation ${generation} deleted`, 30_000);
    return goneEarly;
  }

  it('restores the right answers at once after a refresh from wrong data, and readers never see a mix', async () => {
    const right = (await warmAndWait(t, operator, ds.id)).generation!;
    expect(valueOf(await query())).toBe(RIGHT);
    // Nothing retained yet: the first warm replaced nothing.
    expect((await details()).previousGeneration).toBeNull();
    await rollback()
      .expect(409)
      .expect(errorCode('CONFLICT'))
      .expect(({ body }) => expect(body.message).toMatch(/no previous generation to roll back to/));

    await db.query(`UPDATE ${table} SET value = ${WRONG}`);
    const wrong = (await warmAndWait(t, operator, ds.id)).generation!;
    expect(await query()).toMatchObject({ source: 'cache', generation: wrong });
    expect(valueOf(await query())).toBe(WRONG);
    const before = await details();
    expect(before.generation).toBe(wrong);
    expect(before.previousGeneration).toMatchObject({ generation: right, entries: before.metrics.totalEntries });
    expect(Date.parse(before.previousGeneration!.expiresAt)).toBeGreaterThan(Date.now());

    // Readers keep querying while the rollback swaps: every answer comes whole from one generation.
    const answers: Array<{ generation: number | null; value: number | 'mixed'; sentAfter: boolean }> = [];
    let reading = true;
    let rolledBack = false;
    const reader = async (): Promise<void> => {
      while (reading) {
        const sentAfter = rolledBack;
        const answer = await query();
        answers.push({ generation: answer.generation, value: valueOf(answer), sentAfter });
      }
    };
    const readers = Array.from({ length: 6 }, reader);
    await waitUntil(() => answers.length >= 12, 'readers answered before the rollback');
    const rolled = (await rollback(operator, { generation: right }).expect(200)).body as RollbackResponse;
    rolledBack = true;
    const seenBefore = answers.length;
    await waitUntil(() => answers.length >= seenBefore + 12, 'readers answered after the rollback');
    reading = false;
    await Promise.all(readers);

    expect(rolled).toMatchObject({ datasourceId: ds.id, generation: right, rolledBackFrom: wrong });
    expect(rolled.previousGeneration).toMatchObject({ generation: wrong });
    expect(answers.filter((a) => a.value === 'mixed')).toEqual([]);
    expect(
      answers.filter(
        (a) => !(a.generation === right && a.value === RIGHT) && !(a.generation === wrong && a.value === WRONG),
      ),
    ).toEqual([]);
    // At once: every query sent after the rollback answered is answered from the right generation.
    const sentAfter = answers.filter((a) => a.sentAfter);
    expect(sentAfter.length).toBeGreaterThan(0);
    expect(sentAfter.filter((a) => a.generation !== right || a.value !== RIGHT)).toEqual([]);
    expect(answers.some((a) => a.generation === wrong)).toBe(true);
    expect(await query()).toMatchObject({ source: 'cache', generation: right });

    const after = await details();
    expect(after.generation).toBe(right);
    expect(after.metrics.totalEntries).toBe(before.previousGeneration!.entries);
    expect(after.previousGeneration).toMatchObject({ generation: wrong, entries: before.metrics.totalEntries });

    // Roll forward and back again within the retention: each time the other one is retained.
    expect(((await rollback().expect(200)).body as RollbackResponse).generation).toBe(wrong);
    expect(valueOf(await query())).toBe(WRONG);
    expect(((await rollback().expect(200)).body as RollbackResponse).generation).toBe(right);
    expect(valueOf(await query())).toBe(RIGHT);

    // Audited as the operator's change of the datasource.
    await waitUntil(async () => {
      const page = (
        await t.http
          .get('/api/admin/audit')
          .query({ action: 'cache.rollback', targetId: String(ds.id), pageSize: 50 })
          .set(bearer(operator))
          .expect(200)
      ).body as Paginated<AuditEntry>;
      return page.items.filter((row) => row.outcome === 'success' && row.targetType === 'datasource').length >= 3;
    }, 'three successful rollbacks in the audit log');
  });

  it('keeps the previous generation until its retention ends, and deletes one superseded by a refresh at once', async () => {
    const current = await details();
    const right = current.generation!;
    const wrong = current.previousGeneration!.generation;
    expect((await keysOf(wrong)).length).toBeGreaterThan(0);

    // The next refresh supersedes the retained generation (wrong): deleted after the grace period, not the retention.
    const next = (await warmAndWait(t, operator, ds.id)).generation!;
    const refreshed = await details();
    expect(refreshed.generation).toBe(next);
    expect(refreshed.previousGeneration?.generation).toBe(right);
    await waitUntil(async () => (await keysOf(wrong)).length === 0, `superseded generation ${wrong} deleted`);
    const wrongExpiry = Date.parse(current.previousGeneration!.expiresAt);
    expect(Date.now()).toBeLessThan(wrongExpiry);

    // The retained one (right) stays until it expires, then goes; and with it the rollback.
    const expiresAt = Date.parse(refreshed.previousGeneration!.expiresAt);
    expect((await keysOf(right)).length).toBeGreaterThan(0);
    expect(await keptUntilThenDeleted(right, expiresAt)).toBe(false);
    expect((await details()).previousGeneration).toBeNull();
    await rollback()
      .expect(409)
      .expect(({ body }) => expect(body.message).toMatch(/no previous generation|expired/));
    // The live generation was never touched.
    expect(await query()).toMatchObject({ source: 'cache', generation: next });
  });

  it('is refused while a warm of the datasource is queued or running, for a generation other than the retained one, and drops with an invalidation', async () => {
    await warmAndWait(t, operator, ds.id);
    const retained = (await details()).previousGeneration!.generation;
    const locks = t.app.get(WarmLocks);
    // A queued warm holds the datasource's warming lock until its swap: a rollback now would race it.
    expect(await locks.acquireLock(ds.id, 'queued-warm', 60_000)).toBe(true);
    try {
      await rollback()
        .expect(409)
        .expect(({ body }) => expect(body.message).toMatch(/being warmed \(job queued-warm\)/));
    } finally {
      await locks.releaseLock(ds.id, 'queued-warm');
    }
    await rollback(operator, { generation: retained + 100 })
      .expect(409)
      .expect(({ body }) => expect(body.message).toContain(`is ${retained}, not ${retained + 100}`));
    await rollback(operator, { generation: 'latest' })
      .expect(400)
      .expect(({ body }) => expect(JSON.stringify(body)).toContain('generation'));
    expect((await details()).previousGeneration?.generation).toBe(retained);

    // Invalidated data does not come back by a rollback: the retained generation goes with the live one.
    await t.http
      .post('/api/admin/analytics/cache/invalidate')
      .set(bearer(operator))
      .send({ datasourceId: ds.id })
      .expect(200);
    expect((await details()).previousGeneration).toBeNull();
    expect(await keysOf(retained)).toEqual([]);
    await rollback().expect(409);
  });

  it('answers 404 for an unknown datasource, 403 without permission, and 429 past the invalidation limit', async () => {
    await t.http
      .post('/api/admin/analytics/cache/datasources/999999/rollback')
      .set(bearer(operator))
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
    const viewer = (await userWithToken(t, 'viewer')).token;
    await rollback(viewer).expect(403);
    await t.http.post(`/api/admin/analytics/cache/datasources/${ds.id}/rollback`).expect(401);

    // Rollbacks count against the invalidation limit (12 per hour here), per user.
    const limited = (await userWithToken(t, 'operator')).token;
    for (let i = 0; i < 12; i++) await rollback(limited).expect(409);
    const refused = await rollback(limited).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('does not bring back selectively invalidated data: the invalidation drops the retained generation, and a rollback is refused', async () => {
    const token = (await userWithToken(t, 'operator')).token;
    await db.query(`UPDATE ${table} SET value = ${RIGHT}`);
    await warmAndWait(t, token, ds.id);
    const live = (await warmAndWait(t, token, ds.id)).generation!;
    const retained = (await details()).previousGeneration!.generation;
    expect((await keysOf(retained)).length).toBeGreaterThan(0);
    expect(await query()).toMatchObject({ source: 'cache', generation: live });

    // Only the Charges region: the rest of the live generation keeps serving.
    const invalidated = await t.http
      .post('/api/admin/analytics/cache/invalidate')
      .set(bearer(token))
      .send({ datasourceId: ds.id, measure: 'Charges' })
      .expect(200);
    await rollback(token)
      .expect(409)
      .expect(errorCode('CONFLICT'))
      .expect(({ body }) => expect(body.message).toMatch(/no previous generation to roll back to.*invalidated/));
    // The invalidated region is answered by the database, the others still by the live generation.
    expect(await query()).toMatchObject({ source: 'database', generation: null });
    // The retained generation is deleted, and counted with the region's entries (3 practices × 4 providers × 4
    // frequencies of Charges in the live generation).
    expect(await keysOf(retained)).toEqual([]);
    expect(invalidated.body.keysDeleted).toBeGreaterThan(3 * 4 * 4);
    const after = await details();
    expect(after.generation).toBe(live);
    expect(after.previousGeneration).toBeNull();
    const other = await t.http
      .get(`/api/analytics/datasources/${ds.id}/query`)
      .query({ measure: 'Payments', frequency: 'Monthly' })
      .set(bearer(token))
      .expect(200);
    expect(other.body).toMatchObject({ source: 'cache', generation: live });
  });

  it('answers the rollback as done when its bookkeeping fails after the swap, and the janitor deletes what it left', async () => {
    const user = await userWithToken(t, 'operator');
    const token = user.token;
    // Two warms: neither generation has a region dropped by the test before.
    await warmAndWait(t, token, ds.id);
    const from = (await warmAndWait(t, token, ds.id)).generation!;
    const to = (await details()).previousGeneration!.generation;
    // A real fault after the swap: the queue's delayed set is not a sorted set, so scheduling the deletion of the
    // generation rolled back from fails (WRONGTYPE) while the swap itself, in the meta hash, succeeds.
    const delayed = `${QUEUE_PREFIX}:${WARMING_QUEUE}:delayed`;
    const aside = `${delayed}:aside`;
    const hadDelayed = (await redis.exists(delayed)) === 1;
    if (hadDelayed) await redis.rename(delayed, aside);
    await redis.set(delayed, 'not a sorted set');
    let rolled: RollbackResponse;
    try {
      rolled = (await rollback(token).expect(200)).body as RollbackResponse;
    } finally {
      await redis.del(delayed);
      if (hadDelayed) await redis.rename(aside, delayed);
    }
    expect(rolled).toMatchObject({ datasourceId: ds.id, generation: to, rolledBackFrom: from });
    expect(rolled.previousGeneration).toMatchObject({ generation: from });
    expect(await query()).toMatchObject({ source: 'cache', generation: to });
    await waitUntil(async () => {
      const page = (
        await t.http
          .get('/api/admin/audit')
          .query({ action: 'cache.rollback', targetId: String(ds.id), actorId: user.id, pageSize: 50 })
          .set(bearer(operator))
          .expect(200)
      ).body as Paginated<AuditEntry>;
      expect(page.items.filter((row) => row.outcome !== 'success')).toEqual([]);
      return page.items.some((row) => row.outcome === 'success' && row.statusCode === 200);
    }, 'the rollback audited as a success');

    // Nothing was scheduled for the generation rolled back from: once its retention ends, the janitor deletes it.
    const expiresAt = Date.parse(rolled.previousGeneration!.expiresAt);
    await sleep(Math.max(0, expiresAt - Date.now()) + 100);
    expect((await keysOf(from)).length).toBeGreaterThan(0);
    await t.app.get(WarmingService).sweepLeakedGenerations();
    await waitUntil(async () => (await keysOf(from)).length === 0, `generation ${from} deleted by the janitor`, 30_000);
    expect(await query()).toMatchObject({ source: 'cache', generation: to });
  });
});
