import type { CreateIndexStrategyRequest, IndexUsageQuery, UpdateIndexStrategyRequest } from '@ccc/shared-types';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { showToast } from '../../../lib/toast';
import { monitoringApi } from '../api';

export function useIndexStrategies() {
  return useQuery({
    queryKey: queryKeys.monitoring.indexList(),
    queryFn: ({ signal }) => monitoringApi.indexes(signal),
    // A deferred build happens when its window opens: keep the status moving.
    refetchInterval: 30_000,
  });
}

export function useIndexUsage(query: IndexUsageQuery) {
  return useQuery({
    queryKey: queryKeys.monitoring.indexUsage(query),
    queryFn: ({ signal }) => monitoringApi.indexUsage(query, signal),
  });
}

function useInvalidateIndexes() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.indexes() });
}

/** A 400 names the field (bad column, table, predicate) and is shown in the form. */
export function useCreateIndexStrategy() {
  const invalidate = useInvalidateIndexes();
  return useMutation({
    mutationFn: (body: CreateIndexStrategyRequest) => monitoringApi.createIndex(body),
    onSuccess: (created) => showToast(`Index strategy ${created.indexName} created.`, { kind: 'info' }),
    onSettled: () => invalidate(),
    meta: { inlineErrors: true },
  });
}

export function useUpdateIndexStrategy() {
  const invalidate = useInvalidateIndexes();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateIndexStrategyRequest }) => monitoringApi.updateIndex(id, body),
    onSuccess: (saved) => showToast(`Index strategy ${saved.indexName} saved.`, { kind: 'info' }),
    onSettled: () => invalidate(),
    meta: { inlineErrors: true },
  });
}

export function useDeleteIndexStrategy() {
  const invalidate = useInvalidateIndexes();
  return useMutation({
    mutationFn: ({ id, dropIndex }: { id: string; dropIndex: boolean }) => monitoringApi.deleteIndex(id, dropIndex),
    onSuccess: (_result, { dropIndex }) =>
      showToast(dropIndex ? 'Index dropped and strategy deleted.' : 'Index strategy deleted.', { kind: 'info' }),
    // After a 409 (the index exists although the list said it was not built) the list is stale: refresh it.
    onSettled: () => invalidate(),
    meta: { inlineErrors: true },
  });
}

/** The page shows the outcome (built now / deferred until … / already there, or the error) beside the strategy. */
export function useApplyIndexStrategy() {
  const invalidate = useInvalidateIndexes();
  return useMutation({
    mutationFn: (id: string) => monitoringApi.applyIndex(id),
    onSettled: () => invalidate(),
    meta: { inlineErrors: true },
  });
}

export function useCollectIndexUsage() {
  const invalidate = useInvalidateIndexes();
  return useMutation({
    mutationFn: () => monitoringApi.collectIndexes(),
    onSettled: () => invalidate(),
  });
}
