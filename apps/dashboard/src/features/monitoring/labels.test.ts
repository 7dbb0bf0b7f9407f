import { describe, expect, it } from 'vitest';
import { alertUnit, formatImprovement, formatInUnit } from './labels';

describe('monitoring labels', () => {
  it('says what a recommendation is expected to gain, per metric', () => {
    expect(formatImprovement(12.5, 'hit_rate_pct')).toBe('+12.5 pp hit rate');
    expect(formatImprovement(50, 'peak_hit_rate_pct')).toBe('+50 pp peak hit rate');
    expect(formatImprovement(43.54, 'query_time_ms')).toBe('−43.5 ms query time');
    expect(formatImprovement(4_194_304, 'bytes_freed')).toBe('4.0 MB freed');
    expect(formatImprovement(50, 'mb_freed')).toBe('50.0 MB freed');
    expect(formatImprovement(77_400, 'staleness_seconds_reduced')).toBe('staleness reported 21 h 30 min sooner');
    expect(formatImprovement(3, 'something_new')).toBe('3 something new');
  });

  it('shows threshold levels in their unit, and alert values in their metric’s unit', () => {
    expect(formatInUnit(80, 'PERCENTAGE')).toBe('80%');
    expect(formatInUnit(0.001, 'MILLISECONDS')).toBe('0.001 ms');
    expect(formatInUnit(3_000_000_000, 'BYTES')).toBe('2.8 GB (3,000,000,000 bytes)');
    expect(alertUnit({ alertType: 'HIT_RATE_LOW', alertContext: null })).toBe('PERCENTAGE');
    expect(alertUnit({ alertType: 'TABLE_SIZE_HIGH', alertContext: {} })).toBe('BYTES');
    expect(alertUnit({ alertType: 'QUERY_TIME_HIGH', alertContext: { unit: 'MILLISECONDS' } })).toBe('MILLISECONDS');
  });
});
