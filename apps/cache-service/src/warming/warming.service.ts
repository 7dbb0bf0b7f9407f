import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type {
  ActiveWarmingJob,
  JobStatus,
  Paginated,
  Principal,
  RecentWarmingJob,
  WarmingJob,
  WarmingJobQuery,
  WarmingStatusResponse,
  WarmingType,
  WarmResponse,
  WarmSchedule,
} from '@ccc/shared-types';
import { In, type Repository } from 'typeorm';
import { CacheRepository } from '../analytics-cache/cache.repository.js';
import { RegionCaches } from '../analytics-cache/region-caches.js';
import { WarmLocks } from '../analytics-cache/warm-locks.js';
import { SourceReader } from '../analytics-cache/source-reader.js';
import { AppError } from '../common/app-error.js';
import { WarmActivityLink } from '../analytics-cache/warm-activity.js';
import type { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { nextRuns } from '../datasources/cron.js';
import { SourcePolicy } from '../datasources/source-policy.js';
import { PeriodicTasks } from '../platform/periodic-tasks.js';
import { SYSTEM_USER_ID } from '../users/app-user.entity.js';
import { JobRepository } from './job.repository.js';
import type { RefreshRequest } from './refresh-kind.js';
import { WarmingJobEntity } from './warming-job.entity.js';
import { toWarmingJob } from './warming-job.mapper.js';

/** Lease of the per-datasource warming lock; the worker renews it while the job runs or waits paused. */
export const LOCK_LEASE_MS = 60_000;
/** Lease taken when a warm is queued: it must outlast the wait for a free worker. */
export const QUEUED_LEASE_MS = 15 * 60_000;
const ACTIVE: JobStatus[] = ['PENDING', 'RUNNING', 'PAUSED'];
/** How often the janitor looks for generations nobody will delete (see sweepLeakedGenerations). */
const JANITOR_EVERY_MS = 15 * 60_000;
// Before a datasource has a history, estimate from a conservative rate measured on our machines.
const ROWS_PER_SECOND_ESTIMATE = 200_000;
/** Datasources a warm request queues at once (each a lock, a job row and a queue entry); bounded for the database pool. */
const REQUESTS_IN_FLIGHT = 8;

export interface WarmCommand {
  datasourceIds: number[] | 'all';
  force: boolean;
  warmingType: WarmingType;
  principal: Principal | null;
  refresh?: RefreshRequest;
}

@Injectable()
export class WarmingService implements OnModuleInit {
  private readonly logger = new Logger(WarmingService.name);

  constructor(
    private readonly periodic: PeriodicTasks,
    private readonly jobs: JobRepository,
    private readonly cache: CacheRepository,
    private readonly locks: WarmLocks,
    private readonly source: SourceReader,
    private readonly policy: SourcePolicy,
    @InjectRepository(WarmingJobEntity) private readonly rows: Repository<WarmingJobEntity>,
    private readonly datasources: DatasourcesService,
    private readonly engineLink: WarmActivityLink,
    private readonly regions: RegionCaches,
  ) {}

  onModuleInit(): void {
    this.periodic.register('cache-janitor', JANITOR_EVERY_MS, () => this.sweepLeakedGenerations());
    // The areas below warming report and react through these links; they do not import warming.
    this.engineLink.connect(this);
    this.datasources.follow({
      scheduleChanged: (datasourceId) => this.syncSchedule(datasourceId),
      removing: async (datasourceId) => {
        const running = await this.activeJobOf(datasourceId);
        if (running) await this.cancel(running).catch(() => undefined);
        await this.cache.purgeDatasource(datasourceId);
        await this.regions.purgeCopies(datasourceId, (await this.datasources.getEntity(datasourceId)).regions ?? []);
      },
    });
  }

  /**
   * The janitor: a generation neither live, nor retained for a rollback (until it expires), nor being written is
   * garbage (a process died between the swap and scheduling the deletion, or a crashed warm was never retried). Each
   * is deleted after the usual grace period; the deletion job re-checks that it is not live. Returns how many.
   */
  async sweepLeakedGenerations(): Promise<number> {
    const sweep = `sweep${Date.now()}`;
    let scheduled = 0;
    const strategies = await this.datasources.entities();
    await this.purgeRefusedSources(strategies);
    for (const strategy of strategies) {
      const datasourceId = strategy.datasourceId;
      if (!this.policy.allowedName(strategy.sourceTable)) continue;
      // Stored generations first: a warm that starts after this read writes a generation not in the list.
      const stored = await this.cache.storedGenerations(datasourceId);
      if (stored.length === 0) continue;
      const meta = await this.cache.meta(datasourceId);
      const warming = (await this.locks.lockHolder(datasourceId)) !== null;
      for (const generation of stored) {
        if (generation === meta.generation || (warming && generation === meta.shadowGeneration)) continue;
        if (generation === meta.previous?.generation && meta.previous.expiresAtMs > Date.now()) continue;
        await this.jobs.enqueueGenerationDeletion(datasourceId, generation, false, sweep);
        scheduled += 1;
      }
      // A layout-1 generation (a previous version's) is never read: deleted above like any other, then warmed again.
      if (meta.legacyGeneration !== null && meta.generation === null && !warming && strategy.isEnabled) {
        await this.requestWarm({
          datasourceIds: [datasourceId],
          force: false,
          warmingType: 'SCHEDULED',
          principal: null,
        }).catch((error: Error) =>
          this.logger.warn(`could not warm datasource ${datasourceId} again after the upgrade: ${error.message}`),
        );
      }
    }
    return scheduled;
  }

  /**
   * Deletes everything cached from a source outside SOURCE_SCHEMAS (a datasource warmed before the allow-list, or whose
   * schema was taken off it): its generations hold rows of tables no API may read, and their key names carry those
   * rows' values. Run at start-up and by the janitor; the same deletion as for a deleted datasource. Returns how many.
   */
  async purgeRefusedSources(strategies?: CacheStrategyEntity[]): Promise<number> {
    let purged = 0;
    for (const strategy of strategies ?? (await this.datasources.entities())) {
      if (this.policy.allowedName(strategy.sourceTable)) continue;
      const deleted = await this.cache.purgeDatasource(strategy.datasourceId);
      if (deleted.keysDeleted + deleted.indexesDeleted > 0) {
        this.logger.warn(
          `Deleted ${deleted.keysDeleted} cached entries of datasource ${strategy.datasourceId}: its source ${strategy.sourceTable} is outside SOURCE_SCHEMAS`,
        );
        purged += 1;
      }
    }
    return purged;
  }

  /** Brings the BullMQ job schedulers in line with the datasources' cron expressions (at start-up, after migrations). */
  async syncAllSchedules(): Promise<void> {
    const strategies = await this.datasources.entities();
    for (const strategy of strategies)
      await this.jobs.upsertSchedule(strategy.datasourceId, strategy.isEnabled ? strategy.warmSchedule : null);
  }

  async requestWarm(command: WarmCommand): Promise<WarmResponse> {
    const strategies =
      command.datasourceIds === 'all'
        ? await this.datasources.entities({ enabledOnly: true })
        : await Promise.all(command.datasourceIds.map((id) => this.strategyOrThrow(id)));
    // A few datasources at a time: with 1,000 of them one by one, warm-all answered after 20 s (test/serial/many-datasources).
    const outcomes: Array<Awaited<ReturnType<WarmingService['requestOne']>>> = new Array(strategies.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let index = next++; index < strategies.length; index = next++)
        outcomes[index] = await this.requestOne(strategies[index], command);
    };
    await Promise.all(Array.from({ length: Math.min(REQUESTS_IN_FLIGHT, strategies.length) }, lane));
    const results = outcomes.map((outcome) => outcome.result);
    const estimatedDuration = outcomes.reduce((longest, outcome) => Math.max(longest, outcome.estimate), 0);
    const queued = results.filter((r) => r.status === 'queued');
    return {
      jobId: queued[0]?.jobId ?? results.find((r) => r.jobId)?.jobId ?? '',
      datasourcesQueued: queued.map((r) => r.datasourceId),
      estimatedDuration,
      results,
    };
  }

  private async requestOne(
    strategy: CacheStrategyEntity,
    command: WarmCommand,
  ): Promise<{ result: WarmResponse['results'][number]; estimate: number }> {
    const datasourceId = strategy.datasourceId;
    if (!strategy.isEnabled)
      return {
        result: { datasourceId, status: 'skipped', jobId: null, reason: 'the datasource is disabled' },
        estimate: 0,
      };
    if (!this.policy.allowedName(strategy.sourceTable)) {
      const reason = `its source ${strategy.sourceTable} is outside the source schemas this service may read (SOURCE_SCHEMAS)`;
      return { result: { datasourceId, status: 'skipped', jobId: null, reason }, estimate: 0 };
    }
    const holder = await this.locks.lockHolder(datasourceId);
    if (holder) return { result: { datasourceId, status: 'already_warming', jobId: holder }, estimate: 0 };
    const meta = await this.cache.meta(datasourceId);
    if (!command.force && meta.lastWarmed) {
      const ageSeconds = Math.floor((Date.now() - Date.parse(meta.lastWarmed)) / 1000);
      if (ageSeconds < strategy.minWarmIntervalSeconds) {
        return {
          result: {
            datasourceId,
            status: 'skipped',
            jobId: null,
            reason: `warmed ${ageSeconds} s ago, within the minimum interval of ${strategy.minWarmIntervalSeconds} s; use force to refresh now`,
            retryAfterSeconds: strategy.minWarmIntervalSeconds - ageSeconds,
          },
          estimate: 0,
        };
      }
    }
    const jobId = randomUUID();
    if (!(await this.locks.acquireLock(datasourceId, jobId, QUEUED_LEASE_MS))) {
      return {
        result: { datasourceId, status: 'already_warming', jobId: await this.locks.lockHolder(datasourceId) },
        estimate: 0,
      };
    }
    let inserted = false;
    try {
      await this.rows.insert({
        id: jobId,
        cacheStrategyId: strategy.id,
        jobName: `Warm ${strategy.name}`.slice(0, 200),
        warmingType: command.warmingType,
        status: 'PENDING',
        scheduledAt: new Date(),
        configuration: { datasourceId, force: command.force, ...(command.refresh && { refresh: command.refresh }) },
        createdBy: command.principal?.kind === 'user' ? command.principal.id : SYSTEM_USER_ID,
      });
      inserted = true;
      await this.jobs.enqueueWarm({ jobId, datasourceId, datasourceName: strategy.name }, command.warmingType);
    } catch (error) {
      await this.locks.releaseLock(datasourceId, jobId);
      if (inserted) {
        await this.rows
          .update(
            { id: jobId },
            {
              status: 'FAILED',
              completedAt: new Date(),
              failureReason: `could not be queued: ${(error as Error).message}`.slice(0, 1000),
            },
          )
          .catch(() => undefined);
      }
      throw error;
    }
    return { result: { datasourceId, status: 'queued', jobId }, estimate: await this.estimateSeconds(strategy) };
  }

  /** Seconds: the last completed warm's duration, else the source's estimated rows at a conservative rate. */
  private async estimateSeconds(strategy: CacheStrategyEntity): Promise<number> {
    const last = await this.rows.findOne({
      where: { cacheStrategyId: strategy.id, status: 'COMPLETED' },
      order: { completedAt: 'DESC' },
    });
    if (last?.durationSeconds !== null && last?.durationSeconds !== undefined) return Math.max(1, last.durationSeconds);
    return Math.max(1, Math.ceil((await this.source.estimateRows(strategy.sourceTable)) / ROWS_PER_SECOND_ESTIMATE));
  }

  async pause(jobId: string): Promise<WarmingJob> {
    const row = await this.rowOrThrow(jobId);
    if (row.status !== 'RUNNING')
      throw AppError.conflict(`Job ${jobId} is ${row.status}; only a running job can be paused`);
    await this.locks.setControl(jobId, 'pause');
    return this.toJob(row, { status: 'RUNNING' });
  }

  async resume(jobId: string): Promise<WarmingJob> {
    const row = await this.rowOrThrow(jobId);
    if (row.status !== 'PAUSED' && (await this.locks.control(jobId)) !== 'pause') {
      throw AppError.conflict(`Job ${jobId} is ${row.status}; only a paused job can be resumed`);
    }
    await this.locks.setControl(jobId, 'resume');
    return this.toJob(row);
  }

  async cancel(jobId: string): Promise<WarmingJob> {
    const row = await this.rowOrThrow(jobId);
    if (!ACTIVE.includes(row.status)) throw AppError.conflict(`Job ${jobId} is already ${row.status}`);
    await this.locks.setControl(jobId, 'cancel');
    // A job still waiting in the queue is removed before any worker sees it.
    if (row.status === 'PENDING' && (await this.jobs.removeWaiting(jobId))) {
      await this.rows.update(
        { id: jobId },
        { status: 'CANCELLED', completedAt: new Date(), failureReason: 'cancelled before it started' },
      );
      const datasourceId = row.configuration?.datasourceId;
      // Queued (value = job id) or waiting for a retry (an earlier execution's token): either way it is this job's.
      if (datasourceId !== undefined) await this.locks.releaseJobLock(datasourceId, jobId);
    }
    return this.toJob((await this.rows.findOneBy({ id: jobId }))!);
  }

  async status(): Promise<WarmingStatusResponse> {
    const active = await this.rows.find({ where: { status: In(ACTIVE) }, order: { createdAt: 'ASC' } });
    const recent = await this.rows.find({
      where: { status: In(['COMPLETED', 'FAILED', 'CANCELLED']) },
      order: { completedAt: 'DESC' },
      take: 20,
    });
    const names = await this.datasourceNames();
    const activeJobs: ActiveWarmingJob[] = active.map((row) => {
      const job = this.toJobWithNames(row, names);
      return {
        jobId: job.jobId,
        datasourceId: job.datasourceId,
        datasourceName: job.datasourceName,
        startedAt: job.startedAt ?? job.scheduledAt,
        progress: job.progress,
        rowsProcessed: job.rowsProcessed,
        rowsTotal: job.rowsTotal,
        etaSeconds: job.etaSeconds ?? 0,
        status: job.status,
      };
    });
    const recentJobs: RecentWarmingJob[] = recent.map((row) => {
      const job = this.toJobWithNames(row, names);
      return {
        jobId: job.jobId,
        datasourceId: job.datasourceId,
        datasourceName: job.datasourceName,
        startedAt: job.startedAt ?? job.scheduledAt,
        completedAt: job.completedAt ?? job.scheduledAt,
        duration: job.durationSeconds ?? 0,
        entriesCached: job.entriesWritten,
        success: job.status === 'COMPLETED',
        ...(job.failureReason && job.status !== 'COMPLETED' ? { error: job.failureReason } : {}),
        status: job.status,
        refreshKind: job.refreshKind,
      };
    });
    return { activeJobs, recentJobs };
  }

  async history(query: WarmingJobQuery): Promise<Paginated<WarmingJob>> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 25;
    const builder = this.rows.createQueryBuilder('j');
    if (query.datasourceId !== undefined) {
      const strategy = await this.strategyOrThrow(query.datasourceId);
      builder.andWhere('j.cache_strategy_id = :sid', { sid: strategy.id });
    }
    if (query.status) builder.andWhere('j.job_status = :status', { status: query.status });
    if (query.from) builder.andWhere('j.created_at >= :from', { from: query.from });
    if (query.to) builder.andWhere('j.created_at < :to', { to: query.to });
    const [rows, total] = await builder
      .orderBy('j.created_at', 'DESC')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    const names = await this.datasourceNames();
    return { items: rows.map((row) => this.toJobWithNames(row, names)), total, page, pageSize };
  }

  async job(jobId: string): Promise<WarmingJob> {
    return this.toJob(await this.rowOrThrow(jobId));
  }

  async recentJobs(datasourceId: number, take = 10): Promise<WarmingJob[]> {
    const strategy = await this.strategyOrThrow(datasourceId);
    const rows = await this.rows.find({ where: { cacheStrategyId: strategy.id }, order: { createdAt: 'DESC' }, take });
    const names = new Map([[strategy.id, { id: strategy.datasourceId, name: strategy.name }]]);
    return rows.map((row) => this.toJobWithNames(row, names));
  }

  async schedules(): Promise<WarmSchedule[]> {
    const strategies = await this.datasources.entities();
    return strategies.map((s) => this.toSchedule(s));
  }

  async setSchedule(datasourceId: number, cron: string | null): Promise<WarmSchedule> {
    const strategy = await this.datasources.setWarmSchedule(datasourceId, cron);
    await this.jobs.upsertSchedule(datasourceId, strategy.isEnabled ? cron : null);
    return this.toSchedule(strategy);
  }

  /** Called when a datasource's schedule or enabled flag changes elsewhere. */
  async syncSchedule(datasourceId: number): Promise<void> {
    const strategy = await this.datasources.findEntity(datasourceId);
    await this.jobs.upsertSchedule(datasourceId, strategy?.isEnabled ? strategy.warmSchedule : null);
  }

  /** Per datasource whose latest job failed: why (the cache health report lists them). */
  async lastFailures(): Promise<Array<{ datasourceId: number; failureReason: string | null }>> {
    const latest = await this.rows
      .createQueryBuilder('j')
      .distinctOn(['j.cache_strategy_id'])
      .orderBy('j.cache_strategy_id')
      .addOrderBy('j.created_at', 'DESC')
      .getMany();
    const names = await this.datasourceNames();
    return latest
      .filter((job) => job.status === 'FAILED' && names.has(job.cacheStrategyId))
      .map((job) => ({ datasourceId: names.get(job.cacheStrategyId)!.id, failureReason: job.failureReason }));
  }

  /** The states of some jobs (remediation follows the warms it queued); unknown ids are left out. */
  async jobStatuses(jobIds: string[]): Promise<Map<string, JobStatus>> {
    if (jobIds.length === 0) return new Map();
    const rows = await this.rows.find({ select: { id: true, status: true }, where: { id: In(jobIds) } });
    return new Map(rows.map((row) => [row.id, row.status]));
  }

  /** The running (or queued) job of a datasource, if any. */
  async activeJobOf(datasourceId: number): Promise<string | null> {
    return this.locks.lockHolder(datasourceId);
  }

  private toSchedule(strategy: CacheStrategyEntity): WarmSchedule {
    return {
      datasourceId: strategy.datasourceId,
      datasourceName: strategy.name,
      cron: strategy.warmSchedule,
      nextRuns: strategy.warmSchedule ? (nextRuns(strategy.warmSchedule, 3) ?? []).map((d) => d.toISOString()) : [],
    };
  }

  private async strategyOrThrow(datasourceId: number): Promise<CacheStrategyEntity> {
    return this.datasources.getEntity(datasourceId);
  }

  private async rowOrThrow(jobId: string): Promise<WarmingJobEntity> {
    const row = await this.rows.findOneBy({ id: jobId });
    if (!row) throw AppError.notFound('Warming job', jobId);
    return row;
  }

  private async datasourceNames(): Promise<Map<string, { id: number; name: string }>> {
    const strategies = await this.datasources.entities();
    return new Map(strategies.map((s) => [s.id, { id: s.datasourceId, name: s.name }]));
  }

  private async toJob(row: WarmingJobEntity, override: Partial<WarmingJobEntity> = {}): Promise<WarmingJob> {
    return this.toJobWithNames({ ...row, ...override } as WarmingJobEntity, await this.datasourceNames());
  }

  private toJobWithNames(row: WarmingJobEntity, names: Map<string, { id: number; name: string }>): WarmingJob {
    return toWarmingJob(row, names);
  }
}
