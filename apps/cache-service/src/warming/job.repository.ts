import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { AlertWebhookPayload, WarmingType } from '@ccc/shared-types';
import {
  Queue,
  UnrecoverableError,
  Worker,
  type ConnectionOptions,
  type Job,
  type JobsOptions,
  type Processor,
} from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { CorrelationContext } from '../telemetry/correlation-context.js';
import type { NotificationChannel } from '../telemetry/metric-definitions.js';
import { QUEUE_PREFIX } from '../redis/redis-keys.js';
import { CLUSTER_SLOTS_REFRESH_MS } from '../redis/redis.module.js';

export const WARMING_QUEUE = 'warming';

/**
 * What a job carries. `correlationId`: the request (or job) that queued it, on every log line of its work. A warm
 * names its datasource, so that queue tools (bull-board at /admin/queues) show what is being warmed; jobs queued by
 * an earlier version lack these optional fields.
 */
export type WarmingJobData = { correlationId?: string } & (
  | { kind: 'warm'; jobId: string; datasourceId?: number; datasourceName?: string }
  | { kind: 'scheduled-warm'; datasourceId: number }
  | { kind: 'delete-generation'; datasourceId: number; generation: number }
);

/** What BullMQ keeps as a completed warm's return value (bull-board shows it). */
export interface WarmSummary {
  datasourceId: number;
  datasourceName: string;
  generation: number;
  rows: number;
  entries: number;
  durationSeconds: number;
}

/**
 * BullMQ priority of a warm by what asked for it (1 runs first). A person waiting on a warm they asked for goes ahead
 * of a warm-all, and both ahead of the schedules' warms, so 1,000 scheduled warms never starve a manual one. Within
 * one priority the queue stays first in, first out, so a large datasource queued early is not overtaken by small ones.
 * Housekeeping jobs (generation deletions, schedule triggers) carry no priority: BullMQ runs those before any
 * prioritised job, and they are short.
 */
export const WARM_PRIORITY: Record<WarmingType, number> = { MANUAL: 1, WARM_ALL: 5, PREDICTIVE: 8, SCHEDULED: 10 };

export const NOTIFICATIONS_QUEUE = 'notifications';

/**
 * One alert notification for one channel (built when queued; the webhook's `sentAt` is set on delivery). One job per
 * channel, so that one channel's retries never hold back, nor send again, another's. `channel` is absent on jobs
 * queued before e-mails existed: those are webhook jobs. `detail`: what the e-mail says happened, when it says more
 * than the alert's message.
 */
export interface NotificationJobData {
  alertId: string;
  channel?: NotificationChannel;
  correlationId?: string;
  payload: Omit<AlertWebhookPayload, 'sentAt'>;
  detail?: string;
}

export const channelOf = (data: NotificationJobData): NotificationChannel => data.channel ?? 'webhook';

/** The only place that creates BullMQ queues and workers, and the one place job options are set. */
@Injectable()
export class JobRepository implements OnApplicationShutdown {
  private readonly logger = new Logger(JobRepository.name);
  private readonly connection: Redis | Cluster;
  private readonly queue: Queue<WarmingJobData>;
  private readonly workers: Worker<WarmingJobData>[] = [];
  private readonly notifications: Queue<NotificationJobData>;
  private readonly notificationWorkers: Worker<NotificationJobData>[] = [];
  /** Connections handed to workers: BullMQ does not close a connection it was given, so shutdown does. */
  private readonly workerConnections: Array<Redis | Cluster> = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly correlation: CorrelationContext,
  ) {
    // BullMQ needs a connection that waits for Redis rather than failing commands (maxRetriesPerRequest: null).
    const options = { maxRetriesPerRequest: null, connectionName: 'ccc-queue' };
    this.connection = config.redis.clusterNodes
      ? new Cluster(config.redis.clusterNodes, {
          slotsRefreshInterval: CLUSTER_SLOTS_REFRESH_MS,
          redisOptions: { ...options, password: new URL(config.redis.url).password || undefined },
        })
      : new Redis(config.redis.url, options);
    this.connection.on('error', () => undefined);
    this.queue = new Queue<WarmingJobData>(WARMING_QUEUE, {
      connection: this.connection as unknown as ConnectionOptions,
      prefix: QUEUE_PREFIX,
    });
    this.queue.on('error', (error) => this.logger.warn(`queue: ${error.message}`));
    this.notifications = new Queue<NotificationJobData>(NOTIFICATIONS_QUEUE, {
      connection: this.connection as unknown as ConnectionOptions,
      prefix: QUEUE_PREFIX,
    });
    this.notifications.on('error', (error) => this.logger.warn(`notifications queue: ${error.message}`));
  }

  /**
   * Notifications: each channel's tries (ALERT_WEBHOOK_ATTEMPTS, ALERT_EMAIL_ATTEMPTS), retried with exponential
   * backoff from half a second, kept for inspection a while.
   */
  private notificationOptions(channel: NotificationChannel): JobsOptions {
    return {
      attempts:
        channel === 'email' ? (this.config.monitoring.email?.attempts ?? 1) : this.config.monitoring.webhookAttempts,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 1000 },
    };
  }

  /** Queues one event's notifications, one job per channel, all or none (one MULTI). */
  async enqueueNotifications(jobs: NotificationJobData[]): Promise<void> {
    const correlationId = this.correlation.current();
    await this.notifications.addBulk(
      jobs.map((data) => ({
        name: channelOf(data) === 'webhook' ? data.payload.event : `email:${data.payload.event}`,
        data: { ...data, correlationId },
        opts: this.notificationOptions(channelOf(data)),
      })),
    );
  }

  /** Counts of notification jobs not yet done (waiting, delayed for a retry, or running). */
  async pendingNotifications(): Promise<number> {
    const counts = await this.notifications.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  /** Jobs per state of each queue, for /metrics (one Redis round trip per queue). */
  async queueCounts(): Promise<Record<string, Record<string, number>>> {
    const states = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;
    const [warming, notifications] = await Promise.all([
      this.queue.getJobCounts(...states),
      this.notifications.getJobCounts(...states),
    ]);
    return { [WARMING_QUEUE]: warming, [NOTIFICATIONS_QUEUE]: notifications };
  }

  /**
   * One notification at a time, so that a receiver sees an alert's notifications in the order they happened. A channel
   * that fails does not hold the others up: its job waits for its retry among the delayed jobs while the worker takes
   * the next one; a channel that hangs holds the worker for its timeout (ALERT_WEBHOOK_TIMEOUT_MS, ALERT_SMTP_TIMEOUT_MS).
   */
  startNotificationWorker(
    processor: Processor<NotificationJobData>,
    onFailed: (job: Job<NotificationJobData> | undefined, error: Error, final: boolean) => void,
  ): void {
    const worker = new Worker<NotificationJobData>(NOTIFICATIONS_QUEUE, this.inContext(processor), {
      connection: this.workerConnection() as unknown as ConnectionOptions,
      prefix: QUEUE_PREFIX,
      concurrency: 1,
    });
    worker.on('error', (error) => this.logger.warn(`notification worker: ${error.message}`));
    worker.on('failed', (job: Job<NotificationJobData> | undefined, error: Error) => {
      // An UnrecoverableError (e.g. the mail server refused for good) ends the job before its last attempt.
      const final = !job || error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      this.logger.warn({
        msg: 'notification failed',
        job: job?.id,
        channel: job ? channelOf(job.data) : undefined,
        alert: job?.data.alertId,
        attempt: job?.attemptsMade,
        final,
        error: error.message,
        correlationId: job?.data.correlationId,
      });
      onFailed(job, error, final);
    });
    this.notificationWorkers.push(worker);
  }

  private workerConnection(): Redis | Cluster {
    // Narrowed by hand: TypeScript cannot call duplicate() on the union of the two client types.
    const connection = this.connection instanceof Cluster ? this.connection.duplicate() : this.connection.duplicate();
    connection.on('error', () => undefined);
    this.workerConnections.push(connection);
    return connection;
  }

  private options(kind: WarmingJobData['kind'], warmingType: WarmingType = 'MANUAL'): JobsOptions {
    const base: JobsOptions = { removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } };
    if (kind === 'warm')
      return {
        ...base,
        attempts: this.config.warming.attempts,
        backoff: { type: 'exponential', delay: 2000 },
        priority: WARM_PRIORITY[warmingType],
      };
    if (kind === 'delete-generation')
      return {
        ...base,
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        delay: this.config.warming.gcGraceMs,
      };
    return base;
  }

  async enqueueWarm(
    warm: { jobId: string; datasourceId: number; datasourceName: string },
    warmingType: WarmingType,
  ): Promise<void> {
    await this.queue.add(
      `warm:${warm.datasourceName}`,
      { kind: 'warm', ...warm, correlationId: this.correlation.current() },
      { ...this.options('warm', warmingType), jobId: warm.jobId },
    );
  }

  /** The queues as they are, for the read-only queue board (observability/queue-board.ts). */
  boardQueues(): Queue[] {
    return [this.queue, this.notifications] as Queue[];
  }

  /** Runs each job with its correlation id (or, for a job nobody requested, e.g. a scheduler's, one of its own). */
  private inContext<D extends { correlationId?: string }, R>(processor: Processor<D, R>): Processor<D, R> {
    return (job, token, signal) =>
      this.correlation.run(job.data.correlationId ?? `job:${job.queueName}:${job.id}`, () =>
        processor(job, token, signal),
      );
  }

  /**
   * Deletes a generation after the grace period (or at once), in the background. `sweep` names a janitor
   * round: its job gets an id of its own, since a finished deletion job with the plain id is kept a while
   * and would turn a second request for the same generation into a no-op.
   */
  async enqueueGenerationDeletion(
    datasourceId: number,
    generation: number,
    immediately = false,
    sweep?: string,
  ): Promise<void> {
    await this.queue.add(
      'delete-generation',
      { kind: 'delete-generation', datasourceId, generation, correlationId: this.correlation.current() },
      {
        ...this.options('delete-generation'),
        ...(immediately ? { delay: 0 } : {}),
        jobId: sweep ? `gc-${datasourceId}-${generation}-${sweep}` : `gc-${datasourceId}-${generation}`,
      },
    );
  }

  /**
   * Deletes a retained generation when its retention ends (at least the grace period from now). The job re-checks
   * (GenerationRetention.deleteIfUnused): a rollback may have made it live, or retained it again until later. One job
   * per generation and expiry: asking twice is a no-op. `recheck` names a deletion job that found the generation still
   * retained and asks again (its own id is still taken while it runs).
   */
  async enqueueGenerationExpiry(
    datasourceId: number,
    generation: number,
    expiresAtMs: number,
    recheck?: string,
  ): Promise<void> {
    await this.queue.add(
      'delete-generation',
      { kind: 'delete-generation', datasourceId, generation, correlationId: this.correlation.current() },
      {
        ...this.options('delete-generation'),
        delay: Math.max(this.config.warming.gcGraceMs, expiresAtMs - Date.now()),
        jobId: `gc-${datasourceId}-${generation}-until-${expiresAtMs}${recheck ? `-${recheck}` : ''}`,
      },
    );
  }

  /**
   * Deletions of a datasource's replaced generations not done yet (in their grace period, waiting or running); not the
   * deletions waiting for a retained generation's expiry.
   */
  async pendingDeletions(datasourceId: number): Promise<number> {
    const jobs = await this.queue.getJobs(['delayed', 'wait', 'active', 'prioritized'], 0, 999);
    return jobs.filter(
      (job) =>
        job?.data.kind === 'delete-generation' &&
        job.data.datasourceId === datasourceId &&
        !job.id?.includes('-until-'),
    ).length;
  }

  /** Removes a job that has not started; false when a worker already holds it. */
  async removeWaiting(jobId: string): Promise<boolean> {
    const job = await this.queue.getJob(jobId);
    if (!job) return true;
    const state = await job.getState();
    if (state === 'active') return false;
    try {
      await job.remove();
      return true;
    } catch {
      // It became active meanwhile (a worker holds its lock): the running job sees the cancel request instead.
      return false;
    }
  }

  /** Scheduled auto-warming: a BullMQ job scheduler per datasource, so N replicas fire a schedule once. */
  async upsertSchedule(datasourceId: number, cron: string | null): Promise<void> {
    const id = `warm-schedule-${datasourceId}`;
    if (!cron) {
      await this.queue.removeJobScheduler(id);
      return;
    }
    await this.queue.upsertJobScheduler(
      id,
      { pattern: cron, tz: 'UTC' },
      { name: 'scheduled-warm', data: { kind: 'scheduled-warm', datasourceId }, opts: this.options('scheduled-warm') },
    );
  }

  async scheduleIds(): Promise<string[]> {
    return (await this.queue.getJobSchedulers(0, -1)).map((scheduler) => scheduler.key ?? scheduler.id ?? '');
  }

  startWorker(
    processor: Processor<WarmingJobData>,
    onFailed: (job: Job<WarmingJobData> | undefined, error: Error) => void,
  ): void {
    const worker = new Worker<WarmingJobData>(WARMING_QUEUE, this.inContext(processor), {
      connection: this.workerConnection() as unknown as ConnectionOptions,
      prefix: QUEUE_PREFIX,
      concurrency: this.config.warming.concurrency,
      lockDuration: this.config.warming.jobLockMs,
      stalledInterval: Math.max(1000, Math.floor(this.config.warming.jobLockMs / 2)),
      maxStalledCount: 2,
    });
    worker.on('error', (error) => this.logger.warn(`worker: ${error.message}`));
    worker.on('failed', (job: Job<WarmingJobData> | undefined, error: Error) => {
      this.logger.warn({
        msg: 'job failed',
        job: job?.id,
        kind: job?.data.kind,
        attempt: job?.attemptsMade,
        error: error.message,
        correlationId: job?.data.correlationId,
      });
      onFailed(job, error);
    });
    this.workers.push(worker);
  }

  /** Per lane, how many of this process's workers consume (not closing, not paused) of how many it started. */
  workerState(): Record<'warming' | 'notifications', { running: number; total: number }> {
    type Lane = Array<Pick<Worker, 'isRunning' | 'isPaused' | 'closing'>>;
    const lane = (workers: Lane) => ({
      running: workers.filter((w) => w.isRunning() && !w.isPaused() && !w.closing).length,
      total: workers.length,
    });
    return { warming: lane(this.workers), notifications: lane(this.notificationWorkers) };
  }

  /** Lets running jobs finish their current batch (they see the closing flag), then closes connections. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.workers, ...this.notificationWorkers].map((worker) => worker.close()));
    await this.queue.close();
    await this.notifications.close();
    await Promise.all(
      [...this.workerConnections, this.connection].map((connection) =>
        connection.quit().catch(() => connection.disconnect()),
      ),
    );
  }
}
