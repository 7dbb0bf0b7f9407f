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
 * indexes, so those views are refreshed too. The dialogs show failures themselves.
 */
export function useDecideRecommendation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, decision, notes }: { id: string; decision: RecommendationDecision; notes?: string }) =>
      monitoringApi.decideRecommendation(id, decision, notes ? { notes } : {}),
    onSuccess: async (_result, { decision }) => {
      showToast(DONE[decision], { kind: 'info' });
      const refresh = [queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.recommendations() })];
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
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.recommendations() });
    },
  });
}
