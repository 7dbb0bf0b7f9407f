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

/** Share of the live generation's groups changed above which rewriting them costs about as much as a full warm. */
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
  /** Its bytes and entries (meta), to estimate the carried entries' bytes; its rows. */
  baseBytes: number;
  baseRows: number;
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

/** What an incremental refresh read and wrote: rows by group field (its new row count), new groups, next id. */
interface Written {
  nextId: number;
  rowsRead: number;
  bytes: number;
  rows: Map<string, number>;
  added: number;
}

/**
 * Rows of the new generation: the live generation's, less those of the groups removed or written again (`live` holds at
 * least those), plus the rows written.
 */
function generationRows(
  baseRows: number,
  live: Map<string, StoredGroup>,
  removed: Map<string, number>,
  written: Written,
): number {
  let rows = baseRows;
  for (const field of removed.keys()) rows -= live.get(field)?.rows ?? 0;
  for (const [field, count] of written.rows) rows += count - (live.get(field)?.rows ?? 0);
  return rows;
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
    // The group directory is read whole only when every group must be compared; else only the changed groups' fields.
    const liveGroups = await carry.groupCount(datasourceId, base);
    if (liveGroups === 0) throw new FullRefreshNeeded('the live generation has no group directory');
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
        }
        if (toRead.size > MAX_GROUPS_READ || toRead.size / liveGroups > MAX_CHANGED_SHARE)
          throw new FullRefreshNeeded(`${toRead.size} of ${liveGroups} groups changed: a full warm is cheaper`);
        if ([...toRead.values()].some(hasEmptyCoordinate))
          throw new FullRefreshNeeded('a changed group has a NULL or empty group column, which cannot be looked up');

        watchdog.progress('carrying the unchanged entries over inside Redis');
        let live = await carry.lookup(datasourceId, base, [...toRead.keys()]);
        const excluded = new Set<number>();
        for (const field of toRead.keys()) {
          const id = live.get(field)?.id;
          if (id !== undefined) excluded.add(id);
        }
        const carried = await carry.carry(datasourceId, base, shadow, excluded);
        await this.checkpoint(target);

        watchdog.progress('reading the changed groups');
        const written: Written = {
          nextId: await carry.nextId(datasourceId, base),
          rowsRead: 0,
          bytes: 0,
          rows: new Map(),
          added: 0,
        };
        const stream = session.stream.bind(session);
        await this.writeGroups(target, live, [...toRead.values()], stream, written);
        // A changed group without rows any more is a deletion (its entry was not carried over).
        const removed = new Map<string, number>();
        for (const field of toRead.keys()) {
          const group = live.get(field);
          if (group && !written.rows.has(field)) removed.set(field, group.id);
        }
        await carry.remove(
          datasourceId,
          shadow,
          [...removed].map(([field, id]) => ({ field, id })),
          false,
        );

        let sourceRows = generationRows(target.baseRows, live, removed, written);
        if (!target.namedGroups) {
          // Deleted rows and rows moved out of a group leave no newer row behind. The source's row count shows whether
          // anything like that happened outside the groups read; only then are all its groups compared (one GROUP BY
          // over the warming index) and the differing ones read again or left out.
          const total = await session.count();
          if (total !== sourceRows) {
            watchdog.progress('comparing the groups of the source with the live generation');
            const counts = await session.groupCounts();
            live = await carry.groups(datasourceId, base);
            const again: EntryCoordinates[] = [];
            for (const [field, count] of counts)
              if (!written.rows.has(field) && live.get(field)?.rows !== count)
                again.push(CacheKeys.parseGroupField(field));
            const gone: Array<{ field: string; id: number }> = [];
            for (const [field, group] of live)
              if (!counts.has(field) && !removed.has(field) && !written.rows.has(field))
                gone.push({ field, id: group.id });
            await this.writeGroups(target, live, again, stream, written);
            await carry.remove(datasourceId, shadow, gone, true);
            for (const { field, id } of gone) removed.set(field, id);
            sourceRows = generationRows(target.baseRows, live, removed, written);
            if (total !== sourceRows)
              throw new WarmAborted(
                'FAILED',
                `incremental refresh: the generation holds ${sourceRows} rows, the source ${total}`,
              );
          }
        }
        watchdog.progress('settling the index sets and the directory');
        await this.deps.rows.update(
          { id: row.id },
          { rowsProcessed: written.rowsRead, rowsTotal: written.rowsRead, warmedKeys: written.rows.size },
        );

        const { coverage, groups } = await carry.settle(datasourceId, shadow);
        await cache.writeDirectory(datasourceId, shadow, coverage.measureFrequencies);
        const expectedGroups = liveGroups - removed.size + written.added;
        // Verify before the swap, as a full warm does: what Redis holds must be what was carried and written.
        if (groups !== expectedGroups || carried !== liveGroups - excluded.size)
          throw new WarmAborted(
            'FAILED',
            `incremental refresh: expected ${expectedGroups} groups (${liveGroups - excluded.size} carried), Redis holds ${groups} (${carried} carried)`,
          );
        const rewrittenExisting = [...written.rows.keys()].filter((field) => live.has(field)).length;
        const unchanged = liveGroups - removed.size - rewrittenExisting;
        const perEntry = target.baseEntries > 0 ? target.baseBytes / target.baseEntries : 0;
        return {
          rowsRead: written.rowsRead,
          rowsToRead: written.rowsRead,
          rows: sourceRows,
          entries: groups,
          bytes: Math.round(perEntry * unchanged) + written.bytes,
          coverage,
          sourceRows,
          watermark,
          rewritten: written.rows.size,
          carried: unchanged,
          deleted: removed.size,
        };
      },
      watchdog.signal,
    );
  }

  /**
   * Streams the groups' rows into the new generation: groups the live generation had keep their ids (an entry carried
   * over is overwritten), new ones get ids after its last. Adds to `written`.
   */
  private async writeGroups(
    target: IncrementalTarget,
    live: Map<string, StoredGroup>,
    groups: EntryCoordinates[],
    stream: (groups: EntryCoordinates[], onRows: (lines: string[]) => Promise<void>) => Promise<number>,
    written: Written,
  ): Promise<void> {
    if (groups.length === 0) return;
    const { datasourceId, shadow } = target;
    const batchSize = this.deps.config.warming.batchEntries;
    const grouper = new EntryGrouper(CacheKeys.entryPrefix(datasourceId, shadow).length);
    let rewrites: EntryToWrite[] = [];
    let additions: EntryToWrite[] = [];
    const place = (entries: EntryToWrite[]): void => {
      for (const entry of entries) {
        const field = CacheKeys.groupField(entry.coordinates);
        written.rows.set(field, entry.rows ?? 0);
        const existing = live.get(field);
        if (existing) rewrites.push({ ...entry, id: existing.id });
        else additions.push({ ...entry, id: written.nextId++ });
      }
    };
    const flush = async (all: boolean): Promise<void> => {
      while (rewrites.length >= batchSize || (all && rewrites.length > 0)) {
        await this.deps.carry.rewrite(datasourceId, shadow, rewrites.slice(0, batchSize));
        rewrites = rewrites.slice(batchSize);
      }
      while (additions.length >= batchSize || (all && additions.length > 0)) {
        written.added += Math.min(batchSize, additions.length);
        await this.deps.cache.writeBatch(datasourceId, shadow, additions.slice(0, batchSize), true);
        additions = additions.slice(batchSize);
      }
    };
    await stream(groups, async (lines) => {
      target.watchdog.progress();
      written.rowsRead += lines.length;
      place(grouper.addCopyLines(lines));
      await flush(false);
      await this.checkpoint(target);
    });
    place(grouper.finish());
    await flush(true);
    written.bytes += grouper.totals.bytes;
  }

  /** Between batches: a cancel request stops the refresh (it is short: pause is not offered). */
  private async checkpoint(target: IncrementalTarget): Promise<void> {
    target.watchdog.throwIfStalled();
    if ((await this.deps.locks.control(target.row.id)) === 'cancel')
      throw new WarmAborted('CANCELLED', 'cancelled by request');
  }
}
