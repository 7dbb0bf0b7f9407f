import type { RequestedRefresh } from '@ccc/shared-types';
import type { EntryCoordinates } from '../redis/redis-keys.js';

/**
 * What a warm asks for: `full` re-reads the whole source; `incremental` rewrites only changed groups (those named, else
 * those past the watermark) and carries the rest over; `auto` (the default) is incremental for a datasource with
 * change detection whenever its live generation is a trustworthy base, else full.
 */
export interface RefreshRequest {
  kind: RequestedRefresh;
  /** The groups change data capture saw change; absent: found by the watermark column. */
  changedGroups?: EntryCoordinates[];
}
