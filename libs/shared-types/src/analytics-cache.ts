/** Seed 004 contract: health levels of one datasource's cache. */
export type CacheHealth = 'excellent' | 'good' | 'degraded' | 'stale' | 'cold';
/** Seed 004 contract: overall health of the analytics cache. */
export type OverallCacheHealth = 'excellent' | 'good' | 'degraded' | 'critical';

/**
 * The one hit-rate definition (docs/api.md, "Hit rate"): query-API requests answered from the cache per 100
 * requests over a sliding window named in `window`. Every hit rate the API reports for "now" is this figure.
 */
export interface HitRate {
  /** Percent 0–100 (two decimals); null while the window holds no request — "no traffic", not 0 %. */
  percent: number | null;
  hits: number;
  requests: number;
  windowMinutes: number;
  /** For people: "last 15 min". */
  window: string;
}

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
  /** Seed field: `hitRate.percent`, or 0 while there is no traffic in the window (read `hitRate` to tell them apart). */
  cacheHitRate: number;
  /** Seed field: queries since the last warm (also the base of `avgQueryTimeMs`). */
  totalQueries: number;
  health: CacheHealth;
  warnings: string[];
  /** The hit rate over the named window (added: the seed's number cannot say "no traffic"). */
  hitRate: HitRate;
}

export interface CacheStatsResponse {
  summary: {
    totalDatasources: number;
    warmDatasources: number;
    coldDatasources: number;
    totalCacheEntries: number;
    totalIndexes: number;
    totalMemoryMB: number;
    /** Seed field: `hitRate.percent` of all datasources together, or 0 without traffic in the window. */
    overallCacheHitRate: number;
    /** All datasources' hits over all their requests in the window. */
    hitRate: HitRate;
  };
  datasources: DatasourceCacheMetrics[];
}

/** What a warm request asks for (see RefreshKind); `auto`: incremental whenever the datasource and its cache allow. */
export const REQUESTED_REFRESHES = ['auto', 'full', 'incremental'] as const;
export type RequestedRefresh = (typeof REQUESTED_REFRESHES)[number];

/** Which kind of refresh a warming job ran: the whole source re-read, or only changed groups. */
export const REFRESH_KINDS = ['full', 'incremental'] as const;
export type RefreshKind = (typeof REFRESH_KINDS)[number];

export interface WarmRequest {
  datasourceId?: number;
  force?: boolean;
  /** Default `auto`. */
  refresh?: RequestedRefresh;
}

export type WarmOutcome = 'queued' | 'already_warming' | 'skipped';

export interface WarmResponse {
  jobId: string;
  datasourcesQueued: number[];
  estimatedDuration: number;
  results: Array<{
    datasourceId: number;
    status: WarmOutcome;
    jobId: string | null;
    reason?: string;
    /** Skipped within the datasource's minimum warm interval only: seconds until a warm is taken again. */
    retryAfterSeconds?: number;
  }>;
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
  refreshKind?: RefreshKind | null;
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

export const WARMING_TYPES = ['MANUAL', 'SCHEDULED', 'PREDICTIVE', 'WARM_ALL'] as const;
export type WarmingType = (typeof WARMING_TYPES)[number];

/** One warming job (a `cache_warming_job` row), for history and job control. */
export interface WarmingJob {
  jobId: string;
  datasourceId: number;
  datasourceName: string;
  status: JobStatus;
  warmingType: WarmingType;
  /** 0–100 */
  progress: number;
  rowsProcessed: number;
  rowsTotal: number;
  entriesWritten: number;
  etaSeconds: number | null;
  scheduledAt: string;
  startedAt: string | null;
  completedAt: string | null;
  durationSeconds: number | null;
  failureReason: string | null;
  /** Generation the job wrote (live after a successful swap). */
  generation: number | null;
  createdBy: string;
  /** Which kind ran; null until the worker decided. */
  refreshKind: RefreshKind | null;
  /** Why a full warm ran where an incremental refresh was possible or asked for; null otherwise. */
  refreshReason: string | null;
  /** Groups (entries) read from the source again: changed and new ones (a full warm: every entry). */
  groupsRewritten: number | null;
  /** Entries carried over unchanged from the previous generation inside Redis (incremental only). */
  groupsCarried: number | null;
  /** Groups of the previous generation left out because the source no longer has them (incremental only). */
  groupsDeleted: number | null;
  /** Per region, how this warm went there (null on jobs of a datasource warmed into `primary` only). */
  regionResults: Record<string, RegionWarmResult> | null;
}

/** How one warm went in one Redis region. */
export interface RegionWarmResult {
  status: 'ok' | 'failed';
  /** The region's generation the warm made live (numbered per region); null when it failed. */
  generation: number | null;
  error: string | null;
}

/** One region's copy of a datasource's cache (GET …/cache/datasources/:id/regions). */
export interface DatasourceRegionStatus {
  region: string;
  /** Whether the datasource is configured to be warmed into this region. */
  warmed: boolean;
  /** Whether the region's Redis answered. */
  reachable: boolean;
  generation: number | null;
  lastWarmed: string | null;
  entries: number;
  memoryBytes: number;
  /** The warm job whose data the live generation holds. */
  jobId: string | null;
  lastResult: RegionWarmResult | null;
  /** False when the region's live generation holds an older warm than the primary's. */
  upToDate: boolean;
  /** Seconds the region's live data is older than the primary's (0 when up to date). */
  lagSeconds: number | null;
}

export interface WarmingJobQuery {
  datasourceId?: number;
  status?: JobStatus;
  from?: string;
  to?: string;
  page?: number;
  pageSize?: number;
}

/** Scheduled auto-warming of one datasource. */
export interface WarmSchedule {
  datasourceId: number;
  datasourceName: string;
  /** Cron expression (UTC), or null when the datasource is warmed only on demand. */
  cron: string | null;
  /** The next run times (ISO, UTC); empty without a schedule. */
  nextRuns: string[];
}

export interface UpdateWarmScheduleRequest {
  cron: string | null;
}

/** Selective invalidation: omit every filter to drop the whole datasource. */
export interface SelectiveInvalidateRequest extends InvalidateRequest {
  measure?: string;
  practice?: string;
  provider?: string;
  frequency?: string;
}

export interface DatasourceCacheDetails {
  metrics: DatasourceCacheMetrics;
  /** Live generation, null when cold. */
  generation: number | null;
  entriesByMeasureFrequency: Array<{ measure: string; frequency: string; entries: number }>;
  recentJobs: WarmingJob[];
  /** The generation the last refresh (or rollback) replaced, kept for a rollback; null when none is retained. */
  previousGeneration: PreviousGeneration | null;
  /** The replication slot of a datasource in change-data-capture mode; null (or absent) in the other modes. */
  changeCapture?: ChangeCaptureStatus | null;
}

/**
 * A generation kept after a swap replaced it (GENERATION_RETENTION_SECONDS), so that an operator can roll back to it
 * until `expiresAt`; dropped earlier when a warm needs the memory.
 */
export interface PreviousGeneration {
  generation: number;
  entries: number;
  rows: number;
  indexCount: number;
  estimatedMemoryMB: number;
  /** When it was warmed (it went live then). */
  lastWarmed: string | null;
  /** When a swap replaced it. */
  retiredAt: string;
  /** When it is deleted, unless a rollback makes it live again first. */
  expiresAt: string;
  /** The warm that wrote it. */
  jobId: string | null;
}

/**
 * After a rollback: the retained generation is live again, and the one it replaced is retained in its turn (roll
 * forward by rolling back again) — or, with a retention of 0, deleted.
 */
export interface RollbackResponse {
  datasourceId: number;
  /** The live generation now. */
  generation: number;
  /** The generation rolled back from. */
  rolledBackFrom: number;
  /** What is retained now (the generation rolled back from), or null. */
  previousGeneration: PreviousGeneration | null;
}

/** A CDC datasource's logical replication slot on the source (named like its publication, `ccc_ds_<id>`). */
export interface ChangeCaptureStatus {
  slotName: string;
  /** The slot exists on the source (false: not created yet, or dropped: change capture recreates it and warms fully). */
  slotExists: boolean;
  /** A worker streams the slot. */
  active: boolean;
  /** WAL the slot retains on the source in bytes (its current WAL position − the confirmed one); null when unknown. */
  lagBytes: number | null;
  /** CDC_MAX_LAG_BYTES: beyond it the slot's backlog is replaced by a full warm (and CDC_SLOT_UNHEALTHY alerts). */
  maxLagBytes: number;
  /** The last time the slot was found dropped or given up for lag. */
  lastIncident: { kind: 'slot_dropped' | 'slot_lagging'; at: string; lagBytes: number } | null;
}

/** One cached entry: the rows of a (measure, practice, provider, frequency), as [period, value] pairs. */
export interface AnalyticsEntry {
  measure: string;
  practice: string;
  provider: string;
  frequency: string;
  rows: Array<[string, number]>;
}

export interface AnalyticsQuery {
  measure?: string;
  frequency?: string;
  practice?: string;
  provider?: string;
}

export interface AnalyticsQueryResponse {
  datasourceId: number;
  /** Where the answer came from: the live cache generation, or the source database on a cold cache. */
  source: 'cache' | 'database';
  /** The generation that answered; null when the database did. */
  generation: number | null;
  entries: AnalyticsEntry[];
  /** The Redis region that answered (SERVICE_REGION or a fallback); absent when the database did. */
  region?: string;
}
