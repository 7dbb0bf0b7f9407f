import { describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/api-client';
import { actionErrorMessage } from './action-error';

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
