import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { analyticsCacheApi } from '../api';

export function useCacheStats() {
  return useQuery({
    queryKey: queryKeys.analyticsCache.stats(),
    queryFn: ({ signal }) => analyticsCacheApi.stats(signal),
    // Hit rates and ages move on their own; finished warm jobs refresh it at once (see useWarmingStatus).
    refetchInterval: 30_000,
  });
}
