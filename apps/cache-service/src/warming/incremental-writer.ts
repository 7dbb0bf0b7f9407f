import type { Repository } from 'typeorm';
import type { CacheRepository, EntryToWrite } from '../analytics-cache/cache.repository.js';
import type { ChangeReader } from '../analytics-cache/change-reader.js';
import { EntryGrouper } from '../analytics-cache/entry-codec.js';
import type { Coverage, GenerationCarry, StoredGroup } from '../analytics-cache/generation-carry.js';
import type { WarmLocks } from '../analytics-cache/warm-locks.js';
import type { AppConfig } from '../config/app-config.js';
import type { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { CacheKeys, type EntryCoordinates } from '../redis/redis-keys.js';
import type { StallWatchdog } from './stall-watchdog.js';
import { WarmAborted } from './warm-endings.js';
import type { WarmingJobEntity } from './warming-job.entity.js';

/** The incremental refresh cannot be done safely: the job runs a full warm instead, and says why. */
export class FullRefreshNeeded extends Error {}

/** Share of the live generation's groups above which rewriting them costs about as much as a full warm. */
const MAX_CHANGED_SHARE = 0.5;
/** Most groups one refresh reads again by name (they go into one COPY statement as literals). */
const MAX_GROUPS_READ = 50_000;

export interface IncrementalTarget {
  row: WarmingJobEntity;
  strategy: CacheStrategyEntity;
  datasourceId: number;
  /** The live generation: the base carried over. */
  base: number;
  baseWatermark: string | null;
  /** Its bytes and entries (meta), to estimate the carried entries' bytes. */
  baseBytes: number;
  baseEntries: number;
  shadow: number;
  /** Change data capture's groups; absent: found by the watermark column. */
  namedGroups?: EntryCoordinates[];
  watchdog: StallWatchdog;
}

export interface IncrementalResult {
  rowsRead: number;
  /** Rows of the groups read again (what the job's progress counts to). */
  rowsToRead: number;
  rows: number;
  entries: number;
  bytes: number;
  coverage: Coverage;
  /** Source rows by the group scan (watermark); the generation's rows when groups were named. */
  sourceRows: number;
  watermark: string | null;
  rewritten: number;
  carried: number;
  deleted: number;
}

export interface IncrementalWriterDeps {
  config: AppConfig;
  cache: CacheRepository;
  carry: GenerationCarry;
  changes: ChangeReader;
  locks: WarmLocks;
  rows: Repository<WarmingJobEntity>;
}

const hasEmptyCoordinate = (c: EntryCoordinates): boolean =>
  c.measure === '' || c.practice === '' || c.provider === '' || c.frequency === '';

/**
 * An incremental refresh (issue 15): a complete new generation from the live one. The changed groups (named, or with
 * rows past the watermark, or whose row count differs from the source's, or new in it) are read from the source and
 * written fresh — under the id they had, or new ids after the last one; the groups the source no longer has are left
 * out; every other entry is COPYed inside Redis (GenerationCarry). The caller swaps it in as after a full warm.
 */
export class IncrementalWriter {
  constructor(private readonly deps: IncrementalWriterDeps) {}

  async write(target: IncrementalTarget): Promise<IncrementalResult> {
    const { strategy, datasourceId, base, shadow, row, watchdog } = target;
    const { carry, cache } = this.deps;
    const live = await carry.groups(datasourceId, base);
    if (live.size === 0) throw new FullRefreshNeeded('the live generation has no group directory');
    const column = strategy.watermarkColumn;
    const source = {
      table: strategy.sourceTable,
      columns: strategy.columnMapping,
      datasourceId,
      strategyId: strategy.id,
    };
    watchdog.progress('finding the changed groups in the source');
    return this.deps.changes.session(
      source,
      async (session) => {
        let watermark: string | null = null;
        const toRead = new Map<string, EntryCoordinates>();
        let sourceGroups: Map<string, number> | null = null;
        if (target.namedGroups) {
          for (const group of target.namedGroups) toRead.set(CacheKeys.groupField(group), group);
          if (column && strategy.changeDetection === 'watermark')
            watermark = (await session.watermark(column, null)).max;
        } else {
          if (!column || !target.baseWatermark) throw new FullRefreshNeeded('the live generation has no watermark');
          const now = await session.watermark(column, target.baseWatermark);
          if (now.backwards)
            throw new FullRefreshNeeded(
              `the watermark column's max went backwards (${now.max} < ${target.baseWatermark})`,
            );
          watermark = now.max;
          const overlap = this.deps.config.warming.watermarkOverlapSeconds;
          for (const group of await session.changedSince(column, target.baseWatermark, overlap))
            toRead.set(CacheKeys.groupField(group), group);
          // Deletions and rows moved out of a group leave no newer row behind: the group's count tells.
          sourceGroups = await session.groupCounts();
          for (const [field, count] of sourceGroups)
            if (live.get(field)?.rows !== count) toRead.set(field, CacheKeys.parseGroupField(field));
        }
        const removed: Array<{ field: string; id: number }> = [];
        if (sourceGroups)
          for (const [field, group] of live) if (!sourceGroups.has(field)) removed.push({ field, id: group.id });
        const changedShare = (toRead.size + removed.length) / live.size;
        if (toRead.size > MAX_GROUPS_READ || changedShare > MAX_CHANGED_SHARE)
          throw new FullRefreshNeeded(
            `${toRead.size} groups changed and ${removed.length} deleted of ${live.size}: a full warm is cheaper`,
          );
        if ([...toRead.values()].some(hasEmptyCoordinate))
          throw new FullRefreshNeeded('a changed group has a NULL or empty group column, which cannot be looked up');

        const rowsToRead = sourceGroups
          ? [...toRead.keys()].reduce((sum, field) => sum + (sourceGroups.get(field) ?? 0), 0)
          : 0;
        await this.deps.rows.update({ id: row.id }, { rowsTotal: rowsToRead });
        watchdog.progress('carrying the unchanged entries over inside Redis');
        const excluded = new Set<number>(removed.map((group) => group.id));
        for (const field of toRead.keys()) {
          const id = live.get(field)?.id;
          if (id !== undefined) excluded.add(id);
        }
        const carried = await carry.carry(datasourceId, base, shadow, excluded);
        await carry.remove(datasourceId, shadow, removed);
        await this.checkpoint(target);

        watchdog.progress('reading the changed groups');
        const written = await this.writeGroups(target, live, toRead, session.stream.bind(session));
        // A named group without rows any more is a deletion too.
        const vanished: Array<{ field: string; id: number }> = [];
        for (const field of toRead.keys()) {
          const group = live.get(field);
          if (group && !written.seen.has(field)) vanished.push({ field, id: group.id });
        }
        await carry.remove(datasourceId, shadow, vanished);
        removed.push(...vanished);

        const { coverage, groups } = await carry.settle(datasourceId, shadow);
        await cache.writeDirectory(datasourceId, shadow, coverage.measureFrequencies);
        let rows = written.rows;
        for (const group of live.values()) if (!excluded.has(group.id)) rows += group.rows;
        const expectedGroups = live.size - excluded.size + written.groups;
        // Verify before the swap, as a full warm does: what Redis holds must be what the source has.
        if (groups !== expectedGroups || carried !== live.size - excluded.size)
          throw new WarmAborted(
            'FAILED',
            `incremental refresh: expected ${expectedGroups} groups (${live.size - excluded.size} carried), Redis holds ${groups} (${carried} carried)`,
          );
        const sourceRows = sourceGroups ? [...sourceGroups.values()].reduce((a, b) => a + b, 0) : rows;
        if (sourceRows !== rows)
          throw new WarmAborted(
            'FAILED',
            `incremental refresh: the generation holds ${rows} rows, the source ${sourceRows}`,
          );
        const perEntry = target.baseEntries > 0 ? target.baseBytes / target.baseEntries : 0;
        return {
          rowsRead: written.rowsRead,
          rowsToRead: sourceGroups ? rowsToRead : written.rowsRead,
          rows,
          entries: groups,
          bytes: Math.round(perEntry * carried) + written.bytes,
          coverage,
          sourceRows,
          watermark,
          rewritten: written.groups,
          carried,
          deleted: removed.length,
        };
      },
      watchdog.signal,
    );
  }

  /** Streams the groups' rows: groups the live generation had keep their ids, new ones get ids after its last. */
  private async writeGroups(
    target: IncrementalTarget,
    live: Map<string, StoredGroup>,
    toRead: Map<string, EntryCoordinates>,
    stream: (groups: EntryCoordinates[], onRows: (lines: string[]) => Promise<void>) => Promise<number>,
  ): Promise<{ rowsRead: number; rows: number; groups: number; bytes: number; seen: Set<string> }> {
    const { datasourceId, shadow, base, row } = target;
    const batchSize = this.deps.config.warming.batchEntries;
    const grouper = new EntryGrouper(CacheKeys.entryPrefix(datasourceId, shadow).length);
    let nextId = await this.deps.carry.nextId(datasourceId, base);
    const seen = new Set<string>();
    let rewrites: EntryToWrite[] = [];
    let additions: EntryToWrite[] = [];
    let rowsRead = 0;
    const place = (entries: EntryToWrite[]): void => {
      for (const entry of entries) {
        const field = CacheKeys.groupField(entry.coordinates);
        seen.add(field);
        const existing = live.get(field);
        if (existing) rewrites.push({ ...entry, id: existing.id });
        else additions.push({ ...entry, id: nextId++ });
      }
    };
    const flush = async (all: boolean): Promise<void> => {
      while (rewrites.length >= batchSize || (all && rewrites.length > 0)) {
        await this.deps.carry.rewrite(datasourceId, shadow, rewrites.slice(0, batchSize));
        rewrites = rewrites.slice(batchSize);
      }
      while (additions.length >= batchSize || (all && additions.length > 0)) {
        await this.deps.cache.writeBatch(datasourceId, shadow, additions.slice(0, batchSize), true);
        additions = additions.slice(batchSize);
      }
    };
    await stream([...toRead.values()], async (lines) => {
      target.watchdog.progress();
      rowsRead += lines.length;
      place(grouper.addCopyLines(lines));
      await flush(false);
      await this.checkpoint(target);
    });
    place(grouper.finish());
    await flush(true);
    await this.deps.rows.update({ id: row.id }, { rowsProcessed: rowsRead, warmedKeys: grouper.totals.entries });
    const t = grouper.totals;
    return { rowsRead, rows: t.rows, groups: t.entries, bytes: t.bytes, seen };
  }

  /** Between batches: a cancel request stops the refresh (it is short: pause is not offered). */
  private async checkpoint(target: IncrementalTarget): Promise<void> {
    target.watchdog.throwIfStalled();
    if ((await this.deps.locks.control(target.row.id)) === 'cancel')
      throw new WarmAborted('CANCELLED', 'cancelled by request');
  }
}
