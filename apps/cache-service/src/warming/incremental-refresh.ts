import { Injectable } from '@nestjs/common';
import type { Principal, WarmResponse } from '@ccc/shared-types';
import type { EntryCoordinates } from '../redis/redis-keys.js';
import { WarmingService } from './warming.service.js';

/**
 * What changed in a datasource's source since its live generation: the groups (cache entries, by their coordinates)
 * whose rows were inserted, updated or deleted — or 'watermark', to let the worker find them by the datasource's
 * watermark column (rows past the live generation's watermark; deleted groups by comparing the source's group keys
 * and row counts with the generation's).
 */
export type ChangedGroups = EntryCoordinates[] | 'watermark';

/** Most groups one explicit refresh may name (BullMQ keeps them in the job); more: a full warm is cheaper anyway. */
export const MAX_CHANGED_GROUPS = 10_000;

/**
 * The entry point of partial cache updates (issue 15, part 1), for the watermark schedule and for change data capture.
 */
@Injectable()
export class IncrementalRefresh {
  constructor(private readonly warming: WarmingService) {}

  /**
   * Queues an incremental refresh of one datasource: the worker builds a COMPLETE new generation in which the changed
   * groups are read from the source again (a named group without rows any more is left out: a deletion), every other
   * entry is carried over from the live generation inside Redis (COPY in Lua batches, keeping its id), and swaps it
   * in with the usual O(1) compare-and-set — readers never see a mix.
   *
   * The worker runs a full warm instead, and the job row says why (`refreshKind`, `refreshReason`), when the live
   * generation is no trustworthy base: a cold cache, a generation written without a group directory (change detection
   * was `none` then) or in another layout, regions dropped by selective invalidation, the watermark column's max went
   * backwards, the previous incremental refresh failed, every `fullRefreshEvery`-th refresh, more than half of the
   * groups changed, or a group column that is NULL/empty in a changed group. More than MAX_CHANGED_GROUPS named groups
   * queue a full warm at once.
   *
   * Resolves with the queue outcome for the datasource: `queued` (its jobId), `already_warming` (the running job's id:
   * the changes are NOT merged into it — call again once it ended, with the groups changed since it started), or
   * `skipped` (disabled, or its source outside SOURCE_SCHEMAS). Never skipped for the minimum warm interval.
   */
  async refresh(
    datasourceId: number,
    changedGroups: ChangedGroups,
    principal: Principal | null = null,
  ): Promise<WarmResponse['results'][number]> {
    const response = await this.warming.requestWarm({
      datasourceIds: [datasourceId],
      force: true,
      warmingType: principal ? 'MANUAL' : 'SCHEDULED',
      principal,
      refresh:
        changedGroups === 'watermark'
          ? { kind: 'incremental' }
          : changedGroups.length > MAX_CHANGED_GROUPS
            ? { kind: 'full' }
            : { kind: 'incremental', changedGroups },
    });
    return response.results[0];
  }
}
