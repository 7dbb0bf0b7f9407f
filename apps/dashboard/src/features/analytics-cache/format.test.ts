import { describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/api-client';
import { actionErrorMessage, formatCompact, formatMemoryMB, formatRelative, formatSpan } from './format';

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

describe('numbers on the cards', () => {
  it('abbreviates summary counts and keeps memory readable', () => {
    expect(formatCompact(42_300)).toBe('42.3k');
    expect(formatCompact(812)).toBe('812');
    expect(formatCompact(1_250_000)).toBe('1.3M');
    expect(formatMemoryMB(45.23)).toBe('45.2 MB');
    expect(formatMemoryMB(186.4)).toBe('186 MB');
    expect(formatMemoryMB(0.02)).toBe('<0.1 MB');
  });
});

describe('actionErrorMessage', () => {
  it('tells a rate-limited user the limit and how long to wait', () => {
    const error = new ApiError(429, 'RATE_LIMITED', 'Too many requests', [], 'c', 754);
    expect(actionErrorMessage(error, 'warming')).toBe(
      'Rate limit reached: you can make 10 warm requests per hour. Try again in 12 minutes 34 seconds.',
    );
    expect(actionErrorMessage(new ApiError(429, 'RATE_LIMITED', 'x'), 'invalidation')).toBe(
      'Rate limit reached: you can make 20 invalidations per hour. Try again later.',
    );
  });

  it('passes other errors through', () => {
    expect(actionErrorMessage(new ApiError(409, 'CONFLICT', 'Datasource is disabled'), 'warming')).toBe(
      'Datasource is disabled',
    );
  });
});
