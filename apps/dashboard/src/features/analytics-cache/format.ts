import type { CacheHealth, JobStatus, OverallCacheHealth } from '@ccc/shared-types';
import { ApiError } from '../../lib/api-client';
import { errorMessage } from '../../lib/query-client';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** 12458 → "12,458" */
export function formatCount(value: number): string {
  return integer.format(value);
}

/** 812 → "812", 42300 → "42.3k", 1250000 → "1.3M" (summary cards). */
export function formatCompact(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1_000_000) return `${oneDecimal.format(value / 1_000_000)}M`;
  if (abs >= 1_000) return `${oneDecimal.format(value / 1_000)}k`;
  return integer.format(value);
}

/** 45.23 → "45.2 MB", 186.4 → "186 MB", 0.04 → "<0.1 MB". */
export function formatMemoryMB(megabytes: number): string {
  if (megabytes > 0 && megabytes < 0.1) return '<0.1 MB';
  return `${megabytes >= 100 ? integer.format(megabytes) : oneDecimal.format(megabytes)} MB`;
}

/** Hit rates are percentages (0–100): 99.24 → "99.2%". */
export function formatPercent(percent: number): string {
  return `${oneDecimal.format(percent)}%`;
}

export function formatMs(ms: number): string {
  return `${oneDecimal.format(ms)} ms`;
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

const SPANS = [
  { seconds: 86_400, unit: 'day' },
  { seconds: 3_600, unit: 'hour' },
  { seconds: 60, unit: 'minute' },
  { seconds: 1, unit: 'second' },
] as const;

/** 32 → "32 seconds", 75 → "1 minute 15 seconds", 7380 → "2 hours 3 minutes" (two largest units). */
export function formatSpan(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds) || totalSeconds < 0) return '—';
  let rest = Math.round(totalSeconds);
  if (rest === 0) return 'less than a second';
  const parts: string[] = [];
  for (const { seconds, unit } of SPANS) {
    const count = Math.floor(rest / seconds);
    if (count > 0) {
      parts.push(plural(count, unit));
      rest -= count * seconds;
    } else if (parts.length > 0) {
      break;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** "45 seconds ago", "1 hour ago", "in 2 hours"; the largest unit only. */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const time = new Date(iso).getTime();
  if (Number.isNaN(time)) return iso;
  const diffSeconds = Math.round((now - time) / 1000);
  const abs = Math.abs(diffSeconds);
  if (abs < 5) return 'just now';
  const span = SPANS.find(({ seconds }) => abs >= seconds) ?? SPANS[SPANS.length - 1]!;
  const text = plural(Math.floor(abs / span.seconds), span.unit);
  return diffSeconds >= 0 ? `${text} ago` : `in ${text}`;
}

export const HEALTH_META: Record<CacheHealth, { label: string; icon: string; tone: 'ok' | 'warn' | 'error' }> = {
  excellent: { label: 'Excellent', icon: '⚡', tone: 'ok' },
  good: { label: 'Good', icon: '✓', tone: 'ok' },
  degraded: { label: 'Degraded', icon: '⚠', tone: 'warn' },
  stale: { label: 'Stale', icon: '⚠', tone: 'warn' },
  cold: { label: 'Cold', icon: '✕', tone: 'error' },
};

export const OVERALL_HEALTH_META: Record<OverallCacheHealth, { label: string; tone: 'ok' | 'warn' | 'error' }> = {
  excellent: { label: 'Excellent', tone: 'ok' },
  good: { label: 'Good', tone: 'ok' },
  degraded: { label: 'Degraded', tone: 'warn' },
  critical: { label: 'Critical', tone: 'error' },
};

export const JOB_STATUS_META: Record<JobStatus, { label: string; tone: 'ok' | 'warn' | 'error' | 'neutral' | 'info' }> = {
  PENDING: { label: 'Pending', tone: 'neutral' },
  RUNNING: { label: 'Running', tone: 'info' },
  PAUSED: { label: 'Paused', tone: 'warn' },
  COMPLETED: { label: 'Completed', tone: 'ok' },
  FAILED: { label: 'Failed', tone: 'error' },
  CANCELLED: { label: 'Cancelled', tone: 'neutral' },
};

export function datasourceLabel(id: number, name?: string | null): string {
  return name ? `DS #${id}: ${name}` : `DS #${id}`;
}

/**
 * A failed warm or invalidation, in words a user can act on: a 429 says how long to wait
 * (from `Retry-After`) instead of the generic "too many requests".
 */
export function actionErrorMessage(error: unknown, action: 'warming' | 'invalidation'): string {
  if (error instanceof ApiError && error.status === 429) {
    const limit = action === 'warming' ? '10 warm requests' : '20 invalidations';
    const wait =
      error.retryAfterSeconds !== undefined ? ` Try again in ${formatSpan(Math.max(1, error.retryAfterSeconds))}.` : ' Try again later.';
    return `Rate limit reached: you can make ${limit} per hour.${wait}`;
  }
  return errorMessage(error);
}
