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

export function useQueryPatterns(query: QueryPerformanceWindowQuery) {
  return useQuery({
    queryKey: queryKeys.monitoring.queryPatterns(query),
    queryFn: ({ signal }) => monitoringApi.queryPatterns(query, signal),
    placeholderData: keepPreviousData,
  });
}

/** One pattern's executions in the same window (and datasource) the pattern list was read for. */
export function useQueryPatternHistory(hash: string | null, query: QueryPerformanceWindowQuery) {
  return useQuery({
    queryKey: queryKeys.monitoring.queryPatternHistory(hash ?? '', query),
    queryFn: ({ signal }) => monitoringApi.queryPatternHistory(hash!, query, signal),
    enabled: hash !== null,
  });
}
