import { createHash } from 'node:crypto';
import type { ChangeDetection, RefreshKind, RequestedRefresh } from '@ccc/shared-types';
import type { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { CACHE_LAYOUT } from '../redis/redis-keys.js';

/** What the live generation's meta says about it as the base of an incremental refresh. */
export interface RefreshBase {
  generation: number | null;
  droppedRegions: number;
  /** Its watermark ('' or null: none was read). */
  watermark: string | null;
  /** Whether it has a `groups` hash. */
  groupDirectory: boolean;
  /** sourceSignature() of the datasource when it was written. */
  signature: string | null;
  /** Incremental refreshes since the last full warm. */
  incrementals: number;
  /** When that full warm was written (ms since the epoch); null when not recorded (a generation of an earlier version). */
  fullAt: number | null;
  /** A rollback made it live again (it lacks the changes captured after it was written). */
  rolledBack: boolean;
}

export interface RefreshChoice {
  kind: RefreshKind;
  /** Why a full warm runs where an incremental refresh was asked for or possible; null otherwise. */
  reason: string | null;
}

/** What a generation's entries depend on besides the rows: a change makes the live generation no base to carry over. */
export function sourceSignature(strategy: CacheStrategyEntity): string {
  const m = strategy.columnMapping;
  return createHash('sha1')
    .update(
      JSON.stringify([
        CACHE_LAYOUT,
        strategy.sourceTable,
        m.measure,
        m.practice,
        m.provider,
        m.frequency,
        m.period,
        m.value,
        strategy.changeDetection === 'watermark' ? strategy.watermarkColumn : null,
      ]),
    )
    .digest('hex')
    .slice(0, 16);
}

/**
 * Full or incremental (issue 15): incremental only when asked for (or `auto`) on a datasource that can find its
 * changes, and the live generation is a base that can be trusted. Checks that need the source (the watermark went
 * backwards, too many groups changed) are the incremental writer's.
 */
export function chooseRefresh(input: {
  requested: RequestedRefresh;
  changeDetection: ChangeDetection;
  fullRefreshEvery: number;
  signature: string;
  /** Change data capture named the changed groups. */
  namedGroups: boolean;
  base: RefreshBase;
  previousIncrementalFailed: boolean;
  /** A cdc datasource's periodic full warm waits this long after the last one as well (CDC_FULL_WARM_MIN_INTERVAL_SECONDS). */
  cdcFullWarmMinIntervalMs: number;
  now: number;
}): RefreshChoice {
  const { requested, changeDetection, base } = input;
  const full = (reason: string | null): RefreshChoice => ({ kind: 'full', reason });
  if (requested === 'full') return full('a full warm was requested');
  if (changeDetection === 'none' && !input.namedGroups)
    return full(requested === 'incremental' ? 'the datasource has no change detection (changeDetection none)' : null);
  if (changeDetection === 'cdc' && !input.namedGroups)
    return full('change data capture names the groups it refreshes; a refresh without them is full');
  if (base.generation === null) return full('the cache is cold: there is no live generation to carry over');
  if (!base.groupDirectory)
    return full('the live generation has no group directory (written before change detection was on)');
  if (base.signature !== input.signature)
    return full('the source table, column mapping or watermark column changed since the live generation was written');
  if (base.droppedRegions > 0) return full('regions of the live generation were invalidated');
  if (changeDetection === 'watermark' && !input.namedGroups && !base.watermark)
    return full('the live generation has no watermark');
  // A watermark finds what changed since the rolled-back generation was read; change data capture confirmed those
  // changes when the newer generation swapped, so they would never be named again.
  if (input.namedGroups && base.rolledBack)
    return full('the live generation was rolled back: changes captured after it was written are not in it');
  if (input.previousIncrementalFailed) return full('the previous incremental refresh failed');
  if (base.incrementals >= input.fullRefreshEvery) {
    const counted = `${base.incrementals} incremental refreshes since the last full warm (fullRefreshEvery ${input.fullRefreshEvery})`;
    if (changeDetection !== 'cdc') return full(counted);
    // Change data capture refreshes at the pace of the writes: the count is reached in a minute under load, so the
    // full warm also waits for its interval. An unrecorded time (an older generation) counts as long ago.
    const sinceFullMs = base.fullAt === null ? Infinity : input.now - base.fullAt;
    if (sinceFullMs >= input.cdcFullWarmMinIntervalMs)
      return full(
        `${counted}, ${Number.isFinite(sinceFullMs) ? `${Math.round(sinceFullMs / 1000)} s` : 'an unrecorded time'} after it (CDC_FULL_WARM_MIN_INTERVAL_SECONDS ${input.cdcFullWarmMinIntervalMs / 1000})`,
      );
  }
  return { kind: 'incremental', reason: null };
}
