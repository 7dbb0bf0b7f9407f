import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { queryKeys } from '../../../lib/query-keys';
import { warmingApi } from '../api';

export const ACTIVE_POLL_MS = 1_000;
export const IDLE_POLL_MS = 10_000;

/**
 * Live warming progress: polled every second while a job is active, slowly otherwise. When a job
 * leaves the active list, the cache statistics, details and history are refreshed, since that is
 * when a new generation goes live.
 */
export function useWarmingStatus() {
  const queryClient = useQueryClient();
  const status = useQuery({
    queryKey: queryKeys.warming.status(),
    queryFn: ({ signal }) => warmingApi.status(signal),
    refetchInterval: (query) => ((query.state.data?.activeJobs.length ?? 0) > 0 ? ACTIVE_POLL_MS : IDLE_POLL_MS),
    staleTime: 0,
  });

  const activeIds = status.data?.activeJobs.map((job) => job.jobId).join(',');
  const previous = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (activeIds === undefined) return;
    const before = previous.current?.split(',').filter(Boolean) ?? [];
    previous.current = activeIds;
    const now = new Set(activeIds.split(',').filter(Boolean));
    if (before.some((id) => !now.has(id))) {
      void queryClient.invalidateQueries({ queryKey: queryKeys.analyticsCache.all });
      void queryClient.invalidateQueries({ queryKey: [...queryKeys.warming.all, 'jobs'] });
    }
  }, [activeIds, queryClient]);

  return status;
}
