const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** 1536 → "1.5 KB" (binary multiples, as Redis reports memory). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value >= 100 ? 0 : 1)} ${BYTE_UNITS[unit]}`;
}

/** 0.9123 → "91.2 %"; null → "—". */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(1)} %`;
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** A key's TTL: -1 no expiry, -2 gone. */
export function formatTtl(seconds: number): string {
  if (seconds === -1) return 'No expiry';
  if (seconds === -2) return 'Gone';
  if (seconds < 60) return `${seconds} s`;
  const parts: string[] = [];
  let rest = seconds;
  for (const [size, label] of [[86_400, 'd'], [3_600, 'h'], [60, 'min'], [1, 's']] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count} ${label}`);
    rest -= count * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

export const NAMESPACE_LABELS: Record<string, string> = {
  'analytics-entry': 'Analytics cache entries',
  'analytics-index': 'Analytics index sets',
  'analytics-meta': 'Live-generation pointers',
  'analytics-stats': 'Analytics counters',
  lock: 'Locks',
  queue: 'Queue keys',
  'rate-limit': 'Rate limits',
  lease: 'Leases',
  service: 'Service state',
  other: 'Other',
};
