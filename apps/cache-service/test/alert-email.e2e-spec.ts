import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { AlertEvaluationResult, AlertWebhookPayload, CacheAlert, Datasource } from '@ccc/shared-types';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import { hourOf, minuteOf } from '../src/analytics-cache/query-counters.js';
import { UsageCounters } from '../src/analytics-cache/usage-counters.js';
import { JobRepository } from '../src/warming/job.repository.js';
import { sample } from './support/prometheus-text.js';
import { evaluateAlerts, onlyAlertOf } from './support/alerts.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const SMTP_USER = 'alerts@ccc.test';
// Characters a URL must percent-encode: the service decodes them before logging in.
const SMTP_PASSWORD = 'p@ss:w0rd/Äx';
const DASHBOARD_URL = 'https://ccc.example.test/console/';
const RECIPIENTS = ['ops@example.test', 'dba@example.test'];

/**
 * A real SMTP server (smtp-server, over TCP on loopback) that requires the service's login and keeps every message it
 * accepts, parsed by mailparser. `refuse`: the next message whose subject contains `match` is answered at the end of
 * DATA with that SMTP error instead, once.
 */
class LocalSmtpServer {
  readonly received: Array<{ mail: ParsedMail; user: string | undefined; recipients: string[] }> = [];
  readonly refuse: Array<{ match: string; code: number; message: string }> = [];
  refusedCount = 0;
  private server: SMTPServer | null = null;
  port = 0;

  async start(): Promise<void> {
    this.server = new SMTPServer({
      logger: false,
      // Plain TCP on loopback: no certificate to make; the service's opportunistic STARTTLS finds none offered.
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: false,
      onAuth: (auth, _session, callback) =>
        auth.username === SMTP_USER && auth.password === SMTP_PASSWORD
          ? callback(null, { user: auth.username })
          : callback(new Error('Invalid username or password')),
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          simpleParser(Buffer.concat(chunks)).then(
            (mail) => {
              const refusal = this.refuse.findIndex((r) => mail.subject?.includes(r.match));
              if (refusal >= 0) {
                const [{ code, message }] = this.refuse.splice(refusal, 1);
                this.refusedCount += 1;
                callback(Object.assign(new Error(message), { responseCode: code }));
                return;
              }
              this.received.push({
                mail,
                user: session.user as string | undefined,
                recipients: session.envelope.rcptTo.map((r) => r.address),
              });
              callback();
            },
            (error: Error) => callback(error),
          );
        });
      },
    });
    this.port = await freePort();
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  url(): string {
    return `smtp://${encodeURIComponent(SMTP_USER)}:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${this.port}`;
  }

  /** Messages about one alert (the service names it in a header of its own), in the order they arrived. */
  about(alertId: string): ParsedMail[] {
    return this.received.filter((r) => r.mail.headers.get('x-ccc-alert-id') === alertId).map((r) => r.mail);
  }
}

/** A webhook that answers 500 to everything: the e-mails must arrive regardless, once each. */
class BrokenWebhook {
  readonly received: AlertWebhookPayload[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => {
        this.received.push(JSON.parse(raw) as AlertWebhookPayload);
        res.writeHead(500).end('boom');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('alert e-mails through a local SMTP server', () => {
  let redisServer: PrivateRedis;
  let smtp: LocalSmtpServer;
  let webhook: BrokenWebhook;
  let t: TestApp;
  let db: DataSource;
  let admin: { token: string };

  beforeAll(async () => {
    // A Redis of its own: the notification queue and the evaluation lease are this file's alone.
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    smtp = new LocalSmtpServer();
    await smtp.start();
    webhook = new BrokenWebhook();
    await webhook.start();
    t = await createTestApp({
      REDIS_URL: redisServer.url,
      ALERT_WEBHOOK_URL: webhook.url,
      ALERT_WEBHOOK_ATTEMPTS: '3',
      ALERT_SMTP_URL: smtp.url(),
      ALERT_EMAIL_FROM: 'Cache Command Center <ccc@example.test>',
      ALERT_EMAIL_TO: RECIPIENTS.join(', '),
      ALERT_EMAIL_ATTEMPTS: '4',
      DASHBOARD_URL,
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
    });
    db = t.app.get(DataSource);
    admin = await userWithToken(t, 'admin');
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
    await webhook?.stop();
    await redisServer?.stop();
  });

  async function datasource(name: string): Promise<Datasource> {
    const table = await createSourceTable(db, { practices: 2, providers: 2, periods: 3 });
    return (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(admin.token))
        .send({ name: `${name} ${table.slice(-6)}`, sourceTable: table, columnMapping: TEST_MAPPING })
        .expect(201)
    ).body as Datasource;
  }

  async function hitRateThreshold(datasourceId: number, warning: number, critical: number): Promise<string> {
    const response = await t.http
      .post('/api/admin/monitoring/thresholds')
      .set(bearer(admin.token))
      .send({
        metricType: 'CACHE_HIT_RATIO',
        datasourceId,
        warningThreshold: warning,
        criticalThreshold: critical,
      })
      .expect(201);
    return (response.body as { id: string }).id;
  }

  async function patchThreshold(id: string, body: Record<string, unknown>): Promise<void> {
    await t.http.patch(`/api/admin/monitoring/thresholds/${id}`).set(bearer(admin.token)).send(body).expect(200);
  }

  /** Query-API traffic as the query API counts it: `hits` of `requests` in the current minute. */
  async function traffic(datasourceId: number, hits: number, requests: number): Promise<void> {
    await t.app
      .get(UsageCounters)
      .addQueryCounters(datasourceId, [
        { hour: hourOf(new Date()), minute: minuteOf(new Date()), hits, misses: requests - hits, latencyMicros: 0 },
      ]);
  }

  const evaluate = (): Promise<AlertEvaluationResult> => evaluateAlerts(t, admin.token);
  const alertOf = (datasourceId: number): Promise<CacheAlert> => onlyAlertOf(t, admin.token, datasourceId);

  async function until(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!(await done())) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify(smtp.received.map((r) => r.mail.subject))}`);
      await sleep(25);
    }
  }

  /** Until the notification queue is empty, then a short grace for anything extra to show. */
  async function drained(): Promise<void> {
    const jobs = t.app.get(JobRepository);
    await until(async () => (await jobs.pendingNotifications()) === 0, 'an empty notifications queue');
    await sleep(300);
    expect(await jobs.pendingNotifications()).toBe(0);
  }

  const metrics = async (): Promise<string> => (await t.http.get('/metrics').expect(200)).text;

  it('sends the fired, escalated and resolved e-mails with the alert, its datasource, value vs threshold and a link, every value escaped — while the webhook fails', async () => {
    const ds = await datasource('Ops <b>&</b>');
    await traffic(ds.id, 5, 10); // 50 %
    const threshold = await hitRateThreshold(ds.id, 60, 30);

    expect((await evaluate()).fired).toBeGreaterThanOrEqual(1);
    const alert = await alertOf(ds.id);
    await until(() => smtp.about(alert.id).length === 1, 'the FIRED e-mail');

    await patchThreshold(threshold, { warningThreshold: 80, criticalThreshold: 60 });
    expect((await evaluate()).escalated).toBeGreaterThanOrEqual(1);
    await until(() => smtp.about(alert.id).length === 2, 'the ESCALATED e-mail');

    await traffic(ds.id, 90, 90); // 95 of 100 requests: above both levels
    expect((await evaluate()).resolved).toBeGreaterThanOrEqual(1);
    await until(() => smtp.about(alert.id).length === 3, 'the RESOLVED e-mail');
    await drained();

    const [fired, escalated, resolved] = smtp.about(alert.id);
    expect(smtp.about(alert.id)).toHaveLength(3);
    expect(fired.subject).toBe(`[WARNING] Hit rate 50% < 60% — ${ds.name}`);
    expect(escalated.subject).toBe(`[CRITICAL] Escalated: Hit rate 50% < 60% — ${ds.name}`);
    expect(resolved.subject).toBe(`[RESOLVED] Hit rate low — ${ds.name}`);
    expect(smtp.about(alert.id).map((m) => m.headers.get('x-ccc-alert-event'))).toEqual([
      'FIRED',
      'ESCALATED',
      'RESOLVED',
    ]);

    // Sender, recipients and the login the service used.
    const envelopes = smtp.received.filter((r) => r.mail.headers.get('x-ccc-alert-id') === alert.id);
    for (const { mail, user, recipients } of envelopes) {
      expect(mail.from?.value).toEqual([{ name: 'Cache Command Center', address: 'ccc@example.test' }]);
      expect(recipients).toEqual(RECIPIENTS);
      expect(user).toBe(SMTP_USER);
      expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    }
    // One thread per alert: the later e-mails answer the first.
    expect(escalated.inReplyTo).toBe(fired.messageId);
    expect(resolved.inReplyTo).toBe(fired.messageId);

    const link = `${DASHBOARD_URL}alerts?alert=${alert.id}`;
    expect(fired.text).toContain(`Hit rate of ${ds.name} (last 15 min) is 50% (warning below 60%)`);
    expect(fired.text).toMatch(/^Severity +WARNING$/m);
    expect(fired.text).toMatch(/^Status +FIRED \(the alert is ACTIVE\)$/m);
    expect(fired.text).toContain(`Datasource  ${ds.name} (id ${ds.id})`);
    expect(fired.text).toMatch(/^Value +50% < 60% \(warning threshold: alerts at or below it\)$/m);
    expect(fired.text).toMatch(/^This event +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/m);
    expect(fired.text).toContain(`Open the alert in the dashboard: ${link}`);
    expect(escalated.text).toMatch(/^Severity +CRITICAL$/m);
    expect(escalated.text).toMatch(/^Value +50% < 60% \(critical threshold/m);
    expect(resolved.text).toContain(`Recovered: Hit rate of ${ds.name} (last 15 min) is 95%`);
    expect(resolved.text).toMatch(/^Status +RESOLVED \(the alert is RESOLVED\)$/m);

    // The datasource's name is shown as typed, never as markup.
    const escapedName = ds.name.replace('<b>&</b>', '&lt;b&gt;&amp;&lt;/b&gt;');
    for (const mail of [fired, escalated, resolved]) {
      const html = String(mail.html);
      expect(html).toContain(escapedName);
      expect(html).not.toContain('<b>');
      expect(html).toContain(`href="${link}"`);
    }
    expect(String(fired.html)).toContain(`${escapedName} (id ${ds.id})`);

    // The webhook failed every time; it neither held back nor multiplied the e-mails, and each channel's story is
    // in the alert's history.
    expect(webhook.received.some((p) => p.alert.id === alert.id)).toBe(true);
    const history = (
      (await t.http.get(`/api/admin/monitoring/alerts/${alert.id}`).set(bearer(admin.token)).expect(200))
        .body as CacheAlert
    ).history;
    expect(history.filter((e) => e.event === 'NOTIFIED').map((e) => e.comment)).toEqual([
      'FIRED e-mail delivered to 2 recipient(s)',
      'ESCALATED e-mail delivered to 2 recipient(s)',
      'RESOLVED e-mail delivered to 2 recipient(s)',
    ]);
    expect(
      history.filter((e) => e.event === 'NOTIFICATION_FAILED').every((e) => /notification failed/.test(e.comment!)),
    ).toBe(true);
    expect(JSON.stringify(history)).not.toContain(SMTP_PASSWORD);

    const text = await metrics();
    // At least: other alerts (service-wide ones) may have mailed too.
    expect(sample(text, 'ccc_alert_notifications_total', { channel: 'email', outcome: 'sent' })).toBeGreaterThanOrEqual(
      3,
    );
    expect(sample(text, 'ccc_alert_notifications_total', { channel: 'email', outcome: 'failed' })).toBe(0);
    expect(sample(text, 'ccc_alert_notifications_total', { channel: 'webhook', outcome: 'sent' })).toBe(0);
    expect(sample(text, 'ccc_alert_notifications_total', { channel: 'webhook', outcome: 'retried' })).toBeGreaterThan(
      0,
    );
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body.checks.notifications).toMatchObject({ status: 'up', running: 1, total: 1 });
  });

  it('retries an e-mail the server deferred (451) until it is accepted, once; a permanent refusal (550) is not retried', async () => {
    const before = await metrics();
    const retriedBefore = sample(before, 'ccc_alert_notifications_total', { channel: 'email', outcome: 'retried' })!;

    const deferred = await datasource('Deferred');
    await traffic(deferred.id, 1, 10);
    smtp.refuse.push({ match: deferred.name, code: 451, message: 'Greylisted, try again later' });
    const refusedBefore = smtp.refusedCount;
    await hitRateThreshold(deferred.id, 60, 30);
    await evaluate();
    const alert = await alertOf(deferred.id);
    await until(() => smtp.about(alert.id).length === 1, 'the deferred FIRED e-mail');
    await drained();
    expect(smtp.refusedCount).toBe(refusedBefore + 1);
    expect(smtp.about(alert.id).map((m) => m.subject)).toEqual([`[CRITICAL] Hit rate 10% < 30% — ${deferred.name}`]);
    const notified = (await alertOf(deferred.id)).history.filter((e) => e.event === 'NOTIFIED').map((e) => e.comment);
    expect(notified).toEqual(['FIRED e-mail delivered to 2 recipient(s) (attempt 2)']);

    const refused = await datasource('Refused');
    await traffic(refused.id, 1, 10);
    smtp.refuse.push({ match: refused.name, code: 550, message: 'Relaying denied' });
    await hitRateThreshold(refused.id, 60, 30);
    await evaluate();
    const refusedAlert = await alertOf(refused.id);
    await until(
      async () =>
        (await alertOf(refused.id)).history.some((e) => e.event === 'NOTIFICATION_FAILED' && /e-mail/.test(e.comment!)),
      'the recorded e-mail failure',
    );
    await drained();
    expect(smtp.about(refusedAlert.id)).toEqual([]);
    const failures = (await alertOf(refused.id)).history
      .filter((e) => e.event === 'NOTIFICATION_FAILED' && /e-mail/.test(e.comment!))
      .map((e) => e.comment);
    expect(failures).toEqual([expect.stringMatching(/^FIRED e-mail failed after 1 attempt\(s\): SMTP: .*550/)]);

    const after = await metrics();
    expect(sample(after, 'ccc_alert_notifications_total', { channel: 'email', outcome: 'retried' })).toBe(
      retriedBefore + 1,
    );
    expect(sample(after, 'ccc_alert_notifications_total', { channel: 'email', outcome: 'failed' })).toBe(
      sample(before, 'ccc_alert_notifications_total', { channel: 'email', outcome: 'failed' })! + 1,
    );
  });
});

describe('alert e-mail configuration at start-up', () => {
  const MAIN = join(__dirname, '..', 'dist', 'main.js');

  /** Starts the built service with this environment; resolves with its exit code and everything it printed. */
  function start(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the service first (npm run build)`);
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [MAIN], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('exit', (code) => {
        clearTimeout(killer);
        resolve({ code, output });
      });
    });
  }

  it('stops with a message naming each bad variable, and never prints the SMTP password', async () => {
    const password = `Secret-${randomBytes(6).toString('hex')}`;
    const result = await start({
      REDIS_URL: process.env.REDIS_URL!,
      DATABASE_URL: process.env.DATABASE_URL!,
      ALERT_SMTP_URL: `smtp://alerts:${password}@mail example.test:587`,
      ALERT_EMAIL_FROM: 'ccc@example.test',
      ALERT_EMAIL_TO: 'ops@example.test, on-call',
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('ALERT_SMTP_URL is not a valid URL');
    expect(result.output).toContain('ALERT_EMAIL_TO must be comma-separated e-mail addresses (bad: "on-call")');
    expect(result.output).not.toContain(password);

    const production = await start({
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(32).toString('hex'),
      REDIS_URL: process.env.REDIS_URL!,
      DATABASE_URL: process.env.DATABASE_URL!,
      ALERT_SMTP_URL: `smtp://alerts:${password}@mail.example.test:587`,
      ALERT_EMAIL_FROM: 'ccc@example.test',
      ALERT_EMAIL_TO: 'ops@example.test',
      DASHBOARD_URL: 'https://ccc.example.test',
    });
    expect(production.code).toBe(1);
    expect(production.output).toContain(
      'ALERT_SMTP_URL would send the SMTP password to mail.example.test without TLS it can rely on: use smtps:// (implicit TLS) or set ALERT_SMTP_STARTTLS=required',
    );
    expect(production.output).not.toContain(password);
  }, 120_000);
});
