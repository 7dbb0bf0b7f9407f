import type {
  CreateRemediationRuleRequest,
  RemediationActionQuery,
  RemediationRule,
  UpdateRemediationRuleRequest,
} from '@ccc/shared-types';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { showToast } from '../../../lib/toast';
import { monitoringApi } from '../api';

/** Rules change rarely; actions appear after each evaluation round (a minute), so they are polled. */
const ACTIONS_REFRESH_MS = 15_000;

export function useRemediationRules() {
  return useQuery({
    queryKey: queryKeys.monitoring.remediationRules(),
    queryFn: ({ signal }) => monitoringApi.remediationRules(signal),
  });
}

export function useRemediationActions(query: RemediationActionQuery) {
  return useQuery({
    queryKey: queryKeys.monitoring.remediationActions(query),
    queryFn: ({ signal }) => monitoringApi.remediationActions(query, signal),
    refetchInterval: ACTIONS_REFRESH_MS,
  });
}

export type SaveRemediationRuleInput =
  { id?: undefined; body: CreateRemediationRuleRequest } | { id: string; body: UpdateRemediationRuleRequest };

/** Create or update; a 400 names the field and is shown beside it by the form, so no toast. */
export function useSaveRemediationRule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: SaveRemediationRuleInput): Promise<RemediationRule> =>
      input.id === undefined
        ? monitoringApi.createRemediationRule(input.body)
        : monitoringApi.updateRemediationRule(input.id, input.body),
    onSuccess: (_saved, input) => showToast(input.id === undefined ? 'Rule created.' : 'Rule saved.', { kind: 'info' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.remediation() }),
    meta: { inlineErrors: true },
  });
}

export function useDeleteRemediationRule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => monitoringApi.deleteRemediationRule(id),
    onSuccess: () => showToast('Rule deleted.', { kind: 'info' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.remediation() }),
    meta: { inlineErrors: true },
  });
}

/** Puts back a staleness TTL or warm schedule a rule changed (409 when it changed again since). */
export function useUndoRemediationAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => monitoringApi.undoRemediationAction(id),
    onSuccess: () => showToast('Action undone.', { kind: 'info' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.remediation() }),
    meta: { inlineErrors: true },
  });
}
