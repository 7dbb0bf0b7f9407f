import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type {
  AlertEvaluationResult,
  AlertEvent,
  AlertWebhookPayload,
  AnalyticsQueryResponse,
  CacheAlert,
  Datasource,
  Paginated,
  PerformanceThreshold,
} from '@ccc/shared-types';
import { DataSource } from 'typeorm';
import { hourOf, minuteOf, QueryCounters } from '../src/analytics-cache/query-counters.js';
import { UsageCounters } from '../src/analytics-cache/usage-counters.js';
import { AlertEvaluator } from '../src/alerts/alert-evaluator.service.js';
import { appendAlertEvent, HISTORY_LIMIT } from '../src/alerts/alert-history.js';
import { PeriodicTasks } from '../src/platform/periodic-tasks.js';
import { JobRepository } from '../src/warming/job.repository.js';
import { ManualClock } from './support/clock.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { expectShape, keysOf } from './support/shape.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';
import { warmAndWait } from './support/warming.js';

const SYSTEM_USER_ID = '00000000-0000-0000-0000-000000000000';
const THRESHOLD_KEYS = keysOf<PerformanceThreshold>()(
  'id',
  'metricType',
  'tableName',
  'datasourceId',
  'warningThreshold',
  'criticalThreshold',
  'thresholdUnit',
  'direction',
  'alertEnabled',
  'alertConfiguration',
  'createdBy',
  'updatedBy',
  'createdAt',
  'updatedAt',
  'isActive',
);
const ALERT_KEYS = keysOf<CacheAlert>()(
  'id',
  'cacheLayerId',
  'cacheStrategyId',
  'datasourceId',
  'datasourceName',
  'alertType',
  'severity',
  'alertMessage',
  'thresholdValue',
  'actualValue',
  'alertContext',
  'alertStatus',
  'acknowledgedBy',
  'acknowledgedByName',
  'acknowledgedAt',
  'acknowledgementComment',
  'resolvedAt',
  'resolvedBy',
  'createdBy',
  'triggeredAt',
  'lastEvaluatedAt',
  'lastNotifiedAt',
  'history',
);
const EVENT_KEYS = keysOf<AlertEvent>()('at', 'event', 'severity', 'actualValue', 'by', 'comment');
const RESULT_KEYS = keysOf<AlertEvaluationResult>()(
  'evaluatedAt',
  'thresholdsEvaluated',
  'fired',
  'escalated',
  'deescalated',
  'resolved',
  'notificationsQueued',
  'ran',
);
const PAYLOAD_KEYS = keysOf<AlertWebhookPayload>()('text', 'event', 'alert', 'sentAt');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A Slack-like receiver: records every POST; can be told to fail the first POST about a datasource, or some events of one for a while. */
class WebhookReceiver {
  readonly received: Array<{ status: number; body: AlertWebhookPayload }> = [];
  readonly failFirstFor = new Set<number>();
  readonly failing = new Map<number, Set<AlertWebhookPayload['event']>>();
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => {
        const body = JSON.parse(raw) as AlertWebhookPayload;
        const datasourceId = body.alert.datasourceId ?? -1;
        const status =
          this.failFirstFor.delete(datasourceId) || this.failing.get(datasourceId)?.has(body.event) ? 500 : 200;
        this.received.push({ status, body });
        res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status === 200 ? 'ok' : 'boom');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Delivered notifications about one datasource, as "EVENT SEVERITY". */
  deliveredFor(datasourceId: number): string[] {
    return this.received
      .filter((r) => r.status === 200 && r.body.alert.datasourceId === datasourceId)
      .map((r) => `${r.body.event} ${r.body.alert.severity}`);
  }
}

describe('alerts: thresholds, evaluation, lifecycle and webhook notifications', () => {
  let redisServer: PrivateRedis;
  let receiver: WebhookReceiver;
  let t: TestApp;
  let db: DataSource;
  let admin: { id: string; email: string; token: string };
  let viewer: { token: string };

  beforeAll(async () => {
    // A Redis of its own: the hit-rate counters, the notification queue and the evaluation lease are this file's alone.
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    receiver = new WebhookReceiver();
    await receiver.start();
    t = await createTestApp(env());
    db = t.app.get(DataSource);
    admin = await userWithToken(t, 'admin');
    viewer = await userWithToken(t, 'viewer');
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
    await redisServer?.stop();
  });

  function env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      REDIS_URL: redisServer.url,
      ALERT_WEBHOOK_URL: receiver.url,
      // Retries (backoff from 0.5 s, doubling) long enough for a later notification to overtake a failing one.
      ALERT_WEBHOOK_ATTEMPTS: '6',
      CACHE_GC_GRACE_MS: '300',
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
      RATE_LIMIT_WARMING_PER_HOUR: '1000',
      ...extra,
    };
  }

  async function datasource(app: TestApp = t): Promise<Datasource> {
    const table = await createSourceTable(db, { practices: 2, providers: 2, periods: 3 });
    const response = await app.http
      .post('/api/admin/datasources')
      .set(bearer(admin.token))
      .send({
        name: `Alerts ${table.slice(-6)}`,
        sourceTable: table,
        columnMapping: TEST_MAPPING,
        minWarmIntervalSeconds: 0,
      })
      .expect(201);
    return response.body as Datasource;
  }

  async function threshold(body: Record<string, unknown>, app: TestApp = t): Promise<PerformanceThreshold> {
    return (await app.http.post('/api/admin/monitoring/thresholds').set(bearer(admin.token)).send(body).expect(201))
      .body as PerformanceThreshold;
  }

  async function patchThreshold(
    id: string,
    body: Record<string, unknown>,
    app: TestApp = t,
  ): Promise<PerformanceThreshold> {
    return (
      await app.http.patch(`/api/admin/monitoring/thresholds/${id}`).set(bearer(admin.token)).send(body).expect(200)
    ).body as PerformanceThreshold;
  }

  /** Flushes the query counters, then evaluates through the API (retrying while another evaluation holds the lease). */
  async function evaluate(app: TestApp = t): Promise<AlertEvaluationResult> {
    await app.app.get(QueryCounters).flush();
    for (;;) {
      const result = (await app.http.post('/api/admin/monitoring/alerts/evaluate').set(bearer(admin.token)).expect(200))
        .body as AlertEvaluationResult;
      if (result.ran) return result;
      await sleep(50);
    }
  }

  /** One evaluation as if it ran at `now` (e.g. hours ago), under the evaluation lease. */
  async function evaluateAt(now: Date): Promise<AlertEvaluationResult> {
    await t.app.get(QueryCounters).flush();
    for (;;) {
      const outcome = await t.app
        .get(PeriodicTasks)
        .runExclusive('alert-evaluation', () => t.app.get(AlertEvaluator).evaluate(now));
      if (outcome.ran) return outcome.result;
      await sleep(50);
    }
  }

  async function alertOf(id: string, app: TestApp = t): Promise<CacheAlert> {
    return (await app.http.get(`/api/admin/monitoring/alerts/${id}`).set(bearer(admin.token)).expect(200))
      .body as CacheAlert;
  }

  async function until(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!(await done())) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}: ${JSON.stringify(receiver.received.map((r) => [r.status, r.body.text]))}`,
        );
      await sleep(25);
    }
  }

  async function alertsOf(datasourceId: number, app: TestApp = t): Promise<CacheAlert[]> {
    return (
      (
        await app.http
          .get('/api/admin/monitoring/alerts')
          .query({ datasourceId, pageSize: 200 })
          .set(bearer(admin.token))
          .expect(200)
      ).body as Paginated<CacheAlert>
    ).items;
  }

  /** Waits until the notification queue is empty and `done` holds, then a short grace for anything extra. */
  async function drained(done: () => boolean | Promise<boolean>, app: TestApp = t): Promise<void> {
    const jobs = app.app.get(JobRepository);
    const deadline = Date.now() + 30_000;
    while (!((await jobs.pendingNotifications()) === 0 && (await done()))) {
      if (Date.now() > deadline)
        throw new Error(
          `notifications did not arrive: ${JSON.stringify(receiver.received.map((r) => [r.status, r.body.text]))}`,
        );
      await sleep(25);
    }
    await sleep(400);
    expect(await jobs.pendingNotifications()).toBe(0);
  }

  const query = async (id: number): Promise<AnalyticsQueryResponse> =>
    (
      await t.http
        .get(`/api/analytics/datasources/${id}/query`)
        .query({ measure: 'Charges', frequency: 'Daily', practice: '1' })
        .set(bearer(admin.token))
        .expect(200)
    ).body as AnalyticsQueryResponse;

  async function warm(id: number): Promise<void> {
    await warmAndWait(t, admin.token, id);
  }

  /** Synthetic query-API traffic for the current hour and minute (hits of requests), as the query API counts it. */
  /** Counts traffic in the minute of `at`: an app on a manual clock must get it in the minute its clock shows. */
  async function traffic(datasourceId: number, hits: number, requests: number, at = new Date()): Promise<void> {
    await t.app
      .get(UsageCounters)
      .addQueryCounters(datasourceId, [
        { hour: hourOf(at), minute: minuteOf(at), hits, misses: requests - hits, latencyMicros: 0 },
      ]);
  }

  it('fires once for a hit rate below its threshold, escalates, is acknowledged, resolves when the rate recovers, and notifies exactly FIRED, ESCALATED, RESOLVED', async () => {
    const ds = await datasource();
    // Only the hit rate is under test here: query times of a loaded test machine and the memory share are silenced for this datasource.
    await threshold({
      metricType: 'QUERY_TIME',
      datasourceId: ds.id,
      warningThreshold: 50,
      criticalThreshold: 250,
      alertEnabled: false,
    });
    await threshold({
      metricType: 'CACHE_MEMORY_SHARE',
      datasourceId: ds.id,
      warningThreshold: 60,
      criticalThreshold: 85,
      alertEnabled: false,
    });

    for (let i = 0; i < 10; i++) expect((await query(ds.id)).source).toBe('database');
    await warm(ds.id);
    for (let i = 0; i < 10; i++) expect((await query(ds.id)).source).toBe('cache');

    // Live hit rate 50 %: above both levels.
    const hitRate = await threshold({
      metricType: 'CACHE_HIT_RATIO',
      datasourceId: ds.id,
      warningThreshold: 40,
      criticalThreshold: 20,
    });
    expect(hitRate).toMatchObject({
      datasourceId: ds.id,
      thresholdUnit: 'PERCENTAGE',
      direction: 'BELOW',
      tableName: null,
      isActive: true,
      createdBy: admin.id,
    });
    const quiet = await evaluate();
    expect(quiet.thresholdsEvaluated).toBeGreaterThan(0);
    expect(await alertsOf(ds.id)).toEqual([]);

    // Warning level raised above the live rate: one alert, however often it is evaluated.
    await patchThreshold(hitRate.id, { warningThreshold: 60, criticalThreshold: 30 });
    const first = await evaluate();
    expect(first.fired).toBeGreaterThanOrEqual(1);
    await evaluate();
    await evaluate();
    let alerts = await alertsOf(ds.id);
    expect(alerts).toHaveLength(1);
    const fired = alerts[0];
    expectShape(fired, ALERT_KEYS);
    expect(fired).toMatchObject({
      alertType: 'HIT_RATE_LOW',
      severity: 'WARNING',
      alertStatus: 'ACTIVE',
      datasourceId: ds.id,
      datasourceName: ds.name,
      cacheStrategyId: ds.strategyId,
      thresholdValue: 60,
      actualValue: 50,
      alertMessage: `Hit rate of ${ds.name} (last 15 min) is 50% (warning below 60%)`,
      createdBy: SYSTEM_USER_ID,
      resolvedBy: null,
      alertContext: expect.objectContaining({ metric: 'CACHE_HIT_RATIO', thresholdId: hitRate.id, direction: 'BELOW' }),
    });
    expect(fired.lastNotifiedAt).not.toBeNull();
    expect(fired.history.filter((e) => e.event !== 'NOTIFIED').map((e) => e.event)).toEqual(['FIRED']);

    // Both levels above the live rate: the same alert escalates to CRITICAL.
    await patchThreshold(hitRate.id, { warningThreshold: 80, criticalThreshold: 60 });
    const escalation = await evaluate();
    expect(escalation.escalated).toBeGreaterThanOrEqual(1);
    alerts = await alertsOf(ds.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      id: fired.id,
      severity: 'CRITICAL',
      alertStatus: 'ACTIVE',
      thresholdValue: 60,
      alertMessage: `Hit rate of ${ds.name} (last 15 min) is 50% (critical below 60%)`,
    });

    const acknowledged = (
      await t.http
        .post(`/api/admin/monitoring/alerts/${fired.id}/acknowledge`)
        .set(bearer(admin.token))
        .send({ comment: 'Moving the warm before the morning peak' })
        .expect(200)
    ).body as CacheAlert;
    expect(acknowledged).toMatchObject({
      alertStatus: 'ACKNOWLEDGED',
      acknowledgedBy: admin.id,
      acknowledgedByName: admin.email,
      acknowledgementComment: 'Moving the warm before the morning peak',
    });
    expect(Date.parse(acknowledged.acknowledgedAt!)).toBeGreaterThan(Date.parse(fired.triggeredAt));
    expect(acknowledged.history.at(-1)).toMatchObject({
      event: 'ACKNOWLEDGED',
      by: admin.id,
      comment: 'Moving the warm before the morning peak',
      severity: 'CRITICAL',
    });

    await evaluate();
    await evaluate();
    alerts = await alertsOf(ds.id);
    expect(alerts.map((a) => [a.id, a.alertStatus, a.severity])).toEqual([[fired.id, 'ACKNOWLEDGED', 'CRITICAL']]);

    // 90 more hits: 100 of 110 requests (≈ 91 %), above the warning level of 80 %.
    for (let i = 0; i < 90; i++) await query(ds.id);
    const recovery = await evaluate();
    expect(recovery.resolved).toBeGreaterThanOrEqual(1);
    const resolved = (await t.http.get(`/api/admin/monitoring/alerts/${fired.id}`).set(bearer(admin.token)).expect(200))
      .body as CacheAlert;
    expect(resolved).toMatchObject({ alertStatus: 'RESOLVED', resolvedBy: 'auto', severity: 'CRITICAL' });
    expect(resolved.actualValue).toBeCloseTo((100 / 110) * 100, 2);
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.history.filter((e) => e.event !== 'NOTIFIED').map((e) => e.event)).toEqual([
      'FIRED',
      'ESCALATED',
      'ACKNOWLEDGED',
      'RESOLVED',
    ]);
    for (const event of resolved.history) expectShape(event, EVENT_KEYS);

    await drained(() => receiver.deliveredFor(ds.id).length >= 3);
    expect(receiver.deliveredFor(ds.id)).toEqual(['FIRED WARNING', 'ESCALATED CRITICAL', 'RESOLVED CRITICAL']);
    const payloads = receiver.received.filter((r) => r.body.alert.datasourceId === ds.id).map((r) => r.body);
    for (const payload of payloads) expectShape(payload, PAYLOAD_KEYS);
    expect(payloads[0].text).toBe(
      `:warning: WARNING HIT_RATE_LOW — Hit rate of ${ds.name} (last 15 min) is 50% (warning below 60%)`,
    );
    expect(payloads[1].text).toMatch(/^:rotating_light: CRITICAL HIT_RATE_LOW/);
    expect(payloads[2].text).toMatch(/^:white_check_mark: RESOLVED HIT_RATE_LOW — Recovered: Hit rate of .* is 90\.9%/);
    expect(payloads[0].alert).toMatchObject({
      id: fired.id,
      alertType: 'HIT_RATE_LOW',
      severity: 'WARNING',
      alertStatus: 'ACTIVE',
      datasourceId: ds.id,
      datasourceName: ds.name,
      thresholdValue: 60,
      actualValue: 50,
    });
    const delivered = (
      await t.http.get(`/api/admin/monitoring/alerts/${fired.id}`).set(bearer(admin.token)).expect(200)
    ).body as CacheAlert;
    expect(delivered.history.filter((e) => e.event === 'NOTIFIED')).toHaveLength(3);

    // A resolved alert can be neither acknowledged nor resolved again.
    const conflict = await t.http
      .post(`/api/admin/monitoring/alerts/${fired.id}/acknowledge`)
      .set(bearer(admin.token))
      .send({ comment: 'late' })
      .expect(409)
      .expect(errorCode('CONFLICT'));
    expect(conflict.body.message).toContain('RESOLVED');
    await t.http
      .post(`/api/admin/monitoring/alerts/${fired.id}/resolve`)
      .set(bearer(admin.token))
      .send({})
      .expect(409)
      .expect(errorCode('CONFLICT'));
  });

  it('retries a notification the webhook refused: delivered on the next attempt, once, and recorded as NOTIFIED', async () => {
    const ds = await datasource();
    await traffic(ds.id, 1, 10);
    const hitRate = await threshold({
      metricType: 'CACHE_HIT_RATIO',
      datasourceId: ds.id,
      warningThreshold: 60,
      criticalThreshold: 30,
    });
    receiver.failFirstFor.add(ds.id);
    const result = await evaluate();
    expect(result.notificationsQueued).toBeGreaterThanOrEqual(1);

    const [alert] = await alertsOf(ds.id);
    expect(alert).toMatchObject({ severity: 'CRITICAL', actualValue: 10, alertStatus: 'ACTIVE' });
    await drained(async () => (await alertsOf(ds.id))[0].history.some((e) => e.event === 'NOTIFIED'));
    const posts = receiver.received.filter((r) => r.body.alert.datasourceId === ds.id);
    expect(posts.map((p) => [p.status, p.body.event])).toEqual([
      [500, 'FIRED'],
      [200, 'FIRED'],
    ]);
    const [after] = await alertsOf(ds.id);
    expect(after.history.map((e) => e.event)).toEqual(['FIRED', 'NOTIFIED']);
    expect(after.history[1].comment).toContain('attempt 2');

    // Disabling the threshold (it overrides the global one for this datasource) resolves the alert automatically.
    await patchThreshold(hitRate.id, { alertEnabled: false });
    await evaluate();
    const [resolved] = await alertsOf(ds.id);
    expect(resolved).toMatchObject({ id: alert.id, alertStatus: 'RESOLVED', resolvedBy: 'auto' });
    await drained(() => receiver.deliveredFor(ds.id).length >= 2);
    expect(receiver.deliveredFor(ds.id)).toEqual(['FIRED CRITICAL', 'RESOLVED CRITICAL']);
  });

  it('repeats notifications of an ACTIVE alert after the repeat interval, and stops once it is acknowledged', async () => {
    // Its own clock: the repeat interval passes when the test moves the clock, not by waiting.
    const clock = new ManualClock();
    const repeating = await createTestApp(env({ ALERT_REPEAT_INTERVAL_SECONDS: '1' }), { clock });
    try {
      const ds = await datasource(repeating);
      // In the minute the stopped clock shows: real time may have passed into the next minute since it was made.
      await traffic(ds.id, 5, 10, clock.now());
      const hitRate = await threshold(
        { metricType: 'CACHE_HIT_RATIO', datasourceId: ds.id, warningThreshold: 60, criticalThreshold: 30 },
        repeating,
      );
      await evaluate(repeating);
      await drained(() => receiver.deliveredFor(ds.id).length >= 1, repeating);
      await clock.advance(1_100);
      await evaluate(repeating);
      await drained(() => receiver.deliveredFor(ds.id).length >= 2, repeating);
      expect(receiver.deliveredFor(ds.id)).toEqual(['FIRED WARNING', 'REPEAT WARNING']);
      const repeat = receiver.received.find((r) => r.body.alert.datasourceId === ds.id && r.body.event === 'REPEAT')!;
      expect(repeat.body.text).toMatch(/^:warning: WARNING HIT_RATE_LOW \(still active since /);

      const [alert] = await alertsOf(ds.id, repeating);
      await repeating.http
        .post(`/api/admin/monitoring/alerts/${alert.id}/acknowledge`)
        .set(bearer(admin.token))
        .send({ comment: 'Known: the batch job misses the cache' })
        .expect(200);
      await clock.advance(1_100);
      await evaluate(repeating);
      await clock.advance(1_100);
      await evaluate(repeating);
      await drained(() => true, repeating);
      expect(receiver.deliveredFor(ds.id)).toEqual(['FIRED WARNING', 'REPEAT WARNING']);
      expect((await alertsOf(ds.id, repeating)).map((a) => [a.id, a.alertStatus])).toEqual([
        [alert.id, 'ACKNOWLEDGED'],
      ]);

      // Resolving by hand while the last evaluation still breaches the threshold would only see it fire again a minute later: 409.
      const breaching = await repeating.http
        .post(`/api/admin/monitoring/alerts/${alert.id}/resolve`)
        .set(bearer(admin.token))
        .send({ comment: 'Batch job now warms first' })
        .expect(409)
        .expect(errorCode('CONFLICT'));
      expect(breaching.body.message).toMatch(/still breaching.*acknowledge it instead/);
      expect(breaching.body.details).toMatchObject({ thresholdId: hitRate.id, severity: 'WARNING', actualValue: 50 });
      expect((await alertOf(alert.id, repeating)).alertStatus).toBe('ACKNOWLEDGED');

      // With the levels lowered below the last value (50 %), it may be resolved by hand: notified, resolvedBy the user; it does not fire again.
      await patchThreshold(hitRate.id, { warningThreshold: 40, criticalThreshold: 20 }, repeating);
      const resolved = (
        await repeating.http
          .post(`/api/admin/monitoring/alerts/${alert.id}/resolve`)
          .set(bearer(admin.token))
          .send({ comment: 'Batch job now warms first' })
          .expect(200)
      ).body as CacheAlert;
      expect(resolved).toMatchObject({ alertStatus: 'RESOLVED', resolvedBy: admin.id });
      expect(resolved.history.at(-1)).toMatchObject({
        event: 'RESOLVED',
        by: admin.id,
        comment: 'Batch job now warms first',
      });
      await evaluate(repeating);
      expect((await alertsOf(ds.id, repeating)).map((a) => [a.id, a.alertStatus])).toEqual([[alert.id, 'RESOLVED']]);
      await drained(() => receiver.deliveredFor(ds.id).length >= 3, repeating);
      expect(receiver.deliveredFor(ds.id)).toEqual(['FIRED WARNING', 'REPEAT WARNING', 'RESOLVED WARNING']);
    } finally {
      await repeating.close();
    }
  });

  it('pages an acknowledged alert that flaps CRITICAL → WARNING → CRITICAL only once: it stays acknowledged', async () => {
    const ds = await datasource();
    await traffic(ds.id, 5, 10);
    // Live hit rate 50 %: critical below 60.
    const hitRate = await threshold({
      metricType: 'CACHE_HIT_RATIO',
      datasourceId: ds.id,
      warningThreshold: 80,
      criticalThreshold: 60,
    });
    await evaluate();
    const [fired] = await alertsOf(ds.id);
    expect(fired).toMatchObject({ severity: 'CRITICAL', alertStatus: 'ACTIVE' });
    await t.http
      .post(`/api/admin/monitoring/alerts/${fired.id}/acknowledge`)
      .set(bearer(admin.token))
      .send({ comment: 'On it' })
      .expect(200);

    await patchThreshold(hitRate.id, { warningThreshold: 60, criticalThreshold: 30 });
    await evaluate();
    expect(await alertOf(fired.id)).toMatchObject({ severity: 'WARNING', alertStatus: 'ACKNOWLEDGED' });
    await patchThreshold(hitRate.id, { warningThreshold: 80, criticalThreshold: 60 });
    await evaluate();
    await evaluate();
    const back = await alertOf(fired.id);
    expect(back).toMatchObject({
      severity: 'CRITICAL',
      alertStatus: 'ACKNOWLEDGED',
      acknowledgedBy: admin.id,
      acknowledgementComment: 'On it',
    });
    const events = back.history.filter((e) => e.event !== 'NOTIFIED');
    expect(events.map((e) => `${e.event} ${e.severity}`)).toEqual([
      'FIRED CRITICAL',
      'ACKNOWLEDGED CRITICAL',
      'DEESCALATED WARNING',
      'ESCALATED CRITICAL',
    ]);
    expect(events.at(-1)!.comment).toBe('Back to CRITICAL, already acknowledged at CRITICAL: not notified again');

    await drained(() => receiver.deliveredFor(ds.id).length >= 1);
    expect(receiver.deliveredFor(ds.id)).toEqual(['FIRED CRITICAL']);
    await patchThreshold(hitRate.id, { alertEnabled: false });
    await evaluate();
  });

  it('keeps the latest 100 history events and counts the dropped ones', async () => {
    const ds = await datasource();
    await traffic(ds.id, 5, 10);
    const hitRate = await threshold({
      metricType: 'CACHE_HIT_RATIO',
      datasourceId: ds.id,
      warningThreshold: 60,
      criticalThreshold: 30,
    });
    await evaluate();
    const [alert] = await alertsOf(ds.id);
    await drained(() => receiver.deliveredFor(ds.id).length >= 1);
    // A long-lived alert: a full history.
    await db.query(
      `UPDATE cache_performance_alert SET history = (SELECT jsonb_agg(jsonb_build_object('at', now(), 'event', 'DEESCALATED', 'severity', 'WARNING', 'actualValue', n, 'by', null, 'comment', null) ORDER BY n)
                                                    FROM generate_series(1, $2::int) n) WHERE id = $1`,
      [alert.id, HISTORY_LIMIT],
    );
    const acknowledged = (
      await t.http
        .post(`/api/admin/monitoring/alerts/${alert.id}/acknowledge`)
        .set(bearer(admin.token))
        .send({ comment: 'Old news' })
        .expect(200)
    ).body as CacheAlert;
    expect(acknowledged.history).toHaveLength(HISTORY_LIMIT);
    expect(acknowledged.history[0].actualValue).toBe(2);
    expect(acknowledged.history.at(-1)).toMatchObject({ event: 'ACKNOWLEDGED', comment: 'Old news' });
    expect(acknowledged.alertContext).toMatchObject({ historyDropped: 1 });

    // Appended in SQL (what the notification worker does) and after an evaluation rewrote the context: still capped and counted.
    await evaluate();
    await appendAlertEvent(db, alert.id, {
      at: new Date().toISOString(),
      event: 'NOTIFIED',
      severity: 'WARNING',
      actualValue: 50,
      by: null,
      comment: 'test',
    });
    const after = await alertOf(alert.id);
    expect(after.history).toHaveLength(HISTORY_LIMIT);
    expect(after.history[0].actualValue).toBe(3);
    expect(after.history.at(-1)).toMatchObject({ event: 'NOTIFIED', comment: 'test' });
    expect(after.alertContext).toMatchObject({ historyDropped: 2, metric: 'CACHE_HIT_RATIO', thresholdId: hitRate.id });
    await patchThreshold(hitRate.id, { alertEnabled: false });
    await evaluate();
  });

  it('resolves a hit-rate alert whose datasource gets no more traffic once twice the window has passed', async () => {
    const ds = await datasource();
    const hoursAgo = new Date(Date.now() - 3 * 3_600_000);
    await t.app
      .get(UsageCounters)
      .addQueryCounters(ds.id, [
        { hour: hourOf(hoursAgo), minute: minuteOf(hoursAgo), hits: 1, misses: 9, latencyMicros: 0 },
      ]);
    await threshold({
      metricType: 'CACHE_HIT_RATIO',
      datasourceId: ds.id,
      warningThreshold: 60,
      criticalThreshold: 30,
    });
    // Evaluated three hours ago (the hit-rate window, 15 minutes): 10 % then.
    await evaluateAt(hoursAgo);
    const [alert] = await alertsOf(ds.id);
    expect(alert).toMatchObject({
      alertType: 'HIT_RATE_LOW',
      alertStatus: 'ACTIVE',
      actualValue: 10,
      lastEvaluatedAt: hoursAgo.toISOString(),
    });

    // Now: no requests in the window, and the last measurement is older than twice the window.
    const result = await evaluate();
    expect(result.resolved).toBeGreaterThanOrEqual(1);
    const resolved = await alertOf(alert.id);
    expect(resolved).toMatchObject({ alertStatus: 'RESOLVED', resolvedBy: 'auto' });
    expect(resolved.history.find((e) => e.event === 'RESOLVED')!.comment).toContain('no traffic in the window');
    await drained(() => receiver.deliveredFor(ds.id).includes('RESOLVED CRITICAL'));
    // Whatever was delivered, the receiver ends on the resolution.
    expect(receiver.deliveredFor(ds.id).at(-1)).toBe('RESOLVED CRITICAL');
  });

  it('drops a failed notification retried after a newer one was delivered, or after the alert resolved: the receiver ends on the alert as it is', async () => {
    // An ESCALATED overtakes a failing FIRED.
    const escalating = await datasource();
    await traffic(escalating.id, 5, 10);
    receiver.failing.set(escalating.id, new Set(['FIRED']));
    const levels = await threshold({
      metricType: 'CACHE_HIT_RATIO',
      datasourceId: escalating.id,
      warningThreshold: 60,
      criticalThreshold: 30,
    });
    await evaluate();
    await until(
      () => receiver.received.some((r) => r.status === 500 && r.body.alert.datasourceId === escalating.id),
      'the failed FIRED',
    );
    await patchThreshold(levels.id, { warningThreshold: 80, criticalThreshold: 60 });
    await evaluate();
    await until(() => receiver.deliveredFor(escalating.id).includes('ESCALATED CRITICAL'), 'the ESCALATED');
    receiver.failing.delete(escalating.id);
    await drained(() => true);
    expect(receiver.deliveredFor(escalating.id)).toEqual(['ESCALATED CRITICAL']);
    const [escalated] = await alertsOf(escalating.id);
    expect(
      escalated.history
        .filter((e) => e.event === 'NOTIFIED' || e.event === 'NOTIFICATION_FAILED')
        .map((e) => e.comment),
    ).toEqual([expect.stringMatching(/^ESCALATED notification delivered/)]);
    await patchThreshold(levels.id, { alertEnabled: false });
    await evaluate();
    await drained(() => receiver.deliveredFor(escalating.id).length >= 2);
    expect(receiver.deliveredFor(escalating.id)).toEqual(['ESCALATED CRITICAL', 'RESOLVED CRITICAL']);

    // A FIRED retried while the RESOLVED is still failing: the alert is resolved, so it is not sent.
    const resolving = await datasource();
    await traffic(resolving.id, 5, 10);
    receiver.failing.set(resolving.id, new Set(['FIRED', 'RESOLVED']));
    const own = await threshold({
      metricType: 'CACHE_HIT_RATIO',
      datasourceId: resolving.id,
      warningThreshold: 60,
      criticalThreshold: 30,
    });
    await evaluate();
    await until(
      () =>
        receiver.received.some(
          (r) => r.status === 500 && r.body.event === 'FIRED' && r.body.alert.datasourceId === resolving.id,
        ),
      'the failed FIRED',
    );
    await patchThreshold(own.id, { alertEnabled: false });
    await evaluate();
    await until(
      () =>
        receiver.received.some(
          (r) => r.status === 500 && r.body.event === 'RESOLVED' && r.body.alert.datasourceId === resolving.id,
        ),
      'the failed RESOLVED',
    );
    receiver.failing.set(resolving.id, new Set(['RESOLVED']));
    const jobs = t.app.get(JobRepository);
    // The FIRED job is done (dropped) when only the failing RESOLVED is left.
    await until(async () => (await jobs.pendingNotifications()) === 1, 'the FIRED retry');
    receiver.failing.delete(resolving.id);
    await drained(() => receiver.deliveredFor(resolving.id).length >= 1);
    expect(receiver.deliveredFor(resolving.id)).toEqual(['RESOLVED WARNING']);
  });

  it('measures cache age, warming failures, memory share, table size and connections; resolves what no threshold covers any more', async () => {
    const ds = await datasource();
    await t.http
      .patch(`/api/admin/datasources/${ds.id}`)
      .set(bearer(admin.token))
      .send({ stalenessTtlSeconds: 60 })
      .expect(200);
    await warm(ds.id);
    await db.query(
      `INSERT INTO cache_warming_job (cache_strategy_id, job_name, warming_type, job_status, scheduled_at, completed_at, failure_reason, created_by)
       VALUES ($1, 'failed for the alert test', 'MANUAL', 'FAILED', now(), now(), 'source unreachable', $2)`,
      [ds.strategyId, SYSTEM_USER_ID],
    );
    // Levels the live figures surely reach (the global WARMING_FAILURES default, 1 / 3, applies as it is).
    await threshold({
      metricType: 'CACHE_AGE',
      datasourceId: ds.id,
      warningThreshold: 0.001,
      criticalThreshold: 10_000,
    });
    await threshold({
      metricType: 'CACHE_MEMORY_SHARE',
      datasourceId: ds.id,
      warningThreshold: 0.0001,
      criticalThreshold: 100,
    });
    await threshold({ metricType: 'TABLE_SIZE', tableName: ds.sourceTable, warningThreshold: 1, criticalThreshold: 2 });
    const connections = await threshold({
      metricType: 'CONNECTION_COUNT',
      warningThreshold: 1,
      criticalThreshold: 1_000_000,
    });
    await evaluate();

    const byType = new Map((await alertsOf(ds.id)).map((a) => [a.alertType, a]));
    expect(byType.get('CACHE_STALE')).toMatchObject({
      severity: 'WARNING',
      alertMessage: expect.stringMatching(
        new RegExp(`^Cache of ${ds.name} is [\\d.]+% of its staleness TTL old \\(warning above 0.001%\\)$`),
      ),
    });
    expect(byType.get('WARMING_FAILED')).toMatchObject({
      severity: 'WARNING',
      actualValue: 1,
      alertMessage: `1 warming job(s) of ${ds.name} failed in the last 24 h (warning at 1)`,
    });
    expect(byType.get('MEMORY_USAGE_HIGH')).toMatchObject({ severity: 'WARNING' });
    expect(byType.get('MEMORY_USAGE_HIGH')!.actualValue).toBeGreaterThan(0);
    expect(byType.get('TABLE_SIZE_HIGH')).toMatchObject({
      severity: 'CRITICAL',
      thresholdValue: 2,
      alertContext: expect.objectContaining({ tableName: ds.sourceTable }),
    });
    expect(byType.get('TABLE_SIZE_HIGH')!.alertMessage).toMatch(
      new RegExp(`^Table ${ds.sourceTable} \\(${ds.name}\\) is [\\d.]+ KB \\(critical above 2 B\\)$`),
    );
    const [database] = (
      (
        await t.http
          .get('/api/admin/monitoring/alerts')
          .query({ alertType: 'CONNECTION_COUNT_HIGH', status: 'ACTIVE' })
          .set(bearer(admin.token))
          .expect(200)
      ).body as Paginated<CacheAlert>
    ).items;
    expect(database).toMatchObject({
      cacheStrategyId: null,
      datasourceId: null,
      datasourceName: null,
      severity: 'WARNING',
      alertMessage: expect.stringMatching(/^The database has \d+ connections \(warning (above|at) 1\)$/),
    });

    // The threshold is deleted: its alert resolves; the datasource is disabled: its alerts resolve.
    await t.http.delete(`/api/admin/monitoring/thresholds/${connections.id}`).set(bearer(admin.token)).expect(204);
    await t.http.patch(`/api/admin/datasources/${ds.id}`).set(bearer(admin.token)).send({ enabled: false }).expect(200);
    await evaluate();
    const after = (await t.http.get(`/api/admin/monitoring/alerts/${database.id}`).set(bearer(admin.token)).expect(200))
      .body as CacheAlert;
    expect(after).toMatchObject({ alertStatus: 'RESOLVED', resolvedBy: 'auto' });
    expect(after.history.find((e) => e.event === 'RESOLVED')!.comment).toContain('No enabled threshold applies');
    expect((await alertsOf(ds.id)).map((a) => a.alertStatus)).toEqual(['RESOLVED', 'RESOLVED', 'RESOLVED', 'RESOLVED']);
  });

  it('validates thresholds and alert actions, naming the field; 404 for unknown ids; 409 for a duplicate threshold', async () => {
    const ds = await datasource();
    const post = (body: Record<string, unknown>) =>
      t.http.post('/api/admin/monitoring/thresholds').set(bearer(admin.token)).send(body);
    const fieldsOf = (body: { details?: { fields?: Array<{ field: string }> } }): string[] =>
      (body.details?.fields ?? []).map((f) => f.field);
    const base = { metricType: 'CACHE_HIT_RATIO', datasourceId: ds.id, warningThreshold: 60, criticalThreshold: 30 };

    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, metricType: 'HIT_RATIO' }, 'metricType'],
      [{ ...base, warningThreshold: -5 }, 'warningThreshold'],
      [{ ...base, warningThreshold: 'sixty' }, 'warningThreshold'],
      [{ ...base, criticalThreshold: 0 }, 'criticalThreshold'],
      // DECIMAL(18,4): 0.0001 is the smallest level, four decimal places the most.
      [{ ...base, metricType: 'CACHE_AGE', warningThreshold: 0.00001, criticalThreshold: 10 }, 'warningThreshold'],
      [{ ...base, warningThreshold: 60, criticalThreshold: 30.12345 }, 'criticalThreshold'],
      // Lower is worse for the hit rate: critical must not lie above warning…
      [{ ...base, warningThreshold: 30, criticalThreshold: 60 }, 'criticalThreshold'],
      // …and higher is worse for query time.
      [{ metricType: 'QUERY_TIME', warningThreshold: 250, criticalThreshold: 50 }, 'criticalThreshold'],
      [{ ...base, warningThreshold: 120, criticalThreshold: 30 }, 'warningThreshold'],
      [{ ...base, thresholdUnit: 'MILLISECONDS' }, 'thresholdUnit'],
      [{ ...base, thresholdUnit: 'PERCENT' }, 'thresholdUnit'],
      [{ ...base, datasourceId: 2_000_000_000 }, 'datasourceId'],
      [
        { metricType: 'CONNECTION_COUNT', datasourceId: ds.id, warningThreshold: 80, criticalThreshold: 95 },
        'datasourceId',
      ],
      [{ ...base, tableName: ds.sourceTable }, 'tableName'],
      [
        {
          metricType: 'TABLE_SIZE',
          tableName: 'cache_test.not_registered',
          warningThreshold: 1e9,
          criticalThreshold: 2e9,
        },
        'tableName',
      ],
      [{ ...base, unexpected: true }, 'unexpected'],
    ];
    for (const [body, field] of cases) {
      const response = await post(body).expect(400).expect(errorCode('VALIDATION_FAILED'));
      expect({ body, fields: fieldsOf(response.body) }).toEqual({ body, fields: expect.arrayContaining([field]) });
    }

    // Valid: CACHE_AGE may pass 100 % (it is a share of the staleness TTL); a table threshold names a datasource's table.
    const age = await threshold({
      metricType: 'CACHE_AGE',
      datasourceId: ds.id,
      warningThreshold: 150,
      criticalThreshold: 300,
    });
    expectShape(age, THRESHOLD_KEYS);
    expect(age).toMatchObject({
      thresholdUnit: 'PERCENTAGE',
      direction: 'ABOVE',
      datasourceId: ds.id,
      updatedBy: null,
      alertConfiguration: null,
    });
    const size = await threshold({
      metricType: 'TABLE_SIZE',
      tableName: ds.sourceTable,
      warningThreshold: 1e9,
      criticalThreshold: 2e9,
      thresholdUnit: 'BYTES',
      alertConfiguration: { channel: '#cache' },
    });
    expect(size).toMatchObject({
      tableName: ds.sourceTable,
      datasourceId: null,
      thresholdUnit: 'BYTES',
      alertConfiguration: { channel: '#cache' },
    });
    const duplicate = await post({
      metricType: 'CACHE_AGE',
      datasourceId: ds.id,
      warningThreshold: 100,
      criticalThreshold: 200,
    })
      .expect(409)
      .expect(errorCode('CONFLICT'));
    expect(duplicate.body.details.thresholdId).toBe(age.id);
    expect(duplicate.body.message).toContain(age.id);
    expect(
      await threshold({
        metricType: 'CACHE_MEMORY_SHARE',
        datasourceId: ds.id,
        warningThreshold: 0.0001,
        criticalThreshold: 99.9999,
      }),
    ).toMatchObject({ warningThreshold: 0.0001, criticalThreshold: 99.9999 });

    // Two identical requests at once: one is created, the other answered 409 naming it (the unique index backs the pre-check).
    const racing = await Promise.all(
      [1, 2].map(() =>
        post({ metricType: 'WARMING_FAILURES', datasourceId: ds.id, warningThreshold: 2, criticalThreshold: 5 }),
      ),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409]);
    const winner = racing.find((r) => r.status === 201)!.body as PerformanceThreshold;
    expect(racing.find((r) => r.status === 409)!.body.message).toContain(winner.id);
    // Re-activating a deleted threshold whose scope has an active one since: 409 naming that one.
    await t.http.delete(`/api/admin/monitoring/thresholds/${winner.id}`).set(bearer(admin.token)).expect(204);
    const successor = await threshold({
      metricType: 'WARMING_FAILURES',
      datasourceId: ds.id,
      warningThreshold: 3,
      criticalThreshold: 6,
    });
    const reactivated = await t.http
      .patch(`/api/admin/monitoring/thresholds/${winner.id}`)
      .set(bearer(admin.token))
      .send({ isActive: true })
      .expect(409)
      .expect(errorCode('CONFLICT'));
    expect(reactivated.body.details.thresholdId).toBe(successor.id);

    // PATCH validates the merged threshold.
    const patched = await t.http
      .patch(`/api/admin/monitoring/thresholds/${age.id}`)
      .set(bearer(admin.token))
      .send({ criticalThreshold: 100 })
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));
    expect(fieldsOf(patched.body)).toContain('criticalThreshold');
    expect(await patchThreshold(age.id, { warningThreshold: 120, criticalThreshold: 240 })).toMatchObject({
      warningThreshold: 120,
      criticalThreshold: 240,
      updatedBy: admin.id,
    });

    // Soft delete: gone from the active list, kept (inactive) for history.
    await t.http.delete(`/api/admin/monitoring/thresholds/${size.id}`).set(bearer(admin.token)).expect(204);
    const active = (await t.http.get('/api/admin/monitoring/thresholds').set(bearer(admin.token)).expect(200))
      .body as PerformanceThreshold[];
    expect(active.map((x) => x.id)).not.toContain(size.id);
    expect(active.map((x) => x.id)).toContain(age.id);
    const all = (
      await t.http
        .get('/api/admin/monitoring/thresholds')
        .query({ includeInactive: 'true' })
        .set(bearer(admin.token))
        .expect(200)
    ).body as PerformanceThreshold[];
    expect(all.find((x) => x.id === size.id)).toMatchObject({ isActive: false });
    // Start-up defaults: global thresholds written by the system user.
    expect(all).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          metricType: 'CACHE_HIT_RATIO',
          datasourceId: null,
          tableName: null,
          warningThreshold: 80,
          criticalThreshold: 50,
          createdBy: SYSTEM_USER_ID,
        }),
      ]),
    );
    expect(
      (await t.http.get(`/api/admin/monitoring/thresholds/${size.id}`).set(bearer(admin.token)).expect(200)).body,
    ).toMatchObject({ isActive: false });

    // Unknown and malformed ids.
    const unknown = randomUUID();
    await t.http
      .get(`/api/admin/monitoring/thresholds/${unknown}`)
      .set(bearer(admin.token))
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
    await t.http
      .patch(`/api/admin/monitoring/thresholds/${unknown}`)
      .set(bearer(admin.token))
      .send({ warningThreshold: 1 })
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
    await t.http
      .delete(`/api/admin/monitoring/thresholds/${unknown}`)
      .set(bearer(admin.token))
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
    await t.http
      .get(`/api/admin/monitoring/alerts/${unknown}`)
      .set(bearer(admin.token))
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
    await t.http
      .post(`/api/admin/monitoring/alerts/${unknown}/acknowledge`)
      .set(bearer(admin.token))
      .send({ comment: 'x' })
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
    await t.http
      .post(`/api/admin/monitoring/alerts/${unknown}/resolve`)
      .set(bearer(admin.token))
      .send({})
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
    expect(
      fieldsOf((await t.http.get('/api/admin/monitoring/alerts/17').set(bearer(admin.token)).expect(400)).body),
    ).toContain('id');

    // An acknowledgement needs a comment of 1–1000 characters.
    for (const body of [{}, { comment: '' }, { comment: '   ' }, { comment: 'x'.repeat(1001) }]) {
      const response = await t.http
        .post(`/api/admin/monitoring/alerts/${unknown}/acknowledge`)
        .set(bearer(admin.token))
        .send(body)
        .expect(400)
        .expect(errorCode('VALIDATION_FAILED'));
      expect(fieldsOf(response.body)).toContain('comment');
    }
    for (const query of [{ status: 'OPEN' }, { severity: 'HIGH' }, { alertType: 'NOPE' }, { datasourceId: 'x' }]) {
      await t.http
        .get('/api/admin/monitoring/alerts')
        .query(query)
        .set(bearer(admin.token))
        .expect(400)
        .expect(errorCode('VALIDATION_FAILED'));
    }
    // An unknown datasource in a filter: 404 (in a threshold body it is a 400 naming the field, above).
    await t.http
      .get('/api/admin/monitoring/alerts')
      .query({ datasourceId: 2_000_000_000 })
      .set(bearer(admin.token))
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
  });

  it('lets a viewer read thresholds and alerts but change nothing (403), and lists open and severe alerts first', async () => {
    const ds = await datasource();
    await traffic(ds.id, 1, 10);
    const own = await threshold({
      metricType: 'CACHE_HIT_RATIO',
      datasourceId: ds.id,
      warningThreshold: 60,
      criticalThreshold: 30,
    });
    const result = await evaluate();
    expectShape(result, RESULT_KEYS);
    const [alert] = await alertsOf(ds.id);
    expect(alert).toMatchObject({ severity: 'CRITICAL', alertStatus: 'ACTIVE' });

    const read = bearer(viewer.token);
    await t.http.get('/api/admin/monitoring/thresholds').set(read).expect(200);
    await t.http.get(`/api/admin/monitoring/thresholds/${own.id}`).set(read).expect(200);
    const page = (await t.http.get('/api/admin/monitoring/alerts').query({ datasourceId: ds.id }).set(read).expect(200))
      .body as Paginated<CacheAlert>;
    expectShape(page, keysOf<Paginated<CacheAlert>>()('items', 'total', 'page', 'pageSize'));
    expect(page).toMatchObject({ total: 1, page: 1, pageSize: 50 });
    await t.http.get(`/api/admin/monitoring/alerts/${alert.id}`).set(read).expect(200);

    await t.http
      .post('/api/admin/monitoring/thresholds')
      .set(read)
      .send({ metricType: 'CACHE_AGE', datasourceId: ds.id, warningThreshold: 100, criticalThreshold: 200 })
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
    await t.http
      .patch(`/api/admin/monitoring/thresholds/${own.id}`)
      .set(read)
      .send({ warningThreshold: 70 })
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
    await t.http
      .delete(`/api/admin/monitoring/thresholds/${own.id}`)
      .set(read)
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
    await t.http
      .post(`/api/admin/monitoring/alerts/${alert.id}/acknowledge`)
      .set(read)
      .send({ comment: 'mine' })
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
    await t.http
      .post(`/api/admin/monitoring/alerts/${alert.id}/resolve`)
      .set(read)
      .send({})
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
    await t.http.post('/api/admin/monitoring/alerts/evaluate').set(read).expect(403).expect(errorCode('FORBIDDEN'));
    expect(await t.http.get(`/api/admin/monitoring/thresholds/${own.id}`).set(read).expect(200)).toMatchObject({
      body: { warningThreshold: 60, isActive: true },
    });
    expect((await alertsOf(ds.id))[0]).toMatchObject({ alertStatus: 'ACTIVE' });

    // Changes are audited.
    const audit = (
      await t.http
        .get('/api/admin/audit')
        .query({ action: 'threshold.create', targetId: own.id })
        .set(bearer(admin.token))
        .expect(200)
    ).body as Paginated<{ outcome: string }>;
    expect(audit.items.map((a) => a.outcome)).toEqual(['success']);

    // Order: ACTIVE before ACKNOWLEDGED before RESOLVED; CRITICAL first; newest first.
    const everything = (
      (await t.http.get('/api/admin/monitoring/alerts').query({ pageSize: 200 }).set(read).expect(200))
        .body as Paginated<CacheAlert>
    ).items;
    const statusRank = { ACTIVE: 0, ACKNOWLEDGED: 1, RESOLVED: 2 };
    const severityRank = { CRITICAL: 0, WARNING: 1, INFO: 2 };
    for (let i = 1; i < everything.length; i++) {
      const [a, b] = [everything[i - 1], everything[i]];
      const order = [
        statusRank[a.alertStatus] - statusRank[b.alertStatus],
        severityRank[a.severity] - severityRank[b.severity],
        Date.parse(b.triggeredAt) - Date.parse(a.triggeredAt),
      ];
      const first = order.find((d) => d !== 0) ?? 0;
      expect({
        a: [a.alertStatus, a.severity, a.triggeredAt],
        b: [b.alertStatus, b.severity, b.triggeredAt],
        ok: first <= 0,
      }).toMatchObject({ ok: true });
    }
    const filtered = (
      (
        await t.http
          .get('/api/admin/monitoring/alerts')
          .query({ status: 'RESOLVED', pageSize: 200 })
          .set(read)
          .expect(200)
      ).body as Paginated<CacheAlert>
    ).items;
    expect(filtered.every((a) => a.alertStatus === 'RESOLVED')).toBe(true);
    await patchThreshold(own.id, { alertEnabled: false });
    await evaluate();
  });
});
