import type { SelectiveInvalidateRequest } from '@ccc/shared-types';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { analyticsCacheApi } from '../api';

/** Drops cached entries; the confirmation dialog shows a failure, so no toast here. */
export function useInvalidateCache() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SelectiveInvalidateRequest) => analyticsCacheApi.invalidate(body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.analyticsCache.all }),
    meta: { inlineErrors: true },
  });
}
