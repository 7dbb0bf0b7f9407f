import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { queryKeys } from '../../../lib/query-keys';
import { warmingApi } from '../api';

export const ACTIVE_POLL_MS = 1_000;
export const IDLE_POLL_MS = 10_000;

/** Live warming progress: polled every second while a job is active, slowly otherwise. */
export function useWarmingStatus() {
  const queryClient = useQueryClient();
  const status = useQuery({
    queryKey: queryKeys.warming.status(),
    queryFn: ({ signal }) => warmingApi.status(signal),
    refetchInterval: (query) => ((query.state.data?.activeJobs.length ?? 0) > 0 ? ACTIVE_POLL_MS : IDLE_POLL_MS),
    staleTime: 0,
  });

  // A job appearing, changing state (running ↔ paused) or leaving refreshes the history table; a job
  // leaving also refreshes the cache statistics, since that is when a new generation goes live.
  const activeStates = status.data?.activeJobs.map((job) => `${job.jobId}:${job.status}`).join(',');
  const previous = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (activeStates === undefined) return;
    const before = previous.current;
    previous.current = activeStates;
    if (before === undefined || before === activeStates) return;
    void queryClient.invalidateQueries({ queryKey: [...queryKeys.warming.all, 'jobs'] });
    const idsNow = new Set(
      activeStates
        .split(',')
        .filter(Boolean)
        .map((entry) => entry.split(':')[0]),
    );
    if (
      before
        .split(',')
        .filter(Boolean)
        .some((entry) => !idsNow.has(entry.split(':')[0]))
    ) {
      void queryClient.invalidateQueries({ queryKey: queryKeys.analyticsCache.all });
    }
  }, [activeStates, queryClient]);

  return status;
}
