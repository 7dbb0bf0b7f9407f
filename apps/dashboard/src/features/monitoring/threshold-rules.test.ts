import { describe, expect, it } from 'vitest';
import { directionWords, validateThresholdLevels } from './threshold-rules';

describe('threshold levels', () => {
  it('for a metric that alerts when it rises (query time), critical must be at least the warning level', () => {
    expect(directionWords('QUERY_TIME')).toBe('above');
    expect(validateThresholdLevels('QUERY_TIME', '200', '500')).toEqual({});
    expect(validateThresholdLevels('QUERY_TIME', '200', '200')).toEqual({});
    expect(validateThresholdLevels('QUERY_TIME', '500', '200').criticalThreshold).toMatch(
      /rises above.*at least the warning level \(500\)/,
    );
  });

  it('for a metric that alerts when it falls (hit rate), critical must be at most the warning level', () => {
    expect(directionWords('CACHE_HIT_RATIO')).toBe('below');
    expect(validateThresholdLevels('CACHE_HIT_RATIO', '80', '50')).toEqual({});
    expect(validateThresholdLevels('CACHE_HIT_RATIO', '50', '80').criticalThreshold).toMatch(
      /falls below.*at most the warning level \(50\)/,
    );
    expect(validateThresholdLevels('INDEX_SCAN_RATIO', '60', '90').criticalThreshold).toMatch(/at most/);
  });

  it('asks for both numbers, refuses levels the service cannot store and percentages over 100', () => {
    expect(validateThresholdLevels('CACHE_HIT_RATIO', '', '50')).toEqual({
      warningThreshold: 'Enter the warning level.',
    });
    expect(validateThresholdLevels('QUERY_TIME', '1e', '5').warningThreshold).toMatch(/must be a number/);
    expect(validateThresholdLevels('QUERY_TIME', '-1', '5').warningThreshold).toMatch(/from 0.0001/);
    // The service stores four decimal places: 0 and 0.00001 would be stored as 0.
    expect(validateThresholdLevels('QUERY_TIME', '0', '5').warningThreshold).toMatch(/from 0.0001/);
    expect(validateThresholdLevels('QUERY_TIME', '0.12345', '5').warningThreshold).toMatch(/4 decimal places/);
    expect(validateThresholdLevels('QUERY_TIME', '0.001', '12.3456')).toEqual({});
    expect(validateThresholdLevels('CACHE_HIT_RATIO', '120', '50').warningThreshold).toMatch(/at most 100/);
    // Cache age is a percentage of the TTL: twice the TTL is a level. Bytes and counts have no upper bound.
    expect(validateThresholdLevels('CACHE_AGE', '100', '200')).toEqual({});
    expect(validateThresholdLevels('TABLE_SIZE', '1000000000', '5000000000')).toEqual({});
  });
});
