import type { UsagePatternQuery } from '@ccc/shared-types';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { showToast } from '../../../lib/toast';
import { monitoringApi, type HourlyUsageQuery } from '../api';

export function useUsagePatterns(query: UsagePatternQuery) {
  return useQuery({
    queryKey: queryKeys.monitoring.usagePatterns(query),
    queryFn: ({ signal }) => monitoringApi.usagePatterns(query, signal),
    placeholderData: keepPreviousData,
  });
}

/** Hourly query-API traffic: refreshed every minute, since the current hour keeps counting. */
export function useHourlyUsage(query: HourlyUsageQuery) {
  return useQuery({
    queryKey: queryKeys.monitoring.hourlyUsage(query),
    queryFn: ({ signal }) => monitoringApi.hourlyUsage(query, signal),
    refetchInterval: 60_000,
    placeholderData: keepPreviousData,
  });
}

/** Analyses one UTC day's traffic into usage patterns now, instead of waiting for the nightly run. */
export function useRollup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (date: string) => monitoringApi.rollup({ date }),
    onSuccess: (_result, date) => showToast(`Usage patterns of ${date} computed.`, { kind: 'info' }),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.usage() }),
        queryClient.invalidateQueries({ queryKey: [...queryKeys.monitoring.all, 'efficiency'] }),
      ]),
  });
}
