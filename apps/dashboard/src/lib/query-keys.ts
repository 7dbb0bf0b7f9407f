import type { AuditQuery } from '@ccc/shared-types';

/** Every TanStack Query key in one place, so invalidation matches what queries use. */
export const queryKeys = {
  datasources: {
    all: ['datasources'] as const,
    list: () => [...queryKeys.datasources.all, 'list'] as const,
    detail: (id: number) => [...queryKeys.datasources.all, 'detail', id] as const,
  },
  audit: {
    all: ['audit'] as const,
    list: (query: AuditQuery) => [...queryKeys.audit.all, 'list', query] as const,
  },
};
