import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AlertWebhookPayload } from '@ccc/shared-types';
import { UnrecoverableError, type Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { JobRepository, type NotificationJobData } from '../warming/job.repository.js';
import { appendAlertEvent } from './alert-history.js';
import { webhookText } from './alert-rules.js';
import type { CacheAlertEntity } from './cache-alert.entity.js';

/**
 * Alert notifications to a Slack-compatible webhook: queued on BullMQ (one worker at a time, retried with
 * backoff), POSTed with a timeout; delivery and final failure are recorded in the alert's history.
 * A notification is dropped instead of sent when it is out of date: older than one already delivered for
 * the alert (a retry that lost the race), or announcing a problem the alert no longer has (it is RESOLVED).
 * `last_notified_at` is set by the evaluator when it queues a notification (repeats count from there).
 */
@Injectable()
export class AlertNotifier {
  private readonly logger = new Logger(AlertNotifier.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobRepository,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  get enabled(): boolean {
    return this.config.monitoring.webhookUrl !== null;
  }

  /** Starts the delivery worker where workers run (roles all and worker) and a webhook is configured. */
  start(): void {
    if (this.config.role === 'api' || !this.enabled) return;
    this.jobs.startNotificationWorker(
      (job) => this.deliver(job),
      (job, error, final) => {
        if (!job || !final) return;
        void this.record(
          job.data,
          'NOTIFICATION_FAILED',
          `${job.data.payload.event} notification failed after ${job.attemptsMade} attempt(s): ${error.message}`,
        ).catch(() => undefined);
      },
    );
  }

  /** Queues one notification; false when no webhook is configured or the queue is unreachable (recorded in the history). */
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
    const data: NotificationJobData = {
      alertId: alert.id,
      payload: { text: webhookText(event, snapshot, detail), event, alert: snapshot },
    };
    try {
      await this.jobs.enqueueNotification(data);
      return true;
    } catch (error) {
      this.logger.warn({
        msg: 'could not queue an alert notification',
        alert: alert.id,
        error: (error as Error).message,
      });
      await this.record(
        data,
        'NOTIFICATION_FAILED',
        `${event} notification could not be queued: ${(error as Error).message}`,
      ).catch(() => undefined);
      return false;
    }
  }

  async deliver(job: Job<NotificationJobData>): Promise<void> {
    const url = this.config.monitoring.webhookUrl;
    if (!url) throw new UnrecoverableError('No ALERT_WEBHOOK_URL configured');
    // When the event happened: the job was queued right then (retries keep the original timestamp).
    const eventAt = new Date(job.timestamp).toISOString();
    const stale = await this.outdated(job.data, eventAt);
    if (stale) {
      this.logger.log({
        msg: 'alert notification dropped: out of date',
        alert: job.data.alertId,
        event: job.data.payload.event,
        reason: stale,
      });
      return;
    }
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
    await this.record(
      job.data,
      'NOTIFIED',
      `${job.data.payload.event} notification delivered${job.attemptsMade > 0 ? ` (attempt ${job.attemptsMade + 1})` : ''}`,
      eventAt,
    );
  }

  /** Why a notification should not be sent any more, or null when it should. */
  private async outdated(data: NotificationJobData, eventAt: string): Promise<string | null> {
    const [row] = (await this.db.query(
      `SELECT alert_status AS status, alert_context ->> 'lastDeliveredEventAt' AS delivered FROM cache_performance_alert WHERE id = $1`,
      [data.alertId],
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
    );
  }
}
