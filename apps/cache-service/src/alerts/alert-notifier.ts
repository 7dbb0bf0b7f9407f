import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AlertWebhookPayload } from '@ccc/shared-types';
import { UnrecoverableError, type Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { NotificationChannel } from '../telemetry/metric-definitions.js';
import { OperatorMetricsService } from '../telemetry/operator-metrics.service.js';
import { channelOf, JobRepository, type NotificationJobData } from '../warming/job.repository.js';
import { renderAlertEmail } from './alert-email.js';
import { appendAlertEvent, DELIVERED_EVENT_KEY } from './alert-history.js';
import { AlertMailer, MailDeliveryError } from './alert-mailer.js';
import { webhookText } from './alert-rules.js';
import type { CacheAlertEntity } from './cache-alert.entity.js';

/** How the alert's history names a channel's notification. */
const NOUN: Record<NotificationChannel, string> = { webhook: 'notification', email: 'e-mail' };

/**
 * Alert notifications to a Slack-compatible webhook and by e-mail: each event queued on BullMQ as one job per
 * configured channel (one worker at a time, retried with backoff), POSTed or sent with a timeout; delivery and final
 * failure are recorded in the alert's history and counted on /metrics per channel.
 * A notification is dropped instead of sent when it is out of date for its channel: older than one already delivered
 * on that channel for the alert (a retry that lost the race), or announcing a problem the alert no longer has (it is
 * RESOLVED). Channels keep separate marks, so a webhook that is down neither holds back nor cancels the e-mails.
 * `last_notified_at` is set by the evaluator when it queues a notification (repeats count from there).
 */
@Injectable()
export class AlertNotifier {
  private readonly logger = new Logger(AlertNotifier.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobRepository,
    @InjectDataSource() private readonly db: DataSource,
    private readonly mailer: AlertMailer,
    private readonly metrics: OperatorMetricsService,
  ) {}

  /** Some channel is configured: the evaluator then notifies (and repeats) alerts. */
  get enabled(): boolean {
    return this.channels().length > 0;
  }

  private channels(): NotificationChannel[] {
    return [
      ...(this.config.monitoring.webhookUrl !== null ? (['webhook'] as const) : []),
      ...(this.mailer.enabled ? (['email'] as const) : []),
    ];
  }

  /** Starts the delivery worker where workers run (roles all and worker) and a channel is configured. */
  start(): void {
    if (this.config.role === 'api' || !this.enabled) return;
    if (this.mailer.enabled) this.logger.log(`alert e-mails to ${this.mailer.describe()}`);
    this.jobs.startNotificationWorker(
      (job) => this.deliver(job),
      (job, error, final) => {
        if (!job) return;
        const channel = channelOf(job.data);
        this.metrics.notification(channel, final ? 'failed' : 'retried');
        if (!final) return;
        void this.record(
          job.data,
          'NOTIFICATION_FAILED',
          `${job.data.payload.event} ${NOUN[channel]} failed after ${job.attemptsMade} attempt(s): ${error.message}`,
        ).catch(() => undefined);
      },
    );
  }

  /**
   * Queues one event's notifications, one per configured channel; false when no channel is configured or the queue is
   * unreachable (recorded in the history).
   */
  async enqueue(
    alert: CacheAlertEntity,
    event: AlertWebhookPayload['event'],
    datasource: { id: number; name: string } | null,
    detail?: string,
  ): Promise<boolean> {
    if (!this.enabled) return false;
    const snapshot: AlertWebhookPayload['alert'] = {
      id: alert.id,
      alertType: alert.alertType,
      severity: alert.severity,
      alertStatus: alert.alertStatus,
      datasourceId: datasource?.id ?? null,
      datasourceName: datasource?.name ?? null,
      alertMessage: alert.alertMessage,
      thresholdValue: alert.thresholdValue,
      actualValue: alert.actualValue,
      triggeredAt: alert.triggeredAt.toISOString(),
    };
    const payload = { text: webhookText(event, snapshot, detail), event, alert: snapshot };
    const data: NotificationJobData[] = this.channels().map((channel) => ({
      alertId: alert.id,
      channel,
      payload,
      ...(channel === 'email' && detail !== undefined ? { detail } : {}),
    }));
    try {
      await this.jobs.enqueueNotifications(data);
      return true;
    } catch (error) {
      this.logger.warn({
        msg: 'could not queue an alert notification',
        alert: alert.id,
        error: (error as Error).message,
      });
      await this.record(
        data[0],
        'NOTIFICATION_FAILED',
        `${event} notification could not be queued: ${(error as Error).message}`,
      ).catch(() => undefined);
      return false;
    }
  }

  async deliver(job: Job<NotificationJobData>): Promise<void> {
    const channel = channelOf(job.data);
    // When the event happened: the job was queued right then (retries keep the original timestamp).
    const eventAt = new Date(job.timestamp).toISOString();
    const stale = await this.outdated(job.data, channel, eventAt);
    if (stale) {
      this.metrics.notification(channel, 'dropped');
      this.logger.log({
        msg: 'alert notification dropped: out of date',
        alert: job.data.alertId,
        channel,
        event: job.data.payload.event,
        reason: stale,
      });
      return;
    }
    const delivered = channel === 'email' ? await this.sendEmail(job) : await this.post(job);
    this.metrics.notification(channel, 'sent');
    const attempt = job.attemptsMade > 0 ? ` (attempt ${job.attemptsMade + 1})` : '';
    // Delivered is delivered: a history that cannot be written now must not make the job send it again.
    await this.record(
      job.data,
      'NOTIFIED',
      `${job.data.payload.event} ${NOUN[channel]} delivered${delivered}${attempt}`,
      eventAt,
      channel,
    ).catch((error: Error) =>
      this.logger.warn({
        msg: 'alert notification delivered but not recorded',
        alert: job.data.alertId,
        channel,
        error: error.message,
      }),
    );
  }

  /** POSTs the webhook's JSON; resolves with what the history adds to "delivered". */
  private async post(job: Job<NotificationJobData>): Promise<string> {
    const url = this.config.monitoring.webhookUrl;
    if (!url) throw new UnrecoverableError('No ALERT_WEBHOOK_URL configured');
    const body: AlertWebhookPayload = { ...job.data.payload, sentAt: new Date().toISOString() };
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.config.monitoring.webhookTimeoutMs),
      });
    } catch (error) {
      // Never the URL in the message: incoming-webhook URLs are secrets.
      throw new Error(
        `webhook unreachable: ${(error as Error).name === 'TimeoutError' ? `no answer within ${this.config.monitoring.webhookTimeoutMs} ms` : (error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`webhook answered ${response.status}`);
    return '';
  }

  /**
   * Sends the alert e-mail. The e-mails of one alert form a thread: the FIRED one's Message-ID is the alert's, the
   * later ones refer to it. A retry keeps its Message-ID, so a client that got the message once shows one copy.
   * A permanent refusal (5xx) is not retried.
   */
  private async sendEmail(job: Job<NotificationJobData>): Promise<string> {
    const { payload, alertId, detail } = job.data;
    const mail = renderAlertEmail({
      event: payload.event,
      alert: payload.alert,
      detail,
      eventAt: new Date(job.timestamp),
      dashboardUrl: this.config.dashboardUrl,
    });
    const domain = this.mailer.fromDomain();
    const root = `<alert-${alertId}@${domain}>`;
    const thread =
      payload.event === 'FIRED'
        ? { messageId: root, references: null }
        : {
            messageId: `<alert-${alertId}.${job.timestamp}.${payload.event.toLowerCase()}@${domain}>`,
            references: root,
          };
    try {
      const { refused } = await this.mailer.send(mail, { alertId, event: payload.event, ...thread });
      const recipients = this.config.monitoring.email?.to.length ?? 0;
      return ` to ${recipients - refused.length} recipient(s)${refused.length > 0 ? `; refused for ${refused.join(', ')}` : ''}`;
    } catch (error) {
      if (error instanceof MailDeliveryError && error.permanent) throw new UnrecoverableError(error.message);
      throw error;
    }
  }

  /** Why a notification should not be sent any more on its channel, or null when it should. */
  private async outdated(
    data: NotificationJobData,
    channel: NotificationChannel,
    eventAt: string,
  ): Promise<string | null> {
    const [row] = (await this.db.query(
      `SELECT alert_status AS status, alert_context ->> $2::text AS delivered FROM cache_performance_alert WHERE id = $1`,
      [data.alertId, DELIVERED_EVENT_KEY[channel]],
    )) as Array<{ status: CacheAlertEntity['alertStatus']; delivered: string | null }>;
    if (!row) return 'the alert no longer exists';
    if (row.delivered && row.delivered > eventAt)
      return `a newer notification (of ${row.delivered}) was already delivered`;
    if (row.status === 'RESOLVED' && data.payload.event !== 'RESOLVED') return 'the alert is already resolved';
    return null;
  }

  private record(
    data: NotificationJobData,
    event: 'NOTIFIED' | 'NOTIFICATION_FAILED',
    comment: string,
    deliveredEventAt: string | null = null,
    channel: NotificationChannel = channelOf(data),
  ): Promise<void> {
    return appendAlertEvent(
      this.db,
      data.alertId,
      {
        at: new Date().toISOString(),
        event,
        severity: data.payload.alert.severity,
        actualValue: data.payload.alert.actualValue,
        by: null,
        comment,
      },
      deliveredEventAt,
      channel,
    );
  }
}
