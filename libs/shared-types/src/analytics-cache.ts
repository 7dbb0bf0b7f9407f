/** Seed 004 contract: health levels of one datasource's cache. */
export type CacheHealth = 'excellent' | 'good' | 'degraded' | 'stale' | 'cold';
/** Seed 004 contract: overall health of the analytics cache. */
export type OverallCacheHealth = 'excellent' | 'good' | 'degraded' | 'critical';

export interface DatasourceCacheMetrics {
  datasourceId: number;
  datasourceName: string;
  isWarm: boolean;
  lastWarmed: string | null;
  ageMinutes: number;
  totalEntries: number;
  indexCount: number;
  estimatedMemoryMB: number;
  uniqueMeasures: number;
  uniquePractices: number;
  uniqueProviders: number;
  uniqueFrequencies: string[];
  avgQueryTimeMs: number;
  cacheHitRate: number;
  totalQueries: number;
  health: CacheHealth;
  warnings: string[];
}

export interface CacheStatsResponse {
  summary: {
    totalDatasources: number;
    warmDatasources: number;
    coldDatasources: number;
    totalCacheEntries: number;
    totalIndexes: number;
    totalMemoryMB: number;
    overallCacheHitRate: number;
  };
  datasources: DatasourceCacheMetrics[];
}

export interface WarmRequest {
  datasourceId?: number;
  force?: boolean;
}

export type WarmOutcome = 'queued' | 'already_warming' | 'skipped';

export interface WarmResponse {
  jobId: string;
  datasourcesQueued: number[];
  estimatedDuration: number;
  results: Array<{ datasourceId: number; status: WarmOutcome; jobId: string | null; reason?: string }>;
}

export const JOB_STATUSES = ['PENDING', 'RUNNING', 'PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface ActiveWarmingJob {
  jobId: string;
  datasourceId: number;
  datasourceName: string;
  startedAt: string;
  progress: number;
  rowsProcessed: number;
  rowsTotal: number;
  etaSeconds: number;
  status: JobStatus;
}

export interface RecentWarmingJob {
  jobId: string;
  datasourceId: number;
  datasourceName: string;
  startedAt: string;
  completedAt: string;
  duration: number;
  entriesCached: number;
  success: boolean;
  error?: string;
  status: JobStatus;
}

export interface WarmingStatusResponse {
  activeJobs: ActiveWarmingJob[];
  recentJobs: RecentWarmingJob[];
}

export interface InvalidateRequest {
  datasourceId: number;
}

export interface InvalidateResponse {
  keysDeleted: number;
  indexesDeleted: number;
  memoryFreedMB: number;
}

export interface CacheHealthResponse {
  overall: OverallCacheHealth;
  issues: Array<{
    datasourceId: number;
    datasourceName: string;
    severity: 'warning' | 'error';
    issue: string;
    recommendation: string;
  }>;
  recommendations: string[];
}
