import type {
  AlertEvaluationResult,
  AnalyticsQueryResponse,
  AuditEntry,
  CacheAlert,
  Datasource,
  Paginated,
  RemediationAction,
  RemediationRule,
  WarmingJob,
} from '@ccc/shared-types';
import { DataSource } from 'typeorm';
import { hourOf, minuteOf } from '../src/analytics-cache/query-counters.js';
import { UsageCounters } from '../src/analytics-cache/usage-counters.js';
import { evaluateAlerts, onlyAlertOf } from './support/alerts.js';
import { ACTIONS, remediationHelpers, RULES } from './support/remediation.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';
import { waitUntil, warmAndWait } from './support/warming.js';

describe('remediation rules: actions on open alerts, guardrails, escalation, undo', () => {
  let redisServer: PrivateRedis;
  let t: TestApp;
  let db: DataSource;
  let admin: { id: string; token: string };
  let viewer: { token: string };

  beforeAll(async () => {
    // A Redis of its own: the hit-rate counters and the evaluation lease are this file's alone.
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      // A failing warm fails at once (no BullMQ retries), so the rule's attempts are what is counted.
      WARM_ATTEMPTS: '1',
      CACHE_GC_GRACE_MS: '300',
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
      RATE_LIMIT_WARMING_PER_HOUR: '1000',
    });
    db = t.app.get(DataSource);
    admin = await userWithToken(t, 'admin');
    viewer = await userWithToken(t, 'viewer');
  });
  afterAll(async () => {
    await t?.close();
    await redisServer?.stop();
  });

  const {
    threshold,
    hitRateOnlyDatasource: datasource,
    rule,
    actionsOf,
  } = remediationHelpers(() => ({
    t,
    db,
    token: admin.token,
  }));

  const evaluate = (): Promise<AlertEvaluationResult> => evaluateAlerts(t, admin.token);
  const hitRateAlert = (datasourceId: number): Promise<CacheAlert> => onlyAlertOf(t, admin.token, datasourceId);

  async function warmsOf(datasourceId: number): Promise<WarmingJob[]> {
    return (
      (
        await t.http
          .get('/api/admin/analytics/cache/warming/jobs')
          .query({ datasourceId })
          .set(bearer(admin.token))
          .expect(200)
      ).body as Paginated<WarmingJob>
    ).items;
  }

  const query = async (id: number): Promise<AnalyticsQueryResponse> =>
    (
      await t.http
        .get(`/api/analytics/datasources/${id}/query`)
        .query({ measure: 'Charges', frequency: 'Daily', practice: '1' })
        .set(bearer(admin.token))
        .expect(200)
    ).body as AnalyticsQueryResponse;

  it('a WARM rule queues exactly one warm for a firing hit-rate alert, holds its cool-down, and the alert resolves after the warm; a dry-run rule only records', async () => {
    const ds = await datasource();
    const warmRule = await rule({
      name: 'Warm on low hit rate',
      alertType: 'HIT_RATE_LOW',
      datasourceId: ds.id,
      action: 'WARM',
      cooldownSeconds: 3600,
    });
    const dryRule = await rule({
      name: 'Raise TTL (dry run)',
      alertType: 'HIT_RATE_LOW',
      datasourceId: ds.id,
      action: 'RAISE_STALENESS_TTL',
      ttlFactor: 2,
      maxTtlSeconds: 86_400,
      dryRun: true,
    });

    // A cold cache: every query falls back to the database (a miss), so the hit rate is 0 %.
    for (let i = 0; i < 10; i++) expect((await query(ds.id)).source).toBe('database');
    await threshold({
      metricType: 'CACHE_HIT_RATIO',
      datasourceId: ds.id,
      warningThreshold: 60,
      criticalThreshold: 20,
    });
    expect((await evaluate()).fired).toBeGreaterThanOrEqual(1);
    // Evaluated again while the warm is queued or running, and again after: still one warm.
    await evaluate();
    await evaluate();
    const [warmAction] = await actionsOf(warmRule.id);
    expect(warmAction).toMatchObject({ outcome: 'DONE', action: 'WARM', datasourceId: ds.id, undoable: false });
    await waitUntil(
      async () => (await actionsOf(warmRule.id))[0].warmStatus === 'COMPLETED',
      'the warm queued by the rule to complete',
      30_000,
    );
    // The cache is warm but the window still holds the misses: the alert stays open, the cool-down holds.
    expect((await hitRateAlert(ds.id)).alertStatus).toBe('ACTIVE');
    await evaluate();
    await evaluate();
    expect(await actionsOf(warmRule.id)).toHaveLength(1);
    const warms = await warmsOf(ds.id);
    expect(warms.map((w) => [w.jobId, w.status])).toEqual([[warmAction.warmJobId, 'COMPLETED']]);

    // The dry run recorded what it would do, once (its own cool-down), and changed nothing.
    const dry = await actionsOf(dryRule.id);
    expect(dry).toHaveLength(1);
    expect(dry[0]).toMatchObject({
      outcome: 'DRY_RUN',
      previousValue: { stalenessTtlSeconds: ds.stalenessTtlSeconds },
      newValue: { stalenessTtlSeconds: ds.stalenessTtlSeconds * 2 },
      undoable: false,
    });
    expect(dry[0].detail).toMatch(/^Dry run: would raise the staleness TTL/);
    const now = (await t.http.get(`/api/admin/datasources/${ds.id}`).set(bearer(admin.token)).expect(200))
      .body as Datasource;
    expect(now.stalenessTtlSeconds).toBe(ds.stalenessTtlSeconds);

    // Real traffic now hits the warm cache: 100 hits against the 10 misses, and the alert resolves.
    for (let i = 0; i < 100; i++) expect((await query(ds.id)).source).toBe('cache');
    expect((await evaluate()).resolved).toBeGreaterThanOrEqual(1);
    const resolved = await hitRateAlert(ds.id);
    expect(resolved.alertStatus).toBe('RESOLVED');
    // The alert's timeline shows both rules, by rule.
    const remediation = resolved.history.filter((e) => e.event === 'REMEDIATION');
    expect(remediation.map((e) => [e.by, e.comment?.slice(0, 20)])).toEqual(
      expect.arrayContaining([
        [`rule:${warmRule.id}`, 'Queued a warm of dat'],
        [`rule:${dryRule.id}`, 'Dry run: would raise'],
      ]),
    );
    expect(remediation).toHaveLength(2);

    // Audited as done by the rule.
    const audit = (
      await t.http
        .get('/api/admin/audit')
        .query({ action: 'remediation.warm', targetId: String(ds.id) })
        .set(bearer(admin.token))
        .expect(200)
    ).body as Paginated<AuditEntry>;
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({
      actorKind: 'rule',
      actorId: null,
      actorName: `Remediation rule "Warm on low hit rate" (rule:${warmRule.id})`,
      outcome: 'success',
      parameters: expect.objectContaining({ warmJobId: warmAction.warmJobId, alertId: resolved.id }),
    });
  });

  it('stops retrying a warm that keeps failing after the configured attempts and escalates the alert instead', async () => {
    const ds = await datasource();
    const warmRule = await rule({
      name: 'Force warm',
      alertType: 'HIT_RATE_LOW',
      datasourceId: ds.id,
      action: 'WARM_FORCE',
      cooldownSeconds: 0,
      maxFailedAttempts: 2,
    });
    // The source becomes unreadable: every warm of it fails.
    await db.query(`ALTER TABLE ${ds.table} RENAME TO ${ds.table.split('.')[1]}_away`);
    // 3 hits in 10 requests: 30 %, a WARNING against 60 / 20.
    await t.app
      .get(UsageCounters)
      .addQueryCounters(ds.id, [
        { hour: hourOf(new Date()), minute: minuteOf(new Date()), hits: 3, misses: 7, latencyMicros: 0 },
      ]);
    await threshold({
      metricType: 'CACHE_HIT_RATIO',
      datasourceId: ds.id,
      warningThreshold: 60,
      criticalThreshold: 20,
    });

    const failedWarms = async (n: number): Promise<void> =>
      waitUntil(
        async () => (await actionsOf(warmRule.id)).filter((a) => a.warmStatus === 'FAILED').length === n,
        `${n} failed warm(s)`,
        30_000,
      );
    await evaluate();
    expect((await hitRateAlert(ds.id)).severity).toBe('WARNING');
    await failedWarms(1);
    await evaluate();
    await failedWarms(2);
    await evaluate();
    await evaluate();
    await evaluate();

    const actions = await actionsOf(warmRule.id);
    expect(actions.map((a) => a.outcome)).toEqual(['ESCALATED', 'DONE', 'DONE']);
    expect(actions[0].detail).toMatch(/^Stopped after 2 failed warm\(s\)/);
    expect((await warmsOf(ds.id)).map((w) => w.status)).toEqual(['FAILED', 'FAILED']);
    const alert = await hitRateAlert(ds.id);
    // Escalated to people, and kept there by later evaluations though the measured rate is only a warning.
    expect(alert).toMatchObject({ alertStatus: 'ACTIVE', severity: 'CRITICAL' });
    expect(alert.alertMessage).toMatch(/warning below 60/);
    const escalations = alert.history.filter((e) => e.event === 'ESCALATED');
    expect(escalations).toEqual([expect.objectContaining({ by: `rule:${warmRule.id}`, severity: 'CRITICAL' })]);
    expect(alert.history.filter((e) => e.event === 'DEESCALATED')).toEqual([]);
  });

  it('undoes a paused schedule, audited, and refuses a second undo', async () => {
    const ds = await datasource();
    await t.http
      .put(`/api/admin/analytics/cache/schedules/${ds.id}`)
      .set(bearer(admin.token))
      .send({ cron: '0 3 * * *' })
      .expect(200);
    const pause = await rule({
      name: 'Pause schedule',
      alertType: 'HIT_RATE_LOW',
      datasourceId: ds.id,
      action: 'PAUSE_SCHEDULE',
    });
    await t.app
      .get(UsageCounters)
      .addQueryCounters(ds.id, [
        { hour: hourOf(new Date()), minute: minuteOf(new Date()), hits: 0, misses: 10, latencyMicros: 0 },
      ]);
    await threshold({
      metricType: 'CACHE_HIT_RATIO',
      datasourceId: ds.id,
      warningThreshold: 60,
      criticalThreshold: 20,
    });
    await evaluate();
    const [paused] = await actionsOf(pause.id);
    expect(paused).toMatchObject({
      outcome: 'DONE',
      previousValue: { warmSchedule: '0 3 * * *' },
      newValue: { warmSchedule: null },
      undoable: true,
    });
    const schedule = async (): Promise<string | null> =>
      ((await t.http.get(`/api/admin/datasources/${ds.id}`).set(bearer(admin.token)).expect(200)).body as Datasource)
        .warmSchedule;
    expect(await schedule()).toBeNull();

    await t.http.post(`${ACTIONS}/${paused.id}/undo`).set(bearer(viewer.token)).expect(403);
    const undone = (await t.http.post(`${ACTIONS}/${paused.id}/undo`).set(bearer(admin.token)).expect(200))
      .body as RemediationAction;
    expect(undone).toMatchObject({ undoable: false, undoneBy: admin.id });
    expect(await schedule()).toBe('0 3 * * *');
    await t.http
      .post(`${ACTIONS}/${paused.id}/undo`)
      .set(bearer(admin.token))
      .expect(409)
      .expect(errorCode('CONFLICT'));
    const audit = (
      await t.http
        .get('/api/admin/audit')
        .query({ action: 'remediation-action.undo', targetId: paused.id, outcome: 'success' })
        .set(bearer(admin.token))
        .expect(200)
    ).body as Paginated<AuditEntry>;
    expect(audit.items).toEqual([expect.objectContaining({ actorId: admin.id })]);
  });

  it('an INVALIDATE_REGION rule drops the datasource’s cache in its region once, audited as done by the rule', async () => {
    const ds = await datasource();
    // Misses while cold, then a warm: the hit-rate window holds the misses, so the alert fires on a warm cache.
    for (let i = 0; i < 10; i++) expect((await query(ds.id)).source).toBe('database');
    await warmAndWait(t, admin.token, ds.id);
    expect((await query(ds.id)).source).toBe('cache');
    const dropRule = await rule({
      name: 'Drop the primary copy on low hit rate',
      alertType: 'HIT_RATE_LOW',
      datasourceId: ds.id,
      action: 'INVALIDATE_REGION',
      region: 'primary',
      cooldownSeconds: 3600,
    });
    expect(dropRule).toMatchObject({ action: 'INVALIDATE_REGION', region: 'primary' });
    await threshold({
      metricType: 'CACHE_HIT_RATIO',
      datasourceId: ds.id,
      warningThreshold: 95,
      criticalThreshold: 20,
    });
    expect((await evaluate()).fired).toBeGreaterThanOrEqual(1);
    await evaluate();

    const actions = await actionsOf(dropRule.id);
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ outcome: 'DONE', action: 'INVALIDATE_REGION', undoable: false });
    expect(actions[0].detail).toMatch(/^Dropped the cache of datasource \d+ .* in region primary \(\d+ entries\)/);
    // Dropped: the next query goes to the database, and the details show no live generation.
    expect((await query(ds.id)).source).toBe('database');
    const details = (
      await t.http.get(`/api/admin/analytics/cache/datasources/${ds.id}`).set(bearer(admin.token)).expect(200)
    ).body as { generation: number | null };
    expect(details.generation).toBeNull();
    const audit = (
      await t.http
        .get('/api/admin/audit')
        .query({ action: 'remediation.invalidate_region', targetId: String(ds.id) })
        .set(bearer(admin.token))
        .expect(200)
    ).body as Paginated<AuditEntry>;
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ actorKind: 'rule', outcome: 'success' });
  });

  it('refuses bad rules with 400 naming the field, duplicates with 409, and audits every change', async () => {
    const ds = await datasource();
    const bad = async (body: Record<string, unknown>, field: string): Promise<void> => {
      const response = await t.http
        .post(RULES)
        .set(bearer(admin.token))
        .send({ name: 'x', alertType: 'HIT_RATE_LOW', action: 'WARM', ...body })
        .expect(400);
      expect(JSON.stringify(response.body)).toContain(field);
    };
    await bad({ action: 'INVALIDATE' }, 'action');
    await bad({ action: 'INVALIDATE_REGION' }, 'region');
    await bad({ action: 'INVALIDATE_REGION', region: 'mars' }, 'region');
    await bad({ region: 'primary' }, 'region');
    await bad({ alertType: 'NOPE' }, 'alertType');
    await bad({ cooldownSeconds: -1 }, 'cooldownSeconds');
    await bad({ cooldownSeconds: 10 ** 9 }, 'cooldownSeconds');
    await bad({ maxFailedAttempts: 0 }, 'maxFailedAttempts');
    await bad({ action: 'RAISE_STALENESS_TTL' }, 'ttlFactor');
    await bad({ action: 'RAISE_STALENESS_TTL', ttlFactor: 100, maxTtlSeconds: 3600 }, 'ttlFactor');
    await bad({ ttlFactor: 2 }, 'ttlFactor');
    await bad({ datasourceId: 2_000_000 }, 'datasourceId');
    await bad({ name: ' ' }, 'name');
    await bad({ name: 'x'.repeat(101) }, 'name');

    const body = { name: 'Once', alertType: 'CACHE_STALE', datasourceId: ds.id, action: 'WARM' };
    const created = await rule(body);
    await t.http.post(RULES).set(bearer(admin.token)).send(body).expect(409).expect(errorCode('CONFLICT'));
    await t.http.post(RULES).set(bearer(viewer.token)).send(body).expect(403);
    const changed = (
      await t.http
        .patch(`${RULES}/${created.id}`)
        .set(bearer(admin.token))
        .send({ dryRun: true, cooldownSeconds: 60 })
        .expect(200)
    ).body as RemediationRule;
    expect(changed).toMatchObject({ dryRun: true, cooldownSeconds: 60, datasourceId: ds.id, updatedBy: admin.id });
    await t.http.delete(`${RULES}/${created.id}`).set(bearer(admin.token)).expect(204);
    await t.http.get(`${RULES}/${created.id}`).set(bearer(admin.token)).expect(404);
    for (const action of ['remediation-rule.create', 'remediation-rule.update', 'remediation-rule.delete']) {
      const audit = (
        await t.http
          .get('/api/admin/audit')
          .query({ action, targetId: created.id, outcome: 'success' })
          .set(bearer(admin.token))
          .expect(200)
      ).body as Paginated<AuditEntry>;
      expect(audit.items).toHaveLength(1);
    }
  });
});
