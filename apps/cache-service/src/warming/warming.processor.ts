import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { In, type Repository } from 'typeorm';
import { CacheRepository, type LiveSummary } from '../analytics-cache/cache.repository.js';
import { WarmLocks } from '../analytics-cache/warm-locks.js';
import { RedisMemory } from '../analytics-cache/redis-memory.js';
import { RegionCaches } from '../analytics-cache/region-caches.js';
import { ChangeReader } from '../analytics-cache/change-reader.js';
import { GenerationCarry } from '../analytics-cache/generation-carry.js';
import { SourceReader } from '../analytics-cache/source-reader.js';
import { AppError } from '../common/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { OperatorMetricsService, type WarmOutcome } from '../telemetry/operator-metrics.service.js';
import { GenerationRetention } from './generation-retention.js';
import { JobRepository, type WarmingJobData, type WarmSummary } from './job.repository.js';
import { postponeOnOutage } from './outage-postponement.js';
import { StallWatchdog } from './stall-watchdog.js';
import { RefreshRunner, type RefreshOutcome } from './refresh-runner.js';
import { RegionFanout } from './region-fanout.js';
import { LOCK_RENEW_EVERY_MS, MEMORY_ADVICE, ShadowWriter } from './shadow-writer.js';
import { ShuttingDown, Superseded, WarmAborted } from './warm-endings.js';
import { WarmingJobEntity } from './warming-job.entity.js';
import { LOCK_LEASE_MS, QUEUED_LEASE_MS, WarmingService } from './warming.service.js';

const FINAL_STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED'];
const ACTIVE_STATUSES: Array<'PENDING' | 'RUNNING' | 'PAUSED'> = ['PENDING', 'RUNNING', 'PAUSED'];

/** The lease of a running deletion (renewed every third of it); a deletion that finds it taken retries after this. */
const DELETION_LEASE_MS = 30_000;
const DELETION_RETRY_MS = 250;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The worker side of warming (DESIGN.md §4): stream the source, write a shadow generation in pipelined
 * batches, verify it, swap it in with one compare-and-set, and schedule the old generation's deletion.
 * A failed or cancelled warm leaves the live generation untouched and deletes its shadow.
 */
@Injectable()
export class WarmingProcessor implements BeforeApplicationShutdown {
  private closing = false;
  private readonly shadows: ShadowWriter;
  private readonly refreshes: RefreshRunner;

  private readonly logger = new Logger(WarmingProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobRepository,
    private readonly cache: CacheRepository,
    private readonly locks: WarmLocks,
    private readonly redisMemory: RedisMemory,
    private readonly source: SourceReader,
    private readonly warming: WarmingService,
    @InjectRepository(WarmingJobEntity) private readonly rows: Repository<WarmingJobEntity>,
    private readonly datasources: DatasourcesService,
    private readonly metrics: OperatorMetricsService,
    private readonly retention: GenerationRetention,
    carry: GenerationCarry,
    changes: ChangeReader,
    private readonly regionCaches: RegionCaches,
  ) {
    const reclaim = (datasourceId: number) => retention.reclaim(datasourceId);
    this.shadows = new ShadowWriter({ config, cache, locks, redisMemory, source, rows, reclaim }, () => this.closing);
    this.refreshes = new RefreshRunner({ config, cache, locks, rows, shadows: this.shadows, carry, changes });
  }

  /** Starts the BullMQ worker unless this process only serves the API (called once the schema is in place). */
  start(): void {
    if (this.config.role === 'api') return;
    this.jobs.startWorker(
      (job, token) => this.process(job, token),
      (job, error) =>
        void this.onJobFailed(job, error).catch((cause: Error) =>
          this.logger.error({ msg: 'could not close a failed job', error: cause.message }),
        ),
    );
  }

  /** A completed warm's summary becomes the job's return value (shown by queue tools); other jobs return nothing. */
  async process(job: Job<WarmingJobData>, queueToken?: string): Promise<WarmSummary | void> {
    const data = job.data;
    if (data.kind === 'delete-generation') return this.deleteGeneration(job, queueToken);
    if (data.kind === 'scheduled-warm') {
      await this.warming.requestWarm({
        datasourceIds: [data.datasourceId],
        force: false,
        warmingType: 'SCHEDULED',
        principal: null,
      });
      return;
    }
    return this.warm(job, data.jobId, queueToken).catch((error: unknown) => postponeOnOutage(job, queueToken, error));
  }

  /**
   * One deletion of a datasource's generations at a time (a lease; another one goes back to the queue for a moment,
   * without using up an attempt): two paced deletions of one datasource at once double the Redis load the pacing
   * bounds, and hold both worker slots, so that a refresh of that datasource — change data capture's, every second or
   * two — queued seconds behind them. Never deletes what is live, retained for a rollback, or being written by a warm.
   */
  private async deleteGeneration(job: Job<WarmingJobData>, queueToken?: string): Promise<void> {
    if (job.data.kind !== 'delete-generation') return;
    const { datasourceId, generation } = job.data;
    const token = randomUUID();
    if (queueToken && !(await this.locks.takeDeletionLease(datasourceId, token, DELETION_LEASE_MS))) {
      await job.moveToDelayed(Date.now() + DELETION_RETRY_MS, queueToken);
      throw new DelayedError();
    }
    const renewal = setInterval(
      () => void this.locks.renewDeletionLease(datasourceId, token, DELETION_LEASE_MS).catch(() => undefined),
      DELETION_LEASE_MS / 3,
    );
    try {
      await this.retention.deleteIfUnused(datasourceId, generation);
    } finally {
      clearInterval(renewal);
      await this.locks.releaseDeletionLease(datasourceId, token).catch(() => undefined);
    }
  }

  /**
   * Before the workers close (BullMQ's close waits for running jobs): running warms stop at their next batch
   * and go back to the queue instead of holding shutdown for as long as they run — or stay paused.
   */
  beforeApplicationShutdown(): void {
    this.closing = true;
  }

  private async warm(job: Job<WarmingJobData>, jobId: string, queueToken?: string): Promise<WarmSummary | void> {
    const startedMs = Date.now();
    const row = await this.rows.findOneBy({ id: jobId });
    if (!row || FINAL_STATUSES.includes(row.status)) return;
    const strategy = await this.datasources.entityByStrategyId(row.cacheStrategyId);
    const datasourceId = row.configuration?.datasourceId ?? strategy?.datasourceId;
    if (!strategy || datasourceId === undefined) {
      await this.finish(row, 'FAILED', 'datasource no longer exists');
      return;
    }
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    // This execution's token on the warming lock (see CacheRepository.claimLock).
    const token = `${jobId}#${randomUUID()}`;
    let shadow: number | null = null;
    let swapped = false;
    // The other Redis regions this warm writes into (docs/architecture.md, "Multi-region caches").
    const regions = RegionFanout.of(this.regionCaches, strategy.regions ?? [], datasourceId);
    // Long phases without batches (counting, sorting a large source) must not let the lease lapse.
    const renewal = setInterval(
      () => void this.locks.renewLock(datasourceId, token, LOCK_LEASE_MS).catch(() => undefined),
      LOCK_RENEW_EVERY_MS,
    );
    const watchdog = new StallWatchdog(this.config.warming.stallTimeoutMs);
    try {
      // From the queued lease (or, if it lapsed while the job waited, a free lock), or from an earlier execution of this job.
      if (!(await this.locks.claimLock(datasourceId, jobId, token, LOCK_LEASE_MS))) {
        throw new WarmAborted('CANCELLED', 'another warm of this datasource holds the lock');
      }
      // A previous attempt of this job may have crashed mid-write: its partial shadow goes first.
      if (row.generation !== null && (await this.cache.meta(datasourceId)).generation !== row.generation) {
        await this.cache.deleteGeneration(datasourceId, row.generation);
      }
      const started = await this.cache.beginWarm(datasourceId);
      shadow = started.shadow;
      await this.rows.update(
        { id: jobId },
        {
          status: 'RUNNING',
          startedAt: new Date(),
          generation: shadow,
          attempts: job.attemptsMade + 1,
          failureReason: null,
        },
      );
      const live = await this.cache.meta(datasourceId);
      await this.shadows.checkMemory(live.bytes, datasourceId);
      await regions?.begin();

      // Full or incremental (and verified): RefreshRunner; the swap and what follows are the same for both.
      watchdog.progress('choosing a full or incremental refresh');
      const result = await this.refreshes.run(
        { job, row, strategy, datasourceId, shadow, liveBytes: live.bytes, token, watchdog, regions },
        live,
      );
      watchdog.stop();
      watchdog.progress('swapping the new generation in');

      const summary = { ...result.summary, lastWarmed: new Date().toISOString(), jobId };
      const outcome = await this.cache.swap(
        datasourceId,
        { live: started.live, epoch: started.epoch },
        shadow,
        summary,
        token,
      );
      if (outcome === 'lock_lost') await this.shadows.lockLost(datasourceId, jobId);
      if (outcome !== 'ok') {
        throw new WarmAborted(
          'CANCELLED',
          outcome === 'invalidated'
            ? 'the cache was invalidated during the warm'
            : 'another generation went live during the warm',
        );
      }
      swapped = true;
      watchdog.progress('bookkeeping after the swap');
      if (regions) await this.swapRegions(regions, row, datasourceId, shadow, summary, token);
      await this.afterSwap(row, datasourceId, started.live, result, shadow, token, watchdog);
      await job.updateProgress(100).catch(() => undefined);
      return {
        datasourceId,
        datasourceName: strategy.name,
        generation: shadow,
        rows: result.summary.rows,
        entries: result.entries,
        durationSeconds: (Date.now() - startedMs) / 1000,
      };
    } catch (caught) {
      // A read or write the watchdog tore down fails with a connection error: the stall is the reason to report.
      const error =
        watchdog.stall && !(caught instanceof Superseded || caught instanceof ShuttingDown) ? watchdog.stall : caught;
      if (error instanceof Superseded) {
        // Only this execution's own shadow is ours to remove.
        if (shadow !== null) await this.cache.deleteGeneration(datasourceId, shadow).catch(() => undefined);
        await regions?.abort();
        this.logger.warn({ msg: 'warm superseded by another execution of the same job', datasourceId, jobId });
        return;
      }
      if (swapped) {
        // The new generation is live: never delete or retry it; record what we can.
        this.logger.error({
          msg: 'bookkeeping after a successful swap failed',
          datasourceId,
          jobId,
          error: (error as Error).message,
        });
        return;
      }
      if (shadow !== null) await this.cache.deleteGeneration(datasourceId, shadow).catch(() => undefined);
      await regions?.abort();
      // Whatever went wrong here (e.g. a count that no longer matched because a newer execution deleted this
      // one's shadow), a newer execution of the job owns its row, lock and control key now.
      if (!(await this.locks.holdsLock(datasourceId, token)) && (await this.locks.lockHolder(datasourceId)) === jobId) {
        this.logger.warn({
          msg: 'warm superseded by another execution of the same job',
          datasourceId,
          jobId,
          error: (error as Error).message,
        });
        return;
      }
      if (error instanceof ShuttingDown) {
        // Back to the queue without using up an attempt; the lock keeps a queued job's lease meanwhile.
        await this.rows.update(
          { id: jobId, status: In(ACTIVE_STATUSES) },
          {
            status: 'PENDING',
            failureReason: 'the worker shut down: the warm starts again on the next worker',
            generation: null,
          },
        );
        await this.locks.renewLock(datasourceId, token, QUEUED_LEASE_MS).catch(() => undefined);
        if (queueToken) {
          await job.moveToDelayed(Date.now() + 1_000, queueToken);
          throw new DelayedError();
        }
        throw error;
      }
      // A source outside SOURCE_SCHEMAS stays outside on the next attempt: failed at once, not retried.
      const refused = error instanceof AppError && error.code === 'SOURCE_NOT_ALLOWED';
      // Redis at maxmemory refused a write (something else filled it mid-warm, past the guard's last look).
      const full = /^OOM /.test((error as Error).message)
        ? `Redis memory guard: Redis reached maxmemory during the warm (${(error as Error).message})`
        : null;
      const aborted =
        error instanceof WarmAborted
          ? error
          : new WarmAborted('FAILED', full ? `${full}; ${MEMORY_ADVICE}` : (error as Error).message, !refused);
      if (aborted.retryable && !lastAttempt) {
        // BullMQ retries with backoff; the row shows why and the lock is kept for the wait (a queued job's lease).
        await this.rows.update(
          { id: jobId, status: In(ACTIVE_STATUSES) },
          { status: 'PENDING', failureReason: `retrying: ${aborted.message}`.slice(0, 1000), generation: null },
        );
        await this.locks.renewLock(datasourceId, token, QUEUED_LEASE_MS).catch(() => undefined);
        throw error;
      }
      await this.finish(row, aborted.status, aborted.message);
      await this.locks.releaseLock(datasourceId, token);
      await this.locks.clearControl(jobId);
      // Final: tell BullMQ not to retry what the row already records as failed.
      if (aborted.status === 'FAILED') throw new UnrecoverableError(aborted.message);
    } finally {
      clearInterval(renewal);
      watchdog.stop();
    }
  }

  /** The primary is live: each other region swaps its own generation; how each went is on the job row and in Redis. */
  private async swapRegions(
    regions: RegionFanout,
    row: WarmingJobEntity,
    datasourceId: number,
    generation: number,
    summary: LiveSummary,
    token: string,
  ): Promise<void> {
    await regions.swap(summary, token);
    const results = regions.results(generation);
    await this.rows.update({ id: row.id }, { regionResults: results }).catch(() => undefined);
    await RegionFanout.record(this.regionCaches, datasourceId, results).catch(() => undefined);
    const failed = Object.entries(results).filter(([, result]) => result.status === 'failed');
    if (failed.length > 0)
      this.logger.warn({
        msg: 'warm skipped failed regions',
        datasourceId,
        jobId: row.id,
        regions: Object.fromEntries(failed),
      });
  }

  /** Everything after the swap is bookkeeping; each step is attempted even if another fails. */
  private async afterSwap(
    row: WarmingJobEntity,
    datasourceId: number,
    previous: number | null,
    result: RefreshOutcome,
    generation: number,
    token: string,
    watchdog: StallWatchdog,
  ): Promise<void> {
    const steps: Array<[string, () => Promise<unknown>]> = [
      ['retain the old generation or schedule its deletion', () => this.retention.retired(datasourceId, previous)],
      [
        'record the final progress',
        () =>
          this.rows.update(
            { id: row.id },
            {
              rowsProcessed: result.rowsRead,
              rowsTotal: result.rowsTotal,
              warmedKeys: result.entries,
              totalKeys: result.entries,
              progress: 100,
              etaSeconds: 0,
            },
          ),
      ],
      ['mark the job completed', () => this.finish(row, 'COMPLETED', null)],
      ['release the lock', () => this.locks.releaseLock(datasourceId, token)],
    ];
    for (const [what, step] of steps) {
      await step().catch((error: Error) =>
        this.logger.error({ msg: `after swap: could not ${what}`, datasourceId, jobId: row.id, error: error.message }),
      );
    }
    this.logger.log({
      msg: 'warm completed',
      datasourceId,
      jobId: row.id,
      generation,
      rows: result.summary.rows,
      entries: result.entries,
      refresh: result.choice.kind,
      phasesMs: watchdog.timings(),
    });
  }

  /**
   * A job BullMQ gave up on without our processor finishing it (stalled too often, or killed on its last
   * attempt): close its row, delete its partial shadow and free the datasource.
   */
  async onJobFailed(job: Job<WarmingJobData> | undefined, error: Error): Promise<void> {
    if (!job || job.data.kind !== 'warm') return;
    const exhausted = job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled/i.test(error.message);
    if (!exhausted) return;
    const row = await this.rows.findOneBy({ id: job.data.jobId });
    if (!row || FINAL_STATUSES.includes(row.status)) return;
    const datasourceId = row.configuration?.datasourceId;
    if (datasourceId === undefined) return;
    // The lock goes first: an execution of this job that is still alive can then no longer swap its shadow in
    // (the swap checks its token), so what is not live now never will be.
    await this.locks.releaseJobLock(datasourceId, row.id);
    if (row.generation !== null) {
      // Its generation went live just before: the execution that swapped it closes the job.
      if ((await this.cache.meta(datasourceId)).generation === row.generation) return;
      await this.cache.deleteGeneration(datasourceId, row.generation).catch(() => undefined);
    }
    await this.finish(row, 'FAILED', `the worker gave up: ${error.message}`);
    await this.locks.clearControl(row.id);
  }

  /** Records the outcome; retried, because a job shown as running forever is worse than a late update. */
  private async finish(
    row: WarmingJobEntity,
    status: 'COMPLETED' | 'FAILED' | 'CANCELLED',
    reason: string | null,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.writeOutcome(row, status, reason);
      } catch (error) {
        if (attempt >= 5) throw error;
        await sleep(200 * attempt);
      }
    }
  }

  private async writeOutcome(
    row: WarmingJobEntity,
    status: 'COMPLETED' | 'FAILED' | 'CANCELLED',
    reason: string | null,
  ): Promise<void> {
    const completedAt = new Date();
    const current = await this.rows.findOneBy({ id: row.id });
    const startedAt = current?.startedAt ?? completedAt;
    // Only an open job is closed: a final status another execution (or the swap's bookkeeping) wrote stands.
    const closed = await this.rows.update(
      { id: row.id, status: In(ACTIVE_STATUSES) },
      {
        status,
        completedAt,
        durationSeconds: Math.round((completedAt.getTime() - startedAt.getTime()) / 1000),
        failureReason: reason?.slice(0, 1000) ?? null,
        ...(status === 'COMPLETED' ? {} : { etaSeconds: null }),
      },
    );
    // Counted by whoever closed the row, so a warm counts once however many executions saw it end.
    const datasourceId = row.configuration?.datasourceId;
    if (closed.affected && datasourceId !== undefined) {
      const seconds = current?.startedAt ? (completedAt.getTime() - current.startedAt.getTime()) / 1000 : null;
      this.metrics.warm(datasourceId, status.toLowerCase() as WarmOutcome, seconds, current?.rowsProcessed ?? 0);
    }
  }
}
