import type { WarmRequest } from '@ccc/shared-types';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { analyticsCacheApi } from '../api';

/** Starts warming; the page shows the per-datasource outcome (and a rate-limit message) itself. */
export function useWarmCache() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: WarmRequest) => analyticsCacheApi.warm(body),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.warming.all }),
        queryClient.invalidateQueries({ queryKey: queryKeys.analyticsCache.all }),
      ]);
    },
    meta: { inlineErrors: true },
  });
}
