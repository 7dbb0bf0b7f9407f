import type { IndexStrategy, IndexUsageStats } from '@ccc/shared-types';
import type { IndexStrategyEntity } from './index-strategy.entity.js';
import type { IndexUsageStatsEntity } from './index-usage-stats.entity.js';

export function toIndexUsageStats(row: IndexUsageStatsEntity): IndexUsageStats {
  return {
    id: row.id,
    indexStrategyId: row.indexStrategyId,
    tableName: row.tableName,
    indexName: row.indexName,
    totalScans: row.totalScans,
    totalTuplesRead: row.totalTuplesRead,
    totalTuplesFetched: row.totalTuplesFetched,
    avgScanTimeMs: row.avgScanTimeMs,
    selectivityRatio: row.selectivityRatio,
    indexSizeBytes: row.indexSizeBytes,
    maintenanceCostScore: row.maintenanceCostScore,
    isRecommendedForDrop: row.isRecommendedForDrop,
    isUnique: row.isUnique,
    isPrimary: row.isPrimary,
    statsDate: row.statsDate,
    lastAnalyzed: row.lastAnalyzed.toISOString(),
  };
}

export function toIndexStrategy(row: IndexStrategyEntity, latestUsage: IndexUsageStatsEntity | null): IndexStrategy {
  return {
    id: row.id,
    tableName: row.tableName,
    indexName: row.indexName,
    indexType: row.indexType,
    indexDefinition: row.indexDefinition,
    columns: row.columns,
    whereClause: row.whereClause,
    usagePattern: row.usagePattern,
    maintenanceWindow: row.maintenanceWindow,
    scheduledAt: row.scheduledAt?.toISOString() ?? null,
    isCreated: row.isCreated,
    isMonitoring: row.isMonitoring,
    applyRequestedAt: row.applyRequestedAt?.toISOString() ?? null,
    createdInDatabaseAt: row.createdInDatabaseAt?.toISOString() ?? null,
    lastError: row.lastError,
    discovered: row.discovered,
    builtByService: row.builtByService,
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    isActive: row.isActive,
    latestUsage: latestUsage ? toIndexUsageStats(latestUsage) : null,
  };
}
