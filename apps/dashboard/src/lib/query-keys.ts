import type { AuditQuery, WarmingJobQuery } from '@ccc/shared-types';

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
  analyticsCache: {
    all: ['analytics-cache'] as const,
    stats: () => [...queryKeys.analyticsCache.all, 'stats'] as const,
    health: () => [...queryKeys.analyticsCache.all, 'health'] as const,
    details: (datasourceId: number) => [...queryKeys.analyticsCache.all, 'details', datasourceId] as const,
  },
  warming: {
    all: ['warming'] as const,
    status: () => [...queryKeys.warming.all, 'status'] as const,
    jobs: (query: WarmingJobQuery) => [...queryKeys.warming.all, 'jobs', query] as const,
    schedules: () => [...queryKeys.warming.all, 'schedules'] as const,
  },
};
