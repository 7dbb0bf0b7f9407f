/**
 * Monitoring & analytics (seeds 000 "Cache Monitoring & Analytics" and 003 "Performance Monitoring &
 * Index Management"). JSON field names are the seed's column names in camelCase; ids are the seed's
 * UUIDs, plus the numeric `datasourceId` the rest of the API uses.
 * All endpoints live under `/api/admin/monitoring/…`: reads need `settings:read:all`, changes
 * `settings:write:all`.
 */

// ---------------------------------------------------------------------------------------------
// Thresholds
// ---------------------------------------------------------------------------------------------

/** Seed 003's metric types, plus the cache metrics the evaluator needs (added by migration 1763900000000). */
export const THRESHOLD_METRIC_TYPES = [
  // seed 003
  'QUERY_TIME',
  'INDEX_SCAN_RATIO',
  'TABLE_SIZE',
  'CACHE_HIT_RATIO',
  'CONNECTION_COUNT',
  'DEADLOCK_COUNT',
  // cache metrics
  'CACHE_MEMORY_SHARE',
  'CACHE_AGE',
  'WARMING_FAILURES',
  'EVICTION_RATE',
] as const;
export type ThresholdMetricType = (typeof THRESHOLD_METRIC_TYPES)[number];

export const THRESHOLD_UNITS = ['MILLISECONDS', 'PERCENTAGE', 'COUNT', 'BYTES', 'RATIO'] as const;
export type ThresholdUnit = (typeof THRESHOLD_UNITS)[number];

/**
 * Which way a metric gets worse. For ABOVE metrics warning ≤ critical (the seed's check); for BELOW
 * metrics (hit rate, index-scan ratio) the critical level lies below the warning level, so
 * warning ≥ critical. Either way "critical is at least as bad as warning".
 */
export type ThresholdDirection = 'ABOVE' | 'BELOW';

/** How each metric is measured, what it alerts as, and which unit it is given in. */
export const THRESHOLD_METRICS: Record<
  ThresholdMetricType,
  { direction: ThresholdDirection; unit: ThresholdUnit; alertType: CacheAlertType; scope: 'datasource' | 'table' | 'database' | 'redis'; description: string }
> = {
  CACHE_HIT_RATIO: { direction: 'BELOW', unit: 'PERCENTAGE', alertType: 'HIT_RATE_LOW', scope: 'datasource', description: 'Cache hits per 100 query-API requests over the evaluation window' },
  QUERY_TIME: { direction: 'ABOVE', unit: 'MILLISECONDS', alertType: 'QUERY_TIME_HIGH', scope: 'datasource', description: 'Average query-API response time of a datasource; with a table name, also the slow-query threshold of queries on that table' },
  CACHE_MEMORY_SHARE: { direction: 'ABOVE', unit: 'PERCENTAGE', alertType: 'MEMORY_USAGE_HIGH', scope: 'datasource', description: "A datasource's share of Redis memory (of maxmemory when set, else of used memory)" },
  CACHE_AGE: { direction: 'ABOVE', unit: 'PERCENTAGE', alertType: 'CACHE_STALE', scope: 'datasource', description: 'Age of the live generation as a percentage of the staleness TTL' },
  WARMING_FAILURES: { direction: 'ABOVE', unit: 'COUNT', alertType: 'WARMING_FAILED', scope: 'datasource', description: 'Failed warming jobs in the last 24 hours' },
  EVICTION_RATE: { direction: 'ABOVE', unit: 'COUNT', alertType: 'EVICTION_RATE_HIGH', scope: 'redis', description: 'Keys Redis evicted per minute since the previous evaluation' },
  INDEX_SCAN_RATIO: { direction: 'BELOW', unit: 'PERCENTAGE', alertType: 'INDEX_SCAN_RATIO_LOW', scope: 'table', description: 'Index scans per 100 scans of a table (pg_stat_user_tables)' },
  TABLE_SIZE: { direction: 'ABOVE', unit: 'BYTES', alertType: 'TABLE_SIZE_HIGH', scope: 'table', description: 'Total size of a table with its indexes (pg_total_relation_size)' },
  CONNECTION_COUNT: { direction: 'ABOVE', unit: 'COUNT', alertType: 'CONNECTION_COUNT_HIGH', scope: 'database', description: 'Connections to the database (pg_stat_activity)' },
  DEADLOCK_COUNT: { direction: 'ABOVE', unit: 'COUNT', alertType: 'DEADLOCK_COUNT_HIGH', scope: 'database', description: 'Deadlocks since the previous evaluation (pg_stat_database)' },
};

export interface PerformanceThreshold {
  id: string;
  metricType: ThresholdMetricType;
  /** Table the threshold applies to (table-scoped metrics, and QUERY_TIME's slow-query threshold); null = all. */
  tableName: string | null;
  /** Datasource the threshold applies to (datasource-scoped metrics); null = every datasource. */
  datasourceId: number | null;
  warningThreshold: number;
  criticalThreshold: number;
  thresholdUnit: ThresholdUnit;
  direction: ThresholdDirection;
  alertEnabled: boolean;
  alertConfiguration: Record<string, unknown> | null;
  createdBy: string;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
  isActive: boolean;
}

export interface CreateThresholdRequest {
  metricType: ThresholdMetricType;
  tableName?: string | null;
  datasourceId?: number | null;
  warningThreshold: number;
  criticalThreshold: number;
  /** Defaults to the metric's unit; another unit is refused with 400. */
  thresholdUnit?: ThresholdUnit;
  alertEnabled?: boolean;
  alertConfiguration?: Record<string, unknown> | null;
}

export type UpdateThresholdRequest = Partial<Omit<CreateThresholdRequest, 'metricType'>> & { isActive?: boolean };

// ---------------------------------------------------------------------------------------------
// Alerts
// ---------------------------------------------------------------------------------------------

export const CACHE_ALERT_TYPES = [
  // seed 000
  'HIT_RATE_LOW',
  'QUERY_TIME_HIGH',
  'MEMORY_USAGE_HIGH',
  'CACHE_STALE',
  'WARMING_FAILED',
  'EVICTION_RATE_HIGH',
  // database metrics of seed 003's thresholds (added by migration 1763900000000)
  'INDEX_SCAN_RATIO_LOW',
  'TABLE_SIZE_HIGH',
  'CONNECTION_COUNT_HIGH',
  'DEADLOCK_COUNT_HIGH',
] as const;
export type CacheAlertType = (typeof CACHE_ALERT_TYPES)[number];

export const ALERT_SEVERITIES = ['INFO', 'WARNING', 'CRITICAL'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_STATUSES = ['ACTIVE', 'ACKNOWLEDGED', 'RESOLVED'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** One change in an alert's life, kept in order on the alert. */
export interface AlertEvent {
  at: string;
  event: 'FIRED' | 'ESCALATED' | 'DEESCALATED' | 'ACKNOWLEDGED' | 'RESOLVED' | 'NOTIFIED' | 'NOTIFICATION_FAILED';
  severity: AlertSeverity;
  actualValue: number | null;
  /** User who acted (acknowledge / manual resolve); null for the evaluator. */
  by: string | null;
  comment: string | null;
}

export interface CacheAlert {
  id: string;
  cacheLayerId: string;
  cacheStrategyId: string | null;
  datasourceId: number | null;
  datasourceName: string | null;
  alertType: CacheAlertType;
  severity: AlertSeverity;
  alertMessage: string;
  thresholdValue: number;
  actualValue: number;
  /** Metric, threshold id, direction, table… as evaluated. */
  alertContext: Record<string, unknown> | null;
  alertStatus: AlertStatus;
  acknowledgedBy: string | null;
  acknowledgedByName: string | null;
  acknowledgedAt: string | null;
  acknowledgementComment: string | null;
  resolvedAt: string | null;
  /** 'auto' when the metric recovered, else the user who resolved it. */
  resolvedBy: string | null;
  createdBy: string;
  triggeredAt: string;
  lastEvaluatedAt: string | null;
  lastNotifiedAt: string | null;
  history: AlertEvent[];
}

export interface AlertListQuery {
  status?: AlertStatus;
  severity?: AlertSeverity;
  alertType?: CacheAlertType;
  datasourceId?: number;
  page?: number;
  pageSize?: number;
}

export interface AcknowledgeAlertRequest {
  /** Required: what the acknowledger is doing about it (1–1000 characters). */
  comment: string;
}

export interface ResolveAlertRequest {
  comment?: string;
}

export interface AlertEvaluationResult {
  evaluatedAt: string;
  thresholdsEvaluated: number;
  fired: number;
  escalated: number;
  deescalated: number;
  resolved: number;
  notificationsQueued: number;
  /** False when another replica held the evaluation lease and this call did nothing. */
  ran: boolean;
}

/**
 * Body POSTed to ALERT_WEBHOOK_URL (Slack incoming-webhook compatible: `text` is what Slack shows;
 * the other fields are for other receivers).
 */
export interface AlertWebhookPayload {
  text: string;
  event: 'FIRED' | 'ESCALATED' | 'REPEAT' | 'RESOLVED';
  alert: {
    id: string;
    alertType: CacheAlertType;
    severity: AlertSeverity;
    alertStatus: AlertStatus;
    datasourceId: number | null;
    datasourceName: string | null;
    alertMessage: string;
    thresholdValue: number;
    actualValue: number;
    triggeredAt: string;
  };
  sentAt: string;
}

// ---------------------------------------------------------------------------------------------
// Usage patterns
// ---------------------------------------------------------------------------------------------

export const CACHE_RESOURCE_TYPES = ['ANALYTICS_DATASOURCE', 'QUERY_RESULT', 'INDEX_SET'] as const;
export type CacheResourceType = (typeof CACHE_RESOURCE_TYPES)[number];

/** How a day's traffic is shaped (stored in access_pattern). */
export const ACCESS_PATTERNS = ['IDLE', 'STEADY', 'PEAKED', 'BURSTY'] as const;
export type AccessPattern = (typeof ACCESS_PATTERNS)[number];

export interface UsagePattern {
  id: string;
  cacheStrategyId: string;
  datasourceId: number;
  datasourceName: string;
  resourceType: CacheResourceType;
  accessPattern: AccessPattern;
  /** UTC hours, inclusive. */
  peakHourStart: number;
  peakHourEnd: number;
  /** Percentages 0–100. */
  averageHitRate: number;
  peakHitRate: number;
  optimalTtlSeconds: number;
  dailyRequests: number;
  dailyCacheHits: number;
  /** 24 request counts, UTC hour 0…23. */
  hourlyRequests: number[];
  hourlyHits: number[];
  /** YYYY-MM-DD (UTC day analysed). */
  analysisDate: string;
  calculatedAt: string;
}

export interface UsagePatternQuery {
  datasourceId?: number;
  /** YYYY-MM-DD, inclusive. */
  from?: string;
  to?: string;
}

/** One UTC hour of query-API traffic of one datasource (from the hourly Redis counters, kept 8 days). */
export interface HourlyUsage {
  datasourceId: number;
  /** ISO timestamp of the hour's start. */
  hour: string;
  requests: number;
  hits: number;
  /** Percentage, null when there were no requests. */
  hitRate: number | null;
  /** Average query-API time in ms, null when there were no requests. */
  avgQueryTimeMs: number | null;
}

export interface RollupRequest {
  /** UTC day to analyse, YYYY-MM-DD; default yesterday. */
  date?: string;
}

// ---------------------------------------------------------------------------------------------
// Recommendations
// ---------------------------------------------------------------------------------------------

export const RECOMMENDATION_TYPES = ['ADJUST_TTL', 'WARMING_SCHEDULE', 'PREDICTIVE_WARMING', 'ADD_SOURCE_INDEX', 'DROP_UNUSED_INDEX', 'INCREASE_MEMORY'] as const;
export type RecommendationType = (typeof RECOMMENDATION_TYPES)[number];

export const RECOMMENDATION_PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type RecommendationPriority = (typeof RECOMMENDATION_PRIORITIES)[number];

export const IMPLEMENTATION_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'IMPLEMENTED'] as const;
export type ImplementationStatus = (typeof IMPLEMENTATION_STATUSES)[number];

export interface Recommendation {
  id: string;
  cacheStrategyId: string;
  datasourceId: number;
  datasourceName: string;
  recommendationType: RecommendationType;
  priority: RecommendationPriority;
  recommendationDescription: string;
  /** E.g. `{ warmSchedule: null }`, `{ stalenessTtlSeconds: 14400 }`, `{ indexName: null }`. */
  currentConfiguration: Record<string, unknown>;
  recommendedConfiguration: Record<string, unknown>;
  estimatedImprovement: number;
  /** What estimatedImprovement measures, e.g. `hit_rate_pct`, `query_time_ms`, `mb_freed`. */
  improvementMetric: string;
  implementationStatus: ImplementationStatus;
  /** What the recommendation is about within its datasource (one open recommendation per target). */
  targetKey: string;
  approvedBy: string | null;
  approvedAt: string | null;
  implementedAt: string | null;
  implementationNotes: string | null;
  createdBy: string;
  createdAt: string;
}

export interface RecommendationListQuery {
  status?: ImplementationStatus;
  datasourceId?: number;
  recommendationType?: RecommendationType;
  page?: number;
  pageSize?: number;
}

export interface RecommendationDecisionRequest {
  notes?: string;
}

export interface RecommendationGenerationResult {
  generatedAt: string;
  created: number;
  /** Rules that matched a target that already has an open recommendation. */
  alreadyOpen: number;
  ran: boolean;
}

// ---------------------------------------------------------------------------------------------
// Query performance
// ---------------------------------------------------------------------------------------------

export interface QueryPerformanceEntry {
  id: string;
  /** SHA-256 (64 hex) of the normalised query. */
  queryHash: string;
  /** The normalised query (literals replaced by `?`). */
  queryPattern: string;
  executionTimeMs: number;
  rowsExamined: number;
  rowsReturned: number;
  indexesUsed: string[] | null;
  executionPlan: unknown | null;
  usedIndex: boolean;
  isSlowQuery: boolean;
  slowQueryThresholdMs: number;
  databaseUser: string;
  /** E.g. `warming:ds:3`, `cold-fallback:ds:3`. */
  applicationContext: string | null;
  datasourceId: number | null;
  executedAt: string;
}

export interface QueryPerformanceWindowQuery {
  /** ISO timestamps; default the last 24 hours. */
  from?: string;
  to?: string;
  datasourceId?: number;
  limit?: number;
}

export interface QueryPatternSummary {
  queryHash: string;
  queryPattern: string;
  executions: number;
  totalTimeMs: number;
  avgTimeMs: number;
  maxTimeMs: number;
  slowExecutions: number;
  lastExecutedAt: string;
}

// ---------------------------------------------------------------------------------------------
// Index management
// ---------------------------------------------------------------------------------------------

export const INDEX_TYPES = ['BTREE', 'HASH', 'GIN', 'GIST', 'PARTIAL', 'COMPOSITE', 'FUNCTIONAL'] as const;
export type IndexType = (typeof INDEX_TYPES)[number];

export const INDEX_USAGE_PATTERNS = ['LOOKUP', 'RANGE_SCAN', 'SORT', 'JOIN', 'FULL_TEXT', 'ANALYTICS'] as const;
export type IndexUsagePattern = (typeof INDEX_USAGE_PATTERNS)[number];

export const MAINTENANCE_WINDOWS = ['IMMEDIATE', 'OFF_PEAK', 'WEEKEND', 'SCHEDULED'] as const;
export type MaintenanceWindow = (typeof MAINTENANCE_WINDOWS)[number];

export interface IndexStrategy {
  id: string;
  /** Schema-qualified table of a datasource, e.g. `demo_analytics.revenue_facts`. */
  tableName: string;
  indexName: string;
  indexType: IndexType;
  /** The CREATE INDEX statement the service built from the fields below (never user SQL). */
  indexDefinition: string;
  columns: string[];
  whereClause: string | null;
  usagePattern: IndexUsagePattern;
  maintenanceWindow: MaintenanceWindow;
  /** For SCHEDULED: when the index may be built. */
  scheduledAt: string | null;
  isCreated: boolean;
  isMonitoring: boolean;
  /** Set when "apply" was asked for and the window has not come yet. */
  applyRequestedAt: string | null;
  createdInDatabaseAt: string | null;
  lastError: string | null;
  /** True for indexes the collector found on a datasource table rather than ones created here. */
  discovered: boolean;
  createdBy: string;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
  isActive: boolean;
  latestUsage: IndexUsageStats | null;
}

export interface CreateIndexStrategyRequest {
  tableName: string;
  indexName: string;
  indexType: IndexType;
  columns: string[];
  /** PARTIAL only: a restricted predicate grammar (column op literal [AND …], column IS [NOT] NULL). */
  whereClause?: string | null;
  usagePattern: IndexUsagePattern;
  maintenanceWindow: MaintenanceWindow;
  scheduledAt?: string | null;
  isMonitoring?: boolean;
}

export type UpdateIndexStrategyRequest = Partial<Pick<CreateIndexStrategyRequest, 'usagePattern' | 'maintenanceWindow' | 'scheduledAt' | 'isMonitoring'>> & { isActive?: boolean };

export interface ApplyIndexResult {
  /** `created`: built now; `deferred`: will be built when the window opens at `windowOpensAt`; `exists`: already there. */
  status: 'created' | 'deferred' | 'exists';
  windowOpensAt: string | null;
  strategy: IndexStrategy;
}

export interface IndexUsageStats {
  id: string;
  indexStrategyId: string;
  tableName: string;
  indexName: string;
  totalScans: number;
  totalTuplesRead: number;
  totalTuplesFetched: number;
  avgScanTimeMs: number;
  selectivityRatio: number;
  indexSizeBytes: number;
  maintenanceCostScore: number;
  isRecommendedForDrop: boolean;
  isUnique: boolean;
  isPrimary: boolean;
  statsDate: string;
  lastAnalyzed: string;
}

export interface IndexUsageQuery {
  indexStrategyId?: string;
  tableName?: string;
  from?: string;
  to?: string;
}

export interface IndexCollectionResult {
  collectedAt: string;
  indexes: number;
  discovered: number;
  flaggedForDrop: number;
  ran: boolean;
}

// ---------------------------------------------------------------------------------------------
// Efficiency report (seed 004, phase 4)
// ---------------------------------------------------------------------------------------------

export interface DatasourceEfficiency {
  datasourceId: number;
  name: string;
  /** Per UTC day of the period, oldest first (from usage patterns; today from the live counters). */
  hitRateTrend: Array<{ date: string; hitRate: number | null; requests: number }>;
  currentHitRate: number | null;
  memoryBytes: number;
  cacheHits: number;
  /** Redis bytes held per cache hit served in the period; null without hits. */
  memoryPerHitBytes: number | null;
  warmsInPeriod: number;
  avgWarmSeconds: number | null;
  /** Σ warm durations in the period (time × frequency). */
  warmingCostSeconds: number;
  queriesServed: number;
  /** Queries answered per second of warming; null when nothing was warmed. */
  queriesPerWarmingSecond: number | null;
  verdict: 'EFFICIENT' | 'OK' | 'WASTEFUL' | 'UNUSED';
}

export interface EfficiencyReport {
  generatedAt: string;
  periodDays: number;
  from: string;
  to: string;
  datasources: DatasourceEfficiency[];
}

// ---------------------------------------------------------------------------------------------
// Periodic tasks (run by one replica under a Redis lease)
// ---------------------------------------------------------------------------------------------

export const MONITORING_TASKS = ['alert-evaluation', 'usage-rollup', 'recommendations', 'index-collection', 'index-apply', 'query-log-retention', 'cache-janitor'] as const;
export type MonitoringTask = (typeof MONITORING_TASKS)[number];
