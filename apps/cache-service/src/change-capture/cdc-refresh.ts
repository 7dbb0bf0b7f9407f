import { Inject, Injectable } from '@nestjs/common';
import type { WarmingJob } from '@ccc/shared-types';
import { CacheRepository } from '../analytics-cache/cache.repository.js';
import { RedisMemory } from '../analytics-cache/redis-memory.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { EntryCoordinates } from '../redis/redis-keys.js';
import { IncrementalRefresh } from '../warming/incremental-refresh.js';
import { JobRepository } from '../warming/job.repository.js';
import { WarmingService } from '../warming/warming.service.js';
import { ALL_GROUPS } from './change-decoder.js';

const POLL_MS = 100;
/** A refresh that has not ended after this long is given up (its changes are refreshed again by the next one). */
const REFRESH_TIMEOUT_MS = 30 * 60_000;
/**
 * Every refresh writes a whole generation and replaces one, whose deletion waits out CACHE_GC_GRACE_MS and is then
 * paced: without a bound, a steady write load queued deletions faster than they ran — Redis memory grew by a
 * generation per refresh. While deletions of the datasource's replaced generations are pending (waitForDeletions):
 * - refreshes start at least CACHE_GC_GRACE_MS / (MAX_PENDING_DELETIONS − 1) apart, so that at most that many
 *   generations wait out their grace period at a time, and their deletions come due one by one;
 * - a refresh waits while more than MAX_PENDING_DELETIONS are pending (in the grace period, waiting for a worker or
 *   running): when deletions take longer than that spacing, each refresh waits for one to end — refreshes follow the
 *   deletions' pace, smoothly;
 * - and while Redis memory is short for the next generation (see memoryShort).
 * A bare cap without the spacing let a burst of fast refreshes fill it, then stalled the next one for a whole grace
 * period and a deletion, again and again; waiting until at most one deletion was due stalled for several deletions
 * whenever they fell behind: changes waited 7–10 s. Redis holds, per datasource, the live, retained and shadow
 * generations plus at most MAX_PENDING_DELETIONS + 1 replaced ones.
 */
const MAX_PENDING_DELETIONS = 4;

/** Where the time of one CDC refresh went (ms), for its log line and the bench. */
export interface CdcRefreshTimings {
  /** Waiting for deletions of replaced generations (the memory bound). */
  deletions: number;
  /** Waiting for a warm already running (it may have read the source before these changes). */
  behindRunning: number;
  /** From the request to the worker starting the job (queue). */
  queued: number;
  /** The job itself: plan, carry, source read, write, verify, swap, bookkeeping. */
  run: number;
  /** From the job's end to this side seeing it (status polling). */
  noticed: number;
}

/**
 * The one place change capture asks for a refresh, resolving only once a generation that includes the changes has
 * swapped (or rejecting): the stream confirms the changes to PostgreSQL after that, never before.
 */
@Injectable()
export class CdcRefresh {
  /** When each datasource's last refresh was asked for (the spacing while deletions are pending). */
  private readonly lastStart = new Map<number, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly warming: WarmingService,
    private readonly incremental: IncrementalRefresh,
    private readonly jobs: JobRepository,
    private readonly cache: CacheRepository,
    private readonly memory: RedisMemory,
  ) {}

  /** Refreshes the groups (every group: `all`) of a datasource; resolves after the swap, with where the time went. */
  async refresh(datasourceId: number, groups: EntryCoordinates[] | typeof ALL_GROUPS): Promise<CdcRefreshTimings> {
    const deadline = Date.now() + REFRESH_TIMEOUT_MS;
    const timings: CdcRefreshTimings = { deletions: 0, behindRunning: 0, queued: 0, run: 0, noticed: 0 };
    for (;;) {
      let mark = Date.now();
      await this.waitForDeletions(datasourceId, deadline);
      timings.deletions += Date.now() - mark;
      mark = Date.now();
      const outcome = await this.request(datasourceId, groups);
      if (outcome.status === 'skipped') throw new Error(outcome.reason ?? 'the refresh was skipped');
      // A running warm may have read the source before these changes committed: wait for it, then ask again.
      const job = await this.waitFor(outcome.jobId!, deadline);
      if (outcome.status === 'queued') {
        if (job.status !== 'COMPLETED') throw new Error(`the refresh ended ${job.status}`);
        const started = job.startedAt ? Date.parse(job.startedAt) : mark;
        const ended = job.completedAt ? Date.parse(job.completedAt) : Date.now();
        timings.queued += Math.max(0, started - mark);
        timings.run += Math.max(0, ended - started);
        timings.noticed += Math.max(0, Date.now() - ended);
        return timings;
      }
      timings.behindRunning += Date.now() - mark;
      if (Date.now() > deadline) throw new Error('the refresh did not end in time');
    }
  }

  /**
   * Named groups: an incremental refresh (a complete new generation: those groups read again, a group without rows left
   * out, every other entry carried over inside Redis). Every group: a full warm. Both queued as system warms, never
   * skipped for the minimum warm interval.
   */
  private async request(
    datasourceId: number,
    groups: EntryCoordinates[] | typeof ALL_GROUPS,
  ): Promise<{ status: 'queued' | 'already_warming' | 'skipped'; jobId: string | null; reason?: string }> {
    if (groups !== ALL_GROUPS) return this.incremental.refresh(datasourceId, groups);
    const response = await this.warming.requestWarm({
      datasourceIds: [datasourceId],
      force: true,
      warmingType: 'SCHEDULED',
      principal: null,
      refresh: { kind: 'full' },
    });
    return response.results[0];
  }

  /**
   * While deletions of the datasource's replaced generations are pending: waits until the spacing since the previous
   * refresh's start has passed, then while more than MAX_PENDING_DELETIONS are pending or Redis memory is short for
   * the next generation. Then records this start.
   */
  private async waitForDeletions(datasourceId: number, deadline: number): Promise<void> {
    const spacing =
      this.config.warming.gcGraceMs / (MAX_PENDING_DELETIONS - 1) -
      (Date.now() - (this.lastStart.get(datasourceId) ?? 0));
    if (spacing > 0 && (await this.jobs.pendingDeletions(datasourceId)) > 0)
      await new Promise((resolve) => setTimeout(resolve, spacing));
    for (;;) {
      const pending = await this.jobs.pendingDeletions(datasourceId);
      const wait = pending > 0 && (pending > MAX_PENDING_DELETIONS || (await this.memoryShort(datasourceId)));
      if (!wait) break;
      if (Date.now() > deadline) throw new Error('old generations were not deleted in time');
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    this.lastStart.set(datasourceId, Date.now());
  }

  /**
   * The memory guard's own test (used + the live generation's bytes over CACHE_MEMORY_GUARD_RATIO of maxmemory): the
   * guard would refuse the refresh, and a refused refresh falls back to a full warm; the pending deletions free that
   * memory.
   */
  private async memoryShort(datasourceId: number): Promise<boolean> {
    const [{ used, max }, live] = await Promise.all([this.memory.memory(), this.cache.meta(datasourceId)]);
    return max > 0 && used + live.bytes > max * this.config.warming.memoryGuardRatio;
  }

  private async waitFor(jobId: string, deadline: number): Promise<WarmingJob> {
    for (;;) {
      const job = await this.warming.job(jobId);
      if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status)) return job;
      if (Date.now() > deadline) throw new Error(`the refresh ${jobId} did not end in time`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
