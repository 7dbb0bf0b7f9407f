import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCompact,
  formatDuration,
  formatHitRate,
  formatMemoryMB,
  formatMillis,
  formatPercent,
  formatRelative,
  formatSeconds,
  formatSpan,
  formatTtl,
  formatUtcDateTime,
  ratioToPercent,
} from './format';

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [45, '45 s'],
    [300, '5 min'],
    [3_600, '1 h'],
    [5_400, '1 h 30 min'],
    [14_400, '4 h'],
    [86_400, '1 d'],
    [90_061, '1 d 1 h'],
  ])('shows %i seconds as "%s"', (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });

  it('shows a dash for values that are not a duration', () => {
    expect(formatDuration(-5)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
  });
});

describe('formatSpan (ETA)', () => {
  it.each([
    [32, '32 seconds'],
    [1, '1 second'],
    [60, '1 minute'],
    [75, '1 minute 15 seconds'],
    [3_660, '1 hour 1 minute'],
    [3_605, '1 hour'],
    [90_000, '1 day 1 hour'],
    [0, 'less than a second'],
  ])('shows %i seconds as "%s"', (seconds, expected) => {
    expect(formatSpan(seconds)).toBe(expected);
  });
});

describe('formatRelative', () => {
  const now = Date.parse('2025-10-15T12:00:00.000Z');
  it.each([
    ['2025-10-15T11:00:00.000Z', '1 hour ago'],
    ['2025-10-15T06:00:00.000Z', '6 hours ago'],
    ['2025-10-15T11:59:15.000Z', '45 seconds ago'],
    ['2025-10-15T11:58:00.000Z', '2 minutes ago'],
    ['2025-10-15T11:59:58.000Z', 'just now'],
    ['2025-10-15T14:00:00.000Z', 'in 2 hours'],
  ])('shows %s as "%s"', (iso, expected) => {
    expect(formatRelative(iso, now)).toBe(expected);
  });
});

describe('percentages: one scale (0–100)', () => {
  it('shows hit rates as the API reports them, and Redis ratios once converted', () => {
    expect(formatPercent(99.24)).toBe('99.2%');
    expect(formatPercent(100)).toBe('100%');
    expect(formatPercent(ratioToPercent(0.9123))).toBe('91.2%');
    expect(formatPercent(null)).toBe('—');
    expect(formatPercent(ratioToPercent(null))).toBe('—');
  });

  it('says "no traffic" for the service\'s hit rate without requests in its window, never 0% or a dash', () => {
    expect(formatHitRate({ percent: null })).toBe('no traffic');
    expect(formatHitRate({ percent: 0 })).toBe('0%');
    expect(formatHitRate({ percent: 94.47 })).toBe('94.5%');
    expect(formatHitRate(undefined)).toBe('—');
  });
});

describe('sizes and times', () => {
  it('abbreviates summary counts and keeps memory readable', () => {
    expect(formatCompact(42_300)).toBe('42.3k');
    expect(formatCompact(812)).toBe('812');
    expect(formatCompact(1_250_000)).toBe('1.3M');
    expect(formatMemoryMB(45.23)).toBe('45.2 MB');
    expect(formatMemoryMB(186.4)).toBe('186 MB');
    expect(formatMemoryMB(0.02)).toBe('<0.1 MB');
  });

  it('formats bytes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50.0 MB');
    expect(formatBytes(null)).toBe('—');
  });

  it('shows small times without rounding them to zero', () => {
    expect(formatMillis(0.004)).toBe('0.004 ms');
    expect(formatMillis(2.137)).toBe('2.14 ms');
    expect(formatMillis(812.44)).toBe('812.4 ms');
    expect(formatSeconds(0.284)).toBe('0.28 s');
    expect(formatSeconds(0)).toBe('0 s');
    expect(formatSeconds(5400)).toBe('1 h 30 min');
  });

  it('shows a key’s TTL, and timestamps in UTC', () => {
    expect(formatTtl(-1)).toBe('No expiry');
    expect(formatTtl(-2)).toBe('Gone');
    expect(formatTtl(45)).toBe('45 s');
    expect(formatTtl(3_660)).toBe('1 h 1 min');
    expect(formatTtl(90_061)).toBe('1 d 1 h');
    expect(formatUtcDateTime('2026-11-21T23:30:05.000Z')).toBe('21 Nov 2026, 23:30:05 UTC');
  });
});
