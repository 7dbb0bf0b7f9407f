import type { AuditQuery } from '@ccc/shared-types';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

export function useAuditLog(query: AuditQuery) {
  return useQuery({
    queryKey: queryKeys.audit.list(query),
    queryFn: ({ signal }) => api.listAudit(query, signal),
    // Keep the current page on screen while the next one loads.
    placeholderData: keepPreviousData,
  });
}
