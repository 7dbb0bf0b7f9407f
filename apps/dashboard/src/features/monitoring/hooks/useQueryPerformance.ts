import type { QueryPerformanceWindowQuery } from '@ccc/shared-types';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { monitoringApi } from '../api';

export function useSlowQueries(query: QueryPerformanceWindowQuery) {
  return useQuery({
    queryKey: queryKeys.monitoring.slowQueries(query),
    queryFn: ({ signal }) => monitoringApi.slowQueries(query, signal),
    placeholderData: keepPreviousData,
  });
}

export function useQueryPatterns(query: Omit<QueryPerformanceWindowQuery, 'datasourceId'>) {
  return useQuery({
    queryKey: queryKeys.monitoring.queryPatterns(query),
    queryFn: ({ signal }) => monitoringApi.queryPatterns(query, signal),
    placeholderData: keepPreviousData,
  });
}

export function useQueryPatternHistory(hash: string | null) {
  return useQuery({
    queryKey: queryKeys.monitoring.queryPatternHistory(hash ?? ''),
    queryFn: ({ signal }) => monitoringApi.queryPatternHistory(hash!, signal),
    enabled: hash !== null,
  });
}
