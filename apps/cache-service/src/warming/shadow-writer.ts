import type { Job } from 'bullmq';
import type { Repository } from 'typeorm';
import type { CacheRepository, EntryToWrite } from '../analytics-cache/cache.repository.js';
import { EntryGrouper } from '../analytics-cache/entry-codec.js';
import type { RedisMemory } from '../analytics-cache/redis-memory.js';
import type { SourceReader } from '../analytics-cache/source-reader.js';
import type { WarmLocks } from '../analytics-cache/warm-locks.js';
import type { AppConfig } from '../config/app-config.js';
import type { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { CacheKeys } from '../redis/redis-keys.js';
import type { WarmingJobData } from './job.repository.js';
import type { RegionFanout } from './region-fanout.js';
import type { StallWatchdog } from './stall-watchdog.js';
import { ShuttingDown, Superseded, WarmAborted } from './warm-endings.js';
import { queuePercent, rowPercent, WarmProgress } from './warm-progress.js';
import type { WarmingJobEntity } from './warming-job.entity.js';
import { LOCK_LEASE_MS } from './warming.service.js';

const PROGRESS_EVERY_MS = 500;
const CONTROL_EVERY_MS = 100;
export const LOCK_RENEW_EVERY_MS = 5_000;
const MEMORY_CHECK_EVERY_MS = 2_000;
const MAX_WRITES_IN_FLIGHT = 4;
export const MEMORY_ADVICE =
  'the live generation stays served. Raise Redis maxmemory, free memory (invalidate datasources nobody reads), or warm fewer datasources at once, then warm again';
// Upper estimate of Redis bytes per cached row: cache layout 2 measures ~33 B/row (bench cache-engine), so 60 errs on
// refusing a warm early rather than letting a shadow run Redis out of memory late.
export const ESTIMATED_BYTES_PER_ROW = 60;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One execution's shadow generation to write. */
export interface ShadowTarget {
  job: Job<WarmingJobData>;
  row: WarmingJobEntity;
  strategy: CacheStrategyEntity;
  datasourceId: number;
  shadow: number;
  liveBytes: number;
  /** This execution's lock token. */
  token: string;
  watchdog: StallWatchdog;
  /** Write the `groups` hash too (change detection on: the base of the next incremental refresh). */
  withGroups?: boolean;
  /** The other Redis regions this warm writes every batch into too (null: primary only). */
  regions?: RegionFanout | null;
}

export interface ShadowResult {
  rowsRead: number;
  rowsTotal: number;
  totals: EntryGrouper['totals'];
}

export interface ShadowWriterDeps {
  config: AppConfig;
  cache: CacheRepository;
  locks: WarmLocks;
  redisMemory: RedisMemory;
  source: SourceReader;
  rows: Repository<WarmingJobEntity>;
  /** Drops a retained previous generation for memory (GenerationRetention.reclaim); false when none is left. */
  reclaim?: (datasourceId: number) => Promise<boolean>;
}

/**
 * The write phase of a warm (DESIGN.md §4), apart from the job's life cycle in WarmingProcessor: the source
 * streamed into a shadow generation while the live one serves, with the checks between batches that keep it
 * stoppable (pause, cancel, shutdown), leased (the warming lock) and within Redis's memory.
 */
export class ShadowWriter {
  constructor(
    private readonly deps: ShadowWriterDeps,
    private readonly isClosing: () => boolean,
  ) {}

  /** Streams the source into the shadow generation: pipelined batches, pause/cancel, lease renewal, memory guard. */
  async write(target: ShadowTarget): Promise<ShadowResult> {
    const { job, row, strategy, datasourceId, shadow, liveBytes, token, watchdog } = target;
    const grouper = new EntryGrouper(CacheKeys.entryPrefix(datasourceId, shadow).length);
    const batchSize = this.deps.config.warming.batchEntries;
    const inFlight = new Set<Promise<void>>();
    let pending: EntryToWrite[] = [];
    let rowsTotal = 0;
    let rowsRead = 0;
    const clock = new WarmProgress();
    let pausedMs = 0;
    let lastProgress = 0;
    let lastControl = 0;
    let lastRenew = Date.now();
    let lastMemory = Date.now();

    const write = async (entries: EntryToWrite[]): Promise<void> => {
      const primary = this.deps.cache.writeBatch(datasourceId, shadow, entries, target.withGroups);
      // The regions' writes never reject (a failing region is skipped); the batch counts as written with the primary's.
      const promise = target.regions
        ? Promise.all([primary, target.regions.writeBatch(entries, target.withGroups)]).then(() => undefined)
        : primary;
      inFlight.add(promise);
      promise.then(
        () => (inFlight.delete(promise), watchdog.progress()),
        () => undefined,
      );
      if (inFlight.size >= MAX_WRITES_IN_FLIGHT) await Promise.race(inFlight);
    };

    const progress = async (force = false): Promise<void> => {
      const now = Date.now();
      if (!force && now - lastProgress < PROGRESS_EVERY_MS) return;
      lastProgress = now;
      const etaSeconds = clock.etaSeconds(now, rowsRead, rowsTotal, pausedMs);
      await this.deps.rows.update(
        { id: row.id },
        {
          rowsProcessed: rowsRead,
          rowsTotal,
          progress: rowPercent(rowsRead, rowsTotal),
          warmedKeys: grouper.totals.entries,
          etaSeconds,
        },
      );
      // A plain number, as queue tools expect; rows and ETA are on the job row (GET …/warming/jobs/:id).
      await job.updateProgress(queuePercent(rowsRead, rowsTotal)).catch(() => undefined);
    };

    // Between batches: honour pause / cancel, keep the lock, watch memory.
    const checkpoint = async (): Promise<void> => {
      if (this.isClosing()) throw new ShuttingDown();
      watchdog.throwIfStalled();
      const now = Date.now();
      if (now - lastRenew > LOCK_RENEW_EVERY_MS) {
        lastRenew = now;
        if (!(await this.deps.locks.renewLock(datasourceId, token, LOCK_LEASE_MS)))
          await this.lockLost(datasourceId, row.id);
      }
      if (now - lastMemory > MEMORY_CHECK_EVERY_MS) {
        lastMemory = now;
        await this.checkMemory(0, datasourceId);
      }
      if (now - lastControl < CONTROL_EVERY_MS) return;
      lastControl = now;
      let command = await this.deps.locks.control(row.id);
      if (command === 'pause') {
        const pauseStarted = Date.now();
        watchdog.suspend();
        // Paused means quiescent: nothing of this job is still being written, and its progress is current.
        await Promise.all(inFlight);
        await progress(true);
        await this.deps.rows.update({ id: row.id }, { status: 'PAUSED' });
        const pauseDeadline = pauseStarted + this.deps.config.warming.maxPauseSeconds * 1000;
        while (command === 'pause') {
          // A pause holds the source's REPEATABLE READ snapshot and its COPY open (VACUUM cannot clean up behind it).
          if (this.isClosing()) throw new ShuttingDown();
          if (Date.now() > pauseDeadline) {
            throw new WarmAborted(
              'CANCELLED',
              `paused for more than ${this.deps.config.warming.maxPauseSeconds} s: cancelled to release the source database snapshot; warm again when ready`,
            );
          }
          await sleep(250);
          if (!(await this.deps.locks.renewLock(datasourceId, token, LOCK_LEASE_MS)))
            await this.lockLost(datasourceId, row.id);
          command = await this.deps.locks.control(row.id);
        }
        pausedMs += Date.now() - pauseStarted;
        watchdog.resume();
        if (command !== 'cancel') await this.deps.rows.update({ id: row.id }, { status: 'RUNNING' });
      }
      if (command === 'cancel') throw new WarmAborted('CANCELLED', 'cancelled by request');
    };

    try {
      watchdog.progress('counting and sorting the source rows');
      await this.deps.source.stream(
        { table: strategy.sourceTable, columns: strategy.columnMapping, datasourceId, strategyId: strategy.id },
        async (count) => {
          watchdog.progress('streaming the source rows into Redis');
          rowsTotal = count;
          await this.deps.rows.update({ id: row.id }, { rowsTotal: count });
          // Now the shadow's size can be estimated: refuse before writing anything if it cannot fit.
          await this.checkMemory(Math.max(liveBytes, count * ESTIMATED_BYTES_PER_ROW), datasourceId);
        },
        async (rows) => {
          watchdog.progress();
          rowsRead += rows.length;
          clock.rowsArriving(Date.now(), rowsRead);
          for (const entry of grouper.addCopyLines(rows)) pending.push(entry);
          while (pending.length >= batchSize) {
            await write(pending.slice(0, batchSize));
            pending = pending.slice(batchSize);
            await checkpoint();
          }
          await progress();
        },
        watchdog.signal,
      );
      pending.push(...grouper.finish());
      for (let i = 0; i < pending.length; i += batchSize) await write(pending.slice(i, i + batchSize));
      await Promise.all(inFlight);
      await this.deps.cache.writeDirectory(datasourceId, shadow, grouper.totals.measureFrequencies);
      await target.regions?.writeDirectory(grouper.totals.measureFrequencies);
    } finally {
      // Whoever deletes this shadow next (this execution's clean-up, a newer execution) must not race writes
      // still on their way: a batch landing after the deletion would leave keys behind.
      await Promise.allSettled(inFlight);
    }
    await Promise.all(inFlight);
    await checkpoint();
    await progress(true);
    return { rowsRead, rowsTotal, totals: grouper.totals };
  }

  /**
   * The seed's risk "shadow warming doubles memory": stop before Redis would pass its configured share of maxmemory,
   * once no retained previous generation is left to drop.
   */
  async checkMemory(additionalBytes: number, datasourceId?: number): Promise<void> {
    let { used, max } = await this.deps.redisMemory.memory();
    const short = (): boolean => max > 0 && used + additionalBytes > max * this.deps.config.warming.memoryGuardRatio;
    // Generations retained for a rollback are the first to go when memory is short (GENERATION_RETENTION_SECONDS).
    while (short() && datasourceId !== undefined && (await this.deps.reclaim?.(datasourceId)))
      ({ used, max } = await this.deps.redisMemory.memory());
    if (short()) {
      throw new WarmAborted(
        'FAILED',
        `Redis memory guard: ${Math.round(used / 1048576)} MB used + ~${Math.round(additionalBytes / 1048576)} MB for the shadow would pass ${Math.round(this.deps.config.warming.memoryGuardRatio * 100)}% of maxmemory (${Math.round(max / 1048576)} MB); ${MEMORY_ADVICE}`,
      );
    }
  }

  /**
   * The lock no longer holds this execution's token: superseded when another execution of the same job holds
   * it, else (freed by an invalidation, or lapsed and taken by another job) the warm is cancelled.
   */
  async lockLost(datasourceId: number, jobId: string): Promise<never> {
    if ((await this.deps.locks.lockHolder(datasourceId)) === jobId) throw new Superseded();
    throw new WarmAborted('CANCELLED', 'the warming lock was lost (the cache was invalidated)');
  }
}
