/**
 * Every number, size, duration and time the dashboard shows, in one place. A missing value
 * (null, undefined, NaN) shows as "—" wherever a formatter accepts one.
 */

const DASH = '—';
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

function isNumber(value: number | null | undefined): value is number {
  return value !== null && value !== undefined && Number.isFinite(value);
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

/** 12458 → "12,458" */
export function formatCount(value: number | null | undefined): string {
  return isNumber(value) ? integer.format(value) : DASH;
}

/** 3.14159 → "3.14" (at most `digits` decimals). */
export function formatNumber(value: number | null | undefined, digits = 2): string {
  if (!isNumber(value)) return DASH;
  return digits === 0
    ? integer.format(value)
    : new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(value);
}

/** 812 → "812", 42300 → "42.3k", 1250000 → "1.3M" (summary cards). */
export function formatCompact(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1_000_000) return `${oneDecimal.format(value / 1_000_000)}M`;
  if (abs >= 1_000) return `${oneDecimal.format(value / 1_000)}k`;
  return integer.format(value);
}

/**
 * A percentage on the 0–100 scale, as the API reports hit rates: 99.24 → "99.2%". A ratio (0–1, as
 * Redis statistics report shares) goes through `ratioToPercent` first.
 */
export function formatPercent(percent: number | null | undefined, digits = 1): string {
  return isNumber(percent) ? `${formatNumber(percent, digits)}%` : DASH;
}

/**
 * The service's one hit rate (a `HitRate`: percent over a named window): "94.5%", or "no traffic" when the window
 * holds no request — never "0%" or "—" for a datasource nobody queried. Every page that shows a hit rate for "now"
 * goes through here, so the same datasource reads the same everywhere.
 */
export function formatHitRate(hitRate: { percent: number | null } | null | undefined): string {
  if (!hitRate) return DASH;
  return hitRate.percent === null ? 'no traffic' : formatPercent(hitRate.percent);
}

/** 0.9123 → 91.23, for `formatPercent`. */
export function ratioToPercent(ratio: number | null | undefined): number | null {
  return isNumber(ratio) ? ratio * 100 : null;
}

// ---------------------------------------------------------------------------------------------
// Sizes
// ---------------------------------------------------------------------------------------------

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** 1536 → "1.5 KB" (binary multiples, as Redis reports memory). */
export function formatBytes(bytes: number | null | undefined): string {
  if (!isNumber(bytes) || bytes < 0) return DASH;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value >= 100 ? 0 : 1)} ${BYTE_UNITS[unit]}`;
}

/** 45.23 → "45.2 MB", 186.4 → "186 MB", 0.04 → "<0.1 MB" (the cache statistics count in MB). */
export function formatMemoryMB(megabytes: number): string {
  if (megabytes > 0 && megabytes < 0.1) return '<0.1 MB';
  return `${megabytes >= 100 ? integer.format(megabytes) : oneDecimal.format(megabytes)} MB`;
}

// ---------------------------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------------------------

/** Small times without rounding them to zero: 0.004 → "0.004 ms", 2.137 → "2.14 ms", 812.44 → "812.4 ms". */
export function formatMillis(value: number | null | undefined): string {
  if (!isNumber(value)) return DASH;
  return `${formatNumber(value, value < 0.1 ? 3 : value < 10 ? 2 : 1)} ms`;
}

const UNITS = [
  { seconds: 86_400, label: 'd', unit: 'day' },
  { seconds: 3_600, label: 'h', unit: 'hour' },
  { seconds: 60, label: 'min', unit: 'minute' },
  { seconds: 1, label: 's', unit: 'second' },
] as const;

/** 14400 → "4 h", 5400 → "1 h 30 min", 90061 → "1 d 1 h" (two largest units at most). */
export function formatDuration(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds) || totalSeconds < 0) return DASH;
  if (totalSeconds === 0) return '0 s';
  const parts: string[] = [];
  let rest = Math.round(totalSeconds);
  for (const unit of UNITS) {
    const count = Math.floor(rest / unit.seconds);
    if (count > 0) {
      parts.push(`${count} ${unit.label}`);
      rest -= count * unit.seconds;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** Durations that may be under a second: 0.284 → "0.28 s", 12.3 → "12.3 s", 5400 → "1 h 30 min". */
export function formatSeconds(value: number | null | undefined): string {
  if (!isNumber(value) || value < 0) return DASH;
  if (value === 0) return '0 s';
  if (value < 60) return `${formatNumber(value, value < 10 ? 2 : 1)} s`;
  return formatDuration(value);
}

/** A Redis key's TTL in seconds: -1 no expiry, -2 gone, else "1 h 1 min". */
export function formatTtl(seconds: number): string {
  if (seconds === -1) return 'No expiry';
  if (seconds === -2) return 'Gone';
  return formatDuration(seconds);
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** In words, for sentences: 32 → "32 seconds", 75 → "1 minute 15 seconds", 7380 → "2 hours 3 minutes". */
export function formatSpan(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds) || totalSeconds < 0) return DASH;
  let rest = Math.round(totalSeconds);
  if (rest === 0) return 'less than a second';
  const parts: string[] = [];
  for (const { seconds, unit } of UNITS) {
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

// ---------------------------------------------------------------------------------------------
// Times
// ---------------------------------------------------------------------------------------------

/** "45 seconds ago", "1 hour ago", "in 2 hours"; the largest unit only. */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const time = new Date(iso).getTime();
  if (Number.isNaN(time)) return iso;
  const diffSeconds = Math.round((now - time) / 1000);
  const abs = Math.abs(diffSeconds);
  if (abs < 5) return 'just now';
  const span = UNITS.find(({ seconds }) => abs >= seconds) ?? { seconds: 1, unit: 'second' };
  const text = plural(Math.floor(abs / span.seconds), span.unit);
  return diffSeconds >= 0 ? `${text} ago` : `in ${text}`;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** In the browser's time zone and locale. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}

const utcDateTime = new Intl.DateTimeFormat('en-GB', {
  day: '2-digit',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZone: 'UTC',
});

/** A timestamp in UTC, for pages whose hours are UTC: "05 Mar 2025, 14:03:21 UTC". */
export function formatUtcDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${utcDateTime.format(date)} UTC`;
}

/** "14:00" for a UTC hour. */
export function hourLabel(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}

/** A UTC calendar day, YYYY-MM-DD (what the usage roll-up analyses); today by default. */
export function utcDay(date: Date = new Date()): string {
  return date.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/** "DS #3: Operational Metrics", or "DS #3" when the name is unknown. */
export function datasourceLabel(id: number, name?: string | null): string {
  return name ? `DS #${id}: ${name}` : `DS #${id}`;
}
