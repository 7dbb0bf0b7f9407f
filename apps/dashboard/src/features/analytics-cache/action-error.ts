import { ApiError } from '../../lib/api-client';
import { formatSpan } from '../../lib/format';
import { errorMessage } from '../../lib/query-client';

/**
 * A failed warm or invalidation, in words a user can act on: a 429 says how long to wait
 * (from `Retry-After`) instead of the generic "too many requests".
 */
export function actionErrorMessage(error: unknown, action: 'warming' | 'invalidation' | 'rollback'): string {
  if (error instanceof ApiError && error.status === 429) {
    // Rollbacks share the invalidation limit (the service's RateLimited('invalidation')).
    const limit =
      action === 'warming'
        ? '10 warm requests'
        : action === 'rollback'
          ? '20 invalidations or rollbacks'
          : '20 invalidations';
    const wait =
      error.retryAfterSeconds !== undefined
        ? ` Try again in ${formatSpan(Math.max(1, error.retryAfterSeconds))}.`
        : ' Try again later.';
    return `Rate limit reached: you can make ${limit} per hour.${wait}`;
  }
  return errorMessage(error);
}
