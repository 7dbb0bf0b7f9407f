import type { CreateThresholdRequest, PerformanceThreshold, UpdateThresholdRequest } from '@ccc/shared-types';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { showToast } from '../../../lib/toast';
import { monitoringApi } from '../api';

/** Active thresholds; with `includeInactive`, deleted ones too (they are kept, inactive). */
export function useThresholds(includeInactive = false) {
  return useQuery({
    queryKey: [...queryKeys.monitoring.thresholds(), { includeInactive }],
    queryFn: ({ signal }) => monitoringApi.thresholds(includeInactive, signal),
  });
}

export type SaveThresholdInput =
  { id?: undefined; body: CreateThresholdRequest } | { id: string; body: UpdateThresholdRequest };

/** Create or update; a 400 names the field and is shown beside it by the form, so no toast. */
export function useSaveThreshold() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: SaveThresholdInput): Promise<PerformanceThreshold> =>
      input.id === undefined
        ? monitoringApi.createThreshold(input.body)
        : monitoringApi.updateThreshold(input.id, input.body),
    onSuccess: (_saved, input) =>
      showToast(input.id === undefined ? 'Threshold created.' : 'Threshold saved.', { kind: 'info' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.thresholds() }),
    meta: { inlineErrors: true },
  });
}

export function useDeleteThreshold() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => monitoringApi.deleteThreshold(id),
    onSuccess: () => showToast('Threshold deleted.', { kind: 'info' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.thresholds() }),
    meta: { inlineErrors: true },
  });
}
