import type { WarmingJob } from '@ccc/shared-types';
import type { WarmingJobEntity } from './warming-job.entity.js';

/** A job row as the API shows it; `names`: datasource id and name by strategy id. */
export function toWarmingJob(row: WarmingJobEntity, names: Map<string, { id: number; name: string }>): WarmingJob {
  const ds = names.get(row.cacheStrategyId);
  return {
    jobId: row.id,
    datasourceId: ds?.id ?? row.configuration?.datasourceId ?? 0,
    datasourceName: ds?.name ?? '(deleted datasource)',
    status: row.status,
    warmingType: row.warmingType,
    progress: row.progress,
    rowsProcessed: row.rowsProcessed,
    rowsTotal: row.rowsTotal,
    entriesWritten: row.warmedKeys,
    etaSeconds: row.etaSeconds,
    scheduledAt: row.scheduledAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
    durationSeconds: row.durationSeconds,
    failureReason: row.failureReason,
    generation: row.generation,
    createdBy: row.createdBy,
    refreshKind: row.refreshKind ?? null,
    refreshReason: row.refreshReason ?? null,
    groupsRewritten: row.groupsRewritten ?? null,
    groupsCarried: row.groupsCarried ?? null,
    groupsDeleted: row.groupsDeleted ?? null,
    regionResults: row.regionResults ?? null,
  };
}
