import { Injectable } from '@nestjs/common';
import type { WarmingJob } from '@ccc/shared-types';

/**
 * What the engine reports or controls of warming. Warming sits above the engine (it uses the engine to write
 * generations), so the engine never imports it: warming connects itself here when it starts.
 */
export interface WarmActivity {
  /** The latest jobs of a datasource, newest first. */
  recentJobs(datasourceId: number): Promise<WarmingJob[]>;
  /** Per datasource whose latest job failed: why. */
  lastFailures(): Promise<Array<{ datasourceId: number; failureReason: string | null }>>;
  /** The running (or queued) job of a datasource, if any. */
  activeJobOf(datasourceId: number): Promise<string | null>;
  cancel(jobId: string): Promise<unknown>;
}

/** Until warming connects (or in a process without it): no jobs. */
const NO_WARMING: WarmActivity = {
  recentJobs: async () => [],
  lastFailures: async () => [],
  activeJobOf: async () => null,
  cancel: async () => undefined,
};

@Injectable()
export class WarmActivityLink {
  private activity: WarmActivity = NO_WARMING;

  connect(activity: WarmActivity): void {
    this.activity = activity;
  }

  get current(): WarmActivity {
    return this.activity;
  }
}
