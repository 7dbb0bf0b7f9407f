import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { analyticsCacheApi } from '../api';

export function useDatasourceRegions(datasourceId: number) {
  return useQuery({
    queryKey: queryKeys.analyticsCache.regions(datasourceId),
    queryFn: ({ signal }) => analyticsCacheApi.regions(datasourceId, signal),
    refetchInterval: 30_000,
  });
}
