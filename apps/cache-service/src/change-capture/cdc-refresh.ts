import { Injectable } from '@nestjs/common';
import type { EntryCoordinates } from '../redis/redis-keys.js';
import { IncrementalRefresh } from '../warming/incremental-refresh.js';
import { JobRepository } from '../warming/job.repository.js';
import { WarmingService } from '../warming/warming.service.js';
import { ALL_GROUPS } from './change-decoder.js';

const POLL_MS = 100;
/** A refresh that has not ended after this long is given up (its changes are refreshed again by the next one). */
const REFRESH_TIMEOUT_MS = 30 * 60_000;
/**
 * Deletions of the datasource's replaced generations still to do (grace period included) when the next refresh starts. Every refresh writes a whole generation and replaces one, whose paced deletion takes longer than an
 * incremental refresh of a large datasource: without this bound a steady write load queued deletions faster than they
 * ran — Redis memory grew by a generation per refresh, and the deletions (which run ahead of warms) starved the
 * refreshes themselves. With it, refreshes follow the pace of the deletions.
 */
const MAX_PENDING_DELETIONS = 2;

/**
 * The one place change capture asks for a refresh, resolving only once a generation that includes the changes has
 * swapped (or rejecting): the stream confirms the changes to PostgreSQL after that, never before.
 */
@Injectable()
export class CdcRefresh {
  constructor(
    private readonly warming: WarmingService,
    private readonly incremental: IncrementalRefresh,
    private readonly jobs: JobRepository,
  ) {}

  /** Refreshes the groups (every group: `all`) of a datasource; resolves after the swap. */
  async refresh(datasourceId: number, groups: EntryCoordinates[] | typeof ALL_GROUPS): Promise<void> {
    const deadline = Date.now() + REFRESH_TIMEOUT_MS;
    for (;;) {
      await this.waitForDeletions(datasourceId, deadline);
      const outcome = await this.request(datasourceId, groups);
      if (outcome.status === 'skipped') throw new Error(outcome.reason ?? 'the refresh was skipped');
      // A running warm may have read the source before these changes committed: wait for it, then ask again.
      const status = await this.waitFor(outcome.jobId!, deadline);
      if (outcome.status === 'queued') {
        if (status !== 'COMPLETED') throw new Error(`the refresh ended ${status}`);
        return;
      }
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

  /** Waits while more than MAX_PENDING_DELETIONS deletions of the datasource's replaced generations are to do. */
  private async waitForDeletions(datasourceId: number, deadline: number): Promise<void> {
    while ((await this.jobs.pendingDeletions(datasourceId)) > MAX_PENDING_DELETIONS) {
      if (Date.now() > deadline) throw new Error('old generations were not deleted in time');
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private async waitFor(jobId: string, deadline: number): Promise<string> {
    for (;;) {
      const job = await this.warming.job(jobId);
      if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status)) return job.status;
      if (Date.now() > deadline) throw new Error(`the refresh ${jobId} did not end in time`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
