import type { Repository } from 'typeorm';
import { In, Not } from 'typeorm';
import type { CacheMeta, LiveSummary } from '../analytics-cache/cache.repository.js';
import type { ChangeReader } from '../analytics-cache/change-reader.js';
import type { GenerationCarry } from '../analytics-cache/generation-carry.js';
import { FullRefreshNeeded, IncrementalWriter, type IncrementalWriterDeps } from './incremental-writer.js';
import { chooseRefresh, sourceSignature, type RefreshChoice } from './refresh-planner.js';
import type { ShadowTarget, ShadowWriter } from './shadow-writer.js';
import { WarmAborted } from './warm-endings.js';
import type { WarmingJobEntity } from './warming-job.entity.js';

/** What a refresh wrote into its shadow generation, ready for the swap. */
export interface RefreshOutcome {
  choice: RefreshChoice;
  rowsRead: number;
  rowsTotal: number;
  entries: number;
  /** The swap's meta fields but lastWarmed and jobId, with the refresh bookkeeping (watermark, group directory …). */
  summary: Omit<LiveSummary, 'lastWarmed' | 'jobId'> & Record<string, string | number | string[]>;
  groups: { rewritten: number; carried: number | null; deleted: number | null };
}

export interface RefreshRunnerDeps extends IncrementalWriterDeps {
  shadows: ShadowWriter;
  carry: GenerationCarry;
  changes: ChangeReader;
  rows: Repository<WarmingJobEntity>;
}

/**
 * Runs one warm's write phase as a full warm (ShadowWriter) or an incremental refresh (IncrementalWriter), chosen by
 * chooseRefresh — and falls back to full when the incremental one finds it cannot be trusted — then verifies what it
 * wrote and sums it up for the swap. The job row records the kind, the reason for a full one, and the group counts.
 */
export class RefreshRunner {
  private readonly incremental: IncrementalWriter;

  constructor(private readonly deps: RefreshRunnerDeps) {
    this.incremental = new IncrementalWriter(deps);
  }

  async run(target: ShadowTarget, live: CacheMeta): Promise<RefreshOutcome> {
    const { row, strategy, datasourceId } = target;
    const fields = await this.deps.carry.refreshFields(datasourceId);
    const requested = row.configuration?.refresh;
    const signature = sourceSignature(strategy);
    let choice = chooseRefresh({
      requested: requested?.kind ?? 'auto',
      changeDetection: strategy.changeDetection,
      fullRefreshEvery: strategy.fullRefreshEvery,
      signature,
      namedGroups: requested?.changedGroups !== undefined,
      base: { generation: live.generation, droppedRegions: live.droppedRegions.length, ...fields },
      previousIncrementalFailed: await this.previousIncrementalFailed(row),
      cdcFullWarmMinIntervalMs: this.deps.config.changeCapture.fullWarmMinIntervalSeconds * 1000,
      now: Date.now(),
    });
    // An incremental refresh carries entries inside one Redis: the other regions would need their own base. One full
    // read written to every region keeps them all the same generation of data.
    if (target.regions && choice.kind === 'incremental')
      choice = { kind: 'full', reason: 'warmed into several Redis regions: every region gets a full write' };
    await this.deps.rows.update({ id: row.id }, { refreshKind: choice.kind, refreshReason: choice.reason });
    const bookkeeping = (watermark: string | null, incrementals: number): Record<string, string | number> => ({
      watermark: watermark ?? '',
      groupDir: strategy.changeDetection === 'none' ? '' : '1',
      signature,
      incrementals,
      // A full warm records when it was written; an incremental refresh carries its base's time on.
      fullAt: incrementals === 0 ? Date.now() : (fields.fullAt ?? ''),
    });

    if (choice.kind === 'incremental' && live.generation !== null) {
      try {
        const result = await this.incremental.write({
          row,
          strategy,
          datasourceId,
          base: live.generation,
          baseWatermark: fields.watermark,
          baseBytes: live.bytes,
          baseRows: live.rows,
          baseEntries: live.entries,
          shadow: target.shadow,
          namedGroups: requested?.changedGroups,
          watchdog: target.watchdog,
        });
        const c = result.coverage;
        const groups = { rewritten: result.rewritten, carried: result.carried, deleted: result.deleted };
        await this.deps.rows.update(
          { id: row.id },
          { groupsRewritten: groups.rewritten, groupsCarried: groups.carried, groupsDeleted: groups.deleted },
        );
        return {
          choice,
          rowsRead: result.rowsRead,
          rowsTotal: result.rowsToRead,
          entries: result.entries,
          summary: {
            rows: result.rows,
            entries: result.entries,
            // Its index sets, and its ranges, registry, directory and group directory.
            indexes: result.entries === 0 ? 0 : 4 + c.sets,
            bytes: result.bytes,
            measures: c.measures.size,
            practices: c.practices.size,
            providers: c.providers.size,
            frequencies: [...c.frequencies].sort(),
            measureList: [...c.measures].sort(),
            sourceRows: result.sourceRows,
            ...bookkeeping(result.watermark, fields.incrementals + 1),
          },
          groups,
        };
      } catch (error) {
        if (!(error instanceof FullRefreshNeeded)) throw error;
        choice = { kind: 'full', reason: error.message };
        await this.deps.rows.update({ id: row.id }, { refreshKind: 'full', refreshReason: error.message });
      }
    }
    return this.full(target, live, choice, bookkeeping);
  }

  private async full(
    target: ShadowTarget,
    live: CacheMeta,
    choice: RefreshChoice,
    bookkeeping: (watermark: string | null, incrementals: number) => Record<string, string | number>,
  ): Promise<RefreshOutcome> {
    const { row, strategy, datasourceId, shadow } = target;
    const column = strategy.changeDetection === 'watermark' ? strategy.watermarkColumn : null;
    // Read before the warm's own snapshot: every row at or below it is in what the warm reads (see docs/architecture.md).
    const watermark = column
      ? (
          await this.deps.changes.session(
            { table: strategy.sourceTable, columns: strategy.columnMapping, datasourceId, strategyId: strategy.id },
            (session) => session.watermark(column, null),
          )
        ).max
      : null;
    const result = await this.deps.shadows.write({ ...target, withGroups: strategy.changeDetection !== 'none' });
    // Verify before swap: what Redis holds must be what the source gave.
    if (result.rowsRead !== result.rowsTotal)
      throw new WarmAborted('FAILED', `read ${result.rowsRead} rows but the source counted ${result.rowsTotal}`);
    const stored = await this.deps.cache.countEntries(datasourceId, shadow);
    if (stored !== result.totals.entries)
      throw new WarmAborted('FAILED', `wrote ${result.totals.entries} entries but Redis holds ${stored}`);
    await target.regions?.verify(result.totals.entries);
    if (result.rowsTotal === 0 && live.entries > 0 && !row.configuration?.force) {
      throw new WarmAborted(
        'FAILED',
        'the source returned 0 rows; refusing to replace a non-empty cache (warm with force to accept an empty source)',
      );
    }
    const t = result.totals;
    const groups = { rewritten: t.entries, carried: null, deleted: null };
    await this.deps.rows.update({ id: row.id }, { groupsRewritten: t.entries });
    return {
      choice,
      rowsRead: result.rowsRead,
      rowsTotal: result.rowsTotal,
      entries: t.entries,
      summary: {
        rows: t.rows,
        entries: t.entries,
        // Every index key of the generation: its sets, and its ranges, registry and directory (and group directory).
        indexes:
          t.entries === 0
            ? 0
            : 3 +
              (strategy.changeDetection === 'none' ? 0 : 1) +
              t.practices.size +
              t.providers.size +
              [...t.measureFrequencies.values()].reduce((sum, frequencies) => sum + frequencies.size, 0),
        bytes: t.bytes,
        measures: t.measures.size,
        practices: t.practices.size,
        providers: t.providers.size,
        frequencies: [...t.frequencies].sort(),
        measureList: [...t.measures].sort(),
        sourceRows: result.rowsTotal,
        ...bookkeeping(watermark, 0),
      },
      groups,
    };
  }

  /** Whether the datasource's last finished job before this one was an incremental refresh that failed. */
  private async previousIncrementalFailed(row: WarmingJobEntity): Promise<boolean> {
    const previous = await this.deps.rows.findOne({
      where: { cacheStrategyId: row.cacheStrategyId, id: Not(row.id), status: In(['COMPLETED', 'FAILED']) },
      order: { completedAt: 'DESC' },
    });
    return previous?.status === 'FAILED' && previous.refreshKind === 'incremental';
  }
}
