import type { AlertListQuery } from '@ccc/shared-types';
import { useMemo } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { showToast } from '../../../lib/toast';
import { monitoringApi } from '../api';

/** Alerts change when the evaluator runs (every minute by default): keep the lists fresh. */
export const ALERTS_POLL_MS = 15_000;

export function useAlerts(query: AlertListQuery) {
  return useQuery({
    queryKey: queryKeys.monitoring.alertList(query),
    queryFn: ({ signal }) => monitoringApi.alerts(query, signal),
    refetchInterval: ALERTS_POLL_MS,
    placeholderData: keepPreviousData,
  });
}

/** One page per open status, as the Alerts page asks for it (the same queries, so one request serves both). */
export const OPEN_ALERTS_PAGE_SIZE = 100;

/**
 * The open alerts (active and acknowledged) for the health verdicts, and their count for the navigation badge:
 * the count is the service's total, even past the first page.
 */
export function useOpenAlerts() {
  const active = useAlerts({ status: 'ACTIVE', pageSize: OPEN_ALERTS_PAGE_SIZE });
  const acknowledged = useAlerts({ status: 'ACKNOWLEDGED', pageSize: OPEN_ALERTS_PAGE_SIZE });
  return useMemo(
    () => ({
      alerts: [...(active.data?.items ?? []), ...(acknowledged.data?.items ?? [])],
      count: (active.data?.total ?? 0) + (acknowledged.data?.total ?? 0),
      loaded: active.data !== undefined && acknowledged.data !== undefined,
    }),
    [active.data, acknowledged.data],
  );
}

export function useAlert(id: string | null) {
  return useQuery({
    queryKey: queryKeys.monitoring.alert(id ?? ''),
    queryFn: ({ signal }) => monitoringApi.alert(id!, signal),
    enabled: id !== null,
    refetchInterval: ALERTS_POLL_MS,
  });
}

/**
 * The dialogs show failures (e.g. 409: already resolved) themselves. The lists refresh either way: after a
 * 409 the row must lose the buttons of a state it is no longer in.
 */
export function useAcknowledgeAlert() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, comment }: { id: string; comment: string }) => monitoringApi.acknowledgeAlert(id, { comment }),
    onSuccess: () => showToast('Alert acknowledged.', { kind: 'info' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.alerts() }),
    meta: { inlineErrors: true },
  });
}

export function useResolveAlert() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, comment }: { id: string; comment?: string }) =>
      monitoringApi.resolveAlert(id, comment ? { comment } : {}),
    onSuccess: () => showToast('Alert resolved.', { kind: 'info' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.alerts() }),
    meta: { inlineErrors: true },
  });
}

export function useEvaluateAlerts() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => monitoringApi.evaluateAlerts(),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.alerts() }),
  });
}
