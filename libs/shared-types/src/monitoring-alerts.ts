/** Monitoring: thresholds and alerts (seed 000's cache_performance_alert, seed 003's performance_threshold). */

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
  // change data capture (added by migration 1764700000000)
  'CDC_SLOT_LAG',
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
  {
    direction: ThresholdDirection;
    unit: ThresholdUnit;
    alertType: CacheAlertType;
    scope: 'datasource' | 'table' | 'database' | 'redis';
    description: string;
  }
> = {
  CACHE_HIT_RATIO: {
    direction: 'BELOW',
    unit: 'PERCENTAGE',
    alertType: 'HIT_RATE_LOW',
    scope: 'datasource',
    description: 'Cache hits per 100 query-API requests over the evaluation window',
  },
  QUERY_TIME: {
    direction: 'ABOVE',
    unit: 'MILLISECONDS',
    alertType: 'QUERY_TIME_HIGH',
    scope: 'datasource',
    description:
      'Average query-API response time of a datasource; with a table name, also the slow-query threshold of queries on that table',
  },
  CACHE_MEMORY_SHARE: {
    direction: 'ABOVE',
    unit: 'PERCENTAGE',
    alertType: 'MEMORY_USAGE_HIGH',
    scope: 'datasource',
    description: "A datasource's share of Redis memory (of maxmemory when set, else of used memory)",
  },
  CACHE_AGE: {
    direction: 'ABOVE',
    unit: 'PERCENTAGE',
    alertType: 'CACHE_STALE',
    scope: 'datasource',
    description: 'Age of the live generation as a percentage of the staleness TTL',
  },
  WARMING_FAILURES: {
    direction: 'ABOVE',
    unit: 'COUNT',
    alertType: 'WARMING_FAILED',
    scope: 'datasource',
    description: 'Failed warming jobs in the last 24 hours',
  },
  EVICTION_RATE: {
    direction: 'ABOVE',
    unit: 'COUNT',
    alertType: 'EVICTION_RATE_HIGH',
    scope: 'redis',
    description: 'Keys Redis evicted per minute since the previous evaluation',
  },
  INDEX_SCAN_RATIO: {
    direction: 'BELOW',
    unit: 'PERCENTAGE',
    alertType: 'INDEX_SCAN_RATIO_LOW',
    scope: 'table',
    description: 'Index scans per 100 scans of a table (pg_stat_user_tables)',
  },
  TABLE_SIZE: {
    direction: 'ABOVE',
    unit: 'BYTES',
    alertType: 'TABLE_SIZE_HIGH',
    scope: 'table',
    description: 'Total size of a table with its indexes (pg_total_relation_size)',
  },
  CONNECTION_COUNT: {
    direction: 'ABOVE',
    unit: 'COUNT',
    alertType: 'CONNECTION_COUNT_HIGH',
    scope: 'database',
    description: 'Connections to the database (pg_stat_activity)',
  },
  CDC_SLOT_LAG: {
    direction: 'ABOVE',
    unit: 'BYTES',
    alertType: 'CDC_SLOT_UNHEALTHY',
    scope: 'datasource',
    description:
      "WAL a CDC datasource's replication slot retains on the source; a slot found dropped, or given up for a full warm after passing CDC_MAX_LAG_BYTES, counts as critical for the alert window",
  },
  DEADLOCK_COUNT: {
    direction: 'ABOVE',
    unit: 'COUNT',
    alertType: 'DEADLOCK_COUNT_HIGH',
    scope: 'database',
    description: 'Deadlocks since the previous evaluation (pg_stat_database)',
  },
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
  // change data capture (added by migration 1764700000000)
  'CDC_SLOT_UNHEALTHY',
] as const;
export type CacheAlertType = (typeof CACHE_ALERT_TYPES)[number];

export const ALERT_SEVERITIES = ['INFO', 'WARNING', 'CRITICAL'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_STATUSES = ['ACTIVE', 'ACKNOWLEDGED', 'RESOLVED'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** One change in an alert's life, kept in order on the alert. */
export interface AlertEvent {
  at: string;
  /** REMEDIATION: a remediation rule acted (or, in dry-run, would have); `by` is `rule:<id>`. */
  event:
    | 'FIRED'
    | 'ESCALATED'
    | 'DEESCALATED'
    | 'ACKNOWLEDGED'
    | 'RESOLVED'
    | 'NOTIFIED'
    | 'NOTIFICATION_FAILED'
    | 'REMEDIATION';
  severity: AlertSeverity;
  actualValue: number | null;
  /** User who acted (acknowledge / manual resolve), `rule:<id>` for a remediation rule; null for the evaluator. */
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
