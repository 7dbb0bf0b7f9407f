import { describe, expect, it } from 'vitest';
import { formatDuration } from './format';

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
