import { useMutation, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { analyticsCacheApi } from '../api';

/** Rolls a datasource back to its retained previous generation; the confirmation dialog shows a failure. */
export function useRollback() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ datasourceId, generation }: { datasourceId: number; generation: number }) =>
      analyticsCacheApi.rollback(datasourceId, generation),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.analyticsCache.all }),
    meta: { inlineErrors: true },
  });
}
