import type {
  AlertSeverity,
  AlertStatus,
  AlertWebhookPayload,
  ThresholdDirection,
  ThresholdMetricType,
  ThresholdUnit,
} from '@ccc/shared-types';
import { THRESHOLD_METRICS } from '@ccc/shared-types';
import { HIT_RATE_WINDOW_LABEL } from '../analytics-cache/hit-rate.js';

/** The parts of a threshold that decide a severity. */
export interface Levels {
  warning: number;
  critical: number;
  direction: ThresholdDirection;
}

const RANK: Record<AlertSeverity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

/**
 * The severity a value reaches: a level counts as crossed when the value reaches it (so 1 failed warm
 * against a warning level of 1 warns). Null = within thresholds.
 */
export function severityOf(value: number, levels: Levels): AlertSeverity | null {
  const reaches = (level: number): boolean => (levels.direction === 'ABOVE' ? value >= level : value <= level);
  if (reaches(levels.critical)) return 'CRITICAL';
  if (reaches(levels.warning)) return 'WARNING';
  return null;
}

export const levelOf = (severity: AlertSeverity, levels: Levels): number =>
  severity === 'CRITICAL' ? levels.critical : levels.warning;

/** What the open alert of one (layer, strategy, type) is, as far as the lifecycle cares. */
export interface OpenAlertState {
  status: Exclude<AlertStatus, 'RESOLVED'>;
  severity: AlertSeverity;
  triggeredAt: Date;
  lastNotifiedAt: Date | null;
  /** The highest severity a notification was queued for (null: none, e.g. no webhook). */
  notifiedSeverity: AlertSeverity | null;
  /** The severity the alert had when it was acknowledged (null unless ACKNOWLEDGED). */
  acknowledgedSeverity: AlertSeverity | null;
}

export type Transition =
  | { kind: 'none' }
  | { kind: 'fire'; severity: AlertSeverity; notify: true }
  /** notify false: back up to a severity people were already told about or acknowledged (a flap): no page, the acknowledgement stays. */
  | { kind: 'escalate'; severity: AlertSeverity; notify: boolean }
  | { kind: 'deescalate'; severity: AlertSeverity; notify: false }
  | { kind: 'unchanged'; severity: AlertSeverity; repeat: boolean }
  | { kind: 'resolve'; notify: true };

export const higherSeverity = (a: AlertSeverity | null, b: AlertSeverity | null): AlertSeverity | null =>
  a === null ? b : b === null ? a : RANK[a] >= RANK[b] ? a : b;

/**
 * The highest severity people already know of for an open alert: notified, or acknowledged while it is
 * ACKNOWLEDGED; without either (no webhook, not acknowledged), its current severity.
 */
export function knownSeverity(open: OpenAlertState): AlertSeverity {
  return (
    higherSeverity(open.notifiedSeverity, open.status === 'ACKNOWLEDGED' ? open.acknowledgedSeverity : null) ??
    open.severity
  );
}

/**
 * One evaluation of one metric against its open alert (if any):
 * breach without an open alert fires; a worse severity escalates — with a notification (and an acknowledged
 * alert becoming active again) only when it is worse than anything already notified or acknowledged, so a
 * metric flapping CRITICAL → WARNING → CRITICAL pages once; a better one that still breaches de-escalates
 * quietly; recovery resolves. An ACTIVE alert that has not been notified for `repeatMs` is notified again;
 * an acknowledged one never is.
 */
export function decide(
  open: OpenAlertState | null,
  breach: AlertSeverity | null,
  now: Date,
  repeatMs: number | null,
): Transition {
  if (!open) return breach ? { kind: 'fire', severity: breach, notify: true } : { kind: 'none' };
  if (!breach) return { kind: 'resolve', notify: true };
  if (RANK[breach] > RANK[open.severity])
    return { kind: 'escalate', severity: breach, notify: RANK[breach] > RANK[knownSeverity(open)] };
  if (RANK[breach] < RANK[open.severity]) return { kind: 'deescalate', severity: breach, notify: false };
  const since = (open.lastNotifiedAt ?? open.triggeredAt).getTime();
  const repeat = repeatMs !== null && open.status === 'ACTIVE' && now.getTime() - since >= repeatMs;
  return { kind: 'unchanged', severity: breach, repeat };
}

const round1 = (value: number): string => (Math.round(value * 10) / 10).toFixed(1);

function bytes(value: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let scaled = value;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(scaled)} B` : `${round1(scaled)} ${units[unit]}`;
}

/**
 * A value with its unit, e.g. `42%`, `94.5%`, `312.4 ms`, `1.2 GB`, `3`. Percentages read as the dashboard writes
 * them (at most one decimal, none when whole), so an alert's hit rate is the same text as on the cache pages.
 */
export function formatValue(unit: ThresholdUnit, value: number, exact = false): string {
  const number = exact ? String(Math.round(value * 10_000) / 10_000) : round1(value);
  switch (unit) {
    case 'PERCENTAGE':
      return `${exact ? number : String(Math.round(value * 10) / 10)}%`;
    case 'MILLISECONDS':
      return `${number} ms`;
    case 'BYTES':
      return bytes(value);
    case 'COUNT':
      return Number.isInteger(value) ? String(value) : round1(value);
    case 'RATIO':
      return number;
  }
}

/** What was measured, for messages: the datasource or table, and what the metric says about it. */
export interface MetricSubject {
  datasourceName: string | null;
  tableName: string | null;
}

function describe(metric: ThresholdMetricType, subject: MetricSubject, value: string): string {
  const ds = subject.datasourceName ?? 'the datasource';
  const table = subject.tableName ?? 'the table';
  switch (metric) {
    case 'CACHE_HIT_RATIO':
      return `Hit rate of ${ds} (${HIT_RATE_WINDOW_LABEL}) is ${value}`;
    case 'QUERY_TIME':
      return `Average query time of ${ds} is ${value}`;
    case 'CACHE_MEMORY_SHARE':
      return `${ds} holds ${value} of Redis memory`;
    case 'CACHE_AGE':
      return `Cache of ${ds} is ${value} of its staleness TTL old`;
    case 'WARMING_FAILURES':
      return `${value} warming job(s) of ${ds} failed in the last 24 h`;
    case 'EVICTION_RATE':
      return `Redis evicts ${value} keys per minute`;
    case 'INDEX_SCAN_RATIO':
      return `Index scans are ${value} of the scans of ${table}${subject.datasourceName ? ` (${subject.datasourceName})` : ''}`;
    case 'TABLE_SIZE':
      return `Table ${table}${subject.datasourceName ? ` (${subject.datasourceName})` : ''} is ${value}`;
    case 'CONNECTION_COUNT':
      return `The database has ${value} connections`;
    case 'DEADLOCK_COUNT':
      return `${value} deadlock(s) since the previous evaluation`;
    case 'CDC_SLOT_LAG':
      return `The replication slot of ${ds} retains ${value} of WAL, or was dropped or given up for a full warm`;
  }
}

/** E.g. "Hit rate of Revenue Analytics is 42.0 % (warning below 60 %)". */
export function alertMessage(
  metric: ThresholdMetricType,
  subject: MetricSubject,
  value: number,
  severity: AlertSeverity,
  levels: Levels,
): string {
  const { unit } = THRESHOLD_METRICS[metric];
  const crossed = levelOf(severity, levels);
  // Reaching a level counts as crossing it: "at" reads right for 1 failed warm against a level of 1.
  const side = value === crossed ? 'at' : levels.direction === 'ABOVE' ? 'above' : 'below';
  const level = formatValue(unit, crossed, true);
  return `${describe(metric, subject, formatValue(unit, value))} (${severity.toLowerCase()} ${side} ${level})`;
}

/** E.g. "Hit rate of Revenue Analytics is back at 91.0 % (warning below 60 %)". */
export function recoveryMessage(
  metric: ThresholdMetricType,
  subject: MetricSubject,
  value: number,
  levels: Levels,
): string {
  const { unit } = THRESHOLD_METRICS[metric];
  const side = levels.direction === 'ABOVE' ? 'above' : 'below';
  return `Recovered: ${describe(metric, subject, formatValue(unit, value))} (warning ${side} ${formatValue(unit, levels.warning, true)})`;
}

const EMOJI: Record<AlertSeverity, string> = {
  CRITICAL: ':rotating_light:',
  WARNING: ':warning:',
  INFO: ':information_source:',
};

/** The Slack line, e.g. ":rotating_light: CRITICAL HIT_RATE_LOW — Hit rate of … (critical below 30 %)". */
export function webhookText(
  event: AlertWebhookPayload['event'],
  alert: AlertWebhookPayload['alert'],
  detail?: string,
): string {
  const message = detail ?? alert.alertMessage;
  switch (event) {
    case 'FIRED':
      return `${EMOJI[alert.severity]} ${alert.severity} ${alert.alertType} — ${message}`;
    case 'ESCALATED':
      return `${EMOJI[alert.severity]} ${alert.severity} ${alert.alertType} (escalated) — ${message}`;
    case 'REPEAT':
      return `${EMOJI[alert.severity]} ${alert.severity} ${alert.alertType} (still active since ${alert.triggeredAt}) — ${message}`;
    case 'RESOLVED':
      return `:white_check_mark: RESOLVED ${alert.alertType} — ${message}`;
  }
}
