import type { AccessPattern, UsagePattern } from '@ccc/shared-types';
import { utcDay } from '../common/time-window.js';

/**
 * The maths of a daily usage pattern: pure functions over one UTC day's 24 hourly request and hit counts.
 *
 * Peak window: the busiest hour (the earliest one on ties), widened hour by hour to either side while the
 * neighbouring hour carries at least PEAK_SHARE_OF_BUSIEST of the busiest hour's requests. The window stays
 * inside the day (it does not wrap at midnight), so peakHourStart ≤ peakHourEnd.
 *
 * Access pattern:
 * - IDLE: no requests all day.
 * - PEAKED: at least MIN_REQUESTS_FOR_SHAPE requests; the window is at most MAX_PEAK_HOURS long; it carries at
 *   least PEAK_CONCENTRATION times the share of the day a uniform load would give it (3 hours → 3/24 = 12.5 %,
 *   so ≥ 37.5 %); and no hour outside it comes near the busiest hour (each < PEAK_SHARE_OF_BUSIEST of it),
 *   so there is one peak, not several.
 * - BURSTY: not PEAKED, and either too few requests to call a shape (< MIN_REQUESTS_FOR_SHAPE) or uneven
 *   traffic: the hourly coefficient of variation (standard deviation / mean) exceeds BURSTY_VARIATION.
 * - STEADY: everything else (traffic spread over the day).
 *
 * Optimal TTL (the datasource's staleness TTL the day suggests), clamped to [5 min, 7 days]:
 * - PEAKED: one warm PREDICTIVE_LEAD_SECONDS before the peak must keep the cache fresh through the whole peak
 *   window plus a margin: lead + window hours × 3600 + PEAK_MARGIN_SECONDS (3-hour peak → 4.5 h).
 * - STEADY, BURSTY, IDLE: the current staleness TTL. Entries in this cache do not expire by themselves (a miss
 *   means the cache was cold or invalidated, not that an entry timed out), so a steady day's hit rate says
 *   nothing about the TTL being too short or too long; without evidence the current choice stands.
 */
export const PEAK_SHARE_OF_BUSIEST = 0.5;
export const MAX_PEAK_HOURS = 8;
export const PEAK_CONCENTRATION = 3;
export const MIN_REQUESTS_FOR_SHAPE = 24;
export const BURSTY_VARIATION = 1;
export const PREDICTIVE_LEAD_SECONDS = 30 * 60;
export const PEAK_MARGIN_SECONDS = 3600;
export const MIN_TTL_SECONDS = 5 * 60;
export const MAX_TTL_SECONDS = 7 * 86_400;

/** What a day's counters say: the figures of a usage pattern. */
export type DayAnalysis = Pick<
  UsagePattern,
  | 'accessPattern'
  | 'peakHourStart'
  | 'peakHourEnd'
  | 'averageHitRate'
  | 'peakHitRate'
  | 'optimalTtlSeconds'
  | 'dailyRequests'
  | 'dailyCacheHits'
  | 'hourlyRequests'
  | 'hourlyHits'
>;

export const round2 = (value: number): number => Math.round(value * 100) / 100;
const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
const rate = (hits: number, requests: number): number =>
  requests === 0 ? 0 : round2(Math.min(100, (hits / requests) * 100));
export const clampTtl = (seconds: number): number =>
  Math.min(MAX_TTL_SECONDS, Math.max(MIN_TTL_SECONDS, Math.round(seconds)));

/** The contiguous hours around the busiest one that carry ≥ PEAK_SHARE_OF_BUSIEST of its requests. */
export function peakWindow(hourlyRequests: number[]): { start: number; end: number } {
  const max = Math.max(...hourlyRequests);
  const busiest = hourlyRequests.indexOf(max);
  if (max <= 0) return { start: 0, end: 0 };
  const floor = max * PEAK_SHARE_OF_BUSIEST;
  let start = busiest;
  let end = busiest;
  while (start > 0 && hourlyRequests[start - 1] >= floor) start -= 1;
  while (end < hourlyRequests.length - 1 && hourlyRequests[end + 1] >= floor) end += 1;
  return { start, end };
}

export function classify(hourlyRequests: number[], window: { start: number; end: number }): AccessPattern {
  const total = sum(hourlyRequests);
  if (total === 0) return 'IDLE';
  const mean = total / hourlyRequests.length;
  const variation = Math.sqrt(sum(hourlyRequests.map((r) => (r - mean) ** 2)) / hourlyRequests.length) / mean;
  if (total < MIN_REQUESTS_FOR_SHAPE) return 'BURSTY';
  const hours = window.end - window.start + 1;
  const inWindow = sum(hourlyRequests.slice(window.start, window.end + 1));
  const max = Math.max(...hourlyRequests);
  const outsideNearPeak = hourlyRequests.some(
    (r, hour) => (hour < window.start || hour > window.end) && r >= max * PEAK_SHARE_OF_BUSIEST,
  );
  const concentration = inWindow / total / (hours / hourlyRequests.length);
  if (hours <= MAX_PEAK_HOURS && concentration >= PEAK_CONCENTRATION && !outsideNearPeak) return 'PEAKED';
  return variation > BURSTY_VARIATION ? 'BURSTY' : 'STEADY';
}

export function optimalTtl(
  pattern: AccessPattern,
  window: { start: number; end: number },
  currentTtlSeconds: number,
): number {
  if (pattern === 'PEAKED')
    return clampTtl(PREDICTIVE_LEAD_SECONDS + (window.end - window.start + 1) * 3600 + PEAK_MARGIN_SECONDS);
  return clampTtl(currentTtlSeconds);
}

/** Everything a usage-pattern row holds, from one day's 24 hourly counts. */
export function analyseDay(hourlyRequests: number[], hourlyHits: number[], currentTtlSeconds: number): DayAnalysis {
  if (hourlyRequests.length !== 24 || hourlyHits.length !== 24) throw new Error('a day has 24 hours');
  const requests = hourlyRequests.map((r) => Math.max(0, Math.floor(r)));
  const hits = hourlyHits.map((h, hour) => Math.min(requests[hour], Math.max(0, Math.floor(h))));
  const dailyRequests = sum(requests);
  const dailyCacheHits = sum(hits);
  const window = peakWindow(requests);
  const accessPattern = classify(requests, window);
  const peakRequests = sum(requests.slice(window.start, window.end + 1));
  const peakHits = sum(hits.slice(window.start, window.end + 1));
  return {
    accessPattern,
    peakHourStart: window.start,
    peakHourEnd: window.end,
    averageHitRate: rate(dailyCacheHits, dailyRequests),
    peakHitRate: rate(peakHits, peakRequests),
    optimalTtlSeconds: optimalTtl(accessPattern, window, currentTtlSeconds),
    dailyRequests,
    dailyCacheHits,
    hourlyRequests: requests,
    hourlyHits: hits,
  };
}

// --- UTC days and hours ---------------------------------------------------------------------------

export const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight UTC of a YYYY-MM-DD day, or null when the string is not a real calendar date. */
export function parseDay(value: string): Date | null {
  const match = DATE_RE.exec(value);
  if (!match) return null;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return utcDay(date) === value ? date : null;
}

export const addDays = (day: string, days: number): string =>
  utcDay(new Date(parseDay(day)!.getTime() + days * DAY_MS));

/** The 24 counter hours (`YYYYMMDDHH`) of a UTC day. */
export const hoursOfDay = (day: string): string[] =>
  Array.from({ length: 24 }, (_, hour) => `${day.replace(/-/g, '')}${String(hour).padStart(2, '0')}`);

/**
 * Whether a write failed because the row it references is gone (PostgreSQL 23503) — a datasource deleted while a
 * rollup or an evaluation was going through all of them; that datasource is simply skipped.
 */
export function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  return (e.driverError?.code ?? e.code) === '23503';
}
