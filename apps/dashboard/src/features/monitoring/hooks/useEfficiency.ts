import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { monitoringApi } from '../api';

export function useEfficiencyReport(days: number) {
  return useQuery({
    queryKey: queryKeys.monitoring.efficiency(days),
    queryFn: ({ signal }) => monitoringApi.efficiency(days, signal),
    placeholderData: keepPreviousData,
  });
}
