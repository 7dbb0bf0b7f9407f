import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { analyticsCacheApi } from '../api';

export function useDatasourceCacheDetails(datasourceId: number) {
  return useQuery({
    queryKey: queryKeys.analyticsCache.details(datasourceId),
    queryFn: ({ signal }) => analyticsCacheApi.details(datasourceId, signal),
    refetchInterval: 30_000,
  });
}
