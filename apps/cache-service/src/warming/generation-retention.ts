import { Inject, Injectable, Logger } from '@nestjs/common';
import { CacheRepository, type CacheMeta } from '../analytics-cache/cache.repository.js';
import { RetainedGenerations } from '../analytics-cache/retained-generation.js';
import { WarmLocks } from '../analytics-cache/warm-locks.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { JobRepository } from './job.repository.js';

/**
 * The life of a generation after a swap replaced it (GENERATION_RETENTION_SECONDS): kept as the previous generation
 * until its retention ends, so that a rollback can make it live again, then deleted by a delayed deletion job; deleted
 * at once (after the grace period) when the next swap supersedes it, or when a warm needs the memory. With a retention
 * of 0, every replaced generation is deleted after the grace period, as before.
 */
@Injectable()
export class GenerationRetention {
  private readonly logger = new Logger(GenerationRetention.name);
  private readonly retentionMs: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly cache: CacheRepository,
    private readonly retained: RetainedGenerations,
    private readonly locks: WarmLocks,
    private readonly jobs: JobRepository,
    private readonly datasources: DatasourcesService,
  ) {
    this.retentionMs = config.warming.generationRetentionSeconds * 1000;
  }

  /**
   * After a swap (or a rollback) replaced `generation`, while the caller still holds the warming lock: its deletion
   * at the end of its retention (or after the grace period when it is not retained), and the deletion of whatever the
   * swap superseded — the generation retained before it.
   */
  async retired(datasourceId: number, generation: number | null): Promise<void> {
    if (generation === null) return;
    // Stored generations first (as the janitor does): a warm that starts after this read writes one not in the list.
    const stored = this.retentionMs > 0 ? await this.cache.storedGenerations(datasourceId) : [];
    const meta = await this.cache.meta(datasourceId);
    if (meta.previous?.generation === generation)
      await this.jobs.enqueueGenerationExpiry(datasourceId, generation, meta.previous.expiresAtMs);
    else await this.jobs.enqueueGenerationDeletion(datasourceId, generation);
    for (const other of stored) {
      if (other === generation || !(await this.unused(datasourceId, other, meta))) continue;
      // One id per superseded generation: the next swaps find it stored until its deletion ends, and asking again
      // while that job waits or runs must be a no-op, not a second deletion of the same keys beside it.
      await this.jobs.enqueueGenerationDeletion(datasourceId, other, false, 'superseded');
    }
  }

  /** The deletion job: deletes `generation` unless it is live, retained and not expired, or being written by a warm. */
  async deleteIfUnused(datasourceId: number, generation: number): Promise<void> {
    const outcome = await this.retained.release(datasourceId, generation);
    if (outcome === 'live') return;
    if (outcome === 'retained') {
      // Early: a rollback retained it again until later, or the queue ran this job a moment before the expiry (then
      // its own id is still taken): ask again at the expiry under an id of its own.
      const previous = await this.retained.of(datasourceId);
      if (previous?.generation === generation)
        await this.jobs.enqueueGenerationExpiry(datasourceId, generation, previous.expiresAtMs, `recheck${Date.now()}`);
      return;
    }
    if (!(await this.unused(datasourceId, generation, await this.cache.meta(datasourceId)))) return;
    const started = Date.now();
    const counts = await this.cache.deleteGeneration(datasourceId, generation);
    this.logger.log({ msg: 'generation deleted', datasourceId, generation, ...counts, ms: Date.now() - started });
  }

  /**
   * The memory guard's first resort: drops a retained generation — this datasource's, else the largest other one —
   * so that a warm can have its memory. True when one was dropped (measure again), false when none is left.
   */
  async reclaim(datasourceId: number): Promise<boolean> {
    const own = await this.retained.of(datasourceId);
    const candidates = own
      ? [{ datasourceId, generation: own.generation, bytes: own.bytes }]
      : await this.othersBySize(datasourceId);
    for (const candidate of candidates) {
      if ((await this.retained.release(candidate.datasourceId, candidate.generation, true)) !== 'released') continue;
      this.logger.warn({
        msg: 'dropped a retained generation for the memory a warm needs: it can no longer be rolled back to',
        datasourceId: candidate.datasourceId,
        generation: candidate.generation,
        forWarmOf: datasourceId,
      });
      await this.cache.deleteGeneration(candidate.datasourceId, candidate.generation);
      return true;
    }
    return false;
  }

  private async othersBySize(
    datasourceId: number,
  ): Promise<Array<{ datasourceId: number; generation: number; bytes: number }>> {
    const found: Array<{ datasourceId: number; generation: number; bytes: number }> = [];
    for (const strategy of await this.datasources.entities()) {
      if (strategy.datasourceId === datasourceId) continue;
      const previous = await this.retained.of(strategy.datasourceId);
      if (previous)
        found.push({ datasourceId: strategy.datasourceId, generation: previous.generation, bytes: previous.bytes });
    }
    return found.sort((a, b) => b.bytes - a.bytes);
  }

  /** Neither live, nor the retained one, nor what a running warm writes. */
  private async unused(datasourceId: number, generation: number, meta: CacheMeta): Promise<boolean> {
    if (generation === meta.generation || generation === meta.previous?.generation) return false;
    return !(generation === meta.shadowGeneration && (await this.locks.lockHolder(datasourceId)) !== null);
  }
}
