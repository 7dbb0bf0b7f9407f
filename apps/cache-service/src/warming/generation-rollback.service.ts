import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { PreviousGeneration, RollbackResponse } from '@ccc/shared-types';
import { CacheRepository, type SwapOutcome } from '../analytics-cache/cache.repository.js';
import { toPreviousGeneration } from '../analytics-cache/retained-generation.js';
import { WarmLocks } from '../analytics-cache/warm-locks.js';
import { AppError } from '../common/app-error.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { GenerationRetention } from './generation-retention.js';

/** A rollback holds the warming lock for a few Redis round trips; the lease only matters if the process dies then. */
const ROLLBACK_LEASE_MS = 30_000;

const REFUSED: Record<Exclude<SwapOutcome, 'ok' | 'lock_lost'>, string> = {
  generation_changed: 'another generation went live meanwhile',
  invalidated: 'the cache was invalidated meanwhile',
  previous_gone: 'the previous generation was dropped meanwhile (expired, or its memory was needed by a warm)',
};

/**
 * Instant rollback: the retained previous generation (GENERATION_RETENTION_SECONDS) becomes live again through the
 * warm's own compare-and-set swap (SWAP), O(1) whatever its size, so readers see the whole old generation or the
 * whole new one. It takes the warming lock for itself: a rollback never races a warm's swap — while a warm is queued
 * or running it is refused, and no warm starts while it runs. The generation rolled back from becomes the retained one
 * in its turn, so rolling back again rolls forward within the retention.
 */
@Injectable()
export class GenerationRollbackService {
  private readonly logger = new Logger(GenerationRollbackService.name);

  constructor(
    private readonly cache: CacheRepository,
    private readonly locks: WarmLocks,
    private readonly retention: GenerationRetention,
    private readonly datasources: DatasourcesService,
  ) {}

  /** `expected`: the generation the caller means to roll back to; refused when the retained one is another. */
  async rollback(datasourceId: number, expected?: number): Promise<RollbackResponse> {
    const strategy = await this.datasources.getEntity(datasourceId);
    // Regions delete the generation a swap replaced (region-fanout.ts): rolling back the primary alone would serve
    // the rolled-back answers there and the newer ones in the other regions.
    if (strategy.regions.length > 1)
      throw AppError.conflict(
        `Datasource ${datasourceId} is warmed into the regions ${strategy.regions.join(', ')}; only the primary keeps a previous generation, so a rollback would leave the regions disagreeing. Warm it from corrected source data instead.`,
        { regions: strategy.regions },
      );
    const token = `rollback:${randomUUID()}`;
    if (!(await this.locks.acquireLock(datasourceId, token, ROLLBACK_LEASE_MS))) {
      const jobId = await this.locks.lockHolder(datasourceId);
      throw AppError.conflict(
        `Datasource ${datasourceId} is being warmed (job ${jobId}): a rollback now would race the warm's swap. Wait for the warm to finish or cancel it, then roll back.`,
        { jobId },
      );
    }
    try {
      const meta = await this.cache.meta(datasourceId);
      const previous = meta.previous;
      if (meta.generation === null)
        throw AppError.conflict(`Datasource ${datasourceId} is cold: there is no live generation to roll back from.`);
      if (!previous || previous.expiresAtMs <= Date.now()) {
        throw AppError.conflict(
          previous
            ? `The previous generation of datasource ${datasourceId} (${previous.generation}) expired at ${new Date(previous.expiresAtMs).toISOString()} and is being deleted: there is nothing to roll back to.`
            : `Datasource ${datasourceId} has no previous generation to roll back to: none is retained (never refreshed since the service kept one, GENERATION_RETENTION_SECONDS is 0, invalidated wholly or in part, or dropped to free memory for a warm).`,
        );
      }
      if (expected !== undefined && expected !== previous.generation) {
        throw AppError.conflict(
          `The previous generation of datasource ${datasourceId} is ${previous.generation}, not ${expected}: reload and check before rolling back.`,
          { previousGeneration: previous.generation },
        );
      }
      const outcome = await this.cache.swap(
        datasourceId,
        { live: meta.generation, epoch: String(meta.epoch) },
        previous.generation,
        { ...previous.fields, rolledBack: '1' },
        token,
        true,
      );
      if (outcome !== 'ok') {
        throw AppError.conflict(
          `The rollback of datasource ${datasourceId} was refused: ${outcome === 'lock_lost' ? 'a warm took the datasource over' : REFUSED[outcome]}.`,
        );
      }
      return {
        datasourceId,
        generation: previous.generation,
        rolledBackFrom: meta.generation,
        previousGeneration: await this.afterSwap(datasourceId, meta.generation),
      };
    } finally {
      // The lock has a lease: one not released (Redis away) ends by itself; the answer stays the rollback's own.
      await this.locks
        .releaseLock(datasourceId, token)
        .catch((error: Error) =>
          this.logger.warn({ msg: 'could not release the rollback lock', datasourceId, error: error.message }),
        );
    }
  }

  /**
   * Bookkeeping after the swap took effect: the rollback happened whatever fails here, so a failure is logged and the
   * answer (and its audit row) stays a success. The generation rolled back from is retained by the swap itself; without
   * its deletion job the janitor deletes it once its retention ends. Returns what is retained now (null: unknown).
   */
  private async afterSwap(datasourceId: number, rolledBackFrom: number): Promise<PreviousGeneration | null> {
    try {
      // Still under the lock: no warm can begin a shadow the retirement's sweep would have to tell apart.
      await this.retention.retired(datasourceId, rolledBackFrom);
    } catch (error) {
      this.logger.warn({
        msg: 'rolled back, but could not schedule the deletion of the generation rolled back from: the janitor will',
        datasourceId,
        generation: rolledBackFrom,
        error: (error as Error).message,
      });
    }
    try {
      return toPreviousGeneration((await this.cache.meta(datasourceId)).previous);
    } catch (error) {
      this.logger.warn({
        msg: 'rolled back, but could not read the retained generation',
        datasourceId,
        error: (error as Error).message,
      });
      return null;
    }
  }
}
