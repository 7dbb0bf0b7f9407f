import type {
  AlertEvaluationResult,
  AuditEntry,
  CacheAlert,
  Datasource,
  Paginated,
  RemediationAction,
  RemediationRule,
} from '@ccc/shared-types';
import { DataSource } from 'typeorm';
import { hourOf, minuteOf } from '../../src/analytics-cache/query-counters.js';
import { UsageCounters } from '../../src/analytics-cache/usage-counters.js';
import { RemediationActionsService } from '../../src/remediation/remediation-actions.service.js';
import { JobRepository } from '../../src/warming/job.repository.js';
import { evaluateAlerts, onlyAlertOf } from '../support/alerts.js';
import { ACTIONS, remediationHelpers, RULES } from '../support/remediation.js';
import { freePort, PrivateRedis } from '../support/redis-server.js';
import { bearer, createTestApp, userWithToken, type TestApp } from '../support/test-app.js';
import { waitUntil, warmAndWait } from '../support/warming.js';

// In test/serial/, alone: test files share one database, and every process's evaluation rounds act on every rule
// in it. This file's many rounds (and its exact counts of actions) would otherwise collide with remediation.e2e-spec's.

describe('remediation rules when things go wrong: the hourly limit, refused warms, half-done bookkeeping', () => {
  let redisServer: PrivateRedis;
  let t: TestApp;
  let db: DataSource;
  let admin: { id: string; token: string };

  beforeAll(async () => {
    // A Redis of its own: the hit-rate counters and the evaluation lease are this file's alone.
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      WARM_ATTEMPTS: '1',
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
      RATE_LIMIT_WARMING_PER_HOUR: '1000',
    });
    db = t.app.get(DataSource);
    admin = await userWithToken(t, 'admin');
  });
  afterAll(async () => {
    await t?.close();
    await redisServer?.stop();
  });

  const helpers = remediationHelpers(() => ({ t, db, token: admin.token }));
  const { threshold, actionsOf } = helpers;
  /** Rules here act on hit-rate alerts unless the test says otherwise. */
  const rule = (body: Record<string, unknown>): Promise<RemediationRule> =>
    helpers.rule({ alertType: 'HIT_RATE_LOW', ...body });

  /** A datasource whose only live alert is a low hit rate: a WARNING (30 % against 60 / 20). */
  async function alertingDatasource(): Promise<Datasource & { table: string }> {
    const ds = await helpers.hitRateOnlyDatasource();
    const now = new Date();
    await t.app
      .get(UsageCounters)
      .addQueryCounters(ds.id, [{ hour: hourOf(now), minute: minuteOf(now), hits: 3, misses: 7, latencyMicros: 0 }]);
    await threshold({
      metricType: 'CACHE_HIT_RATIO',
      datasourceId: ds.id,
      warningThreshold: 60,
      criticalThreshold: 20,
    });
    return ds;
  }

  async function auditOf(action: string, targetId: string): Promise<AuditEntry[]> {
    return (
      (await t.http.get('/api/admin/audit').query({ action, targetId }).set(bearer(admin.token)).expect(200))
        .body as Paginated<AuditEntry>
    ).items;
  }

  const evaluate = (): Promise<AlertEvaluationResult> => evaluateAlerts(t, admin.token);
  const hitRateAlert = (datasourceId: number): Promise<CacheAlert> => onlyAlertOf(t, admin.token, datasourceId);
  const datasourceNow = async (id: number): Promise<Datasource> =>
    (await t.http.get(`/api/admin/datasources/${id}`).set(bearer(admin.token)).expect(200)).body as Datasource;
  /** The datasource's source leaves SOURCE_SCHEMAS: every warm of it is refused (`skipped`) before it is queued. */
  const refuseWarms = (ds: Datasource): Promise<unknown> =>
    db.query(`UPDATE cache_strategy SET source_table = 'public.app_user' WHERE datasource_id = $1`, [ds.id]);

  it('NOTIFY_ONLY records neither use up nor wait for the hourly limit: a WARM rule still acts after more of them than the limit', async () => {
    const ds = await alertingDatasource();
    const notify = await rule({ name: 'Notify', datasourceId: ds.id, action: 'NOTIFY_ONLY', cooldownSeconds: 0 });
    // The limit counts the actions of every test file sharing the database: the default (20) leaves room for theirs.
    const limit = t.config.remediation.maxActionsPerHour;
    for (let round = 0; round <= limit; round++) await evaluate();
    const notes = await actionsOf(notify.id);
    expect(notes).toHaveLength(limit + 1);
    expect(new Set(notes.map((a) => a.outcome))).toEqual(new Set(['DONE']));

    const warm = await rule({ name: 'Warm', datasourceId: ds.id, action: 'WARM', cooldownSeconds: 3600 });
    await evaluate();
    const [queued] = await actionsOf(warm.id);
    expect(queued).toMatchObject({ action: 'WARM', outcome: 'DONE', warmJobId: expect.any(String) });
    await waitUntil(
      async () => (await actionsOf(warm.id))[0].warmStatus === 'COMPLETED',
      'the rule’s warm to complete',
      30_000,
    );
    for (const { id } of [notify, warm]) await t.http.delete(`${RULES}/${id}`).set(bearer(admin.token)).expect(204);
  });

  it('a warm the datasource refuses is a failed attempt: after maxFailedAttempts the rule escalates once and stops', async () => {
    const ds = await alertingDatasource();
    await refuseWarms(ds);
    const warm = await rule({
      name: 'Refused',
      datasourceId: ds.id,
      action: 'WARM',
      cooldownSeconds: 0,
      maxFailedAttempts: 2,
    });
    for (let round = 0; round < 5; round++) await evaluate();

    const actions = await actionsOf(warm.id);
    expect(actions.map((a) => a.outcome)).toEqual(['ESCALATED', 'FAILED', 'FAILED']);
    expect(actions[1].detail).toMatch(/^Could not warm .*SOURCE_SCHEMAS/);
    expect(actions[0].detail).toMatch(/^Stopped after 2 failed warm\(s\)/);
    const alert = await hitRateAlert(ds.id);
    expect(alert).toMatchObject({ alertStatus: 'ACTIVE', severity: 'CRITICAL' });
    expect(alert.history.filter((e) => e.event === 'ESCALATED')).toHaveLength(1);
    expect((await auditOf('remediation.warm', String(ds.id))).map((a) => a.outcome)).toEqual(['failure', 'failure']);
    expect(await auditOf('remediation.escalate', String(ds.id))).toHaveLength(1);
  });

  it('a WARM rule within the datasource’s minimum warm interval does nothing and records nothing — not a failure', async () => {
    const ds = await alertingDatasource();
    // Warmed just now; the default minimum interval is 5 min.
    await warmAndWait(t, admin.token, ds.id);
    const warm = await rule({
      name: 'Too soon',
      datasourceId: ds.id,
      action: 'WARM',
      cooldownSeconds: 0,
      maxFailedAttempts: 1,
    });
    for (let round = 0; round < 3; round++) await evaluate();
    expect(await actionsOf(warm.id)).toEqual([]);
    expect((await hitRateAlert(ds.id)).severity).toBe('WARNING');
    expect(await auditOf('remediation.warm', String(ds.id))).toEqual([]);
  });

  // 3, 4 and 5 simulate a transient infrastructure failure (PostgreSQL or Redis dropping a connection) with a Jest spy
  // that makes one call of our own services fail once: such a failure cannot be placed between two statements with
  // the real servers.

  it('an action whose row PostgreSQL refuses is still audited, and its row is written next round — the cool-down holds', async () => {
    const ds = await alertingDatasource();
    const raise = await rule({
      name: 'Raise TTL',
      datasourceId: ds.id,
      action: 'RAISE_STALENESS_TTL',
      ttlFactor: 2,
      maxTtlSeconds: 86_400,
      cooldownSeconds: 3600,
    });
    // The row of the action fails once, after the TTL was raised.
    const actions = t.app.get(RemediationActionsService);
    const spy = jest.spyOn(actions, 'record').mockRejectedValueOnce(new Error('Connection terminated unexpectedly'));
    try {
      await evaluate();
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
    await evaluate();
    await evaluate();

    // Raised once: the row written by the next round holds the cool-down.
    expect((await datasourceNow(ds.id)).stalenessTtlSeconds).toBe(ds.stalenessTtlSeconds * 2);
    const audit = await auditOf('remediation.raise_staleness_ttl', String(ds.id));
    expect(audit).toEqual([expect.objectContaining({ actorKind: 'rule', outcome: 'success' })]);
    const rows = await actionsOf(raise.id);
    expect(rows).toEqual([
      expect.objectContaining({
        id: audit[0].parameters?.actionId,
        outcome: 'DONE',
        undoable: true,
        newValue: { stalenessTtlSeconds: ds.stalenessTtlSeconds * 2 },
      }),
    ]);
  });

  it('an escalation that fails halfway leaves no trace and is done, once, the next round', async () => {
    const ds = await alertingDatasource();
    await refuseWarms(ds);
    const warm = await rule({
      name: 'Escalate later',
      datasourceId: ds.id,
      action: 'WARM',
      cooldownSeconds: 0,
      maxFailedAttempts: 1,
    });
    await evaluate();
    expect((await actionsOf(warm.id)).map((a) => a.outcome)).toEqual(['FAILED']);

    // Inside the escalation's transaction the ESCALATED row is written, then the connection drops once.
    const actions = t.app.get(RemediationActionsService);
    const claim = actions.claimEscalation.bind(actions);
    const spy = jest
      .spyOn(actions, 'claimEscalation')
      .mockImplementationOnce(async (...args: Parameters<typeof claim>) => {
        await claim(...args);
        throw new Error('Connection terminated unexpectedly');
      });
    try {
      await evaluate();
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
    expect((await actionsOf(warm.id)).map((a) => a.outcome)).toEqual(['FAILED']);
    expect((await hitRateAlert(ds.id)).severity).toBe('WARNING');
    expect(await auditOf('remediation.escalate', String(ds.id))).toEqual([]);

    await evaluate();
    await evaluate();
    expect((await actionsOf(warm.id)).map((a) => a.outcome)).toEqual(['ESCALATED', 'FAILED']);
    const alert = await hitRateAlert(ds.id);
    expect(alert).toMatchObject({ alertStatus: 'ACTIVE', severity: 'CRITICAL' });
    expect(alert.history.filter((e) => e.event === 'ESCALATED')).toHaveLength(1);
    expect(await auditOf('remediation.escalate', String(ds.id))).toHaveLength(1);
  });

  it('an undo of a paused schedule that failed halfway can be repeated, and recreates the schedule', async () => {
    const ds = await alertingDatasource();
    await t.http
      .put(`/api/admin/analytics/cache/schedules/${ds.id}`)
      .set(bearer(admin.token))
      .send({ cron: '0 3 * * *' })
      .expect(200);
    const pause = await rule({ name: 'Pause', datasourceId: ds.id, action: 'PAUSE_SCHEDULE' });
    await evaluate();
    const [paused] = await actionsOf(pause.id);
    expect(paused).toMatchObject({ outcome: 'DONE', undoable: true });
    const jobs = t.app.get(JobRepository);
    const scheduler = `warm-schedule-${ds.id}`;
    expect(await jobs.scheduleIds()).not.toContain(scheduler);

    // The cron is written back to PostgreSQL, then the BullMQ scheduler cannot be created (Redis drops once).
    const spy = jest.spyOn(jobs, 'upsertSchedule').mockRejectedValueOnce(new Error('Connection is closed.'));
    try {
      const failed = await t.http.post(`${ACTIONS}/${paused.id}/undo`).set(bearer(admin.token));
      expect(failed.status).toBeGreaterThanOrEqual(500);
    } finally {
      spy.mockRestore();
    }
    expect(await jobs.scheduleIds()).not.toContain(scheduler);

    const undone = (await t.http.post(`${ACTIONS}/${paused.id}/undo`).set(bearer(admin.token)).expect(200))
      .body as RemediationAction;
    expect(undone).toMatchObject({ undoable: false, undoneBy: admin.id });
    expect((await datasourceNow(ds.id)).warmSchedule).toBe('0 3 * * *');
    expect(await jobs.scheduleIds()).toContain(scheduler);
    await t.http.post(`${ACTIONS}/${paused.id}/undo`).set(bearer(admin.token)).expect(409);
  });
});
