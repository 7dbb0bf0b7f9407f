import type { AlertSeverity, CacheAlert, CacheHealth, OverallCacheHealth } from '@ccc/shared-types';
import type { Tone } from '../../components/ui/Badge';
import { HEALTH_META, OVERALL_HEALTH_META } from '../analytics-cache/health';
import { ALERT_TYPE_LABELS } from './labels';

/**
 * One truth on the dashboard: the cache health the service computes (age, hit rate, coverage) and the alerts that are
 * open (active or acknowledged) are shown as one verdict — the worse of the two wins, and the verdict says why.
 */

export type OpenAlert = Pick<
  CacheAlert,
  'id' | 'datasourceId' | 'datasourceName' | 'severity' | 'alertType' | 'alertMessage' | 'alertStatus'
>;

const SEVERITY_RANK: Record<AlertSeverity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

/** Worst first; among equals, as given (the service lists newest first). */
export function bySeverity<T extends Pick<OpenAlert, 'severity'>>(alerts: readonly T[]): T[] {
  return [...alerts].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
}

export function alertsOf(alerts: readonly OpenAlert[], datasourceId: number): OpenAlert[] {
  return alerts.filter((alert) => alert.datasourceId === datasourceId);
}

/** "1 open alert", "2 open alerts". */
export function openAlertCount(count: number): string {
  return `${count} open alert${count === 1 ? '' : 's'}`;
}

/** "2 open alerts: Hit rate low (critical), Cache stale (warning)" — the kinds, worst first, once each. */
export function alertsReason(alerts: readonly OpenAlert[]): string | null {
  if (alerts.length === 0) return null;
  const kinds: string[] = [];
  for (const alert of bySeverity(alerts)) {
    const kind = `${ALERT_TYPE_LABELS[alert.alertType]} (${alert.severity.toLowerCase()})`;
    if (!kinds.includes(kind)) kinds.push(kind);
  }
  return `${openAlertCount(alerts.length)}: ${kinds.join(', ')}`;
}

export interface Verdict {
  label: string;
  tone: Tone;
  icon: string;
  /** Why, when open alerts decided it or weigh on it; null when the computed health stands alone. */
  reason: string | null;
  /** True when an open alert, not the computed health, decided the verdict. */
  byAlert: boolean;
}

const TONE_RANK: Record<Tone, number> = { neutral: 0, info: 0, ok: 0, warn: 1, error: 2 };
const ALERT_TONE: Record<AlertSeverity, Tone> = { INFO: 'info', WARNING: 'warn', CRITICAL: 'error' };

function worstSeverity(alerts: readonly OpenAlert[]): AlertSeverity | null {
  return bySeverity(alerts)[0]?.severity ?? null;
}

/** The overall cache health with the open alerts: a critical alert makes it Critical, a warning at least Degraded. */
export function overallVerdict(
  overall: OverallCacheHealth,
  alerts: readonly OpenAlert[],
): Verdict & { level: OverallCacheHealth } {
  const worst = worstSeverity(alerts);
  const fromAlerts: OverallCacheHealth | null =
    worst === 'CRITICAL' ? 'critical' : worst === 'WARNING' ? 'degraded' : null;
  const order: OverallCacheHealth[] = ['excellent', 'good', 'degraded', 'critical'];
  const level = fromAlerts !== null && order.indexOf(fromAlerts) > order.indexOf(overall) ? fromAlerts : overall;
  const meta = OVERALL_HEALTH_META[level];
  return {
    level,
    label: meta.label,
    tone: meta.tone,
    icon: '',
    reason: alertsReason(alerts),
    byAlert: level !== overall,
  };
}

/**
 * One datasource's card: its cache health, unless an open alert on it is worse (a warning outranks Excellent and
 * Good; a critical alert outranks everything, Cold included, as the more specific statement).
 */
export function datasourceVerdict(health: CacheHealth, alerts: readonly OpenAlert[]): Verdict {
  const meta = HEALTH_META[health];
  const worst = worstSeverity(alerts);
  const reason = alertsReason(alerts);
  if (
    worst !== null &&
    worst !== 'INFO' &&
    (worst === 'CRITICAL' || TONE_RANK[ALERT_TONE[worst]] > TONE_RANK[meta.tone])
  ) {
    return {
      label: worst === 'CRITICAL' ? 'Critical' : 'Warning',
      tone: ALERT_TONE[worst],
      icon: worst === 'CRITICAL' ? '✕' : '⚠',
      reason,
      byAlert: true,
    };
  }
  return { label: meta.label, tone: meta.tone, icon: meta.icon, reason, byAlert: false };
}
