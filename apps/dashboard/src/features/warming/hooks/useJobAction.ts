import { useMutation, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { warmingApi, type JobAction } from '../api';

/** Pause, resume or cancel a job; a 409 (job no longer in that state) is toasted with the server's message. */
export function useJobAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ jobId, action }: { jobId: string; action: JobAction }) => warmingApi.jobAction(jobId, action),
    onSettled: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.warming.all }),
        queryClient.invalidateQueries({ queryKey: queryKeys.analyticsCache.all }),
      ]);
    },
  });
}
