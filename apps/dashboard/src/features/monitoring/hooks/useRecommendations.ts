import type { RecommendationListQuery } from '@ccc/shared-types';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { showToast } from '../../../lib/toast';
import { monitoringApi, type RecommendationDecision } from '../api';

export function useRecommendations(query: RecommendationListQuery, enabled = true) {
  return useQuery({
    queryKey: queryKeys.monitoring.recommendationList(query),
    queryFn: ({ signal }) => monitoringApi.recommendations(query, signal),
    enabled,
    placeholderData: keepPreviousData,
  });
}

const DONE: Record<RecommendationDecision, string> = {
  approve: 'Recommendation approved.',
  reject: 'Recommendation rejected.',
  implement: 'Recommendation implemented.',
};

/**
 * Approve, reject or implement. Implementing changes a datasource's settings (TTL, schedule) or its
 * indexes, so those views are refreshed too. The dialogs show failures themselves; the list is refreshed
 * after a failure as well (a 409 means the recommendation was decided meanwhile or went stale).
 */
export function useDecideRecommendation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, decision, notes }: { id: string; decision: RecommendationDecision; notes?: string }) =>
      monitoringApi.decideRecommendation(id, decision, notes ? { notes } : {}),
    onSuccess: (_result, { decision }) => showToast(DONE[decision], { kind: 'info' }),
    onSettled: async (_result, _error, { decision }) => {
      const refresh = [queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.recommendations() })];
      // A failed implementation may have changed part of it before failing.
      if (decision === 'implement') {
        refresh.push(
          queryClient.invalidateQueries({ queryKey: queryKeys.datasources.all }),
          queryClient.invalidateQueries({ queryKey: queryKeys.warming.all }),
          queryClient.invalidateQueries({ queryKey: queryKeys.analyticsCache.all }),
          queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.indexes() }),
        );
      }
      await Promise.all(refresh);
    },
    meta: { inlineErrors: true },
  });
}

export function useGenerateRecommendations() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => monitoringApi.generateRecommendations(),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.recommendations() }),
  });
}
