import type { WarmingJobQuery } from '@ccc/shared-types';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { warmingApi } from '../api';

/** `live` while a job runs, so its row's progress moves too (finished jobs refresh it anyway). */
export function useWarmingJobs(query: WarmingJobQuery, live = false) {
  return useQuery({
    queryKey: queryKeys.warming.jobs(query),
    queryFn: ({ signal }) => warmingApi.jobs(query, signal),
    refetchInterval: live ? 3_000 : false,
    // Keep the current page on screen while the next one loads.
    placeholderData: keepPreviousData,
  });
}
