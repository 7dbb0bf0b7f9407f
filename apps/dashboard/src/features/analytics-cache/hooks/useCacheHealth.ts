import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { analyticsCacheApi } from '../api';

export function useCacheHealth() {
  return useQuery({
    queryKey: queryKeys.analyticsCache.health(),
    queryFn: ({ signal }) => analyticsCacheApi.health(signal),
    refetchInterval: 60_000,
  });
}
