import {
  THRESHOLD_METRICS,
  THRESHOLD_UNITS,
  type AccessPattern,
  type AlertSeverity,
  type AlertStatus,
  type CacheAlert,
  type CacheAlertType,
  type DatasourceEfficiency,
  type ForecastMethod,
  type ImplementationStatus,
  type RecommendationPriority,
  type RecommendationType,
  type ThresholdMetricType,
  type ThresholdUnit,
} from '@ccc/shared-types';
import type { Tone } from '../../components/ui/Badge';
import { formatBytes, formatHitRate, formatNumber, formatSeconds } from '../../lib/format';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const upToThreeDecimals = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

export const UNIT_LABELS: Record<ThresholdUnit, string> = {
  MILLISECONDS: 'ms',
  PERCENTAGE: '%',
  COUNT: 'count',
  BYTES: 'bytes',
  RATIO: 'ratio',
};

/** A threshold or measured value in its unit: 85 % → "85%", 1048576 bytes → "1.0 MB (1,048,576 bytes)". */
export function formatInUnit(value: number | null | undefined, unit: ThresholdUnit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'PERCENTAGE':
      return `${upToThreeDecimals.format(value)}%`;
    case 'MILLISECONDS':
      return `${upToThreeDecimals.format(value)} ms`;
    case 'BYTES':
      return value >= 1024
        ? `${formatBytes(value)} (${integer.format(value)} bytes)`
        : `${integer.format(value)} bytes`;
    case 'COUNT':
      return upToThreeDecimals.format(value);
    case 'RATIO':
      return upToThreeDecimals.format(value);
  }
}

const UNIT_OF_ALERT_TYPE = new Map<CacheAlertType, ThresholdUnit>(
  Object.values(THRESHOLD_METRICS).map((m) => [m.alertType, m.unit]),
);

/** The unit an alert's values are in: the one the evaluator recorded, else its metric's. */
export function alertUnit(alert: Pick<CacheAlert, 'alertType' | 'alertContext'>): ThresholdUnit | null {
  const recorded = alert.alertContext?.unit;
  if (typeof recorded === 'string' && (THRESHOLD_UNITS as readonly string[]).includes(recorded))
    return recorded as ThresholdUnit;
  return UNIT_OF_ALERT_TYPE.get(alert.alertType) ?? null;
}

/** An alert's actual or threshold value in its unit; `compact` drops the exact byte count (for tables). */
export function formatAlertValue(
  value: number | null | undefined,
  unit: ThresholdUnit | null,
  compact = false,
): string {
  if (unit === null) return formatNumber(value);
  if (compact && unit === 'BYTES' && value !== null && value !== undefined && Number.isFinite(value) && value >= 1024)
    return formatBytes(value);
  return formatInUnit(value, unit);
}

/**
 * An alert's measured value; a hit rate exactly as the cache pages show the same figure (formatHitRate), so that a
 * datasource reads the same on every page.
 */
export function formatAlertActual(
  alert: Pick<CacheAlert, 'alertType' | 'alertContext' | 'actualValue'>,
  compact = false,
): string {
  if (alert.alertType === 'HIT_RATE_LOW') return formatHitRate({ percent: alert.actualValue });
  return formatAlertValue(alert.actualValue, alertUnit(alert), compact);
}

/** Whether a logged query is the service's own warming read (a full read of the table, sequential by design). */
export function isWarmingRead(applicationContext: string | null): boolean {
  return applicationContext?.startsWith('warming:') ?? false;
}

/** "Warming read (service)", "Cold-cache answer": what ran the query, for people; the raw context stays in a tooltip. */
export function queryContextLabel(applicationContext: string | null): string {
  if (!applicationContext) return '—';
  if (isWarmingRead(applicationContext)) return 'Warming read (service)';
  if (applicationContext.startsWith('cold-fallback:')) return 'Cold-cache answer';
  return applicationContext;
}

export const METRIC_LABELS: Record<ThresholdMetricType, string> = {
  CACHE_HIT_RATIO: 'Cache hit rate',
  QUERY_TIME: 'Query time',
  CACHE_MEMORY_SHARE: 'Cache memory share',
  CACHE_AGE: 'Cache age',
  WARMING_FAILURES: 'Warming failures',
  EVICTION_RATE: 'Eviction rate',
  INDEX_SCAN_RATIO: 'Index scan ratio',
  TABLE_SIZE: 'Table size',
  CONNECTION_COUNT: 'Connection count',
  DEADLOCK_COUNT: 'Deadlocks',
  CDC_SLOT_LAG: 'Replication slot lag',
};

export const ALERT_TYPE_LABELS: Record<CacheAlertType, string> = {
  HIT_RATE_LOW: 'Hit rate low',
  QUERY_TIME_HIGH: 'Query time high',
  MEMORY_USAGE_HIGH: 'Memory usage high',
  CACHE_STALE: 'Cache stale',
  WARMING_FAILED: 'Warming failed',
  EVICTION_RATE_HIGH: 'Eviction rate high',
  INDEX_SCAN_RATIO_LOW: 'Index scan ratio low',
  TABLE_SIZE_HIGH: 'Table size high',
  CONNECTION_COUNT_HIGH: 'Connections high',
  DEADLOCK_COUNT_HIGH: 'Deadlocks',
  CDC_SLOT_UNHEALTHY: 'Replication slot unhealthy',
};

export const SEVERITY_META: Record<AlertSeverity, { label: string; tone: Tone }> = {
  CRITICAL: { label: 'Critical', tone: 'error' },
  WARNING: { label: 'Warning', tone: 'warn' },
  INFO: { label: 'Info', tone: 'info' },
};

export const ALERT_STATUS_META: Record<AlertStatus, { label: string; tone: Tone }> = {
  ACTIVE: { label: 'Active', tone: 'error' },
  ACKNOWLEDGED: { label: 'Acknowledged', tone: 'warn' },
  RESOLVED: { label: 'Resolved', tone: 'ok' },
};

export const RECOMMENDATION_TYPE_LABELS: Record<RecommendationType, string> = {
  ADJUST_TTL: 'Adjust TTL',
  WARMING_SCHEDULE: 'Warming schedule',
  PREDICTIVE_WARMING: 'Predictive warming',
  ADD_SOURCE_INDEX: 'Add source index',
  DROP_UNUSED_INDEX: 'Drop unused index',
  INCREASE_MEMORY: 'Increase memory',
};

export const PRIORITY_META: Record<RecommendationPriority, { label: string; tone: Tone }> = {
  CRITICAL: { label: 'Critical', tone: 'error' },
  HIGH: { label: 'High', tone: 'warn' },
  MEDIUM: { label: 'Medium', tone: 'info' },
  LOW: { label: 'Low', tone: 'neutral' },
};

export const IMPLEMENTATION_STATUS_META: Record<ImplementationStatus, { label: string; tone: Tone }> = {
  PENDING: { label: 'Pending', tone: 'info' },
  APPROVED: { label: 'Approved', tone: 'warn' },
  REJECTED: { label: 'Rejected', tone: 'neutral' },
  IMPLEMENTED: { label: 'Implemented', tone: 'ok' },
};

export const ACCESS_PATTERN_LABELS: Record<AccessPattern, string> = {
  IDLE: 'Idle',
  STEADY: 'Steady',
  PEAKED: 'Peaked',
  BURSTY: 'Bursty',
};

export const VERDICT_META: Record<DatasourceEfficiency['verdict'], { label: string; tone: Tone }> = {
  EFFICIENT: { label: 'Efficient', tone: 'ok' },
  OK: { label: 'OK', tone: 'info' },
  WASTEFUL: { label: 'Wasteful', tone: 'warn' },
  UNUSED: { label: 'Unused', tone: 'neutral' },
};

/** What `estimatedImprovement` measures, for people: `hit_rate_pct` → "percentage points of hit rate". */
export function formatImprovement(value: number, metric: string): string {
  switch (metric) {
    case 'hit_rate_pct':
      return `+${formatNumber(value, 1)} pp hit rate`;
    case 'peak_hit_rate_pct':
      return `+${formatNumber(value, 1)} pp peak hit rate`;
    case 'staleness_seconds_reduced':
      return `staleness reported ${formatSeconds(value)} sooner`;
    case 'warms_per_day_saved':
      return `${formatNumber(value, 1)} fewer warms per day`;
    case 'memory_headroom_pct':
      return `+${formatNumber(value, 1)} pp memory headroom`;
    case 'query_time_ms':
      return `−${formatNumber(value, 1)} ms query time`;
    case 'bytes_freed':
      return `${formatBytes(value)} freed`;
    case 'mb_freed':
      return `${formatBytes(value * 1024 * 1024)} freed`;
    default:
      return `${formatNumber(value, 2)} ${metric.replace(/_/g, ' ')}`;
  }
}

export const FORECAST_METHOD_LABELS: Record<ForecastMethod, string> = {
  WEEKLY_SEASONAL: 'Holt-Winters, daily and weekly seasonality',
  DAILY_SEASONAL: 'Holt-Winters, daily seasonality (under 2 weeks of history)',
  SEASONAL_NAIVE: 'The only day of history, repeated',
  MEAN: 'The mean hour (under a day of history)',
};
